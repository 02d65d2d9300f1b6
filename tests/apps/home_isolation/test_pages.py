"""AppTest pages per role (docs/PLUGINS.md)."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from apps.home_isolation import forms, service
from core import clock
from core.auth import ANONYMOUS
from core.registry import get_registry
from core.testkit import make_principal, page_app
from tests.apps.home_isolation.conftest import WARD, f0_form, f1_form, good_report, link_token

OFFICER_PAGES = [
    "home_isolation.board",
    "home_isolation.person",
    "home_isolation.enrol",
    "home_isolation.tracing",
    "home_isolation.analytics",
]


def test_the_app_is_installed_with_its_dependency():
    """If health_declaration breaks, home_isolation is refused by core: fail loudly here."""
    assert get_registry().get("home_isolation") is not None, get_registry().errors


def app_for(page_key: str, principal, **query) -> AppTest:
    """The page, not yet run (the kit's runner), with the link's query parameters."""
    return page_app(page_key, principal, query=query, timeout=30)


@pytest.fixture()
def people(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    f1 = service.enroll_f1(officer, f1_form(f0["id"]))
    token = link_token(officer, f0["id"])
    service.submit_report(None, token, good_report())
    service.submit_report(None, token, good_report(spo2="91"))
    return {"f0": f0["id"], "f1": f1["id"], "token": token}


@pytest.mark.parametrize("page_key", OFFICER_PAGES)
@pytest.mark.parametrize("role", [*get_registry().role_ids(), None])
def test_officer_pages_per_role(store, people, officer, page_key, role):
    principal = ANONYMOUS if role is None else make_principal(f"u_{role}", role)
    at = app_for(page_key, principal, e=people["f0"]).run()
    assert not at.exception, at.exception
    if role == "health_officer":
        assert not at.error or all("denied" not in e.value for e in at.error)
        assert at.title
    else:
        assert at.error, f"{page_key} shown to {role}"


def test_board_shows_red_first(store, people, officer):
    at = app_for("home_isolation.board", officer).run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert "🔴" in frame.iloc[0, 0]
    assert frame.iloc[0, -1] == people["f0"]


def test_person_page_chart_and_reports(store, people, officer):
    at = app_for("home_isolation.person", officer, e=people["f0"]).run()
    assert not at.exception
    kinds = {getattr(n, "type", "") for n in _walk(at.main)}
    assert any("vega" in k for k in kinds), kinds
    assert len(at.dataframe) >= 1


def test_board_actions(store, people, officer):
    at = app_for("home_isolation.board", officer).run()
    at.selectbox(key="hb_pick").select(people["f0"]).run()
    assert not at.exception
    ack = [b for b in at.button if b.key and b.key.startswith("ack_")]
    assert ack
    ack[0].click().run()
    assert not at.exception
    assert service.person_alerts(officer, people["f0"], open_only=True).empty


def test_board_assign_and_note_errors_beside_their_fields(store, people, officer):
    at = app_for("home_isolation.board", officer).run()
    at.selectbox(key="hb_pick").select(people["f0"]).run()
    staff = at.text_input(key=f"hi_assign:{people['f0']}:staff")
    staff.input("ghost")
    _submit(at, "Phân công")
    assert any("ghost" in e for e in _messages(at))  # no health officer of that name
    assert at.text_input(key=f"hi_assign:{people['f0']}:staff").value == "ghost"  # kept
    at.text_input(key=f"hi_assign:{people['f0']}:staff").input("nurse")
    _submit(at, "Phân công")
    assert not at.exception, at.exception
    assert service.enrolment(officer, people["f0"])["assigned_to"] == "nurse"
    assert at.text_input(key=f"hi_assign:{people['f0']}:staff").value == "nurse"
    _submit(at, "Thêm ghi chú")
    assert any("Vui lòng điền" in e for e in _messages(at))  # an empty note
    at.text_area(key=f"hi_note:{people['f0']}:note").input("Đã gọi điện")
    _submit(at, "Thêm ghi chú")
    assert any("Đã lưu" in s.value for s in at.success)
    assert at.text_area(key=f"hi_note:{people['f0']}:note").value == ""  # cleared
    notes = service.person_notes(officer, people["f0"])
    assert "Đã gọi điện" in set(notes["text"])


def _submit(at: AppTest, label: str) -> AppTest:
    """Press the button ``label``: a form's submit button, or (a form with skip logic, drawn
    outside ``st.form``) a plain button."""
    buttons = [*at.get("form_submit_button"), *at.button]
    return next(b for b in buttons if b.label == label).click().run()


def test_release_and_transfer_need_the_tick_box(store, people, officer):
    at = app_for("home_isolation.board", officer).run()
    at.selectbox(key="hb_pick").select(people["f0"]).run()
    assert any("cảnh báo chưa xử lý" in w.value for w in at.warning)  # open red alert shown
    _submit(at, "Kết thúc cách ly")
    assert any("ô xác nhận" in e.value for e in at.error)  # beside the tick box
    assert any("âm tính" in e.value for e in at.error)  # beside the negative test date
    assert any("ghi chú đóng cảnh báo" in e.value for e in at.error)  # beside the open alert
    _submit(at, "Chuyển viện")
    assert service.enrolment(officer, people["f0"])["status"] == "isolating"  # nothing done
    at.date_input[0].set_value(date.today())  # an F0 needs a negative test
    tick = next(c for c in at.checkbox if "kết thúc cách ly" in c.label)
    tick.check()
    _submit(at, "Kết thúc cách ly")
    # the tick alone does not release someone with an open alert (issue 17 item 5)
    assert service.enrolment(officer, people["f0"])["status"] == "isolating"
    (alert_id,) = service.person_alerts(officer, people["f0"], open_only=True)["id"]
    note_key = f"hi_release:{people['f0']}:{forms.alert_field(alert_id)}"
    label = at.text_input(key=note_key).label
    assert "SpO2" in label, label  # the alert says what it was about
    at.text_input(key=note_key).input("Đã gọi, SpO2 97%")
    _submit(at, "Kết thúc cách ly")
    assert not at.exception, at.exception
    assert service.enrolment(officer, people["f0"])["status"] == "released"
    assert any("Đã lưu" in s.value for s in at.success)  # said even though they left the board
    alert = service.person_alerts(officer, people["f0"]).set_index("id").loc[alert_id]
    assert alert["closed_how"] == "release" and alert["close_note"] == "Đã gọi, SpO2 97%"


def _messages(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_enrol_page_shows_errors_beside_fields_keeps_values_and_gives_the_link(store, officer):
    at = app_for("home_isolation.enrol", officer).run()
    assert not at.exception, at.exception
    assert at.date_input(key="hi_f0:test_date").value == clock.today_local()  # starts today
    at.text_input(key="hi_f0:person_id").input("12")
    at.text_input(key="hi_f0:full_name").input("Ngô Thị Hoa")
    at.text_input(key="hi_f0:phone").input("0236 3821 234")  # a landline: accepted
    at.button[0].click().run()
    assert not at.exception, at.exception
    errors = _messages(at)
    assert any("CCCD" in e for e in errors)  # beside the id
    assert any("Vui lòng điền" in e for e in errors)  # the ward and the age are missing
    assert not any("điện thoại" in e for e in errors)
    assert at.text_input(key="hi_f0:full_name").value == "Ngô Thị Hoa"  # kept
    at.text_input(key="hi_f0:person_id").input("048090000055")
    at.selectbox(key="hi_f0:ward_code").select_index(0)
    at.text_input(key="hi_f0:age").input("30")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert not at.error
    assert at.success and "048090000055" not in at.success[0].value
    assert any("/bao-cao?t=HI1" in c.value for c in at.code)
    assert at.text_input(key="hi_f0:person_id").value == ""  # cleared after success
    row = store.records("SELECT * FROM hi_enrolments")[0]
    assert (row["phone"], row["age"], row["test_type"], row["vaccine_doses"]) == (
        "02363821234",
        30,
        "pcr",
        0,
    )


def test_enrol_page_refusals_beside_the_field(store, officer):
    f0 = service.enroll_f0(officer, f0_form())
    at = app_for("home_isolation.enrol", officer).run()
    f1 = f1_form("HI0000000000")
    at.text_input(key="hi_f1:source_id").input(f1["source_id"])
    at.text_input(key="hi_f1:person_id").input(f0["person_id"])
    at.text_input(key="hi_f1:full_name").input(f1["full_name"])
    at.text_input(key="hi_f1:phone").input(f1["phone"])
    at.selectbox(key="hi_f1:ward_code").select(WARD)
    at.button[1].click().run()
    assert not at.exception, at.exception
    assert any("Không tìm thấy F0" in e for e in _messages(at))
    at.text_input(key="hi_f1:source_id").input(f0["id"])
    at.button[1].click().run()
    assert any("đang được theo dõi" in e for e in _messages(at))  # already enrolled
    assert store.scalar("SELECT count(*) FROM hi_enrolments") == 1


def test_pages_in_english(store, people, officer):
    enrol = page_app("home_isolation.enrol", officer, locale="en", timeout=30).run()
    labels = {w.label.rstrip(" *") for w in enrol.text_input}
    assert {"Full name", "CCCD / passport number", "Phone number", "Age"} <= labels
    enrol.button[0].click().run()
    assert any("Please fill in" in e.value for e in enrol.error)


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def test_tracing_page_lists_and_enrols(store, officer, frozen_clock):
    from datetime import timedelta

    from tests.apps.home_isolation.hd_data import add_checkins, add_venue

    now = frozen_clock[0]
    cafe = add_venue(store, "Cà phê Sông Hàn", WARD)
    add_checkins(
        store,
        [
            (cafe, now - timedelta(days=1), "048090000001", "Nguyễn Văn An", "0905123456", WARD),
            (
                cafe,
                now - timedelta(days=1, minutes=-20),
                "048090000020",
                "Lý Thị Kha",
                "0905000020",
                WARD,
            ),
        ],
    )
    f0 = service.enroll_f0(officer, f0_form())
    at = app_for("home_isolation.tracing", officer, e=f0["id"]).run()
    assert not at.exception, at.exception
    at.button(key="ht_enrol").click().run()
    assert not at.exception, at.exception
    assert at.success
    f1 = store.scalar(
        "SELECT count(*) FROM hi_enrolments WHERE kind = 'F1' AND source_id = ?", [f0["id"]]
    )
    assert f1 == 1
