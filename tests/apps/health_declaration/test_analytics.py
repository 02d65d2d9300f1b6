"""Analytics queries: counts move, red list, formula-safe export, check-ins per venue/hour."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pandas as pd

from apps.health_declaration import analytics, service
from core.qr import service as qr
from core.testkit import make_principal
from tests.apps.health_declaration.conftest import WARD, form, venue_form

F = analytics.Filters(date(2021, 9, 1), date(2021, 9, 30))


def test_counts_move_and_red_list(hd, officer):
    before = analytics.summary(officer, F)
    service.submit_declaration(None, form(full_name="Lê Văn A", exposures=["exp_case"]))
    service.submit_declaration(None, form(person_id="048185000002", symptoms=["cough"]))
    after = analytics.summary(officer, F)
    assert after["declarations"] == before["declarations"] + 2
    assert after["red"] == 1 and after["fever_cough"] == 1 and after["contacts"] == 1
    assert analytics.per_day(officer, F)["declarations"].sum() == 2
    assert analytics.per_ward(officer, F)["ward_code"].tolist() == [WARD]
    red = analytics.risk_list(officer, F, ("red",))
    assert red["full_name"].tolist() == ["Lê Văn A"]
    assert len(analytics.risk_list(officer, F, limit=1)) == 1
    other = analytics.Filters(date(2021, 9, 1), date(2021, 9, 30), 48, 1)
    assert analytics.summary(officer, other)["declarations"] == 0


def test_export_formula_safe(hd, officer):
    service.submit_declaration(None, form(street='=HYPERLINK("x")', exposures=["exp_case"]))
    csv = analytics.export_risk(officer, F, "csv", purpose="gọi điện cho người nguy cơ").decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in csv
    frame = pd.read_parquet(
        io.BytesIO(
            analytics.export_risk(officer, F, "parquet", purpose="gọi điện cho người nguy cơ")
        )
    )
    assert frame["street"].iloc[0].startswith("'=")


def test_checkins_hourly_rollup_and_raw(hd, officer, frozen_clock):
    owner = make_principal("shop1", "business")
    venue = service.register_venue(
        owner, venue_form("Chợ Hàn", "market", 48, WARD, "1", "0905000111")
    )
    venue = service.approve_venue(make_principal("officer", "health_officer"), venue.id)
    token = qr.token_texts([venue.token_id])[venue.token_id]
    held = service.submit_declaration(None, form()).holder_secret
    service.checkin_as_holder(None, token, held)  # 08:00 UTC = 15 local
    frozen_clock[0] += timedelta(days=1)
    held = service.submit_declaration(None, form(), holders=[held]).holder_secret
    service.checkin_as_holder(None, token, held)
    out = analytics.checkins_hourly(officer, F)  # day 1 rolled up, day 2 raw
    assert out.to_dict("records") == [
        {"venue_id": venue.id, "venue": "Chợ Hàn", "hour": 15, "checkins": 2}
    ]
    assert hd.scalar("SELECT count(*) FROM hd_checkin_daily") == 1
    analytics.checkins_hourly(officer, F)
    assert hd.scalar("SELECT sum(h15) FROM hd_checkin_daily") == 1  # not counted twice
    assert hd.scalar("SELECT sum(total) FROM hd_checkin_daily") == 1


def test_checkins_hourly_top_venues_count_rolled_and_raw_days(hd, officer, frozen_clock):
    """The busiest venue is picked from yesterday's roll-up plus today's rows: one check-in
    yesterday at the market, two today at the shop; ``top=1`` shows the shop."""
    officer_ = make_principal("officer", "health_officer")
    owner = make_principal("shop1", "business")
    tokens = {}
    for name, kind in (("Chợ Hàn", "market"), ("Tiệm Bánh", "shop")):
        venue = service.register_venue(owner, venue_form(name, kind, 48, WARD, "1", "0905000111"))
        venue = service.approve_venue(officer_, venue.id)
        tokens[name] = qr.token_texts([venue.token_id])[venue.token_id]
    held = service.submit_declaration(None, form()).holder_secret
    service.checkin_as_holder(None, tokens["Chợ Hàn"], held)
    frozen_clock[0] += timedelta(days=1)
    for i in range(2):
        person = form(person_id=f"04818500001{i}", phone=f"090500001{i}")
        held = service.submit_declaration(None, person).holder_secret
        service.checkin_as_holder(None, tokens["Tiệm Bánh"], held)
    top = analytics.checkins_hourly(officer, F, top=1)
    assert top[["venue", "checkins"]].values.tolist() == [["Tiệm Bánh", 2]]
    both = analytics.checkins_hourly(officer, F)
    assert both[["venue", "checkins"]].values.tolist() == [["Tiệm Bánh", 2], ["Chợ Hàn", 1]]


def test_risk_export_is_audited(hd, officer):
    before = hd.scalar("SELECT count(*) FROM audit_log WHERE action = 'hd.risk.export'")
    analytics.export_risk(officer, F, "csv", purpose="gọi điện cho người nguy cơ")
    assert hd.scalar("SELECT count(*) FROM audit_log WHERE action = 'hd.risk.export'") == before + 1


def test_declaration_panels_add_the_daily_rollup_and_the_rows_after_it(hd, officer, frozen_clock):
    """Yesterday's declarations are counted once into ``hd_declaration_daily``; today's come
    from the rows. Every panel gives the same figures as counting the rows, by day and ward."""
    service.submit_declaration(None, form(exposures=["exp_case"]))
    service.submit_declaration(None, form(person_id="048185000002", symptoms=["cough"]))
    frozen_clock[0] += timedelta(days=1, microseconds=1)
    service.submit_declaration(None, form(person_id="048185000003", symptoms=["fever"]))
    first = analytics.summary(officer, F)
    assert hd.scalar("SELECT sum(declarations) FROM hd_declaration_daily") == 2
    assert first == {
        "declarations": 3, "fever_cough": 2, "contacts": 1, "epidemic": 0, "red": 1, "yellow": 2
    }  # fmt: skip
    assert analytics.summary(officer, F) == first  # a second refresh counts nothing twice
    assert hd.scalar("SELECT sum(declarations) FROM hd_declaration_daily") == 2
    days = analytics.per_day(officer, F)
    assert days["declarations"].tolist() == [2, 1]
    assert [str(d)[:10] for d in days["day"]] == ["2021-09-10", "2021-09-11"]
    wards = analytics.per_ward(officer, F)
    assert wards[["ward_code", "declarations", "red"]].values.tolist() == [[WARD, 3, 1]]
    one_day = analytics.Filters(date(2021, 9, 10), date(2021, 9, 10), 48, WARD)
    assert analytics.summary(officer, one_day)["declarations"] == 2
    elsewhere = analytics.Filters(date(2021, 9, 1), date(2021, 9, 30), 48, WARD + 1)
    assert analytics.summary(officer, elsewhere)["declarations"] == 0


def test_rewind_counts_rows_loaded_before_the_watermark(hd, officer, frozen_clock):
    """A bulk load of older rows (the city demo after the small one) is counted after
    ``rewind_rollups``, and only once."""
    frozen_clock[0] += timedelta(days=2)
    assert analytics.summary(officer, F)["declarations"] == 0  # watermark: 2021-09-12
    frozen_clock[0] -= timedelta(days=2)
    service.submit_declaration(None, form())  # an "old" row, before the watermark
    frozen_clock[0] += timedelta(days=2)
    assert analytics.summary(officer, F)["declarations"] == 0
    analytics.rewind_rollups(frozen_clock[0] - timedelta(days=3))
    assert analytics.summary(officer, F)["declarations"] == 1
    assert analytics.per_day(officer, F)["declarations"].tolist() == [1]
    assert hd.scalar("SELECT sum(declarations) FROM hd_declaration_daily") == 1
