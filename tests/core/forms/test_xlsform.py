"""Forms from XLSForm workbooks: the same form as in Python, every refusal at its place, limits
against hostile files, and hypothesis over random survey sheets and random bytes."""

from __future__ import annotations

import io
import re
import time
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core import geo, i18n
from core.forms import DefinitionError, Field, Form, FormInvalid, Group, Text, choice_list
from core.forms.types import TYPES
from core.forms.xlsform import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    UNSUPPORTED_TYPES,
    WORKBOOK,
    Workbook,
    form_from_xlsform,
    load_xlsform,
)

NOW = datetime(2021, 9, 10, 1, 30, tzinfo=UTC)  # 08:30 in Vietnam

Rows = list[tuple[object, ...]]


def xlsx(
    survey: Rows | None,
    choices_rows: Rows | None = None,
    settings_rows: Rows | None = (("form_id",), ("f_test",)),
    **more: Rows,
) -> bytes:
    """A workbook made with openpyxl: one sheet per argument that is not None."""
    wb = OpenpyxlWorkbook()
    wb.remove(wb.active)
    sheets = {"survey": survey, "choices": choices_rows, "settings": settings_rows, **more}
    for title, rows in sheets.items():
        if rows is None:
            continue
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def problems(data: bytes, **kw) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        load_xlsform(data, **kw)
    return [str(p) for p in info.value.problems]


