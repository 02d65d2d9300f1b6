"""The Streamlit shell: login, language switch, navigation built from manifests and roles,
and the staff home page with each role's pending work.

Pending work: every installed app may offer ``interfaces["pending_work"]``, called with the
logged-in principal. It returns one item per pile that waits for that principal, as
``(message key, count, page key)``: the catalogue key naming what waits ("venues awaiting
approval"), how many (more than zero), and the key of the page where it is done. A role the
app has nothing for gets ``[]``; the app checks the principal's roles and area itself.
"""

from __future__ import annotations

import logging
import numbers
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import streamlit as st

from core import accounts
from core.auth import Principal, grant_label
from core.config import get_settings
from core.i18n import LOCALE_NAMES, LOCALES, set_locale, t
from core.registry import PUBLIC, Page, get_registry
from core.text import md_escape
from core.ui import admin_pages, dashboard, flash
from core.ui.links import page_path
from core.ui.numbers import fmt_int
from core.ui.session import (
    account_changed,
    browser_locale,
    client_address,
    current_principal,
    expired_now,
    login,
    login_closed,
    logout,
    resume_login,
    sync_cookie,
    sync_lang_cookie,
)

log = logging.getLogger(__name__)

PENDING_WORK = "pending_work"
"""The interface an app offers for the home page (see the module's docstring)."""
PENDING_COLUMNS = 3
"""Piles of pending work side by side on the home page."""


def core_pages() -> list[Page]:
    """The platform's own pages, under the same role rules as the apps' pages."""
    admin = frozenset({"admin"})
    return [
        Page(
            "core.accounts", "accounts.title", admin_pages.accounts_page, admin, ":material/group:"
        ),
        Page("core.audit", "audit.title", admin_pages.audit_page, admin, ":material/receipt_long:"),
        Page("core.system", "system.title", admin_pages.system_page, admin, ":material/extension:"),
        Page(
            "core.definitions",
            "da.admin.title",
            "core.definitions.pages:admin_page",
            admin,
            ":material/library_add:",
        ),
    ]


def sync_definitions(*, open_store: bool = True) -> None:
    """Serve the definition apps active in the database: a cheap read of a counter on each
    run, a reload only when an admin (in this or another server process) changed one.
    ``open_store=False``: only when this process already has its store open (page tests)."""
    from core.definitions import install
    from core.store import current_store, get_store

    store = get_store() if open_store else current_store()
    if store is None:
        return
    try:
        install.sync(store)
    except Exception:  # noqa: BLE001 - the built-in apps must still be served
        log.exception("definition apps could not be loaded")


def dashboard_page() -> Page:
    """The shared dashboard, for every role some installed panel is drawn for."""
    return Page(
        "core.dashboard",
        "dashboard.title",
        dashboard.dashboard_page,
        dashboard.panel_roles(),
        ":material/dashboard:",
    )


def all_pages() -> list[tuple[str, Page]]:
    """(section title key or app title, page) for every page of core and the installed apps."""
    out: list[tuple[str, Page]] = [("nav.dashboard", dashboard_page())]
    out += [("nav.admin", p) for p in core_pages()]
    for app, page in get_registry().pages():
        out.append((f"app:{app.id}", page))
    return out


def find_page(key: str) -> Page | None:
    return next((p for _, p in all_pages() if p.key == key), None)


def guarded(page: Page) -> Callable[[], None]:
    """Render ``page`` only if the session's roles allow it (deny by default)."""

    def run() -> None:
        principal = current_principal()
        if principal.must_change_password:
            change_password_page()
            st.stop()
        if principal.is_anonymous and not page.is_public:
            # a deep link opened while logged out: log in here, then the same address (with
            # its query parameters) draws the page asked for
            st.header(t(page.title_key))  # not a title: nothing of the page is drawn
            if flash.KEY in st.session_state:  # logged out, timed out or ended elsewhere
                flash.show(info=True)
            else:
                st.error(t("auth.login_required"))
            login_form(t("auth.login_for_page", page=t(page.title_key)))
            st.stop()
        if not page.allows(principal.roles):
            st.header(t(page.title_key))
            st.error(t("auth.page_denied"))
            st.stop()
        page.draw()

    run.__name__ = page.key.replace(".", "_")
    return run


def _section_title(section: str) -> str:
    if section.startswith("app:"):
        app = get_registry().get(section[4:])
        return app.title(st.session_state.get("locale", "vi")) if app else section
    return t(section)


def _init_locale() -> None:
    if "locale" not in st.session_state:
        st.session_state["locale"] = browser_locale(get_settings().locale)
    set_locale(st.session_state["locale"])


