"""The Streamlit pages of every definition app, and the admin page that installs definitions.
Thin: read input, call ``core.definitions.service`` / ``install``, show the result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from core import geo
from core.auth import PermissionDenied
from core.definitions import install, service
from core.definitions.service import DefinitionAppError
from core.definitions.workbook import Definition
from core.forms.errors import FormInvalid
from core.forms.streamlit_form import render_form, table_upload
from core.i18n import get_locale, t
from core.text import md_escape
from core.ui import flash, tables
from core.ui.downloads import on_click
from core.ui.session import current_principal

CATCH = (DefinitionAppError, PermissionDenied)


def _definition(app_id: str) -> Definition | None:
    try:
        return install.definition(app_id)
    except install.NotActive:
        st.error(t("da.err.no_app", app=app_id))
        return None


def _title(d: Definition, page: str) -> None:
    locale = get_locale()
    if page in ("submit", "status"):
        st.title(t(f"{d.app_id}.page.{page}"))
    else:
        st.title(f"{d.title.get(locale)} — {t(f'{d.app_id}.page.{page}')}")


def _people_frame(d: Definition, frame: pd.DataFrame) -> pd.DataFrame:
    """A submissions frame as people read it: labels for headers, words for codes, local
    times."""
    locale = get_locale()
    out = pd.DataFrame()
    if frame.empty:
        return out
    out[t("da.col.id")] = frame["_id"]
    out[t("da.col.ref")] = frame["_ref"]
    out[t("da.col.status")] = frame["_status"].map(lambda s: t(f"da.status.{s}"))
    out[t("da.col.submitted_at")] = tables.times(frame["_submitted_at"])
    for f in service.display_fields(d):
        col = f.storage_column
        if col and col in frame:
            out[f.label.get(locale) or f.name] = frame[col].map(_words(d, f.name))
    if "_attempt" in frame and (frame["_attempt"] > 1).any():
        out[t("da.col.attempt")] = frame["_attempt"]
    if "_valid_until" in frame and frame["_valid_until"].notna().any():
        out[t("da.col.valid_until")] = tables.times(frame["_valid_until"])
    if "revoked" in frame:
        out[t("da.col.revoked")] = frame["revoked"].map(lambda v: t("forms.yes") if v else "")
    return out


def _words(d: Definition, name: str) -> Any:
    f = d.form.by_name[name]
    chosen = d.form.choice_list(f)
    locale = get_locale()

    def one(value: Any) -> Any:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        if f.list_name == "wards":
            return geo.ward_name(int(value))
        if f.base_type == "select_multiple" and chosen is not None:
            parts = [p for p in str(value).split(",") if p]
            keys = [int(p) if chosen.integer else p for p in parts]
            return ", ".join(c.text(locale) if (c := chosen.get(k)) else str(k) for k in keys)
        if chosen is not None:
            key = int(value) if chosen.integer else value
            c = chosen.get(key)
            return c.text(locale) if c else str(value)
        if d.masked(name):
            from core.text import mask_id

            return mask_id(str(value))
        return value

    return one


# -- submit, look up, resubmit ---------------------------------------------------------------


def submit_page(app_id: str) -> None:
    d = _definition(app_id)
    if d is None:
        return
    _title(d, "submit")
    principal = current_principal()

    def message(done: service.Submitted) -> str:
        if d.public:
            return t("da.sent", ref=done.ref)
        text = t("da.sent_staff", id=done.id, ref=done.ref)
        return f"{text} {t('da.sent_code')}" if done.token_text else text

    code = st.container()  # the code issued on sending, shown above the emptied form
    done = render_form(
        d.form,
        key=f"da_{app_id}_submit",
        submit_label=t("da.send"),
        on_submit=lambda raw: service.submit(principal, app_id, raw),
        success_message=message,
        catch=CATCH,
    )
    if done is not None and done.token_text:
        with code:
            _show_code(done.token_text, done.ref)


def _show_code(text: str, ref: str) -> None:
    from core.qr import render

    png = render.png_bytes(text, scale=6)
    st.image(png, width=300)
    st.download_button(
        t("da.download_png"), png, f"{ref}.png", "image/png", key=f"da_png_{ref}",
        icon=":material/download:",
    )  # fmt: skip


# -- review -----------------------------------------------------------------------------------


def review_page(app_id: str) -> None:
    d = _definition(app_id)
    if d is None:
        return
    principal = current_principal()
    _title(d, "review")
    flash.show()
    try:
        frame, total = service.queue(principal, app_id, limit=200)
    except (DefinitionAppError, PermissionDenied) as exc:
        st.error(str(exc))
        return
    st.caption(t("da.queue.count", total=f"{total:,}".replace(",", ".")))
    if frame.empty:
        st.info(t("da.queue.empty"))
        return
    table = _people_frame(d, frame)
    decisions = {t("da.approve"): "approve", t("da.reject"): "reject"}
    coded = d.form.lists.get(service.REJECT_LIST)
    locale = get_locale()
    reasons = {c.text(locale): c.name for c in coded.choices} if coded else {}
    table[t("da.col.decision")] = None
    if reasons:
        table[t("da.col.reason_code")] = None
    table[t("da.col.reason")] = None
    st.subheader(t("da.queue.bulk"))
    st.caption(t("da.queue.bulk_hint"))
    config: dict[str, Any] = {
        t("da.col.decision"): st.column_config.SelectboxColumn(options=list(decisions)),
        t("da.col.reason"): st.column_config.TextColumn(max_chars=500),
    }
    if reasons:
        config[t("da.col.reason_code")] = st.column_config.SelectboxColumn(options=list(reasons))
    editable = {t("da.col.decision"), t("da.col.reason"), t("da.col.reason_code")}
    edited = st.data_editor(
        table,
        hide_index=True,
        width="stretch",
        disabled=[c for c in table.columns if c not in editable],
        column_config=config,
        key=f"da_{app_id}_queue",
    )
    if st.button(t("da.queue.apply"), key=f"da_{app_id}_apply", type="primary"):
        rows = []
        for _, row in edited.iterrows():
            rows.append(
                {
                    "id": int(row[t("da.col.id")]),
                    "decision": decisions.get(row[t("da.col.decision")]),
                    "reason_code": reasons.get(row.get(t("da.col.reason_code"))),
                    "reason_text": None
                    if _blank(row[t("da.col.reason")])
                    else row[t("da.col.reason")],
                }
            )
        outcome = service.bulk_decide(principal, app_id, rows)
        flash.rerun("\n\n".join(f"{sid}: {words}" for sid, words in outcome) or t("da.queue.empty"))
    st.subheader(t("da.queue.open"))
    first = display_name(d, frame)
    sid = st.selectbox(
        t("da.queue.pick"),
        list(frame["_id"]),
        format_func=lambda i: f"{i} · {first.get(i, '')}",
        key=f"da_{app_id}_open",
    )
    if sid is not None:
        _decision_panel(d, int(sid))


def display_name(d: Definition, frame: pd.DataFrame) -> dict[int, str]:
    """Submission id -> its first answer in words (the name, for most forms)."""
    fields = service.display_fields(d)
    if not fields or frame.empty or fields[0].storage_column not in frame:
        return {}
    words = _words(d, fields[0].name)
    return {
        int(i): str(words(v))
        for i, v in zip(frame["_id"], frame[fields[0].storage_column], strict=True)
    }


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and pd.isna(value))


def _decision_panel(d: Definition, sid: int) -> None:
    principal = current_principal()
    try:
        rec = service.record(principal, d.app_id, sid)
    except (DefinitionAppError, PermissionDenied) as exc:
        st.error(str(exc))
        return
    _show_record(d, rec)
    if st.button(t("da.approve"), type="primary", key=f"da_{d.app_id}_approve_{sid}"):
        _decide(d, sid, "approve", {})
    st.markdown(f"**{t('da.reject')}**")
    render_form(
        service.refusal_form(d.app_id),
        key=f"da_{d.app_id}_refuse_{sid}",
        submit_label=t("da.reject"),
        on_submit=lambda raw: _decide(d, sid, "reject", raw),
        catch=CATCH,
    )


def _decide(d: Definition, sid: int, decision: str, raw: Mapping[str, Any]) -> None:
    try:
        result = service.decide(current_principal(), d.app_id, sid, decision, raw)
    except FormInvalid:
        raise
    except CATCH as exc:
        if decision == "approve":
            st.error(str(exc))
            return
        raise
    flash.rerun(t("da.decided", id=sid, status=t(f"da.status.{result['status']}")))


def _show_record(d: Definition, rec: Mapping[str, Any]) -> None:
    from core.forms import storage

    locale = get_locale()
    values = storage.parse_stored(d.form, rec)
    lines = []
    for f in d.form.input_fields:
        if f.storage_column is None:
            continue
        # the reviewer checks the person: identity numbers in full here (lists mask them)
        shown = service.shown_value(d, f, values.get(f.name), locale, mask=False)
        lines.append(f"**{md_escape(f.label.get(locale) or f.name)}:** {md_escape(shown)}")
    st.markdown("  \n".join(lines))


# -- lists, export, bulk entry, codes -------------------------------------------------------


def list_page(app_id: str) -> None:
    d = _definition(app_id)
    if d is None:
        return
    principal = current_principal()
    _title(d, "list")
    statuses = ["", "pending", "approved", "rejected", "accepted"]
    status = st.selectbox(
        t("da.list.filter"),
        statuses,
        format_func=lambda s: t(f"da.status.{s}") if s else t("da.status.all"),
        key=f"da_{app_id}_filter",
    )
    try:
        frame, total = service.submissions(principal, app_id, status=status or None, limit=500)
    except (DefinitionAppError, PermissionDenied) as exc:
        st.error(str(exc))
        return
    st.caption(t("da.list.count", total=total, shown=len(frame)))
    st.dataframe(_people_frame(d, frame), hide_index=True, width="stretch")
    if principal.has(*sorted(d.viewers | d.reviewers)):
        left, right = st.columns(2)
        left.download_button(
            t("da.export_csv"),
            on_click(service.export, principal, app_id, "csv"),
            f"{app_id}.csv",
            "text/csv",
            key=f"da_{app_id}_csv",
            icon=":material/download:",
        )
        right.download_button(
            t("da.export_xlsx"),
            on_click(service.export, principal, app_id, "xlsx"),
            f"{app_id}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"da_{app_id}_xlsx",
            icon=":material/download:",
        )


def upload_page(app_id: str) -> None:
    d = _definition(app_id)
    if d is None:
        return
    principal = current_principal()
    _title(d, "upload")

    def imported(result: Any) -> str:
        try:
            n = service.import_rows(principal, app_id, result)
        except CATCH as exc:
            return str(exc)
        return t("da.upload.imported", n=n)

    table_upload(
        d.form,
        key=f"da_{app_id}_upload",
        on_import=imported,
        max_rows=d.max_upload_rows,
        max_mb=10,
        unique=d.unique,
        file_stem=app_id,
    )


def codes_page(app_id: str) -> None:
    d = _definition(app_id)
    if d is None:
        return
    principal = current_principal()
    _title(d, "codes")
    flash.show()
    try:
        frame = service.codes(principal, app_id, limit=1000)
    except (DefinitionAppError, PermissionDenied) as exc:
        st.error(str(exc))
        return
    if frame.empty:
        st.info(t("da.codes.none"))
        return
    st.caption(t("da.codes.count", n=len(frame)))
    table = _people_frame(d, frame)
    table.insert(0, t("da.col.pick"), ~frame["revoked"].astype(bool))
    edited = st.data_editor(
        table,
        hide_index=True,
        width="stretch",
        disabled=[c for c in table.columns if c != t("da.col.pick")],
        key=f"da_{app_id}_codes",
    )
    picked = [int(i) for i in edited.loc[edited[t("da.col.pick")], t("da.col.id")]]
    if picked:
        st.download_button(
            t("da.codes.pdf"),
            on_click(service.cards_pdf, principal, app_id, picked),
            f"{app_id}-the.pdf",
            "application/pdf",
            key=f"da_{app_id}_pdf",
            icon=":material/print:",
        )
    if not principal.has(*sorted(d.reviewers | d.submitter_roles)):
        return
    st.subheader(t("da.codes.revoke"))
    live = [int(i) for i, r in zip(frame["_id"], frame["revoked"], strict=True) if not r]
    names = display_name(d, frame)
    with st.form(f"da_{app_id}_revoke", clear_on_submit=True):
        sid = st.selectbox(
            t("da.codes.revoke_which"),
            live,
            format_func=lambda i: f"{i} · {names.get(int(i), '')}",  # whose code, not an id
            key=f"da_{app_id}_revoke_id",
        )
        reason = st.text_input(t("da.codes.revoke_reason"), max_chars=500)
        sent = st.form_submit_button(t("da.codes.revoke_button"))
    if sent and sid is not None:
        try:
            service.revoke(principal, app_id, int(sid), reason)
        except FormInvalid as exc:
            st.error(next(iter(exc.messages().values())))
        except CATCH as exc:
            st.error(str(exc))
        else:
            flash.rerun(t("da.codes.revoked", id=sid))


# -- panels -----------------------------------------------------------------------------------


def panel(app_id: str, index: int) -> None:
    import altair as alt

    d = install.definition(app_id)
    frame = service.panel_data(current_principal(), app_id, index)
    if frame.empty:
        st.caption(t("da.panel.empty"))
        return
    kind = d.panels[index].kind
    if kind == "per_day":
        chart = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X("day:T", title=t("da.col.day")),
                y=alt.Y("count:Q", title=t("da.col.count")),
                color=alt.Color("status:N", title=t("da.col.status")),
                tooltip=["day:T", "status:N", "count:Q"],
            )
        )
    else:
        chart = (
            alt.Chart(frame.head(30))
            .mark_bar()
            .encode(
                x=alt.X("count:Q", title=t("da.col.count")),
                y=alt.Y("label:N", sort="-x", title=t("da.col.label")),
                tooltip=["label:N", "count:Q"],
            )
        )
    st.altair_chart(chart, width="stretch")


# -- the admin page -----------------------------------------------------------------------------


def admin_page() -> None:
    from core.forms.model import DefinitionError

    principal = current_principal()
    st.title(t("da.admin.title"))
    if not principal.has("admin"):
        st.error(t("auth.denied"))
        return
    flash.show()
    st.caption(t("da.admin.intro"))
    upload = st.file_uploader(t("da.admin.upload"), type=["xlsx"], key="da_admin_upload")
    if upload is not None:
        data = upload.getvalue()
        try:
            d = install.check(data, store=_store())
        except DefinitionError as exc:
            st.error(t("da.admin.problems", n=len(exc.problems)))
            st.code("\n".join(str(p) for p in exc.problems), language=None)
        else:
            _preview(d)
            if st.button(t("da.admin.activate"), type="primary", key="da_admin_activate"):
                try:
                    done = install.install(principal, data, filename=upload.name, source="upload")
                except DefinitionError as exc:
                    st.error(t("da.admin.problems", n=len(exc.problems)))
                    st.code("\n".join(str(p) for p in exc.problems), language=None)
                else:
                    said = t("da.admin.activated", app=done.app_id, version=done.version)
                    if d.public:
                        said += " " + t("da.admin.public_at", url=public_url(d.app_id))
                    flash.rerun(said)
    _installed(principal)


def public_url(app_id: str) -> str:
    """The address of a public app's form for citizens (a light page, ``web``)."""
    from core.config import get_settings
    from core.definitions.web import submit_path

    return get_settings().base_url.rstrip("/") + submit_path(app_id)


