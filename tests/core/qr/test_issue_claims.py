"""Claims are checked against the token type's ``claims_model`` when issued: a batch with one
bad item is refused whole, the error names the type, the item and the field."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import clock
from core.qr import service as qr


def _permit(**over) -> dict:
    claims = {
        "n": "Nguyễn Văn An",
        "c": "********1234",
        "b": "0401234567",
        "w": [20275],
        "h": [0, 1440],
    }
    claims.update(over)
    return claims


def _items(claims: list[dict]) -> list[qr.IssueItem]:
    exp = clock.now() + timedelta(days=1)
    return [qr.IssueItem(c, exp) for c in claims]


def _tokens(store) -> int:
    return store.scalar("SELECT count(*) FROM qr_tokens")


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"nn": "typo"}, "claims.nn"),  # a typo'd key: the models forbid extra keys
        ({"c": "048090001234"}, "claims.c"),  # an unmasked ID number
        ({"w": []}, "claims.w"),
        ({"h": [1]}, "claims.h"),
    ],
)
def test_a_bad_item_refuses_the_whole_batch_naming_type_item_and_field(store, bad, field):
    qr.reset_cache()
    claims = [_permit(), _permit(), _permit(**bad)]
    with pytest.raises(qr.IssueError) as err:
        qr.issue("TP1:", _items(claims), "test", store=store)
    message = str(err.value)
    assert message.startswith("TP token (item 2):") and field in message
    assert _tokens(store) == 0


def test_bulk_batches_are_checked_too(store):
    qr.reset_cache()
    claims = [_permit() for _ in range(qr.SMALL_BATCH + 10)]
    claims[-1] = _permit(b="not-a-tax-code")
    with pytest.raises(qr.IssueError, match=rf"item {len(claims) - 1}\): claims.b"):
        qr.issue("TP1:", _items(claims), "test", store=store)
    assert _tokens(store) == 0
    issued = qr.issue("TP1:", _items(claims[:-1]), "test", store=store)
    assert len(issued) == len(claims) - 1


def test_every_app_token_type_refuses_an_unknown_claim(store):
    from core.registry import get_registry

    qr.reset_cache()
    for tt in get_registry().token_types():
        with pytest.raises(qr.IssueError, match=tt.type_id):
            qr.issue(tt.prefix, _items([{"zz_unknown": 1}]), "test", store=store)


def test_a_prefix_no_app_declares_is_issued_as_given(store):
    qr.reset_cache()
    (tok,) = qr.issue("XQ1:", _items([{"anything": ["goes"]}]), "test", store=store)
    assert qr.verify_server(tok.text).claims == {"anything": ["goes"]}
