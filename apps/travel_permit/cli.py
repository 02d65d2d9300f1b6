"""``rapid permits ...``: a few shell commands for operators."""

from __future__ import annotations

import json

import click


def register(group: click.Group) -> None:
    @group.group("permits")
    def permits() -> None:
        """Travel permits: counts and permit lookup."""

    @permits.command("stats")
    def stats_cmd() -> None:
        """Counts of businesses, applications, decisions and permits (JSON)."""
        from core.store import get_store

        from . import service

        click.echo(json.dumps(service.stats(get_store()), indent=2))

    @permits.command("text")
    @click.argument("permit_id")
    def text_cmd(permit_id: str) -> None:
        """The QR text of one permit (pipe it to `rapid qr verify`)."""
        from core.qr import service as qr
        from core.store import get_store

        texts = qr.token_texts([permit_id], store=get_store())
        if permit_id not in texts:
            raise click.ClickException(f"no permit {permit_id}")
        click.echo(texts[permit_id])
