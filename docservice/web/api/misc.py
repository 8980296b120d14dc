"""Customers, the audit log and the caller's own account."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from docservice.services import auditlog, customers
from docservice.services import search as search_service
from docservice.web.api.blueprint import bp
from docservice.web.api.common import bool_arg, ctx, int_arg, json_body, plain
from docservice.web.auth import current_principal
from docservice.web.forms import optional_date, optional_int


@bp.get("/me")
def me() -> Any:
    principal = current_principal()
    return jsonify({"user_id": principal.user_id, "email": principal.email,
                    "role": principal.role.value, "team_ids": sorted(principal.team_ids)})


@bp.get("/customers")
def list_customers() -> Any:
    return jsonify(plain(customers.list_customers(ctx(), current_principal())))


@bp.post("/customers")
def create_customer() -> Any:
    customer_id = customers.create_customer(ctx(), current_principal(), json_body())
    return jsonify(plain(customers.get_customer(ctx(), current_principal(), customer_id))), 201


@bp.get("/customers/<id:customer_id>")
def customer(customer_id: int) -> Any:
    return jsonify(plain(customers.get_customer(ctx(), current_principal(), customer_id)))


@bp.patch("/customers/<id:customer_id>")
def update_customer(customer_id: int) -> Any:
    customers.update_customer(ctx(), current_principal(), customer_id, json_body())
    return jsonify(plain(customers.get_customer(ctx(), current_principal(), customer_id)))


@bp.get("/customers/<id:customer_id>/documents")
def customer_documents(customer_id: int) -> Any:
    raw = customers.customer_query(ctx(), current_principal(), customer_id,
                                   request.args.get("q", ""))
    return jsonify(plain(search_service.search(
        ctx(), current_principal(), raw, all_versions=bool_arg("all_versions"),
        limit=int_arg("limit", 20), offset=int_arg("offset", 0),
        sort=request.args.get("sort", "date"))))


@bp.get("/audit")
def audit_log() -> Any:
    wanted = auditlog.AuditFilter(
        actor=request.args.get("actor") or None,
        document_id=optional_int(request.args.get("document_id"), "document_id"),
        action=request.args.get("action") or None,
        since=optional_date(request.args.get("since"), "since"),
        until=optional_date(request.args.get("until"), "until"),
        limit=int_arg("limit", 100), offset=int_arg("offset", 0))
    return jsonify(plain(auditlog.query_events(ctx(), current_principal(), wanted)))
