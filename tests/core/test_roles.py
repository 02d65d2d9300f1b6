"""Several roles per user, each everywhere or scoped to a ward or a province: grants, the
ROLE@SCOPE syntax, area checks in services, audit rows, sessions ending on a change, and the
migration from the single ``users.role``. Scope is exercised with the ward-scoped role of the
test plugin ``tests/plugins/ward_app`` (no built-in role is scoped yet)."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import EntryPoint

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import accounts, geo, i18n
from core.auth import (
    ANONYMOUS,
    Area,
    Grant,
    GrantError,
    PermissionDenied,
    parse_grant,
    parse_scope,
    require,
    require_area,
)
from core.registry import Registry, set_registry
from core.testkit import authorization_matrix, make_principal

PASSWORD = "Mat-khau-2021"
AN_HAI = 20275  # Phường An Hải, Đà Nẵng (48)
OTHER_WARD = next(w.code for w in geo.wards(geo.DA_NANG) if w.code != AN_HAI)
HANOI = 1
HANOI_WARD = geo.wards(HANOI)[0].code


@pytest.fixture()
def with_ward_app() -> Iterator[Registry]:
    """The installed apps plus the test plugin with the ward-scoped role ``ward_worker``."""
    from importlib.metadata import entry_points

    eps = [*entry_points(group="rapid.apps")]
    eps = [e for e in eps if e.name not in ("tiny", "ward_app")]
    eps.append(EntryPoint(name="ward_app", value="tests.plugins.ward_app:app", group="rapid.apps"))
    reg = Registry.from_entry_points(eps)
    assert reg.get("ward_app") is not None, reg.errors
    set_registry(reg)
    i18n.reset_catalog()
    yield reg
    set_registry(None)
    i18n.reset_catalog()


@pytest.fixture()
def ward_store(with_ward_app, store):
    store.migrate(with_ward_app.all_migrations())
    return store


# -- the ROLE@SCOPE syntax --------------------------------------------------------------------


def test_parse_grant(with_ward_app):
    assert parse_grant("approver") == Grant("approver")
    assert parse_grant(" Ward_Worker@ward:20275 ") == Grant("ward_worker", f"ward:{AN_HAI}")
    assert parse_grant("ward_worker@province:48") == Grant("ward_worker", "province:48")
    assert parse_grant("ward_worker@*") == Grant("ward_worker")
    assert str(parse_grant("ward_worker@ward:20275")) == "ward_worker@ward:20275"


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("wizard", "“wizard”"),
        ("approver@ward:20275", "mọi nơi"),  # an unscoped role cannot be limited
        ("ward_worker@ward:999999", "999999"),
        ("ward_worker@province:99", "99"),
        ("ward_worker@district:5", "district:5"),
        ("ward_worker@", "VAI_TRÒ"),
        ("@ward:20275", "VAI_TRÒ"),
        ("", "VAI_TRÒ"),
    ],
)
def test_bad_grants_are_clear_errors(with_ward_app, text, fragment):
    with pytest.raises(GrantError) as err:
        parse_grant(text)
    assert fragment in str(err.value)


def test_a_province_scoped_role_cannot_be_limited_to_a_ward(with_ward_app):
    from core.auth import check_grant
    from core.registry import Role

    role = Role("inspector", "Thanh tra", "Inspector", scope="province")
    assert check_grant(Grant("inspector", "province:48"), role).scope == "province:48"
    with pytest.raises(GrantError, match="province"):
        check_grant(Grant("inspector", f"ward:{AN_HAI}"), role)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.builds(
            lambda r, k, c: f"{r}@{k}:{c}",
            st.sampled_from(["ward_worker", "approver", "admin", "x", "WARD_WORKER"]),
            st.sampled_from(["ward", "province", "district", "WARD", ""]),
            st.one_of(st.integers(-5, 10**7).map(str), st.text(max_size=6)),
        ),
    )
)
def test_grant_parser_accepts_or_refuses_clearly(text):
    """Outside input (CLI, admin page): a checked Grant that round-trips, or GrantError."""
    reg = Registry.from_entry_points(
        [EntryPoint(name="ward_app", value="tests.plugins.ward_app:app", group="rapid.apps")]
    )
    set_registry(reg)
    try:
        try:
            grant = parse_grant(text)
        except GrantError as exc:
            assert str(exc)
            return
        assert grant.role in reg.role_ids()
        assert parse_grant(str(grant)) == grant
        area = grant.area
        if area is not None:
            assert area.kind in ("ward", "province")
            assert geo.is_ward(area.code) if area.kind == "ward" else area.province_code
    finally:
        set_registry(None)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_scope_parser_never_crashes(text):
    try:
        scope = parse_scope(text)
    except GrantError:
        return
    assert scope == "" or parse_scope(scope) == scope


# -- areas ------------------------------------------------------------------------------------


def test_area_rules():
    ward = Area("ward", AN_HAI)
    province = Area("province", geo.DA_NANG)
    assert ward.province_code == geo.DA_NANG  # a ward scope implies its province
    assert ward.allows(ward_code=AN_HAI) and ward.allows(ward_code=AN_HAI, province_code=48)
    assert not ward.allows(ward_code=OTHER_WARD)
    assert not ward.allows(province_code=48)  # a province-wide object is outside one ward
    assert not ward.allows(ward_code=AN_HAI, province_code=HANOI)  # inconsistent: deny
    assert not ward.allows()  # nothing given: deny by default
    assert province.allows(ward_code=OTHER_WARD) and province.allows(province_code=48)
    assert not province.allows(ward_code=HANOI_WARD) and not province.allows(province_code=HANOI)
    assert not province.allows(ward_code=123456789) and not ward.allows(ward_code="x")  # type: ignore[arg-type]
    assert ward.label() == geo.ward_name(AN_HAI)


def test_require_area(with_ward_app):
    ward = make_principal("w", "ward_worker", scopes={"ward_worker": f"ward:{AN_HAI}"})
    everywhere = make_principal("e", "ward_worker")
    assert ward.area("ward_worker") == Area("ward", AN_HAI)
    assert everywhere.area("ward_worker") is None
    assert require_area(ward, "ward_worker", ward_code=AN_HAI) is ward
    with pytest.raises(PermissionDenied, match=geo.ward_name(AN_HAI)):
        require_area(ward, "ward_worker", ward_code=OTHER_WARD)
    require_area(everywhere, "ward_worker", ward_code=HANOI_WARD)
    for nobody in (ANONYMOUS, None, make_principal("a", "approver")):
        with pytest.raises(PermissionDenied):
            require_area(nobody, "ward_worker", ward_code=AN_HAI)
    with pytest.raises(PermissionDenied):
        make_principal("a", "approver").area("ward_worker")
    with pytest.raises(ValueError, match="unknown roles"):
        require(ward, "wizard")


def test_a_scoped_plugin_service_acts_in_its_ward_only(ward_store):
    from tests.plugins.ward_app import service

    ward = make_principal("w", f"ward_worker@ward:{AN_HAI}")
    province = make_principal("p", "ward_worker@province:48")
    city = make_principal("c", "ward_worker")
    service.add_note(ward, AN_HAI, "mine")
    with pytest.raises(PermissionDenied):
        service.add_note(ward, OTHER_WARD, "not mine")
    service.add_note(province, OTHER_WARD, "province")
    service.add_note(city, HANOI_WARD, "far away")
    assert [r["body"] for r in service.list_notes(ward)] == ["mine"]
    assert {r["body"] for r in service.list_notes(province)} == {"mine", "province"}
    assert len(service.list_notes(city)) == 3
    assert service.province_report(province, 48) == "report 48"
    with pytest.raises(PermissionDenied):
        service.province_report(ward, 48)


def test_the_matrix_covers_the_scoped_plugin(ward_store):
    from tests.plugins.ward_app import service

    authorization_matrix(
        [service],
        {
            "add_note": (lambda p: service.add_note(p, AN_HAI, "x"), {"ward_worker"}),
            "list_notes": (lambda p: service.list_notes(p), {"ward_worker"}),
            "province_report": (lambda p: service.province_report(p, 48), {"ward_worker"}),
        },
    )


# -- accounts ---------------------------------------------------------------------------------


def test_create_with_several_grants_list_and_principal(ward_store, admin):
    user = accounts.create_user(
        admin, "lan", "Nguyễn Thị Lan", ["approver", f"ward_worker@ward:{AN_HAI}"], PASSWORD
    )
    assert user.grants == (Grant("approver"), Grant("ward_worker", f"ward:{AN_HAI}"))
    (listed,) = accounts.list_users(admin)
    assert listed.grant_labels() == [
        "Cán bộ phê duyệt",
        f"Cán bộ phường (thử nghiệm) ({geo.ward_name(AN_HAI)})",
    ]
    principal = accounts.authenticate("lan", PASSWORD)
    assert principal.has("approver") and principal.has("ward_worker")
    assert principal.area("ward_worker") == Area("ward", AN_HAI)
    assert principal.area("approver") is None
    row = ward_store.records("SELECT details FROM audit_log WHERE action = 'user.create'")[0]
    assert "ward_worker@ward:20275" in row["details"]


@pytest.mark.parametrize(
    "roles, code",
    [
        ([], "bad_role"),
        (["approver", "approver@*"], "bad_role"),
        (["wizard"], "bad_role"),
        (["approver@ward:20275"], "bad_role"),
    ],
)
def test_bad_grants_create_nothing(ward_store, admin, roles, code):
    with pytest.raises(accounts.AccountError) as err:
        accounts.create_user(admin, "lan", "Lan", roles, PASSWORD)
    assert err.value.code == code and err.value.field == "roles"
    assert accounts.count_users() == 0


def test_grant_revoke_are_audited_and_end_sessions(ward_store, admin):
    accounts.create_user(admin, "lan", "Lan", "approver", PASSWORD)
    user = accounts.get_user("lan")
    stamp = accounts.session_stamp(user.id)
    accounts.grant_role(admin, "lan", f"ward_worker@ward:{AN_HAI}")
    assert accounts.session_stamp(user.id) != stamp
    with pytest.raises(accounts.AccountError, match="thu hồi trước"):
        accounts.grant_role(admin, "lan", "ward_worker@province:48")
    stamp = accounts.session_stamp(user.id)
    accounts.set_grants(admin, "lan", ["approver", "ward_worker@province:48"])  # scope changed
    assert accounts.session_stamp(user.id) != stamp
    assert accounts.get_user("lan").grants[1] == Grant("ward_worker", "province:48")
    accounts.revoke_role(admin, "lan", "ward_worker")
    with pytest.raises(accounts.AccountError):
        accounts.revoke_role(admin, "lan", "ward_worker")
    with pytest.raises(accounts.AccountError, match="vô hiệu hóa"):
        accounts.revoke_role(admin, "lan", "approver")  # the last role stays
    rows = ward_store.records(
        "SELECT action, details FROM audit_log WHERE action IN ('user.grant', 'user.revoke')"
        " ORDER BY id"
    )
    assert [r["action"] for r in rows] == ["user.grant", "user.revoke", "user.grant", "user.revoke"]
    assert '"scope": "province:48"' in rows[2]["details"]
    nobody_else = make_principal("x", "approver")
    for call in (
        lambda: accounts.grant_role(nobody_else, "lan", "admin"),
        lambda: accounts.revoke_role(nobody_else, "lan", "approver"),
        lambda: accounts.set_grants(nobody_else, "lan", ["admin"]),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_an_admin_cannot_revoke_their_own_admin_role(store, admin):
    boss = accounts.create_user(admin, "boss", "Boss", ["admin", "approver"], PASSWORD)
    me = accounts.principal_for(boss)
    with pytest.raises(accounts.AccountError) as err:
        accounts.revoke_role(me, "boss", "admin")
    assert err.value.code == "self_admin"
    accounts.revoke_role(me, "boss", "approver")


def test_demo_users_keep_their_one_role(store):
    from core.demo import DEMO_USERS, ensure_demo_users

    ensure_demo_users(store)
    for username, _, role in DEMO_USERS:
        assert accounts.get_user(username).grants == (Grant(role),)


# -- the migration from users.role --------------------------------------------------------------


def test_migration_copies_the_single_role(tmp_path, settings):
    from core.registry import get_registry
    from core.store import Store

    store = Store(tmp_path / "old.duckdb")
    migrations = get_registry().all_migrations()
    old = [m for m in migrations if not (m.app_id == "core" and m.version >= 4)]
    store.migrate(old)
    store.execute(
        "INSERT INTO users (id, username, full_name, role, password_hash, created_at)"
        " VALUES ('u1', 'lan', 'Lan', 'approver', 'h', now()), ('u2', 'an', 'An', 'admin', 'h',"
        " now())"
    )
    store.execute("INSERT INTO login_sessions VALUES ('t', 'u1', 's', now(), now())")
    applied = store.migrate(migrations)
    assert ("core", 4) in [(m.app_id, m.version) for m in applied]
    assert store.fetchall("SELECT user_id, role, scope FROM user_roles ORDER BY user_id") == [
        ("u1", "approver", ""),
        ("u2", "admin", ""),
    ]
    assert "role" not in {r[0] for r in store.fetchall("DESCRIBE users")}
    assert accounts.get_user("lan", store=store).grants == (Grant("approver"),)
    store.close()
