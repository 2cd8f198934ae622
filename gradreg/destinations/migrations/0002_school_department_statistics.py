"""PostgreSQL learns that a department lies in one school, for the 去向登记管理 and 补登管理 lists (a no-op
on SQLite): the lists filter on school_id and department_id together, which the planner would otherwise
take as independent."""
from django.db import migrations

from gradreg.workflow.items import school_department_statistics


class Migration(migrations.Migration):
    dependencies = [("destinations", "0001_initial")]

    operations = [school_department_statistics("destinations_registration", "destinations_paperagreement")]
