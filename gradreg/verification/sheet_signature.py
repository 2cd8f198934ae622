"""What a 去向登记信息表's signature says: the sheet and the code it was issued with, written into the signature's
reason by `sheet_pdf.render_sheet` and read back by the document check (`services.check_pdf`) once the signature
verified. Kept apart from the drawing code so the check does not load reportlab."""
from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO

from pyhanko.pdf_utils.reader import PdfFileReader

from gradreg.common.pdfdoc import PLATFORM

from .sheets import TITLES, Sheet

# The signature's reason: "<platform>签发<title> <code>" (the title names the kind; the code is stored form).
_REASON = re.compile(r"签发(档案登记信息表|户口登记信息表)\s+([0-9A-Z]{16})\s*$")
_KIND_BY_TITLE = {title: kind.value for kind, title in TITLES.items()}


def signature_reason(sheet: Sheet) -> str:
    return f"{PLATFORM}签发{sheet.title} {sheet.code}"


@dataclass(frozen=True)
class SignedSheet:
    kind: str
    code: str


def signed_sheet(data: bytes) -> SignedSheet | None:
    """The sheet and code the platform wrote into a PDF's signature (read only after the signature verified)."""
    try:
        sig = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[0]
        reason = str(sig.sig_object.get("/Reason", ""))
    except Exception:  # an unreadable or absent signature names nothing
        return None
    match = _REASON.search(reason)
    return SignedSheet(_KIND_BY_TITLE[match.group(1)], match.group(2)) if match else None
