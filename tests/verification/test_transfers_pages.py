"""档案/户口信息转递列表 pages, 批量下载 and the API: what each role sees (the 转递编号 to staff only, never the
graduate), the filters, the export's content, 查询 and a fixed number of queries per page."""
from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gradreg.archives.services import write_record
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU
from gradreg.verification import codeformat, transfers
from gradreg.verification.models import TransferCode, TransferCodeRun
from tests import factories as f
from tests.archives.conftest import info, on_hukou_roster
from tests.verification.test_confirmation import report


def list_url(kind: str = "archive") -> str:
    return reverse("handover:transfers", args=[kind])


def shown(tc: TransferCode) -> str:
    return codeformat.grouped(tc.code)


def workbook(response) -> list[list]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def codes(world):
    """张三 (计算机学院, 档案 registered, on the hukou roster) and 李四 (外国语学院) with destinations and codes."""
    report(world.zhangsan)
    report(world.lisi)
    on_hukou_roster(world.zhangsan)
    write_record(actor=world.wang, module=ARCHIVE, graduate_id=world.zhangsan.pk, data=info(ARCHIVE))
    write_record(actor=world.wang, module=HUKOU, graduate_id=world.zhangsan.pk, data=info(HUKOU))
    transfers.generate(world.qian, "archive")
    transfers.generate(world.qian, "hukou")
    return {tc.graduate_id: tc for tc in TransferCode.objects.filter(kind="archive")}


# ---- the list ----------------------------------------------------------------------------------------------

def test_the_department_list_shows_its_codes_and_states(world, client, codes):
    client.force_login(world.wang)
    r = client.get(list_url())
    body = r.content.decode()
    assert r.status_code == 200 and "档案信息转递列表" in body and "批量生成/重新生成转递编号" in body
    assert shown(codes[world.zhangsan.pk]) in body and "有效" in body and "批量下载" in body
    assert world.lisi.name not in body and shown(codes[world.lisi.pk]) not in body
    assert reverse("handover:transfer_detail_archive", args=[world.zhangsan.pk]) in body
    # the menu names both lists
    assert "户口信息转递列表" in body and reverse("handover:transfers_hukou") in body
    transfers.mark_stale("archive", [(world.zhangsan.pk, ["unit_name"])])
    body = client.get(list_url()).content.decode()
    assert "已失效" in body and shown(codes[world.zhangsan.pk]) not in body  # a stale code is not handed out


def test_filters_by_state_time_name_year_and_department(world, client, codes):
    g = f.graduate(world.cs, world.cs_major, name="王小明")
    report(g)  # 未生成
    client.force_login(world.wang)

    def names(**params) -> set[str]:
        body = client.get(list_url(), {"page_size": 100, **params}).content.decode()
        return {n for n in (world.zhangsan.name, g.name) if n in body}

    assert names() == {world.zhangsan.name, g.name}
    assert names(status="none") == {g.name}
    assert names(status="generated") == {world.zhangsan.name}
    assert names(status="current") == {world.zhangsan.name}
    assert names(status="stale") == set()
    transfers.mark_stale("archive", [(world.zhangsan.pk, ["unit_name"])])
    assert names(status="stale") == {world.zhangsan.name} and names(status="current") == set()
    today = timezone.localdate()
    assert names(updated_from=today.isoformat(), updated_to=today.isoformat()) == {world.zhangsan.name}
    assert names(updated_from=(today + dt.timedelta(days=1)).isoformat()) == set()
    assert names(updated_to=(today - dt.timedelta(days=1)).isoformat()) == set()
    assert names(q=g.exam_no) == {g.name} and names(q="王小") == {g.name}
    assert names(graduation_year=g.graduation_year + 1) == set()
    # bad values are left out, never an error page
    for bad in ({"status": "x" * 300}, {"updated_from": "2026-13-45"}, {"graduation_year": "abc"}, {"page": "x"},
                {"department": "x" * 300}, {"updated_to": ["1", "2"]}):
        assert client.get(list_url(), bad).status_code == 200
    # a NUL byte is refused before any view, with a clear message
    r = client.get(list_url(), {"q": "张\x00三"})
    assert r.status_code == 400 and "NUL" in r.content.decode()
    client.force_login(world.qian)
    body = client.get(list_url(), {"department": world.fl.pk}).content.decode()
    assert world.lisi.name in body and world.zhangsan.name not in body


def test_the_hukou_list_holds_the_hukou_roster_only(world, client, codes):
    client.force_login(world.qian)
    body = client.get(list_url("hukou")).content.decode()
    assert "户口信息转递列表" in body and world.zhangsan.name in body and world.lisi.name not in body
    hukou = TransferCode.objects.get(kind="hukou", graduate=world.zhangsan)
    assert shown(hukou) in body and shown(codes[world.zhangsan.pk]) not in body
    assert client.get(reverse("handover:transfers", args=["other"])).status_code == 404


