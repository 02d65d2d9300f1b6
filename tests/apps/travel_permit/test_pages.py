"""Pages per role through AppTest (the shell's single-page runner); every form's errors are
shown right below the field that caused them, values stay after an error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from apps.travel_permit import service
from apps.travel_permit.service import Decision
from core.auth import ANONYMOUS
from core.qr import service as qr
from core.testkit import make_principal, page_text, run_page

from .conftest import employee, register, request_answers, today


def run(page_key: str, principal, query: dict | None = None) -> AppTest:
    at = run_page(page_key, principal, query=query, timeout=60)
    assert not at.exception, at.exception
    return at


_text = page_text


def _flat(node: Any) -> Iterator[Any]:
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _flat(child)


def error_beside(at: AppTest, widget_key: str) -> str | None:
    """The error shown right below the widget with this key (None when there is none)."""
    nodes = list(_flat(at.main))
    for i, node in enumerate(nodes):
        if getattr(node, "key", None) == widget_key:
            following = nodes[i + 1] if i + 1 < len(nodes) else None
            return following.value if type(following).__name__ == "Error" else None
    raise AssertionError(f"no widget {widget_key}")


def send(at: AppTest, form_key: str) -> AppTest:
    """Press a form's send button (a fragment's button, or an st.form's submit button)."""
    keyed = [b for b in at.button if b.key == f"{form_key}::send"]
    if keyed:
        return keyed[0].click().run()
    submit = [b for b in at.button if str(b.key).startswith(f"FormSubmitter:{form_key}-")]
    return submit[0].click().run()


PAGES = [
    "travel_permit.business",
    "travel_permit.roster",
    "travel_permit.request",
    "travel_permit.permits",
    "travel_permit.queue",
    "travel_permit.accounts",
    "travel_permit.analytics",
]
ALLOWED = {
    "business": {
        "travel_permit.business",
        "travel_permit.roster",
        "travel_permit.request",
        "travel_permit.permits",
    },
    "approver": {
        "travel_permit.permits",
        "travel_permit.queue",
        "travel_permit.accounts",
        "travel_permit.analytics",
    },
    "health_officer": {"travel_permit.analytics"},  # an optional role of the app
    "checkpoint": set(),
    "admin": set(),
}


@pytest.fixture()
def seeded(store, biz, approver):
    ids = list(service.list_employees(biz, store=store)["cccd"])
    r1 = service.submit_request(biz, request_answers(ids[:2]), store=store)
    service.decide(approver, r1, Decision.approve_all(), store=store)
    r2 = service.submit_request(biz, request_answers(ids[2:4]), store=store)
    service.decide(approver, r2, Decision.reject_all("zone", "Sai khu vực"), store=store)
    service.submit_request(biz, request_answers(ids[4:5]), store=store)
    return {"biz": biz, "approver": approver, "approved": r1, "rejected": r2, "ids": ids}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_pages_per_role(seeded, role):
    principal = seeded["biz"] if role == "business" else make_principal(f"u_{role}", role)
    for key in PAGES:
        at = run(key, principal)
        denied = any("quyền" in str(e.value).lower() for e in at.error)
        assert denied == (key not in ALLOWED[role]), (role, key, _text(at))


def test_anonymous_is_asked_to_log_in(seeded):
    for key in PAGES:
        at = run(key, ANONYMOUS)
        assert at.error, key


def test_business_pages_show_data(seeded):
    at = run("travel_permit.business", seeded["biz"])
    assert "Đã xác minh" in _text(at)
    assert len(at.dataframe) >= 1
    at = run("travel_permit.roster", seeded["biz"])
    assert "20 nhân viên" in _text(at)
    at = run("travel_permit.permits", seeded["biz"])
    shown = at.dataframe[0].value if at.dataframe else None
    assert shown is not None
    column = "permit_id" if "permit_id" in shown else "Mã giấy"  # raw, or labelled for people
    assert "P" in str(shown[column].iloc[0])


# -- registration -------------------------------------------------------------------------------


