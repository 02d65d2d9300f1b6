"""The plugin contract: every extension point an app can fill, in one short file.

An app is a package whose ``App`` manifest is published under the entry-point group
``rapid.apps``. Core never imports an app by name; it discovers manifests here. A plugin that
fails to import or whose manifest is invalid is reported by name in ``Registry.errors`` and the
rest of the suite keeps working.

Importing this module (and so a manifest) is cheap: nothing here imports DuckDB, pandas or
Streamlit. Pages, panels and other hooks may be given as ``"package.module:function"``
references that are imported on first use (``lazy``).
"""

from __future__ import annotations

import difflib
import functools
import importlib
import importlib.util
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import click
    from pydantic import BaseModel

    from core.config import Settings
    from core.schema import Migration
    from core.store import Store

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "rapid.apps"
PUBLIC = "public"
"""Put in ``Page.roles`` to make a page reachable without an account."""

ScopeKind = Literal["province", "ward"]
SCOPE_KINDS: tuple[str, ...] = ("province", "ward")

_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_PREFIX = re.compile(r"^[A-Z0-9]{2,8}:$")
_TYPE_ID = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,59}$")
_REF = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


# -- lazy references ----------------------------------------------------------------------------


@functools.cache
def _import_object(ref: str) -> Any:
    module_name, _, attr = ref.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _import_ref(ref: str) -> Callable[..., Any]:
    obj = _import_object(ref)
    if not callable(obj):
        raise TypeError(f"{ref} is not callable")
    return obj


def resolve(target: Callable[..., Any] | str) -> Callable[..., Any]:
    """The function behind ``target``: a callable itself, or a ``"package.module:function"``
    reference imported now (once per process)."""
    if isinstance(target, Lazy):
        return target.resolve()
    if isinstance(target, str):
        if not _REF.match(target):
            raise ValueError(f"not a 'package.module:function' reference: {target!r}")
        return _import_ref(target)
    return target


class Lazy:
    """A callable standing for ``"package.module:function"``: the module is imported on the
    first call, so a manifest can name a hook without importing its (heavy) module."""

    __slots__ = ("ref",)

    def __init__(self, ref: str) -> None:
        if not _REF.match(ref):
            raise ValueError(f"not a 'package.module:function' reference: {ref!r}")
        self.ref = ref

    def resolve(self) -> Callable[..., Any]:
        return _import_ref(self.ref)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _import_ref(self.ref)(*args, **kwargs)

    def __repr__(self) -> str:
        return f"lazy({self.ref!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lazy) and other.ref == self.ref

    def __hash__(self) -> int:
        return hash(self.ref)


def lazy(ref: str) -> Lazy:
    """``lazy("apps.my_app.service:stats")``: a hook imported on first use."""
    return Lazy(ref)


def _ref_problem(what: str, target: Any) -> str | None:
    """Why ``target`` cannot serve as a hook (None when it can). A reference's module must
    exist; it is not imported (that would defeat laziness)."""
    ref = target.ref if isinstance(target, Lazy) else target
    if isinstance(ref, str):
        if not _REF.match(ref):
            return f"{what}: {ref!r} is not a 'package.module:function' reference"
        module_name = ref.partition(":")[0]
        try:
            found = importlib.util.find_spec(module_name)
        except (ImportError, ValueError):
            found = None
        if found is None:
            return f"{what}: module {module_name!r} not found"
        return None
    if not callable(target):
        return f"{what} is not callable"
    return None


# -- extension points -------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    """A role users can be granted. ``scope`` is the finest area a grant of it may be limited
    to: None (the role always applies everywhere), ``"province"`` or ``"ward"``."""

    id: str
    label_vi: str
    label_en: str
    scope: ScopeKind | None = None

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_vi

    def allows_scope(self, kind: str | None) -> bool:
        """Whether a grant scoped to ``kind`` (None: everywhere) fits this role."""
        if kind is None:
            return True
        if self.scope is None:
            return False
        return SCOPE_KINDS.index(kind) <= SCOPE_KINDS.index(self.scope)


CORE_ROLES: tuple[Role, ...] = (Role("admin", "Quản trị viên", "Administrator"),)
"""The roles core declares itself; apps declare theirs in ``App.roles``."""


@dataclass(frozen=True)
class Page:
    """A Streamlit page. ``render()`` draws it; ``roles`` is who may open it (empty: nobody).
    ``render`` may be a ``"package.module:function"`` reference, imported on first use."""

    key: str
    title_key: str
    render: Callable[[], None] | str
    roles: frozenset[str]
    icon: str = ":material/article:"

    @property
    def is_public(self) -> bool:
        return PUBLIC in self.roles

    def allows(self, roles: Iterable[str]) -> bool:
        return self.is_public or bool(self.roles.intersection(roles))

    def draw(self) -> None:
        """Import the page function if needed and run it."""
        resolve(self.render)()


@dataclass(frozen=True)
class WebPage:
    """A light HTML page for citizens, served by core's web layer beside Streamlit
    (``core.web``): works on any phone, with or without JavaScript, in a few kilobytes.

    ``handler`` (a ``"package.module:function"`` reference, imported on first use) takes a
    ``core.web.http.WebRequest`` and returns a ``core.web.http.WebResponse``. ``path`` is
    absolute (``/khai-bao``); ``replaces`` lists old addresses that redirect to it (a
    Streamlit page this page took over). ``limit`` names the rate limit its POSTs count
    against (``"submit"``: declarations and reports; ``"lookup"``: anything that looks a
    person up)."""

    name: str
    path: str
    handler: Callable[..., Any] | str
    title_key: str
    methods: tuple[str, ...] = ("GET", "POST")
    replaces: tuple[str, ...] = ()
    limit: str = "submit"


@dataclass(frozen=True)
class Panel:
    """A panel on the shared dashboard (``core.dashboard``), drawn for the roles it names.
    ``render`` may be a ``"package.module:function"`` reference, imported on first use."""

    key: str
    title_key: str
    render: Callable[[], None] | str
    roles: frozenset[str]

    def allows(self, roles: Iterable[str]) -> bool:
        return bool(self.roles.intersection(roles))

    def draw(self) -> None:
        resolve(self.render)()


Verdict = Literal["VALID", "INVALID", "WARN"]


@dataclass(frozen=True)
class CheckContext:
    """What a checkpoint knows when it applies an app's rule to a verified token: the time,
    where it stands, and the token's own id and validity window (aware UTC; None when the
    token has no such bound)."""

    now: datetime
    zone: str | None = None
    checkpoint_id: str | None = None
    mode: str = "checkpoint"
    token_id: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None


@dataclass(frozen=True)
class RuleResult:
    """An app rule's verdict on a token whose signature, validity and revocation already passed.
    ``reason`` is one of the token type's declared ``reasons``; ``fields`` are keyed by its
    declared ``fields``."""

    verdict: Verdict
    reason: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TokenType:
    """A QR token type an app issues: its context prefix, claims model and checkpoint rule.

    Labels live in the app's own catalog under the type's ``title_key``:
    ``<title_key>`` names the kind of code, ``<title_key>.reason.<CODE>`` each reason code the
    rule may return (``reasons``) and ``<title_key>.field.<name>`` each field it shows
    (``fields``). The registry refuses a manifest where one of them lacks vi or en.
    """

    type_id: str
    prefix: str
    title_key: str
    claims_model: type[BaseModel]
    rule: Callable[[dict[str, Any], CheckContext], RuleResult] | None = None
    on_venue_scan: Callable[[Any, str, dict[str, Any]], str] | None = None
    """Venue mode: ``(principal, venue_id, claims) -> message`` records a check-in at a venue."""
    reasons: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()

    def reason_key(self, code: str) -> str:
        return f"{self.title_key}.reason.{code}"

    def field_key(self, name: str) -> str:
        return f"{self.title_key}.field.{name}"


@dataclass(frozen=True)
class DemoContext:
    """Passed to an app's demo seeder."""

    store: Store
    scale: Literal["small", "city"]
    progress: Callable[[float, str], None]
    seed: int = 2021


