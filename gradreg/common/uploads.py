"""Uploaded documents (盖章协议扫描件, 解约材料, 营业执照): checked by content, stored by a random name.

The type is decided by the file's first bytes, never by the name or content type the browser sends;
images are also decoded far enough to refuse truncated or fake ones. Stored names carry no part of
the client's name, and files are served with the type we decided, in a CSP sandbox (a PDF as a
download), so a crafted upload cannot be served back as HTML or script. A replaced upload leaves storage
once the change commits; the audit trail keeps its SHA-256.
"""
from __future__ import annotations

import hashlib
import io
import logging
import math
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from PIL import Image

from .errors import DomainError, NotFound

log = logging.getLogger("gradreg.uploads")

ALLOWED = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}

# The client's extension only has to name the right family: a JPEG called .png is still an image
# and is stored as .jpg, but a PDF called .jpg is refused (the user picked the wrong file, or lies).
_FAMILY = {"jpg": "image", "jpeg": "image", "png": "image", "pdf": "pdf"}
_MAGIC = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"%PDF-", "pdf"))
_PIL_FORMATS = {"jpg": {"JPEG", "MPO"}, "png": {"PNG"}}  # phone cameras write MPO: JPEG plus a preview
_FOLDER = re.compile(r"[a-z0-9_-]+(/[a-z0-9_-]+)*")
_NAME_MAX = 100

MSG_REQUIRED = "请选择要上传的文件。"
MSG_EMPTY = "文件为空（0 字节），请重新选择文件。"
MSG_TYPE = "文件类型不支持：只能上传 JPG、PNG 或 PDF 文件。"
MSG_MISMATCH = "文件扩展名与内容不符：该文件实际是 {actual} 文件，请选择正确的文件后重新上传。"
MSG_BROKEN_IMAGE = "图片文件已损坏或不完整，请重新扫描后上传。"
MSG_HUGE_IMAGE = "图片尺寸过大：请降低扫描分辨率（建议 300 dpi）后重新上传。"
MSG_BROKEN_PDF = "PDF 文件已损坏或不完整，请重新生成后上传。"


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check; `name` is the client's name with the sniffed extension."""

    name: str
    content_type: str
    ext: str
    size: int
    sha256: str
    data: bytes


def _unit(n: int) -> tuple[str, float]:
    return ("MB", n / 2**20) if n >= 2**20 else ("KB", n / 2**10)


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _too_large(limit: int, size: int, field: str) -> DomainError:
    limit_unit, limit_value = _unit(limit)
    limit_value = math.floor(limit_value * 10) / 10
    size_unit, size_value = _unit(size)
    size_value = round(size_value, 1)
    if size_unit == limit_unit and size_value <= limit_value:
        # a file just over the limit must not read as "最大 5 MB，您上传的文件为 5 MB"
        size_value = round(limit_value + 0.1, 1)
    return DomainError(
        f"文件过大：最大 {_number(limit_value)} {limit_unit}，您上传的文件为 {_number(size_value)} {size_unit}。",
        code="too_large",
        field=field,
    )


