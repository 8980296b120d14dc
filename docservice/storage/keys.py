"""Master keys: from ``DOCSERVICE_MASTER_KEY`` or a key file kept outside the data dir.

A key file holds one base64 key per line, the current one first; older keys stay below it
while files are re-wrapped (``docservice rotate-key``), so servers still running with the
old list keep reading. ``DOCSERVICE_MASTER_KEY`` takes the same keys comma-separated.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from docservice.config import PREFIX, Settings, create_once
from docservice.errors import BlobUnreadable, ConfigError
from docservice.storage.envelope import key_id_of

log = logging.getLogger(__name__)

KEY_BYTES = 32


@dataclass(frozen=True)
class Keyring:
    """Master keys by id; ``current`` wraps the data keys of new files."""

    keys: dict[str, bytes]
    current: str

    @classmethod
    def of(cls, keys: list[bytes]) -> Keyring:
        return cls(keys={key_id_of(key): key for key in keys}, current=key_id_of(keys[0]))

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise BlobUnreadable(f"the master key {key_id} is not configured") from None

    @property
    def older(self) -> list[str]:
        return [key_id for key_id in self.keys if key_id != self.current]


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def _parse(text: str, source: str) -> list[bytes]:
    keys = []
    for raw in text.replace(",", "\n").splitlines():
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        try:
            key = base64.b64decode(raw, validate=True)
        except binascii.Error:
            key = b""
        if len(key) != KEY_BYTES:
            raise ConfigError(f"{source} holds a key that is not {KEY_BYTES} bytes in base64")
        keys.append(key)
    if not keys:
        raise ConfigError(f"{source} holds no key")
    return keys


def load_keyring(settings: Settings) -> Keyring | None:
    """The configured master keys; None when none is configured (files stay plain).

    A configured key file that does not exist yet is created with a new key (logged)."""
    if settings.master_key:
        return Keyring.of(_parse(settings.master_key, f"{PREFIX}MASTER_KEY"))
    path = settings.master_key_file
    if path is None:
        return None
    path = path.expanduser().absolute()
    data_dir = settings.data_dir.absolute()
    if path.is_relative_to(data_dir):
        raise ConfigError(f"{PREFIX}MASTER_KEY_FILE must lie outside the data dir {data_dir}: "
                          "a copy of the data dir must not carry its key")
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        create_once(path, new_key() + "\n")
        log.warning("created the master key file %s: keep a copy apart from the data and its "
                    "backups; without it the stored files cannot be read", path)
    return Keyring.of(_parse(path.read_text(), str(path)))


def write_key_file(path: Path, keys: list[bytes]) -> None:
    """Replace the key file's content atomically (readable by its owner only)."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as out:
            out.write("".join(base64.b64encode(key).decode() + "\n" for key in keys))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise
