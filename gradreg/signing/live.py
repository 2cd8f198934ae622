"""What a signing contributes to "one live destination" (SPEC 3)."""
from __future__ import annotations

from .models import Signing, SigningStatus
from .selectors import holding_signing


def signing_holds(graduate, exclude) -> str | None:
    # `exclude` may be another module's item (a registration, a 补登): only a signing excludes itself
    held = holding_signing(graduate.pk, exclude_pk=exclude.pk if isinstance(exclude, Signing) else None)
    if held is None:
        return None
    if held.status == SigningStatus.SIGNED:
        return (f"您已与“{held.employer_name}”签约成功，不能再签约或登记其他去向。"
                "如需另签，请先办理解约。")
    return (f"您与“{held.employer_name}”的签约正在办理中（{SigningStatus(held.status).label}），"
            "不能同时办理另一份签约。请等待审核结果，或撤回并撤销该申请后再办理。")

