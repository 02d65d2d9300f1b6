"""Streamlit pages: read input, call the service, show the result. No SQL here."""

from __future__ import annotations

import time
from datetime import timedelta

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from core import accounts as core_accounts
from core import clock, geo
from core.auth import PermissionDenied
from core.i18n import reason_text, t
from core.text import md_escape
from core.ui import flash
from core.ui.downloads import on_click
from core.ui.session import current_principal

from . import roster as roster_files
from . import service
from .models import REJECT_REASONS, SECTORS, BusinessForm, EmployeeIn, RequestForm, form_errors
from .rules import hhmm, hours_label
from .service import Decision, QueueFilter, TPError


def _errors(exc: Exception) -> None:
    for line in form_errors(exc) if isinstance(exc, ValidationError) else [str(exc)]:
        st.error(line)


def _wards(province: int) -> list[int]:
    return [u.code for u in geo.wards(province)]


def _hours_options() -> list[int]:
    return list(range(0, 24 * 60 + 1, 30))


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
    province = service.app_settings().province_code
    st.caption(t("tp.f.units_caption"))
    with st.form("tp_register"):
        name = st.text_input(t("tp.f.company"), max_chars=200)
        tax_code = st.text_input(t("tp.f.tax_code"), max_chars=20)
        sector = st.selectbox(t("tp.f.sector"), SECTORS, format_func=lambda s: t(f"tp.sector.{s}"))
        st.text_input(t("tp.f.province"), geo.province_name(province), disabled=True)
        ward = st.selectbox(t("tp.f.ward"), _wards(province), format_func=geo.ward_name)
        address = st.text_input(t("tp.f.address"), max_chars=300)
        contact = st.text_input(t("tp.f.contact"), max_chars=100)
        phone = st.text_input(t("tp.f.phone"), max_chars=20)
        username = st.text_input(t("tp.f.username"), max_chars=32)
        password = st.text_input(t("tp.f.password"), type="password", max_chars=128)
        submitted = st.form_submit_button(t("tp.reg.submit"), type="primary")
    if not submitted:
        return
    try:
        form = BusinessForm(
            name=name,
            tax_code=tax_code,
            sector=sector,
            address=address,
            province_code=province,
            ward_code=ward,
            contact_name=contact,
            phone=phone,
        )
        biz = service.register_business(principal, form, username, password)
    except (ValidationError, TPError, core_accounts.AccountError, PermissionDenied) as exc:
        _errors(exc)
        return
    st.success(t("tp.reg.done", username=biz["username"]))


