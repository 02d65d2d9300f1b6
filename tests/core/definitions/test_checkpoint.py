"""A definition app's codes at the existing checkpoint scanner: VALID at the right place and
day, INVALID with the declared reason at a wrong one; once-only codes; revocation; an offline
station. The scanner has nothing specific to definition apps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import clock
from core.definitions import service
from core.testkit import FROZEN_AT, make_principal
from tests.core.definitions.conftest import (
    AN_HAI,
    HAI_CHAU,
    MARKET,
    RELIEF,
    VACCINATION,
    market_answers,
    relief_answers,
    vaccination_answers,
)

CHECKPOINT = make_principal("gate", "checkpoint")
# FROZEN_AT is Friday 10 September 2021, 15:00 in Vietnam: an even day


@pytest.fixture()
def gates(store, admin):
    from checkpoints import service as cp

    for cid, ward in (
        ("cho-con", HAI_CHAU),
        ("cho-han", HAI_CHAU),
        ("vx-hai-chau", HAI_CHAU),
        ("vx-son-tra", AN_HAI),
        ("cuu-tro-an-hai", AN_HAI),
        ("cuu-tro-hai-chau", HAI_CHAU),
    ):
        cp.add_checkpoint(admin, cid, cid, str(ward), None, None, store=store)


def scan(text: str, checkpoint: str):
    from checkpoints import service as cp

    (result,) = cp.scan_texts(CHECKPOINT, [text], checkpoint_id=checkpoint)
    return result.verdict


def test_market_voucher_at_the_gate(store, install_app, gates, frozen_clock):
    from checkpoints.pages import reason_text, type_title
    from core.i18n import set_locale

    install_app(MARKET)
    official = make_principal("p", f"can_bo_phuong@ward:{HAI_CHAU}")
    even = service.submit(official, MARKET, market_answers(8)).token_text  # household 108
    odd = service.submit(official, MARKET, market_answers(7)).token_text  # household 107
    valid = scan(even, "cho-con")
    assert (valid.verdict, valid.reason, valid.token_type) == ("VALID", "VALID", "MV1")
    assert valid.fields["head"] == "Trần Thị Bích Ngọc" and valid.fields["market"] == "Chợ Cồn"
    assert valid.fields["ward"] == "Phường Hải Châu"
    wrong_day = scan(odd, "cho-con")
    assert (wrong_day.verdict, wrong_day.reason) == ("INVALID", "WRONG_DAY")
    wrong_market = scan(even, "cho-han")
    assert (wrong_market.verdict, wrong_market.reason) == ("INVALID", "WRONG_MARKET")
    set_locale("vi")
    assert reason_text("WRONG_MARKET", "MV1", with_code=False) == "Không phải chợ được phân cho hộ"
    assert type_title("MV1") == "Phiếu đi chợ"
    set_locale("en")
    assert reason_text("WRONG_DAY", "MV1", with_code=False).startswith("Not the household's market")
    set_locale("vi")
    frozen_clock[0] = FROZEN_AT + timedelta(days=1)  # an odd day
    assert scan(odd, "cho-con").verdict == "VALID"
    frozen_clock[0] = FROZEN_AT + timedelta(days=15)  # past the 14 days
    assert scan(odd, "cho-con").reason == "EXPIRED"


def test_vaccination_on_its_day_at_its_site(store, install_app, gates, frozen_clock):
    install_app(VACCINATION)
    done = service.submit(None, VACCINATION, vaccination_answers(1))
    service.decide(make_principal("s", "nhan_vien_tiem"), VACCINATION, done.id, "approve")
    text = service.status(None, VACCINATION, done.ref)["token_text"]
    assert scan(text, "vx-hai-chau").verdict == "VALID"
    wrong = scan(text, "vx-son-tra")
    assert (wrong.verdict, wrong.reason) == ("INVALID", "WRONG_SITE")
    frozen_clock[0] = FROZEN_AT + timedelta(hours=3)  # 18:00 local: a warning, not a refusal
    late = scan(text, "vx-hai-chau")
    assert (late.verdict, late.reason) == ("WARN", "OUTSIDE_HOURS")
    frozen_clock[0] = FROZEN_AT + timedelta(days=1)
    assert scan(text, "vx-hai-chau").reason == "EXPIRED"  # the day after
    frozen_clock[0] = FROZEN_AT
    later = service.submit(
        None, VACCINATION, vaccination_answers(2, day=clock.today_local() + timedelta(days=2))
    )
    service.decide(make_principal("s", "nhan_vien_tiem"), VACCINATION, later.id, "approve")
    text = service.status(None, VACCINATION, later.ref)["token_text"]
    assert scan(text, "vx-hai-chau").reason == "NOT_YET_VALID"


def test_relief_is_received_once_at_its_point(store, install_app, gates, frozen_clock):
    install_app(RELIEF)
    official = make_principal("x", f"can_bo_xa@ward:{AN_HAI}")
    done = service.submit(None, RELIEF, relief_answers(1))
    service.decide(official, RELIEF, done.id, "approve")
    text = service.status(None, RELIEF, done.ref)["token_text"]
    wrong = scan(text, "cuu-tro-hai-chau")
    assert (wrong.verdict, wrong.reason) == ("INVALID", "WRONG_POINT")  # does not use it up
    first = scan(text, "cuu-tro-an-hai")
    assert first.verdict == "VALID"
    second = scan(text, "cuu-tro-an-hai")
    assert (second.verdict, second.reason) == ("INVALID", "ALREADY_RECEIVED")
    service.revoke(official, RELIEF, done.id, "Nhận nhầm")
    assert scan(text, "cuu-tro-an-hai").reason == "REVOKED"


def test_once_only_at_the_same_moment_at_two_gates(store, install_app, gates):
    import threading

    install_app(RELIEF)
    done = service.submit(None, RELIEF, relief_answers(1))
    service.decide(make_principal("x", "can_bo_xa"), RELIEF, done.id, "approve")
    text = service.status(None, RELIEF, done.ref)["token_text"]
    barrier = threading.Barrier(4)
    verdicts: list[str] = []

    def gate() -> None:
        barrier.wait()
        verdicts.append(scan(text, "cuu-tro-an-hai").verdict)

    threads = [threading.Thread(target=gate) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(verdicts) == ["INVALID", "INVALID", "INVALID", "VALID"]


def test_an_offline_station_cannot_vouch_for_once(store, install_app, gates):
    from checkpoints.verify import Verifier
    from core.qr import service as qr
    from core.store import set_store

    install_app(RELIEF)
    done = service.submit(None, RELIEF, relief_answers(1))
    service.decide(make_principal("x", "can_bo_xa"), RELIEF, done.id, "approve")
    text = service.status(None, RELIEF, done.ref)["token_text"]
    station = Verifier(
        qr.trust_list(), frozenset(), zone=str(AN_HAI), checkpoint_id="cuu-tro-an-hai"
    )
    set_store(None)  # the station has no server database
    try:
        verdict = station.check(text, clock.now())
    finally:
        set_store(store)
    assert (verdict.verdict, verdict.reason) == ("WARN", "ONCE_UNCHECKED")


def test_the_scan_log_and_dashboard_see_definition_codes(store, install_app, gates):
    from checkpoints import service as cp

    install_app(MARKET)
    official = make_principal("p", f"can_bo_phuong@ward:{HAI_CHAU}")
    text = service.submit(official, MARKET, market_answers(8)).token_text
    scan(text, "cho-han")
    reasons = cp.rejection_reasons(CHECKPOINT)
    assert list(reasons["reason"]) == ["WRONG_MARKET"]
