"""A test plugin with a ward-scoped role (``ward_worker``): scope is real before any built-in
app has a scoped role. Its service checks the area with ``core.auth.require_area``; its
dashboard panels include one that always fails (the dashboard must survive it)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from core.registry import App, Page, Panel, Role

WORKER = frozenset({"ward_worker"})


class WardSettings(BaseModel):
    max_note: int = 200
    strict: bool = False


def notes_page() -> None:
    import streamlit as st

    from core.ui.session import current_principal
    from tests.plugins.ward_app import service

    st.title("Ward notes")
    for row in service.list_notes(current_principal()):
        st.write(f"{row['ward_code']}: {row['body']}")


def notes_panel() -> None:
    import streamlit as st

    st.write("ward notes panel drawn")


def broken_panel() -> None:
    raise RuntimeError("this panel is broken on purpose")


app = App(
    id="ward_app",
    title_vi="Ghi chú phường",
    title_en="Ward notes",
    roles=[Role("ward_worker", "Cán bộ phường (thử nghiệm)", "Ward worker (test)", scope="ward")],
    pages=[Page("ward_app.notes", "ward.notes", notes_page, WORKER)],
    panels=[
        Panel("ward_app.broken", "ward.broken", broken_panel, WORKER),
        Panel("ward_app.panel", "ward.panel", "tests.plugins.ward_app:notes_panel", WORKER),
    ],
    migrations=Path(__file__).parent / "migrations",
    messages={
        "ward.notes": {"vi": "Ghi chú phường", "en": "Ward notes"},
        "ward.panel": {"vi": "Ghi chú trong phường", "en": "Notes in the ward"},
        "ward.broken": {"vi": "Bảng hỏng", "en": "Broken panel"},
    },
    settings_model=WardSettings,
)
