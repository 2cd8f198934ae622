"""The two signing journeys as their users make them, in Chromium: online and offline (e-agreement)."""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from gradreg.signing.models import Signing
from gradreg.signing.models import SigningStatus as S

from .conftest import ARTIFACTS, fits_phone, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def review(pg, pk: int, action_label: str, name: str) -> None:
    pg.goto(f"/signing/{pk}/")
    shot(pg, name)
    pg.click(f"button:has-text('{action_label}')")
    pg.wait_for_selector(".flash li.success")


def save_pdf_pages(pdf: Path, stem: str) -> list[Path]:
    """Render the PDF with poppler to look at it (the CI keeps the PNGs as artifacts)."""
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(ARTIFACTS / stem)], check=True)
    return sorted(ARTIFACTS.glob(f"{stem}*.png"))


def test_online_signing(open_as, world):
    employer = open_as("employer")
    employer.click("text=毕业去向登记与网签")
    employer.click("nav.modnav >> text=发起签约邀请")
    employer.fill("#id_name", "张三")
    employer.fill("#id_id_number", world.zhangsan.id_number)
    employer.fill("#id_position", "软件开发工程师")
    employer.select_option("#id_job_category", "13")
    employer.fill("#id_work_region", "440106")
    employer.fill("#id_monthly_salary", "12000")
    employer.fill("#id_probation_months", "3")
    employer.fill("#id_service_years", "3")
    employer.fill("#id_breach_terms", "任何一方违约，应向对方支付违约金人民币5000元。")
    employer.fill("#id_archive_unit", "广州市人才服务中心")
    shot(employer, "10-employer-invite")
    employer.click("form.card button[type=submit]")
    employer.wait_for_selector("text=已向张三发出签约邀请")
    signing = Signing.objects.get()
    assert signing.status == S.INVITED

    graduate = open_as("zhangsan", phone=True)
    graduate.goto("/signing/my/")
    assert graduate.get_by_text("某某科技有限公司").first.is_visible()
    fits_phone(graduate)
    shot(graduate, "11-graduate-invitation-phone")
    graduate.click("text=查看协议并处理")
    graduate.click("button:has-text('同意签约')")
    graduate.wait_for_selector("text=学生已同意签约,等待学院审核")
    fits_phone(graduate)
    shot(graduate, "12-graduate-agreed-phone")

    dept = open_as("wang")
    dept.goto("/signing/review/")
    dept.select_option("#id_status", S.AGREED)
    dept.click("form.filters button[type=submit]")
    # waits by locator: the pages' CSP (script-src 'self') refuses the eval a string predicate needs
    dept.locator("#results tbody tr:has-text('张三')").wait_for()
    assert "张三" in dept.inner_text("#results")
    shot(dept, "13-dept-review-list")
    review(dept, signing.pk, "审核通过", "14-dept-review-page")

    school = open_as("qian")
    review(school, signing.pk, "审核通过", "15-school-review-page")
    signing.refresh_from_db()
    assert signing.status == S.SIGNED

    graduate.goto(f"/signing/{signing.pk}/")
    assert graduate.get_by_text("签约成功").first.is_visible()
    with graduate.expect_download() as dl:
        graduate.click("text=下载电子就业协议书（PDF）")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "online-agreement.pdf"
    dl.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    pages = save_pdf_pages(pdf, "16-online-agreement")
    assert pages
    shot(graduate, "17-graduate-signed-phone")


