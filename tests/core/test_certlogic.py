"""core.certlogic against the official CertLogic test suites (specification 1.3.3, copied with
its LICENSE into tests/data/certlogic/), the specification's own examples, and hypothesis:
any JSON rule on any JSON data evaluates or raises CertLogicError, never another exception."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.certlogic import (
    MAX_DEPTH,
    MAX_RULE_BYTES,
    MAX_STEPS,
    CertLogicError,
    DateTime,
    boolsiness,
    evaluate,
    validate,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "certlogic"
SUITE = sorted((DATA / "testSuite").glob("*.json"))
VALIDATION_SUITE = sorted((DATA / "validation-testSuite").glob("*.json"))


def _assertions() -> list[Any]:
    """Every assertion of the official evaluator test suite, one pytest case each."""
    params = []
    for path in SUITE:
        suite = json.loads(path.read_text(encoding="utf-8"))
        for case in suite["cases"]:
            for i, assertion in enumerate(case["assertions"]):
                expr = assertion.get("certLogicExpression", case.get("certLogicExpression"))
                directives = {
                    suite.get("directive"),
                    case.get("directive"),
                    assertion.get("directive"),
                }
                marks = [pytest.mark.skip(reason="skipped by the suite itself")] * (
                    "skip" in directives
                )
                name = f"{path.stem}: {case['name']} #{i + 1}"
                params.append(
                    pytest.param(
                        expr, assertion["data"], assertion["expected"], id=name, marks=marks
                    )
                )
    return params


ASSERTIONS = _assertions()


def test_the_official_suite_is_all_here() -> None:
    """14 files, 232 assertions (14 of them skipped by the suite's own directives)."""
    assert len(SUITE) == 14
    assert len(ASSERTIONS) == 232
    assert sum(bool(p.marks) for p in ASSERTIONS) == 14
    assert "Apache License" in (DATA / "LICENSE").read_text().splitlines()[0]
    assert (DATA / "NOTICE").is_file()


@pytest.mark.parametrize(("expr", "data", "expected"), ASSERTIONS)
def test_official_suite(expr: Any, data: Any, expected: Any) -> None:
    result = evaluate(expr, data)
    assert result == expected
    assert type(result) is type(expected)


def test_what_the_suite_skips() -> None:
    """`in` on a null right-hand side is an error (as in certlogic-js), not false; a reduce's
    lambda sees only accumulator and current (the spec's "may add data" is not in 1.3.3)."""
    for data in (None, {}, {"x": None}, {"x": None, "y": None}):
        with pytest.raises(CertLogicError, match="must be an array"):
            evaluate({"in": [{"var": "x"}, {"var": "y"}]}, data)
    rule = {"reduce": [{"var": "x"}, {"var": "data.z"}, 0]}
    assert evaluate(rule, {"x": [1], "z": 1}) is None


def _validation_cases() -> list[Any]:
    params = []
    for path in VALIDATION_SUITE:
        for i, case in enumerate(json.loads(path.read_text(encoding="utf-8"))["cases"]):
            params.append(
                pytest.param(case["certLogicExpression"], case["issues"], id=f"{path.stem} #{i}")
            )
    return params


@pytest.mark.parametrize(("expr", "issues"), _validation_cases())
def test_official_validation_suite(expr: Any, issues: list[dict[str, Any]]) -> None:
    assert validate(expr) == [issue["message"] for issue in issues]
    if issues:
        with pytest.raises(CertLogicError):
            evaluate(expr, {})


# -- operations, one by one, as the specification words them ------------------------------------


@pytest.mark.parametrize("op", ["or", "!!", "==", "!=", "-", "*", "%", "max", "all", "some"])
def test_operations_certlogic_does_not_have(op: str) -> None:
    with pytest.raises(CertLogicError, match=f'unrecognised operator: "{op}"'):
        evaluate({op: [True, False]}, {})


def test_or_and_double_negation_say_what_to_write_instead() -> None:
    assert '{"if": [a, true, b]}' in validate({"or": [True, False]})[0]
    assert '{"!": [{"!": [a]}]}' in validate({"!!": [1]})[0]


@pytest.mark.parametrize(
    "rule",
    [
        {"if": [True, 1]},
        {"if": [True, 1, 2, 3]},
        {"===": [1]},
        {"===": [1, 1, 1]},
        {"in": [1]},
        {"+": [1, 2, 3]},
        {"and": [True]},
        {"<": [1]},
        {"<": [1, 2, 3, 4]},
        {"after": [{"plusTime": ["2021", 0, "day"]}]},
        {"!": []},
        {"!": [True, False]},
        {"plusTime": ["2021-01-01", 1]},
        {"plusTime": ["2021-01-01", 1.5, "day"]},
        {"plusTime": ["2021-01-01", {"var": "n"}, "day"]},
        {"plusTime": ["2021-01-01", 1, "week"]},
        {"plusTime": ["2021-01-01", 1, "days"]},
        {"reduce": [[], 0]},
        {"extractFromUVCI": [""]},
        {"extractFromUVCI": ["", {"var": "i"}]},
        {"dccDateOfBirth": []},
        {"dccDateOfBirth": ["2004", "2005"]},
        {"var": ["x", 1]},
        {"var": "x", "if": []},
        {"var": ".x"},
        {"var": "x..y"},
        {"if": {"var": "x"}},
        {"foo": "bar"},
        None,
        1.5,
        {"and": [True, None]},
        [1, 2.5],
    ],
)
def test_invalid_rules_raise_before_anything_is_evaluated(rule: Any) -> None:
    assert validate(rule)
    with pytest.raises(CertLogicError):
        evaluate(rule, {})


def test_validation_points_at_the_bad_sub_expression() -> None:
    rule = {"and": [True, {"if": [{"or": [1, 2]}, 1, 2]}]}
    assert validate(rule) == [f'/and/1/if/0: unrecognised operator: "or"{_or_hint()}']
    assert validate([1, {"!": []}]) == [
        "/1: a !-operation (logical not/negation) must have exactly 1 operand, but it has 0"
    ]
    assert validate({"a/b~": []}) == ['unrecognised operator: "a/b~"']
    assert len(validate({"and": [{"foo": []}, {"bar": []}]})) == 2


def _or_hint() -> str:
    return validate({"or": [1, 2]})[0].removeprefix('unrecognised operator: "or"')


@pytest.mark.parametrize(
    ("value", "truth"),
    [
        (False, False),
        (None, False),
        ("", False),
        (0, False),
        (0.0, False),
        ([], False),
        ({}, False),
        (True, True),
        ("0", True),
        ("false", True),
        (1, True),
        (-1, True),
        (2.0, True),
        ([0], True),
        ({"a": None}, True),
        (0.5, None),
        (math.nan, None),
        (math.inf, None),
        (DateTime(0), None),
    ],
)
def test_truthy_falsy_and_neither(value: Any, truth: bool | None) -> None:
    """Exactly the spec's lists; a non-integer number or a date-time is neither."""
    assert boolsiness(value) is truth
    rule = {"if": [{"var": "v"}, "T", "F"]}
    if truth is None:
        with pytest.raises(CertLogicError, match="neither truthy, nor falsy"):
            evaluate(rule, {"v": value})
        with pytest.raises(CertLogicError):
            evaluate({"!": [{"var": "v"}]}, {"v": value})
        with pytest.raises(CertLogicError):
            evaluate({"and": [True, {"var": "v"}]}, {"v": value})
    else:
        assert evaluate(rule, {"v": value}) == ("T" if truth else "F")
        assert evaluate({"!": [{"var": "v"}]}, {"v": value}) is (not truth)


def test_and_returns_the_first_falsy_operand_lazily() -> None:
    assert evaluate({"and": [1, "", {"in": [1, "not an array"]}]}, {}) == ""
    assert evaluate({"and": [1, [1], "x"]}, {}) == "x"
    with pytest.raises(CertLogicError, match="either truthy or falsy"):
        evaluate({"and": [1, {"var": "half"}, False]}, {"half": 0.5})


def test_if_evaluates_only_the_branch_taken() -> None:
    bad = {"+": ["a", 1]}
    assert evaluate({"if": [True, 1, bad]}, {}) == 1
    assert evaluate({"if": [[], bad, 2]}, {}) == 2


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (1, 1, True),
        (1, 1.0, True),
        (1, "1", False),
        (1, True, False),
        (0, False, False),
        (None, None, True),
        (None, False, False),
        ("", None, False),
        (True, True, True),
        ("é", "é", True),
    ],
)
def test_strict_equality_on_scalars(a: Any, b: Any, equal: bool) -> None:
    assert evaluate({"===": [{"var": "a"}, {"var": "b"}]}, {"a": a, "b": b}) is equal
    assert evaluate({"in": [{"var": "a"}, [{"var": "b"}]]}, {"a": a, "b": b}) is equal


