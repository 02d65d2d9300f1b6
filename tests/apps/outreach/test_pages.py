"""The outreach pages as their users see them (core test kit's run_page)."""

from __future__ import annotations

from apps.health_declaration import service as hd
from core.testkit import page_text, run_page
from tests.apps.outreach.conftest import declaration


def test_the_worker_records_an_outcome_in_one_tap(orx, worker, frozen_clock):
    hd.submit_declaration(None, declaration("048185000101", exposures=["exp_case"]))
    at = run_page("outreach.today", worker)
    assert not at.exception
    text = page_text(at)
    assert "Nguyễn Thị Thu Hà" in text and "1 người cần gọi." in text
    reached = next(b for b in at.button if b.label == "Đã liên lạc")
    reached.click().run()
    assert not at.exception
    assert "Không còn ai cần gọi hôm nay." in page_text(at)
    assert orx.scalar("SELECT outcome FROM or_cases") == "reached"


def test_the_dashboard_draws_reach_and_backlog_in_english(orx, worker, officer, frozen_clock):
    hd.submit_declaration(None, declaration("048185000101", exposures=["exp_case"]))
    hd.submit_declaration(None, declaration("048185000102", symptoms=["fever"]))
    run_page("outreach.today", worker)  # the worker's sync opens the cases
    at = run_page("outreach.dashboard", officer, locale="en")
    assert not at.exception
    text = page_text(at)
    assert "Reached within 24 h / 72 h" in text and "Cases waiting, per ward" in text
    assert [m.value for m in at.metric][:3] == ["0%", "0%", "2"]
    assert "share_24h" not in text and "ward_code" not in text


def test_citizens_and_other_roles_are_kept_out(orx):
    assert run_page("outreach.today").error  # asked to log in


def test_a_case_line_shows_a_name_as_text_and_no_empty_venue(orx, worker, frozen_clock):
    """A declared name is the citizen's text: shown as typed, never as markdown; a case with no
    venue shows none (not "nan")."""
    hd.submit_declaration(
        None,
        declaration("048185000101", full_name="Lê Thị Hoa", exposures=["exp_case"]),
    )
    orx.execute("UPDATE hd_declarations SET full_name = '**Lê** [x](http://evil)'")
    at = run_page("outreach.today", worker)
    assert not at.exception
    line = at.markdown[0].value if at.markdown else ""
    names = [m.value for m in at.markdown if "Lê" in m.value]
    assert names and all("\\*\\*Lê\\*\\*" in n and "\\[x\\]" in n for n in names), (line, names)
    captions = " ".join(c.value for c in at.caption)
    assert "nan" not in captions.split(" · ")
