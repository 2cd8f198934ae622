"""What EMS receives of a registration or 补登 (topics `ems.destination_reported` / `ems.destination_voided`).

The payload names its item (`source_type` + `source_id`), so a void clears only the destination that
very item reported. The destination's name is the national table's (`byqx`), as EMS maps names to codes.
"""
from __future__ import annotations

from typing import Any

from gradreg.codes.loader import code_map


def destination_payload(item) -> dict[str, Any]:
    details = item.details or {}
    return {
        "graduate_id": item.graduate_id, "exam_no": item.exam_no, "source": "登记系统",
        "source_type": item.source_type, "source_id": item.pk,
        "destination": code_map("byqx").get(item.destination_code, item.destination_type),
        "destination_code": item.destination_code, "destination_type": item.destination_type,
        "subtype": item.subtype, "employer_name": item.unit_name, "credit_code": item.credit_code,
        "employer_region": item.region, "work_region": details.get("work_region", ""),
        "position": details.get("position", ""), "job_category": details.get("job_category", ""),
        "agreement_no": details.get("paper_no", ""), "details": details,
        "archive_unit": item.archive_unit, "archive_address": item.archive_address,
        "hukou_unit": item.hukou_unit, "hukou_address": item.hukou_address,
        "graduate": item.graduate_snapshot,
    }


def void_payload(item) -> dict[str, Any]:
    return {"graduate_id": item.graduate_id, "exam_no": item.exam_no, "source": "登记系统",
            "source_type": item.source_type, "source_id": item.pk, "clear_employment": True}
