"""The school column of messages (the distribution column); accounts fills it for the existing rows."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_message_url_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="school_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
