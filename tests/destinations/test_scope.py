"""Scope: outside it an item answers as missing, on every read and every service; the key-field rule and
获取最新学生信息 of the review (seed 3.3.1, applied to 补登 and 去向登记 as well)."""
from __future__ import annotations

import pytest

from gradreg.common.errors import Conflict, DomainError, Forbidden, NotFound
from gradreg.destinations import selectors, services
from gradreg.destinations.models import PaperAgreement, Registration
from gradreg.destinations.models import PaperStatus as PS
from gradreg.destinations.models import RegistrationStatus as R
from gradreg.ems.services import graduate_update
from gradreg.workflow.models import AuditEvent, OutboxEvent
from tests import factories as f
from tests.destinations.conftest import (
    CONTRACT,
    PAPER_KEY,
    POSTGRADUATE,
    act,
    data_for,
    edited,
    paper_in,
    registration_in,
    submit,
)
from tests.workflow.harness import graduate_user

OUTSIDERS = ["zhao", "sun", "u_employer", "u_lisi", "beijing_official"]
GET_FOR = {Registration: selectors.registration_get_for, PaperAgreement: selectors.paper_get_for}


def _services(model, item, actor):
    """Every service that names an item, as its page or the API calls it."""
    key = PAPER_KEY if model is PaperAgreement else POSTGRADUATE
    calls = [lambda: GET_FOR[model](actor, item.pk), lambda: GET_FOR[model](actor, item.pk, for_update=True),
             lambda: services.resubmit(model, actor=actor, pk=item.pk, data=data_for(key)),
             lambda: services.reviewer_edit(model, actor=actor, pk=item.pk, data=edited(item)),
             lambda: services.refresh(model, actor=actor, pk=item.pk)]
    for action in ("withdraw", "abandon", "approve", "return", "reject", "void", "supersede", "submit", "edit",
                   "nonsense"):
        calls.append(lambda a=action: services.act(model, actor=actor, pk=item.pk, action=a, reason="x",
                                                   category="other"))
    return calls


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize(("model", "build", "state"), [(Registration, registration_in, R.WAIT_DEPT),
                                                       (Registration, registration_in, R.APPROVED),
                                                       (PaperAgreement, paper_in, PS.WAIT_DEPT)])
def test_outside_the_scope_an_item_answers_as_missing(world, who, model, build, state):
    item = build(world, state)
    actor = getattr(world, who)
    events = AuditEvent.objects.count()
    for call in _services(model, item, actor):
        with pytest.raises(NotFound) as exc:
            call()
        assert "未找到" in exc.value.message
    item.refresh_from_db()
    assert item.status == state
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("pk", [0, -1, 10**12, "abc", None, "1 OR 1=1"])
def test_a_bad_id_answers_as_missing(world, pk):
    registration_in(world, R.WAIT_DEPT)
    with pytest.raises(NotFound):
        selectors.registration_get_for(world.wang, pk)
    with pytest.raises(NotFound):
        services.act(Registration, actor=world.wang, pk=pk, action="approve")


def test_the_items_own_people_see_it(world):
    item = registration_in(world, R.WAIT_DEPT)
    for actor in (world.u_zhangsan, world.wang, world.qian, world.zhou, world.operator):
        assert selectors.registration_get_for(actor, item.pk).pk == item.pk
    # the province looks but does not act
    with pytest.raises(Forbidden):
        act(world.zhou, item, "approve")


@pytest.mark.parametrize("who", ["zhao", "sun", "beijing_official"])
def test_lists_hold_only_the_scope(world, who):
    registration_in(world, R.WAIT_DEPT)
    paper_in(world, PS.WAIT_DEPT, graduate=world.lisi)  # 外国语学院: 赵老师's
    actor = getattr(world, who)
    visible = {Registration: 0, PaperAgreement: 1 if who == "zhao" else 0}
    if actor.role in ("department", "school"):
        for model, n in visible.items():
            assert selectors.search(model, actor, selectors.Filters()).count() == n
        counts = selectors.waiting_counts(actor)
        assert counts["registration_total"] == 0
    else:
        with pytest.raises(Forbidden):
            selectors.search(Registration, actor, selectors.Filters())
        assert selectors.waiting_counts(actor) == {}


@pytest.mark.parametrize("who", ["u_zhangsan", "u_employer", "zhou"])
def test_only_reviewers_search(world, who):
    with pytest.raises(Forbidden):
        selectors.search(Registration, getattr(world, who), selectors.Filters())


def test_a_graduate_sees_only_their_own(world):
    mine = registration_in(world, R.WAIT_DEPT)
    registration_in(world, R.WAIT_DEPT, graduate=world.lisi)
    assert list(services.mine(Registration, world.u_zhangsan)) == [mine]
    with pytest.raises(Forbidden):
        services.mine(Registration, world.wang)


def test_only_graduates_submit(world):
    for actor in (world.wang, world.qian, world.u_employer, world.zhou, world.operator):
        with pytest.raises(Forbidden):
            services.submit(Registration, actor=actor, type_key=POSTGRADUATE, data=data_for(POSTGRADUATE))
    assert Registration.objects.count() == 0


# ---- 学生信息比对: key fields, 获取最新学生信息 -------------------------------------------------------------------

