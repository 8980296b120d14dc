"""``docservice customers``: the customer list from a terminal (registered by cli.py)."""

from __future__ import annotations

from dataclasses import asdict

import click

from docservice.cli import State, as_option, emit, handled, json_option, main, pass_state
from docservice.domain import CUSTOMER_TYPES
from docservice.services import accounts, customers


@main.command("customers")
@click.option("--type", "type_", type=click.Choice(CUSTOMER_TYPES), help="only this type")
@click.option("--stage", help="only this buying stage (a code, e.g. negotiation)")
@as_option
@json_option
@pass_state
@handled
def list_customers(state: State, type_: str | None, stage: str | None, as_email: str | None,
                   as_json: bool) -> None:
    """List the customers you may see, with type, industry, region, stage and CRM id."""
    ctx = state.ctx
    found = customers.list_customers(ctx, accounts.principal_for(ctx, as_email), type=type_,
                                      stage=stage)
    emit([asdict(c) for c in found], as_json, lambda: "\n".join(
        "\t".join([c.name, c.type, c.industry or "-", c.region or "-", c.stage,
                   f"{c.crm_source}:{c.crm_id}" if c.crm_source else "-"]) for c in found))
