"""core.rules: the data a checkpoint rule sees (local time around midnight, microsecond clocks),
every declared condition kind (and hypothesis over their parsers), verdict order, WARN, and the
shared rule cases (tests/data/rules/cases.json) that the phone's JavaScript evaluator runs too."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import certlogic
from core.registry import CheckContext, RuleResult
from core.rules import (
    KINDS,
    ConditionError,
    Rule,
    compile_condition,
    context,
    evaluate,
    iso,
    parity,
    parity_claim,
    passes,
)

CASES_FILE = Path(__file__).resolve().parents[1] / "data" / "rules" / "cases.json"
CLAIMS = {"household_no": "hn", "zones": "w", "sites": "s"}
"""The claims contract of the shared cases: declared name -> payload key."""
CONDITIONS: list[tuple[str, str]] = [
    ("weekdays", "T2,T4,T6"),
    ("weekdays", "T7-CN"),
    ("weekdays", "mon-fri"),
    ("odd_even_day", "household_no"),
    ("zones", "zones"),
    ("zones", "20275,20194"),
    ("zones", "00004"),
    ("checkpoints", "sites"),
    ("checkpoints", "CP1,CP2"),
    ("checkpoints", "12"),
    ("hours", "06:00-18:00"),
    ("hours", "22:00-05:00"),
    ("hours", "06:00-11:00, 13h30-17h"),
    ("hours", "00:00-24:00"),
    ("once", ""),
]
"""The declared conditions the shared cases exercise."""


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def ctx_at(when: str | datetime, **kw: Any) -> CheckContext:
    now = utc(when) if isinstance(when, str) else when
    return CheckContext(now=now, **kw)


def external(when: str | datetime, **kw: Any) -> dict[str, Any]:
    return context({}, ctx_at(when, **kw))["external"]


# -- context ------------------------------------------------------------------------------------


def test_context_shape_and_values() -> None:
    ctx = CheckContext(
        now=utc("2021-09-10T08:00:00.123457Z"),
        zone="20275",
        checkpoint_id="CP1",
        mode="checkpoint",
        token_id="TP1-1",
        valid_from=utc("2021-09-01T00:00:00Z"),
        valid_until=utc("2021-09-30T16:59:59.999999Z"),
    )
    data = context({"n": "Lan", "w": (20275,), 7: b"\x01\xff"}, ctx, used=True)
    assert data == {
        "payload": {"n": "Lan", "w": [20275], "7": "01ff"},
        "external": {
            "validationClock": "2021-09-10T08:00:00.123Z",
            "valid_from": "2021-09-01T00:00:00.000Z",
            "valid_until": "2021-09-30T16:59:59.999Z",
            "token_id": "TP1-1",
            "zone": 20275,
            "checkpoint": "CP1",
            "mode": "checkpoint",
            "weekday": 5,
            "day": 10,
            "day_parity": "even",
            "minute": 15 * 60,
            "date": "2021-09-10",
            "used": True,
        },
    }
    json.dumps(data)  # plain JSON, as a phone receives it


def test_local_midnight_is_17_00_utc() -> None:
    """23:59 and 00:00 in Asia/Ho_Chi_Minh are 16:59 and 17:00 UTC (UTC+07:00)."""
    before = external("2021-09-10T16:59:00Z")
    assert (before["weekday"], before["day"], before["minute"], before["date"]) == (
        5,
        10,
        1439,
        "2021-09-10",
    )
    after = external("2021-09-10T17:00:00Z")
    assert (after["weekday"], after["day"], after["minute"], after["date"]) == (
        6,
        11,
        0,
        "2021-09-11",
    )
    assert after["day_parity"] == "odd" and before["day_parity"] == "even"


def test_microsecond_clocks_are_truncated_never_rounded_into_the_next_day() -> None:
    last = external("2021-09-10T16:59:59.999999Z")
    assert last["validationClock"] == "2021-09-10T16:59:59.999Z"
    assert (last["weekday"], last["minute"], last["date"]) == (5, 1439, "2021-09-10")
    assert external("2021-09-10T17:00:00.000001Z")["validationClock"] == "2021-09-10T17:00:00.000Z"
    assert external("2021-09-10T08:00:00.123457Z")["validationClock"] == "2021-09-10T08:00:00.123Z"


def test_day_31_and_day_1_are_both_odd() -> None:
    assert external("2021-08-31T10:00:00Z")["day_parity"] == "odd"
    assert external("2021-08-31T17:00:00Z")["day"] == 1
    assert external("2021-08-31T17:00:00Z")["day_parity"] == "odd"
    assert external("2024-02-29T10:00:00Z")["day_parity"] == "odd"
    assert external("2021-12-31T17:00:00Z")["date"] == "2022-01-01"


def test_clock_in_other_time_zones_and_naive_clocks() -> None:
    plus7 = datetime(2021, 9, 11, 0, 0, tzinfo=UTC).astimezone(UTC) - timedelta(hours=7)
    assert external(plus7)["minute"] == 0
    from zoneinfo import ZoneInfo

    paris = datetime(2021, 9, 10, 19, 0, tzinfo=ZoneInfo("Europe/Paris"))  # 17:00 UTC
    assert external(paris)["date"] == "2021-09-11"
    naive = datetime(2021, 9, 10, 16, 59)  # naive is UTC, as the suite stores times
    assert external(naive)["validationClock"] == "2021-09-10T16:59:00.000Z"
    assert iso(None) is None


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1976, 1, 1), max_value=datetime(2200, 1, 1)))
def test_local_values_are_utc_plus_7_from_the_validation_clock(now: datetime) -> None:
    """What a phone computes: validationClock + 7 h read as UTC (no DST since 1975)."""
    ext = external(now.replace(tzinfo=UTC))
    local = utc(ext["validationClock"]) + timedelta(hours=7)
    assert ext["weekday"] == local.isoweekday()
    assert ext["day"] == local.day
    assert ext["day_parity"] == ("odd" if local.day % 2 else "even")
    assert ext["minute"] == local.hour * 60 + local.minute
    assert ext["date"] == local.date().isoformat()


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("20275", 20275), (" 20275 ", 20275), ("00004", 4), (None, None), ("", None), (" ", None)],
)
def test_zone_is_an_int_ward_code_or_none(zone: str | None, expected: int | None) -> None:
    assert external("2021-09-10T00:00:00Z", zone=zone)["zone"] == expected


def test_a_zone_that_is_not_a_number_stays_text_and_matches_no_ward() -> None:
    assert external("2021-09-10T00:00:00Z", zone="ward-1")["zone"] == "ward-1"
    assert external("2021-09-10T00:00:00Z", zone="٢٠٢٧٥")["zone"] == "٢٠٢٧٥"
    assert external("2021-09-10T00:00:00Z", zone="1" * 5000)["zone"] == "1" * 5000
    assert external("2021-09-10T00:00:00Z", checkpoint_id="")["checkpoint"] is None


# -- rules and verdicts -------------------------------------------------------------------------


def rule(rule_id: str, logic: Any, reason: str, severity: str = "INVALID", shows: Any = ()) -> Rule:
    return Rule(rule_id, logic, reason, f"vi {reason}", f"en {reason}", severity, shows)  # type: ignore[arg-type]


ALWAYS = True
NEVER = False
AT = ctx_at("2021-09-10T03:00:00Z", zone="20275", checkpoint_id="CP1")


def test_valid_when_every_rule_passes() -> None:
    rules = [rule("A", ALWAYS, "A_FAILED"), rule("B", ALWAYS, "B_FAILED", "WARN")]
    assert evaluate(rules, {}, AT) == RuleResult("VALID", "VALID", {})
    assert evaluate([], {}, AT) == RuleResult("VALID", "VALID", {})


def test_the_first_failing_invalid_rule_wins_even_after_a_warn() -> None:
    rules = [
        rule("W", NEVER, "RISK", "WARN"),
        rule("A", ALWAYS, "A_FAILED"),
        rule("B", NEVER, "B_FAILED"),
        rule("C", NEVER, "C_FAILED"),
    ]
    assert evaluate(rules, {}, AT) == RuleResult("INVALID", "B_FAILED", {})


def test_warn_when_only_warn_rules_fail() -> None:
    rules = [
        rule("A", ALWAYS, "A_FAILED"),
        rule("W1", NEVER, "FIRST_WARNING", "WARN"),
        rule("W2", NEVER, "SECOND_WARNING", "WARN"),
    ]
    assert evaluate(rules, {}, AT) == RuleResult("WARN", "FIRST_WARNING", {})


def test_only_true_passes() -> None:
    """A rule passes when its logic is exactly true; 1, "yes" or [1] are not a pass."""
    for logic in (1, "yes", [1], {"var": "payload.n"}):
        assert not passes(rule("R", logic, "NOPE"), {"payload": {"n": "Lan"}})
    assert passes(
        rule("R", {"===": [{"var": "payload.n"}, "Lan"]}, "NOPE"), {"payload": {"n": "Lan"}}
    )


def test_an_evaluation_error_fails_the_rule(caplog: pytest.LogCaptureFixture) -> None:
    bad = rule("ZONES", {"in": [{"var": "external.zone"}, {"var": "payload.w"}]}, "ZONE")
    assert evaluate([bad], {"w": "20275"}, AT) == RuleResult("INVALID", "ZONE", {})
    assert "ZONES" in caplog.text


def test_claims_no_rule_can_read_fail_every_rule() -> None:
    deep: Any = 1
    for _ in range(100):
        deep = [deep]
    rules = [rule("W", ALWAYS, "W_FAILED", "WARN"), rule("A", ALWAYS, "A_FAILED")]
    assert evaluate(rules, {"x": deep}, AT).reason == "A_FAILED"
    assert evaluate(rules[:1], {"x": deep}, AT) == RuleResult("WARN", "W_FAILED", {})


def test_fields_are_the_claims_the_rules_show() -> None:
    rules = [
        rule("A", ALWAYS, "A_FAILED", shows=("n", "w")),
        rule("B", NEVER, "B_FAILED", shows=["w", "h", "missing"]),
    ]
    result = evaluate(rules, {"n": "Lan", "w": [20275, 20194], "h": 1}, AT)
    assert result == RuleResult("INVALID", "B_FAILED", {"n": "Lan", "w": "20275, 20194", "h": "1"})
    assert rules[1].shows == ("w", "h", "missing")


def test_used_reaches_the_rules() -> None:
    once = rule("ONCE", compile_condition("once", "", claims={}), "ALREADY_USED")
    assert evaluate([once], {}, AT).verdict == "VALID"
    assert evaluate([once], {}, AT, used=True) == RuleResult("INVALID", "ALREADY_USED", {})


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"id": ""}, "rule id"),
        ({"id": "has space"}, "rule id"),
        ({"reason": "wrong day"}, "reason"),
        ({"reason": ""}, "reason"),
        ({"severity": "ERROR"}, "severity"),
        ({"text_vi": " "}, "vi text"),
        ({"text_en": ""}, "en text"),
        ({"logic": {"or": [True, False]}}, 'unrecognised operator: "or"'),
        ({"logic": {"if": [True, 1]}}, "exactly 3"),
        ({"shows": (1,)}, "claim names"),
    ],
)
def test_a_rule_is_checked_when_made(kwargs: dict[str, Any], problem: str) -> None:
    fields = {
        "id": "MV-DAYS",
        "logic": True,
        "reason": "WRONG_DAY",
        "text_vi": "Sai ngày",
        "text_en": "Wrong day",
    }
    with pytest.raises(ValueError, match=problem):
        Rule(**{**fields, **kwargs})
    assert Rule(**fields).text("en") == "Wrong day"
    assert Rule(**fields).text("vi") == "Sai ngày"


# -- declared conditions ------------------------------------------------------------------------


def run(
    kind: str, value: str, when: str, *, claims: dict[str, Any] | None = None, **kw: Any
) -> bool:
    logic = compile_condition(kind, value, claims=CLAIMS)
    assert certlogic.validate(logic) == []
    used = kw.pop("used", False)
    data = context(claims or {}, ctx_at(when, **kw), used=used)
    result = certlogic.evaluate(logic, data)
    assert isinstance(result, bool)
    return result


@pytest.mark.parametrize(
    ("value", "days"),
    [
        ("mon,wed,fri", [1, 3, 5]),
        ("Mon, Wed, Fri", [1, 3, 5]),
        ("monday;wednesday", [1, 3]),
        ("T2,T4,T6", [1, 3, 5]),
        ("t2, t4 ,t6", [1, 3, 5]),
        ("CN", [7]),
        ("Chủ nhật", [7]),
        ("chu nhat", [7]),
        ("Thứ 2, Thứ 7", [1, 6]),
        ("thứ hai, thứ bảy", [1, 6]),
        ("Thứ 5", [4]),
        ("thu", [4]),
        ("T2-T6", [1, 2, 3, 4, 5]),
        ("Thứ 2 – Thứ 6", [1, 2, 3, 4, 5]),
        ("T7-CN", [6, 7]),
        ("fri-mon", [1, 5, 6, 7]),
        ("T2-T2", [1]),
        ("mon,mon,", [1]),
        ("T.2", [1]),
    ],
)
def test_weekdays_as_people_write_them(value: str, days: list[int]) -> None:
    assert compile_condition("weekdays", value, claims={}) == {
        "in": [{"var": "external.weekday"}, days]
    }


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("", "no day"),
        (" , ", "no day"),
        ("2,4,6", "'2' is ambiguous"),
        ("mon,funday", "'funday' is not a day"),
        ("Thứ", "needs its number"),
        ("T8", "'T8'"),
        ("mon wed", "'mon wed'"),
        ("T2-", "'T2-'"),
        ("T2-T4-T6", "'T2-T4-T6'"),
    ],
)
def test_weekdays_refused_naming_the_bad_part(value: str, named: str) -> None:
    with pytest.raises(ConditionError, match=named) as refused:
        compile_condition("weekdays", value, claims={})
    assert str(refused.value).startswith("weekdays: ")


def test_weekdays_at_local_midnight() -> None:
    assert run("weekdays", "T6", "2021-09-10T16:59:59.999Z")  # Friday 23:59:59.999 local
    assert not run("weekdays", "T6", "2021-09-10T17:00:00Z")  # Saturday 00:00 local
    assert run("weekdays", "CN", "2021-09-12T16:59:00Z")
    assert run("weekdays", "mon", "2021-09-12T17:00:00Z")


def test_odd_even_day() -> None:
    logic = compile_condition("odd_even_day", "household_no", claims=CLAIMS)
    assert logic == {"===": [{"var": "external.day_parity"}, {"var": "payload.hn_parity"}]}
    odd = {"hn": 127, parity_claim("hn"): parity(127)}
    even = {"hn": 128, parity_claim("hn"): parity("0128")}
    day31, day1, day2 = "2021-08-31T03:00:00Z", "2021-08-31T17:00:00Z", "2021-09-01T17:00:00Z"
    assert run("odd_even_day", "household_no", day31, claims=odd)
    assert not run("odd_even_day", "household_no", day31, claims=even)
    assert run("odd_even_day", "household_no", day1, claims=odd)
    assert not run("odd_even_day", "household_no", day2, claims=odd)
    assert run("odd_even_day", "household_no", day2, claims=even)
    assert not run("odd_even_day", "household_no", day31, claims={"hn": 127})


def test_parity_at_issuance() -> None:
    assert [parity(n) for n in (0, 1, 2, -3, "07", " 10 ")] == [
        "even",
        "odd",
        "even",
        "odd",
        "odd",
        "even",
    ]
    for bad in ("12A", "", "1.5", 1.0, True, None, "١٢"):
        with pytest.raises(ValueError):
            parity(bad)  # type: ignore[arg-type]
    assert parity_claim("hn") == "hn_parity"


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("household", "'household' is not a claim holding a number"),
        ("", r"'\(empty\)'"),
        ("household_n", "did you mean 'household_no'"),
    ],
)
def test_odd_even_day_needs_a_claim(value: str, named: str) -> None:
    with pytest.raises(ConditionError, match=named):
        compile_condition("odd_even_day", value, claims=CLAIMS)


def test_zones_from_a_claim_and_a_fixed_list() -> None:
    claims = {"w": [20275, 20194]}
    assert run("zones", "zones", "2021-09-10T03:00:00Z", claims=claims, zone="20194")
    assert not run("zones", "zones", "2021-09-10T03:00:00Z", claims=claims, zone="20290")
    assert not run("zones", "zones", "2021-09-10T03:00:00Z", claims=claims, zone=None)
    assert not run("zones", "zones", "2021-09-10T03:00:00Z", claims={"w": ["20275"]}, zone="20275")
    assert not run("zones", "zones", "2021-09-10T03:00:00Z", claims={}, zone="20275")
    assert run("zones", "20275, 20194", "2021-09-10T03:00:00Z", zone="20275")
    assert not run("zones", "20275;20194", "2021-09-10T03:00:00Z", zone=None)
    assert not run("zones", "20275 20194", "2021-09-10T03:00:00Z", zone="ward-20275")
    assert compile_condition("zones", "20275 20194 20275", claims={}) == {
        "in": [{"var": "external.zone"}, [20275, 20194]]
    }
    assert compile_condition("zones", 20275, claims={}) == {  # type: ignore[arg-type]
        "in": [{"var": "external.zone"}, [20275]]
    }


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("", "no ward"),
        ("2027a", "'2027a' is not a ward code"),
        ("202750", "'202750' is not a ward code"),
        ("20275,-1", "'-1' is not a ward code"),
        ("wards", "'wards' is not a claim of this app nor a ward code"),
        ("zone", "did you mean 'zones'"),
        ("٢٠٢٧٥", "not a ward code"),
    ],
)
def test_zones_refused_naming_the_bad_part(value: str, named: str) -> None:
    with pytest.raises(ConditionError, match=named):
        compile_condition("zones", value, claims=CLAIMS)


def test_checkpoints_from_a_claim_and_a_fixed_list() -> None:
    claims = {"s": ["CHO-HAN", "CHO-CON"]}
    assert run(
        "checkpoints", "sites", "2021-09-10T03:00:00Z", claims=claims, checkpoint_id="CHO-CON"
    )
    assert not run("checkpoints", "sites", "2021-09-10T03:00:00Z", claims=claims, checkpoint_id="X")
    assert not run("checkpoints", "sites", "2021-09-10T03:00:00Z", claims=claims)
    assert run("checkpoints", "CP1, CP2", "2021-09-10T03:00:00Z", checkpoint_id="CP2")
    assert not run("checkpoints", "CP1, CP2", "2021-09-10T03:00:00Z", checkpoint_id="cp2")
    assert run("checkpoints", "zone-20275", "2021-09-10T03:00:00Z", checkpoint_id="zone-20275")
    with pytest.raises(ConditionError, match="'1!' is not"):
        compile_condition("checkpoints", "CP1;CP 1!", claims={})
    with pytest.raises(ConditionError, match="no checkpoint"):
        compile_condition("checkpoints", ",", claims={})


def test_the_travel_permit_zone_rule_of_docs_rules_md() -> None:
    """The raw CertLogic docs/RULES.md gives for "no zone at this checkpoint: not checked"."""
    logic = {
        "if": [
            {"var": "external.zone"},
            {"in": [{"var": "external.zone"}, {"var": "payload.w"}]},
            True,
        ]
    }
    permit = {"w": [20275]}
    for zone, expected in (("20275", True), ("20194", False), (None, True)):
        data = context(permit, ctx_at("2021-09-10T03:00:00Z", zone=zone))
        assert certlogic.evaluate(logic, data) is expected


def test_a_claim_key_that_var_cannot_reach_is_refused() -> None:
    with pytest.raises(ConditionError, match="not a claim key"):
        compile_condition("zones", "zones", claims={"zones": "a.b"})
    with pytest.raises(ConditionError, match="not a claim key"):
        compile_condition("odd_even_day", "n", claims={"n": ""})


def minutes_passing(value: str) -> list[int]:
    logic = compile_condition("hours", value, claims={})
    return [
        m for m in range(1440) if certlogic.evaluate(logic, {"external": {"minute": m}}) is True
    ]


def test_hours() -> None:
    assert minutes_passing("06:00-18:00") == list(range(360, 1080))
    assert minutes_passing("22:00-05:00") == list(range(0, 300)) + list(range(1320, 1440))
    assert minutes_passing("06:00-11:00, 13h30-17h") == list(range(360, 660)) + list(
        range(810, 1020)
    )
    assert minutes_passing("00:00-24:00") == list(range(1440))
    assert minutes_passing("23:59-00:00") == [1439]
    assert minutes_passing("6h-18h") == minutes_passing("06.00 – 18.00")
    assert run("hours", "22:00-05:00", "2021-09-10T16:59:59.999Z")  # 23:59 local
    assert run("hours", "22:00-05:00", "2021-09-10T17:00:00Z")  # 00:00 local
    assert not run("hours", "06:00-18:00", "2021-09-10T11:00:00Z")  # 18:00 local


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("", "no time window"),
        ("06:00", "'06:00' is not a time window"),
        ("06:00-", "'06:00-'"),
        ("6am-6pm", "'6am' is not a time of day"),
        ("25:00-06:00", "'25:00' is not a time of day"),
        ("06:60-07:00", "'06:60'"),
        ("24:00-06:00", "'24:00' is not a time of day"),
        ("06:00-24:30", "'24:30'"),
        ("08:00-08:00", "starts when it ends"),
        ("06:00-12:00-18:00", "not a time window"),
        ("٠٦:٠٠-١٨:٠٠", "not a time of day"),
    ],
)
def test_hours_refused_naming_the_bad_part(value: str, named: str) -> None:
    with pytest.raises(ConditionError, match=named):
        compile_condition("hours", value, claims={})


@pytest.mark.parametrize("value", ["", " ", "yes", "Có", "x", "1", "true", "1 lần"])
def test_once(value: str) -> None:
    assert compile_condition("once", value, claims={}) == {"!": [{"var": "external.used"}]}


def test_once_refuses_a_value_that_says_otherwise() -> None:
    with pytest.raises(ConditionError, match="'no'"):
        compile_condition("once", "no", claims={})
    assert run("once", "", "2021-09-10T03:00:00Z")
    assert not run("once", "", "2021-09-10T03:00:00Z", used=True)


@pytest.mark.parametrize(
    ("kind", "value", "same_as"),
    [
        ("Weekdays", "T2", "weekdays"),
        (" hours ", "06:00-07:00", "hours"),
        ("odd-even day", "household_no", "odd_even_day"),
        ("ODD_EVEN_DAY", "household_no", "odd_even_day"),
    ],
)
def test_kinds_as_people_write_them(kind: str, value: str, same_as: str) -> None:
    expected = compile_condition(same_as, value, claims=CLAIMS)
    assert compile_condition(kind, value, claims=CLAIMS) == expected


def test_unknown_kind_is_refused_with_the_kinds_it_knows() -> None:
    with pytest.raises(ConditionError, match=r"unknown condition 'weekday'.*did you mean weekdays"):
        compile_condition("weekday", "T2", claims={})
    with pytest.raises(ConditionError, match="within_validity"):
        compile_condition("within_validity", "", claims={})
    with pytest.raises(ConditionError, match="must be text"):
        compile_condition("hours", ["06:00-07:00"], claims={})  # type: ignore[arg-type]


# -- hypothesis over the parsers ----------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=30) | st.text(
    alphabet=string.digits + string.ascii_letters + ",;:-–hH. ", max_size=30
)


@settings(max_examples=400, deadline=None)
@given(kind=st.sampled_from(KINDS), value=TEXT)
def test_any_value_compiles_to_valid_certlogic_or_is_refused(kind: str, value: str) -> None:
    try:
        logic = compile_condition(kind, value, claims=CLAIMS)
    except ConditionError as exc:
        assert str(exc).startswith(f"{kind}: ")
        return
    assert certlogic.validate(logic) == []
    data = context({"hn_parity": "odd", "w": [1], "s": ["a"]}, AT)
    assert isinstance(certlogic.evaluate(logic, data), bool)


SPELLINGS = {
    1: ["mon", "Monday", "T2", "Thứ 2", "thứ hai"],
    2: ["tue", "TUES", "t3", "Thứ 3", "thu ba"],
    3: ["wed", "Wednesday", "T4", "thứ tư"],
    4: ["thu", "Thursday", "T5", "Thứ năm"],
    5: ["fri", "T6", "thứ sáu"],
    6: ["sat", "T7", "Thứ bảy"],
    7: ["sun", "Sunday", "CN", "Chủ Nhật"],
}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(range(1, 8)), min_size=1, max_size=9), st.data())
def test_weekday_lists_round_trip(days: list[int], data: st.DataObject) -> None:
    words = [data.draw(st.sampled_from(SPELLINGS[d])) for d in days]
    value = data.draw(st.sampled_from([",", ", ", ";", " ; "])).join(words)
    assert compile_condition("weekdays", value, claims={})["in"][1] == sorted(set(days))


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 1440),
    st.integers(0, 1440),
    st.sampled_from(["{h:02d}:{m:02d}", "{h}h{m:02d}"]),
    st.integers(0, 1439),
)
def test_hour_windows_match_start_included_end_excluded(
    start: int, end: int, style: str, probe: int
) -> None:
    if start == end or start == 1440:
        return

    def fmt(t: int) -> str:
        return style.format(h=t // 60, m=t % 60)

    logic = compile_condition("hours", f"{fmt(start)}-{fmt(end)}", claims={})
    for m in {0, 1439, probe, start % 1440, (start - 1) % 1440, end % 1440, (end - 1) % 1440}:
        inside = start <= m < end if start < end else (m >= start or m < end)
        assert certlogic.evaluate(logic, {"external": {"minute": m}}) is inside


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 99999), min_size=1, max_size=6), st.sampled_from([",", ", ", ";", " "])
)
def test_ward_lists_round_trip(codes: list[int], sep: str) -> None:
    logic = compile_condition("zones", sep.join(f"{c:05d}" for c in codes), claims={})
    assert logic["in"][1] == list(dict.fromkeys(codes))


# -- the shared cases ---------------------------------------------------------------------------


def load_cases() -> list[dict[str, Any]]:
    return json.loads(CASES_FILE.read_text(encoding="utf-8"))


def _key(logic: Any) -> str:
    return json.dumps(logic, sort_keys=True)


def test_the_shared_cases_file_is_plain_and_complete() -> None:
    cases = load_cases()
    assert isinstance(cases, list) and len(cases) >= 50
    assert all(set(case) == {"name", "logic", "data", "expected"} for case in cases)
    assert len({case["name"] for case in cases}) == len(cases)
    assert all(set(case["data"]) == {"payload", "external"} for case in cases)
    assert all(isinstance(case["expected"], bool) for case in cases)
    compiled = {
        _key(compile_condition(kind, value, claims=CLAIMS)): kind for kind, value in CONDITIONS
    }
    kinds = {compiled.get(_key(case["logic"]), "not compiled") for case in cases}
    assert kinds == set(KINDS), "every case is a compiled condition, and every kind is there"
    assert {True, False} == {case["expected"] for case in cases}
    json.dumps(cases, allow_nan=False)


@pytest.mark.parametrize("case", load_cases(), ids=lambda case: case["name"])
def test_shared_case(case: dict[str, Any]) -> None:
    assert certlogic.validate(case["logic"]) == []
    assert certlogic.evaluate(case["logic"], case["data"]) is case["expected"]


@pytest.mark.parametrize("case", load_cases(), ids=lambda case: case["name"])
def test_shared_case_external_is_what_context_computes(case: dict[str, Any]) -> None:
    """Each case's external block is context() of its own clock and station, so the file also
    checks a phone's way of computing weekday, day, parity, minute and date."""
    ext = case["data"]["external"]
    ctx = CheckContext(
        now=utc(ext["validationClock"]),
        zone=None if ext["zone"] is None else str(ext["zone"]),
        checkpoint_id=ext["checkpoint"],
        mode=ext["mode"],
        token_id=ext["token_id"],
        valid_from=utc(ext["valid_from"]) if ext["valid_from"] else None,
        valid_until=utc(ext["valid_until"]) if ext["valid_until"] else None,
    )
    assert context(case["data"]["payload"], ctx, used=ext["used"]) == case["data"]
