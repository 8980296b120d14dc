"""What the use cases return: frozen, plain views of documents, versions, customers, people,
share links, events and search results, shown alike by the pages, the API and the command line.

Times are ISO 8601 strings as stored (the API sends them as they are); the web edge turns a
view into JSON with ``dataclasses.asdict``.
"""

from __future__ import annotations

from dataclasses import dataclass

from docservice.domain import Principal


@dataclass(frozen=True)


class DocumentView:
    document_id: int
    title: str
    category: str
    subtype: str | None
    category_suggested: bool
    product: str | None
    customer: str | None
    tags: tuple[str, ...]
    owner: str | None
    team: str | None
    visibility: str
    status: str
    expires_on: str | None
    latest_version_id: int | None
    versions: int
    created_at: str
    review_by: str | None
    starts_on: str | None  # a contract's start
    overdue: bool  # due for review before today, or expired


@dataclass(frozen=True)


class VersionView:
    document_id: int
    version_id: int
    version: int
    filename: str
    title: str
    media_type: str
    file_type: str
    size: int
    uploaded_at: str
    uploader: str | None
    note: str | None
    state: str
    reason: str | None
    progress: str | None
    pages: int | None
    language: str | None
    is_latest: bool


@dataclass(frozen=True)


class GrantView:
    """A custom grant as people read it: an e-mail or a team name, and read or write."""

    who: str
    kind: str
    permission: str


@dataclass(frozen=True)


class DocumentDetails(DocumentView):
    """The document page: the document, its versions newest first, its grants and what the
    caller may do with it."""

    versions_list: tuple[VersionView, ...]
    grants: tuple[GrantView, ...]
    team_id: int | None
    can_write: bool
    can_manage: bool
    customer_id: int | None
    expiry_hint: str | None  # a contract's expiry as its text states it, when it differs
    expiry_hint_phrase: str | None  # the words that state it


@dataclass(frozen=True)


class VersionState:
    """Where a version is in ingestion, for the upload page's live states."""

    version_id: int
    document_id: int
    filename: str
    state: str
    reason: str | None
    progress: str | None
    pages: int | None
    category: str
    subtype: str | None
    category_suggested: bool


@dataclass(frozen=True)


class FailedVersion:
    """A version whose text could not be read, and why."""

    version_id: int
    document_id: int
    file: str
    reason: str | None


@dataclass(frozen=True)


class VersionInProgress:
    version_id: int
    file: str
    state: str
    progress: str | None


@dataclass(frozen=True)


class CustomerView:
    customer_id: int
    name: str
    type: str
    industry: str | None
    region: str | None
    stage: str
    aliases: tuple[str, ...] = ()
    crm_source: str | None = None
    crm_id: str | None = None
    crm_link: str | None = None  # the record in the CRM, when its source has a link template


@dataclass(frozen=True)
class ImportedRow:
    """One row of a CRM export and what importing it does: create, update, unchanged or
    refused (``reason`` says why)."""

    line: int
    action: str
    name: str
    crm_id: str
    reason: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class CustomerImport:
    """A CRM import, tried (``dry_run``) or made. Nothing is imported while any row is
    refused (``applied`` false)."""

    source: str
    dry_run: bool
    applied: bool
    created: int
    updated: int
    unchanged: int
    refused: int
    rows: tuple[ImportedRow, ...]


@dataclass(frozen=True)
class MaterialItem:
    """A document on a customer's page."""

    document_id: int
    title: str
    category: str
    subtype: str | None
    status: str
    expires_on: str | None
    updated_at: str


@dataclass(frozen=True)
class MaterialGroup:
    category: str
    subtype: str | None
    documents: tuple[MaterialItem, ...]


@dataclass(frozen=True)
class CustomerMaterial:
    """A customer's documents the caller may read: grouped by category and stage (subtype),
    and its contracts by expiry, soonest first."""

    groups: tuple[MaterialGroup, ...]
    contracts: tuple[MaterialItem, ...]


@dataclass(frozen=True)


