"""Streamlit pages: the phone-friendly scanner and the checkpoint dashboard. Thin: read input,
call ``checkpoints.service``, show the result."""

from __future__ import annotations

import hashlib
import html
import tempfile
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from core import clock
from core.i18n import catalog, t
from core.registry import get_registry
from core.text import md_escape
from core.ui.charts import count_axis, show_chart, vn_time
from core.ui.dashboard import Kpi, kpis
from core.ui.session import current_principal

from . import service
from .scanlog import LogError
from .verify import HC_TYPE

COLOURS = {"VALID": "#1b873f", "INVALID": "#c62828", "WARN": "#ef8f00"}


def reason_text(code: str, type_id: str | None = None, *, with_code: bool = True) -> str:
    """A verdict reason in words, from the app that declared it (``<title_key>.reason.<code>``
    of the scanned code's token type), else the token core's (``qr.reason``), else the
    scanner's own (``cp.reason``); the code follows in parentheses for staff unless
    ``with_code`` is false. The bare code when nobody labels it."""
    reg = get_registry()
    tt = reg.token_type(type_id) if type_id else None
    keys = [tt.reason_key(code)] if tt is not None else []
    keys += [f"qr.reason.{code}", f"cp.reason.{code}"]
    if tt is None:  # a chart of every type's reasons: whichever type declares the code
        keys += [k.reason_key(code) for k in reg.token_types() if code in k.reasons]
    known = catalog()
    for key in keys:
        if key in known:
            words = t(key)
            return f"{words} ({code})" if with_code else words
    return code


def type_title(type_id: str) -> str:
    """The kind of code in words: the token type's own title, e.g. "Giấy đi đường"."""
    if type_id == HC_TYPE:
        return t("cp.token.hc")
    tt = get_registry().token_type(type_id)
    return t(tt.title_key) if tt is not None else t("cp.token.unknown")


def field_label(type_id: str, name: str) -> str:
    """A shown field's label from the app that declared it; the scanner's own for HC1."""
    if type_id == HC_TYPE:
        key = f"cp.field.{name}"
    else:
        tt = get_registry().token_type(type_id)
        key = tt.field_key(name) if tt is not None else ""
    return t(key) if key in catalog() else name


def _field_value(type_id: str, name: str, value: str) -> str:
    if type_id == HC_TYPE and name == "kind" and f"cp.hc.kind.{value}" in catalog():
        return t(f"cp.hc.kind.{value}")
    return value


def verdict_card(scan: service.ServerScan) -> None:
    v = scan.verdict
    rows = "".join(
        f"<div style='font-size:1.1rem'><b>{html.escape(field_label(v.token_type, k))}:</b> "
        f"{html.escape(_field_value(v.token_type, k, val))}</div>"
        for k, val in v.fields.items()
        if val
    )
    reason = reason_text(v.reason, v.token_type, with_code=False)
    st.markdown(
        f"<div data-testid='cp-verdict' style='background:{COLOURS[v.verdict]};color:white;"
        "padding:1.2rem;border-radius:0.6rem;width:100%;margin:0.4rem 0'>"
        f"<div style='font-size:2.4rem;font-weight:700'>{html.escape(t('cp.verdict.' + v.verdict))}"
        f"</div><div style='font-size:1.2rem'>{html.escape(reason)} · "
        f"{html.escape(type_title(v.token_type))}</div>{rows}</div>",
        unsafe_allow_html=True,
    )
    if scan.venue_message:
        st.info(md_escape(scan.venue_message))


def scanner() -> None:
    principal = current_principal()
    st.title(t("cp.scan.title"))
    mode = st.radio(
        t("cp.scan.mode"),
        ["checkpoint", "venue"],
        format_func=lambda m: t(f"cp.scan.mode.{m}"),
        horizontal=True,
        key="cp_mode",
    )
    checkpoint_id = venue_id = None
    if mode == "checkpoint":
        cps = service.list_checkpoints(principal)
        ids = [""] + [c["id"] for c in cps]
        names = {c["id"]: f"{c['name']} ({c['id']})" for c in cps}
        checkpoint_id = (
            st.selectbox(
                t("cp.scan.checkpoint"),
                ids,
                format_func=lambda i: names.get(i, t("cp.scan.no_checkpoint")),
                key="cp_checkpoint",
            )
            or None
        )
        if checkpoint_id is None:
            st.warning(t("cp.scan.checkpoint_needed"))
    else:
        venue_id = st.text_input(t("cp.scan.venue_id"), max_chars=64, key="cp_venue").strip()
        if not venue_id:
            st.warning(t("cp.scan.venue_needed"))
    shot = st.camera_input(t("cp.scan.camera"), key="cp_camera")
    upload = st.file_uploader(t("cp.scan.upload"), type=["png", "jpg", "jpeg"], key="cp_file")
    image = shot or upload
    if image is not None and (checkpoint_id or venue_id):
        data = image.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        if st.session_state.get("cp_last_digest") != digest:  # one verdict per snapshot
            st.session_state["cp_last_digest"] = digest
            scans = service.scan_image(
                principal, data, checkpoint_id=checkpoint_id, venue_id=venue_id or None
            )
            st.session_state["cp_result"] = scans
        scans = st.session_state.get("cp_result")
        if scans is None:
            st.error(t("cp.scan.bad_image"))
        elif not scans:
            st.warning(t("cp.scan.no_code"))
        else:
            if len(scans) > 1:
                st.caption(t("cp.scan.many", n=len(scans)))
            for scan in scans:
                verdict_card(scan)
    st.subheader(t("cp.scan.last"))
    recent = service.recent_scans(principal, limit=10, staff=principal.actor)
    if not recent:
        st.caption(t("cp.scan.none_yet"))
    else:
        st.dataframe(_scans_table(recent), hide_index=True, width="stretch")


