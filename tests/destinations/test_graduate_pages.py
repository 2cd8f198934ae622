"""The graduate's pages of 去向登记 and 补登 (seed 3.5, SPEC 4.3/4.6), through the test client.

我的毕业去向, 登记毕业去向 (choose a type, then its form), 补登纸质协议, 修改后重新提交 and the 预警单位 notice
while a credit code is typed: who may open them, what a submission creates, how problems are reported, the
21/41 rule, and what the graduate sees of a reviewer's 修改去向.
"""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gradreg.codes.destinations import destination_types
from gradreg.common.ids import make_credit_code
from gradreg.common.uploads import MSG_REQUIRED, MSG_TYPE
from gradreg.destinations import services
from gradreg.destinations.models import (
    PaperAgreement,
    PaperStatus,
    Registration,
    RegistrationStatus,
)
from gradreg.organisations.models import EmployerWarning
from gradreg.workflow.models import AuditEvent
from tests.conftest import login
from tests.signing.conftest import PNG, material_pdf

pytestmark = pytest.mark.django_db
R = RegistrationStatus
POSTGRADUATE = "study_domestic.postgraduate"
ADMISSION = {"institution": "中山大学", "major": "计算机科学与技术", "study_level": "硕士研究生"}
EMPLOYMENT = {"unit_name": "广州某某软件有限公司", "credit_code": make_credit_code(77), "unit_nature": "39",
              "unit_industry": "34", "unit_region": "440106", "job_category": "13", "start_date": "2027-07-01"}
PAPER = {**EMPLOYMENT, "position": "软件工程师", "work_region": "440106", "paper_no": "NO20270001",
         "signed_date": "2026-11-20"}
WARNED = 'class="warn-label"'


def proof(name: str = "录取通知书.pdf") -> SimpleUploadedFile:
    return material_pdf(name)


def graduate_client(world) -> Client:
    return login(Client(), world.u_zhangsan)


def submitted(world, type_key: str = POSTGRADUATE, data=None) -> Registration:
    return services.submit(Registration, actor=world.u_zhangsan, type_key=type_key, data=data or ADMISSION,
                           file=proof())


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# ---- who may open them -------------------------------------------------------------------------------------

def test_each_page_renders_for_the_graduate_and_refuses_everyone_else(world):
    item = submitted(world)
    services.act(Registration, actor=world.u_zhangsan, pk=item.pk, action="withdraw")
    paper = services.submit(PaperAgreement, actor=world.u_lisi, data=PAPER, file=proof("协议书.pdf"))
    services.act(PaperAgreement, actor=world.u_lisi, pk=paper.pk, action="withdraw")
    mine = ["/destinations/my/", "/destinations/new/", f"/destinations/new/?type={POSTGRADUATE}",
            "/destinations/paper/new/", "/destinations/credit-warning/?credit_code=x", f"/destinations/{item.pk}/edit/"]
    c = graduate_client(world)
    for url in mine:
        assert c.get(url).status_code == 200, url
    assert login(Client(), world.u_lisi).get(f"/destinations/paper/{paper.pk}/edit/").status_code == 200
    # another graduate's item answers as missing; staff and employers are refused every page
    assert c.get(f"/destinations/paper/{paper.pk}/edit/").status_code == 404
    assert login(Client(), world.u_lisi).get(f"/destinations/{item.pk}/edit/").status_code == 404
    for user in (world.wang, world.qian, world.zhou, world.u_employer):
        other = login(Client(), user)
        for url in [*mine, f"/destinations/paper/{paper.pk}/edit/"]:
            assert other.get(url).status_code in (403, 404), (user.username, url)
    assert Client().get("/destinations/my/").status_code == 302  # to the login page


def test_the_graduate_menu_and_home_panel(world):
    c = graduate_client(world)
    page = html(c.get("/destinations/my/"))
    for label, url in (("我的毕业去向", "/destinations/my/"), ("登记毕业去向", "/destinations/new/"),
                       ("补登纸质协议", "/destinations/paper/new/")):
        assert f'href="{url}"' in page and label in page
    assert 'class="active">我的毕业去向<' in page
    home = html(c.get("/roster/"))
    assert "您尚未登记其他毕业去向" in home and 'href="/destinations/new/"' in home
    item = submitted(world)
    home = html(c.get("/roster/"))
    assert "境内升学（考研）" in home and "去向登记审核中,等待学院审核" in home and item.get_absolute_url() in home
    # staff see the module menu without the graduate's entries
    staff = html(login(Client(), world.wang).get("/roster/"))
    assert "我的毕业去向" not in staff and "补登纸质协议" not in staff


