"""The e-agreement PDF: Chinese text in an embedded font, the platform's signature, and the signing key pair."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import secrets
import shutil
import subprocess
import sys
import threading
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from gradreg.common import pdfsign
from gradreg.signing.agreement_pdf import AgreementDoc, render_agreement

ROOT = Path(__file__).resolve().parents[2]
VERIFY_URL = "https://jy.example.edu.cn/v/10001-2027-000123"
BREACH = "任何一方违约，应向守约方支付违约金人民币伍仟元整；因乙方未取得毕业证书导致无法履约的，乙方不承担违约责任。" * 6


def make_doc(**changes: object) -> AgreementDoc:
    doc = AgreementDoc(
        number="10001-2027-000123",
        generated_at=dt.datetime(2026, 11, 28, 6, 30, tzinfo=dt.UTC),
        verify_url=VERIFY_URL,
        school_name="示例大学",
        school_code="10001",
        graduate_name="张三",
        gender="男",
        id_number="440106200401011234",
        exam_no="23440106150123",
        student_no="2023010101",
        department="计算机学院",
        major="计算机科学与技术",
        education_level="本科",
        schooling_years="4年",
        graduation_date="2027-06-30",
        political_status="共青团员",
        ethnicity="汉族",
        graduate_phone="13800138000",
        origin_region="广东省广州市天河区",
        employer_name="某某科技有限公司",
        credit_code="91440106MA5XXXXX1K",
        employer_nature="其他企业",
        employer_industry="信息传输、软件和信息技术服务业",
        employer_region="广东省广州市天河区",
        employer_address="广东省广州市天河区天河路385号某某大厦十八楼" * 3,
        contact_name="陈经理",
        contact_phone="020-88886666",
        position="软件开发工程师",
        job_category="计算机科学技术专业人员",
        work_region="广东省广州市天河区",
        monthly_salary="12000.00",
        probation_months="3",
        service_years="3",
        breach_terms=BREACH,
        archive_unit="广州市天河区人才服务管理办公室",
        archive_address="广东省广州市天河区天河北路123号",
        hukou_unit="广州市公安局天河区分局",
        hukou_address="广东省广州市天河区体育西路88号",
        other_terms="甲方为乙方缴纳五险一金 <含补充公积金> & 提供年度体检。\n乙方入职后参加两周岗前培训。",
        signed_online=True,
    )
    return dataclasses.replace(doc, **changes)


@pytest.fixture(scope="module", autouse=True)
def signing_pair(tmp_path_factory):
    """A key pair of this module's own, generated on first use like on a fresh checkout."""
    folder = tmp_path_factory.mktemp("signing")
    key, cert = folder / "platform-key.pem", folder / "platform-cert.pem"
    with override_settings(PDF_SIGNING_KEY=key, PDF_SIGNING_CERT=cert, PDF_SIGNING_KEY_PASSPHRASE=""):
        yield key, cert


@pytest.fixture(scope="module")
def pdf(signing_pair) -> bytes:
    return render_agreement(make_doc())


def pdf_text(data: bytes) -> str:
    # `make test` installs poppler-utils; without it this fails rather than skipping the text checks
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is not installed"
    r = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return r.stdout.decode()


def page_count(data: bytes) -> int:
    return int(PdfFileReader(BytesIO(data)).root["/Pages"]["/Count"])


# --- the document ----------------------------------------------------------------------------------


def test_is_a_signed_pdf_of_two_pages(pdf, signing_pair):
    assert pdf.startswith(b"%PDF-")
    assert pdfsign.verify_pdf_signature(pdf)
    assert page_count(pdf) == 2
    assert signing_pair[0].is_file() and signing_pair[1].is_file()  # generated on first use


