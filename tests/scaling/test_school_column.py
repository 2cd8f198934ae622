"""Every table that grows with graduates carries the school, the column the database is sharded by."""
from __future__ import annotations

from django.apps import apps

from tests.scaling.tables import OTHER, REFERENCE, distributed_models


def test_every_growing_table_carries_the_school():
    missing = [m._meta.label for m in distributed_models()
               if "school_id" not in {f.column for f in m._meta.concrete_fields}]
    assert missing == [], (
        f"{missing} grow with graduates but have no school_id: add the column (filled in a set-based data migration, "
        "set on every write), or name the table in tests/scaling/tables.py with the reason it needs none")


def test_the_allow_lists_name_real_models_with_reasons():
    labels = {m._meta.label for m in apps.get_models()}
    for listed in (REFERENCE, OTHER):
        assert set(listed) <= labels, set(listed) - labels
        assert all(reason.strip() for reason in listed.values())
    assert not set(REFERENCE) & set(OTHER)


def test_the_graduates_tables_are_all_distributed():
    distributed = {m._meta.label for m in distributed_models()}
    assert {"ems.Graduate", "signing.Signing", "signing.Termination", "ems.TrainingModeChange",
            "ems.ReportedDestination", "ems.AppliedEvent", "ems.RosterImport", "signing.AgreementCounter",
            "workflow.AuditEvent", "workflow.AuditHead", "workflow.OutboxEvent", "notifications.Message",
            "verification.AgreementCheck", "accounts.SensitiveView", "accounts.ActivationCode"} <= distributed
