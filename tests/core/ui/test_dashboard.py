"""The shared dashboard (``core.dashboard``): each panel whose roles the user holds, under its
app's title and its own title; a failing panel is an error box and the rest still draw."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

import pytest

from core import i18n
from core.registry import Registry, set_registry
from core.testkit import make_principal, page_text, run_page
from core.ui.shell import find_page


def _headers(at) -> list[str]:
    return [h.value for h in at.header]


def _subheaders(at) -> list[str]:
    return [h.value for h in at.subheader]


def test_a_user_with_two_roles_sees_the_panels_of_both(store):
    at = run_page("core.dashboard", make_principal("hai_vai", "approver", "health_officer"))
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Bảng tổng hợp"
    assert _headers(at) == [
        "Khai báo y tế",
        "Cách ly tại nhà",
        "Theo dõi người có nguy cơ",
        "Giấy đi đường",
    ]
    subs = _subheaders(at)
    for title in ("Giấy đi đường", "Khai báo y tế: tổng quan", "Danh sách đỏ/vàng"):
        assert title in subs


def test_one_role_sees_only_its_panels(store):
    at = run_page("core.dashboard", make_principal("duyet", "approver"), locale="en")
    assert not at.exception, at.exception
    assert _headers(at) == ["Travel permits"]
    at = run_page("core.dashboard", make_principal("yte", "health_officer"))
    assert _headers(at) == [
        "Khai báo y tế",
        "Cách ly tại nhà",
        "Theo dõi người có nguy cơ",
        "Giấy đi đường",
    ]


def test_roles_without_panels_do_not_get_the_dashboard(store):
    page = find_page("core.dashboard")
    assert page is not None and page.roles == {"approver", "health_officer", "health_worker"}
    for role in ("business", "checkpoint", "admin"):
        at = run_page("core.dashboard", make_principal("x", role))
        # the refusal (under the page's own heading), and no app's panels
        assert at.error and _headers(at) == ["Bảng tổng hợp"], (role, _headers(at))
    assert run_page("core.dashboard").error  # anonymous: log in first


@pytest.fixture()
def with_ward_app():
    eps = [e for e in entry_points(group="rapid.apps") if e.name not in ("tiny", "ward_app")]
    eps.append(EntryPoint(name="ward_app", value="tests.plugins.ward_app:app", group="rapid.apps"))
    set_registry(Registry.from_entry_points(eps))
    i18n.reset_catalog()
    yield
    set_registry(None)
    i18n.reset_catalog()


def test_a_failing_panel_is_an_error_box_and_the_others_still_draw(store, with_ward_app):
    who = make_principal("w", "ward_worker", "approver")
    at = run_page("core.dashboard", who)
    assert not at.exception, at.exception
    (error,) = [e.value for e in at.error]
    assert "Bảng hỏng" in error and "RuntimeError" in error
    text = page_text(at)
    assert "ward notes panel drawn" in text  # the panel after the broken one
    assert _headers(at) == ["Giấy đi đường", "Ghi chú phường"]


def _kpi_page(locale: str) -> None:
    """A page of four key figures, the second with its share of the first."""
    from core import i18n
    from core.ui.dashboard import Kpi, kpis

    i18n.set_locale(locale)
    kpis(
        [
            Kpi("Khai báo", 6_131_000),
            Kpi("Sốt hoặc ho", 31_973, share=31_973 / 6_131_000),
            Kpi("Tiếp xúc", 15_396, help="F1"),
            Kpi("Chưa rõ", None),
        ]
    )


@pytest.mark.parametrize(
    ("locale", "values", "share"),
    [
        ("vi", ["6.131.000", "31.973", "15.396", ""], "Chiếm 0,5 % tổng số"),
        ("en", ["6,131,000", "31,973", "15,396", ""], "0.5% of the total"),
    ],
)
def test_key_figures_grouped_with_the_share_as_words_not_a_delta(locale, values, share):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_kpi_page, args=(locale,)).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == values
    assert all(not m.delta for m in at.metric)  # no green "up" arrow for a share
    assert [c.value for c in at.caption] == [share]
    assert len(at.columns) == 6  # three a row: two rows for four figures


def test_kpi_texts():
    from core.ui.dashboard import Kpi, kpi_share, kpi_value

    assert kpi_value(Kpi("x", 1234.4)) == "1.234"
    assert kpi_share(Kpi("x", 5)) == ""
    i18n.set_locale("en")
    try:
        assert kpi_share(Kpi("x", 5, share=0.25)) == "25.0% of the total"
    finally:
        i18n.set_locale("vi")
