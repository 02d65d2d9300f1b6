"""Server-side QR tokens: issue (sign + store + audit in the caller's transaction), revoke,
verify against this server's keys and revocation list. Apps describe claims; this does the rest.

Claims of a prefix that an installed app declares (``TokenType``) are validated against its
``claims_model`` before anything is signed; a batch with one bad item is refused whole.

Token ids are random and long enough not to collide at city scale (``new_token_id``: 72 bits;
48 bits gave a ~6% chance of one collision over 6 million health passes), and ids drawn here
are checked against the issued ones first (``fresh_token_ids``), so even a repeat never fails
the decision that issues the token. A token with a ``not_before`` carries no ``iat`` (the issue
time stays in ``qr_tokens``): nbf already starts its validity, and the bytes are the QR's.
Tokens carry no ``iss`` either (see ``signer``): a QR carries only what a checkpoint needs.
"""

from __future__ import annotations

import functools
import secrets
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from core import audit, clock
from core.auth import Principal
from core.config import get_settings
from core.qr.keys import META, KeyStore
from core.qr.sign import Signer, to_epoch
from core.qr.trust import TrustList
from core.qr.verify import Reason, TokenVerdict, verify
from core.store import Store, execute_rows, get_store

_lock = threading.Lock()
_cache: dict[str, Any] = {}


SMALL_BATCH = 64
"""Up to this many tokens are inserted with bound parameters; more go through Arrow in bulk."""
TOKEN_ID_ATTEMPTS = 8
"""Draws of a fresh id for one that is already taken before giving up (never in practice)."""
TOKEN_COLUMNS = (
    "token_id",
    "prefix",
    "kid",
    "subject",
    "issued_at",
    "not_before",
    "expires_at",
    "token_text",
)


class IssueError(ValueError):
    """The items cannot be issued (bad validity window, duplicate token id...)."""


@dataclass(frozen=True)
class IssueItem:
    claims: dict[str, Any]
    expires: datetime
    not_before: datetime | None = None
    subject: str = ""
    token_id: str | None = None
    issued_at: datetime | None = None
    """When the decision was made; default now. Demo/back-filled data sets its own date."""


@dataclass(frozen=True)
class Issued:
    token_id: str
    text: str
    subject: str
    expires_at: datetime
    not_before: datetime | None = field(default=None)


def keystore() -> KeyStore:
    """The configured key store (``DATA_DIR/keys``, passphrase from ``RAPID_KEY_PASSPHRASE``)."""
    settings = get_settings()
    secret = settings.key_passphrase.get_secret_value() if settings.key_passphrase else None
    return KeyStore(settings.keys_dir, secret)


def _meta_stamp() -> tuple[str, float]:
    path = Path(get_settings().keys_dir) / META
    try:
        return str(path), path.stat().st_mtime
    except FileNotFoundError:
        return str(path), 0.0


def signer(*, bulk: bool = False) -> Signer:
    """The active signer, reloaded when the key files change (rotation, compromise).

    ``bulk`` signers write stored (level 0) zlib blocks: a signed token hardly compresses (the
    64-byte signature is random), so level 9 saves ~10 characters per token but costs ~13 us;
    bulk batches take the ~1.5x higher throughput, single tokens the smaller QR code.
    """
    stamp = _meta_stamp()
    key = "bulk" if bulk else "single"
    with _lock:
        if _cache.get("signer_stamp") != stamp:
            ks = keystore()
            ks.init()
            # no "iss" claim: the key id already names the signer, no checkpoint reads it,
            # and its bytes are the QR's (the issuer code is in each bundle and on cards)
            _cache["single"] = ks.active_signer()
            _cache["bulk"] = ks.active_signer(zlib_level=0)
            _cache["signer_stamp"] = _meta_stamp()
        return _cache[key]


def trust_list() -> TrustList:
    """Our public keys (active, retired, compromised) and the foreign signers we trust."""
    stamp = _meta_stamp()
    with _lock:
        if _cache.get("trust_stamp") != stamp:
            _cache["trust"] = keystore().trust_list()
            _cache["trust_stamp"] = stamp
        return _cache["trust"]


def reset_cache() -> None:
    with _lock:
        _cache.clear()


def new_token_id() -> str:
    """A random token id: 72 bits as 12 URL-safe characters."""
    return secrets.token_urlsafe(9)


def _taken_ids(store: Store, ids: Sequence[str]) -> set[str]:
    rows = store.fetchall(
        "SELECT token_id FROM qr_tokens WHERE token_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(ids)],
    )
    return {r[0] for r in rows}


