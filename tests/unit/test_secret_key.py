"""Two servers started at once on an empty data dir must agree on the secret key, or a
session signed by one is rejected by the other."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from docservice.config import ensure_secret_key, load_settings
from docservice.errors import ConfigError

PROCESSES = 6
ROUNDS = 25


def _start(data_dir: str, barrier: Barrier, keys: multiprocessing.Queue[str]) -> None:
    settings = load_settings(environ={}, data_dir=Path(data_dir))
    barrier.wait()
    keys.put(ensure_secret_key(settings).secret_key)


def _keys_of_simultaneous_starts(data_dir: Path) -> set[str]:
    spawn = multiprocessing.get_context("fork")
    barrier, keys = spawn.Barrier(PROCESSES), spawn.Queue()
    starts = [spawn.Process(target=_start, args=(str(data_dir), barrier, keys))
              for _ in range(PROCESSES)]
    for start in starts:
        start.start()
    found = {keys.get(timeout=30) for _ in starts}
    for start in starts:
        start.join(timeout=30)
        assert start.exitcode == 0
    return found


@pytest.mark.slow  # starts several docservice processes
def test_servers_started_at_once_share_one_secret_key(tmp_path: Path) -> None:
    for round_number in range(ROUNDS):
        data_dir = tmp_path / f"round-{round_number}"
        keys = _keys_of_simultaneous_starts(data_dir)
        assert len(keys) == 1, f"round {round_number}: {len(keys)} different keys"
        assert keys == {(data_dir / "secret_key").read_text().strip()}
        assert len(keys.pop()) == 64


def test_the_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    ensure_secret_key(load_settings(environ={}, data_dir=tmp_path))
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]  # no temp file left


def test_an_empty_key_file_is_an_error_not_an_empty_key(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(ConfigError, match="secret_key"):
        ensure_secret_key(load_settings(environ={}, data_dir=tmp_path))
