"""PostgreSQL learns that a department lies in one school, for the signing and termination lists.

Every department list filters on both school_id and department_id (the school routes it to its shard);
without these statistics objects the planner takes the two as independent and misjudges the row counts.
"""
from django.db import migrations

from gradreg.workflow.items import school_department_statistics


class Migration(migrations.Migration):
    dependencies = [("signing", "0006_school_audit")]

    operations = [school_department_statistics("signing_signing", "signing_termination")]
