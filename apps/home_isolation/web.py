"""The daily vitals report opened from a person's monitoring link: a light page for phones
(``core.web``), complete without JavaScript."""

from __future__ import annotations

from markupsafe import Markup

from apps.home_isolation import forms, service
from core.auth import ANONYMOUS
from core.forms import FORM, FieldError, FormInvalid
from core.forms.html_form import read, render, token_problem
from core.i18n import t
from core.web.http import WebRequest, WebResponse
from core.web.layout import page

REPORT = "/bao-cao"
LEVEL_BADGE = {"green": "green", "yellow": "yellow", "orange": "yellow", "red": "red"}


def report(request: WebRequest) -> WebResponse:
    """``/bao-cao?t=<monitoring token>``: who it is for, today's count, the report form; after
    sending, the triage level and what to do."""
    title = t("hi.report.title")
    token = request.value("t") if request.method == "POST" else request.query.get("t", "")
    try:
        view = service.open_link(ANONYMOUS, token)
    except service.LinkRefused as exc:
        body = Markup('<h1>{}</h1><p class="err banner">{}</p>').format(title, exc.message)
        return page(request, title, body, status=400)
    head = Markup('<h1>{}</h1><p>{}</p><p class="hint">{}</p>').format(
        title,
        t(
            "hi.report.hello",
            name=view.name,
            kind=view.kind,
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
                raise FormInvalid({FORM: problem})
            forms.REPORT.validate(raw, shown=shown)
            result = service.submit_report(ANONYMOUS, token, raw)
        except FormInvalid as exc:
            errors = exc.errors
        except service.IsolationError as exc:
            errors = {FORM: FieldError("", text=(exc.message, exc.message))}
        else:
            body = Markup(
                '<h1>{}</h1><div class="card {}"><p><span class="badge">{}</span></p><p>{}</p></div>'
                '<p><a class="button secondary" href="{}">{}</a></p>'
            ).format(
                t("hi.report.sent"),
                LEVEL_BADGE.get(result.level, ""),
                t(f"hi.level.{result.level}"),
                t(f"hi.report.advice.{result.level}"),
                request.url(REPORT, t=token),
                t("hi.report.again"),
            )
            return page(request, title, body)
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
        hidden={"t": token},
    )
    response = page(request, title, head + html, script=True)
    if errors:
        response.status = 422
    return response
