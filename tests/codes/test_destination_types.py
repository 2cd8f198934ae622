"""The destination taxonomy (seed 3.5, SPEC 4.6) as data: types, fields, codes, countries, and a loader that
refuses a bad file by name and line."""
from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path

import pytest

from gradreg.codes import destinations as d
from gradreg.codes.loader import code_map
from gradreg.codes.models import CodeEntry
from gradreg.ems.sync import _destination_code
from gradreg.roster.gates import SUPPLEMENT_DESTINATION

# seed 3.5, word for word, in its order
SEED = [
    ("签就业协议形式就业", ["提供公招接收函就业", "部队军官或文职人员", "医学规培生", "国际组织任职", "出国出境工作"]),
    ("签劳动合同就业", []),
    ("其他录用证明就业", []),
    ("定向/委培毕业去向补充登记", []),
    ("自由职业", []),
    ("国家基层项目", ["特岗教师", "三支一扶", "西部计划"]),
    ("地方基层项目", ["特岗教师", "选调生", "农技特岗", "乡村医生", "乡村教师"]),
    ("科研助理管理助理(含博士后入站)", []),
    ("应征义务兵", []),
    ("自主创业", []),
    ("境内升学", ["专升本", "考研", "第二学士学位"]),
    ("出国出境深造", []),
    ("未就业", ["求职中", "签约中", "拟参加公招考试", "拟创业", "不就业拟升学", "暂不就业", "拟应征入伍", "拟出国出境"]),
]
EMPLOYMENT = ["unit_name", "credit_code", "unit_nature", "unit_industry", "unit_region", "job_category", "position",
              "start_date"]
# byqx.csv as it was before the 2024 codes joined: EMS sync maps these names to codes, so none may change
BYQX_BEFORE_2024 = {
    "10": "签就业协议形式就业", "11": "签劳动合同形式就业", "12": "其他录用形式就业", "27": "科研助理", "46": "应征义务兵",
    "50": "国家基层项目", "51": "地方基层项目", "70": "待就业", "71": "不就业拟升学", "72": "其他暂不就业", "75": "自主创业",
    "76": "自由职业", "80": "升学", "81": "升学(非全日制)", "82": "升学(规陪)", "85": "出国、出境",
}


def names(t: d.DestinationType) -> list[str]:
    return [f.name for f in t.fields]


def required(t: d.DestinationType) -> list[str]:
    return [f.name for f in t.fields if f.required]


def test_every_type_and_sub_type_of_the_seed_is_offered_in_its_words_and_order():
    offered = [(group, [label for _, label in leaves]) for group, leaves in d.type_choices()]
    # an ordinary agreement is a leaf of its own, shown under the type's name, before the sub-types
    expected = [(t, [t, *subs] if t == "签就业协议形式就业" else subs or [t]) for t, subs in SEED]
    assert offered == expected
    types = d.destination_types()
    assert len(types) == 1 + sum(len(subs) or 1 for _, subs in SEED) == 33
    assert all(t.module == "registration" for t in types.values())
    assert types["directed"].type == SUPPLEMENT_DESTINATION and types["directed"].directed
    assert [k for k, t in types.items() if t.directed] == ["directed"]


def test_the_keys_are_stable_ascii_names():
    assert list(d.destination_types())[:3] == ["agreement", "agreement.exam_letter", "agreement.military"]
    assert d.destination_type("contract").name == "签劳动合同就业"
    assert d.destination_type("unemployed.job_seeking").name == "未就业（求职中）"
    assert d.destination_type("study_domestic.postgraduate").name == "境内升学（考研）"
    assert d.destination_type("no.such") is None


def test_postgraduate_study_is_reported_as_80_and_801_and_asks_for_school_major_level_and_proof():
    t = d.destination_type("study_domestic.postgraduate")
    assert (t.type, t.subtype, t.code, t.code_2024) == ("境内升学", "考研", "80", "801")
    assert required(t) == ["institution", "major", "study_level"]
    assert set(t.field("study_level").choices) >= {"硕士研究生", "博士研究生"}
    assert t.proof == "录取通知书" and t.archive_hukou and not t.unemployed


