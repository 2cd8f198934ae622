"""档案/户口信息 批量导入: the template and the region table, every row's checks, all-or-nothing, the set-based
writer (records, audit chains, outbox), the pages and who may use them — for both modules."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradreg.archives import importer
from gradreg.archives.importer import build_template, headers, transfer_import
from gradreg.archives.models import RecordSource, RecordState, TransferImport, TransferRecord
from gradreg.codes.loader import retired_regions
from gradreg.codes.models import Region
from gradreg.common.errors import DomainError, Forbidden
from gradreg.common.ids import make_id_number
from gradreg.ems.importer import COLUMNS as ROSTER_COLUMNS
from gradreg.ems.models import Graduate
from gradreg.ems.transfer_modules import ARCHIVE, HUKOU, Module
from gradreg.roster.changes import (
    IMPORTANT_TRANSFER_FIELDS,
    important_fields_changed,
    important_fields_changed_many,
    tell_many,
)
from gradreg.workflow import audit
from gradreg.workflow.audit import timeline, verify_all
from gradreg.workflow.models import AuditEvent, OutboxEvent
from tests import factories as f
from tests.workflow.harness import graduate_user

from .conftest import INFO, on_hukou_roster

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MODULES = [ARCHIVE, HUKOU]


def row_of(g: Graduate, m: Module, **over: str) -> list[str]:
    """A template row for this graduate: the key columns, then the module's fields in order."""
    info = {**INFO[m.kind], **over}
    return [over.get("exam_no", g.exam_no), over.get("name", g.name), over.get("id_number", g.id_number),
            *(info.get(fld.name, "") for fld in m.fields)]


def xlsx(rows: list[list], columns: tuple[str, ...] | list[str], formulas: dict[tuple[int, int], str] | None = None,
         name: str = "import.xlsx") -> SimpleUploadedFile:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet("data")
    ws.write_row(0, 0, columns)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is not None and value != "":
                ws.write_string(r, c, value) if isinstance(value, str) else ws.write(r, c, value)
    for (r, c), formula in (formulas or {}).items():
        ws.write_formula(r, c, formula)
    wb.close()
    return SimpleUploadedFile(name, buf.getvalue(), content_type=XLSX)


def run(actor, m: Module, rows: list[list], **kw) -> TransferImport:
    return transfer_import(actor=actor, module=m, uploaded_file=xlsx(rows, headers(m), **kw))


def problems(imp: TransferImport) -> list[tuple]:
    return [(e["row"], e["column"], e["message"]) for e in imp.errors]


def graduates(world, n: int, m: Module, **kw) -> list[Graduate]:
    made = [f.graduate(world.cs, world.cs_major, **kw) for _ in range(n)]
    if m is HUKOU:
        made = [on_hukou_roster(g) for g in made]
    return made


def retire(code: str) -> None:
    """A code no longer in use (GB/T 2260 retires codes)."""
    Region.objects.update_or_create(code=code, defaults=dict(name="旧区", province="广东省", valid_to="2014"))
    retired_regions.cache_clear()


def nothing_written(m: Module) -> None:
    assert not TransferRecord.objects.filter(kind=m.kind).exists()
    assert not OutboxEvent.objects.filter(topic=m.topic).exists()
    assert not AuditEvent.objects.filter(item_type=m.item_type).exists()


# --------------------------------------------------------------------------- a good file


@pytest.mark.parametrize("m", MODULES, ids=lambda m: m.kind)
def test_a_good_file_registers_every_row_audited_and_sent_to_ems(world, m):
    gs = graduates(world, 3, m)
    type_name = "转回生源地" if m is ARCHIVE else "回原籍"  # a type by its name, the others by code
    imp = run(world.wang, m, [row_of(gs[0], m, transfer_type=type_name), row_of(gs[1], m), row_of(gs[2], m)])
    assert imp.status == TransferImport.Status.DONE, imp.errors
    assert (imp.total_rows, imp.created_count, imp.updated_count, imp.unchanged_count) == (3, 3, 0, 0)
    assert imp.department_id == world.cs.pk and imp.kind == m.kind
    recs = {r.graduate_id: r for r in TransferRecord.objects.filter(kind=m.kind)}
    assert set(recs) == {g.pk for g in gs}
    for g in gs:
        r = recs[g.pk]
        assert (r.state, r.source, r.version, r.school_id, r.department_id) == (
            RecordState.REGISTERED, RecordSource.IMPORT, 1, g.school_id, g.department_id)
        assert r.registered_at is not None and r.transfer_type == "1" and r.region == "440106"
        assert r.address == INFO[m.kind]["address"]
        events = timeline(m.item_type, r.pk, r.school_id)
        assert [(e.action, e.to_state, e.actor_id, e.seq) for e in events] == [
            ("register", RecordState.REGISTERED, world.wang.pk, 1)]
        assert events[0].data["changes"]["region"] == ["", "440106"]
        out = OutboxEvent.objects.get(idempotency_key=f"{m.item_type}:{r.pk}:v1")
        assert out.topic == m.topic and out.payload["exam_no"] == g.exam_no and out.payload["version"] == 1
        assert out.school_id == g.school_id
    if m is HUKOU:
        assert all(r.postcode == "" and r.phone == "" for r in recs.values())
    assert verify_all()[1] == []


