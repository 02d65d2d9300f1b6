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
    old = per_day.iloc[:-3]  # older days: the demo reaches about 78% within 72 h
    # The small demo has only about a dozen older cases, each decided by a hash of its random
    # id: a clean checkout drew 6 of 12. A share above 30% still tells a reached backlog from
    # none, and 12 draws at 78% fall to 3 or fewer about once in seven thousand runs.
    assert (old["within_72h"].sum() / old["cases"].sum()) > 0.3
    assert int(service.backlog(officer)["due"].sum()) > 0
    user = accounts.get_user("worker", store=store)
    assert user is not None and user.grants[0].role == "health_worker"
    worker = make_principal("worker", str(user.grants[0]))
    assert not service.today_list(worker).empty
