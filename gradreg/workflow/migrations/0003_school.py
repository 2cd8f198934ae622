"""The school column of the audit log and the outbox: the distribution column (docs/scaling.md).

The apps above the kit fill it for the rows of their items (their own migrations know their tables).
"""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("workflow", "0002_audit_head"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="school_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="audithead",
            name="school_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outboxevent",
            name="school_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
