"""The school's 审核/鉴证 wording on review lists comes from the cache, and a change shows on the next page."""
from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gradreg.organisations.models import School
from gradreg.organisations.selectors import school_review_label


def test_the_label_is_read_once_then_from_the_cache(world):
    assert school_review_label(world.school.pk) == "审核"
    with CaptureQueriesContext(connection) as ctx:
        assert school_review_label(world.school.pk) == "审核"
        assert school_review_label(world.other_school.pk) == "鉴证"
        assert school_review_label(world.other_school.pk) == "鉴证"
    assert len(ctx) == 1  # only the other school, once


def test_a_changed_label_shows_at_once(world):
    assert school_review_label(world.school.pk) == "审核"
    world.school.review_label = "鉴证"
    world.school.save()
    assert school_review_label(world.school.pk) == "鉴证"


def test_a_deleted_school_is_forgotten(world):
    school = School.objects.create(code="19999", name="将删除学院", province=world.province, review_label="鉴证")
    assert school_review_label(school.pk) == "鉴证"
    pk = school.pk
    school.delete()
    assert school_review_label(pk) == "审核"


def test_the_review_list_uses_the_changed_wording(client, world):
    client.force_login(world.wang)
    client.get("/signing/review/")
    world.school.review_label = "鉴证"
    world.school.save()
    page = client.get("/signing/review/")
    assert page.context["review_label"] == "鉴证"
