"""The issue's "done when" flow, through the services."""

from __future__ import annotations

from datetime import timedelta

from apps.home_isolation import forms, service
from core import audit
from tests.apps.home_isolation.conftest import f0_form, f1_form, good_report, link_token


def test_enrol_report_red_missed(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    assert f0["kind"] == "F0" and f0["status"] == "isolating"
    assert f0["isolation_end"] == (frozen_clock[0] + timedelta(hours=7)).date() + timedelta(days=6)
    assert f0["link"].split("t=", 1)[1].startswith("HI1")
    assert len(f0["link_code"]) == 6 and f0["link_code"].isdigit()
    token = link_token(officer, f0["id"])
    view = service.open_link(None, token)
    assert view.enrolment_id == f0["id"] and view.reports_today == 0

    ok = service.submit_report(None, token, good_report())
    assert ok.level == "green" and ok.alerts == ()

    red = service.submit_report(None, token, good_report(spo2="92"))
    assert red.level == "red" and "red" in red.alerts
    frame, total = service.board(officer)
    assert total == 1
    top = frame.iloc[0]
    assert top["id"] == f0["id"] and top["level"] == "red" and "red" in top["alert_kinds"]

    # a second, silent person: missed after 24 h, not before
    f1 = service.enroll_f1(officer, f1_form(f0["id"]))
    frozen_clock[0] += timedelta(hours=23)
    frame, _ = service.board(officer)
    assert "missed" not in frame.set_index("id").loc[f1["id"], "alert_kinds"]
    frozen_clock[0] += timedelta(hours=1, minutes=1)
    frame, _ = service.board(officer)
    assert "missed" in frame.set_index("id").loc[f1["id"], "alert_kinds"]
    assert service.stats(store)["open_alerts_missed"] >= 1
    # idempotent
    service.board(officer)
    assert (
        store.scalar(
            "SELECT count(*) FROM hi_alerts WHERE kind='missed' AND enrolment_id=?", [f1["id"]]
        )
        == 1
    )

    # a report closes the missed alert
    service.submit_report(None, link_token(officer, f1["id"]), good_report())
    alerts = service.person_alerts(officer, f1["id"], open_only=True)
    assert "missed" not in set(alerts["kind"])

    # acknowledge the red alert, assign, note, release
    red_alert = service.person_alerts(officer, f0["id"], open_only=True)
    red_id = red_alert[red_alert["kind"] == "red"]["id"].iloc[0]
    service.acknowledge(officer, red_id)
    service.assign(officer, f0["id"], {"staff": "nurse"})
    service.add_note(officer, f0["id"], {"note": "Gọi điện, bệnh nhân ổn"})
    # the F0 has been silent 24 h too: that open alert needs a closing note before transfer
    still_open = service.person_alerts(officer, f0["id"], open_only=True)
    assert set(still_open["kind"]) == {"missed"}
    notes = {forms.alert_field(a): "Đã gọi, chuyển viện" for a in still_open["id"]}
    service.transfer_to_hospital(officer, f0["id"], {"confirm": True, **notes})
    assert service.person_alerts(officer, f0["id"], open_only=True).empty
    actions = set(audit.search(_admin(), limit=1000)["action"])
    assert {
        "isolation.enrol",
        "isolation.report",
        "isolation.alert_ack",
        "isolation.assign",
        "isolation.note",
        "isolation.transfer",
        "isolation.alert_close",
        "qr.issue",
        "qr.revoke",
    } <= actions


def _admin():
    from core.testkit import make_principal

    return make_principal("admin", "admin")


def test_worsening_over_three_reports(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    token = link_token(officer, f0["id"])
    for spo2 in ("99", "97", "96"):
        out = service.submit_report(None, token, good_report(spo2=spo2))
        frozen_clock[0] += timedelta(hours=8, minutes=1)
    assert out.alerts == ("worsening",)
    assert out.level == "green"


def test_risk_group_raises_one_level(store, officer):
    f0 = service.enroll_f0(officer, f0_form(age=70))
    out = service.submit_report(None, link_token(officer, f0["id"]), good_report())
    assert out.level == "yellow"
    f1 = service.enroll_f1(officer, f1_form(f0["id"], chronic=["diabetes"]))
    out = service.submit_report(None, link_token(officer, f1["id"]), good_report(spo2="95"))
    assert out.level == "red"


def test_fever_over_two_days_is_yellow(store, officer, frozen_clock):
    f0 = service.enroll_f0(officer, f0_form())
    token = link_token(officer, f0["id"])
    levels = []
    for _ in range(3):
        levels.append(service.submit_report(None, token, good_report(temperature="38.7")).level)
        frozen_clock[0] += timedelta(days=1)
    assert levels == ["green", "green", "yellow"]


def test_concurrent_board_loads_open_one_missed_alert_per_silence(store, officer, frozen_clock):
    """Many officers opening the board at once must not open the same 'missed' alert twice."""
    import threading
    from datetime import timedelta

    from apps.home_isolation import service

    service.enroll_f0(officer, f0_form())
    frozen_clock[0] += timedelta(hours=25)
    barrier = threading.Barrier(8)
    errors = []

    def load():
        try:
            barrier.wait()
            service.refresh_missed()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=load) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert store.scalar("SELECT count(*) FROM hi_alerts WHERE kind = 'missed'") == 1
    assert service.refresh_missed() == 0
