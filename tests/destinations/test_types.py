"""Every type of the taxonomy is registrable from its data alone: the form and the service ask its required
fields by name and its proof, accept a complete submission, and report bad values by field and kind."""
from __future__ import annotations

import pytest

from gradreg.codes.destinations import destination_types
from gradreg.common.errors import DomainError, Invalid
from gradreg.common.uploads import MSG_REQUIRED
from gradreg.destinations import services
from gradreg.destinations.forms import DestinationForm
from gradreg.destinations.models import PaperAgreement, Registration
from gradreg.destinations.models import RegistrationStatus as R
from gradreg.destinations.validation import REQUIRED, clean_destination
from gradreg.workflow.models import AuditEvent
from tests.destinations.conftest import (
    DIRECTED,
    DIRECTED_UNIT,
    PAPER_KEY,
    directed_graduate,
    pdf,
    stored_files,
    submit,
    type_of,
    valid_data,
)
from tests.workflow.harness import graduate_user

KEYS = [*destination_types("registration"), PAPER_KEY]

# SPEC 4.6 / seed 3.5, verbatim: each type and its sub-types
SEED_TYPES = {
    "签就业协议形式就业": ["提供公招接收函就业", "部队军官或文职人员", "医学规培生", "国际组织任职", "出国出境工作"],
    "签劳动合同就业": [], "其他录用证明就业": [], "定向/委培毕业去向补充登记": [], "自由职业": [],
    "国家基层项目": ["特岗教师", "三支一扶", "西部计划"],
    "地方基层项目": ["特岗教师", "选调生", "农技特岗", "乡村医生", "乡村教师"],
    "科研助理管理助理(含博士后入站)": [], "应征义务兵": [], "自主创业": [],
    "境内升学": ["专升本", "考研", "第二学士学位"], "出国出境深造": [],
    "未就业": ["求职中", "签约中", "拟参加公招考试", "拟创业", "不就业拟升学", "暂不就业", "拟应征入伍", "拟出国出境"],
}


@pytest.fixture
def filer(world):
    """Who files a type: a 22 (定向, 可签约) graduate for the 定向/委培 supplement, 张三 for every other."""
    def of(key: str):
        if type_of(key).directed:
            return graduate_user(directed_graduate(world, "22"))
        return world.u_zhangsan
    return of


def _model(key: str):
    return PaperAgreement if key == PAPER_KEY else Registration


def _required(key: str) -> list[str]:
    """The fields the graduate must fill (the 定向/委培 unit is EMS's, never asked)."""
    dtype = type_of(key)
    return [f.name for f in dtype.fields if f.required and not (dtype.directed and f.name == "unit_name")]


def test_the_taxonomy_holds_every_type_and_sub_type_of_the_seed():
    held: dict[str, list[str]] = {}
    for t in destination_types("registration").values():
        held.setdefault(t.type, [])
        if t.subtype:
            held[t.type].append(t.subtype)
    for name, subtypes in SEED_TYPES.items():
        assert name in held, name
        assert set(subtypes) <= set(held[name]), (name, set(subtypes) - set(held[name]))
    [paper] = destination_types("paper").values()
    assert paper.key == PAPER_KEY and paper.proof


@pytest.mark.parametrize("key", KEYS)
def test_a_complete_submission_is_accepted(world, filer, key):
    dtype, actor = type_of(key), filer(key)
    data = valid_data(dtype, 3)
    form = DestinationForm(data, {"proof": pdf()} if dtype.proof else {}, dtype=dtype, graduate=actor.graduate)
    assert form.is_valid(), form.errors
    item = services.submit(_model(key), actor=actor, type_key=key, data=form.values(),
                           file=form.cleaned_data.get("proof"))
    item.refresh_from_db()
    assert item.status == R.WAIT_DEPT and item.graduate_id == actor.graduate_id
    assert (item.type_key, item.destination_type, item.subtype, item.destination_code, item.unemployed) == (
        key, dtype.type, dtype.subtype, dtype.code, dtype.unemployed)
    assert set(item.details) == {f.name for f in dtype.fields}
    if dtype.directed:
        assert item.unit_name == item.details["unit_name"] == DIRECTED_UNIT
    assert bool(item.proof_file) == bool(dtype.proof)
    if dtype.archive_hukou:
        assert item.archive_unit == "广州市人才中心"
    assert AuditEvent.objects.filter(item_id=item.pk, action="submit").count() == 1


