"""去向登记信息表 PDF (seed 6): the signed file (Chinese, embedded font, no ID number), its QR code read back from the
rendered page, the downloads and who may have them, and the document check telling current from superseded."""
from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from reportlab.pdfgen import canvas

from gradreg.archives.models import ApplicationStatus as AS
from gradreg.common.pdfsign import sha256_hex, verify_pdf_signature
from gradreg.ems.models import Graduate, ReportedDestination
from gradreg.verification import codeformat, services
from gradreg.verification.models import AgreementCheck, LookupMethod, LookupOutcome, Outcome, SheetIssue, SheetLookup
from gradreg.verification.sheet_pdf import issue_sheet, render_sheet
from gradreg.verification.sheet_signature import signed_sheet
from gradreg.verification.sheets import sheet_for
from tests.archives.conftest import application_in
from tests.verification.sheet_helpers import grant, transfer_code
from tests.verification.test_confirmation import report


def _sheet(graduate, kind="archive", code=None):
    code = code or grant(graduate)
    code_type = "verify" if hasattr(code, "provider") else "transfer"
    return sheet_for(graduate, kind).with_code(code_type, code.code, code.qr_token)


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def _upload(client, data: bytes):
    return client.post(reverse("verification:agreement_upload"),
                       {"file": SimpleUploadedFile("档案登记信息表.pdf", data, content_type="application/pdf")})


# ---- the file ----------------------------------------------------------------------------------------------

def test_the_sheet_pdf_is_signed_chinese_with_the_font_embedded_and_no_id_number(reported, tmp_path):
    sheet = _sheet(reported)
    data = render_sheet(sheet)
    assert data.startswith(b"%PDF") and verify_pdf_signature(data)
    text = _pdf_text(data, tmp_path)
    for shown in ("在线核验报告", "档案登记信息表", "基本信息", "毕业去向信息", "核验编号", codeformat.grouped(sheet.code),
                  "张三", "某某科技有限公司", f"{reported.graduation_date:%Y%m}", "第1页/共1页"):
        assert shown in text, shown
    assert sheet.qr_url in text.replace("\n", "").replace(" ", "")
    assert text.count(codeformat.grouped(sheet.code)) == 2  # the header's and the footer's, each on one line
    assert reported.id_number not in text and (not reported.phone or reported.phone not in text)
    assert "档案转递信息" not in text.replace("档案转递信息在线核验", "")  # not registered: no 档案转递 section
    (tmp_path / "f.pdf").write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "f.pdf")], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), fonts  # every font embedded (emb column)
    assert signed_sheet(data) == signed_sheet(data) and signed_sheet(data).code == sheet.code
    assert signed_sheet(data).kind == "archive"


def test_the_widest_code_stays_on_one_line_in_the_header(reported, tmp_path):
    sheet = _sheet(reported, code=grant(reported, code="MWMWMWMWMWMWMWMW"))
    text = _pdf_text(render_sheet(sheet), tmp_path)
    assert text.count("MWMW-MWMW-MWMW-MWMW") == 2, text[:600]


def test_the_registered_archive_info_gets_its_own_section(world, tmp_path):
    application_in(world, AS.APPROVED)  # 张三's 档案 info registered
    report(world.zhangsan)
    graduate = Graduate.objects.select_related("school", "major").get(pk=world.zhangsan.pk)
    sheet = _sheet(graduate)
    assert sheet.transfer
    text = _pdf_text(render_sheet(sheet), tmp_path)
    assert "档案转递信息" in text.replace("档案转递信息在线核验", "") and "广州市天河区人才服务中心" in text
    hukou = _pdf_text(render_sheet(_sheet(graduate, "hukou", transfer_code(graduate, "hukou"))), tmp_path)
    assert "户口迁移信息" not in hukou.replace("户口迁移信息在线核验", "")


def test_the_qr_code_on_the_page_decodes_to_the_sheets_address_which_shows_the_sheet(client, reported, tmp_path):
    tc = transfer_code(reported, "hukou")
    sheet = _sheet(reported, "hukou", tc)
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(render_sheet(sheet))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    qr = [b.text for b in found if b.format == zxingcpp.BarcodeFormat.QRCode]
    assert qr == [sheet.qr_url]
    path = "/" + sheet.qr_url.split("://", 1)[1].split("/", 1)[1]
    assert path == reverse("verification:sheet_qr", args=["hukou", tc.qr_token])
    r = client.get(path)
    page = r.content.decode()
    assert r.status_code == 200 and "户口登记信息表" in page and codeformat.grouped(tc.code) in page
    assert SheetLookup.objects.get().method == LookupMethod.QR


