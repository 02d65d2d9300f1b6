"""Citizens' light pages of the health declaration: declare and get the pass, find the pass
again, check in at a venue from its poster. Plain HTML on the same server as the staff UI,
complete without JavaScript, a few kilobytes (``core.web``).

The pass a browser received is kept in an HttpOnly cookie on that phone only, so checking in
at a venue is one tap from the phone that declared.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from apps.health_declaration import service
from apps.health_declaration.forms import DECLARATION, LOOKUP
from core import clock
from core.forms import FORM, FieldError, FormInvalid
from core.forms.html_form import read, render, token_problem
from core.i18n import t
from core.web.http import WebRequest, WebResponse
from core.web.layout import page

PASS_COOKIE = "rapid_hd_pass"
DECLARE, LOOK_UP, CHECK_IN = "/khai-bao", "/tra-cuu", "/check-in"


def _form_page(
    request: WebRequest,
    title: str,
    intro: str,
    form_html: Markup,
    *,
    before: Markup | str = "",
) -> WebResponse:
    body = Markup('<h1>{}</h1><p class="intro">{}</p>{}{}').format(title, intro, before, form_html)
    return page(request, title, body, script=True)


# -- the pass ---------------------------------------------------------------------------------------


def _next_steps(colour: str) -> Markup:
    return Markup('<p class="notice">{}</p>').format(t(f"hd.pass.next.{colour}"))


def pass_view(request: WebRequest, result: service.PassResult, *, heading: str) -> WebResponse:
    """The pass: its colour in words, who it is for, the QR inline and as a PNG download."""
    from core.qr import render as qr_render

    colour = t(f"hd.colour.{result.colour}")
    facts = Markup("").join(
        Markup("<dt>{}</dt><dd>{}</dd>").format(label, value)
        for label, value in (
            (t("hd.pass.year"), result.birth_year),
            (t("hd.pass.id"), result.masked_id),
            (t("hd.pass.at"), clock.fmt_local(result.declared_at)),
            (t("hd.pass.until"), clock.fmt_local(result.expires_at)),
        )
    )
    qr = Markup("")
    if result.text:
        png = base64.b64encode(qr_render.png_bytes(result.text, scale=8)).decode()
        qr = Markup(
            '{}<p><a class="button secondary" download="the-y-te.png" href="data:image/png;base64,{}">{}</a></p>'
        ).format(Markup(qr_render.svg_text(result.text)), png, t("hd.pass.download"))
    body = Markup(
        '<h1>{}</h1><div class="card {}"><p><span class="badge">{}</span></p><h2>{}</h2>'
        '<dl class="facts">{}</dl>{}</div>{}<p><a class="button secondary" href="{}">{}</a></p>'
    ).format(
        heading,
        result.colour,
        t("hd.pass.colour", colour=colour),
        result.full_name,
        facts,
        qr,
        _next_steps(result.colour),
        DECLARE,
        t("hd.declare.again"),
    )
    response = page(request, t("hd.page.pass"), body)
    if result.text and result.expires_at is not None:
        response.cookies[PASS_COOKIE] = result.text
    return response


# -- declare ------------------------------------------------------------------------------------------


def declare(request: WebRequest) -> WebResponse:
    """``/khai-bao``: the declaration; on success the pass itself."""
    title, intro = t("hd.declare.title"), t("hd.declare.caption")
    if request.method != "POST":
        html = render(DECLARATION, request, action=DECLARE, submit_label=t("hd.declare.submit"))
        return _form_page(request, title, intro, html)
    raw, shown = read(DECLARATION, request)
    try:
        problem = token_problem(request)
        if problem is not None:
            raise FormInvalid({FORM: problem})
        DECLARATION.validate(raw, shown=shown)
        result = service.submit_declaration(None, raw)
    except FormInvalid as exc:
        return _refused(request, title, intro, raw, exc.errors)
    except service.HealthError as exc:
        return _refused(
            request, title, intro, raw, {FORM: FieldError("", text=(str(exc), str(exc)))}
        )
    heading = t("hd.declare.done") + (
        " " + t("hd.declare.replaced") if result.replaced_previous else ""
    )
    return pass_view(request, result, heading=heading)


def _refused(
    request: WebRequest,
    title: str,
    intro: str,
    raw: Mapping[str, Any],
    errors: Mapping[str, FieldError],
) -> WebResponse:
    html = render(
        DECLARATION,
        request,
        action=DECLARE,
        submit_label=t("hd.declare.submit"),
        values=raw,
        errors=errors,
    )
    response = _form_page(request, title, intro, html)
    response.status = 422
    return response


# -- find my pass ---------------------------------------------------------------------------------------


def look_up(request: WebRequest) -> WebResponse:
    """``/tra-cuu``: the latest valid pass by phone and CCCD/passport."""
    title, intro = t("hd.lookup.title"), t("hd.lookup.caption")
    errors: dict[str, FieldError] = {}
    raw: dict[str, Any] | None = None
    if request.method == "POST":
        raw, _ = read(LOOKUP, request)
        try:
            problem = token_problem(request)
            if problem is not None:
                raise FormInvalid({FORM: problem})
            found = service.lookup_pass(None, raw["phone"], raw["person_id"])
            if found is None:
                raise FormInvalid.one(FORM, "hd.lookup.none")
            return pass_view(request, found, heading=t("hd.lookup.title"))
        except FormInvalid as exc:
            errors = exc.errors
    html = render(
        LOOKUP,
        request,
        action=LOOK_UP,
        submit_label=t("hd.lookup.submit"),
        values=raw,
        errors=errors,
    )
    response = _form_page(request, title, intro, html)
    if errors:
        response.status = 422
    return response


# -- check in at a venue -------------------------------------------------------------------------------


def check_in(request: WebRequest) -> WebResponse:
    """``/check-in?v=<venue token>`` from a venue's poster: one tap with the pass this phone
    holds, or phone + CCCD."""
    title = t("hd.checkin.title")
    token = request.value("v") if request.method == "POST" else request.query.get("v", "")
    try:
        venue = service.venue_from_token(token)
    except service.CheckinError as exc:
        body = Markup('<h1>{}</h1><p class="err banner">{}</p><p class="notice">{}</p>').format(
            title, str(exc), t("hd.checkin.scan_again")
        )
        return page(request, title, body, status=400)
    header = Markup("<h1>{}</h1><h2>{}</h2><p>{}</p>").format(title, venue.name, venue.address)
    errors: dict[str, FieldError] = {}
    raw: dict[str, Any] | None = None
    held = request.cookies.get(PASS_COOKIE, "")
    if request.method == "POST":
        try:
            problem = token_problem(request)
            if problem is not None:
                raise FormInvalid({FORM: problem})
            if request.value("with") == "pass" and held:
                done = service.checkin_with_pass(None, token, held)
            else:
                raw, _ = read(LOOKUP, request)
                done = service.checkin_by_link(None, token, raw["phone"], raw["person_id"])
        except FormInvalid as exc:
            errors = exc.errors
        except service.CheckinError as exc:
            errors = {FORM: FieldError("", text=(str(exc), str(exc)))}
        else:
            body = Markup(
                '{}<div class="card {}"><p><span class="badge">{}</span></p><h2>{}</h2></div>'
            ).format(
                header,
                done.colour,
                t(f"hd.colour.{done.colour}"),
                t("hd.checkin.done", name=done.full_name, at=clock.fmt_local(done.checked_in_at)),
            )
            return page(request, title, body)
    one_tap = Markup("")
    if held:
        one_tap = Markup(
            '<form method="post" action="{}"><input type="hidden" name="_csrf" value="{}">'
            '<input type="hidden" name="v" value="{}"><input type="hidden" name="with" value="pass">'
            '<p><button type="submit">{}</button></p></form><p class="hint">{}</p>'
        ).format(
            CHECK_IN, request.form_token(), token, t("hd.checkin.with_pass"), t("hd.checkin.or")
        )
    html = render(
        LOOKUP,
        request,
        action=CHECK_IN,
        submit_label=t("hd.checkin.submit"),
        values=raw,
        errors=errors,
        hidden={"v": token},
    )
    response = page(request, title, header + one_tap + html, script=True)
    if errors:
        response.status = 422
    return response