@pytest.mark.parametrize("key", KEYS)
def test_each_missing_required_field_is_refused_by_name(world, filer, key):
    dtype, actor = type_of(key), filer(key)
    required = _required(key)
    if not required:
        assert dtype.unemployed and not dtype.fields  # 未就业: the sub-type is the whole registration
        return
    before = stored_files()
    for name in required:
        data = valid_data(dtype, 4)
        del data[name]
        with pytest.raises(Invalid) as exc:
            submit(actor, key, data=data)
        assert exc.value.errors == {name: [REQUIRED]}, name
        label = dtype.field(name).label
        assert f"{label}：{REQUIRED}" in exc.value.message
        form = DestinationForm(data, {"proof": pdf()}, dtype=dtype, graduate=actor.graduate)
        assert not form.is_valid()
        assert list(form.errors) == [name] and form.errors[name] == [REQUIRED]
    # everything missing at once: every required field is named in one answer
    with pytest.raises(Invalid) as exc:
        submit(actor, key, data={})
    assert set(exc.value.errors) == set(required) | {g[0] for g in dtype.groups}
    assert _model(key).objects.count() == 0
    assert stored_files() == before


@pytest.mark.parametrize("key", [k for k in KEYS if type_of(k).proof])
def test_a_missing_proof_is_refused(world, filer, key):
    actor = filer(key)
    with pytest.raises(DomainError) as exc:
        submit(actor, key, file=None)
    assert (exc.value.field, exc.value.message) == ("proof", MSG_REQUIRED)
    assert _model(key).objects.count() == 0


@pytest.mark.parametrize("key", [k for k in KEYS if not type_of(k).proof])
def test_a_type_asking_no_proof_takes_none(world, key):
    before = stored_files()
    item = submit(world.u_zhangsan, key, file=pdf())
    assert item.proof_file == "" and stored_files() == before


def test_optional_fields_may_stay_empty(world):
    data = valid_data(type_of("contract"), 5)
    del data["position"]
    item = submit(world.u_zhangsan, "contract", data=data)
    assert "position" not in item.details


# ---- 自主创业: a credit code or a licence number ---------------------------------------------------------

STARTUP = "startup"


def test_a_startup_needs_a_credit_code_or_a_licence_number(world):
    data = valid_data(type_of(STARTUP), 6)
    del data["credit_code"], data["licence_no"]
    with pytest.raises(Invalid) as exc:
        submit(world.u_zhangsan, STARTUP, data=data)
    assert exc.value.errors == {"credit_code": ["请至少填写统一社会信用代码或营业执照注册号之一"]}
    form = DestinationForm(data, {"proof": pdf()}, dtype=type_of(STARTUP), graduate=world.zhangsan)
    assert not form.is_valid() and "credit_code" in form.errors
    assert "与营业执照注册号至少填一项" in form.fields["credit_code"].label


@pytest.mark.parametrize("keep", ["credit_code", "licence_no"])
def test_either_side_of_the_group_is_enough(world, keep):
    data = valid_data(type_of(STARTUP), 7)
    del data["licence_no" if keep == "credit_code" else "credit_code"]
    item = submit(world.u_zhangsan, STARTUP, data=data)
    assert item.details[keep] == data[keep]
    assert item.credit_code == data.get("credit_code", "")
    assert item.unit_name == "广州某某文化工作室"


