"""PostgreSQL knows that a department lies in one school, so department lists read their index in order."""
from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]


def test_statistics_objects_tie_department_to_school():
    with connection.cursor() as cur:
        cur.execute("SELECT stxname, stxrelid::regclass::text FROM pg_statistic_ext")
        found = dict(cur.fetchall())
    assert found.get("grad_school_department") == "ems_graduate"
    assert found.get("signing_signing_school_department") == "signing_signing"
    assert found.get("signing_termination_school_department") == "signing_termination"


def test_the_department_roster_index_leads_with_the_school():
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'grad_dept_list'")
        (definition,) = cur.fetchone()
    assert "(school_id, department_id, is_valid, graduation_year DESC, exam_no, id)" in definition
