"""Streamlit pages and dashboard panels, thin: read input, call the service, show the result.

User text is never rendered as HTML (no ``unsafe_allow_html``); names and addresses go through
``core.text.md_escape`` (markdown characters escaped) or ``st.text``/dataframes.
"""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from apps.health_declaration import analytics, service
from apps.health_declaration.models import (
    CHRONIC,
    EXPOSURES,
    SYMPTOMS,
    DeclarationInvalid,
    FieldError,
)
from core import clock, geo
from core.auth import PermissionDenied
from core.i18n import t
from core.text import md_escape
from core.ui.downloads import on_click
from core.ui.session import current_principal

COUNTRIES = ("VN", "CN", "KR", "JP", "US", "TH", "LA", "KH", "SG", "MY", "FR", "DE", "GB", "AU")


def _field_error(errors: dict, name: str) -> None:
    if name in errors:
        key, params = errors[name]
        st.error(t(key, **params), icon=":material/error:")


def _province_select(key: str, *, allow_all: bool = False) -> int | None:
    units = list(geo.provinces())
    options: list[int | None] = ([None] if allow_all else []) + [u.code for u in units]
    names = {u.code: u.name for u in units}
    default = options.index(geo.DA_NANG) if geo.DA_NANG in options else 0
    return st.selectbox(
        t("hd.f.province"),
        options,
        index=default,
        key=key,
        format_func=lambda c: t("hd.all") if c is None else names[c],
    )


def _ward_select(province: int | None, key: str, *, allow_all: bool = False) -> int | None:
    units = list(geo.wards(province)) if province else []
    options: list[int | None] = ([None] if allow_all else []) + [u.code for u in units]
    names = {u.code: u.name for u in units}
    return st.selectbox(
        t("hd.f.ward"),
        options,
        key=f"{key}_{province}",
        format_func=lambda c: t("hd.all") if c is None else names.get(c, str(c)),
    )


def _show_pass(result: service.PassResult) -> None:
    colour_text = t(f"hd.colour.{result.colour}")
    box = {"green": st.success, "yellow": st.warning, "red": st.error}[result.colour]
    box(t("hd.pass.colour", colour=colour_text), icon=":material/health_and_safety:")
    st.markdown(f"### {md_escape(result.full_name)}")
    st.text(
        t(
            "hd.pass.details",
            year=result.birth_year,
            id=result.masked_id,
            at=clock.fmt_local(result.declared_at),
            until=clock.fmt_local(result.expires_at),
        )
    )
    if result.reasons:
        st.caption(", ".join(t(f"hd.cond.{r}") for r in result.reasons))
    if result.text:
        png = service.pass_png(result.text)
        st.image(png, width=360)
        st.download_button(
            t("hd.pass.download"),
            png,
            file_name="the-khai-bao-y-te.png",
            mime="image/png",
            icon=":material/download:",
        )


# -- public: declare ---------------------------------------------------------------------------


