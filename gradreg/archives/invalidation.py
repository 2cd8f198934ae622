"""失效 in the 档案/户口 modules (seed 4.4), unlike 3.6: nothing is frozen to be restored.

When EMS deletes a graduate, their registered info becomes inactive (kept, no longer in force: the
record is 未登记 again) and every pending application becomes 审核不通过 with that reason; after a
re-upload the graduate registers again. Hooked into `gradreg.ems.services.INVALIDATION_HOOKS`, so it
runs inside the invalidating transaction; there is deliberately no restoration hook.
"""
from __future__ import annotations

from django.utils import timezone

from gradreg.ems.models import Graduate
from gradreg.ems.transfer_modules import module
from gradreg.workflow import audit, engine

from .flows import APPLICATION, INVALIDATED_REASON
from .models import OPEN, RecordState, TransferApplication, TransferRecord

RECORD_REASON = "毕业生已从就业管理系统名单中删除（失效），登记的信息失效；重新上传后需重新登记。"


def invalidate(graduate: Graduate, actor) -> None:
    pending = TransferApplication.objects.select_for_update().filter(
        school_id=graduate.school_id, graduate_id=graduate.pk, status__in=OPEN).order_by("id")
    for item in pending:
        engine.move(APPLICATION, item, action="invalidate", actor=actor, reason=INVALIDATED_REASON)
    now = timezone.now()
    held = TransferRecord.objects.select_for_update().filter(
        school_id=graduate.school_id, graduate_id=graduate.pk).exclude(state=RecordState.NONE).order_by("id")
    for record in held:
        was = record.state
        record.state = RecordState.NONE
        if was == RecordState.REGISTERED:
            record.inactive_at = now
        record.save(update_fields=["state", "inactive_at", "updated_at"])
        audit.record(item_type=module(record.kind).item_type, item_id=record.pk, actor=actor, action="invalidate",
                     action_label="毕业生失效，登记信息失效", from_state=was, to_state=RecordState.NONE,
                     reason=RECORD_REASON, school_id=record.school_id)
