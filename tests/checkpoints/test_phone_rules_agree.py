"""The phone's rule evaluator (the built bundle: certlogic-js after its validator, and
core.rules' data shape in JavaScript) agrees with the server's (core.certlogic, core.rules):
every shared case of tests/data/rules/cases.json, the official CertLogic suite, and rule lists
with INVALID and WARN rules over a grid of checkpoint contexts. Runs the committed bundle in
headless Chromium; no Node needed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core import certlogic, rules
from core.registry import CheckContext

from .phone.harness import Harness, chromium, open_harness, serve

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data"
CASES = json.loads((DATA / "rules" / "cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    with serve() as url, chromium() as browser:
        h = open_harness(browser, url)
        yield h
        assert not h.foreign, f"requests left our origin: {h.foreign}"


def test_every_shared_case_agrees_with_python_and_the_file(harness: Harness) -> None:
    assert len(CASES) >= 50
    results = harness.call("evaluateCases", CASES)
    assert len(results) == len(CASES)
    for case, js in zip(CASES, results, strict=True):
        python = certlogic.evaluate(case["logic"], case["data"])
        assert js["error"] is None, (case["name"], js["error"])
        assert js["result"] is python is case["expected"], case["name"]
        # the phone computes `external` from validationClock as the server does
        assert js["external"] == case["data"]["external"], case["name"]


def _official() -> list[dict[str, Any]]:
    out = []
    for path in sorted((DATA / "certlogic" / "testSuite").glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        for case in suite["cases"]:
            for assertion in case["assertions"]:
                directives = {suite.get("directive"), case.get("directive")}
                if "skip" in directives | {assertion.get("directive")}:
                    continue
                logic = assertion.get("certLogicExpression", case.get("certLogicExpression"))
                out.append(
                    {
                        "name": f"{path.stem}: {case['name']}",
                        "logic": logic,
                        "data": assertion["data"],
                        "expected": assertion["expected"],
                    }
                )
    return out


def test_the_official_certlogic_suite_agrees(harness: Harness) -> None:
    items = _official()
    assert len(items) == 218
    results = harness.call("evaluateRaw", [{"logic": i["logic"], "data": i["data"]} for i in items])
    for item, js in zip(items, results, strict=True):
        assert js["error"] is None, (item["name"], js["error"])
        python = certlogic.evaluate(item["logic"], item["data"])
        assert js["result"] == item["expected"] == python, item["name"]
        assert type(js["result"]) is type(item["expected"]), item["name"]


CLAIM_NAMES = {"household_no": "hn", "zones": "w", "sites": "s"}
RULES = [
    rules.Rule(
        "R-DAY",
        rules.compile_condition("odd_even_day", "household_no", claims=CLAIM_NAMES),
        "WRONG_DAY",
        "Không đúng ngày",
        "Not this household's day",
        shows=("hn",),
    ),
    rules.Rule(
        "R-LATE",
        rules.compile_condition("hours", "06:00-17:00", claims=CLAIM_NAMES),
        "LATE",
        "Muộn",
        "Late",
        severity="WARN",
    ),
    rules.Rule(
        "R-ZONE",
        rules.compile_condition("zones", "zones", claims=CLAIM_NAMES),
        "WRONG_ZONE",
        "Sai phường",
        "Wrong ward",
        shows=("w", "n"),
    ),
    rules.Rule(
        "R-ONCE",
        rules.compile_condition("once", "", claims=CLAIM_NAMES),
        "USED",
        "Đã dùng",
        "Already used",
        severity="WARN",
    ),
    rules.Rule(
        "R-WEEK",
        rules.compile_condition("weekdays", "T2-T6", claims=CLAIM_NAMES),
        "WEEKEND",
        "Cuối tuần",
        "Weekend",
    ),
]


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _ms(t: datetime | None) -> float | None:
    return None if t is None else t.timestamp() * 1000


def test_rule_lists_give_the_server_verdicts(harness: Harness) -> None:
    """core.rules.evaluate and the phone's evaluateRules: same verdict, reason and fields."""
    claims_set = [
        {"n": "Nguyễn Văn An", "hn": 127, "hn_parity": "odd", "w": [20275, 20194]},
        {"n": "Trần Thị Bình", "hn": 42, "hn_parity": "even", "w": [20290]},
        {"n": "Lê Văn Cường", "w": []},
        {"n": "Too deep for the rules", "x": _nested(34)},
        # claims of the wrong types: both evaluators fail the rules that read them
        {"n": "Odd types", "hn": 0.5, "hn_parity": 1, "w": "20275"},
        {"n": "Odd types 2", "hn_parity": None, "w": [20275.5, 2**53], "s": {"a": 1}},
    ]
    start = datetime(2021, 9, 9, 22, 30, tzinfo=UTC)  # 05:30 Friday in Vietnam
    items, expected = [], []
    for claims in claims_set:
        for hours in range(0, 96, 7):
            now = start + timedelta(hours=hours, minutes=13 * hours)
            for zone, used in (("20275", False), (None, True), ("20290", False)):
                ctx = CheckContext(
                    now=now,
                    zone=zone,
                    checkpoint_id="CP-1",
                    token_id="T1",
                    valid_from=start - timedelta(days=1),
                    valid_until=start + timedelta(days=9),
                )
                result = rules.evaluate(RULES, claims, ctx, used=used)
                expected.append([result.verdict, result.reason, result.fields])
                items.append(
                    {
                        "rules": [
                            {
                                "id": r.id,
                                "logic": r.logic,
                                "reason": r.reason,
                                "severity": r.severity,
                                "shows": list(r.shows),
                            }
                            for r in RULES
                        ],
                        "claims": claims,
                        "ctx": {
                            "now": _ms(now),
                            "zone": zone,
                            "checkpoint": "CP-1",
                            "tokenId": "T1",
                            "validFrom": _ms(ctx.valid_from),
                            "validUntil": _ms(ctx.valid_until),
                        },
                        "used": used,
                    }
                )
    results = harness.call("evaluateRuleSets", items)
    got = [[r["verdict"], r["reason"], r["fields"]] for r in results]
    assert got == expected
    verdicts = {v for v, _, _ in expected}
    assert verdicts == {"VALID", "INVALID", "WARN"}, verdicts
