"""Venue review (issue 18 items 7 and 9): a business's venue waits for a health officer, who
approves it (``service.approve_venue``) or rejects it with a reason its owner reads; the
officer's home page counts the venues waiting; a venue sent twice is registered once.

Roles are checked here: health officers review and see what waits; a business sees the
reasons given for its own venues only. Every decision writes an audit row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pandas as pd

from apps.health_declaration import service
from apps.health_declaration.forms import VENUE
from core import audit, clock
from core.auth import Principal, require
from core.i18n import t
from core.store import Store, get_store

log = logging.getLogger(__name__)

OFFICER = "health_officer"
BUSINESS = "business"
REASON_MIN = 5
"""Characters a rejection reason needs at least (a few words the owner can act on)."""
REASON_MAX = 300
"""Characters a rejection reason keeps at most (longer text is refused, not cut)."""
SAME_VENUE_MINUTES = 10
"""The same venue sent again by the same account within this long is the first one."""
PENDING_PAGE = "health_declaration.venues"

_REGISTERING = threading.Lock()
"""One registration at a time in this process: the look-up for the same venue and the insert
cannot interleave (two clicks arriving together on two server threads)."""


class ReviewError(ValueError):
    """A decision that cannot be taken (the message is for the officer, translated)."""


def _st(store: Store | None) -> Store:
    return store or get_store()


def clean_reason(text: object) -> str:
    """A rejection reason as kept: whitespace (line breaks, tabs, control characters) folded
    to single spaces. ReviewError when it is shorter than ``REASON_MIN`` or longer than
    ``REASON_MAX`` characters."""
    raw = "" if text is None else str(text)
    folded = "".join(ch if ch.isprintable() else " " for ch in raw)
    reason = " ".join(folded.split())
    if len(reason) < REASON_MIN:
        raise ReviewError(t("hd.review.err.reason_short", n=REASON_MIN))
    if len(reason) > REASON_MAX:
        raise ReviewError(t("hd.review.err.reason_long", n=REASON_MAX))
    return reason


def pending_count(principal: Principal, *, store: Store | None = None) -> int:
    """How many venues wait for a health officer's decision (health officers)."""
    require(principal, OFFICER)
    return int(_st(store).scalar("SELECT count(*) FROM hd_venues WHERE status = 'pending'") or 0)


def reject_venue(
    principal: Principal, venue_id: int, reason: object, *, store: Store | None = None
) -> str:
    """Reject a pending venue with a reason its owner reads (health officers): the venue
    gets no QR. Audited with the reason. Returns the reason as kept."""
    require(principal, OFFICER)
    why = clean_reason(reason)
    st = _st(store)
    with st.transaction() as cur:
        row = cur.execute(
            "UPDATE hd_venues SET status = 'rejected' WHERE id = ? AND status = 'pending'"
            " RETURNING name",
            [int(venue_id)],
        ).fetchone()
        if row is None:
            raise ReviewError(t("hd.err.venue_not_pending"))
        cur.execute(
            "INSERT INTO hd_venue_rejections (venue_id, reason, rejected_at, rejected_by)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (venue_id) DO UPDATE SET reason = excluded.reason,"
            " rejected_at = excluded.rejected_at, rejected_by = excluded.rejected_by",
            [int(venue_id), why, clock.utcnow_naive(), principal.actor],
        )
        audit.record(
            principal,
            "hd.venue.reject",
            "venue",
            str(int(venue_id)),
            {"name": str(row[0]), "reason": why},
            store=st,
        )
    log.info("venue %s rejected by %s", venue_id, principal.actor)
    return why


def venues(principal: Principal, *, store: Store | None = None) -> pd.DataFrame:
    """The venues the principal sees (``service.list_venues``: a business its own, an officer
    all), each with the reason it was rejected ('' when it was not). Business, officers."""
    frame = service.list_venues(principal, store=store).copy()
    frame["reject_reason"] = ""
    if frame.empty:
        return frame
    reasons = dict(
        _st(store).fetchall(
            "SELECT venue_id, reason FROM hd_venue_rejections WHERE list_contains(?, venue_id)",
            [[int(v) for v in frame["id"]]],
        )
    )
    frame["reject_reason"] = [reasons.get(int(v), "") for v in frame["id"]]
    return frame


def rejection_reason(
    principal: Principal, venue_id: int, *, store: Store | None = None
) -> str | None:
    """Why a venue was rejected (its owner or an officer; None when it was not rejected)."""
    service.get_venue(principal, int(venue_id), store=store)  # the owner's or an officer's
    found = _st(store).scalar(
        "SELECT reason FROM hd_venue_rejections WHERE venue_id = ?", [int(venue_id)]
    )
    return None if found is None else str(found)


def register_once(
    principal: Principal, raw: Mapping[str, Any], *, store: Store | None = None
) -> service.Venue:
    """``service.register_venue`` unless this account registered the same venue (name, street
    and ward) less than ``SAME_VENUE_MINUTES`` ago and it is still pending or open: then that
    venue (a double click, a second tab). ``FormInvalid`` names the field at fault."""
    require(principal, BUSINESS, OFFICER)
    values = VENUE.validate(raw)
    st = _st(store)
    with _REGISTERING:
        same = _same_venue(principal, values, st)
        if same is None:
            return service.register_venue(principal, raw, store=st)
    log.info("venue %s sent again by %s: not registered twice", same, principal.actor)
    return service.get_venue(principal, same, store=st)


def _same_venue(principal: Principal, values: Mapping[str, Any], st: Store) -> int | None:
    """The id of the same venue this account registered lately (pending or open), if any."""
    since = clock.utcnow_naive() - timedelta(minutes=SAME_VENUE_MINUTES)
    same = st.scalar(
        "SELECT id FROM hd_venues WHERE created_by = ? AND created_at >= ?"
        " AND lower(trim(name)) = lower(trim(?)) AND lower(trim(street)) = lower(trim(?))"
        " AND ward_code = ? AND status IN ('pending', 'open') ORDER BY id DESC LIMIT 1",
        [
            principal.actor,
            since,
            str(values["name"]),
            str(values["street"]),
            int(values["ward_code"]),
        ],
    )
    return None if same is None else int(same)


def pending_work(principal: Principal, *, store: Store | None = None) -> list[tuple[str, int, str]]:
    """The home page's line for this app: venues waiting for approval, for a health officer
    (nothing for other roles). ``[(message key, count, page key)]``."""
    if not principal.has(OFFICER):
        return []
    n = pending_count(principal, store=store)
    return [("hd.pending.venues", n, PENDING_PAGE)] if n else []


__all__ = [
    "ReviewError",
    "clean_reason",
    "pending_count",
    "pending_work",
    "register_once",
    "reject_venue",
    "rejection_reason",
    "venues",
]