def declare_page() -> None:
    st.title(t("hd.declare.title"))
    st.caption(t("hd.declare.caption"))
    principal = current_principal()
    done = st.session_state.get("hd_last_pass")
    if done is not None and st.session_state.get("hd_show_pass"):
        st.success(t("hd.declare.done"))
        if done.replaced_previous:
            st.info(t("hd.declare.replaced"))
        _show_pass(done)
        if st.button(t("hd.declare.again"), key="hd_again"):
            st.session_state["hd_show_pass"] = False
            st.rerun()
        return
    errors: dict = st.session_state.get("hd_errors", {})
    if st.session_state.get("hd_form_error"):
        st.error(st.session_state["hd_form_error"])
    province = _province_select("hd_province")
    _field_error(errors, "province_code")
    with st.form("hd_declare", border=False):
        st.text_input(t("hd.f.full_name"), key="hd_full_name", max_chars=120)
        _field_error(errors, "full_name")
        st.text_input(t("hd.f.birth_year"), key="hd_birth_year", max_chars=6)
        _field_error(errors, "birth_year")
        st.radio(
            t("hd.f.sex"),
            ["M", "F", "O"],
            key="hd_sex",
            horizontal=True,
            format_func=lambda s: t(f"hd.sex.{s}"),
        )
        _field_error(errors, "sex")
        st.selectbox(
            t("hd.f.nationality"), COUNTRIES, key="hd_nationality", format_func=_country_name
        )
        st.radio(
            t("hd.f.id_kind"),
            ["cccd", "passport"],
            key="hd_id_kind",
            horizontal=True,
            format_func=lambda k: t(f"hd.id.{k}"),
        )
        st.text_input(t("hd.f.person_id"), key="hd_person_id", max_chars=20)
        _field_error(errors, "person_id")
        st.text_input(t("hd.f.phone"), key="hd_phone", max_chars=16)
        _field_error(errors, "phone")
        _ward_select(province, "hd_ward")
        _field_error(errors, "ward_code")
        st.text_input(t("hd.f.street"), key="hd_street", max_chars=220)
        _field_error(errors, "street")
        names = {u.code: u.name for u in geo.provinces()}
        st.multiselect(
            t("hd.f.visited_provinces"),
            list(names),
            key="hd_visited_provinces",
            format_func=lambda c: names[c],
        )
        st.multiselect(
            t("hd.f.visited_countries"),
            [c for c in COUNTRIES if c != "VN"],
            key="hd_visited_countries",
            format_func=_country_name,
        )
        st.markdown(f"**{t('hd.f.symptoms')}**")
        for s in SYMPTOMS:
            st.checkbox(t(f"hd.sym.{s}"), key=f"hd_sym_{s}")
        st.markdown(f"**{t('hd.f.exposures')}**")
        for e in EXPOSURES:
            st.checkbox(t(f"hd.exp.{e}"), key=f"hd_exp_{e}")
        st.multiselect(
            t("hd.f.chronic"),
            list(CHRONIC),
            key="hd_chronic",
            format_func=lambda c: t(f"hd.chr.{c}"),
        )
        st.number_input(t("hd.f.doses"), 0, 10, 0, key="hd_doses")
        st.checkbox(t("hd.f.commit"), key="hd_committed")
        _field_error(errors, "committed")
        submitted = st.form_submit_button(t("hd.declare.submit"), type="primary", width="stretch")
    if submitted:
        s = st.session_state
        raw = {
            "full_name": s["hd_full_name"],
            "birth_year": s["hd_birth_year"],
            "sex": s["hd_sex"],
            "nationality": s["hd_nationality"],
            "id_kind": s["hd_id_kind"],
            "person_id": s["hd_person_id"],
            "phone": s["hd_phone"],
            "province_code": province,
            "ward_code": s.get(f"hd_ward_{province}"),
            "street": s["hd_street"],
            "visited_provinces": s["hd_visited_provinces"],
            "visited_countries": s["hd_visited_countries"],
            "symptoms": [x for x in SYMPTOMS if s.get(f"hd_sym_{x}")],
            "exposures": [x for x in EXPOSURES if s.get(f"hd_exp_{x}")],
            "chronic": s["hd_chronic"],
            "vaccine_doses": s["hd_doses"],
            "committed": bool(s["hd_committed"]),
        }
        try:
            result = service.submit_declaration(principal, raw)
        except DeclarationInvalid as exc:
            s["hd_errors"] = exc.errors
            s["hd_form_error"] = t("hd.declare.fix")
        except service.HealthError as exc:
            s["hd_errors"] = {}
            s["hd_form_error"] = str(exc)
        else:
            s["hd_errors"] = {}
            s["hd_form_error"] = ""
            s["hd_last_pass"] = result
            s["hd_show_pass"] = True
        st.rerun()


def _country_name(code: str) -> str:
    return t(f"hd.country.{code}")


# -- public: my pass ---------------------------------------------------------------------------