def view() -> None:
    """The permit shown large on a phone; the link carries the token text (?t=TP1:...)."""
    text = st.query_params.get("t", "")
    if not text:
        st.info(t("tp.view.missing"))
        with st.form("tp_view"):
            text = st.text_input(t("tp.view.paste"), max_chars=4096)
            if not st.form_submit_button(t("tp.view.check")) or not text:
                return
    # Streamlit reruns the page on every interaction: verify (and audit) a token at most once a
    # minute per session, so an open link cannot flood the audit log yet a revocation shows.
    cache = st.session_state.setdefault("tp_viewed", {})
    now = time.monotonic()
    if text not in cache or now - cache[text][0] > 60:
        if len(cache) > 50:
            cache.clear()
        cache[text] = (now, service.view_permit(current_principal(), text))
    shown = cache[text][1]
    if shown["ok"]:
        st.success(f"## ✅ {t('tp.view.valid')}")
    else:
        st.error(f"## ⛔ {t('tp.view.invalid', reason=reason_text(shown['reason']))}")
    if shown.get("name"):
        from core.qr import render

        st.markdown(f"# {md_escape(shown['name'])}")
        st.image(render.png_bytes(text.strip(), scale=8), width=320)
        rows = [
            ("CCCD", shown["cccd"]),
            (t("tp.view.business"), shown["business"]),
            (t("tp.view.from"), shown["valid_from"]),
            (t("tp.view.until"), shown["valid_until"]),
            (t("tp.view.hours"), shown["hours"]),
            (t("tp.view.zones"), shown["zones"]),
        ]
        for label, value in rows:
            st.markdown(f"**{label}:** {md_escape(value)}")
        st.caption(shown["permit_id"] or "")


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
        return
    st.subheader(t("tp.biz.requests"))
    frame = service.list_requests(principal)
    if frame.empty:
        st.info(t("tp.biz.no_requests"))
        return
    shown = frame.assign(
        status=frame["status"].map(_status_label),
        reason_code=frame["reason_code"].map(lambda r: t(f"tp.reason.{r}") if r else ""),
        submitted_at=frame["submitted_at"].map(clock.fmt_local),
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    rid = st.selectbox(t("tp.biz.detail"), list(frame["id"]), key="tp_biz_detail")
    if not rid:
        return
    req = service.get_request(principal, rid)
    items = req["items"].assign(status=req["items"]["status"].map(_status_label))
    st.dataframe(items[["full_name", "cccd", "status", "permit_id"]], hide_index=True)
    if req["status"] in ("rejected", "partial"):
        st.write(t("tp.biz.rejected_hint", reason=md_escape(req["reason_text"] or "")))
        refused = list(req["items"].loc[req["items"]["status"] == "rejected", "cccd"])
        _request_form(principal, biz, default_ids=refused, resubmit_of=rid)


# -- roster -----------------------------------------------------------------------------------


def roster() -> None:
    principal = current_principal()
    biz = _business_or_stop()
    settings = service.app_settings()
    province = biz["province_code"]
    st.title(t("tp.page.roster"))
    flash.show()
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        t("tp.roster.template_xlsx"),
        on_click(roster_files.template_xlsx, province),
        "mau_danh_sach_nhan_vien.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    c2.download_button(
        t("tp.roster.template_csv"), roster_files.template_csv(), "mau_danh_sach.csv", "text/csv"
    )
    c3.download_button(
        t("tp.roster.export"),
        on_click(service.export_roster, principal),
        "danh_sach.csv",
        "text/csv",
    )
    st.caption(
        t("tp.roster.limits", rows=f"{settings.max_roster_rows:,}", mb=settings.max_upload_mb)
    )
    upload = st.file_uploader(t("tp.roster.upload"), type=["csv", "xlsx", "txt"], key="tp_upload")
    if upload is not None:
        _upload(principal, upload, province, settings)
    frame = service.list_employees(principal)
    st.subheader(t("tp.roster.count", n=len(frame)))
    if not frame.empty:
        shown = frame.assign(
            home_ward=frame["home_ward"].map(geo.ward_name),
            work_ward=frame["work_ward"].map(geo.ward_name),
        )
        st.dataframe(shown, hide_index=True, width="stretch")
    with st.expander(t("tp.roster.add")), st.form("tp_employee"):
        name = st.text_input(t("tp.f.full_name"), max_chars=100)
        cccd = st.text_input(t("tp.f.cccd"), max_chars=20)
        phone = st.text_input(t("tp.f.phone"), max_chars=20)
        wards = _wards(province)
        home = st.selectbox(t("tp.f.home_ward"), wards, format_func=geo.ward_name)
        work = st.selectbox(t("tp.f.work_ward"), wards, format_func=geo.ward_name)
        plate = st.text_input(t("tp.f.plate"), max_chars=20)
        job = st.text_input(t("tp.f.job_title"), max_chars=100)
        if st.form_submit_button(t("tp.roster.save")):
            try:
                emp = EmployeeIn(
                    full_name=name,
                    cccd=cccd,
                    phone=phone,
                    home_ward=home,
                    work_ward=work,
                    plate=plate,
                    job_title=job,
                )
                service.save_employee(principal, emp)
            except (ValidationError, TPError) as exc:
                _errors(exc)
            else:
                flash.rerun(t("tp.roster.saved"))
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
                    st.success(t("tp.roster.removed"))
                    st.rerun()
                except TPError as exc:
                    _errors(exc)


