"""The audit chain's hash input stays byte-identical to the canonical JSON it has always been (events written
before keep verifying), whichever way it is built: `AuditEvent.hash_body`/`compute_hash` one by one, or
`audit.record_many` for a batch (what the events share encoded once)."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import importlib
import json
from decimal import Decimal

import pytest
from django.test import override_settings

from gradreg.workflow import audit
from gradreg.workflow.models import AuditEvent, AuditHead, canonical_json

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 6, 30, 8, 15, 30, 123456, tzinfo=dt.UTC)

DATAS = [
    {},
    {"changes": {"unit_name": ["", "广州市人才服务中心"], "address": ["旧地址", "广州市天河区天河路1号"]}},
    {"reason": None, "n": 3, "ratio": 0.25, "ok": True, "nested": {"b": [1, {"z": None, "a": "乙"}], "a": []}},
    {"when": dt.date(2026, 7, 1), "at": AT, "amount": Decimal("12.50")},  # no JSON type: their str()
    {"quote": '他说"好"\\', "ctl": "换行\n制表\t", "emoji": "🎓", "=": "=SUM(A1)"},
    {"键": {"中文键": "值", "ascii": "v"}, "数字": [1, 2.5, -3]},
]
# hashed alike, though PostgreSQL's jsonb keeps no NUL (no event can be stored with one, as before)
IN_MEMORY = [*DATAS, {"nul": "a\x00b", "sep": "\u2028"}]


# the hash input as it has always been built (one json.dumps of the whole dict): the copy frozen in the
# migration that keyed the chains, which re-chained every event written before
FROZEN = importlib.import_module("gradreg.workflow.migrations.0002_audit_head")
reference_body = FROZEN._body


def reference_hash(e: AuditEvent, key: str) -> str:
    return hmac.new(key.encode("utf-8"), reference_body(e), hashlib.sha256).hexdigest()


def events(actor_id: int | None = None) -> list[AuditEvent]:
    out = []
    for k, data in enumerate(IN_MEMORY):
        for ip, reason in ((None, ""), ("10.0.0.1", "材料不全，请补充“户口迁移证”"), ("::1", "line\nbreak")):
            out.append(AuditEvent(item_type="archive_record", item_id=10_000 + k, seq=k + 1, action="register",
                                  action_label="登记档案信息（批量导入）", from_state="none", to_state="registered",
                                  actor_id=actor_id, actor_name="王老师" if actor_id else "系统",
                                  actor_role="department" if actor_id else "system", actor_unit="计算机学院",
                                  at=AT, ip=ip, reason=reason, data=data, prev_hash=audit.GENESIS if k == 0 else "f" * 64))
    return out


@pytest.mark.parametrize("actor_id", [None, 7])
def test_hash_body_is_the_canonical_json_byte_for_byte(actor_id):
    for e in events(actor_id):
        assert e.hash_body() == reference_body(e)


@override_settings(AUDIT_HMAC_KEY="第一把钥匙-key-one")
def test_compute_hash_is_the_same_hmac_under_either_key():
    for e in events(3):
        assert e.compute_hash() == reference_hash(e, "第一把钥匙-key-one")
        assert e.compute_hash("another") == reference_hash(e, "another")
    with override_settings(AUDIT_HMAC_KEY="second"):  # the keyed HMAC follows the setting
        e = events(3)[1]
        assert e.compute_hash() == reference_hash(e, "second")


def test_canonical_json_is_json_dumps():
    for value in [*IN_MEMORY, "中文", None, ["a", 1, None], 12345678901234567890, "\u2028"]:
        assert canonical_json(value) == json.dumps(value, ensure_ascii=False, sort_keys=True,
                                                   separators=(",", ":"), default=str)


def test_a_batch_hashes_each_event_as_compute_hash_does_and_the_chains_verify(world, settings):
    items = [(world.zhangsan.pk, world.school.pk), (world.lisi.pk, world.school.pk), (999_999, None)]
    audit.record(item_type="hash_test", item_id=items[0][0], actor=world.wang, action="create", data={"x": "一"},
                 school_id=items[0][1])
    batch = [dict(item_type="hash_test", item_id=pk, school_id=school_id, action="edit", action_label="修改",
                  from_state="none", to_state="registered", reason=reason, data=data)
             for (pk, school_id), data, reason in zip(items * 2, DATAS, ["", "理由", "", "", "“引号”", ""], strict=True)]
    assert audit.record_many(batch, actor=world.wang, ip="10.1.2.3", at=AT) == len(batch)
    stored = list(AuditEvent.objects.filter(item_type="hash_test").order_by("item_id", "seq"))
    assert len(stored) == len(batch) + 1
    for e in stored:
        assert e.hash == e.compute_hash() == reference_hash(e, settings.AUDIT_HMAC_KEY)
    # the data is kept as hashed: a date is its str(), nested keys as given
    dated = next(e for e in stored if "when" in e.data)
    assert dated.data["when"] == "2026-07-01" and dated.data["amount"] == "12.50"
    assert next(e for e in stored if "键" in e.data).data["键"] == {"中文键": "值", "ascii": "v"}
    first = [e for e in stored if e.item_id == items[0][0]]
    assert [e.seq for e in first] == [1, 2, 3] and first[1].prev_hash == first[0].hash
    head = AuditHead.objects.get(item_type="hash_test", item_id=items[0][0])
    assert (head.count, head.last_hash) == (3, first[-1].hash)
    assert audit.verify_all()[1] == []
