"""去向登记信息表 PDF downloads: the graduate's own sheet with their 核验编号 (while the 核验授权 is 生效中), and a
staff user's sheet of a graduate in their scope with its current 转递编号. Each download is a freshly signed file
recorded as a `SheetIssue`, so the document check can later say whether it is still current."""
from __future__ import annotations

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gradreg.common.errors import Conflict, Forbidden, get_in_scope
from gradreg.common.roles import Role
from gradreg.common.uploads import clean_filename
from gradreg.ems.models import Graduate
from gradreg.ems.selectors import graduates_visible_to

from . import grants
from .models import CodeType, SheetKind, TransferCode, VerificationGrant
from .sheets import TITLES, Sheet, sheet_for

STAFF = {Role.DEPARTMENT, Role.SCHOOL}
MISSING = "未找到该毕业生，或您无权查看。"
NO_GRANT = "您的核验授权未生效（未授权、已过期或因重要信息变更而终止），暂不能下载带核验编号的信息表。请先完成登记确认和核验授权。"
NO_TRANSFER_CODE = "该毕业生的{title}尚未生成转递编号，或转递编号已因重要信息变更失效，请先生成或重新生成转递编号。"


def _kind(kind: str) -> str:
    if kind not in SheetKind.values:
        raise Http404
    return kind


def my_sheet(actor, kind: str) -> tuple[Graduate, Sheet]:
    """The graduate's own sheet with their 核验编号; Conflict while no 核验授权 is 生效中."""
    if actor.role != Role.GRADUATE or not actor.graduate_id:
        raise Forbidden("只有毕业生本人可以下载自己的去向登记信息表。")
    graduate = Graduate.objects.select_related("school", "major").get(pk=actor.graduate_id)
    grant = VerificationGrant.objects.filter(graduate_id=graduate.pk).first()
    if grants.status_of(grant) != grants.GS.ACTIVE:  # the one reading of 核验状态
        raise Conflict(NO_GRANT)
    return graduate, sheet_for(graduate, kind).with_code(CodeType.VERIFY, grant.code, grant.qr_token)


def transfer_sheet(actor, kind: str, graduate_id: int) -> tuple[Graduate, Sheet]:
    """A graduate's sheet with its current 转递编号, for a department or school user whose scope holds them."""
    if actor.role not in STAFF:
        raise Forbidden("只有院系、学校用户可以下载带转递编号的信息表。")
    graduate = get_in_scope(graduates_visible_to(actor).select_related("school", "major"), graduate_id, MISSING)
    code = TransferCode.objects.filter(graduate_id=graduate.pk, kind=kind, stale_at__isnull=True).first()
    if code is None:
        raise Conflict(NO_TRANSFER_CODE.format(title=TITLES[SheetKind(kind)]))
    return graduate, sheet_for(graduate, kind).with_code(CodeType.TRANSFER, code.code, code.qr_token)


def _pdf_response(sheet: Sheet, *, actor, exam_no: str) -> FileResponse:
    from .sheet_pdf import issue_sheet  # function-level: reportlab+pyHanko take 0.5 s, off other requests' path

    data = issue_sheet(sheet, actor=actor)
    # FileResponse writes the RFC 5987 filename* for the Chinese name
    response = FileResponse(BytesIO(data), as_attachment=True, content_type="application/pdf",
                            filename=clean_filename(f"{sheet.title}-{exam_no}.pdf"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET"])
def mine_pdf(request, kind: str):
    graduate, sheet = my_sheet(request.user, _kind(kind))
    return _pdf_response(sheet, actor=request.user, exam_no=graduate.exam_no)


@never_cache
@login_required
@require_http_methods(["GET"])
def transfer_pdf(request, kind: str, graduate_id: int):
    graduate, sheet = transfer_sheet(request.user, _kind(kind), graduate_id)
    return _pdf_response(sheet, actor=request.user, exam_no=graduate.exam_no)