@dataclass(frozen=True)
class Retention:
    """How long one kind of an app's records is kept (data, not code): rows of ``table`` whose
    ``time_column`` (or the first non-empty of several) is older than ``default_days`` (or the
    setting ``retention_days["<app>.<kind>"]``) are deleted by ``rapid purge`` and the daily
    job, one transaction per kind, with their ``children`` (``(table, column)`` pairs whose
    column holds this table's ``key``). ``where`` narrows the rows (column = value, bound):
    e.g. only inactive roster rows. A row whose time is NULL is kept (still open)."""

    table: str
    time_column: str | tuple[str, ...]
    default_days: int
    children: tuple[tuple[str, str], ...] = ()
    key: str = "id"
    where: tuple[tuple[str, Any], ...] = ()

    @property
    def time_columns(self) -> tuple[str, ...]:
        return (self.time_column,) if isinstance(self.time_column, str) else self.time_column


_SQL_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def retention_problems(owner: str, retention: Mapping[str, Any]) -> list[str]:
    """What is wrong with a retention declaration (names must be plain identifiers: they are
    written into SQL; days 1..36500)."""
    problems: list[str] = []
    for kind, rule in retention.items():
        where = f"retention {owner}.{kind}"
        if not _SQL_NAME.match(str(kind)):
            problems.append(f"{where}: the kind must be lowercase letters, digits and _")
        if not isinstance(rule, Retention):
            problems.append(f"{where}: must be Retention(...)")
            continue
        names = [rule.table, rule.key, *rule.time_columns, *(c for c, _ in rule.where)]
        names += [n for pair in rule.children for n in pair]
        bad = [n for n in names if not isinstance(n, str) or not _SQL_NAME.match(n)]
        if bad or not rule.time_columns:
            problems.append(f"{where}: table and column names must be identifiers, got {bad}")
        if not isinstance(rule.default_days, int) or not 1 <= rule.default_days <= 36500:
            problems.append(f"{where}: default_days must be 1..36500")
    return problems


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
    roles: list[Role] = field(default_factory=list)
    """Roles this app declares (ids unique across the installation)."""
    interfaces: dict[str, Callable[..., Any] | str] = field(default_factory=dict)
    """Functions other apps may call, each taking the caller's ``Principal`` first and
    checking the role itself (``Registry.interface``)."""
    web: list[WebPage] = field(default_factory=list)
    """Citizens' light HTML pages (``core.web``)."""
    forms: tuple[str, ...] = ()
    """``"package.module:NAME"`` references to the app's ``core.forms.Form`` definitions,
    imported on first use. Core checks each form that names a table against the database after
    migrating (a field without a column, or a column of the wrong type, is an error)."""
    retention: dict[str, Retention] = field(default_factory=dict)
    """Kinds of records and how long each is kept (``core.retention`` purges them)."""
    optional_roles: tuple[str, ...] = ()
    """Roles other apps declare that this app also serves when they are installed (a business
    owning venues, checkpoint staff checking people in), without depending on those apps:
    where no installed app declares one, nobody holds it and its pages simply do not open."""

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title_vi

    def used_roles(self) -> set[str]:
        """Every role the manifest names (pages, panels), PUBLIC left out."""
        named: set[str] = set()
        for page in self.pages:
            named |= set(page.roles)
        for panel in self.panels:
            named |= set(panel.roles)
        return named - {PUBLIC}


@dataclass(frozen=True)
class PluginError:
    name: str
    message: str


class InterfaceError(LookupError):
    """An app asked for another app's interface that is not there."""


# -- validation -------------------------------------------------------------------------------


def _has_both(messages: Mapping[str, Mapping[str, str]], key: str) -> bool:
    texts = messages.get(key) or {}
    return bool(str(texts.get("vi", "")).strip() and str(texts.get("en", "")).strip())


def _validate_roles(app: App) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    core_ids = {r.id for r in CORE_ROLES}
    for role in app.roles:
        if not isinstance(role, Role):
            problems.append(f"roles must be Role(...) declarations, got {type(role).__name__}")
            continue
        if not _ID.match(role.id or ""):
            problems.append(f"role id {role.id!r} must be lowercase letters, digits and _")
        if role.id in seen:
            problems.append(f"role {role.id!r} is declared twice")
        if role.id in core_ids:
            problems.append(f"role {role.id!r} is declared by core")
        if role.id == PUBLIC:
            problems.append(f"role id {PUBLIC!r} is reserved")
        seen.add(role.id)
        if not (role.label_vi or "").strip() or not (role.label_en or "").strip():
            problems.append(f"role {role.id!r} needs both labels (vi and en)")
        if role.scope is not None and role.scope not in SCOPE_KINDS:
            problems.append(
                f"role {role.id!r} has scope {role.scope!r}; use None, 'province' or 'ward'"
            )
    return problems


