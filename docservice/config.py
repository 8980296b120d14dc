"""Settings from ``DOCSERVICE_*`` environment variables, with embedded defaults.

Nothing here runs at import time: call :func:`load_settings` at start-up. A bad value is
a :class:`ConfigError` naming the variable.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from docservice.domain import CUSTOMER_STAGES
from docservice.errors import ConfigError

PREFIX = "DOCSERVICE_"
T = TypeVar("T")

SEARCH_BACKENDS = {"embedded": "embedded", "tantivy": "embedded", "sqlite": "embedded",
                   "elasticsearch": "elasticsearch", "opensearch": "opensearch"}
STORAGE_BACKENDS = {"local", "s3", "memory"}
QUEUE_BACKENDS = {"inline", "rq"}


@dataclass(frozen=True)


class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""
    search_backend: str = "embedded"
    elasticsearch_url: str = "http://127.0.0.1:9200"
    storage_backend: str = "local"
    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_bucket: str = "docservice"
    s3_secure: bool = False
    s3_region: str = ""
    queue_backend: str = "inline"
    redis_url: str = "redis://127.0.0.1:6379/0"
    index_prefix: str = "docservice"
    workers: int = 2
    max_upload_mb: int = 2048
    extract_timeout_s: int = 600
    sweep_interval_s: float = 15.0  # how often every process looks for work nobody does
    # How often every process looks for periodic tasks whose period has come (0: never;
    # `docservice schedule run` still runs a task by hand).
    scheduler_interval_s: float = 30.0
    # Periods set by hand, "task=seconds" comma separated (e.g. "trash.purge=3600").
    schedule_periods: str = ""
    event_retention_days: int = 365  # raw usage events older than this are purged
    extract_memory_mb: int = 2048
    ocr_enabled: bool = True
    ocr_languages: str = "eng+chi_sim"
    secret_key: str = field(default="", repr=False)
    # Stored files are encrypted when a master key is set (base64, newest first, comma-
    # separated) or a key file outside the data dir is named (created on first start).
    master_key: str = field(default="", repr=False)
    master_key_file: Path | None = None
    s3_server_side_encryption: bool = False  # SSE-S3 on top of docservice's own
    admin_password: str = field(default="", repr=False)
    host: str = "127.0.0.1"
    port: int = 8000
    # How many reverse proxies stand in front of the web server; their X-Forwarded-For and
    # -Proto headers are believed (ProxyFix). 0: none, the headers are ignored.
    trusted_proxies: int = 0
    # Session cookies marked Secure always (they are anyway on a request that came by https).
    secure_cookies: bool = False
    log_level: str = "INFO"
    synonyms_file: Path | None = None  # an admin's synonym file instead of the shipped one
    # The address people open the site at, for links in e-mails and team messages.
    public_url: str = ""
    # Outgoing e-mail (notifications): no host, no e-mail. security: none, starttls or ssl.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = "docservice@localhost"
    smtp_timeout_s: float = 10.0
    webhook_timeout_s: float = 5.0  # one try of a team webhook, connecting and answering
    # Scheduled backups (task "backup", daily unless DOCSERVICE_SCHEDULE_PERIODS says
    # otherwise): a folder or s3://bucket/prefix ("" = none), and how many snapshots to keep.
    backup_dest: str = ""
    backup_keep: int = 7
    # The buying stages customers move through, in order (codes; comma-separated in the env).
    customer_stages: tuple[str, ...] = CUSTOMER_STAGES
    # Links back to a customer's CRM record; {id} is the record id.
    crm_link_zoho: str = "https://crm.zoho.com/crm/tab/Accounts/{id}"
    crm_link_fxiaoke: str = "https://www.fxiaoke.com/XV/UI/Home#crm/list/=/AccountObj/{id}"
    crm_link_csv: str = ""
    # Days until a document is due for review, per "category/subtype" or "category" ("*":
    # any other); contracts are due at their expiry instead.
    review_days: tuple[tuple[str, int], ...] = (
        ("product/price_list", 180), ("product/spec", 365), ("campaign", 365), ("*", 365))
    trash_days: int = 30  # a deleted document stays restorable this long, then is purged
    # E-mail intake (task "intake.mail"): an IMAP mailbox over TLS; no host, no intake.
    mail_host: str = ""
    mail_port: int = 993
    mail_user: str = ""
    mail_password: str = field(default="", repr=False)
    mail_folder: str = "INBOX"  # where messages arrive
    mail_processed_folder: str = "Processed"  # where handled ones go (created if missing)
    # Where a message that failed goes ("": it stays in mail_folder, flagged).
    mail_failed_folder: str = ""
    mail_unknown_sender: str = "refuse"  # refuse (and answer by SMTP) or log
    mail_rules: Path | None = None  # a TOML file of rules (README "E-mail intake")
    mail_ca_file: Path | None = None  # a CA to trust besides the system's (own server)
    mail_timeout_s: float = 30.0
    # Watched folders (task "intake.folders"), separated by the OS path separator (":"),
    # and the person dropped files belong to (an e-mail address).
    intake_dirs: tuple[Path, ...] = ()
    intake_owner: str = ""

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'docservice.db').resolve()}"

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _parse_positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("expected a positive integer")
    return value


def _parse_count(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("expected 0 or a positive integer")
    return value


def _parse_positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0 or value == float("inf"):
        raise ValueError("expected a positive number")
    return value


def _parse_non_negative_float(raw: str) -> float:
    value = float(raw)
    if not value >= 0 or value == float("inf"):
        raise ValueError("expected 0 or a positive number")
    return value


def _parse_codes(raw: str) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(code.strip().lower() for code in raw.split(",") if code.strip()))
    if not codes:
        raise ValueError("expected a comma-separated list of codes")
    bad = [code for code in codes if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", code)]
    if bad:
        raise ValueError(f"{bad[0]!r} is not a code (letters, digits and _, at most 32)")
    return codes


def _parse_link(raw: str) -> str:
    if "{id}" not in raw or not raw.startswith(("https://", "http://")):
        raise ValueError("expected an http(s) URL holding {id}")
    return raw
def _parse_dirs(raw: str) -> tuple[Path, ...]:
    return tuple(Path(part.strip()) for part in raw.split(os.pathsep) if part.strip())


def _review_days(raw: str) -> tuple[tuple[str, int], ...]:
    """``product/price_list=180, campaign=365, *=365``."""
    pairs = []
    for item in raw.split(","):
        key, sep, days = item.partition("=")
        if not sep or not key.strip():
            raise ValueError("expected category/subtype=days, e.g. product/price_list=180")
        pairs.append((key.strip().lower(), _parse_positive_int(days.strip())))
    return tuple(pairs)


def _choice(choices: Mapping[str, str] | set[str]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        key = raw.strip().lower()
        if key not in choices:
            raise ValueError(f"expected one of {', '.join(sorted(choices))}")
        return choices[key] if isinstance(choices, Mapping) else key

    return parse


_PARSERS: dict[str, Callable[[str], Any]] = {
    "data_dir": Path,
    "database_url": str,
    "search_backend": _choice(SEARCH_BACKENDS),
    "elasticsearch_url": str,
    "storage_backend": _choice(STORAGE_BACKENDS),
    "s3_endpoint": str,
    "s3_access_key": str,
    "s3_secret_key": str,
    "s3_bucket": str,
    "s3_secure": _parse_bool,
    "s3_region": str,
    "queue_backend": _choice(QUEUE_BACKENDS),
    "redis_url": str,
    "index_prefix": str,
    "workers": _parse_positive_int,
    "max_upload_mb": _parse_positive_int,
    "extract_timeout_s": _parse_positive_int,
    "sweep_interval_s": _parse_positive_float,
    "scheduler_interval_s": _parse_non_negative_float,
    "schedule_periods": str,
    "event_retention_days": _parse_positive_int,
    "extract_memory_mb": _parse_positive_int,
    "ocr_enabled": _parse_bool,
    "ocr_languages": str,
    "secret_key": str,
    "master_key": str,
    "master_key_file": Path,
    "s3_server_side_encryption": _parse_bool,
    "admin_password": str,
    "host": str,
    "port": _parse_positive_int,
    "trusted_proxies": _parse_count,
    "secure_cookies": _parse_bool,
    "log_level": _choice({"debug", "info", "warning", "error"}),
    "synonyms_file": Path,
    "public_url": str,
    "smtp_host": str,
    "smtp_port": _parse_positive_int,
    "smtp_security": _choice({"none", "starttls", "ssl"}),
    "smtp_user": str,
    "smtp_password": str,
    "smtp_from": str,
    "smtp_timeout_s": _parse_positive_float,
    "webhook_timeout_s": _parse_positive_float,
    "backup_dest": str,
    "backup_keep": _parse_positive_int,
    "customer_stages": _parse_codes,
    "crm_link_zoho": _parse_link,
    "crm_link_fxiaoke": _parse_link,
    "crm_link_csv": _parse_link,
    "review_days": _review_days,
    "trash_days": _parse_positive_int,
    "mail_host": str,
    "mail_port": _parse_positive_int,
    "mail_user": str,
    "mail_password": str,
    "mail_folder": str,
    "mail_processed_folder": str,
    "mail_failed_folder": str,
    "mail_unknown_sender": _choice({"refuse", "log"}),
    "mail_rules": Path,
    "mail_ca_file": Path,
    "mail_timeout_s": _parse_positive_float,
    "intake_dirs": _parse_dirs,
    "intake_owner": str,
}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read settings from ``environ`` (default ``os.environ``); overrides win."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, parse in _PARSERS.items():
        variable = PREFIX + name.upper()
        raw = env.get(variable)
        if raw is None or raw == "":
            continue
        try:
            values[name] = parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{variable}={raw!r} is invalid: {exc}") from exc
    unknown = sorted(
        key for key in env if key.startswith(PREFIX) and key[len(PREFIX):].lower() not in _PARSERS
        and key not in _IGNORED_VARIABLES and not key.startswith(PREFIX + "TEST_")
    )
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]} (check the spelling)")
    values.update(overrides)
    if "log_level" in values:
        values["log_level"] = str(values["log_level"]).upper()
    settings = Settings(**values)
    if not settings.index_prefix.replace("-", "").replace("_", "").isalnum():
        raise ConfigError("DOCSERVICE_INDEX_PREFIX may hold only letters, digits, - and _")
    return settings


# Variables read by tools around the app (tests, benchmarks), not by Settings.
_IGNORED_VARIABLES = {"DOCSERVICE_CORPUS", "DOCSERVICE_CACHE", "DOCSERVICE_SERVICES_DIR",
                      "DOCSERVICE_TEST_SERVICES"}


def ensure_secret_key(settings: Settings) -> Settings:
    """Return settings with a secret key: the configured one, or one kept in the data dir.

    Processes started at once on an empty data dir all end with the same key: the first to
    create the file wins, the others read its key."""
    if settings.secret_key:
        return settings
    path = settings.data_dir / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        create_once(path, secrets.token_hex(32))
    key = path.read_text().strip()
    if not key:
        raise ConfigError(f"{path} is empty: delete it (sessions are then signed anew) "
                          f"or set {PREFIX}SECRET_KEY")
    return settings.with_overrides(secret_key=key)


def create_once(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` unless it exists; never let a reader see it half written.

    The content goes to a private temp file first; os.link then publishes it under ``path``
    atomically and fails if another process published its file first."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as out:  # mkstemp made it readable by its owner only
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process was first: keep theirs
            os.link(temp, path)
    finally:
        os.unlink(temp)
