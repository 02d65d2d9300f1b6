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

from apps.health_declaration import analytics, service, venue_review
from apps.health_declaration.forms import AREA, DECLARATION, PAPER_EXAMPLE, VENUE, VENUE_KINDS
from core import clock, geo
from core.auth import PermissionDenied, Principal
from core.forms.streamlit_form import render_form, table_upload
from core.i18n import get_locale, t
from core.text import md_escape
from core.ui import flash, tables
from core.ui.charts import show_chart, time_axis
from core.ui.downloads import on_click
from core.ui.numbers import fmt_int, fmt_share
from core.ui.session import current_principal
from core.ui.tables import DATE, PROVINCE, STATUS, TIME, WARD, Col

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


def _venue_columns(officer: bool) -> dict[str, Col | str]:
    """How the venue list reads: names, kind and status words, ward and province names."""
    columns: dict[str, Col | str] = {
        "name": "hd.col.name",
        "kind": Col("hd.col.kind", fmt=lambda k: _choice(VENUE_KINDS, k)),
        "status": Col("hd.col.status", STATUS, prefix="hd.venue.status."),
        "street": "hd.col.street",
        "ward_code": Col("hd.f.ward", WARD),
        "province_code": Col("hd.f.province", PROVINCE),
        "contact_phone": "hd.col.contact_phone",
        "reject_reason": "hd.venue.reject_reason",
    }
    if officer:
        columns["created_by"] = "hd.col.created_by"
    return columns


def _choice(choices: object, code: object) -> str:
    found = choices.get(code)  # type: ignore[attr-defined]
    return found.text(get_locale()) if found is not None else str(code)


def _venue_review(principal: Principal, venue: service.Venue) -> None:
    """A pending venue: approve it, or reject it with a reason its owner reads (officers)."""
    if st.button(t("hd.venue.approve"), key="hd_approve", type="primary"):
        try:
            service.approve_venue(principal, venue.id)
        except service.HealthError as exc:
            st.error(str(exc))
        else:
            flash.rerun(t("hd.venue.approved"))
    with st.container(border=True):
        reason = st.text_area(
            t("hd.venue.reject_reason"),
            key=f"hd_reject_reason_{venue.id}",
            max_chars=venue_review.REASON_MAX,
            help=t("hd.venue.reject_hint"),
            height=80,
        )
        beside = st.empty()  # the reason's error, right under the field
        if st.button(t("hd.venue.reject"), key="hd_reject", icon=":material/block:"):
            try:
                venue_review.reject_venue(principal, venue.id, reason)
            except venue_review.ReviewError as exc:
                beside.error(str(exc))
            else:
                flash.rerun(t("hd.venue.rejected"))


def venues_page() -> None:
    principal = current_principal()
    officer = principal.has("health_officer")
    st.title(t("hd.venues.title"))
    flash.show()
    if not officer:
        st.caption(t("hd.venue.pending_hint"))
    created = render_form(
        VENUE,
        key="hd_venue",
        submit_label=t("hd.venues.register"),
        on_submit=lambda raw: venue_review.register_once(principal, raw),
        success_message=lambda venue: t("hd.venues.registered", id=venue.id),
        catch=(service.HealthError, PermissionDenied),
    )
    if created is not None:
        st.session_state["hd_venue_sel"] = created.id
    frame = venue_review.venues(principal)
    if frame.empty:
        st.info(t("hd.venues.none"))
        return
    if officer:  # the venues waiting for a decision first, newest first within each
        frame = frame.sort_values("status", key=lambda s: s != "pending", kind="stable")
        waiting = int((frame["status"] == "pending").sum())
        if waiting:
            st.info(t("hd.venues.pending_count", n=fmt_int(waiting)), icon=":material/pending:")
        only = st.checkbox(
            t("hd.venues.only_pending"),
            value=st.query_params.get("pending") == "1",
            key="hd_only_pending",
        )
        if only:
            frame = frame[frame["status"] == "pending"].reset_index(drop=True)
            if frame.empty:
                st.info(t("hd.venues.none_pending"))
                return
    tables.show(frame, _venue_columns(officer))
    ids = [int(v) for v in frame["id"]]
    # the name, street and number: the same venue sent again after a rejection stays apart;
    # no status here (the browser keeps a picked option's old text when its status changes)
    names = {
        int(r["id"]): t("hd.venue.option", name=r["name"], street=r["street"], id=int(r["id"]))
        for r in frame.to_dict("records")
    }
    if st.session_state.get("hd_venue_sel") not in ids:  # filtered out, or another user's
        st.session_state.pop("hd_venue_sel", None)
    sel = st.selectbox(
        t("hd.venues.pick"),
        ids,
        format_func=lambda v: names.get(int(v), str(v)),
        key="hd_venue_sel",
    )
    if sel is None:
        return
    venue = service.get_venue(principal, int(sel))
    if venue.status == "pending":
        st.warning(t("hd.err.venue_pending"))
        if officer:
            _venue_review(principal, venue)
        return
    if venue.status == "rejected":
        reason = venue_review.rejection_reason(principal, venue.id) or ""
        st.error(t("hd.venue.rejected_notice", reason=reason))
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


