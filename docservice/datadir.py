"""The data dir is private: the database (all extracted text, password hashes), the stored
files, the index and the keys are for the service's user only."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_TOP_FILES = ("docservice.db", "docservice.db-wal", "docservice.db-shm", "secret_key")


def make_private(data_dir: Path) -> None:
    """Create ``data_dir`` 0700 (or tighten it), and make what this process creates from
    now on readable by its owner only (umask 077: SQLite, Tantivy and the blob store
    create files with the process's umask). Files an older version left open to others
    at the top are tightened; everything below is out of others' reach through the dir."""
    os.umask(0o077)
    data_dir.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if data_dir.stat().st_mode & 0o777 != PRIVATE_DIR:
        log.warning("data dir %s was open to other users: now 0700", data_dir)
        data_dir.chmod(PRIVATE_DIR)
    for name in _TOP_FILES:
        with contextlib.suppress(FileNotFoundError):
            path = data_dir / name
            if path.stat().st_mode & 0o777 != PRIVATE_FILE:
                path.chmod(PRIVATE_FILE)
