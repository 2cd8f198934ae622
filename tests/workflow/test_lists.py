"""The list kit (gradreg.workflow.lists) through the lists declared on it: pages, htmx, exports, API."""
from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gradreg.signing import services
from gradreg.signing.lists import SIGNING_REVIEW, TERMINATION_REVIEW
from gradreg.signing.models import SigningStatus, TerminationStatus
from gradreg.workflow.lists import Column, cell_text, link_column, render_table
from tests import factories as f
from tests.api.test_signing_api import TERMS, Api, ok, signed_online
from tests.conftest import login

pytestmark = pytest.mark.django_db


def invite(w, n: int) -> list[int]:
    ids = []
    for i in range(n):
        g = f.graduate(w.cs, w.cs_major, name=f"批量{i}")
        ids.append(services.invitation_create(actor=w.u_employer, name=g.name, id_number=g.id_number, terms=TERMS).pk)
    return ids


def test_defaults_fill_missing_keys_only(world):
    from django.http import QueryDict

    assert SIGNING_REVIEW.with_defaults(QueryDict(mutable=True), world.wang)["status"] == SigningStatus.DRAFT_WAIT_DEPT
    assert SIGNING_REVIEW.with_defaults(QueryDict(mutable=True), world.qian)["status"] == SigningStatus.DRAFT_WAIT_SCHOOL
    assert SIGNING_REVIEW.with_defaults(QueryDict("status=", mutable=True), world.wang)["status"] == ""
    assert TERMINATION_REVIEW.with_defaults(QueryDict(mutable=True), world.qian)["status"] == TerminationStatus.WAIT_SCHOOL


def test_page_size_is_capped_and_the_page_and_api_show_the_same_rows(world):
    ids = invite(world, 3)
    html = login(Client(), world.wang).get("/signing/review/", {"status": "", "page_size": 2}).content.decode()
    assert "共 3 条，第 1 / 2 页" in html and "page_size=2" in html  # the pager keeps the filters
    out = ok(Api("wang").get("/signings", {"status": "", "page_size": 2}))
    assert out["count"] == 3 and [x["id"] for x in out["items"]] == ids[::-1][:2]
    html = login(Client(), world.wang).get("/signing/review/", {"status": "", "page_size": 9999}).content.decode()
    assert "共 3 条，第 1 / 1 页" in html


def test_termination_list_query_count_is_fixed(world):
    s = signed_online(world)
    services.termination_apply(actor=world.u_employer, signing_id=s.pk, reason="岗位调整")
    c = login(Client(), world.wang)
    c.get("/signing/terminations/", {"status": ""})  # warm the per-process and cached lookups
    counts = []
    for size in (1, 50):
        with CaptureQueriesContext(connection) as q:
            assert c.get("/signing/terminations/", {"status": "", "page_size": size}).status_code == 200
        counts.append(len(q))
    assert counts[0] == counts[1]


def test_htmx_gets_the_table_where_the_list_filters_by_htmx(world):
    c = login(Client(), world.wang)
    part = c.get("/signing/terminations/", HTTP_HX_REQUEST="true").content.decode()
    assert part.startswith('<div id="results">') and "<h1>" not in part
    full = c.get("/roster/invalid/", HTTP_HX_REQUEST="true").content.decode()
    assert "<h1>失效信息管理</h1>" in full and "hx-get" not in full  # this list filters by plain GET


def test_an_htmx_filter_sends_the_export_links_again_with_its_query(world):
    """下载当前查询数据 after filtering by htmx exports what the filter shows: the swap replaces the links."""
    c = login(Client(), world.wang)
    page = c.get("/signing/terminations/").content.decode()
    assert page.count('id="list-exports"') == 1 and "hx-swap-oob" not in page
    part = c.get("/signing/terminations/", {"status": "wait_dept", "q": "张三"}, HTTP_HX_REQUEST="true").content.decode()
    assert part.count('id="list-exports" hx-swap-oob="true"') == 1
    link = part.split('id="list-export" href="', 1)[1].split('"', 1)[0]
    assert link.startswith(TERMINATION_REVIEW.export_url() + "?") and "q=%E5%BC%A0%E4%B8%89" in link
    assert "status=wait_dept" in link


