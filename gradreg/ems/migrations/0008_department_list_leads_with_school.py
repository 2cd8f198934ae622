"""The roster indexes end with the id and the department one leads with the school, and PostgreSQL learns that a department lies in one school.

Without the statistics object the planner multiplies the selectivities of school_id = s and department_id = d
as if independent, expects a handful of rows, and sorts the whole department instead of reading the index.
"""
from django.db import migrations, models

STATISTICS = "CREATE STATISTICS IF NOT EXISTS grad_school_department (dependencies) ON school_id, department_id FROM ems_graduate"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STATISTICS)
        schema_editor.execute("ANALYZE ems_graduate")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS grad_school_department")


class Migration(migrations.Migration):

    dependencies = [
        ('ems', '0007_school'),
        ('organisations', '0003_employer_one_review_status'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='graduate',
            name='grad_dept_list',
        ),
        migrations.AddIndex(
            model_name='graduate',
            index=models.Index(fields=['school', 'department', 'is_valid', '-graduation_year', 'exam_no', 'id'], name='grad_dept_list'),
        ),
        migrations.RemoveIndex(
            model_name='graduate',
            name='grad_school_list',
        ),
        migrations.AddIndex(
            model_name='graduate',
            index=models.Index(fields=['school', 'is_valid', '-graduation_year', 'exam_no', 'id'], name='grad_school_list'),
        ),
        migrations.RunPython(create_statistics, drop_statistics, elidable=False),
    ]
