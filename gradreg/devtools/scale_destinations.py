"""seed_scale --destinations: 去向登记 and 补登 for the benchmark graduates, written in bulk.

Only graduates without a signing get one (one live destination, SPEC 3): about one graduate in five of
all gets a registration and one in fifty a 补登, never both. Types follow a season's mix (境内升学 and
劳动合同 lead, 未就业 about one in seven); 21/41 graduates file only the 定向/委培 supplement, and 22/42 half
the time. Each item is in one state of its table: 45% of registrations approved, 18% waiting for the
department, 12% for the school, the rest returned, withdrawn, rejected or voided (补登 alike). The values
are what a graduate would type (gen.destination_values), cleaned by the module's own validator, so each
row is what `services.submit` would have stored; the snapshot is what `take_snapshot` makes of the
graduate, so reviews pass the EMS comparison. Rows go in with COPY on PostgreSQL (bulk_create on SQLite),
not through the services: no audit trail, outbox or EMS record is written for them.

Re-running continues after the last graduate who has an item of either kind: once done, it adds nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from types import SimpleNamespace
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.utils import timezone

from gradreg.codes.destinations import DestinationType, destination_type, destination_types
from gradreg.codes.loader import region_codes_in_use
from gradreg.destinations.models import PaperAgreement, PaperStatus, Registration, RegistrationStatus
from gradreg.destinations.services import PAPER_KEY
from gradreg.destinations.validation import clean_destination
from gradreg.devtools import gen
from gradreg.ems.models import Graduate, TrainingMode
from gradreg.signing.models import Signing
from gradreg.workflow.items import RejectCategory

CHUNK = 50_000  # graduates read per transaction: an interrupted run keeps what it wrote
# out of 1000 graduates without a signing (about 40% of all): registrations, then 补登
REGISTRATION_PER_MILLE = 500  # about 20% of all graduates
PAPER_PER_MILLE = 50  # about 2%
VARIANTS = 48  # distinct filled-in forms per type and cohort (units, institutions, dates...)
# the season's mix by 毕业去向类型 (a type's share is split evenly over its sub-types); a type added to the
# taxonomy later gets a share of one
TYPE_WEIGHTS = {
    "签就业协议形式就业": 12, "签劳动合同就业": 20, "其他录用证明就业": 8, "自由职业": 5, "国家基层项目": 3,
    "地方基层项目": 4, "科研助理管理助理(含博士后入站)": 3, "应征义务兵": 2, "自主创业": 3, "境内升学": 20,
    "出国出境深造": 6, "未就业": 14,
}
# per mille of each status (the two vocabularies share their values)
REGISTRATION_MIX = (("approved", 450), ("wait_dept", 180), ("wait_school", 120), ("returned", 60),
                    ("withdrawn", 30), ("rejected", 60), ("voided", 100))
PAPER_MIX = (("approved", 500), ("wait_dept", 200), ("wait_school", 120), ("returned", 60), ("withdrawn", 20),
             ("rejected", 50), ("voided", 50))
OPEN = frozenset({"wait_dept", "wait_school", "returned", "withdrawn"})
RETURN_REASON = "证明材料不清晰，请重新上传清晰完整的扫描件后再提交"
FIELDS = (*gen.GRADUATE_FIELDS, "directed_unit")  # what is read of each graduate
REJECT_REASONS = {RejectCategory.GRADUATE_INFO: "学生关键信息与就业管理系统不一致",
                  RejectCategory.NOT_GENUINE: "去向信息与证明材料不符，请核实后重新登记"}


def _slots(mix: tuple[tuple[str, int], ...]) -> list[str]:
    out = [status for status, n in mix for _ in range(n)]
    assert len(out) == 1000, mix
    return out


def _type_slots(types: Iterable[DestinationType]) -> list[str]:
    """Type keys repeated by their weight (about 1,000 slots)."""
    by_type: dict[str, list[str]] = {}
    for t in types:
        by_type.setdefault(t.type, []).append(t.key)
    slots: list[str] = []
    for name, keys in by_type.items():
        share = max(1, round(10 * TYPE_WEIGHTS.get(name, 1) / len(keys)))
        slots += [key for key in keys for _ in range(share)]
    return slots


class DestinationGenerator:
    """Registration and 补登 rows (dicts of model attributes) for graduates given as GRADUATE_FIELDS rows."""

    def __init__(self, layout, creator_id: int, now: dt.datetime | None = None):
        self.snapshot = gen.Snapshots(layout)
        self.creator_id = creator_id
        self.now = now or timezone.now()
        # employers and project places of Guangdong, as the employer pool has them
        self.regions = sorted(c for c in region_codes_in_use() if c.startswith("44"))
        types = destination_types("registration")
        self.directed = next(t for t in types.values() if t.directed)
        self.type_slots = _type_slots(t for t in types.values() if not t.directed)
        self.types = types
        self.paper = destination_type(PAPER_KEY, "paper")
        self.registration_states = _slots(REGISTRATION_MIX)
        self.paper_states = _slots(PAPER_MIX)
        self.categories = list(RejectCategory.values)
        self._clean: dict[tuple, dict[str, Any]] = {}

    def cleaned(self, dtype: DestinationType, variant: int, year: int, directed_unit: str) -> dict[str, Any]:
        """What the module's validator makes of variant `variant` of the type's form (cached)."""
        key = (dtype.key, variant, year, directed_unit if dtype.directed else "")
        if key not in self._clean:
            raw = gen.destination_values(dtype, variant, graduation_year=year, regions=self.regions)
            graduate = SimpleNamespace(directed_unit=directed_unit, graduation_year=year)
            self._clean[key] = clean_destination(dtype, raw, graduate=graduate)
        return self._clean[key]

    def rows(self, graduates: Iterable[tuple]) -> Iterator[tuple[type[models.Model], dict[str, Any]]]:
        """(model, attributes) of the item each graduate gets, if any."""
        for values in graduates:
            g = dict(zip(FIELDS, values))
            mode = g["training_mode"]
            i = int(g["exam_no"][5:])
            h, h2 = gen.mix(i ^ 0x1B873593), gen.mix(i ^ 0x7FEB352D)
            bucket = h % 1000
            if bucket < REGISTRATION_PER_MILLE:
                if mode in TrainingMode.SUPPLEMENT_ONLY or (mode in TrainingMode.NEEDS_UNIT and (h2 >> 28) & 1):
                    dtype = self.directed
                else:
                    dtype = self.types[self.type_slots[(h >> 10) % len(self.type_slots)]]
                status = self.registration_states[(h2 >> 10) % 1000]
                yield Registration, self.item(g, dtype, status, h, h2)
            elif bucket < REGISTRATION_PER_MILLE + PAPER_PER_MILLE and mode not in TrainingMode.SUPPLEMENT_ONLY:
                status = self.paper_states[(h2 >> 10) % 1000]
                yield PaperAgreement, self.item(g, self.paper, status, h, h2)

    def item(self, g: dict, dtype: DestinationType, status: str, h: int, h2: int) -> dict[str, Any]:
        year = g["graduation_year"]
        clean = self.cleaned(dtype, h2 % VARIANTS, year, g["directed_unit"])
        # when things happened: open items changed in the last weeks, settled ones over the season
        updated = self.now - dt.timedelta(minutes=(h2 >> 3) % ((30 if status in OPEN else 240) * 1440) + 1)
        created = updated - dt.timedelta(minutes=(h >> 4) % (10 * 1440) + 60)
        approved = status == "approved" or (status == "voided" and (h >> 24) % 10 < 7)
        returned = status == "returned" or (status not in ("withdrawn",) and (h2 >> 22) % 20 == 0)
        if status == "rejected":
            category = self.categories[(h2 >> 24) % len(self.categories)]
            reason = REJECT_REASONS.get(category, "去向信息与证明材料不符，请核实后重新登记")
        else:
            category, reason = "", RETURN_REASON if returned else ""
        edited = status in ("wait_school", "approved") and (h >> 20) % 40 == 0
        digest = hashlib.blake2b(g["exam_no"].encode(), digest_size=32, key=b"gradreg-bench").hexdigest()
        return {
            **clean,
            "graduate_id": g["id"], "school_id": g["school_id"], "department_id": g["department_id"],
            "graduation_year": year, "graduate_name": g["name"], "exam_no": g["exam_no"], "status": status,
            "created_by_id": self.creator_id, "created_at": created, "updated_at": updated,
            "submitted_at": created, "graduate_snapshot": self.snapshot(g), "refreshed_info": {},
            "last_reason": reason, "reject_category": category, "returned": returned,
            "proof_file": f"destination/bench/{g['exam_no']}.png" if dtype.proof else "",
            "proof_content_type": "image/png" if dtype.proof else "", "proof_sha256": digest if dtype.proof else "",
            "approved_at": created + (updated - created) / 2 if approved else None,
            "voided_at": updated if status == "voided" else None,
            "reviewer_edited_at": created + (updated - created) / 3 if edited else None,
        }


class RowWriter:
    """Model rows given as attribute dicts, every concrete column filled (its default where not given)."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.json = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.rows: list[dict[str, Any]] = []

    def write(self) -> int:
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        if connection.vendor != "postgresql":
            self.model.objects.bulk_create([self.model(**r) for r in rows], batch_size=500)
            return len(rows)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        with connection.cursor() as c, c.copy(f"COPY {self.model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row([self._value(f, r) for f in self.fields])
        return len(rows)

    def _value(self, f: models.Field, row: dict[str, Any]) -> Any:
        value = row[f.attname] if f.attname in row else f.get_default()
        return json.dumps(value, ensure_ascii=False) if f.attname in self.json else value


def scale_items(model, school_ids: list[int]):
    return model.objects.filter(school_id__in=school_ids)


def seed_destinations(layout, creator_id: int, *, log: Callable[[str], None]) -> tuple[int, int]:
    """Registrations and 补登 for the scale schools' graduates after the last one who has either; the
    numbers added (registrations, 补登)."""
    started = time.monotonic()
    school_ids = [school.pk for school, _ in layout]
    last = max(scale_items(Registration, school_ids).aggregate(m=Max("graduate_id"))["m"] or 0,
               scale_items(PaperAgreement, school_ids).aggregate(m=Max("graduate_id"))["m"] or 0)
    generator = DestinationGenerator(layout, creator_id)
    writers = {Registration: RowWriter(Registration), PaperAgreement: RowWriter(PaperAgreement)}
    added = {Registration: 0, PaperAgreement: 0}
    signed = Signing.objects.filter(graduate_id=OuterRef("pk"))
    while True:
        # the school ids as a list (as the signings' seeding does): the planner then walks the primary key
        batch = list(Graduate.objects.filter(school_id__in=school_ids, pk__gt=last).filter(~Exists(signed))
                     .order_by("pk").values_list(*FIELDS)[:CHUNK])
        if not batch:
            break
        for model, row in generator.rows(batch):
            writers[model].rows.append(row)
        with transaction.atomic():
            for model, writer in writers.items():
                added[model] += writer.write()
        last = batch[-1][0]
        log(f"  去向登记已写入 {added[Registration]}，补登 {added[PaperAgreement]}（{time.monotonic() - started:.0f} 秒）")
    if any(added.values()) and connection.vendor == "postgresql":
        for model in (Registration, PaperAgreement):
            table = model._meta.db_table
            sql = f"ANALYZE {table}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {table}"
            with connection.cursor() as c:
                c.execute(sql)
    return added[Registration], added[PaperAgreement]


def mix_of(model, school_ids: list[int]) -> str:
    """"label n, label n…" of the scale items by status, most first."""
    labels = dict((RegistrationStatus if model is Registration else PaperStatus).choices)
    counts = scale_items(model, school_ids).values("status").annotate(n=Count("id")).order_by("-n")
    return "，".join(f"{labels.get(r['status'], r['status'])} {r['n']}" for r in counts)