def pass_page() -> None:
    st.title(t("hd.lookup.title"))
    st.caption(t("hd.lookup.caption"))
    with st.form("hd_lookup", border=False):
        phone = st.text_input(t("hd.f.phone"), max_chars=16)
        pid = st.text_input(t("hd.f.person_id"), max_chars=20)
        go = st.form_submit_button(t("hd.lookup.submit"), type="primary", width="stretch")
    if go:
        try:
            result = service.lookup_pass(current_principal(), phone, pid)
        except FieldError as exc:
            st.error(t(exc.key, **exc.params))
            return
        if result is None:
            st.warning(t("hd.lookup.none"))
            return
        st.session_state["hd_last_pass"] = result
        _show_pass(result)


# -- public: check in ----------------------------------------------------------------------------


def checkin_page() -> None:
    st.title(t("hd.checkin.title"))
    token = st.query_params.get("v", "")
    try:
        venue = service.venue_from_token(token)
    except service.CheckinError as exc:
        st.error(str(exc), icon=":material/block:")
        st.caption(t("hd.checkin.scan_again"))
        return
    st.markdown(f"### {md_escape(venue.name)}")
    st.text(venue.address)
    done = st.session_state.get("hd_checkin_done")
    if done is not None and done.venue_id == venue.id:
        st.success(
            t("hd.checkin.done", name=done.full_name, at=clock.fmt_local(done.checked_in_at)),
            icon=":material/check_circle:",
        )
        st.caption(t(f"hd.colour.{done.colour}"))
        return
    last = st.session_state.get("hd_last_pass")
    principal = current_principal()
    if last is not None and last.text:
        if st.button(
            t("hd.checkin.as", name=last.full_name),
            type="primary",
            key="hd_checkin_as",
            width="stretch",
        ):
            try:
                st.session_state["hd_checkin_done"] = service.checkin_with_pass(
                    principal, token, last.text
                )
                st.rerun()
            except service.CheckinError as exc:
                st.error(str(exc))
        st.caption(t("hd.checkin.or"))
    with st.form("hd_checkin", border=False):
        phone = st.text_input(t("hd.f.phone"), max_chars=16)
        pid = st.text_input(t("hd.f.person_id"), max_chars=20)
        go = st.form_submit_button(t("hd.checkin.submit"), type="primary", width="stretch")
    if go:
        try:
            st.session_state["hd_checkin_done"] = service.checkin_by_link(
                principal, token, phone, pid
            )
        except FieldError as exc:
            st.error(t(exc.key, **exc.params))
        except service.CheckinError as exc:
            st.error(str(exc))
        else:
            st.rerun()


# -- venues (business, health officer) -----------------------------------------------------------


def venues_page() -> None:
    principal = current_principal()
    st.title(t("hd.venues.title"))
    if not principal.has("health_officer"):
        st.caption(t("hd.venue.pending_hint"))
    province = _province_select("hd_v_province")
    with st.form("hd_venue", border=False):
        name = st.text_input(t("hd.v.name"), max_chars=120)
        kind = st.selectbox(
            t("hd.v.kind"), service.VENUE_KINDS, format_func=lambda k: t(f"hd.vk.{k}")
        )
        ward = _ward_select(province, "hd_v_ward")
        street = st.text_input(t("hd.f.street"), max_chars=220)
        phone = st.text_input(t("hd.v.phone"), max_chars=16)
        go = st.form_submit_button(t("hd.venues.register"), type="primary")
    if go:
        try:
            venue = service.register_venue(
                principal, name, kind, province or 0, ward or 0, street, phone
            )
        except DeclarationInvalid as exc:
            for fname, (key, params) in exc.errors.items():
                st.error(
                    f"{t('hd.v.' + fname) if fname in ('name', 'kind') else ''} {t(key, **params)}"
                )
        except PermissionDenied as exc:
            st.error(str(exc))
        else:
            st.success(t("hd.venues.registered", id=venue.id))
            st.session_state["hd_venue_sel"] = venue.id
    frame = service.list_venues(principal)
    if frame.empty:
        st.info(t("hd.venues.none"))
        return
    st.dataframe(frame, hide_index=True, width="stretch")
    ids = frame["id"].tolist()
    sel = st.selectbox(
        t("hd.venues.pick"),
        ids,
        key="hd_venue_sel" if st.session_state.get("hd_venue_sel") in ids else None,
    )
    if sel is None:
        return
    venue = service.get_venue(principal, int(sel))
    if venue.status == "pending":
        st.warning(t("hd.err.venue_pending"))
        if principal.has("health_officer") and st.button(
            t("hd.venue.approve"), key="hd_approve", type="primary"
        ):
            try:
                service.approve_venue(principal, venue.id)
            except service.HealthError as exc:
                st.error(str(exc))
            else:
                st.success(t("hd.venue.approved"))
                st.rerun()
        return
    if venue.status != "open":
        st.warning(t("hd.err.venue_closed"))
        return
    st.text(venue.link)
    st.image(service.pass_png(venue.link, scale=6), width=260)
    st.download_button(
        t("hd.venues.poster"),
        on_click(service.venue_poster, principal, venue.id),
        file_name=f"venue-{venue.id}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
    )
    with st.expander(t("hd.venues.close")):
        reason = st.text_input(t("hd.venues.reason"), key="hd_close_reason", max_chars=200)
        if st.button(t("hd.venues.close"), key="hd_close"):
            service.close_venue(principal, venue.id, reason)
            st.rerun()


