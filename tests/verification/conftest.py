"""Fixtures of the 去向登记信息表 tests."""
from __future__ import annotations

import pytest
from django.utils import timezone

from gradreg.ems.models import DestinationSource, Graduate, ReportedDestination


@pytest.fixture
def reported(world) -> Graduate:
    """张三 with a destination in EMS (某某科技有限公司), read back with the school and major a sheet shows."""
    ReportedDestination.objects.create(graduate=world.zhangsan, school_id=world.zhangsan.school_id,
                                       source=DestinationSource.PLATFORM, destination="签就业协议形式就业",
                                       destination_code="10", employer_name="某某科技有限公司",
                                       reported_at=timezone.now())
    return Graduate.objects.select_related("school", "major").get(pk=world.zhangsan.pk)
