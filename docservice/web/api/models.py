"""What the API takes (query strings, forms) and answers, as pydantic models.

Bodies shared with the pages and services (metadata, customers) are in ``docservice.inputs``.
The OpenAPI document is generated from these classes (``contract.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError
from werkzeug.datastructures import FileStorage

from docservice.inputs import (
    MAX_ID,
    NOT_BLANK,
    CategoryName,
    CustomerStage,
    CustomerType,
    Day,
    Given,
    Id,
    Subtype,
    Text,
    Title,
    VisibilityName,
    whole_number,
)
from docservice.services.auditlog import ACTIONS
from docservice.services.auditlog import MAX_LIMIT as MAX_AUDIT_LIMIT
from docservice.services.search import MAX_LIMIT, MAX_OFFSET
from docservice.services.shares import MAX_DAYS, MIN_PASSWORD
from docservice.services.tokens import DEFAULT_DAYS as DEFAULT_TOKEN_DAYS
from docservice.views import DocumentDetails, TokenView, VersionState, VersionView


def _true_or_false(raw: Any) -> Any:
    if isinstance(raw, str):
        if raw not in ("true", "false"):
            raise PydanticCustomError("bool_parsing", "not true or false")
        return raw == "true"
    return raw


def _comma_separated(raw: Any) -> Any:
    """``1,2,3`` (an array as one query parameter; blank is the empty array)."""
    return (raw.split(",") if raw else []) if isinstance(raw, str) else raw


# Whole numbers within bounds, also from query and form text (the bounds go before the parsing,
# or pydantic's JSON Schema names them ge/le rather than minimum/maximum).
Limit = Annotated[int, Ge(1), Le(MAX_LIMIT), BeforeValidator(whole_number)]
Offset = Annotated[int, Ge(0), Le(MAX_OFFSET), BeforeValidator(whole_number)]
AuditLimit = Annotated[int, Ge(1), Le(MAX_AUDIT_LIMIT), BeforeValidator(whole_number)]
AuditOffset = Annotated[int, Ge(0), Le(MAX_ID), BeforeValidator(whole_number)]
Days = Annotated[int, Ge(1), Le(MAX_DAYS), BeforeValidator(whole_number)]
QueryBool = Annotated[bool, BeforeValidator(_true_or_false)]
UploadedFile = Annotated[FileStorage, WithJsonSchema({"type": "string", "format": "binary"})]


class QueryArgs(BaseModel):
    """A query string: a parameter the operation does not take is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")


class SearchParams(QueryArgs):
    q: str = ""
    all_versions: QueryBool = False
    limit: Limit = 10
    offset: Offset = 0
    sort: Literal["relevance", "date"] = "relevance"


class CustomerListParams(QueryArgs):
    type: Given[CustomerType] = None
    stage: Given[CustomerStage] = None


class CustomerSearchParams(SearchParams):
    limit: Limit = 20
    sort: Literal["relevance", "date"] = "date"


class FileNameParams(QueryArgs):
    filename: Annotated[str, Field(min_length=1, pattern=NOT_BLANK)]


class LatestParams(QueryArgs):
    product: Given[Text] = None
    category: Given[CategoryName] = None
    subtype: Given[Subtype] = None


class IngestionParams(QueryArgs):
    version_ids: Annotated[list[Id], BeforeValidator(_comma_separated)] = Field(
        default_factory=list, description="comma-separated: 1,2,3")


class AuditParams(QueryArgs):
    actor: Given[str] = None
    document_id: Given[Id] = None
    action: Given[Literal[ACTIONS]] = None  # type: ignore[valid-type]
    since: Given[Day] = None
    until: Given[Day] = None
    limit: AuditLimit = 100
    offset: AuditOffset = 0


class ShareInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version_id: Id | None = None
    expires_in_days: Days = 7
    password: Annotated[str, Field(min_length=MIN_PASSWORD)] | Literal[""] | None = Field(
        None, description=f"at least {MIN_PASSWORD} characters; blank or null for none")


class TokenInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=100)] = ""
    keep_after_password_change: bool = False
    expires_in_days: Days = DEFAULT_TOKEN_DAYS


class NewVersionForm(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    file: UploadedFile
    note: Given[str] = None


class UploadForm(BaseModel):
    """An upload: the file and its metadata as the upload page sends them."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    file: UploadedFile
    title: Given[Title] = None
    category: Given[CategoryName] = Field(
        None, description="leave out to have the app suggest one from the file")
    subtype: Given[Subtype] = None
    tags: Given[str] = Field(
None, description="comma-separated")
    product: Given[Text] = None
    customer: Given[Text] = None
    visibility: VisibilityName = "team"
    team_id: Given[Id] = None
    expires_on: Given[Day] = None
    starts_on: Given[Day] = None
    review_by: Given[Day] = Field(None, description="leave out for the default of the "
                                  "category (DOCSERVICE_REVIEW_DAYS)")
    grants: Given[str] = Field(
None, description="custom grants: alice@example.com:write, sales")


# Answers: the services' views (docservice.views) where the API sends one as it is, and the
# shapes the handlers build. (Form and query fields above are never null: a form cannot send
# one.)

class ErrorDetail(BaseModel):
    code: str
    message: str = Field(description="in English, stable for scripts")
    localized_message: str = Field(description="the message in the caller's language")
    fields: dict[str, str] = Field(default_factory=dict,
                                   description="what is wrong with each field, when input was")


class Error(BaseModel):
    error: ErrorDetail


class UploadOutcome(BaseModel):
    document_id: int
    version_id: int
    version: int
    state: str
    duplicate: bool
    message: str = ""


class IngestionStates(BaseModel):
    versions: list[VersionState]


@dataclass(frozen=True)
class ChangedDocument(DocumentDetails):
    """The document after a change, and the names of the fields that changed."""

    changed: tuple[str, ...] = ()


class CategorySuggestion(BaseModel):
    filename: str
    category: str
    subtype: str | None


class TextPage(BaseModel):
    page: int
    text: str


class TextPages(BaseModel):
    version: VersionView
    pages: list[TextPage]


class CreatedShare(BaseModel):
    share_id: int
    token: str
    url: str
    expires_at: str


@dataclass(frozen=True)
class CreatedToken(TokenView):
    """The new token as listed, and its secret (shown once)."""

    token: str = ""


class Me(BaseModel):
    user_id: int | None
    email: str
    role: str
    team_ids: list[int]


class InboxParams(QueryArgs):
    unread: QueryBool = False
    limit: Limit = 50
    offset: AuditOffset = 0


class ReadCount(BaseModel):
    changed: int