def _sidebar(principal: Principal) -> None:
    with st.sidebar:
        st.selectbox(
            t("lang.label"),
            LOCALES,
            format_func=lambda code: LOCALE_NAMES[code],
            key="locale",
        )
        if not principal.is_anonymous:
            st.markdown(
                t("session.user", name=md_escape(principal.full_name or principal.username))
            )
            roles = ", ".join(grant_label(g) for g in principal.grants)
            st.caption(t("session.role", role=roles))
            if st.button(t("logout.button"), key="logout", icon=":material/logout:"):
                logout()
                flash.rerun(t("logout.done"))
        st.divider()


def login_page() -> None:
    st.title(t("suite.title"))
    st.caption(t("suite.tagline"))
    flash.show(info=True)
    login_form()
    st.info(t("login.public_hint"))


def login_form(caption: str | None = None) -> None:
    """The login form; on success the session starts and the same address runs again."""
    with st.form("login"):
        st.subheader(t("login.title"))
        if caption:
            st.caption(caption)
        username = st.text_input(t("login.username"), max_chars=64)
        password = st.text_input(t("login.password"), type="password", max_chars=128)
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        try:
            principal = accounts.authenticate(username, password, client=client_address())
        except accounts.AccountError as exc:
            st.error(str(exc))
        else:
            login(principal)
            st.rerun()


def change_password_page() -> None:
    """The only page of a login whose password someone else chose (``rapid init``, a reset by
    an admin) until it is changed; also reachable by every logged-in user."""
    principal = current_principal()
    st.title(t("password.title"))
    if principal.must_change_password:
        st.warning(t("password.must_change"))
    flash.show(info=True)
    with st.form("change_password", clear_on_submit=True):
        current = st.text_input(t("password.current"), type="password", max_chars=128)
        new = st.text_input(
            t("password.new"), type="password", max_chars=128, help=t("password.hint")
        )
        again = st.text_input(t("password.confirm"), type="password", max_chars=128)
        submitted = st.form_submit_button(t("password.submit"), type="primary")
    if not submitted:
        return
    if new != again:
        st.error(t("password.mismatch"))
        return
    try:
        updated = accounts.change_password(principal, current, new)
    except accounts.AccountError as exc:
        st.error(str(exc))
        return
    login(updated)  # the password is part of the session stamp: start again with the new one
    flash.rerun(t("password.changed"))


def demo_banner() -> None:
    """On every page of a demo installation: its data and passwords are public."""
    from core.demo import is_demo

    if is_demo():
        st.warning(t("demo.banner"), icon=":material/science:")


class Pending(NamedTuple):
    """One pile of work waiting for the principal, as the home page shows it."""

    app_id: str
    label_key: str
    count: int
    page: Page


def _pending_items(app_id: str, items: Any) -> list[tuple[str, int, str]]:
    """An app's answer checked against the shape (message key, count, page key)."""
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise TypeError(f"{app_id}: pending_work must return a list, not {type(items).__name__}")
    out = []
    for item in items:
        if (
            not isinstance(item, Sequence)
            or isinstance(item, str)
            or len(item) != 3
            or not isinstance(item[0], str)
            or isinstance(item[1], bool)
            or not isinstance(item[1], numbers.Integral)  # int, or a NumPy count
            or not isinstance(item[2], str)
        ):
            raise TypeError(f"{app_id}: pending_work item {item!r} is not (key, count, page key)")
        out.append((item[0], int(item[1]), item[2]))
    return out


def pending_work(principal: Principal) -> list[Pending]:
    """What waits for ``principal`` in every installed app that offers ``pending_work``, in
    the apps' order: piles with a count above zero on a page the principal may open. An app
    whose answer fails or has the wrong shape is logged and left out (the home page stays)."""
    if principal.is_anonymous:
        return []
    registry = get_registry()
    out: list[Pending] = []
    for app in registry.apps:
        if PENDING_WORK not in app.interfaces:
            continue
        try:
            items = _pending_items(app.id, registry.interface(app.id, PENDING_WORK)(principal))
        except Exception:  # noqa: BLE001 - one app's failure must not hide the others' work
            log.exception("pending work of %s could not be read", app.id)
            continue
        for label_key, count, page_key in items:
            page = find_page(page_key)
            if count > 0 and page is not None and page.allows(principal.roles):
                out.append(Pending(app.id, label_key, count, page))
            elif page is None:
                log.warning("pending work of %s names an unknown page %s", app.id, page_key)
    return out


def pending_panel(principal: Principal) -> None:
    """The home page's piles of work: how many of each, and a link to the page to do it."""
    work = pending_work(principal)
    st.subheader(t("home.pending.title"))
    if not work:
        st.caption(t("home.pending.none"))
        return
    for start in range(0, len(work), PENDING_COLUMNS):
        row = work[start : start + PENDING_COLUMNS]
        for col, item in zip(st.columns(PENDING_COLUMNS), row, strict=False):
            with col.container(border=True):
                st.metric(t(item.label_key), fmt_int(item.count))
                st.page_link(
                    _st_page(item.page),
                    label=t("home.pending.open", page=t(item.page.title_key)),
                    icon=item.page.icon or ":material/arrow_forward:",
                )