def test_register_page_errors_beside_fields(store):
    at = run("travel_permit.register", ANONYMOUS)
    assert "Từ 7/2025" in _text(at) and "Thành phố Đà Nẵng" in _text(at)
    at.text_input(key="tp_register:name").input("Công ty Đà Nẵng Xanh")
    at.text_input(key="tp_register:tax_code").input("0100109107")  # wrong check digit
    at.text_input(key="tp_register:phone").input("0123")
    send(at, "tp_register")
    assert "chữ số kiểm tra" in error_beside(at, "tp_register:tax_code")
    assert "Số điện thoại không hợp lệ" in error_beside(at, "tp_register:phone")
    assert error_beside(at, "tp_register:name") is None
    assert at.text_input(key="tp_register:name").value == "Công ty Đà Nẵng Xanh"  # kept
    assert store.scalar("SELECT count(*) FROM tp_businesses") == 0


def _fill_registration(at: AppTest, username: str, tax_code: str) -> None:
    for name, value in {
        "name": "Công ty Đà Nẵng Xanh",
        "tax_code": tax_code,
        "address": "1 Trần Phú",
        "contact_name": "Lê Văn Duyệt",
        "phone": "0905 123 456",
        "username": username,
        "password": "DaNangXanh2021",
    }.items():
        at.text_input(key=f"tp_register:{name}").input(value)


def test_register_page_account_errors_beside_username_and_success(store):
    register("da_co", 31, store)
    at = run("travel_permit.register", ANONYMOUS)
    _fill_registration(at, "da_co", "0100109106")
    send(at, "tp_register")
    assert "da_co" in error_beside(at, "tp_register:username")  # the user name is taken
    at.text_input(key="tp_register:username").input("xanh_dn")
    send(at, "tp_register")
    assert "đang chờ xác minh" in _text(at) and not at.error
    assert at.text_input(key="tp_register:name").value == ""  # cleared after success
    row = store.records("SELECT * FROM tp_businesses WHERE username = 'xanh_dn'")[0]
    assert row["sector"] == "manufacturing" and row["province_code"] == 48


# -- roster, requests ------------------------------------------------------------------------------


def test_add_employee_errors_beside_fields_then_saved(seeded, store):
    at = run("travel_permit.roster", seeded["biz"])
    at.text_input(key="tp_employee:full_name").input("Nguyen2")
    at.text_input(key="tp_employee:cccd").input("04809000123")
    send(at, "tp_employee")
    assert "chữ cái" in error_beside(at, "tp_employee:full_name")
    assert "11" in error_beside(at, "tp_employee:cccd")
    assert "Vui lòng điền" in error_beside(at, "tp_employee:home_ward")
    at.text_input(key="tp_employee:full_name").input("Nguyễn Văn Mới")
    at.text_input(key="tp_employee:cccd").input("048090012345")
    at.text_input(key="tp_employee:phone").input("0905 111 222")
    at.selectbox(key="tp_employee:home_ward").select(20275)
    at.selectbox(key="tp_employee:work_ward").select(20242)
    send(at, "tp_employee")
    assert not at.error and "Đã lưu" in _text(at) and "21 nhân viên" in _text(at)
    assert store.scalar("SELECT full_name FROM tp_employees WHERE cccd = '048090012345'") == (
        "Nguyễn Văn Mới"
    )


def test_roster_upload_import_message(seeded):
    from apps.travel_permit import pages
    from core.forms.table import parse_upload, template_csv

    form = service.roster_form(service.my_business(seeded["biz"]))
    upload = parse_upload(form, "t.csv", template_csv(form), max_rows=10, max_bytes=10**6)
    assert pages._import(seeded["biz"], upload) == "Đã nhập: 1 người mới, 0 người cập nhật"
    assert pages._import(seeded["biz"], upload) == "Đã nhập: 0 người mới, 1 người cập nhật"


