"""Streamlit pages: read input, call the service, show the result. No SQL here; every form
is drawn from its definition in ``forms`` (errors beside their fields, values kept)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from core import clock, geo
from core.auth import PermissionDenied, Principal
from core.forms.streamlit_form import render_form, table_upload
from core.i18n import t
from core.text import md_escape
from core.ui import flash, tables
from core.ui.charts import show_chart, time_axis
from core.ui.downloads import on_click
from core.ui.numbers import fmt_decimal, fmt_int
from core.ui.session import client_address, current_principal
from core.ui.submit import once
from core.ui.tables import STATUS, TIME, WARD, Col

from . import forms, service
from .rules import hours_label, period_label
from .service import Decision, QueueFilter, TPError

CATCH = (TPError, PermissionDenied)
"""Refusals shown above a form (errors about a field are shown beside it)."""


def _wards(province: int) -> list[int]:
    return [u.code for u in geo.wards(province)]


def _status_label(value: str) -> str:
    return t(f"tp.status.{value}") if value else ""


# -- public: registration and the permit on a phone --------------------------------------------


def register() -> None:
    st.title(t("tp.page.register"))
    principal = current_principal()
    if not principal.is_anonymous:
        st.info(t("tp.reg.logged_in"))
        return
    st.write(t("tp.reg.intro"))
    st.caption(t("tp.f.units_caption"))
    render_form(
        forms.business_form(service.app_settings().province_code),
        key="tp_register",
        submit_label=t("tp.reg.submit"),
        on_submit=lambda raw: service.register_business(principal, raw, client=client_address()),
        success_message=lambda biz: t("tp.reg.done", username=biz["username"]),
        catch=CATCH,
    )


# -- business ---------------------------------------------------------------------------------


def _business_or_stop() -> dict:
    try:
        return service.my_business(current_principal())
    except PermissionDenied as exc:
        st.error(str(exc))
        st.stop()
        raise


def business() -> None:
    principal = current_principal()
    biz = _business_or_stop()
    st.title(biz["name"])
    flash.show()
    st.caption(
        f"{t('tp.f.tax_code')}: {biz['tax_code']} · {geo.ward_name(biz['ward_code'])}, "
        f"{geo.province_name(biz['province_code'])}"
    )
    status = _status_label(biz["status"])
    if biz["status"] == "verified":
        st.success(t("tp.biz.status", status=status))
        quota = service.quota_status(principal)
        st.info(t("tp.biz.quota", **quota))
    elif biz["status"] == "pending":
        st.warning(t("tp.biz.status", status=status))
        st.caption(t("tp.biz.pending_hint"))
        return
    else:
        st.error(t("tp.biz.status", status=status))
        st.write(t("tp.biz.rejected_hint", reason=md_escape(biz["status_reason"] or "")))
        _fix_registration(principal, biz)
        return
    st.subheader(t("tp.biz.requests"))
    frame = service.list_requests(principal)
    if frame.empty:
        st.info(t("tp.biz.no_requests"))
        return
    frame["validity"] = [
        period_label(a, b) for a, b in zip(frame["start_date"], frame["end_date"], strict=True)
    ]
    tables.show(
        frame,
        {
            "id": "tp.col.id",
            "purpose": "tp.col.purpose",
            "validity": "tp.col.validity",
            "n_employees": "tp.col.employees",
            "n_approved": "tp.col.approved",
            "status": Col("tp.col.status", STATUS, "tp.status."),
            "submitted_at": Col("tp.col.submitted", TIME),
            "decided_at": Col("tp.col.decided", TIME),
            "reason_code": Col(
                "tp.f.reason", fmt=lambda r: forms.label(forms.REASON_CHOICES, r) or ""
            ),
            "reason_text": "tp.col.reason_text",
            "resubmitted_from": "tp.col.resubmitted_from",
        },
    )
    rid = st.selectbox(t("tp.biz.detail"), list(frame["id"]), key="tp_biz_detail")
    if not rid:
        return
    req = service.get_request(principal, rid)
    tables.show(
        req["items"],
        {
            "full_name": "tp.col.full_name",
            "cccd": "tp.col.cccd",
            "status": Col("tp.col.status", STATUS, "tp.status."),
            "permit_id": "tp.col.permit",
        },
    )
    if req["status"] in ("rejected", "partial"):
        st.write(t("tp.biz.rejected_hint", reason=md_escape(req["reason_text"] or "")))
        refused = list(req["items"].loc[req["items"]["status"] == "rejected", "cccd"])
        _request_form(principal, biz, default_ids=refused, resubmit_of=rid)


def _fix_registration(principal: Principal, biz: Mapping[str, Any]) -> None:
    """A refused business corrects its registration and sends it again."""
    st.subheader(t("tp.reg.fix_title"))
    st.caption(t("tp.reg.fix_hint"))
    form = forms.business_fix_form(int(biz["province_code"]))
    render_form(
        form,
        key="tp_reg_fix",
        submit_label=t("tp.reg.fix_submit"),
        on_submit=lambda raw: _resubmit_registration(principal, raw),
        initial={
            **{name: biz[name] for name in forms.CORRECTABLE},
            "tax_code": str(biz["tax_code"]).split("#", 1)[0],
        },
        catch=CATCH,
    )


def _resubmit_registration(principal: Principal, raw: Mapping[str, Any]) -> None:
    service.resubmit_registration(principal, raw)
    flash.later(t("tp.reg.resubmitted"))  # shown above the pending status


# -- roster -----------------------------------------------------------------------------------

ROSTER_EXAMPLE = {"plate": "43A-123.45", "job_title": "Kỹ sư"}


def roster() -> None:
    principal = current_principal()
    biz = _business_or_stop()
    settings = service.app_settings()
    form = service.roster_form(biz)
    st.title(t("tp.page.roster"))
    flash.show()
    st.download_button(
        t("tp.roster.export"),
        on_click(service.export_roster, principal),
        "danh_sach.csv",
        "text/csv",
    )
    st.subheader(t("tp.roster.upload"))
    st.caption(t("tp.roster.upsert_hint"))
    table_upload(
        form,
        key="tp_upload",
        on_import=lambda upload: _import(principal, upload),
        max_rows=settings.max_roster_rows,
        max_mb=settings.max_upload_mb,
        unique=("cccd",),
        example=ROSTER_EXAMPLE,
        list_filter={"province": int(biz["province_code"])},
        file_stem="mau_danh_sach_nhan_vien",
    )
    frame = service.list_employees(principal)
    st.subheader(t("tp.roster.count", n=len(frame)))
    if not frame.empty:
        tables.show(
            frame,
            {
                "full_name": "tp.col.full_name",
                "cccd": "tp.col.cccd",
                "phone": "tp.col.phone",
                "home_ward": Col("tp.col.home_ward", WARD),
                "work_ward": Col("tp.col.work_ward", WARD),
                "plate": "tp.col.plate",
                "job_title": "tp.col.job_title",
                "updated_at": Col("tp.col.updated", TIME),
            },
        )
    with st.expander(t("tp.roster.add")):
        render_form(
            form,
            key="tp_employee",
            submit_label=t("tp.roster.save"),
            on_submit=lambda raw: _save_employee(principal, raw),
            catch=CATCH,
        )
    if not frame.empty:
        with st.expander(t("tp.roster.remove")):
            st.caption(t("tp.roster.remove_hint"))
            labels = dict(zip(frame["cccd"], frame["full_name"], strict=True))
            who = st.selectbox(
                t("tp.f.employees"), list(labels), format_func=lambda c: f"{labels[c]} ({c})"
            )
            if st.button(t("tp.roster.remove"), key="tp_remove"):
                try:
                    service.remove_employee(principal, who)
                except TPError as exc:
                    st.error(str(exc))
                else:
                    flash.rerun(t("tp.roster.removed"))


def _save_employee(principal: Principal, raw: Mapping[str, Any]) -> None:
    service.save_employee(principal, raw)
    flash.later(t("tp.roster.saved"))  # shown at the top, above the updated roster


def _import(principal: Principal, upload: Any) -> str:
    """The good rows of an upload stored; the message ``table_upload`` shows."""
    try:
        added, updated = service.import_roster(principal, upload)
    except CATCH as exc:
        return str(exc)
    return t("tp.roster.imported", added=added, updated=updated)


# -- request ----------------------------------------------------------------------------------


def request() -> None:
    principal = current_principal()
    biz = _business_or_stop()
    st.title(t("tp.page.request"))
    if biz["status"] != "verified":
        st.warning(t("tp.err.not_verified"))
        return
    st.info(t("tp.biz.quota", **service.quota_status(principal)))
    _request_form(principal, biz)


def _request_form(
    principal: Principal,
    biz: Mapping[str, Any],
    *,
    default_ids: tuple[str, ...] | list[str] = (),
    resubmit_of: str | None = None,
) -> None:
    employees = service.list_employees(principal)
    if employees.empty:
        st.warning(t("tp.req.empty_roster"))
        return
    roster = forms.roster_key(employees["cccd"], employees["full_name"])
    form = service.request_form_for(biz, roster)
    days = service.app_settings().max_validity_days
    on_roster = set(employees["cccd"])

    key = f"tp_request_{resubmit_of or 'new'}"

    def send(raw: Mapping[str, Any]) -> str:
        if resubmit_of:
            return once(key, raw, lambda: service.resubmit_request(principal, resubmit_of, raw))
        return once(key, raw, lambda: service.submit_request(principal, raw))

    render_form(
        form,
        key=key,
        submit_label=t("tp.biz.resubmit") if resubmit_of else t("tp.req.submit"),
        on_submit=send,
        initial={
            "employees": [c for c in default_ids if c in on_roster],
            "end_date": clock.today_local() + timedelta(days=min(6, days - 1)),
            "zones": [int(biz["ward_code"])],
        },
        success_message=lambda rid: t(
            "tp.biz.resubmitted" if resubmit_of else "tp.req.done", id=rid
        ),
        catch=CATCH,
    )


# -- permits ----------------------------------------------------------------------------------


def permits() -> None:
    principal = current_principal()
    st.title(t("tp.page.permits"))
    flash.show()
    request_id = st.text_input(t("tp.permits.request"), key="tp_permits_request").strip() or None
    if principal.has("approver") and not request_id:
        st.caption(t("tp.view.missing"))
    try:
        frame = service.list_permits(principal, request_id=request_id, limit=2000)
    except CATCH as exc:
        st.error(str(exc))
        return
    if frame.empty:
        st.info(t("tp.permits.none"))
        return
    tables.show(
        frame,
        {
            "permit_id": "tp.col.permit",
            "full_name": "tp.col.full_name",
            "cccd": Col("tp.col.cccd", fmt=lambda c: "…" + c[-4:]),
            "validity": "tp.col.validity",
            "zones": Col("tp.col.zones", fmt=service.zones_label),
            "status": Col("tp.col.status", STATUS, "tp.status."),
            "request_id": "tp.col.id",
        },
    )
    if principal.has("business") or request_id:
        if service.active_permit_count(principal, request_id=request_id):
            purpose = ""
            if not principal.has("business"):  # an approver exports other people's permits
                purpose = st.text_input(t("tp.export.purpose"), key="tp_export_purpose")
                if len(purpose.strip()) < 5:
                    st.caption(t("tp.err.purpose"))
            blocked = not principal.has("business") and len(purpose.strip()) < 5
            c1, c2 = st.columns(2)
            c1.download_button(
                t("tp.permits.pdf"),
                on_click(service.permits_pdf, principal, request_id=request_id, purpose=purpose),
                "giay_di_duong.pdf",
                "application/pdf",
                key="tp_pdf",
                disabled=blocked,
            )
            c2.download_button(
                t("tp.permits.zip"),
                on_click(service.permits_zip, principal, request_id=request_id, purpose=purpose),
                "giay_di_duong.zip",
                "application/zip",
                key="tp_zip",
                disabled=blocked,
            )
        else:
            st.error(t("tp.err.no_permits"))
    labels = dict(zip(frame["permit_id"], frame["full_name"], strict=True))
    renewed = st.session_state.pop(RENEWED, None)
    if renewed in labels:  # a renewal just issued it: show the new permit
        st.session_state["tp_permit_pick"] = renewed
    pid = st.selectbox(
        t("tp.permits.pick"),
        list(labels),
        format_func=lambda p: f"{p} · {labels[p]}",
        key="tp_permit_pick",
    )
    if not pid:
        return
    row = frame.set_index("permit_id").loc[pid]
    st.download_button(
        t("tp.permits.png"),
        on_click(service.permit_png, principal, pid),
        f"{pid}.png",
        "image/png",
        key="tp_png",
    )
    st.markdown(f"[{t('tp.permits.link')}]({service.permit_view_link(principal, pid)})")
    if row["status"] != "active":
        return
    render_form(
        forms.REVOKE,
        key="tp_revoke",
        submit_label=t("tp.permits.revoke"),
        on_submit=lambda raw: _revoke(principal, pid, raw),
        catch=CATCH,
    )
    if principal.has("approver"):
        days = service.app_settings().max_validity_days
        render_form(
            forms.renew_form(days),
            key="tp_renew",
            submit_label=t("tp.permits.renew"),
            on_submit=lambda raw: _renew(principal, pid, raw),
            initial={"end_date": clock.today_local() + timedelta(days=min(6, days - 1))},
            catch=CATCH,
        )


RENEWED = "tp_permit_renewed"
"""Session key: the permit a renewal just issued, to be chosen on the next run."""


def _revoke(principal: Principal, pid: str, raw: Mapping[str, Any]) -> None:
    service.revoke_permit(principal, pid, raw)
    flash.later(t("tp.permits.revoked", id=pid))


def _renew(principal: Principal, pid: str, raw: Mapping[str, Any]) -> None:
    new = service.renew_permit(principal, pid, raw)
    flash.later(t("tp.permits.renewed", id=new))
    st.session_state[RENEWED] = new  # the new permit is then the one shown


# -- approver ---------------------------------------------------------------------------------


def queue() -> None:
    principal = current_principal()
    st.title(t("tp.page.queue"))
    flash.show()
    province = service.app_settings().province_code
    c1, c2, c3, c4 = st.columns(4)
    statuses = ["pending", "approved", "partial", "rejected", ""]
    status = c1.selectbox(
        t("tp.f.status"), statuses, format_func=lambda s: _status_label(s) if s else t("tp.f.all")
    )
    ward = c2.selectbox(
        t("tp.f.ward"),
        [0, *_wards(province)],
        format_func=lambda c: t("tp.f.all") if not c else geo.ward_name(c),
    )
    sector = c3.selectbox(
        t("tp.f.sector"),
        ["", *forms.SECTORS],
        format_func=lambda s: forms.label(forms.SECTOR_CHOICES, s) if s else t("tp.f.all"),
    )
    # whole hours: a decimal point would read as English in the Vietnamese UI ("0.00")
    age = c4.number_input(t("tp.f.min_age"), min_value=0, max_value=24 * 60, value=0, step=1)
    st.caption(t("tp.f.units_caption"))
    flt = QueueFilter(
        status=status or None,
        ward_code=ward or None,
        sector=sector or None,
        min_age_hours=age or None,
        limit=200,
    )
    frame, total = service.queue(principal, flt)
    st.caption(t("tp.queue.count", total=fmt_int(total), shown=fmt_int(len(frame))))
    _bulk_results()
    if frame.empty:
        st.info(t("tp.queue.empty"))
        return
    _bulk_queue(principal, frame, show_status=not status)
    st.subheader(t("tp.biz.detail"))
    rid = st.selectbox(
        t("tp.queue.open"),
        list(frame["id"]),
        format_func=dict(
            zip(frame["id"], frame["id"] + " · " + frame["business"], strict=True)
        ).get,
        key="tp_queue_open",
    )
    if rid:
        _decision_panel(principal, rid)


BULK_RESULTS = "tp_queue_results"
"""Session key: what the last bulk decision did, row by row (shown after the rerun)."""
BULK_GENERATION = "tp_queue_generation"
"""Session key: a new table after each bulk decision (no tick left on a row that moved)."""


def _bulk_results() -> None:
    results = st.session_state.pop(BULK_RESULTS, None)
    if not results:
        return
    st.markdown(f"**{t('tp.queue.results')}**")
    st.dataframe(
        pd.DataFrame(results, columns=["id", "outcome"]),
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.TextColumn(t("tp.col.id"), width="small"),
            "outcome": st.column_config.TextColumn(t("tp.queue.outcome"), width="large"),
        },
    )


def _bulk_queue(principal: Principal, frame: pd.DataFrame, *, show_status: bool) -> None:
    """The queue as a table with a tick column, and one decision for every ticked request.
    A request whose period is over is flagged on its row (the service refuses to approve
    it). After applying, the queue is read again: the rows show their new status."""
    over = frame["period_over"].astype(bool)
    table = pd.DataFrame(
        {
            "pick": False,
            "id": frame["id"],
            "business": frame["business"],
            "ward": frame["ward"].fillna(""),
            "n": frame["n_employees"].map(fmt_int),
            "validity": frame["validity"],
            "age_h": frame["age_hours"].map(lambda h: fmt_decimal(h, 1)),
            "status": frame["status"].map(_status_label),
            "warning": over.map(lambda o: t("tp.queue.period_over") if o else ""),
        }
    )
    # widths in pixels: with the sidebar open, the seven columns of a pending queue fit the
    # 820 px of a 1280 px screen, the request id and the validity whole (the full business
    # name shows on hover and in the request picker below)
    columns = {
        "pick": st.column_config.CheckboxColumn(t("tp.queue.tick"), width=62),
        "id": st.column_config.TextColumn(t("tp.col.id"), width=135),
        "business": st.column_config.TextColumn(t("tp.col.business"), width=173),
        "ward": st.column_config.TextColumn(t("tp.f.ward"), width=125),
        "n": st.column_config.TextColumn(t("tp.col.employees"), width=70),
        "validity": st.column_config.TextColumn(t("tp.col.validity"), width=170),
        "age_h": st.column_config.TextColumn(t("tp.col.age_h"), width=80),
        "status": st.column_config.TextColumn(t("tp.col.status"), width=95),
        "warning": st.column_config.TextColumn(t("tp.col.warning"), width=130),
    }
    order = [
        c
        for c in columns
        if (c != "status" or show_status) and (c != "warning" or bool(over.any()))
    ]
    st.subheader(t("tp.queue.bulk"))
    st.caption(t("tp.queue.ticked_hint"))
    if over.any():
        st.warning(t("tp.queue.period_over_count", n=fmt_int(int(over.sum()))))
    generation = st.session_state.get(BULK_GENERATION, 0)
    editor_key = f"tp_queue_editor:{generation}"
    edited = st.data_editor(
        table,
        hide_index=True,
        width="stretch",
        column_order=order,
        disabled=[c for c in table.columns if c != "pick"],
        column_config=columns,
        key=editor_key,
    )
    ticked = int(edited["pick"].sum())

    def ticked_ids() -> list[str]:
        """The ticked rows, from the table's state (the decision form runs as a fragment)."""
        edits = st.session_state.get(editor_key, {}).get("edited_rows", {})
        rows = [int(i) for i, change in edits.items() if change.get("pick")]
        return [str(table["id"].iloc[i]) for i in sorted(rows) if i < len(table)]

    def apply(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
        ids = ticked_ids()
        if not ids:
            raise TPError(t("tp.queue.none_ticked"))
        answers = {k: raw.get(k) for k in ("decision", "reason_code", "reason_text")}
        results = service.bulk_decide(principal, [{"id": rid, **answers} for rid in ids])
        st.session_state[BULK_RESULTS] = results
        st.session_state[BULK_GENERATION] = generation + 1
        return results

    st.markdown(f"**{t('tp.queue.bulk_decision')}**")
    render_form(
        forms.BULK,
        key="tp_bulk",
        submit_label=t("tp.queue.apply_ticked", n=ticked),
        on_submit=apply,
        catch=CATCH,
    )


def _decision_panel(principal: Principal, rid: str) -> None:
    try:
        req = service.get_request(principal, rid)
    except TPError as exc:
        st.error(str(exc))
        return
    biz = req["business"]
    st.write(
        t(
            "tp.queue.business",
            name=md_escape(biz["name"]),
            mst=biz["tax_code"],
            ward=geo.ward_name(biz["ward_code"]),
        )
    )
    _roster_history(principal, biz["id"])
    st.text(req["purpose"])
    period = period_label(req["start_date"], req["end_date"])
    st.write(
        t(
            "tp.queue.window_one",
            period=period,
            hours=hours_label(req["start_minute"], req["end_minute"]),
            zones=service.zones_label(req["zones"]),
        )
    )
    ended = service.period_over(req["end_date"])
    if ended and req["status"] == "pending":
        st.error(t("tp.queue.period_over_one", period=period), icon=":material/event_busy:")
    items = req["items"]
    # each person's risk status (isolation register, declaration, exposure) before approving
    flags = service.holder_flags(principal, rid).set_index("cccd")
    risk_text = items["cccd"].map(flags["flag_text"]).fillna("")
    isolating = items["cccd"].map(flags["isolating"]).fillna(False).astype(bool)
    flagged = int((risk_text != "").sum())
    if flagged:
        st.warning(t("tp.flag.count", n=flagged))
    st.caption(t("tp.flag.caption"))
    view = pd.DataFrame(
        {
            "approve": ~isolating,  # an isolating person starts unticked
            "full_name": items["full_name"],
            "cccd": items["cccd"],
            "risk": risk_text,
            "job_title": items["job_title"].fillna(""),
            "home_ward": items["home_ward"].map(lambda c: geo.ward_name(c) if pd.notna(c) else ""),
            "status": items["status"].map(_status_label),
        }
    )
    item_columns = {
        "full_name": st.column_config.TextColumn(t("tp.col.full_name")),
        "cccd": st.column_config.TextColumn(t("tp.col.cccd")),
        "risk": st.column_config.TextColumn(t("tp.col.risk")),
        "job_title": st.column_config.TextColumn(t("tp.col.job_title")),
        "home_ward": st.column_config.TextColumn(t("tp.col.home_ward")),
        "status": st.column_config.TextColumn(t("tp.col.status")),
    }
    if req["status"] != "pending":
        st.info(_status_label(req["status"]))
        st.dataframe(
            view.drop(columns=["approve"]),
            hide_index=True,
            width="stretch",
            column_config=item_columns,
        )
        return
    edited = st.data_editor(
        view,
        hide_index=True,
        width="stretch",
        disabled=["full_name", "cccd", "risk", "job_title", "home_ward", "status"],
        column_config={
            "approve": st.column_config.CheckboxColumn(t("tp.f.approve")),
            **item_columns,
        },
        key=f"tp_items_{rid}",
    )
    selected = frozenset(edited.loc[edited["approve"], "cccd"])
    if st.button(
        t("tp.queue.approve_all"), type="primary", key=f"tp_approve_{rid}", disabled=ended
    ):
        try:
            _decide(principal, rid, Decision.approve_all())
        except TPError as exc:
            st.error(str(exc))
        else:
            st.rerun()
    st.markdown(f"**{t('tp.queue.refuse')}**")
    render_form(
        forms.REFUSAL,
        key=f"tp_decide_{rid}",
        submit_label=t("tp.queue.send_refusal"),
        on_submit=lambda raw: _decide(principal, rid, Decision.of(raw, selected)),
        catch=CATCH,
    )


def _roster_history(principal: Principal, business_id: str) -> None:
    """The roster's last two weeks beside a request: what the quota counts and what waits."""
    history, quota = service.roster_history(principal, business_id)
    settings = service.app_settings()
    with st.expander(t("tp.growth.title"), expanded=bool(quota["pending_growth"])):
        st.caption(
            t(
                "tp.growth.caption",
                base=quota["base"],
                pending=quota["pending_growth"],
                percent=settings.roster_growth_percent,
                rows=settings.roster_growth_rows,
                added_7d=quota["added_7d"],
            )
        )
        if history.empty:
            return
        _growth_chart(history)  # one day is one point
        table = history.assign(day=history["day"].map(lambda d: d.strftime("%d/%m/%Y")))
        st.dataframe(
            table.rename(
                columns={
                    "day": t("tp.growth.day"),
                    "added": t("tp.growth.added"),
                    "size": t("tp.growth.size"),
                    "base": t("tp.growth.base"),
                    "pending": t("tp.growth.pending"),
                }
            ),
            hide_index=True,
            width="stretch",
        )


def _growth_chart(history: pd.DataFrame) -> None:
    """The roster's size and the quota's base per local day, two lines with a point per day
    (a single day is a point), the count of people on the y axis, numbers in the reader's
    style."""
    long = history.melt(
        id_vars="day", value_vars=["size", "base"], var_name="series", value_name="n"
    )
    long["day"] = pd.to_datetime(long["day"])  # a local day, drawn as that day anywhere
    names = {"size": t("tp.growth.size"), "base": t("tp.growth.base")}
    long["series"] = long["series"].map(names)
    show_chart(
        alt.Chart(long)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=60))
        .encode(
            x=time_axis("day", t("tp.growth.day"), fmt="%d/%m"),
            y=alt.Y("n:Q", title=t("tp.growth.people"), axis=alt.Axis(format=",d")),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("day:T", title=t("tp.growth.day"), format="%d/%m/%Y"),
                alt.Tooltip("series:N", title=t("tp.an.series")),
                alt.Tooltip("n:Q", title=t("tp.growth.people"), format=",d"),
            ],
        )
        .properties(height=180)
    )


