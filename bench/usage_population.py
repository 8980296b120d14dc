"""A generated sales organisation with a year of use, written straight into the database:
teams, people, customers, documents and usage events, then rolled up.

Used by bench/analytics.py (1,000,000 events, 100,000 documents, 500 people) and by
bench/analytics_answers.py (a small population on which the reports answer a sales leader's
four questions). Named things the questions ask about are always there: the EMEA team, its
price lists (one used far more than the others last quarter), customers in negotiation of
whom only some have a current contract template, queries that find nothing, and material
nobody opened this year.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, text

from docservice.db.models import (
    Customer,
    Document,
    Membership,
    Team,
    UsageEvent,
    User,
)
from docservice.db.usage import snapshot_freshness
from docservice.services.context import Context

TEAMS = ("EMEA", "APAC", "Americas", "Marketing", "Product", "Service")
INDUSTRIES = ("Rail", "Energy", "Retail", "Banking", "Health", "Logistics")
REGIONS = ("EMEA", "APAC", "Americas")
STAGES = ("first_contact", "qualified", "negotiation", "won")
OTHER_STAGES = ("first_contact", "qualified", "won")  # only the named customers negotiate
TYPES = ("prospect", "current", "churned")
CATEGORIES = (("product", "price_list"), ("product", "spec"), ("product", "manual"),
              ("contract", "draft"), ("contract", "signed"), ("campaign", "plan"),
              ("campaign", "research_report"), ("customer", None), ("other", None))
QUERIES = ("price list", "pricing sheet 2026", "AX-200 spec", "warranty terms", "报价单",
           "contract template", "case study rail", "installation manual", "SLA", "roadmap",
           "discount policy", "competitor comparison", "security whitepaper", "GDPR",
           "onboarding checklist", "ROI calculator", "partner program", "tender response")
MISSING = ("hydrogen tariff 2026", "competitor x battlecard", "arabic brochure",
           "rail tender template", "esg report")
"""Queries the EMEA team types that find nothing (the content gap)."""
EMEA_PRICE_LISTS = ("EMEA price list 2026 Q3", "EMEA price list 2026 Q2",
                    "EMEA service price list", "EMEA partner price list")
NEGOTIATING = ("Nordbahn AG", "Iberia Energía", "Baltic Freight", "Alpen Retail GmbH",
               "Levante Salud")
WITH_TEMPLATE = {"Nordbahn AG", "Baltic Freight"}
EVENT_COLUMNS = ("at", "kind", "user_id", "team_id", "document_id", "version_id", "query",
                 "normalized", "filters", "results", "took_ms", "rank")
UNOPENED = ("Legacy AX-100 brochure 2019", "Trade fair plan 2023", "Old warranty leaflet")


@dataclass(frozen=True)
class Population:
    documents: int
    people: int
    events: int
    named: dict[str, int]  # title or name -> id, for the things the questions ask about


def _now() -> datetime:
    return datetime.now(UTC)


def last_quarter(today: date) -> tuple[date, date]:
    first_month = (today.month - 1) // 3 * 3 + 1
    end = date(today.year, first_month, 1) - timedelta(days=1)
    start = date(end.year, (end.month - 1) // 3 * 3 + 1, 1)
    return start, end


def generate(ctx: Context, *, documents: int, people: int, events: int,
             seed: int = 15) -> Population:
    """Write the population (the database must be new) and return what it named."""
    rng = random.Random(seed)
    named: dict[str, int] = {}
    with ctx.engine.begin() as db:
        db.execute(insert(Team), [{"id": n + 1, "name": name} for n, name in enumerate(TEAMS)])
        db.execute(insert(User), [{"id": n + 1, "email": f"person{n + 1}@example.com",
                                   "name": f"Person {n + 1}", "role": "editor" if n % 5 else
                                   "viewer", "active": True, "created_at": _now()}
                                  for n in range(people)])
        db.execute(insert(Membership), [{"user_id": n + 1, "team_id": n % len(TEAMS) + 1,
                                         "lead": n < len(TEAMS)} for n in range(people)])
        customers = _customers(rng, named, max(len(NEGOTIATING) + 10, min(2000, documents // 10)))
        db.execute(insert(Customer), customers)
        rows = _documents(rng, documents, people, len(customers), named)
        for start in range(0, len(rows), 20_000):
            db.execute(insert(Document), rows[start:start + 20_000])
        if db.dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table in ("teams", "users", "customers", "documents"):
                db.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT max(id) FROM {table}))"))
    _events(ctx, rng, events, documents, people, named)
    _freshness_history(ctx, _now().date())
    return Population(documents, people, events, named)


def _customers(rng: random.Random, named: dict[str, int], count: int
               ) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for n, name in enumerate(NEGOTIATING):
        rows.append({"id": n + 1, "name": name, "type": "prospect", "industry": INDUSTRIES[n],
                     "region": "EMEA", "stage": "negotiation", "created_at": _now()})
        named[name] = n + 1
    for n in range(len(rows), count):
        rows.append({"id": n + 1, "name": f"Customer {n + 1}", "type": rng.choice(TYPES),
                     "industry": rng.choice(INDUSTRIES), "region": rng.choice(REGIONS),
                     "stage": rng.choice(OTHER_STAGES), "created_at": _now()})
    return rows


def _document(doc_id: int, title: str, category: str, subtype: str | None, team: int,
              customer: int | None, created: datetime, **more: object) -> dict[str, object]:
    return {"id": doc_id, "title": title, "category": category, "subtype": subtype,
            "category_suggested": False, "customer_id": customer, "owner_id": team,
            "team_id": team, "visibility": more.pop("visibility", "org"), "status": "active",
            "created_at": created, "updated_at": created, "review_by": None,
            "expires_on": None, **more}


def _documents(rng: random.Random, count: int, people: int, customers: int,
               named: dict[str, int]) -> list[dict[str, object]]:
    year_ago = _now() - timedelta(days=400)
    today = _now().date()
    rows = []
    special = [(t, "product", "price_list", None) for t in EMEA_PRICE_LISTS]
    special += [(f"Contract template {name}", "contract", "draft", named[name])
                for name in sorted(WITH_TEMPLATE)]
    special += [(f"Signed contract {name} 2021", "contract", "signed", named[name])
                for name in NEGOTIATING if name not in WITH_TEMPLATE]
    special += [(t, "campaign", "plan", None) for t in UNOPENED]
    for n, (title, category, subtype, customer) in enumerate(special):
        rows.append(_document(n + 1, title, category, subtype, 1, customer, year_ago,
                              expires_on=today - timedelta(days=30) if "Signed" in title
                              else None))
        named[title] = n + 1
    for doc_id in range(len(rows) + 1, count + 1):
        category, subtype = rng.choice(CATEGORIES)
        team = rng.randrange(len(TEAMS)) + 1
        created = year_ago + timedelta(days=rng.uniform(0, 390))
        review = today + timedelta(days=rng.randint(-200, 300)) if rng.random() < 0.6 else None
        expires = today + timedelta(days=rng.randint(-100, 700)) if category == "contract" \
            else None
        rows.append(_document(
            doc_id, f"{(subtype or category).replace('_', ' ')} {doc_id}", category, subtype,
            team, rng.randrange(len(NEGOTIATING) + 1, customers + 1) if rng.random() < 0.5
            else None, created, visibility=rng.choice(("org", "org", "team", "private")),
            review_by=review, expires_on=expires))
    return rows


def _events(ctx: Context, rng: random.Random, count: int, documents: int, people: int,
            named: dict[str, int]) -> None:
    """``count`` events over the last 365 days: searches, clicks, views, downloads, shares,
    uploads and new versions; document popularity falls off like Zipf's law."""
    now = _now()
    start, end = last_quarter(now.date())
    quarter = (datetime.combine(start, datetime.min.time(), tzinfo=UTC),
               (end - start).days + 1)
    skip = set(named[t] for t in UNOPENED)
    emea = [p for p in range(1, people + 1) if p % len(TEAMS) == 1]
    batch: list[dict[str, object]] = []
    made = 0
    for n in range(count):
        row = _event(rng, n, now, documents, people, named, skip, emea, quarter)
        batch.append(row)
        made += 1
        if row["kind"] == "search" and row["results"] and rng.random() < 0.6 and made < count:
            batch.append(_click(rng, row, documents, skip))  # most searches get a click
            made += 1
        if made >= count:
            break
        if len(batch) >= 20_000:
            _write(ctx, batch)
            batch = []
    _write(ctx, batch)


