"""The files of a signing — the e-agreement, the stamped copy, termination material — served to its parties.

Pages and the API both answer with these; the scope decides who may fetch (404 otherwise, as for a
missing file).
"""
from __future__ import annotations

from django.http import FileResponse

from gradreg.common.uploads import item_upload_response

from .selectors import signing_get_for, termination_get_for


def agreement_pdf(actor, pk: int) -> FileResponse:
    s = signing_get_for(actor, pk)
    return item_upload_response(s.agreement_file, missing="电子就业协议书尚未生成。", content_type="application/pdf",
                                download_name=f"就业协议书-{s.agreement_no}", inline=False)


def stamped_copy(actor, pk: int) -> FileResponse:
    s = signing_get_for(actor, pk)
    return item_upload_response(s.stamped_file, missing="尚未回传盖章协议。", content_type=s.stamped_content_type,
                                download_name=f"盖章协议-{s.graduate_name}", inline=True)


def explanation_copy(actor, pk: int) -> FileResponse:
    s = signing_get_for(actor, pk)
    return item_upload_response(s.explanation_file, missing="没有情况说明。", content_type=s.explanation_content_type,
                                download_name=f"情况说明-{s.graduate_name}", inline=True)


def termination_material(actor, pk: int) -> FileResponse:
    t = termination_get_for(actor, pk)
    return item_upload_response(t.material_file, missing="没有解约材料。", content_type=t.material_content_type,
                                download_name=f"解约材料-{t.graduate_name}", inline=True)
