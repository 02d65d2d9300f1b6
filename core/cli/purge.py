"""``rapid purge [--dry-run] [--json]``: delete the records older than their retention
(``core.retention``), one transaction per kind, and print the rows per kind. Exit 1 when a
setting is wrong or a delete fails."""

from __future__ import annotations

import json
import sys

import click


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def purge_cmd(dry_run: bool, as_json: bool) -> None:
    """Delete records older than their retention (declarations, check-ins, isolation records,
    token texts, scan logs, audit...) and print how many rows of each kind."""
    from core import retention
    from core.cli.main import open_store

    try:
        with open_store() as store:
            counts = retention.purge(dry_run=dry_run, store=store)
            days = {k.name: k.days for k in retention.kinds()}
    except ValueError as exc:  # a bad retention_days setting
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - one line, non-zero exit
        click.echo(f"error: purge failed: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, "rows": counts, "days": days}, indent=2))
        return
    verb = "would delete" if dry_run else "deleted"
    width = max((len(k) for k in counts), default=10)
    for name, n in counts.items():
        click.echo(f"{name:<{width}}  {days.get(name, '?'):>5} d  {verb} {n}")
    click.echo(f"total {verb} {sum(counts.values())}")
