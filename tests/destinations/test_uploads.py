"""Proof files: a bad upload is refused on the field "proof" in plain Chinese, nothing is created and nothing
stays in storage; a replaced proof leaves storage only once its replacement commits."""
from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from gradreg.common.errors import Conflict, DomainError
from gradreg.common.uploads import MSG_BROKEN_IMAGE, MSG_BROKEN_PDF, MSG_EMPTY, MSG_TYPE
from gradreg.destinations import services
from gradreg.destinations.models import PaperAgreement, Registration
from gradreg.destinations.models import RegistrationStatus as R
from gradreg.workflow.models import AuditEvent
from tests.destinations.conftest import (
    CONTRACT,
    PAPER_KEY,
    POSTGRADUATE,
    act,
    data_for,
    pdf,
    png,
    registration_in,
    stored_files,
    submit,
)
from tests.signing.conftest import PDF, PNG

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200

BAD_UPLOADS = [
    ("empty", SimpleUploadedFile("录取通知书.pdf", b"", content_type="application/pdf"), MSG_EMPTY),
    ("exe as pdf", SimpleUploadedFile("录取通知书.pdf", EXE, content_type="application/pdf"), MSG_TYPE),
    ("exe", SimpleUploadedFile("setup.exe", EXE, content_type="application/octet-stream"), MSG_TYPE),
    ("html as png", SimpleUploadedFile("a.png", b"<html><script>alert(1)</script></html>", content_type="image/png"),
     MSG_TYPE),
    ("pdf named jpg", SimpleUploadedFile("scan.jpg", PDF, content_type="image/jpeg"),
     "文件扩展名与内容不符：该文件实际是 PDF 文件，请选择正确的文件后重新上传。"),
    ("png named txt", SimpleUploadedFile("scan.txt", PNG, content_type="text/plain"), MSG_TYPE),
    ("cut pdf", SimpleUploadedFile("scan.pdf", PDF[:-8], content_type="application/pdf"), MSG_BROKEN_PDF),
    ("fake png", SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png"),
     MSG_BROKEN_IMAGE),
]


@pytest.fixture
def storage():
    before = stored_files()
    yield before
    # every test leaves storage with only what its items still name
    names = {n for m in (Registration, PaperAgreement) for n in m.objects.values_list("proof_file", flat=True) if n}
    assert stored_files() - before <= names


def _fresh(upload: SimpleUploadedFile) -> SimpleUploadedFile:
    upload.seek(0)
    return SimpleUploadedFile(upload.name, upload.read(), content_type=upload.content_type)


@pytest.mark.parametrize(("upload", "message"), [(u, m) for _, u, m in BAD_UPLOADS],
                         ids=[name for name, _, _ in BAD_UPLOADS])
@pytest.mark.parametrize("key", [POSTGRADUATE, PAPER_KEY])
def test_a_bad_upload_is_refused_clearly(world, storage, upload, message, key):
    with pytest.raises(DomainError) as exc:
        submit(world.u_zhangsan, key, file=_fresh(upload))
    assert (exc.value.field, exc.value.message) == ("proof", message)
    assert Registration.objects.count() == PaperAgreement.objects.count() == 0
    assert not AuditEvent.objects.exists()
    assert stored_files() == storage


def test_a_too_large_upload_is_refused_with_the_limit(world, storage, settings):
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    big = SimpleUploadedFile("录取通知书.pdf", PDF[:-6] + b" " * (80 * 1024) + b"%%EOF\n", content_type="application/pdf")
    with pytest.raises(DomainError) as exc:
        submit(world.u_zhangsan, POSTGRADUATE, file=big)
    assert exc.value.field == "proof" and exc.value.code == "too_large"
    assert exc.value.message == "文件过大：最大 64 KB，您上传的文件为 80 KB。"
    assert Registration.objects.count() == 0
    assert stored_files() == storage


def test_the_default_limit_is_five_megabytes(world, storage):
    big = SimpleUploadedFile("扫描件.pdf", PDF[:-6] + b" " * (5 * 2**20) + b"%%EOF\n", content_type="application/pdf")
    with pytest.raises(DomainError) as exc:
        submit(world.u_zhangsan, PAPER_KEY, file=big)
    assert exc.value.message.startswith("文件过大：最大 5 MB，")
    assert stored_files() == storage


