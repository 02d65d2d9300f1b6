"""The daily vitals report opened from a person's monitoring link: a light page for phones
(``core.web``), complete without JavaScript.

``/bao-cao?t=<token>`` asks for the link's code once per browser; the right code opens a
session (an HttpOnly, SameSite=Lax cookie holding a random key) and redirects to ``/bao-cao``
without the token, so the address bar, the history and a screenshot hold no token. The cookie
keeps the last few sessions (a shared family phone), newest first."""

from __future__ import annotations

import time

from markupsafe import Markup

from apps.home_isolation import forms, service
from apps.home_isolation.models import isolation_settings
from core.auth import ANONYMOUS
from core.forms import FORM, FieldError, FormInvalid
from core.forms.html_form import read, render, token_problem
from core.i18n import t
from core.web.http import WebRequest, WebResponse
from core.web.layout import page

REPORT = "/bao-cao"
COOKIE = "hi_link"
MAX_SESSIONS = 4
LEVEL_BADGE = {"green": "green", "yellow": "yellow", "orange": "yellow", "red": "red"}


def _keys(request: WebRequest) -> list[str]:
    raw = request.cookies.get(COOKIE, "")
    return [k for k in raw.split(".") if 0 < len(k) <= 64][:MAX_SESSIONS]


def _with_first(keys: list[str], key: str) -> str:
    return ".".join([key, *[k for k in keys if k != key]][:MAX_SESSIONS])


def _refused(request: WebRequest, message: str, status: int = 400) -> WebResponse:
    title = t("hi.report.title")
    body = Markup('<h1>{}</h1><p class="err banner">{}</p>').format(title, message)
    return page(request, title, body, status=status)


def _code_page(request: WebRequest, token: str, error: str = "", status: int = 200) -> WebResponse:
    """The code entry form (the token rides in a hidden field of the POST, never shown)."""
    title = t("hi.code.title")
    digits = isolation_settings().link_code_digits
    err = Markup('<p class="err" id="e-code">{}</p>').format(error) if error else Markup("")
    body = Markup(
        '<h1>{title}</h1><p>{intro}</p><form method="post" action="{action}" novalidate>'
        '<input type="hidden" name="_csrf" value="{csrf}">'
        '<input type="hidden" name="t" value="{token}">'
        '<div class="field{cls}"><label for="f-code">{label}</label>'
        '<input id="f-code" name="code" type="text" inputmode="numeric" pattern="[0-9]*"'
        ' autocomplete="one-time-code" maxlength="{digits}" required{aria}>{err}</div>'
        '<p><button type="submit">{submit}</button></p></form>'
    ).format(
        title=title,
        intro=t("hi.code.intro", digits=digits),
        action=REPORT,
        csrf=request.form_token(),
        token=token,
        cls=" invalid" if error else "",
        label=t("hi.code.label"),
        digits=digits,
        aria=Markup(' aria-invalid="true" aria-describedby="e-code"') if error else "",
        err=err,
        submit=t("hi.code.submit"),
    )
    return page(request, title, body, status=status)


def _open_with_token(request: WebRequest, token: str) -> WebResponse:
    """A link opened: straight to the form when this browser already entered its code, else
    the code entry."""
    try:
        eid = service.check_link(ANONYMOUS, token)
    except service.LinkRefused as exc:
        return _refused(request, exc.message)
    keys = _keys(request)
    for key in keys:
        if service.session_enrolment(ANONYMOUS, key) == eid:
            response = WebResponse.redirect(REPORT)
            response.cookies[COOKIE] = _with_first(keys, key)
            return response
    return _code_page(request, token)


def _enter_code(request: WebRequest) -> WebResponse:
    token = request.value("t")
    problem = token_problem(request)
    if problem is not None:
        return _code_page(request, token, problem.message, status=422)
    try:
        key = service.unlock(ANONYMOUS, token, request.value("code"))
    except service.CodeRefused as exc:
        return _code_page(request, token, exc.message, status=422)
    except service.LinkRefused as exc:
        return _refused(request, exc.message)
    response = WebResponse.redirect(REPORT)
    response.cookies[COOKIE] = _with_first(_keys(request), key)
    return response


