"""Each statement of a one-school actor's hot paths is routed to that school's shard.

The SQL of every workflow's writes and of the review lists (pages and API) is captured; each statement
that touches a distributed table must filter that table on `school_id` = the actor's school (or join it
to a table that does), so Citus sends it to one shard. Inserts must write the school. Actors spanning
schools (an employer, a province) are not held to it: their reads fan out (docs/scaling.md).
"""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gradreg.ems import services as ems_services
from gradreg.ems.models import TrainingModeChange
from gradreg.notifications.models import Message
from gradreg.signing import services
from gradreg.signing.models import SigningStatus as S
from gradreg.workflow.models import AuditEvent, AuditHead, OutboxEvent
from tests.conftest import login
from tests.scaling.tables import distributed_tables
from tests.signing.conftest import invite, material_pdf, signing_env, signing_in  # noqa: F401 (the fixture)

pytestmark = pytest.mark.usefixtures("signing_env")

SKIP = re.compile(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET |SHOW )", re.I)

# Statements not routed yet, each with why; docs/scaling.md lists them with the change that routes them.
# A statement matching none of these and missing the school fails the test.
KNOWN = {
    "model validation's foreign-key check reads the referenced row by id alone (full_clean)":
        re.compile(r'^SELECT 1 AS "a" FROM "(\w+)" WHERE "\1"\."id" = \d+ LIMIT 1$'),
    "model validation's uniqueness and constraint checks (validate_unique / validate_constraints)":
        re.compile(r'^SELECT 1 AS "_check" WHERE |^SELECT 1 AS "a" FROM "(\w+)" WHERE .* AND NOT \("\1"\."id" = \d+\)\) '
                   r'LIMIT 1$'),
    "a related row loaded by its id alone (graduate of an item, signing of a termination): a foreign key of "
    "one column": re.compile(r'^SELECT .* FROM "(ems_graduate|signing_signing)" WHERE "\1"\."id" = \d+ '
                             r'(LIMIT 21|ORDER BY 1 ASC LIMIT 1)$'),
    "the checks of what holds the graduate read by graduate alone (the open termination of a signing, the live "
    "signing of a graduate)":
        re.compile(r'^SELECT .* FROM "(signing_signing|signing_termination)" WHERE \("\1"\."(graduate|signing)_id" '
                   r'= \d+ AND "\1"\."status" IN \('),
}


def _tables(sql: str, distributed: set[str]) -> dict[str, set[str]]:
    """Distributed tables in the statement, each with the names it goes by (the table, its aliases)."""
    found: dict[str, set[str]] = {}
    for m in re.finditer(r'(?:FROM|JOIN|INTO|UPDATE)\s+"(\w+)"(?:\s+(?:AS\s+)?("?\w+"?))?', sql, re.I):
        table = m.group(1)
        if table not in distributed:
            continue
        names = found.setdefault(table, {f'"{table}"'})
        alias = m.group(2)
        if alias and alias.strip('"').upper() not in {"WHERE", "SET", "INNER", "LEFT", "ON", "VALUES", "ORDER",
                                                     "GROUP", "LIMIT", "FOR", "(", "RETURNING"}:
            names.add(alias if alias.startswith('"') else alias)
    return found


def unrouted(sql: str, school_id: int, distributed: set[str]) -> str | None:
    """Why the statement would not go to the one shard of `school_id`; None when it would."""
    if SKIP.match(sql):
        return None
    tables = _tables(sql, distributed)
    if not tables:
        return None  # reference and coordinator tables only
    if re.match(r"\s*INSERT", sql, re.I):
        columns = re.match(r'\s*INSERT\s+INTO\s+"\w+"\s*\(([^)]*)\)', sql, re.I)
        return None if columns and '"school_id"' in columns.group(1) else "insert without school_id"
    anchored = set()
    for table, names in tables.items():
        for name in names:
            for value in re.findall(rf'{re.escape(name)}\."school_id"\s*(?:=|IN\s*\()\s*(\d+)\s*\)?', sql):
                if int(value) != school_id:
                    return f"{table} routed to school {value}, not {school_id}"
                anchored.add(table)
    if not anchored:
        return f"no school_id filter on {sorted(tables)}"
    # the other distributed tables ride along only joined to an anchored row
    for table in set(tables) - anchored:
        if not re.search(rf'JOIN\s+"{table}"', sql, re.I):
            return f"{table} neither filtered on school_id nor joined"
    return None


class Routing:
    """Captures the statements of the steps run inside `at(actor)` and checks each."""

    def __init__(self) -> None:
        self.distributed = distributed_tables()
        self.problems: list[str] = []
        self.checked = 0

    def at(self, actor, label: str):
        routing = self

        class _Step(CaptureQueriesContext):
            def __exit__(self, *exc):
                super().__exit__(*exc)
                if exc[0] is None:
                    for q in self.captured_queries:
                        routing.checked += 1
                        why = unrouted(q["sql"], actor.school_id, routing.distributed)
                        if why and not any(p.search(q["sql"]) for p in KNOWN.values()):
                            routing.problems.append(f"{label} ({actor.username}): {why}\n    {q['sql'][:300]}")

        return _Step(connection)

    def assert_routed(self) -> None:
        assert self.checked > 0
        assert self.problems == [], "\n".join(self.problems)


