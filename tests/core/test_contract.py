"""The app contract, enforced by the registry: roles (declared, used only where allowed, not
twice), token type labels, lazy pages, interfaces, settings validated at load."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from core.config import Settings, load_settings
from core.registry import (
    CORE_ROLES,
    App,
    InterfaceError,
    Page,
    Panel,
    Registry,
    Role,
    TokenType,
    _order_and_check,
    get_registry,
    lazy,
    resolve,
    validate_manifest,
)


def _eps(**entries: str) -> list[EntryPoint]:
    return [EntryPoint(name=k, value=v, group="rapid.apps") for k, v in entries.items()]


class _Claims(BaseModel):
    n: str


# -- roles ------------------------------------------------------------------------------------


def test_roles_are_declared_by_core_and_the_apps_in_order():
    reg = get_registry()
    ids = reg.role_ids()
    assert ids[0] == "admin" and [r.id for r in CORE_ROLES] == ["admin"]
    assert {"admin", "business", "approver", "checkpoint", "health_officer"} <= set(ids)
    owners = {
        r.id: a.id for a in reg.apps for r in a.roles if not a.id.startswith(("tiny", "ward"))
    }
    assert owners == {
        "business": "travel_permit",
        "approver": "travel_permit",
        "checkpoint": "checkpoints",
        "health_officer": "health_declaration",
        "health_worker": "outreach",
    }
    # labels come from the declarations, through the catalog
    from core import i18n

    assert i18n.catalog()["role.health_officer"] == {"vi": "Cán bộ y tế", "en": "Health officer"}
    assert i18n.t_in("en", "role.admin") == "Administrator"


def test_a_role_of_an_app_that_is_not_a_dependency_is_a_manifest_error_naming_it():
    owner = App(id="owner", title_vi="o", title_en="o", roles=[Role("clerk", "Văn thư", "Clerk")])
    page = Page("user.page", "k", lambda: None, frozenset({"clerk"}))
    stranger = App(id="user", title_vi="u", title_en="u", pages=[page])
    ordered, errors = _order_and_check([owner, stranger])
    assert [a.id for a in ordered] == ["owner"]
    assert errors[0].name == "user" and "'clerk'" in errors[0].message
    assert "depends_on" in errors[0].message
    friend = App(
        id="user", title_vi="u", title_en="u", pages=[page], depends_on=("owner",), roles=[]
    )
    ordered, errors = _order_and_check([friend, owner])
    assert [a.id for a in ordered] == ["owner", "user"] and not errors


def test_panel_roles_are_checked_too_and_dependents_of_a_refused_app_are_refused():
    panel = Panel("b.panel", "k", lambda: None, frozenset({"nobody_declares_me"}))
    b = App(id="bbb", title_vi="b", title_en="b", panels=[panel])
    c = App(id="ccc", title_vi="c", title_en="c", depends_on=("bbb",))
    ordered, errors = _order_and_check([c, b])
    assert ordered == []
    messages = {e.name: e.message for e in errors}
    assert "'nobody_declares_me'" in messages["bbb"]
    assert "bbb" in messages["ccc"]


def test_the_same_role_declared_twice_is_an_error():
    one = App(id="one", title_vi="1", title_en="1", roles=[Role("clerk", "Văn thư", "Clerk")])
    two = App(id="two", title_vi="2", title_en="2", roles=[Role("clerk", "Thư ký", "Clerk")])
    ordered, errors = _order_and_check([one, two])
    assert [a.id for a in ordered] == ["one"]
    assert "'clerk'" in errors[0].message and "one" in errors[0].message
    again = App(id="three", title_vi="3", title_en="3", roles=[Role("admin", "A", "A")])
    assert "declared by core" in " ".join(validate_manifest(again))


def test_bad_role_declarations():
    app = App(
        id="roles_app",
        title_vi="r",
        title_en="r",
        roles=[
            Role("Bad Id", "x", "x"),
            Role("dup", "d", "d"),
            Role("dup", "d", "d"),
            Role("nolabel", "", "x"),
            Role("odd", "o", "o", scope="district"),  # type: ignore[arg-type]
        ],
    )
    problems = " ".join(validate_manifest(app))
    for fragment in ("'Bad Id'", "declared twice", "both labels", "'district'"):
        assert fragment in problems


def test_role_scope_kinds():
    ward = Role("w", "w", "w", scope="ward")
    province = Role("p", "p", "p", scope="province")
    anywhere = Role("a", "a", "a")
    assert ward.allows_scope("ward") and ward.allows_scope("province") and ward.allows_scope(None)
    assert province.allows_scope("province") and not province.allows_scope("ward")
    assert anywhere.allows_scope(None) and not anywhere.allows_scope("province")


def test_dependency_cycle_is_refused():
    a = App(id="aaa", title_vi="a", title_en="a", depends_on=("bbb",))
    b = App(id="bbb", title_vi="b", title_en="b", depends_on=("aaa",))
    ordered, errors = _order_and_check([a, b])
    assert ordered == [] and all("cycle" in e.message for e in errors)


# -- token type labels ------------------------------------------------------------------------


def test_token_type_reasons_fields_and_title_need_both_languages():
    tok = TokenType(
        "XY", "XY1:", "xy.token", _Claims, reasons=("OK", "LATE"), fields=("name", "age")
    )
    app = App(
        id="xy_app",
        title_vi="x",
        title_en="x",
        token_types=[tok],
        messages={
            "xy.token": {"vi": "Mã XY", "en": "XY code"},
            "xy.token.reason.OK": {"vi": "Được", "en": "Fine"},
            "xy.token.reason.LATE": {"vi": "", "en": "Late"},
            "xy.token.field.name": {"vi": "Tên", "en": "Name"},
        },
    )
    problems = " ".join(validate_manifest(app))
    assert "reason 'LATE'" in problems and "xy.token.reason.LATE" in problems
    assert "field 'age'" in problems
    assert "reason 'OK'" not in problems and "field 'name'" not in problems
    untitled = App(
        id="xy_app",
        title_vi="x",
        title_en="x",
        token_types=[TokenType("XY", "XY1:", "xy.nothing", _Claims)],
    )
    assert "xy.nothing" in " ".join(validate_manifest(untitled))


def test_installed_token_types_label_every_reason_their_rule_returns():
    from core import i18n

    for tt in get_registry().token_types():
        assert tt.title_key in i18n.catalog()
        for code in tt.reasons:
            assert tt.reason_key(code) in i18n.catalog(), (tt.type_id, code)
        for name in tt.fields:
            assert tt.field_key(name) in i18n.catalog(), (tt.type_id, name)


def test_the_checkpoint_plugin_holds_no_labels_of_the_other_apps():
    from checkpoints.messages import MESSAGES

    others = {code for tt in get_registry().token_types() for code in tt.reasons}
    others |= {name for tt in get_registry().token_types() for name in tt.fields}
    owned = {k.split(".", 2)[2] for k in MESSAGES if k.startswith(("cp.reason.", "cp.field."))}
    # the scanner keeps only its own reasons and the fields of foreign HC1 certificates
    assert owned <= {
        "UNKNOWN_TYPE",
        "NO_RULE",
        "RULE_ERROR",
        "INTERNAL_ERROR",
        "NOT_TEXT",
        "name",
        "dob",
        "entry",
        "kind",
        "issuer",
    }
    assert not (owned & others) - {"name"}  # "name" of an HC1 certificate is the scanner's


# -- lazy pages -------------------------------------------------------------------------------


def test_page_references_resolve_on_first_use():
    page = Page("x.p", "k", "core.text:nfc", frozenset())
    assert resolve(page.render) is __import__("core.text", fromlist=["nfc"]).nfc
    hook = lazy("core.text:nfc")
    assert hook("e\u0301") == "é" and hook == lazy("core.text:nfc")
    with pytest.raises(ValueError):
        lazy("not a reference")


def test_a_reference_to_a_missing_module_is_a_manifest_error():
    app = App(
        id="lazy_app",
        title_vi="l",
        title_en="l",
        pages=[Page("lazy_app.p", "k", "lazy_app.no_such_module:page", frozenset())],
        panels=[Panel("lazy_app.q", "k", "no spaces allowed:here", frozenset())],
        stats=lazy("lazy_app.nope:stats"),  # type: ignore[arg-type]
    )
    problems = " ".join(validate_manifest(app))
    assert "'lazy_app.no_such_module' not found" in problems
    assert "not a 'package.module:function' reference" in problems
    assert "stats: module 'lazy_app.nope' not found" in problems


def test_every_installed_page_and_panel_reference_resolves():
    for _, page in get_registry().pages():
        assert callable(resolve(page.render)), page.key
    for _, panel in get_registry().panels():
        assert callable(resolve(panel.render)), panel.key


# -- interfaces -------------------------------------------------------------------------------


def test_interface_lookup_and_clear_errors():
    reg = get_registry()
    fn = reg.interface("health_declaration", "co_checkins")
    assert fn.__name__ == "co_checkins" and fn.__module__ == "apps.health_declaration.service"
    with pytest.raises(InterfaceError, match="offers no interface 'nope'.*checkins_of"):
        reg.interface("health_declaration", "nope")
    with pytest.raises(InterfaceError, match="'ghost' is not installed"):
        reg.interface("ghost", "anything")


def test_home_isolation_never_imports_the_health_declaration_app():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "apps" / "home_isolation"
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.startswith("apps.health_declaration") for n in names), path


# -- settings validated at load ---------------------------------------------------------------


def _check(apps: dict) -> list[str]:
    return get_registry().check_settings(Settings(apps=apps))


def test_unknown_setting_is_named_with_a_suggestion():
    problems = _check({"travel_permit": {"quota_precent": 20}})
    assert problems == [
        "[apps.travel_permit] quota_precent: unknown setting; did you mean quota_percent?"
    ]


def test_bad_values_are_named():
    (problem,) = _check({"travel_permit": {"quota_percent": 500}})
    assert problem.startswith("[apps.travel_permit] quota_percent:") and "500" in problem
    (problem,) = _check({"home_isolation": {"f0_needs_negative_test": "maybe"}})
    assert "f0_needs_negative_test" in problem
    (problem,) = _check({"health_declaration": {"risk_rules": [{"condition": "x"}]}})
    assert problem.startswith("[apps.health_declaration] risk_rules.0.")


def test_unknown_app_and_app_without_settings():
    reg = Registry([App(id="bare", title_vi="b", title_en="b")], [])
    problems = reg.check_settings(Settings(apps={"bare": {"x": 1}, "travel_permitt": {}}))
    assert "[apps.bare]: the app bare has no settings" in problems
    assert any(p.startswith("[apps.travel_permitt]: no installed app") for p in problems)
    (hint,) = _check({"travel_permitt": {}})
    assert hint.endswith("did you mean travel_permit?")


def test_good_settings_from_toml_and_env_pass(tmp_path):
    cfg = tmp_path / "rapid.toml"
    cfg.write_text(
        "[apps.travel_permit]\nquota_percent = 20\n[apps.checkpoints]\nleeway_seconds = 5\n"
    )
    s = load_settings(cfg, environ={"RAPID_APPS__HOME_ISOLATION__F0_DAYS": "10"})
    assert get_registry().check_settings(s) == []
    from apps.home_isolation.models import IsolationSettings

    assert s.app_settings("home_isolation", IsolationSettings).f0_days == 10


def test_env_variables_are_checked_like_toml():
    env = {
        "RAPID_APPS__TRAVEL_PERMIT__QUOTA_PRECENT": "20",
        "RAPID_APPS__CHECKPOINTS__LEEWAY_SECONDS": "soon",
    }
    problems = get_registry().check_settings(load_settings(environ=env))
    assert "[apps.travel_permit] quota_precent: unknown setting; did you mean quota_percent?" in (
        problems
    )
    assert any(p.startswith("[apps.checkpoints] leeway_seconds:") for p in problems)


def test_a_list_setting_may_be_json_in_an_environment_variable():
    rules = '[{"condition": "exp_case", "colour": "red"}]'
    s = load_settings(environ={"RAPID_APPS__HEALTH_DECLARATION__RISK_RULES": rules})
    assert get_registry().check_settings(s) == []
    s = load_settings(environ={"RAPID_APPS__HEALTH_DECLARATION__RISK_RULES": "[not json"})
    (problem,) = get_registry().check_settings(s)
    assert problem.startswith("[apps.health_declaration] risk_rules")


class _Numbers(BaseModel):
    percent: int = Field(default=30, ge=1, le=100)
    ratio: float = 0.5
    on: bool = True


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(["percent", "ratio", "on", "percnt", "other"]),
    value=st.one_of(
        st.text(max_size=30), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none()
    ),
)
def test_settings_parser_never_crashes_and_always_names_the_key(key, value):
    from core.config import app_settings_problems

    problems = app_settings_problems("demo", _Numbers, {key: value})
    for problem in problems:
        assert problem.startswith(f"[apps.demo] {key}")
    if key in ("percnt", "other"):
        assert "unknown setting" in problems[0]
    if key == "percent" and isinstance(value, int) and not isinstance(value, bool):
        assert (problems == []) == (1 <= value <= 100)
    digits = value.strip().lstrip("+-") if isinstance(value, str) else ""
    if key == "percent" and digits.isascii() and digits.isdigit():
        assert (problems == []) == (1 <= int(value) <= 100)  # env text is parsed (lax mode)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=12), st.text(max_size=12), max_size=4))
def test_settings_of_any_shape_give_problems_not_exceptions(values):
    from core.config import app_settings_problems

    for problem in app_settings_problems("demo", _Numbers, values):
        assert problem.startswith("[apps.demo] ")
