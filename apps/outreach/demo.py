"""Demo data: follow-up cases for the last week of the health declaration demo (a plausible
backlog: most people reached the same day, some after a retry, some not yet), today's cases
from the passes declared today, a few F0s of the last days of the demo's check-ins (registered
then, released since) whose co-located contacts became exposure cases, and a ward health
worker's account (``worker``) for the ward with the most cases today.

Cases are opened through the service (the same code as a worker's sync); attempts are made
up in one SQL statement each from a hash of the case id (no loop per row)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pandas as pd

from apps.outreach import service
from core import accounts, clock, risk
from core.auth import Principal
from core.registry import DemoContext
from core.store import Store

log = logging.getLogger(__name__)

SYSTEM = Principal(username="demo", roles=frozenset({"health_officer"}))
WINDOW_DAYS = 7
F0S = {"small": 3, "city": 40}
_HASH_100 = (
    "((strpos('0123456789abcdef', substr(md5(id), 1, 1)) - 1) * 4096"
    " + (strpos('0123456789abcdef', substr(md5(id), 2, 1)) - 1) * 256"
    " + (strpos('0123456789abcdef', substr(md5(id), 3, 1)) - 1) * 16"
    " + strpos('0123456789abcdef', substr(md5(id), 4, 1)) - 1) % 100"
)
"""A case's draw (0-99) from its id: the first 16 bits of its MD5, the same on both databases."""


def _demo_f0s(store: Store, start, end, count: int) -> None:
    """Some people who checked in during the window were F0 (registered then, released by its
    end): their co-located contacts become exposures. Their signals are closed (not active)."""
    frame = store.df(
        "SELECT DISTINCT person_id FROM hd_checkins WHERE checked_in_at >= ? AND checked_in_at < ?"
        " ORDER BY person_id LIMIT ?",
        [start + timedelta(days=2), start + timedelta(days=3), count],
    )
    if frame.empty:
        return
    risk.record_many(
        pd.DataFrame(
            {
                "person_id": frame["person_id"],
                "source": "isolation",
                "ref": "demo-" + frame["person_id"],
                "level": "red",
                "reason_code": "F0",
                "since": start + timedelta(days=3),
            }
        ),
        actor="demo",
        store=store,
    )
    store.execute(
        "UPDATE person_risk SET cleared_at = ? WHERE source = 'isolation' AND ref LIKE 'demo-%'",
        [end],
    )


def _made_up_attempts(store: Store, end) -> None:
    """Attempts for the backdated cases, decided by a hash of the case id: 55% reached within
    hours, 15% reached on the second day after a missed call, 8% referred for testing after
    40 h, 4% wrong numbers, the rest still open (half with a missed call). Only attempts
    before the end of the window happen; later cases stay open: the backlog. Cases that already
    have attempts (an earlier demo, a worker's calls) are left as they are."""
    store.execute(
        "INSERT INTO or_attempts (case_id, attempt_no, attempted_at, outcome, note, worker)"  # noqa: S608 - constant
        " WITH c AS (SELECT id, event_at, (" + _HASH_100 + ") AS u FROM or_cases"
        " WHERE opened_at = event_at AND id NOT IN (SELECT case_id FROM or_attempts)),"
        " a AS (SELECT id, 1 AS n, event_at + INTERVAL 1 HOUR * (2 + u % 18) AS t_at,"
        " CASE WHEN u < 55 THEN 'reached' WHEN u < 70 THEN 'not_reachable'"
        " WHEN u < 78 THEN 'referred' WHEN u < 82 THEN 'wrong_number'"
        " ELSE 'not_reachable' END AS outcome FROM c WHERE u < 91"
        " UNION ALL SELECT id, 2, event_at + INTERVAL 1 HOUR * (26 + u % 20), 'reached'"
        " FROM c WHERE u >= 55 AND u < 70)"
        " SELECT id, n, CASE WHEN outcome = 'referred' THEN t_at + INTERVAL 22 HOUR ELSE t_at END,"
        " outcome, '', 'demo' FROM a WHERE t_at < ?",
        [end],
    )
    store.execute(
        "UPDATE or_cases SET attempts = s.n, last_attempt_at = s.last, outcome = s.outcome,"
        " reached_at = s.reached, status = CASE WHEN s.done THEN 'closed' ELSE 'open' END,"
        " closed_at = CASE WHEN s.done THEN s.last END,"
        " due_on = CASE WHEN s.done THEN or_cases.due_on"
        " ELSE CAST(timezone('Asia/Ho_Chi_Minh', timezone('UTC', s.last)) AS DATE) + 1 END"
        " FROM (SELECT case_id, count(*) AS n, max(attempted_at) AS last,"
        " (array_agg(outcome ORDER BY attempted_at DESC))[1] AS outcome,"
        " min(attempted_at) FILTER (WHERE outcome IN ('reached', 'referred')) AS reached,"
        " bool_or(outcome IN ('reached', 'referred', 'wrong_number')) AS done"
        " FROM or_attempts GROUP BY case_id HAVING bool_and(worker = 'demo')) s"
        " WHERE or_cases.id = s.case_id"
    )


def seed(ctx: DemoContext) -> None:
    store = ctx.store
    opening = clock.utcnow_naive()  # cases opened from here on are this demo's
    latest = store.scalar("SELECT max(declared_at) FROM hd_declarations WHERE source = 'demo'")
    last_checkin = store.scalar("SELECT max(checked_in_at) FROM hd_checkins WHERE method = 'demo'")
    if last_checkin is not None:
        # the demo's check-ins end before its declarations: F0s of their last days
        end = min(last_checkin, clock.utcnow_naive())
        begin = end - timedelta(days=3)
        ctx.progress(0.1, "F0s and their contacts")
        _demo_f0s(store, begin, end, F0S.get(ctx.scale, 3))
        service.open_cases(SYSTEM, begin, end, notify=False, store=store)
    if latest is not None:
        latest = min(latest, clock.utcnow_naive())  # a clock set inside the demo's months
        start = latest - timedelta(days=WINDOW_DAYS)
        ctx.progress(0.2, "cases of the last week")
        service.open_cases(SYSTEM, start, latest + timedelta(seconds=1), notify=False, store=store)
        store.execute(  # opened as they came (this demo's cases only)
            "UPDATE or_cases SET opened_at = event_at WHERE opened_at >= ?", [opening]
        )
        ctx.progress(0.7, "calls of the last week")
        _made_up_attempts(store, latest)
    ctx.progress(0.85, "cases of today")
    now = clock.utcnow_naive()
    service.open_cases(SYSTEM, now - timedelta(days=1), now + timedelta(seconds=1), notify=False,
                       store=store)  # fmt: skip
    ward = store.scalar(
        "SELECT ward_code FROM or_cases WHERE status = 'open' AND opened_at > ?"
        " GROUP BY ward_code ORDER BY count(*) DESC, ward_code LIMIT 1",
        [now - timedelta(days=1)],
    ) or store.scalar("SELECT min(ward_code) FROM or_cases")
    if ward is not None and not accounts.user_exists("worker", store=store):
        from core.demo import DEMO_PASSWORD

        accounts.insert_user(
            "system",
            "worker",
            "Võ Thị Gọi",
            f"health_worker@ward:{int(ward)}",
            DEMO_PASSWORD,
            store=store,
        )
    log.info("outreach demo: %s", service.stats(store))