def test_the_analyser_tells_routed_from_unrouted():
    tables = {"signing_signing", "ems_graduate"}
    assert unrouted('SELECT 1 FROM "signing_signing" WHERE "signing_signing"."id" = 5', 1, tables)
    assert unrouted('SELECT 1 FROM "signing_signing" WHERE ("signing_signing"."school_id" = 1 AND '
                    '"signing_signing"."id" = 5)', 1, tables) is None
    assert unrouted('SELECT 1 FROM "signing_signing" WHERE "signing_signing"."school_id" = 2', 1, tables)
    assert unrouted('SELECT 1 FROM "signing_signing" INNER JOIN "ems_graduate" ON (x) '
                    'WHERE "signing_signing"."school_id" = 1', 1, tables) is None
    assert unrouted('INSERT INTO "signing_signing" ("id", "status") VALUES (1, 2)', 1, tables)
    assert unrouted('INSERT INTO "signing_signing" ("id", "school_id") VALUES (1, 2)', 1, tables) is None
    assert unrouted('SELECT 1 FROM "organisations_school" WHERE "organisations_school"."id" = 1', 1, tables) is None


def _wrote_school(since: dict[str, int], school_id: int) -> None:
    """The kit's rows of those steps carry the item's school (not just the column: the value)."""
    for model in (AuditEvent, AuditHead, OutboxEvent, Message):
        rows = model.objects.filter(pk__gt=since[model.__name__])
        if model is Message:  # an employer's messages about the item are the item's school's too
            rows = rows.exclude(title__startswith="有人尝试")
        assert set(rows.values_list("school_id", flat=True)) <= {school_id}, model.__name__


def _marks() -> dict[str, int]:
    return {m.__name__: (m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
            for m in (AuditEvent, AuditHead, OutboxEvent, Message)}


def test_online_signing_moves_of_one_school_actors_are_routed(world, django_capture_on_commit_callbacks):
    r = Routing()
    w = world
    marks = _marks()
    with django_capture_on_commit_callbacks(execute=True):
        s = invite(w)  # the employer's step fans out (it names the graduate by ID number): not held to it
        with r.at(w.u_zhangsan, "agree"):
            services.signing_act(actor=w.u_zhangsan, pk=s.pk, action="agree")
        with r.at(w.wang, "department approve"):
            services.signing_act(actor=w.wang, pk=s.pk, action="approve")
        with r.at(w.qian, "school approve"):
            s = services.signing_act(actor=w.qian, pk=s.pk, action="approve")
    assert s.status == S.SIGNED
    _wrote_school(marks, w.school.pk)
    r.assert_routed()


def test_termination_of_one_school_actors_is_routed(world, django_capture_on_commit_callbacks):
    r = Routing()
    w = world
    s = signing_in(w, S.SIGNED, online=False)
    marks = _marks()
    with django_capture_on_commit_callbacks(execute=True):
        with r.at(w.u_zhangsan, "apply"):
            t = services.termination_apply(actor=w.u_zhangsan, signing_id=s.pk, reason="个人原因",
                                           file=material_pdf())
        with r.at(w.wang, "department approve"):
            services.termination_act(actor=w.wang, pk=t.pk, action="approve")
        with r.at(w.qian, "school approve"):
            t = services.termination_act(actor=w.qian, pk=t.pk, action="approve")
    assert t.status == "terminated"
    _wrote_school(marks, w.school.pk)
    r.assert_routed()


def test_training_mode_change_and_roster_edit_are_routed(world, django_capture_on_commit_callbacks):
    r = Routing()
    w = world
    marks = _marks()
    with django_capture_on_commit_callbacks(execute=True):
        with r.at(w.wang, "request"):
            change = ems_services.training_mode_change_request(
                actor=w.wang, graduate_id=w.zhangsan.pk, to_mode="22", directed_unit="广州市某局", reason="录取时为定向")
        with r.at(w.qian, "submit"):
            ems_services.training_mode_change_act(actor=w.qian, change_id=change.pk, action="submit")
        # the province decides for many schools: its step fans out, like an employer's
        ems_services.training_mode_change_act(actor=w.zhou, change_id=change.pk, action="approve")
        with r.at(w.qian, "roster edit"):
            ems_services.graduate_update(actor=w.qian, graduate_id=w.zhangsan.pk, changes={"phone": "13900000001"})
    assert TrainingModeChange.objects.get(pk=change.pk).status == TrainingModeChange.Status.APPROVED
    _wrote_school(marks, w.school.pk)
    r.assert_routed()


LIST_PAGES = {
    "department": ["/signing/review/", "/signing/terminations/", "/ems/training-mode/", "/roster/graduates/",
                   "/api/v1/signings", "/api/v1/roster/graduates", "/api/v1/training-mode-changes"],
}
LIST_PAGES["school"] = LIST_PAGES["department"]


@pytest.mark.parametrize("who", ["wang", "qian"])
def test_review_lists_and_their_api_pages_are_routed(world, who):
    w = world
    signing_in(w, S.AGREED)
    signing_in(w, S.DRAFT_WAIT_DEPT, graduate=w.lisi)
    actor = getattr(w, who)
    client = login(Client(), actor)
    r = Routing()
    for url in LIST_PAGES[actor.role]:
        with r.at(actor, url):
            response = client.get(url)
        assert response.status_code == 200, url
    r.assert_routed()
