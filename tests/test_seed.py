"""seed_demo (the data `make run` shows) and seed_scale (the benchmark data)."""
from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from stdnum.cn import ric

from gradreg.accounts.models import Role, User
from gradreg.codes.destinations import destination_types
from gradreg.codes.loader import region_codes_in_use
from gradreg.codes.models import CodeEntry
from gradreg.common.uploads import check_upload
from gradreg.destinations.flows import PAPER, REGISTRATION
from gradreg.destinations.models import PaperAgreement, PaperStatus, Registration, RegistrationStatus
from gradreg.destinations.selectors import waiting_counts
from gradreg.destinations.validation import clean_destination
from gradreg.devtools import gen
from gradreg.devtools.management.commands import seed_demo
from gradreg.ems.models import Graduate, ReportedDestination, TrainingMode
from gradreg.notifications.models import Message
from gradreg.organisations.models import Department, Employer, Major, Province, School
from gradreg.roster.gates import current_cohort
from gradreg.roster.live import live_destination
from gradreg.signing.models import Initiator, Signing, SigningStatus
from gradreg.verification.models import Confirmation, ConfirmationStatus, TransferCode
from gradreg.workflow.models import AuditEvent, OutboxEvent
from gradreg.workflow.outbox import deliver_now

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
    return (list(Signing.objects.order_by("pk").values()), list(Registration.objects.order_by("pk").values()),
            list(PaperAgreement.objects.order_by("pk").values()), AuditEvent.objects.count(),
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
        "roster_import", "archive_import", "roster_list", "roster_list_raw_sql", "roster_list_deep",
        "roster_list_queries_20", "roster_list_queries_100", "transfer_codes",
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


def test_demo_confirmations_and_archive_transfer_codes(seeded, client):
    """登记确认信息 and 户档转递与核验信息 open on what README says."""
    statuses = sorted(Confirmation.objects.filter(school__code="10001").values_list("status", flat=True))
    assert statuses == sorted([ConfirmationStatus.CORRECT] * 2 + [ConfirmationStatus.WRONG])
    codes = TransferCode.objects.filter(school__code="10001", kind="archive")
    assert codes.exists() and not codes.filter(stale_at__isnull=False).exists()
    _log_in(client, "s10001_d01", "Demo-2026-Dept")
    page = client.get(reverse("handover:transfers", args=["archive"])).content.decode()
    assert "有效" in page and codes.first().graduate.name in page
    assert "确认有误" in client.get(reverse("confirmation:list")).content.decode()


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


# --- 去向登记 and 补登 of the demo ---------------------------------------------------------------------

R, P = RegistrationStatus, PaperStatus


def test_demo_destinations_are_in_each_state_through_the_services(seeded):
    regs = Registration.objects.select_related("graduate")
    by_status = {}
    for r in regs:
        by_status.setdefault(r.status, []).append(r)
    assert {k: len(v) for k, v in by_status.items()} == {
        R.WAIT_DEPT: 3, R.WAIT_SCHOOL: 2, R.RETURNED: 2, R.APPROVED: 3, R.VOIDED: 1}
    assert [r.type_label for r in by_status[R.APPROVED] if r.unemployed] == ["未就业（求职中）"]
    assert {r.type_label for r in by_status[R.WAIT_DEPT]} >= {"境内升学（考研）", "签劳动合同就业"}
    assert sorted(PaperAgreement.objects.values_list("status", flat=True)) == sorted([P.WAIT_DEPT, P.APPROVED])
    returned = by_status[R.RETURNED]
    assert all(r.returned and r.last_reason for r in returned)
    for item in [*regs, *PaperAgreement.objects.select_related("graduate")]:
        g = item.graduate
        assert (item.school_id, item.department_id, item.exam_no) == (g.school_id, g.department_id, g.exam_no)
        assert g.school.code == "10001" and g.department.code == "01" and g.graduation_year == current_cohort()
        assert not Signing.objects.filter(graduate=g).exists()  # one live destination
        dtype = destination_types("paper" if isinstance(item, PaperAgreement) else "registration")[item.type_key]
        assert bool(item.proof_file) == bool(dtype.proof) and (not item.proof_file or item.proof_sha256)
        assert item.graduate_snapshot["name"] == g.name
        workflow = PAPER if isinstance(item, PaperAgreement) else REGISTRATION
        # made through the table: submitted (and moved) by the engine, every move audited
        actions = list(AuditEvent.objects.filter(item_type=workflow.item_type, item_id=item.pk)
                       .order_by("seq").values_list("action", flat=True))
        assert actions[0] == "submit"
        assert len(actions) == {"wait_dept": 1, "wait_school": 2, "approved": 3, "voided": 4}.get(
            item.status, len(actions))
    directed = [r for r in by_status[R.WAIT_DEPT] if r.destination_type == "定向/委培毕业去向补充登记"]
    assert len(directed) == 1 and directed[0].graduate.training_mode in TrainingMode.SUPPLEMENT_ONLY
    assert directed[0].unit_name == directed[0].graduate.directed_unit

    # EMS: every approval reported, the void cleared only its own destination
    keys = set(OutboxEvent.objects.filter(topic__startswith="ems.destination").values_list("topic", "idempotency_key"))
    voided = by_status[R.VOIDED][0]
    assert ("ems.destination_voided", f"registration:{voided.pk}:voided") in keys
    assert {f"registration:{r.pk}:approved" for r in [*by_status[R.APPROVED], voided]} <= {k for _, k in keys}
    deliver_now()
    held = dict(ReportedDestination.objects.filter(source_type__in=["registration", "paper_agreement"])
                .values_list("graduate_id", "source_type"))
    approved_paper = PaperAgreement.objects.get(status=P.APPROVED)
    assert held == {**{r.graduate_id: "registration" for r in by_status[R.APPROVED]},
                    approved_paper.graduate_id: "paper_agreement"}


def test_demo_reviewers_have_destinations_waiting_and_the_demo_graduate_is_free(seeded):
    dept = waiting_counts(User.objects.get(username="s10001_d01"))
    school = waiting_counts(User.objects.get(username="s10001_school"))
    assert dict((state, n) for state, _, n in dept["registration"])[R.WAIT_DEPT] == 3
    assert dict((state, n) for state, _, n in dept["paper"])[P.WAIT_DEPT] == 1
    assert dict((state, n) for state, _, n in school["registration"])[R.WAIT_SCHOOL] == 2
    assert waiting_counts(User.objects.get(username="s10002_d01"))["registration_total"] == 0
    g = Graduate.objects.get(exam_no="27440101000002", graduation_year=current_cohort())
    assert not Registration.objects.filter(graduate=g).exists() and not PaperAgreement.objects.filter(graduate=g).exists()
    assert live_destination(g) is None  # its invitation is only an invitation: free to register


@pytest.mark.parametrize("module,key", [(m, k) for m in ("registration", "paper") for k in destination_types(m)])
def test_generated_values_of_every_destination_type_pass_its_validator(db, module, key):
    dtype = destination_types(module)[key]
    regions = gen.birth_region_codes(prefix="44", born_from=current_cohort() - 28)
    graduate = Graduate(directed_unit="广州市教育局", graduation_year=current_cohort())
    for k in range(4):  # optional fields on and off, each member of an either-or group
        values = gen.destination_values(dtype, k, graduation_year=current_cohort(), regions=regions)
        clean = clean_destination(dtype, values, graduate=graduate)
        assert clean["type_key"] == key
        assert {f.name for f in dtype.fields if f.required} <= set(clean["details"])


def test_proof_png_is_an_upload_the_platform_accepts():
    checked = check_upload(SimpleUploadedFile("录取通知书.png", gen.proof_png("offer"), content_type="image/png"),
                           field="proof")
    assert checked.content_type == "image/png" and checked.size > 500
