import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from core.registry import App, Page, Registry, _order_and_check, validate_manifest
from core.store import Store
from tests.plugins.install import activate, write_dist


def _eps(**entries: str) -> list[EntryPoint]:
    return [EntryPoint(name=k, value=v, group="rapid.apps") for k, v in entries.items()]


def test_tiny_plugin_through_a_real_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # sys.path comes back after the test: the tiny plugin must not join later registries
    # (the PostgreSQL template database of the session was migrated without it)
    monkeypatch.setattr(sys, "path", list(sys.path))
    site = write_dist(tmp_path / "site", {"tiny": "tests.plugins.tiny_app:app"})
    activate(site)
    from importlib.metadata import entry_points

    eps = [ep for ep in entry_points(group="rapid.apps") if ep.name == "tiny"]
    assert eps, "the dist-info entry point is visible to importlib.metadata"
    reg = Registry.from_entry_points(eps)
    assert [a.id for a in reg.apps] == ["tiny"] and not reg.errors
    # its page, migration and demo seeder are used by core
    assert reg.page("tiny.hello") is not None
    store = Store(tmp_path / "db.duckdb")
    applied = store.migrate(reg.all_migrations())
    assert ("tiny", 1) in {(m.app_id, m.version) for m in applied}
    from core.registry import DemoContext

    reg.get("tiny").seed_demo(DemoContext(store=store, scale="small", progress=lambda f, s: None))
    assert store.scalar("SELECT name FROM tiny_things") == "seeded-small"
    assert reg.token_type_for("ZZ1:ABC").type_id == "ZZ"


def test_broken_plugins_are_reported_by_name_and_the_rest_loads():
    reg = Registry.from_entry_points(
        _eps(
            tiny="tests.plugins.tiny_app:app",
            broken="tests.plugins.broken_import:app",
            badmanifest="tests.plugins.tiny_app:broken_manifest",
            notapp="tests.plugins.tiny_app:hello_page",
            missing="tests.plugins.no_such_module:app",
        )
    )
    assert [a.id for a in reg.apps] == ["tiny"]
    errors = {e.name: e.message for e in reg.errors}
    assert set(errors) == {"broken", "badmanifest", "notapp", "missing"}
    assert "import failed" in errors["broken"] and "broken on purpose" in errors["broken"]
    assert "bad manifest" in errors["badmanifest"]


def test_manifest_validation_messages():
    bad = App(
        id="ok_app",
        title_vi="A",
        title_en="B",
        pages=[Page("other.page", "k", lambda: None, frozenset({"wizard"}))],
        messages={"k": {"vi": "x"}},
    )
    problems = " ".join(validate_manifest(bad))
    assert "must start with 'ok_app.'" in problems
    assert "needs exactly vi and en" in problems
    # which roles a manifest may name depends on its dependencies: the registry checks it
    ordered, errors = _order_and_check([bad])
    assert not ordered and "'wizard'" in errors[0].message


def test_dependency_order_and_missing_dependency():
    a = App(id="aaa", title_vi="a", title_en="a", depends_on=("bbb",))
    b = App(id="bbb", title_vi="b", title_en="b")
    c = App(id="ccc", title_vi="c", title_en="c", depends_on=("zzz",))
    ordered, errors = _order_and_check([a, b, c])
    assert [x.id for x in ordered] == ["bbb", "aaa"]
    assert errors[0].name == "ccc" and "zzz" in errors[0].message


def test_installed_apps_use_the_same_contract():
    reg = Registry.from_entry_points()
    for app in reg.apps:
        assert validate_manifest(app) == []


def test_the_shell_serves_the_plugin_page_to_its_role_only(store):
    from core import i18n
    from core.registry import set_registry
    from core.testkit import make_principal, run_page

    set_registry(Registry.from_entry_points(_eps(tiny="tests.plugins.tiny_app:app")))
    i18n.reset_catalog()
    try:
        at = run_page("tiny.hello", make_principal("a", "tiny_user"), locale="en")
        assert not at.exception
        assert at.title[0].value == "Tiny hello"
        at = run_page("tiny.hello", make_principal("b", "admin"))
        assert at.error and not at.title
    finally:
        set_registry(None)
        i18n.reset_catalog()
