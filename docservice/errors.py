"""One exception tree for the whole service; the web layer maps it to HTTP once."""

from __future__ import annotations


class DocserviceError(Exception):
    """Base of every error the service raises on purpose."""

    code = "error"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(DocserviceError):
    code = "config_error"


class NotFound(DocserviceError):
    code = "not_found"
    http_status = 404


class DocumentNotFound(NotFound):
    def __init__(self, document_id: object) -> None:
        super().__init__(f"document {document_id} not found")


class VersionNotFound(NotFound):
    def __init__(self, version_id: object) -> None:
        super().__init__(f"version {version_id} not found")


class UserNotFound(NotFound):
    def __init__(self, email: str) -> None:
        super().__init__(f"user {email} not found")


class BlobNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(f"stored file {key} not found")


class InvalidInput(DocserviceError):
    code = "invalid_input"
    http_status = 400


class InvalidBlobKey(InvalidInput):
    def __init__(self, key: str) -> None:
        super().__init__(f"invalid blob key {key!r}")


class QuerySyntaxError(InvalidInput):
    code = "query_syntax"


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
        super().__init__(f"unsupported file type: {media_type}")
