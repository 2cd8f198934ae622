"""The school column of activation codes and sensitive-view logs, and graduates' login rows carry their school.

Filled with one set-based UPDATE per table (seconds on a million graduates), then made NOT NULL. The
message centre's and the user audit chains' school columns are filled here too: this app knows users.
"""
import django.db.models.deletion
from django.db import migrations, models

FILL = [
    # a graduate's login row: every later request is routed by it
    "UPDATE accounts_user SET school_id = g.school_id FROM ems_graduate g "
    "WHERE g.id = accounts_user.graduate_id AND accounts_user.role = 'graduate' AND accounts_user.school_id IS NULL",
    "UPDATE accounts_activationcode SET school_id = g.school_id FROM ems_graduate g "
    "WHERE g.id = accounts_activationcode.graduate_id",
    "UPDATE accounts_sensitiveview SET school_id = g.school_id FROM ems_graduate g "
    "WHERE g.id = accounts_sensitiveview.graduate_id",
    # a message lives at its recipient's school; an employer's, province's or operator's stays empty
    "UPDATE notifications_message SET school_id = u.school_id FROM accounts_user u "
    "WHERE u.id = notifications_message.recipient_id AND u.school_id IS NOT NULL",
    "UPDATE workflow_auditevent SET school_id = u.school_id FROM accounts_user u "
    "WHERE u.id = workflow_auditevent.item_id AND workflow_auditevent.item_type = 'user' AND u.school_id IS NOT NULL",
    "UPDATE workflow_audithead SET school_id = u.school_id FROM accounts_user u "
    "WHERE u.id = workflow_audithead.item_id AND workflow_audithead.item_type = 'user' AND u.school_id IS NOT NULL",
]


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_initial"),
        ("ems", "0006_remove_reporteddestination_signing_id"),
        ("notifications", "0003_message_school"),
        ("organisations", "0003_employer_one_review_status"),
        ("workflow", "0003_school"),
    ]

    operations = [
        migrations.AddField(
            model_name="activationcode",
            name="school",
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="organisations.school"),
        ),
        migrations.AddField(
            model_name="sensitiveview",
            name="school",
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="organisations.school"),
        ),
        *[migrations.RunSQL(sql, reverse_sql=migrations.RunSQL.noop, elidable=True) for sql in FILL],
        migrations.AlterField(
            model_name="activationcode",
            name="school",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="organisations.school"),
        ),
        migrations.AlterField(
            model_name="sensitiveview",
            name="school",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="organisations.school"),
        ),
    ]
