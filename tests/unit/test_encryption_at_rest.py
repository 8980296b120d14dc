"""Encryption at rest, as an operator and a user meet it: files on disk are unreadable
without the master key, everything in the service reads as before, a changed file is
refused, keys rotate without rewriting files, and an old installation is turned in place."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from docservice.bootstrap import backup_target, bootstrap
from docservice.cli import main
from docservice.db.models import Version
from docservice.domain import OPERATOR
from docservice.errors import BlobUnreadable, ConfigError
from docservice.services import backup, documents, ingestion
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta
from docservice.storage.envelope import HEADER_SIZE, RECORD
from tests.conftest import embedded_settings

SECRET_TEXT = b"Confidential price list: AX-200 gateway 1180 EUR, discount 35 percent. " * 2000


def blob_path(data_dir: Path, key: str) -> Path:
    return data_dir / "blobs" / key[:2] / key[2:4] / key


def upload(ctx: Context, data: bytes, name: str = "prices.txt",
           state: str = "indexed") -> documents.UploadOutcome:
    outcome = documents.upload(ctx, OPERATOR, io.BytesIO(data), name,
                               DocumentMeta(visibility="org"))
    assert ingestion.wait_for_versions(ctx, [outcome.version_id], 60) == {
        outcome.version_id: state}
    return outcome


def stored_key(ctx: Context, outcome: documents.UploadOutcome) -> str:
    with ctx.uow() as uow:
        version = uow.session.get(Version, outcome.version_id)
        assert version is not None
        return version.blob_key


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "master.key"


def test_stored_files_are_unreadable_on_disk_and_read_normally_in_the_service(
        tmp_path: Path, key_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    data_dir = tmp_path / "data"
    keys_log = logging.getLogger("docservice.storage.keys")
    keys_log.addHandler(caplog.handler)  # directly: an earlier CLI test may stop propagation
    level = keys_log.level  # and its own level: the bench silences "docservice" meanwhile
    keys_log.setLevel(logging.INFO)
    try:
        ctx = bootstrap(embedded_settings(data_dir, master_key_file=key_file))
    finally:
        keys_log.removeHandler(caplog.handler)
        keys_log.setLevel(level)
    try:
        assert f"created the master key file {key_file}" in caplog.text
        assert oct(key_file.stat().st_mode & 0o777) == "0o600"
        outcome = upload(ctx, SECRET_TEXT)
        key = stored_key(ctx, outcome)
        on_disk = blob_path(data_dir, key).read_bytes()
        assert b"AX-200" not in on_disk and b"price" not in on_disk
        assert b"".join(ctx.blobs.open(key)) == SECRET_TEXT
        assert b"".join(ctx.blobs.open(key, 70_000, 70_050)) == SECRET_TEXT[70_000:70_050]
        hits = search_service.search(ctx, OPERATOR, "AX-200 discount").hits
        assert [hit.version_id for hit in hits] == [outcome.version_id]
    finally:
        ctx.close()


def test_a_changed_or_cut_file_is_refused_not_served(tmp_path: Path, key_file: Path) -> None:
    data_dir = tmp_path / "data"
    ctx = bootstrap(embedded_settings(data_dir, master_key_file=key_file))
    try:
        key = stored_key(ctx, upload(ctx, SECRET_TEXT))
        path = blob_path(data_dir, key)
        original = path.read_bytes()
        flipped = bytearray(original)
        flipped[HEADER_SIZE + RECORD + 5] ^= 1
        cut = original[:HEADER_SIZE + 2 * RECORD]  # whole chunks, the end missing
        first, second = HEADER_SIZE, HEADER_SIZE + RECORD  # where chunks 0 and 1 start
        swapped = (original[:first] + original[second:second + RECORD]
                   + original[first:second] + original[second + RECORD:])
        for damaged in (bytes(flipped), cut, swapped):
            path.write_bytes(damaged)
            with pytest.raises(BlobUnreadable):
                b"".join(ctx.blobs.open(key))
        path.write_bytes(original)
        assert b"".join(ctx.blobs.open(key)) == SECRET_TEXT
    finally:
        ctx.close()


def test_no_start_without_the_key_once_files_are_encrypted(tmp_path: Path,
                                                           key_file: Path) -> None:
    data_dir = tmp_path / "data"
    ctx = bootstrap(embedded_settings(data_dir, master_key_file=key_file))
    upload(ctx, SECRET_TEXT)
    ctx.close()
    with pytest.raises(ConfigError, match="no master key is configured"):
        bootstrap(embedded_settings(data_dir))


def test_the_key_file_must_lie_outside_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with pytest.raises(ConfigError, match="outside the data dir"):
        bootstrap(embedded_settings(data_dir, master_key_file=data_dir / "master.key"))


def cli(env: dict[str, str], *args: str) -> dict[str, object]:
    result = CliRunner(env=env).invoke(main, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_rotating_the_master_key_rewraps_without_rewriting_files(
        tmp_path: Path, key_file: Path) -> None:
    data_dir = tmp_path / "data"
    env = {"DOCSERVICE_DATA_DIR": str(data_dir), "DOCSERVICE_MASTER_KEY_FILE": str(key_file)}
    running = bootstrap(embedded_settings(data_dir, master_key_file=key_file))
    try:
        keys = [stored_key(running, upload(running, SECRET_TEXT + bytes([n]), f"p{n}.txt"))
                for n in range(3)]
        before = {key: blob_path(data_dir, key).read_bytes() for key in keys}
        old_id = running.blobs.keyring.current  # type: ignore[attr-defined]

        rotated = cli(env, "rotate-key")
        assert rotated["files"] == 3 and rotated["changed"] == 3
        assert rotated["key_id"] != old_id and rotated["older_keys"] == [old_id]
        assert len(key_file.read_text().split()) == 2
        assert {key: blob_path(data_dir, key).read_bytes() for key in keys} == before
        # A server started before the rotation still reads (and writes) with the old key.
        assert b"".join(running.blobs.open(keys[0])) == SECRET_TEXT + b"\0"
        late = stored_key(running, upload(running, b"written during the rotation", "late.txt"))
        assert cli(env, "rotate-key")["changed"] == 4  # the new key's own successor
    finally:
        running.close()

    retired = cli(env, "rotate-key", "--retire")
    assert retired["older_keys"] == [] and len(key_file.read_text().split()) == 1
    assert old_id not in [retired["key_id"]]
    after = bootstrap(embedded_settings(data_dir, master_key_file=key_file))
    try:
        assert b"".join(after.blobs.open(keys[2])) == SECRET_TEXT + b"\2"
        assert b"".join(after.blobs.open(late)) == b"written during the rotation"
        assert {key: blob_path(data_dir, key).read_bytes() for key in keys} == before
    finally:
        after.close()


def test_encrypting_an_old_installation_survives_a_kill_and_continues(
        tmp_path: Path, key_file: Path) -> None:
    data_dir = tmp_path / "data"
    plain = bootstrap(embedded_settings(data_dir))
    contents = {}
    try:
        for number in range(40):
            data = os.urandom(256 * 1024) + b"file %d" % number
            outcome = upload(plain, data, f"f{number}.bin", state="failed")  # not a document
            contents[stored_key(plain, outcome)] = data
    finally:
        plain.close()
    assert all(blob_path(data_dir, key).read_bytes() == data for key, data in contents.items())

    env = {**os.environ, "DOCSERVICE_DATA_DIR": str(data_dir),
           "DOCSERVICE_MASTER_KEY_FILE": str(key_file)}
    command = [sys.executable, "-m", "docservice.cli", "encrypt-files"]
    first = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert first.stderr is not None
    for line in first.stderr:  # progress lines: "checked N/40"
        if line.startswith("checked 10/"):
            first.send_signal(signal.SIGKILL)
            break
    first.wait(60)
    assert first.returncode == -signal.SIGKILL
    turned = sum(blob_path(data_dir, key).read_bytes() != data for key, data in contents.items())
    assert 10 <= turned < 40  # killed midway

    # Meanwhile the service reads both kinds.
    mixed = bootstrap(embedded_settings(data_dir, master_key_file=key_file))
    try:
        assert all(b"".join(mixed.blobs.open(key)) == data for key, data in contents.items())
    finally:
        mixed.close()

    second = subprocess.run([*command, "--json"], env=env, capture_output=True, text=True,
                            timeout=300)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["changed"] == 40 - turned
    for key, data in contents.items():
        assert data[:4096] not in blob_path(data_dir, key).read_bytes()
    final = bootstrap(embedded_settings(data_dir, master_key_file=key_file))
    try:
        assert all(b"".join(final.blobs.open(key)) == data for key, data in contents.items())
    finally:
        final.close()


def test_a_key_in_the_environment_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not 32 bytes"):
        bootstrap(embedded_settings(tmp_path / "data",
                                    master_key=base64.b64encode(b"short").decode()))


def test_a_backup_holds_ciphertext_and_restores_with_the_same_key(tmp_path: Path,
                                                                  key_file: Path) -> None:
    ctx = bootstrap(embedded_settings(tmp_path / "source", master_key_file=key_file))
    try:
        outcome = upload(ctx, SECRET_TEXT)
        key = stored_key(ctx, outcome)
        destination = tmp_path / "backups"
        result = backup.make_backup(ctx, OPERATOR,
                                    backup_target(ctx.settings, str(destination)))
    finally:
        ctx.close()
    copied = [path for path in (destination / "files").rglob("*") if path.is_file()]
    assert [path.name for path in copied] == [key]
    assert copied[0].read_bytes() == blob_path(tmp_path / "source", key).read_bytes()
    assert b"AX-200" not in copied[0].read_bytes() and b"price" not in copied[0].read_bytes()

    fresh = embedded_settings(tmp_path / "fresh", master_key_file=key_file)
    backup.restore_backup(fresh, backup_target(fresh, str(destination)), result.snapshot)
    assert b"AX-200" not in blob_path(tmp_path / "fresh", key).read_bytes()
    restored = bootstrap(fresh)
    try:
        _, chunks = documents.open_version(restored, OPERATOR, outcome.version_id)
        assert b"".join(chunks) == SECRET_TEXT
        hits = search_service.search(restored, OPERATOR, "AX-200 discount").hits
        assert [hit.version_id for hit in hits] == [outcome.version_id]
    finally:
        restored.close()
