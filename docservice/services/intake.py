"""What the e-mail intake and the watched folders share: turning files into documents
through the normal upload (same checks, suggestion, extraction and audit) for the person
they belong to, and waiting for each to be read, so a file that cannot be read is reported
with its reason."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from docservice.domain import DocumentMeta, IngestState, Principal
from docservice.errors import DocserviceError
from docservice.intake_rules import Placement
from docservice.services import documents, ingestion
from docservice.services.context import Context


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes | Path  # a path is read as it is uploaded
    title: str | None = None

    def open(self) -> IO[bytes]:
        return self.content.open("rb") if isinstance(self.content, Path) \
            else io.BytesIO(self.content)


@dataclass(frozen=True)
class Imported:
    """The documents the files became, and ``"file: reason"`` for each that failed."""

    document_ids: tuple[int, ...]
    failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def import_files(ctx: Context, principal: Principal, files: Sequence[IncomingFile],
                 placement: Placement) -> Imported:
    """Upload each file as ``principal`` with the placement (no category: the upload's
    suggestion) and wait until each is indexed or failed. Identical bytes already there
    are the same document again (so importing after a crash adds nothing twice)."""
    outcomes: list[tuple[str, documents.UploadOutcome]] = []
    failures = []
    for incoming in files:
        meta = DocumentMeta(title=incoming.title, category=placement.category,
                            subtype=placement.subtype, tags=placement.tags,
                            customer=placement.customer)
        try:
            with incoming.open() as stream:
                outcomes.append((incoming.name, documents.upload(
                    ctx, principal, stream, incoming.name, meta)))
        except DocserviceError as exc:
            failures.append(f"{incoming.name}: {exc.message}")
        except OSError as exc:
            failures.append(f"{incoming.name}: {exc}")
    # Duplicates too: the same bytes sent again after they failed fail again.
    version_ids = [outcome.version_id for _name, outcome in outcomes]
    states = ingestion.wait_for_versions(ctx, version_ids, ctx.settings.extract_timeout_s)
    reasons = ingestion.failure_reasons(ctx, version_ids)
    for name, outcome in outcomes:
        if states.get(outcome.version_id) == IngestState.FAILED.value:
            failures.append(f"{name}: {reasons.get(outcome.version_id) or 'could not be read'}")
    # Customer detection (issue 14) joins here: a document without a customer from the
    # rules or folders gets the one its text names, as `docservice import --customer auto`.
    return Imported(tuple(dict.fromkeys(outcome.document_id for _n, outcome in outcomes)),
                    tuple(failures))
