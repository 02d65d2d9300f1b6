"""The pages of a definition app and the admin page, run as Streamlit AppTests under the
shell's rules (login, roles)."""

from __future__ import annotations

from core.definitions import service
from core.testkit import make_principal, page_text, run_page
from tests.core.definitions.conftest import (
    AN_HAI,
    HAI_CHAU,
    MARKET,
    RELIEF,
    VACCINATION,
    market_answers,
    relief_answers,
)

OFFICIAL = make_principal("phuong", f"can_bo_phuong@ward:{HAI_CHAU}")
RELIEF_OFFICIAL = make_principal("xa", f"can_bo_xa@ward:{AN_HAI}")


def test_staff_submit_page_shows_each_error_beside_its_field(store, install_app):
    install_app(MARKET)
    at = run_page(f"{MARKET}.submit", OFFICIAL)
    assert not at.exception
    text = page_text(at)
    assert "Phiếu đi chợ" in text and "Chủ hộ *" in text
    key = f"da_{MARKET}_submit"
    at.text_input(key=f"{key}:head").input("Trần Thị Bích Ngọc").run()
    at.text_input(key=f"{key}:phone").input("12345").run()
    at.button(key=f"{key}::send").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) >= 3, errors  # the form's summary and one per bad or missing answer
    assert at.text_input(key=f"{key}:head").value == "Trần Thị Bích Ngọc"  # kept
    assert store.scalar("SELECT count(*) FROM app_phieu_di_cho") == 0


def test_public_apps_have_light_pages_not_streamlit_ones(store, install_app):
    """A citizens' form and look-up are light HTML (``/a/<app_id>``, tests/.../test_web.py);
    the staff pages stay in Streamlit."""
    from core.registry import get_registry

    install_app(RELIEF)
    keys = {p.key for p in get_registry().get(RELIEF).pages}
    assert f"{RELIEF}.submit" not in keys and f"{RELIEF}.status" not in keys
    assert {f"{RELIEF}.review", f"{RELIEF}.list", f"{RELIEF}.codes"} <= keys


def test_staff_pages_open_for_their_roles_only(store, install_app):
    install_app(MARKET)
    service.submit(OFFICIAL, MARKET, market_answers(1))
    for page in ("submit", "list", "upload", "codes"):
        at = run_page(f"{MARKET}.{page}", OFFICIAL)
        assert not at.exception and not at.error, (page, [e.value for e in at.error])
    at = run_page(f"{MARKET}.codes", OFFICIAL)
    assert "Tải thẻ in A4 (PDF)" in [b.label for b in at.get("download_button")] or at.get(
        "download_button"
    )
    assert run_page(f"{MARKET}.list", make_principal("a", "approver")).error
    assert run_page(f"{MARKET}.submit").error  # citizens are asked to log in


def test_review_page_decides(store, install_app):
    install_app(RELIEF)
    done = service.submit(None, RELIEF, relief_answers(1))
    at = run_page(f"{RELIEF}.review", RELIEF_OFFICIAL)
    assert not at.exception and "1 hồ sơ chờ duyệt" in page_text(at)
    at.button(key=f"da_{RELIEF}_approve_{done.id}").click().run()
    assert not at.exception
    assert store.scalar("SELECT _status FROM app_ho_tro_cuu_tro") == "approved"
    assert "Không có hồ sơ chờ duyệt." in page_text(at)


def test_the_dashboard_draws_the_declared_panels(store, install_app):
    install_app(RELIEF)
    service.submit(None, RELIEF, relief_answers(1))
    at = run_page("core.dashboard", RELIEF_OFFICIAL)
    assert not at.exception and not at.error, [e.value for e in at.error]
    titles = [h.value for h in at.subheader]
    assert {"Đề nghị theo ngày", "Theo nhu cầu", "Theo phường"} <= set(titles)


def test_admin_page_lists_versions_for_admins_only(store, install_app, admin):
    install_app(VACCINATION)
    at = run_page("core.definitions", admin)
    assert not at.exception and not at.error
    text = page_text(at)
    assert "Ứng dụng từ tệp định nghĩa" in text and "Ngừng hoạt động" in text
    assert run_page("core.definitions", make_principal("s", "nhan_vien_tiem")).error
    at.button(key="da_admin_deactivate").click().run()
    assert not at.exception
    assert store.scalar("SELECT count(*) FROM definition_apps WHERE active") == 0


def test_the_admin_preview_shows_the_form_as_a_user_sees_it(store, admin):
    """The upload itself is a browser's job (AppTest cannot upload); the preview is drawn from
    the checked definition."""
    from core.definitions import install
    from tests.core.definitions.conftest import example

    d = install.check(example(MARKET), store=store)

    def script() -> None:
        from core.definitions import install as inst
        from core.definitions.pages import _preview
        from tests.core.definitions.conftest import example as ex

        _preview(inst.check(ex("phieu_di_cho")))

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(script).run()
    assert not at.exception
    text = page_text(at)
    assert "Tệp hợp lệ" in text and "(29 dòng định nghĩa)" in text and "Chủ hộ *" in text
    assert "chỉ tại điểm kiểm tra «Chợ được phân»" in text and "ngày chẵn/lẻ theo «Số hộ" in text
    assert d.lines == 29


def test_the_codes_page_names_whose_code_is_revoked(store, install_app):
    """Issue 18 item 9: the revoke picker reads as the household's name, not a bare id."""
    install_app(MARKET)
    done = service.submit(OFFICIAL, MARKET, market_answers(1))
    at = run_page(f"{MARKET}.codes", OFFICIAL)
    assert not at.exception
    head = store.scalar("SELECT head FROM app_phieu_di_cho")
    assert at.selectbox(key=f"da_{MARKET}_revoke_id").options == [f"{done.id} · {head}"]