def _parse_upload(upload, province: int, settings) -> roster_files.RosterParse:
    """The upload parsed once per file, not again on every rerun while it stays selected."""
    key = (upload.file_id, province, settings.max_roster_rows, settings.max_upload_mb)
    cached = st.session_state.get("tp_upload_parsed")
    if cached is not None and cached[0] == key:
        return cached[1]
    parsed = roster_files.parse_file(
        upload.name,
        upload.getvalue(),
        province,
        max_rows=settings.max_roster_rows,
        max_bytes=settings.max_upload_mb * 1_000_000,
    )
    st.session_state["tp_upload_parsed"] = (key, parsed)
    return parsed


def _upload(principal, upload, province: int, settings) -> None:
    try:
        parsed = _parse_upload(upload, province, settings)
    except roster_files.RosterFileError as exc:
        st.error(str(exc))
        return
    st.info(
        t(
            "tp.roster.summary",
            good=len(parsed.good),
            bad=len(parsed.errors),
            total=parsed.total_rows,
        )
    )
    if parsed.errors:
        errors = parsed.error_frame
        st.dataframe(errors, hide_index=True, width="stretch")
        st.download_button(
            t("tp.roster.errors_csv"),
            on_click(roster_files.export_csv, errors),
            "loi.csv",
            "text/csv",
        )
        st.caption(t("tp.roster.fix_file"))
    if len(parsed.good) and st.button(
        t("tp.roster.import_good", n=len(parsed.good)), type="primary", key="tp_import"
    ):
        try:
            added, updated = service.import_roster(principal, parsed)
            st.success(t("tp.roster.imported", added=added, updated=updated))
        except TPError as exc:
            _errors(exc)


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