def clean_filename(name: str, *, ext: str | None = None) -> str:
    """A display name safe in a header and a file system: no path, no control characters, bounded."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    stem, dot, old_ext = base.rpartition(".")
    if not dot:
        stem, old_ext = base, ""
    stem = stem.strip() or "附件"
    suffix = ext if ext is not None else old_ext
    return stem[: _NAME_MAX - len(suffix) - 1] + ("." + suffix if suffix else "")


def _sniff(data: bytes) -> str | None:
    for magic, ext in _MAGIC:
        if data.startswith(magic):
            return ext
    return None


def _check_image(data: bytes, ext: str, field: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format not in _PIL_FORMATS[ext]:
                raise DomainError(MSG_BROKEN_IMAGE, code="broken_image", field=field)
            if im.width * im.height > (Image.MAX_IMAGE_PIXELS or math.inf):
                raise DomainError(MSG_HUGE_IMAGE, code="image_too_large", field=field)
            im.verify()  # PNG: every chunk's checksum and the end marker
        if ext == "jpg":
            # JPEG's verify() checks nothing; decoding at 1/8 scale reads every byte for little memory.
            with Image.open(io.BytesIO(data)) as im:
                im.draft("RGB", (max(im.width // 8, 1), max(im.height // 8, 1)))
                im.load()
    except DomainError:
        raise
    except Image.DecompressionBombError as exc:
        raise DomainError(MSG_HUGE_IMAGE, code="image_too_large", field=field) from exc
    except Exception as exc:  # Pillow reports damage as OSError, SyntaxError, ValueError, struct.error…
        raise DomainError(MSG_BROKEN_IMAGE, code="broken_image", field=field) from exc


def _read_capped(f: UploadedFile, limit: int, field: str) -> bytes:
    # Counted while reading, not taken from f.size: the cap holds whatever the handler reported.
    buf = bytearray()
    for chunk in f.chunks():
        buf += chunk
        if len(buf) > limit:
            raise _too_large(limit, max(f.size or 0, len(buf)), field)
    return bytes(buf)


def check_upload(
    f: UploadedFile | None, *, field: str, max_bytes: int | None = None, required: bool = True
) -> CheckedUpload | None:
    """Check one uploaded file; raises DomainError (with `field`) naming what is wrong and the limit."""
    if f is None:
        if required:
            raise DomainError(MSG_REQUIRED, code="required", field=field)
        return None
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if f.size is not None and f.size > limit:
        raise _too_large(limit, f.size, field)
    data = _read_capped(f, limit, field)
    if not data:
        raise DomainError(MSG_EMPTY, code="empty", field=field)

    ext = _sniff(data)
    client_ext = PurePosixPath(clean_filename(f.name or "")).suffix.lower().lstrip(".")
    if ext is None or client_ext not in _FAMILY:
        raise DomainError(MSG_TYPE, code="unsupported_type", field=field)
    if _FAMILY[client_ext] != _FAMILY[ext]:
        raise DomainError(MSG_MISMATCH.format(actual=ext.upper()), code="type_mismatch", field=field)
    if ext == "pdf":
        # A PDF ends with %%EOF (readers allow trailing bytes within the last 1 KB); without it the
        # upload was cut short.
        if b"%%EOF" not in data[-1024:]:
            raise DomainError(MSG_BROKEN_PDF, code="broken_pdf", field=field)
    else:
        _check_image(data, ext, field)

    return CheckedUpload(
        name=clean_filename(f.name or "", ext=ext),
        content_type=ALLOWED[ext],
        ext=ext,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )


def store_upload(upload: CheckedUpload, *, folder: str) -> str:
    """Save under `folder/yyyy/mm/<uuid>.<ext>` in the default storage; returns the stored name."""
    if not _FOLDER.fullmatch(folder):
        raise ValueError(f"upload folder must be lower-case path segments, got {folder!r}")
    today = timezone.localdate()
    name = f"{folder}/{today:%Y}/{today:%m}/{uuid.uuid4().hex}.{upload.ext}"
    return default_storage.save(name, ContentFile(upload.data))


def discard_on_commit(name: str) -> None:
    """A stored upload that was replaced: deleted from storage once the change commits, kept if it rolls
    back. The audit trail keeps the file's SHA-256, so what was reviewed can still be named and checked."""
    if not name:
        return

    def delete() -> None:
        try:
            default_storage.delete(name)
        except Exception:  # a leftover file is harmless; the committed change stands
            log.warning("could not remove replaced upload %s", name, exc_info=True)

    transaction.on_commit(delete)


# Every served upload is sandboxed: shown with no origin, it can neither read the platform's pages nor act
# with the session, whatever it carries. Browsers refuse to run their PDF viewer in a sandbox, so a PDF
# (which may carry scripts, forms and links) is never shown inline: it is downloaded and opened outside.
UPLOAD_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
_INLINE = {"image/jpeg", "image/png"}


def upload_response(name: str, *, content_type: str, download_name: str, inline: bool) -> FileResponse:
    """Serve a stored upload, sandboxed; shown in the browser only if asked and it is an image."""
    try:
        fh = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise NotFound("文件不存在或已被删除。") from exc
    show_inline = inline and content_type in _INLINE
    response = FileResponse(
        fh,
        as_attachment=not show_inline,
        filename=clean_filename(download_name),
        content_type=content_type if content_type in ALLOWED.values() else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = UPLOAD_CSP
    # Agreements and licences carry ID numbers and seals: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def item_upload_response(name: str, *, missing: str, content_type: str, download_name: str,
                         inline: bool) -> FileResponse:
    """An item's stored upload (`name`) for an actor its scoped selector let see the item; none stored
    yet is a 404 saying `missing`. The download name keeps the stored file's extension."""
    if not name:
        raise NotFound(missing)
    ext = name.rsplit(".", 1)[-1]
    return upload_response(name, content_type=content_type, download_name=f"{download_name}.{ext}", inline=inline)