class UserView:
    user_id: int
    email: str
    name: str
    role: str
    active: bool
    teams: tuple[str, ...]


@dataclass(frozen=True)


class TeamView:
    team_id: int
    name: str
    members: int


@dataclass(frozen=True)


class Account(UserView):
    """The signed-in user's own account: who they act as and the stamp of their password."""

    language: str | None
    principal: Principal
    session_stamp: str


@dataclass(frozen=True)


class TokenView:
    token_id: int
    name: str
    created_at: str
    last_used_at: str | None
    expires_at: str | None
    keep_after_password_change: bool


@dataclass(frozen=True)


class ShareView:
    share_id: int
    document_id: int
    version_id: int | None
    pinned: bool
    created_at: str
    expires_at: str | None
    has_password: bool
    revoked: bool
    active: bool


@dataclass(frozen=True)


class EventView:
    event_id: int
    at: str
    actor: str
    action: str
    document_id: int | None
    version_id: int | None
    detail: str | None


Span = tuple[int, int]  # [start, end) character offsets in a text


@dataclass(frozen=True)


class FoundHit:
    """A search hit as every caller shows it: what the index found, the version's facts from
    the database, the best snippet (HTML, matches in ``<mark>``) and where the title matches
    the query, as character spans found by the index's own analysis."""

    document_id: int
    version_id: int
    version: int
    title: str
    filename: str
    category: str
    is_latest: bool
    score: float
    snippet: str
    page: int | None
    uploaded_at: str
    file_type: str
    customer: str | None
    customer_id: int | None
    subtype: str | None
    product: str | None
    overdue: bool = False  # due for review before today, or expired
    title_highlights: tuple[Span, ...] = ()


@dataclass(frozen=True)