def _validate_token_types(app: App) -> list[str]:
    problems: list[str] = []
    for tok in app.token_types:
        if not _PREFIX.match(tok.prefix):
            problems.append(f"token prefix {tok.prefix!r} must be 2-8 capitals/digits and ':'")
        if not _TYPE_ID.match(tok.type_id or ""):
            problems.append(f"token type id {tok.type_id!r} must be 1-8 capitals/digits")
        if not hasattr(tok.claims_model, "model_validate"):
            problems.append(f"token type {tok.type_id}: claims_model must be a pydantic model")
        if not _has_both(app.messages, tok.title_key):
            problems.append(
                f"token type {tok.type_id}: its title {tok.title_key!r} needs a vi and an en "
                "message"
            )
        for what, names, key_of in (
            ("reason", tok.reasons, tok.reason_key),
            ("field", tok.fields, tok.field_key),
        ):
            if isinstance(names, str):
                problems.append(f"token type {tok.type_id}: {what}s must be a tuple of names")
                continue
            for name in names:
                if not _CODE.match(str(name)):
                    problems.append(f"token type {tok.type_id}: bad {what} name {name!r}")
                elif not _has_both(app.messages, key_of(name)):
                    problems.append(
                        f"token type {tok.type_id}: {what} {name!r} needs vi and en text"
                        f" under {key_of(name)!r}"
                    )
        for what, hook in (("rule", tok.rule), ("on_venue_scan", tok.on_venue_scan)):
            if hook is not None:
                problem = _ref_problem(f"token type {tok.type_id} {what}", hook)
                if problem:
                    problems.append(problem)
    return problems


def validate_manifest(app: Any) -> list[str]:
    """Problems with a manifest on its own, as readable sentences; empty when it is fine.
    (Which roles it may name depends on its dependencies: ``Registry`` checks that.)"""
    if not isinstance(app, App):
        return [f"the entry point must point at an App manifest, got {type(app).__name__}"]
    problems: list[str] = []
    if not _ID.match(app.id or ""):
        problems.append(f"app id {app.id!r} must be lowercase letters, digits and _")
    if not app.title_vi.strip() or not app.title_en.strip():
        problems.append("both titles (vi and en) are required")
    problems += _validate_roles(app)
    seen: set[str] = set()
    for page in app.pages:
        if not page.key.startswith(f"{app.id}."):
            problems.append(f"page key {page.key!r} must start with '{app.id}.'")
        if page.key in seen:
            problems.append(f"page key {page.key!r} is used twice")
        seen.add(page.key)
        problem = _ref_problem(f"page {page.key!r} render", page.render)
        if problem:
            problems.append(problem)
    for panel in app.panels:
        if not panel.key.startswith(f"{app.id}."):
            problems.append(f"panel key {panel.key!r} must start with '{app.id}.'")
        if panel.key in seen:
            problems.append(f"key {panel.key!r} is used twice")
        seen.add(panel.key)
        if PUBLIC in panel.roles:
            problems.append(f"panel {panel.key!r}: panels are for signed-in roles, not PUBLIC")
        problem = _ref_problem(f"panel {panel.key!r} render", panel.render)
        if problem:
            problems.append(problem)
    problems += _validate_token_types(app)
    for key, texts in app.messages.items():
        if set(texts) != {"vi", "en"}:
            problems.append(f"message {key!r} needs exactly vi and en")
    seen_web: set[str] = set()
    for web in app.web:
        if not isinstance(web, WebPage):
            problems.append("web pages must be WebPage(...) declarations")
            continue
        if not re.fullmatch(r"/[a-z0-9][a-z0-9/_-]{0,60}", web.path) or web.path in seen_web:
            problems.append(f"web page {web.name!r}: path {web.path!r} must be unique, /a-z0-9-")
        seen_web.add(web.path)
        if not web.name.startswith(f"{app.id}."):
            problems.append(f"web page name {web.name!r} must start with '{app.id}.'")
        if web.limit not in ("submit", "lookup", "none"):
            problems.append(f"web page {web.name!r}: limit must be submit, lookup or none")
        problem = _ref_problem(f"web page {web.name!r}", web.handler)
        if problem:
            problems.append(problem)
    for ref in app.forms:
        problem = _ref_problem("form", ref) if isinstance(ref, str) else "forms are references"
        if problem:
            problems.append(problem)
    for name, hook in app.interfaces.items():
        if not re.match(r"^[a-z_][a-z0-9_]*$", name):
            problems.append(f"interface name {name!r} must be a Python identifier")
        problem = _ref_problem(f"interface {name!r}", hook)
        if problem:
            problems.append(problem)
    for what in ("seed_demo", "stats", "register_commands"):
        hook = getattr(app, what)
        if hook is not None:
            problem = _ref_problem(what, hook)
            if problem:
                problems.append(problem)
    problems += retention_problems(app.id, app.retention)
    if app.settings_model is not None and not hasattr(app.settings_model, "model_fields"):
        problems.append("settings_model must be a pydantic model")
    if app.migrations is not None:
        from core.schema import StoreError, discover_migrations

        try:
            discover_migrations(app.id, app.migrations)
        except StoreError as exc:
            problems.append(str(exc))
    return problems


