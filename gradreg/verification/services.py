"""What a third party may learn about an e-agreement: from its QR code's token, or from the PDF itself.

The answer names the agreement by the few fields printed for anyone (协议书编号, 单位名称, the graduate's
masked name, 学校, 签约状态, 生成时间) and never an ID number or a phone. Every look-up is logged
(`AgreementCheck`), and each client address gets a bounded number of them (the shared cache counts).

The same upload check recognises a 去向登记信息表 PDF (`sheet_pdf`): genuine and current, genuine but superseded,
or (like any other file) not issued here. A file recognised as a sheet is logged as a sheet look-up
(`SheetLookup`, method 上传文件); anything else as before.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from io import BytesIO

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from gradreg.common.errors import DomainError
from gradreg.common.pdfsign import sha256_hex, verify_pdf_signature
from gradreg.common.uploads import check_upload
from gradreg.signing.models import Signing
from gradreg.signing.models import SigningStatus as S

from . import codeformat, lookup
from .models import (
    AgreementCheck,
    CheckMethod,
    CodeType,
    LookupMethod,
    LookupOutcome,
    Outcome,
    SheetIssue,
    SheetKind,
)
from .sheet_signature import signed_sheet
from .sheets import TITLES, Sheet

log = logging.getLogger(__name__)

LOOKUPS_PER_WINDOW = 30
WINDOW_SECONDS = 10 * 60
THROTTLED = "查询过于频繁，请10分钟后再试。"
MSG_NOT_PDF = "请上传本平台签发的电子就业协议书或去向登记信息表 PDF 文件（.pdf）。"

# An issued agreement whose signing is still under way: genuine, but not (yet) a concluded agreement.
IN_PROGRESS = {S.AWAIT_UPLOAD, S.UPLOAD_WAIT_DEPT, S.UPLOAD_WAIT_SCHOOL, S.UPLOAD_RETURNED,
               S.AGREED, S.ONLINE_WAIT_SCHOOL, S.DRAFT_WAIT_DEPT, S.DRAFT_WAIT_SCHOOL, S.DRAFT_RETURNED,
               S.DRAFT_WITHDRAWN}

TONES = {Outcome.VALID: "ok", Outcome.PENDING: "wait", Outcome.TERMINATED: "off", Outcome.VOID: "bad",
         Outcome.SUPERSEDED: "bad", Outcome.UNKNOWN: "bad", Outcome.FOREIGN: "bad", Outcome.BAD_FILE: "bad"}

HEADLINES = {
    Outcome.VALID: "协议书真实有效",
    Outcome.PENDING: "协议书真实，签约尚在办理中",
    Outcome.TERMINATED: "该协议已解约",
    Outcome.VOID: "该协议书已失效",
    Outcome.SUPERSEDED: "该文件已被新版本取代",
    Outcome.UNKNOWN: "未找到该协议书",
    Outcome.FOREIGN: "无法核验：不是本平台签发的协议书或信息表，或文件已被改动",
}
SHEET_HEADLINES = {
    Outcome.VALID: "信息表真实有效，为最新版本",
    Outcome.SUPERSEDED: "信息表真实，但已不是最新版本",
}
SHEET_EXPLANATIONS = {
    Outcome.VALID: "本去向登记信息表由本平台签发，内容未被改动，所载信息与平台当前记录一致，编号仍在有效期内。",
    Outcome.SUPERSEDED: "本去向登记信息表由本平台签发、内容未被改动，但此后信息已变更、编号已失效或已超过在线核验服务期，"
                        "该文件不再代表当前信息。请扫描二维码或输入姓名和编号查看当前信息，或向毕业生、学校索取最新版本。",
}

EXPLANATIONS = {
    Outcome.VALID: "本协议书由本平台签发，签约已成功，协议当前有效。请核对下列信息与您持有的协议书一致。",
    Outcome.PENDING: "本协议书由本平台签发，但签约尚未办理完成（尚未签约成功），请以最终签约结果为准。",
    Outcome.TERMINATED: "本协议书由本平台签发，但双方已解约，协议书不再有效。",
    Outcome.VOID: "本协议书由本平台签发，但签约未成功（审核不通过或已撤销），协议书不再有效。",
    Outcome.SUPERSEDED: "该文件由本平台签发，但协议书已重新生成，该文件已作废，请以下列生成时间的最新版本为准。",
    Outcome.UNKNOWN: "本平台没有这份协议书的记录：核验码无效或协议书不存在。请核对二维码或核验网址是否完整，或上传协议书 PDF 文件核验。",
    Outcome.FOREIGN: "该 PDF 文件没有本平台完整有效的电子签名：可能不是本平台签发的，或签发后内容已被修改。"
                     "请向毕业生或学校索取原始文件，或扫描协议书、信息表上的二维码核验。",
}


@dataclass
class Answer:
    outcome: str
    signing: Signing | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    sheet: bool = False  # the file is a 去向登记信息表, not an agreement

    @property
    def headline(self) -> str:
        return (SHEET_HEADLINES if self.sheet else HEADLINES)[self.outcome]

    @property
    def explanation(self) -> str:
        return (SHEET_EXPLANATIONS if self.sheet else EXPLANATIONS)[self.outcome]

    @property
    def tone(self) -> str:
        return TONES[self.outcome]


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***: the family name only."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def allow_lookup(ip: str | None) -> bool:
    """Count one look-up for the client address; False once it has used up its window's share."""
    key = f"gradreg:verify-lookups:{ip or 'unknown'}"
    limit = getattr(settings, "VERIFY_LOOKUPS_PER_WINDOW", LOOKUPS_PER_WINDOW)
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    if count > limit:
        log.warning("agreement verification throttled for %s", ip)
        return False
    return True


