"""The phone scanner for checkpoint staff (``/quet``): a light page that scans continuously with
the phone's camera, verifies offline on the phone from the signed bundle of its checkpoint's
zone, and uploads its signed scans when online (issue 16). The page's script is
``core/web/assets/scanner/page.js`` on the verifier library ``scanner.js`` (web/scanner).

Who may use it. Only a logged-in checkpoint officer (role ``checkpoint`` or ``admin``): the
page and every API call check the staff login cookie (``core.login_sessions``; over HTTPS only
the ``__Host-`` name) and the role, and refuse otherwise (deny by default). A station
enrolment token without an account was not chosen: staff already have accounts and a
remembered login, and a shared token would scan under nobody's name. Once loaded, the page
keeps working offline (service worker) with the bundle it holds, even if the login expires;
uploads and check-ins wait for a valid login again.

The phone's station key. On first use the page makes an Ed25519 key on the phone (the
library's @noble/ed25519; kept in the browser's storage for this origin), and while online
registers its public key for the chosen checkpoint (``POST /quet/api/station``,
``checkpoints.service.register_phone``: a checkpoint officer may register a phone for any
checkpoint, under their own account name, audited). Every scan is logged on the phone as a
signed line of the station log format (``checkpoints.scanlog``) and uploaded in batches
(``POST /quet/api/scans``): the server checks every signature against the registered key and
takes the checkpoint and staff name from the registration.

The pinned bundle signers are the server's own keys, given in the page (the same origin that
serves the verifying script, so pinning them apart would add nothing); the phone refuses a
bundle not signed by one, for another zone, or older than the one it holds.

Security headers: this page's CSP adds ``'wasm-unsafe-eval'`` (zxing-wasm compiles
WebAssembly; no JavaScript ``eval``) and ``worker-src 'self'``, and allows the camera for this
origin only. WebCrypto and the camera need a secure context: HTTPS, or localhost.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

log = logging.getLogger(__name__)

PATH = "/quet"
ASSET_DIR = Path(__file__).parent / "assets" / "scanner"
ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".wasm": "application/wasm",
    ".png": "image/png",
}
PAGE_ASSETS = ("page.js", "page.css", "scanner.js", "zxing_reader.wasm", "icon.png")
MAX_JSON = 8 * 1024
MAX_UPLOAD = 60 * 1024
"""A batch of scans (the page sends at most 100 lines, about 45 KB)."""
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:;"
    " style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self';"
    " worker-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none';"
    " base-uri 'none'; object-src 'none'"
)
API_HEADER = "x-rapid-scanner"
"""Every API call carries this header: a cross-site form cannot, and a cross-site script
would need a CORS preflight this server never grants."""
MESSAGE_PREFIXES = ("cp.phone.", "qr.reason.", "cp.reason.", "cp.field.", "cp.token.hc")


def _headers(https: bool) -> dict[str, str]:
    out = {
        "content-security-policy": CSP,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
        "permissions-policy": "camera=(self), microphone=(), geolocation=()",
    }
    if https:
        out["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    return out


@cache
def version() -> str:
    """A hash of the page's assets: their URLs change when they do (and the worker's cache)."""
    h = hashlib.sha256()
    for name in PAGE_ASSETS:
        h.update((ASSET_DIR / name).read_bytes())
    return h.hexdigest()[:12]


def asset_base() -> str:
    return f"{PATH}/a/{version()}/"


def _https(request: Any) -> bool:
    from core.config import get_settings

    proxies = get_settings().trusted_proxies
    peer = request.client
    return request.url.scheme == "https" or (
        bool(peer) and peer.host in proxies and request.headers.get("x-forwarded-proto") == "https"
    )


def principal_of(cookies: dict[str, str], https: bool) -> Any:
    """The staff member of a remembered login, or None (over HTTPS only the ``__Host-``
    cookie counts)."""
    from core import login_sessions

    token = cookies.get(login_sessions.SECURE_COOKIE)
    if token is None and not https:
        token = cookies.get(login_sessions.COOKIE)
    if not token:
        return None
    principal = login_sessions.resume(token)
    if principal is None or principal.must_change_password:
        return None
    return principal


def may_scan(principal: Any) -> bool:
    from checkpoints.service import SCANNERS

    return principal is not None and bool(set(SCANNERS) & set(principal.roles))


def _locale(request: Any) -> str:
    from core.web.http import choose_locale
    from core.web.security import LANG_COOKIE

    return choose_locale(
        dict(request.query_params),
        {LANG_COOKIE: request.cookies.get(LANG_COOKIE, "")},
        request.headers.get("accept-language", ""),
    )


def _messages() -> dict[str, dict[str, str]]:
    from core.i18n import catalog

    return {k: dict(v) for k, v in catalog().items() if k.startswith(MESSAGE_PREFIXES)}


def page_html(lang: str, principal: Any) -> str:
    """The scanner page: a shell the script fills; the configuration as JSON data."""
    from checkpoints import service
    from core.i18n import t_in

    checkpoints = [
        {"id": str(c["id"]), "name": str(c["name"]), "zone": str(c["zone"])}
        for c in service.list_checkpoints(principal)
    ]
    config = {
        "lang": lang,
        "user": principal.actor,
        "checkpoints": checkpoints,
        "signers": _signers(),
        "assets": asset_base(),
        "messages": _messages(),
    }
    data = json.dumps(config, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return str(
        Markup(
            '<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">'
            '<meta name="theme-color" content="#0b5394"><title>{title}</title>'
            '<link rel="manifest" href="{path}/app.webmanifest">'
            '<link rel="icon" href="{base}icon.png"><link rel="stylesheet" href="{base}page.css">'
            '<script type="module" src="{base}page.js"></script></head><body>'
            '<script type="application/json" id="scanner-config">{data}</script>'
            '<noscript><p class="noscript">{noscript}</p></noscript>'
            '<main id="app" aria-live="polite"></main></body></html>'
        ).format(
            lang=lang,
            title=t_in(lang, "cp.phone.title"),
            path=PATH,
            base=asset_base(),
            data=Markup(data),
            noscript=t_in(lang, "cp.phone.noscript"),
        )
    )


def _signers() -> dict[str, Any]:
    """The keys that may sign bundles (made now on a fresh installation, as a bundle would)."""
    from core.qr import service as qr
    from core.qr.bundle import bundle_signers

    qr.signer()
    return bundle_signers(qr.trust_list()).to_dict()


def _refusal(lang: str, kind: str, status: int) -> str:
    from core.i18n import t_in

    return str(
        Markup(
            '<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>{title}</title></head><body><main><h1>{title}</h1><p>{text}</p>"
            '<p><a href="/">{link}</a></p></main></body></html>'
        ).format(
            lang=lang,
            title=t_in(lang, f"cp.phone.{kind}_title"),
            text=t_in(lang, f"cp.phone.{kind}_text"),
            link=t_in(lang, "cp.phone.login_link"),
        )
    )


def manifest(lang: str) -> dict[str, Any]:
    from core.i18n import t_in

    return {
        "name": t_in(lang, "cp.phone.title"),
        "short_name": t_in(lang, "cp.phone.title"),
        "start_url": PATH,
        "scope": PATH,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#000000",
        "theme_color": "#0b5394",
        "icons": [{"src": f"{asset_base()}icon.png", "sizes": "192x192", "type": "image/png"}],
    }


def service_worker() -> str:
    """The worker: the page, its assets and the held bundle from the cache when offline."""
    files = [PATH, f"{PATH}/app.webmanifest", *(asset_base() + n for n in PAGE_ASSETS)]
    return (
        (ASSET_DIR / "sw.js")
        .read_text(encoding="utf-8")
        .replace("/*FILES*/[]", json.dumps(files))
        .replace("/*VERSION*/''", json.dumps(version()))
    )


# -- the Starlette side -----------------------------------------------------------------------


def _response(body: Any, status: int, media_type: str, https: bool, **extra: str) -> Any:
    from starlette.responses import Response

    headers = {**_headers(https), "cache-control": "no-store", **extra}
    return Response(body, status_code=status, media_type=media_type, headers=headers)


def _json(data: Any, status: int, https: bool) -> Any:
    return _response(
        json.dumps(data, ensure_ascii=False).encode(), status, "application/json", https
    )


async def _page(request: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    https = _https(request)
    lang = _locale(request)

    def build() -> tuple[str, int]:
        principal = principal_of(dict(request.cookies), https)
        if principal is None:
            return _refusal(lang, "login", 401), 401
        if not may_scan(principal):
            return _refusal(lang, "denied", 403), 403
        from core.i18n import set_locale

        set_locale(lang)
        return page_html(lang, principal), 200

    html, status = await run_in_threadpool(build)
    return _response(html.encode(), status, "text/html; charset=utf-8", https)


async def _asset(request: Any) -> Any:
    from starlette.responses import Response

    name = request.path_params["name"]
    if request.path_params["version"] != version() or name not in PAGE_ASSETS:
        return Response(status_code=404)
    kind = ASSET_TYPES[name[name.rfind(".") :]]
    extra = {"cache-control": "public, max-age=31536000, immutable", "vary": "accept-encoding"}
    if name != "icon.png" and "gzip" in request.headers.get("accept-encoding", ""):
        extra["content-encoding"] = "gzip"
        return _response(_gzipped(name), 200, kind, _https(request), **extra)
    return _response((ASSET_DIR / name).read_bytes(), 200, kind, _https(request), **extra)


@cache
def _gzipped(name: str) -> bytes:
    return gzip.compress((ASSET_DIR / name).read_bytes(), 9, mtime=0)


async def _manifest(request: Any) -> Any:
    data = json.dumps(manifest(_locale(request)), ensure_ascii=False).encode()
    return _response(data, 200, "application/manifest+json", _https(request))


async def _worker(request: Any) -> Any:
    return _response(
        service_worker().encode(),
        200,
        "text/javascript; charset=utf-8",
        _https(request),
        **{"service-worker-allowed": PATH},
    )


async def _api(request: Any, work: Any, limit: int) -> Any:
    """An API call: the header, the size cap and a scanning login first (deny by default)."""
    from starlette.concurrency import run_in_threadpool

    https = _https(request)
    if request.headers.get(API_HEADER) != "1":
        return _json({"error": "forbidden"}, 403, https)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return _json({"error": "too_large"}, 413, https)
    body = b""
    if request.method == "POST":
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return _json({"error": "too_large"}, 413, https)
    cookies = dict(request.cookies)

    def run() -> Any:
        from core.auth import PermissionDenied

        principal = principal_of(cookies, https)
        if principal is None:
            return _json({"error": "login"}, 401, https)
        if not may_scan(principal):
            return _json({"error": "denied"}, 403, https)
        try:
            return work(principal, request, body, https)
        except PermissionDenied:
            return _json({"error": "denied"}, 403, https)

    return await run_in_threadpool(run)


def _load(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _bundle(principal: Any, request: Any, body: bytes, https: bool) -> Any:
    from checkpoints import service

    checkpoint = request.query_params.get("checkpoint", "")[:64]
    data = service.phone_bundle(principal, checkpoint) if checkpoint else None
    if data is None:
        return _json({"error": "no_checkpoint"}, 404, https)
    return _response(data, 200, "application/cbor", https)


def _station(principal: Any, request: Any, body: bytes, https: bool) -> Any:
    from checkpoints import service

    data = _load(body)
    if data is None or not isinstance(data.get("checkpoint"), str):
        return _json({"error": "bad_request"}, 400, https)
    try:
        out = service.register_phone(
            principal, data["checkpoint"][:64], str(data.get("public_key", ""))[:4096]
        )
    except service.CheckpointError as exc:
        return _json({"error": "bad_request", "detail": str(exc)}, 400, https)
    return _json(out, 200, https)


def _scans(principal: Any, request: Any, body: bytes, https: bool) -> Any:
    from checkpoints import service

    try:
        added, skipped = service.upload_phone_log(principal, body)
    except service.LogError as exc:
        return _json({"error": "bad_log", "detail": str(exc)}, 400, https)
    return _json({"added": added, "skipped": skipped}, 200, https)


def _checkin(principal: Any, request: Any, body: bytes, https: bool) -> Any:
    from checkpoints import service
    from core.i18n import set_locale

    set_locale(_locale(request))
    data = _load(body)
    text, venue = (data or {}).get("text"), (data or {}).get("venue")
    if not (isinstance(text, str) and isinstance(venue, str) and venue.strip()):
        return _json({"error": "bad_request"}, 400, https)
    scan = service.scan_texts(
        principal, [text[:4096]], venue_id=venue.strip()[:64], venue_needs_valid=True
    )[0]
    return _json(
        {
            "verdict": scan.verdict.verdict,
            "reason": scan.verdict.reason,
            "message": scan.venue_message,
        },
        200,
        https,
    )


def scanner_routes() -> list[Any]:
    """The routes of the phone scanner."""
    from starlette.routing import Route

    def api(work: Any, limit: int) -> Any:
        async def run(request: Any) -> Any:
            return await _api(request, work, limit)

        return run

    return [
        Route(PATH, _page, methods=["GET"]),
        Route(f"{PATH}/sw.js", _worker, methods=["GET"]),
        Route(f"{PATH}/app.webmanifest", _manifest, methods=["GET"]),
        Route(PATH + "/a/{version}/{name}", _asset, methods=["GET"]),
        Route(f"{PATH}/api/bundle", api(_bundle, 0), methods=["GET"]),
        Route(f"{PATH}/api/station", api(_station, MAX_JSON), methods=["POST"]),
        Route(f"{PATH}/api/scans", api(_scans, MAX_UPLOAD), methods=["POST"]),
        Route(f"{PATH}/api/checkin", api(_checkin, MAX_JSON), methods=["POST"]),
    ]
