from django.db import migrations


def reload(apps, schema_editor):
    from gradreg.codes.loader import load_all

    load_all(apps)


class Migration(migrations.Migration):
    """The three-digit 毕业去向 codes of the 2024 scheme (271, 502, 503, 512, 519, 801, 802) join byqx."""

    dependencies = [("codes", "0003_region_successor")]
    operations = [migrations.RunPython(reload, migrations.RunPython.noop)]
