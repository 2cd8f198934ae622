"""The e-agreement: its number, the signed PDF, and where both are kept."""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from gradreg.codes.loader import code_map, region_name
from gradreg.common.numbers import plain_number

from .models import AgreementCounter, Signing


def next_agreement_no(school, year: int) -> str:
    """协议书编号, unique per school and year: <学校代码>-<年>-<六位序号>, taken under a row lock."""
    AgreementCounter.objects.get_or_create(school=school, year=year)
    counter = AgreementCounter.objects.select_for_update().get(school=school, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{school.code}-{year}-{counter.last:06d}"


def verify_url(signing: Signing) -> str:
    """The public document-check address the QR code carries (the page is gradreg.verification's)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("verification:agreement", args=[signing.verify_token])


def agreement_doc(signing: Signing):
    from .agreement_pdf import AgreementDoc  # function-level: reportlab+pyHanko take 0.5 s, off the request path

    g = signing.graduate_snapshot
    codes = {t: code_map(t) for t in ("xb", "mz", "zzmm", "xl", "dwxz", "dwhy", "gzzwlb")}
    money = f"{signing.monthly_salary:,.2f}" if signing.monthly_salary is not None else ""
    return AgreementDoc(
        number=signing.agreement_no,
        generated_at=signing.agreement_generated_at,
        verify_url=verify_url(signing),
        school_name=signing.school.name,
        school_code=signing.school.code,
        graduate_name=g.get("name", ""),
        gender=codes["xb"].get(g.get("gender", ""), ""),
        id_number=g.get("id_number", ""),
        exam_no=g.get("exam_no", signing.exam_no),
        student_no=g.get("student_no", ""),
        department=g.get("department", ""),
        major=g.get("major", ""),
        education_level=codes["xl"].get(g.get("education_level", ""), ""),
        schooling_years=g.get("schooling_years", ""),
        graduation_date=g.get("graduation_date", ""),
        political_status=codes["zzmm"].get(g.get("political_status", ""), ""),
        ethnicity=codes["mz"].get(g.get("ethnicity", ""), ""),
        graduate_phone=signing.graduate.phone,
        origin_region=region_name(signing.graduate.origin_region),
        employer_name=signing.employer_name,
        credit_code=signing.credit_code,
        employer_nature=codes["dwxz"].get(signing.employer_nature, signing.employer_nature),
        employer_industry=codes["dwhy"].get(signing.employer_industry, signing.employer_industry),
        employer_region=region_name(signing.employer_region) if signing.employer_region else "",
        employer_address=signing.employer_address,
        contact_name=signing.contact_name,
        contact_phone=signing.contact_phone,
        position=signing.position,
        job_category=codes["gzzwlb"].get(signing.job_category, signing.job_category),
        work_region=region_name(signing.work_region) if signing.work_region else "",
        monthly_salary=money,
        probation_months=str(signing.probation_months),
        service_years=plain_number(signing.service_years),
        breach_terms=signing.breach_terms,
        archive_unit=signing.archive_unit,
        archive_address=signing.archive_address,
        hukou_unit=signing.hukou_unit,
        hukou_address=signing.hukou_address,
        other_terms=signing.other_terms,
        signed_online=signing.is_online,
    )


def issue_agreement(signing: Signing) -> None:
    """Number, render, sign and store the PDF; its SHA-256 is kept so a copy can be checked later."""
    from .agreement_pdf import render_agreement  # function-level: reportlab+pyHanko take 0.5 s, off the request path

    now = timezone.now()
    signing.agreement_generated_at = now
    if not signing.agreement_no:
        signing.agreement_no = next_agreement_no(signing.school, timezone.localdate(now).year)
    data = render_agreement(agreement_doc(signing))
    name = f"agreements/{signing.school.code}/{signing.agreement_no}.pdf"
    if default_storage.exists(name):
        default_storage.delete(name)
    signing.agreement_file = default_storage.save(name, ContentFile(data))
    signing.agreement_sha256 = hashlib.sha256(data).hexdigest()  # the fingerprint pdfsign.sha256_hex gives


def agreement_bytes(signing: Signing) -> bytes:
    with default_storage.open(signing.agreement_file, "rb") as fh:
        return fh.read()