class SearchPage:
    """One page of a search as the search page, the API and the CLI show it."""

    query: str
    total: int
    limit: int
    offset: int
    hits: list[FoundHit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None  # a query to offer: "did you mean", or broader when no hits


@dataclass(frozen=True)


class ScheduledTaskView:
    """A periodic task and its last run, as the admin page and ``schedule list`` show it."""

    name: str
    every_s: float
    next_period_at: str
    last_state: str | None = None  # running, done, failed; None: never ran
    last_started_at: str | None = None
    last_finished_at: str | None = None
    last_summary: str | None = None
    last_error: str | None = None
    last_manual: bool = False


@dataclass(frozen=True)


class SavedSearchView:
    saved_search_id: int
    name: str
    query: str
    created_at: str
    followed: bool


@dataclass(frozen=True)


class FollowView:
    """One thing a person follows: ``kind`` and its ``target_id`` (a document, customer or
    saved search) or product name, and how it reads (a title, a name, a query)."""

    follow_id: int
    kind: str
    target_id: int | None
    label: str
    created_at: str


@dataclass(frozen=True)


class NotificationView:
    """What a person is told: ``kind`` is new_version, new_document, review_due or expiring;
    ``via_kind``/``via`` name what they follow that matched (customer, product, search,
    document) for the first two."""

    notification_id: int
    kind: str
    document_id: int
    version_id: int | None
    title: str
    via_kind: str | None
    via: str | None
    due: str | None
    created_at: str
    read: bool


@dataclass(frozen=True)


class Inbox:
    notifications: list[NotificationView]
    unread: int
    total: int


@dataclass(frozen=True)


class WebhookView:
    webhook_id: int
    team_id: int
    team: str
    name: str
    url: str
    style: str
    language: str
    active: bool
    created_at: str


@dataclass(frozen=True)


class NewWebhookSecret:
    """A generic webhook just made: its signing secret, shown this once."""

    webhook: WebhookView
    secret: str


@dataclass(frozen=True)


class DeliveryView:
    delivery_id: int
    webhook_id: int
    webhook: str
    event: str
    document_id: int | None
    state: str
    attempts: int
    response_status: int | None
    error: str | None
    created_at: str
    attempted_at: str | None


@dataclass(frozen=True)
class QueryRecord:
    """One search or click of a person's query history."""

    at: str
    kind: str
    query: str
    results: int | None
    rank: int | None
    document_id: int | None


Value = str | int | float | None


@dataclass(frozen=True)
class ReportRow:
    """A table row; ``document_id`` links it to a document, ``query`` runs it again."""

    cells: tuple[Value, ...]
    document_id: int | None = None
    query: str | None = None


@dataclass(frozen=True)
class ReportTable:
    name: str
    columns: tuple[str, ...]
    rows: tuple[ReportRow, ...]


@dataclass(frozen=True)
class ChartPoint:
    label: str
    value: float


@dataclass(frozen=True)
class ChartSeries:
    name: str
    points: tuple[ChartPoint, ...]


@dataclass(frozen=True)
class Chart:
    """``kind``: ``bar`` (one series, a bar per point) or ``line`` (a line per series);
    ``unit``: ``count`` or ``share`` (0..1, shown as a percentage)."""

    name: str
    kind: str
    unit: str
    series: tuple[ChartSeries, ...]


@dataclass(frozen=True)
class Report:
    name: str
    since: str
    until: str
    charts: tuple[Chart, ...]
    tables: tuple[ReportTable, ...]


@dataclass(frozen=True)
class ReviewItem:
    """A document on the Needs-review list: due for review (``reason`` review) or at its
    expiry (``reason`` expires) on ``due``, ``days_left`` from today (negative: overdue)."""

    document_id: int
    title: str
    category: str
    subtype: str | None
    status: str
    owner: str | None
    team: str | None
    review_by: str | None
    expires_on: str | None
    due: str
    reason: str
    days_left: int
    overdue: bool


@dataclass(frozen=True)


class TrashItem:
    """A document in the trash: restorable until ``purge_after``, then purged."""

    document_id: int
    title: str
    category: str
    owner: str | None
    versions: int
    deleted_at: str
    deleted_by: str | None
    purge_after: str


@dataclass(frozen=True)


class ContractView:
    """A contract with its lifecycle: status, start, expiry (``days_left`` from today, None
    without an expiry) and customer."""

    document_id: int
    title: str
    status: str
    customer: str | None
    customer_id: int | None
    owner: str | None
    team: str | None
    starts_on: str | None
    expires_on: str | None
    days_left: int | None


@dataclass(frozen=True)
class IntegrityProblem:
    """One thing the integrity check found: ``kind`` (missing_file, damaged_file,
    orphan_file, leftover_upload, missing_entry, outdated_entry, stale_entry,
    doubled_entry), what it concerns, and whether the run repaired it."""

    kind: str
    subject: str
    detail: str = ""
    repaired: bool = False


@dataclass(frozen=True)
class IntegrityReport:
    """A run of ``docservice check`` (or of the nightly check) as people see it."""

    run_id: int
    state: str  # running (or stopped halfway, to be resumed), done
    repair: bool
    started_at: str
    finished_at: str | None
    phase: str
    checked: tuple[tuple[str, int], ...]  # versions, files, index entries ...
    found: tuple[tuple[str, int], ...]  # problems per kind
    repaired: int
    problems: tuple[IntegrityProblem, ...]  # the first ones, at most PROBLEMS_KEPT
    resumed: bool = False

    @property
    def remaining(self) -> int:
        return sum(count for _, count in self.found) - self.repaired


@dataclass(frozen=True)
class EncryptionRun:
    """What ``encrypt-files`` or ``rotate-key`` did: files looked at, files changed (turned
    or re-wrapped), the master key now current, and older keys still configured."""

    files: int
    changed: int
    key_id: str
    older_keys: tuple[str, ...]


@dataclass(frozen=True)
class IntakeMessageView:
    """An e-mail the intake handled: what became of it and why (admins)."""

    id: int
    sender: str
    subject: str
    state: str  # imported, refused, failed
    reason: str | None
    received_at: str
    document_ids: tuple[int, ...]


@dataclass(frozen=True)
class FolderFailureView:
    """A file of a watched folder that could not be imported (in its failed/ folder)."""

    path: str
    reason: str
