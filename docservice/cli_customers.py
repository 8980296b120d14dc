"""``docservice customers``: the customer list from a terminal (registered by cli.py)."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

import click

from docservice.cli import State, as_option, emit, handled, json_option, main, pass_state
from docservice.crm.formats import SOURCES
from docservice.domain import CUSTOMER_TYPES
from docservice.services import accounts, crm_import, customers
from docservice.views import CustomerImport


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


@main.command("import-customers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", type=click.Choice(SOURCES),
              help="the CRM that wrote the file (default: recognised from its header row)")
@click.option("--dry-run", is_flag=True, help="show what would change, change nothing")
@json_option
@pass_state
@handled
def import_customers(state: State, file: Path, source: str | None, dry_run: bool,
                     as_json: bool) -> None:
    """Create and update customers from a Zoho CRM Accounts or 纷享销客 客户 export (CSV or
    XLSX), or a CSV with the header name,crm_id,type,industry,region,stage,aliases.

    Customers are matched by the CRM's record id: the same export twice changes nothing.
    Nothing is imported while any row is refused (exit code 1)."""
    report = crm_import.import_customers(state.ctx, accounts.principal_for(state.ctx, None),
                                         file.read_bytes(), source=source, dry_run=dry_run)
    emit(asdict(report), as_json, lambda: _import_text(report))
    if report.refused:
        sys.exit(1)


def _import_text(report: CustomerImport) -> str:
    lines = [f"line {row.line}: {row.action} {row.name or '-'} ({row.crm_id or '-'})"
             + (f": {row.reason}" if row.reason else "")
             + (f": {'; '.join(row.changes)}" if row.changes and row.action == "update" else "")
             for row in report.rows if row.action != "unchanged"]
    verb = "would be" if report.dry_run else ("" if report.applied else "not")
    lines.append(f"{report.source}: {report.created} created, {report.updated} updated, "
                 f"{report.unchanged} unchanged, {report.refused} refused"
                 + (f" ({verb} imported)" if verb else ""))
    return "\n".join(lines)
