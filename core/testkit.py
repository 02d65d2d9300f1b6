"""The core test kit: a pytest plugin shipped with core (entry point ``pytest11``:
``rapid = "core.testkit"``), so an app's own tests get it by installing the suite.

Fixtures:

- ``settings``: a fresh configuration whose data folder is the test's ``tmp_path``;
- ``store``: a fresh database with every installed app's migrations, set as the process store
  (DuckDB; PostgreSQL when the environment says ``RAPID_TEST_DATABASE=postgresql``: the same
  tests then run on a database of the session's throwaway cluster);
- ``frozen_clock``: the suite's clock fixed at ``FROZEN_AT`` (with microseconds, as a real
  clock has); move it with ``frozen_clock[0] = new_time``;
- ``admin``: an administrator principal;
- ``pg_cluster``, ``pg_url`` (session): a throwaway PostgreSQL cluster (skipped when PostgreSQL
  is not installed); ``pg_database``: a fresh empty database in it; ``pg_store``: as ``store``
  on PostgreSQL.

Functions (``from core.testkit import ...``):

- ``make_principal(username, *roles, scopes=...)``: a principal holding roles, some scoped;
- ``run_page(page_key, principal, query=..., locale=...)``: an already-run Streamlit AppTest
  of one page under the shell's rules (``page_app`` for one not yet run); ``page_text(at)``;
- ``authorization_matrix(app_id, cases)``: every service entry point of an app x every
  declared role and the anonymous citizen (deny by default).

Importing this module is cheap (pytest loads it for every run): the suite's modules are
imported inside the fixtures and functions.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

    from core.auth import Principal
    from core.config import Settings
    from core.store import Store

FROZEN_AT = datetime(2021, 9, 10, 8, 0, 0, 123457, tzinfo=UTC)
"""Where ``frozen_clock`` starts: microseconds on purpose, so code that silently assumes
whole seconds fails in tests as it would with a real clock."""

ANONYMOUS_ROLE = "anonymous"
"""The citizen without an account, as a column of ``authorization_matrix``."""

ENTRY_POINT_MODULES = ("service", "analytics", "queries", "roster", "interfaces")
"""Modules (or packages) of an app whose public principal-first functions are its service
entry points."""

PROGRAMMING_ERRORS: tuple[type[BaseException], ...] = (
    TypeError,
    AttributeError,
    NameError,
    AssertionError,
    ImportError,
)
"""Errors of an allowed call that mean the test case itself is broken, never "a business
refusal"."""


# -- the PostgreSQL pass -----------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``RAPID_TEST_DATABASE=postgresql`` only the tests that use a database through the
    ``store`` fixture run (the rest do not touch a database, or open their own, and already ran
    in the DuckDB pass); browser tests serve DuckDB and stay in that pass."""
    if not testing_postgres():
        return
    keep, drop = [], []
    for item in items:
        uses_store = "store" in getattr(item, "fixturenames", ())
        (keep if uses_store and item.get_closest_marker("browser") is None else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _rapid_cheap_password_hashing() -> Iterator[None]:
    """Tests create many accounts: a cheaper argon2id cost keeps them fast (still argon2id)."""
    from argon2 import PasswordHasher

    from core import accounts

    kept = accounts.HASHER
    accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    yield
    accounts.HASHER = kept


@pytest.fixture()
def settings(tmp_path: Path) -> Iterator[Settings]:
    """Configuration with its own data folder; the locale is Vietnamese."""
    from core import i18n
    from core.config import Settings, set_settings

    s = Settings(data_dir=tmp_path / "data", base_url="http://testserver")
    set_settings(s)
    i18n.set_locale("vi")
    yield s
    set_settings(None)


TEST_DATABASE_ENV = "RAPID_TEST_DATABASE"
"""``postgresql`` runs the tests that use ``store`` on PostgreSQL (``make test`` runs both)."""


def testing_postgres() -> bool:
    """Whether this test run's ``store`` is PostgreSQL (``RAPID_TEST_DATABASE=postgresql``)."""
    return os.environ.get(TEST_DATABASE_ENV, "").strip().lower() in ("postgresql", "postgres")