@pytest.mark.parametrize("m", MODULES, ids=lambda m: m.kind)
def test_a_second_import_changes_what_changed_and_counts_the_rest_unchanged(world, m):
    gs = graduates(world, 3, m)
    first = run(world.qian, m, [row_of(g, m) for g in gs])
    assert first.status == "done"
    old = TransferRecord.objects.get(kind=m.kind, graduate=gs[1])
    # a pending first application's record (审核中) is registered by the import too
    TransferRecord.objects.filter(pk=old.pk).update(state=RecordState.PENDING)
    imp = run(world.wang, m, [row_of(gs[0], m), row_of(gs[1], m), row_of(gs[2], m, address="广州市越秀区新地址8号")])
    assert imp.status == "done", imp.errors
    assert (imp.created_count, imp.updated_count, imp.unchanged_count) == (0, 2, 1)
    changed = TransferRecord.objects.get(kind=m.kind, graduate=gs[2])
    assert changed.version == 2 and changed.address == "广州市越秀区新地址8号"
    events = timeline(m.item_type, changed.pk, changed.school_id)
    assert [e.action for e in events] == ["register", "edit"]
    assert events[1].data["changes"] == {"address": [INFO[m.kind]["address"], "广州市越秀区新地址8号"]}
    assert OutboxEvent.objects.filter(idempotency_key=f"{m.item_type}:{changed.pk}:v2").exists()
    same = TransferRecord.objects.get(kind=m.kind, graduate=gs[0])
    assert same.version == 1 and len(timeline(m.item_type, same.pk, same.school_id)) == 1
    assert TransferRecord.objects.get(pk=old.pk).state == RecordState.REGISTERED
    assert verify_all()[1] == []


def test_the_important_fields_signal_is_sent_once_for_every_changed_record(world):
    heard, single = [], []

    def listen(sender, **kw):
        heard.append((sender, kw["kind"], kw["live"], [(g, r, tuple(f)) for g, r, f in kw["changes"]]))

    def one(sender, **kw):
        single.append(kw)

    important_fields_changed_many.connect(listen)
    important_fields_changed.connect(one)
    try:
        gs = graduates(world, 3, ARCHIVE)
        run(world.wang, ARCHIVE, [row_of(g, ARCHIVE) for g in gs[:2]])
        first = heard[:]
        heard.clear()
        run(world.wang, ARCHIVE, [row_of(gs[0], ARCHIVE, postcode="510000"), row_of(gs[1], ARCHIVE, region="440104"),
                                  row_of(gs[2], ARCHIVE)])
    finally:
        important_fields_changed_many.disconnect(listen)
        important_fields_changed.disconnect(one)
    record = {g.pk: TransferRecord.objects.get(kind=ARCHIVE.kind, graduate=g).pk for g in gs}
    filled = tuple(sorted(n for n in IMPORTANT_TRANSFER_FIELDS if INFO[ARCHIVE.kind].get(n)))
    assert first == [(TransferRecord, "archive", False, [(g.pk, record[g.pk], filled) for g in gs[:2]])]
    # 邮编 is not an important field: the first graduate is not told; a new record tells its filled fields
    assert heard == [(TransferRecord, "archive", False,
                      [(gs[2].pk, record[gs[2].pk], filled), (gs[1].pk, record[gs[1].pk], ("region",))])]
    assert single == []  # one signal for the import, not one per record


