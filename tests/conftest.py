"""Fixtures that build the world: settings in a temp dir, a bootstrapped embedded tier."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from docservice.bootstrap import bootstrap
from docservice.config import Settings, load_settings
from docservice.services.context import Context
from tests.markers import check_collected, running

pytest_plugins = ["pytester"]  # tests/unit/test_markers.py runs pytest on small test files


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    check_collected(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[object]:
    with running(item):
        return (yield)


def embedded_settings(data_dir: Path, **overrides: object) -> Settings:
    base: dict[str, object] = {"data_dir": data_dir, "workers": 2, "extract_timeout_s": 120}
    base.update(overrides)
    return load_settings(environ={}, **base)


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing() -> Iterator[None]:
    """Argon2 at its lightest cost inside the test process: real hashes in the same format,
    checked the same way, but 0.5 ms instead of up to 0.5 s each, and nearly every test
    signs people up and in. Servers the tests start as processes keep the real cost."""
    from argon2 import PasswordHasher

    from docservice.services import accounts

    real = accounts._hasher  # fails loudly when the hasher moves, rather than going slow
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts._hasher = real


@pytest.fixture
def corpus() -> Path:
    """The shared third-party corpus's files (``$DOCSERVICE_CORPUS/dev``); fails, never skips,
    when it is missing."""
    root = os.environ.get("DOCSERVICE_CORPUS")
    assert root, "DOCSERVICE_CORPUS is not set: point it at ../shared/corpus"
    path = Path(root) / "dev"
    assert path.is_dir(), f"corpus folder {path} is missing"
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return embedded_settings(tmp_path / "data")


@pytest.fixture
def ctx(settings: Settings) -> Iterator[Context]:
    context = bootstrap(settings)
    yield context
    context.close()


@pytest.fixture(params=["embedded", pytest.param("scale-out", marks=pytest.mark.services)])
def tier_ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Context]:
    """A Context on each tier: embedded, and the real servers with two RQ worker processes."""
    if request.param == "embedded":
        context = bootstrap(embedded_settings(tmp_path / "data"))
        yield context
        context.close()
        return
    from tests.services import rq_workers, scale_out_environ

    environ = scale_out_environ(tmp_path / "data")
    context = bootstrap(load_settings(environ=environ))
    with rq_workers(environ, count=2):
        yield context
    context.close()