def test_codes_of_the_2024_scheme_where_they_were_observed():
    by_key = {k: (t.code, t.code_2024) for k, t in d.destination_types().items()}
    assert by_key["national_project.sanzhi_yifu"] == ("50", "502")
    assert by_key["national_project.western"] == ("50", "503")
    assert by_key["national_project.special_teacher"] == ("50", "")
    assert by_key["local_project.selected_graduate"] == ("51", "512")
    assert by_key["local_project.village_doctor"] == ("51", "519")
    assert by_key["research_assistant"] == ("27", "271")
    assert by_key["study_domestic.second_degree"] == ("80", "802")
    assert by_key["study_domestic.upgrade"] == ("80", "")
    assert by_key["study_abroad"] == ("85", "")
    assert by_key["directed"] == ("10", "")
    assert {k: c for k, (c, _) in by_key.items() if k.startswith("unemployed.")} == {
        "unemployed.job_seeking": "70", "unemployed.signing": "70", "unemployed.exam_prep": "70",
        "unemployed.plan_startup": "70", "unemployed.plan_enlist": "70",
        "unemployed.plan_study": "71", "unemployed.plan_abroad": "71", "unemployed.not_working": "72",
    }


def test_every_unemployed_sub_type_is_the_sub_type_only():
    unemployed = [t for t in d.destination_types().values() if t.unemployed]
    assert [t.subtype for t in unemployed] == SEED[-1][1]
    for t in unemployed:
        assert (t.fields, t.proof, t.archive_hukou, t.groups) == ((), "", False, ())
    assert not any(t.unemployed for t in d.destination_types().values() if t.type != "未就业")
    # every other type asks for something and for a proof
    assert all(t.fields and t.proof for t in d.destination_types().values() if not t.unemployed)


def test_a_business_needs_its_credit_code_or_its_licence_number():
    t = d.destination_type("startup")
    assert t.groups == (("credit_code", "licence_no"),)
    credit, licence = t.field("credit_code"), t.field("licence_no")
    assert (credit.required, credit.one_of, credit.max_length) == (False, ("credit_code", "licence_no"), 18)
    assert (licence.required, licence.one_of) == (False, ("credit_code", "licence_no"))
    assert required(t) == ["company_name", "role", "unit_region", "start_date"]
    assert "个体工商户经营者" in t.field("role").choices
    assert (t.code, t.proof, t.archive_hukou) == ("75", "营业执照", False)


def test_the_fields_of_each_kind_of_destination_in_form_order():
    types = d.destination_types()
    for key in ["agreement", "agreement.exam_letter", "agreement.medical_resident", "contract", "other_offer",
                "research_assistant"]:
        assert names(types[key]) == EMPLOYMENT, key
        assert required(types[key]) == [n for n in EMPLOYMENT if n != "position"], key
    assert required(types["agreement.military"]) == ["unit_name", "unit_nature", "unit_industry", "unit_region",
                                                    "job_category", "start_date"]
    for key in ["agreement.abroad_work", "agreement.intl_org"]:
        assert names(types[key]) == ["unit_name", "country", "job_category", "start_date"], key
    assert (names(types["directed"]), required(types["directed"])) == (
        ["unit_name", "unit_region", "start_date"], ["unit_name", "unit_region"])
    assert names(types["freelance"]) == ["work_content", "work_region", "start_date"]
    for key in [k for k in types if k.split(".")[0] in ("national_project", "local_project")]:
        assert required(types[key]) == ["unit_name", "project_place", "service_years", "start_date"], key
        assert types[key].field("service_years").kind == "years"
    assert required(types["conscript"]) == ["enlist_region"]
    assert (required(types["study_abroad"]), names(types["study_abroad"])) == (
        ["country", "institution"], ["country", "institution", "major"])
    yes = {k for k, t in types.items() if t.archive_hukou}
    assert {"freelance", "startup", "study_abroad"}.isdisjoint(yes)
    assert {"agreement", "contract", "directed", "conscript", "research_assistant", "study_domestic.upgrade",
            "national_project.western", "local_project.selected_graduate"} <= yes


