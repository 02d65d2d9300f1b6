"""Streamlit pages of the home isolation app: thin (read input, call the service, show)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from apps.home_isolation import service
from apps.home_isolation.models import (
    CHRONIC,
    KINDS,
    LEVELS,
    MEDICINES,
    STATUSES,
    SYMPTOMS,
    TEST_TYPES,
    FormInvalid,
    isolation_settings,
)
from core import clock, geo
from core.i18n import t
from core.text import md_escape
from core.ui import flash
from core.ui.links import page_path
from core.ui.session import current_principal

LEVEL_ICON = {"green": "🟢", "yellow": "🟡", "orange": "🟠", "red": "🔴"}


# -- helpers ----------------------------------------------------------------------------------


def _errors(key: str) -> dict[str, str]:
    return st.session_state.get(key) or {}


def _show_error(errors: dict[str, str], name: str) -> None:
    if name in errors:
        st.error(errors[name], icon=":material/error:")


def _form_errors(exc: FormInvalid) -> dict[str, str]:
    return {name: t(key, **kw) for name, (key, kw) in exc.errors.items()}


def _level(level: str) -> str:
    return f"{LEVEL_ICON.get(level, '')} {t('hi.level.' + level)}"


def _reasons(text: str) -> str:
    return ", ".join(t(f"hi.reason.{c}") for c in (text or "").split(",") if c)


def _ward_options() -> list[int]:
    return [w.code for w in geo.wards(geo.DA_NANG)]


def _local(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return clock.fmt_local(pd.Timestamp(value).to_pydatetime())


def _qr_png(text: str) -> bytes:
    from core.qr import render

    return render.png_bytes(text, scale=6)


def _show_link(url: str, name: str) -> None:
    st.info(t("hi.enrol.link_hint"))
    st.code(url, language=None)
    png = _qr_png(url)
    st.image(png, width=260)
    st.download_button(
        t("hi.act.download_qr"), png, file_name=f"monitoring-{name}.png", mime="image/png"
    )


# -- enrolment --------------------------------------------------------------------------------


def _identity_fields(prefix: str, errors: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    values["person_id"] = st.text_input(t("hi.f.person_id"), key=f"{prefix}_pid", max_chars=20)
    _show_error(errors, "person_id")
    values["full_name"] = st.text_input(t("hi.f.full_name"), key=f"{prefix}_name", max_chars=100)
    _show_error(errors, "full_name")
    values["phone"] = st.text_input(t("hi.f.phone"), key=f"{prefix}_phone", max_chars=15)
    _show_error(errors, "phone")
    values["ward_code"] = st.selectbox(
        t("hi.f.ward"),
        _ward_options(),
        format_func=geo.ward_name,
        index=None,
        placeholder=t("hi.f.ward"),
        key=f"{prefix}_ward",
    )
    _show_error(errors, "ward_code")
    values["age"] = st.text_input(t("hi.f.age"), key=f"{prefix}_age", max_chars=3)
    _show_error(errors, "age")
    values["chronic"] = st.multiselect(
        t("hi.f.chronic"), CHRONIC, format_func=lambda c: t(f"hi.chronic.{c}"), key=f"{prefix}_chr"
    )
    _show_error(errors, "chronic")
    values["vaccine_doses"] = st.selectbox(
        t("hi.f.vaccine_doses"), [0, 1, 2, 3, 4], key=f"{prefix}_vac"
    )
    _show_error(errors, "vaccine_doses")
    return values


def _past_date(
    name: str, key: str, value: date | None, today: date, errors: dict[str, str]
) -> date | None:
    """A date field (today at the latest) with its error below it."""
    day = st.date_input(
        t(f"hi.f.{name}"), value=value, max_value=today, key=key, format="DD/MM/YYYY"
    )
    _show_error(errors, name)
    return day


def _submit_enrol(kind: str, values: dict[str, Any], err_key: str) -> None:
    try:
        row = service.enroll(current_principal(), kind, values)
    except FormInvalid as exc:
        st.session_state[err_key] = _form_errors(exc)
        st.rerun()
    except service.IsolationError as exc:
        st.session_state[err_key] = {exc.field or "_form": exc.message}
        st.rerun()
    st.session_state[err_key] = {}
    st.session_state["hi_enrolled"] = row["id"]
    st.rerun()


def enrol_page() -> None:
    principal = current_principal()
    s = isolation_settings()
    st.title(t("hi.enrol.title"))
    st.caption(
        t(
            "hi.enrol.end_rule",
            f0=s.f0_days,
            f1=s.f1_days,
            neg=t("hi.enrol.neg_needed") if s.f0_needs_negative_test else "",
        )
    )
    done = st.session_state.get("hi_enrolled")
    if done:
        row = service.enrollment_or_none(principal, done)
        if row is not None:
            st.success(
                t(
                    "hi.enrol.done",
                    name=row["full_name"],
                    kind=row["kind"],
                    id=row["id"],
                    end=row["isolation_end"].strftime("%d/%m/%Y"),
                )
            )
            if row["status"] == "isolating":
                _show_link(service.monitoring_link(principal, row["id"]), row["id"])
    tab0, tab1 = st.tabs([t("hi.enrol.f0"), t("hi.enrol.f1")])
    today = clock.today_local()
    with tab0:
        errors = _errors("hi_err_f0")
        _show_error(errors, "_form")
        with st.form("hi_f0"):
            values = _identity_fields("f0", errors)
            values["test_date"] = _past_date("test_date", "f0_test", today, today, errors)
            values["test_type"] = st.selectbox(
                t("hi.f.test_type"),
                TEST_TYPES,
                format_func=lambda c: t(f"hi.test.{c}"),
                key="f0_tt",
            )
            _show_error(errors, "test_type")
            values["onset_date"] = _past_date("onset_date", "f0_onset", None, today, errors)
            sent = st.form_submit_button(t("hi.enrol.f0"), type="primary")
        if sent:
            _submit_enrol("F0", values, "hi_err_f0")
    with tab1:
        errors = _errors("hi_err_f1")
        _show_error(errors, "_form")
        with st.form("hi_f1"):
            values = {"source_id": st.text_input(t("hi.f.source_id"), key="f1_src", max_chars=20)}
            _show_error(errors, "source_id")
            values.update(_identity_fields("f1", errors))
            values["exposure_date"] = _past_date("exposure_date", "f1_exp", today, today, errors)
            sent = st.form_submit_button(t("hi.enrol.f1"), type="primary")
        if sent:
            _submit_enrol("F1", values, "hi_err_f1")


# -- the citizen's report page ----------------------------------------------------------------


def report_page() -> None:
    """Public: opened from the personal monitoring link (``?t=<token>``), no account."""
    principal = current_principal()
    st.title(t("hi.report.title"))
    token = st.query_params.get("t", "")
    try:
        view = service.open_link(principal, token)
    except service.LinkRefused as exc:
        st.error(exc.message, icon=":material/block:")
        return
    result = st.session_state.pop("hi_report_result", None)
    if result is not None:
        st.success(t("hi.report.sent"))
        box = (
            st.error
            if result["level"] == "red"
            else st.warning
            if result["level"] != "green"
            else st.info
        )
        box(f"{_level(result['level'])}: {t('hi.report.advice.' + result['level'])}")
    st.write(
        t(
            "hi.report.hello",
            name=view.name,
            kind=view.kind,
            end=view.isolation_end.strftime("%d/%m/%Y"),
        )
    )
    st.caption(t("hi.report.count", n=view.reports_today, max=view.max_per_day))
    if view.reports_today >= view.max_per_day:
        st.warning(t("hi.report.limit", max=view.max_per_day))
        return
    errors = _errors("hi_err_report")
    _show_error(errors, "_form")
    now_local = clock.local(clock.now())
    with st.form("hi_report"):
        values: dict[str, Any] = {}
        values["temperature"] = st.text_input(t("hi.f.temperature"), key="r_temp", max_chars=6)
        _show_error(errors, "temperature")
        values["spo2"] = st.text_input(t("hi.f.spo2"), key="r_spo2", max_chars=5)
        _show_error(errors, "spo2")
        values["pulse"] = st.text_input(t("hi.f.pulse"), key="r_pulse", max_chars=5)
        _show_error(errors, "pulse")
        values["resp_rate"] = st.text_input(t("hi.f.resp_rate"), key="r_resp", max_chars=5)
        _show_error(errors, "resp_rate")
        values["symptoms"] = st.multiselect(
            t("hi.f.symptoms"), SYMPTOMS, format_func=lambda c: t(f"hi.symptom.{c}"), key="r_sym"
        )
        _show_error(errors, "symptoms")
        values["medicines"] = st.multiselect(
            t("hi.f.medicines"), MEDICINES, format_func=lambda c: t(f"hi.medicine.{c}"), key="r_med"
        )
        _show_error(errors, "medicines")
        values["note"] = st.text_area(t("hi.f.note"), key="r_note", max_chars=1000)
        _show_error(errors, "note")
        now_flag = st.checkbox(t("hi.report.measured_now"), value=True, key="r_now")
        col1, col2 = st.columns(2)
        day = col1.date_input(
            t("hi.f.measured_date"),
            value=now_local.date(),
            key="r_day",
            format="DD/MM/YYYY",  # type: ignore[union-attr]
        )
        at = col2.time_input(
            t("hi.f.measured_time"),
            value=now_local.time().replace(second=0, microsecond=0),
            key="r_time",
            step=300,  # type: ignore[union-attr]
        )
        _show_error(errors, "measured_at")
        sent = st.form_submit_button(t("hi.report.submit"), type="primary")
    if sent:
        if not now_flag:
            values["measured_at"] = datetime.combine(day, at, tzinfo=clock.LOCAL_TZ)
        try:
            result = service.submit_report(principal, token, values)
        except FormInvalid as exc:
            st.session_state["hi_err_report"] = _form_errors(exc)
            st.rerun()
        except service.IsolationError as exc:
            st.session_state["hi_err_report"] = {exc.field or "_form": exc.message}
            st.rerun()
        st.session_state["hi_err_report"] = {}
        st.session_state["hi_report_result"] = {"level": result.level}
        for key in ("r_temp", "r_spo2", "r_pulse", "r_resp", "r_note", "r_sym", "r_med"):
            st.session_state.pop(key, None)
        st.rerun()


# -- the officer board --------------------------------------------------------------------------


def board_page() -> None:
    principal = current_principal()
    st.title(t("hi.board.title"))
    flash.show()
    cols = st.columns([3, 2, 1, 2, 2])
    ward = cols[0].selectbox(
        t("hi.f.ward"),
        [None, *_ward_options()],
        format_func=lambda c: t("hi.all") if c is None else geo.ward_name(c),
        key="hb_ward",
    )
    status = cols[1].selectbox(
        t("hi.f.status"),
        [*STATUSES, None],
        format_func=lambda c: t("hi.all") if c is None else t(f"hi.status.{c}"),
        key="hb_status",
    )
    kind = cols[2].selectbox(
        t("hi.f.kind"),
        [None, *KINDS],
        format_func=lambda c: t("hi.all") if c is None else c,
        key="hb_kind",
    )
    level = cols[3].selectbox(
        t("hi.f.level"),
        [None, *reversed(LEVELS)],
        format_func=lambda c: t("hi.all") if c is None else _level(c),
        key="hb_level",
    )
    alerts_only = cols[4].checkbox(t("hi.f.alerts_only"), key="hb_alerts")
    frame, total = service.board(
        principal, ward_code=ward, status=status, kind=kind, level=level, alerts_only=alerts_only
    )
    st.caption(t("hi.board.count", shown=len(frame), total=total))
    if frame.empty:
        st.info(t("hi.board.empty"))
        return
    shown = pd.DataFrame(
        {
            t("hi.f.level"): frame["level"].map(_level),
            t("hi.col.alerts"): frame["alert_kinds"].map(
                lambda k: ", ".join(t(f"hi.alert.{x}") for x in k.split(",") if x)
            ),
            t("hi.col.alert_age"): pd.to_numeric(frame["alert_age_hours"], errors="coerce").round(
                1
            ),
            t("hi.f.full_name"): frame["full_name"],
            t("hi.f.kind"): frame["kind"],
            t("hi.f.age"): frame["age"],
            t("hi.f.ward"): frame["ward"],
            t("hi.f.phone"): frame["phone"],
            t("hi.col.last_report"): frame["last_report_at"].map(_local),
            t("hi.col.isolation_end"): frame["isolation_end"].map(lambda d: d.strftime("%d/%m")),
            t("hi.col.assigned"): frame["assigned_to"].fillna(""),
            t("hi.col.reasons"): frame["level_reasons"].map(_reasons),
            t("hi.col.id"): frame["id"],
        }
    )
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="hb_table",
    )
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    if rows:
        st.session_state["hi_person"] = str(frame["id"].iloc[rows[0]])
    chosen = st.session_state.get("hi_person")
    if chosen not in set(frame["id"]):
        chosen = None
    pick = st.selectbox(
        t("hi.board.pick"),
        frame["id"].tolist(),
        index=frame["id"].tolist().index(chosen) if chosen else None,
        format_func=lambda i: f"{frame.set_index('id').loc[i, 'full_name']} ({i})",
        placeholder=t("hi.board.pick"),
        key="hb_pick",
    )
    if pick:
        st.session_state["hi_person"] = pick
        _actions(pick)


def _actions(enrolment_id: str) -> None:
    """Acknowledge, assign, note, transfer, release for one person (all audited)."""
    principal = current_principal()
    row = service.enrolment(principal, enrolment_id)
    st.markdown(
        f"**{md_escape(row['full_name'])}** · {row['kind']} · {t('hi.status.' + row['status'])} · "
        f"{_level(row['level'])} · [{t('hi.board.open_person')}](/{page_path('home_isolation.person')}?e={row['id']})"
    )
    open_alerts = service.person_alerts(principal, enrolment_id, open_only=True)
    if open_alerts.empty:
        st.caption(t("hi.act.no_alerts"))
    for alert in open_alerts.itertuples():
        c1, c2 = st.columns([4, 1])
        c1.warning(f"{t('hi.alert.' + alert.kind)} · {_local(alert.opened_at)}")
        if c2.button(t("hi.act.ack"), key=f"ack_{alert.id}"):
            _do(service.acknowledge, principal, alert.id)
    c1, c2 = st.columns(2)
    with c1.form("hi_assign"):
        staff = st.text_input(t("hi.f.staff"), value=row["assigned_to"] or "", max_chars=64)
        if st.form_submit_button(t("hi.act.assign")):
            _do(service.assign, principal, enrolment_id, staff)
    with c2.form("hi_note", clear_on_submit=True):
        note = st.text_area(t("hi.f.note"), max_chars=2000, height=80)
        if st.form_submit_button(t("hi.act.note")):
            _do(service.add_note, principal, enrolment_id, note)
    if row["status"] == "released":
        return
    name = md_escape(row["full_name"])
    c3, c4 = st.columns(2)
    if row["status"] == "isolating":
        with c3.form("hi_transfer"):
            sure = st.checkbox(t("hi.act.confirm_transfer", name=name))
            if st.form_submit_button(t("hi.act.transfer")):
                _confirmed(sure, service.transfer_to_hospital, principal, enrolment_id)
    with c4.form("hi_release"):
        if not open_alerts.empty:
            st.warning(t("hi.act.release_open_alerts", n=len(open_alerts)))
        neg = st.date_input(t("hi.f.negative_test_date"), value=None, format="DD/MM/YYYY")
        sure = st.checkbox(t("hi.act.confirm_release", name=name))
        if st.form_submit_button(t("hi.act.release")):
            _confirmed(sure, service.release, principal, enrolment_id, negative_test_date=neg)


def _confirmed(sure: bool, fn: Any, *args: Any, **kwargs: Any) -> None:
    """Ending someone's monitoring needs the tick box: one stray click must not do it."""
    if not sure:
        st.error(t("hi.act.confirm_needed"))
        return
    _do(fn, *args, **kwargs)


