"""The public e-agreement check at the address every agreement's QR code carries (SPEC 6.2).

Before it, `/verify/agreement/<token>/` answered 404 for every agreement the platform had issued.
"""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import resolve, reverse

from gradreg.signing import documents
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from gradreg.verification import services
from gradreg.verification.models import AgreementCheck, CheckMethod, Outcome
from gradreg.verification.services import mask_name
from tests.signing.conftest import PNG, real_pdf, signing_env, signing_in, termination_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("signing_env")


def _page(client, signing=None, token=None):
    return client.get(reverse("verification:agreement", args=[token or signing.verify_token]))


def _upload(client, data: bytes, name: str = "协议书.pdf", content_type: str = "application/pdf"):
    return client.post(reverse("verification:agreement_upload"),
                       {"file": SimpleUploadedFile(name, data, content_type=content_type)})


def _text(response) -> str:
    return response.content.decode()


# ---- the address in the QR code ---------------------------------------------------------------------------

def test_the_qr_address_is_the_pages_named_url(world, settings):
    """The printed 核验网址 is reverse() of the page under PUBLIC_BASE_URL, and resolves to the check."""
    settings.PUBLIC_BASE_URL = "https://jy.example.edu.cn/"
    s = signing_in(world, S.SIGNED)
    path = reverse("verification:agreement", args=[s.verify_token])
    assert path == f"/verify/agreement/{s.verify_token}/"
    assert documents.verify_url(s) == "https://jy.example.edu.cn" + path
    assert resolve(path).url_name == "agreement" and resolve(path).namespace == "verification"


def test_local_settings_put_the_served_port_into_the_qr_address(monkeypatch):
    """`make run` passes PORT: the QR codes it issues name the port it serves on, not always 8000."""
    import importlib

    import config.settings.local as local

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "8765")
    assert importlib.reload(local).PUBLIC_BASE_URL == "http://127.0.0.1:8765"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://jy.example.edu.cn")
    assert importlib.reload(local).PUBLIC_BASE_URL == "https://jy.example.edu.cn"
    monkeypatch.delenv("PUBLIC_BASE_URL")
    monkeypatch.delenv("PORT")
    assert importlib.reload(local).PUBLIC_BASE_URL == "http://127.0.0.1:8000"


# ---- by token -----------------------------------------------------------------------------------------------

def test_a_signed_agreement_is_genuine_and_current_without_login(client, world):
    """Anyone scanning the QR code sees it is genuine, with the few public fields; the name masked."""
    s = signing_in(world, S.SIGNED)
    r = _page(client, s)
    assert r.status_code == 200
    text = _text(r)
    assert "协议书真实有效" in text
    for value in (s.agreement_no, s.employer_name, "张*", world.school.name, "签约成功"):
        assert value in text
    assert "张三" not in text
    assert r["Cache-Control"].startswith("max-age=0") or "no-cache" in r["Cache-Control"]


def test_the_page_shows_no_id_number_and_no_phone(client, world):
    """A third party learns neither the graduate's ID number nor any phone from the public page."""
    s = signing_in(world, S.SIGNED)
    text = _text(_page(client, s))
    secrets_ = [s.graduate_snapshot.get("id_number"), world.zhangsan.id_number, world.zhangsan.phone,
                s.contact_phone, s.graduate.exam_no]
    for value in filter(None, secrets_):
        assert value not in text


def test_a_terminated_agreement_says_so(client, world):
    t = termination_in(world, TS.TERMINATED)
    t.signing.refresh_from_db()
    assert t.signing.status == S.TERMINATED
    r = _page(client, t.signing)
    assert r.status_code == 200
    assert "该协议已解约" in _text(r) and "协议书真实有效" not in _text(r)


def test_an_agreement_still_in_signing_is_not_called_concluded(client, world):
    s = signing_in(world, S.AWAIT_UPLOAD)
    text = _text(_page(client, s))
    assert "签约尚在办理中" in text and "协议书真实有效" not in text


def test_an_unknown_token_is_a_clear_chinese_answer(client, world):
    for token in ("no-such-token", "x" * 200, "%E5%BC%A0"):
        r = _page(client, token=token)
        assert r.status_code == 404
        assert "未找到该协议书" in _text(r)


def test_a_signing_without_an_issued_agreement_is_unknown(client, world):
    """An invitation has a token but no agreement yet: nothing to vouch for."""
    s = signing_in(world, S.INVITED)
    r = _page(client, s)
    assert r.status_code == 404 and "未找到该协议书" in _text(r) and s.employer_name not in _text(r)


def test_every_lookup_is_logged(client, world):
    s = signing_in(world, S.SIGNED)
    _page(client, s)
    _page(client, token="nothing-here")
    logged = list(AgreementCheck.objects.order_by("id").values_list("method", "outcome", "signing_id", "token", "ip"))
    assert logged == [
        (CheckMethod.LINK, Outcome.VALID, s.pk, s.verify_token, "127.0.0.1"),
        (CheckMethod.LINK, Outcome.UNKNOWN, None, "nothing-here", "127.0.0.1"),
    ]


