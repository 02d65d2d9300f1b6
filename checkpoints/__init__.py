"""The checkpoint scanner, a plugin like the apps: frames -> decode -> verify -> verdict -> scan
log. It never imports an app: tokens are dispatched on their prefix to the rule the app
registered, and each verdict is shown with the labels that app declares. The manifest below is
the whole contract; it imports nothing heavy (pages, CLI and services load on first use)."""

from __future__ import annotations

from pathlib import Path

from core.registry import App, Page, Retention, Role, lazy

from .messages import MESSAGES
from .settings import CheckpointSettings

app = App(
    id="checkpoints",
    title_vi="Chốt kiểm soát",
    title_en="Checkpoints",
    roles=[Role("checkpoint", "Cán bộ chốt kiểm soát", "Checkpoint staff")],
    pages=[
        Page(
            "checkpoints.scan",
            "cp.page.scan",
            "checkpoints.pages:scanner",
            frozenset({"checkpoint"}),
            ":material/qr_code_scanner:",
        ),
        Page(
            "checkpoints.dashboard",
            "cp.page.dashboard",
            "checkpoints.pages:dashboard",
            frozenset({"checkpoint", "admin", "approver", "health_officer"}),
            ":material/monitoring:",
        ),
    ],
    migrations=Path(__file__).parent / "migrations",
    retention={
        # a scan log line (keyed hash of the token id, checkpoint, verdict), 30 days
        "scan_logs": Retention("cp_scans", "scanned_at", 30, key="scan_id"),
    },
    messages=MESSAGES,
    seed_demo=lazy("checkpoints.demo:seed"),
    stats=lazy("checkpoints.service:stats"),
    register_commands=lazy("checkpoints.cli:register"),
    settings_model=CheckpointSettings,
    optional_roles=("approver", "health_officer"),  # they watch the dashboard where installed
    interfaces={"add_checkpoint": lazy("checkpoints.service:add_checkpoint")},  # admins only
)