def test_the_page_stays_a_fixed_number_of_queries(world, client, codes):
    client.force_login(world.wang)
    client.get(list_url())  # the session and the caches (code tables, menus) are warm for both counts
    with CaptureQueriesContext(connection) as small:
        assert client.get(list_url()).status_code == 200
    for _ in range(15):
        report(f.graduate(world.cs, world.cs_major))
    transfers.generate(world.wang, "archive")
    with CaptureQueriesContext(connection) as large:
        client.get(list_url())
    assert len(large) == len(small)
    with CaptureQueriesContext(connection) as hundred:
        client.get(list_url(), {"page_size": 100})
    assert len(hundred) == len(small)


# ---- 批量生成 on the page ----------------------------------------------------------------------------------

def test_the_button_generates_and_reports_the_counts(world, client):
    report(world.zhangsan)
    client.force_login(world.wang)
    r = client.post(reverse("handover:transfer_generate", args=["archive"]), follow=True)
    body = r.content.decode()
    assert "新生成 1 个，重新生成 0 个" in body
    tc = TransferCode.objects.get(graduate=world.zhangsan, kind="archive")
    assert shown(tc) in body
    assert client.get(reverse("handover:transfer_generate", args=["archive"])).status_code == 405
    # a school user filtering one department generates for that department only
    report(world.lisi)
    client.force_login(world.qian)
    client.post(reverse("handover:transfer_generate", args=["archive"]), {"department": world.fl.pk})
    run_ = TransferCodeRun.objects.first()
    assert (run_.department_id, run_.created) == (world.fl.pk, 1)
    r = client.post(reverse("handover:transfer_generate", args=["archive"]), {"department": "x" * 300}, follow=True)
    assert r.status_code == 200 and "院系无效" in r.content.decode()


# ---- 查询 ---------------------------------------------------------------------------------------------------

def test_the_detail_shows_the_sheet_with_its_code_or_why_not(world, client, codes):
    client.force_login(world.wang)
    url = reverse("handover:transfer_detail", args=["archive", world.zhangsan.pk])
    body = client.get(url).content.decode()
    tc = codes[world.zhangsan.pk]
    assert "档案登记信息表" in body and "转递编号" in body and shown(tc) in body and 'class="sheet-qr"' in body
    assert "档案转递信息" in body and "广州市天河区人才服务中心" in body and world.zhangsan.id_number not in body
    transfers.mark_stale("destination", [(world.zhangsan.pk, ["unit_name"])])
    body = client.get(url).content.decode()
    assert shown(tc) not in body and "转递编号已失效" in body and "毕业去向的重要字段已变更" in body
    assert 'id="sheet-no-code"' in body
    g = f.graduate(world.cs, world.cs_major)
    body = client.get(reverse("handover:transfer_detail", args=["archive", g.pk])).content.decode()
    assert "尚未生成转递编号" in body
    transfers.generate(world.wang, "hukou")
    hukou = TransferCode.objects.get(kind="hukou", graduate=world.zhangsan)
    body = client.get(reverse("handover:transfer_detail_hukou", args=[world.zhangsan.pk])).content.decode()
    assert "户口登记信息表" in body and shown(hukou) in body and "户口迁移信息" in body


# ---- 批量下载 -----------------------------------------------------------------------------------------------