def test_a_good_upload_is_stored_under_a_name_of_ours(world, storage):
    item = submit(world.u_zhangsan, POSTGRADUATE, file=png("../../etc/passwd.png"))
    assert item.proof_file.startswith("destination/") and item.proof_file.endswith(".png")
    assert "passwd" not in item.proof_file
    assert item.proof_content_type == "image/png" and len(item.proof_sha256) == 64
    assert default_storage.exists(item.proof_file)
    assert AuditEvent.objects.get(item_id=item.pk, action="submit").data["proof"] == {"sha256": item.proof_sha256}


def test_a_refused_submission_leaves_no_file_behind(world, storage):
    registration_in(world, R.WAIT_DEPT)
    files = stored_files()
    with pytest.raises(Conflict):
        submit(world.u_zhangsan, CONTRACT, file=pdf())
    assert stored_files() == files


def test_a_bad_proof_on_resubmission_keeps_the_old_one(world, storage):
    item = registration_in(world, R.RETURNED)
    with pytest.raises(DomainError) as exc:
        services.resubmit(Registration, actor=world.u_zhangsan, pk=item.pk, data=data_for(POSTGRADUATE),
                          file=SimpleUploadedFile("a.pdf", b"", content_type="application/pdf"))
    assert (exc.value.field, exc.value.message) == ("proof", MSG_EMPTY)
    fresh = Registration.objects.get(pk=item.pk)
    assert (fresh.status, fresh.proof_file) == (R.RETURNED, item.proof_file)
    assert default_storage.exists(item.proof_file)


def test_a_new_proof_replaces_the_old_once_it_commits(world, storage, django_capture_on_commit_callbacks):
    item = registration_in(world, R.RETURNED)
    old, old_sha = item.proof_file, item.proof_sha256
    with django_capture_on_commit_callbacks(execute=True):
        done = services.resubmit(Registration, actor=world.u_zhangsan, pk=item.pk, data=data_for(POSTGRADUATE),
                                 file=png("新录取通知书.png"))
    assert done.status == R.WAIT_DEPT and done.proof_file != old and default_storage.exists(done.proof_file)
    assert not default_storage.exists(old)
    shas = [e.data["proof"]["sha256"] for e in AuditEvent.objects.filter(item_id=item.pk, action__in=["submit", "resubmit"])
            .order_by("seq")]
    assert shas == [old_sha, done.proof_sha256]


def test_a_refused_resubmission_keeps_the_old_proof(world, storage, django_capture_on_commit_callbacks):
    """Guards: the replaced proof was deleted before the move ran, so a refused move lost it."""
    item = registration_in(world, R.WAIT_DEPT)  # not the graduate's to resubmit now
    files = stored_files()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        services.resubmit(Registration, actor=world.u_zhangsan, pk=item.pk, data=data_for(POSTGRADUATE),
                          file=png())
    assert default_storage.exists(item.proof_file)
    assert stored_files() == files
    fresh = Registration.objects.get(pk=item.pk)
    assert fresh.proof_file == item.proof_file


def test_a_resubmission_without_a_file_keeps_the_proof(world, storage):
    item = registration_in(world, R.WITHDRAWN)
    done = act(world.u_zhangsan, item, "resubmit")
    assert done.proof_file == item.proof_file and default_storage.exists(item.proof_file)


def test_a_type_newly_asking_for_proof_needs_one_on_resubmission(world, storage):
    item = submit(world.u_zhangsan, "unemployed.job_seeking")
    act(world.u_zhangsan, item, "withdraw")
    with pytest.raises(DomainError) as exc:
        services.resubmit(Registration, actor=world.u_zhangsan, pk=item.pk, type_key=CONTRACT, data=data_for(CONTRACT))
    assert exc.value.field == "proof"
    done = services.resubmit(Registration, actor=world.u_zhangsan, pk=item.pk, type_key=CONTRACT,
                             data=data_for(CONTRACT), file=pdf("劳动合同.pdf"))
    assert (done.status, done.type_key, done.unemployed) == (R.WAIT_DEPT, CONTRACT, False) and done.proof_file
