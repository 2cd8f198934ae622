"""The signing pages as each role sees them: lists, item pages, forms, exports."""
from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from gradreg.signing import services
from gradreg.signing.models import Signing
from gradreg.signing.models import SigningStatus as S
from tests.conftest import login

pytestmark = pytest.mark.django_db

TERMS = dict(position="软件工程师", job_category="21", work_region="440106", monthly_salary="12000",
             probation_months="3", service_years="2", breach_terms="违约金5000元", archive_unit="", archive_address="",
             hukou_unit="", hukou_address="", other_terms="")
OFFLINE = dict(TERMS, employer_name="=HYPERLINK(\"http://x\")公司", credit_code="91440101MA5CXXXX1U",
               employer_nature="10", employer_industry="34", employer_region="440106", employer_address="广州市天河路1号",
               contact_name="李经理", contact_phone="13800000000")


def invited(w) -> Signing:
    return services.invitation_create(actor=w.u_employer, name=w.zhangsan.name, id_number=w.zhangsan.id_number,
                                      terms=TERMS)


def agreed(w) -> Signing:
    s = invited(w)
    return services.signing_act(actor=w.u_zhangsan, pk=s.pk, action="agree")


def client_for(user) -> Client:
    return login(Client(), user)


def test_review_list_opens_on_what_waits_for_the_department(world):
    s = agreed(world)
    page = client_for(world.wang).get("/signing/review/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "就业协议审核中,等待学院审核" in html  # the seed's default filter is selected
    assert s.graduate_name not in html.split("<tbody>")[1]  # online agreed rows are another status
    page = client_for(world.wang).get("/signing/review/", {"status": S.AGREED})
    assert "张三" in page.content.decode() and "学生已同意签约,等待学院审核" in page.content.decode()


def test_review_list_scoped(world):
    agreed(world)
    for user in (world.zhao, world.sun):
        html = client_for(user).get("/signing/review/", {"status": ""}).content.decode()
        assert "张三" not in html
    assert client_for(world.u_zhangsan).get("/signing/review/").status_code == 403
    assert client_for(world.u_employer).get("/signing/review/").status_code == 403


def test_review_list_query_count_is_fixed(world, django_assert_max_num_queries):
    from tests import factories as f

    for i in range(25):
        g = f.graduate(world.cs, world.cs_major, name=f"批量{i}")
        services.invitation_create(actor=world.u_employer, name=g.name, id_number=g.id_number, terms=TERMS)
    c = client_for(world.wang)
    c.get("/signing/review/", {"status": ""})  # warm the code tables and the flagged employers' cache
    counts = []
    for size in (5, 25):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as q:
            r = c.get("/signing/review/", {"status": "", "page_size": size})
        assert r.status_code == 200
        counts.append(len(q))
    # COUNT, page and the school's 审核/鉴证 label; session, user, badge and the flagged employers are cached
    assert counts[0] == counts[1] <= 4


def test_detail_page_for_each_party(world):
    s = agreed(world)
    for user in (world.wang, world.qian, world.u_zhangsan, world.u_employer):
        r = client_for(user).get(f"/signing/{s.pk}/")
        assert r.status_code == 200, user
        assert "学生已同意签约,等待学院审核" in r.content.decode()
    html = client_for(world.wang).get(f"/signing/{s.pk}/").content.decode()
    assert "学生信息比对" in html and "审核通过" in html and "获取最新学生信息" in html
    for user in (world.zhao, world.sun, world.u_lisi):
        assert client_for(user).get(f"/signing/{s.pk}/").status_code == 404


def test_review_through_the_page(world):
    s = agreed(world)
    wang = client_for(world.wang)
    r = wang.post(f"/signing/{s.pk}/act/", {"action": "reject", "reason": "单位信息有误"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.status == S.AGREED  # no category: refused, with a message
    r = wang.get(f"/signing/{s.pk}/")
    assert "请选择审核不通过的原因类别" in r.content.decode()
    client_for(world.wang).post(f"/signing/{s.pk}/act/", {"action": "approve"})
    s.refresh_from_db()
    assert s.status == S.ONLINE_WAIT_SCHOOL
    client_for(world.qian).post(f"/signing/{s.pk}/act/", {"action": "approve"})
    s.refresh_from_db()
    assert s.status == S.SIGNED
    pdf = client_for(world.u_zhangsan).get(f"/signing/{s.pk}/agreement.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client_for(world.u_lisi).get(f"/signing/{s.pk}/agreement.pdf").status_code == 404


def test_offline_form_reports_every_field(world):
    r = client_for(world.u_zhangsan).post("/signing/apply/", {"employer_name": "某公司", "credit_code": "123"})
    assert r.status_code == 200
    html = r.content.decode()
    for msg in ("统一社会信用代码应为18位", "这个字段是必填项"):
        assert msg in html
    assert not Signing.objects.exists()


def test_offline_apply_page_and_export_escapes_formulas(world):
    r = client_for(world.u_zhangsan).post("/signing/apply/", OFFLINE)
    assert r.status_code == 302, r.content.decode()[:2000]
    s = Signing.objects.get()
    assert s.status == S.DRAFT_WAIT_DEPT
    r = client_for(world.wang).get("/signing/review/export/")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "考生号" and len(rows) == 2
    assert rows[1][6].startswith("'=")  # 单位名称 starting with = is text, never a formula


def test_returned_export_lists_returned_graduates(world):
    client_for(world.u_zhangsan).post("/signing/apply/", OFFLINE)
    s = Signing.objects.get()
    services.signing_act(actor=world.wang, pk=s.pk, action="return", reason="岗位名称不规范")
    r = client_for(world.wang).get("/signing/review/export-returned/")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "张三" and "岗位名称不规范" in rows[1][-1]


def test_graduate_and_employer_pages(world):
    s = invited(world)
    html = client_for(world.u_zhangsan).get("/signing/my/").content.decode()
    assert "某某科技有限公司" in html and "查看协议并处理" in html
    html = client_for(world.u_employer).get("/signing/employer/").content.decode()
    assert "张三" in html and "待学生处理" in html
    r = client_for(world.u_zhangsan).post(f"/signing/{s.pk}/act/", {"action": "agree"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.status == S.AGREED
    assert client_for(world.wang).get("/signing/my/").status_code == 403
    assert client_for(world.u_zhangsan).get("/signing/invite/").status_code == 403


def test_invite_page_same_answer_for_unknown_and_mismatched(world):
    c = client_for(world.u_employer)
    base = {**TERMS}
    a = c.post("/signing/invite/", {**base, "name": "张三", "id_number": world.lisi.id_number}).content.decode()
    b = c.post("/signing/invite/", {**base, "name": "不存在", "id_number": "110101199001011237"}).content.decode()
    assert "未找到与所填姓名和证件号码一致" in a and "未找到与所填姓名和证件号码一致" in b
    r = c.post("/signing/invite/", {**base, "name": "张三", "id_number": world.zhangsan.id_number})
    assert r.status_code == 302


def test_termination_pages(world):
    s = agreed(world)
    services.signing_act(actor=world.wang, pk=s.pk, action="approve")
    services.signing_act(actor=world.qian, pk=s.pk, action="approve")
    r = client_for(world.u_employer).post(f"/signing/{s.pk}/terminate/", {"reason": "岗位调整"})
    assert r.status_code == 302
    t = s.terminations.get()
    html = client_for(world.u_zhangsan).get(f"/signing/terminations/{t.pk}/").content.decode()
    assert "待对方确认" in html and "同意解约" in html
    client_for(world.u_zhangsan).post(f"/signing/terminations/{t.pk}/act/", {"action": "agree"})
    html = client_for(world.wang).get("/signing/terminations/", {"status": ""}).content.decode()
    assert "已同意解约,等待学院审核" in html
    r = client_for(world.wang).get("/signing/terminations/export/")
    assert r.status_code == 200


def test_home_counts(world):
    agreed(world)
    html = client_for(world.wang).get("/roster/").content.decode()
    assert 'id="wait-signing">1<' in html
    html = client_for(world.qian).get("/roster/").content.decode()
    assert 'id="wait-signing">0<' in html


def test_graduate_home_tells_of_pending_invitations(world):
    invited(world)
    html = client_for(world.u_zhangsan).get("/roster/").content.decode()
    assert 'id="pending-invitations">1<' in html and "尚未开通，敬请期待" not in html
    assert "在线签约、去向登记功能尚未开通" not in html


def test_the_employer_cell_shows_the_warning_snippet_as_the_template_does():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    from gradreg.signing.lists import employer_cell

    for warning in (None, SimpleNamespace(warned=False, explanation=""),
                    SimpleNamespace(warned=True, explanation='违规 <"拖欠">&')):
        expected = render_to_string("snippets/employer_warning.html", {"warning": warning}) if warning else ""
        assert employer_cell({"warning": warning, "employer_name": "某<某>"}, {}) == f"某&lt;某&gt; {expected}"
