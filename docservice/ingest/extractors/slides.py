"""PowerPoint presentations: one page per slide, with tables and speaker notes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pptx
from pptx.shapes.base import BaseShape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.shapes.group import GroupShape
from pptx.slide import Slide

from docservice.domain import ExtractedText
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import (
    as_utc,
    clean_field,
    failing_as,
    normalise_whitespace,
)
from docservice.ingest.sniff import PPTX

DAMAGED = "the file is damaged or incomplete (not a valid PowerPoint file)"


def extract_pptx(path: Path, progress: ProgressCallback | None = None) -> ExtractedText:
    """Each slide's shape text and tables, then its speaker notes, as that slide's page."""
    with failing_as(DAMAGED):
        presentation = pptx.Presentation(str(path))
        slides = list(presentation.slides)
        pages = []
        for number, slide in enumerate(slides, start=1):
            pages.append(normalise_whitespace("\n".join(_slide_lines(slide))))
            if progress:
                progress(number, len(slides))
        properties = presentation.core_properties
        return ExtractedText(
            pages=pages,
            title=clean_field(properties.title),
            author=clean_field(properties.author),
            created=as_utc(properties.created),
            modified=as_utc(properties.modified),
        )


def _slide_lines(slide: Slide) -> Iterator[str]:
    yield from _shape_lines(slide.shapes)
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame
        if notes is not None:
            yield notes.text


def _shape_lines(shapes: Iterable[BaseShape]) -> Iterator[str]:
    for shape in shapes:
        if isinstance(shape, GroupShape):
            yield from _shape_lines(shape.shapes)
        elif isinstance(shape, GraphicFrame) and shape.has_table:
            for row in shape.table.rows:
                yield "\t".join(cell.text for cell in row.cells)
        elif shape.has_text_frame:
            yield shape.text_frame.text  # type: ignore[attr-defined]


SPECS = (ExtractorSpec(name="pptx", media_types=(PPTX,), extract=extract_pptx, score=20),)
