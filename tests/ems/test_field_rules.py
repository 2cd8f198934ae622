"""One rule per roster field: the import, the EMS edit form and graduate_update refuse the same values, in the same words."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from gradreg.common.errors import DomainError
from gradreg.ems import services
from gradreg.ems.forms import GraduateEditForm, TrainingModeChangeForm
from gradreg.ems.models import Graduate, TrainingModeChange
from tests.ems.test_import import assert_problem, row, run

CJK = re.compile(r"[\u4e00-\u9fff]")

# (form field, import column, value, the one message both give)
RULES = [
    ("name", "姓名", "=1+1", "姓名不能以 = + - @ 等符号开头"),
    ("name", "姓名", '=HYPERLINK("http://x","张三")', "姓名不能以 = + - @ 等符号开头"),
    ("name", "姓名", "@张三", "姓名不能以 = + - @ 等符号开头"),
    ("name", "姓名", "-张三", "姓名不能以 = + - @ 等符号开头"),
    ("name", "姓名", "张\x00三", "姓名最多50个字符，且不能含换行等控制字符"),
    ("name", "姓名", "张" * 300, "姓名最多50个字符，且不能含换行等控制字符"),
    ("student_no", "学号", "S\x00001", "学号最多30个字符，且不能含换行等控制字符"),
    ("student_no", "学号", "S" * 300, "学号最多30个字符，且不能含换行等控制字符"),
    ("directed_unit", "定向/委培单位", "单" * 300, "定向/委培单位最多200个字符，且不能含换行等控制字符"),
    ("email", "电子邮箱", "not-an-email", "电子邮箱格式不正确"),
    ("email", "电子邮箱", "a" * 300 + "@example.edu.cn", "电子邮箱格式不正确"),
    ("email", "电子邮箱", "a\x00b@example.edu.cn", "电子邮箱不能含换行等控制字符"),
    ("schooling_years", "学制", "9", "学制应为1到8之间的数字（最多一位小数）"),
    ("schooling_years", "学制", "0.5", "学制应为1到8之间的数字（最多一位小数）"),
]


def edit_data(client, g: Graduate, **changes) -> dict:
    form = client.get(f"/ems/graduates/{g.pk}/edit/").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(department=g.department_id, major=g.major_id, graduation_date=g.graduation_date.isoformat())
    data.pop("hukou_moved_to_school", None)
    data.update(changes)
    return data


def posted_form_errors(client, url: str, data: dict, form_class, **form_kwargs) -> dict:
    """The form's errors for this post. A NUL byte is refused at the edge (a Chinese 400, nothing read further);
    the form's own rule still holds behind it, so it is checked on the form itself."""
    r = client.post(url, data)
    if any("\x00" in str(v) for v in data.values()):
        assert r.status_code == 400 and CJK.search(r.content.decode()), r.status_code
        form = form_class(data, **form_kwargs)
        assert not form.is_valid()
        return form.errors
    assert r.status_code == 200
    return r.context["form"].errors


@pytest.mark.parametrize(("field", "column", "value", "message"), RULES)
def test_each_field_rule_is_the_same_in_the_form_and_the_import(client, world, field, column, value, message):
    """Guards: the EMS edit form saved values the import refuses (a name starting with =, + , - or @ among them)."""
    g = world.zhangsan
    before = Graduate.objects.filter(pk=g.pk).values().get()
    client.force_login(world.qian)
    errors = posted_form_errors(client, f"/ems/graduates/{g.pk}/edit/", edit_data(client, g, **{field: value}),
                                GraduateEditForm, instance=Graduate.objects.get(pk=g.pk))
    assert errors[field] == [message]
    assert Graduate.objects.filter(pk=g.pk).values().get() == before
    # the import says the same about the same value
    changes = {column: value}
    if field == "directed_unit":
        changes["培养方式"] = "21"
    imp = run(world, [row(1), row(2, **changes)])
    assert_problem(imp, 3, column, message)


@pytest.mark.parametrize(("field", "column", "value", "message"), RULES)
def test_each_field_rule_holds_in_the_service_too(world, field, column, value, message):
    """Guards: any other way in (an API, a script) goes through graduate_update, which applies the same rule."""
    # a form sends 学制 as a Decimal; any other caller may send the text
    for sent in {value, Decimal(value)} if field == "schooling_years" else {value}:
        with pytest.raises(DomainError) as e:
            services.graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk, changes={field: sent})
        assert (e.value.field, e.value.message) == (field, message)


