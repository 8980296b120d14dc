"""Search quality a salesperson sees through the search use case, on the embedded tier:
latest and current, expired documents, recency, "did you mean", broader queries, synonyms an
admin edits. (What each engine must do alike is pinned in tests/contract/test_search_index.py.)
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from docservice.bootstrap import bootstrap
from docservice.config import load_settings
from docservice.db.models import Version
from docservice.domain import Principal, SearchResult
from docservice.errors import ConfigError
from docservice.services import accounts, documents, ingestion
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta
from docservice.services.indexing import reindex_document
from tests.conftest import embedded_settings


class Library:
    """Documents uploaded through the real pipeline by an editor of the sales team."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        accounts.create_user(ctx, "ed@example.com", "editor", teams=["sales"])
        accounts.create_user(ctx, "vic@example.com", "viewer", teams=["sales"])
        accounts.create_user(ctx, "mo@example.com", "editor", teams=["marketing"])
        self.editor = accounts.principal_for(ctx, "ed@example.com")
        self.viewer = accounts.principal_for(ctx, "vic@example.com")
        self.marketing = accounts.principal_for(ctx, "mo@example.com")

    def add(self, name: str, text: str, *, uploaded: date | None = None,
            who: Principal | None = None, **meta: object) -> int:
        meta.setdefault("visibility", "org")
        outcome = documents.upload(self.ctx, who or self.editor, io.BytesIO(text.encode()),
                                   name, DocumentMeta(**meta))  # type: ignore[arg-type]
        states = ingestion.wait_for_versions(self.ctx, [outcome.version_id], timeout=60)
        assert states[outcome.version_id] == "indexed", states
        if uploaded is not None:  # as if uploaded that day
            with self.ctx.uow() as uow:
                uow.session.execute(update(Version).where(Version.id == outcome.version_id)
                                    .values(uploaded_at=datetime.combine(uploaded,
                                                                         datetime.min.time())))
                uow.commit()
            reindex_document(self.ctx, outcome.document_id)
        return outcome.document_id

    def search(self, raw: str, who: Principal | None = None) -> SearchResult:
        return search_service.search(self.ctx, who or self.viewer, raw)

    def files(self, raw: str, who: Principal | None = None) -> list[str]:
        return [hit.filename for hit in self.search(raw, who).hits]


@pytest.fixture
def library(ctx: Context) -> Library:
    return Library(ctx)


PRICE_LIST = "Price list {year}. This price list is valid from 1 January {year}."


# -- latest / current / 最新 ------------------------------------------------------------

@pytest.mark.parametrize("raw", ["latest price list", "current price list", "newest price list",
                                 "最新价格表", "price list latest"])
def test_latest_prefers_the_newest_of_several_yearly_documents(library: Library,
                                                              raw: str) -> None:
    # The oldest list says "price list" most often: by text alone it would come first.
    library.add("prices_2023.txt", PRICE_LIST.format(year=2023) + " Price list, price list.",
                uploaded=date(2023, 1, 5))
    library.add("prices_2025.txt", PRICE_LIST.format(year=2025), uploaded=date(2025, 1, 6))
    library.add("prices_2024.txt", PRICE_LIST.format(year=2024), uploaded=date(2024, 1, 8))
    assert library.files(raw)[0] == "prices_2025.txt"


def test_without_latest_the_best_text_match_comes_first(library: Library) -> None:
    library.add("prices_2023.txt", PRICE_LIST.format(year=2023) + " Price list, price list.",
                uploaded=date(2023, 1, 5))
    library.add("prices_2025.txt", PRICE_LIST.format(year=2025), uploaded=date(2025, 1, 6))
    assert library.files("price list")[0] == "prices_2023.txt"


def test_a_document_about_a_year_counts_from_that_year(library: Library) -> None:
    # Uploaded in December for the coming year: it is the newest list.
    library.add("prices_2025.txt", PRICE_LIST.format(year=2025), uploaded=date(2025, 1, 6))
    library.add("prices_2026.txt", PRICE_LIST.format(year=2026), uploaded=date(2025, 12, 20))
    library.add("notes.txt", "Notes on the price list, written later.", uploaded=date(2025, 12, 30))
    assert library.files("latest price list")[0] == "prices_2026.txt"


# -- expiry and recency -------------------------------------------------------------------

def test_an_expired_contract_is_demoted_below_a_valid_one(library: Library) -> None:
    today = date.today()
    library.add("reseller_old.txt", "Reseller agreement with Fabrikam. Reseller agreement.",
                category="contract", expires_on=today - timedelta(days=1))
    library.add("reseller_new.txt", "Reseller agreement with Fabrikam, renewed.",
                category="contract", expires_on=today + timedelta(days=365))
    assert library.files("fabrikam reseller agreement") == ["reseller_new.txt",
                                                             "reseller_old.txt"]


