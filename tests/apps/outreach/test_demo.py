"""The outreach demo: a week of cases with a plausible backlog, today's cases, a worker."""

from __future__ import annotations

from apps.outreach import service
from core import accounts
from core.demo import seed_demo
from core.testkit import make_principal


def test_small_demo_has_a_week_of_cases_a_backlog_and_a_worker(store, frozen_clock):
    seed_demo(store, "small", app_ids=["health_declaration", "outreach"])
    stats = service.stats(store)
    assert stats["cases"] > 10 and 0 < stats["open"] < stats["cases"]
    assert stats["attempts"] > stats["cases"] // 2
    officer = make_principal("o", "health_officer")
    per_day = service.reach_per_day(service.reach(officer, days=30))
    assert len(per_day) >= 5
    old = per_day.iloc[:-3]  # older days: most people reached within 72 h
    assert (old["within_72h"].sum() / old["cases"].sum()) > 0.5
    assert int(service.backlog(officer)["due"].sum()) > 0
    user = accounts.get_user("worker", store=store)
    assert user is not None and user.grants[0].role == "health_worker"
    worker = make_principal("worker", str(user.grants[0]))
    assert not service.today_list(worker).empty