def _decide(principal: Principal, rid: str, decision: Decision) -> None:
    res = service.decide(principal, rid, decision)
    flash.later(
        t(
            "tp.queue.decided",
            status=_status_label(res["status"]),
            approved=res["approved"],
            rejected=res["rejected"],
        )
    )


def accounts() -> None:
    principal = current_principal()
    st.title(t("tp.page.accounts"))
    flash.show()
    frame = service.list_businesses(principal, status="pending")
    if frame.empty:
        st.info(t("tp.acc.none"))
        return
    tables.show(
        frame,
        {
            "name": "tp.f.company",
            "tax_code": "tp.f.tax_code",
            "sector": Col("tp.f.sector", fmt=lambda s: forms.label(forms.SECTOR_CHOICES, s)),
            "ward": "tp.f.ward",
            "contact_name": "tp.col.contact",
            "phone": "tp.col.phone",
            "status": Col("tp.col.status", STATUS, "tp.status."),
            "created_at": Col("tp.col.created", TIME),
            "clash": "tp.acc.clash",
        },
    )
    labels = dict(zip(frame["id"], frame["name"] + " · " + frame["tax_code"], strict=True))
    bid = st.selectbox(t("tp.f.company"), list(labels), format_func=lambda b: labels[b])
    name = md_escape(labels[bid])
    clash = frame.set_index("id").loc[bid, "clash"]
    if clash:
        st.warning(f"{t('tp.acc.clash')}: {md_escape(clash)}")
    if st.button(t("tp.acc.verify"), type="primary", key="tp_verify_ok"):
        try:
            service.verify_business(principal, bid, True)
        except TPError as exc:
            st.error(str(exc))
        else:
            flash.rerun(t("tp.acc.done", name=name))
    st.markdown(f"**{t('tp.acc.refuse_title')}**")
    render_form(
        forms.VERIFICATION,
        key="tp_verify",
        submit_label=t("tp.acc.refuse"),
        on_submit=lambda raw: _refuse(principal, bid, raw, name),
        only=("reason",),
        fixed={"decision": "refuse"},
        catch=CATCH,
    )


def _refuse(principal: Principal, bid: str, raw: Mapping[str, Any], name: str) -> None:
    service.verify_business(principal, bid, False, raw)
    flash.later(t("tp.acc.done", name=name))