def outcome_of(signing: Signing) -> str:
    if signing.status == S.SIGNED:
        return Outcome.VALID
    if signing.status == S.TERMINATED:
        return Outcome.TERMINATED
    if signing.status in IN_PROGRESS:
        return Outcome.PENDING
    return Outcome.VOID


def public_fields(signing: Signing) -> list[tuple[str, str]]:
    """What anyone holding the agreement may be shown: no ID number, no phone, the name masked."""
    generated = signing.agreement_generated_at
    return [
        ("协议书编号", signing.agreement_no),
        ("单位名称", signing.employer_name),
        ("毕业生姓名", mask_name(signing.graduate_name)),
        ("学校", signing.school.name),
        ("签约状态", signing.get_status_display()),
        ("生成时间", timezone.localtime(generated).strftime("%Y-%m-%d %H:%M:%S") if generated else ""),
    ]


def _issued() -> QuerySet[Signing]:
    return Signing.objects.select_related("school").exclude(agreement_no="").exclude(agreement_sha256="")


def _answer(outcome: str, signing: Signing | None) -> Answer:
    return Answer(outcome, signing, public_fields(signing) if signing is not None else [])


def _log(answer: Answer, *, method: str, ip: str | None, token: str = "", sha: str = "") -> Answer:
    signing = answer.signing
    AgreementCheck.objects.create(method=method, outcome=answer.outcome, ip=ip, token=token[:64], upload_sha256=sha,
                                  signing=signing, school_id=signing.school_id if signing is not None else None)
    return answer


def check_token(token: str, *, ip: str | None) -> Answer:
    """The agreement the QR code names, as it stands now."""
    signing = _issued().filter(verify_token=token).first() if len(token) <= 32 else None
    answer = _answer(outcome_of(signing), signing) if signing else Answer(Outcome.UNKNOWN)
    return _log(answer, method=CheckMethod.LINK, ip=ip, token=token)


_NUMBER_IN_REASON = re.compile(r"电子就业协议书\s+(\S+)\s*$")


def _signed_number(data: bytes) -> str:
    """The 协议书编号 the platform wrote into its signature (read only after the signature checked out)."""
    try:
        reason = str(PdfFileReader(BytesIO(data), strict=False).embedded_signatures[0].sig_object.get("/Reason", ""))
    except Exception:  # the signature verified, so this does not happen; an unreadable reason names nothing
        log.info("no agreement number in a verified signature", exc_info=True)
        return ""
    match = _NUMBER_IN_REASON.search(reason)
    return match.group(1) if match else ""