# ---- register: choose a type, fill it in, submit ------------------------------------------------------------

def test_choose_a_type_then_fill_it_in_then_submit(world):
    c = graduate_client(world)
    step1 = html(c.get("/destinations/new/"))
    assert 'name="type"' in step1 and '<optgroup label="境内升学">' in step1 and POSTGRADUATE in step1
    assert "定向/委培毕业去向补充登记" not in step1  # 张三 is not directed
    # each option names its type in full: a closed select shows it alone (特岗教师 is national and local)
    assert ">国家基层项目（特岗教师）<" in step1 and ">地方基层项目（特岗教师）<" in step1
    step2 = html(c.get("/destinations/new/", {"type": POSTGRADUATE}))
    assert "登记毕业去向：境内升学（考研）" in step2
    for name in ("institution", "major", "study_level", "proof"):
        assert f'name="{name}"' in step2, name
    assert "需上传证明材料：<strong>录取通知书</strong>" in step2 and 'enctype="multipart/form-data"' in step2
    r = c.post(f"/destinations/new/?type={POSTGRADUATE}", {**ADMISSION, "proof": proof()})
    item = Registration.objects.get(graduate=world.zhangsan)
    assert r.status_code == 302 and r.url == item.get_absolute_url()
    assert item.status == R.WAIT_DEPT and item.type_label == "境内升学（考研）" and item.unit_name == "中山大学"
    assert item.details == ADMISSION and item.proof_content_type == "application/pdf"
    assert default_storage.exists(item.proof_file)
    page = html(c.get("/destinations/my/"))
    assert "去向登记审核中,等待学院审核" in page and "中山大学" in page and item.get_absolute_url() in page


def test_an_unknown_or_forbidden_type_stays_on_step_one(world):
    c = graduate_client(world)
    for key in ("nope", "paper_agreement", "directed", "<script>"):
        page = html(c.get("/destinations/new/", {"type": key}))
        assert 'name="type"' in page and "field-error" in page and "<script>" not in page, key
    assert not Registration.objects.exists()


def test_missing_fields_and_a_missing_proof_are_reported_by_field_at_once(world):
    c = graduate_client(world)
    r = c.post(f"/destinations/new/?type={POSTGRADUATE}", {"institution": "中山大学", "study_level": "硕士研究生"})
    errors = r.context["form"].errors
    assert errors["major"] == ["此项为必填项"] and errors["proof"] == [MSG_REQUIRED]
    assert "institution" not in errors
    assert "提交的信息有误" in html(r)
    # every field filled in, the proof alone missing: the service's refusal lands on the proof
    r = c.post(f"/destinations/new/?type={POSTGRADUATE}", ADMISSION)
    assert r.context["form"].errors == {"proof": [MSG_REQUIRED]}
    assert not Registration.objects.exists()


def test_bad_uploads_are_refused_clearly(world):
    c = graduate_client(world)
    for upload, message in ((SimpleUploadedFile("通知.txt", b"hello", content_type="text/plain"), MSG_TYPE),
                            (SimpleUploadedFile("通知.pdf", PNG, content_type="application/pdf"), "PNG")):
        r = c.post(f"/destinations/new/?type={POSTGRADUATE}", {**ADMISSION, "proof": upload})
        assert r.status_code == 200 and message in r.context["form"].errors["proof"][0]
    # a problem elsewhere: the chosen file is checked too, and the graduate is told to choose it again
    r = c.post(f"/destinations/new/?type={POSTGRADUATE}", {"major": "x", "proof": proof()})
    assert "proof" not in r.context["form"].errors and "已选择的证明材料需要重新选择" in html(r)
    assert not Registration.objects.exists()


