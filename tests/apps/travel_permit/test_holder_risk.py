"""A permit holder in isolation (issue 17 item 1): the approver sees the flag before approving,
and the checkpoint refuses the permit with a clear reason, resolving the holder server-side
from the verified token id (the claims carry only the last 4 CCCD digits)."""

from __future__ import annotations

import pytest

from apps.travel_permit import rules, service
from apps.travel_permit.service import Decision, TPError
from core import clock, risk
from core.i18n import t_in
from core.qr import service as qr
from core.registry import CheckContext
from core.store import current_store, set_store
from core.testkit import make_principal

from .conftest import WARDS, request_answers


@pytest.fixture()
def permits(store, biz, approver):
    """A pending request of 3 employees: the first isolating (F0), the second with a yellow
    declaration, the third clear."""
    ids = list(service.list_employees(biz, store=store)["cccd"])[:3]
    rid = service.submit_request(biz, request_answers(ids), store=store)
    now = clock.now()
    risk.record(ids[0], "isolation", "red", "F0", now, ref="HI-test", store=store)
    risk.record(ids[1], "declaration", "yellow", "cough", now, ref="D1", store=store)
    return {"rid": rid, "ids": ids}


def test_approver_sees_the_flags(store, approver, permits):
    flags = service.holder_flags(approver, permits["rid"], store=store).set_index("cccd")
    first, second, third = permits["ids"]
    assert flags.loc[first, "flag"] == "isolating" and bool(flags.loc[first, "isolating"])
    assert flags.loc[first, "level"] == "red"
    assert flags.loc[second, "flag"] == "declaration_yellow"
    assert flags.loc[third, "flag"] == "" and flags.loc[third, "flag_text"] == ""
    assert flags.loc[first, "flag_text"] in (
        t_in("vi", "tp.flag.isolating"),
        t_in("en", "tp.flag.isolating"),
    )


def test_flags_need_an_approver(store, biz, permits):
    with pytest.raises(Exception) as err:
        service.holder_flags(biz, permits["rid"], store=store)
    assert type(err.value).__name__ == "PermissionDenied"
    with pytest.raises(TPError):
        service.holder_flags(make_principal("a2", "approver"), "nope", store=store)


def _scan(store, pid: str):
    from checkpoints.service import server_verifier

    text = qr.token_texts([pid], store=store)[pid]
    return server_verifier({"id": "cp1", "zone": str(WARDS[0])}, store=store).check(
        text, clock.now()
    )


def _permit_of(store, cccd: str) -> str:
    return store.scalar("SELECT permit_id FROM tp_permits WHERE cccd = ?", [cccd])


def test_checkpoint_refuses_an_isolating_holder(store, approver, permits):
    service.decide(approver, permits["rid"], Decision.approve_all(), store=store)
    first, second, third = permits["ids"]
    refused = _scan(store, _permit_of(store, first))
    assert (refused.verdict, refused.reason) == ("INVALID", rules.HOLDER_ISOLATING)
    assert refused.fields["cccd"].endswith(first[-4:])  # the card still says whose permit
    # a yellow declaration alone does not stop a permit; a clear holder passes
    assert _scan(store, _permit_of(store, second)).verdict == "VALID"
    assert _scan(store, _permit_of(store, third)).verdict == "VALID"
    # released from isolation: the same permit passes again
    risk.clear(first, "isolation", store=store)
    assert _scan(store, _permit_of(store, first)).verdict == "VALID"


def test_a_failed_lookup_warns_and_offline_keeps_the_data_verdict(
    store, approver, permits, monkeypatch
):
    service.decide(approver, permits["rid"], Decision.approve_all(), store=store)
    pid = _permit_of(store, permits["ids"][0])
    claims = qr.verify_server(qr.token_texts([pid], store=store)[pid], store=store).claims
    ctx = CheckContext(now=clock.now(), zone=str(WARDS[0]), token_id=pid)
    assert rules.check(dict(claims), ctx).reason == rules.HOLDER_ISOLATING

    def broken(*_a, **_k):
        raise RuntimeError("database gone")

    monkeypatch.setattr(risk, "status", broken)
    result = rules.check(dict(claims), ctx)
    assert (result.verdict, result.reason) == ("WARN", rules.HOLDER_UNCHECKED)
    monkeypatch.undo()
    # no database in this process (an offline station, like the phone): the data rules alone
    saved = current_store()
    set_store(None)
    try:
        assert rules.check(dict(claims), ctx).verdict == "VALID"
    finally:
        set_store(saved)
    # a permit refused by its data rules says so, before any lookup
    late = CheckContext(now=clock.now(), zone="1", token_id=pid)
    assert rules.check(dict(claims), late).reason == "ZONE_NOT_ALLOWED"


def test_reason_has_words_in_both_languages():
    for lang in ("vi", "en"):
        for code in (rules.HOLDER_ISOLATING, rules.HOLDER_UNCHECKED):
            text = t_in(lang, f"tp.token.reason.{code}")
            assert text and text != f"tp.token.reason.{code}"