def test_strict_equality_on_arrays_objects_and_date_times_is_identity() -> None:
    """As JavaScript's === (certlogic-js): two arrays are equal only when they are the same."""
    assert evaluate({"===": [[1], [1]]}, {}) is False
    assert evaluate({"===": [{"var": "x"}, {"var": "y"}]}, {"x": [1], "y": [1]}) is False
    assert evaluate({"===": [{"var": "x"}, {"var": "x"}]}, {"x": [1]}) is True
    assert evaluate({"in": [{"var": "x.0"}, {"var": "x"}]}, {"x": [{"a": 1}]}) is True
    assert evaluate({"in": [{"var": "y"}, {"var": "x"}]}, {"x": [{"a": 1}], "y": {"a": 1}}) is False
    t = {"plusTime": ["2021-01-01", 0, "day"]}
    assert evaluate({"===": [t, t]}, {}) is False


def test_in_needs_an_array() -> None:
    assert evaluate({"in": ["a", ["a", "b"]]}, {}) is True
    assert evaluate({"in": [{"var": "nothing"}, [{"var": "nothing"}]]}, {}) is True
    for rhs in ("abc", {"a": 1}, 1, None):
        with pytest.raises(CertLogicError, match="must be an array"):
            evaluate({"in": ["a", {"var": "r"}]}, {"r": rhs})


