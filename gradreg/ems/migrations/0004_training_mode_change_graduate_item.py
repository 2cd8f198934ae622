# TrainingModeChange becomes a GraduateItem with the review fields: the list columns (考生号, 姓名,
# 毕业年份) are copied from each existing row's graduate; the department index becomes a list index.

import django.db.models.deletion
from django.db import migrations, models


def copy_from_graduate(apps, schema_editor):
    TrainingModeChange = apps.get_model("ems", "TrainingModeChange")
    Graduate = apps.get_model("ems", "Graduate")
    ids = TrainingModeChange.objects.values_list("graduate_id", flat=True).distinct()
    for g in Graduate.objects.filter(pk__in=ids).only("exam_no", "name", "graduation_year").iterator():
        TrainingModeChange.objects.filter(graduate_id=g.pk).update(
            exam_no=g.exam_no, graduate_name=g.name, graduation_year=g.graduation_year)


class Migration(migrations.Migration):

    dependencies = [
        ('ems', '0003_appliedevent_reporteddestination'),
        ('organisations', '0002_employer_review_and_warnings'),
    ]

    operations = [
        migrations.AddField(
            model_name='trainingmodechange',
            name='exam_no',
            field=models.CharField(default='', max_length=20, verbose_name='考生号'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='trainingmodechange',
            name='graduate_name',
            field=models.CharField(default='', max_length=50, verbose_name='姓名'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='trainingmodechange',
            name='graduation_year',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='毕业年份'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='trainingmodechange',
            name='last_reason',
            field=models.CharField(blank=True, max_length=1000, verbose_name='最近一次退回/不通过原因'),
        ),
        migrations.AddField(
            model_name='trainingmodechange',
            name='reject_category',
            field=models.CharField(blank=True, choices=[('employer_info', '单位信息有误'), ('employer_abnormal', '单位经营异常或为预警单位'), ('graduate_info', '学生关键信息与就业管理系统不一致'), ('terms', '协议条款不规范'), ('material', '协议材料不清晰或不完整'), ('not_genuine', '签约信息不真实'), ('other', '其他')], max_length=20, verbose_name='不通过原因类别'),
        ),
        migrations.AddField(
            model_name='trainingmodechange',
            name='returned',
            field=models.BooleanField(default=False, verbose_name='曾被退回修改'),
        ),
        migrations.AddIndex(
            model_name='trainingmodechange',
            index=models.Index(fields=['department', 'status', '-created_at'], name='tmc_dept_status'),
        ),
        migrations.AlterField(
            model_name='trainingmodechange',
            name='department',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='organisations.department'),
        ),
        # last: no schema change follows the rows' update in this transaction
        migrations.RunPython(copy_from_graduate, migrations.RunPython.noop, elidable=True),
    ]
