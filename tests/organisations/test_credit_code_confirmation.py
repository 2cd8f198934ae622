"""A 统一社会信用代码 failing its check digit is refused until the user confirms it, then accepted and flagged.

Guards the finding that a typo and a known pilot code failing the checksum both went silently to
"flagged for review": the user is now told at once, on the field, and must tick 确认代码无误 (page, API, admin).
"""
from __future__ import annotations

from gradreg.common.ids import make_credit_code
from gradreg.organisations.models import Employer
from tests.api.test_employers_api import api_client

from .helpers import registration

REGISTER = "/organisations/employers/register/"
PILOT = make_credit_code(231, valid=False)


def test_registration_page_refuses_an_unconfirmed_checksum_failure_on_the_field(client, db):
    r = client.post(REGISTER, registration(231, credit_code=PILOT))
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert "未通过校验位检查" in errors["credit_code"][0] and "确认代码无误" in errors["credit_code"][0]
    assert 'name="credit_code_confirmed"' in r.content.decode()
    assert not Employer.objects.filter(credit_code=PILOT).exists()


def test_registration_page_accepts_a_confirmed_one_and_flags_it(client, db):
    r = client.post(REGISTER, registration(231, credit_code=PILOT, credit_code_confirmed="on"))
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    assert Employer.objects.get(credit_code=PILOT).credit_code_needs_review


def test_a_valid_code_needs_no_confirmation(client, db):
    assert client.post(REGISTER, registration(232)).status_code == 302
    assert not Employer.objects.get(credit_code=make_credit_code(232)).credit_code_needs_review


def test_api_refuses_an_unconfirmed_checksum_failure_and_accepts_a_confirmed_one(db):
    c, token = api_client()
    r = c.post("/api/v1/employers/register", registration(233, credit_code=PILOT), HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["field"] == "credit_code" and body["code"] == "credit_code_unconfirmed"
    assert "未通过校验位检查" in body["errors"]["credit_code"][0]
    assert not Employer.objects.filter(credit_code=PILOT).exists()
    r = c.post("/api/v1/employers/register", registration(233, credit_code=PILOT, credit_code_confirmed="true"),
               HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 201, r.content
    # the answer is the same whoever registers (no enumeration); the record holds the flag
    assert Employer.objects.get(credit_code=PILOT).credit_code_needs_review is True


def test_admin_form_refuses_an_unconfirmed_checksum_failure_and_accepts_a_confirmed_one(client, world):
    client.force_login(world.operator)
    data = {"name": "试点单位", "credit_code": PILOT, "nature_code": "", "industry_code": "", "region_code": "",
            "address": "", "contact_name": "", "contact_phone": ""}
    bad = client.post("/admin/organisations/employer/add/", data)
    assert bad.status_code == 200
    assert "未通过校验位检查" in bad.context["adminform"].form.errors["credit_code"][0]
    assert not Employer.objects.filter(credit_code=PILOT).exists()
    good = client.post("/admin/organisations/employer/add/", {**data, "credit_code_confirmed": "on"})
    assert good.status_code == 302
    employer = Employer.objects.get(credit_code=PILOT)
    assert employer.credit_code_needs_review
    # editing another field of that employer later asks nothing again
    change = client.post(f"/admin/organisations/employer/{employer.pk}/change/", {**data, "name": "试点单位（改名）"})
    assert change.status_code == 302


def test_the_field_is_checked_as_it_is_typed(client, db):
    """The page asks the check endpoint on change; it says at once that the code fails, and what to do."""
    page = client.get(REGISTER).content.decode()
    assert 'hx-get="/organisations/employers/credit-code-check/"' in page and 'id="id_credit_code_helptext"' in page
    check = "/organisations/employers/credit-code-check/"
    assert "未通过校验位检查" in client.get(check, {"credit_code": PILOT}).content.decode()
    assert "校验位正确" in client.get(check, {"credit_code": make_credit_code(234)}).content.decode()
    assert "18位" in client.get(check, {"credit_code": "9111"}).content.decode()
    assert client.post(check, {"credit_code": PILOT}).status_code == 405
