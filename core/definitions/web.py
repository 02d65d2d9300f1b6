"""Citizens' light pages of the definition apps: every public form is plain HTML on the same
server as the staff UI (``core.web``), complete without JavaScript, a few kilobytes.

- ``/a/<app_id>``: the app's form; on success the reference and, when the app issues its
  code on submission, the signed QR inline (SVG) and as a PNG download;
- ``/a/<app_id>/tra-cuu``: look up a reference (status, the reason of a refusal, the QR once
  issued) and, for a refused one the app lets citizens send again, the form to correct.

One dynamic route per kind serves every app, so an app an admin activates while the server
runs is served at once (each request first brings this process in line with the active
definitions: one primary-key read). The Streamlit pages these replace (``/<app_id>-submit``,
``/<app_id>-status``) redirect here; their routes match only the ids of active public
definition apps, so every other address still reaches Streamlit. ``/a/`` is one of the
guarded prefixes (security headers, body cap: ``core.web.security``). Form tokens, the
per-client limits of the page's kind and the hourly counts (``web.da.<app_id>``) are core's,
as for the other public pages.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from core import clock
from core.definitions import install, service
from core.definitions.workbook import Definition
from core.forms import FORM, FieldError, FormInvalid
from core.forms.html_form import read, render, token_problem
from core.i18n import t
from core.web.http import CSRF_FIELD, WebRequest, WebResponse
from core.web.layout import message_page, page

log = logging.getLogger(__name__)

PREFIX = "/a/"
LOOKUP = "tra-cuu"
APP_ID = re.compile(r"[a-z][a-z0-9_]{1,30}")
REF = re.compile(r"[A-Z0-9]{4,20}")


def submit_path(app_id: str) -> str:
    return f"{PREFIX}{app_id}"


def lookup_path(app_id: str) -> str:
    return f"{PREFIX}{app_id}/{LOOKUP}"


# -- which app --------------------------------------------------------------------------------


def _sync() -> None:
    """This process's registry in line with the active definitions (cheap when unchanged)."""
    from core.store import get_store

    try:
        install.sync(get_store())
    except Exception:  # noqa: BLE001 - the built-in pages must still be served
        log.exception("definition apps could not be loaded")


def public_app(app_id: str) -> Definition | None:
    """The active definition ``app_id`` when citizens may submit to it, else None."""
    if not APP_ID.fullmatch(app_id or ""):
        return None
    try:
        d = install.definition(app_id)
    except install.NotActive:
        return None
    return d if d.public else None


def _app_of(request: WebRequest) -> tuple[Definition | None, bool]:
    """(the app the address names, whether it is the look-up page)."""
    rest = request.path[len(PREFIX) :].strip("/").split("/")
    lookup = len(rest) == 2 and rest[1] == LOOKUP
    if len(rest) > 2 or (len(rest) == 2 and not lookup):
        return None, False
    return public_app(rest[0]), lookup


def _not_found(request: WebRequest) -> WebResponse:
    response = message_page(request.locale, "da.web.missing.title", "da.web.missing.text")
    response.status = 404
    return response


# -- page pieces ------------------------------------------------------------------------------


def _title(d: Definition, locale: str) -> str:
    return d.form.title.get(locale) or d.title.get(locale)


def _qr(text: str, ref: str, until: Any) -> Markup:
    """The signed code inline (SVG) and as a PNG to keep."""
    from core.qr import render as qr_render

    png = base64.b64encode(qr_render.png_bytes(text, scale=8)).decode()
    return Markup(
        '<div class="card"><p>{}</p>{}<p><a class="button secondary" download="{}.png"'
        ' href="data:image/png;base64,{}">{}</a></p></div>'
    ).format(
        t("da.web.code", until=clock.fmt_local(until)),
        Markup(qr_render.svg_text(text)),
        ref,
        png,
        t("da.download_png"),
    )


def _status_button(request: WebRequest, d: Definition, ref: str) -> Markup:
    """One tap to the look-up page for this reference (posted: no reference in an address)."""
    return Markup(
        '<form method="post" action="{}"><input type="hidden" name="{}" value="{}">'
        '<input type="hidden" name="ref" value="{}"><p><button type="submit" class="secondary">'
        "{}</button></p></form>"
    ).format(lookup_path(d.app_id), CSRF_FIELD, request.form_token(), ref, t("da.web.see_status"))


def _form_page(
    request: WebRequest,
    d: Definition,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, FieldError] | None = None,
) -> WebResponse:
    title = _title(d, request.locale)
    html = render(
        d.form,
        request,
        action=submit_path(d.app_id),
        submit_label=t("da.send"),
        values=values,
        errors=errors,
    )
    links = Markup('<p class="hint"><a href="{}">{}</a></p>').format(
        lookup_path(d.app_id), t("da.web.have_ref")
    )
    body = Markup('<h1>{}</h1><p class="intro">{}</p>{}{}').format(
        title, t("da.web.intro"), html, links if _has_lookup(d) else Markup("")
    )
    return page(request, title, body, script=True, status=422 if errors else 200)


