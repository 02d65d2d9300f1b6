"""Core command groups that live in their own modules (keys, qr), added to the root group,
and the preparation step that creates signing keys before the server starts."""

from __future__ import annotations

import click


def register_core(cli: click.Group) -> None:
    """Add core's command groups that live outside main.py."""
    del cli


def prepare_keys() -> None:
    """Create the signing key on first start (filled in with the QR core)."""
