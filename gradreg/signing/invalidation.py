"""What a graduate's 失效 and restoration mean for their signings (seed 3.6).

While invalid, a graduate's signings keep their state, frozen, marked 失效 on every page and left out
of what waits for reviewers. EMS drops the destination they reported when told of the invalidation;
on restore (re-upload or 恢复网签数据) the signed agreement is sent again, under a key of its own for
each restore, so EMS ends as it was.
"""
from __future__ import annotations

from gradreg.ems.models import Graduate
from gradreg.workflow.models import OutboxEvent

from .flows import destination_payload
from .models import Signing, SigningStatus


def resend_signed(graduate: Graduate, actor) -> None:
    """RESTORATION_HOOKS: the graduate's signed agreement goes to EMS again (a new idempotency key per restore)."""
    stamp = graduate.restored_at.timestamp()
    for s in Signing.objects.filter(graduate=graduate, status=SigningStatus.SIGNED).order_by("id"):
        OutboxEvent.objects.create(topic="ems.signing_completed", idempotency_key=f"signing:{s.pk}:restore:{stamp}",
                                   payload=destination_payload(s), school_id=s.school_id)

