"""Deny by default: every page of core and of every installed app, opened by every role, and
core's own service entry points for every role (through the core test kit).

A page whose roles do not include the visitor's must show an error and render nothing else; a
page the role may open must render without an exception. Services check again themselves: each
app's authorization test runs ``authorization_matrix`` over its entry points.
"""

from __future__ import annotations

import pytest

from core import accounts, audit
from core.registry import get_registry
from core.testkit import authorization_matrix, make_principal, run_page
from core.ui.shell import all_pages

PAGES = [page for _, page in all_pages()]


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_every_page_for_every_role(store, page):
    for role in [*get_registry().role_ids(), None]:
        principal = make_principal(f"{role}-user", role) if role else None
        at = run_page(page.key, principal)
        allowed = page.is_public or (role is not None and role in page.roles)
        assert not at.exception, f"{page.key} crashed for {role}: {at.exception}"
        if not allowed:
            assert at.error, f"{page.key} rendered for {role}"
            texts = " ".join(e.value for e in at.error)
            assert "không có quyền" in texts or "cần đăng nhập" in texts


def test_core_services_deny_every_role_but_admin(store, admin):
    accounts.create_user(admin, "target", "Mục Tiêu", "approver", "Good-pass-789", store=store)
    modules = [accounts, audit]
    admins = {"admin"}
    authorization_matrix(
        modules,
        {
            "create_user": (
                lambda p: accounts.create_user(p, "newuser", "A B", "admin", "Good-pass-123"),
                admins,
            ),
            "list_users": (lambda p: accounts.list_users(p), admins),
            "set_disabled": (lambda p: accounts.set_disabled(p, "target", True), admins),
            # a user may reset their own password; for anyone else it takes an admin
            "reset_password": (
                lambda p: accounts.reset_password(p, "target", "Good-pass-456"),
                admins,
            ),
            # every account, for itself only (its current password is asked again)
            "change_password": (
                lambda p: accounts.change_password(p, "Good-pass-789", "Good-pass-000"),
                set(get_registry().role_ids()),
            ),
            "grant_role": (lambda p: accounts.grant_role(p, "target", "health_officer"), admins),
            "revoke_role": (lambda p: accounts.revoke_role(p, "target", "health_officer"), admins),
            "set_grants": (lambda p: accounts.set_grants(p, "target", ["approver"]), admins),
            "search": (lambda p: audit.search(p), admins),
            "counts": (lambda p: audit.counts(p), admins),
        },
        errors=(accounts.AccountError,),
    )
