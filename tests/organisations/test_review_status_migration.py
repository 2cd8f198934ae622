"""Employer review moved onto one engine-owned field: the data migration keeps every employer's standing."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gradreg.organisations.models import Employer

BEFORE = [("organisations", "0002_employer_review_and_warnings")]


@pytest.mark.django_db(transaction=True)
def test_the_approved_flag_and_review_status_become_one_state():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("organisations", "Employer")
    cases = {  # (approved flag, review_status before) -> review_status after
        (True, "approved"): "approved",
        (True, "pending"): "approved",      # approved in the admin before any review: the flag won
        (False, "approved"): "pending",     # approval withdrawn in the admin: waits for review again
        (False, "pending"): "pending",
        (False, "rejected"): "rejected",
    }
    for i, (approved, status) in enumerate(cases):
        old.objects.create(name=f"单位{i}", credit_code=f"91440300MA5F{i:06d}", approved=approved, review_status=status)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    after = {e.name: (e.review_status, e.approved) for e in Employer.objects.all()}
    assert after == {f"单位{i}": (status, status == "approved") for i, status in enumerate(cases.values())}
