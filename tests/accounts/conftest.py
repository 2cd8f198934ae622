import pytest
from django.core.cache import cache

from gradreg.notifications.channels import MemorySender


@pytest.fixture(autouse=True)
def outbox():
    """The one-time codes "sent" during a test (test settings use the in-memory sender)."""
    MemorySender.outbox.clear()
    yield MemorySender.outbox
    MemorySender.outbox.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Activation mismatch counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()
