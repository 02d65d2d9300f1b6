"""Safety of the public web pages: form tokens (CSRF, used once), rate limits per client and
per identity (``Quota``: a CCCD, a phone number), a cap on request bodies, security headers,
and tokens kept out of the logs.

Citizens need no account, so these pages are the suite's anonymous surface: every guard here is
applied by core to every app's web page, not left to each page.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

log = logging.getLogger(__name__)

TOKEN_MAX_AGE_S = 2 * 3600
"""A form must be sent within two hours of being shown."""
SID_COOKIE = "rapid_sid"
LANG_COOKIE = "rapid_lang"
WEB_PREFIXES = (
    "/khai-bao",
    "/tra-cuu",
    "/check-in",
    "/bao-cao",
    "/giay",
    "/a/",
    "/assets/",
    "/quet",
)


# -- the server secret -------------------------------------------------------------------------


_secret_lock = threading.Lock()
_secret: bytes | None = None


def server_secret() -> bytes:
    """A random secret kept in the data folder (0600), shared by every server process: signs
    form tokens and keys the hashes of personal values in logs."""
    global _secret
    with _secret_lock:
        if _secret is None:
            from core.config import get_settings

            path = Path(get_settings().keys_dir) / "web-secret"
            _secret = _read_or_create(path)
        return _secret


def _read_or_create(path: Path) -> bytes:
    if path.is_file():
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = secrets.token_bytes(32)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return data


def reset_secret() -> None:
    """Forget the cached secret (tests use a fresh data folder each)."""
    global _secret
    with _secret_lock:
        _secret = None


# -- form tokens (CSRF), used once ------------------------------------------------------------------


def new_sid() -> str:
    return secrets.token_urlsafe(18)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(server_secret(), salt="rapid-form")


def _sid_tag(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()[:16]


def form_token(sid: str) -> str:
    """A token for one form shown to the browser holding session cookie ``sid``."""
    return _serializer().dumps({"s": _sid_tag(sid), "n": secrets.token_urlsafe(12)})


@dataclass(frozen=True)
class TokenCheck:
    ok: bool
    problem: str = ""  # "missing" | "expired" | "forged" | "replayed"
    nonce: str = ""
    """With ``spend=False``: the genuine token's nonce, not yet used (the page uses it)."""


def check_form_token(token: str | None, sid: str | None, *, spend: bool = True) -> TokenCheck:
    """Whether a posted form token is genuine, fresh, for this browser, and unused; marks it
    used (a replay or a double submit is refused). ``spend=False``: genuine and fresh only,
    its nonce returned unused, for a page that uses it inside its action's own transaction
    (``spend_nonce_in_transaction``)."""
    if not token or not sid:
        return TokenCheck(False, "missing")
    try:
        data = _serializer().loads(token, max_age=TOKEN_MAX_AGE_S)
    except SignatureExpired:
        return TokenCheck(False, "expired")
    except BadSignature:
        return TokenCheck(False, "forged")
    if not isinstance(data, dict) or data.get("s") != _sid_tag(sid) or not data.get("n"):
        return TokenCheck(False, "forged")
    if not spend:
        return TokenCheck(True, nonce=str(data["n"]))
    if not use_nonce(str(data["n"])):
        return TokenCheck(False, "replayed")
    return TokenCheck(True)


_NONCE_INSERT = "INSERT INTO web_form_nonces (nonce, used_at) VALUES (?, ?)"


def use_nonce(nonce: str) -> bool:
    """Mark a form token's nonce used, in a transaction of its own: False when it already was
    (a replay, or a double submit racing the first)."""
    from core import clock
    from core.store import CONFLICTS, CONSTRAINTS, get_store

    # One plain INSERT, no read first: the primary key refuses a nonce already used.
    try:
        get_store().execute(_NONCE_INSERT, [nonce, clock.utcnow_naive()])
    except (*CONFLICTS, *CONSTRAINTS):
        return False
    return True


class NonceUsed(Exception):
    """The form token was used already (raised inside the action's transaction)."""


def spend_nonce_in_transaction(nonce: str) -> None:
    """Mark a nonce used inside the caller's open transaction, which then holds the action and
    the token's use together: one commit instead of two, and an action refused or rolled back
    leaves the token unused. Raises ``NonceUsed`` (the transaction must then end: on both
    databases a failed statement spoils it); a race with another use of the same nonce may
    instead surface as the store's conflict, retried like any other."""
    from core import clock
    from core.store import CONSTRAINTS, get_store

    try:
        get_store().execute(_NONCE_INSERT, [nonce, clock.utcnow_naive()])
    except CONSTRAINTS as exc:
        raise NonceUsed(nonce) from exc