def test_the_bulk_signal_leaves_nothing_to_send_out_when_no_field_changed(db):  # (登记确认's receiver reads)
    heard = []

    def listen(sender, **kw):
        heard.append(kw)

    important_fields_changed_many.connect(listen)
    try:
        tell_many(TransferRecord, kind="archive", changes=[(1, 2, []), (3, 4, ())])
        tell_many(TransferRecord, kind="archive", changes=[(1, 2, ["region", "address", "region"]), (3, 4, [])])
    finally:
        important_fields_changed_many.disconnect(listen)
    assert heard == [{"signal": important_fields_changed_many, "kind": "archive", "live": False,
                      "changes": [(1, 2, ["address", "region"])]}]


def test_graduates_are_looked_up_in_one_query_per_chunk(world, monkeypatch):
    gs = graduates(world, 6, ARCHIVE)
    rows = [row_of(g, ARCHIVE) for g in gs]
    upload = xlsx(rows, headers(ARCHIVE))
    with CaptureQueriesContext(connection) as few:
        transfer_import(actor=world.wang, module=ARCHIVE, uploaded_file=upload)
    monkeypatch.setattr(importer, "CHUNK", 2)
    TransferRecord.objects.all().delete()
    with CaptureQueriesContext(connection) as more:
        transfer_import(actor=world.wang, module=ARCHIVE, uploaded_file=xlsx(rows, headers(ARCHIVE)))
    lookups = [q for q in few.captured_queries if 'FROM "ems_graduate"' in q["sql"]]
    assert len(lookups) == 1
    # more chunks: one lookup more per chunk, never one per row; the writes stay a few statements
    assert len([q for q in more.captured_queries if 'FROM "ems_graduate"' in q["sql"]]) == 3
    assert len(few.captured_queries) < 30


# --------------------------------------------------------------------------- rows refused, nothing written


def test_blank_rows_are_reported_and_every_later_row_still_read(world):
    gs = graduates(world, 2, ARCHIVE)
    imp = run(world.wang, ARCHIVE, [row_of(gs[0], ARCHIVE), ["", "", ""], row_of(gs[1], ARCHIVE, region="999999")])
    assert imp.status == TransferImport.Status.FAILED
    found = problems(imp)
    assert (3, "", "空行：数据中间不能有空行，请删除该行") in found
    assert any(r == 4 and c == "所在地" for r, c, _ in found)  # the row after the blank one was checked
    nothing_written(ARCHIVE)


@pytest.mark.parametrize("m", MODULES, ids=lambda m: m.kind)
def test_a_bad_region_code_is_reported_by_row_and_column(world, m):
    gs = graduates(world, 2, m)
    retire("440199")
    imp = run(world.wang, m, [row_of(gs[0], m, region="12345"), row_of(gs[1], m, region="440199")])
    assert imp.status == "failed"
    found = problems(imp)
    assert found[0][:2] == (2, "所在地") and "不是有效的6位行政区划代码" in found[0][2]
    assert found[1][:2] == (3, "所在地") and "已于2014年停用" in found[1][2]
    nothing_written(m)


def test_every_field_rule_of_the_module(world):
    gs = graduates(world, 5, ARCHIVE)
    imp = run(world.wang, ARCHIVE, [
        row_of(gs[0], ARCHIVE, transfer_type="飞走"),
        row_of(gs[1], ARCHIVE, postcode="51062"),
        row_of(gs[2], ARCHIVE, phone="12345"),
        row_of(gs[3], ARCHIVE, unit_name=""),
        row_of(gs[4], ARCHIVE, contact="", postcode="", phone=""),  # optional fields left empty: fine
    ])
    found = {(r, c): msg for r, c, msg in problems(imp)}
    assert found[(2, "档案转递类型")].startswith("请从档案转递类型中选择：转回生源地")
    assert found[(3, "邮编")] == "邮编应为6位数字"
    assert "联系电话" in found[(4, "档案转递联系电话")]
    assert found[(5, "档案转递单位名称")] == "必填"
    assert not any(r == 6 for r, _ in found)
    nothing_written(ARCHIVE)


def test_name_or_id_number_not_matching_the_roster(world):
    gs = graduates(world, 3, ARCHIVE)
    other_id = make_id_number("440106", dt.date(2003, 5, 5), 7)
    imp = run(world.wang, ARCHIVE, [
        row_of(gs[0], ARCHIVE, name="张冠李戴"),
        row_of(gs[1], ARCHIVE, id_number=other_id),
        row_of(gs[2], ARCHIVE, id_number=gs[2].id_number.lower()),  # a lower-case x is the same number
    ])
    assert problems(imp) == [
        (2, "姓名", "姓名与名单中该考生号的毕业生不一致"),
        (3, "身份证号", "身份证号与名单中该考生号的毕业生不一致"),
    ]
    nothing_written(ARCHIVE)


