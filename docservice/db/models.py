"""SQLAlchemy models: the metadata of documents, versions, people and their rights."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    teams: Mapped[list[Team]] = relationship(secondary="memberships", back_populates="members")


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    members: Mapped[list[User]] = relationship(secondary="memberships", back_populates="teams")


class Membership(Base):
    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                         primary_key=True)
    # A team lead sees the team's usage reports, including its people and their queries.
    lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(16), default="prospect")
    industry: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    stage: Mapped[str] = mapped_column(String(32), default="first_contact")
    # Where the customer was imported from (zoho, fxiaoke, csv) and its record id there.
    crm_source: Mapped[str | None] = mapped_column(String(16))
    crm_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    aliases: Mapped[list[CustomerAlias]] = relationship(cascade="all, delete-orphan",
                                                        order_by="CustomerAlias.id")
    __table_args__ = (UniqueConstraint("crm_source", "crm_id", name="uq_customers_crm"),)

    @property
    def alias_names(self) -> list[str]:
        return [alias.name for alias in self.aliases]


class CustomerAlias(Base):
    """Another name of a customer: its name in the other language, a former name."""

    __tablename__ = "customer_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    name: Mapped[str] = mapped_column(String(200))
    __table_args__ = (UniqueConstraint("customer_id", "name"),)


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(32), default="other")
    subtype: Mapped[str | None] = mapped_column(String(32))
    # True while category and subtype are the app's suggestion (the uploader gave none);
    # a person choosing them makes it False, and the app never changes them again.
    category_suggested: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=false())
    product: Mapped[str | None] = mapped_column(String(200))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id",
                                                               ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    visibility: Mapped[str] = mapped_column(String(16), default="team")
    status: Mapped[str] = mapped_column(String(32), default="active")
    review_by: Mapped[date | None] = mapped_column(Date, index=True)
    starts_on: Mapped[date | None] = mapped_column(Date)  # a contract's start
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    # In the trash since then (every read path leaves it out); purged after trash_days.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    deleted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # No foreign key: versions point at their document, and a cycle would complicate deletes.
    latest_version_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    customer: Mapped[Customer | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    deleter: Mapped[User | None] = relationship(foreign_keys=[deleted_by])
    team: Mapped[Team | None] = relationship()
    tags: Mapped[list[DocumentTag]] = relationship(cascade="all, delete-orphan",
                                                   order_by="DocumentTag.tag")
    acl: Mapped[list[AclEntry]] = relationship(cascade="all, delete-orphan")
    versions: Mapped[list[Version]] = relationship(back_populates="document",
                                                   cascade="all, delete-orphan",
                                                   order_by="Version.number")

    @property
    def tag_names(self) -> list[str]:
        return [tag.tag for tag in self.tags]


class DocumentTag(Base):
    __tablename__ = "document_tags"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"),
                                             primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True)


class AclEntry(Base):
    """A custom grant: ``principal`` is ``user:<id>`` or ``team:<id>``."""

    __tablename__ = "acl_entries"
    __table_args__ = (UniqueConstraint("document_id", "principal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    principal: Mapped[str] = mapped_column(String(64))
    permission: Mapped[str] = mapped_column(String(8), default="read")


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        Index("ix_versions_state", "state"),
        Index("ix_versions_blob_key", "blob_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    blob_key: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(200), default="application/octet-stream")
    size: Mapped[int] = mapped_column(BigInteger)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="stored")
    state_reason: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    page_count: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(32))
    extracted_title: Mapped[str | None] = mapped_column(String(500))
    author: Mapped[str | None] = mapped_column(String(200))
    years: Mapped[str | None] = mapped_column(String(200))
    indexed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The lease of the worker extracting the version: who ("host:pid:nonce") and when it
    # last said so; another worker takes over only once the lease has run out.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    document: Mapped[Document] = relationship(back_populates="versions")
    uploader: Mapped[User | None] = relationship()

    @property
    def year_list(self) -> list[int]:
        return [int(year) for year in (self.years or "").split(",") if year]


class Page(Base):
    __tablename__ = "pages"

    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"),
                                            primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_document", "document_id"), Index("ix_audit_at", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(Integer)
    version_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)


class ShareLink(Base):
    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # False: a change of its owner's password deletes the token (the default).
    keep_after_password_change: Mapped[bool] = mapped_column(Boolean, default=False,
                                                             server_default=false())


class RevokedSession(Base):
    """A signed-out browser session: its cookie is refused until it would have expired."""

    __tablename__ = "revoked_sessions"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class OutboxRow(Base):
    """A side effect of a committed change (an index update, later notifications, webhooks,
    rollups), written in the change's transaction and run by an id-based job.

    ``kind`` names the handler and ``payload`` (JSON) holds ids only, so that running a row
    twice reads the current state twice and does no harm. A row runs while a worker holds
    its lease (``claimed_by``/``claimed_at``); it is deleted once done, is ``pending`` again
    with a later ``available_at`` after a service outage, and ``failed`` (with the error,
    until an admin retries it) after any other error."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_available", "state", "available_at"),
                      Index("ix_outbox_kind_state", "kind", "state"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScheduledRun(Base):
    """One run of a periodic task (services/scheduler.py) for one period.

    The row for (task, period) is the lease: the process that inserts it runs the task; a
    second process finds it and leaves the period alone, unless its holder died (lease run
    out or the process gone) or the run failed and may be tried again. ``manual`` runs
    (``docservice schedule run``) carry the moment they were asked for as their period."""

    __tablename__ = "scheduled_runs"
    __table_args__ = (UniqueConstraint("task", "period_start", name="uq_scheduled_run_period"),
                      Index("ix_scheduled_runs_task_started", "task", "started_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    manual: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    state: Mapped[str] = mapped_column(String(16))  # running, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class SavedSearch(Base):
    """A search a person named, to run again and to follow."""

    __tablename__ = "saved_searches"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Follow(Base):
    """A person follows one thing: ``kind`` says which column names it (a document, a
    customer, a saved search, or a product by name)."""

    __tablename__ = "follows"
    __table_args__ = (Index("ix_follows_user", "user_id"),
                      Index("ix_follows_kind", "kind"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id",
                                                               ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id",
                                                               ondelete="CASCADE"))
    saved_search_id: Mapped[int | None] = mapped_column(ForeignKey("saved_searches.id",
                                                                   ondelete="CASCADE"))
    product: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Notification(Base):
    """Something a person is told about a document; ``key`` makes it once per event (a
    handler run twice adds nothing)."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "key"),
                      Index("ix_notifications_user_read", "user_id", "read_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    version_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EmailPreference(Base):
    """How a person wants notifications by e-mail: ``immediate``, ``daily`` or ``off``."""

    __tablename__ = "email_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), default="daily")


class WebhookEndpoint(Base):
    """A team's outgoing webhook: ``style`` is slack, teams or generic (signed)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2000))
    style: Mapped[str] = mapped_column(String(16), default="generic")
    # The signing key of a generic webhook, kept as it is: signing needs it.
    secret: Mapped[str] = mapped_column(String(128), default="")
    language: Mapped[str] = mapped_column(String(16), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebhookDelivery(Base):
    """One message to one endpoint and what the endpoint answered."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("endpoint_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id",
                                                        ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(32))
    document_id: Mapped[int | None] = mapped_column(Integer)
    version_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    response_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UsageEvent(Base):
    """One thing a person did that the reports count: a search, a click on a hit, a view, a
    download, a share-link open, an upload or a new version. Appended, never changed; rolled
    up daily (``usage_daily``, ``search_daily``) and purged after the retention period.

    ``team_id`` is the person's team when it happened (the lowest id of several), so a
    report by team does not move when someone changes team later."""

    __tablename__ = "usage_events"
    __table_args__ = (Index("ix_usage_events_at", "at"),
                      Index("ix_usage_events_user", "user_id", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(Integer)
    version_id: Mapped[int | None] = mapped_column(Integer)
    query: Mapped[str | None] = mapped_column(String(500))
    normalized: Mapped[str | None] = mapped_column(String(500))
    filters: Mapped[str | None] = mapped_column(String(500))
    results: Mapped[int | None] = mapped_column(Integer)
    took_ms: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)


class UsageDaily(Base):
    """Per day, document, kind of use and the team of the people who used it: how often and
    by how many people (distinct that day)."""

    __tablename__ = "usage_daily"
    __table_args__ = (Index("ix_usage_daily_day_doc", "day", "document_id"),
                      Index("ix_usage_daily_doc_day", "document_id", "day"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)  # uploads and new versions only
    count: Mapped[int] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)


class SearchDaily(Base):
    """Per day, team and normalised query: searches, those that found nothing, the
    person-days it was searched (found something), and those followed by a click (in the
    top 3)."""

    __tablename__ = "search_daily"
    __table_args__ = (Index("ix_search_daily_day", "day", "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    team_id: Mapped[int | None] = mapped_column(Integer)
    normalized: Mapped[str] = mapped_column(String(500))
    query: Mapped[str] = mapped_column(String(500))  # one way it was typed, to run again
    searches: Mapped[int] = mapped_column(Integer)
    zero: Mapped[int] = mapped_column(Integer)
    sessions: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)  # person-days it found something
    clicked: Mapped[int] = mapped_column(Integer)
    top3: Mapped[int] = mapped_column(Integer)


class FreshnessDaily(Base):
    """Per day, team, category and visibility: how many documents, and how many overdue for
    review or expired that day (a snapshot, so the trend survives later edits; visibility
    lets a reader's trend count only what that reader could read)."""

    __tablename__ = "freshness_daily"
    __table_args__ = (Index("ix_freshness_daily_day", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    team_id: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    visibility: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    expired: Mapped[int] = mapped_column(Integer)


class MaintenanceRun(Base):
    """A run of the integrity check or of a resumable reindex: its checkpoint while it runs
    (``phase`` and ``cursor``: where to go on after a kill) and its result once finished.

    ``counts`` (JSON) holds what was checked and found per kind, ``problems`` (JSON) the
    first problems found, ``detail`` what the run keeps besides (a reindex: the index it
    builds). The run is held like a lease (``claimed_by``/``claimed_at``) so that two
    processes never continue the same run."""

    __tablename__ = "maintenance_runs"
    __table_args__ = (Index("ix_maintenance_runs_kind_started", "kind", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    repair: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    state: Mapped[str] = mapped_column(String(16), default="running")
    phase: Mapped[str] = mapped_column(String(16), default="")
    cursor: Mapped[str] = mapped_column(String(100), default="")
    counts: Mapped[str] = mapped_column(Text, default="{}")
    problems: Mapped[str] = mapped_column(Text, default="[]")
    detail: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IntakeMessage(Base):
    """An e-mail the intake has handled (services/mail_intake.py): recorded by its mailbox
    and Message-ID, so a message is never imported twice, even after a crash before it was
    moved to the processed folder. ``state`` is imported, refused or failed (with
    ``reason``); ``document_ids`` lists what it became (comma-separated)."""

    __tablename__ = "intake_messages"
    __table_args__ = (UniqueConstraint("mailbox", "message_key"),
                      Index("ix_intake_messages_state", "state", "received_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(300))
    message_key: Mapped[str] = mapped_column(String(500))
    uid: Mapped[int | None] = mapped_column(BigInteger)
    sender: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    document_ids: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