def _do(fn: Any, *args: Any, **kwargs: Any) -> None:
    try:
        fn(*args, **kwargs)
    except service.IsolationError as exc:
        st.error(exc.message)
        return
    flash.rerun(t("hi.act.done"))


# -- a person's page ----------------------------------------------------------------------------


def _vitals_chart(reports: pd.DataFrame) -> alt.Chart:
    long = reports.assign(time=reports["measured_at"].map(clock.local)).melt(
        id_vars=["time", "level"],
        value_vars=["spo2", "temperature", "pulse"],
        var_name="measure",
        value_name="value",
    )
    names = {"spo2": "SpO2 (%)", "temperature": t("hi.f.temperature"), "pulse": t("hi.f.pulse")}
    long["measure"] = long["measure"].map(names)
    base = alt.Chart(long).encode(
        x=alt.X("time:T", title=t("hi.col.time")),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
    )
    line = base.mark_line(point=True).encode(
        tooltip=[alt.Tooltip("time:T", format="%d/%m %H:%M"), "value:Q", "level:N"]
    )
    return (
        line.properties(height=150, width="container")
        .facet(row=alt.Row("measure:N", title=None))
        .resolve_scale(y="independent")
    )


def person_page() -> None:
    principal = current_principal()
    st.title(t("hi.person.title"))
    flash.show()
    wanted = st.query_params.get("e") or st.session_state.get("hi_person")
    needle = st.text_input(t("hi.f.search"), key="hp_find", max_chars=40)
    if needle:
        found = service.find(principal, needle)
        if not found.empty:
            wanted = st.selectbox(
                t("hi.board.pick"),
                found["id"].tolist(),
                format_func=lambda i: f"{found.set_index('id').loc[i, 'full_name']} ({i})",
                key="hp_pick",
            )
    if not wanted:
        st.info(t("hi.person.none"))
        return
    row = service.enrollment_or_none(principal, wanted)
    if row is None:
        st.error(t("hi.err.not_found"))
        return
    st.session_state["hi_person"] = row["id"]
    st.subheader(
        t(
            "hi.person.header",
            name=row["full_name"],
            kind=row["kind"],
            status=t("hi.status." + row["status"]),
            level=_level(row["level"]),
        )
    )
    st.caption(
        t(
            "hi.person.facts",
            pid=row["person_id_masked"],
            phone=row["phone"],
            ward=row["ward"],
            age=row["age"] if row["age"] is not None else t("hi.unknown"),
            chronic=", ".join(t(f"hi.chronic.{c}") for c in row["chronic"].split(",") if c)
            or t("hi.none"),
            doses=row["vaccine_doses"] if row["vaccine_doses"] is not None else t("hi.unknown"),
            end=row["isolation_end"].strftime("%d/%m/%Y"),
        )
    )
    if row["source_id"]:
        st.caption(t("hi.person.source", name=row["source_name"] or "", id=row["source_id"]))
    if row["due_release"]:
        st.info(t("hi.person.due"))
    reports = service.person_reports(principal, row["id"])
    if reports.empty:
        st.info(t("hi.person.no_reports"))
    else:
        st.altair_chart(_vitals_chart(reports), width="stretch")
        st.subheader(t("hi.person.reports"))
        table = reports.sort_values("measured_at", ascending=False)
        st.dataframe(
            pd.DataFrame(
                {
                    t("hi.col.time"): table["measured_at"].map(_local),
                    t("hi.f.level"): table["level"].map(_level),
                    t("hi.f.temperature"): table["temperature"],
                    t("hi.f.spo2"): table["spo2"],
                    t("hi.f.pulse"): table["pulse"],
                    t("hi.f.resp_rate"): table["resp_rate"],
                    t("hi.f.symptoms"): table["symptoms"].map(
                        lambda v: ", ".join(t(f"hi.symptom.{c}") for c in v.split(",") if c)
                    ),
                    t("hi.f.medicines"): table["medicines"].map(
                        lambda v: ", ".join(t(f"hi.medicine.{c}") for c in v.split(",") if c)
                    ),
                    t("hi.f.note"): table["note"],
                    t("hi.col.reasons"): table["reasons"].map(_reasons),
                }
            ),
            hide_index=True,
            width="stretch",
        )
    st.subheader(t("hi.person.alerts"))
    _actions(row["id"])
    if row["status"] == "isolating" and st.toggle(t("hi.act.link"), key="hp_link"):
        _show_link(service.monitoring_link(principal, row["id"]), row["id"])
    st.subheader(t("hi.person.notes"))
    notes = service.person_notes(principal, row["id"])
    if not notes.empty:
        notes["created_at"] = notes["created_at"].map(_local)
        st.dataframe(notes, hide_index=True, width="stretch")