def test_the_imports_cross_column_rules_hold_in_the_form(client, world):
    """Guards: the form saved a 专业 of another 院系, a 毕业时间 outside the 毕业年份 and a unit for a non-directed graduate."""
    g = world.zhangsan  # 计算机学院 / 080901, 培养方式 1, 2027届
    client.force_login(world.qian)
    cases = [
        ({"major": world.fl_major.pk}, "major", "专业“050201”不属于院系“01”"),
        ({"graduation_date": "2026-06-30"}, "graduation_date", "毕业时间应在毕业年份（2027年）内"),
        ({"directed_unit": "广东省某县人民政府"}, "directed_unit", "非定向毕业生的定向/委培单位必须为空"),
    ]
    before = Graduate.objects.filter(pk=g.pk).values().get()
    for changes, field, message in cases:
        r = client.post(f"/ems/graduates/{g.pk}/edit/", edit_data(client, g, **changes))
        assert r.status_code == 200, changes
        assert r.context["form"].errors[field] == [message]
        assert Graduate.objects.filter(pk=g.pk).values().get() == before
    # a directed graduate keeps a unit: emptying it is refused, as a row without one is in the import
    directed = Graduate.objects.filter(pk=world.lisi.pk)
    directed.update(training_mode="21", directed_unit="某县人民政府")
    with pytest.raises(DomainError) as e:
        services.graduate_update(actor=world.qian, graduate_id=world.lisi.pk, changes={"directed_unit": ""})
    assert (e.value.field, e.value.message) == ("directed_unit", "定向/委培培养方式（21、22、41、42）须填写定向/委培单位")
    # moving both 院系 and 专业 together is an ordinary edit
    r = client.post(f"/ems/graduates/{g.pk}/edit/",
                    edit_data(client, g, department=world.fl.pk, major=world.fl_major.pk, name="张三丰"))
    assert r.status_code == 302, r.context["form"].errors
    g.refresh_from_db()
    assert (g.department, g.major, g.name) == (world.fl, world.fl_major, "张三丰")


EDIT_TEXT_FIELDS = ["student_no", "name", "id_number", "directed_unit", "origin_region", "phone", "email",
                    "graduation_date", "schooling_years", "gender", "ethnicity", "department", "major"]


@pytest.mark.parametrize("field", EDIT_TEXT_FIELDS)
@pytest.mark.parametrize("value", ["\x00", "张\x00三", "1" * 300])
def test_nul_and_long_input_in_the_edit_form_is_a_chinese_error_not_a_500(client, world, field, value):
    """Guards: every field of the EMS edit form answers NUL bytes and 300 characters with a Chinese error
    (PostgreSQL refuses NUL in text: reaching the database would be a 500). Django's own field checks did
    this before; the roster's rules now replace them for the text fields, and this keeps the answer whole."""
    g = world.zhangsan
    before = Graduate.objects.filter(pk=g.pk).values().get()
    client.force_login(world.qian)
    errors = posted_form_errors(client, f"/ems/graduates/{g.pk}/edit/", edit_data(client, g, **{field: value}),
                                GraduateEditForm, instance=Graduate.objects.get(pk=g.pk))
    assert list(errors) == [field], errors
    assert all(CJK.search(m) for m in errors[field]), errors
    assert Graduate.objects.filter(pk=g.pk).values().get() == before


@pytest.mark.parametrize(("value", "message"), [
    ("某局\n（一处）", "定向/委培单位最多200个字符，且不能含换行等控制字符"),
    ("单" * 300, "定向/委培单位最多200个字符，且不能含换行等控制字符"),
    ("某\x00局", "定向/委培单位最多200个字符，且不能含换行等控制字符"),
])
def test_the_training_mode_request_applies_the_rule_of_the_unit_it_will_copy(client, world, value, message):
    """Guards: the unit of a 培养方式修改 request lands on the graduate on approval; it took a newline the import refuses."""
    client.force_login(world.wang)
    errors = posted_form_errors(client, f"/ems/training-mode/new/{world.zhangsan.pk}/",
                                {"to_mode": "22", "directed_unit": value, "reason": "定向录取"}, TrainingModeChangeForm)
    assert errors["directed_unit"] == [message]
    assert not TrainingModeChange.objects.exists()