def sometimes_forget_nonces() -> None:
    """Now and then (one call in 200), forget nonces past the tokens' lifetime."""
    if secrets.randbelow(200):
        return
    from datetime import timedelta

    from core import clock
    from core.store import CONFLICTS, get_store

    try:
        get_store().execute(
            "DELETE FROM web_form_nonces WHERE used_at < ?",
            [clock.utcnow_naive() - timedelta(seconds=TOKEN_MAX_AGE_S + 3600)],
        )
    except CONFLICTS:
        log.debug("forgetting old form nonces lost a race; next time", exc_info=True)


# -- rate limits -----------------------------------------------------------------------------------


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Token buckets per key (a client address, a person): ``rate`` per minute, bursts of
    ``burst``. In memory, per server process; ``allow`` returns 0 or the seconds to wait."""

    def __init__(
        self, rate_per_minute: float, burst: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> int:
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) > 100_000:  # a flood of distinct keys: start over
                    self._buckets.clear()
                bucket = self._buckets[key] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0
            return max(1, int((1.0 - bucket.tokens) / self.rate + 0.999))


# -- per-identity limits (shared by every server process: in the database) ------------------------


@dataclass(frozen=True)
class Quota:
    """At most ``limit`` uses in any ``window_s`` seconds for one identity (a CCCD, a phone
    number) within ``scope``: the per-identity half of the limits on public look-ups, where
    per-client limits fail (a botnet, or many phones behind one carrier address).

    Counted in the database (``web_quota``), so every server process shares the count, and
    on the suite's clock, so tests move time instead of sleeping. The window slides: the
    previous fixed window's count is weighted by how much of it still overlaps the last
    ``window_s`` seconds (no double allowance at a window's edge)."""

    scope: str
    limit: int
    window_s: int = 3600

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.window_s)


def subject_of(scope: str, identity: str) -> str:
    """The key an identity is counted under: a hash keyed with the server secret, so the quota
    table holds no CCCD or phone number and its rows cannot be matched to a number without
    the key."""
    mac = hmac.new(server_secret(), f"{scope}\x00{identity}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int((now - _EPOCH).total_seconds())
    return _EPOCH + timedelta(seconds=epoch - epoch % seconds)


_EPOCH = datetime(1970, 1, 1)


def _quota_wait(quota: Quota, now: datetime, current: int, previous: int) -> int:
    """Seconds until one more use fits, given the counts of the current and previous fixed
    windows (0 if it fits now)."""
    window = quota.window_s
    start = _window_start(now, window)
    into = (now - start).total_seconds()
    weight = 1.0 - into / window
    if previous * weight + current + 1 <= quota.limit + 1e-9:
        return 0
    if current + 1 > quota.limit:  # wait for the next window and part of it
        share = 1.0 - (quota.limit - 1) / current if current else 1.0
        return max(1, math.ceil(window - into + window * share))
    # the previous window's weight must shrink: previous * (1 - f) <= limit - 1 - current
    f = 1.0 - (quota.limit - 1 - current) / previous
    return max(1, math.ceil(window * f - into))


def _windows(st: Any, uses: Sequence[tuple[Quota, str]], now: datetime) -> list[tuple[int, int]]:
    """(current, previous) fixed-window counts of each (quota, identity): one indexed read each."""
    out = []
    for quota, identity in uses:
        start = _window_start(now, quota.window_s)
        rows = dict(
            st.fetchall(
                "SELECT window_start, n FROM web_quota WHERE scope = ? AND subject = ?"
                " AND window_start >= ?",
                [quota.scope, subject_of(quota.scope, identity), start - quota.window],
            )
        )
        out.append((rows.get(start, 0), rows.get(start - quota.window, 0)))
    return out


def quota_wait(uses: Sequence[tuple[Quota, str]], *, store: Any = None) -> int:
    """Seconds until each (quota, identity) has room for one more use; 0 if they all have room
    now. Counts nothing."""
    from core import clock
    from core.store import get_store

    st = store or get_store()
    now = clock.utcnow_naive()
    counts = _windows(st, uses, now)
    return max(
        (_quota_wait(q, now, cur, prev) for (q, _), (cur, prev) in zip(uses, counts, strict=True)),
        default=0,
    )


def spend_quotas(uses: Sequence[tuple[Quota, str]], *, store: Any = None) -> int:
    """One use of each (quota, identity), all or nothing: 0 when every one had room (each is
    counted), else the seconds until they all have room (nothing is counted, so refused
    attempts do not extend a lock-out). Inside a caller's transaction it joins it (a rolled
    back action gives its uses back).

    Per identity, the read that decides also says which write counts the use: one UPDATE of
    the current window's row when it exists, else one plain INSERT (an upsert costs DuckDB
    several times as much). Two first uses racing for one new row: the second INSERT fails
    on the primary key and is a conflict (retried here, or by the caller's transaction)."""
    from core import clock
    from core.store import CONFLICTS, CONSTRAINTS, ConflictError, get_store

    st = store or get_store()
    for attempt in range(5):
        try:
            with st.transaction() as cur:
                now = clock.utcnow_naive()
                counts = _windows(st, uses, now)
                wait = max(
                    (
                        _quota_wait(q, now, current, previous)
                        for (q, _), (current, previous) in zip(uses, counts, strict=True)
                    ),
                    default=0,
                )
                if wait:
                    return wait
                for (q, ident), (current, _) in zip(uses, counts, strict=True):
                    key = (q.scope, subject_of(q.scope, ident), _window_start(now, q.window_s))
                    try:
                        cur.execute(
                            "UPDATE web_quota SET n = n + 1 WHERE scope = ? AND subject = ?"
                            " AND window_start = ?"
                            if current
                            else "INSERT INTO web_quota (scope, subject, window_start, n)"
                            " VALUES (?, ?, ?, 1)",
                            list(key),
                        )
                    except CONSTRAINTS as exc:
                        raise ConflictError(str(exc)) from exc
            break
        except CONFLICTS:
            if st.in_transaction or attempt == 4:
                raise
            time.sleep(0.002 * (attempt + 1))
    if secrets.randbelow(500) == 0:  # now and then, forget windows that no longer count
        _forget_old_windows(st, uses)
    return 0


def _forget_old_windows(store: Any, uses: Sequence[tuple[Quota, str]]) -> None:
    from core import clock
    from core.store import CONFLICTS

    now = clock.utcnow_naive()
    try:
        for quota in {q for q, _ in uses}:
            store.execute(
                "DELETE FROM web_quota WHERE scope = ? AND window_start < ?",
                [quota.scope, _window_start(now, quota.window_s) - quota.window],
            )
    except CONFLICTS:
        pass  # another process is cleaning: fine


# -- headers, body cap, log redaction (ASGI middleware) -------------------------------------------------


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
    " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none';"
    " object-src 'none'"
)


