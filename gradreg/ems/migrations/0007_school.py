"""Every EMS table that grows with graduates carries the school (the distribution column, docs/scaling.md).

Filled set-based: reported destinations from their graduate, outbox events from the graduate their
payload names, applied events from the outbox event of the same key, and the audit chains of graduates,
roster imports and training-mode changes from their item. Seconds on a million graduates.
"""
import django.db.models.deletion
from django.db import migrations, models

FILL = [
    "UPDATE ems_reporteddestination SET school_id = g.school_id FROM ems_graduate g "
    "WHERE g.id = ems_reporteddestination.graduate_id",
]
for table in ("workflow_auditevent", "workflow_audithead"):
    FILL += [
        f"UPDATE {table} SET school_id = g.school_id FROM ems_graduate g "
        f"WHERE g.id = {table}.item_id AND {table}.item_type = 'graduate'",
        f"UPDATE {table} SET school_id = r.school_id FROM ems_rosterimport r "
        f"WHERE r.id = {table}.item_id AND {table}.item_type = 'roster_import'",
        f"UPDATE {table} SET school_id = c.school_id FROM ems_trainingmodechange c "
        f"WHERE c.id = {table}.item_id AND {table}.item_type = 'training_mode_change'",
    ]

# the graduate an outbox event's payload names; its JSON is read differently on each database
OUTBOX_GRADUATE = {
    "postgresql": "CASE WHEN jsonb_typeof(workflow_outboxevent.payload->'graduate_id') = 'number' "
                  "THEN (workflow_outboxevent.payload->>'graduate_id')::numeric::bigint END",
    "sqlite": "json_extract(workflow_outboxevent.payload, '$.graduate_id')",
}


def fill_outbox(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    graduate = OUTBOX_GRADUATE.get(vendor)
    if graduate is None:
        raise NotImplementedError(f"no outbox school fill for {vendor}")
    schema_editor.execute(
        f"UPDATE workflow_outboxevent SET school_id = g.school_id FROM ems_graduate g WHERE g.id = {graduate}")
    schema_editor.execute(
        "UPDATE ems_appliedevent SET school_id = o.school_id FROM workflow_outboxevent o "
        "WHERE o.idempotency_key = ems_appliedevent.idempotency_key AND o.school_id IS NOT NULL")


class Migration(migrations.Migration):

    dependencies = [
        ("ems", "0006_remove_reporteddestination_signing_id"),
        ("organisations", "0003_employer_one_review_status"),
        ("workflow", "0003_school"),
    ]

    operations = [
        migrations.AddField(
            model_name="appliedevent",
            name="school",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="organisations.school"),
        ),
        migrations.AddField(
            model_name="reporteddestination",
            name="school",
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="organisations.school"),
        ),
        *[migrations.RunSQL(sql, reverse_sql=migrations.RunSQL.noop, elidable=True) for sql in FILL],
        migrations.RunPython(fill_outbox, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="reporteddestination",
            name="school",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="organisations.school"),
        ),
        migrations.AlterField(
            model_name="rosterimport",
            name="school",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="organisations.school"),
        ),
        migrations.AddIndex(
            model_name="reporteddestination",
            index=models.Index(fields=["school", "destination_code"], name="reported_dest_school"),
        ),
        migrations.AddIndex(
            model_name="rosterimport",
            index=models.Index(fields=["school", "-created_at"], name="roster_import_school"),
        ),
    ]
