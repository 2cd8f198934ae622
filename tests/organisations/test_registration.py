"""用人单位注册 and the operator's review: 钱处长's world, plus employers that register themselves."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gradreg.accounts.models import Role, User
from gradreg.common.errors import Conflict, Forbidden, NotFound
from gradreg.common.ids import make_credit_code
from gradreg.employers import services
from gradreg.notifications.channels import MemorySender
from gradreg.notifications.models import Message
from gradreg.organisations.models import Employer, ReviewStatus
from gradreg.organisations.selectors import PENDING_MESSAGE, employer_why_not, ensure_employer_may_invite
from gradreg.workflow.models import AuditEvent
from tests import factories as f

from .helpers import STRONG, pdf, png, registration, stored_licences

REGISTER = "/organisations/employers/register/"
ALL_FIELDS = {
    "name", "credit_code", "nature_code", "industry_code", "region_code", "address", "contact_name", "contact_phone",
    "licence", "username", "password",
}


def form_errors(response) -> dict[str, list[str]]:
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def register(client, **over):
    return client.post(REGISTER, registration(**over))


def registered(n: int = 301, **over) -> Employer:
    """An employer that registered itself through the service (pending review)."""
    data = registration(n, **over)
    return services.employer_register(**data).employer


def events(employer: Employer) -> list[str]:
    return list(AuditEvent.objects.filter(item_type="employer", item_id=employer.pk).values_list("action", flat=True))


# --- registration -------------------------------------------------------------------------------------

def test_login_page_links_to_registration(client, db):
    page = client.get("/login/").content.decode()
    assert REGISTER in page and "用人单位注册" in page


def test_registration_page_renders(client, db):
    r = client.get(REGISTER)
    assert r.status_code == 200
    html = r.content.decode()
    assert "统一社会信用代码" in html and "营业执照" in html and "其他企业" in html and "信息传输" in html
    assert 'enctype="multipart/form-data"' in html and "style=" not in html and "<script>" not in html


def test_happy_path_creates_a_pending_employer_whose_user_can_log_in(client, db):
    before = len(stored_licences())
    r = register(client)
    assert r.status_code == 302 and r["Location"] == "/organisations/employers/register/done/"
    done = client.get(r["Location"]).content.decode()
    assert "gzreg201" in done and "等待平台管理员审核" in done

    employer = Employer.objects.get(credit_code=make_credit_code(201))
    assert employer.review_status == ReviewStatus.PENDING and not employer.approved
    assert employer.registered_at is not None and not employer.credit_code_needs_review
    assert employer.licence.startswith("employer-licences/") and employer.licence.endswith(".png")
    assert employer.licence_content_type == "image/png"
    assert len(stored_licences()) == before + 1
    user = User.objects.get(username="gzreg201")
    assert user.role == Role.EMPLOYER and user.employer == employer and user.check_password(STRONG)
    assert events(employer) == ["register"]

    assert client.post("/login/", {"username": "gzreg201", "password": STRONG}).status_code == 302
    page = client.get("/organisations/employer/").content.decode()
    assert "待审核" in page and PENDING_MESSAGE in page

    assert employer_why_not(employer) == PENDING_MESSAGE
    with pytest.raises(Forbidden) as exc:
        ensure_employer_may_invite(employer)
    assert exc.value.message == PENDING_MESSAGE and exc.value.http_status == 403


def test_a_pdf_licence_is_accepted(client, db):
    assert register(client, licence=pdf()).status_code == 302
    assert Employer.objects.get(credit_code=make_credit_code(201)).licence_content_type == "application/pdf"


def test_every_field_error_is_reported_at_once_and_nothing_is_written(client, db):
    users, employers, files = User.objects.count(), Employer.objects.count(), len(stored_licences())
    r = client.post(REGISTER, {})
    assert r.status_code == 200
    errors = form_errors(r)
    assert ALL_FIELDS <= set(errors)
    assert all("\u4e00" <= e[0][0] <= "\u9fff" or e[0].startswith("6") for e in errors.values())  # Chinese
    assert "提交的信息有误" in r.content.decode()
    assert (User.objects.count(), Employer.objects.count(), len(stored_licences())) == (users, employers, files)


def test_each_bad_value_is_named_on_its_field(client, db):
    files = len(stored_licences())
    r = register(
        client, credit_code="91110000", nature_code="77", industry_code="xx", region_code="999999",
        contact_phone="12345", username="1abc", password="12345678", password_confirm="other",
    )
    errors = form_errors(r)
    assert "18位" in errors["credit_code"][0]
    assert "单位性质" in errors["nature_code"][0] and "所属行业" in errors["industry_code"][0]
    assert "行政区划" in errors["region_code"][0]
    assert "联系电话" in errors["contact_phone"][0]
    assert "字母开头" in errors["username"][0]
    assert any("密码" in m for m in errors["password"])
    assert errors["password_confirm"] == ["两次输入的密码不一致。"]
    assert set(errors) == {
        "credit_code", "nature_code", "industry_code", "region_code", "contact_phone", "username", "password",
        "password_confirm",
    }
    assert Employer.objects.count() == 0 and len(stored_licences()) == files  # valid licence, still not stored


def test_region_name_is_shown_for_a_recognised_code(client, db):
    r = register(client, name="")
    assert "已识别：440106 广东省天河区" in r.content.decode()


def test_fixed_line_phone_is_accepted(db):
    assert registered(contact_phone="020-87654321").contact_phone == "020-87654321"


def test_checksum_failure_is_accepted_and_flagged_for_the_operator(client, world):
    # confirmed by the user (a checksum failure is refused until confirmed: test_credit_code_confirmation.py)
    assert register(client, credit_code=make_credit_code(202, valid=False), credit_code_confirmed="on").status_code == 302
    employer = Employer.objects.get(credit_code=make_credit_code(202, valid=False))
    assert employer.credit_code_needs_review
    client.force_login(world.operator)
    assert "信用代码校验位不符，请人工核实" in client.get("/organisations/employers/review/").content.decode()
    assert "信用代码校验位不符" in client.get(f"/organisations/employers/{employer.pk}/").content.decode()


def test_duplicate_credit_code_is_refused_and_a_taken_username_is_not_told(client, world):
    """A taken username is no longer named on the form (a stranger could probe for accounts with it)."""
    r = register(client, credit_code=world.employer.credit_code.lower(), username="wang")
    errors = form_errors(r)
    assert "已存在" in errors["credit_code"][0] and "username" not in errors
    assert Employer.objects.count() == 1


def test_registration_answers_the_same_whether_the_username_is_free_or_taken(client, world):
    """Guards against username enumeration: the page after registering reads the same either way; the taken
    name's owner is told (message centre, and SMS to the unit's contact phone) and nothing is stored."""
    taken = world.u_employer.username
    world.employer.contact_phone = "13900139000"
    world.employer.save(update_fields=["contact_phone"])
    MemorySender.outbox.clear()
    pages = []
    for n, username in ((411, taken.upper()), (412, "freshname412")):
        r = register(client, n=n, username=username)
        assert r.status_code == 302 and r.url == "/organisations/employers/register/done/"
        pages.append(client.get(r.url).content.decode().replace(username, "<名>"))
    assert pages[0] == pages[1]
    assert not Employer.objects.filter(credit_code=make_credit_code(411)).exists()
    assert User.objects.filter(username__iexact=taken).count() == 1
    note = Message.objects.get(recipient=world.u_employer, title="有人尝试使用您的用户名注册")
    assert "未被受理" in note.body
    assert [m["to"] for m in MemorySender.outbox] == ["13900139000"]


@pytest.mark.parametrize("upload,message", [
    (SimpleUploadedFile("营业执照.png", b"this is not an image", content_type="image/png"), "文件类型不支持"),
    (SimpleUploadedFile("营业执照.docx", b"PK\x03\x04 word", content_type="application/msword"), "文件类型不支持"),
    (SimpleUploadedFile("营业执照.pdf", b"", content_type="application/pdf"), "文件为空"),
])
def test_bad_upload_is_refused_and_nothing_is_written(client, db, upload, message):
    files = len(stored_licences())
    r = register(client, licence=upload)
    assert message in form_errors(r)["licence"][0]
    assert Employer.objects.count() == 0 and User.objects.count() == 0 and len(stored_licences()) == files


def test_too_large_licence_is_refused(client, db, monkeypatch):
    monkeypatch.setattr(services, "LICENCE_MAX_BYTES", 10)
    r = register(client)
    assert "文件过大" in form_errors(r)["licence"][0]
    assert Employer.objects.count() == 0


# --- review --------------------------------------------------------------------------------------------

def test_operator_approves_with_audit_and_message(client, world, django_capture_on_commit_callbacks):
    employer = registered()
    client.force_login(world.operator)
    page = client.get(f"/organisations/employers/{employer.pk}/").content.decode()
    assert "通过" in page and "不通过" in page and f"/organisations/employers/{employer.pk}/licence/" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/organisations/employers/{employer.pk}/approve/")
    assert r.status_code == 302
    employer.refresh_from_db()
    assert employer.approved and employer.review_status == ReviewStatus.APPROVED
    assert employer.reviewed_by == world.operator and employer.reviewed_at is not None
    assert events(employer) == ["register", "approve"]
    event = AuditEvent.objects.get(item_type="employer", item_id=employer.pk, action="approve")
    assert (event.from_state, event.to_state, event.actor_id) == ("pending", "approved", world.operator.pk)
    msg = Message.objects.get(recipient__employer=employer)
    assert msg.title == "单位信息审核通过" and msg.url == "/organisations/employer/"
    ensure_employer_may_invite(employer)  # no longer raises
    again = client.post(f"/organisations/employers/{employer.pk}/approve/", follow=True)
    assert "不能审核通过" in again.content.decode()


def test_reject_needs_a_reason(client, world):
    employer = registered()
    client.force_login(world.operator)
    r = client.post(f"/organisations/employers/{employer.pk}/reject/", {"reason": "  "}, follow=True)
    assert "请填写不通过的原因" in r.content.decode()
    employer.refresh_from_db()
    assert employer.review_status == ReviewStatus.PENDING


def test_reject_then_resubmit_then_approve(client, world, django_capture_on_commit_callbacks):
    employer = registered()
    user = User.objects.get(employer=employer)
    client.force_login(world.operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/organisations/employers/{employer.pk}/reject/", {"reason": "营业执照模糊，无法辨认"})
    employer.refresh_from_db()
    assert employer.review_status == ReviewStatus.REJECTED and employer.review_note == "营业执照模糊，无法辨认"
    msg = Message.objects.get(recipient=user)
    assert "营业执照模糊" in msg.body
    with pytest.raises(Forbidden) as exc:
        ensure_employer_may_invite(employer)
    assert "未通过：营业执照模糊，无法辨认" in exc.value.message and "请修改后重新提交" in exc.value.message

    client.force_login(user)
    page = client.get("/organisations/employer/").content.decode()
    assert "未通过" in page and "营业执照模糊，无法辨认" in page and "重新提交审核" in page
    old_licence = employer.licence
    data = registration(301, address="广州市天河区天河路2号", licence=pdf())
    for key in ("username", "password", "password_confirm"):
        data.pop(key)
    r = client.post("/organisations/employer/", data)
    assert r.status_code == 302
    employer.refresh_from_db()
    assert employer.review_status == ReviewStatus.PENDING and employer.review_note == ""
    assert employer.address == "广州市天河区天河路2号" and employer.licence != old_licence
    assert employer.licence_content_type == "application/pdf"
    resubmit = AuditEvent.objects.get(item_type="employer", item_id=employer.pk, action="resubmit")
    assert resubmit.data["changed"] == ["address"] and resubmit.from_state == "rejected"
    # pending again: the form is gone and a post changes nothing
    page = client.get("/organisations/employer/").content.decode()
    assert PENDING_MESSAGE in page and "重新提交审核" not in page

    client.force_login(world.operator)
    client.post(f"/organisations/employers/{employer.pk}/approve/")
    employer.refresh_from_db()
    assert employer.approved
    assert events(employer) == ["register", "reject", "resubmit", "approve"]


def test_resubmit_reports_field_errors_and_keeps_the_licence(client, world):
    employer = registered()
    services.employer_reject(actor=world.operator, employer_id=employer.pk, reason="地址不详")
    client.force_login(User.objects.get(employer=employer))
    r = client.post("/organisations/employer/", {"name": "", "credit_code": world.employer.credit_code})
    errors = form_errors(r)
    assert {"name", "credit_code", "address", "contact_phone"} <= set(errors) and "licence" not in errors
    employer.refresh_from_db()
    assert employer.review_status == ReviewStatus.REJECTED


def test_resubmit_is_refused_while_pending(world):
    employer = registered()
    user = User.objects.get(employer=employer)
    data = registration(301)
    for key in ("username", "password", "password_confirm", "licence"):
        data.pop(key)
    with pytest.raises(Conflict) as exc:
        services.employer_resubmit(actor=user, employer_id=employer.pk, **data)
    assert "审核中" in exc.value.message
    with pytest.raises(NotFound):  # another employer's user may not touch it
        services.employer_resubmit(actor=world.u_employer, employer_id=employer.pk, **data)


def test_an_employer_entered_without_a_licence_is_told_what_is_missing(client, world):
    employer = services.employer_create(name="后台录入单位", credit_code=make_credit_code(401))
    user = f.user("houtai", "employer", employer=employer)
    assert "尚缺：单位性质、所属行业、单位所在地、地址、联系人、联系电话、营业执照" in employer_why_not(employer)
    client.force_login(user)
    page = client.get("/organisations/employer/").content.decode()
    assert "尚缺" in page and "重新提交审核" in page
    data = registration(401)
    for key in ("username", "password", "password_confirm"):
        data.pop(key)
    assert client.post("/organisations/employer/", data).status_code == 302
    employer.refresh_from_db()
    assert employer.licence and employer_why_not(employer) == PENDING_MESSAGE


def test_the_world_employer_may_invite(world):
    ensure_employer_may_invite(world.employer)
    assert employer_why_not(world.employer) == ""


# --- who may see what --------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["u_zhangsan", "wang", "qian", "zhou", "u_employer"])
def test_non_operators_are_refused_the_review(client, world, who):
    employer = registered()
    client.force_login(getattr(world, who))
    base = f"/organisations/employers/{employer.pk}"
    assert client.get("/organisations/employers/review/").status_code == 403
    assert client.get(f"{base}/").status_code == 403
    assert client.post(f"{base}/approve/").status_code == 403
    assert client.post(f"{base}/reject/", {"reason": "x"}).status_code == 403
    assert client.get(f"{base}/licence/").status_code == 404
    employer.refresh_from_db()
    assert employer.review_status == ReviewStatus.PENDING and events(employer) == ["register"]


def test_anonymous_is_sent_to_login(client, world):
    employer = registered()
    for url in ("/organisations/employers/review/", f"/organisations/employers/{employer.pk}/",
                f"/organisations/employers/{employer.pk}/licence/", "/organisations/employer/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_licence_is_served_to_the_operator_and_own_users_only(client, world):
    employer = registered()
    url = f"/organisations/employers/{employer.pk}/licence/"
    client.force_login(world.operator)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert b"".join(r.streaming_content).startswith(b"\x89PNG")
    client.force_login(User.objects.get(employer=employer))
    assert client.get(url).status_code == 200
    client.force_login(world.u_employer)
    assert client.get(url).status_code == 404
    # and the world employer (no licence) has none to show even to its own user
    assert client.get(f"/organisations/employers/{world.employer.pk}/licence/").status_code == 404


def test_only_employer_users_have_a_unit_page(client, world):
    client.force_login(world.qian)
    assert client.get("/organisations/employer/").status_code == 403
    client.force_login(world.u_employer)
    page = client.get("/organisations/employer/").content.decode()
    assert "某某科技有限公司" in page and "已通过" in page and "可以向毕业生发起签约邀请" in page


# --- the review list ----------------------------------------------------------------------------------

def test_review_list_pending_first_filters_and_pages(client, world):
    first = registered(501, name="甲单位", username="jiadanwei")
    second = registered(502, name="乙单位", username="yidanwei")
    services.employer_approve(actor=world.operator, employer_id=first.pk)
    for n in range(25):
        registered(600 + n, name=f"批量单位{n:02d}", username=f"piliang{n:02d}", licence=png())
    client.force_login(world.operator)
    r = client.get("/organisations/employers/review/")
    page = r.context["page"]
    assert page.count == 28 and len(page.items) == 20
    assert all(e.review_state == ReviewStatus.PENDING for e in page.items)
    html = r.content.decode()
    assert "第 1 / 2 页" in html and "page=2" in html

    r2 = client.get("/organisations/employers/review/", {"page": 2})
    states = [e.review_state for e in r2.context["page"].items]
    assert states[-2:] == [ReviewStatus.APPROVED, ReviewStatus.APPROVED]  # world employer and 甲单位 last

    approved = client.get("/organisations/employers/review/", {"status": "approved"}).context["page"]
    assert {e.name for e in approved.items} == {"甲单位", "某某科技有限公司"}
    named = client.get("/organisations/employers/review/", {"q": "乙"}).context["page"]
    assert [e.pk for e in named.items] == [second.pk]
    by_code = client.get("/organisations/employers/review/", {"q": make_credit_code(502)[:12]}).context["page"]
    assert [e.pk for e in by_code.items] == [second.pk]
    filtered = client.get("/organisations/employers/review/", {"status": "pending", "q": "批量"})
    assert "status=pending&amp;q=" in filtered.content.decode()


def test_review_list_query_count_is_flat(client, world, django_assert_max_num_queries):
    for n in range(15):
        registered(700 + n, username=f"flat{n:02d}", licence=png())
    client.force_login(world.operator)
    with django_assert_max_num_queries(10):
        assert client.get("/organisations/employers/review/").status_code == 200


# --- employer_create keeps its contract ----------------------------------------------------------------

def test_employer_create_checks_codes_only_when_given(db):
    e = services.employer_create(name="仅名称与代码", credit_code=make_credit_code(801))
    assert e.review_status == ReviewStatus.PENDING and not e.approved
    with pytest.raises(services.InvalidFields) as exc:
        services.employer_create(name="", credit_code="123", region_code="000000")
    assert set(exc.value.errors) == {"name", "credit_code", "region_code"}