# -- epidemic areas (health officer) ---------------------------------------------------------------


def areas_page() -> None:
    principal = current_principal()
    st.title(t("hd.areas.title"))
    st.caption(t("hd.areas.caption"))
    province = _province_select("hd_a_province")
    with st.form("hd_area", border=False):
        ward = _ward_select(province, "hd_a_ward", allow_all=True)
        start = st.date_input(t("hd.areas.start"), value=clock.today_local())
        has_end = st.checkbox(t("hd.areas.has_end"))
        end = st.date_input(t("hd.areas.end"), value=clock.today_local() + timedelta(days=14))
        note = st.text_input(t("hd.areas.note"), max_chars=500)
        go = st.form_submit_button(t("hd.areas.add"), type="primary")
    if go:
        try:
            service.add_area(principal, province or 0, ward, start, end if has_end else None, note)
            st.success(t("hd.areas.added"))
        except service.HealthError as exc:
            st.error(str(exc))
    frame = service.list_areas(principal)
    if frame.empty:
        st.info(t("hd.areas.none"))
        return
    frame.insert(1, "province", [geo.province_name(p) for p in frame["province_code"]])
    frame.insert(
        2,
        "ward",
        [geo.ward_name(int(w)) if pd.notna(w) else "" for w in frame["ward_code"]],
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    sel = st.selectbox(t("hd.areas.pick"), frame["id"].tolist(), key="hd_area_sel")
    if st.button(t("hd.areas.end_now"), key="hd_area_end") and sel is not None:
        service.end_area(principal, int(sel))
        st.rerun()


# -- analytics (health officer) --------------------------------------------------------------------


def _filters(prefix: str) -> analytics.Filters:
    today = clock.today_local()
    default = st.session_state.get("hd_range_default", (today - timedelta(days=13), today))
    cols = st.columns(3)
    with cols[0]:
        rng = st.date_input(t("hd.a.range"), value=default, key=f"{prefix}_range")
    with cols[1]:
        province = _province_select(f"{prefix}_prov", allow_all=True)
    with cols[2]:
        ward = _ward_select(province, f"{prefix}_ward", allow_all=True) if province else None
    st.caption(t("hd.a.units_caption"))
    if isinstance(rng, (tuple, list)) and len(rng) == 2:
        start, end = rng
    else:
        start = end = rng[0] if isinstance(rng, (tuple, list)) and rng else (rng or today)
    return analytics.Filters(start, end, province, ward)


def panel_summary(f: analytics.Filters | None = None) -> None:
    f = f or _filters("hd_ps")
    s = analytics.summary(current_principal(), f)
    cols = st.columns(6)
    total = max(1, s["declarations"])
    for col, key in zip(
        cols, ("declarations", "fever_cough", "contacts", "epidemic", "red", "yellow"), strict=True
    ):
        share = "" if key == "declarations" else f"{100 * s[key] / total:.2f}%"
        col.metric(t(f"hd.a.{key}"), f"{s[key]:,}", share or None, delta_color="off")


def panel_per_day(f: analytics.Filters | None = None) -> None:
    f = f or _filters("hd_pd")
    frame = analytics.per_day(current_principal(), f)
    if frame.empty:
        st.info(t("hd.a.empty"))
        return
    long = frame.melt("day", var_name="measure", value_name="count")
    long["measure"] = long["measure"].map(lambda m: t(f"hd.a.{m}"))
    chart = (
        alt.Chart(long)
        .mark_line(point=len(frame) < 60)
        .encode(
            x=alt.X("day:T", title=t("hd.a.day")),
            y=alt.Y("count:Q", title=t("hd.a.count")),
            color=alt.Color("measure:N", title=""),
            tooltip=["day:T", "measure:N", "count:Q"],
        )
    )
    st.altair_chart(chart, width="stretch")


def panel_per_ward(f: analytics.Filters | None = None) -> None:
    f = f or _filters("hd_pw")
    frame = analytics.per_ward(current_principal(), f)
    if frame.empty:
        st.info(t("hd.a.empty"))
        return
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("declarations:Q", title=t("hd.a.declarations")),
            y=alt.Y("ward:N", sort="-x", title=t("hd.f.ward")),
            tooltip=[
                "ward",
                "declarations",
                "fever_cough",
                "contacts",
                "epidemic",
                "red",
                "yellow",
            ],
        )
    )
    st.altair_chart(chart, width="stretch")