FIRST_SEND_WAIT_S = 3.0
"""How long the second send of a double tap waits for the first one's report to be stored."""


def _sent_before(key: str, raw: dict, request: WebRequest) -> service.ReportResult | None:
    """A page sent twice (a double tap, a resent page): its form token is already used; when
    the answers are the report just received, that report's result (nothing is recorded
    again), else None (the token's refusal stands). The first send of a double tap may still
    be storing its report when the second arrives (the browser shows the second's answer):
    it is waited for, up to ``FIRST_SEND_WAIT_S``."""
    check = request.token_check
    if check is None or check.problem != "replayed":
        return None
    deadline = time.monotonic() + FIRST_SEND_WAIT_S
    while True:
        try:
            found = service.repeated_report(ANONYMOUS, key, raw)
        except FormInvalid:
            return None
        if found is not None or time.monotonic() >= deadline:
            return found
        time.sleep(0.05)


def _sent_page(
    request: WebRequest, title: str, key: str, result: service.ReportResult
) -> WebResponse:
    """The triage level and what to do, today's count as it is now, and a link to a fresh,
    empty form (while the day's limit is not reached)."""
    view = service.open_link(ANONYMOUS, key)
    again = (
        Markup('<p><a class="button secondary" href="{}">{}</a></p>').format(
            REPORT, t("hi.report.again")
        )
        if view.reports_today < view.max_per_day
        else Markup("")
    )
    body = Markup(
        '<h1>{}</h1><div class="card {}"><p><span class="badge">{}</span></p><p>{}</p></div>'
        '<p class="hint" id="report-count">{}</p>{}'
    ).format(
        t("hi.report.sent"),
        LEVEL_BADGE.get(result.level, ""),
        t(f"hi.level.{result.level}"),
        t(f"hi.report.advice.{result.level}"),
        t("hi.report.count", n=view.reports_today, max=view.max_per_day),
        again,
    )
    return page(request, title, body)


def report(request: WebRequest) -> WebResponse:
    """``/bao-cao``: with ``?t=`` the link's code entry (once per browser); then, in the
    browser's session, the person's initials, today's count and the report form; after
    sending, the triage level and what to do."""
    if request.method == "GET" and request.query.get("t"):
        return _open_with_token(request, request.query["t"])
    if request.method == "POST" and "code" in request.form:
        return _enter_code(request)
    keys = _keys(request)
    if not keys:
        return _refused(request, t("hi.link.reopen"))
    key = keys[0]
    title = t("hi.report.title")
    try:
        view = service.open_link(ANONYMOUS, key)
    except service.LinkRefused as exc:
        message = exc.message
        if exc.key == "hi.link.bad":
            message = t("hi.link.reopen")
        return _refused(request, message)
    head = Markup('<h1>{}</h1><p>{}</p><p class="hint">{}</p>').format(
        title,
        t(
            "hi.report.hello",
            name=view.initials,
            end=view.isolation_end.strftime("%d/%m/%Y"),
        ),
        t("hi.report.count", n=view.reports_today, max=view.max_per_day),
    )
    errors: dict[str, FieldError] = {}
    raw = None
    if request.method == "POST":
        raw, shown = read(forms.REPORT, request)
        try:
            problem = token_problem(request)
            if problem is not None:
                result = _sent_before(key, raw, request)
                if result is None:
                    raise FormInvalid({FORM: problem})
            else:
                forms.REPORT.validate(raw, shown=shown)
                result = service.submit_report(ANONYMOUS, key, raw)
        except FormInvalid as exc:
            errors = exc.errors
        except service.IsolationError as exc:
            errors = {FORM: FieldError("", text=(exc.message, exc.message))}
        else:
            return _sent_page(request, title, key, result)
    if view.reports_today >= view.max_per_day and request.method != "POST":
        body = head + Markup('<p class="notice">{}</p>').format(
            t("hi.report.limit", max=view.max_per_day)
        )
        return page(request, title, body)
    html = render(
        forms.REPORT,
        request,
        action=REPORT,
        submit_label=t("hi.report.submit"),
        values=raw if raw is not None else {**forms.REPORT.defaults(), "measured_now": True},
        errors=errors,
    )
    response = page(request, title, head + html, script=True)
    if errors:
        response.status = 422
    return response