def test_a_bad_credit_code_in_the_group_is_named_without_the_group_message(world):
    data = valid_data(type_of(STARTUP), 8, credit_code="123")
    del data["licence_no"]
    with pytest.raises(Invalid) as exc:
        submit(world.u_zhangsan, STARTUP, data=data)
    assert exc.value.errors == {"credit_code": ["统一社会信用代码应为18位"]}


# ---- bad values, by kind -------------------------------------------------------------------------------

BAD = [
    # (type, field, value, the message for that field)
    ("contract", "credit_code", "9144010", "统一社会信用代码应为18位"),
    ("contract", "credit_code", "91440101MA0000000I", "统一社会信用代码含有无效字符"),
    ("contract", "unit_region", "999999", "单位所在地“999999”不是有效的6位行政区划代码（GB/T 2260），如440106。"),
    ("contract", "unit_region", "4401", "单位所在地“4401”不是有效的6位行政区划代码（GB/T 2260），如440106。"),
    ("contract", "unit_region", "110103", "单位所在地“110103 崇文区”已于2010年停用，现为“110101 北京市东城区”，请改填110101。"),
    ("contract", "unit_nature", "99x", "不在单位性质代码表中"),
    ("contract", "unit_industry", "ZZ", "不在所属行业代码表中"),
    ("contract", "job_category", "1", "不在职位类别代码表中"),
    ("study_abroad", "country", "CN", "请从列表中选择国家（地区）"),
    ("study_abroad", "country", "ZZ", "请从列表中选择国家（地区）"),
    ("contract", "start_date", "2027-13-01", "日期格式应为 YYYY-MM-DD，如 2027-07-01"),
    ("contract", "start_date", "明年七月", "日期格式应为 YYYY-MM-DD，如 2027-07-01"),
    ("contract", "start_date", "2020-12-31", "日期应在2021年至2030年之间"),
    ("contract", "start_date", "2031-01-01", "日期应在2021年至2030年之间"),
    ("national_project.western", "service_years", "0.2", "应在0.5至10年之间"),
    ("national_project.western", "service_years", "11", "应在0.5至10年之间"),
    ("national_project.western", "service_years", "两年", "应为年数，如 2 或 3"),
    ("national_project.western", "service_years", "NaN", "应为年数，如 2 或 3"),
    ("national_project.western", "service_years", "Infinity", "应为年数，如 2 或 3"),
    ("study_domestic.postgraduate", "study_level", "博士后", "请选择：专科升本科、硕士研究生、博士研究生、第二学士学位"),
    ("startup", "role", "老板", "请选择：法定代表人、股东、合伙人、个体工商户经营者、其他"),
    ("contract", "unit_name", "某" * 300, "单位名称最多200个字符，且不能含换行等控制字符"),
    ("contract", "unit_name", "广州某某\n科技有限公司", "单位名称最多200个字符，且不能含换行等控制字符"),
    ("contract", "unit_name", "广州某某\x00科技有限公司", "单位名称最多200个字符，且不能含换行等控制字符"),
    ("contract", "position", "工程\t师", "岗位名称最多100个字符，且不能含换行等控制字符"),
    ("contract", "archive_unit", "某" * 201, "档案接收单位最多200个字符，且不能含换行等控制字符"),
    ("paper_agreement", "paper_no", "1" * 31, "纸质协议书编号最多30个字符，且不能含换行等控制字符"),
    ("paper_agreement", "signed_date", "2027/07/01", "日期格式应为 YYYY-MM-DD，如 2027-07-01"),
]


@pytest.mark.parametrize(("key", "field", "value", "message"), BAD,
                         ids=[f"{k}-{f}-{i}" for i, (k, f, _, _) in enumerate(BAD)])
