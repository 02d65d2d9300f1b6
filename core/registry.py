"""The plugin contract: every extension point an app can fill, in one short file.

An app is a package whose ``App`` manifest is published under the entry-point group
``rapid.apps``. Core never imports an app by name; it discovers manifests here. A plugin that
fails to import or whose manifest is invalid is reported by name in ``Registry.errors`` and the
rest of the suite keeps working.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from core.store import CORE_MIGRATIONS, Migration, StoreError, discover_migrations

if TYPE_CHECKING:
    import click

    from core.store import Store

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "rapid.apps"
ROLES: tuple[str, ...] = ("admin", "business", "approver", "checkpoint", "health_officer")
PUBLIC = "public"
"""Put in ``Page.roles`` to make a page reachable without an account."""

_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_PREFIX = re.compile(r"^[A-Z0-9]{2,8}:$")


# -- extension points -------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A Streamlit page. ``render()`` draws it; ``roles`` is who may open it (empty: nobody)."""

    key: str
    title_key: str
    render: Callable[[], None]
    roles: frozenset[str]
    icon: str = ":material/article:"
    in_nav: bool = True

    @property
    def is_public(self) -> bool:
        return PUBLIC in self.roles

    def allows(self, roles: Iterable[str]) -> bool:
        return self.is_public or bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class Panel:
    """An analytics panel shown on the shared dashboard; ``render()`` draws it."""

    key: str
    title_key: str
    render: Callable[[], None]
    roles: frozenset[str]


Verdict = Literal["VALID", "INVALID", "WARN"]


@dataclass(frozen=True)
class CheckContext:
    """What a checkpoint knows when it applies an app's rule to a verified token."""

    now: datetime
    zone: str | None = None
    checkpoint_id: str | None = None
    mode: str = "checkpoint"


@dataclass(frozen=True)
class RuleResult:
    """An app rule's verdict on a token whose signature, validity and revocation already passed."""

    verdict: Verdict
    reason: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TokenType:
    """A QR token type an app issues: its context prefix, claims model and checkpoint rule."""

    type_id: str
    prefix: str
    title_key: str
    claims_model: type[BaseModel]
    rule: Callable[[dict[str, Any], CheckContext], RuleResult] | None = None
    on_venue_scan: Callable[[Any, str, dict[str, Any]], str] | None = None
    """Venue mode: ``(principal, venue_id, claims) -> message`` records a check-in at a venue."""


@dataclass(frozen=True)
class DemoContext:
    """Passed to an app's demo seeder."""

    store: Store
    scale: Literal["small", "city"]
    progress: Callable[[float, str], None]
    seed: int = 2021


@dataclass
class App:
    """One app's manifest."""

    id: str
    title_vi: str
    title_en: str
    pages: list[Page] = field(default_factory=list)
    migrations: Path | None = None
    token_types: list[TokenType] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    messages: dict[str, dict[str, str]] = field(default_factory=dict)
    seed_demo: Callable[[DemoContext], None] | None = None
    stats: Callable[[Store], dict[str, Any]] | None = None
    register_commands: Callable[[click.Group], None] | None = None
    settings_model: type[BaseModel] | None = None
    depends_on: tuple[str, ...] = ()

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title_vi


@dataclass(frozen=True)
class PluginError:
    name: str
    message: str


# -- validation -------------------------------------------------------------------------------


def validate_manifest(app: Any) -> list[str]:
    """Problems with a manifest, as readable sentences; empty when it is fine."""
    if not isinstance(app, App):
        return [f"the entry point must point at an App manifest, got {type(app).__name__}"]
    problems: list[str] = []
    if not _ID.match(app.id or ""):
        problems.append(f"app id {app.id!r} must be lowercase letters, digits and _")
    if not app.title_vi.strip() or not app.title_en.strip():
        problems.append("both titles (vi and en) are required")
    seen: set[str] = set()
    for page in app.pages:
        if not page.key.startswith(f"{app.id}."):
            problems.append(f"page key {page.key!r} must start with '{app.id}.'")
        if page.key in seen:
            problems.append(f"page key {page.key!r} is used twice")
        seen.add(page.key)
        unknown = page.roles - set(ROLES) - {PUBLIC}
        if unknown:
            problems.append(f"page {page.key!r} names unknown roles {sorted(unknown)}")
        if not callable(page.render):
            problems.append(f"page {page.key!r} has no render function")
    for tok in app.token_types:
        if not _PREFIX.match(tok.prefix):
            problems.append(f"token prefix {tok.prefix!r} must be 2-8 capitals/digits and ':'")
    for key, texts in app.messages.items():
        if set(texts) != {"vi", "en"}:
            problems.append(f"message {key!r} needs exactly vi and en")
    if app.migrations is not None:
        try:
            discover_migrations(app.id, app.migrations)
        except StoreError as exc:
            problems.append(str(exc))
    return problems