def is_web_path(path: str) -> bool:
    return path.startswith(WEB_PREFIXES)


class WebGuard:
    """ASGI middleware for the citizens' pages: security headers on their responses, and a
    413 page for a request body over ``max_body`` bytes (checked on the declared length and
    on what arrives). Streamlit's own routes pass through untouched.

    With ``routes`` (the citizens' routes), the guard dispatches a request of ours to its
    route itself, instead of handing it down the server's stack (exception middleware, then
    a router that tries Streamlit's routes too): less work per request at city scale. A path
    under our prefixes that none of them matches fully still goes down the stack."""

    def __init__(
        self,
        app: Any,
        max_body: int = 64 * 1024,
        https: Callable[[dict], bool] | None = None,
        routes: Sequence[Any] = (),
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.https = https or (lambda scope: scope.get("scheme") == "https")
        self.routes = list(routes)

    async def _dispatch(self, scope: dict, receive: Callable, send: Callable) -> None:
        """Our route for the request (the first full match), else the app below (which also
        answers a known path asked with another method: 405)."""
        from starlette.routing import Match

        for route in self.routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                await route.handle({**scope, **child}, receive, send)
                return
        await self.app(scope, receive, send)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not is_web_path(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await _too_large(send)
            return
        received = 0
        too_big = False

        async def capped_receive() -> dict:
            nonlocal received, too_big
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    too_big = True
                    return {"type": "http.disconnect"}
            return message

        secure = self.https(scope)

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {k.lower() for k, _ in headers}
                for name, value in _security_headers(secure):
                    if name not in names:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self._dispatch(scope, capped_receive, with_headers)
        if too_big:
            log.info("refused a request body over %d bytes", self.max_body)


def _security_headers(secure: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if secure:
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return headers


async def _too_large(send: Callable) -> None:
    body = (
        "<!doctype html><meta charset=utf-8><title>413</title>"
        "<p>Dữ liệu gửi lên quá lớn. / The data sent is too large.</p>"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *_security_headers(False),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


_TOKEN_IN_TEXT = re.compile(r"\b([A-Z0-9]{2,8}:)[0-9A-Z $%*+\-./:]{16,}")
_TOKEN_PARAM = re.compile(r"([?&#](?:t|v|token|code|ref)=)[^&\s\"]+")


def redact(text: str) -> str:
    """A log line without the signed tokens citizens' links carry."""
    text = _TOKEN_PARAM.sub(r"\1[token]", text)
    return _TOKEN_IN_TEXT.sub(r"\1[token]", text)


class RedactTokens(logging.Filter):
    """Keeps tokens from links out of the server's logs (uvicorn's access log included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)  # type: ignore[assignment]
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install_log_redaction() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "streamlit", ""):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
