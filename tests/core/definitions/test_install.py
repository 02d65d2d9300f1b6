"""Installing definitions: all or nothing, admins only, audited; versions kept; a new version
widens the table and keeps a dropped field's data; deactivation; the folder import; every
server process picks a change up through the generation counter."""

from __future__ import annotations

import pytest

from core.auth import PermissionDenied
from core.definitions import install, service
from core.forms.model import DefinitionError
from core.registry import Registry, get_registry
from core.testkit import make_principal
from tests.core.definitions.conftest import (
    HAI_CHAU,
    MARKET,
    RELIEF,
    VACCINATION,
    example,
    market_answers,
    sheets_of,
    workbook,
)


def audit_actions(store) -> list[str]:
    return [r[0] for r in store.fetchall("SELECT action FROM audit_log ORDER BY id")]


def test_install_serves_the_app_without_a_restart(store, install_app):
    done = install_app(MARKET)
    assert done.new and done.active and done.version == 1
    app = get_registry().get(MARKET)
    assert app is not None and app.title_vi == "Phiếu đi chợ"
    assert {p.key for p in app.pages} >= {f"{MARKET}.submit", f"{MARKET}.list", f"{MARKET}.codes"}
    assert get_registry().token_type_for("MV1:ABC").type_id == "MV1"
    assert get_registry().role("can_bo_phuong").scope == "ward"
    from core.i18n import t

    assert t("role.can_bo_phuong") == "Cán bộ phường (phiếu đi chợ)"
    assert t("phieu_di_cho.token.reason.WRONG_DAY").startswith("Hôm nay không phải")
    assert "definition.install" in audit_actions(store)
    assert store.table_columns("app_phieu_di_cho")["household_no"] == "BIGINT"


def test_only_admins_install(store):
    for who in (make_principal("a", "approver"), make_principal("x")):
        with pytest.raises(PermissionDenied):
            install.install(who, example(MARKET), store=store)
    assert store.scalar("SELECT count(*) FROM definition_apps") == 0


def test_a_half_valid_upload_activates_nothing(store, admin):
    sheets = sheets_of(RELIEF)
    sheets["rules"][2][0] = "twice"  # the form is fine, one rule is not
    before = [a.id for a in get_registry().apps]
    with pytest.raises(DefinitionError) as refused:
        install.install(admin, workbook(sheets), store=store)
    assert [(p.sheet, p.row, p.column) for p in refused.value.problems] == [
        ("rules", 3, "condition")
    ]
    assert store.scalar("SELECT count(*) FROM definition_apps") == 0
    assert store.table_columns("app_ho_tro_cuu_tro") == {}
    assert [a.id for a in get_registry().apps] == before
    assert "definition.install" not in audit_actions(store)


def test_the_same_workbook_twice_is_one_version(store, install_app):
    data = example(MARKET)  # the same bytes (a workbook saved again has new timestamps)
    install_app(data)
    again = install_app(data)
    assert not again.new and again.version == 1
    assert store.scalar("SELECT count(*) FROM definition_apps") == 1


def test_a_new_version_adds_columns_and_keeps_a_dropped_fields_data(store, install_app):
    install_app(MARKET)
    official = make_principal("p", f"can_bo_phuong@ward:{HAI_CHAU}")
    first = service.submit(official, MARKET, market_answers(1))
    sheets = sheets_of(MARKET)
    sheets["settings"][1][3] = "2"
    sheets["survey"] = [r for r in sheets["survey"] if r[1] != "phone"]  # drop a field
    sheets["survey"].append(["text", "landmark", "Gần chỗ nào", "Near what", "no"])  # add one
    done = install_app(workbook(sheets))
    assert done.version == 2 and done.new
    cols = store.table_columns("app_phieu_di_cho")
    assert "landmark" in cols and "phone" in cols  # the old column stays
    second = service.submit(official, MARKET, {**market_answers(2), "landmark": "Cầu Rồng"})
    assert second.id > first.id
    d = install.definition(MARKET)
    assert install.retired_columns(store, d) == ["phone"]
    text = service.export(official, MARKET, "csv").decode("utf-8-sig")
    header = text.splitlines()[0]
    assert "phone (trường đã bỏ ở phiên bản mới)" in header and "Gần chỗ nào" in header
    assert "0905123456" in text  # the old answer is still exported
    rows = install.versions(make_principal("a", "admin"), MARKET, store=store)
    assert [(r["version"], r["active"]) for r in rows] == [(2, True), (1, False)]


def test_a_field_may_not_change_type(store, install_app):
    install_app(MARKET)
    sheets = sheets_of(MARKET)
    sheets["survey"][2][0] = "text"  # household_no: integer -> text
    sheets["survey"][2][10] = ""
    sheets["rules"] = [sheets["rules"][0], sheets["rules"][1]]  # (odd/even needs a number)
    with pytest.raises(DefinitionError) as refused:
        install_app(workbook(sheets))
    assert [(p.sheet, p.row, p.column) for p in refused.value.problems] == [("survey", 3, "type")]