# -- the registry -----------------------------------------------------------------------------


class Registry:
    """The installed apps, in dependency order, and the plugins that failed to load."""

    def __init__(self, apps: list[App], errors: list[PluginError]) -> None:
        self.apps = apps
        self.errors = errors

    @classmethod
    def from_entry_points(cls, eps: Iterable[EntryPoint] | None = None) -> Registry:
        if eps is None:
            eps = entry_points(group=ENTRY_POINT_GROUP)
        apps: list[App] = []
        errors: list[PluginError] = []
        for ep in sorted(eps, key=lambda e: e.name):
            try:
                app = ep.load()
            except Exception as exc:  # noqa: BLE001 - any plugin failure is reported, not raised
                errors.append(PluginError(ep.name, f"import failed: {type(exc).__name__}: {exc}"))
                continue
            problems = validate_manifest(app)
            if problems:
                errors.append(PluginError(ep.name, "bad manifest: " + "; ".join(problems)))
                continue
            if any(a.id == app.id for a in apps):
                errors.append(PluginError(ep.name, f"app id {app.id!r} is already installed"))
                continue
            apps.append(app)
        apps, more = _order_and_check(apps)
        errors += more
        for error in errors:  # once per load, not on every page view
            log.warning("plugin %s not loaded: %s", error.name, error.message)
        return cls(apps, errors)

    def get(self, app_id: str) -> App | None:
        return next((a for a in self.apps if a.id == app_id), None)

    def pages(self) -> list[tuple[App, Page]]:
        return [(a, p) for a in self.apps for p in a.pages]

    def page(self, key: str) -> Page | None:
        return next((p for _, p in self.pages() if p.key == key), None)

    def panels(self) -> list[tuple[App, Panel]]:
        return [(a, p) for a in self.apps for p in a.panels]

    def token_types(self) -> list[TokenType]:
        return [t for a in self.apps for t in a.token_types]

    def token_type_for(self, text: str) -> TokenType | None:
        return next((t for t in self.token_types() if text.startswith(t.prefix)), None)

    def messages(self) -> dict[str, dict[str, str]]:
        merged: dict[str, dict[str, str]] = {}
        for app in self.apps:
            merged.update(app.messages)
        return merged

    def all_migrations(self) -> list[Migration]:
        migs = discover_migrations("core", CORE_MIGRATIONS)
        for app in self.apps:
            migs.extend(discover_migrations(app.id, app.migrations))
        return migs


def _order_and_check(apps: list[App]) -> tuple[list[App], list[PluginError]]:
    """Dependency order; apps with missing dependencies or clashing prefixes are refused."""
    errors: list[PluginError] = []
    by_id = {a.id: a for a in apps}
    for app in list(apps):
        missing = [d for d in app.depends_on if d not in by_id]
        if missing:
            errors.append(PluginError(app.id, f"needs app(s) not installed: {', '.join(missing)}"))
            by_id.pop(app.id)
    ordered: list[App] = []
    visiting: set[str] = set()

    def visit(app: App) -> None:
        if app in ordered or app.id in visiting:
            return
        visiting.add(app.id)
        for dep in app.depends_on:
            if dep in by_id:
                visit(by_id[dep])
        ordered.append(app)

    for app in by_id.values():
        visit(app)
    prefixes: dict[str, str] = {}
    final: list[App] = []
    for app in ordered:
        clash = [t.prefix for t in app.token_types if t.prefix in prefixes]
        if clash:
            errors.append(PluginError(app.id, f"token prefix {clash[0]} already used"))
            continue
        prefixes.update({t.prefix: app.id for t in app.token_types})
        final.append(app)
    return final, errors


_registry: Registry | None = None
_registry_lock = threading.Lock()


def get_registry() -> Registry:
    global _registry
    with _registry_lock:
        if _registry is None:
            _registry = Registry.from_entry_points()
        return _registry


def set_registry(registry: Registry | None) -> None:
    global _registry
    with _registry_lock:
        _registry = registry
