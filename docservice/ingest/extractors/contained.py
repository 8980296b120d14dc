"""Files inside other files (e-mail attachments, archive members) read as part of them.

Each is sniffed and extracted with the default registry in the same (isolated) process,
one container level deeper, and its pages are added to the container's, the first headed
by the file's name so a hit says where the text came from. A file that cannot be read
costs only its own text: the container keeps a line naming it and the reason.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePath

from docservice.errors import ExtractionFailed
from docservice.ingest.options import ExtractOptions
from docservice.ingest.registry import extract
from docservice.ingest.sniff import sniff_media_type

log = logging.getLogger(__name__)

NESTED_TOO_DEEP = "a container inside a container inside another is not opened"


def contained_pages(
    name: str, write: Callable[[Path], None], heading: str, options: ExtractOptions
) -> list[str]:
    """Pages of the file ``name``, the first headed "<heading>: <name>".

    ``write`` puts the file's bytes at the path it is given (a fresh temporary file).
    """
    title = f"{heading}: {name}"
    with tempfile.TemporaryDirectory(prefix="docservice-part-") as folder:
        path = Path(folder) / (_safe_name(name) or "part")
        write(path)
        try:
            media_type = sniff_media_type(path, name)
            extracted = extract(path, media_type, None, options.inside_container())
        except ExtractionFailed as exc:
            log.info("%s %s not read: %s", heading, name, exc.message)
            return [f"{title} (not read: {exc.message})"]
    pages = list(extracted.pages) or [""]
    pages[0] = f"{title}\n{pages[0]}".rstrip()
    return pages


def check_nesting(options: ExtractOptions) -> None:
    """Refuse to open a container nested deeper than the options allow."""
    if options.nesting >= options.max_nesting:
        raise ExtractionFailed(NESTED_TOO_DEEP)


def _safe_name(name: str) -> str:
    """The last part of a name from inside a file: never a path out of the temp folder."""
    return PurePath(name.replace("\\", "/")).name.lstrip(".")[:100]
