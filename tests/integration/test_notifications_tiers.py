"""Following and notifications on both tiers (embedded; PostgreSQL, OpenSearch, S3 and two
RQ worker processes): the outbox handlers run wherever the jobs run, a saved search is
matched by each search engine, and a webhook goes out from a worker."""

from __future__ import annotations

import io
import time

from docservice.inputs import NewCustomer, NewFollow, NewSavedSearch, NewWebhook
from docservice.services import (
    accounts,
    customers,
    documents,
    following,
    notifications,
    users,
)
from docservice.services import webhooks as webhook_service
from docservice.services.context import Context
from docservice.services.documents import DocumentMeta
from tests.listener import http_listener


def _until(check: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_followers_are_told_on_each_tier(tier_ctx: Context) -> None:
    ctx = tier_ctx
    accounts.create_user(ctx, "alice@example.com", "editor", teams=["sales"])
    accounts.create_user(ctx, "dave@example.com", "editor", teams=["sales"])
    admin = accounts.principal_for(ctx, None)
    alice = accounts.principal_for(ctx, "alice@example.com")
    dave = accounts.principal_for(ctx, "dave@example.com")
    acme = customers.create_customer(ctx, alice, NewCustomer(name="Acme Rail"))
    following.follow(ctx, alice, NewFollow(kind="customer", id=acme))
    saved = following.save_search(ctx, alice, NewSavedSearch(name="tenders",
                                                              query="railway tender"))
    following.follow(ctx, alice, NewFollow(kind="search", id=saved.saved_search_id))
    team_id = next(t.team_id for t in users.list_teams(ctx) if t.name == "sales")
    with http_listener() as listener:
        webhook_service.create_webhook(ctx, admin, NewWebhook(
            team_id=team_id, name="sales", url=listener.url, style="slack"))
        documents.upload(ctx, dave, io.BytesIO(b"supply contract"), "acme-contract.txt",
                         DocumentMeta(customer="Acme Rail", visibility="team"))
        documents.upload(ctx, dave, io.BytesIO(b"railway tender north line"),
                         "north-bid.txt", DocumentMeta(visibility="team"))
        documents.upload(ctx, dave, io.BytesIO(b"canteen menu"), "menu.txt",
                         DocumentMeta(visibility="team"))

        def told() -> set[tuple[str, str | None]]:
            return {(n.title, n.via_kind) for n in
                    notifications.inbox(ctx, alice).notifications}

        _until(lambda: told() == {("acme-contract", "customer"), ("north-bid", "search")})
        _until(lambda: len(listener.requests) == 3)
    assert sorted(r.json()["text"].split(" <")[0] for r in listener.requests) == [
        "New document in team sales: acme-contract", "New document in team sales: menu",
        "New document in team sales: north-bid"]
