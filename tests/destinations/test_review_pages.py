"""去向登记管理 and 补登管理 as the reviewers see them, and the item page for everyone who may see it:
lists and their filters, exports, 批量审核, the review page, 修改去向, 获取最新学生信息, the proof, scope."""
from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradreg.common.ids import make_credit_code
from gradreg.destinations import services
from gradreg.destinations.models import PaperAgreement, PaperStatus, Registration, RegistrationStatus
from gradreg.ems import services as ems
from gradreg.ems.models import Graduate, ReportedDestination
from gradreg.notifications.models import Message
from gradreg.workflow.models import AuditEvent
from gradreg.workflow.outbox import deliver_pending
from tests import factories as f
from tests.conftest import login
from tests.signing.conftest import PNG, material_pdf

pytestmark = pytest.mark.django_db

R, P = RegistrationStatus, PaperStatus
POSTGRADUATE = {"institution": "中山大学", "major": "计算机科学与技术", "study_level": "硕士研究生"}
CONTRACT = {"unit_name": "=HYPERLINK(\"http://x\")广州某某有限公司", "credit_code": make_credit_code(31),
            "unit_nature": "10", "unit_industry": "34", "unit_region": "440106", "job_category": "21",
            "start_date": "2027-07-01"}
PAPER = {"unit_name": "纸质某某有限公司", "credit_code": make_credit_code(32), "unit_nature": "10",
         "unit_industry": "34", "unit_region": "440106", "job_category": "21", "position": "会计",
         "work_region": "440106", "paper_no": "GD2027-000123", "signed_date": "2026-11-20"}


# ---- builders (through the services, as every page and the API do) -------------------------------------------

