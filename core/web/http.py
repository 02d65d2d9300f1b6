"""Requests and responses of the citizens' web pages, independent of the web framework.

An app's web page is a plain function ``handler(request: WebRequest) -> WebResponse``, run in a
worker thread (services are synchronous). Core's endpoint does the rest for every page: the
language (``?lang=``, a cookie, the browser's Accept-Language), the browser's session cookie,
the form token of every POST (checked and used once), the rate limit of the page's kind, and
the conversion to a Starlette response.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from core.web import security

log = logging.getLogger(__name__)

CSRF_FIELD = "_csrf"
SHOWN_FIELD = "_shown"
MAX_FIELDS = 400


@dataclass
class WebRequest:
    """What a page handler may read of a request."""

    method: str
    path: str
    query: Mapping[str, str]
    form: Mapping[str, list[str]]
    cookies: Mapping[str, str]
    client: str
    locale: str
    https: bool
    sid: str
    token_check: security.TokenCheck | None = None
    """For a POST: whether its form token was genuine, fresh and unused."""
    pending_nonce: str = ""
    """For a POST to a page marked ``spends_token_in_action``: its genuine token's nonce, not
    yet used (``core.forms.html_form.token_problem`` / ``token_spender`` use it)."""

    def value(self, name: str, default: str = "") -> str:
        values = self.form.get(name)
        return values[-1] if values else default

    def values(self, name: str) -> list[str]:
        return list(self.form.get(name, ()))

    def form_token(self) -> str:
        """A new form token for a form this response shows."""
        return security.form_token(self.sid)

    def url(self, path: str, **query: str) -> str:
        return f"{path}?{urlencode(query)}" if query else path


@dataclass
class WebResponse:
    """A page, a redirect or a file, with cookies to set."""

    body: bytes | str = b""
    status: int = 200
    media_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    @classmethod
    def html(cls, text: str, status: int = 200) -> WebResponse:
        return cls(text, status)

    @classmethod
    def redirect(cls, location: str, status: int = 303) -> WebResponse:
        return cls(b"", status, headers={"location": location})

    @classmethod
    def download(cls, data: bytes, filename: str, media_type: str) -> WebResponse:
        safe = "".join(ch for ch in filename if ch.isalnum() or ch in "._-") or "download"
        return cls(data, 200, media_type, {"content-disposition": f'attachment; filename="{safe}"'})


Handler = Callable[[WebRequest], WebResponse]


def choose_locale(query: Mapping[str, str], cookies: Mapping[str, str], accept: str) -> str:
    """``?lang=`` first, then the cookie, then the browser's first language (en* -> en)."""
    for value in (query.get("lang"), cookies.get(security.LANG_COOKIE)):
        if value in ("vi", "en"):
            return value
    first = accept.split(",", 1)[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


def client_address(
    scope_client: tuple[str, int] | None, forwarded: str | None, proxies: list[str]
) -> str:
    """The client's address; ``X-Forwarded-For`` is believed only from a trusted proxy."""
    peer = scope_client[0] if scope_client else "unknown"
    if forwarded and peer in proxies:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        while hops and hops[-1] in proxies:
            hops.pop()
        if hops:
            return hops[-1]
    return peer


_limiters: dict[str, security.RateLimiter] = {}


def limiter(kind: str) -> security.RateLimiter | None:
    """The rate limiter of a kind of page (per server process)."""
    if kind == "none":
        return None
    found = _limiters.get(kind)
    if found is None:
        from core.config import get_settings

        settings = get_settings()
        per_minute = (
            settings.web_lookup_per_minute if kind == "lookup" else settings.web_submit_per_minute
        )
        found = _limiters[kind] = security.RateLimiter(per_minute, burst=max(3, per_minute // 2))
    return found


def reset_limiters() -> None:
    _limiters.clear()


def endpoint(
    handler: Callable[..., Any] | str, limit: str, *, count_as: str | None = None
) -> Callable[..., Any]:
    """The Starlette endpoint of a page handler (a callable or a lazy reference).

    Everything synchronous a request needs (the form token's check, the handler, and with
    ``count_as`` the page's attempt counted as ``routes.counted`` does) runs in ONE worker
    thread hop: each hop costs the event loop a context switch and a future."""
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response

    from core.config import get_settings
    from core.registry import resolve

    async def run(request: Request) -> Response:
        settings = get_settings()
        proxies = settings.trusted_proxies
        headers = request.headers
        peer = request.client
        client = client_address(
            (peer.host, peer.port) if peer else None, headers.get("x-forwarded-for"), proxies
        )
        https = request.url.scheme == "https" or (
            bool(peer) and peer.host in proxies and headers.get("x-forwarded-proto") == "https"
        )
        query = {k: v for k, v in request.query_params.items()}
        cookies = dict(request.cookies)
        locale = choose_locale(query, cookies, headers.get("accept-language", ""))
        gz = "gzip" in headers.get("accept-encoding", "")
        sid = cookies.get(security.SID_COOKIE) or ""
        new_sid = not sid or len(sid) > 64
        if new_sid:
            sid = security.new_sid()
        form: dict[str, list[str]] = {}
        looks_up = limit == "lookup" and bool(query)  # a link's token is checked on GET too
        counts = count_as is not None and limit != "none" and (request.method == "POST" or looks_up)
        if request.method == "POST" or looks_up:
            bucket = limiter(limit)
            wait = bucket.allow(client) if bucket is not None else 0
            if wait:
                if counts:
                    await run_in_threadpool(_count, f"web.{count_as}", True)
                return _to_starlette(_too_many(locale, wait), locale, sid, new_sid, https, gz)
        if request.method == "POST":
            try:
                data = await request.form(max_files=0, max_fields=MAX_FIELDS)
            except Exception:  # noqa: BLE001 - a malformed body is the client's problem
                return _to_starlette(_bad_request(locale), locale, sid, new_sid, https, gz)
            for key, value in data.multi_items():
                if isinstance(value, str):
                    form.setdefault(key, []).append(value)
        web_request = WebRequest(
            method=request.method,
            path=request.url.path,
            query=query,
            form=form,
            cookies=cookies,
            client=client,
            locale=locale,
            https=https,
            sid=sid,
        )
        response = await run_in_threadpool(
            _serve,
            resolve(handler),
            web_request,
            None if new_sid else sid,
            f"web.{count_as}" if counts else None,
        )
        return _to_starlette(response, locale, sid, new_sid, https, gz)

    return run


SPENDS_TOKEN = "spends_token_in_action"


def spends_token_in_action(handler: Handler) -> Handler:
    """Mark a page whose POST uses its form token inside the action's own transaction
    (``core.forms.html_form.token_spender``): one commit per action instead of two, and an
    action rolled back leaves the token usable. Every other page's token is used before the
    page runs. Whatever path such a page takes, its token is used by the end of the request
    unless its action rolled back."""
    setattr(handler, SPENDS_TOKEN, True)
    return handler


def _serve(
    handler: Handler, request: WebRequest, known_sid: str | None, count: str | None
) -> WebResponse:
    """In the worker thread: check a POST's form token, run the page, count the attempt."""
    if request.method == "POST":
        deferred = bool(getattr(handler, SPENDS_TOKEN, False))
        request.token_check = security.check_form_token(
            request.value(CSRF_FIELD) or None, known_sid, spend=not deferred
        )
        request.pending_nonce = request.token_check.nonce
    response = _call(handler, request)
    if request.pending_nonce:  # a marked page that ended on a path without its action
        security.use_nonce(request.pending_nonce)
        request.pending_nonce = ""
    if request.method == "POST":
        security.sometimes_forget_nonces()
    if count is not None:
        _count(count, response.status == 429)
    return response


def _count(action: str, throttled: bool) -> None:
    """An attempt at a limited page, counted per hour (``core.audit.count``, in memory)."""
    from core import audit

    try:
        audit.count(action, throttled=throttled)
    except Exception:  # noqa: BLE001 - counting must never break a page
        log.warning("could not count %s", action, exc_info=True)


def _call(handler: Handler, request: WebRequest) -> WebResponse:
    from core.i18n import set_locale

    set_locale(request.locale)
    return handler(request)


def _to_starlette(
    response: WebResponse, locale: str, sid: str, new_sid: bool, https: bool, gz: bool
) -> Any:
    from starlette.responses import Response

    body = response.body.encode() if isinstance(response.body, str) else response.body
    headers = dict(response.headers)
    if gz and len(body) > 1024 and response.media_type.startswith(("text/", "application/json")):
        # level 1: half the CPU of level 6 (0.26 vs 0.52 ms for the 36 KB form) for 10% more
        # bytes (7.5 vs 6.8 KB); per response, where a declaration's CPU is counted in ms
        body = gzip.compress(body, 1, mtime=0)
        headers["content-encoding"] = "gzip"
        headers["vary"] = "accept-encoding"
    out = Response(
        content=body,
        status_code=response.status,
        media_type=response.media_type,
        headers=headers,
    )
    out.headers.setdefault("cache-control", "no-store")
    out.set_cookie(security.LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax", secure=https)
    if new_sid:
        out.set_cookie(security.SID_COOKIE, sid, httponly=True, samesite="lax", secure=https)
    for name, value in response.cookies.items():
        out.set_cookie(name, value, httponly=True, samesite="lax", secure=https)
    return out


def _too_many(locale: str, wait: int) -> WebResponse:
    from core.web.layout import message_page

    response = message_page(locale, "web.too_many.title", "web.too_many.text", seconds=wait)
    response.status = 429
    response.headers["retry-after"] = str(wait)
    return response


def _bad_request(locale: str) -> WebResponse:
    from core.web.layout import message_page

    response = message_page(locale, "web.bad_request.title", "web.bad_request.text")
    response.status = 400
    return response
