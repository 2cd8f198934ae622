"""The signing and destination benchmarks of `manage.py bench` on a tiny seed_scale --destinations dataset
(signings, terminations, 去向登记 and 补登): each one runs and prints valid JSON lines, and leaves the data as
it found it. (The roster benchmarks: tests/test_seed.py.)"""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings

from gradreg.accounts.models import User
from gradreg.codes.destinations import destination_types
from gradreg.destinations.models import PaperAgreement, Registration, RegistrationStatus
from gradreg.destinations.validation import RECEIVING, clean_destination
from gradreg.devtools.management.commands import bench
from gradreg.ems.models import Graduate, TrainingMode
from gradreg.organisations.models import Employer
from gradreg.roster.gates import ensure_may_file_destination
from gradreg.roster.snapshot import take_snapshot
from gradreg.signing.models import AgreementCounter, Signing, SigningStatus, Termination, TerminationStatus
from gradreg.workflow.models import AuditEvent, OutboxEvent

GRADUATES = 600
KEYS = {"name", "value", "unit", "baseline", "ratio", "scale"}


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker):
    """One seed for the module, in a transaction rolled back after its last test (each test adds a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_scale", graduates=GRADUATES, destinations=True, stdout=io.StringIO(), stderr=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def dataset(_seeded, db):
    return User.objects.get(username="bench_dept")


def _command() -> bench.Command:
    cmd = bench.Command(stdout=io.StringIO(), stderr=io.StringIO())
    cmd.scale = Graduate.objects.count()
    return cmd


def _lines(cmd: bench.Command) -> dict[str, dict]:
    lines = [json.loads(line) for line in cmd.stdout._out.getvalue().splitlines()]
    for x in lines:
        assert set(x) == KEYS
        assert x["scale"] == GRADUATES
        assert x["value"] > 0 and x["baseline"] > 0
        assert x["ratio"] == pytest.approx(x["value"] / x["baseline"], rel=0.01)
    return {x["name"]: x for x in lines}


def _state() -> list:
    return [Signing.objects.count(), sorted(Signing.objects.values_list("id", "status", "updated_at")),
            sorted(Registration.objects.values_list("id", "status", "updated_at", "approved_at")),
            AuditEvent.objects.count(), OutboxEvent.objects.count()]


def test_seed_scale_signings_once_with_snapshots_the_review_accepts(dataset):
    n = Signing.objects.count()
    assert 0.5 * GRADUATES < n < 0.7 * GRADUATES
    assert Signing.objects.filter(status=SigningStatus.SIGNED).count() > n // 2
    assert {"employer", "graduate"} == set(Signing.objects.values_list("initiator", flat=True))
    for s in Signing.objects.filter(status=SigningStatus.AGREED).select_related("graduate__school"):
        assert s.graduate_snapshot == take_snapshot(s.graduate)
        assert (s.school_id, s.department_id, s.exam_no) == (s.graduate.school_id, s.graduate.department_id,
                                                             s.graduate.exam_no)
    numbers = list(Signing.objects.exclude(agreement_no="").values_list("school_id", "agreement_no"))
    assert numbers and len(set(numbers)) == len(numbers)
    assert AgreementCounter.objects.exists()
    employers = Employer.objects.count()

    call_command("seed_scale", graduates=GRADUATES, signings=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert Signing.objects.count() == n and Employer.objects.count() == employers


def test_seed_scale_terminates_one_signed_agreement_in_ten_once(dataset):
    signed = Signing.objects.filter(status=SigningStatus.SIGNED)
    terminations = Termination.objects.select_related("signing")
    assert terminations.count() == signed.filter(id__in=[s for s in signed.values_list("id", flat=True) if s % 10 == 0]).count()
    assert terminations.count() > 0
    for t in terminations:
        s = t.signing
        assert s.status == SigningStatus.SIGNED and not t.online
        assert (t.school_id, t.department_id, t.graduate_id, t.exam_no) == (s.school_id, s.department_id,
                                                                            s.graduate_id, s.exam_no)
    states = set(terminations.values_list("status", flat=True))
    assert TerminationStatus.OFFLINE_WAIT_DEPT in states and states <= {
        TerminationStatus.OFFLINE_WAIT_DEPT, TerminationStatus.WAIT_SCHOOL, TerminationStatus.RETURNED,
        TerminationStatus.FAILED, TerminationStatus.CANCELLED, TerminationStatus.OTHER_DECLINED}
    n = terminations.count()
    call_command("seed_scale", graduates=GRADUATES, signings=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert Termination.objects.count() == n


def test_signing_list_benchmarks(dataset):
    cmd = _command()
    with override_settings(ROOT_URLCONF="gradreg.devtools.bench_urls"):
        cmd.bench_signing_list(dataset, repeat=1, warmup=0)
    lines = _lines(cmd)
    assert set(lines) == {"signing_list", "signing_list_deep", "signing_list_queries_20", "signing_list_queries_100"}
    assert lines["signing_list_queries_20"]["value"] == lines["signing_list_queries_100"]["value"]


def test_signing_approve_benchmark_rolls_back(dataset):
    before = _state()
    cmd = _command()
    cmd.bench_signing_approve(dataset, repeat=2, warmup=1)
    assert set(_lines(cmd)) == {"signing_approve"}
    assert _state() == before


def test_signing_export_benchmarks(dataset):
    cmd = _command()
    cmd.bench_signing_export(200, 50, 1)
    assert set(_lines(cmd)) == {"signing_export", "signing_export_memory"}


def test_seed_scale_destinations_go_to_graduates_without_a_signing_once(dataset):
    registrations = list(Registration.objects.select_related("graduate__school", "graduate__major",
                                                             "graduate__department"))
    papers = list(PaperAgreement.objects.select_related("graduate"))
    assert 0.12 * GRADUATES < len(registrations) < 0.28 * GRADUATES
    assert 0 < len(papers) < 0.05 * GRADUATES
    holders = [item.graduate_id for item in [*registrations, *papers]]
    assert len(set(holders)) == len(holders)  # one item per graduate
    assert not Signing.objects.filter(graduate_id__in=holders).exists()
    assert set(Registration.objects.values_list("status", flat=True)) == set(RegistrationStatus.values)
    types = {r.destination_type for r in registrations}
    assert {"境内升学", "签劳动合同就业", "未就业"} <= types and len(types) >= 8
    registration_types = destination_types("registration")
    for item in [*registrations, *papers]:
        g = item.graduate
        dtype = (destination_types("paper") if isinstance(item, PaperAgreement) else registration_types)[item.type_key]
        assert (item.school_id, item.department_id, item.exam_no, item.graduation_year) == (
            g.school_id, g.department_id, g.exam_no, g.graduation_year)
        assert (item.destination_type, item.subtype, item.unemployed) == (dtype.type, dtype.subtype, dtype.unemployed)
        assert bool(item.proof_file) == bool(dtype.proof)
        # the 21/41 rule, and the module's own validator takes the stored values back
        assert ensure_may_file_destination(g, item.destination_type) is None
        assert clean_destination(dtype, {**item.details, **{f: getattr(item, f) for f, _, _ in RECEIVING}},
                                 graduate=g)["details"] == item.details
        if isinstance(item, Registration):
            assert item.graduate_snapshot == take_snapshot(g)
        assert (item.approved_at is not None) == (item.status == "approved") or item.status == "voided"
    directed = [r for r in registrations if r.graduate.training_mode in TrainingMode.SUPPLEMENT_ONLY]
    assert directed and all(r.destination_type == "定向/委培毕业去向补充登记" for r in directed)
    counts = Registration.objects.count(), PaperAgreement.objects.count()
    call_command("seed_scale", graduates=GRADUATES, destinations=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert (Registration.objects.count(), PaperAgreement.objects.count()) == counts


def test_destination_list_benchmarks(dataset):
    cmd = _command()
    school = User.objects.get(username="bench_school")
    with override_settings(ROOT_URLCONF="gradreg.devtools.bench_urls"):
        cmd.bench_destination_list(dataset, school, repeat=1, warmup=0)
    lines = _lines(cmd)
    assert set(lines) == {"destination_list", "destination_list_deep", "destination_list_queries_20",
                          "destination_list_queries_100"}
    assert lines["destination_list_queries_20"]["value"] == lines["destination_list_queries_100"]["value"]
    assert "school's" in lines["destination_list_deep"]["unit"]  # a department of 600 graduates has no page 50


def test_destination_approve_benchmark_rolls_back(dataset):
    before = _state()
    cmd = _command()
    cmd.bench_destination_approve(User.objects.get(username="bench_school"), dataset, repeat=2, warmup=1)
    assert set(_lines(cmd)) == {"destination_approve", "destination_approve_dept"}
    assert _state() == before


@pytest.mark.postgres_only  # extended statistics are PostgreSQL's
def test_destination_lists_have_school_department_statistics(db):
    with connection.cursor() as c:
        c.execute("SELECT stxname FROM pg_statistic_ext WHERE stxname LIKE %s", ["destinations_%_school_department"])
        assert {name for (name,) in c.fetchall()} == {"destinations_registration_school_department",
                                                      "destinations_paperagreement_school_department"}


def test_bench_skips_the_signing_benchmarks_without_signings(dataset):
    Termination.objects.all().delete()
    Signing.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()
    call_command("bench", repeat=1, warmup=0, skip_import=True, stdout=out, stderr=err)
    assert not any(json.loads(line)["name"].startswith("signing") for line in out.getvalue().splitlines())
    assert "seed_scale --signings" in err.getvalue()
