"""统一社会信用代码: valid codes pass, checksum failures are flagged, malformed codes are refused."""
import pytest

from gradreg.common.errors import DomainError
from gradreg.common.ids import make_credit_code
from gradreg.employers.services import employer_create
from gradreg.organisations.models import Employer, check_credit_code


def test_valid_code_is_accepted_unflagged(db):
    e = employer_create(name="广州某某科技有限公司", credit_code=make_credit_code(7))
    assert not e.credit_code_needs_review


def test_checksum_failure_is_accepted_but_flagged(db):
    e = employer_create(name="早期试点单位", credit_code=make_credit_code(8, valid=False))
    assert e.credit_code_needs_review


@pytest.mark.parametrize("code,message", [
    ("91110000", "18位"),
    ("91110000MA0000000I", "无效字符"),  # I is not in the GB 32100 alphabet
    ("", "18位"),
])
def test_malformed_codes_are_refused(db, code, message):
    with pytest.raises(DomainError) as exc:
        employer_create(name="某单位", credit_code=code)
    assert message in exc.value.message and exc.value.field == "credit_code"
    assert Employer.objects.count() == 0


def test_duplicate_code_is_refused(db):
    employer_create(name="甲", credit_code=make_credit_code(9))
    with pytest.raises(DomainError) as exc:
        employer_create(name="乙", credit_code=make_credit_code(9).lower())
    assert exc.value.code == "duplicate"


def test_lowercase_and_spaces_are_normalised():
    code = make_credit_code(10)
    assert check_credit_code(" " + code.lower() + " ") == (code, False)


def test_admin_form_flags_and_refuses(client, world):
    admin_client = client
    admin_client.force_login(world.operator)
    before = Employer.objects.count()
    good = admin_client.post("/admin/organisations/employer/add/", {
        "name": "试点单位", "credit_code": make_credit_code(11, valid=False), "nature_code": "", "industry_code": "",
        "region_code": "", "address": "", "contact_name": "", "contact_phone": "", "credit_code_confirmed": "on",
    })
    assert good.status_code == 302
    assert Employer.objects.count() == before + 1
    assert Employer.objects.get(name="试点单位").credit_code_needs_review
    bad = admin_client.post("/admin/organisations/employer/add/", {"name": "错", "credit_code": "123"})
    assert bad.status_code == 200 and "18位" in bad.content.decode()
