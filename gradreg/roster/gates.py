"""The gates every action in the platform passes: roster validity, cohort, training mode."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from gradreg.common.errors import ReadOnly
from gradreg.ems.models import Graduate, TrainingMode


def today() -> dt.date:
    return timezone.localdate()


def current_cohort(on: dt.date | None = None) -> int:
    """The graduating year now being placed: from September the next summer's graduates."""
    on = on or today()
    return on.year + 1 if on.month >= settings.COHORT_SWITCH_MONTH else on.year


def cohort_may_act(graduation_year: int, on: dt.date | None = None) -> bool:
    """Current cohort (and any later one already on the roster) may act; last year's until 31 January."""
    on = on or today()
    current = current_cohort(on)
    if graduation_year >= current:
        return True
    if graduation_year == current - 1:
        return on <= dt.date(graduation_year + 1, 1, 31)
    return False


def ensure_graduate_can_act(graduate: Graduate, on: dt.date | None = None) -> None:
    if not graduate.is_valid:
        raise ReadOnly(f"{graduate.name}已从就业管理系统名单中删除（失效），所有签约和登记状态已冻结，不能办理。")
    if not cohort_may_act(graduate.graduation_year, on):
        on = on or today()
        if graduate.graduation_year == current_cohort(on) - 1:
            msg = f"{graduate.graduation_year}届毕业生的办理期限已于{graduate.graduation_year + 1}年1月31日截止，现在只能查看记录。"
        else:
            msg = f"{graduate.graduation_year}届为往届毕业生，只能查看过往记录，不能办理。"
        raise ReadOnly(msg)


def ensure_item_graduate_can_act(item) -> None:
    """The "graduate" gate of the workflow engine: every move on a graduate's item passes it."""
    ensure_graduate_can_act(item.graduate)


def first_acting_cohort(on: dt.date | None = None) -> int:
    """The oldest graduation year that may still act (`cohort_may_act` as a bound)."""
    on = on or today()
    current = current_cohort(on)
    return current - 1 if cohort_may_act(current - 1, on) else current


def items_graduates_can_act(qs):
    """The "graduate" gate in set form (`gradreg.workflow.bulk.register_set_gate`): the items of `qs` whose
    graduate is valid and of a cohort that may act, those `ensure_item_graduate_can_act` lets through."""
    return qs.filter(graduate__is_valid=True, graduate__graduation_year__gte=first_acting_cohort())


def may_sign_online(graduate: Graduate) -> bool:
    return graduate.training_mode not in TrainingMode.SUPPLEMENT_ONLY


def ensure_may_sign_online(graduate: Graduate) -> None:
    """Training-mode gate: 21 定向(不可网签) and 41 委培(不可网签) only file the 定向/委培 supplement."""
    if not may_sign_online(graduate):
        raise ReadOnly(
            "培养方式为21定向(不可网签)或41委培(不可网签)的毕业生只能填报“定向/委培毕业去向补充登记”，"
            "不能网上签约或登记其他去向。"
        )


SUPPLEMENT_DESTINATION = "定向/委培毕业去向补充登记"


def ensure_may_file_destination(graduate: Graduate, destination_type: str) -> None:
    """Destination registration gate (seed 3.5): 21/41 may file only the 定向/委培 supplement.

    22/42 (定向/委培, 可签约) may file it too: they are directed graduates whose unit EMS holds, and the seed
    forbids them nothing; they may equally sign or register any other destination. A graduate of no
    directed training (1 and the rest) has no directed unit to register, so may not file it.
    """
    if graduate.training_mode in TrainingMode.SUPPLEMENT_ONLY:
        if destination_type != SUPPLEMENT_DESTINATION:
            ensure_may_sign_online(graduate)
    elif destination_type == SUPPLEMENT_DESTINATION and graduate.training_mode not in TrainingMode.NEEDS_UNIT:
        raise ReadOnly("只有培养方式为定向或委培（21、22、41、42）的毕业生可以填报“定向/委培毕业去向补充登记”。")