def with_member(data: bytes, member: str, content: bytes) -> bytes:
    """The workbook with one zip member replaced (hand-made sheet XML)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = content if info.filename == member else src.read(info.filename)
            dst.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


SHEET_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData>%s</sheetData></worksheet>"
)
TYPE_NAME_LABEL = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>type</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>name</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>label</t></is></c></row>'
)


# -- the same form from Python and from a workbook -------------------------------------------------

SYMPTOMS = choice_list(
    "symptoms",
    [("fever", "Sốt", "Fever"), ("cough", "Ho", "Cough"), ("tired", "Mệt mỏi", "Tiredness")],
)
SEXES = choice_list("sexes", [(1, "Nam", "Male"), (2, "Nữ", "Female")])


def python_form() -> Form:
    return Form(
        "to_khai_y_te",
        ("Tờ khai y tế", "Health declaration"),
        [
            Field(
                "full_name",
                "person_name",
                ("Họ và tên", "Full name"),
                required=True,
                parameters={"max_length": 80},
                aliases=("Họ tên", "Tên"),
            ),
            Field("sex", "select_one sexes", ("Giới tính", "Sex")),
            Field(
                "age",
                "integer",
                ("Tuổi", "Age"),
                required=True,
                constraint=". >= 0 and . <= 120",
                constraint_message=("Tuổi từ 0 đến 120", "Age is 0 to 120"),
                parameters={"min": 0},
            ),
            Field(
                "phone",
                "phone",
                ("Số điện thoại", "Phone"),
                hint=("Số di động", "A mobile number"),
                required="${age} >= 18",
                required_message=("Người lớn cần số điện thoại", "Adults give a phone number"),
            ),
            Field("province", "select_one provinces", ("Tỉnh/thành phố", "Province"), default=48),
            Field(
                "ward",
                "select_one wards",
                ("Phường/xã", "Ward"),
                required=True,
                choice_filter="province = ${province}",
            ),
            Field(
                "symptoms",
                "select_multiple symptoms",
                ("Triệu chứng", "Symptoms"),
                parameters={"max_selected": 2},
                appearance="minimal",
            ),
            Group(
                "fever_group",
                ("Về cơn sốt", "About the fever"),
                [
                    Field(
                        "fever_since",
                        "date",
                        ("Sốt từ ngày", "Fever since"),
                        required=True,
                        constraint=". <= today()",
                        constraint_message=("Không thể ở tương lai", "Not in the future"),
                    ),
                    Field(
                        "temperature",
                        "decimal",
                        ("Nhiệt độ", "Temperature"),
                        parameters={"min": 34, "max": 43.5, "decimals": 1},
                    ),
                ],
                relevant="selected(${symptoms}, 'fever')",
            ),
            Field(
                "n_symptoms",
                "calculate",
                calculation="count-selected(${symptoms})",
                parameters={"type": "integer"},
            ),
            Field("thanks", "note", ("Cảm ơn bạn", "Thank you")),
            Field("consent", "acknowledge", ("Tôi cam đoan", "I declare"), required=True),
        ],
        choices=[SEXES, SYMPTOMS],
        version="2024090101",
    )


SURVEY_HEADER = (
    "Type",  # headers ignore case and surrounding spaces
    " name ",
    "label::Tiếng Việt (vi)",
    "label::English (en)",
    "hint::vi",
    "hint::en",
    "required",
    "required_message::Vietnamese (vi)",
    "required_message::English (en)",
    "constraint",
    "constraint message::vi",  # XLSForm also writes a space for '_'
    "constraint_message::en",
    "relevant",
    "default",
    "calculation",
    "choice_filter",
    "appearance",
    "parameters",
    "aliases",
    "",  # an empty header is allowed
)


def survey_row(type_, name, vi="", en="", **cells) -> tuple[object, ...]:
    keys = [
        "hint_vi",
        "hint_en",
        "required",
        "required_message_vi",
        "required_message_en",
        "constraint",
        "constraint_message_vi",
        "constraint_message_en",
        "relevant",
        "default",
        "calculation",
        "choice_filter",
        "appearance",
        "parameters",
        "aliases",
    ]
    return (type_, name, vi, en, *[cells.get(k) for k in keys])


COMPLETE_SURVEY: Rows = [
    SURVEY_HEADER,
    survey_row(
        "person_name",
        "full_name",
        "Họ và tên",
        "Full name",
        required="yes",
        parameters="max_length = 80",
        aliases="Họ tên; Tên",
    ),
    survey_row("select one sexes", "sex", "Giới tính", "Sex"),
    (),  # blank rows are skipped
    survey_row(
        "integer",
        "age",
        "Tuổi",
        "Age",
        required=True,  # a TRUE cell
        constraint=". >= 0 and . <= 120",
        constraint_message_vi="Tuổi từ 0 đến 120",
        constraint_message_en="Age is 0 to 120",
        parameters="min=0",
    ),
    survey_row(
        "phone",
        "phone",
        "Số điện thoại",
        "Phone",
        hint_vi="Số di động",
        hint_en="A mobile number",
        required="${age} >= 18",
        required_message_vi="Người lớn cần số điện thoại",
        required_message_en="Adults give a phone number",
    ),
    survey_row("select_one provinces", "province", "Tỉnh/thành phố", "Province", default=48),
    survey_row(
        "select_one wards",
        "ward",
        "Phường/xã",
        "Ward",
        required="TRUE()",
        choice_filter="province = ${province}",
    ),
    survey_row(
        "select_multiple symptoms",
        "symptoms",
        "Triệu chứng",
        "Symptoms",
        appearance="minimal",
        parameters="max_selected=2",
    ),
    survey_row(
        "begin group",
        "fever_group",
        "Về cơn sốt",
        "About the fever",
        relevant="selected(${symptoms}, 'fever')",
    ),
    survey_row(
        "date",
        "fever_since",
        "Sốt từ ngày",
        "Fever since",
        required=1,
        constraint=". <= today()",
        constraint_message_vi="Không thể ở tương lai",
        constraint_message_en="Not in the future",
    ),
    survey_row(
        "decimal",
        "temperature",
        "Nhiệt độ",
        "Temperature",
        parameters="min=34;max=43.5 decimals=1",
    ),
    survey_row("end_group", "fever_group"),
    survey_row(
        "calculate",
        "n_symptoms",
        calculation="count-selected(${symptoms})",
        parameters="type=integer",
    ),
    survey_row("note", "thanks", "Cảm ơn bạn", "Thank you"),
    survey_row("acknowledge", "consent", "Tôi cam đoan", "I declare", required="Yes"),
]
COMPLETE_CHOICES: Rows = [
    ("list_name", "name", "label::Tiếng Việt (vi)", "label::English (en)"),
    ("sexes", 1, "Nam", "Male"),
    ("sexes", "2", "Nữ", "Female"),  # digits typed as text are numbers too
    ("symptoms", "fever", "Sốt", "Fever"),
    ("symptoms", "cough", "Ho", "Cough"),
    ("symptoms", " tired ", "Mệt mỏi", "Tiredness"),
]
COMPLETE_SETTINGS: Rows = [
    ("form_id", "form_title", "form_title::English (en)", "version", "default_language", "app"),
    ("to_khai_y_te", "Tờ khai y tế", "Health declaration", 2024090101, "vi", "health"),
]


def complete_workbook() -> bytes:
    return xlsx(COMPLETE_SURVEY, COMPLETE_CHOICES, COMPLETE_SETTINGS)


DA_NANG_WARD = geo.wards(geo.DA_NANG)[0].code
HANOI_WARD = geo.wards(1)[0].code
ADULT = {
    "full_name": "Nguyễn Văn An",
    "sex": "1",
    "age": "34",
    "phone": "0905123456",
    "ward": DA_NANG_WARD,
    "symptoms": ["fever", "cough"],
    "fever_since": "08/09/2021",
    "temperature": "38.45",
    "consent": True,
}
SUBMISSIONS = [
    ADULT,
    {**ADULT, "symptoms": ["cough"], "fever_since": "", "temperature": ""},
    {**ADULT, "age": "12", "phone": ""},
    {},
    {**ADULT, "age": "130"},
    {**ADULT, "age": "40", "phone": ""},
    {**ADULT, "ward": HANOI_WARD},
    {**ADULT, "province": 1, "ward": HANOI_WARD},
    {**ADULT, "fever_since": ""},
    {**ADULT, "fever_since": "11/09/2021"},
    {**ADULT, "symptoms": ["fever", "cough", "tired"]},
    {**ADULT, "temperature": "50"},
    {**ADULT, "sex": "Nữ", "consent": False},
    {**ADULT, "full_name": "x" * 81},
]


def outcome(form: Form, raw: dict) -> tuple[str, object]:
    try:
        return "ok", form.validate(raw, now=NOW)
    except FormInvalid as exc:
        return "invalid", exc.errors


def test_a_complete_workbook_is_the_same_form_as_in_python():
    book = load_xlsform(complete_workbook())
    assert isinstance(book, Workbook)
    form, expected = book.form, python_form()
    assert form.items == expected.items  # every field, group, label, rule and parameter
    for expected_list in (SEXES, SYMPTOMS):  # lists compare by identity: compare their parts
        loaded = form.lists[expected_list.name]
        assert loaded.choices == expected_list.choices and loaded.integer == expected_list.integer
    assert (form.id, form.title, form.version, form.source) == (
        "to_khai_y_te",
        Text("Tờ khai y tế", "Health declaration"),
        "2024090101",
        "xlsform",
    )
    assert book.settings == {
        "form_id": "to_khai_y_te",
        "form_title": "Tờ khai y tế",
        "form_title::english (en)": "Health declaration",
        "version": "2024090101",
        "default_language": "vi",
        "app": "health",
    }
    assert form.field("age").origin.row == 5  # the spreadsheet row (header = 1)
    for raw in SUBMISSIONS:
        assert outcome(form, raw) == outcome(expected, raw), raw


def test_the_workbook_form_validates_as_a_form_should():
    form = form_from_xlsform(complete_workbook())
    values = form.validate(ADULT, now=NOW)
    assert values["province"] == 48 and values["n_symptoms"] == 2
    assert values["fever_since"] == date(2021, 9, 8) and values["temperature"] == 38.5
    assert values["sex"] == 1
    with pytest.raises(FormInvalid) as info:
        form.validate({**ADULT, "age": "40", "phone": "", "fever_since": "11/09/2021"}, now=NOW)
    errors = info.value.errors
    i18n.set_locale("en")
    try:
        assert errors["phone"].message == "Adults give a phone number"
        assert errors["fever_since"].message == "Not in the future"
    finally:
        i18n.set_locale("vi")
    assert errors["fever_since"].message == "Không thể ở tương lai"
    hidden = form.validate({**ADULT, "symptoms": ["cough"], "fever_since": "junk"}, now=NOW)
    assert hidden["fever_since"] is None  # the group is not relevant: its answers are cleared


def test_loads_from_a_path(tmp_path: Path):
    target = tmp_path / "to_khai.xlsx"
    target.write_bytes(complete_workbook())
    assert load_xlsform(target).form.id == "to_khai_y_te"
    assert form_from_xlsform(str(target)).id == "to_khai_y_te"
    assert problems(tmp_path / "missing.xlsx") == [
        "workbook: cannot open the file 'missing.xlsx': No such file or directory"
    ]


def test_plain_label_is_the_default_language():
    survey = [
        ("type", "name", "label", "label::vi", "hint"),
        ("integer", "n", "Number", "Số", "Hi"),
    ]
    settings_rows = [
        ("form_id", "form_title", "default_language"),
        ("f_en", "A form", "English (en)"),
    ]
    form = form_from_xlsform(xlsx(survey, None, settings_rows))
    assert form.field("n").label == Text("Số", "Number")
    assert form.field("n").hint == Text("", "Hi")
    assert form.title == Text("", "A form")
    vi = form_from_xlsform(xlsx([("type", "name", "label"), ("integer", "n", "Số")]))
    assert vi.field("n").label == Text("Số", "")
    assert vi.title == Text("f_test", "f_test")  # no form_title: the form_id, as pyxform does


def test_xlsform_spellings_of_types():
    survey = [
        ("type", "name", "label"),
        ("dateTime", "at", "Lúc"),
        ("Select_One yn", "a", "A"),
        ("select all that apply yn", "b", "B"),
        ("begin_group", "g", "G"),
        ("time", "t", "Giờ"),
        ("end group", None, None),
        ("TEXT", "c", "C"),
    ]
    form = form_from_xlsform(xlsx(survey, [("list name", "name", "label"), ("yn", "y", "Có")]))
    assert [f.type for f in form.fields] == [
        "datetime",
        "select_one yn",
        "select_multiple yn",
        "time",
        "text",
    ]
    assert form.groups_of("t")[0].name == "g"


def test_nested_groups_and_group_relevance():
    survey = [
        ("type", "name", "label", "relevant"),
        ("yes_no", "sick", "Ốm?"),
        ("begin_group", "outer", "Ngoài", "${sick}"),
        ("begin_group", "inner", None, "${sick} = true()"),
        ("text", "what", "Bệnh gì"),
        ("end_group",),
        ("end_group",),
    ]
    form = form_from_xlsform(xlsx(survey))
    assert [g.name for g in form.groups_of("what")] == ["outer", "inner"]
    assert form.validate({"sick": "no", "what": "cúm"}, now=NOW)["what"] is None
    assert form.validate({"sick": "yes", "what": "cúm"}, now=NOW)["what"] == "cúm"


def test_choice_attributes_feed_a_choice_filter():
    survey = [
        ("type", "name", "label", "choice_filter"),
        ("select_one zones", "zone", "Vùng"),
        ("select_one sites", "site", "Điểm", "zone = ${zone}"),
    ]
    choice_rows = [
        ("list_name", "name", "label", "zone", ""),
        ("zones", 1, "Vùng 1"),
        ("zones", 2, "Vùng 2"),
        ("sites", "a", "Điểm A", 1),
        ("sites", "b", "Điểm B", 2.0),
    ]
    form = form_from_xlsform(xlsx(survey, choice_rows))
    assert form.lists["sites"].choices[1].attrs == {"zone": 2}
    assert form.validate({"zone": 2, "site": "b"}, now=NOW)["site"] == "b"
    with pytest.raises(FormInvalid) as info:
        form.validate({"zone": 1, "site": "b"}, now=NOW)
    assert info.value.errors["site"].key == "forms.err.choice_filtered"


def test_extra_sheets_and_settings_are_kept_for_later_features():
    data = xlsx(
        [("type", "name", "label"), ("text", "a", "A")],
        None,
        [("form_id", "Theme Colour", "launch"), ("f_x", "#ff0000", datetime(2021, 9, 10))],
        roles=[("Role", "Label::vi"), (None, None), ("officer", "Cán bộ"), ("chief", None)],
        other=[("x",), (1,)],
    )
    book = load_xlsform(data, extra_sheets=["Roles", "absent"], table="decl_x")
    assert book.settings == {"form_id": "f_x", "theme colour": "#ff0000", "launch": "2021-09-10"}
    assert book.sheets == {
        "Roles": [
            {"role": "officer", "label::vi": "Cán bộ", "__row__": 3},
            {"role": "chief", "label::vi": None, "__row__": 4},
        ]
    }
    assert book.form.table == "decl_x"


# -- refusals, each at its sheet, row and column ---------------------------------------------------


def test_problems_of_the_issue_name_sheet_row_and_column():
    survey = [
        ("type", "name", "label", "relevant", "constraint"),
        ("txet", "a", "A"),
        ("integer", "age", "Tuổi"),
        ("integer", "age", "Tuổi lại"),
        ("select_one sexes", "sex", "Giới"),
        ("integer", "b", "B", None, ". >"),
        ("integer", "c", "C", "${aeg} > 18"),
    ]
    found = problems(xlsx(survey))
    assert len(found) in (5, 6)
    for expected in [
        "survey, row 2, column 'type': unknown type 'txet' (did you mean 'text'?)",
        "survey, row 4, column 'name': the name 'age' is used twice",
        "survey, row 5, column 'type': no choice list 'sexes' on the choices sheet",
        "survey, row 7, column 'relevant': ${aeg} names no field (did you mean ${age}?)",
    ]:
        assert expected in found
    [broken] = [p for p in found if "row 6" in p]
    assert broken.startswith("survey, row 6, column 'constraint': cannot read the expression: ")
    if len(found) == 6:  # the form core also reports the storage column of a repeated name
        assert "survey, row 4, column 'name': column 'age' is also used by 'age'" in found


@pytest.mark.parametrize(
    ("type_", "reason"),
    [
        ("begin_repeat", "a form has no repeated groups"),
        ("begin repeat", "a form has no repeated groups"),
        ("geopoint", "a form has no map locations"),
        ("geoshape", "a form has no map locations"),
        ("image", "a form takes no pictures, audio or video"),
        ("audio", "a form takes no pictures, audio or video"),
        ("video", "a form takes no pictures, audio or video"),
        ("barcode", "use text"),
        ("select_one_from_file places.csv", "put the choices on the choices sheet"),
        ("select one from file places.csv", "put the choices on the choices sheet"),
        ("rank colours", "use select_multiple"),
        ("range", "use integer or decimal"),
        ("trigger", "use acknowledge"),
        ("start", "the platform records who sent a form and when"),
        ("end", "the platform records who sent a form and when"),
        ("deviceid", "the platform records who sent a form and when"),
        ("table", "table uploads exist only in forms written in Python"),
        ("select_one yn or_other", "add an 'other' choice"),
    ],
)
def test_xlsform_types_outside_the_subset_are_not_supported(type_, reason):
    survey = [("type", "name", "label"), ("text", "a", "A"), (type_, "x", "X")]
    found = problems(xlsx(survey, [("list_name", "name", "label"), ("yn", "y", "Có")]))
    assert len(found) == 1, found
    assert found[0].startswith(f"survey, row 3, column 'type': '{type_}' is not supported: ")
    assert reason in found[0]
    assert "unknown" not in found[0]


def test_a_refused_row_still_counts_as_a_field_for_references():
    survey = [
        ("type", "name", "label", "relevant"),
        ("geopoint", "where", "Ở đâu"),
        ("text", "b", "B", "${where} != ''"),
    ]
    assert problems(xlsx(survey)) == [
        "survey, row 2, column 'type': 'geopoint' is not supported: a form has no map "
        "locations: use 'select_one provinces' / 'select_one wards' or text"
    ]


def test_unmatched_groups():
    survey = [
        ("type", "name", "label"),
        ("end_group", "x"),
        ("begin_group", "g", "G"),
        ("begin group", "h", "H"),
        ("text", "a", "A"),
        ("end group", "g"),
    ]
    assert problems(xlsx(survey)) == [
        "survey, row 2, column 'type': 'end_group' without a 'begin_group' above it",
        "survey, row 3, column 'type': this group is never closed: add an 'end_group' row",
        "survey, row 6, column 'name': this 'end_group' names 'g' but closes the group 'h' (row 4)",
    ]


def test_a_group_row_takes_only_group_columns():
    survey = [
        ("type", "name", "label", "constraint"),
        ("begin_group", "g", "G", ". > 1"),
        ("text", "a", "A"),
        ("end_group",),
    ]
    assert problems(xlsx(survey)) == [
        "survey, row 2, column 'constraint': a group row takes only name, label, relevant and "
        "appearance"
    ]


def test_unknown_and_unsupported_columns():
    survey = [
        ("type", "name", "label", "media::image", "bind::jr:preload", "contraint", "read_only"),
        ("text", "a", "A", "x.png", "x", ". > 1", "yes"),
    ]
    assert problems(xlsx(survey)) == [
        "survey, row 1, column 'media::image': column D is not supported: a form shows no "
        "pictures, audio or video",
        "survey, row 1, column 'bind::jr:preload': column E is not supported: ODK's own "
        "settings (bind::, body::, control::, instance::) have no meaning here",
        "survey, row 1, column 'contraint': column F is not supported: did you mean "
        "'constraint'? a survey column is one of type, name, label, hint, required, "
        "required_message, constraint, constraint_message, relevant, default, calculation, "
        "choice_filter, appearance, parameters, aliases",
        "survey, row 1, column 'read_only': column G is not supported: use a note or a "
        "calculate row",
    ]


def test_languages_other_than_vietnamese_and_english_are_refused():
    survey = [
        ("type", "name", "label::Français (fr)", "hint::de", "label::English (en)", "name::en"),
        ("text", "a", "Nom", "Name", "Name"),
    ]
    assert problems(xlsx(survey)) == [
        "survey, row 1, column 'label::Français (fr)': column C: the language 'Français (fr)' "
        "is not supported; write label::Tiếng Việt (vi) or label::English (en)",
        "survey, row 1, column 'hint::de': column D: the language 'de' is not supported; write "
        "hint::Tiếng Việt (vi) or hint::English (en)",
        "survey, row 1, column 'name::en': column F is not supported: 'name' is not written per "
        "language",
    ]
    settings_rows = [("form_id", "form_title::fr", "default_language"), ("f_x", "Titre", "fr")]
    assert problems(xlsx([("type", "name", "label"), ("text", "a", "A")], None, settings_rows)) == [
        "settings, row 1, column 'form_title::fr': column B: the language 'fr' is not "
        "supported; write form_title::Tiếng Việt (vi) or form_title::English (en)",
        "settings, row 2, column 'default_language': 'fr' is not a supported language: write "
        "vi or en",
    ]


def test_repeated_columns_and_values_without_a_header():
    survey = [
        ("type", "name", "label", "label::vi", "Name", None),
        ("text", "a", "A", "Â"),
        ("text", "b", "B", None, None, "stray"),
    ]
    assert problems(xlsx(survey)) == [
        "survey, row 1, column 'label::vi': column D repeats column C 'label' (plain 'label' "
        "is the default language, vi)",
        "survey, row 1, column 'Name': column E repeats column B 'name'",
        "survey, row 3, column 'F': cell F3 has a value but its column has no header: add the "
        "header or clear the column",
    ]


def test_cell_problems_of_the_survey():
    survey = [
        ("type", "name", "label", "parameters"),
        (None, "a", "A"),
        ("integer", "b", "B", "max_length"),
        ("integer", "c", "C", "min=1 min=2"),
        ("integer", "d", "D", "max=1e999"),
        ("select_one yn extra", "e", "E"),
    ]
    found = problems(xlsx(survey, [("list_name", "name", "label"), ("yn", "y", "Có")]))
    assert found == [
        "survey, row 2, column 'type': the type is empty",
        "survey, row 3, column 'parameters': 'max_length' is not key=value (e.g. "
        "max_length=200 min=0)",
        "survey, row 4, column 'parameters': the parameter 'min' is given twice",
        "survey, row 5, column 'parameters': 'max=1e999': the number is too large or not finite",
        "survey, row 6, column 'type': 'select_one yn extra': write the list name after "
        "'select_one' as one word",
    ]


def test_problems_from_the_form_core_keep_their_place():
    survey = [
        ("type", "name", "label", "default", "parameters", "choice_filter"),
        ("integer", "Tuổi", "Tuổi"),
        ("integer", "n", None),
        ("integer", "m", "M", "abc"),
        ("text", "t", "T", None, "maxx=3"),
        ("text", "u", "U", None, None, "x = 1"),
    ]
    found = problems(xlsx(survey))
    assert found[0].startswith("survey, row 2, column 'name': name 'Tuổi' must be lower-case")
    assert found[1:] == [
        "survey, row 3, column 'label': a question needs a label",
        "survey, row 4, column 'default': the default does not fit the type: Enter a whole number.",
        "survey, row 5, column 'parameters': unknown parameter(s) maxx for 'text' (allowed: "
        "max_length, min_length)",
        "survey, row 6, column 'choice_filter': only a select question has a choice filter",
    ]


def test_choice_problems_name_their_row():
    survey = [("type", "name", "label"), ("select_one l", "a", "A"), ("select_one m", "b", "B")]
    choice_rows = [
        ("list_name", "name", "label", "media::image", "ghi chú"),
        ("l", "x", "X"),
        ("l", "x", "X again"),
        ("l", 3, "Ba"),
        ("l", "y y", "Y"),
        (None, "z", "Z"),
        ("l", None, "No name"),
        ("l", "w", None),
        ("two words", "v", "V"),
        ("m", "only", None),
    ]
    assert problems(xlsx(survey, choice_rows)) == [
        "choices, row 1, column 'media::image': column D is not supported: a form shows no "
        "pictures, audio or video",
        "choices, row 1, column 'ghi chú': column E is not supported: an extra column is a "
        "choice attribute a choice_filter can use, so its header must be letters, digits and _ "
        "(starting with a letter), e.g. province",
        "choices, row 3, column 'name': list 'l' already has the choice 'x' (row 2)",
        "choices, row 4, column 'name': list 'l' mixes codes that are numbers and codes that "
        "are text ('3' here, 'x' on row 2): use one kind",
        "choices, row 5, column 'name': choice name 'y y' must be at most 64 characters, no spaces",
        "choices, row 6, column 'list_name': the list_name is empty",
        "choices, row 7, column 'name': the choice has no name",
        "choices, row 8, column 'label': the choice has no label",
        "choices, row 9, column 'list_name': list name 'two words' must be one word of "
        "letters, digits, _ . or - (at most 64)",
        "choices, row 10, column 'label': the choice has no label",
    ]


def test_missing_sheets_and_settings():
    assert problems(xlsx(None, None, [("form_id",), ("f_x",)])) == [
        "survey: the workbook has no 'survey' sheet (its sheets: 'settings')"
    ]
    survey = [("type", "name", "label"), ("text", "a", "A")]
    assert problems(xlsx(survey, None, None)) == [
        "settings, column 'form_id': the workbook has no 'settings' sheet: add one with a "
        "form_id column"
    ]
    assert problems(xlsx(survey, None, [("form_id", "version"), (None, 3)])) == [
        "settings, row 2, column 'form_id': the form_id is empty (e.g. to_khai_y_te)"
    ]
    assert problems(xlsx(survey, None, [("form_id",)])) == [
        "settings, row 2, column 'form_id': the settings sheet needs a row with the form_id"
    ]
    assert problems(xlsx([("type", "label"), ("text", "A")])) == [
        "survey, row 1, column 'name': the sheet has no 'name' column"
    ]
    assert problems(xlsx([("type", "name", "label")])) == [
        "survey, row 2: the survey has no questions"
    ]
    assert problems(xlsx([])) == ["survey: the survey sheet is empty"]


def test_every_problem_is_reported_at_once():
    survey = [
        ("type", "name", "label", "media::audio"),
        ("txet", "a", "A"),
        ("geopoint", "b", "B"),
        ("end_group",),
    ]
    found = problems(xlsx(survey, [("list_name", "name", "label"), ("l", "x", None)], None))
    assert [f.split(":")[0] for f in found] == [
        "survey, row 1, column 'media",
        "survey, row 2, column 'type'",
        "survey, row 3, column 'type'",
        "survey, row 4, column 'type'",
        "choices, row 2, column 'label'",
        "settings, column 'form_id'",
    ]


# -- hostile files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "this is not an Excel workbook (.xlsx): save the form as .xlsx"),
        (b"type,name,label\ntext,a,A\n", "this is not an Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "this is an old Excel .xls file"),
        (b"PK\x03\x04" + bytes(100), "the file is damaged or is not an Excel workbook (.xlsx)"),
    ],
)
def test_a_file_that_is_not_a_workbook(data, message):
    with pytest.raises(DefinitionError) as info:
        load_xlsform(data)
    [problem] = info.value.problems
    assert (problem.sheet, problem.row, problem.column) == (WORKBOOK, None, None)
    assert message in problem.message


def test_a_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    assert problems(buf.getvalue()) == [
        "workbook: the file is damaged or is not an Excel workbook (.xlsx)"
    ]


def test_a_file_over_5_mb_is_refused_unread(tmp_path: Path):
    big = b"PK" + bytes(MAX_BYTES)
    assert problems(big) == ["workbook: the file is 5.0 MB; a form workbook may be at most 5 MB"]
    target = tmp_path / "big.xlsx"
    target.write_bytes(big)
    assert problems(target) == problems(big)


def test_a_zip_bomb_is_refused_before_it_is_read():
    data = xlsx([("type", "name", "label"), ("text", "a", "A")])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
        dst.writestr("xl/media/zeros.bin", bytes(51_000_000), compress_type=zipfile.ZIP_DEFLATED)
    bomb = out.getvalue()
    assert len(bomb) < 200_000
    assert problems(bomb) == [
        "workbook: the workbook unpacks to more than 50 MB: remove pictures and unused sheets"
    ]


def test_too_many_rows_or_columns():
    many_rows = [("type", "name", "label")] + [("text", f"q{i}", "Q") for i in range(MAX_ROWS)]
    assert problems(xlsx(many_rows)) == [
        "survey, row 2001: a sheet may have at most 2,000 rows; row 2,001 has a value"
    ]
    choice_rows = [("list_name", "name", "label")] + [("l", i, "C") for i in range(MAX_ROWS - 1)]
    form = form_from_xlsform(
        xlsx([("type", "name", "label"), ("select_one l", "a", "A")], choice_rows)
    )
    assert len(form.lists["l"].choices) == MAX_ROWS - 1
    wide = [("type", "name", "label", *[None] * (MAX_COLUMNS - 3), "x"), ("text", "a", "A")]
    assert problems(xlsx(wide)) == [
        "survey, row 1, column 'BI': a sheet may have at most 60 columns (A to BH); cell BI1 "
        "has a value"
    ]


def test_more_than_400_fields():
    rows = [("type", "name", "label")] + [("text", f"q{i}", "Q") for i in range(401)]
    assert problems(xlsx(rows)) == ["survey: more than 400 fields"]


def _timed_refusal(data: bytes) -> tuple[list[str], float]:
    start = time.process_time()
    with pytest.raises(DefinitionError) as info:
        load_xlsform(data)
    return [str(p) for p in info.value.problems], time.process_time() - start


def test_width_bomb_is_read_within_budget_or_refused_fast():
    """A styled cell at column XFD on each of 70,000 rows (and no <dimension>, so openpyxl
    parses the whole sheet when it opens the workbook) is read within the budget; 250,000 of
    them, or rows of 16,384 styled empty cells, are refused by the cell budget before openpyxl
    parses anything."""
    base = xlsx([("type", "name", "label"), ("text", "a", "A")])
    question = (
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>text</t></is></c>'
        b'<c r="B2" t="inlineStr"><is><t>a</t></is></c>'
        b'<c r="C2" t="inlineStr"><is><t>A</t></is></c></row>'
    )
    far = b"".join(b'<row r="%d"><c r="XFD%d" s="0"/></row>' % (i, i) for i in range(3, 70_000))
    data = with_member(
        base, "xl/worksheets/sheet1.xml", SHEET_XML % (TYPE_NAME_LABEL + question + far)
    )
    start = time.process_time()
    assert [f.name for f in form_from_xlsform(data).fields] == ["a"]
    # about 0.8 s of CPU on a quiet core, up to 1.7 s on a shared CI core; a sheet widened to
    # XFD on every row (70,000 x 16,384 cells) would take minutes and gigabytes
    assert time.process_time() - start < 3.0
    far = b"".join(b'<row r="%d"><c r="XFD%d" s="0"/></row>' % (i, i) for i in range(2, 250_002))
    data = with_member(base, "xl/worksheets/sheet1.xml", SHEET_XML % (TYPE_NAME_LABEL + far))
    found, seconds = _timed_refusal(data)
    assert found == [
        "survey: the workbook's sheets hold more than 150,000 cells: delete the unused rows, "
        "columns and sheets (formatted empty cells count too)"
    ]
    assert seconds < 1.0
    wide_row = b"".join(b'<c r="%s2" s="0"/>' % _col(i).encode() for i in range(1, 16_385))
    rows = b"".join(wide_row.replace(b'2"', b'%d"' % r) for r in range(2, 15))
    data = with_member(base, "xl/worksheets/sheet1.xml", SHEET_XML % (TYPE_NAME_LABEL + rows))
    found, seconds = _timed_refusal(data)
    assert found[0].startswith("survey: the workbook's sheets hold more than 150,000 cells")
    assert seconds < 1.0


def test_styled_empty_cells_far_away_are_harmless_and_values_are_found():
    base = xlsx([("type", "name", "label"), ("text", "a", "A")])
    body = (
        TYPE_NAME_LABEL
        + b'<row r="2"><c r="A2" t="inlineStr"><is><t>text</t></is></c>'
        + b'<c r="B2" t="inlineStr"><is><t>a</t></is></c>'
        + b'<c r="C2" t="inlineStr"><is><t>A</t></is></c><c r="XFD2" s="0"/></row>'
        + b'<row r="1048576"><c r="A1048576" s="0"/></row>'
    )
    data = with_member(base, "xl/worksheets/sheet1.xml", SHEET_XML % body)
    assert [f.name for f in form_from_xlsform(data).fields] == ["a"]
    far_value = body + b'<row r="900000"><c r="A900000"><v>1</v></c></row>'
    data = with_member(base, "xl/worksheets/sheet1.xml", SHEET_XML % far_value)
    assert problems(data) == [
        "survey, row 900000: a sheet may have at most 2,000 rows; row 900,000 has a value"
    ]
    no_refs = TYPE_NAME_LABEL + b"<row>" + b"<c><v>1</v></c>" * 61 + b"</row>"
    data = with_member(base, "xl/worksheets/sheet1.xml", SHEET_XML % no_refs)
    assert problems(data) == [
        "survey, row 2, column 'BI': a sheet may have at most 60 columns (A to BH); cell BI2 "
        "has a value"
    ]


def test_xml_entities_are_refused():
    """A 'billion laughs' sheet: openpyxl's XML parser (defusedxml) refuses the DTD at once."""
    laughs = b'<!ENTITY l0 "ha">' + b"".join(
        b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10)
    )
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE w [' + laughs + b"]>"
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    base = xlsx([("type", "name", "label"), ("text", "a", "A")])
    found, seconds = _timed_refusal(with_member(base, "xl/worksheets/sheet1.xml", xml))
    assert found == ["workbook: the file is damaged or is not an Excel workbook (.xlsx)"]
    assert seconds < 1.0


def test_formulas_are_never_evaluated():
    survey = [("type", "name", "label"), ("text", "a", '=HYPERLINK("http://x","A")')]
    # openpyxl writes no cached value: the label reads as empty, nothing is run
    assert problems(xlsx(survey)) == ["survey, row 2, column 'label': a question needs a label"]


def _col(index: int) -> str:
    out = ""
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


# -- hypothesis -------------------------------------------------------------------------------


def _cell_text(max_size: int = 20) -> st.SearchStrategy[str]:
    return st.text(max_size=max_size).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))


