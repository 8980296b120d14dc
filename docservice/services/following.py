"""Saved searches and following: a person names a search to find it again, and follows a
document, a customer, a product or a saved search to be told when something new arrives
(services/notifications.py). Only what the person may see can be followed; every change is
audited."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from docservice.db.access import readable_document
from docservice.db.models import Follow, SavedSearch
from docservice.db.notices import follow_condition, follow_views
from docservice.db.repositories import record_event
from docservice.domain import Principal
from docservice.errors import N_, Conflict, NotFound, PermissionDenied
from docservice.inputs import NewFollow, NewSavedSearch
from docservice.services import customers
from docservice.services.context import Context
from docservice.views import FollowView, SavedSearchView

MAX_SAVED_SEARCHES = 200
MAX_FOLLOWS = 1000


def _person(principal: Principal) -> int:
    if principal.user_id is None:
        raise PermissionDenied(N_("only a person with an account can save searches and follow"))
    return principal.user_id


def list_saved_searches(ctx: Context, principal: Principal) -> list[SavedSearchView]:
    user_id = _person(principal)
    with ctx.uow() as uow:
        followed = set(uow.session.scalars(select(Follow.saved_search_id).where(
            Follow.user_id == user_id, Follow.kind == "search")))
        return [_search_view(saved, saved.id in followed) for saved in uow.session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user_id)
            .order_by(SavedSearch.name))]


def _search_view(saved: SavedSearch, followed: bool) -> SavedSearchView:
    return SavedSearchView(saved_search_id=saved.id, name=saved.name, query=saved.query,
                           created_at=saved.created_at.isoformat(), followed=followed)


def save_search(ctx: Context, principal: Principal, wanted: NewSavedSearch,
                ) -> SavedSearchView:
    """Name the search ``wanted.query``; Conflict when the person has one by that name."""
    user_id = _person(principal)
    name, query = wanted.name.strip(), wanted.query.strip()
    with ctx.uow() as uow:
        count = len(uow.session.scalars(select(SavedSearch.id)
                                        .where(SavedSearch.user_id == user_id)).all())
        if count >= MAX_SAVED_SEARCHES:
            raise Conflict(N_("you have %(max)s saved searches; delete one first"),
                           max=MAX_SAVED_SEARCHES)
        saved = SavedSearch(user_id=user_id, name=name, query=query)
        uow.session.add(saved)
        try:
            uow.session.flush()
        except IntegrityError as exc:
            raise Conflict(N_("you already have a saved search named %(name)s"),
                           name=name) from exc
        record_event(uow.session, principal, "save_search", detail=f"{name}: {query}")
        view = _search_view(saved, False)
        uow.commit()
    return view


def delete_saved_search(ctx: Context, principal: Principal, saved_search_id: int) -> None:
    user_id = _person(principal)
    with ctx.uow() as uow:
        saved = _own_search(uow.session.get(SavedSearch, saved_search_id), user_id,
                            saved_search_id)
        record_event(uow.session, principal, "delete_saved_search", detail=saved.name)
        uow.session.delete(saved)
        uow.commit()


def _own_search(saved: SavedSearch | None, user_id: int, saved_search_id: int) -> SavedSearch:
    if saved is None or saved.user_id != user_id:
        raise NotFound(N_("saved search %(id)s not found"), id=saved_search_id)
    return saved


def list_follows(ctx: Context, principal: Principal) -> list[FollowView]:
    with ctx.uow() as uow:
        return follow_views(uow.session, principal)


def following(ctx: Context, principal: Principal, kind: str, target_id: int | None = None,
              product: str | None = None) -> int | None:
    """The id of the caller's follow of this thing, or None (the pages' follow buttons)."""
    if principal.user_id is None:
        return None
    with ctx.uow() as uow:
        return uow.session.scalar(select(Follow.id).where(
            follow_condition(principal.user_id, kind, target_id, product)))


def follow(ctx: Context, principal: Principal, wanted: NewFollow) -> FollowView:
    """Follow what ``wanted`` names (again: nothing changes). NotFound for a document,
    customer or saved search the caller may not see."""
    user_id = _person(principal)
    target = None if wanted.kind == "product" else wanted.id
    product = (wanted.product or "").strip() if wanted.kind == "product" else None
    if target is None and not product:
        raise NotFound(N_("say what to follow: an id, or a product name"))
    if wanted.kind == "customer":
        customers.get_customer(ctx, principal, target or 0)
    with ctx.uow() as uow:
        session = uow.session
        if wanted.kind == "document":
            readable_document(session, principal, target or 0)
        if wanted.kind == "search":
            _own_search(session.get(SavedSearch, target or 0), user_id, target or 0)
        existing = session.scalar(select(Follow).where(
            follow_condition(user_id, wanted.kind, target, product)))
        if existing is None:
            if len(session.scalars(select(Follow.id).where(Follow.user_id == user_id)).all()) \
                    >= MAX_FOLLOWS:
                raise Conflict(N_("you follow %(max)s things; unfollow some first"),
                               max=MAX_FOLLOWS)
            existing = Follow(user_id=user_id, kind=wanted.kind, product=product,
                              document_id=target if wanted.kind == "document" else None,
                              customer_id=target if wanted.kind == "customer" else None,
                              saved_search_id=target if wanted.kind == "search" else None)
            session.add(existing)
            session.flush()
            record_event(session, principal, "follow", detail=f"{wanted.kind} {target or product}",
                         document_id=target if wanted.kind == "document" else None)
        follow_id = existing.id
        uow.commit()
        found = [view for view in follow_views(session, principal) if view.follow_id == follow_id]
    return found[0]


def unfollow(ctx: Context, principal: Principal, follow_id: int) -> None:
    user_id = _person(principal)
    with ctx.uow() as uow:
        found = uow.session.get(Follow, follow_id)
        if found is None or found.user_id != user_id:
            raise NotFound(N_("you do not follow %(id)s"), id=follow_id)
        target = found.document_id or found.customer_id or found.saved_search_id
        record_event(uow.session, principal, "unfollow",
                     detail=f"{found.kind} {target or found.product}",
                     document_id=found.document_id)
        uow.session.execute(delete(Follow).where(Follow.id == follow_id))
        uow.commit()
