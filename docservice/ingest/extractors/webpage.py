"""HTML pages: the visible text (scripts and styles dropped) and the <title>."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning

from docservice.domain import ExtractedText
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import clean_field, normalise_whitespace, split_pages
from docservice.ingest.sniff import HTML

_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "object", "iframe")
_BLOCKS = (
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
)
_CELLS = ("td", "th")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.IGNORECASE)


def extract_html(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Visible text in pages of about 5,000 characters, with the title and author meta."""
    extracted = html_text(path.read_bytes())
    pages = split_pages(extracted.pages[0])
    if progress:
        progress(len(pages), len(pages))
    return ExtractedText(pages=pages, title=extracted.title, author=extracted.author)


def html_text(markup: bytes | str) -> ExtractedText:
    """The visible text of an HTML or XHTML document as one page, with title and author.

    Bytes are best: BeautifulSoup then honours the page's own <meta charset> and BOM.
    """
    with warnings.catch_warnings():
        # XHTML starts with <?xml; parsing it as HTML is what we want, not a mistake.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    title = clean_field(soup.title.get_text()) if soup.title else None
    author = _meta(soup, "author")
    for element in [*soup.find_all(_INVISIBLE), *soup.find_all(style=_HIDDEN_STYLE)]:
        element.decompose()
    return ExtractedText(pages=[normalise_whitespace(_visible_text(soup))], title=title,
                         author=author)


def _visible_text(soup: BeautifulSoup) -> str:
    """Text with line breaks only where the page has blocks, so inline tags keep words whole."""
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n")
        block.append("\n")
    for cell in soup.find_all(_CELLS):
        cell.append("\t")
    return soup.get_text()


def _meta(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"name": name})
    return clean_field(tag.get("content")) if isinstance(tag, Tag) else None


SPECS = (ExtractorSpec(name="html", media_types=(HTML,), extract=extract_html, score=20),)
