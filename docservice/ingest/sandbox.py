"""What an extraction child may not have: secrets, the network, and the server's user.

A hostile file that takes over a reader in the child should find nothing worth stealing
and no way to send it anywhere:

- **environment**: the forkserver the children are forked from is started with only the
  variables in :func:`child_environment` (locale, ``PATH``, OCR settings), so no
  ``DOCSERVICE_*`` secret or service credential is in a child's memory or
  ``/proc/self/environ``;
- **network**: each child moves into a network namespace of its own (only a loopback
  that is down), as root directly, otherwise inside a user namespace of its own;
- **user**: a child of a server running as root switches to an unprivileged user
  (``nobody``); the parent then hands it each file as an open descriptor, because the
  data dir is readable by root only. That needs Python and the installed packages to be
  readable by that user (readers import modules lazily); when they are not (Python
  installed under ``/root``), the child stays root and the server says so once.

Where the kernel refuses a namespace (a container without the right), the child says so
once on stderr and reads files with the network it has.
"""

from __future__ import annotations

import ctypes
import logging
import os
import pwd
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
UNPRIVILEGED_USER = "nobody"

_KEPT_VARIABLES = frozenset({"PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TESSDATA_PREFIX",
                             "OMP_THREAD_LIMIT", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE"})


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables an extraction child keeps: what readers and OCR need, nothing else."""
    return {name: value for name, value in environ.items()
            if name in _KEPT_VARIABLES or name.startswith("LC_")}


@dataclass(frozen=True)
class Identity:
    """The unprivileged user a child becomes, or None when the server is not root."""

    uid: int
    gid: int


@cache
def unprivileged_identity() -> Identity | None:
    """``nobody`` when running as root and that user can run Python here; None otherwise."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        log.warning("extraction children run as root: there is no user %s", UNPRIVILEGED_USER)
        return None
    code = {Path(sys.base_prefix), Path(sys.prefix), Path(__file__).parents[1]}
    hidden = sorted(str(path) for path in code if not _reachable_by_others(path))
    if hidden:
        log.warning("extraction children run as root: %s cannot read %s",
                    UNPRIVILEGED_USER, ", ".join(hidden))
        return None
    return Identity(uid=entry.pw_uid, gid=entry.pw_gid)


def _reachable_by_others(path: Path) -> bool:
    """True if every folder from / to ``path`` may be entered by any user."""
    resolved = path.resolve()
    return all(os.stat(folder).st_mode & stat.S_IXOTH
               for folder in (resolved, *resolved.parents))


def enter(identity: Identity | None, home: Path) -> None:
    """Cut the calling (single-threaded) child off the network and, when ``identity`` is
    given, switch to it. ``home`` becomes the child's HOME and TMPDIR (its own folder)."""
    problem = _leave_network()
    if identity is not None:
        os.chown(home, identity.uid, identity.gid)
        os.setgroups([])
        os.setgid(identity.gid)
        os.setuid(identity.uid)
    os.environ["HOME"] = os.environ["TMPDIR"] = str(home)
    if problem:
        print(f"docservice: extraction children keep network access: {problem}",
              file=sys.stderr, flush=True)


def _leave_network() -> str | None:
    """Unshare the network namespace; a reason when that is impossible here."""
    libc = ctypes.CDLL(None, use_errno=True)
    if os.geteuid() == 0:
        return _unshare(libc, CLONE_NEWNET)
    uid, gid = os.getuid(), os.getgid()
    problem = _unshare(libc, CLONE_NEWUSER | CLONE_NEWNET)
    if problem is None:
        # Map our own ids, or files could not be created (EOVERFLOW) in the namespace.
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    return problem


def _unshare(libc: ctypes.CDLL, flags: int) -> str | None:
    if libc.unshare(flags) == 0:
        return None
    return os.strerror(ctypes.get_errno())
