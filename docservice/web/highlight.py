"""Search terms marked in text, and search snippets made safe to show."""

from __future__ import annotations

import html
import re

from markupsafe import Markup, escape

from docservice.domain import FILTER_FIELDS

_TOKEN = re.compile(r'(?<!\S)(-?)(?:([A-Za-z]+):)?(?:"([^"]*)"?|“([^”]*)”?|(\S+))')
_CJK = re.compile(r"[\u3400-\u9fff]")


def query_terms(query: str) -> list[str]:
    """Words and phrases a person searched for: filters and -exclusions left out."""
    terms: list[str] = []
    for match in _TOKEN.finditer(query):
        negated, key = match[1], (match[2] or "").lower()
        value = next((group for group in match.groups()[2:] if group is not None), "")
        if negated or key in FILTER_FIELDS:
            continue
        value = f"{match[2]}:{value}" if key else value
        if len(value) >= 2 or _CJK.search(value):
            terms.append(value)
    return sorted(set(terms), key=len, reverse=True)


def highlight(text: str, query: str) -> Markup:
    escaped = str(escape(text))
    terms = query_terms(query)
    if not terms:
        return Markup(escaped)
    pattern = re.compile("|".join(re.escape(str(escape(term))) for term in terms),
                         re.IGNORECASE)
    return Markup(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))


def safe_snippet(snippet: str) -> Markup:
    """Only ``<mark>`` survives, whether or not the snippet came escaped."""
    escaped = str(escape(html.unescape(snippet or "")))
    return Markup(escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))
