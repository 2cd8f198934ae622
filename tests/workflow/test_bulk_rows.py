"""Many rows at once (gradreg.common.bulk), as a batch import writes them: the same rows on either database."""
from __future__ import annotations

import datetime as dt
import gc

import pytest
from django.db import DatabaseError, transaction

from gradreg.archives.models import RecordState, TransferRecord
from gradreg.common import bulk
from gradreg.ems.models import Graduate
from gradreg.workflow.models import AuditHead
from tests import factories as f

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 6, 30, 8, 0, tzinfo=dt.UTC)


def test_many_objects_pauses_automatic_collection_for_the_block_only():
    assert gc.isenabled()
    with bulk.many_objects():
        assert not gc.isenabled()
        with bulk.many_objects():  # nested: the outer block resumes it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), bulk.many_objects():
        raise ValueError
    assert gc.isenabled()  # resumed whatever happens in the block


def test_one_of_filters_on_a_list_of_texts_or_ids(world):
    gs = [f.graduate(world.cs) for _ in range(3)]
    wanted = [gs[0].exam_no, gs[2].exam_no, "不存在"]
    assert set(Graduate.objects.filter(bulk.one_of("exam_no", wanted)).values_list("pk", flat=True)) == {
        gs[0].pk, gs[2].pk}
    assert list(Graduate.objects.filter(bulk.one_of("id", [gs[1].pk])).values_list("pk", flat=True)) == [gs[1].pk]
    assert not Graduate.objects.filter(bulk.one_of("id", [])).exists()


def test_insert_with_ids_returns_the_new_keys_in_order():
    fields = ("item_type", "item_id", "school_id", "count", "last_hash")
    ids = bulk.insert_with_ids(AuditHead, fields, (("t", k, None, k + 1, f"{k}" * 64) for k in range(3)), 3)
    assert [AuditHead.objects.get(pk=pk).item_id for pk in ids] == [0, 1, 2]
    assert [AuditHead.objects.get(pk=pk).count for pk in ids] == [1, 2, 3]
    assert bulk.insert_with_ids(AuditHead, fields, iter(()), 0) == []


def test_update_rows_sets_each_row_its_own_values(world):
    gs = [f.graduate(world.cs) for _ in range(3)]
    rs = [TransferRecord.objects.create(graduate=g, school=world.school, department=world.cs, kind="archive")
          for g in gs]
    bulk.update_rows(TransferRecord, ("state", "unit_name", "registered_at", "inactive_at", "version", "department_id"), [
        (rs[0].pk, RecordState.REGISTERED, "广州市人才服务中心", AT, None, 2, world.fl.pk),
        (rs[2].pk, RecordState.PENDING, "", None, AT, 7, world.cs.pk),
    ])
    got = {r.pk: r for r in TransferRecord.objects.filter(pk__in=[r.pk for r in rs])}
    assert (got[rs[0].pk].state, got[rs[0].pk].unit_name, got[rs[0].pk].registered_at, got[rs[0].pk].version,
            got[rs[0].pk].department_id) == (RecordState.REGISTERED, "广州市人才服务中心", AT, 2, world.fl.pk)
    assert (got[rs[2].pk].state, got[rs[2].pk].inactive_at, got[rs[2].pk].version) == (RecordState.PENDING, AT, 7)
    assert (got[rs[1].pk].state, got[rs[1].pk].version) == (RecordState.NONE, 0)  # not named: untouched
    heads = [AuditHead.objects.create(item_type="t", item_id=k, count=1, last_hash="a" * 64) for k in range(2)]
    bulk.update_rows(AuditHead, ("count", "last_hash"), [(heads[1].pk, 5, "b" * 64)])
    assert list(AuditHead.objects.filter(item_type="t").order_by("item_id").values_list("count", "last_hash")) == [
        (1, "a" * 64), (5, "b" * 64)]


@pytest.mark.postgres_only
def test_update_rows_refuses_a_text_too_long_rather_than_cutting_it(world):
    r = TransferRecord.objects.create(graduate=world.zhangsan, school=world.school, department=world.cs, kind="archive")
    with pytest.raises(DatabaseError), transaction.atomic():
        bulk.update_rows(TransferRecord, ("state",), [(r.pk, "x" * 13)])  # state is varchar(12)
    assert TransferRecord.objects.get(pk=r.pk).state == RecordState.NONE
