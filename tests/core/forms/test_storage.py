"""A form and its table must agree: every field a column, every column the right type."""

from __future__ import annotations

from core.forms import Field, Form, choice_list
from core.forms.storage import check_table, parse_stored, row

SYMPTOMS = choice_list("symptoms", [("fever", "Sốt", "Fever"), ("cough", "Ho", "Cough")])


def _form(**over) -> Form:
    fields = {
        "name": Field("name", "person_name", ("Họ tên", "Name")),
        "year": Field("year", "birth_year", ("Năm sinh", "Year of birth")),
        "doses": Field("doses", "integer", ("Số mũi", "Doses"), parameters={"min": 0, "max": 10}),
        "symptoms": Field(
            "symptoms",
            "select_multiple symptoms",
            ("Triệu chứng", "Symptoms"),
            parameters={"storage": "flags"},
        ),
        "ward": Field("ward", "select_one wards", ("Phường", "Ward")),
        "temp": Field("temp", "decimal", ("Nhiệt độ", "Temperature")),
        "seen_at": Field("seen_at", "datetime", ("Lúc", "At")),
        "ok": Field("ok", "acknowledge", ("Cam kết", "Commit")),
    }
    fields.update(over)
    return Form(
        "demo",
        "Demo",
        [f for f in fields.values() if f is not None],
        choices=[SYMPTOMS],
        table="t_demo",
    )


TABLE = (
    "CREATE TABLE t_demo (name VARCHAR, year SMALLINT, doses TINYINT, fever BOOLEAN, cough BOOLEAN,"
    " ward INTEGER, temp DOUBLE, seen_at TIMESTAMP, ok BOOLEAN)"
)


def test_a_matching_table_has_no_problems(store):
    store.execute(TABLE)
    assert check_table(store, _form()) == []


def test_a_field_without_a_column_is_found(store):
    store.execute(TABLE)
    form = _form(street=Field("street", "text", ("Đường", "Street")))
    assert check_table(store, form) == ["t_demo.street: no column for field 'street'"]


def test_a_column_of_the_wrong_type_is_found(store):
    store.execute(
        TABLE.replace("temp DOUBLE", "temp VARCHAR").replace("seen_at TIMESTAMP", "seen_at DATE")
    )
    found = check_table(store, _form())
    assert any(p.startswith("t_demo.temp: column type VARCHAR") for p in found)
    assert any(p.startswith("t_demo.seen_at: column type DATE") for p in found)


def test_a_column_too_small_for_the_allowed_numbers_is_found(store):
    store.execute(TABLE)
    # a TINYINT column (SMALLINT on PostgreSQL, which has no 1-byte integer): too small for both
    kind = store.table_columns("t_demo")["doses"]
    assert kind in ("TINYINT", "SMALLINT")
    form = _form(doses=Field("doses", "integer", ("Số mũi", "Doses"), parameters={"max": 100000}))
    assert check_table(store, form) == [
        f"t_demo.doses: {kind} cannot hold every value field 'doses' allows (give the field a max"
        " that fits, or widen the column)"
    ]


def test_a_missing_table_is_found(store):
    assert check_table(store, _form()) == ["form demo: table t_demo does not exist"]


def test_a_row_goes_in_and_comes_back(store):
    store.execute(TABLE)
    form = _form()
    values = form.validate(
        {"name": "Lê Thị Hoa", "year": "1990", "doses": "2", "symptoms": ["cough"], "ok": True}
    )
    store.insert_row("t_demo", row(form, values))
    record = store.records("SELECT * FROM t_demo")[0]
    back = parse_stored(form, record)
    assert back["symptoms"] == ["cough"] and back["name"] == "Lê Thị Hoa" and back["doses"] == 2
