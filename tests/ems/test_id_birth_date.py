"""An ID number's birth date is checked against today and the cohort at every entry point.

Guards the finding that python-stdnum checks format and check digit only, so a birth date in the future
or one making the graduate implausibly young (under 14 at the cohort's graduation) passed the roster
import, the EMS edit form, activation, the invitation lookup (page and API).
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gradreg.accounts.models import ActivationCode
from gradreg.common.ids import make_id_number
from gradreg.ems.validation import MIN_AGE_AT_GRADUATION, check_id_number
from gradreg.signing.models import Signing
from tests import factories as f
from tests.api.test_signing_api import TERMS, Api
from tests.ems.test_import import assert_problem, row, run

TODAY = timezone.localdate()
FUTURE = make_id_number("440106", TODAY + dt.timedelta(days=30), 11)
TOO_YOUNG = make_id_number("440106", dt.date(2014, 1, 1), 13)  # 13 on 2027-06-30
FOURTEEN = make_id_number("440106", dt.date(2013, 6, 30), 15)  # 14 that very day


def test_the_validator_refuses_a_future_or_too_young_birth_date():
    graduation = dt.date(2027, 6, 30)
    assert "晚于今天" in check_id_number(FUTURE, graduation=graduation)[1]
    assert f"不满{MIN_AGE_AT_GRADUATION}周岁" in check_id_number(TOO_YOUNG, graduation=graduation)[1]
    assert check_id_number(FOURTEEN, graduation=graduation) == (FOURTEEN, None)
    assert check_id_number(TOO_YOUNG.lower())[1] is None  # cohort not known: only the latest cohort bounds it
    assert "校验位" in check_id_number(FUTURE[:-1] + ("0" if FUTURE[-1] != "0" else "1"))[1]


def test_roster_import_refuses_them_on_the_row(world):
    imp = run(world, [row(1), row(2, 身份证号=FUTURE), row(3, 身份证号=TOO_YOUNG), row(4, 身份证号=FOURTEEN)])
    assert_problem(imp, 3, "身份证号", "晚于今天")
    assert_problem(imp, 4, "身份证号", "不满14周岁")
    assert {e["row"] for e in imp.errors} == {3, 4}, imp.errors


@pytest.mark.parametrize(("id_number", "text"), [(FUTURE, "晚于今天"), (TOO_YOUNG, "不满14周岁")])
def test_ems_edit_form_refuses_them(client, world, id_number, text):
    client.force_login(world.qian)
    g = world.zhangsan
    form = client.get(f"/ems/graduates/{g.pk}/edit/").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(id_number=id_number, department=g.department_id, major=g.major_id, graduation_date="2027-06-30")
    r = client.post(f"/ems/graduates/{g.pk}/edit/", data)
    assert r.status_code == 200
    assert text in r.context["form"].errors["id_number"][0]
    g.refresh_from_db()
    assert g.id_number == world.zhangsan.id_number


def test_activation_refuses_a_future_birth_date_on_the_field(client, world):
    g = f.graduate(world.cs)
    r = client.post("/activate/", {"exam_no": g.exam_no, "id_number": FUTURE, "channel": "sms"})
    assert r.status_code == 200
    assert "晚于今天" in r.context["form"].errors["id_number"][0]
    assert not ActivationCode.objects.exists()


def test_invitation_lookup_page_and_api_refuse_a_future_birth_date(client, world):
    before = Signing.objects.count()
    api = Api(world.u_employer.username)
    r = api.post("/signings/invitations", {"name": "张三", "id_number": FUTURE, **TERMS})
    assert r.status_code in (400, 422), r.content
    body = r.json()
    assert "晚于今天" in body["detail"] and body["field"] == "id_number"
    client.force_login(world.u_employer)
    page = client.post("/signing/invite/", {"name": "张三", "id_number": FUTURE, **TERMS})
    assert page.status_code == 200
    assert "晚于今天" in page.content.decode()
    assert Signing.objects.count() == before
