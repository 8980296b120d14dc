"""Plain value types shared by every layer. No I/O here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


class Visibility(StrEnum):
    PRIVATE = "private"
    TEAM = "team"
    ORG = "org"
    CUSTOM = "custom"


class IngestState(StrEnum):
    STORED = "stored"
    QUEUED = "queued"
    EXTRACTING = "extracting"
    INDEXED = "indexed"
    FAILED = "failed"

    @property
    def is_terminal(self) -> bool:
        return self in (IngestState.INDEXED, IngestState.FAILED)


class Category(StrEnum):
    PRODUCT = "product"
    CONTRACT = "contract"
    CAMPAIGN = "campaign"
    CUSTOMER = "customer"
    OTHER = "other"


SUBTYPES: dict[Category, tuple[str, ...]] = {
    Category.PRODUCT: ("manual", "spec", "price_list"),
    Category.CONTRACT: ("draft", "pending_signature", "signed", "expired", "terminated"),
    Category.CAMPAIGN: ("research_report", "plan", "summary"),
    Category.CUSTOMER: (),
    Category.OTHER: (),
}

CUSTOMER_TYPES = ("prospect", "current", "churned", "partner")
# The default buying stages, the usual sales pipeline in order; an installation lists its own
# in DOCSERVICE_CUSTOMER_STAGES (config.py).
CUSTOMER_STAGES = ("first_contact", "qualified", "proposal", "negotiation", "won", "lost")
CONTRACT_STATUSES = ("draft", "pending_signature", "signed", "expired", "terminated")
ACTIVE = "active"  # the status of every document that is not a contract
# Index-only status values, kept current by the daily freshness job (services/review.py):
OVERDUE = "overdue"  # due for review before today
EXPIRING_WITHIN = (30, 60, 90)  # "expiring_30": expires today or within 30 days
CURRENT = "current"  # the filter ``status:current``: none of STALE_STATUSES
STALE_STATUSES = (OVERDUE, "expired", "terminated")


def freshness(status: str, due: date | None, expires_on: date | None, today: date
              ) -> tuple[str, ...]:
    """Status values a document holds in the index beside its own ``status``, as of
    ``today``: expired, else overdue for review (``due`` passed), and expiring within
    30/60/90 days. A document holds at most one of STALE_STATUSES with its status."""
    if status in ("expired", "terminated"):
        return ()
    days = None if expires_on is None else (expires_on - today).days
    if days is not None and days < 0:
        return ("expired",)
    found = [OVERDUE] if due is not None and due < today else []
    found.extend(f"expiring_{window}" for window in EXPIRING_WITHIN
                 if days is not None and days <= window)
    return tuple(found)


def settled_status(category: str | None, status: str) -> str:
    """A status fitting the category: a contract's is one of CONTRACT_STATUSES (``active``
    becomes draft), another document's none of the contract-only ones (they become
    ``active``)."""
    if category == Category.CONTRACT.value:
        return "draft" if status == ACTIVE else status
    return ACTIVE if status in CONTRACT_STATUSES and status != "draft" else status


def is_overdue(review_by: date | None, expires_on: date | None, status: str, today: date
               ) -> bool:
    """Whether a document shows as overdue: its review date passed, or it expired."""
    return status == "expired" or bool(
        {OVERDUE, "expired"} & set(freshness(status, review_by, expires_on, today)))


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user with a role and teams, or the local operator."""

    user_id: int | None
    email: str
    role: Role
    team_ids: frozenset[int] = frozenset()

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def can_upload(self) -> bool:
        return self.role in (Role.ADMIN, Role.EDITOR)

    def acl_tokens(self) -> list[str] | None:
        """Index tokens this principal may read; ``None`` means everything (admin)."""
        if self.is_admin:
            return None
        tokens = ["org"]
        if self.user_id is not None:
            tokens.append(f"user:{self.user_id}")
        tokens.extend(f"team:{team_id}" for team_id in sorted(self.team_ids))
        return tokens


OPERATOR = Principal(user_id=None, email="operator@localhost", role=Role.ADMIN)
SCHEDULER = Principal(user_id=None, email="scheduler", role=Role.ADMIN)
"""Who the daily jobs act as (the audit log names them so)."""


