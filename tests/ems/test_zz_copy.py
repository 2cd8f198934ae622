import time, datetime as dt
from decimal import Decimal
from django.db import connection, transaction
from django.utils import timezone

def test_copy(world):
    now = timezone.now()
    cols = ("exam_no, student_no, name, gender, id_number, ethnicity, political_status, education_level, department_id, major_id, schooling_years, training_mode, directed_unit, origin_region, graduation_year, graduation_date, phone, email, hukou_moved_to_school, school_id, is_valid, invalid_reason, created_at, updated_at")
    d = dt.date(2027,6,30)
    tail = f"\t{world.school.pk}\tt\t\t{now.isoformat()}\t{now.isoformat()}\n"
    lines = [f"27449{i:09d}\t\t学生{i}\t1\t4403042003{i:08d}\t01\t03\t31\t{world.cs.pk}\t{world.cs_major.pk}\t4.0\t1\t\t440106\t2027\t2027-06-30\t13800000000\ta@b.cn\tf" + tail for i in range(100000)]
    data = "".join(lines)
    with connection.cursor() as cur:
        cur.execute("show shared_buffers"); print("\n", cur.fetchall())
        cur.execute("show max_wal_size"); print(cur.fetchall())
        cur.execute("show synchronous_commit"); print(cur.fetchall())
        cur.execute("CREATE TABLE g_all (LIKE ems_graduate INCLUDING ALL)")
        cur.execute("CREATE TABLE g_none (LIKE ems_graduate INCLUDING DEFAULTS INCLUDING IDENTITY)")
        cur.execute("select indexdef from pg_indexes where tablename='ems_graduate'"); print(cur.fetchall())
    for table in ["g_none", "g_all", "ems_graduate", "g_none", "g_all", "ems_graduate"]:
        with transaction.atomic():
            t = time.perf_counter()
            with connection.cursor() as cur:
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    copy.write(data)
            print(table, round(time.perf_counter() - t, 2))
            transaction.set_rollback(True)