def test_a_graduate_out_of_scope_or_unknown_is_not_found(world):
    mine = graduates(world, 1, ARCHIVE)[0]
    imp = run(world.wang, ARCHIVE, [
        row_of(mine, ARCHIVE),
        row_of(world.lisi, ARCHIVE),     # another department of the school
        row_of(world.wangwu, ARCHIVE),   # another school
        row_of(mine, ARCHIVE, exam_no="27999999999999"),
    ])
    found = problems(imp)
    assert [(r, c) for r, c, _ in found] == [(3, "考生号"), (4, "考生号"), (5, "考生号")]
    assert all("不在您的管理范围内" in msg for _, _, msg in found)
    nothing_written(ARCHIVE)
    # the school's user reaches every department of the school
    assert run(world.qian, ARCHIVE, [row_of(mine, ARCHIVE), row_of(world.lisi, ARCHIVE)]).status == "done"


def test_the_hukou_module_holds_only_graduates_whose_hukou_moved_to_the_school(world):
    on = graduates(world, 1, HUKOU)[0]
    off = f.graduate(world.cs, world.cs_major)  # 户口 not at the school
    imp = run(world.wang, HUKOU, [row_of(on, HUKOU), row_of(off, HUKOU)])
    assert problems(imp) == [(3, "考生号", f"{off.name}的户口未迁入学校，不在户口信息管理的学生名单中，不能导入")]
    nothing_written(HUKOU)
    assert run(world.wang, ARCHIVE, [row_of(off, ARCHIVE)]).status == "done"  # the 档案 module holds everyone


def test_invalid_and_past_cohort_graduates_are_refused(world):
    gone = graduates(world, 1, ARCHIVE)[0]
    Graduate.objects.filter(pk=gone.pk).update(is_valid=False)
    old = f.graduate(world.cs, world.cs_major, graduation_year=2024)
    imp = run(world.wang, ARCHIVE, [row_of(gone, ARCHIVE), row_of(old, ARCHIVE)])
    found = problems(imp)
    assert found[0][:2] == (2, "考生号") and "失效" in found[0][2]
    assert found[1] == (3, "考生号", "2024届毕业生已过办理期限，不能登记")
    nothing_written(ARCHIVE)


def test_duplicate_rows_are_reported_with_each_other(world):
    gs = graduates(world, 2, ARCHIVE)
    imp = run(world.wang, ARCHIVE, [row_of(gs[0], ARCHIVE), row_of(gs[1], ARCHIVE), row_of(gs[0], ARCHIVE)])
    assert problems(imp) == [(2, "考生号", "考生号与第4行重复"), (4, "考生号", "考生号与第2行重复")]
    nothing_written(ARCHIVE)


@pytest.mark.parametrize("columns", [headers(HUKOU), ROSTER_COLUMNS,
                                     (*headers(ARCHIVE)[1:2], headers(ARCHIVE)[0], *headers(ARCHIVE)[2:])],
                         ids=["other_module", "roster", "swapped"])
def test_a_file_of_another_template_is_refused(world, columns):
    g = graduates(world, 1, ARCHIVE)[0]
    with pytest.raises(DomainError) as refused:
        transfer_import(actor=world.wang, module=ARCHIVE, uploaded_file=xlsx([row_of(g, ARCHIVE)], columns))
    assert refused.value.message.startswith("这不是档案信息管理的批量导入模板：表头与模板不一致")
    assert refused.value.code == "wrong_columns"
    assert not TransferImport.objects.exists()
    nothing_written(ARCHIVE)


def test_formulas_nul_bytes_and_overlong_text_are_reported_never_changed(world):
    gs = graduates(world, 4, ARCHIVE)
    address = ARCHIVE.fields[2].label  # 档案转递单位地址
    rows = [
        row_of(gs[0], ARCHIVE, unit_name="人才\x00中心"),
        row_of(gs[1], ARCHIVE, address="长" * 300),
        row_of(gs[2], ARCHIVE),
        row_of(gs[3], ARCHIVE, unit_name="=HYPERLINK(\"http://x\")"),  # text that looks like a formula: kept as text
    ]
    imp = run(world.wang, ARCHIVE, rows, formulas={(3, 2): "=1+1"})
    found = {(r, c): msg for r, c, msg in problems(imp)}
    assert "控制字符" in found[(2, "档案转递单位名称")]
    assert found[(3, address)] == f"{address}最多200个字符，且不能含换行等控制字符"
    assert "是公式" in found[(4, "身份证号")]
    assert len(found) == 3
    nothing_written(ARCHIVE)


