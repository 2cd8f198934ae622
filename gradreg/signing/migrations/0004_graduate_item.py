# Signing and Termination take their scope fields from the kit's GraduateItem: only the graduate's
# reverse name is now spelled by the base ("%(class)ss" = signings / terminations); no SQL.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ems', '0003_appliedevent_reporteddestination'),
        ('signing', '0003_list_all_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='signing',
            name='graduate',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss',
                                    to='ems.graduate'),
        ),
        migrations.AlterField(
            model_name='termination',
            name='graduate',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss',
                                    to='ems.graduate'),
        ),
    ]
