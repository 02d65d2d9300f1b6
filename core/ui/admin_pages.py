"""Admin pages: accounts, audit log, installed apps and configuration. Thin: services decide."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from core import accounts, audit, clock
from core.auth import PermissionDenied
from core.config import get_settings
from core.i18n import get_locale, t
from core.registry import ROLES, get_registry
from core.ui.session import current_principal


def accounts_page() -> None:
    principal = current_principal()
    st.title(t("accounts.title"))
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
                t("accounts.role"): t(f"role.{u.role}"),
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
    with left, st.form("add_user"):
        st.subheader(t("accounts.add"))
        username = st.text_input(t("login.username"), max_chars=32)
        full_name = st.text_input(t("accounts.full_name"), max_chars=120)
        role = st.selectbox(t("accounts.role"), ROLES, format_func=lambda r: t(f"role.{r}"))
        password = st.text_input(t("login.password"), type="password", max_chars=128)
        if st.form_submit_button(t("accounts.add"), type="primary"):
            try:
                user = accounts.create_user(principal, username, full_name, role, password)
            except (accounts.AccountError, PermissionDenied) as exc:
                st.error(str(exc))
            else:
                st.success(t("accounts.created", username=user.username))
    with right:
        names = [u.username for u in users]
        if names:
            chosen = st.selectbox(t("accounts.select"), names, key="acct_pick")
            user = next(u for u in users if u.username == chosen)
            label = t("accounts.enable") if user.disabled else t("accounts.disable")
            if st.button(label, key="acct_toggle"):
                try:
                    accounts.set_disabled(principal, chosen, not user.disabled)
                except (accounts.AccountError, PermissionDenied) as exc:
                    st.error(str(exc))
                else:
                    st.success(t("accounts.updated", username=chosen))
                    st.rerun()
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
                        st.success(t("accounts.updated", username=chosen))


def audit_page() -> None:
    principal = current_principal()
    st.title(t("audit.title"))
    cols = st.columns(4)
    text = cols[0].text_input(t("audit.search"), max_chars=200)
    action = cols[1].text_input(t("audit.action"), max_chars=100)
    today = clock.today_local()
    start = cols[2].date_input(t("audit.from"), today - timedelta(days=30))
    end = cols[3].date_input(t("audit.to"), today)
    since = datetime.combine(start, time.min, tzinfo=clock.LOCAL_TZ)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=clock.LOCAL_TZ)
    try:
        rows = audit.search(
            principal, text=text or None, action=action or None, since=since, until=until
        )
    except PermissionDenied as exc:
        st.error(str(exc))
        return
    st.caption(t("audit.rows", n=len(rows)))
    rows["occurred_at"] = clock.local_times(rows["occurred_at"])
    st.dataframe(rows, hide_index=True, width="stretch")


def system_page() -> None:
    principal = current_principal()
    st.title(t("system.title"))
    if not principal.has("admin"):
        st.error(t("auth.denied"))
        return
    registry = get_registry()
    locale = get_locale()
    st.subheader(t("system.apps"))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": a.id,
                    "title": a.title(locale),
                    "pages": len(a.pages),
                    "tokens": ", ".join(tok.prefix for tok in a.token_types),
                }
                for a in registry.apps
            ]
        ),
        hide_index=True,
    )
    for err in registry.errors:
        st.warning(t("system.broken", name=err.name, message=err.message))
    st.subheader(t("system.config"))
    st.json(get_settings().redacted())