def test_the_paper_agreement_registration_is_a_module_of_its_own():
    paper = d.destination_types("paper")
    assert list(paper) == ["paper_agreement"]
    t = paper["paper_agreement"]
    assert (t.type, t.subtype, t.code, t.proof, t.archive_hukou) == ("签就业协议形式就业", "", "10", "已签纸质就业协议书扫描件", True)
    assert names(t) == ["unit_name", "credit_code", "unit_nature", "unit_industry", "unit_region", "job_category",
                        "position", "work_region", "paper_no", "signed_date", "start_date"]
    assert required(t) == names(t)[:-1]
    assert d.destination_type("paper_agreement") is None
    assert d.type_choices("paper") == [("签就业协议形式就业", [("paper_agreement", "签就业协议形式就业")])]
    with pytest.raises(ValueError, match="unknown module 'nope'"):
        d.destination_types("nope")


def test_the_field_catalogue_kinds():
    catalogue = d.field_catalogue()
    assert catalogue["unit_nature"].code_table == "dwxz" and catalogue["unit_nature"].choices == ()
    assert catalogue["unit_industry"].code_table == "dwhy"
    assert catalogue["job_category"].code_table == "gzzwlb"
    assert catalogue["study_level"].choices == ("专科升本科", "硕士研究生", "博士研究生", "第二学士学位")
    assert catalogue["role"].choices == ("法定代表人", "股东", "合伙人", "个体工商户经营者", "其他")
    assert (catalogue["unit_name"].label, catalogue["unit_name"].kind, catalogue["unit_name"].max_length) == (
        "单位名称", "text", 200)
    assert {catalogue[n].kind for n in ["unit_region", "work_region", "project_place", "enlist_region"]} == {"region"}
    assert catalogue["country"].kind == "country" and catalogue["signed_date"].kind == "date"
    assert all(f.required and not f.one_of for f in catalogue.values())
    used = {f.name for t in [*d.destination_types().values(), *d.destination_types("paper").values()] for f in t.fields}
    assert used == set(catalogue)  # no field lies unused
    # what a caller does with its copy does not reach the next caller
    catalogue.clear()
    d.destination_types().clear()
    assert d.field_catalogue() and d.destination_types()


def test_every_code_is_a_loaded_destination_code_that_ems_sync_maps_back(db):
    byqx = code_map("byqx")
    assert {c: byqx[c] for c in BYQX_BEFORE_2024} == BYQX_BEFORE_2024
    assert byqx["801"] == "境内升学—研究生" and byqx["271"] == "科研助理、管理助理—科研助理、管理助理"
    assert {"271", "502", "503", "512", "519", "801", "802"} <= set(byqx)
    for t in [*d.destination_types().values(), *d.destination_types("paper").values()]:
        assert t.code in byqx, t.key
        assert _destination_code({"destination": byqx[t.code]}) == t.code, t.key
        if t.code_2024:
            assert CodeEntry.objects.get(table="byqx", code=t.code_2024).parent == t.code, t.key
    for f in d.field_catalogue().values():
        if f.code_table:
            assert code_map(f.code_table), f.name


def test_countries_for_destinations_abroad():
    countries = d.countries()
    assert (countries["US"], countries["JP"], countries["GB"], countries["KR"]) == ("美国", "日本", "英国", "韩国")
    assert (countries["HK"], countries["MO"], countries["TW"]) == ("中国香港", "中国澳门", "中国台湾")
    assert "CN" not in countries
    assert len(countries) == 248
    assert len(set(countries.values())) == len(countries)


GEN = Path(__file__).resolve().parents[2] / "scripts" / "gen_iso3166.py"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_iso3166", GEN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_country_table_is_what_the_generator_makes(tmp_path):
    gen = _generator()
    # `make test` installs Debian's iso-codes (scripts/system-deps.sh isocodes)
    assert gen.JSON_FILE.exists() and gen.MO_FILE.exists(), "Debian iso-codes is not installed"
    assert gen.write_csv(tmp_path / "iso3166.csv") == 248
    shipped = (d.DATA / "iso3166.csv").read_text(encoding="utf-8")
    assert (tmp_path / "iso3166.csv").read_text(encoding="utf-8") == shipped
    assert shipped.startswith("# ") and "iso-codes 4." in shipped.splitlines()[0]