def test_issue_sheet_records_the_file(reported, world):
    sheet = _sheet(reported)
    data = issue_sheet(sheet, actor=world.u_zhangsan)
    issue = SheetIssue.objects.get()
    assert (issue.sha256, issue.content_sha256, issue.code, issue.code_type, issue.kind) == (
        sha256_hex(data), sheet.content_sha256(), sheet.code, "verify", "archive")
    assert (issue.graduate_id, issue.school_id, issue.issued_by) == (reported.pk, reported.school_id,
                                                                      world.u_zhangsan)
    with pytest.raises(ValueError):
        issue_sheet(sheet_for(reported, "archive"), actor=world.u_zhangsan)


# ---- the downloads ------------------------------------------------------------------------------------------

def test_the_graduate_downloads_their_own_sheet_only_while_the_grant_is_live(client, reported, world):
    url = reverse("handover:mine_pdf", args=["archive"])
    client.force_login(world.u_zhangsan)
    r = client.get(url)
    assert r.status_code == 409 and "核验授权未生效" in r.content.decode()
    g = grant(reported)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].lower().startswith("attachment; filename*=utf-8''")
    assert "%E6%A1%A3%E6%A1%88%E7%99%BB%E8%AE%B0%E4%BF%A1%E6%81%AF%E8%A1%A8-" + reported.exam_no + ".pdf" in \
        r["Content-Disposition"]
    assert "no-store" in r["Cache-Control"]
    data = b"".join(r.streaming_content)
    issue = SheetIssue.objects.get()
    assert issue.sha256 == sha256_hex(data) and issue.code == g.code and issue.issued_by == world.u_zhangsan
    assert client.get(reverse("handover:mine_pdf", args=["hukou"])).status_code == 200
    assert client.get(reverse("handover:mine_pdf", args=["other"])).status_code == 404
    g.ended_at = timezone.now()
    g.save()
    assert client.get(url).status_code == 409
    g.ended_at, g.expires_at = None, timezone.now() - dt.timedelta(seconds=1)
    g.save()
    assert client.get(url).status_code == 409
    assert SheetIssue.objects.count() == 2


def test_only_the_graduate_downloads_the_own_sheet(client, reported, world):
    grant(reported)
    url = reverse("handover:mine_pdf", args=["archive"])
    assert client.get(url).status_code == 302  # to the login page
    for user in (world.wang, world.qian, world.sun):
        client.force_login(user)
        r = client.get(url)
        assert r.status_code == 403 and "只有毕业生本人" in r.content.decode()
    assert not SheetIssue.objects.exists()