TYPES_ST = st.one_of(
    st.sampled_from(
        [
            "text",
            "integer",
            "decimal",
            "date",
            "dateTime",
            "time",
            "note",
            "calculate",
            "acknowledge",
            "yes_no",
            "cccd",
            "phone",
            "birth_year",
            "file",
            "select_one yn",
            "select one yn",
            "select_multiple yn",
            "select_one provinces",
            "select_one wards",
            "select_one",
            "select_one nolist",
            "select_one yn or_other",
            "begin_group",
            "begin group",
            "end_group",
            "end group",
            "begin_repeat",
            "geopoint",
            "start",
            "table",
            "txet",
            "",
            *sorted(UNSUPPORTED_TYPES),
        ]
    ),
    _cell_text(),
)
NAMES_ST = st.one_of(
    st.sampled_from(["a", "b", "c", "g", "age", "x y", "", "A", "_x"]), _cell_text()
)
EXPR_ST = st.one_of(
    st.sampled_from(
        [
            "",
            "${a} > 1",
            ". > 0 and . < 10",
            "${nope} = 1",
            "selected(${b}, 'y')",
            "(",
            "province = ${a}",
            "today()",
            "count-selected(${c})",
            "regex(., '^[0-9]+$')",
            "${a} div 0",
        ]
    ),
    _cell_text(30),
)
PARAMS_ST = st.one_of(
    st.sampled_from(
        [
            "",
            "max_length=200",
            "min=0 max=10",
            "max=1e999",
            "max_mb=1e308",
            "x",
            "type=integer",
            "type=nonsense",
            "=",
            "a=b=c",
            "max_selected=2",
            "decimals=99999999999",
            "min=nan",
            "min=2021-01-01",
            "accept=pdf, png",
        ]
    ),
    _cell_text(),
)
CELL_ST = st.one_of(
    st.none(),
    _cell_text(),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1)),
)
ROW_ST = st.tuples(
    TYPES_ST,
    NAMES_ST,
    CELL_ST,  # label
    EXPR_ST,  # relevant
    EXPR_ST,  # constraint
    EXPR_ST,  # calculation
    EXPR_ST,  # choice_filter
    PARAMS_ST,
    CELL_ST,  # default
    st.one_of(EXPR_ST, CELL_ST),  # required
)
HEADER = (
    "type",
    "name",
    "label",
    "relevant",
    "constraint",
    "calculation",
    "choice_filter",
    "parameters",
    "default",
    "required",
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW_ST, max_size=8))
def test_random_survey_sheets_load_or_give_problems(rows):
    data = xlsx([HEADER, *rows], [("list_name", "name", "label"), ("yn", "y", "Có")])
    try:
        book = load_xlsform(data)
    except DefinitionError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.sheet in ("survey", "choices", "settings") and p.message
            assert p.row is not None or p.sheet == "survey"
            str(p)
    else:
        assert len(book.form.fields) <= len(rows)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2_000))