def test_odd_input_is_reported_or_kept_as_text(world):
    c = graduate_client(world)
    r = c.post(f"/destinations/new/?type={POSTGRADUATE}",
               {"institution": "大" * 300, "major": "=1+1", "study_level": "<b>", "proof": proof()})
    errors = r.context["form"].errors
    assert "institution" in errors and "study_level" in errors and "major" not in errors
    assert "<b>" not in html(r)
    r = c.post(f"/destinations/new/?type={POSTGRADUATE}", {**ADMISSION, "major": "=1+1", "proof": proof()})
    assert r.status_code == 302
    assert Registration.objects.get().details["major"] == "=1+1"


@pytest.mark.parametrize("value", ["x" * 300, "=1+1", "<script>", "二〇二七-13-45", "-1", "9" * 40, "\u202e\u3000"])
def test_every_form_takes_garbage_without_a_server_error(world, value):
    """Every type's form, 补登 and the edits, each field given one odd value: reported or kept, never a 500."""
    c = graduate_client(world)
    names = {"proof", "unit_name", "credit_code", "institution", "major", "study_level", "start_date", "country",
             "service_years", "unit_region", "archive_unit", "paper_no", "signed_date", "role", "work_content"}
    body = {name: value for name in names}
    for key in [*destination_types(), "<script>", value]:
        r = c.post("/destinations/new/", {**body, "type": key}, QUERY_STRING=urlencode({"type": key}))
        assert r.status_code < 500, (key, r.status_code)
    for url in ("/destinations/paper/new/", "/destinations/1/edit/", "/destinations/paper/1/edit/"):
        assert c.post(url, body).status_code < 500, url
    assert c.get("/destinations/credit-warning/", {"credit_code": value}).status_code == 200
    # nothing odd was stored: only a 未就业 report (no fields to fill) could be filed
    assert all(r.unemployed for r in Registration.objects.all()) and not PaperAgreement.objects.exists()


def test_an_unemployed_report_needs_nothing_but_its_type(world):
    c = graduate_client(world)
    page = html(c.get("/destinations/new/", {"type": "unemployed.job_seeking"}))
    assert "无需填写其他信息或上传材料" in page and 'name="proof"' not in page
    assert c.post("/destinations/new/?type=unemployed.job_seeking").status_code == 302
    item = Registration.objects.get()
    assert item.unemployed and item.type_label == "未就业（求职中）" and not item.proof_file
    # it holds no one: the graduate may still register a destination, and step one says what happens to it
    page = html(c.get("/destinations/new/"))
    assert "该未就业登记将自动作废" in page and "未就业（求职中）" in page


# ---- 补登 ----------------------------------------------------------------------------------------------------

def test_paper_agreement_end_to_end_on_the_graduate_side(world):
    c = graduate_client(world)
    page = html(c.get("/destinations/paper/new/"))
    assert "补登纸质协议" in page and 'name="paper_no"' in page and "已签纸质就业协议书扫描件" in page
    r = c.post("/destinations/paper/new/", {**PAPER, "proof": proof("协议书.pdf")})
    item = PaperAgreement.objects.get(graduate=world.zhangsan)
    assert r.status_code == 302 and r.url == item.get_absolute_url()
    assert item.status == PaperStatus.WAIT_DEPT and item.details["paper_no"] == "NO20270001"
    page = html(c.get("/destinations/my/"))
    assert "补登审核中,等待学院审核" in page and "广州某某软件有限公司" in page
    # the 补登 in review holds the graduate: neither button is offered, the reason is
    assert 'href="/destinations/new/"' not in page.split("</nav>", 2)[-1]
    assert "补登" in page and 'id="why-not"' in page
    assert "正在办理中" in html(c.get("/destinations/paper/new/"))


# ---- one live destination, the cohort and the roster ----------------------------------------------------------

def test_a_live_destination_hides_the_buttons_with_its_reason(world):
    item = submitted(world)
    services.act(Registration, actor=world.wang, pk=item.pk, action="approve")
    services.act(Registration, actor=world.qian, pk=item.pk, action="approve")
    c = graduate_client(world)
    page = html(c.get("/destinations/my/"))
    assert "审核通过,已登记" in page and "作废该去向" in page
    main = page.split("</nav>", 2)[-1]
    assert 'href="/destinations/new/"' not in main and 'href="/destinations/paper/new/"' not in main
    assert "作废该去向" in html(c.get("/destinations/new/"))
    assert 'name="type"' not in html(c.get("/destinations/new/"))


