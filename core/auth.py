"""Who is acting, and the one check every service makes: deny unless the role is allowed."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from core.registry import ROLES


class PermissionDenied(Exception):
    """The principal's roles do not allow this action."""


@dataclass(frozen=True)
class Principal:
    """An authenticated user, the anonymous citizen, or the operator at the CLI."""

    username: str
    roles: frozenset[str]
    user_id: str | None = None
    full_name: str = ""

    @property
    def is_anonymous(self) -> bool:
        return not self.roles

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def actor(self) -> str:
        """The name written into audit rows."""
        return self.username


ANONYMOUS = Principal(username="anonymous", roles=frozenset())


def os_user(default: str = "unknown") -> str:
    """The login name of the person at this shell, or ``default`` when the system has none."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return default


def operator() -> Principal:
    """The shell user running the CLI on the server: an administrator of this installation."""
    return Principal(username=f"cli:{os_user()}", roles=frozenset({"admin"}))


def require(principal: Principal | None, *roles: str) -> Principal:
    """Return the principal if it holds one of ``roles``; otherwise raise PermissionDenied."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    if principal is None or not principal.has(*roles):
        from core.i18n import t

        raise PermissionDenied(t("auth.denied"))
    return principal
