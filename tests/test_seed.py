"""seed_demo (the data `make run` shows) and seed_scale (the benchmark data)."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from stdnum.cn import ric

from gradreg.accounts.models import Role, User
from gradreg.codes.loader import region_codes_in_use
from gradreg.codes.models import CodeEntry
from gradreg.devtools.management.commands import seed_demo
from gradreg.ems.models import Graduate, TrainingMode
from gradreg.notifications.models import Message
from gradreg.organisations.models import Department, Employer, Major, Province, School
from gradreg.roster.gates import current_cohort
from gradreg.signing.models import Initiator, Signing, SigningStatus
from gradreg.workflow.models import AuditEvent, OutboxEvent

MODELS = (Province, School, Department, Major, Graduate, Employer, User)
ROLES = {"graduate", "employer", "department", "school", "province", "operator"}


def _seed_demo(tmp_path, name="accounts.json"):
    path = tmp_path / name
    out = io.StringIO()
    call_command("seed_demo", accounts_json=str(path), stdout=out)
    return json.loads(path.read_text(encoding="utf-8")), out.getvalue()


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def _snapshot():
    """Everything seed_demo writes, field by field (a second run must leave it exactly as it was)."""
    graduates = list(Graduate.objects.order_by("graduation_year", "exam_no").values())
    for g in graduates:
        g.pop("updated_at")
    users = list(User.objects.order_by("username").values("username", "password", "role", "must_change_password"))
    return graduates, users, list(Employer.objects.order_by("credit_code").values())


def _signings_snapshot():
    return (list(Signing.objects.order_by("pk").values()), AuditEvent.objects.count(),
            OutboxEvent.objects.count(), Message.objects.count())


@pytest.fixture
def seeded(db, tmp_path):
    accounts, output = _seed_demo(tmp_path)
    return accounts, output


def test_seed_demo_twice_changes_nothing(seeded, tmp_path):
    first_counts, first, first_signings = _counts(), _snapshot(), _signings_snapshot()
    assert Signing.objects.count() == 7
    accounts_again, output = _seed_demo(tmp_path, "again.json")
    assert _counts() == first_counts
    assert _snapshot() == first
    assert _signings_snapshot() == first_signings  # no signing added, moved or audited again
    assert accounts_again == seeded[0]
    assert "本次新增毕业生 0 名" in output


def test_seed_demo_builds_the_described_world(seeded):
    assert Province.objects.get(code="44").name == "广东省"
    assert dict(School.objects.values_list("code", "review_label")) == {"10001": "审核", "10002": "鉴证"}
    for school in School.objects.all():
        assert school.departments.count() == 3
        for dept in school.departments.all():
            assert dept.majors.count() == 2
    cohort = current_cohort()
    assert Graduate.objects.filter(graduation_year=cohort).count() == 300
    assert Graduate.objects.filter(graduation_year=cohort - 1).count() == 30
    assert Graduate.objects.filter(graduation_year__lt=cohort - 1).count() == 30
    # every department has graduates of every kind of year
    for dept in Department.objects.all():
        assert dept.graduates.filter(graduation_year=cohort).count() == 50

    regions = region_codes_in_use()
    codes = {t: set(CodeEntry.objects.filter(table=t).values_list("code", flat=True)) for t in ("xb", "mz", "zzmm", "xl", "pyfs")}
    for g in Graduate.objects.all():
        assert ric.is_valid(g.id_number), g.id_number
        assert (int(g.id_number[16]) % 2 == 1) == (g.gender == "1")
        assert g.origin_region in regions
        assert g.gender in codes["xb"] and g.ethnicity in codes["mz"] and g.political_status in codes["zzmm"]
        assert g.education_level in codes["xl"] and g.training_mode in codes["pyfs"]
        assert bool(g.directed_unit) == (g.training_mode in TrainingMode.NEEDS_UNIT)
        assert g.major.department_id == g.department_id and g.department.school_id == g.school_id
        assert g.name and g.phone and g.email
    invalid = Graduate.objects.filter(is_valid=False)
    assert invalid.exists()
    assert all(g.invalidated_at and g.invalid_reason for g in invalid)
    assert set(Graduate.objects.values_list("training_mode", flat=True)) >= {"1", "21", "22", "41", "42"}

    assert Employer.objects.count() == 5
    assert Employer.objects.filter(review_status="approved").count() == 5
    assert Employer.objects.filter(credit_code_needs_review=True).count() == 1


def test_accounts_json_lists_one_account_per_role_and_scope(seeded):
    accounts, output = seeded
    assert isinstance(accounts, list)
    for a in accounts:
        assert set(a) == {"role", "username", "password", "school", "department"}
        assert a["role"] in ROLES
        assert all(isinstance(a[k], str) and a[k] for k in ("role", "username", "password"))
        assert a["school"] is None or isinstance(a["school"], str)
        assert a["department"] is None or isinstance(a["department"], str)
        assert a["username"] in output and a["password"] in output  # the printed table
    by_role = {}
    for a in accounts:
        by_role.setdefault(a["role"], []).append(a)
    assert set(by_role) == ROLES
    assert [a["username"] for a in by_role["operator"]] == ["admin"]
    assert [a["username"] for a in by_role["province"]] == ["gd_province"]
    assert sorted(a["username"] for a in by_role["school"]) == ["s10001_school", "s10002_school"]
    assert len(by_role["department"]) == Department.objects.count() == 6
    assert "s10001_d01" in {a["username"] for a in by_role["department"]}
    assert all(a["school"] and a["department"] for a in by_role["department"])
    assert len(by_role["employer"]) == 1
    graduates = by_role["graduate"]
    assert len(graduates) == 2
    for a in graduates:  # graduates log in with their 考生号
        g = Graduate.objects.get(exam_no=a["username"], graduation_year=current_cohort())
        assert g.is_valid and User.objects.get(username=a["username"]).graduate_id == g.pk
        assert a["school"] == g.school.name and a["department"] == g.department.name

    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser and admin.role == Role.OPERATOR
    assert not User.objects.filter(must_change_password=True).exists()


def test_every_demo_account_logs_in_with_its_printed_password(seeded, client):
    for a in seeded[0]:
        r = client.post("/login/", {"username": a["username"], "password": a["password"]})
        assert r.status_code == 302, (a["username"], r.content.decode()[:500])
        assert "/password/" not in r["Location"]
        assert client.get(r["Location"]).status_code == 200
        assert int(client.session["_auth_user_id"]) == User.objects.get(username=a["username"]).pk
        client.post("/logout/")


def test_seed_demo_refuses_to_run_in_production(db, settings, tmp_path):
    settings.GRADREG_ENV = "production"
    with pytest.raises(CommandError, match="生产环境"):
        call_command("seed_demo", accounts_json=str(tmp_path / "a.json"), stdout=io.StringIO())
    assert not School.objects.exists() and not User.objects.exists()
    assert not (tmp_path / "a.json").exists()


def test_seed_scale_creates_n_valid_graduates_once(db):
    call_command("seed_scale", graduates=500, stdout=io.StringIO(), stderr=io.StringIO())
    assert Graduate.objects.count() == 500
    regions = region_codes_in_use()
    rows = list(Graduate.objects.values_list("id_number", "origin_region", "graduation_year", "exam_no"))
    assert all(ric.is_valid(idn) for idn, *_ in rows)
    assert all(region in regions for _, region, *_ in rows)
    assert len({(y, e) for *_, y, e in rows}) == 500

    call_command("seed_scale", graduates=500, stdout=io.StringIO(), stderr=io.StringIO())
    assert Graduate.objects.count() == 500
    call_command("seed_scale", graduates=600, stdout=io.StringIO(), stderr=io.StringIO())
    assert Graduate.objects.count() == 600
    assert all(ric.is_valid(idn) for idn in Graduate.objects.values_list("id_number", flat=True))

    dept_user = User.objects.get(username="bench_dept")
    assert dept_user.role == Role.DEPARTMENT and dept_user.department.graduates.exists()
    assert User.objects.get(username="bench_school").role == Role.SCHOOL
    assert dept_user.check_password("Bench-2026-Pass")


def test_bench_prints_one_json_object_per_line(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the generated .xlsx files are kept there
    call_command("seed_scale", graduates=500, stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("bench", repeat=1, warmup=1, import_rows=60, import_repeat=1, stdout=out, stderr=io.StringIO())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {x["name"] for x in lines} == {
        "roster_import", "roster_list", "roster_list_raw_sql", "roster_list_deep",
        "roster_list_queries_20", "roster_list_queries_100",
    }
    for x in lines:
        assert set(x) == {"name", "value", "unit", "baseline", "ratio", "scale"}
        assert x["scale"] == 500  # the imported rows are gone again
        assert x["value"] > 0 and x["baseline"] > 0
        assert x["ratio"] == pytest.approx(x["value"] / x["baseline"], rel=0.01)
    assert Graduate.objects.count() == 500


# What README promises the demo reviewers: their 在线签约管理 opens (on its default state) on work waiting for them.
DEMO_REVIEWERS = {
    "s10001_d01": ("Demo-2026-Dept", SigningStatus.DRAFT_WAIT_DEPT),
    "s10001_school": ("Demo-2026-School", SigningStatus.DRAFT_WAIT_SCHOOL),
}


def _log_in(client, username, password):
    r = client.post("/login/", {"username": username, "password": password})
    assert r.status_code == 302, r.content.decode()[:500]


def test_demo_reviewers_open_their_signing_list_on_work_waiting_for_them(seeded, client):
    for username, (password, status) in DEMO_REVIEWERS.items():
        _log_in(client, username, password)
        r = client.get("/signing/review/")
        assert r.status_code == 200
        assert r.context["form"]["status"].value() == status  # the list's own default, no filter given
        rows = r.context["page"].items
        assert len(rows) >= 1, username
        assert {row["status"] for row in rows} == {status}
        assert {row["initiator"] for row in rows} == {Initiator.GRADUATE}
        html = r.content.decode()
        for row in rows:
            assert row["exam_no"] in html and row["graduate_name"] in html
        assert SigningStatus(status).label in html
        assert "没有符合条件的记录" not in html
        client.post("/logout/")


def test_demo_graduate_and_employer_see_what_readme_says(seeded, client):
    _log_in(client, "27440101000002", "Demo-2026-Student")
    invitation = Signing.objects.get(exam_no="27440101000002", graduation_year=current_cohort())
    assert invitation.status == SigningStatus.INVITED and invitation.employer_name == "广州云启科技有限公司"
    html = client.get("/signing/my/").content.decode()
    assert "签约邀请（1）" in html and "广州云启科技有限公司" in html and "查看协议并处理" in html
    client.post("/logout/")

    _log_in(client, "demo_employer", "Demo-2026-Company")
    r = client.get("/signing/employer/")
    assert r.status_code == 200
    rows = r.context["page"].items
    # its own five invitations in their states; graduates' offline applications name no registered employer
    assert sorted(row["status"] for row in rows) == sorted([
        SigningStatus.INVITED, SigningStatus.AGREED, SigningStatus.ONLINE_WAIT_SCHOOL, SigningStatus.SIGNED,
        SigningStatus.DECLINED])
    assert {row["initiator"] for row in rows} == {Initiator.EMPLOYER}
    offline = Signing.objects.filter(initiator=Initiator.GRADUATE)
    assert offline.count() == 2 and not offline.exclude(employer=None).exists()
    assert not Employer.objects.filter(credit_code__in=offline.values("credit_code")).exists()  # not on the platform


def test_seed_demo_adds_the_offline_applications_to_an_older_demo_database(db, tmp_path, monkeypatch):
    monkeypatch.setattr(seed_demo, "OFFLINE_PLANS", [])  # the demo data as it was before they were part of it
    _seed_demo(tmp_path)
    online = list(Signing.objects.order_by("pk").values())
    assert len(online) == 5
    monkeypatch.undo()
    _seed_demo(tmp_path, "again.json")
    assert list(Signing.objects.filter(initiator=Initiator.EMPLOYER).order_by("pk").values()) == online
    assert sorted(Signing.objects.filter(initiator=Initiator.GRADUATE).values_list("status", flat=True)) == sorted(
        [SigningStatus.DRAFT_WAIT_DEPT, SigningStatus.DRAFT_WAIT_SCHOOL])
