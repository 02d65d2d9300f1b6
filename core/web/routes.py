"""The routes of the citizens' pages, beside Streamlit's on the same server: every installed
app's ``WebPage``, redirects from the Streamlit pages they replaced, our assets, and the wards
of a province (for the form script).

Every page's requests that count against a per-client limit are audited in aggregate: one
``audit_counts`` row per (hour, ``web.<page name>``) with the attempts and how many the limit
refused (``counted``), never a row per request."""

from __future__ import annotations

import gzip
import json
import logging
from functools import cache
from typing import Any

from core.registry import get_registry
from core.web.http import endpoint
from core.web.layout import asset

log = logging.getLogger(__name__)

ASSET_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def _asset_endpoint() -> Any:
    from starlette.responses import Response

    async def serve(request: Any) -> Any:
        name = request.path_params["name"]
        kind = ASSET_TYPES.get(name[name.rfind(".") :]) if "." in name else None
        if kind is None or "/" in name or name.startswith("."):
            return Response(status_code=404)
        try:
            data, _ = asset(name)
        except OSError:
            return Response(status_code=404)
        headers = {"cache-control": "public, max-age=31536000, immutable"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            data = _gzipped(name)
            headers["content-encoding"] = "gzip"
        headers["vary"] = "accept-encoding"
        return Response(data, media_type=kind, headers=headers)

    return serve


@cache
def _gzipped(name: str) -> bytes:
    return gzip.compress(asset(name)[0], 9, mtime=0)


@cache
def wards_json(province: int) -> bytes:
    from core import geo

    return json.dumps(
        [[w.code, w.name] for w in geo.wards(province)], ensure_ascii=False, separators=(",", ":")
    ).encode()


def _wards_endpoint() -> Any:
    from starlette.responses import Response

    async def serve(request: Any) -> Any:
        try:
            province = int(request.query_params.get("province", ""))
        except ValueError:
            return Response(status_code=400)
        return Response(
            wards_json(province),
            media_type="application/json",
            headers={"cache-control": "public, max-age=86400"},
        )

    return serve


def _redirect(target: str) -> Any:
    from starlette.responses import RedirectResponse

    async def go(request: Any) -> Any:
        query = request.url.query
        return RedirectResponse(f"{target}?{query}" if query else target, status_code=301)

    return go


def counted(name: str, limit: str, inner: Any) -> Any:
    """``inner`` (a page's endpoint) with its limited requests counted per hour under
    ``web.<name>``: every POST (and, for a look-up page, every GET with a query) is an attempt,
    a 429 from the per-client limit a throttled one. Counting is in memory (``audit.count``);
    the rows are written every few seconds. (An app's ``WebPage`` counts inside its endpoint,
    ``endpoint(..., count_as=name)``, in the same worker-thread hop as the page.)"""
    from starlette.concurrency import run_in_threadpool

    action = f"web.{name}"

    async def run(request: Any) -> Any:
        response = await inner(request)
        if limit != "none" and (
            request.method == "POST" or (limit == "lookup" and request.url.query)
        ):
            await run_in_threadpool(_count, action, response.status_code == 429)
        return response

    return run


def _count(action: str, throttled: bool) -> None:
    from core.web.http import _count as count

    count(action, throttled)


def web_routes() -> list[Any]:
    """Every route of the citizens' pages."""
    from starlette.routing import Route

    routes: list[Any] = [
        Route("/assets/wards.json", _wards_endpoint(), methods=["GET"]),
        Route("/assets/{name}", _asset_endpoint(), methods=["GET"]),
    ]
    for _app, page in get_registry().web_pages():
        routes.append(
            Route(
                page.path,
                endpoint(page.handler, page.limit, count_as=page.name),
                methods=list(page.methods),
                name=page.name,
            )
        )
        for old in page.replaces:
            routes.append(Route(old, _redirect(page.path), methods=["GET"]))
    from core.definitions.web import routes as definition_routes

    routes += definition_routes()  # definition apps' public forms: /a/<app_id>, added at run time
    # -- the phone scanner for checkpoint staff (issue 16): /quet, its worker, assets, API
    from core.web.scanner import scanner_routes

    routes += scanner_routes()
    return routes