def fresh_token_ids(
    n: int, *, store: Store | None = None, make: Callable[[], str] | None = None
) -> list[str]:
    """``n`` distinct ids from ``make`` (default ``new_token_id``) that no issued token holds:
    an id drawn twice, or one already issued, is drawn again (a collision must not fail the
    decision issuing it). Inside the caller's transaction when there is one."""
    store = store or get_store()
    make = make or (lambda: new_token_id())
    ids = [make() for _ in range(n)]
    for _ in range(TOKEN_ID_ATTEMPTS):
        taken = _taken_ids(store, ids) if ids else set()
        seen: set[str] = set()
        again = []
        for i, tid in enumerate(ids):
            if tid in taken or tid in seen:
                again.append(i)
            seen.add(tid)
        if not again:
            return ids
        for i in again:
            ids[i] = make()
    raise IssueError("could not draw unused token ids")


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else clock.as_utc(value)


@functools.cache
def _claims_adapter(model: type) -> Any:
    """``list[model]`` validator, built once per claims model (validates a batch in one call)."""
    from pydantic import TypeAdapter

    return TypeAdapter(list[model])  # type: ignore[valid-type]


def check_claims(prefix: str, items: Sequence[IssueItem]) -> None:
    """IssueError naming the token type, the item index and the field when an item's claims
    do not fit the claims model of the installed token type of ``prefix``. Prefixes no
    installed app declares (operator tokens of ``rapid qr sign``, tests) are not checked."""
    from pydantic import ValidationError

    from core.registry import get_registry

    tt = next((t for t in get_registry().token_types() if t.prefix == prefix), None)
    if tt is None:
        return
    try:
        _claims_adapter(tt.claims_model).validate_python([item.claims for item in items])
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        index = loc.pop(0) if loc and isinstance(loc[0], int) else "?"
        where = ".".join(str(p) for p in loc) or "(claims)"
        raise IssueError(
            f"{tt.type_id} token (item {index}): claims.{where}: {err['msg']}; nothing issued"
        ) from None