# -- the registry -----------------------------------------------------------------------------


class Registry:
    """The installed apps, in dependency order, and the plugins that failed to load."""

    def __init__(
        self,
        apps: list[App],
        errors: list[PluginError],
        modules: Mapping[str, str] | None = None,
    ) -> None:
        self.apps = apps
        self.errors = errors
        self.modules: dict[str, str] = dict(modules or {})
        """app id -> the module its manifest came from (e.g. ``apps.travel_permit``)."""

    @classmethod
    def from_entry_points(cls, eps: Iterable[EntryPoint] | None = None) -> Registry:
        if eps is None:
            eps = entry_points(group=ENTRY_POINT_GROUP)
        apps: list[App] = []
        errors: list[PluginError] = []
        modules: dict[str, str] = {}
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
            modules[app.id] = ep.module
        apps, more = _order_and_check(apps)
        errors += more
        for error in errors:  # once per load, not on every page view
            log.warning("plugin %s not loaded: %s", error.name, error.message)
        return cls(apps, errors, {a.id: modules[a.id] for a in apps})

    def get(self, app_id: str) -> App | None:
        return next((a for a in self.apps if a.id == app_id), None)

    # -- apps added while running (definition apps, ``core.definitions``) -------------------

    def add_app(self, app: App, module: str) -> list[str]:
        """Add ``app`` (or replace the app of the same id that ``module`` added before) while
        the suite runs. The same checks as at load apply (manifest, token prefixes and type
        ids, role ids, roles named); on any problem nothing changes and the problems are
        returned. The app list is replaced, never changed in place, so a page being drawn
        keeps a consistent view; the translation catalog is rebuilt on next use."""
        problems = validate_manifest(app)
        if problems:
            return problems
        current = self.get(app.id)
        if current is not None and self.modules.get(app.id) != module:
            return [f"app id {app.id!r} is already installed by {self.modules.get(app.id)}"]
        with _apps_lock:
            others = [a for a in self.apps if a.id != app.id]
            accepted, errors = _order_and_check([*others, app])
            if app not in accepted:
                mine = [e.message for e in errors if e.name == app.id]
                return mine or [f"app {app.id!r} was refused"]
            self.apps = accepted
            self.modules = {**self.modules, app.id: module}
        _catalog_changed()
        return []

    def remove_app(self, app_id: str, module: str) -> bool:
        """Take out an app that ``module`` added (a deactivated definition app). False when
        no such app was added by ``module``."""
        with _apps_lock:
            if self.modules.get(app_id) != module:
                return False
            self.apps = [a for a in self.apps if a.id != app_id]
            self.modules = {k: v for k, v in self.modules.items() if k != app_id}
        _catalog_changed()
        return True

    def pages(self) -> list[tuple[App, Page]]:
        return [(a, p) for a in self.apps for p in a.pages]

    def page(self, key: str) -> Page | None:
        return next((p for _, p in self.pages() if p.key == key), None)

    def panels(self) -> list[tuple[App, Panel]]:
        return [(a, p) for a in self.apps for p in a.panels]

    def token_types(self) -> list[TokenType]:
        return [t for a in self.apps for t in a.token_types]

    def web_pages(self) -> list[tuple[App, WebPage]]:
        return [(a, w) for a in self.apps for w in a.web]

    def forms(self) -> list[tuple[App, Any]]:
        """(app, Form) for every form the installed apps declare (imported now)."""
        return [(a, _import_object(ref)) for a in self.apps for ref in a.forms]

    def form_problems(self, store: Store) -> list[str]:
        """Every mismatch between the apps' forms and their tables (empty when all fit)."""
        from core.forms.storage import check_table

        problems: list[str] = []
        for app, form in self.forms():
            if form.table:
                problems += [f"{app.id}: {p}" for p in check_table(store, form)]
        return problems

    def token_type(self, type_id: str) -> TokenType | None:
        """The installed token type with this type id (``TP``, ``HD``...)."""
        return next((t for t in self.token_types() if t.type_id == type_id), None)

    def token_type_for(self, text: str) -> TokenType | None:
        return next((t for t in self.token_types() if text.startswith(t.prefix)), None)

    def roles(self) -> tuple[Role, ...]:
        """Every role of the installation: core's first, then each app's in app order."""
        return CORE_ROLES + tuple(r for a in self.apps for r in a.roles)

    def role_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.roles())

    def role_names(self) -> frozenset[str]:
        """Every role name an app may check: the declared ones and the optional ones apps list
        (held by nobody when no installed app declares them)."""
        return frozenset(self.role_ids()).union(*(a.optional_roles for a in self.apps))

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles() if r.id == role_id), None)

    def messages(self) -> dict[str, dict[str, str]]:
        """The apps' catalogs, plus ``role.<id>`` labels of every declared role."""
        merged: dict[str, dict[str, str]] = {}
        for app in self.apps:
            merged.update(app.messages)
        for role in self.roles():
            merged[f"role.{role.id}"] = {"vi": role.label_vi, "en": role.label_en}
        return merged

    def all_migrations(self) -> list[Migration]:
        from core.schema import CORE_MIGRATIONS, discover_migrations

        migs = discover_migrations("core", CORE_MIGRATIONS)
        for app in self.apps:
            migs.extend(discover_migrations(app.id, app.migrations))
        return migs

    def interface(self, app_id: str, name: str) -> Callable[..., Any]:
        """The function ``name`` that app ``app_id`` offers to other apps. It takes the
        caller's ``Principal`` first and checks the role itself. InterfaceError names what
        is missing."""
        app = self.get(app_id)
        if app is None:
            raise InterfaceError(f"app {app_id!r} is not installed, so {name!r} is unavailable")
        if name not in app.interfaces:
            offered = ", ".join(sorted(app.interfaces)) or "none"
            raise InterfaceError(
                f"app {app_id!r} offers no interface {name!r} (it offers: {offered})"
            )
        return resolve(app.interfaces[name])

    def check_settings(self, settings: Settings) -> list[str]:
        """Problems with the ``[apps.<id>]`` settings (TOML or ``RAPID_APPS__<APP>__<KEY>``),
        one readable line each naming the key; empty when every setting is valid."""
        from core.config import app_settings_problems

        problems: list[str] = []
        for app_id, values in sorted(settings.apps.items()):
            app = self.get(app_id)
            if app is None:
                hint = _did_you_mean(app_id, [a.id for a in self.apps])
                problems.append(f"[apps.{app_id}]: no installed app has this id{hint}")
            elif app.settings_model is None:
                problems.append(f"[apps.{app_id}]: the app {app_id} has no settings")
            else:
                problems += app_settings_problems(app_id, app.settings_model, values)
        overrides = getattr(settings, "retention_days", None)
        if overrides:  # [retention_days] "<app>.<kind>" = days: only declared kinds
            from core import retention

            kinds = {
                f"{a.id}.{kind}": rule for a in self.apps for kind, rule in a.retention.items()
            }
            kinds.update({f"core.{kind}": rule for kind, rule in retention.CORE.items()})
            problems += retention.problems(overrides, kinds)
        return problems


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def _dependency_order(apps: list[App]) -> tuple[list[App], dict[str, str]]:
    """Dependencies first (stable otherwise); apps on a dependency cycle are left out with
    a reason."""
    by_id = {a.id: a for a in apps}
    ordered: list[App] = []
    state: dict[str, int] = {}
    refused: dict[str, str] = {}

    def visit(app: App, path: list[str]) -> None:
        if state.get(app.id) == 2:
            return
        if state.get(app.id) == 1:
            cycle = path[path.index(app.id) :] + [app.id]
            for member in cycle:
                refused.setdefault(member, "dependency cycle: " + " -> ".join(cycle))
            return
        state[app.id] = 1
        for dep in app.depends_on:
            if dep in by_id:
                visit(by_id[dep], [*path, app.id])
        state[app.id] = 2
        ordered.append(app)

    for app in apps:
        visit(app, [])
    return ordered, refused