def _has_lookup(d: Definition) -> bool:
    return d.workflow == "review" or d.issue != "none"


def _checked(request: WebRequest) -> None:
    problem = token_problem(request)
    if problem is not None:
        raise FormInvalid({FORM: problem})


# -- the form ---------------------------------------------------------------------------------


def submit_page(request: WebRequest) -> WebResponse:
    """``/a/<app_id>`` (and ``/a/<app_id>/tra-cuu``): the app's public form; after sending,
    the reference and, when the app issues on submission, the QR code."""
    d, lookup = _app_of(request)
    if d is None:
        return _not_found(request)
    if lookup:
        return lookup_page(request, d)
    if request.method != "POST":
        return _form_page(request, d)
    raw, shown = read(d.form, request)
    try:
        _checked(request)
        d.form.validate(raw, shown=shown)
        done = service.submit(None, d.app_id, raw)
    except FormInvalid as exc:
        return _form_page(request, d, values=raw, errors=exc.errors)
    except service.DefinitionAppError as exc:
        return _form_page(request, d, values=raw, errors={FORM: _words(str(exc))})
    title = _title(d, request.locale)
    parts = [
        Markup('<h1>{}</h1><p class="notice" role="status">{}</p>').format(
            t("da.web.sent_title"), _sent_words(d, done)
        ),
        Markup('<p class="ref">{} <strong>{}</strong></p>').format(t("da.ref") + ":", done.ref),
    ]
    if done.token_text:
        shown_status = service.status(None, d.app_id, done.ref)
        parts.append(_qr(done.token_text, done.ref, shown_status["valid_until"]))
    if _has_lookup(d):
        parts.append(_status_button(request, d, done.ref))
    parts.append(
        Markup('<p><a class="button secondary" href="{}">{}</a></p>').format(
            submit_path(d.app_id), t("da.web.again")
        )
    )
    return page(request, title, Markup("").join(parts))


def _sent_words(d: Definition, done: service.Submitted) -> str:
    if done.token_text:
        return t("da.web.sent_code", ref=done.ref)
    return t("da.sent", ref=done.ref) if _has_lookup(d) else t("da.web.sent_plain", ref=done.ref)


def _words(text: str) -> FieldError:
    return FieldError("", text=(text, text))


# -- the look-up ------------------------------------------------------------------------------


def _lookup_form(request: WebRequest, d: Definition, ref: str = "", error: str = "") -> Markup:
    err = (
        Markup('<p class="err" id="e-ref" role="alert">{}</p>').format(error)
        if error
        else Markup("")
    )
    return Markup(
        '<form method="post" action="{}" class="rapid-form" novalidate>'
        '<input type="hidden" name="{}" value="{}">'
        '<div class="q{}" id="q-ref"><label for="f-ref">{} <span class="req"'
        ' aria-hidden="true">*</span></label><p class="hint" id="h-ref">{}</p>'
        '<input type="text" id="f-ref" name="ref" maxlength="20" autocapitalize="characters"'
        ' autocomplete="off" required value="{}" aria-describedby="h-ref{}"{}>{}</div>'
        '<p><button type="submit">{}</button></p></form>'
    ).format(
        lookup_path(d.app_id),
        CSRF_FIELD,
        request.form_token(),
        " bad" if error else "",
        t("da.ref"),
        t("da.lookup.hint"),
        ref,
        " e-ref" if error else "",
        Markup(' aria-invalid="true"') if error else Markup(""),
        err,
        t("da.lookup"),
    )


def _lookup_page(
    request: WebRequest,
    d: Definition,
    *,
    ref: str = "",
    error: str = "",
    result: Markup | str = "",
    status: int = 200,
) -> WebResponse:
    title = f"{t('da.lookup')}: {_title(d, request.locale)}"
    body = Markup('<h1>{}</h1>{}{}<p class="hint"><a href="{}">{}</a></p>').format(
        title,
        result,
        _lookup_form(request, d, "" if result else ref, error),
        submit_path(d.app_id),
        t("da.web.to_form"),
    )
    return page(request, title, body, script=True, status=status)