def test_an_invalid_graduate_sees_why_and_no_form(world):
    world.zhangsan.is_valid = False
    world.zhangsan.save(update_fields=["is_valid"])
    c = graduate_client(world)
    assert "失效" in html(c.get("/destinations/my/"))
    page = html(c.get("/destinations/new/", {"type": POSTGRADUATE}))
    assert "失效" in page and 'name="institution"' not in page
    assert c.post(f"/destinations/new/?type={POSTGRADUATE}", {**ADMISSION, "proof": proof()}).status_code == 200
    assert not Registration.objects.exists()


# ---- 21/41 and 定向/委培 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["21", "41"])
def test_21_41_see_only_the_directed_type_and_its_unit_read_only(world, mode):
    g = world.zhangsan
    g.training_mode, g.directed_unit = mode, "广东省某某县人民医院"
    g.save(update_fields=["training_mode", "directed_unit"])
    c = graduate_client(world)
    step1 = html(c.get("/destinations/new/"))
    assert '<option value="directed">' in step1 and POSTGRADUATE not in step1 and "unemployed" not in step1
    assert "field-error" in html(c.get("/destinations/new/", {"type": POSTGRADUATE}))
    form = c.get("/destinations/new/", {"type": "directed"})
    unit = form.context["form"]["unit_name"]
    assert unit.field.disabled and unit.value() == "广东省某某县人民医院"
    assert 'value="广东省某某县人民医院"' in html(form) and "不能修改" in html(form)
    r = c.post("/destinations/new/?type=directed", {"unit_name": "随便写的单位", "unit_region": "440106",
                                                     "proof": proof("定向协议.pdf")})
    assert r.status_code == 302
    assert Registration.objects.get().unit_name == "广东省某某县人民医院"
    # 补登 is an agreement: not for 21/41
    services.act(Registration, actor=world.u_zhangsan, pk=Registration.objects.get().pk, action="withdraw")
    page = html(c.get("/destinations/paper/new/"))
    assert "只能填报“定向/委培毕业去向补充登记”" in page and 'name="paper_no"' not in page


def test_22_42_may_file_the_directed_type_beside_the_others(world):
    g = world.zhangsan
    g.training_mode, g.directed_unit = "22", ""
    g.save(update_fields=["training_mode", "directed_unit"])
    c = graduate_client(world)
    step1 = html(c.get("/destinations/new/"))
    assert '<option value="directed">' in step1 and POSTGRADUATE in step1
    # no unit in EMS yet: said before the graduate fills anything in, and refused on submit
    assert "就业管理系统中没有您的定向/委培单位" in html(c.get("/destinations/new/", {"type": "directed"}))
    r = c.post("/destinations/new/?type=directed", {"unit_region": "440106", "proof": proof()})
    assert "unit_name" in r.context["form"].errors and not Registration.objects.exists()


# ---- 修改后重新提交 ---------------------------------------------------------------------------------------------

def test_edit_after_return_resubmits_with_the_proof_kept(world):
    item = submitted(world)
    services.act(Registration, actor=world.wang, pk=item.pk, action="return", reason="录取专业与通知书不一致")
    c = graduate_client(world)
    page = html(c.get("/destinations/my/"))
    assert "退回修改原因：录取专业与通知书不一致" in page and f'href="/destinations/{item.pk}/edit/"' in page
    form = c.get(f"/destinations/{item.pk}/edit/")
    assert form.context["form"]["institution"].value() == "中山大学"
    assert "退回修改原因：录取专业与通知书不一致" in html(form) and "已上传的材料会保留" in html(form)
    assert 'name="type"' in html(form)  # the type may change
    r = c.post(f"/destinations/{item.pk}/edit/", {**ADMISSION, "major": "软件工程"})
    assert r.status_code == 302 and r.url == item.get_absolute_url()
    item.refresh_from_db()
    assert item.status == R.WAIT_DEPT and item.details["major"] == "软件工程" and item.proof_file
    assert AuditEvent.objects.filter(item_type="destination_registration", item_id=item.pk,
                                     action="resubmit").exists()


