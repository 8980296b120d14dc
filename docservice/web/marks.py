"""Text with the spans a search use case found marked, and search snippets made safe to show."""

from __future__ import annotations

import html
from collections.abc import Sequence

from markupsafe import Markup, escape


def marked(text: str, spans: Sequence[Sequence[int]]) -> Markup:
    """``text`` escaped, each ``[start, end)`` span (sorted, not overlapping) in ``<mark>``."""
    parts: list[str] = []
    cursor = 0
    for start, end in spans:
        parts.append(str(escape(text[cursor:start])))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    parts.append(str(escape(text[cursor:])))
    return Markup("".join(parts))


def safe_snippet(snippet: str) -> Markup:
    """Only ``<mark>`` survives, whether or not the snippet came escaped."""
    escaped = str(escape(html.unescape(snippet or "")))
    return Markup(escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))
