"""The receiving end of the sync: each event applied once, signings held read-only, terminations clear them."""
from __future__ import annotations

import pytest
from django.utils import timezone

from gradreg.ems import selectors
from gradreg.ems.models import AppliedEvent, DestinationSource, ReportedDestination
from gradreg.ems.sync import BadEvent, UnknownTopic, apply_event


def signed(graduate, signing_id=7, **over):
    payload = {
        "graduate_id": graduate.pk, "exam_no": graduate.exam_no, "id_number": graduate.id_number,
        "source": "登记系统", "destination": "签就业协议形式就业", "signing_id": signing_id,
        "agreement_no": f"10001-2026-{signing_id:05d}", "employer_name": "某某科技有限公司",
        "credit_code": "91440101MA00000001", "employer_nature": "39", "employer_industry": "I",
        "employer_region": "440106", "position": "软件工程师", "job_category": "21", "work_region": "440106",
        "graduate": {"name": graduate.name},
    }
    return {**payload, **over}


def terminated(graduate, signing_id=7):
    return {"graduate_id": graduate.pk, "exam_no": graduate.exam_no, "signing_id": signing_id,
            "agreement_no": f"10001-2026-{signing_id:05d}", "source": "登记系统", "clear_employment": True}


def test_signing_completed_becomes_a_read_only_destination(world):
    assert selectors.reported_destination(world.zhangsan.pk) is None
    assert apply_event("ems.signing_completed", "signing:7:signed", signed(world.zhangsan)) is True
    held = selectors.reported_destination(world.zhangsan.pk)
    assert held.read_only and held.source == DestinationSource.PLATFORM
    assert (held.destination, held.destination_code) == ("签就业协议形式就业", "10")
    assert (held.employer_name, held.credit_code, held.signing_id) == ("某某科技有限公司", "91440101MA00000001", 7)
    assert (held.employer_region, held.work_region, held.position) == ("440106", "440106", "软件工程师")
    assert held.agreement_no == "10001-2026-00007"
    assert world.zhangsan.reported_destination == held


def test_a_redelivered_event_is_applied_once(world):
    apply_event("ems.signing_completed", "signing:7:signed", signed(world.zhangsan))
    ReportedDestination.objects.filter(graduate=world.zhangsan).update(position="改过的职位")
    assert apply_event("ems.signing_completed", "signing:7:signed", signed(world.zhangsan)) is False
    assert selectors.reported_destination(world.zhangsan.pk).position == "改过的职位"
    assert AppliedEvent.objects.filter(idempotency_key="signing:7:signed").count() == 1


def test_a_later_signing_replaces_the_destination(world):
    apply_event("ems.signing_completed", "signing:7:signed", signed(world.zhangsan))
    apply_event("ems.signing_terminated", "termination:1:terminated", terminated(world.zhangsan))
    apply_event("ems.signing_completed", "signing:8:signed", signed(world.zhangsan, 8, employer_name="另一家公司"))
    held = selectors.reported_destination(world.zhangsan.pk)
    assert (held.signing_id, held.employer_name) == (8, "另一家公司")
    assert ReportedDestination.objects.count() == 1


def test_termination_clears_the_employment_data(world):
    apply_event("ems.signing_completed", "signing:7:signed", signed(world.zhangsan))
    apply_event("ems.signing_completed", "signing:9:signed", signed(world.lisi, 9))
    assert apply_event("ems.signing_terminated", "termination:1:terminated", terminated(world.zhangsan)) is True
    assert selectors.reported_destination(world.zhangsan.pk) is None
    assert selectors.reported_destination(world.lisi.pk).signing_id == 9


def test_termination_of_another_signing_leaves_the_current_one(world):
    apply_event("ems.signing_completed", "signing:8:signed", signed(world.zhangsan, 8))
    assert apply_event("ems.signing_terminated", "termination:1:terminated", terminated(world.zhangsan, 7)) is True
    assert selectors.reported_destination(world.zhangsan.pk).signing_id == 8


# ---- the destination points at its source item (type + id), not only at a signing ---------------------

def test_a_signing_is_recorded_as_the_source_item(world):
    apply_event("ems.signing_completed", "signing:7:signed", signed(world.zhangsan))
    held = selectors.reported_destination(world.zhangsan.pk)
    assert (held.source_type, held.source_id, held.signing_id) == ("signing", 7, 7)


def test_another_item_type_is_recorded_as_its_source(world):
    apply_event("ems.signing_completed", "registration:7:approved",
                signed(world.zhangsan, source_type="registration", source_id=7))
    held = selectors.reported_destination(world.zhangsan.pk)
    assert (held.source_type, held.source_id) == ("registration", 7)
    assert held.signing_id is None  # not a signing's, though the payload still names signing 7


def test_a_termination_leaves_an_unrelated_source_of_the_same_graduate(world):
    """Signing 7 ends, but what EMS holds now came from registration 7: it stays."""
    apply_event("ems.signing_completed", "registration:7:approved",
                signed(world.zhangsan, source_type="registration", source_id=7))
    assert apply_event("ems.signing_terminated", "termination:1:terminated", terminated(world.zhangsan, 7)) is True
    held = selectors.reported_destination(world.zhangsan.pk)
    assert (held.source_type, held.source_id) == ("registration", 7)


