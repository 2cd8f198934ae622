"""Writes to organisations: employers enter through here (admin now, self-registration later)."""
from __future__ import annotations

from django.db import transaction

from gradreg.common.errors import DomainError

from .models import Employer, check_credit_code


@transaction.atomic
def employer_create(*, name: str, credit_code: str, **fields) -> Employer:
    """Create an employer; a 信用代码 failing its check digit is accepted but flagged for manual review."""
    try:
        code, needs_review = check_credit_code(credit_code)
    except ValueError as e:
        raise DomainError(str(e), field="credit_code") from None
    if Employer.objects.filter(credit_code=code).exists():
        raise DomainError("该统一社会信用代码的单位已存在。", field="credit_code", code="duplicate")
    employer = Employer(name=name.strip(), credit_code=code, credit_code_needs_review=needs_review, **fields)
    employer.full_clean()
    employer.save()
    return employer