def test_plus_takes_integers_only() -> None:
    assert evaluate({"+": [2, -3]}, {}) == -1
    assert evaluate({"+": [{"var": "a"}, 1]}, {"a": 2.0}) == 3
    for bad in ("1", 1.5, None, True, [1]):
        with pytest.raises(CertLogicError, match="integers"):
            evaluate({"+": [{"var": "a"}, 1]}, {"a": bad})
    with pytest.raises(CertLogicError, match="JavaScript"):
        evaluate({"+": [2**53 - 1, 1]}, {})


def test_comparisons_binary_and_ternary_on_integers_only() -> None:
    assert evaluate({"<": [1, 2, 3]}, {}) is True
    assert evaluate({"<": [1, 3, 3]}, {}) is False
    assert evaluate({"<=": [1, 3, 3]}, {}) is True
    assert evaluate({">": [3, 2, 1]}, {}) is True
    assert evaluate({">=": [3, 3, 4]}, {}) is False
    for bad in ("1", None, True, 0.5, 2**60):
        with pytest.raises(CertLogicError, match="integer"):
            evaluate({"<": [{"var": "a"}, 1]}, {"a": bad})
    with pytest.raises(CertLogicError, match="integer"):
        evaluate({"<": [{"plusTime": ["2021", 0, "day"]}, {"plusTime": ["2022", 0, "day"]}]}, {})


def _pt(text: str, amount: int = 0, unit: str = "day") -> dict[str, Any]:
    return {"plusTime": [text, amount, unit]}


