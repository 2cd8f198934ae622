"""The 档案/户口 application table through the kit's harness: every legal move by each allowed role, every
other role refused, every wrong state refused, the platform's 失效 move no user's — for both modules."""
from __future__ import annotations

from tests.workflow.harness import TableTests

from .conftest import ARCHIVE_PLUG, HUKOU_PLUG


class TestArchiveApplicationTable(TableTests):
    plug = ARCHIVE_PLUG


class TestHukouApplicationTable(TableTests):
    plug = HUKOU_PLUG
