"""The proof of a registration or 补登, served to whoever may see the item (the scope decides: 404 otherwise,
as for a missing file). Pages and the API both answer with it."""
from __future__ import annotations

from django.http import FileResponse

from gradreg.common.uploads import item_upload_response

from .models import DestinationItem
from .services import GET_FOR


def proof_copy(model: type[DestinationItem], actor, pk: int) -> FileResponse:
    item = GET_FOR[model](actor, pk)
    dtype = item.taxonomy_type
    what = dtype.proof if dtype is not None and dtype.proof else "证明材料"
    return item_upload_response(item.proof_file, missing="没有证明材料。", content_type=item.proof_content_type,
                                download_name=f"{what}-{item.graduate_name}", inline=True)