def check_pdf(upload: UploadedFile | None, *, ip: str | None) -> Answer:
    """Whether the uploaded PDF is one this platform issued, and whether it is still the current version.

    Raises DomainError (field `file`) when the upload is no PDF at all; that refusal is logged as well.
    """
    try:
        try:
            checked = check_upload(upload, field="file")
        except DomainError as exc:  # the shared check also takes images; this page wants a PDF only
            if exc.code != "unsupported_type":
                raise
            checked = None
        if checked is None or checked.ext != "pdf":
            raise DomainError(MSG_NOT_PDF, code="not_pdf", field="file")
    except DomainError:
        _log(Answer(Outcome.BAD_FILE), method=CheckMethod.UPLOAD, ip=ip)
        raise
    data, sha = checked.data, sha256_hex(checked.data)
    # The fingerprint on record names the very file the platform issued last (and still does after the
    # signing certificate is renewed); a file not on record may be an earlier rendering, if the signature holds.
    issue = _sheet_issues().filter(sha256=sha).first()
    if issue is not None:
        return _sheet_on_record(issue, ip=ip)
    signing = _issued().filter(agreement_sha256=sha).first()
    if signing is not None:
        answer = _answer(outcome_of(signing), signing)
    elif not verify_pdf_signature(data):
        answer = Answer(Outcome.FOREIGN)
    elif (sheet := signed_sheet(data)) is not None:
        return _sheet_superseded(sheet.kind, sheet.code, ip=ip)
    else:
        number = _signed_number(data)
        signing = _issued().filter(agreement_no=number).first() if number else None
        answer = _answer(Outcome.SUPERSEDED, signing) if signing else Answer(Outcome.UNKNOWN)
    return _log(answer, method=CheckMethod.UPLOAD, ip=ip, sha=sha)


# ---- 去向登记信息表 ----------------------------------------------------------------------------------------

def _sheet_issues() -> QuerySet[SheetIssue]:
    return SheetIssue.objects.select_related("graduate", "school").order_by("-issued_at", "-id")


def _sheet_fields(kind: str, code_type: str, code: str, issue: SheetIssue | None, *,
                  this_file: bool) -> list[tuple[str, str]]:
    """What the check shows of a sheet: which sheet, the code printed on it, the masked name, the school and, for
    the very file on record, when it was issued (the file's own rows are for its holder to compare with the QR
    page, which shows the sheet as it stands)."""
    label = CodeType(code_type).label if code_type else "编号"
    rows = [("信息表", TITLES[SheetKind(kind)]), (label, codeformat.grouped(code))]
    if issue is not None:
        rows += [("毕业生姓名", mask_name(issue.graduate.name)), ("毕业院校", issue.school.name)]
        if this_file:
            rows.append(("签发时间", timezone.localtime(issue.issued_at).strftime("%Y-%m-%d %H:%M:%S")))
    return rows


def _sheet_answer(kind: str, code_type: str, code: str, issue: SheetIssue | None, now: Sheet | None, *,
                  this_file: bool, ip: str | None) -> Answer:
    lookup.log_lookup(kind, LookupMethod.UPLOAD, ip, LookupOutcome.SHOWN if now else LookupOutcome.REFUSED,
                      digest=codeformat.digest(code), code_type=code_type, sheet=now)
    return Answer(Outcome.VALID if now else Outcome.SUPERSEDED, None,
                  _sheet_fields(kind, code_type, code, issue, this_file=this_file), sheet=True)


def _sheet_on_record(issue: SheetIssue, *, ip: str | None) -> Answer:
    """A sheet file the platform issued: current while its code still verifies (the look-up's rules) and the sheet
    as it stands says what the file says; else superseded."""
    now = lookup.current_sheet(issue.kind, issue.code)
    if now is not None and not (now.code_type == issue.code_type and now.graduate_id == issue.graduate_id
                                and now.content_sha256() == issue.content_sha256):
        now = None
    return _sheet_answer(issue.kind, issue.code_type, issue.code, issue, now, this_file=True, ip=ip)


def _sheet_superseded(kind: str, code: str, *, ip: str | None) -> Answer:
    """A sheet the platform signed but has no record of this very file (an earlier rendering, or a record
    removed): genuine, and never taken for current."""
    issue = _sheet_issues().filter(kind=kind, code=code).first()
    return _sheet_answer(kind, issue.code_type if issue else "", code, issue, None, this_file=False, ip=ip)
