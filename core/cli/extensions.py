"""Core command groups that live in their own modules (keys, qr), added to the root group,
and the preparation step that creates signing keys before the server starts."""

from __future__ import annotations

import click


def register_core(cli: click.Group) -> None:
    """Add core's command groups that live outside main.py (once)."""
    from core.cli.qr_commands import keys_group, qr_group

    for group in (keys_group, qr_group):
        if group.name not in cli.commands:
            cli.add_command(group)


def prepare_keys() -> str | None:
    """Create the data folder's signing key on first start (idempotent); its kid if new."""
    from core.qr import service

    info, created = service.keystore().ensure_active()
    service.reset_cache()
    return info.kid_b64 if created else None