def _area_place(row: dict) -> str:
    """Where an area is: its ward and province, or the whole province."""
    province = geo.province_name(int(row["province_code"]))
    ward = row.get("ward_code")
    if ward is None or pd.isna(ward):
        return f"{t('hd.areas.whole_province')} {province}"
    return f"{geo.ward_name(int(ward))}, {province}"


AREA_COLUMNS: dict[str, Col | str] = {
    "province_code": Col("hd.f.province", PROVINCE),
    "ward_code": Col("hd.f.ward", WARD),
    "starts_on": Col("hd.col.starts_on", DATE),
    "ends_on": Col("hd.col.ends_on", DATE),
    "note": "hd.col.note",
    "created_at": Col("hd.col.created_at", TIME),
    "created_by": "hd.col.added_by",
}


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
    shown = tables.readable(frame, AREA_COLUMNS)
    whole = t("hd.areas.whole_province")
    shown[t("hd.f.ward")] = [w or whole for w in shown[t("hd.f.ward")]]
    shown[t("hd.col.ends_on")] = [e or t("hd.areas.open_ended") for e in shown[t("hd.col.ends_on")]]
    st.dataframe(shown, hide_index=True, width="stretch")
    places = {
        int(r["id"]): t(
            "hd.areas.option",
            place=_area_place(r),
            start=pd.Timestamp(r["starts_on"]).strftime("%d/%m/%Y"),
        )
        for r in frame.to_dict("records")
    }
    sel = st.selectbox(
        t("hd.areas.pick"),
        list(places),
        format_func=lambda a: places.get(int(a), str(a)),
        key="hd_area_sel",
    )
    if st.button(t("hd.areas.end_now"), key="hd_area_end") and sel is not None:
        service.end_area(principal, int(sel))
        st.rerun()


# -- analytics (health officer) --------------------------------------------------------------------


def _filters(prefix: str) -> analytics.Filters:
    today = clock.today_local()
    default = st.session_state.get("hd_range_default", (today - timedelta(days=13), today))
    cols = st.columns(3)
    with cols[0]:
        rng = st.date_input(
            t("hd.a.range"), value=default, key=f"{prefix}_range", format="DD/MM/YYYY"
        )
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
    keys = ("declarations", "fever_cough", "contacts", "epidemic", "red", "yellow")
    total = s["declarations"]
    for row in (keys[:3], keys[3:]):  # two rows of three: figures of millions stay whole
        for col, key in zip(st.columns(3), row, strict=True):
            col.metric(t(f"hd.a.{key}"), fmt_int(s[key]))
            if key != "declarations" and total:
                col.caption(t("hd.a.share_of", share=fmt_share(s[key] / total, digits=2)))


def panel_per_day(f: analytics.Filters | None = None) -> None:
    f = f or _filters("hd_pd")
    frame = analytics.per_day(current_principal(), f)
    if frame.empty:
        st.info(t("hd.a.empty"))
        return
    frame["day"] = pd.to_datetime(frame["day"])  # a local date: drawn as that day everywhere
    long = frame.melt("day", var_name="measure", value_name="count")
    long["measure"] = long["measure"].map(lambda m: t(f"hd.a.{m}"))
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=time_axis("day", t("hd.a.day"), fmt="%d/%m"),
            y=alt.Y("count:Q", title=t("hd.a.count")),
            color=alt.Color("measure:N", title=t("hd.a.measure")),
            tooltip=[
                alt.Tooltip("day:T", title=t("hd.a.day"), format="%d/%m/%Y"),
                alt.Tooltip("measure:N", title=t("hd.a.measure")),
                alt.Tooltip("count:Q", title=t("hd.a.count"), format=",d"),
            ],
        )
    )
    show_chart(chart)


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
            tooltip=[alt.Tooltip("ward:N", title=t("hd.f.ward"))]
            + [
                alt.Tooltip(f"{m}:Q", title=t(f"hd.a.{m}"), format=",d")
                for m in ("declarations", "fever_cough", "contacts", "epidemic", "red", "yellow")
            ],
        )
    )
    show_chart(chart)


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
    )
    st.caption(t("hd.a.risk_caption", n=fmt_int(len(frame))))
    event = st.dataframe(
        analytics.readable_declarations(frame, times_local=True),
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
        on_click(
            analytics.export_risk,
            principal,
            f,
            "csv",
            colours,
            purpose=purpose,
            locale=get_locale(),
        ),
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
        st.dataframe(
            analytics.readable_declarations(history.declarations), hide_index=True, width="stretch"
        )
        st.subheader(t("hd.a.checkins"))
        st.dataframe(
            analytics.readable_checkins(history.checkins), hide_index=True, width="stretch"
        )


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
            x=alt.X("hour:O", title=t("hd.col.hour")),
            y=alt.Y("venue:N", title=t("hd.a.venue"), sort=None),
            color=alt.Color("checkins:Q", title=t("hd.a.checkins_n")),
            tooltip=[
                alt.Tooltip("venue:N", title=t("hd.a.venue")),
                alt.Tooltip("hour:O", title=t("hd.col.hour")),
                alt.Tooltip("checkins:Q", title=t("hd.a.checkins_n"), format=",d"),
            ],
        )
    )
    show_chart(chart)


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
