"""The data dir holds every document's text and the password hashes: other local users
must not read any of it."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from docservice.bootstrap import bootstrap
from docservice.domain import OPERATOR
from docservice.services import documents, ingestion
from docservice.services.documents import DocumentMeta
from tests.conftest import embedded_settings


def modes(root: Path) -> dict[str, str]:
    """Every path under ``root`` (and root itself) with its permission bits."""
    found = {".": oct(root.stat().st_mode & 0o777)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = oct(path.stat().st_mode & 0o777)
    return found


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """Start from the usual 022 (files readable by all), whatever earlier tests set."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_everything_in_the_data_dir_is_for_its_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ctx = bootstrap(embedded_settings(data_dir))
    try:
        outcome = documents.upload(ctx, OPERATOR, io.BytesIO(b"price list for the AX-200"),
                                   "prices.txt", DocumentMeta(visibility="org"))
        assert ingestion.wait_for_versions(ctx, [outcome.version_id], 60) == {
            outcome.version_id: "indexed"}
        found = modes(data_dir)
    finally:
        ctx.close()
    assert {"docservice.db", "secret_key", "blobs", "index"} <= set(found)
    assert any(name.startswith("blobs/") and len(Path(name).name) == 64 for name in found)
    assert any(name.startswith("index/") for name in found)
    open_to_others = {name: mode for name, mode in found.items()
                      if int(mode, 8) & (stat.S_IRWXG | stat.S_IRWXO)}
    assert open_to_others == {}
    assert found["."] == "0o700"


def test_a_data_dir_left_open_by_an_older_version_is_closed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    (data_dir / "docservice.db").touch(mode=0o644)
    (data_dir / "docservice.db").chmod(0o644)
    bootstrap(embedded_settings(data_dir)).close()
    assert oct(data_dir.stat().st_mode & 0o777) == "0o700"
    assert oct((data_dir / "docservice.db").stat().st_mode & 0o777) == "0o600"