def test_date_time_comparisons_binary_and_ternary() -> None:
    a, b, c = _pt("2021-01-01"), _pt("2021-01-02"), _pt("2021-01-03")
    assert evaluate({"before": [a, b, c]}, {}) is True
    assert evaluate({"before": [a, c, b]}, {}) is False
    assert evaluate({"after": [c, b]}, {}) is True
    assert evaluate({"not-after": [a, a, b]}, {}) is True
    assert evaluate({"not-before": [b, a, a]}, {}) is True
    assert evaluate({"not-before": [a, b]}, {}) is False
    with pytest.raises(CertLogicError, match="date-times"):
        evaluate({"after": [1, 2]}, {})
    with pytest.raises(CertLogicError, match="date-times"):
        evaluate({"after": ["2021-01-01", a]}, {})


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2021", "2021-12-31T00:00:00.000Z"),
        ("2021-02", "2021-02-28T00:00:00.000Z"),
        ("2020-02", "2020-02-29T00:00:00.000Z"),
        ("2021-06-01", "2021-06-01T00:00:00.000Z"),
        ("2021-06-01T10:11:12", "2021-06-01T10:11:12.000Z"),
        ("2021-06-01T10:11:12Z", "2021-06-01T10:11:12.000Z"),
        ("2021-06-01T10:11:12+7", "2021-06-01T03:11:12.000Z"),
        ("2021-06-01T10:11:12+07", "2021-06-01T03:11:12.000Z"),
        ("2021-06-01T10:11:12-730", "2021-06-01T17:41:12.000Z"),
        ("2021-06-01T10:11:12+0530", "2021-06-01T04:41:12.000Z"),
        ("2021-06-01T10:11:12-5:30", "2021-06-01T15:41:12.000Z"),
        ("2021-06-01T10:11:12+05:30", "2021-06-01T04:41:12.000Z"),
        ("2021-06-01T10:11:12.5", "2021-06-01T10:11:12.500Z"),
        ("2021-06-01T10:11:12.5Z", "2021-06-01T10:11:12.500Z"),
        ("2021-06-01T10:11:12.123456789+7", "2021-06-01T03:11:12.123Z"),
        ("2021-06-01T10:11:12.9999+07", "2021-06-01T03:11:12.999Z"),
        ("2021-06-01T10:11:12.1-130", "2021-06-01T11:41:12.100Z"),
        ("2021-06-01T10:11:12.12-0130", "2021-06-01T11:41:12.120Z"),
        ("2021-06-01T10:11:12.12+1:30", "2021-06-01T08:41:12.120Z"),
        ("2021-06-01T10:11:12.12+01:30", "2021-06-01T08:41:12.120Z"),
        ("0000-01-01", "0000-01-01T00:00:00.000Z"),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
    ],
)
def test_every_date_time_format_of_the_spec(text: str, iso: str) -> None:
    """The spec's 19 formats (and partial dates) to milliseconds, sub-milliseconds dropped."""
    assert evaluate(_pt(text), {}).isoformat() == iso


@pytest.mark.parametrize(
    "text",
    [
        "2021-6-1",
        "21-06-01",
        "2021-06-01T10:11",
        "2021-06-01 10:11:12",
        "2021-06-01T10:11:12z",
        "2021-06-01T10:11:12.Z",
        "2021-06-01T10:11:12Z\n",
        "٢٠٢١-٠٦-٠١",
        "2021-02-30",
        "2021-13",
        "2021-00",
        "2021-06-01T24:00:00Z",
        "2021-06-01T10:60:00Z",
        "2021-06-01T10:11:60Z",
        "2021-06-01T10:11:12+24:00",
        "2021-06-01T10:11:12+05:60",
        "",
    ],
)
def test_date_times_the_spec_does_not_allow_raise(text: str) -> None:
    """Other formats are errors; impossible dates and times (undefined in the spec, lenient in
    some JavaScript engines) are refused rather than guessed."""
    with pytest.raises(CertLogicError):
        evaluate(_pt(text), {})


