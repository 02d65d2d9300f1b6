"""The checkpoint scanner, a plugin like the apps: frames -> decode -> verify -> verdict -> scan
log. It never imports an app: tokens are dispatched on their prefix to the rule the app
registered. The manifest below is the whole contract."""

from __future__ import annotations

from pathlib import Path

from core.registry import App, Page

from . import cli, demo, pages, service
from .messages import MESSAGES
from .settings import CheckpointSettings

app = App(
    id="checkpoints",
    title_vi="Chốt kiểm soát",
    title_en="Checkpoints",
    pages=[
        Page(
            "checkpoints.scan",
            "cp.page.scan",
            pages.scanner,
            frozenset({"checkpoint"}),
            ":material/qr_code_scanner:",
        ),
        Page(
            "checkpoints.dashboard",
            "cp.page.dashboard",
            pages.dashboard,
            frozenset({"checkpoint", "admin", "approver", "health_officer"}),
            ":material/monitoring:",
        ),
    ],
    migrations=Path(__file__).parent / "migrations",
    messages=MESSAGES,
    seed_demo=demo.seed,
    stats=service.stats,
    register_commands=cli.register,
    settings_model=CheckpointSettings,
)
