"""Retention: every kind of personal record is kept for a set time, then deleted.

Each app declares its kinds on its manifest (``App.retention``: ``core.registry.Retention``,
data); core declares its own here (``CORE``). The days of a kind are its default, or the
setting ``retention_days`` (``[retention_days]`` in rapid.toml, keys ``"<app>.<kind>"`` or
``"core.<kind>"``; unknown keys and days out of 1..36500 are refused by ``problems``).

``purge`` deletes, per kind in one transaction, the rows older than the kind's days (with their
child rows) and writes one audit row with the counts; ``dry_run`` counts only. The audit log is
kept longest (two years by default): it is the record of who read and decided what.

The daily job: ``run_if_due`` claims the day's run through a row of ``app_state``
(``retention.last_run``, an UPDATE guarded by the time: of two server processes only one wins),
and ``start_daily`` runs it from a background thread of the web server every hour;
``last_run_warning`` tells the admin page when the last purge is older than two days.
"""

from __future__ import annotations

import difflib
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core import audit, clock
from core.registry import Retention, get_registry
from core.store import Store, get_store

log = logging.getLogger(__name__)

ACTOR = "system:retention"
STATE_KEY = "retention.last_run"
RUN_EVERY = timedelta(days=1)
WARN_AFTER = timedelta(days=2)
MAX_DAYS = 36500

CORE: dict[str, Retention] = {
    # tokens' texts: an expired token's row, and a revoked token's text (``_blank_revoked``),
    # this long after the expiry or the revocation
    "token_texts": Retention("qr_tokens", "expires_at", 30, key="token_id"),
    # the revocation list keeps a token's id until the token has expired (a day of margin)
    "revocations": Retention("qr_revocations", "expires_at", 1, key="token_id"),
    "sms_outbox": Retention("notify_outbox", "created_at", 90, key="dedupe_key"),
    "audit_counts": Retention("audit_counts", "hour", 730, key="hour"),
    "audit": Retention("audit_log", "occurred_at", 730),
}
"""Core's own kinds, purged after the apps' kinds (in this order)."""


@dataclass(frozen=True)
class Kind:
    name: str  # "<app>.<kind>" or "core.<kind>"
    rule: Retention
    days: int


def _overrides() -> dict[str, int]:
    from core.config import get_settings

    return dict(getattr(get_settings(), "retention_days", None) or {})


def declared() -> dict[str, Retention]:
    """Every kind: the apps' (in dependency order), then core's."""
    out: dict[str, Retention] = {}
    for app in get_registry().apps:
        for kind, rule in (getattr(app, "retention", None) or {}).items():
            out[f"{app.id}.{kind}"] = rule
    for kind, rule in CORE.items():
        out[f"core.{kind}"] = rule
    return out


def problems(
    overrides: Mapping[str, Any], kinds: Mapping[str, Retention] | None = None
) -> list[str]:
    """What is wrong with the ``retention_days`` setting: unknown kinds (with the closest
    known one) and days that are not a whole number in 1..36500."""
    known = kinds if kinds is not None else declared()
    out: list[str] = []
    for name, days in overrides.items():
        if name not in known:
            close = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else f"; known: {', '.join(known)}"
            out.append(f"[retention_days] {name}: unknown kind{hint}")
        elif isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
            out.append(f"[retention_days] {name}: days must be a whole number 1..{MAX_DAYS}")
    return out


def kinds(overrides: Mapping[str, int] | None = None) -> list[Kind]:
    """Every kind with its days (the setting's, else the default). Raises ValueError on a bad
    setting."""
    given = _overrides() if overrides is None else dict(overrides)
    known = declared()
    bad = problems(given, known)
    if bad:
        raise ValueError("; ".join(bad))
    return [
        Kind(name, rule, int(given.get(name, rule.default_days))) for name, rule in known.items()
    ]


def _condition(rule: Retention) -> tuple[str, list[Any]]:
    """``WHERE`` of the rows of a kind that are due (identifiers were checked at load)."""
    cols = rule.time_columns
    when = cols[0] if len(cols) == 1 else f"coalesce({', '.join(cols)})"
    parts = [f"{when} < ?"]
    params: list[Any] = []
    for column, value in rule.where:
        parts.append(f"{column} = ?")
        params.append(value)
    return " AND ".join(parts), params


def _table_exists(store: Store, table: str) -> bool:
    return bool(
        store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table])
    )


def _blank_revoked(store: Store, cutoff: datetime, *, dry_run: bool) -> int:
    """A revoked token's text is not needed after its retention: blank it (its row, for the
    permit's history, stays until the token expires)."""
    cond = (
        "token_text <> '' AND token_id IN (SELECT token_id FROM qr_revocations"
        " WHERE revoked_at < ?)"
    )
    n = int(store.scalar(f"SELECT count(*) FROM qr_tokens WHERE {cond}", [cutoff]) or 0)  # noqa: S608
    if n and not dry_run:
        store.execute(f"UPDATE qr_tokens SET token_text = '' WHERE {cond}", [cutoff])  # noqa: S608
    return n


