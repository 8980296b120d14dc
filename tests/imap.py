"""The test IMAP server (dovecot, started by deploy/local/services-up.sh): a private pair
of folders per test, messages delivered with IMAP APPEND, and raw MIME made by hand so
the tests choose every charset and encoding."""

from __future__ import annotations

import base64
import ssl
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.header import Header
from pathlib import Path
from typing import Any

from imapclient import IMAPClient

from tests.services import service_env


@dataclass(frozen=True)
class IntakeMailbox:
    """Where the intake reads (``inbox``) and files away (``processed``), on the server."""

    host: str
    port: int
    user: str
    password: str
    ca_file: Path
    inbox: str
    processed: str

    def settings(self) -> dict[str, Any]:
        return {"mail_host": self.host, "mail_port": self.port, "mail_user": self.user,
                "mail_password": self.password, "mail_ca_file": self.ca_file,
                "mail_folder": self.inbox, "mail_processed_folder": self.processed,
                "mail_timeout_s": 10.0}

    @contextmanager
    def client(self) -> Iterator[IMAPClient]:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        client = IMAPClient(self.host, port=self.port, ssl=True, ssl_context=context,
                            timeout=10)
        client.login(self.user, self.password)
        try:
            yield client
        finally:
            client.logout()

    def deliver(self, *messages: bytes) -> None:
        with self.client() as client:
            for raw in messages:
                client.append(self.inbox, raw)

    def subjects(self, folder: str) -> list[str]:
        """The raw Subject headers of the messages in ``folder``."""
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            fetched = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"]) if uids else {}
            return [data[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode().partition(":")[2].strip()
                    for data in fetched.values()]

    def flags(self, folder: str) -> list[tuple[bytes, ...]]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            return [tuple(data[b"FLAGS"]) for data in client.fetch(uids, ["FLAGS"]).values()] \
                if uids else []


@contextmanager
def private_mailbox() -> Iterator[IntakeMailbox]:
    """A fresh pair of folders on the test server, removed afterwards."""
    env = service_env()
    prefix = f"t{uuid.uuid4().hex[:10]}"
    mailbox = IntakeMailbox(env["DOCSERVICE_TEST_IMAP_HOST"], int(env["DOCSERVICE_TEST_IMAP_PORT"]),
                          env["DOCSERVICE_TEST_IMAP_USER"], env["DOCSERVICE_TEST_IMAP_PASSWORD"],
                          Path(env["DOCSERVICE_TEST_IMAP_CA"]), f"{prefix}/in",
                          f"{prefix}/processed")
    with mailbox.client() as client:
        client.create_folder(mailbox.inbox)
    try:
        yield mailbox
    finally:
        with mailbox.client() as client:
            for flags, _sep, name in sorted(client.list_folders(prefix), reverse=True):
                if b"\\Noselect" not in flags:  # the parent goes with its last child
                    client.delete_folder(name)


def encoded_word(text: str, charset: str) -> str:
    """``text`` as an RFC 2047 encoded word in ``charset`` (B encoding)."""
    return Header(text, charset).encode()


def rfc2231_name(name: str, charset: str) -> str:
    """A ``filename*=`` parameter in RFC 2231 encoding."""
    from urllib.parse import quote

    return f"filename*={charset}''{quote(name.encode(charset), safe='')}"


@dataclass(frozen=True)
class Attachment:
    content_type: str
    disposition_name: str  # the whole filename parameter, e.g. 'filename="a.pdf"'
    content: bytes


def raw_message(sender: str, to: str, subject: str, *, body: str = "See attached.",
                body_charset: str = "utf-8", attachments: Sequence[Attachment] = (),
                message_id: str | None = None) -> bytes:
    """A MIME message made by hand: ``subject`` goes in as given (encode it with
    :func:`encoded_word` first), the body in ``body_charset``."""
    headers = [f"From: {sender}", f"To: {to}", f"Subject: {subject}",
               f"Message-ID: {message_id or f'<{uuid.uuid4().hex}@test.example>'}",
               "Date: Sat, 05 Dec 2026 03:00:00 +0000", "MIME-Version: 1.0"]
    text = base64.encodebytes(body.encode(body_charset)).decode()
    if not attachments:
        headers += [f"Content-Type: text/plain; charset={body_charset}",
                    "Content-Transfer-Encoding: base64"]
        return _crlf("\r\n".join(headers) + "\r\n\r\n" + text)
    boundary = f"b-{uuid.uuid4().hex}"
    parts = [f"Content-Type: text/plain; charset={body_charset}\r\n"
             f"Content-Transfer-Encoding: base64\r\n\r\n{text}"]
    for attachment in attachments:
        parts.append(f"Content-Type: {attachment.content_type}\r\n"
                     f"Content-Disposition: attachment; {attachment.disposition_name}\r\n"
                     f"Content-Transfer-Encoding: base64\r\n\r\n"
                     f"{base64.encodebytes(attachment.content).decode()}")
    headers.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
    body_text = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"
    return _crlf("\r\n".join(headers) + "\r\n\r\n" + body_text)


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii")
