"""The three stories of DESIGN.md, through the service layer on the embedded tier."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from docservice.domain import Principal
from docservice.services import accounts, documents, ingestion, reading
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta
from tests.factories import price_list_rows, write_docx, write_pdf, write_xlsx


@dataclass
class World:
    ctx: Context
    alice: Principal  # sales editor
    bob: Principal  # sales viewer
    carol: Principal  # marketing editor
    ids: dict[str, int]


def _upload(ctx: Context, who: Principal, path: Path, **meta: object) -> documents.UploadOutcome:
    with path.open("rb") as stream:
        return documents.upload(ctx, who, stream, path.name, DocumentMeta(**meta))  # type: ignore[arg-type]


def _settle(ctx: Context, *outcomes: documents.UploadOutcome) -> None:
    ids = [outcome.version_id for outcome in outcomes]
    states = ingestion.wait_for_versions(ctx, ids, timeout=120)
    assert set(states.values()) == {"indexed"}, states


@pytest.fixture
def world(tier_ctx: Context, tmp_path: Path) -> World:
    ctx = tier_ctx
    accounts.create_user(ctx, "alice@example.com", "editor", teams=["sales"])
    accounts.create_user(ctx, "bob@example.com", "viewer", teams=["sales"])
    accounts.create_user(ctx, "carol@example.com", "editor", teams=["marketing"])
    alice = accounts.principal_for(ctx, "alice@example.com")
    files = tmp_path / "files"
    files.mkdir()
    uploads = {
        "prices2023": _upload(ctx, alice, write_xlsx(files / "price-list-2023.xlsx", "2023",
                                                     price_list_rows(2023)),
                              category="product", subtype="price_list", visibility="org"),
        "prices2024": _upload(ctx, alice, write_xlsx(files / "price-list-2024.xlsx", "2024",
                                                     price_list_rows(2024)),
                              category="product", subtype="price_list", visibility="org"),
        "prices_zh": _upload(ctx, alice, write_docx(files / "2024年产品价格表.docx", [
            "2024年产品价格表", "工业路由器 AX-200-EU 单价 1260 美元", "有效期至2024年12月31日"]),
            category="product", subtype="price_list", visibility="org"),
        "manual": _upload(ctx, alice, write_docx(files / "router-user-guide.docx", [
            "AX-200 industrial router user guide", "Mount the router on a DIN rail.",
            "Connect the antenna before powering on."]),
            category="product", subtype="manual", product="AX-200", visibility="org"),
        "contract": _upload(ctx, alice, write_pdf(files / "acme-msa-signed.pdf", [
            "MASTER SERVICES AGREEMENT\nbetween Northwind Sales Ltd and Acme Corporation",
            "12. Liability\nLiquidated damages shall not exceed ten percent of the annual fee.\n"
            "Signed for Acme Corporation"]),
            category="contract", subtype="signed", customer="Acme Corporation",
            visibility="team"),
        "spec": _upload(ctx, alice, write_pdf(files / "ax200-spec.pdf", [
            "AX-200 specification\nVersion 1\nThroughput 1 Gbit/s"]),
            category="product", subtype="spec", product="AX-200", visibility="org"),
    }
    _settle(ctx, *uploads.values())
    spec_id = uploads["spec"].document_id
    for number, speed in ((2, "2 Gbit/s"), (3, "5 Gbit/s")):
        path = write_pdf(files / "ax200-spec.pdf", [
            f"AX-200 specification\nVersion {number}\nThroughput {speed}"])
        with path.open("rb") as stream:
            outcome = documents.add_version(ctx, alice, spec_id, stream, path.name,
                                            note=f"revision {number}")
        _settle(ctx, outcome)
    return World(ctx=ctx, alice=alice, bob=accounts.principal_for(ctx, "bob@example.com"),
                 carol=accounts.principal_for(ctx, "carol@example.com"),
                 ids={name: outcome.document_id for name, outcome in uploads.items()})


def test_pricing_sheet_2024_finds_the_2024_price_list_first(world: World) -> None:
    result = search_service.search(world.ctx, world.bob, "pricing sheet 2024")
    assert result.hits, "no hit for 'pricing sheet 2024'"
    assert result.hits[0].document_id in {world.ids["prices2024"], world.ids["prices_zh"]}
    english = [hit.document_id for hit in result.hits
               if hit.document_id in {world.ids["prices2023"], world.ids["prices2024"]}]
    assert english[0] == world.ids["prices2024"]
    assert "<mark>" in result.hits[0].snippet


def test_chinese_query_finds_the_chinese_price_list(world: World) -> None:
    result = search_service.search(world.ctx, world.bob, "2024 价格表")
    assert result.hits[0].document_id == world.ids["prices_zh"]
    assert "<mark>" in result.hits[0].snippet


def test_colleague_finds_signed_contract_by_a_phrase_other_teams_do_not(world: World) -> None:
    phrase = '"liquidated damages shall not exceed"'
    mine = search_service.search(world.ctx, world.bob, phrase)
    assert [hit.document_id for hit in mine.hits] == [world.ids["contract"]]
    assert mine.hits[0].page == 2
    assert "<mark>" in mine.hits[0].snippet
    theirs = search_service.search(world.ctx, world.carol, phrase)
    assert theirs.hits == [] and theirs.total == 0
    facets = search_service.search(world.ctx, world.carol, "category:contract").facets
    assert "contract" not in facets.get("category", {})


def test_latest_spec_is_version_3_with_older_versions_available(world: World) -> None:
    ctx, spec_id = world.ctx, world.ids["spec"]
    latest = documents.latest_version(ctx, world.bob, spec_id)
    assert latest.version == 3
    found = documents.find_latest(ctx, world.bob, product="ax-200", category="product",
                                  subtype="spec")
    assert found.version_id == latest.version_id
    older_versions = reading.versions(ctx, world.bob, spec_id)
    assert [v.version for v in older_versions] == [3, 2, 1]
    first_id = next(v.version_id for v in older_versions if v.version == 1)
    _, chunks = documents.open_version(ctx, world.bob, first_id)
    assert b"%PDF" in b"".join(chunks)[:1024]
    hits = search_service.search(ctx, world.bob, "AX-200 specification throughput").hits
    assert [hit.version for hit in hits if hit.document_id == spec_id] == [3]
    older = search_service.search(ctx, world.bob, "specification throughput",
                                  all_versions=True).hits
    spec_hits = [hit for hit in older if hit.document_id == spec_id]
    assert sorted(hit.version for hit in spec_hits) == [1, 2, 3]
    assert spec_hits[0].is_latest and spec_hits[0].version == 3


def test_facets_and_filters(world: World) -> None:
    result = search_service.search(world.ctx, world.bob, "category:product")
    assert result.facets["category"] == {"product": 5}
    assert result.facets["type"]["xlsx"] == 2
    only_2023 = search_service.search(world.ctx, world.bob, "price year:2023")
    assert [hit.document_id for hit in only_2023.hits] == [world.ids["prices2023"]]


def test_identical_bytes_are_reported_as_a_duplicate(world: World, tmp_path: Path) -> None:
    path = tmp_path / "files" / "price-list-2024.xlsx"
    outcome = _upload(world.ctx, world.alice, path)
    assert outcome.duplicate and outcome.document_id == world.ids["prices2024"]


def test_viewer_cannot_upload(world: World) -> None:
    from docservice.errors import PermissionDenied

    with pytest.raises(PermissionDenied, match="viewers cannot upload"):
        documents.upload(world.ctx, world.bob, io.BytesIO(b"hello"), "x.txt", DocumentMeta())
