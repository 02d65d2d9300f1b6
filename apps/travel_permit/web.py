"""A travel permit on a phone, opened from its link: checked (signature, validity, revocation)
and shown large, with its QR. A light page (``core.web``)."""

from __future__ import annotations

from markupsafe import Markup

from apps.travel_permit import service
from core.auth import ANONYMOUS
from core.i18n import reason_text, t
from core.web.http import WebRequest, WebResponse
from core.web.layout import page

VIEW = "/giay"


def view(request: WebRequest) -> WebResponse:
    """``/giay?t=<permit token>``; without a token, a box to paste one."""
    title = t("tp.page.view")
    text = (request.value("t") if request.method == "POST" else request.query.get("t", "")).strip()
    if not text:
        body = Markup(
            '<h1>{}</h1><p class="intro">{}</p><form method="post" action="{}">'
            '<input type="hidden" name="_csrf" value="{}"><div class="q"><label for="f-t">{}</label>'
            '<textarea id="f-t" name="t" rows="3" maxlength="4096"></textarea></div>'
            '<p><button type="submit">{}</button></p></form>'
        ).format(
            title,
            t("tp.view.missing"),
            VIEW,
            request.form_token(),
            t("tp.view.paste"),
            t("tp.view.check"),
        )
        return page(request, title, body)
    shown = service.view_permit(ANONYMOUS, text)
    verdict = (
        Markup('<p><span class="badge">✅ {}</span></p>').format(t("tp.view.valid"))
        if shown["ok"]
        else Markup('<p><span class="badge">⛔ {}</span></p>').format(
            t("tp.view.invalid", reason=reason_text(shown["reason"]))
        )
    )
    details = Markup("")
    if shown.get("name"):
        from core.qr import render as qr_render

        facts = Markup("").join(
            Markup("<dt>{}</dt><dd>{}</dd>").format(label, value)
            for label, value in (
                ("CCCD", shown["cccd"]),
                (t("tp.view.business"), shown["business"]),
                (t("tp.view.validity"), shown["validity"]),  # as on every page and card
                (t("tp.view.hours"), shown["hours"]),
                (t("tp.view.zones"), shown["zones"]),
            )
        )
        details = Markup('<h2>{}</h2>{}<dl class="facts">{}</dl><p class="hint">{}</p>').format(
            shown["name"], Markup(qr_render.svg_text(text)), facts, shown["permit_id"] or ""
        )
    body = Markup('<h1>{}</h1><div class="card {}">{}{}</div>').format(
        title, "green" if shown["ok"] else "red", verdict, details
    )
    return page(request, title, body, status=200 if shown["ok"] else 400)