def _request_form(principal, biz, *, default_ids=(), resubmit_of: str | None = None) -> None:
    employees = service.list_employees(principal)
    if employees.empty:
        st.warning(t("tp.req.empty_roster"))
        return
    settings = service.app_settings()
    labels = dict(zip(employees["cccd"], employees["full_name"], strict=True))
    today = clock.today_local()
    province = biz["province_code"]
    with st.form(f"tp_request_{resubmit_of or 'new'}"):
        chosen = st.multiselect(
            t("tp.req.choose"),
            list(labels),
            default=[c for c in default_ids if c in labels],
            format_func=lambda c: f"{labels[c]} (…{c[-4:]})",
        )
        purpose = st.text_area(t("tp.f.purpose"), max_chars=500)
        c1, c2 = st.columns(2)
        start = c1.date_input(t("tp.f.start"), today, format="DD/MM/YYYY")
        end = c2.date_input(t("tp.f.end"), today + timedelta(days=6), format="DD/MM/YYYY")
        st.caption(t("tp.req.max_days", days=settings.max_validity_days))
        zones = st.multiselect(
            t("tp.f.zones"), _wards(province), default=[biz["ward_code"]], format_func=geo.ward_name
        )
        st.caption(t("tp.f.units_caption"))
        h1, h2 = st.columns(2)
        hours = _hours_options()
        start_min = h1.selectbox(t("tp.f.hours_from"), hours, index=12, format_func=hhmm)
        end_min = h2.selectbox(t("tp.f.hours_to"), hours, index=40, format_func=hhmm)
        label = t("tp.biz.resubmit") if resubmit_of else t("tp.req.submit")
        submitted = st.form_submit_button(label, type="primary")
    if not submitted:
        return
    try:
        form = RequestForm(
            cccds=chosen,
            purpose=purpose,
            start_date=start,
            end_date=end,
            zones=zones,
            start_minute=start_min,
            end_minute=end_min,
        )
        if resubmit_of:
            rid = service.resubmit_request(principal, resubmit_of, form)
            st.success(t("tp.biz.resubmitted", id=rid))
        else:
            rid = service.submit_request(principal, form)
            st.success(t("tp.req.done", id=rid))
    except (ValidationError, TPError, PermissionDenied) as exc:
        _errors(exc)


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
    except (PermissionDenied, TPError) as exc:
        _errors(exc)
        return
    if frame.empty:
        st.info(t("tp.permits.none"))
        return
    shown = frame.assign(
        status=frame["status"].map(_status_label),
        valid_until=frame["valid_until"].map(clock.fmt_local),
        zones=frame["zones"].map(service.zones_label),
        cccd=frame["cccd"].map(lambda c: "…" + c[-4:]),
    )
    st.dataframe(
        shown[["permit_id", "full_name", "cccd", "valid_until", "zones", "status", "request_id"]],
        hide_index=True,
        width="stretch",
    )
    if principal.has("business") or request_id:
        if service.active_permit_count(principal, request_id=request_id):
            c1, c2 = st.columns(2)
            c1.download_button(
                t("tp.permits.pdf"),
                on_click(service.permits_pdf, principal, request_id=request_id),
                "giay_di_duong.pdf",
                "application/pdf",
                key="tp_pdf",
            )
            c2.download_button(
                t("tp.permits.zip"),
                on_click(service.permits_zip, principal, request_id=request_id),
                "giay_di_duong.zip",
                "application/zip",
                key="tp_zip",
            )
        else:
            st.error(t("tp.err.no_permits"))
    labels = dict(zip(frame["permit_id"], frame["full_name"], strict=True))
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
    with st.form("tp_revoke"):
        reason = st.text_input(t("tp.f.revoke_reason"), max_chars=500)
        if st.form_submit_button(t("tp.permits.revoke")):
            try:
                service.revoke_permit(principal, pid, reason)
            except (TPError, PermissionDenied) as exc:
                _errors(exc)
            else:
                flash.rerun(t("tp.permits.revoked", id=pid))
    if principal.has("approver"):
        today = clock.today_local()
        with st.form("tp_renew"):
            c1, c2 = st.columns(2)
            start = c1.date_input(t("tp.f.start"), today, format="DD/MM/YYYY")
            end = c2.date_input(t("tp.f.end"), today + timedelta(days=6), format="DD/MM/YYYY")
            if st.form_submit_button(t("tp.permits.renew")):
                try:
                    new = service.renew_permit(principal, pid, start, end)
                except TPError as exc:
                    _errors(exc)
                else:  # the new permit is now the one shown
                    flash.rerun(t("tp.permits.renewed", id=new), tp_permit_pick=new)


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
        ["", *SECTORS],
        format_func=lambda s: t(f"tp.sector.{s}") if s else t("tp.f.all"),
    )
    age = c4.number_input(
        t("tp.f.min_age"), min_value=0.0, max_value=24.0 * 60, value=0.0, step=1.0
    )
    st.caption(t("tp.f.units_caption"))
    flt = QueueFilter(
        status=status or None,
        ward_code=ward or None,
        sector=sector or None,
        min_age_hours=age or None,
        limit=200,
    )
    frame, total = service.queue(principal, flt)
    st.caption(t("tp.queue.count", total=f"{total:,}", shown=len(frame)))
    if frame.empty:
        st.info(t("tp.queue.empty"))
        return
    table = pd.DataFrame(
        {
            "id": frame["id"],
            "business": frame["business"],
            "ward": frame["ward"],
            "sector": frame["sector"].map(lambda s: t(f"tp.sector.{s}")),
            "n": frame["n_employees"],
            "age_h": frame["age_hours"],
            "status": frame["status"].map(_status_label),
            "decision": None,
            "reason_code": None,
            "reason_text": None,
        }
    )
    decisions = {t("tp.decision.approve"): "approve", t("tp.decision.reject"): "reject"}
    reasons = {t(f"tp.reason.{code}"): code for code in REJECT_REASONS}
    st.subheader(t("tp.queue.bulk"))
    st.caption(t("tp.queue.bulk_hint"))
    edited = st.data_editor(
        table,
        hide_index=True,
        width="stretch",
        disabled=["id", "business", "ward", "sector", "n", "age_h", "status"],
        column_config={
            "id": st.column_config.TextColumn(t("tp.col.id")),
            "business": st.column_config.TextColumn(t("tp.col.business")),
            "ward": st.column_config.TextColumn(t("tp.f.ward")),
            "sector": st.column_config.TextColumn(t("tp.f.sector")),
            "n": st.column_config.NumberColumn(t("tp.col.employees")),
            "age_h": st.column_config.NumberColumn(t("tp.col.age_h"), format="%.1f"),
            "status": st.column_config.TextColumn(t("tp.col.status")),
            "decision": st.column_config.SelectboxColumn(
                t("tp.f.decision"), options=list(decisions)
            ),
            "reason_code": st.column_config.SelectboxColumn(
                t("tp.f.reason"), options=list(reasons)
            ),
            "reason_text": st.column_config.TextColumn(t("tp.f.reason_text"), max_chars=500),
        },
        key="tp_queue_editor",
    )
    if st.button(t("tp.queue.apply"), key="tp_apply"):
        edited = edited.assign(
            decision=edited["decision"].map(decisions),
            reason_code=edited["reason_code"].map(reasons),
        )
        rows = edited[edited["decision"].fillna("") != ""].to_dict("records")
        for rid, outcome in service.bulk_decide(principal, rows):
            st.write(f"{rid}: {outcome}")
    st.subheader(t("tp.biz.detail"))
    rid = st.selectbox(t("tp.queue.open"), list(frame["id"]), key="tp_queue_open")
    if rid:
        _decision_panel(principal, rid)