def test_recency_breaks_ties(library: Library) -> None:
    months = [6, 1, 9, 3]  # uploaded in this order, each dated to its month
    for month in months:
        library.add(f"guide_{month}.txt", f"Router guide for the AX series (edition {month}).",
                    uploaded=date(2025, month, 1))
    assert library.files("router guide") == [f"guide_{m}.txt" for m in sorted(months)[::-1]]


# -- did you mean, broader queries ----------------------------------------------------------

def test_a_typo_finds_the_document_and_suggests_the_spelling(library: Library) -> None:
    library.add("warranty.txt", "Warranty policy: five years on every router.")
    library.add("travel.txt", "Travel expenses for trade fairs.")
    result = library.search("warranty polcy")
    assert [hit.filename for hit in result.hits][:1] == ["warranty.txt"]
    assert result.suggestion == "warranty policy"


def test_a_typo_of_sales_vocabulary_is_corrected(library: Library) -> None:
    library.add("prices_2023.txt", PRICE_LIST.format(year=2023))
    result = library.search("pricng sheet 2023")
    assert [hit.filename for hit in result.hits] == ["prices_2023.txt"]
    assert result.suggestion == "pricing sheet 2023"


def test_words_that_are_found_get_no_suggestion(library: Library) -> None:
    library.add("warranty.txt", "Warranty policy: five years on every router.")
    assert library.search("warranty policy").suggestion is None


def test_no_hits_suggests_a_broader_query(library: Library) -> None:
    library.add("router.txt", "Router manual", category="product")
    result = library.search("router category:contract")
    assert result.hits == [] and result.suggestion == "router"


def test_a_suggestion_never_comes_from_a_document_the_caller_cannot_read(
        library: Library) -> None:
    library.add("secret.txt", "Project kryptonite: the new router.", visibility="private",
                who=library.marketing)
    result = library.search("kryptonit")
    assert result.hits == [] and result.suggestion is None
    assert library.files("kryptonit", who=library.marketing) == ["secret.txt"]


# -- synonyms an admin edits ------------------------------------------------------------

@pytest.fixture
def admin_synonyms(tmp_path: Path) -> Path:
    path = tmp_path / "admin-synonyms.txt"
    path.write_text("# the sales team's own words\n", encoding="utf-8")
    return path


@pytest.fixture
def admin_library(tmp_path: Path, admin_synonyms: Path) -> Iterator[Library]:
    """A library whose installation names the admin's file by DOCSERVICE_SYNONYMS_FILE."""
    settings = load_settings(environ={"DOCSERVICE_SYNONYMS_FILE": str(admin_synonyms)},
                             data_dir=tmp_path / "admin", workers=2)
    ctx = bootstrap(settings)
    yield Library(ctx)
    ctx.close()


def test_a_synonym_file_named_by_the_setting_changes_what_search_finds(
        tmp_path: Path, admin_synonyms: Path) -> None:
    admin_synonyms.write_text("gizmo, router\n", encoding="utf-8")
    shipped = Library(bootstrap(embedded_settings(tmp_path / "shipped")))
    try:
        shipped.add("router.txt", "AX-200 industrial router.")
        assert shipped.files("gizmo") == []
    finally:
        shipped.ctx.close()
    settings = load_settings(environ={"DOCSERVICE_SYNONYMS_FILE": str(admin_synonyms)},
                             data_dir=tmp_path / "admin", workers=2)
    configured = Library(bootstrap(settings))
    try:
        configured.add("router.txt", "AX-200 industrial router.")
        assert configured.files("gizmo") == ["router.txt"]
    finally:
        configured.ctx.close()
    again = Library(bootstrap(embedded_settings(tmp_path / "after")))  # closed: shipped file
    try:
        again.add("router.txt", "AX-200 industrial router.")
        assert again.files("gizmo") == []
    finally:
        again.ctx.close()


@pytest.mark.parametrize("problem", ["missing", "directory"])
def test_an_unreadable_synonym_file_stops_the_start_naming_the_setting(
        tmp_path: Path, problem: str) -> None:
    path = tmp_path / "synonyms.txt"
    if problem == "directory":
        path.mkdir()
    settings = load_settings(environ={"DOCSERVICE_SYNONYMS_FILE": str(path)},
                             data_dir=tmp_path / "data")
    with pytest.raises(ConfigError, match=r"DOCSERVICE_SYNONYMS_FILE=.*synonyms\.txt"):
        bootstrap(settings)


def test_synonyms_an_admin_adds_apply_without_a_restart(admin_library: Library,
                                                         admin_synonyms: Path) -> None:
    library = admin_library
    library.add("router.txt", "AX-200 industrial router.")
    assert library.files("gizmo") == []
    admin_synonyms.write_text("gizmo, router\n", encoding="utf-8")
    assert library.files("gizmo") == ["router.txt"]
    admin_synonyms.write_text("widget, router\n", encoding="utf-8")
    assert library.files("gizmo") == [] and library.files("widget") == ["router.txt"]