def _order_and_check(apps: list[App]) -> tuple[list[App], list[PluginError]]:
    """Dependency order, then each app in turn is accepted only if its dependencies were, its
    token prefixes, type ids and role ids are new, and every role it names is declared by
    core, by itself or by an app in its ``depends_on``, or listed in its ``optional_roles``."""
    errors: list[PluginError] = []
    ordered, cyclic = _dependency_order(apps)
    accepted: dict[str, App] = {}
    prefixes: dict[str, str] = {}
    type_ids: dict[str, str] = {}
    web_paths: dict[str, str] = {}
    role_owner: dict[str, str] = {r.id: "core" for r in CORE_ROLES}
    for app in ordered:
        if app.id in cyclic:
            errors.append(PluginError(app.id, cyclic[app.id]))
            continue
        missing = [d for d in app.depends_on if d not in accepted]
        if missing:
            errors.append(PluginError(app.id, f"needs app(s) not installed: {', '.join(missing)}"))
            continue
        clash = [t.prefix for t in app.token_types if t.prefix in prefixes]
        if clash:
            errors.append(PluginError(app.id, f"token prefix {clash[0]} already used"))
            continue
        clash = [w.path for w in app.web if w.path in web_paths]
        if clash:
            errors.append(PluginError(app.id, f"web page path {clash[0]} already used"))
            continue
        clash = [t.type_id for t in app.token_types if t.type_id in type_ids]
        if clash:
            errors.append(PluginError(app.id, f"token type id {clash[0]} already used"))
            continue
        taken = [r.id for r in app.roles if r.id in role_owner]
        if taken:
            errors.append(
                PluginError(
                    app.id,
                    f"bad manifest: role {taken[0]!r} is already declared by "
                    f"{role_owner[taken[0]]}",
                )
            )
            continue
        usable = {r.id for r in CORE_ROLES} | {r.id for r in app.roles} | set(app.optional_roles)
        for dep in app.depends_on:
            usable |= {r.id for r in accepted[dep].roles}
        unknown = sorted(app.used_roles() - usable)
        if unknown:
            where = ", ".join(["core", app.id, *app.depends_on])
            errors.append(
                PluginError(
                    app.id,
                    f"bad manifest: it names role(s) {', '.join(map(repr, unknown))}, not "
                    f"declared by {where} (an app may use the roles of core, its own, those"
                    " of the apps in its depends_on, and the optional_roles it lists)",
                )
            )
            continue
        prefixes.update({t.prefix: app.id for t in app.token_types})
        web_paths.update({w.path: app.id for w in app.web})
        type_ids.update({t.type_id: app.id for t in app.token_types})
        role_owner.update({r.id: app.id for r in app.roles})
        accepted[app.id] = app
    return list(accepted.values()), errors


_registry: Registry | None = None
_registry_lock = threading.Lock()
_apps_lock = threading.RLock()
"""Serialises ``Registry.add_app`` / ``remove_app`` (apps added while the suite runs)."""


def _catalog_changed() -> None:
    """The installed apps changed: the translation catalog is rebuilt on its next use."""
    from core import i18n

    i18n.reset_catalog()


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
