"""AppTest pages per role."""

from __future__ import annotations

import pytest

from apps.health_declaration import service
from core.auth import ANONYMOUS
from core.testkit import make_principal, run_page
from core.testkit import page_text as _texts
from tests.apps.health_declaration.conftest import WARD, area_form, form


def test_declare_for_someone_errors_then_pass(hd):
    """Staff at a checkpoint declare for a person without a phone (the citizens' own page is
    the light HTML one, tests/apps/health_declaration/test_web.py)."""
    at = run_page("health_declaration.declare_for", make_principal("chot", "checkpoint"))
    assert not at.exception
    at.text_input(key="hd_declare:full_name").input("<script>alert(1)</script>")
    at.text_input(key="hd_declare:birth_year").input("2099")
    at.text_input(key="hd_declare:person_id").input("123")
    at.text_input(key="hd_declare:phone").input("12345")
    at.button(key="hd_declare::send").click()
    at.run()
    text = _texts(at)
    assert "12 chữ số" in text and "tương lai" in text and "chữ cái" in text
    assert hd.scalar("SELECT count(*) FROM hd_declarations") == 0
    assert at.text_input(key="hd_declare:phone").value == "12345"  # kept beside its error
    at.text_input(key="hd_declare:full_name").input("Nguyễn Thị Thu Hà")
    at.text_input(key="hd_declare:birth_year").input("1985")
    at.text_input(key="hd_declare:person_id").input("048185000123")
    at.text_input(key="hd_declare:phone").input("0905123456")
    at.text_input(key="hd_declare:street").input("12 Bạch Đằng")
    at.radio(key="hd_declare:sex").set_value("F")
    at.selectbox(key="hd_declare:ward_code").set_value(WARD)
    at.checkbox(key="hd_declare:committed").check()
    at.button(key="hd_declare::send").click()
    at.run()
    assert not at.exception
    assert hd.scalar("SELECT count(*) FROM hd_declarations") == 1
    assert "Nguyễn Thị Thu Hà" in _texts(at)
    assert len(at.get("download_button")) == 1


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("health_declaration.venues", {"business", "health_officer"}),
        ("health_declaration.areas", {"health_officer"}),
        ("health_declaration.dashboard", {"health_officer"}),
        ("health_declaration.paper", {"health_officer"}),
        ("health_declaration.declare_for", {"health_officer", "checkpoint"}),
    ],
)
@pytest.mark.parametrize(
    "role", ["anonymous", "admin", "business", "approver", "checkpoint", "health_officer"]
)
def test_pages_per_role(hd, page, allowed, role):
    principal = ANONYMOUS if role == "anonymous" else make_principal(f"u_{role}", role)
    if role == "health_officer":
        service.submit_declaration(None, form(exposures=["exp_case"]))
    at = run_page(page, principal)
    assert not at.exception, at.exception
    denied = any("quyền" in e.value or "đăng nhập" in e.value for e in at.error)
    assert denied == (role not in allowed)


def test_areas_page_lists_a_province_wide_area_and_a_ward_area(hd, officer):
    """A province-wide area has no ward code (NULL): the page crashed on it."""
    from core import clock, geo

    province = geo.ward_province(WARD)
    service.add_area(
        officer, area_form(province, None, clock.today_local(), None, "Toàn thành phố")
    )
    service.add_area(officer, area_form(province, WARD, clock.today_local(), None, "Một phường"))
    at = run_page("health_declaration.areas", officer)
    assert not at.exception, at.exception
    shown = at.dataframe[0].value
    assert len(shown) == 2
    assert set(shown["Phường/xã"]) == {geo.ward_name(WARD), "Cả tỉnh/thành phố"}
    assert set(shown["Đến ngày"]) == {"Chưa có ngày kết thúc"}
    # the picker names the place, never an id
    options = at.selectbox(key="hd_area_sel").options
    assert any(o.startswith(f"{geo.ward_name(WARD)}, ") for o in options)
    assert any(o.startswith("Cả tỉnh/thành phố ") for o in options)
    assert not any(o.isdigit() for o in options)
