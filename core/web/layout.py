"""The shell of every citizens' page: a few kilobytes of HTML, our own CSS and script (no
external fonts, icons or libraries), Vietnamese by default with an English switch that keeps
the page's address."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from markupsafe import Markup, escape

from core.i18n import t_in
from core.web.http import WebRequest, WebResponse

ASSETS = Path(__file__).parent / "assets"


@cache
def asset(name: str) -> tuple[bytes, str]:
    """An asset's bytes and a short hash of them (for cache-busting links)."""
    data = (ASSETS / name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:10]


def asset_url(name: str) -> str:
    return f"/assets/{name}?v={asset(name)[1]}"


def _lang_links(request: WebRequest | None, locale: str) -> Markup:
    links = []
    for code, name in (("vi", "Tiếng Việt"), ("en", "English")):
        query = dict(request.query) if request is not None else {}
        query["lang"] = code
        href = f"{request.path if request is not None else ''}?{urlencode(query)}"
        current = ' aria-current="true"' if code == locale else ""
        links.append(
            Markup('<a href="{}" hreflang="{}"{}>{}</a>').format(href, code, Markup(current), name)
        )
    return Markup(" · ").join(links)


def _demo_strip(locale: str) -> Markup:
    """A strip above every page of a demo installation (its data and passwords are public)."""
    from core.demo import is_demo

    if not is_demo():
        return Markup("")
    return Markup('<p class="demo" role="note">{}</p>').format(t_in(locale, "demo.banner"))


def _menu(request: WebRequest | None, lang: str, items: Sequence[tuple[str, str]]) -> Markup:
    """The phone menu: a ``<details>`` (opens and closes without script; ``forms.js`` closes
    it after a tap), one link per ``(path, text)``, the current page marked."""
    if not items:
        return Markup("")
    here = request.path if request is not None else ""
    links = Markup("").join(
        Markup('<a href="{}"{}>{}</a>').format(
            path, Markup(' aria-current="page"') if path == here else Markup(""), text
        )
        for path, text in items
    )
    return Markup('<details class="menu"><summary>{}</summary><nav>{}</nav></details>').format(
        t_in(lang, "web.menu"), links
    )


def page(
    request: WebRequest | None,
    title: str,
    body: Markup | str,
    *,
    locale: str | None = None,
    status: int = 200,
    script: bool = False,
    menu: Sequence[tuple[str, str]] = (),
) -> WebResponse:
    """A whole page: ``title`` is escaped; ``body`` must already be safe HTML (``Markup``).
    ``menu``: the links of the phone menu, ``(path, text)`` (the script comes with it)."""
    lang = locale or (request.locale if request is not None else "vi")
    head_script = (
        Markup('<script src="{}" defer></script>').format(asset_url("forms.js"))
        if script or menu
        else ""
    )
    html = Markup(
        '<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>{title} · {suite}</title><link rel="stylesheet" href="{css}">{script}'
        '</head><body>{demo}<header class="top"><span class="brand">{suite}</span>'
        '<nav class="lang">{langs}</nav></header>{menu}<main>{body}</main>'
        "<footer>{footer}</footer></body></html>"
    ).format(
        lang=lang,
        title=title,
        suite=t_in(lang, "suite.title"),
        css=asset_url("rapid.css"),
        script=head_script,
        demo=_demo_strip(lang),
        langs=_lang_links(request, lang),
        menu=_menu(request, lang, menu),
        body=body if isinstance(body, Markup) else escape(body),
        footer=t_in(lang, "web.footer"),
    )
    return WebResponse.html(str(html), status)


def message_page(locale: str, title_key: str, text_key: str, **params: object) -> WebResponse:
    """A short page that says one thing (too many requests, a bad link...)."""
    title = t_in(locale, title_key)
    body = Markup('<h1>{}</h1><p class="notice">{}</p>').format(
        title, t_in(locale, text_key, **params)
    )
    return page(None, title, body, locale=locale)
