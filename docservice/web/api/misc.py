"""Customers, the audit log and the caller's own account."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from docservice import views
from docservice.inputs import CustomerFields, NewCustomer
from docservice.services import auditlog, crm_import, customers
from docservice.services import search as search_service
from docservice.views import SearchPage
from docservice.web.api import models as m
from docservice.web.api.blueprint import bp
from docservice.web.api.common import ctx, plain
from docservice.web.api.contract import endpoint
from docservice.web.auth import current_principal


@bp.get("/me")
@endpoint("Who the caller is", ok={200: m.Me})
def me() -> Any:
    principal = current_principal()
    return jsonify({"user_id": principal.user_id, "email": principal.email,
                    "role": principal.role.value, "team_ids": sorted(principal.team_ids)})


@bp.get("/customers")
@endpoint("The customers the caller may see, by name; filtered by type and buying stage",
          query=m.CustomerListParams, ok={200: list[views.CustomerView]})
def list_customers(query: m.CustomerListParams) -> Any:
    return jsonify(plain(customers.list_customers(ctx(), current_principal(), type=query.type,
                                                  stage=query.stage)))


@bp.post("/customers")
@endpoint("Create a customer", body=NewCustomer, ok={201: views.CustomerView},
          errors=(409, 422))
def create_customer(body: NewCustomer) -> Any:
    customer_id = customers.create_customer(ctx(), current_principal(), body)
    return jsonify(plain(customers.get_customer(ctx(), current_principal(), customer_id))), 201


@bp.get("/customers/<id:customer_id>")
@endpoint("One customer", ok={200: views.CustomerView})
def customer(customer_id: int) -> Any:
    return jsonify(plain(customers.get_customer(ctx(), current_principal(), customer_id)))


@bp.patch("/customers/<id:customer_id>")
@endpoint("Change a customer", body=CustomerFields, ok={200: views.CustomerView},
          errors=(409, 422))
def update_customer(customer_id: int, body: CustomerFields) -> Any:
    customers.update_customer(ctx(), current_principal(), customer_id, body)
    return jsonify(plain(customers.get_customer(ctx(), current_principal(), customer_id)))


@bp.get("/customers/<id:customer_id>/documents")
@endpoint("A customer's documents, with facets", query=m.CustomerSearchParams,
          ok={200: SearchPage})
def customer_documents(customer_id: int, query: m.CustomerSearchParams) -> Any:
    raw = customers.customer_query(ctx(), current_principal(), customer_id, query.q)
    return jsonify(plain(search_service.search(
        ctx(), current_principal(), raw, all_versions=query.all_versions, limit=query.limit,
        offset=query.offset, sort=query.sort)))


@bp.get("/customers/by-crm/<source>/<path:crm_id>")
@endpoint("The customer imported from a CRM record (source: zoho, fxiaoke or csv)",
          ok={200: views.CustomerView})
def customer_by_crm(source: str, crm_id: str) -> Any:
    return jsonify(plain(crm_import.customer_by_crm(ctx(), current_principal(), source, crm_id)))


@bp.get("/customers/by-crm/<source>/<path:crm_id>/documents")
@endpoint("The documents of the customer imported from a CRM record, with facets",
          query=m.CustomerSearchParams, ok={200: SearchPage})
def customer_by_crm_documents(source: str, crm_id: str, query: m.CustomerSearchParams) -> Any:
    found = crm_import.customer_by_crm(ctx(), current_principal(), source, crm_id)
    raw = customers.customer_query(ctx(), current_principal(), found.customer_id, query.q)
    return jsonify(plain(search_service.search(
        ctx(), current_principal(), raw, all_versions=query.all_versions, limit=query.limit,
        offset=query.offset, sort=query.sort)))


@bp.get("/audit")
@endpoint("Audit events, newest first", query=m.AuditParams, ok={200: list[views.EventView]})
def audit_log(query: m.AuditParams) -> Any:
    wanted = auditlog.AuditFilter(
        actor=query.actor or None, document_id=query.document_id, action=query.action,
        since=query.since, until=query.until, limit=query.limit, offset=query.offset)
    return jsonify(plain(auditlog.query_events(ctx(), current_principal(), wanted)))