def test_a_graduate_or_another_school_s_user_may_not_import(world):
    g = graduates(world, 1, ARCHIVE)[0]
    for actor in (graduate_user(world.zhangsan), world.u_employer, world.zhou):
        with pytest.raises(Forbidden):
            run(actor, ARCHIVE, [row_of(g, ARCHIVE)])
    imp = run(world.sun, ARCHIVE, [row_of(g, ARCHIVE)])  # another school's user: not in their scope
    assert imp.status == "failed" and "不在您的管理范围内" in imp.errors[0]["message"]
    nothing_written(ARCHIVE)


# --------------------------------------------------------------------------- downloads


@pytest.mark.parametrize("m", MODULES, ids=lambda m: m.kind)
def test_the_template_holds_the_columns_the_type_options_and_the_rules(world, client, m):
    client.force_login(world.wang)
    r = client.get(reverse(f"{m.url}:import_template"))
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    head = [c.value for c in wb.worksheets[0][1]]
    assert head == ["考生号", "姓名", "身份证号", *(fld.label for fld in m.fields)]
    notes = wb["填写说明"]
    cells = [[c for c in row] for row in notes.iter_rows(values_only=True)]
    options = {(row[1], row[2]) for row in cells if row[0] == m.fields[0].label and row[1] != "代码"}
    assert ("1", "转回生源地" if m is ARCHIVE else "回原籍") in options
    labels = {row[0] for row in cells}
    assert {fld.label for fld in m.fields} <= labels
    assert build_template(m) and wb.worksheets[0].max_row == 1  # no example row to delete


def test_an_empty_template_imported_as_is_says_it_has_no_rows(world):
    with pytest.raises(DomainError) as refused:
        transfer_import(actor=world.wang, module=ARCHIVE,
                        uploaded_file=SimpleUploadedFile("t.xlsx", build_template(ARCHIVE), content_type=XLSX))
    assert "没有毕业生数据" in refused.value.message


def test_the_region_table_holds_the_codes_in_use(world, client):
    retire("440199")
    client.force_login(world.wang)
    r = client.get(reverse("hukou:region_table"))
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("代码", "名称", "所属省份")
    codes = {row[0] for row in rows[1:]}
    assert "440106" in codes and "440199" not in codes
    assert len(codes) == Region.objects.filter(valid_to="").count()


# --------------------------------------------------------------------------- the pages