@pytest.mark.parametrize(
    ("text", "amount", "unit", "iso"),
    [
        # the spec's leap-day table
        ("2020-02-29", 1, "day", "2020-03-01T00:00:00.000Z"),
        ("2020-02-29", 1, "month", "2020-03-29T00:00:00.000Z"),
        ("2020-02-29", 1, "year", "2021-03-01T00:00:00.000Z"),
        # JavaScript's setUTCMonth/setUTCFullYear overflow, as certlogic-js
        ("2021-01-31", 1, "month", "2021-03-03T00:00:00.000Z"),
        ("2020-01-31", 1, "month", "2020-03-02T00:00:00.000Z"),
        ("2021-03-31", -1, "month", "2021-03-03T00:00:00.000Z"),
        ("2021-01-15", -13, "month", "2019-12-15T00:00:00.000Z"),
        ("2021-01-15", 12, "month", "2022-01-15T00:00:00.000Z"),
        ("2020-02-29", -4, "year", "2016-02-29T00:00:00.000Z"),
        ("2004", 18, "year", "2022-12-31T00:00:00.000Z"),
        ("2004-02", 18, "year", "2022-03-01T00:00:00.000Z"),
        ("2021-06-01T00:00:00+00:00", 40, "hour", "2021-06-02T16:00:00.000Z"),
        ("2021-06-01T00:00:00Z", -180, "day", "2020-12-03T00:00:00.000Z"),
        ("2021-03-28T01:30:00", 24, "hour", "2021-03-29T01:30:00.000Z"),
        ("2021-12-31T23:59:59.999Z", 1, "hour", "2022-01-01T00:59:59.999Z"),
    ],
)
def test_plus_time_offsets_as_javascript_dates_do(
    text: str, amount: int, unit: str, iso: str
) -> None:
    assert evaluate({"plusTime": [text, amount, unit]}, {}).isoformat() == iso


def test_plus_time_outside_javascript_dates_raises() -> None:
    assert (
        evaluate(_pt("9999-12-31", 260_000, "year"), {}).isoformat()
        == "+269999-12-31T00:00:00.000Z"
    )
    assert evaluate(_pt("0000-01-01", -1, "day"), {}).isoformat() == "-000001-12-31T00:00:00.000Z"
    with pytest.raises(CertLogicError, match="range"):
        evaluate(_pt("2021-01-01", 10**9, "day"), {})
    with pytest.raises(CertLogicError, match="range"):
        evaluate(_pt("2021-01-01", -(10**12), "month"), {})


def test_plus_time_needs_a_string() -> None:
    for value in (20210101, None, ["2021-01-01"], True):
        with pytest.raises(CertLogicError, match="must be a string"):
            evaluate({"plusTime": [{"var": "d"}, 0, "day"]}, {"d": value})
    with pytest.raises(CertLogicError):  # no date-time into plusTime
        evaluate({"plusTime": [_pt("2021-01-01"), 1, "day"]}, {})


@pytest.mark.parametrize(
    ("dob", "iso"),
    [
        ("2004", "2004-12-31T00:00:00.000Z"),
        ("2004-02", "2004-02-29T00:00:00.000Z"),
        ("1900-02", "1900-02-28T00:00:00.000Z"),
        ("2000-02", "2000-02-29T00:00:00.000Z"),
        ("2004-12", "2004-12-31T00:00:00.000Z"),
        ("2004-06-15", "2004-06-15T00:00:00.000Z"),
    ],
)
def test_dcc_date_of_birth_is_the_last_date_consistent_with_the_data(dob: str, iso: str) -> None:
    assert evaluate({"dccDateOfBirth": [dob]}, {}).isoformat() == iso


@pytest.mark.parametrize("dob", ["", "2004-06-15T00:00:00Z", "04", "2004-13", "2004-02-30", 2004])
def test_dcc_date_of_birth_refuses_anything_else(dob: Any) -> None:
    with pytest.raises(CertLogicError):
        evaluate({"dccDateOfBirth": [{"var": "d"}]}, {"d": dob})


def test_reduce() -> None:
    total = {"reduce": [{"var": "xs"}, {"+": [{"var": "accumulator"}, {"var": "current"}]}, 0]}
    assert evaluate(total, {"xs": [1, 2, 3]}) == 6
    assert evaluate(total, {"xs": []}) == 0
    assert evaluate(total, {}) == 0
    with pytest.raises(CertLogicError, match="non-null non-array"):
        evaluate(total, {"xs": "123"})
    latest = {
        "reduce": [
            {"var": "dates"},
            {
                "if": [
                    {
                        "after": [
                            {"plusTime": [{"var": "current"}, 0, "day"]},
                            {"plusTime": [{"var": "accumulator"}, 0, "day"]},
                        ]
                    },
                    {"var": "current"},
                    {"var": "accumulator"},
                ]
            },
            "1970-01-01",
        ]
    }
    assert evaluate(latest, {"dates": ["2021-05-01", "2021-09-01", "2021-06-01"]}) == "2021-09-01"