def test_request_page_errors_beside_fields_then_sent(seeded, store):
    at = run("travel_permit.request", seeded["biz"])
    key = "tp_request_new"
    assert at.multiselect(key=f"{key}:zones").value == [20275]  # the business's ward
    at.multiselect(key=f"{key}:employees").select(seeded["ids"][5])
    at.selectbox(key=f"{key}:end_minute").select(360)  # same as the start
    send(at, key)
    assert "Vui lòng điền" in error_beside(at, f"{key}:purpose")
    assert "khác nhau" in error_beside(at, f"{key}:end_minute")
    at.text_area(key=f"{key}:purpose").input("Trực kế toán cuối tháng")
    at.selectbox(key=f"{key}:end_minute").select(1260)
    send(at, key)
    assert any(s.value.startswith("Đã gửi yêu cầu R") for s in at.success), _text(at)
    assert store.scalar("SELECT count(*) FROM tp_requests WHERE status = 'pending'") == 2


def test_request_page_quota_beside_the_employees(seeded):
    at = run("travel_permit.request", seeded["biz"])
    key = "tp_request_new"
    for cccd in seeded["ids"][5:11]:  # 6 more: over the quota of 6 (1 pending, 2 permits)
        at.multiselect(key=f"{key}:employees").select(cccd)
    at.text_area(key=f"{key}:purpose").input("Ca đêm")
    send(at, key)
    assert "Vượt hạn mức" in error_beside(at, f"{key}:employees")


def test_business_page_resubmits_a_rejected_request(seeded, store):
    at = run("travel_permit.business", seeded["biz"])
    at.selectbox(key="tp_biz_detail").select(seeded["rejected"]).run()
    key = f"tp_request_{seeded['rejected']}"
    assert set(at.multiselect(key=f"{key}:employees").value) == set(seeded["ids"][2:4])
    at.text_area(key=f"{key}:purpose").input("Đã sửa khu vực")
    send(at, key)
    assert any("Đã gửi lại" in s.value for s in at.success), _text(at)
    assert (
        store.scalar(
            "SELECT count(*) FROM tp_requests WHERE resubmitted_from = ?", [seeded["rejected"]]
        )
        == 1
    )


# -- approvers ----------------------------------------------------------------------------------


def test_queue_page_approves_all(seeded, store):
    at = run("travel_permit.queue", seeded["approver"])
    assert "1 yêu cầu" in _text(at)
    [b for b in at.button if b.label == "Duyệt tất cả"][0].click().run()
    assert "Đã duyệt" in _text(at) and "người được cấp giấy" in _text(at)
    assert store.scalar("SELECT count(*) FROM tp_requests WHERE status = 'pending'") == 0


def test_queue_flags_an_isolating_employee_before_approving(seeded, store):
    """Issue 17: the approver sees each person's risk flag; an isolating one is not ticked."""
    from core import clock, risk

    held = seeded["ids"][4]  # the pending request's only employee
    risk.record(held, "isolation", "red", "F0", clock.now(), ref="HI-page", store=store)
    at = run("travel_permit.queue", seeded["approver"])
    assert any("1 người có cảnh báo nguy cơ" in w.value for w in at.warning)
    rid = at.selectbox(key="tp_queue_open").value
    tables = [n.value for n in _flat(at.main) if type(n).__name__ == "Dataframe"]
    shown = next(df for df in tables if "risk" in df.columns)
    row = shown.set_index("cccd").loc[held]
    assert row["risk"] == "Đang cách ly (F0/F1)" and not bool(row["approve"])
    assert rid


def test_queue_refusal_needs_a_reason_beside_it(seeded, store):
    at = run("travel_permit.queue", seeded["approver"])
    rid = at.selectbox(key="tp_queue_open").value
    key = f"tp_decide_{rid}"
    at.radio(key=f"{key}:decision").set_value("reject")
    send(at, key)
    assert "Vui lòng điền" in error_beside(at, f"{key}:reason_code")
    assert "Vui lòng điền" in error_beside(at, f"{key}:reason_text")
    assert store.scalar("SELECT count(*) FROM tp_requests WHERE status = 'pending'") == 1
    at.selectbox(key=f"{key}:reason_code").select("zone")
    at.text_area(key=f"{key}:reason_text").input("Khu vực không phù hợp")
    send(at, key)
    assert "Từ chối" in _text(at) and "1 người bị từ chối" in _text(at)
    assert store.scalar("SELECT reason_code FROM tp_requests WHERE id = ?", [rid]) == "zone"


