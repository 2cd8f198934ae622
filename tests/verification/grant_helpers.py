"""核验授权 as a graduate makes it, for the tests: confirm, get the code from the test sender, authorise."""
from __future__ import annotations

import re

import pytest

from gradreg.ems.models import Graduate
from gradreg.notifications.channels import MemorySender
from gradreg.verification import grants as g
from gradreg.verification.models import VerificationGrant
from tests.verification.test_confirmation import confirmed
from tests.workflow.harness import graduate_user


@pytest.fixture(autouse=True)
def _empty_outbox():
    """Import into a test module (`from .grant_helpers import _empty_outbox`) to start each test with none sent."""
    MemorySender.outbox.clear()
    yield
    MemorySender.outbox.clear()


def last_code(to: str | None = None) -> str:
    """The six digits of the last code sent (to `to`, when given)."""
    sent = [m for m in MemorySender.outbox if to is None or m["to"] == to]
    return re.search(r"验证码为(\d{6})", sent[-1]["text"]).group(1)


def authorised(world, graduate: Graduate | None = None, *, confirm: bool = True, ip: str = "10.0.0.1"
               ) -> VerificationGrant:
    """确认无误 (unless already), 实人认证 by SMS and 核验授权."""
    graduate = graduate or world.zhangsan
    if confirm:
        confirmed(world, graduate)
    user = graduate_user(graduate)
    g.start_identity_check(actor=user, channel="sms", ip=ip)
    return g.authorise(user, id_number=graduate.id_number, code=last_code(graduate.phone), ip=ip)
