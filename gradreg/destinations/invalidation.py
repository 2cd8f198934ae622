"""失效 and restore (seed 3.6) for registrations and 补登, as for signings.

While the graduate is invalid every item keeps its state, frozen by the graduate gate, marked 失效 in the
lists and waiting for no one; EMS drops what the platform reported (`ems.graduate_invalidated`). A
restore (re-upload or 恢复网签数据) sends each approved item to EMS again, under a key of its own.
"""
from __future__ import annotations

from gradreg.ems.models import Graduate
from gradreg.workflow.models import OutboxEvent

from .flows import TOPIC_REPORTED
from .models import PaperAgreement, PaperStatus, Registration, RegistrationStatus
from .payloads import destination_payload


def resend_approved(graduate: Graduate, actor) -> None:
    """RESTORATION_HOOKS: the graduate's approved registration and 补登 go to EMS again."""
    stamp = graduate.restored_at.timestamp()
    for model, approved in ((Registration, RegistrationStatus.APPROVED), (PaperAgreement, PaperStatus.APPROVED)):
        for item in model.objects.filter(school_id=graduate.school_id, graduate=graduate, status=approved).order_by("id"):
            OutboxEvent.objects.create(topic=TOPIC_REPORTED, idempotency_key=f"{item.source_type}:{item.pk}:restore:{stamp}",
                                       payload=destination_payload(item), school_id=item.school_id)
