"""预警单位: a school's flag shows to its own people; five schools' flags show to everyone."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from gradreg.common.ids import make_credit_code
from gradreg.organisations.models import Employer, EmployerWarning
from gradreg.organisations.selectors import WARN_PUBLIC_THRESHOLD, employer_warnings, viewer_school_id
from tests import factories as f


def flag(employer, school, by, category="violation", note=""):
    return EmployerWarning.objects.create(employer=employer, school=school, category=category, note=note, created_by=by)


def more_schools(world, n: int) -> list:
    return [f.school(f"2{i:04d}", f"第{i}所学校", world.province) for i in range(n)]


def test_own_school_sees_its_warning_others_do_not(world):
    flag(world.employer, world.school, world.qian, "discrimination", "招聘简章限定性别")
    mine = employer_warnings(viewer_school_id=world.school.pk, employer_ids=[world.employer.pk])[world.employer.pk]
    assert mine.warned and mine.by_own_school and mine.schools == 1
    assert mine.categories == ["就业歧视"] and mine.note == "招聘简章限定性别"
    assert "本校已将该单位标记为预警单位（就业歧视）" in mine.explanation
    for other in (world.other_school.pk, None):
        info = employer_warnings(viewer_school_id=other, employer_ids=[world.employer.pk])[world.employer.pk]
        assert not info.warned and info.schools == 0 and info.categories == [] and info.note == ""


def test_below_threshold_a_school_learns_only_of_its_own_flag(world):
    flag(world.employer, world.school, world.qian, "fake")
    flag(world.employer, world.other_school, world.sun, "false_ad", "夸大薪资")
    info = employer_warnings(viewer_school_id=world.school.pk, employer_ids=[world.employer.pk])[world.employer.pk]
    assert info.schools == 1 and info.categories == ["虚假"] and info.note == ""


def test_five_schools_make_it_public(world):
    schools = [world.school, world.other_school, world.far_school, *more_schools(world, 2)]
    assert len(schools) == WARN_PUBLIC_THRESHOLD
    categories = ["violation", "fake", "violation", "other", "false_ad"]
    for school, category in zip(schools[:-1], categories, strict=False):
        flag(world.employer, school, world.operator, category)
    before = employer_warnings(viewer_school_id=None, employer_ids=[world.employer.pk])[world.employer.pk]
    assert not before.warned  # four schools are not enough
    flag(world.employer, schools[-1], world.operator, categories[-1])
    for viewer in (None, world.far_school.pk, f.school("39999", "未标记学校", world.province).pk):
        info = employer_warnings(viewer_school_id=viewer, employer_ids=[world.employer.pk])[world.employer.pk]
        assert info.warned and info.schools == 5
        assert info.categories == ["违规", "虚假", "虚假宣传", "其他"]  # in the category table's order
        assert "已有5所高校" in info.explanation
    own = employer_warnings(viewer_school_id=world.school.pk, employer_ids=[world.employer.pk])[world.employer.pk]
    assert own.by_own_school and "其中包括本校" in own.explanation


def test_revoked_warnings_are_ignored(world):
    schools = [world.school, world.other_school, world.far_school, *more_schools(world, 2)]
    warnings = [flag(world.employer, s, world.operator) for s in schools]
    warnings[0].revoked_at = timezone.now()
    warnings[0].save()
    public = employer_warnings(viewer_school_id=None, employer_ids=[world.employer.pk])[world.employer.pk]
    assert not public.warned
    own = employer_warnings(viewer_school_id=world.school.pk, employer_ids=[world.employer.pk])[world.employer.pk]
    assert not own.warned


def test_one_live_warning_per_school_and_employer(world):
    first = flag(world.employer, world.school, world.qian)
    with pytest.raises(IntegrityError), transaction.atomic():
        flag(world.employer, world.school, world.qian, "fake")
    first.revoked_at = timezone.now()
    first.save()
    flag(world.employer, world.school, world.qian, "fake")  # allowed once the old one is revoked
    assert EmployerWarning.objects.filter(employer=world.employer, school=world.school).count() == 2


def test_one_query_for_a_whole_page(world, django_assert_num_queries):
    employers = [
        Employer.objects.create(name=f"单位{n}", credit_code=make_credit_code(900 + n)) for n in range(30)
    ]
    for e in employers[::3]:
        flag(e, world.school, world.qian)
    with django_assert_num_queries(2):  # the first page after a flag changed also reads who is flagged
        employer_warnings(viewer_school_id=world.school.pk, employer_ids=[employers[0].pk])
    with django_assert_num_queries(1):
        infos = employer_warnings(viewer_school_id=world.school.pk, employer_ids=(e.pk for e in employers))
    assert len(infos) == 30 and sum(i.warned for i in infos.values()) == 10
    with django_assert_num_queries(0):
        assert employer_warnings(viewer_school_id=world.school.pk, employer_ids=[]) == {}


def test_viewer_school_follows_the_persona(world):
    assert viewer_school_id(world.u_zhangsan) == world.school.pk
    assert viewer_school_id(world.wang) == world.school.pk
    assert viewer_school_id(world.qian) == world.school.pk
    assert viewer_school_id(world.sun) == world.other_school.pk
    assert viewer_school_id(world.u_employer) is None
    assert viewer_school_id(world.operator) is None


def test_snippet_renders_a_label_only_when_warned(world):
    flag(world.employer, world.school, world.qian, "violation", "拖欠实习工资")
    infos = employer_warnings(viewer_school_id=world.school.pk, employer_ids=[world.employer.pk])
    html = render_to_string("snippets/employer_warning.html", {"warning": infos[world.employer.pk]})
    assert 'class="warn-label"' in html and "预警单位" in html and "违规" in html and "拖欠实习工资" in html
    detailed = render_to_string(
        "snippets/employer_warning.html", {"warning": infos[world.employer.pk], "detailed": True}
    )
    assert 'class="warn-note"' in detailed
    hidden = employer_warnings(viewer_school_id=world.other_school.pk, employer_ids=[world.employer.pk])
    assert render_to_string("snippets/employer_warning.html", {"warning": hidden[world.employer.pk]}).strip() == ""
    assert render_to_string("snippets/employer_warning.html", {"warning": None}).strip() == ""


def test_operator_adds_a_warning_in_the_admin(client, world):
    client.force_login(world.operator)
    r = client.post("/admin/organisations/employerwarning/add/", {
        "employer": world.employer.pk, "school": world.school.pk, "category": "fake", "note": "虚假招聘",
    })
    assert r.status_code == 302
    w = EmployerWarning.objects.get()
    assert w.created_by == world.operator and w.revoked_at is None
    again = client.post("/admin/organisations/employerwarning/add/", {
        "employer": world.employer.pk, "school": world.school.pk, "category": "other",
    })
    assert again.status_code == 200 and "请先撤销原标记" in again.content.decode()


def test_the_flagged_employers_are_cached_and_follow_every_write(world, django_assert_num_queries):
    ids = [world.employer.pk]
    assert not employer_warnings(viewer_school_id=world.school.pk, employer_ids=ids)[world.employer.pk].warned
    with django_assert_num_queries(0):  # nobody flagged: the page asks the database nothing
        assert not employer_warnings(viewer_school_id=world.school.pk, employer_ids=ids)[world.employer.pk].warned
    w = flag(world.employer, world.school, world.qian, "fake")
    assert employer_warnings(viewer_school_id=world.school.pk, employer_ids=ids)[world.employer.pk].warned
    w.revoked_at = timezone.now()
    w.save()
    assert not employer_warnings(viewer_school_id=world.school.pk, employer_ids=ids)[world.employer.pk].warned
    w2 = flag(world.employer, world.school, world.qian, "other")
    assert employer_warnings(viewer_school_id=world.school.pk, employer_ids=ids)[world.employer.pk].warned
    w2.delete()
    assert not employer_warnings(viewer_school_id=world.school.pk, employer_ids=ids)[world.employer.pk].warned
    other = Employer.objects.create(name="另一家公司", credit_code=make_credit_code(7), approved=True)
    flag(other, world.school, world.qian, "fake")
    assert employer_warnings(viewer_school_id=world.school.pk, employer_ids=[other.pk])[other.pk].warned
    other_pk = other.pk
    other.delete()  # the flags go with their employer
    with django_assert_num_queries(1):
        assert not employer_warnings(viewer_school_id=world.school.pk, employer_ids=[other_pk])[other_pk].warned


def test_a_typed_credit_code_finds_a_flagged_employer_and_follows_its_code(world, django_assert_num_queries):
    from gradreg.organisations.selectors import warned_employers_by_credit_code

    code = world.employer.credit_code
    assert warned_employers_by_credit_code([code.lower()]) == {}
    flag(world.employer, world.school, world.qian, "fake")
    assert warned_employers_by_credit_code([f" {code.lower()} "]) == {code: world.employer.pk}
    world.employer.credit_code = make_credit_code(8)
    world.employer.save()
    with django_assert_num_queries(1):
        assert warned_employers_by_credit_code([code]) == {}
    assert warned_employers_by_credit_code([world.employer.credit_code]) == {world.employer.credit_code: world.employer.pk}
