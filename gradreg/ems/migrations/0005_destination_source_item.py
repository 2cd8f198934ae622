# A destination EMS holds points at any platform item (type + id), not only at a signing: existing rows
# came from signings. The old column goes in the next migration, after the rows are copied.

from django.db import migrations, models
from django.db.models import F


def from_signing(apps, schema_editor):
    ReportedDestination = apps.get_model("ems", "ReportedDestination")
    ReportedDestination.objects.filter(signing_id__isnull=False).update(source_type="signing",
                                                                        source_id=F("signing_id"))


def to_signing(apps, schema_editor):
    ReportedDestination = apps.get_model("ems", "ReportedDestination")
    ReportedDestination.objects.filter(source_type="signing").update(signing_id=F("source_id"))


class Migration(migrations.Migration):

    dependencies = [
        ('ems', '0004_training_mode_change_graduate_item'),
    ]

    operations = [
        migrations.AddField(
            model_name='reporteddestination',
            name='source_type',
            field=models.CharField(blank=True, max_length=40, verbose_name='来源记录类型'),
        ),
        migrations.AddField(
            model_name='reporteddestination',
            name='source_id',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='来源记录'),
        ),
        migrations.RunPython(from_signing, to_signing),
    ]