def _store() -> Any:
    from core.store import get_store

    return get_store()


def _role_words(d: Definition, roles: frozenset[str]) -> str:
    if not roles:
        return t("da.admin.nobody")
    words = []
    for r in sorted(roles):
        if r == "public":
            words.append(t("da.admin.public"))
            continue
        own = next((x for x in d.roles if x.id == r), None)
        words.append(own.label.get(get_locale()) if own else t(f"role.{r}"))
    return ", ".join(words)


def _preview(d: Definition) -> None:
    locale = get_locale()
    st.success(t("da.admin.ok", app=md_escape(d.app_id), lines=d.lines))
    if d.public:
        st.markdown(t("da.admin.public_at", url=public_url(d.app_id)))
    st.markdown(
        t(
            "da.admin.who",
            submit=_role_words(d, d.submitters),
            review=_role_words(d, d.reviewers),
            view=_role_words(d, d.viewers),
        )
    )
    if d.token_prefix:
        st.markdown(
            t(
                "da.admin.issue",
                prefix=d.type_id,
                when=t(f"da.admin.issue.{d.issue}"),
                claims=", ".join(d.form.label(n, locale) for n in d.claims),
            )
        )
    else:
        st.markdown(t("da.admin.no_issue"))
    if d.roles:
        st.markdown(f"**{t('da.admin.roles')}**")
        st.markdown(
            "\n".join(
                f"- `{r.id}` {md_escape(r.label.get(locale))}"
                + (f" ({t('accounts.scope.' + r.scope)})" if r.scope else "")
                for r in d.roles
            )
        )
    st.markdown(f"**{t('da.admin.rules')}**")
    if not d.rules:
        st.caption(t("da.admin.no_rules"))
    for r in d.rules:
        value = r.value
        if r.field:
            value = f"«{d.form.label(r.field, locale)}»"
        st.markdown(
            f"- {t('da.admin.condition.' + r.kind, value=md_escape(value))}; "
            + t(
                "da.admin.else",
                severity=t(f"da.admin.severity.{r.severity}"),
                reason=md_escape(r.text.get(locale)),
            )
        )
    st.subheader(t("da.admin.preview"))
    st.caption(t("da.admin.preview_hint"))
    with st.container(border=True):
        render_form(
            d.form,
            key=f"da_preview_{d.checksum[:12]}",
            submit_label=t("da.send"),
            on_submit=lambda raw: None,
            clear_on_success=False,
        )


