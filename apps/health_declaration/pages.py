"""Streamlit pages and dashboard panels, thin: read input, call the service, show the result.

Every input goes through the app's forms (``forms.py``) drawn by the forms core's renderer, so
each error shows beside its field and values stay after an error. User text is never rendered
as HTML (no ``unsafe_allow_html``); names and addresses go through ``core.text.md_escape``
(markdown characters escaped) or ``st.text``/dataframes.
"""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from apps.health_declaration import analytics, service
from apps.health_declaration.forms import AREA, DECLARATION, PAPER_EXAMPLE, VENUE
from core import clock, geo
from core.auth import PermissionDenied
from core.forms.streamlit_form import render_form, table_upload
from core.i18n import t
from core.text import md_escape
from core.ui.downloads import on_click
from core.ui.session import current_principal

PAPER_MAX_ROWS = 20_000
PAPER_MAX_MB = 10


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
    result = render_form(
        DECLARATION,
        key="hd_declare",
        submit_label=t("hd.declare.submit"),
        on_submit=lambda raw: service.submit_declaration(principal, raw),
        catch=(service.HealthError,),
    )
    if result is not None:
        st.session_state["hd_last_pass"] = result
        st.session_state["hd_show_pass"] = True
        st.rerun()


# -- venues (business, health officer) -----------------------------------------------------------


def venues_page() -> None:
    principal = current_principal()
    st.title(t("hd.venues.title"))
    if not principal.has("health_officer"):
        st.caption(t("hd.venue.pending_hint"))
    created = render_form(
        VENUE,
        key="hd_venue",
        submit_label=t("hd.venues.register"),
        on_submit=lambda raw: service.register_venue(principal, raw),
        success_message=lambda venue: t("hd.venues.registered", id=venue.id),
        catch=(service.HealthError, PermissionDenied),
    )
    if created is not None:
        st.session_state["hd_venue_sel"] = created.id
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


# -- paper declarations (health officer) -----------------------------------------------------------


def paper_page() -> None:
    """Declarations collected on paper (at a checkpoint, a ward office) entered from a
    spreadsheet: the template comes from the declaration form itself."""
    principal = current_principal()
    st.title(t("hd.paper.title"))
    st.caption(t("hd.paper.caption"))
    table_upload(
        DECLARATION,
        key="hd_paper",
        on_import=lambda result: t(
            "hd.paper.imported", n=service.import_paper_declarations(principal, result)
        ),
        max_rows=PAPER_MAX_ROWS,
        max_mb=PAPER_MAX_MB,
        example=PAPER_EXAMPLE,
        file_stem="to_khai_y_te",
    )


# -- epidemic areas (health officer) ---------------------------------------------------------------


def areas_page() -> None:
    principal = current_principal()
    st.title(t("hd.areas.title"))
    st.caption(t("hd.areas.caption"))
    render_form(
        AREA,
        key="hd_area",
        submit_label=t("hd.areas.add"),
        on_submit=lambda raw: service.add_area(principal, raw),
        success_message=t("hd.areas.added"),
        catch=(service.HealthError,),
    )
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


REREAD_S = 60
"""A list or a person's history is read again (and audited again) after this long, or when
the filter changes; a rerun of the page in between shows what was read."""


def _audited_read(key: str, what: object, read):  # noqa: ANN001, ANN202 - small page helper
    """``read()`` once per ``what`` (a filter, a person) and minute in this session: each read
    writes an audit row, so a widget click that reruns the page does not write another."""
    import time

    kept = st.session_state.get(key)
    now = time.monotonic()
    if kept is None or kept[0] != what or now - kept[1] > REREAD_S:
        kept = (what, now, read())
        st.session_state[key] = kept
    return kept[2]


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
    frame = _audited_read(
        "hd_risk_read", (f, colours), lambda: analytics.risk_list(principal, f, colours)
    ).copy()
    frame["holder_flag"] = frame["holder_flag"].map(lambda v: t(f"hd.flag.{v}") if v else "")
    frame = frame.rename(columns={"holder_flag": t("hd.a.flag")})
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
    purpose = st.text_input(
        t("hd.a.purpose"), key="hd_exp_purpose", max_chars=300, help=t("hd.a.purpose_hint")
    )
    ready = len(" ".join(purpose.split())) >= analytics.PURPOSE_MIN
    if purpose and not ready:
        st.caption(t("hd.err.purpose"))
    cols = st.columns(2)
    cols[0].download_button(
        t("hd.a.export_csv"),
        on_click(analytics.export_risk, principal, f, "csv", colours, purpose=purpose),
        file_name="risk.csv",
        mime="text/csv",
        key="hd_exp_csv",
        disabled=not ready,
    )
    cols[1].download_button(
        t("hd.a.export_parquet"),
        on_click(analytics.export_risk, principal, f, "parquet", colours, purpose=purpose),
        file_name="risk.parquet",
        mime="application/octet-stream",
        key="hd_exp_pq",
        disabled=not ready,
    )
    pid = frame.iloc[rows[0]]["person_id"] if rows else st.session_state.get("hd_drill", "")
    pid = st.text_input(t("hd.a.drill"), value=pid, key="hd_drill_input", max_chars=20)
    if pid:
        history = _audited_read(
            "hd_person_read", (pid, f), lambda: analytics.person_history(principal, pid, f)
        )
        st.subheader(t("hd.a.history"))
        st.dataframe(history.declarations, hide_index=True, width="stretch")
        st.subheader(t("hd.a.checkins"))
        st.dataframe(history.checkins, hide_index=True, width="stretch")


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