def _clean_ref(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()[:20]


def lookup_page(request: WebRequest, d: Definition) -> WebResponse:
    """``/a/<app_id>/tra-cuu``: a reference's status; the form to correct a refused one."""
    if request.method != "POST":
        ref = _clean_ref(request.query.get("ref", ""))  # an old link (``?ref=``)
        if not ref:
            return _lookup_page(request, d)
        return _show(request, d, ref)
    ref = _clean_ref(request.value("ref"))
    problem = token_problem(request)
    if problem is not None:
        return _lookup_page(request, d, ref=ref, error=problem.message, status=422)
    if request.value("step") == "resubmit":
        return _resubmit(request, d, ref)
    return _show(request, d, ref)


def _show(request: WebRequest, d: Definition, ref: str) -> WebResponse:
    if not REF.fullmatch(ref):
        return _lookup_page(request, d, ref=ref, error=t("da.err.no_ref"), status=422)
    try:
        shown = service.status(None, d.app_id, ref)
    except service.DefinitionAppError as exc:
        return _lookup_page(request, d, ref=ref, error=str(exc), status=422)
    return _lookup_page(request, d, ref=ref, result=_status_html(request, d, shown))


def _status_html(
    request: WebRequest,
    d: Definition,
    shown: Mapping[str, Any],
    *,
    errors: Mapping[str, FieldError] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Markup:
    parts = [
        Markup(
            '<div class="card"><p>{} <strong>{}</strong></p><p>{} <strong>{}</strong></p>'
        ).format(
            t("da.ref") + ":",
            shown["ref"],
            t("da.col.status") + ":",
            t(f"da.status.{shown['status']}"),
        )
    ]
    if shown["reason"]:
        parts.append(
            Markup('<p class="notice">{}</p>').format(t("da.your_reason", reason=shown["reason"]))
        )
    parts.append(Markup("</div>"))
    if shown["token_text"]:
        if shown["revoked"]:
            parts.append(Markup('<p class="err">{}</p>').format(t("da.code_revoked")))
        else:
            parts.append(_qr(shown["token_text"], shown["ref"], shown["valid_until"]))
    if shown["can_resubmit"]:
        initial = (
            values
            if values is not None
            else {k: v for k, v in shown["values"].items() if v is not None}
        )
        parts.append(Markup("<h2>{}</h2>").format(t("da.resubmit")))
        parts.append(
            render(
                d.form,
                request,
                action=lookup_path(d.app_id),
                submit_label=t("da.resubmit"),
                values=initial,
                errors=errors,
                hidden={"step": "resubmit", "ref": shown["ref"]},
            )
        )
    return Markup("").join(parts)


def _resubmit(request: WebRequest, d: Definition, ref: str) -> WebResponse:
    if not REF.fullmatch(ref):
        return _lookup_page(request, d, ref=ref, error=t("da.err.no_ref"), status=422)
    raw, shown_fields = read(d.form, request)
    try:
        shown = service.status(None, d.app_id, ref)
    except service.DefinitionAppError as exc:
        return _lookup_page(request, d, ref=ref, error=str(exc), status=422)
    try:
        d.form.validate(raw, shown=shown_fields)
        service.resubmit(None, d.app_id, ref, raw)
    except FormInvalid as exc:
        result = _status_html(request, d, shown, errors=exc.errors, values=raw)
        return _lookup_page(request, d, ref=ref, result=result, status=422)
    except service.DefinitionAppError as exc:
        result = _status_html(request, d, shown, errors={FORM: _words(str(exc))}, values=raw)
        return _lookup_page(request, d, ref=ref, result=result, status=422)
    done = Markup('<p class="notice" role="status">{}</p>').format(t("da.resubmitted"))
    return _lookup_page(
        request,
        d,
        ref=ref,
        result=done + _status_html(request, d, service.status(None, d.app_id, ref)),
    )


# -- routes -----------------------------------------------------------------------------------


def routes() -> list[Any]:
    """The routes of every definition app's public pages, and the redirects from their old
    Streamlit pages (matched only for active public definition apps)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import RedirectResponse
    from starlette.routing import Match, Route

    from core.web.http import endpoint
    from core.web.routes import counted

    inner = {kind: endpoint(submit_page, kind) for kind in ("submit", "lookup")}

    def kind_of(path: str) -> str:
        return "lookup" if path.rstrip("/").endswith(f"/{LOOKUP}") else "submit"

    async def serve(request: Any) -> Any:
        await run_in_threadpool(_sync)
        app_id = request.path_params.get("app_id", "")
        name = f"da.{app_id}" if public_app(app_id) is not None else "da.unknown"
        kind = kind_of(request.url.path)
        return await counted(name, kind, inner[kind])(request)

    class OldPage(Route):
        """``/<app_id>-submit`` or ``-status``: only for an active public definition app."""

        def matches(self, scope: Any) -> tuple[Any, Any]:
            match, child = super().matches(scope)
            if match is Match.NONE:
                return match, child
            _sync()
            if public_app(child["path_params"].get("app_id", "")) is None:
                return Match.NONE, {}
            return match, child

    def moved(suffix: str) -> Any:
        async def go(request: Any) -> Any:
            app_id = request.path_params["app_id"]
            target = submit_path(app_id) + suffix
            query = request.url.query
            return RedirectResponse(f"{target}?{query}" if query else target, status_code=301)

        return go

    return [
        Route(PREFIX + "{app_id}", serve, methods=["GET", "POST"]),
        Route(PREFIX + "{app_id}/" + LOOKUP, serve, methods=["GET", "POST"]),
        OldPage("/{app_id}-submit", moved(""), methods=["GET"]),
        OldPage("/{app_id}-status", moved("/" + LOOKUP), methods=["GET"]),
    ]