def test_random_bytes_are_refused(data):
    with pytest.raises(DefinitionError):
        load_xlsform(data)


VALID = xlsx(COMPLETE_SURVEY, COMPLETE_CHOICES, COMPLETE_SETTINGS)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), min_size=1, max_size=6)
)
def test_damaged_workbooks_load_or_are_refused(changes):
    data = bytearray(VALID)
    for at, value in changes:
        data[at] = value
    try:
        load_xlsform(bytes(data))
    except DefinitionError as exc:
        assert all(str(p) for p in exc.problems)


def test_a_zip_feature_python_cannot_read_is_refused():
    """Found by hypothesis: a byte naming "zip file version 6.4" made zipfile raise
    NotImplementedError, which escaped as a crash instead of "damaged workbook"."""
    data = bytearray(VALID)
    at = data.index(b"PK\x01\x02")  # the first central directory entry
    data[at + 6] = 64  # version needed to extract: 6.4
    with pytest.raises(DefinitionError):
        load_xlsform(bytes(data))


def test_no_other_sheet_name_spelling_is_needed():
    data = xlsx(
        None,
        None,
        None,
        **{
            "SURVEY": [("type", "name", "label"), ("text", "a", "A")],
            "Settings": [("FORM_ID",), ("f_y",)],
        },
    )
    assert form_from_xlsform(data).id == "f_y"


