from django.db import migrations, models


def reload(apps, schema_editor):
    from gradreg.codes.loader import load_all

    load_all(apps)


class Migration(migrations.Migration):
    """档案转递类型 (dazdlx) and 户口迁移类型 (hkqy) join the code tables (seed 4)."""

    dependencies = [("codes", "0004_byqx_2024_codes")]
    operations = [
        migrations.AlterField(
            model_name="codeentry", name="table",
            field=models.CharField(choices=[
                ("xl", "学历"), ("mz", "民族"), ("zzmm", "政治面貌"), ("pyfs", "培养方式"), ("xb", "性别"),
                ("dwxz", "单位性质"), ("dwhy", "单位行业"), ("gzzwlb", "工作职位类别"), ("byqx", "毕业去向"),
                ("dazdlx", "档案转递类型"), ("hkqy", "户口迁移类型")], max_length=16, verbose_name="代码表"),
        ),
        migrations.RunPython(reload, migrations.RunPython.noop),
    ]
