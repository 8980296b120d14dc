"""Customers: list, create, edit, and each customer's documents with search facets."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from docservice.domain import CUSTOMER_TYPES
from docservice.errors import N_, Conflict, InvalidInput
from docservice.inputs import CustomerFields, NewCustomer
from docservice.services import customers
from docservice.web.i18n import error_message
from docservice.web.ui.blueprint import attempt, bp, ctx, principal
from docservice.web.ui.search_page import PAGE_SIZE, page_number, run_search
from docservice.web.validation import Model, validated

CLEARABLE = ("industry", "region")


def _form(model: type[Model]) -> Model:
    """The customer form checked by the API's model: a blank name, type or stage is left
    as it is; a blank industry or region clears it; other names are one a line."""
    sent = {name: value.strip() for name, value in request.form.items()
            if name in model.model_fields}
    data: dict[str, Any] = {name: value or None for name, value in sent.items()
                            if value or name in CLEARABLE}
    if "aliases" in sent:
        data["aliases"] = [line.strip() for line in sent["aliases"].splitlines() if line.strip()]
    return validated(model, data)


def _choices() -> dict[str, Any]:
    return {"types": CUSTOMER_TYPES, "stages": ctx().settings.customer_stages}


@bp.get("/customers")
def customer_list() -> Any:
    wanted_type = request.args.get("type") or None
    wanted_stage = request.args.get("stage") or None
    found = customers.list_customers(ctx(), principal(), type=wanted_type, stage=wanted_stage)
    return render_template("customers.html", customers=found, type=wanted_type,
                           stage=wanted_stage, **_choices())


@bp.post("/customers")
def create_customer() -> Any:
    try:
        customer_id = customers.create_customer(ctx(), principal(), _form(NewCustomer))
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
    material = customers.customer_material(ctx(), principal(), customer_id)
    return render_template("customer.html", customer=found, q=query, sort=sort, page=page,
                           result=result, error=error, page_size=PAGE_SIZE,
                           material=material, today=date.today().isoformat(),
                           **_choices()), status


@bp.post("/customers/<id:customer_id>")
def update_customer(customer_id: int) -> Any:
    attempt(lambda: customers.update_customer(ctx(), principal(), customer_id,
                                              _form(CustomerFields)),
            N_("Saved."))
    return redirect(url_for("ui.customer", customer_id=customer_id))