def test_clearing_by_source_item_clears_exactly_that_item(world):
    apply_event("ems.signing_completed", "registration:7:approved",
                signed(world.zhangsan, source_type="registration", source_id=7))
    apply_event("ems.signing_terminated", "registration:8:cancelled",
                {**terminated(world.zhangsan), "source_type": "registration", "source_id": 8})
    assert selectors.reported_destination(world.zhangsan.pk).source_id == 7
    apply_event("ems.signing_terminated", "registration:7:cancelled",
                {**terminated(world.zhangsan), "source_type": "registration", "source_id": "7"})
    assert selectors.reported_destination(world.zhangsan.pk) is None


def test_an_unreadable_source_item_is_a_bad_event(world):
    with pytest.raises(BadEvent, match="来源记录"):
        apply_event("ems.signing_completed", "x:1", signed(world.zhangsan, source_type="registration",
                                                          source_id="seven"))
    assert AppliedEvent.objects.count() == 0 and ReportedDestination.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_existing_destinations_point_at_their_signing_after_the_migration(world):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("ems", "0004_training_mode_change_graduate_item")], [("ems", "0006_remove_reporteddestination_signing_id")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("ems", "ReportedDestination")
    common = dict(source="platform", destination="签就业协议形式就业", read_only=True, reported_at=timezone.now())
    old.objects.create(graduate_id=world.zhangsan.pk, signing_id=7, **common)
    old.objects.create(graduate_id=world.lisi.pk, signing_id=None, **dict(common, source="ems_upload"))
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # the later ones too: the school column is filled
    by_graduate = {d.graduate_id: (d.source_type, d.source_id, d.signing_id, d.school_id)
                   for d in ReportedDestination.objects.all()}
    assert by_graduate == {world.zhangsan.pk: ("signing", 7, 7, world.school.pk),
                           world.lisi.pk: ("", None, None, world.school.pk)}


@pytest.mark.parametrize("topic", ["ems.training_mode_changed", "ems.graduate_restored", "ems.graduate_updated"])
def test_changes_ems_made_itself_are_only_acknowledged(world, topic):
    assert apply_event(topic, f"{topic}:1", {"graduate_id": world.zhangsan.pk}) is True
    assert apply_event(topic, f"{topic}:1", {"graduate_id": world.zhangsan.pk}) is False
    assert AppliedEvent.objects.get().topic == topic
    assert ReportedDestination.objects.count() == 0


def test_unknown_topic_is_refused_and_not_recorded(world):
    with pytest.raises(UnknownTopic, match="ems.nope"):
        apply_event("ems.nope", "x:1", {"graduate_id": world.zhangsan.pk})
    assert AppliedEvent.objects.count() == 0


@pytest.mark.parametrize("change", [{"graduate_id": 999999}, {"exam_no": "00000000000000"}, {"source": "别处"}])
def test_a_bad_event_changes_nothing_so_it_can_be_retried(world, change):
    with pytest.raises(BadEvent):
        apply_event("ems.signing_completed", "signing:7:signed", signed(world.zhangsan, **change))
    assert AppliedEvent.objects.count() == 0 and ReportedDestination.objects.count() == 0


def test_source_by_value_and_other_sources(world):
    apply_event("ems.signing_completed", "k:1", signed(world.zhangsan, source="ems_api"))
    assert selectors.reported_destination(world.zhangsan.pk).source == DestinationSource.EMS_API
    apply_event("ems.signing_completed", "k:2", signed(world.lisi, source="就业管理系统上传"))
    assert selectors.reported_destination(world.lisi.pk).source == DestinationSource.EMS_UPLOAD


def test_a_completed_online_signing_reaches_ems(world, django_capture_on_commit_callbacks):
    """End to end: the school's final approval commits, and EMS holds the destination at once."""
    from gradreg.signing import services
    from gradreg.workflow.models import OutboxEvent

    terms = dict(position="软件工程师", job_category="21", work_region="440106", monthly_salary="12000",
                 probation_months="3", service_years="2", breach_terms="违约金5000元", archive_unit="",
                 archive_address="", hukou_unit="", hukou_address="", other_terms="")
    w = world
    s = services.invitation_create(actor=w.u_employer, name="张三", id_number=w.zhangsan.id_number, terms=terms)
    services.signing_act(actor=w.u_zhangsan, pk=s.pk, action="agree")
    services.signing_act(actor=w.wang, pk=s.pk, action="approve")
    with django_capture_on_commit_callbacks(execute=True):
        s = services.signing_act(actor=w.qian, pk=s.pk, action="approve")
    event = OutboxEvent.objects.get(topic="ems.signing_completed")
    assert event.status == OutboxEvent.Status.SENT and event.idempotency_key == f"signing:{s.pk}:signed"
    held = selectors.reported_destination(w.zhangsan.pk)
    assert (held.signing_id, held.agreement_no, held.position, held.read_only) == (
        s.pk, s.agreement_no, "软件工程师", True)


def test_a_module_teaches_ems_a_topic_of_its_own(world):
    from django.core.exceptions import ImproperlyConfigured

    from gradreg.ems import sync

    seen = []
    handler = seen.append
    try:
        sync.register_topic("ems.example_registered", handler)
        sync.register_topic("ems.example_registered", handler)  # the same registration again is harmless
        assert apply_event("ems.example_registered", "example:1", {"graduate_id": world.zhangsan.pk}) is True
        assert seen == [{"graduate_id": world.zhangsan.pk}]
        with pytest.raises(ImproperlyConfigured, match="ems.example_registered"):
            sync.register_topic("ems.example_registered", lambda payload: None)
        with pytest.raises(ImproperlyConfigured, match="ems.signing_completed"):
            sync.register_topic("ems.signing_completed", handler)
    finally:
        sync.HANDLERS.pop("ems.example_registered", None)
