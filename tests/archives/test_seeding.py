"""The demo's 档案/户口 data (seed_demo) and the benchmark's (seed_scale --archives)."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from gradreg.accounts.models import User
from gradreg.archives.models import ApplicationStatus as S
from gradreg.archives.models import RecordState, TransferApplication, TransferRecord
from gradreg.archives.quick import quick_review_count
from gradreg.devtools import bench_archives
from gradreg.devtools.management.commands import bench
from gradreg.devtools.scale_archives import QUICK_USERS, quick_school
from gradreg.ems.models import Graduate
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU
from gradreg.ems.transfer_validation import clean_info, info_of
from gradreg.workflow import audit
from gradreg.workflow.models import AuditEvent, AuditHead, OutboxEvent

pytestmark = pytest.mark.django_db
DEMO_GRADUATE = "27440101000002"


def _demo():
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_has_archive_and_hukou_applications_in_each_state_once():
    _demo()
    for m in (ARCHIVE, HUKOU):
        states = set(TransferApplication.objects.filter(kind=m.kind).values_list("status", flat=True))
        assert states == set(S.values), m.kind
        assert TransferRecord.objects.filter(kind=m.kind, state=RecordState.REGISTERED).count() >= 2
    assert not TransferApplication.objects.filter(exam_no=DEMO_GRADUATE).exists()
    assert not TransferRecord.objects.filter(graduate__exam_no=DEMO_GRADUATE).exists()
    assert Graduate.objects.filter(hukou_moved_to_school=True, department__code="01", school__code="10001").exists()
    dept = User.objects.get(username="s10001_d01")
    assert quick_review_count(dept, ARCHIVE) == 2  # the two going back to their 生源地
    assert audit.verify_all()[1] == []
    counts = (TransferApplication.objects.count(), TransferRecord.objects.count())
    _demo()
    assert (TransferApplication.objects.count(), TransferRecord.objects.count()) == counts


def test_seed_scale_archives_once_with_valid_info():
    out = io.StringIO()
    call_command("seed_scale", graduates=600, archives=True, archive_quick=120, stdout=out, stderr=io.StringIO())
    records = TransferRecord.objects.filter(state=RecordState.REGISTERED)
    assert 0.3 < records.filter(kind=ARCHIVE.kind).count() / 600 < 0.5
    assert records.filter(kind=HUKOU.kind).exists()
    assert not records.filter(kind=HUKOU.kind, graduate__hukou_moved_to_school=False).exists()
    for item in [*records[:50], *TransferApplication.objects.all()[:50]]:
        assert clean_info(item.module, info_of(item)) == info_of(item)
    school = quick_school()
    waiting = TransferApplication.objects.filter(school=school, status=S.WAIT_DEPT, kind=ARCHIVE.kind)
    assert waiting.count() == 120
    dept = User.objects.get(username=QUICK_USERS[0])
    assert 0.6 * 120 < quick_review_count(dept, ARCHIVE) < 120
    counts = (TransferApplication.objects.count(), TransferRecord.objects.count(), Graduate.objects.count())
    call_command("seed_scale", graduates=600, archives=True, archive_quick=120, stdout=out, stderr=io.StringIO())
    assert (TransferApplication.objects.count(), TransferRecord.objects.count(), Graduate.objects.count()) == counts


@pytest.mark.postgres_only
def test_archive_benchmarks_run_and_leave_the_data_as_it_was():
    call_command("seed_scale", graduates=300, archives=True, archive_quick=150, stdout=io.StringIO(),
                 stderr=io.StringIO())
    cmd = bench.Command(stdout=io.StringIO(), stderr=io.StringIO())
    cmd.scale = Graduate.objects.count()

    def state():
        return (sorted(TransferApplication.objects.values_list("id", "status", "updated_at")),
                sorted(TransferRecord.objects.values_list("id", "state", "version")),
                AuditEvent.objects.count(), AuditHead.objects.count(), OutboxEvent.objects.count())

    before = state()
    bench_archives.run(cmd, repeat=1, batch_repeat=1)
    lines = [json.loads(line) for line in cmd.stdout._out.getvalue().splitlines()]
    assert {x["name"] for x in lines} == {
        "archive_list", "archive_list_deep", "archive_list_queries_20", "archive_list_queries_100", "archive_batch_review",
        "archive_batch_review_sql", "archive_quick_review", "archive_quick_review_school"}
    assert all(x["value"] > 0 and x["baseline"] > 0 for x in lines)
    assert state() == before