def test_carries_the_parties_terms_and_verification_url(pdf):
    text = pdf_text(pdf)
    for expected in (
        "全国普通高等学校毕业生就业协议书", "电子就业协议书", "线上签约", "10001-2027-000123",
        "2026-11-28 14:30",  # 06:30 UTC printed in Beijing time
        "张三", "440106200401011234", "某某科技有限公司", "91440106MA5XXXXX1K", "示例大学",
        "软件开发工程师", "12000.00", "广州市公安局天河区分局", VERIFY_URL,
        "甲方（盖章）", "乙方（签名）", "丙方（盖章）", "已通过平台在线确认",
    ):
        assert expected in text, expected
    # user text is escaped, not read as markup
    assert "<含补充公积金> & 提供年度体检" in text


def test_offline_agreement_leaves_room_for_seals(signing_pair):
    text = pdf_text(render_agreement(make_doc(signed_online=False)))
    assert "线下签约（需用人单位盖章后回传）" in text
    assert "已通过平台在线确认" not in text
    assert "经办人" in text


def test_chinese_font_is_embedded(pdf):
    assert b"/FontFile2" in pdf
    assert b"WenQuanYiMicroHei" in pdf
    assert b"/Helvetica" not in pdf  # no unembedded standard font either


def test_long_values_wrap_onto_further_pages(signing_pair):
    longest = ("甲方应当依法为乙方办理社会保险，乙方应遵守甲方依法制定的规章制度。" * 70)[:2000]
    data = render_agreement(make_doc(
        employer_name="某某科技有限公司华南区域研发中心" * 6, breach_terms=longest, other_terms=longest,
        verify_url="https://jy.example.edu.cn/verify/" + "x" * 200,
    ))
    assert pdfsign.verify_pdf_signature(data)
    assert 3 <= page_count(data) <= 4


def test_generated_at_must_be_aware(signing_pair):
    with pytest.raises(ValueError):
        render_agreement(make_doc(generated_at=dt.datetime(2026, 11, 28, 14, 30)))


def test_missing_font_stops_rendering(tmp_path, settings):
    settings.PDF_FONT_PATH = tmp_path / "none.ttc"
    with pytest.raises(ImproperlyConfigured, match="fonts-wqy-microhei"):
        render_agreement(make_doc())


# --- the signature ---------------------------------------------------------------------------------


def test_a_flipped_byte_in_a_content_stream_breaks_the_signature(pdf):
    at = pdf.index(b"stream\n") + 60
    tampered = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1:]
    assert not pdfsign.verify_pdf_signature(tampered)


def test_an_appended_incremental_update_breaks_the_signature(pdf):
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    info = writer.trailer["/Info"]
    info["/Title"] = generic.TextStringObject("已篡改的协议书")
    writer.update_container(info)
    out = BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(pdf) and len(out.getvalue()) > len(pdf)
    assert not pdfsign.verify_pdf_signature(out.getvalue())
    assert not pdfsign.verify_pdf_signature(pdf + b"\n% appended\n")


def test_signature_by_another_key_is_not_the_platforms(pdf, tmp_path):
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    with override_settings(PDF_SIGNING_KEY=key, PDF_SIGNING_CERT=cert):
        impostor = render_agreement(make_doc())
        assert pdfsign.verify_pdf_signature(impostor)  # sound under its own certificate
    assert not pdfsign.verify_pdf_signature(impostor)


