"""Citizens' light pages of the health declaration: declare and get the pass, find the pass
again, check in at a venue from its poster. Plain HTML on the same server as the staff UI,
complete without JavaScript, a few kilobytes (``core.web``).

Who may see a pass: the phone that declared keeps a secret in a long-lived cookie
(``rapid_hd_holder``: HttpOnly, SameSite=Lax, Secure over HTTPS, 30 days), so on that phone
"Tra cứu" shows the pass at once and checking in at a venue is one tap. From another phone,
the phone number and CCCD only ask for a one-time code, sent by SMS to the declared number;
the page says the same whether or not they matched, and the code puts the secret in that
phone's cookie. Knowing someone's numbers shows nothing and checks no one in. Risk reasons
are never shown here (the colour and what to do next are); officers see them on staff pages.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from apps.health_declaration import service
from apps.health_declaration.forms import DECLARATION, LOOKUP
from core import clock
from core.forms import FORM, FieldError, FormInvalid
from core.forms.html_form import read, render, token_problem, token_spender
from core.i18n import t
from core.web.http import CSRF_FIELD, WebRequest, WebResponse, spends_token_in_action
from core.web.layout import message_page, page

HOLDER_COOKIE = "rapid_hd_holder"
HOLDER_DAYS = 30
DECLARE, LOOK_UP, CHECK_IN = "/khai-bao", "/tra-cuu", "/check-in"
MENU = ((DECLARE, "hd.page.declare"), (LOOK_UP, "hd.page.pass"), (CHECK_IN, "hd.page.checkin"))
"""The phone menu of these pages: (path, message key)."""


def _page(
    request: WebRequest, title: str, body: Markup, *, status: int = 200, script: bool = False
) -> WebResponse:
    """A page of this app, with its phone menu."""
    menu = [(path, t(key)) for path, key in MENU]
    return page(request, title, body, status=status, script=script, menu=menu)


# -- the holder's cookie -------------------------------------------------------------------------


def held_secrets(request: WebRequest) -> list[str]:
    """The holder secrets this phone's cookie carries (well-formed ones only)."""
    return service.clean_secrets(request.cookies.get(HOLDER_COOKIE, "").split("."))


def keep_secrets(request: WebRequest, response: WebResponse, secrets: Sequence[str]) -> None:
    """Write the holder cookie: path ``/``, HttpOnly, SameSite=Lax, Secure over HTTPS, kept
    ``holder_days`` days (a session cookie would be gone when the phone closes the browser)."""
    value = ".".join(service.clean_secrets(secrets))
    days = service.settings().holder_days
    parts = [
        f"{HOLDER_COOKIE}={value}",
        f"Max-Age={days * 86400 if value else 0}",
        "Path=/",
        "HttpOnly",
        "SameSite=Lax",
    ]
    if request.https:
        parts.append("Secure")
    response.headers["set-cookie"] = "; ".join(parts)


def _with_new(new: str, known: Sequence[str]) -> list[str]:
    return [new, *(s for s in known if s != new)]


def _tap_form(
    request: WebRequest, token: str, secret: str, name: str, *, label: str = "hd.checkin.as"
) -> Markup:
    """A one-tap check-in button for a pass this phone holds (the secret stays in the cookie:
    the form names it by a short hash)."""
    return Markup(
        '<form method="post" action="{}"><input type="hidden" name="{}" value="{}">'
        '<input type="hidden" name="v" value="{}"><input type="hidden" name="n" value="{}">'
        '<p><button type="submit">{}</button></p></form>'
    ).format(CHECK_IN, CSRF_FIELD, request.form_token(), token, _tag(secret), t(label, name=name))