def _write(ctx: Context, rows: list[dict[str, object]]) -> None:
    if rows:
        with ctx.engine.begin() as db:
            db.execute(insert(UsageEvent), rows)


def _event(rng: random.Random, n: int, now: datetime, documents: int, people: int,
           named: dict[str, int], skip: set[int], emea: list[int],
           quarter: tuple[datetime, int]) -> dict[str, object]:
    person = rng.randrange(people) + 1
    at = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
    row: dict[str, object] = dict.fromkeys(EVENT_COLUMNS)
    row.update(at=at, user_id=person, team_id=(person - 1) % len(TEAMS) + 1)
    roll = rng.random()
    if n % 50 == 0:  # EMEA uses its price lists last quarter, the Q3 list most
        lists = EMEA_PRICE_LISTS
        title = lists[0] if rng.random() < 0.5 else rng.choice(lists[1:])
        row.update(user_id=rng.choice(emea), team_id=1,
                   at=quarter[0] + timedelta(seconds=rng.uniform(0, quarter[1] * 86400)),
                   kind=rng.choice(("view", "download", "download")),
                   document_id=named[title])
    elif n % 97 == 0:  # and searches for what the library does not have
        query = rng.choice(MISSING)
        row.update(user_id=rng.choice(emea), team_id=1, kind="search", query=query,
                   normalized=query, results=0, took_ms=12.0)
    elif roll < 0.3:
        query = rng.choice(QUERIES)
        row.update(kind="search", query=query, normalized=query.lower(),
                   results=rng.randint(1, 300), took_ms=rng.uniform(5, 40))
    elif roll < 0.9:
        row.update(kind=rng.choice(("view", "view", "download", "share")),
                   document_id=_popular(rng, documents, skip))
    else:
        row.update(kind=rng.choice(("upload", "new_version")),
                   document_id=_popular(rng, documents, skip))
    return row


def _click(rng: random.Random, search: dict[str, object], documents: int, skip: set[int]
           ) -> dict[str, object]:
    """The same person opening a hit of their search a little later."""
    click = dict(search, kind="click", results=None, took_ms=None,
                 rank=min(int(rng.paretovariate(1.2)), 50),
                 document_id=_popular(rng, documents, skip))
    click["at"] = search["at"] + timedelta(seconds=20)  # type: ignore[operator]
    return click


def _freshness_history(ctx: Context, today: date) -> None:
    """Weekly freshness snapshots for the past year, as the documents' dates give them."""
    for weeks in range(52, 0, -1):
        with ctx.uow() as uow:
            snapshot_freshness(uow.session, today - timedelta(weeks=weeks))
            uow.commit()


def _popular(rng: random.Random, documents: int, skip: set[int]) -> int:
    while True:
        found = min(int(rng.paretovariate(0.6)), documents)
        found = (found * 7919) % documents + 1  # popular ones spread over the id range
        if found not in skip:
            return found