def test_unsigned_or_unreadable_input_is_not_verified(pdf):
    assert not pdfsign.verify_pdf_signature(b"")
    assert not pdfsign.verify_pdf_signature(b"%PDF-1.4 nothing else")
    assert not pdfsign.verify_pdf_signature(pdf[: len(pdf) // 2])


def test_agreements_stay_verifiable_after_the_certificate_expires(pdf):
    with time_machine.travel("2033-06-01 10:00 +0800"):
        assert pdfsign.verify_pdf_signature(pdf)


def test_sha256_hex():
    assert pdfsign.sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_encrypted_key_needs_its_passphrase(tmp_path):
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    pdfsign.generate_signing_key(key, cert, passphrase="口令-s3cret")
    assert b"ENCRYPTED" in key.read_bytes()
    with override_settings(PDF_SIGNING_KEY=key, PDF_SIGNING_CERT=cert, PDF_SIGNING_KEY_PASSPHRASE="口令-s3cret"):
        assert pdfsign.verify_pdf_signature(render_agreement(make_doc()))
    with override_settings(PDF_SIGNING_KEY=key, PDF_SIGNING_CERT=cert, PDF_SIGNING_KEY_PASSPHRASE="wrong"):
        with pytest.raises(ImproperlyConfigured, match="PDF_SIGNING_KEY_PASSPHRASE"):
            render_agreement(make_doc())


def test_production_never_generates_a_key(tmp_path, settings):
    settings.GRADREG_ENV = "production"
    settings.PDF_SIGNING_KEY, settings.PDF_SIGNING_CERT = tmp_path / "k.pem", tmp_path / "c.pem"
    with pytest.raises(ImproperlyConfigured, match="missing"):
        render_agreement(make_doc())
    assert not (tmp_path / "k.pem").exists()


# --- the key pair ----------------------------------------------------------------------------------


def test_make_signing_key_writes_a_pair_and_will_not_overwrite_it(tmp_path, settings):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    settings.PDF_SIGNING_KEY = tmp_path / "signing" / "platform-key.pem"
    settings.PDF_SIGNING_CERT = tmp_path / "signing" / "platform-cert.pem"
    call_command("make_signing_key")
    key_pem, cert_pem = settings.PDF_SIGNING_KEY.read_bytes(), settings.PDF_SIGNING_CERT.read_bytes()
    assert key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert settings.PDF_SIGNING_KEY.stat().st_mode & 0o077 == 0  # readable by its owner only
    cert = x509.load_pem_x509_certificate(cert_pem)
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == "毕业去向登记与网上签约平台（开发）"
    assert 5 * 365 <= (cert.not_valid_after_utc - cert.not_valid_before_utc).days <= 5 * 365 + 2

    with pytest.raises(CommandError, match="--force"):
        call_command("make_signing_key")
    assert settings.PDF_SIGNING_KEY.read_bytes() == key_pem

    call_command("make_signing_key", "--force")
    assert settings.PDF_SIGNING_KEY.read_bytes() != key_pem
    assert pdfsign.verify_pdf_signature(render_agreement(make_doc()))  # the new pair is picked up


def test_make_signing_key_refuses_in_production(tmp_path, settings):
    settings.GRADREG_ENV = "production"
    settings.PDF_SIGNING_KEY, settings.PDF_SIGNING_CERT = tmp_path / "k.pem", tmp_path / "c.pem"
    with pytest.raises(CommandError, match="生产环境"):
        call_command("make_signing_key", "--force")


def test_concurrent_first_use_writes_one_matching_pair(tmp_path):
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(pdfsign.generate_signing_key(key, cert))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    with override_settings(PDF_SIGNING_KEY=key, PDF_SIGNING_CERT=cert):
        assert pdfsign.verify_pdf_signature(render_agreement(make_doc()))  # the key belongs to the cert


# --- production settings ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["PDF_SIGNING_KEY", "PDF_SIGNING_CERT"])
@pytest.mark.parametrize("value, message", [(None, "must be set in production"), ("absent.pem", "must name an existing")])
def test_production_requires_the_key_pair(tmp_path, name, value, message):
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    key.write_text("placeholder")  # start-up only checks that the files exist
    cert.write_text("placeholder")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PDF_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        DATABASE_URL="postgres://gradreg:pw@127.0.0.1:5432/gradreg",
        ALLOWED_HOSTS="jy.example.edu.cn",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CODE_SENDER_BACKEND="gradreg.notifications.channels.GatewaySender",
        CODE_SENDER_URL="https://sms.example.edu.cn/send",
        GRADREG_VAR_DIR=str(tmp_path),
        PDF_SIGNING_KEY=str(key),
        PDF_SIGNING_CERT=str(cert),
    )
    if value is None:
        del env[name]
    else:
        env[name] = str(tmp_path / value)
    r = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode != 0
    assert "ImproperlyConfigured" in r.stderr and f"{name} {message}" in r.stderr