_INSERT_TOKEN = (
    "INSERT INTO qr_tokens (token_id, prefix, kid, subject, issued_at, not_before, expires_at,"
    " token_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def issue(
    prefix: str,
    items: Sequence[IssueItem],
    actor: Principal | str,
    *,
    store: Store | None = None,
    progress: Callable[[float, str], None] | None = None,
    audited: bool = True,
) -> list[Issued]:
    """Sign ``items`` and store them with one audit row each, all or nothing.

    ``audited=False``: no audit rows, for a pass a citizen gets for their own declaration (the
    declaration row records it, and ``audit_counts`` counts them per hour): 6 million of them
    would otherwise bury the actions of staff in the log.

    The claims are first checked against the claims model of the installed token type of
    ``prefix`` (``check_claims``: one pydantic call for the whole batch); a bad item refuses
    the batch. Called inside a ``store.transaction()`` it joins it, so an app's decision and
    its tokens commit together.
    """
    store = store or get_store()
    if not items:
        return []
    check_claims(prefix, items)
    sig = signer(bulk=len(items) > SMALL_BATCH)
    now = clock.now()
    iat = to_epoch(now)
    # A batch has few distinct validity bounds (a day's permits share them): convert each
    # distinct value once (aware, naive UTC for the table, epoch seconds for the token).
    times: dict[datetime, tuple[datetime, datetime, int]] = {}

    def when(value: datetime) -> tuple[datetime, datetime, int]:
        hit = times.get(value)
        if hit is None:
            aware = _aware(value)
            hit = times[value] = (aware, clock.to_utc_naive(aware), to_epoch(aware))  # type: ignore[arg-type]
        return hit

    given: list[str | None] = []
    plans: list[dict[str, Any]] = []
    exp_at: list[datetime] = []
    nbf_at: list[datetime | None] = []
    iat_at: list[datetime] = []
    now_naive = clock.to_utc_naive(now)
    for item in items:
        if item.expires is None:
            raise IssueError("the validity window ends before it starts")
        exp, exp_naive, exp_s = when(item.expires)
        if item.not_before is None:
            nbf_naive = nbf_s = None
        else:
            nbf, nbf_naive, nbf_s = when(item.not_before)
            if nbf >= exp:
                raise IssueError("the validity window ends before it starts")
        if item.issued_at is None:
            iat_s, iat_naive = iat, now_naive
        else:
            _, iat_naive, iat_s = when(item.issued_at)
        given.append(item.token_id)
        exp_at.append(exp_naive)
        nbf_at.append(nbf_naive)
        iat_at.append(iat_naive)
        plans.append(
            {
                "claims": item.claims,
                "expires": exp_s,
                "not_before": nbf_s,
                "issued_at": iat_s if nbf_s is None else None,  # nbf starts the validity
            }
        )
    drawn = iter(fresh_token_ids(sum(1 for tid in given if not tid), store=store))
    ids = [tid or next(drawn) for tid in given]
    for plan, tid in zip(plans, ids, strict=True):
        plan["token_id"] = tid
    if len(set(ids)) != len(ids):
        raise IssueError("duplicate token id in one batch")
    total = len(plans)

    def tick(done: int) -> None:
        if progress is not None:
            progress(done / total, f"{done}/{total}")

    texts = sig.sign_many(prefix, plans, tick, progress_every=max(1, min(1000, total // 50 or 1)))
    kid = sig.kid.hex()
    subjects = [item.subject for item in items]
    details = [{"prefix": prefix, "subject": s} for s in subjects]
    with store.transaction() as cur:
        if total <= SMALL_BATCH:
            rows = list(
                zip(ids, [prefix] * total, [kid] * total, subjects, iat_at, nbf_at, exp_at, texts,
                    strict=True)
            )  # fmt: skip
            execute_rows(cur, _INSERT_TOKEN, rows)
        else:
            frame = pd.DataFrame(
                {
                    "token_id": ids,
                    "prefix": prefix,
                    "kid": kid,
                    "subject": subjects,
                    "issued_at": iat_at,
                    "not_before": pd.to_datetime(pd.Series(nbf_at, dtype=object)),
                    "expires_at": exp_at,
                    "token_text": texts,
                },
                columns=list(TOKEN_COLUMNS),
            )
            store.insert_df("qr_tokens", frame)
        if audited:
            audit.record_many(actor, "qr.issue", "token", ids, details, store=store)
    return [
        Issued(tid, text, item.subject, _aware(item.expires), _aware(item.not_before))  # type: ignore[arg-type]
        for tid, text, item in zip(ids, texts, items, strict=True)
    ]


def revoke(
    token_id: str, actor: Principal | str, reason: str, *, store: Store | None = None
) -> bool:
    """Add a token to the revocation list. False if it was already revoked."""
    store = store or get_store()
    reason = (reason or "").strip()
    if not reason:
        raise IssueError("a revocation needs a reason")
    with store.transaction() as cur:
        if cur.execute("SELECT 1 FROM qr_revocations WHERE token_id = ?", [token_id]).fetchone():
            return False
        cur.execute(
            "INSERT INTO qr_revocations (token_id, revoked_at, actor, reason) VALUES (?, ?, ?, ?)",
            [
                token_id,
                clock.utcnow_naive(),
                actor.actor if isinstance(actor, Principal) else str(actor),
                reason[:500],
            ],
        )
        audit.record(actor, "qr.revoke", "token", token_id, {"reason": reason[:500]}, store=store)
    return True


def is_revoked(token_id: str, *, store: Store | None = None) -> bool:
    return (store or get_store()).scalar(
        "SELECT 1 FROM qr_revocations WHERE token_id = ?", [token_id]
    ) is not None


def revocation_rows(*, store: Store | None = None) -> list[str]:
    """Revoked token ids still worth carrying in a checkpoint bundle (not yet expired)."""
    rows = (store or get_store()).fetchall(
        "SELECT r.token_id FROM qr_revocations r LEFT JOIN qr_tokens t USING (token_id)"
        " WHERE t.expires_at IS NULL OR t.expires_at > ? ORDER BY r.token_id",
        [clock.utcnow_naive()],
    )
    return [r[0] for r in rows]


class RevokedInStore:
    """A ``Container`` that asks the database, so server checks need no list in memory."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __contains__(self, token_id: object) -> bool:
        return isinstance(token_id, str) and is_revoked(token_id, store=self.store)


def verify_server(
    text: str,
    *,
    expected_prefixes: Collection[str] | None = None,
    now: datetime | None = None,
    store: Store | None = None,
) -> TokenVerdict:
    """Verify a token against this server's trust list and revocation list."""
    return verify(
        text,
        trust=trust_list(),
        revoked=RevokedInStore(store or get_store()),
        now=_aware(now) or clock.now(),
        expected_prefixes=expected_prefixes,
    )


def token_texts(token_ids: Sequence[str], *, store: Store | None = None) -> dict[str, str]:
    if not token_ids:
        return {}
    store = store or get_store()
    rows = store.fetchall(
        "SELECT token_id, token_text FROM qr_tokens WHERE token_id IN"
        " (SELECT unnest(?::VARCHAR[]))",
        [list(token_ids)],
    )
    return dict(rows)


__all__ = [
    "IssueError",
    "check_claims",
    "fresh_token_ids",
    "new_token_id",
    "IssueItem",
    "Issued",
    "Reason",
    "RevokedInStore",
    "issue",
    "is_revoked",
    "keystore",
    "revoke",
    "revocation_rows",
    "signer",
    "token_texts",
    "trust_list",
    "verify_server",
]