def _purge_kind(store: Store, kind: Kind, now: datetime, *, dry_run: bool) -> int:
    rule = kind.rule
    cutoff = now - timedelta(days=kind.days)
    if kind.name == "core.revocations":  # by the expiry of the revoked token
        where = "token_id IN (SELECT token_id FROM qr_tokens WHERE expires_at < ?)"
        params: list[Any] = [cutoff]
    elif kind.name == "core.token_texts":  # a revoked token's row waits for its revocation
        where = "expires_at < ? AND token_id NOT IN (SELECT token_id FROM qr_revocations)"
        params = [cutoff]
    else:
        where, params = _condition(rule)
        params = [cutoff, *params]
    table = rule.table
    n = int(store.scalar(f"SELECT count(*) FROM {table} WHERE {where}", params) or 0)  # noqa: S608
    if kind.name == "core.token_texts":
        n += _blank_revoked(store, cutoff, dry_run=dry_run)
    if dry_run or not n:
        return n
    for child, column in rule.children:
        store.execute(
            f"DELETE FROM {child} WHERE {column} IN (SELECT {rule.key} FROM {table}"  # noqa: S608
            f" WHERE {where})",
            params,
        )
    store.execute(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608
    return n


def purge(
    *,
    dry_run: bool = False,
    overrides: Mapping[str, int] | None = None,
    store: Store | None = None,
    actor: str = ACTOR,
) -> dict[str, int]:
    """Delete what is older than its retention, kind by kind (one transaction each); returns
    the rows per kind (the rows that would go, with ``dry_run``). Writes one audit row with
    the counts (``retention.purge``) unless dry. A kind whose table is not installed is
    skipped. Raises on a bad setting or a failed delete (the kinds done stay done)."""
    st = store or get_store()
    now = clock.utcnow_naive()
    counts: dict[str, int] = {}
    for kind in kinds(overrides):
        if not _table_exists(st, kind.rule.table):
            continue
        if dry_run:
            counts[kind.name] = _purge_kind(st, kind, now, dry_run=True)
            continue
        with st.transaction():
            counts[kind.name] = _purge_kind(st, kind, now, dry_run=False)
    if not dry_run:
        audit.record(
            actor,
            "retention.purge",
            "retention",
            now.date().isoformat(),
            {"deleted": counts, "total": sum(counts.values())},
            store=st,
        )
        log.info("purge: %d rows deleted (%s)", sum(counts.values()), counts)
    return counts


# -- the daily job ------------------------------------------------------------------------------


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")


def claim_run(store: Store | None = None) -> bool:
    """Claim today's purge: True for the one caller (of every server process sharing the
    database) that moves ``retention.last_run`` forward, when it is a day old or missing."""
    st = store or get_store()
    now = clock.utcnow_naive()
    with st.transaction() as cur:
        cur.execute(
            "INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO NOTHING",
            [STATE_KEY, _stamp(datetime(1970, 1, 1)), now],
        )
        won = cur.execute(
            "UPDATE app_state SET value = ?, updated_at = ? WHERE key = ? AND value <= ?"
            " RETURNING key",
            [_stamp(now), now, STATE_KEY, _stamp(now - RUN_EVERY)],
        ).fetchall()
    return bool(won)


def run_if_due(store: Store | None = None) -> dict[str, int] | None:
    """Run the purge when a day has passed since the last run (in any process); None when
    not due. A failed purge is logged and raised."""
    from core.demo import is_demo

    st = store or get_store()
    if is_demo(st):
        # The demo's seed tells a story from February 2021 on (Da Nang's figures): a daily
        # purge would delete most of it on the first start. `rapid purge` still works by hand.
        return None
    if not claim_run(st):
        return None
    try:
        return purge(store=st)
    except Exception:
        log.exception("the daily purge failed")
        raise


def last_run(store: Store | None = None) -> datetime | None:
    value = (store or get_store()).get_state(STATE_KEY)
    if not value or value.startswith("1970"):
        return None
    return datetime.fromisoformat(value)


def last_run_warning(store: Store | None = None) -> str | None:
    """For the admin page: a sentence when the last purge is older than two days (or never
    ran), else None."""
    from core.i18n import get_locale
    from core.retention_messages import MESSAGES

    def text(key: str, **kwargs: Any) -> str:
        texts = MESSAGES[key]
        return texts.get(get_locale(), texts["vi"]).format(**kwargs)

    from core.demo import is_demo

    if is_demo(store):
        return None  # the daily job leaves a demo's seed alone (``run_if_due``)
    when = last_run(store)
    if when is None:
        return text("retention.never")
    if clock.utcnow_naive() - when > WARN_AFTER:
        return text("retention.late", when=clock.fmt_local(when))
    return None


_started = threading.Event()


def start_daily(interval_s: float = 3600.0) -> threading.Thread | None:
    """Start the background thread of this server process that runs ``run_if_due`` every
    ``interval_s`` seconds (once per process; the claim makes it once a day in all)."""
    if _started.is_set():
        return None
    _started.set()

    def loop() -> None:
        while True:
            try:
                run_if_due()
            except Exception:  # noqa: BLE001 - logged by run_if_due; try again next hour
                pass
            _stop.wait(interval_s)
            if _stop.is_set():
                return

    thread = threading.Thread(target=loop, name="rapid-retention", daemon=True)
    thread.start()
    return thread


_stop = threading.Event()
