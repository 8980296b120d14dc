"""The sales synonym file: groups of words and phrases that find each other.

One group per line, comma separated (also ，and 、), ``#`` starts a comment. The file shipped
with the product is ``synonyms.txt`` here; an admin's copy named by the setting
``DOCSERVICE_SYNONYMS_FILE`` replaces it: bootstrap makes a :class:`SynonymFile` of it, which
is in use until ``Context.close``. Either file is read again when its modification time or
size changes, so an edit applies to the next search, no restart.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from docservice.errors import ConfigError
from docservice.search.analysis import analyze, has_cjk, normalize, to_simplified

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")

TokenRun = tuple[str, ...]


@dataclass(frozen=True)
class SynonymTable:
    groups: tuple[tuple[TokenRun, ...], ...]
    group_of: dict[TokenRun, int]
    cjk_members: tuple[str, ...]
    longest: int
    words: frozenset[str] = frozenset()  # the Latin words of the members, as written


class SynonymFile:
    """An admin's synonym file, searched with instead of the shipped one from ``open`` until
    ``close``. It must be readable when opened (``variable`` names the setting in the error);
    should it vanish later, the shipped file applies until it is back."""

    def __init__(self, path: Path, *, variable: str = "DOCSERVICE_SYNONYMS_FILE") -> None:
        try:
            path.read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{variable}={str(path)!r}: cannot read the synonym file: {exc}"
                              ) from exc
        self.path = path

    def open(self) -> SynonymFile:
        global _admin_file
        _admin_file = self.path
        return self

    def close(self) -> None:
        global _admin_file
        if _admin_file == self.path:
            _admin_file = None


def synonym_table(path: Path | None = None) -> SynonymTable:
    """The synonym groups of ``path`` (default: the admin's file if it exists, else the shipped
    one), analysed; read again whenever the file's modification time or size changes."""
    if path is None:
        path = _admin_file if _admin_file is not None and _admin_file.is_file() else SYNONYMS_FILE
    try:
        stat = os.stat(path)
        seen = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        seen = (0, 0)
    with _tables_lock:
        known = _tables.get(path)
        if known is not None and known[0] == seen:
            return known[1]
    table = _read_synonyms(path) if seen != (0, 0) else SynonymTable((), {}, (), 1)
    with _tables_lock:
        _tables[path] = (seen, table)
    return table


_admin_file: Path | None = None
_tables: dict[Path, tuple[tuple[int, int], SynonymTable]] = {}
_tables_lock = threading.Lock()


def _read_synonyms(path: Path) -> SynonymTable:
    groups: list[tuple[TokenRun, ...]] = []
    cjk_members: list[str] = []
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        members = [m.strip() for m in re.split(r"[,，、]", line.split("#", 1)[0]) if m.strip()]
        runs = tuple(dict.fromkeys(run for run in (tuple(analyze(m)) for m in members) if run))
        if len(runs) > 1:
            groups.append(runs)
            cjk_members.extend(to_simplified(normalize(m)) for m in members if has_cjk(m))
            words.update(word for m in members for word in normalize(m).split()
                         if word.isascii() and word.isalpha())
    group_of = {run: number for number, runs in enumerate(groups) for run in runs}
    longest = max((len(run) for run in group_of), default=1)
    return SynonymTable(tuple(groups), group_of, tuple(sorted(set(cjk_members), key=len,
                                                               reverse=True)), longest,
                        frozenset(words))