# -- contact tracing ----------------------------------------------------------------------------


def tracing_page() -> None:
    principal = current_principal()
    s = isolation_settings()
    st.title(t("hi.tracing.title"))
    needle = st.text_input(t("hi.f.search"), key="ht_find", max_chars=40)
    if needle:
        recent = service.find(principal, needle, limit=200)
        recent = recent[recent["kind"] == "F0"]
    else:
        recent = service.board(principal, status=None, kind="F0", limit=500)[0]
    names = dict(zip(recent["id"], recent["full_name"], strict=True))
    options = sorted(names, key=lambda i: names[i])
    default = st.query_params.get("e")
    if default and default not in names:
        row = service.enrollment_or_none(principal, default)
        if row is not None and row["kind"] == "F0":
            names[default] = row["full_name"]
            options.insert(0, default)
    source = st.selectbox(
        t("hi.tracing.pick"),
        options,
        index=options.index(default) if default in options else None,
        format_func=lambda i: f"{names[i]} ({i})",
        key="ht_source",
    )
    minutes = st.number_input(
        t("hi.f.window"), min_value=1, max_value=24 * 60, value=s.trace_window_minutes, key="ht_min"
    )
    if not source:
        return
    row = service.enrolment(principal, source)
    since = service.infectious_since(row, s)
    st.caption(t("hi.tracing.window_info", since=clock.fmt_local(since), minutes=int(minutes)))
    flash.show()
    try:
        found = service.trace_candidates(principal, source, window_minutes=int(minutes))
    except ImportError as exc:  # the health declaration app is missing
        st.error(t("hi.tracing.unavailable", error=type(exc).__name__))
        return
    if found.empty:
        st.info(t("hi.tracing.none"))
        return
    st.caption(
        t(
            "hi.tracing.found",
            people=found["candidate_id"].nunique(),
            venues=found["venue_id"].nunique(),
        )
    )
    table = pd.DataFrame(
        {
            "select": ~found["already_enrolled"],
            "candidate": found["candidate_name"],
            "phone": found["candidate_phone"],
            "venue": found["venue_name"],
            "source_at": found["source_checked_in_at"].map(_local),
            "candidate_at": found["candidate_checked_in_at"].map(_local),
            "overlap": found["overlap_minutes"],
            "enrolled": found["already_enrolled"],
        }
    )
    edited = st.data_editor(
        table,
        hide_index=True,
        width="stretch",
        disabled=[c for c in table.columns if c != "select"],
        column_config={
            "select": st.column_config.CheckboxColumn(t("hi.col.select")),
            "candidate": t("hi.f.full_name"),
            "phone": t("hi.f.phone"),
            "venue": t("hi.col.venue"),
            "source_at": t("hi.col.source_time"),
            "candidate_at": t("hi.col.candidate_time"),
            "overlap": st.column_config.NumberColumn(t("hi.col.overlap")),
            "enrolled": st.column_config.CheckboxColumn(t("hi.col.enrolled")),
        },
        key="ht_table",
    )
    if st.button(t("hi.tracing.enrol"), type="primary", key="ht_enrol"):
        chosen = found[edited["select"].to_numpy() & ~found["already_enrolled"].to_numpy()]
        try:
            out = service.enroll_contacts(principal, source, chosen)
        except service.IsolationError as exc:
            st.error(exc.message)
            return
        flash.rerun(t("hi.tracing.enrolled", n=len(out["enrolled"]), skipped=len(out["skipped"])))


__all__ = [
    "board_page",
    "enrol_page",
    "person_page",
    "report_page",
    "tracing_page",
]
