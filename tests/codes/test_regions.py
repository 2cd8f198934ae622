"""The GB/T 2260 region table: renamed districts stay current, abolished codes name their successor.

Guards the finding that 164 districts which were only renamed (440303 罗湖区, 440304 福田区, 440305 南山区,
120110 东丽区 …) had an end year, so employers, signings and roster rows naming them were refused.
"""
from __future__ import annotations

import pytest

from gradreg.codes.loader import region_codes_in_use, region_problem
from gradreg.codes.models import Region
from gradreg.codes.regions import DATA_FILE, build_rows, read_csv
from gradreg.common.errors import Invalid
from gradreg.employers import services as employer_services
from gradreg.signing.services import clean_terms
from tests.ems.test_import import assert_problem, row, run
from tests.organisations.helpers import registration

RENAMED = {"440303": "罗湖区", "440304": "福田区", "440305": "南山区", "120110": "东丽区",
           "130502": "襄都区", "210112": "浑南区"}


def test_renamed_but_current_districts_are_current_under_their_current_name(db):
    """A code whose last name has no end year is in use, under that name (loc.dat lists every name it had)."""
    for code, name in RENAMED.items():
        region = Region.objects.get(code=code)
        assert (region.name, region.valid_to) == (name, ""), region.__dict__
        assert code in region_codes_in_use()
        assert region_problem(code, "单位所在地") is None


def test_the_shipped_csv_is_what_the_rebuild_makes_and_says_how(db):
    """The data file is the rebuild's output, its header names source and method, no name keeps a period mark."""
    assert read_csv() == build_rows()
    assert not [r for r in read_csv() if "[" in r["name"] or "," in r["name"]]
    with DATA_FILE.open(encoding="utf-8") as fh:
        header = fh.readline() + fh.readline()
    assert "stdnum/cn/loc.dat" in header and "Method:" in header and "successor" in header


def test_an_abolished_code_is_refused_naming_its_successor(db):
    """崇文区 (110103) merged into 东城区 in 2010; 乐昌县 (440225) became 乐昌市 (440281)."""
    assert region_problem("110103", "生源所在地") == "生源所在地“110103 崇文区”已于2010年停用，现为“110101 北京市东城区”，请改填110101。"
    assert "现为“440281 广东省乐昌市”" in region_problem("440225", "工作地点")
    assert "不是有效的6位行政区划代码" in region_problem("999999", "工作地点")
    no_heir = Region.objects.filter(valid_to__gt="", successor="").first()
    assert "请填写现行的6位行政区划代码" in region_problem(no_heir.code, "工作地点")


def test_employer_registration_takes_renamed_districts_and_names_the_successor(db):
    """The employer registration service: 440305 南山区 registers; 110103 is refused with 110101 named."""
    data = registration(401, region_code="440305")
    assert employer_services.employer_register(**data).employer.region_code == "440305"
    with pytest.raises(Invalid) as exc:
        employer_services.employer_register(**registration(402, region_code="110103"))
    assert "110101" in exc.value.errors["region_code"][0]


@pytest.mark.parametrize("field", ["work_region", "employer_region"])
def test_signing_terms_take_renamed_districts_and_name_the_successor(db, field):
    """The signing's 工作地点 and 单位所在地 checks."""
    def region_errors(code):
        try:
            clean_terms({field: code}, with_employer=True)
        except Invalid as e:
            return e.errors.get(field, [])
        return []

    assert region_errors("440303") == []
    assert region_errors("120110") == []
    assert "现为“110101 北京市东城区”" in region_errors("110103")[0]


def test_roster_import_takes_renamed_districts_and_names_the_successor(world):
    """The roster import's 生源所在地 check."""
    imp = run(world, [row(1, 生源所在地="440304"), row(2, 生源所在地="120110")])
    assert imp.created_count == 2, imp.errors
    imp = run(world, [row(3), row(4, 生源所在地="110103")])
    assert_problem(imp, 3, "生源所在地", "请改填110101")
