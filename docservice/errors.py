"""One exception tree for the whole service; the web layer maps it to HTTP once.

An error carries a message id (English, with ``%(name)s`` placeholders, marked with ``N_``
so ``make i18n-extract`` finds it) and the values for it. ``message`` is the English text
(logs, CLI, the API's ``message``); the web layer translates the id where it is shown.
"""

from __future__ import annotations


def N_(message_id: str) -> str:
    """Marks ``message_id`` for extraction; it is translated where it is shown."""
    return message_id


class DocserviceError(Exception):
    """Base of every error the service raises on purpose."""

    code = "error"
    http_status = 500

    def __init__(self, message_id: str, **values: object) -> None:
        self.message_id = message_id
        self.values = values
        self.message = message_id % values if values else message_id
        super().__init__(self.message)


class ConfigError(DocserviceError):
    code = "config_error"


class NotFound(DocserviceError):
    code = "not_found"
    http_status = 404


class DocumentNotFound(NotFound):
    def __init__(self, document_id: object) -> None:
        super().__init__(N_("document %(id)s not found"), id=document_id)


class VersionNotFound(NotFound):
    def __init__(self, version_id: object) -> None:
        super().__init__(N_("version %(id)s not found"), id=version_id)


class UserNotFound(NotFound):
    def __init__(self, email: str) -> None:
        super().__init__(N_("user %(email)s not found"), email=email)


class BlobNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(N_("stored file %(key)s not found"), key=key)


class InvalidInput(DocserviceError):
    code = "invalid_input"
    http_status = 400


class InvalidFields(InvalidInput):
    """Input that breaks its declared shape: the message is the first wrong field's, and
    ``fields`` maps each wrong field to why (already in the caller's language)."""

    def __init__(self, message_id: str, values: dict[str, object],
                 fields: dict[str, str]) -> None:
        super().__init__(message_id, **values)
        self.fields = fields


class Unprocessable(InvalidInput):
    """Well-formed input the data rejects: a grant to nobody, a subtype the stored category
    does not have, a version of another document (what no schema can say)."""

    http_status = 422


class InvalidBlobKey(InvalidInput):
    def __init__(self, key: str) -> None:
        super().__init__(N_("invalid blob key %(key)r"), key=key)


class QuerySyntaxError(InvalidInput):
    code = "query_syntax"


class QueryTooLong(InvalidInput):
    code = "query_too_long"


class Conflict(DocserviceError):
    code = "conflict"
    http_status = 409


class PermissionDenied(DocserviceError):
    code = "forbidden"
    http_status = 403


class AuthenticationFailed(DocserviceError):
    code = "unauthorized"
    http_status = 401


class TooLarge(InvalidInput):
    code = "too_large"
    http_status = 413


class ServiceUnavailable(DocserviceError):
    """A backing service (search engine, object store, queue) cannot be reached."""

    code = "service_unavailable"
    http_status = 503


class SearchUnavailable(ServiceUnavailable):
    pass


class StorageUnavailable(ServiceUnavailable):
    pass


class QueueUnavailable(ServiceUnavailable):
    pass


class IndexBusy(ServiceUnavailable):
    """Another process holds the embedded index writer for longer than we may wait."""


class ExtractionFailed(DocserviceError):
    """Text could not be extracted; the message is shown to the uploader as is."""

    code = "extraction_failed"
    http_status = 422


class UnsupportedFileType(ExtractionFailed):
    def __init__(self, media_type: str) -> None:
        super().__init__(N_("unsupported file type: %(type)s"), type=media_type)


class BlobUnreadable(DocserviceError):
    """A stored file that does not decrypt: changed on disk, cut short, or its master key
    is not configured."""

    code = "blob_unreadable"