def test_a_bad_value_is_reported_on_its_field(world, key, field, value, message):
    data = valid_data(type_of(key), 9, **{field: value})
    with pytest.raises(Invalid) as exc:
        submit(world.u_zhangsan, key, data=data)
    assert exc.value.errors == {field: [message]}
    assert Registration.objects.count() == PaperAgreement.objects.count() == 0
    # the form reports it on the same field (its own parsing may speak first, e.g. a choice list)
    form = DestinationForm(data, {"proof": pdf()}, dtype=type_of(key), graduate=world.zhangsan)
    assert not form.is_valid() and list(form.errors) == [field], form.errors


def test_every_problem_of_one_submission_is_reported_together(world):
    data = valid_data(type_of("contract"), 10, credit_code="1", unit_region="000000", start_date="x")
    del data["unit_name"]
    with pytest.raises(Invalid) as exc:
        submit(world.u_zhangsan, "contract", data=data)
    assert set(exc.value.errors) == {"unit_name", "credit_code", "unit_region", "start_date"}


def test_values_are_normalised(world):
    data = valid_data(type_of("agreement.abroad_work"), 11, country="us", start_date="20270701",
                      unit_name="  Example Ltd  ")
    item = submit(world.u_zhangsan, "agreement.abroad_work", data=data)
    assert item.details["country"] == "US" and item.details["start_date"] == "2027-07-01"
    assert item.unit_name == "Example Ltd"
    item = submit(graduate_user(directed_graduate(world, "22")), "national_project.western",
                  data=valid_data(type_of("national_project.western"), 12, service_years="2.50"))
    assert item.details["service_years"] == "2.5"


@pytest.mark.parametrize("formula", ["=1+1", "=HYPERLINK(\"http://x\")", "+86 123", "@SUM(A1)"])
def test_a_formula_is_kept_as_text(world, formula):
    data = valid_data(type_of("study_domestic.postgraduate"), 13, institution=formula, major=formula)
    item = submit(world.u_zhangsan, "study_domestic.postgraduate", data=data)
    item.refresh_from_db()
    assert item.details["institution"] == item.details["major"] == item.unit_name == formula


def test_receiving_info_is_kept_only_where_the_type_asks_it(world):
    data = valid_data(type_of("freelance"), 14, archive_unit="广州市人才中心", hukou_unit="某派出所")
    item = submit(world.u_zhangsan, "freelance", data=data)
    assert not type_of("freelance").archive_hukou
    assert (item.archive_unit, item.hukou_unit) == ("", "")
    assert set(item.details) == {"work_content", "work_region", "start_date"}


def test_fields_the_type_does_not_declare_are_dropped(world):
    data = valid_data(type_of("study_domestic.postgraduate"), 15, credit_code="不该出现", status="approved",
                      graduate_id="1")
    item = submit(world.u_zhangsan, "study_domestic.postgraduate", data=data)
    assert item.status == R.WAIT_DEPT and item.credit_code == "" and "credit_code" not in item.details


@pytest.mark.parametrize("key", ["", "no_such_type", "paper_agreement"])
def test_an_unknown_type_is_refused_on_the_type_field(world, key):
    with pytest.raises(DomainError) as exc:
        services.submit(Registration, actor=world.u_zhangsan, type_key=key, data={}, file=pdf())
    assert (exc.value.field, exc.value.code) == ("type_key", "type_required")


def test_the_validator_is_the_one_the_form_uses(world):
    """One rule, one place: the form's extra checks are `clean_destination`'s own messages."""
    dtype = type_of("contract")
    data = valid_data(dtype, 16, unit_region="999999")
    with pytest.raises(Invalid) as exc:
        clean_destination(dtype, data, graduate=world.zhangsan)
    form = DestinationForm(data, {}, dtype=dtype, graduate=world.zhangsan)
    assert not form.is_valid()
    assert form.errors["unit_region"] == exc.value.errors["unit_region"]


def test_directed_unit_is_read_only_in_the_form(world):
    g = directed_graduate(world, "21")
    form = DestinationForm(dtype=type_of(DIRECTED), graduate=g)
    assert form.fields["unit_name"].disabled and form.initial["unit_name"] == DIRECTED_UNIT
