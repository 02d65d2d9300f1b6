"""Table uploads read against a form: headers from labels, an error per row and field, the
template generated from the same form."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import geo
from core.forms import Field, Form
from core.forms.table import parse_rows, parse_upload, template_csv, template_xlsx
from core.forms.table_file import TableFileError

PROVINCE = geo.DA_NANG


def roster_form() -> Form:
    return Form(
        "employee",
        ("Nhân viên", "Employee"),
        [
            Field(
                "full_name",
                "person_name",
                ("Họ và tên", "Full name"),
                required=True,
                aliases=("Họ tên",),
            ),
            Field("cccd", "cccd", ("Số CCCD", "CCCD number"), required=True, aliases=("CCCD",)),
            Field("phone", "phone", ("Số điện thoại", "Phone"), required=True),
            Field(
                "home_ward",
                "select_one wards",
                ("Phường/xã nơi ở", "Home ward"),
                required=True,
                choice_filter=f"province = {PROVINCE}",
            ),
            Field("plate", "vehicle_plate", ("Biển số xe", "Vehicle plate")),
        ],
    )


def csv(text: str) -> bytes:
    return ("\ufeff" + text).encode()


def test_headers_match_labels_in_either_language_and_without_diacritics(settings):
    data = csv(
        "ho va ten,CCCD,Phone,Home ward,Biển số xe,Extra\n"
        "Nguyễn Văn An,048090001234,0905123456,Hải Châu,43A-123.45,x\n"
    )
    result = parse_upload(roster_form(), "r.csv", data, max_rows=10, max_bytes=10**6)
    assert result.errors == [] and result.ignored_columns == ["Extra"]
    first = result.good.iloc[0]
    assert first["cccd"] == "048090001234" and first["row"] == 2
    assert first["home_ward"] == next(
        w.code for w in geo.wards(PROVINCE) if w.name.endswith("Hải Châu")
    )


def test_each_bad_cell_is_an_error_with_its_row_and_label(settings):
    data = csv(
        "Họ và tên,Số CCCD,Số điện thoại,Phường/xã nơi ở\n"
        "Nguyễn Văn An,048090001234,0905123456,Hải Châu\n"
        "Trần 2,48090001234,0123456789,Hoàn Kiếm\n"
        ",,,\n"
        "Lê Văn Bình,048090001234,0905123456,Hải Châu\n"
    )
    result = parse_upload(
        roster_form(), "r.csv", data, max_rows=10, max_bytes=10**6, unique=("cccd",)
    )
    assert len(result.good) == 1
    by_row = {(e.row, e.label) for e in result.errors}
    assert {
        (3, "Họ và tên"),
        (3, "Số CCCD"),
        (3, "Số điện thoại"),
        (3, "Phường/xã nơi ở"),
    } <= by_row
    assert (4, "") in by_row  # an empty row
    assert any(e.row == 5 and "dòng 2" in e.message for e in result.errors)  # duplicate CCCD
    csv_bytes = result.error_csv()
    assert csv_bytes.startswith(b"\xef\xbb\xbf") and "Dòng".encode() in csv_bytes


def test_missing_required_columns_refuse_the_file(settings):
    with pytest.raises(TableFileError) as info:
        parse_upload(
            roster_form(),
            "r.csv",
            csv("Họ và tên,Số CCCD\nAn,048090001234\n"),
            max_rows=10,
            max_bytes=10**6,
        )
    assert "Số điện thoại" in info.value.message and "Phường/xã nơi ở" in info.value.message


def test_the_template_reads_back_as_a_valid_row(settings):
    form = roster_form()
    for data, name in (
        (template_csv(form), "t.csv"),
        (template_xlsx(form, list_filter={"province": PROVINCE}), "t.xlsx"),
    ):
        result = parse_upload(form, name, data, max_rows=10, max_bytes=10**6)
        assert result.errors == [], (name, result.errors)
        assert len(result.good) == 1


def test_the_xlsx_template_lists_the_wards_of_the_province(settings):
    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(template_xlsx(roster_form(), list_filter={"province": PROVINCE}))
    )
    assert len(book.sheetnames) == 2
    wards = [r[1] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert len(wards) == len(geo.wards(PROVINCE))
    assert book.worksheets[0]["B2"].number_format == "@"  # CCCD kept as text


def test_english_template_has_english_headers(settings):
    head = template_csv(roster_form(), locale="en").decode("utf-8-sig").splitlines()[0]
    assert head.startswith("Full name,CCCD number,Phone")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.text(max_size=20), st.integers(), st.floats()), max_size=6),
        max_size=6,
    )
)
def test_any_table_gives_rows_and_errors_or_a_file_error(rows):
    header = ["Họ và tên", "Số CCCD", "Số điện thoại", "Phường/xã nơi ở"]
    try:
        result = parse_rows(roster_form(), [header, *rows], max_rows=100)
    except TableFileError:
        return
    assert len(result.good) + len({e.row for e in result.errors}) == len(rows)
