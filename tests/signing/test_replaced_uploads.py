"""A replaced upload leaves storage once the change commits; the audit trail keeps its hash."""
from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from gradreg.common.errors import DomainError
from gradreg.signing import services
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from gradreg.workflow.models import AuditEvent
from tests.signing.conftest import PDF, act, material_pdf, signing_in, stamped_png, termination_in

pytestmark = pytest.mark.usefixtures("signing_env")


def test_a_stamped_reupload_removes_the_old_file(world, django_capture_on_commit_callbacks):
    """Guards: the stamped agreement replaced by a re-upload stayed in storage; now it is deleted,
    and the audit's upload event still names its SHA-256."""
    s = signing_in(world, S.AWAIT_UPLOAD, online=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.stamped_upload(actor=world.u_zhangsan, pk=s.pk, file=stamped_png())
    s.refresh_from_db()
    old_name, old_sha = s.stamped_file, s.stamped_sha256
    assert default_storage.exists(old_name)
    act(world.u_zhangsan, s, "withdraw_upload")
    with django_capture_on_commit_callbacks(execute=True):
        services.stamped_upload(actor=world.u_zhangsan, pk=s.pk, file=SimpleUploadedFile("扫描件.pdf", PDF))
    s.refresh_from_db()
    assert s.stamped_file != old_name and default_storage.exists(s.stamped_file)
    assert not default_storage.exists(old_name)
    uploads = AuditEvent.objects.filter(item_type="offline_signing", item_id=s.pk, action="upload").order_by("id")
    assert [e.data["stamped_sha256"] for e in uploads] == [old_sha, s.stamped_sha256]


def test_a_refused_reupload_keeps_the_old_file(world, django_capture_on_commit_callbacks):
    """The old file goes only when the replacement commits."""
    s = signing_in(world, S.AWAIT_UPLOAD, online=False)
    services.stamped_upload(actor=world.u_zhangsan, pk=s.pk, file=stamped_png())
    s.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        # waiting for the department: a second upload is refused
        services.stamped_upload(actor=world.u_zhangsan, pk=s.pk, file=stamped_png())
    assert default_storage.exists(s.stamped_file)


def test_new_termination_material_removes_the_old_file(world, django_capture_on_commit_callbacks):
    """Guards: 解约材料 replaced on resubmission stayed in storage; now it is deleted, the audit keeps its hash."""
    t = termination_in(world, TS.OFFLINE_WAIT_DEPT, online=False)
    old_name, old_sha = t.material_file, t.material_sha256
    assert default_storage.exists(old_name)
    act(world.wang, t, "return", reason="解约函缺少单位盖章")
    with django_capture_on_commit_callbacks(execute=True):
        services.termination_act(actor=world.u_zhangsan, pk=t.pk, action="resubmit", reason="补充说明")
    assert default_storage.exists(old_name)  # resubmitted without a new file: the material stays
    act(world.wang, t, "return", reason="仍不清晰")
    with django_capture_on_commit_callbacks(execute=True):
        services.termination_act(actor=world.u_zhangsan, pk=t.pk, action="resubmit", file=material_pdf("新解约函.pdf"))
    t.refresh_from_db()
    assert t.material_file != old_name and default_storage.exists(t.material_file)
    assert not default_storage.exists(old_name)
    hashes = [e.data.get("material_sha256") for e in AuditEvent.objects.filter(item_id=t.pk).order_by("id")]
    assert old_sha in hashes
