"""A form as data: definition checks with locations, and one validation for every app."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import geo, i18n
from core.forms import DefinitionError, Field, Form, FormInvalid, Group, Origin, choice_list
from core.forms.storage import columns, row

NOW = datetime(2021, 9, 10, 1, 30, 0, 123457, tzinfo=UTC)
YES_NO = choice_list("yn", [("yes", "Có", "Yes"), ("no", "Không", "No")])
SYMPTOMS = choice_list("symptoms", [("fever", "Sốt", "Fever"), ("cough", "Ho", "Cough")])


def fever_form() -> Form:
    return Form(
        "fever",
        ("Sốt", "Fever"),
        [
            Field("name", "person_name", ("Họ tên", "Name"), required=True),
            Field("symptoms", "select_multiple symptoms", ("Triệu chứng", "Symptoms")),
            Field(
                "fever_date",
                "date",
                ("Ngày bắt đầu sốt", "Fever since"),
                required=True,
                relevant="selected(${symptoms}, 'fever')",
                constraint=". <= today()",
                constraint_message=("Ngày sốt không thể ở tương lai", "Not in the future"),
            ),
            Field("province", "select_one provinces", ("Tỉnh", "Province"), default=48),
            Field(
                "ward",
                "select_one wards",
                ("Phường/xã", "Ward"),
                choice_filter="province = ${province}",
            ),
            Group(
                "more",
                ("Thêm", "More"),
                [Field("note", "text", ("Ghi chú", "Note"))],
                relevant="${name} != ''",
            ),
            Field(
                "n_symptoms",
                "calculate",
                calculation="count-selected(${symptoms})",
                parameters={"type": "integer"},
            ),
        ],
        choices=[SYMPTOMS],
    )


def test_relevance_required_constraint():
    form = fever_form()
    values = form.validate({"name": "An Bình", "symptoms": ["cough"]}, now=NOW)
    assert values["fever_date"] is None and values["n_symptoms"] == 1
    assert values["province"] == 48  # default for a missing answer
    with pytest.raises(FormInvalid) as info:
        form.validate({"name": "An Bình", "symptoms": ["fever"]}, now=NOW)
    assert info.value.errors["fever_date"].key == "forms.err.required"
    with pytest.raises(FormInvalid) as info:
        form.validate(
            {"name": "An Bình", "symptoms": ["fever"], "fever_date": "11/09/2021"}, now=NOW
        )
    err = info.value.errors["fever_date"]
    i18n.set_locale("vi")
    assert err.message == "Ngày sốt không thể ở tương lai"
    i18n.set_locale("en")
    assert err.message == "Not in the future"
    i18n.set_locale("vi")
    ok = form.validate(
        {"name": "An Bình", "symptoms": ["fever"], "fever_date": "09/09/2021"}, now=NOW
    )
    assert ok["fever_date"] == date(2021, 9, 9)


def test_an_answer_to_a_hidden_question_is_cleared():
    form = fever_form()
    values = form.validate(
        {"name": "An Bình", "symptoms": ["cough"], "fever_date": "not even a date"}, now=NOW
    )
    assert values["fever_date"] is None
    with pytest.raises(FormInvalid) as info:
        form.validate({"note": "x"}, now=NOW)
    assert set(info.value.errors) == {"name"}


def test_group_relevance_clears_its_fields():
    form = fever_form()
    with pytest.raises(FormInvalid):
        form.validate({"note": "kept?"}, now=NOW)
    values = form.validate({"name": "An Bình", "note": "kept"}, now=NOW)
    assert values["note"] == "kept"


def test_a_question_that_appears_on_submit_is_asked():
    form = fever_form()
    shown = {"name", "symptoms", "province", "ward", "note"}
    with pytest.raises(FormInvalid) as info:
        form.validate(
            {"name": "An Bình", "symptoms": ["fever"], "fever_date": ""}, shown=shown, now=NOW
        )
    assert info.value.errors["fever_date"].key == "forms.err.new_question"
    values = form.validate(
        {"name": "An Bình", "symptoms": ["fever"], "fever_date": "09/09/2021"},
        shown=shown | {"fever_date"},
        now=NOW,
    )
    assert values["fever_date"] == date(2021, 9, 9)


def test_choice_filter_keeps_wards_of_the_province():
    form = fever_form()
    da_nang_ward = geo.wards(geo.DA_NANG)[0].code
    hanoi_ward = geo.wards(1)[0].code
    assert form.validate({"name": "An Bình", "ward": da_nang_ward}, now=NOW)["ward"] == da_nang_ward
    with pytest.raises(FormInvalid) as info:
        form.validate({"name": "An Bình", "ward": hanoi_ward}, now=NOW)
    assert info.value.errors["ward"].key == "forms.err.choice_filtered"
    state = form.parse_partial({"province": 1})
    assert {c.name for c in form.options("ward", state)} == {w.code for w in geo.wards(1)}


def test_storage_columns_and_row():
    form = Form(
        "decl",
        "D",
        [
            Field("name", "person_name", "Tên"),
            Field("symptoms", "select_multiple symptoms", "TC", parameters={"storage": "flags"}),
            Field("visited", "select_multiple provinces", "Đã đến"),
            Field("seen_at", "datetime", "Lúc"),
            Field("info", "note", "Chỉ để đọc"),
        ],
        choices=[SYMPTOMS],
    )
    assert [(c.name, c.sql_type) for c in columns(form)] == [
        ("name", "VARCHAR"),
        ("fever", "BOOLEAN"),
        ("cough", "BOOLEAN"),
        ("visited", "VARCHAR"),
        ("seen_at", "TIMESTAMP"),
    ]
    values = form.validate(
        {
            "name": "An Bình",
            "symptoms": ["cough"],
            "visited": [79, 48],
            "seen_at": "10/09/2021 08:30",
        }
    )
    assert row(form, values) == {
        "name": "An Bình",
        "fever": False,
        "cough": True,
        "visited": "79,48",  # in the order of the list (provinces by name)
        "seen_at": datetime(2021, 9, 10, 1, 30),
    }


# -- definition problems, with their place ------------------------------------------------------------


def problems(*items, lists=()) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        Form("ff", "F", list(items), choices=list(lists))
    return [str(p) for p in info.value.problems]


def test_definition_problems_name_the_place():
    at = Origin("survey", 7)
    assert problems(Field("a", "txet", "A", origin=at)) == [
        "survey, row 7, column 'type': unknown type 'txet' (did you mean 'text'?)"
    ]
    assert problems(Field("a", "text", "A"), Field("a", "text", "B", origin=at)) == [
        "survey, row 7, column 'name': the name 'a' is used twice"
    ]
    assert "no choice list 'sexes'" in problems(Field("s", "select_one sexes", "S", origin=at))[0]
    assert (
        "did you mean ${fever}"
        in problems(
            Field("fever", "yes_no", "F"), Field("d", "date", "D", relevant="${fevr} = 'yes'")
        )[0]
    )
    assert "cannot read the expression" in problems(Field("a", "integer", "A", constraint=". >"))[0]
    assert (
        "only allowed in a constraint" in problems(Field("a", "integer", "A", relevant=". > 1"))[0]
    )
    assert (
        "must be a field asked before"
        in problems(
            Field("w", "select_one wards", "W", choice_filter="province = ${p}"),
            Field("p", "select_one provinces", "P"),
        )[0]
    )
    assert "unknown parameter" in problems(Field("a", "integer", "A", parameters={"maxx": 3}))[0]
    assert "needs a label" in problems(Field("a", "integer"))[0]
    assert "must be lower-case" in problems(Field("Bad Name", "integer", "A"))[0]
    assert "the default does not fit" in problems(Field("a", "integer", "A", default="x"))[0]
    assert (
        "has the choice 'a' twice"
        in problems(
            Field("s", "select_one l", "S"), lists=[choice_list("l", [("a", "A"), ("a", "B")])]
        )[0]
    )


def test_several_problems_are_reported_together():
    found = problems(Field("a", "txet", "A"), Field("b", "integer"))
    assert len(found) == 2


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["name", "symptoms", "fever_date", "province", "ward", "note", "x"]),
        st.one_of(
            st.none(),
            st.text(max_size=30),
            st.integers(),
            st.lists(st.text(max_size=8), max_size=3),
        ),
    )
)
def test_whole_form_gives_values_or_field_errors(raw):
    form = fever_form()
    try:
        values = form.validate(raw, now=NOW)
    except FormInvalid as exc:
        assert set(exc.errors) <= {f.name for f in form.fields}
        for err in exc.errors.values():
            assert err.message
    else:
        assert set(values) >= {f.name for f in form.input_fields}
