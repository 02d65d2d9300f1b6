"""Deny by default: every page of core and of every installed app, opened by every role.

A page whose roles do not include the visitor's must show an error and render nothing else; a
page the role may open must render without an exception. Services check again themselves: each
app's test_authz calls every service entry point with every role.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core import accounts, audit
from core.auth import ANONYMOUS, PermissionDenied
from core.registry import ROLES
from core.ui.shell import all_pages
from tests.conftest import make_principal

VISITORS = [*ROLES, None]
PAGES = [page for _, page in all_pages()]


def _page_script(key: str) -> None:
    from core.ui.shell import run_single_page

    run_single_page(key)


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_every_page_for_every_role(store, page):
    for role in VISITORS:
        at = AppTest.from_function(_page_script, args=(page.key,), default_timeout=60)
        if role is not None:
            at.session_state["principal"] = make_principal(f"{role}-user", role)
        at.run()
        allowed = page.is_public or (role is not None and role in page.roles)
        assert not at.exception, f"{page.key} crashed for {role}: {at.exception}"
        if not allowed:
            assert at.error, f"{page.key} rendered for {role}"
            texts = " ".join(e.value for e in at.error)
            assert "không có quyền" in texts or "cần đăng nhập" in texts


CORE_SERVICES = {
    "accounts.create_user": lambda p, s: accounts.create_user(
        p, "newuser", "A B", "admin", "Good-pass-123", store=s
    ),
    "accounts.list_users": lambda p, s: accounts.list_users(p, store=s),
    "accounts.set_disabled": lambda p, s: accounts.set_disabled(p, "target", True, store=s),
    "accounts.reset_password": lambda p, s: accounts.reset_password(
        p, "target", "Good-pass-456", store=s
    ),
    "audit.search": lambda p, s: audit.search(p, store=s),
}


@pytest.mark.parametrize("name", sorted(CORE_SERVICES))
def test_core_services_deny_every_role_but_admin(store, admin, name):
    accounts.create_user(admin, "target", "Mục Tiêu", "approver", "Good-pass-789", store=store)
    before = store.scalar("SELECT count(*) FROM audit_log")
    for role in [r for r in ROLES if r != "admin"]:
        with pytest.raises(PermissionDenied):
            CORE_SERVICES[name](make_principal("intruder", role), store)
    with pytest.raises(PermissionDenied):
        CORE_SERVICES[name](ANONYMOUS, store)
    assert store.scalar("SELECT count(*) FROM audit_log") == before
    CORE_SERVICES[name](admin, store)
