"""Uploaded documents: type by content, damaged images refused, size limits in the message, safe serving."""
from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gradreg.common.errors import DomainError, NotFound
from gradreg.common.uploads import CheckedUpload, check_upload, store_upload, upload_response


def image_bytes(fmt: str, size: tuple[int, int] = (120, 80)) -> bytes:
    buf = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(buf, fmt)
    return buf.getvalue()


JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def refused(f, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as exc:
        check_upload(f, field="agreement_scan", **kwargs)
    assert exc.value.field == "agreement_scan"
    return exc.value


@pytest.mark.parametrize(
    ("name", "data", "ext", "content_type"),
    [
        ("盖章协议.jpg", JPEG, "jpg", "image/jpeg"),
        ("盖章协议.JPEG", JPEG, "jpg", "image/jpeg"),
        ("营业执照.png", PNG, "png", "image/png"),
        ("解约材料.pdf", PDF, "pdf", "application/pdf"),
    ],
)
def test_each_allowed_type_is_accepted(name, data, ext, content_type):
    # the browser's content type is ignored: only the bytes decide
    checked = check_upload(upload(name, data, "text/html"), field="f")
    assert checked == CheckedUpload(
        name=name.rsplit(".", 1)[0] + "." + ext, content_type=content_type, ext=ext, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), data=data,
    )


def test_an_image_with_the_wrong_image_extension_is_stored_under_its_real_one():
    checked = check_upload(upload("扫描件.png", JPEG, "image/png"), field="f")
    assert (checked.ext, checked.content_type, checked.name) == ("jpg", "image/jpeg", "扫描件.jpg")


def test_a_pdf_called_jpg_is_refused_as_a_mismatch():
    assert refused(upload("协议.jpg", PDF, "image/jpeg")).code == "type_mismatch"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("协议.jpg", b"just some text, renamed\n"),
        ("协议.jpg", b"<html><script>alert(1)</script></html>"),
        ("协议.exe", JPEG),  # right bytes, but an extension no family has
        ("协议", PDF),
        ("协议.gif", b"GIF89a" + b"\0" * 20),
    ],
)
def test_other_content_or_extensions_are_refused(name, data):
    error = refused(upload(name, data, "image/jpeg"))
    assert error.code == "unsupported_type"
    assert error.message == "文件类型不支持：只能上传 JPG、PNG 或 PDF 文件。"


@pytest.mark.parametrize(("name", "data"), [("营业执照.png", PNG[: len(PNG) // 2]), ("协议.jpg", JPEG[: len(JPEG) // 2])])
def test_truncated_images_are_refused(name, data):
    error = refused(upload(name, data))
    assert error.code == "broken_image" and error.message == "图片文件已损坏或不完整，请重新扫描后上传。"


def test_png_header_on_garbage_is_refused():
    assert refused(upload("营业执照.png", PNG[:8] + b"\0" * 500)).code == "broken_image"


def test_truncated_pdf_is_refused():
    assert refused(upload("解约材料.pdf", PDF[:30])).code == "broken_pdf"


def test_oversize_is_refused_with_both_sizes_in_the_message(settings):
    settings.UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    big = PDF + b"\0" * int(7.3 * 1024 * 1024)
    error = refused(upload("解约材料.pdf", big))
    assert error.code == "too_large"
    assert error.message == "文件过大：最大 5 MB，您上传的文件为 7.3 MB。"


def test_a_file_just_over_the_limit_never_reads_as_equal_to_it():
    error = refused(upload("协议.jpg", JPEG), max_bytes=len(JPEG) - 1)
    limit, size = re.findall(r"([\d.]+) KB", error.message)
    assert float(size) > float(limit)


def test_the_cap_holds_even_when_the_reported_size_is_wrong():
    f = upload("协议.jpg", JPEG)
    f.size = 10  # a handler that under-reports must not let the file through
    assert refused(f, max_bytes=1000).code == "too_large"


def test_empty_file_is_refused():
    assert refused(upload("协议.jpg", b"")).code == "empty"


def test_missing_file_is_refused_only_when_required():
    error = refused(None)
    assert (error.code, error.message) == ("required", "请选择要上传的文件。")
    assert check_upload(None, field="f", required=False) is None


def test_client_path_and_control_characters_are_dropped_from_the_name():
    checked = check_upload(upload("C:\\Users\\张三\\协议\r\n.pdf", PDF), field="f")
    assert checked.name == "协议.pdf"


def test_stored_name_is_folder_year_month_uuid_and_the_sniffed_extension():
    checked = check_upload(upload("扫描件.png", JPEG), field="f")
    name = store_upload(checked, folder="signing/agreements")
    # the suite runs on 2026-11-28 (Beijing time)
    assert re.fullmatch(r"signing/agreements/2026/11/[0-9a-f]{32}\.jpg", name)
    with default_storage.open(name, "rb") as fh:
        assert fh.read() == JPEG
    assert store_upload(checked, folder="signing/agreements") != name


@pytest.mark.parametrize("folder", ["../etc", "/abs", "Signing", "a//b", ""])
def test_folder_must_be_a_plain_relative_path(folder):
    with pytest.raises(ValueError):
        store_upload(check_upload(upload("a.pdf", PDF), field="f"), folder=folder)


def stored(data: bytes, name: str) -> str:
    return store_upload(check_upload(upload(name, data), field="f"), folder="test")


def test_an_image_is_served_inline_with_nosniff_in_a_sandbox():
    """Guards: an upload shown in the browser runs in a CSP sandbox, with no access to the platform's origin."""
    name = stored(PNG, "营业执照.png")
    response = upload_response(name, content_type="image/png", download_name="营业执照.png", inline=True)
    try:
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].split(";")[0] == "sandbox"
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Disposition"].startswith("inline;")
        assert "filename*=utf-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.png" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == PNG
    finally:
        response.file_to_stream.close()


def test_a_pdf_is_never_shown_inline():
    """Guards: a user's PDF (scripts, forms, links) was shown inline in the platform's origin; browsers
    will not run their PDF viewer in a sandbox, so it is now a sandboxed download."""
    name = stored(PDF, "盖章协议.pdf")
    response = upload_response(name, content_type="application/pdf", download_name="盖章协议.pdf", inline=True)
    response.file_to_stream.close()
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"].split(";")[0] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_download_is_an_attachment():
    name = stored(PDF, "解约材料.pdf")
    response = upload_response(name, content_type="application/pdf", download_name="解约材料.pdf", inline=False)
    response.file_to_stream.close()
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"


def test_other_content_types_are_never_shown_inline():
    name = stored(PDF, "x.pdf")
    response = upload_response(name, content_type="text/html", download_name="x\r\n.html", inline=True)
    response.file_to_stream.close()
    assert response["Content-Disposition"] == 'attachment; filename="x.html"'
    assert response["Content-Type"] == "application/octet-stream"


def test_a_missing_file_is_not_found():
    with pytest.raises(NotFound):
        upload_response("test/2026/11/none.pdf", content_type="application/pdf", download_name="a.pdf", inline=True)
