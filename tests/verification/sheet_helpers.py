"""Grants and transfer codes written straight to the tables, for tests of what reads them."""
from __future__ import annotations

from django.utils import timezone

from gradreg.ems.models import Graduate
from gradreg.verification import codeformat, windows
from gradreg.verification.models import TransferCode, VerificationGrant


def grant(graduate: Graduate, **over) -> VerificationGrant:
    now = timezone.now()
    return VerificationGrant.objects.create(
        graduate=graduate, school_id=graduate.school_id, department_id=graduate.department_id,
        code=over.pop("code", codeformat.new_code()), qr_token=codeformat.new_qr_token(), provider="builtin",
        granted_at=now, expires_at=over.pop("expires_at", windows.grant_expiry(now)), **over)


def transfer_code(graduate: Graduate, kind: str = "archive", **over) -> TransferCode:
    now = timezone.now()
    return TransferCode.objects.create(
        graduate=graduate, kind=kind, school_id=graduate.school_id, department_id=graduate.department_id,
        code=over.pop("code", codeformat.new_code()), qr_token=codeformat.new_qr_token(), generated_at=now,
        updated_at=now, **over)