def home_page() -> None:
    principal = current_principal()
    st.title(t("suite.title"))
    flash.show()
    st.success(t("login.success", name=md_escape(principal.full_name or principal.username)))
    pending_panel(principal)
    st.write(t("home.welcome"))


def _st_page(page: Page, default: bool = False) -> st.Page:
    return st.Page(
        guarded(page),
        title=t(page.title_key),
        icon=page.icon,
        url_path=page_path(page.key),
        default=default,
    )


def build_navigation(principal: Principal) -> dict[str, list[st.Page]]:
    """Every page the principal may open, by section."""
    sections: dict[str, list[st.Page]] = {}
    if principal.is_anonymous:
        sections[t("nav.account")] = [
            st.Page(
                login_page,
                title=t("login.title"),
                icon=":material/login:",
                url_path="start",  # served at "/"; "/login" is a hidden page (hidden_pages)
                default=True,
            )
        ]
    elif principal.must_change_password:
        return {
            t("nav.account"): [
                st.Page(
                    change_password_page,
                    title=t("password.title"),
                    icon=":material/password:",
                    url_path="password",
                    default=True,
                )
            ]
        }
    else:
        sections[t("nav.dashboard")] = [
            st.Page(
                home_page,
                title=t("home.title"),
                icon=":material/home:",
                url_path="home",
                default=True,
            )
        ]
        sections[t("nav.account")] = [
            st.Page(
                change_password_page,
                title=t("password.title"),
                icon=":material/password:",
                url_path="password",
            )
        ]
    public: list[st.Page] = []
    for section, page in all_pages():
        if page.is_public:
            public.append(_st_page(page))
        elif not principal.is_anonymous and page.allows(principal.roles):
            sections.setdefault(_section_title(section), []).append(_st_page(page))
    if public:
        sections[t("nav.public")] = public
    return sections


def hidden_pages(principal: Principal, sections: dict[str, list[st.Page]]) -> list[st.Page]:
    """Every other address of the suite, served but not in the menu, so that a link opened
    logged out or with another role reaches our login or our "no access" message (the page's
    own guard decides) instead of Streamlit's "Page not found", and keeps its path."""
    shown = {p.url_path for pages in sections.values() for p in pages}
    out = [_st_page(page) for _, page in all_pages() if page_path(page.key) not in shown]
    if principal.is_anonymous:
        out.append(st.Page(login_page, title=t("login.title"), url_path="login"))
    else:
        home = next(iter(sections.values()))[0]

        def to_home() -> None:  # ``/login`` once logged in: the home page
            st.switch_page(home)

        out.append(st.Page(to_home, title=t("login.title"), url_path="login"))
    return out


def _menu(sections: dict[str, list[st.Page]]) -> None:
    """The sidebar menu: every page the principal may open."""
    with st.sidebar:
        for title, pages in sections.items():
            st.caption(title)
            for p in pages:
                st.page_link(p)


def settings_error_page(problems: list[str]) -> None:
    """Shown instead of the suite while an app setting is unknown or invalid."""
    st.title(t("suite.title"))
    st.error(t("config.invalid"))
    st.code("\n".join(problems), language=None)


def main() -> None:
    st.set_page_config(
        page_title="Rapid Response Suite", page_icon=":material/qr_code_2:", layout="wide"
    )
    _init_locale()
    problems = get_registry().check_settings(get_settings())
    if problems:
        settings_error_page(problems)
        return
    sync_definitions()
    resume_login()
    if expired_now():
        flash.later(t("session.expired", minutes=get_settings().session_timeout_minutes))
    elif account_changed():
        flash.later(t("session.account_changed"))
    elif login_closed():
        flash.later(t("session.closed"))
    principal = current_principal()
    sections = build_navigation(principal)
    hidden = hidden_pages(principal, sections)
    current = st.navigation({**sections, "": hidden} if hidden else sections, position="hidden")
    _sidebar(principal)  # language and the user first: reachable without scrolling a long menu
    _menu(sections)
    with st.sidebar:
        sync_cookie()
        sync_lang_cookie(st.session_state["locale"])
    demo_banner()
    current.run()


def run_single_page(key: str) -> None:
    """Render one page under the shell's rules (locale, login, role check). Used by AppTests."""
    _init_locale()
    sync_definitions(open_store=False)
    demo_banner()
    if key == "core.login":
        login_page()
        return
    if key == "core.password":
        change_password_page()
        return
    page = find_page(key)
    if page is None:
        st.error(f"unknown page {key}")
        return
    guarded(page)()


__all__ = [
    "PUBLIC",
    "Pending",
    "all_pages",
    "build_navigation",
    "main",
    "pending_work",
    "run_single_page",
]
