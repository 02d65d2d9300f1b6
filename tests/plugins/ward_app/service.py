"""The ward plugin's service: every entry point checks the role and the area itself."""

from __future__ import annotations

from typing import Any

from core import audit
from core.auth import Principal, require, require_area
from core.store import Store, get_store


def add_note(
    principal: Principal, ward_code: int, body: str, *, store: Store | None = None
) -> None:
    """A ward worker writes a note about a ward of their area only."""
    require_area(principal, "ward_worker", ward_code=ward_code)
    store = store or get_store()
    with store.transaction():
        store.execute(
            "INSERT INTO ward_notes (ward_code, body, created_by) VALUES (?, ?, ?)",
            [int(ward_code), body, principal.actor],
        )
        audit.record(principal, "ward.note", "ward", str(ward_code), store=store)


def list_notes(principal: Principal, *, store: Store | None = None) -> list[dict[str, Any]]:
    """The notes of the principal's area (everywhere when the grant is unscoped)."""
    require(principal, "ward_worker")
    rows = (store or get_store()).records(
        "SELECT ward_code, body FROM ward_notes ORDER BY ward_code, body"
    )
    area = principal.area("ward_worker")
    return [r for r in rows if area is None or area.allows(ward_code=r["ward_code"])]


def province_report(principal: Principal, province_code: int) -> str:
    """Province-wide work: a ward grant is not enough."""
    require_area(principal, "ward_worker", province_code=province_code)
    return f"report {province_code}"
