"""情况说明 (seed 3.3.2): a graduate whose e-agreement is wrong uploads an explanation; the review sees it inline.

Guards: the upload step takes a 情况说明 instead of (or beside) the stamped copy; reviewers see it on the
item page and may open the file (scoped); an explanation without the stamped copy cannot pass, only be
returned or rejected, after which the graduate fills the agreement in again.
"""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gradreg.common.errors import DomainError
from gradreg.signing import services
from gradreg.signing.models import SigningStatus as S
from tests.conftest import login

from .conftest import OFFLINE_TERMS, PNG, act, signing_in, stamped_png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_env")]


def note_png() -> SimpleUploadedFile:
    return SimpleUploadedFile("情况说明.png", PNG, content_type="image/png")


def test_explanation_upload_is_seen_inline_and_can_only_be_rejected(world):
    s = signing_in(world, S.AWAIT_UPLOAD, online=False)
    r = login(Client(), world.u_zhangsan).post(f"/signing/{s.pk}/upload/", {"explanation": note_png()})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.status == S.UPLOAD_WAIT_DEPT and s.explanation_file and not s.stamped_file
    page = login(Client(), world.wang).get(f"/signing/{s.pk}/").content.decode()
    assert '<section class="card" id="explanation">' in page
    assert f'<img class="licence" src="/signing/{s.pk}/explanation/"' in page and "未回传盖章协议" in page
    assert login(Client(), world.wang).get(f"/signing/{s.pk}/explanation/").status_code == 200
    assert login(Client(), world.zhao).get(f"/signing/{s.pk}/explanation/").status_code == 404
    with pytest.raises(DomainError) as exc:
        act(world.wang, s, "approve")
    assert exc.value.code == "explanation_only"
    s = act(world.wang, s, "reject", reason="协议信息有误，请重新填写", category="terms")
    assert s.status == S.REJECTED
    # the graduate fills the agreement in again
    assert services.offline_apply(actor=world.u_zhangsan, data=_terms()).status == S.DRAFT_WAIT_DEPT


def _terms():
    return dict(OFFLINE_TERMS, position="更正后的岗位")


def test_upload_needs_one_of_the_two_files(world):
    s = signing_in(world, S.AWAIT_UPLOAD, online=False)
    with pytest.raises(DomainError) as exc:
        services.stamped_upload(actor=world.u_zhangsan, pk=s.pk, file=None)
    assert exc.value.field == "stamped"
    s.refresh_from_db()
    assert s.status == S.AWAIT_UPLOAD


def test_a_new_upload_replaces_the_last_and_the_stamped_copy_passes(world):
    s = signing_in(world, S.AWAIT_UPLOAD, online=False)
    s = services.stamped_upload(actor=world.u_zhangsan, pk=s.pk, file=None, explanation=note_png())
    s = act(world.wang, s, "return", reason="请回传盖章协议")
    s = services.stamped_upload(actor=world.u_zhangsan, pk=s.pk, file=stamped_png())
    assert s.stamped_file and not s.explanation_file
    s = act(world.wang, s, "approve")
    assert s.status == S.UPLOAD_WAIT_SCHOOL


def test_explanation_through_the_api(world):
    s = signing_in(world, S.AWAIT_UPLOAD, online=False)
    c = login(Client(), world.u_zhangsan)
    r = c.post(f"/api/v1/signings/{s.pk}/stamped", {"explanation": note_png()})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == S.UPLOAD_WAIT_DEPT and r.json()["has_explanation"] is True
    assert login(Client(), world.wang).get(f"/api/v1/signings/{s.pk}").json()["has_explanation"] is True
