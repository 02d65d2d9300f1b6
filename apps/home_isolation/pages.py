"""Streamlit pages of the home isolation app: thin (draw the app's forms with
``render_form``, call the service, show). Every input error is shown beside its field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from apps.home_isolation import forms, service
from apps.home_isolation.models import KINDS, LEVELS, STATUSES, isolation_settings
from core import clock, geo
from core.auth import PermissionDenied
from core.forms import ChoiceList, Form
from core.forms.streamlit_form import render_form
from core.i18n import catalog, get_locale, t
from core.text import md_escape
from core.ui import flash, tables
from core.ui.charts import show_chart, time_axis, vn_time
from core.ui.links import page_path
from core.ui.numbers import fmt_decimal, fmt_int
from core.ui.session import current_principal
from core.ui.submit import once
from core.ui.tables import TIME, Col

LEVEL_ICON = {"green": "🟢", "yellow": "🟡", "orange": "🟠", "red": "🔴"}
REFUSALS = (service.IsolationError, PermissionDenied)
"""Refusals a form shows above itself (not about one answer)."""


# -- helpers ----------------------------------------------------------------------------------


def _level(level: str) -> str:
    return f"{LEVEL_ICON.get(level, '')} {t('hi.level.' + level)}"


def _readings(spo2: Any, temperature: Any, pulse: Any, resp_rate: Any) -> str:
    """A report's vitals in a line: ``SpO2 91 % · 38,9 °C · mạch 104 · thở 24`` (a missing
    value, e.g. no oximeter, left out)."""
    parts = []
    if not _missing(spo2):
        parts.append(f"SpO2 {fmt_int(spo2)} %")
    if not _missing(temperature):
        parts.append(f"{fmt_decimal(temperature, 1)} °C")
    if not _missing(pulse):
        parts.append(t("hi.readings.pulse", n=fmt_int(pulse)))
    if not _missing(resp_rate):
        parts.append(t("hi.readings.resp", n=fmt_int(resp_rate)))
    return " · ".join(parts)


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _vital(name: str) -> Callable[[Any], str]:
    """A report's value as the reader writes it (``38,6``, ``104``); a value not measured
    (SpO2 without an oximeter) is an empty cell."""
    if name == "temperature":
        return lambda v: fmt_decimal(v, 1)
    return fmt_int


def ago(hours: Any) -> str:
    """How long ago, as a person says it: ``25 phút trước``, ``3 giờ trước``, ``2 ngày
    trước`` (``""`` for no time)."""
    if _missing(hours):
        return ""
    h = max(0.0, float(hours))
    if h < 1:
        return t("hi.ago.minutes", n=max(1, round(h * 60)))
    if h < 48:
        return t("hi.ago.hours", n=int(h))
    return t("hi.ago.days", n=int(h // 24))


def _alert_text(kinds: str, readings: str) -> str:
    """The open alerts of a board row in words; a red one with the readings that raised it."""
    texts = []
    for kind in (k for k in kinds.split(",") if k):
        text = t(f"hi.alert.{kind}")
        texts.append(f"{text} ({readings})" if kind == "red" and readings else text)
    return ", ".join(texts)


def _reasons(text: str) -> str:
    return ", ".join(t(f"hi.reason.{c}") for c in (text or "").split(",") if c)


def _label(form: Form, name: str) -> str:
    """A question's label in the reader's language (column headers use the forms' words)."""
    return form.label(name, get_locale())


def _choices(chosen: ChoiceList, codes: str | None) -> str:
    """Stored comma-separated codes as their labels in the reader's language."""
    locale = get_locale()
    texts = []
    for code in (codes or "").split(","):
        choice = chosen.get(code) if code else None
        if choice is not None:
            texts.append(choice.text(locale))
        elif code:
            texts.append(code)
    return ", ".join(texts)


def _ward_options() -> list[int]:
    return [w.code for w in geo.wards(forms.PROVINCE)]


def _remember(key: str) -> Callable[[Mapping[str, Any]], None]:
    """An ``on_submit`` that keeps a search's answers for the following runs of the page."""

    def keep(raw: Mapping[str, Any]) -> None:
        st.session_state[key] = dict(raw)

    return keep


def _saved(_: object = None) -> None:
    """After an officer's action: "Saved." on the next run, even if the person has left the
    board (released people drop out of the default filter)."""
    flash.later(t("hi.act.done"))


def _local(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return clock.fmt_local(pd.Timestamp(value).to_pydatetime())


def _qr_png(text: str) -> bytes:
    from core.qr import render

    return render.png_bytes(text, scale=6)


def _show_link(url: str, name: str, code: str | None = None) -> None:
    st.info(t("hi.enrol.link_hint"))
    if code:
        st.warning(t("hi.link.issued", code=code))
    st.code(url, language=None)
    png = _qr_png(url)
    st.image(png, width=260)
    st.download_button(
        t("hi.act.download_qr"), png, file_name=f"monitoring-{name}.png", mime="image/png"
    )


# -- enrolment --------------------------------------------------------------------------------


def _enrolled(row: Mapping[str, Any]) -> None:
    st.session_state["hi_enrolled"] = row["id"]
    st.session_state["hi_issued"] = (row["id"], row["link"], row["link_code"])


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
            issued = st.session_state.get("hi_issued")
            if row["status"] == "isolating" and issued and issued[0] == row["id"]:
                _show_link(issued[1], row["id"], issued[2])
    buttons = {"F0": t("hi.enrol.f0"), "F1": t("hi.enrol.f1")}
    for tab, kind in zip(st.tabs(list(buttons.values())), KINDS, strict=True):
        with tab:
            render_form(
                forms.ENROL_FORMS[kind],
                key=f"hi_{kind.lower()}",
                submit_label=buttons[kind],
                on_submit=lambda raw, kind=kind: _enrolled(
                    once(f"hi_{kind.lower()}", raw, lambda: service.enroll(principal, kind, raw))
                ),
                catch=REFUSALS,
            )


# -- the citizen's report page ----------------------------------------------------------------


# -- the officer board --------------------------------------------------------------------------


def board_page() -> None:
    principal = current_principal()
    st.title(t("hi.board.title"))
    flash.show()
    cols = st.columns([3, 2, 1, 2, 2])
    ward = cols[0].selectbox(
        _label(forms.ENROL_F0, "ward_code"),
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
        format_func=lambda c: t("hi.all") if c is None else t("hi.kind." + c),
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
    st.caption(t("hi.board.count", shown=fmt_int(len(frame)), total=fmt_int(total)))
    if frame.empty:
        st.info(t("hi.board.empty"))
        return
    shown = pd.DataFrame(
        {
            t("hi.f.level"): frame["level"].map(_level),
            t("hi.col.alerts"): [
                _alert_text(kinds, _readings(*vals))
                for kinds, *vals in zip(
                    frame["alert_kinds"],
                    frame["red_spo2"],
                    frame["red_temperature"],
                    frame["red_pulse"],
                    frame["red_resp_rate"],
                    strict=True,
                )
            ],
            t("hi.col.alert_since"): pd.to_numeric(frame["alert_age_hours"], errors="coerce").map(
                ago
            ),
            _label(forms.ENROL_F0, "full_name"): frame["full_name"],
            t("hi.f.kind"): frame["kind"].map(lambda k: t("hi.kind." + k)),
            _label(forms.ENROL_F0, "age"): frame["age"].map(fmt_int),
            _label(forms.ENROL_F0, "ward_code"): frame["ward"].fillna(""),
            _label(forms.ENROL_F0, "phone"): frame["phone"],
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
    """Acknowledge, assign, note, transfer, release for one person (all audited). The forms
    are keyed by person, so what was typed for one is not offered for another."""
    principal = current_principal()
    row = service.enrolment(principal, enrolment_id)
    st.markdown(
        f"**{md_escape(row['full_name'])}** · {row['kind']} · {t('hi.status.' + row['status'])} · "
        f"{_level(row['level'])} · [{t('hi.board.open_person')}](/{page_path('home_isolation.person')}?e={row['id']})"
    )
    open_alerts = service.person_alerts(principal, enrolment_id, open_only=True)
    if open_alerts.empty:
        st.caption(t("hi.act.no_alerts"))
    now = clock.utcnow_naive()
    for alert in open_alerts.itertuples():
        c1, c2 = st.columns([4, 1])
        hours = (now - pd.Timestamp(alert.opened_at)).total_seconds() / 3600
        parts = [t("hi.alert." + alert.kind)]
        readings = _readings(alert.spo2, alert.temperature, alert.pulse, alert.resp_rate)
        if readings:
            parts.append(readings)
        if alert.reasons:
            parts.append(_reasons(alert.reasons))
        parts.append(f"{ago(hours)} ({_local(alert.opened_at)})")
        c1.warning(" · ".join(parts))
        if c2.button(t("hi.act.ack"), key=f"ack_{alert.id}"):
            _do(service.acknowledge, principal, alert.id)
    c1, c2 = st.columns(2)
    with c1:
        render_form(
            forms.ASSIGN,
            key=f"hi_assign:{enrolment_id}",
            submit_label=t("hi.act.assign"),
            on_submit=lambda raw: _saved(service.assign(principal, enrolment_id, raw)),
            initial={"staff": row["assigned_to"]},
            catch=REFUSALS,
        )
    with c2:
        render_form(
            forms.NOTE,
            key=f"hi_note:{enrolment_id}",
            submit_label=t("hi.act.note"),
            on_submit=lambda raw: _saved(service.add_note(principal, enrolment_id, raw)),
            catch=REFUSALS,
        )
    if row["status"] == "released":
        return
    c3, c4 = st.columns(2)
    if row["status"] == "isolating":
        with c3:
            render_form(
                service.transfer_form_for(principal, enrolment_id),
                key=f"hi_transfer:{enrolment_id}",
                submit_label=t("hi.act.transfer"),
                on_submit=lambda raw: _saved(
                    service.transfer_to_hospital(principal, enrolment_id, raw)
                ),
                catch=REFUSALS,
            )
    with c4:
        if not open_alerts.empty:
            st.warning(t("hi.act.release_open_alerts", n=len(open_alerts)))
        render_form(
            service.release_form_for(principal, enrolment_id),
            key=f"hi_release:{enrolment_id}",
            submit_label=t("hi.act.release"),
            on_submit=lambda raw: _saved(service.release(principal, enrolment_id, raw)),
            catch=REFUSALS,
        )


def _do(fn: Any, *args: Any, **kwargs: Any) -> None:
    """A one-click action (acknowledging an alert): its refusal here, or "Saved." and a rerun."""
    try:
        fn(*args, **kwargs)
    except service.IsolationError as exc:
        st.error(exc.message)
        return
    flash.rerun(t("hi.act.done"))


# -- a person's page ----------------------------------------------------------------------------


VITALS = ("spo2", "temperature", "pulse")
"""The measures of the trend chart, one panel each, with their unit on the axis."""


def _vitals_frame(reports: pd.DataFrame) -> pd.DataFrame:
    """The reports in long form for the chart: Vietnam wall time, one row per measured value
    (a missing SpO2, "no oximeter", is no point), the value as the reader writes it."""
    long = reports.assign(time=vn_time(reports["measured_at"])).melt(
        id_vars=["time", "level"],
        value_vars=list(VITALS),
        var_name="measure",
        value_name="value",
    )
    long = long.dropna(subset=["value"]).reset_index(drop=True)
    long["value"] = long["value"].astype(float)
    long["shown"] = [
        fmt_decimal(v, 1) if m == "temperature" else fmt_int(v)
        for m, v in zip(long["measure"], long["value"], strict=True)
    ]
    long["level"] = long["level"].map(lambda lv: t("hi.level." + lv))
    long["measure"] = long["measure"].map(lambda name: _label(forms.REPORT, name))
    return long


def _vitals_chart(reports: pd.DataFrame) -> alt.VConcatChart:
    """The trend of SpO2, temperature and pulse, one chart each: Vietnam date-times on the x
    axis, the measure and its unit as the y axis title, every report a point (one report is
    one point), values in tooltips as the reader writes them."""
    long = _vitals_frame(reports)
    when = t("hi.chart.time")
    charts = []
    for name in VITALS:
        label = _label(forms.REPORT, name)
        part = long[long["measure"] == label]
        base = alt.Chart(part).encode(
            x=time_axis("time", when),
            y=alt.Y("value:Q", title=label, scale=alt.Scale(zero=False)),
            tooltip=[
                alt.Tooltip("time:T", title=when, format="%d/%m/%Y %H:%M"),
                alt.Tooltip("shown:N", title=label),
                alt.Tooltip("level:N", title=t("hi.f.level")),
            ],
        )
        layers = base.mark_line() + base.mark_point(filled=True, size=60)
        charts.append(layers.properties(height=140, width="container"))
    return alt.vconcat(*charts)


def person_page() -> None:
    principal = current_principal()
    st.title(t("hi.person.title"))
    flash.show()
    wanted = st.query_params.get("e") or st.session_state.get("hi_person")
    render_form(
        forms.FIND,
        key="hp_find",
        submit_label=t("hi.act.find"),
        on_submit=_remember("hp_query"),
        clear_on_success=False,
        catch=REFUSALS,
    )
    found = service.find(principal, st.session_state.get("hp_query") or {})
    if found is not None and not found.empty:
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
            chronic=_choices(forms.CHRONIC, row["chronic"]) or t("hi.none"),
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
        show_chart(_vitals_chart(reports))
        st.subheader(t("hi.person.reports"))
        table = reports.sort_values("measured_at", ascending=False)
        st.dataframe(
            pd.DataFrame(
                {
                    t("hi.col.time"): table["measured_at"].map(_local),
                    t("hi.f.level"): table["level"].map(_level),
                    **{
                        _label(forms.REPORT, name): table[name].map(_vital(name))
                        for name in ("temperature", "spo2", "pulse", "resp_rate")
                    },
                    _label(forms.REPORT, "symptoms"): table["symptoms"].map(
                        lambda v: _choices(forms.SYMPTOMS, v)
                    ),
                    _label(forms.REPORT, "medicines"): table["medicines"].map(
                        lambda v: _choices(forms.MEDICINES, v)
                    ),
                    _label(forms.REPORT, "note"): table["note"],
                    t("hi.col.reasons"): table["reasons"].map(_reasons),
                }
            ),
            hide_index=True,
            width="stretch",
        )
    st.subheader(t("hi.person.alerts"))
    _actions(row["id"])
    if row["status"] == "isolating":
        if st.button(t("hi.act.new_link"), key="hp_new_link"):
            issued = service.new_link(principal, row["id"])
            st.session_state["hi_issued"] = (row["id"], issued.url, issued.code)
        issued = st.session_state.get("hi_issued")
        if issued and issued[0] == row["id"]:
            _show_link(issued[1], row["id"], issued[2])
        elif st.toggle(t("hi.act.link"), key="hp_link"):
            _show_link(service.monitoring_link(principal, row["id"]), row["id"])
    st.subheader(t("hi.person.notes"))
    notes = service.person_notes(principal, row["id"])
    if not notes.empty:
        tables.show(
            notes,
            {
                "created_at": Col("hi.col.time", TIME),
                "actor": "hi.col.actor",
                "kind": Col("hi.col.action", fmt=_note_kind),
                "text": "hi.col.note",
            },
        )


def _note_kind(kind: str) -> str:
    """A note's kind in words (the code itself for a kind this version does not know)."""
    key = f"hi.note.{kind}"
    return t(key) if key in catalog() else kind


# -- contact tracing ----------------------------------------------------------------------------

SEARCHED = "ht_searched"
"""Session key: a tracing search was just sent (its match is selected on this run)."""
CODES = "ht_codes"
"""Session key: the new F1s' link codes, shown once after a bulk enrolment."""


def _code_row(row: Mapping[str, Any], code: str, sms: Mapping[str, str]) -> dict[str, str]:
    status = sms.get(str(row["id"]), "")
    return {
        "name": str(row["full_name"]),
        "phone": str(row["phone"]),
        "code": code,
        "sms": t(f"hi.sms.{status}") if status else "",
    }


def _show_codes() -> None:
    """The link codes of the F1s just enrolled, once (the officer reads them out)."""
    rows = st.session_state.pop(CODES, None)
    if not rows:
        return
    st.info(t("hi.tracing.codes"))
    st.dataframe(
        pd.DataFrame(rows, columns=["name", "phone", "code", "sms"]),
        hide_index=True,
        width="stretch",
        column_config={
            "name": _label(forms.ENROL_F0, "full_name"),
            "phone": _label(forms.ENROL_F0, "phone"),
            "code": t("hi.col.code"),
            "sms": t("hi.col.sms"),
        },
    )


def _searched(raw: Mapping[str, Any]) -> None:
    st.session_state["ht_query"] = dict(raw)
    st.session_state[SEARCHED] = True


def tracing_page() -> None:
    principal = current_principal()
    s = isolation_settings()
    st.title(t("hi.tracing.title"))
    render_form(
        forms.trace_form(s.trace_window_minutes),
        key="ht_search",
        submit_label=t("hi.tracing.run"),
        on_submit=_searched,
        clear_on_success=False,
        catch=REFUSALS,
    )
    query = st.session_state.get("ht_query") or {}
    recent = service.find(principal, query, limit=200)
    if recent is None:
        recent = service.board(principal, status=None, kind="F0", limit=500)[0]
    else:
        recent = recent[recent["kind"] == "F0"]
    names = dict(zip(recent["id"], recent["full_name"], strict=True))
    options = sorted(names, key=lambda i: names[i])
    if st.session_state.pop(SEARCHED, False):
        if recent.empty:
            st.warning(t("hi.tracing.no_match"))
        else:  # a search selects its match (the newest F0 found)
            st.session_state["ht_source"] = str(recent["id"].iloc[0])
    default = st.query_params.get("e")
    if default and default not in names:
        row = service.enrollment_or_none(principal, default)
        if row is not None and row["kind"] == "F0":
            names[default] = row["full_name"]
            options.insert(0, default)
    if st.session_state.get("ht_source") not in options:
        st.session_state.pop("ht_source", None)
    chosen: dict[str, Any] = {}
    if "ht_source" not in st.session_state:  # else the state holds the choice (or the match)
        chosen["index"] = options.index(default) if default in options else None
    source = st.selectbox(
        t("hi.tracing.pick"),
        options,
        format_func=lambda i: f"{names[i]} ({i})",
        key="ht_source",
        **chosen,
    )
    if not source:
        return
    row = service.enrolment(principal, source)
    since = service.infectious_since(row, s)
    minutes = service.trace_window(query)
    st.caption(t("hi.tracing.window_info", since=clock.fmt_local(since), minutes=minutes))
    flash.show()
    _show_codes()
    try:
        found = service.trace_candidates(principal, source, query)
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
            "candidate": _label(forms.ENROL_F0, "full_name"),
            "phone": _label(forms.ENROL_F0, "phone"),
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
        rows = [
            _code_row(service.enrolment(principal, eid), out["codes"].get(eid, ""), out["sms"])
            for eid in out["enrolled"]
        ]
        flash.rerun(
            t("hi.tracing.enrolled", n=len(out["enrolled"]), skipped=len(out["skipped"])),
            **{CODES: rows},
        )


__all__ = [
    "board_page",
    "enrol_page",
    "person_page",
    "tracing_page",
]