def _tag(secret: str) -> str:
    """Which held pass a one-tap button means, without writing the secret into the page."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


# -- page pieces ----------------------------------------------------------------------------------


def _form_page(
    request: WebRequest,
    title: str,
    intro: str,
    form_html: Markup,
    *,
    before: Markup | str = "",
    status: int = 200,
) -> WebResponse:
    body = Markup('<h1>{}</h1><p class="intro">{}</p>{}{}').format(title, intro, before, form_html)
    return _page(request, title, body, script=True, status=status)


def _try_later(request: WebRequest, wait: int) -> WebResponse:
    """The one "too many, try again in N s" page, whichever limit refused: the same words for a
    flood from this address and for a number that declared often (no hint about anyone)."""
    response = message_page(request.locale, "web.too_many.title", "web.too_many.text", seconds=wait)
    response.status = 429
    response.headers["retry-after"] = str(wait)
    return response


def _card(result: service.PassResult) -> Markup:
    """A pass: its colour in words, who it is for, when, the QR inline and as a PNG download.
    No risk reasons, no birth year, no ID number."""
    from core.qr import render as qr_render

    facts = Markup("").join(
        Markup("<dt>{}</dt><dd>{}</dd>").format(label, value)
        for label, value in (
            (t("hd.pass.at"), clock.fmt_local(result.declared_at)),
            (t("hd.pass.until"), clock.fmt_local(result.expires_at)),
        )
    )
    qr = Markup("")
    if result.text:
        # one PNG for the picture and the download (drawing an SVG too cost 0.75 ms a pass)
        png = base64.b64encode(qr_render.png_from_matrix(qr_render.qr_matrix(result.text), scale=8))
        uri = "data:image/png;base64," + png.decode()
        qr = Markup(
            '<img class="qr" src="{}" alt="{}"><p><a class="button secondary"'
            ' download="the-y-te.png" href="{}">{}</a></p>'
        ).format(uri, t("hd.pass.qr_alt"), uri, t("hd.pass.download"))
    return Markup(
        '<div class="card {}"><p><span class="badge">{}</span></p><h2>{}</h2>'
        '<dl class="facts">{}</dl>{}</div><p class="notice">{}</p>'
    ).format(
        result.colour,
        t("hd.pass.colour", colour=t(f"hd.colour.{result.colour}")),
        result.full_name,
        facts,
        qr,
        t(f"hd.pass.next.{result.colour}"),
    )


def _gone(held: service.HeldPass) -> Markup:
    return Markup('<p class="notice">{} <a href="{}">{}</a></p>').format(
        t("hd.mine.gone", name=held.full_name), DECLARE, t("hd.declare.again")
    )


def _again() -> Markup:
    return Markup('<p><a class="button secondary" href="{}">{}</a></p>').format(
        DECLARE, t("hd.declare.again")
    )


def pass_view(
    request: WebRequest,
    result: service.PassResult,
    *,
    heading: str,
    intro: str = "",
    before: Markup | str = "",
) -> WebResponse:
    """One pass under a heading (after declaring, after entering a code); ``before`` goes
    between the heading and the pass (a check-in button)."""
    lead = Markup('<p class="intro">{}</p>').format(intro) if intro else Markup("")
    body = Markup("<h1>{}</h1>{}{}{}{}").format(heading, lead, before, _card(result), _again())
    return _page(request, t("hd.page.pass"), body)


def _code_form(
    request: WebRequest,
    action: str,
    challenge: str,
    *,
    error: str = "",
    hidden: Mapping[str, str] | None = None,
    value: str = "",
) -> Markup:
    """The one-time code: a numeric keyboard and the phone's own code suggestion; the error,
    when there is one, right after the field."""
    err = (
        Markup('<p class="err" id="e-code" role="alert">{}</p>').format(error)
        if error
        else Markup("")
    )
    extra = Markup("").join(
        Markup('<input type="hidden" name="{}" value="{}">').format(k, v)
        for k, v in (hidden or {}).items()
    )
    return Markup(
        '<form method="post" action="{}" class="rapid-form" novalidate>'
        '<input type="hidden" name="{}" value="{}"><input type="hidden" name="step" value="code">'
        '<input type="hidden" name="c" value="{}">{}'
        '<div class="q{}" id="q-code"><label for="f-code">{} <span class="req"'
        ' aria-hidden="true">*</span></label><p class="hint" id="h-code">{}</p>'
        '<input type="text" id="f-code" name="code" inputmode="numeric" pattern="[0-9]*"'
        ' autocomplete="one-time-code" maxlength="6" required value="{}"'
        ' aria-describedby="h-code{}"{}>'
        '{}</div><p><button type="submit">{}</button></p></form>'
    ).format(
        action,
        CSRF_FIELD,
        request.form_token(),
        challenge,
        extra,
        " bad" if error else "",
        t("hd.code.label"),
        t("hd.code.hint"),
        value[:12],
        " e-code" if error else "",
        Markup(' aria-invalid="true"') if error else Markup(""),
        err,
        t("hd.code.submit"),
    )


def _code_page(
    request: WebRequest,
    title: str,
    action: str,
    challenge: str,
    *,
    error: str = "",
    hidden: Mapping[str, str] | None = None,
    before: Markup | str = "",
) -> WebResponse:
    """After phone + CCCD: the same words whether or not they matched anything."""
    typed = request.value("code") if error else ""
    body = Markup('{}<h2>{}</h2><p class="notice">{}</p>{}<p><a href="{}">{}</a></p>').format(
        before or Markup("<h1>{}</h1>").format(title),
        t("hd.code.title"),
        t("hd.code.sent", minutes=service.settings().code_minutes),
        _code_form(request, action, challenge, error=error, hidden=hidden, value=typed),
        action + ("?" + urlencode(dict(hidden)) if hidden else ""),
        t("hd.code.restart"),
    )
    return _page(request, title, body, status=422 if error else 200)


def _token_checked(request: WebRequest, *, in_action: bool = False) -> None:
    """Raise the form-level error of a bad form token. ``in_action``: the token is used inside
    the action's transaction (``token_spender``), not here."""
    problem = token_problem(request, in_action=in_action)
    if problem is not None:
        raise FormInvalid({FORM: problem})