@pytest.mark.parametrize("state", [R.WAIT_DEPT, R.WAIT_SCHOOL])
def test_a_key_field_changed_in_ems_allows_only_rejection(world, state):
    item = registration_in(world, state)
    graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk, changes={"name": "张三丰"})
    reviewer = world.wang if state == R.WAIT_DEPT else world.qian
    with pytest.raises(DomainError) as exc:
        act(reviewer, item, "approve")
    assert exc.value.code == "key_fields_differ" and "姓名" in exc.value.message
    item.refresh_from_db()
    assert item.status == state
    # getting the latest info does not take a key field
    services.refresh(Registration, actor=reviewer, pk=item.pk)
    with pytest.raises(DomainError):
        act(reviewer, item, "approve")
    done = act(reviewer, item, "reject", reason="姓名与就业管理系统不一致", category="other")
    assert done.status == R.REJECTED
    assert not OutboxEvent.objects.filter(topic__startswith="ems.destination").exists()


def test_the_latest_student_info_is_applied_when_the_review_passes(world):
    item = paper_in(world, PS.WAIT_DEPT)
    assert item.graduate_snapshot["political_status"] == "03"
    graduate_update(actor=world.qian, graduate_id=world.zhangsan.pk,
                    changes={"political_status": "01", "student_no": "S2027NEW01"})
    taken = services.refresh(PaperAgreement, actor=world.wang, pk=item.pk)
    assert taken == {"political_status": "01", "student_no": "S2027NEW01"}
    item.refresh_from_db()
    assert item.refreshed_info == taken and item.graduate_snapshot["political_status"] == "03"
    assert AuditEvent.objects.filter(item_id=item.pk, action="refresh", actor=world.wang).exists()
    act(world.wang, item, "approve")
    item.refresh_from_db()
    assert item.graduate_snapshot["political_status"] == "03"  # applied on the final pass only
    act(world.qian, item, "approve")
    item.refresh_from_db()
    assert item.status == PS.APPROVED and item.refreshed_info == {}
    assert (item.graduate_snapshot["political_status"], item.graduate_snapshot["student_no"]) == ("01", "S2027NEW01")
    event = OutboxEvent.objects.get(topic="ems.destination_reported")
    assert event.payload["graduate"]["political_status"] == "01"


def test_getting_the_latest_info_is_for_the_reviewer_it_waits_for(world):
    item = registration_in(world, R.WAIT_SCHOOL)
    with pytest.raises(Conflict):
        services.refresh(Registration, actor=world.wang, pk=item.pk)
    with pytest.raises(Forbidden):
        services.refresh(Registration, actor=world.u_zhangsan, pk=item.pk)
    assert services.refresh(Registration, actor=world.qian, pk=item.pk) == {}
    approved = act(world.qian, item, "approve")
    # an approved registration waits for no reviewer, though the school may still change it (修改去向)
    with pytest.raises(Conflict):
        services.refresh(Registration, actor=world.qian, pk=approved.pk)


# ---- the graduate moves; the lists' filters ----------------------------------------------------------------

def test_an_item_in_review_follows_its_graduate_to_another_department(world):
    waiting = registration_in(world, R.WAIT_DEPT)
    g2 = f.graduate(world.cs, world.cs_major, name="周小平")
    approved = paper_in(world, PS.APPROVED, graduate=g2)
    for g in (world.zhangsan, g2):
        graduate_update(actor=world.qian, graduate_id=g.pk, changes={"department": world.fl, "major": world.fl_major})
    # 外国语学院's 赵老师 now reviews the one in flight; 王老师 no longer sees it
    assert selectors.registration_get_for(world.zhao, waiting.pk).department_id == world.fl.pk
    with pytest.raises(NotFound):
        selectors.registration_get_for(world.wang, waiting.pk)
    # (its 专业 changed too, a key field: it can be returned or rejected, not passed)
    assert act(world.zhao, waiting, "return", reason="请按新专业重新登记").status == R.RETURNED
    # the approved one stays where it was decided
    assert selectors.paper_get_for(world.wang, approved.pk).department_id == world.cs.pk


def test_the_lists_filter_by_state_type_name_and_unit(world):
    mine = registration_in(world, R.WAIT_DEPT)  # 张三, 境内升学（考研）at 中山大学
    g2 = f.graduate(world.cs, world.cs_major, name="张小凡")
    other = submit(graduate_user(g2), CONTRACT)
    search = lambda **kw: set(selectors.search(Registration, world.wang, selectors.Filters(**kw))  # noqa: E731
                              .values_list("id", flat=True))
    assert search() == {mine.pk, other.pk}
    assert search(status=R.WAIT_DEPT) == {mine.pk, other.pk} and search(status=R.APPROVED) == set()
    assert search(type="境内升学") == {mine.pk} and search(type="签劳动合同就业") == {other.pk}
    assert search(q="张三") == {mine.pk} and search(q="张") == {mine.pk, other.pk}
    assert search(q=world.zhangsan.exam_no) == {mine.pk}
    assert search(unit="中山") == {mine.pk} and search(unit="广州某某") == {other.pk}
    assert search(graduation_year=2026) == set()
    [row] = [r for r in selectors.rows(selectors.search(Registration, world.wang, selectors.Filters(q="张三")))]
    assert (row["department_name"], row["graduate_valid"], row["destination_type"], row["subtype"]) == (
        "计算机学院", True, "境内升学", "考研")