def stamped_png() -> bytes:
    img = Image.new("RGB", (900, 1200), "white")
    d = ImageDraw.Draw(img)
    d.ellipse((600, 900, 820, 1120), outline="red", width=8)
    d.text((80, 80), "agreement scan", fill="black")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_offline_signing(open_as, world, tmp_path):
    graduate = open_as("zhangsan", phone=True)
    graduate.goto("/signing/apply/")
    fits_phone(graduate)
    values = {
        "#id_employer_name": "广州某某设计工作室", "#id_credit_code": "91110077000000077W",
        "#id_employer_region": "440106", "#id_employer_address": "广州市天河区体育西路1号",
        "#id_contact_name": "李经理", "#id_contact_phone": "13800138000", "#id_position": "UI设计师",
        "#id_work_region": "440106", "#id_monthly_salary": "8000", "#id_probation_months": "2",
    }
    for sel, v in values.items():
        graduate.fill(sel, v)
    graduate.select_option("#id_employer_nature", "39")
    graduate.select_option("#id_employer_industry", "34")
    graduate.select_option("#id_job_category", "13")
    shot(graduate, "20-offline-apply-phone")
    graduate.click("form.card button[type=submit]")
    graduate.wait_for_selector("text=就业协议审核中,等待学院审核")
    signing = Signing.objects.get()

    dept = open_as("wang")
    dept.goto(f"/signing/{signing.pk}/")
    dept.fill("#id_reason", "岗位名称请写完整，如“UI设计师（视觉方向）”")
    dept.click("button:has-text('退回修改')")
    dept.wait_for_selector(".flash li.success")
    signing.refresh_from_db()
    assert signing.status == S.DRAFT_RETURNED

    graduate.goto(f"/signing/{signing.pk}/")
    assert graduate.get_by_text("岗位名称请写完整").first.is_visible()
    graduate.click("text=修改就业协议信息并重新提交")
    graduate.fill("#id_position", "UI设计师（视觉方向）")
    graduate.click("form.card button[type=submit]")
    graduate.wait_for_selector("text=已重新提交")

    review(dept, signing.pk, "审核通过", "21-offline-dept-review")
    school = open_as("qian")
    review(school, signing.pk, "审核通过", "22-offline-school-review")
    signing.refresh_from_db()
    assert signing.status == S.AWAIT_UPLOAD and signing.position == "UI设计师（视觉方向）"

    graduate.goto(f"/signing/{signing.pk}/")
    with graduate.expect_download() as dl:
        graduate.click("text=下载电子就业协议书（PDF）")
    pdf = ARTIFACTS / "offline-agreement.pdf"
    dl.value.save_as(pdf)
    assert save_pdf_pages(pdf, "23-offline-agreement")
    scan = tmp_path / "stamped.png"
    scan.write_bytes(stamped_png())
    graduate.set_input_files("#id_file", str(scan))
    graduate.click("button:has-text('上传并提交审核')")
    graduate.wait_for_selector("text=签约审核中,等待学院审核")
    shot(graduate, "24-offline-uploaded-phone")

    dept.goto(f"/signing/{signing.pk}/")
    assert dept.locator("img.licence").is_visible()  # the stamped image inline
    review(dept, signing.pk, "审核通过", "25-offline-stamped-review")
    review(school, signing.pk, "审核通过", "26-offline-school-stamped")
    signing.refresh_from_db()
    assert signing.status == S.SIGNED


def test_employer_registers_on_a_phone_and_learns_why_it_cannot_invite_yet(browser, live_server, tmp_path):
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844},
                              is_mobile=True, device_scale_factor=2)
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    pg.goto("/login/")
    pg.click("text=用人单位注册")
    licence = tmp_path / "licence.png"
    licence.write_bytes(stamped_png())
    for sel, v in {"#id_name": "广州新注册科技有限公司", "#id_credit_code": "91110077000000077W",
                   "#id_region_code": "440106", "#id_address": "广州市天河区某路8号", "#id_contact_name": "周经理",
                   "#id_contact_phone": "13800138001", "#id_username": "newcorp",
                   "#id_password": "Xin-zhuce-2026!", "#id_password_confirm": "Xin-zhuce-2026!"}.items():
        pg.fill(sel, v)
    pg.select_option("#id_nature_code", "39")
    pg.select_option("#id_industry_code", "34")
    pg.set_input_files("#id_licence", str(licence))
    fits_phone(pg)
    shot(pg, "30-employer-register-phone")
    pg.click("form button[type=submit]")
    pg.wait_for_url("**/done/**")
    login(pg, "newcorp", "Xin-zhuce-2026!")
    pg.wait_for_url("**/modules/")
    pg.goto("/signing/invite/")
    assert pg.get_by_text("审核通过后才能").first.is_visible()
    fits_phone(pg)
    shot(pg, "31-employer-invite-blocked-phone")
    ctx.close()
