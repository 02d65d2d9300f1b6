"""Admin pages: accounts, audit log, installed apps and configuration. Thin: services decide."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from core import accounts, audit, clock, geo
from core.auth import Grant, PermissionDenied
from core.config import get_settings
from core.i18n import get_locale, t
from core.registry import Role, get_registry
from core.ui import flash, tables
from core.ui.numbers import fmt_int
from core.ui.session import current_principal
from core.ui.tables import NUMBER, TIME, Col


def _scope_picker(role: Role, key: str, current: str = "") -> str:
    """Where a grant of a scoped role applies: everywhere, one province or (for ward-scoped
    roles) one ward. Returns ``""``, ``"province:<code>"`` or ``"ward:<code>"``."""
    levels = ["", "province"] + (["ward"] if role.scope == "ward" else [])
    kind, _, code = current.partition(":")
    level = st.selectbox(
        t("accounts.scope_of", role=t(f"role.{role.id}")),
        levels,
        index=levels.index(kind) if kind in levels else 0,
        format_func=lambda k: t(f"accounts.scope.{k or 'everywhere'}"),
        key=f"{key}_level",
    )
    if not level:
        return ""
    provinces = geo.provinces()
    codes = [p.code for p in provinces]
    names = {p.code: p.name for p in provinces}
    start = int(code) if code else geo.DA_NANG
    if kind == "ward" and code:
        start = geo.ward_province(int(code)) or geo.DA_NANG
    province = st.selectbox(
        t("accounts.province"),
        codes,
        index=codes.index(start) if start in codes else 0,
        format_func=lambda c: names[c],
        key=f"{key}_province",
    )
    if level == "province":
        return f"province:{province}"
    wards = geo.wards(province)
    ward_codes = [w.code for w in wards]
    ward_names = {w.code: w.name for w in wards}
    chosen = int(code) if kind == "ward" and code else None
    ward = st.selectbox(
        t("accounts.ward"),
        ward_codes,
        index=ward_codes.index(chosen) if chosen in ward_codes else 0,
        format_func=lambda c: ward_names[c],
        key=f"{key}_ward",
    )
    return f"ward:{ward}"


def _role_picker(key: str, current: tuple[Grant, ...] = ()) -> list[Grant]:
    """Several roles (multiselect), each scoped role with its scope picker."""
    roles = get_registry().roles()
    by_id = {r.id: r for r in roles}
    held = {g.role: g.scope for g in current}
    chosen = st.multiselect(
        t("accounts.roles"),
        [r.id for r in roles],
        default=[r for r in held if r in by_id],
        format_func=lambda r: t(f"role.{r}"),
        key=f"{key}_roles",
    )
    grants = []
    for role_id in chosen:
        scope = ""
        if by_id[role_id].scope is not None:
            scope = _scope_picker(by_id[role_id], f"{key}_{role_id}", held.get(role_id, ""))
        grants.append(Grant(role_id, scope))
    return grants


def accounts_page() -> None:
    principal = current_principal()
    st.title(t("accounts.title"))
    flash.show()
    try:
        users = accounts.list_users(principal)
    except PermissionDenied as exc:
        st.error(str(exc))
        return
    table = pd.DataFrame(
        [
            {
                t("login.username"): u.username,
                t("accounts.full_name"): u.full_name,
                t("accounts.roles"): "; ".join(u.grant_labels()),
                t("accounts.status"): t("accounts.disabled")
                if u.disabled
                else t("accounts.active"),
                t("accounts.locked_until"): clock.fmt_local(u.locked_until),
                t("accounts.last_login"): clock.fmt_local(u.last_login_at),
            }
            for u in users
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")

    left, right = st.columns(2)
    with left:
        # Not a form: a scoped role's area pickers follow the roles chosen above them.
        st.subheader(t("accounts.add"))
        username = st.text_input(t("login.username"), max_chars=32, key="new_username")
        full_name = st.text_input(t("accounts.full_name"), max_chars=120, key="new_full_name")
        password = st.text_input(
            t("login.password"), type="password", max_chars=128, key="new_password"
        )
        grants = _role_picker("new")
        if st.button(t("accounts.add"), type="primary", key="acct_add"):
            try:
                user = accounts.create_user(principal, username, full_name, grants, password)
            except (accounts.AccountError, PermissionDenied) as exc:
                st.error(str(exc))
            else:
                st.success(t("accounts.created", username=user.username))
    with right:
        names = [u.username for u in users]
        if names:
            chosen = st.selectbox(t("accounts.select"), names, key="acct_pick")
            user = next(u for u in users if u.username == chosen)
            new_grants = _role_picker(f"edit_{user.id}", user.grants)
            if st.button(t("accounts.save_roles"), key="acct_roles"):
                try:
                    accounts.set_grants(principal, chosen, new_grants)
                except (accounts.AccountError, PermissionDenied) as exc:
                    st.error(str(exc))
                else:
                    flash.rerun(t("accounts.updated", username=chosen))
            label = t("accounts.enable") if user.disabled else t("accounts.disable")
            if st.button(label, key="acct_toggle"):
                try:
                    accounts.set_disabled(principal, chosen, not user.disabled)
                except (accounts.AccountError, PermissionDenied) as exc:
                    st.error(str(exc))
                else:
                    flash.rerun(t("accounts.updated", username=chosen))
            with st.form("reset_pw", clear_on_submit=True):
                new_password = st.text_input(
                    t("accounts.new_password"), type="password", max_chars=128
                )
                if st.form_submit_button(t("accounts.reset")):
                    try:
                        accounts.reset_password(principal, chosen, new_password)
                    except (accounts.AccountError, PermissionDenied) as exc:
                        st.error(str(exc))
                    else:
                        st.success(t("accounts.reset_must_change", username=chosen))


def details_text(details: Any) -> str:
    """An audit row's details (stored as JSON) as a person reads them: ``key: value`` pairs
    joined by " · ", lists joined by commas, no braces or quotes ('' when there are none)."""
    if details is None or details == "":
        return ""
    try:
        value = json.loads(details) if isinstance(details, str) else details
    except ValueError:
        return str(details)

    def word(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            return t("common.yes") if v else t("common.no")
        if isinstance(v, list | tuple):
            return ", ".join(word(x) for x in v)
        if isinstance(v, dict):
            return "; ".join(f"{k}: {word(x)}" for k, x in v.items())
        return str(v)

    if isinstance(value, dict):
        return " · ".join(f"{k}: {word(v)}" for k, v in value.items() if word(v) != "")
    return word(value)


def audit_page() -> None:
    principal = current_principal()
    st.title(t("audit.title"))
    cols = st.columns(4)
    text = cols[0].text_input(t("audit.search"), max_chars=200)
    action = cols[1].text_input(t("audit.action"), max_chars=100)
    today = clock.today_local()
    start = cols[2].date_input(t("audit.from"), today - timedelta(days=30), format="DD/MM/YYYY")
    end = cols[3].date_input(t("audit.to"), today, format="DD/MM/YYYY")
    since = datetime.combine(start, time.min, tzinfo=clock.LOCAL_TZ)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=clock.LOCAL_TZ)
    try:
        rows = audit.search(
            principal, text=text or None, action=action or None, since=since, until=until
        )
    except PermissionDenied as exc:
        st.error(str(exc))
        return
    st.caption(t("audit.rows", n=fmt_int(len(rows))))
    tables.show(
        rows,
        {
            "occurred_at": Col("audit.col.at", TIME),
            "actor": "audit.actor",
            "action": "audit.action",
            "object_type": "audit.col.object_type",
            "object_id": "audit.col.object_id",
            "details": Col("audit.col.details", fmt=details_text),
        },
    )


def system_page() -> None:
    principal = current_principal()
    st.title(t("system.title"))
    if not principal.has("admin"):
        st.error(t("auth.denied"))
        return
    from core import retention

    late = retention.last_run_warning()
    if late:
        st.warning(late)
    registry = get_registry()
    locale = get_locale()
    st.subheader(t("system.apps"))
    tables.show(
        [
            {
                "id": a.id,
                "title": a.title(locale),
                "pages": len(a.pages),
                "tokens": ", ".join(tok.prefix for tok in a.token_types),
                "roles": ", ".join(t(f"role.{r.id}") for r in a.roles),
                "depends_on": ", ".join(a.depends_on),
            }
            for a in registry.apps
        ],
        {
            "title": "system.col.title",
            "id": "system.col.id",
            "pages": Col("system.col.pages", NUMBER),
            "tokens": "system.col.tokens",
            "roles": "system.col.roles",
            "depends_on": "system.col.depends_on",
        },
    )
    for err in registry.errors:
        st.warning(t("system.broken", name=err.name, message=err.message))
    st.subheader(t("system.config"))
    st.json(get_settings().redacted())