# -- a bad data file is refused, naming the file, the line and the problem


def _copy_data(tmp_path: Path) -> Path:
    for name in ["destination_fields.csv", "destination_types.csv", "byqx.csv", "dwxz.csv", "dwhy.csv", "gzzwlb.csv",
                 "iso3166.csv"]:
        shutil.copy(d.DATA / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, first: str, /, **changes: str) -> None:
    """Change one row (found by its first column) of a CSV file in place."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for row in rows:
        if row[0] == first:
            for column, value in changes.items():
                row[header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def test_a_copy_of_the_data_reads_as_the_shipped_data(tmp_path):
    assert d.read_taxonomy(_copy_data(tmp_path)) == {**d.destination_types(), **d.destination_types("paper")}


def _line(path: Path, key: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(key + ","))


@pytest.mark.parametrize(
    ("file", "key", "changes", "problem"),
    [
        ("destination_types.csv", "startup", {"fields": "company_name;credit_code|licence;role"}, "unknown field 'licence'"),
        ("destination_types.csv", "conscript", {"fields": "enlist_region;enlist_region"}, "field enlist_region listed twice"),
        ("destination_types.csv", "freelance", {"code": "77"}, "code '77' is not in byqx.csv"),
        ("destination_types.csv", "study_domestic.upgrade", {"code_2024": "502"}, "code_2024 '502' is not a sub-code of 80"),
        ("destination_types.csv", "contract", {"module": "signing"}, "unknown module 'signing'"),
        ("destination_types.csv", "contract", {"archive_hukou": "1"}, "archive_hukou must be yes or no"),
        ("destination_types.csv", "contract", {"key": "Contract"}, "key 'Contract' must be lower-case ASCII"),
        ("destination_fields.csv", "position", {"kind": "string"}, "unknown kind 'string'"),
        ("destination_fields.csv", "unit_nature", {"kind": "code:dwxx"}, "no code table dwxx.csv"),
        ("destination_fields.csv", "role", {"kind": "choice:股东"}, "two or more distinct"),
        ("destination_fields.csv", "major", {"max_length": ""}, "a text field needs max_length"),
        ("destination_fields.csv", "credit_code", {"max_length": "20"}, "a credit_code is 18 characters"),
    ],
)
def test_a_bad_row_is_refused_by_file_line_and_problem(tmp_path, file, key, changes, problem):
    data = _copy_data(tmp_path)
    line = _line(data / file, key)
    _edit(data / file, key, **changes)
    with pytest.raises(ValueError) as refused:
        d.read_taxonomy(data)
    assert f"{data / file} line {line}: " in str(refused.value) and problem in str(refused.value)


def test_a_duplicate_key_or_field_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    lines = (data / "destination_types.csv").read_text(encoding="utf-8").splitlines()
    _append(data / "destination_types.csv", lines[1])
    with pytest.raises(ValueError, match=rf"destination_types.csv line {len(lines) + 1}: duplicate key agreement"):
        d.read_taxonomy(data)

    data = _copy_data(tmp_path)
    _append(data / "destination_fields.csv", "major,专业,text,50,")
    with pytest.raises(ValueError, match="destination_fields.csv line .*: duplicate field major"):
        d.read_taxonomy(data)


def test_a_type_offered_twice_or_a_bad_header_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    _append(data / "destination_types.csv", "contract2,签劳动合同就业,,11,,unit_name,劳动合同,yes,registration,test")
    with pytest.raises(ValueError, match="签劳动合同就业  is listed twice in module registration"):
        d.read_taxonomy(data)

    data = _copy_data(tmp_path)
    text = (data / "destination_fields.csv").read_text(encoding="utf-8")
    (data / "destination_fields.csv").write_text(text.replace("field,label,kind", "name,label,kind", 1), encoding="utf-8")
    with pytest.raises(ValueError, match="destination_fields.csv line 1: header must be field,label,kind"):
        d.read_taxonomy(data)


def test_a_bad_country_row_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    _append(data / "iso3166.csv", "US,USA,840,美国,United States")
    with pytest.raises(ValueError, match=r"iso3166.csv line 251: alpha2 'US'"):
        d.read_countries(data)
