"""The years a document is about, from its title, file name and first pages."""

from __future__ import annotations

import re
from collections import Counter

_YEAR = re.compile(r"(?<!\d)(?:19[89]\d|20[0-4]\d)(?!\d)")
_FISCAL_YEAR = re.compile(r"(?i)(?<![a-z])FY ?(\d{4}|\d{2})(?!\d)")
SHORT_TEXT = 300  # a title or a file name: every year it names counts
YEAR_PAGES = 2
YEAR_CHARS = 20_000


def years_in(*texts: str) -> list[int]:
    """Years (1980-2049, fiscal years like FY24 too) that ``texts`` are about: every year a
    short text (a title, a file name) names, and of a longer text (the first pages) the years
    it names more than half as often as its most named year, so a price list for 2026 that
    mentions the list of 2025 once is about 2026 only."""
    found: set[int] = set()
    for text in texts:
        counts = Counter(_years_named(text))
        if counts and len(text) <= SHORT_TEXT:
            found.update(counts)
        elif counts:
            top = max(counts.values())
            found.update(year for year, count in counts.items() if 2 * count > top)
    return sorted(found)


def _years_named(text: str) -> list[int]:
    years = [int(match) for match in _YEAR.findall(text)]
    for digits in _FISCAL_YEAR.findall(text):
        year = int(digits) if len(digits) == 4 else 2000 + int(digits)
        if 1980 <= year <= 2049:
            years.append(year)
    return years
