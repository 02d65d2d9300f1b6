"""Who is acting, and the checks every service makes: deny unless a role is held (``require``)
and, for a role granted in one area only, unless the object lies in that area
(``require_area``).

A user holds one or more grants: a role, everywhere (scope ``""``) or in one administrative
unit (``"ward:<code>"`` or ``"province:<code>"``, codes of ``core.geo``). A role declares the
finest scope its grants may have (``core.registry.Role.scope``).
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.registry import get_registry

if TYPE_CHECKING:
    from core.registry import Role


class PermissionDenied(Exception):
    """The principal's roles do not allow this action."""


class GrantError(ValueError):
    """A role or scope given by a person (CLI, admin page) that cannot be granted."""


_SCOPE = re.compile(r"^(ward|province):(\d{1,6})$")


@dataclass(frozen=True)
class Area:
    """Where a scoped grant applies: one ward, or one whole province."""

    kind: str  # "ward" | "province"
    code: int

    @property
    def province_code(self) -> int | None:
        """The province of the area (a ward scope implies its province)."""
        if self.kind == "province":
            return self.code
        from core import geo

        return geo.ward_province(self.code)

    def allows(self, *, ward_code: int | None = None, province_code: int | None = None) -> bool:
        """Whether an object in ``ward_code`` (and/or ``province_code``) lies in this area.

        A ward scope allows that ward only (a province-wide object is outside it); a province
        scope allows the province and each of its wards. A ward given with a province it is
        not in is outside every area. Nothing given: outside (deny by default)."""
        from core import geo

        if ward_code is not None:
            try:
                ward = int(ward_code)
            except (TypeError, ValueError):
                return False
            ward_prov = geo.ward_province(ward)
            if ward_prov is None:
                return False
            if province_code is not None and _int(province_code) != ward_prov:
                return False
            if self.kind == "ward":
                return ward == self.code
            return ward_prov == self.code
        if province_code is not None:
            return self.kind == "province" and _int(province_code) == self.code
        return False

    @property
    def scope(self) -> str:
        return f"{self.kind}:{self.code}"

    def label(self) -> str:
        """The unit's name, e.g. ``Phường An Hải`` or ``Thành phố Đà Nẵng``."""
        from core import geo

        if self.kind == "ward":
            return geo.ward_name(self.code)
        return geo.province_name(self.code)


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True, order=True)
class Grant:
    """One role held by a user, everywhere (``scope == ""``) or in one area."""

    role: str
    scope: str = ""

    @property
    def area(self) -> Area | None:
        """None when the grant applies everywhere."""
        if not self.scope:
            return None
        kind, _, code = self.scope.partition(":")
        return Area(kind, int(code))

    def __str__(self) -> str:
        return f"{self.role}@{self.scope}" if self.scope else self.role


def parse_scope(text: str) -> str:
    """``""``, ``"ward:<code>"`` or ``"province:<code>"`` of a unit that exists in
    ``core.geo``, in canonical form; GrantError (naming the text) otherwise."""
    from core import geo
    from core.i18n import t

    raw = (text or "").strip().lower()
    if raw in ("", "*", "all"):
        return ""
    match = _SCOPE.match(raw)
    if not match:
        raise GrantError(t("accounts.bad_scope", scope=text[:40]))
    kind, code = match.group(1), int(match.group(2))
    if kind == "ward" and not geo.is_ward(code):
        raise GrantError(t("accounts.unknown_ward", code=code))
    if kind == "province" and code not in {p.code for p in geo.provinces()}:
        raise GrantError(t("accounts.unknown_province", code=code))
    return f"{kind}:{code}"


