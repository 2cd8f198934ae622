"""Deep pages come from a deferred join and hold exactly what a plain OFFSET gives, in the same order."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from gradreg.common import pagination
from gradreg.common.pagination import paginate
from gradreg.ems.models import Graduate
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def graduates():
    prov = f.province()
    school = f.school("19001", "分页测试大学", prov)
    dept = f.department(school, "01", "计算机学院")
    f.major(dept, "080901", "计算机科学与技术")
    other = f.department(school, "02", "外国语学院")
    f.major(other, "050201", "英语")
    # two cohorts, names out of exam-number order, another department mixed in
    for i in range(45):
        f.graduate(dept if i % 5 else other, graduation_year=2027 if i % 3 else 2026)
    return dept


def _order(qs):
    return qs.order_by("-graduation_year", "exam_no")


def test_every_page_matches_a_plain_offset(graduates, monkeypatch):
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_FROM", 10)  # pages 2 and on of 10 are deferred joins
    qs = _order(Graduate.objects.filter(department=graduates))
    plain = list(qs.values_list("id", flat=True))
    seen = []
    for number in range(1, 5):
        page = paginate(qs, number, 10, rows=lambda q: q.values("id", "exam_no", dept=F("department__name")))
        assert [r["id"] for r in page.items] == plain[(page.number - 1) * 10: page.number * 10]
        assert all(r["dept"] == "计算机学院" for r in page.items)
        seen += [r["id"] for r in page.items]
    assert seen == plain and page.count == len(plain) == 36


def test_a_deep_page_reads_its_ids_in_a_subquery_and_a_shallow_one_does_not(graduates, monkeypatch):
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_FROM", 10)
    qs = _order(Graduate.objects.filter(department=graduates))
    with CaptureQueriesContext(connection) as first:
        paginate(qs, 1, 10)
    with CaptureQueriesContext(connection) as deep:
        items = paginate(qs, 3, 10).items
    assert len(first) == len(deep) == 2  # the COUNT and the page, whatever the depth
    assert " IN (SELECT " not in first[1]["sql"].upper()
    assert " IN (SELECT " in deep[1]["sql"].upper()
    assert [g.pk for g in items] == list(qs.values_list("id", flat=True))[20:30]


def test_past_the_end_is_the_last_page_and_distinct_queries_read_directly(graduates, monkeypatch):
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_FROM", 10)
    qs = _order(Graduate.objects.filter(department=graduates))
    page = paginate(qs, 99, 10)
    assert page.number == 4 and len(page.items) == 6
    distinct = qs.distinct()
    with CaptureQueriesContext(connection) as ctx:
        items = paginate(distinct, 3, 10).items
    assert " IN (SELECT " not in ctx[1]["sql"].upper()
    assert [g.pk for g in items] == list(qs.values_list("id", flat=True))[20:30]