def png(name: str = "录取通知书.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def register(actor, type_key: str = "study_domestic.postgraduate", data: dict | None = None, file=None):
    data = POSTGRADUATE if data is None and type_key == "study_domestic.postgraduate" else data or {}
    return services.submit(Registration, actor=actor, type_key=type_key, data=data,
                           file=file if file is not None else material_pdf("证明.pdf"))


def paper(actor, file=None):
    return services.submit(PaperAgreement, actor=actor, data=PAPER, file=file or material_pdf("协议书.pdf"))


def approve(world, item):
    model = type(item)
    services.act(model, actor=world.wang, pk=item.pk, action="approve")
    return services.act(model, actor=world.qian, pk=item.pk, action="approve")


def client_for(user) -> Client:
    return login(Client(), user)


def body(html: str) -> str:
    """The list's table body (what the filters chose), without the filter form's options."""
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def graduate_user(world, name: str, dept=None):
    g = f.graduate(dept or world.cs, name=name)
    return g, f.user(f"u{g.exam_no}", "graduate", graduate=g, display_name=name)


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(wb.active.iter_rows(values_only=True))


# ---- the lists -------------------------------------------------------------------------------------------

def test_each_list_opens_on_what_waits_for_the_role(world):
    item = register(world.u_zhangsan)
    html = client_for(world.wang).get(reverse("destinations:list")).content.decode()
    assert '<option value="wait_dept" selected>去向登记审核中,等待学院审核</option>' in html
    assert "张三" in body(html) and "境内升学（考研）" in body(html) and "中山大学" in body(html)
    assert f'href="{reverse("destinations:detail", args=[item.pk])}">审核</a>' in html  # waits for the department
    # the school's list opens on its own state: the item is not there yet
    html = client_for(world.qian).get(reverse("destinations:list")).content.decode()
    assert '<option value="wait_school" selected>' in html and "张三" not in body(html)
    services.act(Registration, actor=world.wang, pk=item.pk, action="approve")
    html = client_for(world.qian).get(reverse("destinations:list")).content.decode()
    assert "张三" in body(html) and ">审核</a>" in body(html)
    # once approved it waits for no one: the school's 修改去向 does not make it a row to review
    services.act(Registration, actor=world.qian, pk=item.pk, action="approve")
    html = client_for(world.qian).get(reverse("destinations:list"), {"status": "approved"}).content.decode()
    assert "张三" in body(html) and ">查看</a>" in body(html) and 'name="ids"' not in body(html)
    html = client_for(world.wang).get(reverse("destinations:paper_list")).content.decode()
    assert '<option value="wait_dept" selected>补登审核中,等待学院审核</option>' in html and "补登状态" in html
    assert "毕业去向类型" not in html.split("<table", 1)[0]  # 补登 is one type: no type filter


def test_the_status_filter_offers_every_state_the_invalid_filter_and_all(world):
    html = client_for(world.wang).get(reverse("destinations:list")).content.decode()
    options = html.split('name="status"', 1)[1].split("</select>", 1)[0]
    for label in ("去向登记审核中,等待学院审核", "去向登记审核中,等待学校审核", "去向登记退回修改", "已撤回,待重新提交",
                  "审核通过,已登记", "审核不通过", "已作废", '"invalid">失效', '"">全部'):
        assert label in options, label


def test_filter_by_type_search_unit_and_year(world):
    register(world.u_zhangsan)
    g, user = graduate_user(world, "王小明")
    register(user, "contract", CONTRACT)
    wang = client_for(world.wang)
    html = body(wang.get(reverse("destinations:list"), {"type": "签劳动合同就业"}).content.decode())
    assert "王小明" in html and "张三" not in html
    html = body(wang.get(reverse("destinations:list"), {"q": g.exam_no}).content.decode())
    assert "王小明" in html and "张三" not in html
    html = body(wang.get(reverse("destinations:list"), {"q": "张"}).content.decode())
    assert "张三" in html and "王小明" not in html
    html = body(wang.get(reverse("destinations:list"), {"unit": "中山"}).content.decode())
    assert "张三" in html and "王小明" not in html
    html = body(wang.get(reverse("destinations:list"), {"graduation_year": "2026"}).content.decode())
    assert "张三" not in html and "王小明" not in html
    # bad values filter nothing and answer the page
    r = wang.get(reverse("destinations:list"), {"type": "<script>", "graduation_year": "二〇二七", "date_from": "x"})
    assert r.status_code == 200 and "张三" in body(r.content.decode())
    # htmx asks for the table only
    r = wang.get(reverse("destinations:list"), {"q": "张三"}, HTTP_HX_REQUEST="true")
    assert "<html" not in r.content.decode() and "张三" in r.content.decode()


def test_the_invalid_filter_and_mark(world):
    item = register(world.u_zhangsan)
    register(world.u_lisi, "unemployed.job_seeking", {}, file=None)
    ems.graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk, reason="退学")
    wang = client_for(world.wang)
    html = body(wang.get(reverse("destinations:list")).content.decode())
    # still listed in its state, marked 失效, waiting for no one (no checkbox, 查看)
    assert "失效（去向登记审核中,等待学院审核）" in html and 'name="ids"' not in html and ">查看</a>" in html
    html = body(client_for(world.qian).get(reverse("destinations:list"), {"status": "invalid"}).content.decode())
    assert "张三" in html and "李四" not in html
    # and out of the home counts
    html = wang.get(reverse("roster:home")).content.decode()
    assert 'id="wait-destinations">0<' in html
    page = wang.get(reverse("destinations:detail", args=[item.pk])).content.decode()
    # frozen: no move, no 修改去向, no 获取最新学生信息 offered; the reason is shown instead
    assert "失效" in page and "所有签约和登记状态已冻结" in page and "审核通过</button>" not in page
    assert "获取最新学生信息</button>" not in page and 'id="review-edit"' not in page
    r = wang.post(reverse("destinations:act", args=[item.pk]), {"action": "approve"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == R.WAIT_DEPT


def test_scope_of_the_lists(world):
    register(world.u_zhangsan)
    for user in (world.zhao, world.sun):
        html = client_for(user).get(reverse("destinations:list"), {"status": ""}).content.decode()
        assert "张三" not in body(html)
    for user in (world.u_zhangsan, world.u_employer, world.zhou):
        for name in ("destinations:list", "destinations:paper_list", "destinations:export"):
            assert client_for(user).get(reverse(name)).status_code == 403, (user, name)


@pytest.mark.parametrize("name", ["destinations:list", "destinations:paper_list"])
def test_the_lists_run_a_fixed_number_of_queries(world, name, django_assert_max_num_queries):
    for i in range(100):
        _, user = graduate_user(world, f"批量{i}")
        if name == "destinations:list":
            register(user, "unemployed.job_seeking" if i % 2 else "contract", {} if i % 2 else CONTRACT,
                     file=None if i % 2 else material_pdf())
        else:
            paper(user)
    c = client_for(world.wang)
    c.get(reverse(name))  # warm the session, the code tables and the flagged employers' cache
    counts = []
    for size in (20, 100):
        with django_assert_max_num_queries(4), CaptureQueriesContext(connection) as q:
            r = c.get(reverse(name), {"page_size": size})
        assert r.status_code == 200 and body(r.content.decode()).count("<tr>") == size
        counts.append(len(q))
    assert counts[0] == counts[1]


# ---- exports ---------------------------------------------------------------------------------------------

def test_export_of_the_current_query_keeps_a_formula_as_text(world):
    _, user = graduate_user(world, "王小明")
    register(user, "contract", CONTRACT)
    register(world.u_zhangsan)
    rows = sheet_rows(client_for(world.wang).get(reverse("destinations:export"), {"type": "签劳动合同就业"}))
    header = rows[0]
    for column in ("考生号", "姓名", "毕业去向", "具体去向", "单位名称", "统一社会信用代码", "状态", "最近一次原因", "更新时间"):
        assert column in header, column
    assert len(rows) == 2
    row = dict(zip(header, rows[1]))
    assert row["姓名"] == "王小明" and row["毕业去向"] == "签劳动合同就业" and row["状态"] == "去向登记审核中,等待学院审核"
    assert row["单位名称"].startswith("'=")  # never a formula
    assert row["统一社会信用代码"] == CONTRACT["credit_code"]


def test_returned_export_lists_every_graduate_ever_returned(world):
    item = register(world.u_zhangsan)
    register(world.u_lisi, "unemployed.job_seeking", {}, file=None)
    services.act(Registration, actor=world.wang, pk=item.pk, action="return", reason="录取通知书不清晰")
    rows = sheet_rows(client_for(world.qian).get(reverse("destinations:export_returned")))
    assert [dict(zip(rows[0], r))["姓名"] for r in rows[1:]] == ["张三"]
    assert dict(zip(rows[0], rows[1]))["最近一次原因"] == "录取通知书不清晰"
    p = paper(world.u_lisi)
    services.act(PaperAgreement, actor=world.zhao, pk=p.pk, action="return", reason="扫描件缺页")
    rows = sheet_rows(client_for(world.qian).get(reverse("destinations:paper_export_returned")))
    row = dict(zip(rows[0], rows[1]))
    assert row["姓名"] == "李四" and row["纸质协议书编号"] == "GD2027-000123" and row["状态"] == "补登退回修改"
    # another department's returns are not this department's to export
    assert len(sheet_rows(client_for(world.wang).get(reverse("destinations:paper_export_returned")))) == 1


# ---- 批量审核 ---------------------------------------------------------------------------------------------

def test_batch_review_reports_each_item(world):
    a = register(world.u_zhangsan)
    _, user = graduate_user(world, "王小明")
    b = register(user, "contract", CONTRACT)
    c = register(world.u_lisi, "unemployed.job_seeking", {}, file=None)  # another department's
    services.act(Registration, actor=world.wang, pk=b.pk, action="approve")  # no longer waits for the department
    r = client_for(world.wang).post(reverse("destinations:batch"),
                                    {"ids": [a.pk, b.pk, c.pk, 999999], "action": "approve"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "张三" in html and "李四" not in html  # an item out of scope stays a number
    assert {x.pk: x.status for x in Registration.objects.all()} == {a.pk: R.WAIT_SCHOOL, b.pk: R.WAIT_SCHOOL,
                                                                     c.pk: R.WAIT_DEPT}
    # 不通过 needs a category and a reason, each item refused the same way
    r = client_for(world.qian).post(reverse("destinations:batch"), {"ids": [a.pk, b.pk], "action": "reject",
                                                                    "reason": "材料不实"})
    assert Registration.objects.filter(status=R.REJECTED).count() == 0
    client_for(world.qian).post(reverse("destinations:batch"), {"ids": [a.pk, b.pk], "action": "reject",
                                                                "reason": "材料不实", "category": "not_genuine"})
    assert Registration.objects.filter(status=R.REJECTED).count() == 2
    assert client_for(world.u_zhangsan).post(reverse("destinations:batch"),
                                             {"ids": [c.pk], "action": "approve"}).status_code == 403


# ---- the item page -----------------------------------------------------------------------------------------

def test_the_item_page_for_the_graduate_the_department_and_the_school(world):
    item = register(world.u_zhangsan, file=png())
    url = reverse("destinations:detail", args=[item.pk])
    for user in (world.u_zhangsan, world.wang, world.qian):
        html = client_for(user).get(url).content.decode()
        assert "去向登记审核中,等待学院审核" in html and "中山大学" in html and "硕士研究生" in html, user
        assert f'src="{reverse("destinations:proof", args=[item.pk])}"' in html  # the image inline
    graduate = client_for(world.u_zhangsan).get(url).content.decode()
    assert "学生信息比对" not in graduate and "撤回修改" in graduate and "修改去向" not in graduate
    department = client_for(world.wang).get(url).content.decode()
    assert "学生信息比对" in department and "就业管理系统已报送的毕业去向" in department
    assert "获取最新学生信息" in department and "审核通过</button>" in department and "修改去向" in department
    school = client_for(world.qian).get(url).content.decode()
    assert "学生信息比对" in school and "审核通过</button>" not in school  # waits for the department
    proof = client_for(world.wang).get(reverse("destinations:proof", args=[item.pk]))
    assert proof.status_code == 200 and b"".join(proof.streaming_content) == PNG
    assert proof["Content-Type"] == "image/png" and "attachment" not in proof["Content-Disposition"]


def test_the_item_page_and_proof_answer_404_outside_the_scope(world):
    item = register(world.u_zhangsan)
    p = paper(world.u_lisi)
    for user in (world.zhao, world.sun, world.u_lisi, world.u_employer):
        for name in ("destinations:detail", "destinations:proof", "destinations:review_edit"):
            assert client_for(user).get(reverse(name, args=[item.pk])).status_code in (403, 404), (user, name)
        assert client_for(user).get(reverse("destinations:detail", args=[item.pk])).status_code == 404
    for user in (world.wang, world.sun, world.u_zhangsan, world.u_employer):
        assert client_for(user).get(reverse("destinations:paper_detail", args=[p.pk])).status_code == 404
        assert client_for(user).get(reverse("destinations:paper_proof", args=[p.pk])).status_code == 404
    r = client_for(world.zhao).post(reverse("destinations:act", args=[item.pk]), {"action": "approve"})
    assert r.status_code == 404
    item.refresh_from_db()
    assert item.status == R.WAIT_DEPT


def test_review_through_the_page_with_reasons(world):
    item = register(world.u_zhangsan)
    wang = client_for(world.wang)
    url = reverse("destinations:act", args=[item.pk])
    wang.post(url, {"action": "return"})  # no reason: refused with a message
    item.refresh_from_db()
    assert item.status == R.WAIT_DEPT
    wang.post(url, {"action": "return", "reason": "请上传清晰的录取通知书"})
    item.refresh_from_db()
    assert item.status == R.RETURNED
    html = wang.get(reverse("destinations:detail", args=[item.pk])).content.decode()
    assert "退回修改：请上传清晰的录取通知书" in html and "审核通过</button>" not in html
    timeline = html.split("办理记录", 1)[1]
    assert "退回修改" in timeline and "原因：请上传清晰的录取通知书" in timeline and "王老师" in timeline




def test_the_graduate_sees_the_return_and_the_way_to_fix_it(world):
    item = register(world.u_zhangsan)
    services.act(Registration, actor=world.wang, pk=item.pk, action="return", reason="请上传清晰的录取通知书")
    html = client_for(world.u_zhangsan).get(reverse("destinations:detail", args=[item.pk])).content.decode()
    assert "退回修改：请上传清晰的录取通知书" in html and "撤销登记" in html
    assert f'href="{reverse("destinations:edit", args=[item.pk])}"' in html


def test_rejection_shows_its_category_and_reason(world):
    item = register(world.u_zhangsan)
    client_for(world.wang).post(reverse("destinations:act", args=[item.pk]),
                                {"action": "reject", "reason": "录取通知书不实", "category": "not_genuine"})
    item.refresh_from_db()
    assert item.status == R.REJECTED
    html = client_for(world.u_zhangsan).get(reverse("destinations:detail", args=[item.pk])).content.decode()
    assert "审核不通过（签约信息不真实）：录取通知书不实" in html and "重新选择毕业去向类型" in html


def test_void_is_recorded_and_shown_to_reviewers(world):
    item = approve(world, register(world.u_zhangsan))
    deliver_pending()
    assert ReportedDestination.objects.filter(graduate=world.zhangsan).exists()
    r = client_for(world.u_zhangsan).post(reverse("destinations:act", args=[item.pk]), {"action": "void"})
    assert r.status_code == 302
    deliver_pending()
    assert not ReportedDestination.objects.filter(graduate=world.zhangsan).exists()
    html = body(client_for(world.wang).get(reverse("destinations:list"), {"status": "voided"}).content.decode())
    assert "张三" in html and "已作废" in html
    page = client_for(world.wang).get(reverse("destinations:detail", args=[item.pk])).content.decode()
    assert "作废记录" in page and "张三" in page.split('id="void-record"', 1)[1].split("</p>", 1)[0]


def test_the_school_reviews_only_after_the_department_and_refreshes(world):
    item = register(world.u_zhangsan)
    refresh = reverse("destinations:refresh", args=[item.pk])
    r = client_for(world.qian).post(refresh)  # it does not wait for the school yet
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.refreshed_info == {}
    Graduate.objects.filter(pk=world.zhangsan.pk).update(student_no="S2027NEW01")
    client_for(world.wang).post(refresh)
    item.refresh_from_db()
    assert item.refreshed_info == {"student_no": "S2027NEW01"}
    assert AuditEvent.objects.filter(item_type="destination_registration", item_id=item.pk, action="refresh").exists()
    html = client_for(world.wang).get(reverse("destinations:detail", args=[item.pk])).content.decode()
    assert "已获取最新学生信息（1 项）" in html
    approve(world, item)
    item.refresh_from_db()
    assert item.graduate_snapshot["student_no"] == "S2027NEW01" and item.refreshed_info == {}


def test_id_number_reveal_is_for_reviewers_only(world):
    item = register(world.u_zhangsan)
    url = reverse("destinations:detail", args=[item.pk])
    html = client_for(world.wang).get(url).content.decode()
    assert world.zhangsan.id_number not in html
    assert world.zhangsan.id_number in client_for(world.wang).get(url, {"reveal": "id_number"}).content.decode()
    assert client_for(world.u_zhangsan).get(url, {"reveal": "id_number"}).status_code == 403


# ---- 修改去向 ---------------------------------------------------------------------------------------------

def test_the_department_edits_the_destination_and_the_graduate_is_told(world, django_capture_on_commit_callbacks):
    item = register(world.u_zhangsan)
    url = reverse("destinations:review_edit", args=[item.pk])
    wang = client_for(world.wang)
    html = wang.get(url).content.decode()
    assert 'value="中山大学"' in html and "硕士研究生" in html and "修改说明" in html
    with django_capture_on_commit_callbacks(execute=True):
        r = wang.post(url, {"type_key": "study_domestic.postgraduate", "institution": "华南理工大学",
                            "major": "软件工程", "study_level": "硕士研究生", "reason": "按录取通知书更正院校"})
    assert r.status_code == 302, r.content.decode()[:3000]
    item.refresh_from_db()
    assert item.status == R.WAIT_DEPT and item.unit_name == "华南理工大学" and item.details["major"] == "软件工程"
    assert item.reviewer_edited_at is not None
    event = AuditEvent.objects.filter(item_type="destination_registration", item_id=item.pk).order_by("seq").last()
    assert (event.action, event.actor_id, event.reason) == ("edit", world.wang.pk, "按录取通知书更正院校")
    message = Message.objects.get(recipient=world.u_zhangsan)
    assert message.title == "去向登记信息被修改" and message.body == "按录取通知书更正院校"
    page = client_for(world.u_zhangsan).get(reverse("destinations:detail", args=[item.pk])).content.decode()
    assert "审核人员修改了去向信息" in page and "华南理工大学" in page
    timeline = page.split("办理记录", 1)[1]
    assert "修改去向" in timeline and "王老师" in timeline and "修改说明：按录取通知书更正院校" in timeline
    assert "修改了：单位（院校）名称、升学院校（机构）、录取专业" in timeline


def test_the_department_changes_the_type(world):
    item = register(world.u_zhangsan)
    url = reverse("destinations:review_edit", args=[item.pk])
    wang = client_for(world.wang)
    html = wang.get(url, {"type": "study_domestic.second_degree"}).content.decode()
    assert "将由“境内升学（考研）”改为“境内升学（第二学士学位）”" in html and 'value="中山大学"' in html
    r = wang.post(url, {"type_key": "study_domestic.second_degree", "institution": "中山大学", "major": "法学",
                        "study_level": "第二学士学位"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert (item.type_key, item.subtype, item.destination_code) == ("study_domestic.second_degree", "第二学士学位", "80")
    # a form with a problem is shown again with the problem on its field; nothing changes
    r = wang.post(url, {"type_key": "contract", **CONTRACT, "credit_code": "123"})
    assert r.status_code == 200 and "统一社会信用代码" in r.content.decode()
    item.refresh_from_db()
    assert item.type_key == "study_domestic.second_degree"


def test_edit_is_offered_to_the_reviewer_it_waits_for_only(world):
    item = register(world.u_zhangsan)
    url = reverse("destinations:review_edit", args=[item.pk])
    r = client_for(world.qian).get(url)  # waits for the department
    assert r.status_code == 302
    assert client_for(world.u_zhangsan).get(url).status_code == 403
    assert client_for(world.zhao).get(url).status_code == 404


def test_the_school_changes_an_approved_destination_and_ems_receives_it(world, django_capture_on_commit_callbacks):
    item = approve(world, register(world.u_zhangsan))
    deliver_pending()
    page = client_for(world.qian).get(reverse("destinations:detail", args=[item.pk])).content.decode()
    assert "修改去向" in page and "院系申请修改时" in page
    edit_link = f'href="{reverse("destinations:review_edit", args=[item.pk])}"'
    assert edit_link in page
    assert edit_link not in client_for(world.wang).get(reverse("destinations:detail", args=[item.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(world.qian).post(reverse("destinations:review_edit", args=[item.pk]), {
            "type_key": "study_domestic.postgraduate", "institution": "中山大学", "major": "人工智能",
            "study_level": "博士研究生", "reason": "院系申请：升学层次有误"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == R.APPROVED and item.details["study_level"] == "博士研究生"
    deliver_pending()
    held = ReportedDestination.objects.get(graduate=world.zhangsan)
    assert held.details["study_level"] == "博士研究生" and held.source_id == item.pk
    assert Message.objects.filter(recipient=world.u_zhangsan, title="去向登记信息被修改").exists()
    # EMS's page shows it read-only, with its details, and says where it is changed
    html = client_for(world.wang).get(reverse("ems:graduate", args=[world.zhangsan.pk])).content.decode()
    section = html.split('id="destination"', 1)[1]
    assert "升学（80）" in section and "考研" in section and "博士研究生" in section and "人工智能" in section
    assert "只读" in section and "修改去向" in section and "<form" not in section


def test_paper_agreement_pages_end_to_end(world):
    p = paper(world.u_zhangsan)
    url = reverse("destinations:paper_detail", args=[p.pk])
    html = client_for(world.wang).get(url).content.decode()
    assert "补登审核中,等待学院审核" in html and "GD2027-000123" in html and "查看已签纸质就业协议书扫描件（PDF）" in html
    html = body(client_for(world.wang).get(reverse("destinations:paper_list")).content.decode())
    assert "纸质某某有限公司" in html and "GD2027-000123" in html
    r = client_for(world.wang).post(reverse("destinations:paper_review_edit", args=[p.pk]),
                                    {**PAPER, "position": "出纳", "reason": "岗位按协议书更正"})
    assert r.status_code == 302
    client_for(world.wang).post(reverse("destinations:paper_act", args=[p.pk]), {"action": "approve"})
    client_for(world.qian).post(reverse("destinations:paper_act", args=[p.pk]), {"action": "approve"})
    p.refresh_from_db()
    assert p.status == P.APPROVED and p.details["position"] == "出纳"
    proof = client_for(world.u_zhangsan).get(reverse("destinations:paper_proof", args=[p.pk]))
    assert proof.status_code == 200 and "attachment" in proof["Content-Disposition"]  # a PDF is downloaded


# ---- navigation and the home panel ----------------------------------------------------------------------------

def test_menu_entries_and_the_home_panel(world):
    register(world.u_zhangsan)
    paper(world.u_lisi)
    html = client_for(world.wang).get(reverse("roster:home")).content.decode()
    nav = html.split('class="modnav"', 1)[1].split("</nav>", 1)[0]
    assert nav.index("在线签约管理") < nav.index("补登管理") < nav.index("解约管理") < nav.index("去向登记管理")
    assert 'id="wait-destinations">1<' in html and 'id="wait-paper">0<' in html  # 李四's 补登 is another department's
    assert f'{reverse("destinations:list")}?status=wait_dept">1 条' in html
    html = client_for(world.qian).get(reverse("roster:home")).content.decode()
    assert 'id="wait-destinations">0<' in html and f'{reverse("destinations:paper_list")}?status=wait_school' in html
    assert "补登管理" not in client_for(world.u_zhangsan).get(reverse("roster:home")).content.decode()
    html = client_for(world.wang).get(reverse("destinations:list")).content.decode()
    assert '<a href="/destinations/" class="active">去向登记管理</a>' in html