def panel_risk(f: analytics.Filters | None = None) -> None:
    principal = current_principal()
    f = f or _filters("hd_pr")
    colours = tuple(
        st.multiselect(
            t("hd.a.colours"),
            ["red", "yellow"],
            default=["red", "yellow"],
            key="hd_pr_colours",
            format_func=lambda c: t(f"hd.colour.{c}"),
        )
    )
    frame = analytics.risk_list(principal, f, colours)
    st.caption(t("hd.a.risk_caption", n=len(frame)))
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="hd_risk_df",
    )
    rows = getattr(getattr(event, "selection", None), "rows", []) if event is not None else []
    cols = st.columns(2)
    cols[0].download_button(
        t("hd.a.export_csv"),
        on_click(analytics.export_risk, principal, f, "csv", colours),
        file_name="risk.csv",
        mime="text/csv",
        key="hd_exp_csv",
    )
    cols[1].download_button(
        t("hd.a.export_parquet"),
        on_click(analytics.export_risk, principal, f, "parquet", colours),
        file_name="risk.parquet",
        mime="application/octet-stream",
        key="hd_exp_pq",
    )
    pid = frame.iloc[rows[0]]["person_id"] if rows else st.session_state.get("hd_drill", "")
    pid = st.text_input(t("hd.a.drill"), value=pid, key="hd_drill_input", max_chars=20)
    if pid:
        st.subheader(t("hd.a.history"))
        st.dataframe(
            analytics.person_declarations(principal, pid), hide_index=True, width="stretch"
        )
        st.subheader(t("hd.a.checkins"))
        st.dataframe(analytics.person_checkins(principal, pid, f), hide_index=True, width="stretch")


def panel_checkins(f: analytics.Filters | None = None) -> None:
    f = f or _filters("hd_pc")
    frame = analytics.checkins_hourly(current_principal(), f)
    if frame.empty:
        st.info(t("hd.a.empty"))
        return
    chart = (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=t("hd.a.hour")),
            y=alt.Y("venue:N", title=t("hd.a.venue"), sort=None),
            color=alt.Color("checkins:Q", title=t("hd.a.checkins_n")),
            tooltip=["venue", "hour", "checkins"],
        )
    )
    st.altair_chart(chart, width="stretch")


def dashboard_page() -> None:
    st.title(t("hd.dash.title"))
    f = _filters("hd_dash")
    st.subheader(t("hd.panel.summary"))
    panel_summary(f)
    st.subheader(t("hd.panel.per_day"))
    panel_per_day(f)
    st.subheader(t("hd.panel.per_ward"))
    panel_per_ward(f)
    st.subheader(t("hd.panel.checkins"))
    panel_checkins(f)
    st.subheader(t("hd.panel.risk"))
    panel_risk(f)