def test_the_export_holds_the_info_and_the_codes_of_the_query(world, client, codes):
    client.force_login(world.qian)
    r = client.get(reverse("handover:transfer_export", args=["archive"]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = workbook(r)
    head = rows[0]
    for label in ("考生号", "姓名", "性别", "院系", "专业", "毕业去向", "单位名称", *(fl.label for fl in ARCHIVE.fields),
                  "转递编号", "转递编号状态", "更新时间"):
        assert label in head, label
    by_exam = {row[head.index("考生号")]: dict(zip(head, row)) for row in rows[1:]}
    z = by_exam[world.zhangsan.exam_no]
    assert z["转递编号"] == shown(codes[world.zhangsan.pk]) and z["转递编号状态"] == "有效"
    assert z["档案转递单位名称"] == "广州市天河区人才服务中心" and z["单位名称"] == "某某科技有限公司"
    assert z["档案转递类型"] and z["档案转递类型"] != "1"  # the code table's name, not the code
    assert by_exam[world.lisi.exam_no]["转递编号"] == shown(codes[world.lisi.pk])
    assert by_exam[world.lisi.exam_no]["档案转递单位名称"] in (None, "")
    # the current query only
    rows = workbook(client.get(reverse("handover:transfer_export", args=["archive"]), {"department": world.fl.pk}))
    assert [r[0] for r in rows[1:]] == [world.lisi.exam_no]
    # a stale code is not in the file
    transfers.mark_stale("archive", [(world.zhangsan.pk, ["unit_name"])])
    rows = workbook(client.get(reverse("handover:transfer_export", args=["archive"])))
    z = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}[world.zhangsan.exam_no]
    assert z["转递编号"] in (None, "") and z["转递编号状态"] == "已失效"
    # 户口: the hukou info fields
    rows = workbook(client.get(reverse("handover:transfer_export", args=["hukou"])))
    assert "户口迁移类型" in rows[0] and "迁入地址" in rows[0] and len(rows) == 2


def test_the_export_is_a_fixed_number_of_queries(world, client, codes):
    client.force_login(world.qian)
    url = reverse("handover:transfer_export", args=["archive"])
    workbook(client.get(url))
    with CaptureQueriesContext(connection) as small:
        workbook(client.get(url))
    for _ in range(12):
        report(f.graduate(world.cs, world.cs_major))
    transfers.generate(world.qian, "archive")
    with CaptureQueriesContext(connection) as large:
        rows = workbook(client.get(url))
    assert len(rows) == 15 and len(large) == len(small)


# ---- who sees what -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "code"), [("zhao", 404), ("sun", 404), ("u_zhangsan", 403), ("u_employer", 403),
                                           ("zhou", 403)])
def test_other_scopes_and_roles_are_refused(world, client, codes, who, code):
    client.force_login(getattr(world, who))
    tc = codes[world.zhangsan.pk]
    assert client.get(reverse("handover:transfer_detail", args=["archive", world.zhangsan.pk])).status_code == code
    if code == 403:
        for url in (list_url(), reverse("handover:transfer_export", args=["archive"])):
            assert client.get(url).status_code == 403
        assert client.post(reverse("handover:transfer_generate", args=["archive"])).status_code == 403
    else:
        body = client.get(list_url()).content.decode()
        assert world.zhangsan.name not in body and shown(tc) not in body
        rows = workbook(client.get(reverse("handover:transfer_export", args=["archive"])))
        assert shown(tc) not in repr(rows) and world.zhangsan.exam_no not in repr(rows)
    assert TransferCodeRun.objects.count() == 2


def test_the_graduate_never_sees_a_transfer_code(world, client, codes):
    client.force_login(world.u_zhangsan)
    tcs = list(TransferCode.objects.filter(graduate=world.zhangsan))
    pages = [reverse("accounts:home"), reverse("confirmation:mine")]
    api = ["/api/v1/confirmation/mine", "/api/v1/verification/transfers/archive"]
    for url in pages + api:
        body = client.get(url).content.decode()
        for tc in tcs:
            assert tc.code not in body and shown(tc) not in body, url
    assert client.get("/api/v1/verification/transfers/archive").status_code == 403
    assert client.post("/api/v1/verification/transfers/archive/generate", "{}", content_type="application/json").status_code == 403
    # the menu offers the graduate no 转递列表
    assert "档案信息转递列表" not in client.get(reverse("confirmation:mine")).content.decode()


# ---- the API -----------------------------------------------------------------------------------------------

def test_the_api_lists_with_codes_and_generates(world, client, codes):
    client.force_login(world.wang)
    r = client.get("/api/v1/verification/transfers/archive", {"status": "current"})
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert (item["graduate_id"], item["code"], item["status"], item["status_label"]) == (
        world.zhangsan.pk, shown(codes[world.zhangsan.pk]), "current", "有效")
    g = f.graduate(world.cs, world.cs_major)
    report(g)
    r = client.post("/api/v1/verification/transfers/archive/generate", "{}", content_type="application/json")
    assert r.status_code == 200 and (r.json()["created"], r.json()["renewed"]) == (1, 0)
    # another department, bad input
    r = client.post("/api/v1/verification/transfers/archive/generate", json.dumps({"department": world.fl.pk}),
                    content_type="application/json")
    assert r.status_code == 404
    assert client.get("/api/v1/verification/transfers/other").status_code == 400
    assert client.get("/api/v1/verification/transfers/archive", {"q": "a\x00b"}).status_code == 400
    r = client.post("/api/v1/verification/transfers/archive/generate", json.dumps({"department": "x" * 300}),
                    content_type="application/json")
    assert r.status_code in (400, 422) and "detail" in r.json()
    client.force_login(world.zhao)
    assert world.zhangsan.name not in client.get("/api/v1/verification/transfers/archive").content.decode()
    client.force_login(world.sun)
    assert client.get("/api/v1/verification/transfers/archive").json()["count"] == 0