def test_staff_download_with_the_current_transfer_code_within_their_scope(client, reported, world):
    url = reverse("handover:transfer_pdf", args=["archive", reported.pk])
    client.force_login(world.wang)
    r = client.get(url)
    assert r.status_code == 409 and "尚未生成转递编号" in r.content.decode()
    tc = transfer_code(reported, "archive")
    for user in (world.wang, world.qian):
        client.force_login(user)
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
        assert reported.exam_no in r["Content-Disposition"]
    assert list(SheetIssue.objects.values_list("code", "code_type", "issued_by")) == [
        (tc.code, "transfer", world.qian.pk), (tc.code, "transfer", world.wang.pk)]
    for user, status in ((world.zhao, 404), (world.sun, 404), (world.u_zhangsan, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(world.wang)
    assert client.get(reverse("handover:transfer_pdf", args=["hukou", reported.pk])).status_code == 409
    assert client.get(reverse("handover:transfer_pdf", args=["archive", 99999999])).status_code == 404
    tc.stale_at = timezone.now()
    tc.save()
    r = client.get(url)
    assert r.status_code == 409 and "已因重要信息变更失效" in r.content.decode()
    assert SheetIssue.objects.count() == 2


def test_the_pages_link_the_pdf_only_when_the_code_verifies(client, reported, world):
    """核验授权's page links the graduate's PDFs while the grant is live; 查询 links a current 转递编号's PDF."""
    client.force_login(world.u_zhangsan)
    mine = reverse("handover:mine_pdf", args=["archive"])
    assert mine not in client.get(reverse("handover:mine")).content.decode()
    grant(reported)
    page = client.get(reverse("handover:mine")).content.decode()
    assert mine in page and 'id="sheet-pdf-archive"' in page
    detail = reverse("handover:transfer_detail", args=["archive", reported.pk])
    pdf = reverse("handover:transfer_pdf", args=["archive", reported.pk])
    client.force_login(world.wang)
    assert pdf not in client.get(detail).content.decode()
    tc = transfer_code(reported, "archive")
    assert pdf in client.get(detail).content.decode()
    assert client.get(pdf).status_code == 200
    tc.stale_at = timezone.now()
    tc.save()
    assert pdf not in client.get(detail).content.decode()


# ---- the document check ------------------------------------------------------------------------------------

def test_a_fresh_sheet_is_current_then_superseded_by_a_stale_code(client, reported, world):
    tc = transfer_code(reported, "archive")
    data = issue_sheet(_sheet(reported, "archive", tc), actor=world.wang)
    r = _upload(client, data)
    page = r.content.decode()
    assert r.status_code == 200 and "信息表真实有效，为最新版本" in page
    assert "张*" in page and reported.school.name in page and codeformat.grouped(tc.code) in page
    assert reported.id_number not in page
    log = SheetLookup.objects.get()
    assert (log.method, log.outcome, log.graduate_id, log.code_type) == (
        LookupMethod.UPLOAD, LookupOutcome.SHOWN, reported.pk, "transfer")
    assert not AgreementCheck.objects.exists()
    tc.stale_at = timezone.now()
    tc.save()
    page = _upload(client, data).content.decode()
    assert "信息表真实，但已不是最新版本" in page and "真实有效，为最新版本" not in page
    assert SheetLookup.objects.first().outcome == LookupOutcome.REFUSED


def test_an_important_change_or_an_ended_grant_supersedes_the_file(client, reported, world):
    g = grant(reported)
    data = issue_sheet(_sheet(reported, "archive", g), actor=world.u_zhangsan)
    assert "为最新版本" in _upload(client, data).content.decode()
    ReportedDestination.objects.filter(graduate=reported).update(employer_name="另一家单位")
    assert "已不是最新版本" in _upload(client, data).content.decode()
    ReportedDestination.objects.filter(graduate=reported).update(employer_name="某某科技有限公司")
    assert "为最新版本" in _upload(client, data).content.decode()
    g.ended_at = timezone.now()
    g.save()
    assert "已不是最新版本" in _upload(client, data).content.decode()


def test_a_signed_sheet_not_on_record_is_superseded_never_current(client, reported, world):
    data = issue_sheet(_sheet(reported), actor=world.u_zhangsan)
    SheetIssue.objects.all().delete()
    page = _upload(client, data).content.decode()
    assert "已不是最新版本" in page and "档案登记信息表" in page and "签发时间" not in page


def test_a_tampered_sheet_and_a_random_pdf_fail_the_check(client, reported, world, tmp_path):
    data = issue_sheet(_sheet(reported), actor=world.u_zhangsan)
    at = data.index(b"stream\n") + 60
    tampered = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]
    path = tmp_path / "random.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "sheet")
    c.save()
    for forged in (tampered, data + b"\n% appended\n", path.read_bytes()):
        r = _upload(client, forged)
        page = r.content.decode()
        assert r.status_code == 200 and "不是本平台签发的协议书或信息表，或文件已被改动" in page
        assert "张*" not in page
    assert list(AgreementCheck.objects.values_list("outcome", flat=True)) == [Outcome.FOREIGN] * 3
    assert not SheetLookup.objects.exists()


def test_the_check_page_names_the_sheets_and_links_the_public_look_ups(client, db):
    page = client.get(reverse("verification:agreement_upload")).content.decode()
    assert "去向登记信息表" in page and services.MSG_NOT_PDF
    assert reverse("verification:sheet_check", args=["archive"]) in page
    assert reverse("verification:sheet_check", args=["hukou"]) in page
    login = client.get(reverse("accounts:login")).content.decode()
    assert "档案转递信息在线核验" in login and "户口迁移信息在线核验" in login
    assert reverse("verification:sheet_check", args=["hukou"]) in login
