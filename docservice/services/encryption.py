"""Encryption at rest for an installation: turn its plain files, rotate its master key.

Both walk every stored file once, one file at a time; each step is atomic and skipped
when already done, so a run killed midway is continued by running it again.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

from docservice.db.repositories import record_event, stored_blob_keys
from docservice.domain import Principal
from docservice.errors import N_, ConfigError
from docservice.services.context import Context
from docservice.services.users import require_admin
from docservice.storage.encrypted import EncryptedBlobStore
from docservice.storage.keys import Keyring, new_key, write_key_file
from docservice.views import EncryptionRun

Progress = Callable[[int, int], None]


def _encrypted_store(ctx: Context) -> EncryptedBlobStore:
    if not isinstance(ctx.blobs, EncryptedBlobStore):
        raise ConfigError(N_("no master key is configured: set DOCSERVICE_MASTER_KEY or "
                             "DOCSERVICE_MASTER_KEY_FILE first"))
    return ctx.blobs


def _each_file(ctx: Context, step: Callable[[str], bool], progress: Progress | None) -> tuple[
        int, int]:
    with ctx.uow() as uow:
        keys = stored_blob_keys(uow.session)
    changed = 0
    for number, key in enumerate(keys, 1):
        changed += step(key)
        if progress:
            progress(number, len(keys))
    return len(keys), changed


def _run(ctx: Context, principal: Principal, action: str, store: EncryptedBlobStore,
         step: Callable[[str], bool], progress: Progress | None) -> EncryptionRun:
    files, changed = _each_file(ctx, step, progress)
    keyring = store.keyring
    with ctx.uow() as uow:
        record_event(uow.session, principal, action,
                     detail=f"{changed} of {files} files, master key {keyring.current}")
    return EncryptionRun(files=files, changed=changed, key_id=keyring.current,
                         older_keys=tuple(keyring.older))


def encrypt_stored_files(ctx: Context, principal: Principal,
                         progress: Progress | None = None) -> EncryptionRun:
    """Encrypt every file stored before encryption was turned on, in place."""
    require_admin(principal)
    store = _encrypted_store(ctx)
    return _run(ctx, principal, "files_encrypted", store, store.encrypt_in_place, progress)


def rotate_master_key(ctx: Context, principal: Principal, *, retire: bool = False,
                      progress: Progress | None = None) -> EncryptionRun:
    """Wrap every file's data key under the current master key; files are not rewritten.

    With a key file, a new key is first put at its top (older ones stay below, so servers
    still running keep reading). ``retire``: add no key, re-wrap what servers wrote
    meanwhile, then drop the older keys from the key file. With DOCSERVICE_MASTER_KEY the
    new key must already be first in the variable; older ones are dropped by hand."""
    require_admin(principal)
    store = _encrypted_store(ctx)
    path = None if ctx.settings.master_key else ctx.settings.master_key_file
    if path is not None and not retire:
        keys = [base64.b64decode(new_key()), *store.keyring.keys.values()]
        write_key_file(path.expanduser(), keys)
        store.keyring = Keyring.of(keys)
    run = _run(ctx, principal, "master_key_rotated", store, store.rewrap, progress)
    if path is not None and retire:
        current = store.keyring.keys[store.keyring.current]
        write_key_file(path.expanduser(), [current])
        store.keyring = Keyring.of([current])
        run = EncryptionRun(files=run.files, changed=run.changed, key_id=run.key_id,
                            older_keys=())
    return run
