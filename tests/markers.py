"""Tests say what they need: a marker per outside resource, checked, so none can be forgotten.

``make test-fast`` deselects ``browser``, ``services``, ``corpus`` and ``slow``; a test that
needs one of them without carrying its marker would break that run, so:
- at collection, a test using a fixture that needs a resource must carry the resource's
  marker (FIXTURE_NEEDS), or the run stops before anything runs;
- the test servers are reached through ``tests.services.service_env`` (every helper there
  goes through it), which fails the running test unless it is marked ``services``: server
  access is a function call, often behind a parameter, which collection cannot see.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar

import pytest

# fixture -> the marker a test using it must carry
FIXTURE_NEEDS = {"chromium": "browser", "corpus": "corpus"}

_running: ContextVar[pytest.Item | None] = ContextVar("running_test", default=None)


def unmarked_needs(items: Sequence[pytest.Item]) -> list[str]:
    """``test id: marker`` for each test using a fixture whose marker it lacks."""
    missing = []
    for item in items:
        marked = {mark.name for mark in item.iter_markers()}
        for fixture in getattr(item, "fixturenames", ()):
            need = FIXTURE_NEEDS.get(fixture)
            if need is not None and need not in marked:
                missing.append(f"{item.nodeid}: uses {fixture}, mark it {need}")
    return missing


def check_collected(items: Sequence[pytest.Item]) -> None:
    missing = unmarked_needs(items)
    if missing:
        raise pytest.UsageError("tests that do not say what they need:\n  "
                                + "\n  ".join(missing))


@contextlib.contextmanager
def running(item: pytest.Item) -> Iterator[None]:
    token = _running.set(item)
    try:
        yield
    finally:
        _running.reset(token)


def require_marker(name: str, what: str) -> None:
    """Fail the running test unless it carries ``name`` (outside a test: nothing to check)."""
    item = _running.get()
    if item is not None and item.get_closest_marker(name) is None:
        pytest.fail(f"{item.nodeid} uses {what}: mark it @pytest.mark.{name}", pytrace=False)