# -- declare ------------------------------------------------------------------------------------------

_limiters: dict[int, Any] = {}


def _declare_wait(request: WebRequest) -> int:
    """The per-client limit of declarations, tighter than core's limit on every form post:
    ``declare_per_client_per_minute`` (default a third of ``web_submit_per_minute``), bursts
    of half a minute's worth. One per configuration (per process; fresh for each test)."""
    from core.config import get_settings
    from core.web.security import RateLimiter

    settings = get_settings()
    limiter = _limiters.get(id(settings))
    if limiter is None:
        rate = service.settings().declare_per_client_per_minute or max(
            1, settings.web_submit_per_minute // 3
        )
        _limiters.clear()
        limiter = _limiters[id(settings)] = RateLimiter(rate, burst=max(2, rate // 2))
    return limiter.allow(request.client)


def _venue_of(token: str) -> service.Venue | None:
    if not token:
        return None
    try:
        return service.venue_from_token(token)
    except service.CheckinError:
        return None


@spends_token_in_action
def declare(request: WebRequest) -> WebResponse:
    """``/khai-bao``: the declaration; on success the pass itself, kept on this phone.
    From a venue's check-in page (``?v=<venue token>``), the pass page offers the check-in
    there in one tap."""
    title, intro = t("hd.declare.title"), t("hd.declare.caption")
    token = request.value("v") if request.method == "POST" else request.query.get("v", "")
    venue = _venue_of(token)
    hidden = {"v": token} if venue is not None else None
    if request.method != "POST":
        html = render(
            DECLARATION,
            request,
            action=DECLARE,
            submit_label=t("hd.declare.submit"),
            hidden=hidden,
        )
        return _form_page(request, title, intro, html)
    raw, shown = read(DECLARATION, request)
    known = held_secrets(request)
    try:
        _token_checked(request, in_action=True)
        DECLARATION.validate(raw, shown=shown)
        wait = _declare_wait(request)
        if wait:
            return _try_later(request, wait)
        result = service.submit_declaration(
            None, raw, holders=known, before_write=token_spender(request)
        )
    except FormInvalid as exc:
        return _refused(request, title, intro, raw, exc.errors, hidden)
    except service.RateLimited as exc:
        return _try_later(request, exc.wait_s)
    except service.HealthError as exc:
        error = {FORM: FieldError("", text=(str(exc), str(exc)))}
        return _refused(request, title, intro, raw, error, hidden)
    heading = t("hd.declare.done") + (
        " " + t("hd.declare.replaced") if result.replaced_previous else ""
    )
    there = Markup("")
    if venue is not None and result.holder_secret:
        there = _tap_form(request, token, result.holder_secret, venue.name, label="hd.checkin.at")
    response = pass_view(request, result, heading=heading, intro=t("hd.declare.kept"), before=there)
    if result.holder_secret:
        still = [h.secret for h in service.held_passes(None, known, cards=False)]
        keep_secrets(request, response, _with_new(result.holder_secret, still))
    return response


def _refused(
    request: WebRequest,
    title: str,
    intro: str,
    raw: Mapping[str, Any],
    errors: Mapping[str, FieldError],
    hidden: Mapping[str, str] | None = None,
) -> WebResponse:
    html = render(
        DECLARATION,
        request,
        action=DECLARE,
        submit_label=t("hd.declare.submit"),
        values=raw,
        errors=errors,
        hidden=hidden,
    )
    return _form_page(request, title, intro, html, status=422)


# -- find my pass ---------------------------------------------------------------------------------------


def _lookup_form(
    request: WebRequest,
    action: str,
    submit: str,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, FieldError] | None = None,
    hidden: Mapping[str, str] | None = None,
) -> Markup:
    return render(
        LOOKUP,
        request,
        action=action,
        submit_label=submit,
        values=values,
        errors=errors,
        hidden={"step": "ask", **(hidden or {})},
    )


def look_up(request: WebRequest) -> WebResponse:
    """``/tra-cuu``: on the phone that declared (or entered a code), its passes at once ("Thẻ
    của bạn"); otherwise phone + CCCD ask for a code sent to the declared phone, and the code
    shows the pass and keeps it on this phone."""
    known = held_secrets(request)
    errors: dict[str, FieldError] = {}
    raw: dict[str, Any] | None = None
    if request.method == "POST" and request.value("step") == "code":
        challenge = request.value("c")
        try:
            _token_checked(request)
            unlocked = service.redeem_code(None, challenge, request.value("code"))
        except FormInvalid as exc:
            return _code_page(
                request, t("hd.lookup.title"), LOOK_UP, challenge, error=exc.errors[FORM].message
            )
        except service.CodeError as exc:
            return _code_page(request, t("hd.lookup.title"), LOOK_UP, challenge, error=str(exc))
        held = unlocked.held
        if held.result is not None:
            response = pass_view(request, held.result, heading=t("hd.mine.title"))
        else:
            body = Markup("<h1>{}</h1>{}").format(t("hd.mine.title"), _gone(held))
            response = _page(request, t("hd.page.pass"), body)
        keep_secrets(request, response, _with_new(unlocked.secret, known))
        return response
    if request.method == "POST":
        raw, _ = read(LOOKUP, request)
        try:
            _token_checked(request)
            challenge = service.request_code(None, raw["phone"], raw["person_id"])
        except FormInvalid as exc:
            errors = exc.errors
        else:
            return _code_page(request, t("hd.lookup.title"), LOOK_UP, challenge)
    held = service.held_passes(None, known)
    valid = [h for h in held if h.result is not None]
    mine = Markup("").join(
        _card(h.result) if h.result is not None else _gone(h)  # type: ignore[arg-type]
        for h in held
    )
    form_html = _lookup_form(request, LOOK_UP, t("hd.lookup.submit"), values=raw, errors=errors)
    if valid:
        body = Markup(
            '<h1>{}</h1>{}{}<details{}><summary>{}</summary><p class="hint">{}</p>{}</details>'
        ).format(
            t("hd.mine.title"),
            mine,
            _again(),
            Markup(" open") if errors else Markup(""),
            t("hd.lookup.other"),
            t("hd.lookup.other_caption"),
            form_html,
        )
        response = _page(
            request, t("hd.page.pass"), body, script=True, status=422 if errors else 200
        )
    else:
        response = _form_page(
            request,
            t("hd.lookup.title"),
            t("hd.lookup.caption"),
            form_html,
            before=mine,
            status=422 if errors else 200,
        )
    if len(held) != len(known):  # forget secrets the server no longer knows
        keep_secrets(request, response, [h.secret for h in held])
    return response


# -- check in at a venue -------------------------------------------------------------------------------


def _checked_in(request: WebRequest, header: Markup, done: service.CheckinResult) -> WebResponse:
    body = Markup(
        '{}<div class="card {}"><p><span class="badge">{}</span></p><h2>{}</h2></div>'
        '<p class="notice">{}</p>'
    ).format(
        header,
        done.colour,
        t(f"hd.colour.{done.colour}"),
        t("hd.checkin.done", name=done.full_name, at=clock.fmt_local(done.checked_in_at)),
        t(f"hd.pass.next.{done.colour}"),
    )
    return _page(request, t("hd.checkin.title"), body)


def _no_venue(request: WebRequest, title: str) -> WebResponse:
    """``/check-in`` without a venue's code: how to check in (scan the poster), not an error."""
    body = Markup(
        '<h1>{}</h1><p class="notice">{} {}</p><p><a class="button" href="{}">{}</a></p>'
        '<p><a class="button secondary" href="{}">{}</a></p>'
    ).format(
        title,
        t("hd.poster.line1"),
        t("hd.poster.line2"),
        DECLARE,
        t("hd.page.declare"),
        LOOK_UP,
        t("hd.page.pass"),
    )
    return _page(request, title, body)


@spends_token_in_action
def check_in(request: WebRequest) -> WebResponse:
    """``/check-in?v=<venue token>`` from a venue's poster: one tap with a pass this phone
    holds; from another phone, phone + CCCD ask for a code sent to the declared phone."""
    title = t("hd.checkin.title")
    token = request.value("v") if request.method == "POST" else request.query.get("v", "")
    if not token.strip():  # opened from the menu or typed: no venue to check in at
        return _no_venue(request, title)
    try:
        venue = service.venue_from_token(token)
    except service.CheckinError as exc:
        body = Markup('<h1>{}</h1><p class="err banner">{}</p><p class="notice">{}</p>').format(
            title, str(exc), t("hd.checkin.scan_again")
        )
        return _page(request, title, body, status=400)
    header = Markup("<h1>{}</h1><h2>{}</h2><p>{}</p>").format(title, venue.name, venue.address)
    known = held_secrets(request)
    errors: dict[str, FieldError] = {}
    raw: dict[str, Any] | None = None
    step = request.value("step") if request.method == "POST" else ""
    if step == "code":
        challenge = request.value("c")
        try:
            _token_checked(request)
            unlocked = service.redeem_code(None, challenge, request.value("code"))
            done = service.checkin_as_holder(None, token, unlocked.secret, venue=venue)
        except FormInvalid as exc:
            message = exc.errors[FORM].message
            return _code_page(
                request,
                title,
                CHECK_IN,
                challenge,
                error=message,
                hidden={"v": token},
                before=header,
            )
        except service.CodeError as exc:
            return _code_page(
                request,
                title,
                CHECK_IN,
                challenge,
                error=str(exc),
                hidden={"v": token},
                before=header,
            )
        except service.CheckinError as exc:
            errors = {FORM: FieldError("", text=(str(exc), str(exc)))}
        else:
            response = _checked_in(request, header, done)
            keep_secrets(request, response, _with_new(unlocked.secret, known))
            return response
    elif step == "ask":
        raw, _ = read(LOOKUP, request)
        try:
            _token_checked(request)
            challenge = service.request_code(None, raw["phone"], raw["person_id"])
        except FormInvalid as exc:
            errors = exc.errors
        else:
            return _code_page(
                request, title, CHECK_IN, challenge, hidden={"v": token}, before=header
            )
    elif request.method == "POST":  # one tap with a pass this phone holds
        try:
            _token_checked(request, in_action=True)
            chosen = [s for s in known if _tag(s) == request.value("n")]
            if not chosen:
                raise service.CheckinError(t("hd.checkin.no_pass"))
            done = service.checkin_as_holder(
                None, token, chosen[0], venue=venue, before_write=token_spender(request)
            )
        except service.CheckinError as exc:
            errors = {FORM: FieldError("", text=(str(exc), str(exc)))}
        except FormInvalid as exc:
            errors = exc.errors
        else:
            return _checked_in(request, header, done)
    held = service.held_passes(None, known, cards=False)
    taps = Markup("").join(
        _tap_form(request, token, h.secret, h.full_name) for h in held if h.state == "valid"
    )
    top = errors.pop(FORM, None) if taps else None
    banner = (
        Markup('<p class="err banner" role="alert">{}</p>').format(top.message)
        if top
        else Markup("")
    )
    form_html = _lookup_form(
        request, CHECK_IN, t("hd.checkin.submit"), values=raw, errors=errors, hidden={"v": token}
    )
    declare_link = Markup('<p><a class="button secondary" href="{}">{}</a></p>').format(
        DECLARE + "?" + urlencode({"v": token}), t("hd.checkin.declare_first")
    )
    if taps:  # the way in from another phone, folded (and open after an error in it)
        other = Markup('<details{}><summary>{}</summary><p class="hint">{}</p>{}</details>').format(
            Markup(" open") if errors else Markup(""),
            t("hd.checkin.other"),
            t("hd.checkin.or"),
            form_html,
        )
        body = header + banner + taps + other + declare_link
    else:
        body = (
            header
            + Markup('<p class="hint">{}</p>').format(t("hd.checkin.ask"))
            + form_html
            + Markup('<p class="hint">{}</p>').format(t("hd.checkin.not_declared"))
            + declare_link
        )
    response = _page(request, title, body, script=True, status=422 if (errors or top) else 200)
    if len(held) != len(known):
        keep_secrets(request, response, [h.secret for h in held])
    return response
