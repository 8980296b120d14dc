"""Watched folders (``DOCSERVICE_INTAKE_DIRS``, task ``intake.folders``, or ``docservice
watch DIR``): a file dropped in is imported once it is complete, then moved to ``done/``
or, with a ``.reason`` file beside it, to ``failed/`` (both under the watched folder,
keeping the subfolders).

Complete means: the same size and modification time at two polls in a row, and no process
on this machine has it open for writing (read from /proc). Hidden files and names that
editors and browsers use while writing (``~$…``, ``*.tmp``, ``*.part``, ``*.crdownload``)
are left alone. The sizes seen at the last poll are kept in ``.docservice-intake.json`` in
the watched folder, so any process can take the next poll.

Subfolders place the file (docservice/intake_rules.py ``place_file``):
``DIR/[category/[subtype/]]customer/...``."""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from docservice.domain import OPERATOR, Principal
from docservice.errors import N_, InvalidInput
from docservice.intake_rules import place_file
from docservice.services import accounts
from docservice.services.context import Context
from docservice.services.intake import IncomingFile, import_files
from docservice.views import FolderFailureView

log = logging.getLogger(__name__)

DONE = "done"
FAILED = "failed"
STATE_FILE = ".docservice-intake.json"
REASON_SUFFIX = ".reason"
WRITING_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")


def owner(ctx: Context, email: str | None = None) -> Principal:
    """Who dropped files belong to: ``email``, else ``DOCSERVICE_INTAKE_OWNER``."""
    chosen = email or ctx.settings.intake_owner
    return accounts.principal_for(ctx, chosen) if chosen else OPERATOR


def poll_configured(ctx: Context) -> str:
    """The scheduled task: one poll of every folder in ``DOCSERVICE_INTAKE_DIRS``."""
    folders = ctx.settings.intake_dirs
    if not folders:
        return "no watched folders (DOCSERVICE_INTAKE_DIRS is not set)"
    if not ctx.settings.intake_owner:
        raise InvalidInput(N_("DOCSERVICE_INTAKE_OWNER must name the person dropped files "
                              "belong to"))
    principal = owner(ctx)
    return "; ".join(f"{folder}: {summary(poll_folder(ctx, principal, folder))}"
                     for folder in folders)


def summary(counts: Counter[str]) -> str:
    return ", ".join(f"{count} {what}" for what, count in sorted(counts.items())) or "empty"


def poll_folder(ctx: Context, principal: Principal, root: Path) -> Counter[str]:
    """One poll: import the files that were complete at the last poll and still are;
    remember the others. Counts of imported, failed and waiting files."""
    if not root.is_dir():
        raise InvalidInput(N_("watched folder %(folder)s does not exist"), folder=str(root))
    seen = _load_seen(root)
    waiting: dict[str, list[int]] = {}
    counts: Counter[str] = Counter()
    candidates = list(_candidates(root))
    writing = open_for_writing({path.resolve() for path in candidates})
    for path in candidates:
        relative = path.relative_to(root)
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        mark = [stat.st_size, stat.st_mtime_ns]
        if seen.get(str(relative)) != mark or path.resolve() in writing:
            waiting[str(relative)] = mark
            counts["waiting"] += 1
            continue
        counts[_import(ctx, principal, root, relative)] += 1
    _save_seen(root, waiting)
    return counts


def _import(ctx: Context, principal: Principal, root: Path, relative: Path) -> str:
    path = root / relative
    imported = import_files(ctx, principal, [IncomingFile(path.name, path)],
                            place_file(relative))
    if imported.ok:
        _move(path, root / DONE / relative)
        return "imported"
    target = _move(path, root / FAILED / relative)
    reason = "\n".join(imported.failures)
    target.with_name(target.name + REASON_SUFFIX).write_text(reason + "\n", encoding="utf-8")
    log.warning("watched folder %s: %s failed: %s", root, relative, reason)
    return "failed"


def _move(path: Path, target: Path) -> Path:
    """Move ``path`` to ``target``, or beside it as "name (2).ext" when that is taken."""
    target.parent.mkdir(parents=True, exist_ok=True)
    free, number = target, 1
    while free.exists():
        number += 1
        free = target.with_name(f"{target.stem} ({number}){target.suffix}")
    os.replace(path, free)
    return free


def _candidates(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in (DONE, FAILED) or not path.is_file():
            continue
        if any(part.startswith(".") for part in relative.parts) \
                or path.name.startswith("~$") or path.name.lower().endswith(WRITING_SUFFIXES):
            continue
        yield path


def open_for_writing(paths: set[Path]) -> set[Path]:
    """Which of ``paths`` some process on this machine has open for writing (what /proc
    shows us; nothing where there is no /proc)."""
    found: set[Path] = set()
    proc = Path("/proc")
    if not paths or not proc.is_dir():
        return found
    for fd_dir in proc.glob("[0-9]*/fd"):
        try:
            entries = list(fd_dir.iterdir())
        except OSError:  # gone, or not ours to look at
            continue
        for entry in entries:
            try:
                target = Path(os.readlink(entry))
                if target in paths and _writable(fd_dir.parent / "fdinfo" / entry.name):
                    found.add(target)
            except OSError:
                continue
    return found


def _writable(fdinfo: Path) -> bool:
    for line in fdinfo.read_text().splitlines():
        if line.startswith("flags:"):
            return int(line.split()[1], 8) & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR)
    return False


def _load_seen(root: Path) -> dict[str, list[int]]:
    try:
        data = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_seen(root: Path, seen: dict[str, list[int]]) -> None:
    temporary = root / (STATE_FILE + ".tmp")
    temporary.write_text(json.dumps(seen, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, root / STATE_FILE)


def failures(root: Path, limit: int = 100) -> list[FolderFailureView]:
    """The files in ``root``'s failed/ folder with their reasons (newest first)."""
    failed = root / FAILED
    if not failed.is_dir():
        return []
    files = [path for path in failed.rglob("*")
             if path.is_file() and not path.name.endswith(REASON_SUFFIX)]
    files.sort(key=lambda path: path.stat().st_mtime, reverse=True)
    views = []
    for path in files[:limit]:
        reason_file = path.with_name(path.name + REASON_SUFFIX)
        reason = reason_file.read_text(encoding="utf-8").strip() if reason_file.exists() else ""
        views.append(FolderFailureView(str(path), reason))
    return views