def test_termination_returned_export_lists_every_returned_termination(world):
    from gradreg.signing.models import Signing

    s = services.offline_apply(actor=world.u_zhangsan, data={
        **TERMS, "employer_name": "某公司", "credit_code": "91440101MA5CXXXX1U", "employer_nature": "10",
        "employer_industry": "34", "employer_region": "440106", "employer_address": "广州", "contact_name": "李",
        "contact_phone": "13800000000"})
    Signing.objects.filter(pk=s.pk).update(status=SigningStatus.SIGNED)
    from tests.api.test_signing_api import png

    t = services.termination_apply(actor=world.u_zhangsan, signing_id=s.pk, reason="个人原因", file=png())
    services.termination_act(actor=world.wang, pk=t.pk, action="return", reason="材料不清晰")
    services.termination_act(actor=world.u_zhangsan, pk=t.pk, action="resubmit")  # waits again: still listed
    r = login(Client(), world.wang).get("/signing/terminations/export-returned/", {"status": TerminationStatus.FAILED})
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][0] == "考生号" and len(rows) == 2 and rows[1][1] == "张三" and rows[1][4] == "线下解约"
    from urllib.parse import quote

    assert quote("解约管理-退回修改学生名单") in r["Content-Disposition"]


def test_cells_escape_and_format():
    import datetime as dt

    from django.test import override_settings

    with override_settings(ROOT_URLCONF="config.urls"):
        table = render_table(
            (Column("名", "name"), Column("时", "at"), link_column("操作", "signing:detail", "查看")),
            [{"id": 5, "name": "<b>x</b>", "at": None}], {"_urls": {}}, empty="无")
    assert "&lt;b&gt;x&lt;/b&gt;" in table.body and '<a href="/signing/5/">查看</a>' in table.body
    assert table.headers == ["名", "时", "操作"]
    assert render_table((Column("名", "name"),), [], {}, empty="无", empty_class="hint").body == \
        '<tr><td colspan="1" class="hint">无</td></tr>'
    assert cell_text(dt.datetime(2026, 1, 2, 3, 4)) == "2026-01-02 03:04" and cell_text(None) == ""


def test_training_mode_list_on_the_kit(world):
    from gradreg.ems import services as ems_services

    change = ems_services.training_mode_change_request(actor=world.wang, graduate_id=world.zhangsan.pk, to_mode="22",
                                                       directed_unit="某局", reason="定向录取")
    html = login(Client(), world.qian).get("/ems/training-mode/").content.decode()
    assert "<h1>培养方式修改记录</h1>" in html and 'class="modnav"' in html
    assert '<span class="status wait">院系已申请,等待学校提交</span>' in html
    assert f'<a href="/ems/training-mode/{change.pk}/">详细</a>' in html and "张三" in html
    html = login(Client(), world.qian).get("/ems/training-mode/", {"status": "approved"}).content.decode()
    assert "张三" not in html and "暂无申请。" in html
    assert "张三" not in login(Client(), world.sun).get("/ems/training-mode/").content.decode()  # another school
    assert login(Client(), world.u_employer).get("/ems/training-mode/").status_code == 403


def test_employer_signings_on_the_kit(world):
    s = signed_online(world)
    t = services.termination_apply(actor=world.u_zhangsan, signing_id=s.pk, reason="个人原因")
    c = login(Client(), world.u_employer)
    html = c.get("/signing/employer/").content.decode()
    assert "发起签约邀请" in html and f'href="/signing/terminations/{t.pk}/">张三：待对方确认' in html
    assert '<span class="status ok">签约成功</span>' in html and f'href="/signing/{s.pk}/">查看</a>' in html
    assert "暂无签约记录。" in c.get("/signing/employer/", {"status": SigningStatus.INVITED}).content.decode()
    assert login(Client(), world.wang).get("/signing/employer/").status_code == 403
