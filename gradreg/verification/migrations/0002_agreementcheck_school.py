"""A verification check carries its signing's school (the distribution column); filled set-based."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("organisations", "0003_employer_one_review_status"),
        ("signing", "0005_signing_explanation"),
        ("verification", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreementcheck",
            name="school",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="organisations.school"),
        ),
        migrations.RunSQL(
            "UPDATE verification_agreementcheck SET school_id = s.school_id FROM signing_signing s "
            "WHERE s.id = verification_agreementcheck.signing_id",
            reverse_sql=migrations.RunSQL.noop, elidable=True,
        ),
    ]
