"""Venue review (issue 18 items 7 and 9): reject with a reason the owner reads, the count of
venues waiting, the home page's pending work, and a venue sent twice registered once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from apps.health_declaration import service, venue_review
from core.forms import FormInvalid
from core.registry import PUBLIC
from core.testkit import authorization_matrix, make_principal, run_page
from core.testkit import page_text as _texts
from tests.apps.health_declaration.conftest import WARD, venue_form


def _shop(name: str = "Tiệm may Hòa", street: str = "12 Lê Lợi") -> dict:
    return venue_form(name, "shop", 48, WARD, street, "0905 111 222")


def test_reject_keeps_the_reason_the_owner_reads_and_is_audited(hd, owner, officer):
    venue = service.register_venue(owner, _shop())
    kept = venue_review.reject_venue(officer, venue.id, "  Sai địa chỉ:\n\tghi lại số nhà  ")
    assert kept == "Sai địa chỉ: ghi lại số nhà"  # whitespace and line breaks folded
    assert service.get_venue(owner, venue.id).status == "rejected"
    assert venue_review.rejection_reason(owner, venue.id) == kept
    mine = venue_review.venues(owner)
    assert mine.loc[mine["id"] == venue.id, "reject_reason"].item() == kept
    row = hd.fetchone(
        "SELECT actor, details FROM audit_log WHERE action = 'hd.venue.reject' AND object_id = ?",
        [str(venue.id)],
    )
    assert row is not None and row[0] == "officer" and kept in str(row[1])
    # decided once: neither a second rejection nor an approval afterwards
    with pytest.raises(venue_review.ReviewError):
        venue_review.reject_venue(officer, venue.id, "lý do khác nữa")
    with pytest.raises(service.HealthError):
        service.approve_venue(officer, venue.id)
    with pytest.raises(service.HealthError):
        service.venue_poster(owner, venue.id)  # a rejected venue has no QR


@pytest.mark.parametrize("reason", [None, "", "   ", "ok", "\n\n\t", "x" * 301])
def test_a_reason_too_short_or_too_long_is_refused_and_nothing_changes(hd, owner, officer, reason):
    venue = service.register_venue(owner, _shop())
    with pytest.raises(venue_review.ReviewError):
        venue_review.reject_venue(officer, venue.id, reason)
    assert service.get_venue(owner, venue.id).status == "pending"
    assert hd.scalar("SELECT count(*) FROM hd_venue_rejections") == 0


def test_only_pending_venues_can_be_rejected(hd, owner, officer):
    venue = service.register_venue(owner, _shop())
    service.approve_venue(officer, venue.id)
    with pytest.raises(venue_review.ReviewError):
        venue_review.reject_venue(officer, venue.id, "quá muộn để từ chối")
    with pytest.raises(venue_review.ReviewError):
        venue_review.reject_venue(officer, 999_999, "không có địa điểm này")


def test_another_business_reads_no_reason(hd, owner, officer):
    venue = service.register_venue(owner, _shop())
    venue_review.reject_venue(officer, venue.id, "thiếu giấy phép kinh doanh")
    other = make_principal("shop2", "business")
    with pytest.raises(service.HealthError):
        venue_review.rejection_reason(other, venue.id)
    assert venue_review.venues(other).empty


def test_pending_count_and_the_home_pages_pending_work(hd, owner, officer):
    assert venue_review.pending_work(officer) == []  # nothing waits: no line
    first = service.register_venue(owner, _shop("Quán A", "1 Hùng Vương"))
    service.register_venue(owner, _shop("Quán B", "2 Hùng Vương"))
    third = service.register_venue(owner, _shop("Quán C", "3 Hùng Vương"))
    service.register_venue(officer, _shop("Trạm y tế", "4 Hùng Vương"))  # opens at once
    assert venue_review.pending_count(officer) == 3
    service.approve_venue(officer, first.id)
    venue_review.reject_venue(officer, third.id, "trùng với địa điểm khác")
    assert venue_review.pending_work(officer) == [
        ("hd.pending.venues", 1, venue_review.PENDING_PAGE)
    ]
    assert venue_review.pending_work(owner) == []  # a business approves nothing
    assert venue_review.pending_work(make_principal("a", "admin")) == []


def test_a_venue_sent_twice_is_registered_once(hd, owner, frozen_clock):
    first = venue_review.register_once(owner, _shop())
    again = venue_review.register_once(owner, _shop(name=" tiệm MAY hòa ", street="12 lê lợi"))
    assert again.id == first.id
    assert hd.scalar("SELECT count(*) FROM hd_venues") == 1
    # another venue, the same one by another account, or the same one much later: new rows
    venue_review.register_once(owner, _shop(street="14 Lê Lợi"))
    venue_review.register_once(make_principal("shop2", "business"), _shop())
    frozen_clock[0] += timedelta(minutes=venue_review.SAME_VENUE_MINUTES + 1)
    venue_review.register_once(owner, _shop())
    assert hd.scalar("SELECT count(*) FROM hd_venues") == 4


def test_a_rejected_venue_can_be_sent_again_corrected(hd, owner, officer):
    venue = venue_review.register_once(owner, _shop())
    venue_review.reject_venue(officer, venue.id, "sai số nhà, sửa lại")
    again = venue_review.register_once(owner, _shop())
    assert again.id != venue.id and again.status == "pending"


def test_two_sends_arriving_together_make_one_venue(hd, owner):
    results: list[int] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        barrier.wait()
        results.append(venue_review.register_once(owner, _shop(), store=hd).id)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(set(results)) == 1 and len(results) == 4
    assert hd.scalar("SELECT count(*) FROM hd_venues") == 1


def test_register_once_names_the_field_at_fault(hd, owner):
    with pytest.raises(FormInvalid) as bad:
        venue_review.register_once(owner, _shop(name=""))
    assert "name" in bad.value.errors


def test_every_review_entry_point_for_every_role(hd, owner, officer):
    pending = service.register_venue(owner, _shop())
    biz = {"business", "health_officer"}
    authorization_matrix(
        [venue_review],
        {
            "pending_count": (lambda p: venue_review.pending_count(p), {"health_officer"}),
            "pending_work": (lambda p: venue_review.pending_work(p), {PUBLIC}),
            "reject_venue": (
                lambda p: venue_review.reject_venue(p, pending.id, "không đủ điều kiện"),
                {"health_officer"},
            ),
            "rejection_reason": (
                lambda p: venue_review.rejection_reason(p, pending.id),
                biz,
            ),
            "venues": (lambda p: venue_review.venues(p), biz),
            "register_once": (
                lambda p: venue_review.register_once(p, _shop(street="9 Nguyễn Du")),
                biz,
            ),
        },
        errors=(venue_review.ReviewError, service.HealthError, FormInvalid),
    )


# -- the page -----------------------------------------------------------------------------------


def test_the_officer_sees_the_count_rejects_with_a_reason_and_the_owner_reads_it(
    hd, owner, officer
):
    venue = service.register_venue(owner, _shop())
    service.register_venue(owner, _shop("Quán B", "2 Hùng Vương"))
    at = run_page("health_declaration.venues", officer)
    assert not at.exception, at.exception
    assert "2 địa điểm đang chờ duyệt." in _texts(at)
    picker = at.selectbox(key="hd_venue_sel")
    assert sorted(picker.options) == [
        f"Quán B — 2 Hùng Vương (số {venue.id + 1})",
        f"Tiệm may Hòa — 12 Lê Lợi (số {venue.id})",
    ]
    picker.select(venue.id).run()
    at.button(key="hd_reject").click().run()  # no reason yet: refused beside the field
    assert "ít nhất 5 ký tự" in _texts(at)
    assert service.get_venue(owner, venue.id).status == "pending"
    at.text_area(key=f"hd_reject_reason_{venue.id}").input("Thiếu số nhà").run()
    at.button(key="hd_reject").click().run()
    assert not at.exception, at.exception
    assert "Đã từ chối địa điểm." in _texts(at)
    assert "1 địa điểm đang chờ duyệt." in _texts(at)
    assert service.get_venue(owner, venue.id).status == "rejected"
    assert at.selectbox(key="hd_venue_sel").value == venue.id  # still the one decided on

    mine = run_page("health_declaration.venues", owner)
    table = mine.dataframe[0].value
    assert set(table["Trạng thái"]) == {"Bị từ chối", "Chờ duyệt"}
    assert "Thiếu số nhà" in set(table["Lý do từ chối"])
    assert "id" not in table.columns and "status" not in table.columns
    mine.selectbox(key="hd_venue_sel").select(venue.id).run()
    assert "Lý do: Thiếu số nhà" in _texts(mine)


def test_only_pending_filter_opens_from_the_home_pages_link(hd, owner, officer):
    waiting = service.register_venue(owner, _shop())
    opened = service.register_venue(officer, _shop("Trạm y tế", "4 Hùng Vương"))
    at = run_page("health_declaration.venues", officer, query={"pending": "1"})
    assert not at.exception, at.exception
    names = set(at.dataframe[0].value["Tên địa điểm"])
    assert names == {waiting.name} and opened.name not in names


def _fill_venue(at, answers: dict) -> None:
    at.text_input(key="hd_venue:name").input(answers["name"])
    at.text_input(key="hd_venue:street").input(answers["street"])
    at.text_input(key="hd_venue:contact_phone").input(answers["contact_phone"])
    at.selectbox(key="hd_venue:kind").set_value(answers["kind"])
    at.selectbox(key="hd_venue:ward_code").set_value(WARD)


def test_the_venue_form_clears_and_a_second_send_makes_no_second_venue(hd, owner):
    at = run_page("health_declaration.venues", owner)
    answers = _shop()
    _fill_venue(at, answers)
    at.button(key="hd_venue::send").click().run()
    assert not at.exception, at.exception
    assert hd.scalar("SELECT count(*) FROM hd_venues") == 1
    # cleared after success, and the new venue is the one picked below the list
    assert at.text_input(key="hd_venue:name").value in ("", None)
    assert at.text_input(key="hd_venue:street").value in ("", None)
    assert at.selectbox(key="hd_venue:kind").value is None
    assert at.selectbox(key="hd_venue_sel").value == hd.scalar("SELECT id FROM hd_venues")
    # the same answers sent again (a second tab, a double click): still one venue
    _fill_venue(at, answers)
    at.button(key="hd_venue::send").click().run()
    assert not at.exception, at.exception
    assert hd.scalar("SELECT count(*) FROM hd_venues") == 1
