"""Health declaration app: citizen declarations, personal health QR, venue QR check-in,
epidemic areas and risk analytics. The manifest below is the app's only contact with core."""

from __future__ import annotations

from pathlib import Path

from apps.health_declaration.messages import MESSAGES
from apps.health_declaration.models import HealthSettings
from core.registry import App

app = App(
    id="health_declaration",
    title_vi="Khai báo y tế",
    title_en="Health declaration",
    migrations=Path(__file__).parent / "migrations",
    messages=MESSAGES,
    settings_model=HealthSettings,
)