def check_grant(grant: Grant, role: Role | None = None) -> Grant:
    """``grant`` if its role is installed and its scope fits the role's scope kind; the scope
    is checked against ``core.geo``. GrantError otherwise."""
    from core.i18n import t

    if role is None:
        role = get_registry().role(grant.role)
    if role is None:
        roles = ", ".join(get_registry().role_ids())
        raise GrantError(t("accounts.bad_role", role=grant.role[:40], roles=roles))
    scope = parse_scope(grant.scope)
    kind = scope.partition(":")[0] or None
    if not role.allows_scope(kind):
        if role.scope is None:
            raise GrantError(t("accounts.role_unscoped", role=role.id))
        raise GrantError(t("accounts.scope_too_fine", role=role.id, kind=role.scope))
    return Grant(role.id, scope)


def parse_grant(text: str) -> Grant:
    """``ROLE`` or ``ROLE@SCOPE`` (e.g. ``health_officer@ward:20275``) into a checked Grant."""
    from core.i18n import t

    raw = (text or "").strip()
    role, sep, scope = raw.partition("@")
    role = role.strip().lower()
    if not role or (sep and not scope.strip()):
        raise GrantError(t("accounts.bad_grant", text=raw[:60]))
    return check_grant(Grant(role, scope.strip()))


def grant_label(grant: Grant) -> str:
    """The role's label in the current language, with the area's name when scoped."""
    from core.i18n import t

    label = t(f"role.{grant.role}")
    area = grant.area
    return f"{label} ({area.label()})" if area is not None else label


@dataclass(frozen=True)
class Principal:
    """An authenticated user, the anonymous citizen, or the operator at the CLI.

    ``roles`` are the role ids held; ``grants`` the same with their scopes (when not given,
    every role is held everywhere)."""

    username: str
    roles: frozenset[str]
    user_id: str | None = None
    full_name: str = ""
    grants: tuple[Grant, ...] = field(default=())
    must_change_password: bool = False
    """The password was chosen by someone else: nothing but a password change until it is."""

    def __post_init__(self) -> None:
        roles = frozenset(self.roles)
        object.__setattr__(self, "roles", roles)
        if not self.grants:
            object.__setattr__(self, "grants", tuple(Grant(r) for r in sorted(roles)))
        elif {g.role for g in self.grants} != roles:
            raise ValueError("a principal's roles must be those of its grants")

    @classmethod
    def of(
        cls,
        username: str,
        grants: tuple[Grant, ...] | list[Grant],
        *,
        user_id: str | None = None,
        full_name: str = "",
        must_change_password: bool = False,
    ) -> Principal:
        """A principal holding exactly ``grants``."""
        grants = tuple(sorted(set(grants)))
        return cls(
            username,
            frozenset(g.role for g in grants),
            user_id,
            full_name,
            grants,
            must_change_password,
        )

    @property
    def is_anonymous(self) -> bool:
        return not self.roles

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def area(self, role: str) -> Area | None:
        """Where the principal holds ``role``: None means everywhere. Raises PermissionDenied
        when the role is not held at all (call ``require`` first)."""
        held = [g for g in self.grants if g.role == role]
        if not held:
            raise PermissionDenied(_denied())
        if any(not g.scope for g in held):
            return None
        return held[0].area

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


def _denied() -> str:
    from core.i18n import t

    return t("auth.denied")


def require(principal: Principal | None, *roles: str) -> Principal:
    """Return the principal if it holds one of ``roles``; otherwise raise PermissionDenied."""
    unknown = set(roles) - get_registry().role_names()
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    if principal is None or not principal.has(*roles):
        raise PermissionDenied(_denied())
    return principal


def require_area(
    principal: Principal | None,
    role: str,
    *,
    ward_code: int | None = None,
    province_code: int | None = None,
) -> Principal:
    """``require(principal, role)``, and the object (in ``ward_code`` / ``province_code``)
    must lie where the principal holds the role. PermissionDenied otherwise."""
    require(principal, role)
    assert principal is not None
    area = principal.area(role)
    if area is None or area.allows(ward_code=ward_code, province_code=province_code):
        return principal
    from core.i18n import t

    raise PermissionDenied(t("auth.denied_area", area=area.label()))