def acl_tokens_of(owner_id: int | None, team_id: int | None, visibility: str,
                  custom: Iterable[str] = ()) -> list[str]:
    """Principal tokens that may read a document with these columns (``custom``: its grants'
    principals, read only for custom visibility); admins read everything anyway."""
    tokens: list[str] = []
    if owner_id is not None:
        tokens.append(f"user:{owner_id}")
    kind = Visibility(visibility)
    if kind is Visibility.ORG:
        tokens.append("org")
    elif kind is Visibility.TEAM and team_id is not None:
        tokens.append(f"team:{team_id}")
    elif kind is Visibility.CUSTOM:
        tokens.extend(custom)
    return sorted(set(tokens)) or ["nobody"]


@dataclass(frozen=True)
class DocumentMeta:
    """What an uploader (or an editor) says about a document."""

    title: str | None = None
    category: str | None = "other"  # None at upload: the app suggests one (classify.py)
    subtype: str | None = None
    tags: Sequence[str] = ()
    product: str | None = None
    customer: str | None = None
    visibility: str = "team"
    team_id: int | None = None
    status: str = "active"
    expires_on: date | None = None
    review_by: date | None = None
    acl: Sequence[tuple[str, str]] = field(default_factory=tuple)
    starts_on: date | None = None


@dataclass(frozen=True)
class BlobInfo:
    key: str
    size: int


@dataclass(frozen=True)
class StoredBlob:
    """A file in the blob store: its key (or, for a leftover of an unfinished upload, its
    staging name) and when it was last written."""

    key: str
    modified: datetime


@dataclass(frozen=True)
class IndexedVersion:
    """What the search index holds for one version: enough to compare it with the database
    (``digest`` is :func:`docservice.search.analysis.entry_digest` of the entry sent)."""

    version_id: int
    document_id: int
    digest: str | None


@dataclass(frozen=True)
class ExtractedText:
    """What an extractor found in a file: text per page (page 1 first) and metadata."""

    pages: list[str]
    title: str | None = None
    author: str | None = None
    language: str | None = None
    created: datetime | None = None
    modified: datetime | None = None


@dataclass(frozen=True)
class IndexEntry:
    """One version of a document as the search index sees it."""

    version_id: int
    document_id: int
    version: int
    is_latest: bool
    title: str
    filename: str
    pages: Sequence[str]
    category: str
    subtype: str | None
    tags: Sequence[str]
    product: str | None
    customer: str | None
    customer_industry: str | None
    customer_region: str | None
    customer_stage: str | None
    media_type: str
    years: Sequence[int]
    uploaded_at: datetime
    owner_id: int | None
    team_id: int | None
    status: str
    acl: Sequence[str]
    expires_on: date | None = None
    language: str | None = None
    customer_type: str | None = None
    customer_aliases: Sequence[str] = ()  # other names of the customer; ``customer:`` finds them
    freshness: Sequence[str] = ()  # see :func:`freshness`


FILTER_FIELDS = ("category", "subtype", "type", "tag", "year", "customer", "product", "status",
                 "version", "industry", "region", "stage", "customertype")
FACET_FIELDS = ("category", "type", "year", "product", "tag", "customertype", "industry",
                "region", "stage", "status")


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: free words, "phrases", -exclusions and field filters."""

    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    all_versions: bool = False
    limit: int = 10
    offset: int = 0
    sort: str = "relevance"
    raw: str = ""
    hidden_documents: frozenset[int] = frozenset()
    """Documents left out whatever the index holds for them: their readers changed and the
    index has not caught up yet (services/outbox.py)."""
    only_documents: frozenset[int] = frozenset()
    """When given, the search looks at these documents only (does a new document match a
    followed search?)."""

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.phrases or self.filters)

    def filter_values(self, name: str) -> list[str]:
        return [value for key, value in self.filters if key == name]


@dataclass(frozen=True)
class SearchHit:
    document_id: int
    version_id: int
    score: float
    version: int = 0
    title: str = ""
    filename: str = ""
    category: str = ""
    is_latest: bool = True
    snippet: str = ""
    page: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None  # a query to offer: "did you mean", or broader when no hits


_FILE_KINDS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/rtf": "rtf",
    "application/epub+zip": "epub",
    "application/vnd.ms-outlook": "msg",
    "message/rfc822": "eml",
    "text/csv": "csv",
    "text/markdown": "md",
    "text/plain": "txt",
    "text/html": "html",
    "application/zip": "zip",
}


def file_kind(media_type: str) -> str:
    """Short name of a media type as people say it: pdf, docx, png..."""
    if media_type in _FILE_KINDS:
        return _FILE_KINDS[media_type]
    if media_type.startswith("image/"):
        return media_type.split("/", 1)[1].replace("jpeg", "jpg")
    return "other"