def test_edit_may_change_the_type(world):
    item = submitted(world)
    services.act(Registration, actor=world.u_zhangsan, pk=item.pk, action="withdraw")
    c = graduate_client(world)
    switched = c.get(f"/destinations/{item.pk}/edit/", {"type": "study_domestic.second_degree"})
    assert "修改去向登记：境内升学（第二学士学位）" in html(switched)
    assert switched.context["form"]["institution"].value() == "中山大学"  # what carries over, carries over
    r = c.post(f"/destinations/{item.pk}/edit/?type=study_domestic.second_degree",
               {**ADMISSION, "study_level": "第二学士学位"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.type_key == "study_domestic.second_degree" and item.status == R.WAIT_DEPT


def test_edit_is_refused_while_in_review(world):
    item = submitted(world)
    c = graduate_client(world)
    r = c.get(f"/destinations/{item.pk}/edit/")
    assert r.status_code == 302 and r.url == item.get_absolute_url()
    r = c.post(f"/destinations/{item.pk}/edit/", {**ADMISSION, "major": "改了"}, follow=True)
    assert "不能修改" in r.content.decode()
    item.refresh_from_db()
    assert item.details["major"] == ADMISSION["major"]


def test_paper_edit_after_return(world):
    item = services.submit(PaperAgreement, actor=world.u_zhangsan, data=PAPER, file=proof("协议书.pdf"))
    services.act(PaperAgreement, actor=world.wang, pk=item.pk, action="return", reason="协议书编号有误")
    c = graduate_client(world)
    page = html(c.get(f"/destinations/paper/{item.pk}/edit/"))
    assert "修改补登" in page and "协议书编号有误" in page and 'name="type"' not in page
    assert c.post(f"/destinations/paper/{item.pk}/edit/", {**PAPER, "paper_no": "NO20270002"}).status_code == 302
    item.refresh_from_db()
    assert item.status == PaperStatus.WAIT_DEPT and item.details["paper_no"] == "NO20270002"


# ---- what the graduate sees of reviews ---------------------------------------------------------------------

def test_a_reviewers_change_shows_on_the_graduates_pages(world):
    item = submitted(world)
    services.reviewer_edit(Registration, actor=world.wang, pk=item.pk, type_key=POSTGRADUATE,
                           data={**ADMISSION, "institution": "华南理工大学"}, reason="按录取通知书更正院校")
    c = graduate_client(world)
    page = html(c.get("/destinations/my/"))
    assert "审核人员修改了您的去向信息" in page and "华南理工大学" in page
    assert "审核人员修改了您的去向信息" in html(c.get("/roster/"))


def test_a_rejection_shows_its_reason_and_the_graduate_starts_again(world):
    item = submitted(world)
    services.act(Registration, actor=world.wang, pk=item.pk, action="reject", reason="通知书不清晰",
                 category="material")
    c = graduate_client(world)
    page = html(c.get("/destinations/my/"))
    assert "审核不通过原因：协议材料不清晰或不完整，通知书不清晰" in page and "请重新填写并提交" in page
    assert f"/destinations/{item.pk}/edit/" not in page and 'href="/destinations/new/"' in page


# ---- 预警单位 while the code is typed --------------------------------------------------------------------------

def test_the_credit_warning_shows_for_a_warned_employers_code(world):
    EmployerWarning.objects.create(employer=world.employer, school=world.school, category="fake", note="虚假招聘",
                                   created_by=world.qian)
    c = graduate_client(world)
    form = html(c.get("/destinations/new/", {"type": "contract"}))
    assert 'hx-get="/destinations/credit-warning/"' in form and 'hx-include="#id_credit_code"' in form
    # the notice sits right under the code's field
    assert form.index('id="id_credit_code"') < form.index('id="credit-warning"') < form.index('id="id_unit_nature"')
    hit = html(c.get("/destinations/credit-warning/", {"credit_code": world.employer.credit_code.lower()}))
    assert WARNED in hit and "虚假招聘" in hit
    assert WARNED not in html(c.get("/destinations/credit-warning/", {"credit_code": make_credit_code(5)}))
    assert html(c.get("/destinations/credit-warning/", {"credit_code": "x" * 5000})).strip() == ""
    # a form sent back for correction keeps the notice; a type without a credit code has none
    again = c.post("/destinations/new/?type=contract", {"credit_code": world.employer.credit_code})
    assert WARNED in html(again)
    assert 'id="credit-warning"' not in html(c.get("/destinations/new/", {"type": POSTGRADUATE}))
    assert login(Client(), world.wang).get("/destinations/credit-warning/").status_code == 403
