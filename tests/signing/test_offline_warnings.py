"""预警单位 on offline signings: the employer the graduate typed in is matched on its 统一社会信用代码.

Guards seed 3.3/预警单位: a warned employer shows as 预警单位 when the graduate applies for an e-agreement
with it (no employer id, only the typed code), while the graduate fills the form in, and on every page
a reviewer reviews it on (lists, item pages, the termination's pages, the API).
"""
from __future__ import annotations

import pytest
from django.test import Client

from gradreg.organisations.models import EmployerWarning
from gradreg.signing import services
from tests.conftest import login

from .conftest import OFFLINE_TERMS, act, actor_for, apply_offline, material_pdf

WARNED = 'class="warn-label"'
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_env")]


def warned_offline(world):
    """An offline application naming the world's employer by its code; the graduate's school flags it."""
    EmployerWarning.objects.create(employer=world.employer, school=world.school, category="violation",
                                   note="拖欠工资", created_by=world.qian)
    code = world.employer.credit_code
    s = apply_offline(world, credit_code=code.lower(), employer_name="手填的某某科技")
    assert s.employer_id is None
    return s


def page(user, url, **params) -> str:
    r = login(Client(), user).get(url, params)
    assert r.status_code == 200, (url, r.status_code)
    return r.content.decode()


def test_offline_signing_warned_by_credit_code_on_every_review_page(world):
    s = warned_offline(world)
    for user in (world.wang, world.qian):
        assert WARNED in page(user, f"/signing/{s.pk}/")
        assert "拖欠工资" in page(user, f"/signing/{s.pk}/")
        assert WARNED in page(user, "/signing/review/", status="")
    assert WARNED in page(world.u_zhangsan, f"/signing/{s.pk}/")
    assert WARNED in page(world.u_zhangsan, "/signing/my/")
    api = login(Client(), world.wang).get(f"/api/v1/signings/{s.pk}")
    assert api.status_code == 200 and api.json()["warned"] is True


def test_offline_termination_warned_by_credit_code(world):
    s = warned_offline(world)
    for role in ("department", "school"):
        s = act(actor_for(world, role, s), s, "approve")
    s = act(actor_for(world, "graduate", s), s, "upload")
    for role in ("department", "school"):
        s = act(actor_for(world, role, s), s, "approve")
    t = services.termination_apply(actor=world.u_zhangsan, signing_id=s.pk, reason="单位拖欠工资",
                                   file=material_pdf())
    detail = page(world.wang, f"/signing/terminations/{t.pk}/")
    assert WARNED in detail and "拖欠工资" in detail
    assert WARNED in page(world.wang, "/signing/terminations/", status="")
    api = login(Client(), world.wang).get(f"/api/v1/terminations/{t.pk}")
    assert api.status_code == 200 and api.json()["warned"] is True


def test_offline_form_warns_while_the_code_is_typed(world):
    EmployerWarning.objects.create(employer=world.employer, school=world.school, category="fake", created_by=world.qian)
    c = login(Client(), world.u_zhangsan)
    form = c.get("/signing/apply/").content.decode()
    assert 'hx-get="/signing/apply/credit-warning/"' in form
    hit = c.get("/signing/apply/credit-warning/", {"credit_code": world.employer.credit_code}).content.decode()
    assert WARNED in hit and "虚假" in hit
    miss = c.get("/signing/apply/credit-warning/", {"credit_code": OFFLINE_TERMS["credit_code"]}).content.decode()
    assert WARNED not in miss
    # a form sent back for correction keeps the notice
    again = c.post("/signing/apply/", {"credit_code": world.employer.credit_code}).content.decode()
    assert WARNED in again
    assert login(Client(), world.wang).get("/signing/apply/credit-warning/").status_code == 403