@pytest.fixture()
def store(settings: Settings, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A fresh database with every installed app's migrations, set as the process store: DuckDB,
    or PostgreSQL under ``RAPID_TEST_DATABASE=postgresql`` (then ``settings.database_url``
    names it, so commands that open the configured database open the same one)."""
    yield from fresh_store(settings, request, postgres=testing_postgres())


def fresh_store(
    settings: Settings, request: pytest.FixtureRequest, *, postgres: bool
) -> Iterator[Any]:
    """The body of a store fixture for either backend: PostgreSQL (a copy of the session
    cluster's migrated template, ``pg_store``) or a DuckDB file in the test's data folder."""
    from core.registry import get_registry
    from core.store import Store, set_store

    if postgres:
        pg = request.getfixturevalue("pg_store")
        settings.database_url = pg.url
        yield pg
        return
    st = Store(settings.database)
    st.migrate(get_registry().all_migrations())
    set_store(st)
    yield st
    set_store(None)
    st.close()


@pytest.fixture()
def frozen_clock() -> Iterator[list[datetime]]:
    """A clock the test moves: ``frozen_clock[0] = new_time`` (starts at ``FROZEN_AT``)."""
    from core import clock

    box = [FROZEN_AT]
    clock.set_clock(lambda: box[0])
    yield box
    clock.set_clock(None)


@pytest.fixture()
def web_client(store: Store) -> Iterator[Any]:
    """A test client of the citizens' light pages (``core.web``): every installed app's web
    pages with core's guard, without Streamlit's runtime. Fresh form-token secret and rate
    limits for each test."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.testclient import TestClient

    from core.qr import service as qr
    from core.web import http, security
    from core.web.routes import web_routes

    security.reset_secret()
    http.reset_limiters()
    qr.reset_cache()
    app = Starlette(routes=web_routes(), middleware=[Middleware(security.WebGuard)])
    with TestClient(app, base_url="http://testserver") as client:
        yield client
    http.reset_limiters()
    security.reset_secret()


def form_token_of(html: str) -> str:
    """The form token of the first form of a light page (to post it back in a test)."""
    import re

    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found, "no form token on the page"
    return found.group(1)


@pytest.fixture()
def admin() -> Principal:
    return make_principal("admin", "admin")


# -- PostgreSQL (issue 15): a throwaway cluster per test session (per xdist worker) ------------

PG_TEMPLATE = "rapid_template"
"""The cluster's database holding every installed app's migrations, copied for each test."""


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    """A PostgreSQL cluster of this test session (``core.pg_cluster``: initdb + pg_ctl from
    the system's PostgreSQL in a temporary folder, a free port, unix socket, fsync off), stopped
    at the session's end. Each xdist worker starts its own. Skipped, saying why, only when
    PostgreSQL is not installed."""
    from core import pg_cluster

    reason = pg_cluster.why_unavailable()
    if reason is not None:
        pytest.skip(reason)
    cluster = pg_cluster.PgCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_url(pg_cluster: Any) -> str:
    """URL of the session cluster's ``postgres`` database (make others with
    ``pg_cluster.create_database``)."""
    return pg_cluster.url("postgres")


@pytest.fixture(scope="session")
def _pg_template(pg_cluster: Any) -> str:
    """A database with every installed app's migrations, made once per session."""
    from core.registry import get_registry
    from core.store_postgres import PostgresStore

    url = pg_cluster.create_database(PG_TEMPLATE)
    st = PostgresStore(url, max_size=2)
    try:
        st.migrate(get_registry().all_migrations())
    finally:
        st.close()
    return PG_TEMPLATE


_pg_databases = iter(range(1, 1_000_000))


@pytest.fixture()
def pg_database(pg_cluster: Any) -> Iterator[str]:
    """URL of a fresh, empty database of the session cluster, dropped after the test."""
    name = f"rapid_t{next(_pg_databases)}"
    url = pg_cluster.create_database(name)
    yield url
    pg_cluster.drop_database(name)


@pytest.fixture()
def pg_store(settings: Settings, pg_cluster: Any, _pg_template: str) -> Iterator[Any]:
    """As ``store``, on PostgreSQL: a fresh database with every installed app's migrations
    (a copy of the session's template), set as the process store."""
    from core.store import set_store
    from core.store_postgres import PostgresStore

    name = f"rapid_t{next(_pg_databases)}"
    url = pg_cluster.create_database(name, template=_pg_template)
    st = PostgresStore(url, max_size=20)
    set_store(st)
    yield st
    set_store(None)
    st.close()
    pg_cluster.drop_database(name)


# -- principals -------------------------------------------------------------------------------


def make_principal(
    username: str,
    *roles: str,
    scopes: Mapping[str, str] | None = None,
    user_id: str | None = None,
    full_name: str = "",
) -> Principal:
    """A principal holding ``roles`` (role ids, or ``ROLE@SCOPE`` text), everywhere unless
    ``scopes`` maps a role to ``"ward:<code>"`` / ``"province:<code>"``. No account is
    created; ``user_id`` defaults to the username."""
    from core.auth import Grant, Principal

    scopes = dict(scopes or {})
    grants = []
    for text in roles:
        role, _, scope = text.partition("@")
        grants.append(Grant(role, scope or scopes.pop(role, "")))
    if scopes:
        raise ValueError(f"scopes given for roles not held: {sorted(scopes)}")
    return Principal.of(username, grants, user_id=user_id or username, full_name=full_name)


# -- pages ------------------------------------------------------------------------------------


def _page_script(page_key: str) -> None:
    from core.ui.shell import run_single_page

    run_single_page(page_key)


def page_app(
    page_key: str,
    principal: Principal | None = None,
    *,
    query: Mapping[str, str] | None = None,
    locale: str = "vi",
    timeout: float = 60,
) -> AppTest:
    """A Streamlit AppTest of one page under the shell's rules (language, login, role check),
    not yet run: set more ``session_state`` on it, then ``.run()``."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_page_script, args=(page_key,), default_timeout=timeout)
    if principal is not None and not principal.is_anonymous:
        at.session_state["principal"] = principal
    at.session_state["locale"] = locale
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


def run_page(
    page_key: str,
    principal: Principal | None = None,
    *,
    query: Mapping[str, str] | None = None,
    locale: str = "vi",
    timeout: float = 60,
) -> AppTest:
    """One page run as ``principal`` (None: the anonymous citizen); the AppTest after its
    first run. Check ``at.exception`` yourself (a crash is data, not an error here)."""
    return page_app(page_key, principal, query=query, locale=locale, timeout=timeout).run()


def page_text(at: AppTest) -> str:
    """Every text a user reads on the page (titles, markdown, alerts, captions, and the labels
    of its inputs and buttons), one per line."""
    parts: list[Any] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "success",
        "info",
        "warning",
        "error",
    ):
        parts += [e.value for e in getattr(at, kind)]
    for kind in (
        "text_input",
        "text_area",
        "number_input",
        "date_input",
        "time_input",
        "selectbox",
        "multiselect",
        "radio",
        "checkbox",
        "button",
    ):
        parts += [e.label for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


# -- the authorization matrix -------------------------------------------------------------------


def service_modules(app_id: str) -> list[ModuleType]:
    """The entry-point modules of an installed app: its ``service``, ``analytics``,
    ``queries``, ``roster`` and ``interfaces`` modules, a package's submodules included."""
    from core.registry import get_registry

    package = get_registry().modules.get(app_id)
    if package is None:
        raise ValueError(f"app {app_id!r} is not installed (or was not loaded from a package)")
    found: list[ModuleType] = []
    for name in ENTRY_POINT_MODULES:
        full = f"{package}.{name}"
        spec = importlib.util.find_spec(full)
        if spec is None:
            continue
        found.append(importlib.import_module(full))
        if spec.submodule_search_locations:
            for info in pkgutil.walk_packages(spec.submodule_search_locations, prefix=f"{full}."):
                found.append(importlib.import_module(info.name))
    return found


def entry_points(modules: Iterable[ModuleType]) -> dict[str, Callable[..., Any]]:
    """Public functions defined in ``modules`` whose first parameter is ``principal``, by
    name; a name defined in two modules is given as ``module.name`` for both."""
    found: dict[str, list[tuple[str, Callable[..., Any]]]] = {}
    for mod in modules:
        short = mod.__name__.rsplit(".", 1)[-1]
        for name, fn in vars(mod).items():
            if name.startswith("_") or not inspect.isfunction(fn):
                continue
            if fn.__module__ != mod.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if params and params[0] == "principal":
                found.setdefault(name, []).append((f"{short}.{name}", fn))
    out: dict[str, Callable[..., Any]] = {}
    for name, defs in found.items():
        if len(defs) == 1:
            out[name] = defs[0][1]
        else:
            out.update(dict(defs))
    return out


def _allowed_set(name: str, allowed: Iterable[str], columns: Sequence[str]) -> set[str]:
    from core.registry import PUBLIC

    allowed = set(allowed)
    if PUBLIC in allowed:
        return set(columns)
    unknown = allowed - set(columns)
    if unknown:
        raise ValueError(f"{name}: unknown role(s) {sorted(unknown)}; roles: {list(columns)}")
    return allowed


def authorization_matrix(
    app: str | Sequence[ModuleType],
    cases: Mapping[str, tuple[Callable[[Principal], Any], Iterable[str]]],
    *,
    principals: Mapping[str, Principal] | None = None,
    errors: tuple[type[BaseException], ...] | None = None,
    store: Store | None = None,
) -> None:
    """Deny by default, checked for a whole app.

    ``app`` is an installed app's id (or its entry-point modules); ``cases`` maps each
    service entry point (a public function of those modules whose first parameter is
    ``principal``; ``module.name`` when two modules define the name) to
    ``(call, allowed_roles)``: ``call(principal)`` calls it with sensible arguments, and
    ``allowed_roles`` are role ids, ``"anonymous"`` for the citizen without an account, or
    ``core.registry.PUBLIC`` for everyone.

    Fails (listing every problem) when an entry point is missing from ``cases`` or a case
    names no entry point; then calls every case as every declared role and as the anonymous
    citizen. An allowed call must not raise PermissionDenied (a business refusal is fine: any
    exception but PermissionDenied and ``PROGRAMMING_ERRORS``, or only ``errors`` when
    given); a refused call must raise PermissionDenied and write no audit row. ``principals``
    replaces the made-up principal of a role (e.g. a business with a real account).
    """
    from core.auth import ANONYMOUS, PermissionDenied
    from core.registry import get_registry
    from core.store import get_store

    modules = service_modules(app) if isinstance(app, str) else list(app)
    found = entry_points(modules)
    problems = [
        f"entry point missing from the matrix: {n}" for n in sorted(set(found) - set(cases))
    ]
    problems += [f"not an entry point (stale case?): {n}" for n in sorted(set(cases) - set(found))]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)

    columns = [*get_registry().role_ids(), ANONYMOUS_ROLE]
    chosen = dict(principals or {})
    for role in chosen:
        if role not in columns:
            raise ValueError(f"principals: unknown role {role!r}")

    def principal_of(role: str) -> Principal:
        if role in chosen:
            return chosen[role]
        return ANONYMOUS if role == ANONYMOUS_ROLE else make_principal(f"authz_{role}", role)

    def audit_rows() -> int:
        return int((store or get_store()).scalar("SELECT count(*) FROM audit_log"))

    for name in sorted(cases):
        call, allowed = cases[name]
        allowed_roles = _allowed_set(name, allowed, columns)
        for role in columns:
            principal = principal_of(role)
            if role in allowed_roles:
                try:
                    call(principal)
                except PermissionDenied:
                    problems.append(f"{name}: {role} is allowed but was refused")
                except PROGRAMMING_ERRORS as exc:
                    problems.append(f"{name} as {role}: broken case, {type(exc).__name__}: {exc}")
                except Exception as exc:
                    if errors is not None and not isinstance(exc, errors):
                        problems.append(f"{name} as {role}: unexpected {type(exc).__name__}: {exc}")
                continue
            before = audit_rows()
            try:
                call(principal)
            except PermissionDenied:
                pass
            except Exception as exc:
                problems.append(
                    f"{name}: {role} must be refused with PermissionDenied, got "
                    f"{type(exc).__name__}: {exc}"
                )
            else:
                problems.append(f"{name}: {role} was let through (deny by default)")
            written = audit_rows() - before
            if written:
                problems.append(f"{name}: refusing {role} wrote {written} audit row(s)")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


__all__ = [
    "ANONYMOUS_ROLE",
    "ENTRY_POINT_MODULES",
    "FROZEN_AT",
    "authorization_matrix",
    "entry_points",
    "form_token_of",
    "make_principal",
    "page_app",
    "page_text",
    "run_page",
    "service_modules",
]