def test_accounts_page_verifies(store, approver):
    register("cty_moi", 31, store)
    at = run("travel_permit.accounts", approver)
    [b for b in at.button if b.label == "Xác minh"][0].click().run()
    assert "Đã cập nhật tài khoản" in _text(at)
    assert store.scalar("SELECT status FROM tp_businesses") == "verified"


def test_accounts_page_refusal_needs_a_reason(store, approver):
    register("cty_moi", 31, store)
    at = run("travel_permit.accounts", approver)
    send(at, "tp_verify")
    assert "lý do từ chối" in error_beside(at, "tp_verify:reason")
    assert store.scalar("SELECT status FROM tp_businesses") == "pending"
    at.text_area(key="tp_verify:reason").input("Mã số thuế không khớp")
    send(at, "tp_verify")
    assert "Đã cập nhật tài khoản" in _text(at)
    assert store.fetchone("SELECT status, status_reason FROM tp_businesses") == (
        "rejected",
        "Mã số thuế không khớp",
    )


def test_permits_page_revoke_and_renew(seeded, store):
    approver = seeded["approver"]
    at = run("travel_permit.permits", approver)
    at.text_input(key="tp_permits_request").input(seeded["approved"]).run()
    pid = at.selectbox(key="tp_permit_pick").value
    send(at, "tp_revoke")
    assert "lý do thu hồi" in error_beside(at, "tp_revoke:reason")
    at.date_input(key="tp_renew:end_date").set_value(today() + timedelta(days=20))
    send(at, "tp_renew")
    assert "tối đa 14 ngày" in error_beside(at, "tp_renew:end_date")
    at.date_input(key="tp_renew:end_date").set_value(today() + timedelta(days=3))
    send(at, "tp_renew")
    new = store.scalar("SELECT permit_id FROM tp_permits WHERE renewed_from = ?", [pid])
    assert new and f"Đã cấp giấy mới {new}" in _text(at)
    assert at.selectbox(key="tp_permit_pick").value == new  # the new permit is shown
    at.text_input(key="tp_revoke:reason").input("Nhân viên đã nghỉ việc")
    send(at, "tp_revoke")
    assert f"Đã thu hồi giấy {new}" in _text(at)
    assert store.scalar("SELECT status FROM tp_permits WHERE permit_id = ?", [new]) == "revoked"


def test_public_view_page(seeded, store, web_client):
    """The permit on a phone is a light page (``/giay``), checked on every view."""
    pid = service.list_permits(seeded["biz"], store=store).iloc[0]["permit_id"]
    text = qr.token_texts([pid], store=store)[pid]
    page = web_client.get("/giay", params={"t": text})
    assert page.status_code == 200 and "HỢP LỆ" in page.text and "<svg" in page.text
    # the validity written as on every page and card: one line, first and last local days
    validity = service.list_permits(seeded["biz"], store=store).iloc[0]["validity"]
    assert f"<dt>Hiệu lực</dt><dd>{validity}</dd>" in page.text
    assert "Hiệu lực đến" not in page.text and "Hiệu lực từ" not in page.text
    service.revoke_permit(seeded["approver"], pid, "Sai thông tin", store=store)
    page = web_client.get("/giay", params={"t": text})
    assert page.status_code == 400 and "REVOKED" in page.text
    assert "KHÔNG HỢP LỆ" in web_client.get("/giay", params={"t": "TP1:garbage"}).text
    old = web_client.get("/travel_permit-view?t=TP1:X", follow_redirects=False)
    assert old.status_code == 301 and old.headers["location"] == "/giay?t=TP1:X"


def test_analytics_page(seeded):
    at = run("travel_permit.analytics", seeded["approver"])
    assert "Hồ sơ" in [m.label for m in at.metric][0]


def test_english_roster_form(seeded):
    at = run_page("travel_permit.roster", seeded["biz"], locale="en", timeout=60)
    assert not at.exception
    send(at, "tp_employee")
    assert error_beside(at, "tp_employee:full_name") == "Please fill in this field."
    service.save_employee(seeded["biz"], employee(777))  # the service still works after
