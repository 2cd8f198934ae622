"""PostgreSQL learns that a department lies in one school, for the signing and termination lists.

Every department list filters on both school_id and department_id (the school routes it to its shard);
without these statistics objects the planner takes the two as independent and misjudges the row counts.
"""
from django.db import migrations

TABLES = ("signing_signing", "signing_termination")


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {table}_school_department (dependencies) "
            f"ON school_id, department_id FROM {table}")
        schema_editor.execute(f"ANALYZE {table}")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {table}_school_department")


class Migration(migrations.Migration):
    dependencies = [("signing", "0006_school_audit")]

    operations = [migrations.RunPython(create_statistics, drop_statistics, elidable=False)]