def _installed(principal: Any) -> None:
    st.subheader(t("da.admin.installed"))
    rows = install.versions(principal)
    if not rows:
        st.caption(t("da.admin.none"))
        return
    frame = pd.DataFrame(rows)
    shown = pd.DataFrame(
        {
            t("da.admin.which"): frame["app_id"],
            t("da.admin.col.title"): frame["title"],
            t("da.admin.col.version"): frame["version"],
            t("da.admin.col.active"): frame["active"].map(lambda v: "✔" if v else ""),
            t("da.admin.col.lines"): frame["lines"],
            t("da.admin.col.file"): frame["filename"],
            t("da.admin.col.by"): frame["installed_by"],
            t("da.admin.col.at"): tables.times(frame["installed_at"]),
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    apps = sorted(set(frame["app_id"]))
    left, right = st.columns(2)
    with left:
        app_id = st.selectbox(t("da.admin.which"), apps, key="da_admin_app")
        active = frame[(frame["app_id"] == app_id) & frame["active"]]
        if not active.empty and st.button(t("da.admin.deactivate"), key="da_admin_deactivate"):
            install.deactivate(principal, app_id)
            flash.rerun(t("da.admin.deactivated", app=app_id))
    with right:
        versions = list(frame.loc[frame["app_id"] == app_id, "version"])
        version = st.selectbox(t("da.admin.version_pick"), versions, key="da_admin_version")
        if version is not None:
            if st.button(t("da.admin.use_version"), key="da_admin_use"):
                done = install.activate_version(principal, app_id, int(version))
                flash.rerun(t("da.admin.activated", app=done.app_id, version=done.version))
            st.download_button(
                t("da.admin.download"),
                on_click(install.workbook_bytes, principal, app_id, int(version)),
                f"{app_id}-v{version}.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key="da_admin_download",
            )
