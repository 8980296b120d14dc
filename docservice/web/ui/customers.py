"""Customers: list, create, edit, and each customer's documents with search facets."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from docservice.domain import CUSTOMER_STAGES, CUSTOMER_TYPES
from docservice.errors import N_, Conflict, InvalidInput
from docservice.services import customers
from docservice.web.i18n import error_message
from docservice.web.ui.blueprint import attempt, bp, ctx, principal
from docservice.web.ui.search_page import PAGE_SIZE, page_number, run_search

FORM_FIELDS = ("name", "type", "industry", "region", "stage")


def _form() -> dict[str, Any]:
    return {name: request.form.get(name, "") for name in FORM_FIELDS}


@bp.get("/customers")
def customer_list() -> Any:
    return render_template("customers.html", customers=customers.list_customers(ctx(), principal()),
                           types=CUSTOMER_TYPES, stages=CUSTOMER_STAGES)


@bp.post("/customers")
def create_customer() -> Any:
    try:
        customer_id = customers.create_customer(ctx(), principal(), _form())
    except (InvalidInput, Conflict) as exc:
        flash(error_message(exc), "error")
        return redirect(url_for("ui.customer_list"))
    return redirect(url_for("ui.customer", customer_id=customer_id))


@bp.get("/customers/<id:customer_id>")
def customer(customer_id: int) -> Any:
    found = customers.get_customer(ctx(), principal(), customer_id)
    query = request.args.get("q", "").strip()
    sort = request.args.get("sort", "date")
    page = page_number()
    raw = customers.customer_query(ctx(), principal(), customer_id, query)
    result, error, status = run_search(raw, page, sort=sort, all_versions=False)
    return render_template("customer.html", customer=found, q=query, sort=sort, page=page,
                           result=result, error=error, page_size=PAGE_SIZE,
                           types=CUSTOMER_TYPES, stages=CUSTOMER_STAGES), status


@bp.post("/customers/<id:customer_id>")
def update_customer(customer_id: int) -> Any:
    attempt(lambda: customers.update_customer(ctx(), principal(), customer_id, _form()),
            N_("Saved."))
    return redirect(url_for("ui.customer", customer_id=customer_id))