@override_settings(VERIFY_LOOKUPS_PER_WINDOW=3)
def test_lookups_are_rate_limited_per_client_address(client, world):
    """A client address past its share waits (429), in Chinese; another address is still answered."""
    s = signing_in(world, S.SIGNED)
    cache.clear()
    assert [_page(client, s).status_code for _ in range(3)] == [200, 200, 200]
    r = _page(client, s)
    assert r.status_code == 429 and "查询过于频繁" in _text(r)
    assert _upload(client, b"%PDF-1.4").status_code == 429
    assert AgreementCheck.objects.count() == 3
    other = client.get(reverse("verification:agreement", args=[s.verify_token]), REMOTE_ADDR="10.0.0.8")
    assert other.status_code == 200


# ---- by uploaded PDF ---------------------------------------------------------------------------------------

@pytest.fixture
def issued(world, real_pdf):  # noqa: F811
    s = signing_in(world, S.SIGNED)
    return s, documents.agreement_bytes(s)


def test_the_genuine_pdf_is_recognised_as_current(client, issued):
    s, data = issued
    r = _upload(client, data)
    assert r.status_code == 200
    text = _text(r)
    assert "协议书真实有效" in text and s.agreement_no in text
    check = AgreementCheck.objects.get()
    assert (check.method, check.outcome, check.signing_id) == (CheckMethod.UPLOAD, Outcome.VALID, s.pk)


def test_a_tampered_pdf_is_not_vouched_for(client, issued):
    s, data = issued
    at = data.index(b"stream\n") + 60
    tampered = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]
    for forged in (tampered, data + b"\n% appended\n"):
        r = _upload(client, forged)
        assert r.status_code == 200
        assert "不是本平台签发的协议书或信息表，或文件已被改动" in _text(r) and s.agreement_no not in _text(r)
    assert set(AgreementCheck.objects.values_list("outcome", flat=True)) == {Outcome.FOREIGN}


def test_a_foreign_pdf_is_not_vouched_for(client, world, real_pdf, tmp_path):  # noqa: F811
    """A PDF signed by another key (or not at all) is not one of ours."""
    from reportlab.pdfgen import canvas

    from gradreg.signing.agreement_pdf import render_agreement

    s = signing_in(world, S.SIGNED)
    with override_settings(PDF_SIGNING_KEY=tmp_path / "k.pem", PDF_SIGNING_CERT=tmp_path / "c.pem"):
        impostor = render_agreement(documents.agreement_doc(s))
    path = tmp_path / "plain.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "agreement")
    c.save()
    for foreign in (impostor, path.read_bytes()):
        r = _upload(client, foreign)
        assert r.status_code == 200 and "不是本平台签发的协议书" in _text(r)


def test_an_earlier_rendering_is_superseded(client, issued):
    """A genuine file the platform has since re-issued is no longer current: the page says which one is."""
    s, old = issued
    documents.issue_agreement(s)
    s.save()
    assert documents.agreement_bytes(s) != old
    r = _upload(client, old)
    text = _text(r)
    assert "该文件已被新版本取代" in text and s.agreement_no in text and "协议书真实有效" not in text
    assert AgreementCheck.objects.get().outcome == Outcome.SUPERSEDED


def test_a_terminated_agreements_pdf_says_terminated(client, issued, world):
    s, data = issued
    termination_in(world, TS.TERMINATED, signing=s)
    assert "该协议已解约" in _text(_upload(client, data))


@pytest.mark.parametrize("name,data,content_type,message", [
    ("照片.png", PNG, "image/png", services.MSG_NOT_PDF),
    ("协议书.pdf", PNG, "application/pdf", "该文件实际是 PNG 文件"),
    ("协议书.txt", "不是文件".encode(), "text/plain", services.MSG_NOT_PDF),
    ("协议书.pdf", b"", "application/pdf", "文件为空（0 字节）"),
    ("协议书.pdf", b"%PDF-1.4\n1 0 obj", "application/pdf", "PDF 文件已损坏或不完整"),
])
def test_bad_uploads_get_a_chinese_answer_not_a_500(client, world, name, data, content_type, message):
    r = _upload(client, data, name, content_type)
    assert r.status_code == 400
    assert message in _text(r)
    assert AgreementCheck.objects.get().outcome == Outcome.BAD_FILE


def test_an_empty_form_and_a_get_are_answered(client, world):
    assert client.get(reverse("verification:agreement_upload")).status_code == 200
    r = client.post(reverse("verification:agreement_upload"), {})
    assert r.status_code == 400 and "请选择要上传的文件。" in _text(r)


def test_oversized_upload_is_refused_in_chinese(client, world, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    r = _upload(client, b"%PDF-1.4\n" + b"0" * 4096 + b"\n%%EOF\n")
    assert r.status_code == 400 and "文件过大" in _text(r)


def test_mask_name():
    assert [mask_name(n) for n in ("张三", "欧阳娜娜", "李", "")] == ["张*", "欧***", "李*", ""]
