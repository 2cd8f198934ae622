"""A replaced 营业执照 leaves storage once the resubmission commits; the audit trail keeps its hash.
Every licence is served sandboxed."""
from __future__ import annotations

import hashlib

from django.core.files.storage import default_storage

from gradreg.accounts.models import User
from gradreg.employers import services
from gradreg.organisations.models import Employer
from gradreg.workflow.models import AuditEvent

from .helpers import pdf, registration


def test_a_new_licence_removes_the_old_file(client, world, django_capture_on_commit_callbacks):
    """Guards: the licence replaced on resubmission stayed in storage; now it is deleted, and the
    registration's audit event still names its SHA-256."""
    employer = services.employer_register(**registration(301)).employer
    old_name = employer.licence
    with default_storage.open(old_name, "rb") as fh:
        old_sha = hashlib.sha256(fh.read()).hexdigest()
    services.employer_reject(actor=world.operator, employer_id=employer.pk, reason="营业执照模糊")
    data = registration(301, licence=pdf())
    for key in ("username", "password", "password_confirm"):
        data.pop(key)
    user = User.objects.get(employer=employer)
    with django_capture_on_commit_callbacks(execute=True):
        services.employer_resubmit(actor=user, employer_id=employer.pk, **data)
    employer = Employer.objects.get(pk=employer.pk)
    assert employer.licence != old_name and default_storage.exists(employer.licence)
    assert not default_storage.exists(old_name)
    register = AuditEvent.objects.get(item_type="employer", item_id=employer.pk, action="register")
    assert register.data["licence_sha256"] == old_sha

    # the operator still sees the current licence, sandboxed; a PDF is a download, never shown inline
    client.force_login(world.operator)
    r = client.get(f"/organisations/employers/{employer.pk}/licence/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Security-Policy"].startswith("sandbox") and r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("attachment;")


def test_a_resubmission_without_a_licence_keeps_it(world, django_capture_on_commit_callbacks):
    employer = services.employer_register(**registration(302)).employer
    services.employer_reject(actor=world.operator, employer_id=employer.pk, reason="地址不详")
    data = registration(302, address="广州市天河区天河路2号")
    for key in ("username", "password", "password_confirm", "licence"):
        data.pop(key)
    with django_capture_on_commit_callbacks(execute=True):
        services.employer_resubmit(actor=User.objects.get(employer=employer), employer_id=employer.pk, **data)
    employer.refresh_from_db()
    assert default_storage.exists(employer.licence)