def _scans_table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("cp.col.time"): [clock.fmt_local(r["scanned_at"], "%H:%M:%S") for r in rows],
            t("cp.col.checkpoint"): [r["checkpoint_id"] for r in rows],
            t("cp.col.type"): [type_title(r["token_type"]) for r in rows],
            t("cp.col.verdict"): [t(f"cp.verdict.{r['verdict']}") for r in rows],
            t("cp.col.reason"): [reason_text(r["reason"], r["token_type"]) for r in rows],
        }
    )


def dashboard() -> None:
    principal = current_principal()
    st.title(t("cp.dash.title"))
    if principal.has(*service.SCANNERS):
        _upload_widget(principal)
    stats = service.stats_for(principal)
    anomalies = service.find_anomalies(principal)
    kpis(
        [
            Kpi(t("cp.dash.total"), stats["scans"]),
            Kpi(t("cp.dash.rejected"), stats["rejected"]),
            Kpi(t("cp.dash.anomalies"), len(anomalies)),
        ]
    )
    hourly = service.per_hour(principal)
    if hourly.empty:
        st.info(t("cp.dash.no_scans"))
    else:
        st.subheader(t("cp.dash.per_hour"))
        show_chart(hourly_chart(hourly))
        reasons = service.rejection_reasons(principal)
        if not reasons.empty:
            st.subheader(t("cp.dash.reasons"))
            show_chart(reasons_chart(reasons))
    st.subheader(t("cp.dash.anomalies"))
    if not anomalies:
        st.caption(t("cp.dash.no_anomalies"))
    else:
        st.dataframe(_anomaly_table(anomalies), hide_index=True, width="stretch")


def hourly_chart(hourly: pd.DataFrame) -> alt.Chart:
    """Scans per checkpoint and hour (``per_hour``: UTC hours) as stacked bars, each a whole
    hour wide at its Vietnam-time hour, so a single hour is a visible bar; counts in the
    chosen language's style, axis titles with their units."""
    frame = hourly.assign(hour=vn_time(hourly["hour"]))
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "yearmonthdatehours(hour):T",
                title=t("cp.axis.hour"),
                axis=alt.Axis(format="%d/%m %H:%M", labelOverlap=True, labelFlush=False),
            ),
            y=alt.Y("scans:Q", title=t("cp.axis.scans"), axis=count_axis(), stack=True),
            color=alt.Color("checkpoint_id:N", title=t("cp.col.checkpoint")),
            tooltip=[
                alt.Tooltip("checkpoint_id:N", title=t("cp.col.checkpoint")),
                alt.Tooltip("hour:T", title=t("cp.col.hour"), format="%d/%m/%Y %H:%M"),
                alt.Tooltip("scans:Q", title=t("cp.col.count"), format=",d"),
            ],
        )
    )


def reasons_chart(reasons: pd.DataFrame) -> alt.Chart:
    """Rejections per reason (words, then the code), the most frequent first."""
    frame = reasons.assign(reason=reasons["reason"].map(reason_text))
    return (
        alt.Chart(frame)
        .mark_bar(color=COLOURS["INVALID"])
        .encode(
            x=alt.X("scans:Q", title=t("cp.axis.scans"), axis=count_axis()),
            y=alt.Y("reason:N", sort="-x", title=t("cp.col.reason"), axis=alt.Axis(labelLimit=0)),
            tooltip=[
                alt.Tooltip("reason:N", title=t("cp.col.reason")),
                alt.Tooltip("scans:Q", title=t("cp.col.count"), format=",d"),
            ],
        )
    )


def _anomaly_table(items) -> pd.DataFrame:
    rows = []
    for a in items:
        if a.kind == "travel":
            detail = t(
                "cp.anomaly.travel_detail",
                a=a.checkpoints[0],
                b=a.checkpoints[1],
                km=a.km,
                minutes=a.minutes,
                kmh=a.kmh,
            )
        else:
            detail = t(
                "cp.anomaly.repeat_detail",
                n=a.count,
                reason=reason_text(a.reason),
                where=", ".join(c for c in a.checkpoints if c and c != "-"),
            )
        rows.append(
            {
                t("cp.col.kind"): t(f"cp.anomaly.{a.kind}"),
                t("cp.col.token"): a.token_hash[:12],
                t("cp.col.time"): clock.fmt_local(a.last_seen.to_pydatetime()),
                t("cp.col.detail"): detail,
            }
        )
    return pd.DataFrame(rows)


def _upload_widget(principal) -> None:
    with st.expander(t("cp.dash.upload")):
        f = st.file_uploader(t("cp.dash.upload"), type=["jsonl"], key="cp_log_file")
        if f is not None and st.button(t("cp.dash.upload_button"), key="cp_log_go"):
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "upload.jsonl"
                path.write_bytes(f.getvalue())
                try:
                    added, skipped = service.upload_log(principal, path)
                except LogError as exc:
                    st.error(t("cp.err.upload", error=str(exc)))
                else:
                    st.success(t("cp.dash.uploaded", added=added, skipped=skipped))
