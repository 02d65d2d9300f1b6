"""Reading a definition workbook: every kind of broken workbook of the issue is refused with its
sheet, row and column; the examples are small; the app and rules sheets' parsers never crash."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.definitions import workbook
from core.forms.model import DefinitionError
from tests.core.definitions.conftest import (
    MARKET,
    RELIEF,
    SHEETS,
    VACCINATION,
    example,
    sheets_of,
)
from tests.core.definitions.conftest import (
    workbook as write,
)


def problems(
    data: bytes, registry: Any = None
) -> list[tuple[str | None, int | None, str | None, str]]:
    with pytest.raises(DefinitionError) as refused:
        workbook.read(data, registry=registry)
    return [(p.sheet, p.row, p.column, p.message) for p in refused.value.problems]


def where(found: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [f[:3] for f in found]


def test_the_examples_read_and_are_small():
    for app_id in SHEETS:
        d = workbook.read(example(app_id))
        assert d.app_id == app_id
        assert d.lines <= 150, (app_id, d.lines)
    market = workbook.read(example(MARKET))
    assert market.token_prefix == "MV1:" and market.issue == "on_submit"
    assert market.claims == ("head", "household_no", "ward", "market")
    assert {r.kind for r in market.rules} == {"checkpoints", "odd_even_day"}
    assert market.roles[0].scope == "ward" and market.area_field == "ward"
    # lines: the rows of every sheet, headers left out
    rows = sum(len(rows) - 1 for rows in SHEETS[MARKET].values())
    assert market.lines == rows


def test_unknown_type_names_its_row():
    sheets = sheets_of(MARKET)
    sheets["survey"][2][0] = "interger"
    assert ("survey", 3, "type") in where(problems(write(sheets)))


def test_duplicate_field_names_its_row():
    sheets = sheets_of(MARKET)
    sheets["survey"][3][1] = "household_no"  # row 4 repeats row 3's name
    found = problems(write(sheets))
    assert any(f[:2] == ("survey", 4) and "household_no" in f[3] for f in found), found


def test_missing_choice_list_names_its_row():
    sheets = sheets_of(MARKET)
    sheets["choices"] = [r for r in sheets["choices"] if r[0] != "markets"]
    found = problems(write(sheets))
    assert ("survey", 9, "type") in where(found), found
    assert any("markets" in f[3] for f in found)


def test_bad_expression_names_its_row_and_column():
    sheets = sheets_of(VACCINATION)
    sheets["survey"][9][5] = ". >= today(("  # the day's constraint
    assert ("survey", 10, "constraint") in where(problems(write(sheets)))


def test_a_prefix_another_app_uses_is_refused(store, install_app):
    from core.registry import get_registry

    install_app(MARKET)
    sheets = sheets_of(RELIEF)
    sheets["app"][6][1] = "MV1"  # token_prefix row
    found = problems(write(sheets), get_registry())
    assert ("app", 7, "value") in where(found) and "phieu_di_cho" in found[0][3]
    sheets["app"][6][1] = "TP1"  # the travel permits' own
    found = problems(write(sheets), get_registry())
    assert ("app", 7, "value") in where(found) and "travel_permit" in found[0][3]


def test_a_claim_naming_a_missing_field_is_refused():
    sheets = sheets_of(MARKET)
    sheets["app"][6][1] = "head, household_nr, ward, market"
    found = problems(write(sheets))
    assert ("app", 7, "value") in where(found)
    assert any("household_nr" in f[3] and "household_no" in f[3] for f in found)  # did you mean


def test_a_rule_reading_a_field_not_in_the_qr_is_refused():
    sheets = sheets_of(MARKET)
    sheets["app"][6][1] = "head, ward, market"  # household_no no longer a claim
    found = problems(write(sheets))
    assert ("rules", 3, "value") in where(found)
    assert "add it to claims" in next(f[3] for f in found if f[:2] == ("rules", 3))


def test_app_sheet_problems():
    sheets = sheets_of(VACCINATION)
    sheets["app"][4][1] = "revue"  # workflow
    sheets["app"][1][0] = "submiters"
    sheets["app"].append(["valid_days", "400"])
    found = problems(write(sheets))
    assert ("app", 5, "value") in where(found)
    assert any(f[:3] == ("app", 2, "key") and "submitters" in f[3] for f in found)
    assert ("app", 16, "value") in where(found)  # valid_days 400
    assert ("app", None, "key") in where(found)  # no submitters row left


def test_unknown_role_and_role_clash(store):
    from core.registry import get_registry

    sheets = sheets_of(RELIEF)
    sheets["app"][2][1] = "can_bo_xaa"  # reviewers: a typo
    found = problems(write(sheets), get_registry())
    assert any(f[:3] == ("app", 3, "value") and "can_bo_xa" in f[3] for f in found), found
    sheets = sheets_of(RELIEF)
    sheets["roles"][1][0] = "approver"  # the travel permits' role
    found = problems(write(sheets), get_registry())
    assert ("roles", 2, "role") in where(found)


def test_built_in_roles_may_be_named_without_declaring_them(store):
    from core.registry import get_registry

    d = workbook.read(example(VACCINATION), registry=get_registry())
    assert d.optional_roles == ("health_officer",)


def test_rules_and_panels_problems():
    sheets = sheets_of(MARKET)
    sheets["rules"][1][0] = "checkpoint"
    sheets["rules"][2][2] = "wrong day"
    sheets["panels"][2][1] = "markt"
    sheets["panels"][3][0] = "per_ward"
    found = problems(write(sheets))
    assert ("rules", 2, "condition") in where(found)
    assert ("rules", 3, "reason_code") in where(found)
    assert ("panels", 3, "field") in where(found)
    assert ("panels", 4, "kind") in where(found)


def test_a_bad_condition_value_names_the_bad_part():
    sheets = sheets_of(VACCINATION)
    sheets["rules"][2][1] = "07:00-25:00"
    found = problems(write(sheets))
    assert any(f[:3] == ("rules", 3, "value") and "25:00" in f[3] for f in found), found


def test_unknown_columns_of_our_sheets():
    sheets = sheets_of(MARKET)
    sheets["rules"][0][3] = "reason::fr"
    sheets["app"][0].append("valeur")
    sheets["app"][1].append("x")
    found = problems(write(sheets))
    assert ("rules", 1, "reason::fr") in where(found)
    assert ("app", 1, "valeur") in where(found)


def test_bad_app_id_and_reserved_ones():
    sheets = sheets_of(MARKET)
    sheets["settings"][1][0] = "a" * 35
    assert ("settings", 2, "form_id") in where(problems(write(sheets)))
    sheets["settings"][1][0] = "core"
    assert ("settings", 2, "form_id") in where(problems(write(sheets)))


def test_a_program_apps_id_is_refused(store):
    from core.registry import get_registry

    sheets = sheets_of(MARKET)
    sheets["settings"][1][0] = "travel_permit"
    assert ("settings", 2, "form_id") in where(problems(write(sheets), get_registry()))


def test_form_problems_and_app_sheet_problems_are_listed_together():
    sheets = sheets_of(MARKET)
    sheets["survey"][2][0] = "interger"
    sheets["app"][4][1] = "sometimes"
    found = where(problems(write(sheets)))
    assert ("survey", 3, "type") in found and ("app", 5, "value") in found


def test_validity_and_issue_consistency():
    sheets = sheets_of(RELIEF)
    sheets["app"] = [r for r in sheets["app"] if r[0] != "valid_days"]
    found = problems(write(sheets))
    assert any("valid_days" in f[3] for f in found)
    sheets = sheets_of(MARKET)
    sheets["app"][4][1] = "on_approve"  # issue on approval without a review
    assert ("app", 5, "value") in where(problems(write(sheets)))


def test_not_a_workbook_at_all():
    found = problems(b"type,name\ntext,x\n")
    assert found[0][0] == "workbook"


# -- parsers never crash ----------------------------------------------------------------------

_cell = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
    st.integers(-(10**6), 10**6),
    st.sampled_from(
        ["public", "review", "on_approve", "on_submit", "MV9", "ward", "head", "T2,T4",
         "06:00-18:00", "once", "zones", "20275", "yes", "=1+1", "${head}"]
    ),
)  # fmt: skip
_keys = st.sampled_from([*workbook.APP_KEYS, "x", "", "Claims", "valid days"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    app_rows=st.lists(st.tuples(_keys, _cell, _cell), max_size=8),
    rule_rows=st.lists(
        st.tuples(st.sampled_from([*workbook.CONDITIONS, "day", None]), _cell, _cell, _cell, _cell),
        max_size=4,
    ),
)
def test_the_app_and_rules_sheets_never_crash(app_rows, rule_rows):
    sheets = sheets_of(MARKET)
    sheets["app"] = [["key", "value", "value::en"], *[list(r) for r in app_rows]]
    sheets["rules"] = [
        ["condition", "value", "reason_code", "reason::vi", "severity"],
        *[list(r) for r in rule_rows],
    ]
    try:
        d = workbook.read(write(sheets))
    except DefinitionError as exc:
        assert exc.problems and all(p.sheet for p in exc.problems)
    else:
        assert d.app_id == MARKET


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    role_rows=st.lists(
        st.tuples(st.sampled_from(["can_bo_phuong", "x", "Bad Role", "admin", None]), _cell,
                  _cell, st.sampled_from(["ward", "province", "", "city", None])),
        max_size=4,
    ),
    panel_rows=st.lists(
        st.tuples(st.sampled_from([*workbook.PANEL_KINDS, "pie", None]),
                  st.sampled_from(["market", "ward", "head", "nope", "", None]), _cell, _cell),
        max_size=4,
    ),
)  # fmt: skip
def test_the_roles_and_panels_sheets_never_crash(role_rows, panel_rows):
    """Whatever the roles and panels sheets hold: a definition, or problems that each name
    their sheet (and row, for a row's problem); never an exception of another kind."""
    sheets = sheets_of(MARKET)
    sheets["roles"] = [["role", "label::vi", "label::en", "scope"], *[list(r) for r in role_rows]]
    sheets["panels"] = [
        ["kind", "field", "title::vi", "title::en"],
        *[list(r) for r in panel_rows],
    ]
    try:
        d = workbook.read(write(sheets))
    except DefinitionError as exc:
        assert exc.problems and all(p.sheet for p in exc.problems)
    else:
        assert d.app_id == MARKET and len(d.panels) == len([r for r in panel_rows if any(r)])
