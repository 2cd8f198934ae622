from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ems', '0005_destination_source_item'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='reporteddestination',
            name='signing_id',
        ),
    ]
