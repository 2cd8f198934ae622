"""去向登记 and 补登 as their users make them, in Chromium: the graduate on a phone, reviewers at a desk."""
from __future__ import annotations

import pytest

from gradreg.destinations import services
from gradreg.destinations.models import PaperAgreement, PaperStatus, Registration, RegistrationStatus
from gradreg.ems.models import ReportedDestination
from gradreg.signing import services as signing_services
from gradreg.signing.models import Signing, SigningStatus
from gradreg.workflow.outbox import deliver_pending
from tests.signing.conftest import PDF, PNG

from .conftest import ARTIFACTS, fits_phone, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
R, P = RegistrationStatus, PaperStatus


def off_loop(fn):
    """Run a service outside Playwright's event loop (signing a PDF runs one of its own), as a server would."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run():
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def files(tmp_path):
    (tmp_path / "录取通知书.pdf").write_bytes(PDF)
    (tmp_path / "协议书.png").write_bytes(PNG)
    return tmp_path / "录取通知书.pdf", tmp_path / "协议书.png"


def act(pg, url: str, label: str, name: str, reason: str = "") -> None:
    pg.goto(url)
    shot(pg, name)
    if reason:
        pg.fill("#id_reason", reason)
    pg.click(f"form.review-form button:has-text('{label}')")
    pg.wait_for_selector(".flash li.success")


def test_postgraduate_registration_returned_fixed_approved_and_voided(open_as, world, tmp_path):
    letter, _ = files(tmp_path)
    grad = open_as("zhangsan", phone=True)
    grad.goto("/destinations/new/")
    grad.select_option("#id_type", "study_domestic.postgraduate")
    grad.click("button:has-text('下一步')")
    grad.fill("#id_institution", "中山大学")
    grad.select_option("#id_study_level", "硕士研究生")
    grad.click("button:has-text('提交审核')")  # no major, no letter: both reported, nothing created
    grad.wait_for_selector(".field-error")
    shot(grad, "60-grad-postgraduate-errors")
    assert not Registration.objects.exists()
    grad.fill("#id_major", "计算机科学与技术")
    grad.set_input_files("#id_proof", str(letter))
    shot(grad, "61-grad-postgraduate-form")
    fits_phone(grad)
    grad.click("button:has-text('提交审核')")
    grad.wait_for_selector("text=去向登记审核中,等待学院审核")
    fits_phone(grad)
    shot(grad, "62-grad-submitted")
    item = Registration.objects.get()

    dept = open_as("wang")
    dept.goto("/destinations/")
    dept.wait_for_selector(f"text={world.zhangsan.name}")
    shot(dept, "63-dept-destination-list")
    act(dept, item.get_absolute_url(), "退回修改", "64-dept-review", reason="请补充录取专业的全称")
    assert Registration.objects.get().status == R.RETURNED

    grad.goto("/destinations/my/")
    grad.wait_for_selector("text=请补充录取专业的全称")
    shot(grad, "65-grad-returned")
    grad.click("a:has-text('修改并重新提交')")
    grad.fill("#id_major", "计算机科学与技术（人工智能方向）")
    grad.click("button:has-text('提交审核')")
    grad.wait_for_selector("text=去向登记审核中,等待学院审核")

    act(dept, item.get_absolute_url(), "审核通过", "66-dept-approve")
    school = open_as("qian")
    act(school, item.get_absolute_url(), "审核通过", "67-school-approve")
    item.refresh_from_db()
    assert item.status == R.APPROVED and item.details["major"] == "计算机科学与技术（人工智能方向）"
    deliver_pending()
    assert ReportedDestination.objects.get(graduate=world.zhangsan).source_id == item.pk

    grad.goto(item.get_absolute_url())
    grad.once("dialog", lambda d: d.accept())
    grad.click("form.review-form button:has-text('作废')")
    grad.wait_for_selector("text=已作废")
    shot(grad, "68-grad-voided")
    fits_phone(grad)
    deliver_pending()
    assert not ReportedDestination.objects.filter(graduate=world.zhangsan).exists()
    dept.goto("/destinations/?status=voided")
    dept.wait_for_selector(f"text={world.zhangsan.name}")
    shot(dept, "69-dept-void-record")


def test_job_seeking_then_an_invitation_is_signed(open_as, world):
    grad = open_as("zhangsan", phone=True)
    grad.goto("/destinations/new/?type=unemployed.job_seeking")
    grad.click("button:has-text('提交审核')")
    grad.wait_for_selector("text=去向登记审核中,等待学院审核")
    report = Registration.objects.get()
    services.act(Registration, actor=world.wang, pk=report.pk, action="approve")
    services.act(Registration, actor=world.qian, pk=report.pk, action="approve")

    # the employer invites; the graduate, 求职中, agrees on the phone without voiding anything first
    signing = signing_services.invitation_create(
        actor=world.u_employer, name=world.zhangsan.name, id_number=world.zhangsan.id_number,
        terms={"position": "软件开发工程师", "job_category": "13", "work_region": "440106", "monthly_salary": "12000"})
    grad.goto(f"/signing/{signing.pk}/")
    shot(grad, "70-grad-invitation-while-job-seeking")
    grad.click("button:has-text('同意签约')")
    grad.wait_for_selector(".flash li.success")
    for reviewer in (world.wang, world.qian):
        off_loop(lambda reviewer=reviewer: signing_services.signing_act(actor=reviewer, pk=signing.pk, action="approve"))
    assert Signing.objects.get().status == SigningStatus.SIGNED
    report.refresh_from_db()
    assert report.status == R.VOIDED  # the platform voided the 未就业 report, recorded
    grad.goto("/destinations/my/")
    grad.wait_for_selector("text=已作废")
    shot(grad, "71-grad-job-seeking-superseded")
    fits_phone(grad)


def test_paper_agreement_end_to_end(open_as, world, tmp_path):
    _, scan = files(tmp_path)
    grad = open_as("zhangsan", phone=True)
    grad.goto("/destinations/paper/new/")
    grad.fill("#id_unit_name", "广州云启科技有限公司")
    grad.fill("#id_credit_code", "91440101MA59XXXX1X")
    grad.click("button:has-text('提交审核')")
    grad.wait_for_selector(".field-error")
    grad.fill("#id_credit_code", world.employer.credit_code)
    grad.select_option("#id_unit_nature", "39")
    grad.select_option("#id_unit_industry", "34")
    grad.fill("#id_unit_region", "440106")
    grad.select_option("#id_job_category", "13")
    grad.fill("#id_position", "软件开发工程师")
    grad.fill("#id_work_region", "440106")
    grad.fill("#id_paper_no", "2027-000123")
    grad.fill("#id_signed_date", "2026-11-20")
    grad.set_input_files("#id_proof", str(scan))
    shot(grad, "72-grad-paper-form")
    fits_phone(grad)
    grad.click("button:has-text('提交审核')")
    grad.wait_for_selector("text=补登审核中,等待学院审核")
    item = PaperAgreement.objects.get()
    dept = open_as("wang")
    dept.goto("/destinations/paper/")
    dept.wait_for_selector(f"text={world.zhangsan.name}")
    shot(dept, "73-dept-paper-list")
    act(dept, item.get_absolute_url(), "审核通过", "74-dept-paper-review")
    school = open_as("qian")
    act(school, item.get_absolute_url(), "审核通过", "75-school-paper-review")
    assert PaperAgreement.objects.get().status == P.APPROVED
    grad.goto(item.get_absolute_url())
    grad.wait_for_selector("text=审核通过,已补登")
    shot(grad, "76-grad-paper-approved")
    fits_phone(grad)
    assert (ARTIFACTS / "76-grad-paper-approved.png").exists()