def test_extract_from_uvci() -> None:
    rule = {"extractFromUVCI": [{"var": "u"}, 1]}
    assert evaluate(rule, {"u": "URN:UVCI:01:NL:187/37512422923"}) == "NL"
    assert evaluate(rule, {"u": "urn:uvci:01:NL"}) == "uvci"  # the prefix is case-sensitive
    assert evaluate(rule, {}) is None
    with pytest.raises(CertLogicError, match="string or null"):
        evaluate(rule, {"u": 1})


@pytest.mark.parametrize(
    ("path", "data", "expected"),
    [
        ("", 5, 5),
        ("a.b", {"a": {"b": [1]}}, [1]),
        ("a.1", {"a": [0, 1]}, 1),
        ("a.01", {"a": [0, 1]}, 1),
        ("a.2", {"a": [0, 1]}, None),
        ("a.-1", {"a": [0, 1]}, None),
        ("a.1a", {"a": [0, 1]}, None),
        ("a.length", {"a": [0, 1]}, None),
        ("a.0", {"a": "text"}, None),
        ("a.length", {"a": "text"}, None),
        ("a.b", {"a": 1}, None),
        ("a.b", {"a": True}, None),
        ("a.b", {"a": None}, None),
        ("1", {"1": "one"}, "one"),
        ("__proto__", {}, None),
        ("constructor", {}, None),
    ],
)
def test_var_reads_members_and_array_items_only(path: str, data: Any, expected: Any) -> None:
    assert evaluate({"var": path}, data) == expected


def test_var_returns_the_data_itself_not_a_copy() -> None:
    data = {"x": [1, 2]}
    assert evaluate({"var": "x"}, data) is data["x"]


def test_literals() -> None:
    assert evaluate(1.0, {}) == 1 and type(evaluate(1.0, {})) is int
    assert evaluate([1, "a", True, {"var": "x"}], {"x": None}) == [1, "a", True, None]
    assert evaluate(["x", {"plusTime": ["2021", 0, "day"]}], {})[1].isoformat().startswith("2021")


def test_limits() -> None:
    deep: Any = True
    for _ in range(MAX_DEPTH // 2):
        deep = {"!": [deep]}
    assert validate(deep) == []
    evaluate(deep, {})
    deeper = {"!": [deep]}
    assert "deeper than 64" in validate(deeper)[0]
    with pytest.raises(CertLogicError, match="deeper"):
        evaluate(deeper, {})
    very_deep: Any = []
    for _ in range(100_000):
        very_deep = [very_deep]
    assert "deeper" in validate(very_deep)[0]
    big = ["x" * 1000] * (MAX_RULE_BYTES // 1000 + 1)
    assert "larger than 64 KB" in validate(big)[0]
    assert validate(["x" * 1000] * 60) == []
    many = [0] * (MAX_RULE_BYTES + 1)
    assert "larger" in validate(many)[0]


def test_a_runaway_reduce_stops_at_the_step_budget() -> None:
    """Each level re-reads the list it carries in its accumulator: 300**3 steps unbounded."""
    acc = {"var": "accumulator"}
    inner = {"reduce": [acc, 0, 0]}
    middle = {"reduce": [acc, {"if": [inner, acc, acc]}, acc]}
    rule = {"reduce": [{"var": "xs"}, {"if": [middle, acc, acc]}, {"var": "xs"}]}
    with pytest.raises(CertLogicError, match=f"{MAX_STEPS} steps"):
        evaluate(rule, {"xs": list(range(300))})
    assert evaluate(rule, {"xs": [1, 2]}) == [1, 2]


def test_error_messages_survive_hostile_values() -> None:
    with pytest.raises(CertLogicError, match="Infinity"):
        evaluate({"if": [{"var": "x"}, 1, 2]}, {"x": math.inf})
    assert evaluate({"if": [{"var": "x"}, 1, 2]}, {"x": 10**5000}) == 1
    assert "too large" in validate({"plusTime": ["2021", 0, 10**5000]})[0]
    with pytest.raises(CertLogicError):
        evaluate({"plusTime": ["x" * 10_000, 0, "day"]}, {})
    assert validate({("tuple", "key"): [1]}) == ["invalid CertLogic expression"]
    assert validate({1: [1]}) == ["invalid CertLogic expression"]
    assert validate((1, 2)) == ["invalid CertLogic expression"]
    assert validate({"var": "\ud800"}) == []


# -- hypothesis ---------------------------------------------------------------------------------

OPERATORS = [
    "var", "if", "===", "and", "or", "!", "!!", "<", ">", "<=", ">=", "in", "+", "after",
    "before", "not-after", "not-before", "plusTime", "reduce", "extractFromUVCI",
    "dccDateOfBirth", "all", "",
]  # fmt: skip
DATEISH = st.sampled_from(
    ["2021", "2021-02", "2021-06-01", "2021-06-01T10:00:00Z", "2021-06-01T10:00:00.5+7",
     "2020-02-29", "0000-01-01", "9999-12-31T23:59:59.999Z", "2021-02-30", "URN:UVCI:01:NL:1/2"]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | DATEISH
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6) | st.sampled_from(OPERATORS), inner, max_size=3)
    ),
    max_leaves=20,
)
PATHS = st.sampled_from(["", "x", "x.0", "x.y", "y", "0", "1.a", "accumulator", "current", "a.b.c"])


