"""The audit chains of signings and terminations carry their item's school (set-based, seconds at scale)."""
from django.db import migrations

FILL = []
for table in ("workflow_auditevent", "workflow_audithead"):
    for items, types in (("signing_signing", "'online_signing', 'offline_signing'"),
                         ("signing_termination", "'online_termination', 'offline_termination'")):
        FILL.append(f"UPDATE {table} SET school_id = i.school_id FROM {items} i "
                    f"WHERE i.id = {table}.item_id AND {table}.item_type IN ({types})")


class Migration(migrations.Migration):

    dependencies = [
        ("signing", "0005_signing_explanation"),
        ("workflow", "0003_school"),
    ]

    operations = [migrations.RunSQL(sql, reverse_sql=migrations.RunSQL.noop, elidable=True) for sql in FILL]
