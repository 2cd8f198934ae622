"""Small places where the signing pages followed the seed only in part (issue: small seed mismatches)."""
from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from gradreg.signing.models import Signing
from gradreg.signing.models import SigningStatus as S
from gradreg.signing.models import TerminationStatus as TS
from tests.conftest import login

from .conftest import act, actor_for, apply_offline, invite, second_employer, signing_in, termination_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_env")]


def html(user, url, **params) -> str:
    r = login(Client(), user).get(url, params)
    assert r.status_code == 200, (url, r.status_code)
    return r.content.decode()


def api(user, url) -> dict:
    r = login(Client(), user).get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.json()


def links_to(page: str, url: str) -> list[str]:
    return re.findall(rf'<a href="{re.escape(url)}">([^<]*)</a>', page)


def test_termination_rows_offer_review_when_they_wait_for_the_viewer(world):
    """解约管理: a row waiting for this reviewer links as 审核 (the school's wording), others as 查看."""
    t = termination_in(world, TS.OFFLINE_WAIT_DEPT, online=False)
    url = f"/signing/terminations/{t.pk}/"
    assert links_to(html(world.wang, "/signing/terminations/", status=""), url) == ["审核"]
    assert links_to(html(world.qian, "/signing/terminations/", status=""), url) == ["查看"]
    act(world.wang, t, "approve")
    assert links_to(html(world.qian, "/signing/terminations/", status=""), url) == ["审核"]
    assert links_to(html(world.wang, "/signing/terminations/", status=""), url) == ["查看"]


def _rows(response) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(wb.active.iter_rows(values_only=True))[1:]


def test_department_returned_exports_hold_the_departments_returns(world):
    """导出退回修改学生名单 of a department: what it returned (signings and terminations), its own graduates only."""
    s = apply_offline(world)
    act(world.wang, s, "return", reason="岗位名称不规范")
    t = termination_in(world, TS.OFFLINE_WAIT_DEPT, online=False, graduate=world.lisi)
    act(actor_for(world, "department", t), t, "return", reason="请补充解约函")
    wang, zhao = login(Client(), world.wang), login(Client(), world.zhao)
    rows = _rows(wang.get("/signing/review/export-returned/"))
    assert [r[1] for r in rows] == ["张三"] and "岗位名称不规范" in rows[0][-1]
    assert _rows(wang.get("/signing/terminations/export-returned/")) == []
    rows = _rows(zhao.get("/signing/terminations/export-returned/"))
    assert [r[1] for r in rows] == ["李四"] and "请补充解约函" in rows[0][-1]
    assert _rows(zhao.get("/signing/review/export-returned/")) == []
    # the school's export holds every department's returns
    qian = login(Client(), world.qian)
    assert len(_rows(qian.get("/signing/review/export-returned/"))) == 1
    assert len(_rows(qian.get("/signing/terminations/export-returned/"))) == 1


def _past_deadline(s: Signing) -> Signing:
    Signing.objects.filter(pk=s.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=5))
    s.refresh_from_db()
    return s


def test_invitation_past_its_deadline_shows_expired_at_once(world):
    """Before the daily run marks it: expired on the item page (no 同意签约), in the graduate's list, in the API."""
    s = _past_deadline(invite(world))
    assert s.status == S.INVITED  # the platform's run has not come yet
    page = html(world.u_zhangsan, f"/signing/{s.pk}/")
    assert "邀请已过期" in page and 'value="agree"' not in page and 'value="decline"' not in page
    my = html(world.u_zhangsan, "/signing/my/")
    assert "查看协议并处理" not in my  # not in the inbox
    assert "邀请已过期" in my and f'href="/signing/{s.pk}/"' in my  # but listed, as expired
    item = api(world.u_zhangsan, f"/api/v1/signings/{s.pk}")
    assert item["status"] == "expired" and item["expired"] and "agree" not in item["actions"]
    listed = api(world.u_employer, "/api/v1/signings")
    row = next(r for r in listed["items"] if r["id"] == s.pk)
    assert row["status"] == "expired" and row["status_label"] == "邀请已过期"
    assert "邀请已过期" in html(world.u_employer, "/signing/employer/")


def test_new_invitation_marked_blocked_while_a_signing_is_in_flight(world):
    """A graduate whose signing is in review sees a second employer's invitation marked before clicking."""
    held = signing_in(world, S.AGREED)
    _employer, user_b = second_employer()
    s = invite(world, employer_actor=user_b)
    my = html(world.u_zhangsan, "/signing/my/")
    assert "暂不能同意" in my and held.employer_name in my
    page = html(world.u_zhangsan, f"/signing/{s.pk}/")
    assert "暂不能同意此签约邀请" in page and 'value="agree"' not in page and 'value="decline"' in page
    item = api(world.u_zhangsan, f"/api/v1/signings/{s.pk}")
    assert item["blocked"] and "agree" not in item["actions"] and "decline" in item["actions"]
    # once the first one is rejected, the invitation can be agreed to
    act(world.wang, held, "reject", reason="信息不实", category="other")
    assert "暂不能同意" not in html(world.u_zhangsan, "/signing/my/")
    assert 'value="agree"' in html(world.u_zhangsan, f"/signing/{s.pk}/")


def test_terminated_agreement_pdf_is_marked(world):
    """Wherever the terminated agreement's PDF is offered it says 已解约 (the file itself stays as issued)."""
    t = termination_in(world, TS.TERMINATED)
    s = Signing.objects.get(pk=t.signing_id)
    assert s.status == S.TERMINATED and s.agreement_file
    for user in (world.u_zhangsan, world.u_employer, world.wang, world.qian):
        page = html(user, f"/signing/{s.pk}/")
        assert "下载电子就业协议书（PDF，已解约）" in page
    assert api(world.u_zhangsan, f"/api/v1/signings/{s.pk}")["agreement_terminated"] is True
    live = signing_in(world, S.SIGNED, graduate=world.lisi)
    assert "下载电子就业协议书（PDF）" in html(world.zhao, f"/signing/{live.pk}/")
    assert api(world.u_lisi, f"/api/v1/signings/{live.pk}")["agreement_terminated"] is False


def test_history_shows_each_steps_state_and_time_on_a_narrow_screen(world):
    """办理记录: each step names the state it led to and its time, in a list that wraps (no sideways scroll)."""
    s = signing_in(world, S.AGREED)
    page = html(world.wang, f"/signing/{s.pk}/")
    history = page[page.index('<ol class="timeline">'):]
    history = history[:history.index("</ol>")]
    assert "→ 待学生处理" in history and "→ 学生已同意签约,等待学院审核" in history
    assert re.search(r'<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</time>', history)
    assert "<table" not in history
    css = open("static/css/app.css", encoding="utf-8").read()
    assert re.search(r"\.timeline li \{[^}]*overflow-wrap:\s*anywhere", css)
