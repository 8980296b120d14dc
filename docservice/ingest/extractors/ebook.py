"""EPUB e-books: the XHTML chapters in reading (spine) order, through the HTML reader.

META-INF/container.xml names the package document (OPF); its manifest lists the files
and its spine their order; its Dublin Core fields give title, author and date.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import (
    PASSWORD_PROTECTED,
    clean_field,
    failing_as,
    parse_iso_date,
    split_pages,
)
from docservice.ingest.extractors.webpage import html_text
from docservice.ingest.sniff import EPUB
from docservice.ingest.zipsafety import read_member

DAMAGED = "the file is damaged or incomplete (not a valid EPUB e-book)"
_NS = {
    "container": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_CHAPTER_TYPES = ("application/xhtml+xml", "text/html")


def extract_epub(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Chapters in pages of about 5,000 characters, with title, author and date."""
    with failing_as(DAMAGED), zipfile.ZipFile(path) as archive:
        # Font obfuscation also lives in encryption.xml; encrypted chapters mean DRM.
        if b".xhtml" in read_member(archive, "META-INF/encryption.xml").lower():
            raise ExtractionFailed(PASSWORD_PROTECTED)
        package_path = _package_path(archive)
        package = etree.fromstring(archive.read(package_path), _PARSER)
        chapters = _chapters(package, posixpath.dirname(package_path))
        pages: list[str] = []
        for number, name in enumerate(chapters, start=1):
            text = html_text(read_member(archive, name)).pages[0]
            if text:
                pages.extend(split_pages(text))
            if progress:
                progress(number, len(chapters))
    return ExtractedText(
        pages=pages or [""],
        title=clean_field(_dc(package, "title")),
        author=clean_field(_dc(package, "creator")),
        created=parse_iso_date(_dc(package, "date")),
    )


def _package_path(archive: zipfile.ZipFile) -> str:
    container = etree.fromstring(archive.read("META-INF/container.xml"), _PARSER)
    rootfile = container.find(".//container:rootfile", _NS)
    if rootfile is None or not rootfile.get("full-path"):
        raise ExtractionFailed(DAMAGED)
    return str(rootfile.get("full-path"))


def _chapters(package: etree._Element, folder: str) -> list[str]:
    """Member names of the spine's XHTML documents, in reading order."""
    manifest = {
        item.get("id"): item
        for item in package.iterfind("opf:manifest/opf:item", _NS)
    }
    names = []
    for reference in package.iterfind("opf:spine/opf:itemref", _NS):
        item = manifest.get(reference.get("idref"))
        if item is None or item.get("media-type") not in _CHAPTER_TYPES:
            continue
        href = unquote(str(item.get("href", "")).split("#", 1)[0])
        names.append(posixpath.normpath(posixpath.join(folder, href)))
    return names


def _dc(package: etree._Element, name: str) -> str | None:
    found = package.find(f"opf:metadata/dc:{name}", _NS)
    return found.text if found is not None else None


SPECS = (ExtractorSpec(name="epub", media_types=(EPUB,), extract=extract_epub, score=20),)