def _operations(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    operands = st.lists(inner, min_size=0, max_size=4)
    return st.one_of(
        st.builds(lambda p: {"var": p}, PATHS),
        st.builds(lambda op, xs: {op: xs}, st.sampled_from(OPERATORS), operands),
        st.builds(
            lambda d, n, u: {"plusTime": [d, n, u]},
            inner,
            st.integers(-30, 30) | st.integers(),
            st.sampled_from(["year", "month", "day", "hour", "week"]),
        ),
        st.builds(lambda x, i: {"extractFromUVCI": [x, i]}, inner, st.integers(-2, 6)),
        st.lists(inner, max_size=3),
    )


RULES = st.recursive(SCALARS | st.builds(lambda p: {"var": p}, PATHS), _operations, max_leaves=25)
DATA_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["x", "y", "a", "b", "0", "1"]), inner, max_size=4),
    max_leaves=25,
)  # fmt: skip


def _json_or_datetime(value: Any) -> bool:
    if value is None or isinstance(value, str | bool | int | float | DateTime):
        return True
    if isinstance(value, list):
        return all(_json_or_datetime(v) for v in value)
    return isinstance(value, dict) and all(_json_or_datetime(v) for v in value.values())


def _evaluates_or_refuses(rule: Any, data: Any) -> None:
    problems = validate(rule)
    assert all(isinstance(p, str) and p for p in problems)
    try:
        result = evaluate(rule, data)
    except CertLogicError:
        return
    assert not problems, "an invalid rule was evaluated"
    assert _json_or_datetime(result)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=JSON, data=JSON)
def test_any_json_rule_evaluates_or_raises_certlogic_error(rule: Any, data: Any) -> None:
    _evaluates_or_refuses(rule, data)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=RULES, data=DATA_VALUES)
def test_operation_shaped_rules_evaluate_or_raise_certlogic_error(rule: Any, data: Any) -> None:
    _evaluates_or_refuses(rule, {"x": data, "y": data, "a": {"b": data}})


@settings(max_examples=300, deadline=None)
@given(data=DATA_VALUES)
def test_evaluation_does_not_change_the_data(data: Any) -> None:
    before = json.dumps(data, default=str)
    rule = {"reduce": [{"var": "x"}, [{"var": "accumulator"}, {"var": "current"}], {"var": "x"}]}
    try:
        evaluate(rule, {"x": data})
    except CertLogicError:
        pass
    assert json.dumps(data, default=str) == before
