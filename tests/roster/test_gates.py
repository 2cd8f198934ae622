"""The cohort gate and the training-mode gate, with time travel."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from gradreg.common.errors import ReadOnly
from gradreg.ems import services
from gradreg.ems.models import TrainingModeChange
from gradreg.roster import gates
from tests import factories as f


@pytest.mark.parametrize(
    "today,current",
    [("2026-11-28", 2027), ("2027-01-31", 2027), ("2027-06-30", 2027), ("2027-08-31", 2027), ("2027-09-01", 2028)],
)
def test_current_cohort(today, current):
    assert gates.current_cohort(dt.date.fromisoformat(today)) == current


@pytest.mark.parametrize(
    "today,year,may",
    [
        ("2026-11-28", 2027, True),   # current cohort
        ("2026-11-28", 2026, True),   # last year's, before 31 January
        ("2027-01-31", 2026, True),   # the last day
        ("2027-02-01", 2026, False),  # the day after
        ("2026-11-28", 2025, False),  # older: read-only
        ("2027-09-15", 2027, True),   # a cohort that just graduated, until next 31 January
        ("2028-02-01", 2027, False),
        ("2026-11-28", 2028, True),   # a later cohort already uploaded
    ],
)
def test_cohort_may_act(today, year, may):
    assert gates.cohort_may_act(year, dt.date.fromisoformat(today)) is may


def _request(world, graduate):
    return services.training_mode_change_request(
        actor=world.wang, graduate_id=graduate.pk, to_mode="22", directed_unit="某局", reason="定向"
    )


def test_last_years_cohort_acts_until_31_january_then_is_read_only(world):
    last_year = f.graduate(world.cs, world.cs_major, graduation_year=2026)
    with time_machine.travel("2027-01-31 23:00 +0800", tick=False):
        _request(world, last_year)
    with time_machine.travel("2027-02-01 09:00 +0800", tick=False):
        with pytest.raises(ReadOnly) as exc:
            services.training_mode_change_act(
                actor=world.qian, change_id=TrainingModeChange.objects.get().pk, action="submit"
            )
        assert "2027年1月31日截止" in exc.value.message
    assert TrainingModeChange.objects.get().status == TrainingModeChange.Status.REQUESTED


def test_older_cohort_is_read_only_but_visible(client, world):
    old = f.graduate(world.cs, world.cs_major, graduation_year=2024, name="往届丁")
    with pytest.raises(ReadOnly) as exc:
        _request(world, old)
    assert "往届" in exc.value.message
    assert TrainingModeChange.objects.count() == 0
    client.force_login(world.wang)
    r = client.get(f"/roster/graduates/{old.pk}/")
    assert r.status_code == 200 and "只能查看记录" in r.content.decode()
    r = client.post(f"/ems/training-mode/new/{old.pk}/", {"to_mode": "22", "directed_unit": "某局", "reason": "x"})
    assert r.status_code == 200 and "往届" in r.content.decode()


@pytest.mark.parametrize("mode,may", [("1", True), ("22", True), ("42", True), ("21", False), ("41", False)])
def test_training_mode_gate(world, mode, may):
    g = f.graduate(world.cs, world.cs_major, training_mode=mode, directed_unit="某单位" if mode != "1" else "")
    assert gates.may_sign_online(g) is may
    if may:
        gates.ensure_may_sign_online(g)
        if mode == "1":  # no directed unit to register
            with pytest.raises(ReadOnly):
                gates.ensure_may_file_destination(g, gates.SUPPLEMENT_DESTINATION)
        else:  # 22/42: the supplement, or anything else
            gates.ensure_may_file_destination(g, gates.SUPPLEMENT_DESTINATION)
        gates.ensure_may_file_destination(g, "自由职业")
    else:
        with pytest.raises(ReadOnly) as exc:
            gates.ensure_may_sign_online(g)
        assert "定向/委培毕业去向补充登记" in exc.value.message
        with pytest.raises(ReadOnly):
            gates.ensure_may_file_destination(g, "自由职业")
        gates.ensure_may_file_destination(g, gates.SUPPLEMENT_DESTINATION)


def test_invalid_graduate_is_refused_with_a_clear_message(world):
    services.graduate_invalidate(actor=world.qian, graduate_id=world.zhangsan.pk)
    with pytest.raises(ReadOnly) as exc:
        _request(world, world.zhangsan)
    assert "失效" in exc.value.message
