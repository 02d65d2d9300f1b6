"""Issue 18 item 7: after a success the staff forms clear, and the same answers delivered twice
(a double click) make one request, not two (``core.ui.submit.once``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core import accounts
from core.demo import seed_demo
from core.testkit import make_principal, run_page
from core.ui.submit import fingerprint


@given(st.dictionaries(st.text(max_size=8), st.lists(st.integers(), max_size=5), max_size=5))
def test_fingerprint_ignores_order_only(raw):
    shuffled = {k: list(reversed(v)) for k, v in reversed(list(raw.items()))}
    assert fingerprint(shuffled) == fingerprint(raw)
    if raw:
        changed = dict(raw)
        key = next(iter(changed))
        changed[key] = [*changed[key], "other"]
        assert fingerprint(changed) != fingerprint(raw)


def _business(store):
    admin = make_principal("walker", "admin")
    user = next(u for u in accounts.list_users(admin) if u.username == "dn_business1")
    return accounts.principal_for(user)


def test_double_send_of_a_permit_request_makes_one_request_and_clears(store):
    from apps.travel_permit import service

    seed_demo(store, "small", app_ids=["travel_permit"])
    business = _business(store)
    before = len(service.list_requests(business))
    at = run_page("travel_permit.request", business)
    assert not at.exception

    def fill(purpose: str, who: int = 0) -> None:
        pick = next(m for m in at.multiselect if m.label.startswith("Chọn nhân viên cần giấy"))
        pick.select(pick.options[who])
        next(a for a in at.text_area if a.label.startswith("Mục đích đi lại")).input(purpose)

    def send() -> None:
        next(b for b in at.button if b.label == "Gửi yêu cầu").click()
        at.run()
        assert not at.exception

    fill("Giao hàng thiết yếu")
    send()
    assert len(service.list_requests(business)) == before + 1
    assert any("Đã gửi yêu cầu" in s.value for s in at.success)
    # the form is cleared after the success
    assert next(a for a in at.text_area if a.label.startswith("Mục đích đi lại")).value == ""
    assert (
        next(m for m in at.multiselect if m.label.startswith("Chọn nhân viên cần giấy")).value == []
    )

    fill("Giao hàng thiết yếu")  # the same answers delivered again (a double click)
    send()
    assert len(service.list_requests(business)) == before + 1
    assert any("Đã gửi yêu cầu" in s.value for s in at.success)

    fill("Giao hàng thiết yếu", who=1)  # different answers are a new request
    send()
    assert len(service.list_requests(business)) == before + 2