def test_problem_sheet_names_are_the_workbook_s_own():
    data = xlsx(None, None, None, **{"Survey": [("type", "name", "label"), ("txet", "a", "A")]})
    assert (
        problems(data)[0]
        == "Survey, row 2, column 'type': unknown type 'txet' (did you mean 'text'?)"
    )
    assert re.match(r"settings", problems(data)[1])


# -- the authors' documentation ----------------------------------------------------------------

DOC = Path(__file__).resolve().parents[3] / "docs" / "FORMS-XLSFORM.md"


def _doc_tables() -> dict[str, Rows]:
    """The survey, choices and settings tables of the doc's complete example."""
    text = DOC.read_text(encoding="utf-8").split("## A complete small example", 1)[1]
    tables: dict[str, Rows] = {}
    for name, body in re.findall(r"\*\*(\w+)\*\*\n\n((?:\|.*\n)+)", text):
        lines = [line for line in body.splitlines() if not re.fullmatch(r"\|[-|]+\|", line)]
        tables[name] = [
            tuple(cell.strip() or None for cell in line.strip("|").split("|")) for line in lines
        ]
    return tables


def test_the_documented_example_loads_and_works():
    tables = _doc_tables()
    assert set(tables) == {"survey", "choices", "settings"}
    form = form_from_xlsform(xlsx(tables["survey"], tables["choices"], tables["settings"]))
    assert form.id == "to_khai_y_te" and form.title == Text("Tờ khai y tế", "Health declaration")
    answers = {
        "ho_ten": "Trần Thị Bình",
        "tuoi": "40",
        "dien_thoai": "0905123456",
        "phuong": DA_NANG_WARD,
        "trieu_chung": ["sot", "ho"],
        "ngay_sot": "09/09/2021",
        "nhiet_do": "38.2",
        "cam_doan": True,
    }
    values = form.validate(answers, now=NOW)
    assert (values["tinh"], values["so_trieu_chung"], values["nhiet_do"]) == (48, 2, 38.2)
    with pytest.raises(FormInvalid) as info:
        form.validate({**answers, "dien_thoai": "", "ngay_sot": "10/10/2021"}, now=NOW)
    assert set(info.value.errors) == {"dien_thoai", "ngay_sot"}


def test_the_doc_lists_every_type_the_loader_accepts():
    text = DOC.read_text(encoding="utf-8")
    for name in TYPES:
        if name in UNSUPPORTED_TYPES:
            assert f"`{name}`" in text.split("## What is refused", 1)[1]
        else:
            assert re.search(rf"^\| `{name}( LIST)?` \|", text, re.M), name


def test_a_choice_filter_names_columns_of_the_list():
    survey = [
        ("type", "name", "label", "choice_filter"),
        ("select_one provinces", "p", "P"),
        ("select_one wards", "w", "W", "Province = ${p}"),
        ("select_one sites", "s", "S", "zone = ${p} and nam != ''"),
    ]
    choice_rows = [("list_name", "name", "label", "Zone"), ("sites", "a", "A", 1)]
    assert problems(xlsx(survey, choice_rows)) == [
        "survey, row 3, column 'choice_filter': the choices of list 'wards' have no column "
        "'Province' (they have: name, province)",
        "survey, row 4, column 'choice_filter': the choices of list 'sites' have no column "
        "'nam' (they have: name, zone)",
    ]
