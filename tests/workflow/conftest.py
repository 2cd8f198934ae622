"""The table-test harness for ad-hoc tests here: `harness` builds items of any plugged workflow."""
from __future__ import annotations

import pytest

from tests.workflow.harness import Harness


@pytest.fixture
def harness(world) -> Harness:
    return Harness(world)
