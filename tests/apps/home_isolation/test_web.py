"""The daily report opened from a monitoring link: the citizens' light page, through HTTP."""

from __future__ import annotations

import pytest

from apps.home_isolation import forms, service
from core.testkit import form_token_of
from tests.apps.home_isolation.conftest import f0_form, good_report, link_and_code

SHOWN = ",".join(f.name for f in forms.REPORT.input_fields if f.name != "measured_at")


def open_with_code(client, link: str, code: str):
    """Open a monitoring link in the browser and enter its code: the answer is the report
    page at ``/bao-cao`` (no token in the address), the session in the cookie."""
    first = client.get("/bao-cao", params={"t": link})
    assert first.status_code == 200 and 'name="code"' in first.text
    done = client.post(
        "/bao-cao",
        data={"t": link, "code": code, "_csrf": form_token_of(first.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/bao-cao"
    return client.get("/bao-cao")


@pytest.fixture()
def token(store, officer, frozen_clock, web_client):
    f0 = service.enroll_f0(officer, f0_form())
    link, code = link_and_code(officer, f0["id"])
    key = service.unlock(None, link, code)
    service.submit_report(None, key, good_report())
    service.submit_report(None, key, good_report(spo2="91"))
    open_with_code(web_client, link, code)
    return link


def _send(client, token: str, **answers: str):
    page = client.get("/bao-cao")
    data = {"_csrf": form_token_of(page.text), "_shown": SHOWN, "measured_now": "yes"}
    return client.post("/bao-cao", data={**data, **answers})


def test_a_report_gives_the_level_and_what_to_do(web_client, store, token):
    page = web_client.get("/bao-cao")
    assert page.status_code == 200 and '<label for="f-temperature">' in page.text
    assert 'inputmode="decimal"' in page.text  # the phone's number keyboard
    done = _send(web_client, token, temperature="37,2", spo2="90", pulse="100", resp_rate="24")
    assert done.status_code == 200 and "Đỏ" in done.text
    assert store.scalar("SELECT count(*) FROM hi_reports") == 3
    full = web_client.get("/bao-cao")  # the day's three reports are in
    assert "<form" not in full.text


def test_errors_beside_fields_values_kept(web_client, store, token):
    bad = _send(web_client, token, temperature="50", spo2="120", pulse="80", resp_rate="16")
    assert bad.status_code == 422
    assert 'id="e-temperature"' in bad.text and 'id="e-spo2"' in bad.text
    assert 'value="80"' in bad.text
    assert store.scalar("SELECT count(*) FROM hi_reports") == 2


def test_measured_earlier_is_asked_when_not_now(web_client, store, token):
    answers = dict(temperature="36,9", spo2="97", pulse="80", resp_rate="16")
    page = web_client.get("/bao-cao")
    asked = web_client.post(
        "/bao-cao",
        data={
            "_csrf": form_token_of(page.text),
            "_shown": SHOWN,
            "measured_now": "no",
            **answers,
        },
    )
    assert asked.status_code == 422 and 'id="e-measured_at"' in asked.text  # a new question
    done = web_client.post(
        "/bao-cao",
        data={
            "_csrf": form_token_of(asked.text),
            "_shown": SHOWN + ",measured_at",
            "measured_now": "no",
            "measured_at": "2021-09-10T13:30",
            **answers,
        },
    )
    assert done.status_code == 200, done.text[-1500:]
    assert store.scalar("SELECT count(*) FROM hi_reports") == 3


def test_a_forged_link_and_the_old_address(web_client, store):
    assert web_client.get("/bao-cao", params={"t": "HI1:NOPE"}).status_code == 400
    old = web_client.get("/home_isolation-report?t=HI1:X", follow_redirects=False)
    assert old.status_code == 301 and old.headers["location"] == "/bao-cao?t=HI1:X"


def test_english(web_client, token):
    page = web_client.get("/bao-cao", params={"lang": "en"})
    assert "Temperature" in page.text and "Send report" in page.text


def test_vitals_open_the_number_keyboard(web_client, token):
    page = web_client.get("/bao-cao")
    for name, mode in (("spo2", "numeric"), ("pulse", "numeric"), ("resp_rate", "numeric")):
        field = page.text.split(f'id="f-{name}"', 1)[1].split(">", 1)[0]
        assert f'inputmode="{mode}"' in field, name
    assert 'id="f-no_oximeter"' in page.text  # "no oximeter" offered


def test_no_oximeter_on_the_light_page(web_client, store, token):
    page = web_client.get("/bao-cao")
    done = web_client.post(
        "/bao-cao",
        data={
            "_csrf": form_token_of(page.text),
            "_shown": SHOWN,
            "measured_now": "yes",
            "no_oximeter": "yes",
            "temperature": "36,8",
            "pulse": "80",
            "resp_rate": "16",
        },
    )
    assert done.status_code == 200, done.text[-1500:]
    assert "Vàng" in done.text  # not measured is never "green"
    assert store.scalar("SELECT count(*) FROM hi_reports") == 3  # the fixture sent two
    rows = store.records("SELECT level FROM hi_reports WHERE spo2 IS NULL")
    assert rows == [{"level": "yellow"}]


def test_a_page_sent_twice_is_one_report_and_shows_its_result(web_client, store, token):
    page = web_client.get("/bao-cao")
    assert "Hôm nay bạn đã gửi 2/3 báo cáo." in page.text
    data = {
        "_csrf": form_token_of(page.text),
        "_shown": SHOWN,
        "measured_now": "yes",
        **dict(temperature="36,9", spo2="97", pulse="81", resp_rate="16"),
    }
    first = web_client.post("/bao-cao", data=data)
    assert first.status_code == 200 and "Đã nhận báo cáo" in first.text
    assert "Hôm nay bạn đã gửi 3/3 báo cáo." in first.text  # the count as it is now
    assert "Gửi báo cáo khác" not in first.text  # the day's limit is reached
    again = web_client.post("/bao-cao", data=data)  # a double tap: the same token and answers
    assert again.status_code == 200 and "Đã nhận báo cáo" in again.text
    assert store.scalar("SELECT count(*) FROM hi_reports") == 3
    other = web_client.post("/bao-cao", data={**data, "pulse": "99"})  # a used token, new answers
    assert other.status_code == 422 and "đã được gửi rồi" in other.text
    assert store.scalar("SELECT count(*) FROM hi_reports") == 3


def test_the_second_send_of_a_double_tap_waits_for_the_first(web_client, store, token, monkeypatch):
    """The second send arrives while the first is still storing its report (a slow server):
    it shows the report's result once stored, not "already sent"; one report."""
    import threading
    import time

    page = web_client.get("/bao-cao")
    data = {
        "_csrf": form_token_of(page.text),
        "_shown": SHOWN,
        "measured_now": "yes",
        **dict(temperature="36,9", spo2="97", pulse="81", resp_rate="16"),
    }
    real = service.submit_report

    def slow(*args, **kwargs):
        time.sleep(0.6)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "submit_report", slow)
    answers: list = []
    first = threading.Thread(target=lambda: answers.append(web_client.post("/bao-cao", data=data)))
    first.start()
    time.sleep(0.2)  # the first send has used the token and is storing its report
    second = web_client.post("/bao-cao", data=data)
    first.join()
    assert second.status_code == 200 and "Đã nhận báo cáo" in second.text, second.text[-800:]
    assert answers[0].status_code == 200
    assert store.scalar("SELECT count(*) FROM hi_reports") == 3
