"""Triage (the configurable rule table) and the checkpoint rule of the monitoring token."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from apps.home_isolation.models import LEVELS, RANK, IsolationSettings, TriageRule
from core.qr.rulesets import RuleSet
from core.rules import Rule

_OPS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


SPO2_MISSING = "spo2_missing"
"""The reason of a report sent without SpO2 ("no oximeter")."""


@dataclass(frozen=True)
class Triage:
    level: str
    rank: int
    reasons: tuple[str, ...]


def _matches(rule: TriageRule, values: dict[str, Any], symptoms: Sequence[str]) -> bool:
    if rule.field == "symptom":
        return rule.op == "has" and str(rule.value) in symptoms
    if rule.op == "has":
        return False
    value = values.get(rule.field)
    if value is None:
        return False
    try:
        return _OPS[rule.op](float(value), float(rule.value))
    except (TypeError, ValueError):
        return False


def triage(
    values: dict[str, Any],
    symptoms: Sequence[str],
    *,
    age: int | None,
    chronic: Sequence[str],
    settings: IsolationSettings,
) -> Triage:
    """The level of one report: the highest matching rule, raised one level (up to red) for
    age >= ``elderly_age`` or any chronic condition. ``values`` holds spo2, temperature, pulse,
    resp_rate and fever_days.

    A report without SpO2 (the person has no oximeter) is never taken as a normal reading:
    no SpO2 rule matches a missing value, and the report is at least yellow with the reason
    ``spo2_missing`` (someone must check on them), other rules still raising it further."""
    rank = 0
    reasons: list[str] = []
    for rule in settings.rules:
        if _matches(rule, values, symptoms):
            reasons.append(rule.code)
            rank = max(rank, RANK[rule.level])
    if values.get("spo2") is None:
        reasons.append(SPO2_MISSING)
        rank = max(rank, RANK["yellow"])
    if (age is not None and age >= settings.elderly_age) or any(chronic):
        rank = min(rank + 1, len(LEVELS) - 1)
        reasons.append("risk_group")
    return Triage(LEVELS[rank], rank, tuple(reasons))


def is_worsening(recent: Sequence[tuple[int, int | None]], settings: IsolationSettings) -> bool:
    """``recent`` = the last N reports as (level rank, spo2 or None without an oximeter),
    oldest first. Worsening when the rank rises at every step, or SpO2 (measured in each of
    them) falls at every step by ``worsening_spo2_drop`` in all."""
    n = settings.worsening_reports
    if len(recent) < n:
        return False
    last = list(recent)[-n:]
    ranks = [r for r, _ in last]
    spo2 = [s for _, s in last]
    rising = all(b > a for a, b in zip(ranks, ranks[1:], strict=False))
    if any(s is None for s in spo2):
        return rising
    measured = [int(s) for s in spo2 if s is not None]
    falling = all(b < a for a, b in zip(measured, measured[1:], strict=False)) and (
        measured[0] - measured[-1] >= settings.worsening_spo2_drop
    )
    return rising or falling


checkpoint_rule = RuleSet(
    "HI",
    claims={"e": "str", "r": "enum:F0,F1"},
    optional=("r",),  # tokens issued before the claims lost F0/F1 still carry it
    rules=(
        Rule(
            "HI-ISOLATING",
            {"!": [{"var": "payload.e"}]},
            "ISOLATING",
            "Người này đang cách ly tại nhà: không cho qua",
            "This person is in home isolation: do not let them pass",
        ),
    ),
)
"""A valid (unrevoked) monitoring token means the holder is in home isolation right now: a
checkpoint must not let them pass (the rule fails for every token naming an enrolment).
Released people's tokens are revoked, so they never get here. The token carries no F0/F1
any more, so the card shows none."""