def _decision_panel(principal, rid: str) -> None:
    try:
        req = service.get_request(principal, rid)
    except TPError as exc:
        _errors(exc)
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
    st.text(req["purpose"])
    st.write(
        t(
            "tp.queue.window",
            start=req["start_date"].strftime("%d/%m/%Y"),
            end=req["end_date"].strftime("%d/%m/%Y"),
            hours=hours_label(req["start_minute"], req["end_minute"]),
            zones=service.zones_label(req["zones"]),
        )
    )
    items = req["items"]
    view = pd.DataFrame(
        {
            "approve": True,
            "full_name": items["full_name"],
            "cccd": items["cccd"],
            "job_title": items["job_title"],
            "home_ward": items["home_ward"].map(lambda c: geo.ward_name(c) if pd.notna(c) else ""),
            "status": items["status"].map(_status_label),
        }
    )
    if req["status"] != "pending":
        st.info(_status_label(req["status"]))
        st.dataframe(view.drop(columns=["approve"]), hide_index=True)
        return
    edited = st.data_editor(
        view,
        hide_index=True,
        disabled=["full_name", "cccd", "job_title", "home_ward", "status"],
        column_config={"approve": st.column_config.CheckboxColumn(t("tp.f.approve"))},
        key=f"tp_items_{rid}",
    )
    with st.form(f"tp_decide_{rid}"):
        reason = st.selectbox(
            t("tp.f.reason"),
            ["", *REJECT_REASONS],
            format_func=lambda r: t(f"tp.reason.{r}") if r else "—",
        )
        text = st.text_area(t("tp.f.reason_text"), max_chars=500)
        c1, c2, c3 = st.columns(3)
        approve_all = c1.form_submit_button(t("tp.queue.approve_all"), type="primary")
        partial = c2.form_submit_button(t("tp.queue.partial"))
        reject_all = c3.form_submit_button(t("tp.queue.reject_all"))
    decision = None
    if approve_all:
        decision = Decision.approve_all()
    elif reject_all:
        decision = Decision.reject_all(reason, text)
    elif partial:
        chosen = frozenset(edited.loc[edited["approve"], "cccd"])
        decision = Decision(chosen, reason or None, text)
    if decision is None:
        return
    try:
        res = service.decide(principal, rid, decision)
    except TPError as exc:
        _errors(exc)
        return
    flash.rerun(
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
    st.dataframe(
        frame.drop(columns=["id", "ward_code", "status_reason"]), hide_index=True, width="stretch"
    )
    labels = dict(zip(frame["id"], frame["name"] + " · " + frame["tax_code"], strict=True))
    bid = st.selectbox(t("tp.f.company"), list(labels), format_func=lambda b: labels[b])
    with st.form("tp_verify"):
        reason = st.text_input(t("tp.f.verify_reason"), max_chars=500)
        c1, c2 = st.columns(2)
        ok = c1.form_submit_button(t("tp.acc.verify"), type="primary")
        refuse = c2.form_submit_button(t("tp.acc.refuse"))
    if ok or refuse:
        try:
            service.verify_business(principal, bid, bool(ok), reason)
        except TPError as exc:
            _errors(exc)
        else:
            flash.rerun(t("tp.acc.done", name=md_escape(labels[bid])))
