"""Pages per role through AppTest (the shell's single-page runner)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from apps.travel_permit import service
from apps.travel_permit.service import Decision
from core.auth import ANONYMOUS
from core.qr import service as qr
from core.testkit import make_principal, page_text, run_page

from .conftest import request_form


def run(page_key: str, principal, query: dict | None = None) -> AppTest:
    at = run_page(page_key, principal, query=query, timeout=30)
    assert not at.exception, at.exception
    return at


_text = page_text


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
    r1 = service.submit_request(biz, request_form(ids[:2]), store=store)
    service.decide(approver, r1, Decision.approve_all(), store=store)
    r2 = service.submit_request(biz, request_form(ids[2:4]), store=store)
    service.decide(approver, r2, Decision.reject_all("zone", "Sai khu vực"), store=store)
    service.submit_request(biz, request_form(ids[4:5]), store=store)
    return {"biz": biz, "approver": approver, "approved": r1}


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
    assert at.dataframe and "P" in str(at.dataframe[0].value["permit_id"].iloc[0])


def test_queue_page_decides(seeded, store):
    at = run("travel_permit.queue", seeded["approver"])
    assert "1 yêu cầu" in _text(at)
    at.button(
        key="FormSubmitter:tp_decide_" + at.selectbox(key="tp_queue_open").value + "-Duyệt tất cả"
    )
    buttons = [b for b in at.button if "Duyệt tất cả" in str(b.label)]
    buttons[0].click().run()
    assert "Đã duyệt" in _text(at)
    assert store.scalar("SELECT count(*) FROM tp_requests WHERE status = 'pending'") == 0


def test_queue_reject_without_reason_is_refused(seeded, store):
    at = run("travel_permit.queue", seeded["approver"])
    [b for b in at.button if "Từ chối tất cả" in str(b.label)][0].click().run()
    assert "lý do" in _text(at)
    assert store.scalar("SELECT count(*) FROM tp_requests WHERE status = 'pending'") == 1


def test_register_page(store):
    at = run("travel_permit.register", ANONYMOUS)
    assert "Từ 7/2025" in _text(at)
    at.text_input[0].input("Công ty Đà Nẵng Xanh")
    at.text_input[1].input("0100109107")  # wrong check digit
    [b for b in at.button if "Đăng ký" in str(b.label)][0].click().run()
    assert "chữ số kiểm tra" in _text(at)
    assert store.scalar("SELECT count(*) FROM tp_businesses") == 0


def test_public_view_page(seeded, store):
    pid = service.list_permits(seeded["biz"], store=store).iloc[0]["permit_id"]
    text = qr.token_texts([pid], store=store)[pid]
    at = run("travel_permit.view", ANONYMOUS, {"t": text})
    assert "HỢP LỆ" in _text(at)
    service.revoke_permit(seeded["approver"], pid, "Sai thông tin", store=store)
    at = run("travel_permit.view", ANONYMOUS, {"t": text})
    assert "REVOKED" in _text(at)
    at = run("travel_permit.view", ANONYMOUS, {"t": "TP1:garbage"})
    assert "KHÔNG HỢP LỆ" in _text(at)


def test_accounts_page_verifies(store, approver):
    from .conftest import register

    register("cty_moi", 31, store)
    at = run("travel_permit.accounts", approver)
    [b for b in at.button if "Xác minh" in str(b.label)][0].click().run()
    assert store.scalar("SELECT status FROM tp_businesses") == "verified"


def test_analytics_page(seeded):
    at = run("travel_permit.analytics", seeded["approver"])
    assert "Hồ sơ" in [m.label for m in at.metric][0]


def _parse_twice_script() -> None:
    from types import SimpleNamespace

    import streamlit as st

    from apps.travel_permit import pages, roster, service

    upload = SimpleNamespace(file_id="f1", name="ds.csv", getvalue=roster.template_csv)
    settings = service.app_settings()
    first = pages._parse_upload(upload, 48, settings)
    again = pages._parse_upload(upload, 48, settings)
    st.write(f"same={first is again} good={len(first.good)}")


def test_roster_upload_is_parsed_once_per_file(monkeypatch):
    from apps.travel_permit import roster

    calls = []
    real = roster.parse_file
    monkeypatch.setattr(roster, "parse_file", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = AppTest.from_function(_parse_twice_script, default_timeout=30).run()
    assert not at.exception, at.exception
    assert "same=True good=1" in at.markdown[0].value
    at.run()  # a rerun with the same file selected
    assert len(calls) == 1
