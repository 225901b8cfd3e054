"""Fixtures of the shared-store tests: a fresh incident id and the store's DSN."""

from __future__ import annotations

import itertools
import os

import pytest

_ids = itertools.count(1)


@pytest.fixture
def incident() -> str:
    """A new incident id for each test (the store of the session's server is shared)."""
    return f"INC-{os.getpid()}-{next(_ids)}"
