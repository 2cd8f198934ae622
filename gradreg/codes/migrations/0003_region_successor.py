from django.db import migrations, models


def reload(apps, schema_editor):
    from gradreg.codes.loader import load_all

    load_all(apps)


class Migration(migrations.Migration):
    """Renamed districts (440303 罗湖区 …) are current again; abolished codes name their successor."""

    dependencies = [("codes", "0002_load_tables")]
    operations = [
        migrations.AddField(
            model_name="region",
            name="successor",
            field=models.CharField(blank=True, help_text="停用代码的现行继承代码（已知时）", max_length=6, verbose_name="继承代码"),
        ),
        migrations.RunPython(reload, migrations.RunPython.noop),
    ]
