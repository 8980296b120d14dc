"""Facet links and removable filter chips: the query box text with a filter added or taken out."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from docservice.domain import FILTER_FIELDS

_FILTER = re.compile(r'(?<!\S)(?P<key>[A-Za-z]+):(?P<value>"[^"]*"|\S+)')


def _quoted(value: str) -> str:
    return f'"{value}"' if re.search(r"\s", value) else value


def with_filter(query: str, key: str, value: str) -> str:
    return f"{query} {key}:{_quoted(value)}".strip()


def active_filters(query: str) -> list[dict[str, Any]]:
    """Each filter in ``query`` with the query as it reads without it."""
    chips = []
    for match in _FILTER.finditer(query):
        if match["key"].lower() not in FILTER_FIELDS:
            continue
        without = (query[:match.start()] + query[match.end():]).strip()
        chips.append({"key": match["key"].lower(), "value": match["value"].strip('"'),
                      "without": " ".join(without.split())})
    return chips


def has_filter(query: str, key: str, value: str) -> bool:
    return any(chip["key"] == key and chip["value"].lower() == str(value).lower()
               for chip in active_filters(query))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(with_filter=with_filter, active_filters=active_filters,
                                 has_filter=has_filter)