@pytest.mark.parametrize("m", MODULES, ids=lambda m: m.kind)
def test_the_pages_upload_report_and_errors_workbook(world, client, m):
    gs = graduates(world, 2, m)
    client.force_login(world.wang)
    assert client.get(reverse(f"{m.url}:import")).status_code == 200
    bad = xlsx([row_of(gs[0], m, region="000000"), row_of(gs[1], m, name="别人")], headers(m))
    r = client.post(reverse(f"{m.url}:import"), {"file": bad})
    imp = TransferImport.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse(f"{m.url}:import_report", args=[imp.pk])
    page = client.get(r["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "校验未通过" in text and "姓名与名单中该考生号的毕业生不一致" in text
    errors = client.get(reverse(f"{m.url}:import_errors", args=[imp.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(errors.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "问题")
    assert [(row[0], row[1]) for row in rows[1:]] == [(2, "所在地"), (3, "姓名")]
    good = xlsx([row_of(g, m) for g in gs], headers(m))
    r = client.post(reverse(f"{m.url}:import"), {"file": good})
    done = TransferImport.objects.filter(status="done").get()
    assert r["Location"] == reverse(f"{m.url}:import_report", args=[done.pk])
    assert "首次登记" in client.get(r["Location"]).content.decode()
    assert "最近的导入" in client.get(reverse(f"{m.url}:import")).content.decode()


def test_the_report_is_paged(world, client):
    g = graduates(world, 1, ARCHIVE)[0]
    rows = [row_of(g, ARCHIVE, exam_no=f"2744{k:010d}") for k in range(250)]
    imp = run(world.wang, ARCHIVE, rows)
    assert len(imp.errors) == 250  # not found, each row
    client.force_login(world.wang)
    second = client.get(reverse("archives:import_report", args=[imp.pk]), {"page": "3"}).content.decode()
    assert "第 3 页" in second or "page=2" in second


def test_the_pages_refuse_whoever_may_not_import(world, client):
    g = graduates(world, 1, ARCHIVE)[0]
    imp = run(world.wang, ARCHIVE, [row_of(g, ARCHIVE, region="000000")])
    report = reverse("archives:import_report", args=[imp.pk])
    errors = reverse("archives:import_errors", args=[imp.pk])
    for who in (graduate_user(world.zhangsan), world.u_employer, world.zhou):
        client.force_login(who)
        for url in (reverse("archives:import"), reverse("archives:import_template"), report, errors):
            assert client.get(url).status_code == 403, (who, url)
        assert client.post(reverse("archives:import"), {"file": xlsx([row_of(g, ARCHIVE)], headers(ARCHIVE))}
                           ).status_code == 403
    # another school's user and another department's user: the import does not exist for them
    for who in (world.sun, world.zhao):
        client.force_login(who)
        assert client.get(report).status_code == 404
        assert client.get(errors).status_code == 404
    client.force_login(world.qian)  # the school sees its departments' imports
    assert client.get(report).status_code == 200
    # an import of the 档案 module is not one of the 户口 module's
    assert client.get(reverse("hukou:import_report", args=[imp.pk])).status_code == 404
    client.force_login(graduate_user(world.zhangsan))
    assert client.get(reverse("archives:region_table")).status_code == 200


def test_a_wrong_template_on_the_page_is_said_on_the_form(world, client):
    g = graduates(world, 1, ARCHIVE)[0]
    client.force_login(world.wang)
    r = client.post(reverse("archives:import"), {"file": xlsx([row_of(g, HUKOU)], headers(HUKOU))})
    assert r.status_code == 400
    assert "这不是档案信息管理的批量导入模板" in r.content.decode()
    assert not TransferImport.objects.exists()


# --------------------------------------------------------------------------- scale


@pytest.mark.slow
def test_twenty_thousand_rows_are_all_written(world):
    n = 20_000
    base = dt.date(2003, 1, 1)
    Graduate.objects.bulk_create([
        Graduate(exam_no=f"27449{k:09d}", student_no=f"T{k:07d}", name=f"导入{k}", gender="1",
                 id_number=make_id_number("440106", base + dt.timedelta(days=k % 700), k // 700 + 100),
                 ethnicity="01", political_status="03", education_level="31", school=world.school,
                 department=world.cs, major=world.cs_major, schooling_years=4, training_mode="1",
                 origin_region="440106", graduation_year=2027, graduation_date=dt.date(2027, 6, 30),
                 phone=f"139{k:08d}", email=f"t{k}@example.edu.cn")
        for k in range(n)
    ], batch_size=2000)
    gs = Graduate.objects.filter(exam_no__startswith="27449").order_by("exam_no")
    rows = [row_of(g, ARCHIVE, address=f"广州市天河区天河路{k}号") for k, g in enumerate(gs)]
    imp = run(world.qian, ARCHIVE, rows)
    assert imp.status == "done", imp.errors[:5]
    assert imp.created_count == n
    assert TransferRecord.objects.filter(kind="archive", state=RecordState.REGISTERED).count() == n
    assert OutboxEvent.objects.filter(topic=ARCHIVE.topic).count() == n
    assert AuditEvent.objects.filter(item_type=ARCHIVE.item_type).count() == n
    assert verify_all()[1] == []


def test_a_bulk_append_chains_like_one_append_at_a_time(world):
    audit.record(item_type="bulk_item", item_id=1, actor=world.wang, action="a", school_id=world.school.pk)
    audit.record_many([
        dict(item_type="bulk_item", item_id=1, school_id=world.school.pk, action="b", data={"x": "长"}),
        dict(item_type="bulk_item", item_id=2, school_id=world.school.pk, action="c"),
        dict(item_type="bulk_item", item_id=2, school_id=world.school.pk, action="d", reason="再次"),
    ], actor=world.wang, ip="10.0.0.1")
    audit.record(item_type="bulk_item", item_id=2, actor=None, action="e", school_id=world.school.pk)
    assert [(e.seq, e.action) for e in timeline("bulk_item", 1)] == [(1, "a"), (2, "b")]
    assert [(e.seq, e.action, e.actor_name) for e in timeline("bulk_item", 2)] == [
        (1, "c", "王老师"), (2, "d", "王老师"), (3, "e", "系统")]
    assert verify_all()[1] == []
