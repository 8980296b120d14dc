"""E-mails (EML with the standard library, Outlook MSG with extract-msg).

The first page holds the headers people search by (subject, from, to, cc, date) and the
body (plain text, or the visible text of the HTML body); each attachment follows as pages
of its own, read by the registry like an upload and headed "Attachment: <name>".
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import extract_msg

from docservice.domain import ExtractedText
from docservice.ingest.base import ExtractorSpec, ProgressCallback
from docservice.ingest.extractors.common import (
    as_utc,
    clean_field,
    decode_text,
    failing_as,
    guess_encoding,
    normalise_whitespace,
    split_pages,
    superset_codec,
)
from docservice.ingest.extractors.contained import check_nesting, contained_pages
from docservice.ingest.extractors.webpage import html_text
from docservice.ingest.options import ExtractOptions
from docservice.ingest.sniff import EML, MSG

DAMAGED_EML = "the file is damaged or incomplete (not a valid e-mail message)"
DAMAGED_MSG = "the file is damaged or incomplete (not a valid Outlook message)"
ATTACHMENT = "Attachment"
_HEADERS = ("Subject", "From", "To", "Cc", "Date")


def extract_eml(
    path: Path, progress: ProgressCallback | None, options: ExtractOptions
) -> ExtractedText:
    """Headers and body as the first pages, then every attachment's pages."""
    check_nesting(options)
    with path.open("rb") as file, failing_as(DAMAGED_EML):
        message = email.message_from_binary_file(file, policy=email.policy.default)
        headers = {name: _header(message, name) for name in _HEADERS}
        body = _eml_body(message)
        attachments = list(_eml_attachments(message))
    sent = _eml_date(message)
    return _mail_text(headers, body, attachments, sent, progress, options)


def extract_msg_file(
    path: Path, progress: ProgressCallback | None, options: ExtractOptions
) -> ExtractedText:
    """As for EML, from an Outlook .msg; attached messages give their headers and body."""
    check_nesting(options)
    with failing_as(DAMAGED_MSG):
        message: Any = _open_msg(path)
        try:
            headers = {
                "Subject": message.subject, "From": message.sender, "To": message.to,
                "Cc": message.cc, "Date": str(message.date or "") or None,
            }  # fmt: skip
            body = _msg_body(message)
            attachments = list(_msg_attachments(message))
            sent = message.date if isinstance(message.date, datetime) else None
        finally:
            message.close()
    return _mail_text(headers, body, attachments, sent, progress, options)


def _mail_text(
    headers: dict[str, str | None],
    body: str,
    attachments: list[tuple[str, bytes]],
    sent: datetime | None,
    progress: ProgressCallback | None,
    options: ExtractOptions,
) -> ExtractedText:
    lines = [f"{name}: {value}" for name, value in headers.items() if value]
    pages = split_pages(normalise_whitespace("\n".join([*lines, "", body])))
    for number, (name, data) in enumerate(attachments, start=1):
        pages.extend(contained_pages(name, _writer(data), ATTACHMENT, options))
        if progress:
            progress(number, len(attachments))
    return ExtractedText(
        pages=pages,
        title=clean_field(headers.get("Subject")),
        author=clean_field(headers.get("From")),
        created=as_utc(sent),
    )


def _writer(data: bytes) -> Callable[[Path], None]:
    def write(target: Path) -> None:
        target.write_bytes(data)

    return write


def _header(message: EmailMessage, name: str) -> str | None:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError):  # a malformed header is skipped, not fatal
        return None
    return str(value) if value else None


def _eml_date(message: EmailMessage) -> datetime | None:
    try:
        header = message.get("Date")
        moment = getattr(header, "datetime", None)
    except (ValueError, TypeError, IndexError):
        return None
    return moment if isinstance(moment, datetime) else None


def _eml_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    return html_text(text).pages[0] if part.get_content_subtype() == "html" else text


def _part_text(part: Any) -> str:
    """A text part decoded by its charset; by its bytes when it names none (or us-ascii)
    although they are not ASCII, as Chinese mail clients without MIME charsets send."""
    if part.get_content_charset() in (None, "us-ascii"):
        raw = part.get_payload(decode=True)
        if isinstance(raw, bytes) and not raw.isascii():
            return decode_text(raw)
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # unknown charset, broken encoding
        content = part.get_payload(decode=True) or b""
    return decode_text(content) if isinstance(content, bytes) else str(content)


def _eml_attachments(message: EmailMessage) -> Iterator[tuple[str, bytes]]:
    for number, part in enumerate(message.iter_attachments(), start=1):
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else None
            data = inner.as_bytes() if isinstance(inner, email.message.Message) else b""
        else:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
        yield part.get_filename() or f"attachment-{number}", data


def _open_msg(path: Path) -> Any:
    """The message, its 8-bit strings (older Outlook) decoded in their own code page."""
    message = extract_msg.openMsg(str(path))
    if message.areStringsUnicode:
        return message
    encoding = _msg_encoding(message)
    if encoding is None or encoding == message.stringEncoding:
        return message
    message.close()
    return extract_msg.openMsg(str(path), overrideEncoding=encoding)


def _msg_encoding(message: Any) -> str | None:
    """The code page of a message's 8-bit strings: PR_MESSAGE_CODEPAGE, else PR_INTERNET_CPID
    (extract-msg reads only the first and falls back to ISO-8859-15, which turns Big5 and
    GBK into mojibake), else guessed from the subject and body bytes."""
    for tag in ("3FFD0003", "3FDE0003"):
        value = message.getPropertyVal(tag)
        if isinstance(value, int):
            try:
                return superset_codec(extract_msg.encoding.lookupCodePage(value))
            except (LookupError, extract_msg.exceptions.UnknownCodepageError,
                    extract_msg.exceptions.UnsupportedEncodingError):
                continue
    sample = b"\n".join(message.getStream(name) or b""
                        for name in ("__substg1.0_0037001E", "__substg1.0_1000001E"))
    return guess_encoding(sample) if sample.strip() else None


def _msg_body(message: Any) -> str:
    if message.body:
        return str(message.body)
    html = message.htmlBody
    return html_text(html).pages[0] if html else ""


def _msg_attachments(message: Any) -> Iterator[tuple[str, bytes]]:
    for number, attachment in enumerate(message.attachments, start=1):
        name = attachment.longFilename or attachment.shortFilename or f"attachment-{number}"
        data = attachment.data
        if isinstance(data, bytes):
            yield name, data
        elif hasattr(data, "body"):  # an attached Outlook message: its headers and body
            text = "\n".join(
                f"{label}: {value}"
                for label, value in (("Subject", data.subject), ("From", data.sender),
                                     ("To", data.to), ("Date", data.date))
                if value
            )
            yield f"{name}.txt", f"{text}\n\n{_msg_body(data)}".encode()


SPECS = (
    ExtractorSpec(name="eml", media_types=(EML,), extract=extract_eml, score=20,
                  takes_options=True),
    ExtractorSpec(name="msg", media_types=(MSG,), extract=extract_msg_file, score=20,
                  takes_options=True),
)