def test_deactivate_keeps_the_data_and_can_come_back(store, install_app, admin):
    install_app(MARKET)
    official = make_principal("p", f"can_bo_phuong@ward:{HAI_CHAU}")
    service.submit(official, MARKET, market_answers(1))
    assert install.deactivate(admin, MARKET, store=store)
    assert get_registry().get(MARKET) is None
    assert not install.deactivate(admin, MARKET, store=store)
    with pytest.raises(service.DefinitionAppError):
        service.submit(official, MARKET, market_answers(2))
    assert store.scalar("SELECT count(*) FROM app_phieu_di_cho") == 1
    install.activate_version(admin, MARKET, 1, store=store)
    assert get_registry().get(MARKET) is not None
    assert "definition.deactivate" in audit_actions(store)
    with pytest.raises(PermissionDenied):
        install.deactivate(official, MARKET, store=store)


def test_another_server_process_picks_the_change_up(store, install_app, admin):
    """A second registry stands for another server process on the same database."""
    other = Registry.from_entry_points()
    assert not install.sync(store, other) or other.get(MARKET) is None
    install_app(MARKET)
    assert install.sync(store, other) and other.get(MARKET) is not None
    assert not install.sync(store, other)  # nothing moved: one cheap read
    install.deactivate(admin, MARKET, store=store)
    assert install.sync(store, other) and other.get(MARKET) is None


def test_the_apps_folder_is_imported_by_checksum(store, tmp_path, monkeypatch):
    folder = tmp_path / "apps"
    folder.mkdir()
    (folder / "cho.xlsx").write_bytes(example(MARKET))
    broken = sheets_of(RELIEF)
    broken["survey"][1][0] = "txet"
    (folder / "broken.xlsx").write_bytes(workbook(broken))
    (folder / "~$cho.xlsx").write_bytes(b"lock file")
    monkeypatch.setenv("RAPID_APPS_DIR", str(folder))
    out = dict(install.import_folder(store))
    assert out["cho.xlsx"].startswith("installed phieu_di_cho")
    assert "survey, row 2, column 'type'" in out["broken.xlsx"]
    assert "~$cho.xlsx" not in out
    assert get_registry().get(MARKET) is not None
    assert dict(install.import_folder(store))["cho.xlsx"] == "already installed"


def test_the_three_examples_live_together(store, install_app):
    for app_id in (MARKET, VACCINATION, RELIEF):
        install_app(app_id)
    reg = get_registry()
    assert not reg.errors
    assert set([a.id for a in reg.apps][-3:]) == {MARKET, VACCINATION, RELIEF}
    assert {"MV1:", "VX1:", "RA1:"} <= {t.prefix for t in reg.token_types()}


def test_the_definition_machinery_imports_no_ui_library():
    import subprocess
    import sys

    from tests.core.definitions.conftest import ROOT

    code = (
        "import sys, core.definitions.install, core.definitions.service,"
        " core.definitions.manifest, core.definitions.token, core.definitions.workbook;"
        " print(','.join(m for m in ('streamlit', 'altair', 'cv2') if m in sys.modules) or '-')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "-"


def test_only_admins_manage_definitions(store, install_app):
    """Every principal-first entry point of the installer, for every role: admins only."""
    from core.testkit import authorization_matrix

    install_app(MARKET)
    data = example(VACCINATION)
    authorization_matrix(
        [install],
        {
            "install": (lambda p: install.install(p, data, store=store), {"admin"}),
            "activate_version": (
                lambda p: install.activate_version(p, MARKET, 1, store=store),
                {"admin"},
            ),
            "deactivate": (lambda p: install.deactivate(p, "tiem_chung", store=store), {"admin"}),
            "versions": (lambda p: install.versions(p, store=store), {"admin"}),
            "workbook_bytes": (
                lambda p: install.workbook_bytes(p, MARKET, 1, store=store),
                {"admin"},
            ),
        },
    )


def test_a_half_valid_new_version_leaves_the_active_one_alone(store, install_app):
    """A second version with one good new field and one bad rule: refused whole; the first
    version stays active and its table gains no column."""
    first = install_app(RELIEF)
    columns = dict(store.table_columns("app_ho_tro_cuu_tro"))
    sheets = sheets_of(RELIEF)
    sheets["survey"].insert(3, ["text", "landmark", "Gần đâu", "Near"])  # fine on its own
    sheets["rules"][2][1] = "nope_field"  # names no field
    with pytest.raises(DefinitionError) as refused:
        install_app(workbook(sheets))
    assert {p.sheet for p in refused.value.problems} == {"rules"}
    assert store.scalar("SELECT count(*) FROM definition_apps") == 1
    assert dict(store.table_columns("app_ho_tro_cuu_tro")) == columns
    assert install.definition(RELIEF).checksum == first.checksum


def test_commands_read_the_definitions_of_the_configured_database(store, settings, install_app):
    """``rapid users/roles/...`` name a definition app's roles before they open the store:
    ``attach_readonly`` reads the definitions from what ``store_target`` names, a DuckDB file
    (when no one holds it) or a PostgreSQL URL."""
    from importlib.metadata import entry_points

    from core.store import store_target
    from core.testkit import testing_postgres

    install_app(MARKET)
    if not testing_postgres():
        store.close()  # a DuckDB file is opened read-only only when no one holds it
    fresh = Registry.from_entry_points(list(entry_points(group="rapid.apps")))
    assert fresh.get(MARKET) is None
    assert install.attach_readonly(store_target(settings), fresh)
    assert fresh.get(MARKET) is not None
