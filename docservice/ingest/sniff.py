"""What kind of file an upload is, judged from its bytes; the name only refines plain text."""

from __future__ import annotations

import logging
import re
import struct
import zipfile
from pathlib import Path

from docservice.ingest.extractors.common import guess_encoding

log = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
MSG = "application/vnd.ms-outlook"
EPUB = "application/epub+zip"
ZIP = "application/zip"
OLE = "application/x-ole-storage"
PROTECTED_OOXML = "application/x-tika-ooxml-protected"
"""An Office 2007+ file saved with a password: encrypted inside an OLE container."""
RTF = "application/rtf"
HTML = "text/html"
EML = "message/rfc822"
TEXT = "text/plain"
CSV = "text/csv"
MARKDOWN = "text/markdown"
EMPTY = "application/x-empty"
UNKNOWN = "application/octet-stream"

HEAD_BYTES = 8192
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_FOLDERS = (("word/", DOCX), ("ppt/", PPTX), ("xl/", XLSX))
_OLE_STREAMS = (
    ("EncryptedPackage", PROTECTED_OOXML),
    ("WordDocument", DOC),
    ("Workbook", XLS),
    ("Book", XLS),
    ("PowerPoint Document", PPT),
    ("__properties_version1.0", MSG),
)
_NAME_REFINEMENTS = {".csv": CSV, ".md": MARKDOWN, ".markdown": MARKDOWN}
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
_BMP_HEADER_SIZES = (12, 40, 52, 56, 64, 108, 124)

_MARKUP_PREAMBLE = re.compile(r"\A(?:\s+|<\?xml[^>]*>|<!--.*?-->)*", re.DOTALL)
_HTML_START = re.compile(
    r"<(?:!doctype\s+html|html|head|body|title|meta|div|p|table|h[1-6]|pre|span|style|script)\b",
    re.IGNORECASE,
)
_HEADER_LINE = re.compile(r"[!-9;-~]+:")
_MAIL_HEADERS = frozenset(
    {"from", "subject", "received", "mime-version", "return-path", "message-id", "delivered-to"}
)


def sniff_media_type(path: Path, filename: str | None = None) -> str:
    """Media type of the file at ``path`` from its content.

    Reads a few KB (and a ZIP's central directory). ``filename`` is used only to tell
    CSV and Markdown from other plain text. Never raises for odd content.
    """
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
    if not head:
        return EMPTY
    if b"%PDF" in head[:1024]:
        return PDF
    if head.startswith(_ZIP_MAGIC):
        return _zip_type(path, head)
    if head.startswith(_OLE_MAGIC):
        return _ole_type(path)
    binary = _image_type(head) or (RTF if head.startswith(b"{\\rtf") else None)
    if binary:
        return binary
    return _text_type(head, filename)


def _zip_type(path: Path, head: bytes) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            mimetype = _read_small(archive, "mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError):
        # Central directory missing (a truncated upload): the local headers at the start
        # still name the first members, which is enough to say which Office type it was.
        names, mimetype = _local_member_names(head), b""
    declared = mimetype.decode("ascii", errors="replace").strip()
    if declared.startswith("application/vnd.oasis.opendocument.") or declared == EPUB:
        return declared
    for folder, media_type in _OOXML_FOLDERS:
        if any(name.startswith(folder) for name in names):
            return media_type
    return ZIP


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as member:
        return member.read(200)


def _local_member_names(head: bytes) -> list[str]:
    names = []
    for match in re.finditer(rb"PK\x03\x04", head):
        start = match.start()
        if start + 30 > len(head):
            break
        (name_length,) = struct.unpack_from("<H", head, start + 26)
        names.append(head[start + 30 : start + 30 + name_length].decode("cp437"))
    return names


def _ole_type(path: Path) -> str:
    try:
        import olefile
    except ImportError:
        return OLE
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
    except Exception:
        # olefile raises assorted errors on damaged directories; the sniffer must still
        # answer, and the generic container type leads to "unsupported file type".
        log.info("unreadable OLE directory in %s", path, exc_info=True)
        return OLE
    for stream, media_type in _OLE_STREAMS:
        if stream in streams:
            return media_type
    return OLE


def _image_type(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return _heif_type(head)
    if head.startswith(b"BM") and len(head) >= 18:
        (dib_header_size,) = struct.unpack_from("<I", head, 14)
        return "image/bmp" if dib_header_size in _BMP_HEADER_SIZES else None
    return None


def _heif_type(head: bytes) -> str | None:
    (box_size,) = struct.unpack_from(">I", head, 0)
    brands = head[8 : max(12, min(box_size, len(head)))]
    if b"avif" in brands:
        return "image/avif"
    if head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def _text_type(head: bytes, filename: str | None) -> str:
    encoding = guess_encoding(head, partial=True)
    if encoding is None:
        return UNKNOWN
    text = head.decode(encoding, errors="ignore").lstrip("\ufeff")
    if _looks_like_html(text):
        return HTML
    if _looks_like_mail(text):
        return EML
    suffix = Path(filename).suffix.lower() if filename else ""
    return _NAME_REFINEMENTS.get(suffix, TEXT)


def _looks_like_html(text: str) -> bool:
    body = _MARKUP_PREAMBLE.sub("", text, count=1)
    return _HTML_START.match(body) is not None


def _looks_like_mail(text: str) -> bool:
    """RFC 822 headers from the first line to the first blank one, a mail header among them."""
    lines = text.lstrip("\r\n").splitlines()
    if lines and lines[0].startswith("From "):  # mbox separator line
        lines = lines[1:]
    names = set()
    for line in lines[:-1]:  # the last line may be cut short by the sample
        if not line.strip():
            break
        if line[0] in " \t":
            continue
        if not _HEADER_LINE.match(line):
            return False
        names.add(line.split(":", 1)[0].lower())
    return bool(names & _MAIL_HEADERS)
