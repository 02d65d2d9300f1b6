"""Parsers of outside input: MST, CCCD, phone, roster files (hypothesis + the bad inputs)."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.travel_permit import roster
from apps.travel_permit.models import (
    FieldError,
    mst_check_digit,
    parse_cccd,
    parse_name,
    parse_phone,
    parse_tax_code,
)
from apps.travel_permit.rules import check, within_hours
from core.registry import CheckContext

from .conftest import make_mst

P = 48
LIMITS = dict(max_rows=50_000, max_bytes=20_000_000)


def test_known_tax_codes():
    assert parse_tax_code("0100109106") == "0100109106"  # a real MST (Viettel)
    assert parse_tax_code("0100109106-001") == "0100109106-001"
    assert parse_tax_code("0100109106001") == "0100109106-001"
    for bad in ("0100109107", "010010910", "01001091066", "0100109106-000", "abc", ""):
        with pytest.raises(FieldError):
            parse_tax_code(bad)


@given(st.text(max_size=30))
def test_tax_code_never_crashes(text):
    try:
        out = parse_tax_code(text)
    except FieldError:
        return
    assert mst_check_digit(out[:9]) == int(out[9])


@given(st.integers(min_value=0, max_value=999_999_999))
def test_tax_code_check_digit_roundtrip(n):
    first9 = f"{n:09d}"
    check = mst_check_digit(first9)
    if check is None:
        for d in range(10):
            with pytest.raises(FieldError):
                parse_tax_code(first9 + str(d))
    else:
        assert parse_tax_code(first9 + str(check)) == first9 + str(check)
        with pytest.raises(FieldError):
            parse_tax_code(first9 + str((check + 1) % 10))


@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=True)))
def test_cccd_parser(value):
    try:
        out = parse_cccd(value)
    except FieldError:
        return
    assert len(out) == 12 and out.isdigit()


def test_cccd_messages():
    with pytest.raises(FieldError, match="11"):
        parse_cccd("04809000123")  # 11 digits
    assert parse_cccd("0480 9000 1234") == "048090001234"


@given(st.one_of(st.text(max_size=20), st.integers()))
def test_phone_parser(value):
    try:
        out = parse_phone(value)
    except FieldError:
        return
    assert len(out) == 10 and out[0] == "0" and out[1] in "35789"


def test_phone_forms():
    assert parse_phone("+84 905 123 456") == "0905123456"
    assert parse_phone("905123456") == "0905123456"
    with pytest.raises(FieldError):
        parse_phone("0205123456")


@given(st.text(max_size=120))
def test_name_parser(value):
    try:
        out = parse_name(value)
    except FieldError:
        return
    assert out and out == out.strip() and "  " not in out


def test_name_nfc():
    decomposed = "Nguye\u0302\u0303n"
    assert parse_name(decomposed) == "Nguyễn"


def _csv(rows, bom=True, enc="utf-8"):
    text = "\n".join(",".join(r) for r in rows) + "\n"
    return (("\ufeff" if bom else "") + text).encode(enc, errors="replace")


HEADER = [roster.HEADERS_VI[c] for c in roster.COLUMNS]


def test_csv_good_bad_dup_empty_rows():
    data = _csv(
        [
            HEADER,
            [
                "Nguyễn Văn An",
                "048090000001",
                "0905123456",
                "Hải Châu",
                "Phường An Hải",
                "",
                "Kỹ sư",
            ],
            ["Lê Thị Bình", "04809000001", "0905123456", "Hải Châu", "An Hải", "", ""],  # 11 digits
            ["", "", "", "", "", "", ""],  # empty row
            ["Trần C", "048090000001", "0905123457", "20275", "An Hải", "", ""],  # dup of row 2
            ["Phạm D", "048090000004", "0123", "Nowhere", "An Hải", "43A-123.45", ""],
            ["", "", "", "", "", "", ""],  # trailing: ignored
        ]
    )
    parsed = roster.parse_file("ds.csv", data, P, **LIMITS)
    assert list(parsed.good["cccd"]) == ["048090000001"]
    errs = {(e.row, e.column) for e in parsed.errors}
    assert (3, "Số CCCD") in errs
    assert (4, "") in errs
    assert (5, "Số CCCD") in errs
    assert (6, "Số điện thoại") in errs and (6, "Phường/xã nơi ở") in errs
    assert parsed.total_rows == 5


def test_csv_semicolon_and_no_bom():
    data = "\n".join(
        [";".join(HEADER), "Nguyễn Văn An;048090000001;0905123456;Hải Châu;An Hải;;"]
    ).encode()
    parsed = roster.parse_file("ds.csv", data, P, **LIMITS)
    assert len(parsed.good) == 1 and not parsed.errors


@pytest.mark.parametrize("enc", ["cp1258", "utf-16-le"])
def test_legacy_encodings_get_a_clear_message(enc):
    data = _csv(
        [HEADER, ["Nguyễn Văn Ấn", "048090000001", "0905123456", "Hải Châu", "An Hải", "", ""]],
        bom=False,
        enc=enc,
    )
    with pytest.raises(roster.RosterFileError, match="CSV UTF-8"):
        roster.parse_file("ds.csv", data, P, **LIMITS)


def test_utf16_with_bom_is_read():
    text = "\t".join(HEADER) + "\nNguyễn Văn An\t048090000001\t0905123456\tHải Châu\tAn Hải\t\t\n"
    parsed = roster.parse_file("ds.txt", text.encode("utf-16"), P, **LIMITS)
    assert len(parsed.good) == 1


@pytest.mark.parametrize(
    "name,data",
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
        ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 50),
        ("x.pdf", b"%PDF-1.4 hello"),
        ("fake.xlsx", b"PK\x03\x04 not really a zip"),
        ("empty.csv", b""),
        ("header_only.csv", _csv([HEADER])),
        ("missing.csv", _csv([["Tên", "Số"], ["a", "b"]])),
    ],
)
def test_not_a_roster(name, data):
    with pytest.raises(roster.RosterFileError):
        roster.parse_file(name, data, P, **LIMITS)


def test_100k_rows_refused_quickly():
    row = "Nguyễn Văn An,048090000001,0905123456,Hải Châu,An Hải,,\n"
    data = ("\ufeff" + ",".join(HEADER) + "\n" + row * 100_000).encode()
    with pytest.raises(roster.RosterFileError, match="100"):
        roster.parse_file("big.csv", data, P, max_rows=50_000, max_bytes=50_000_000)


def test_xlsx_roundtrip_with_numbers():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["Nguyễn Văn An", 48090000001, 905123456, 20275, "An Hải", None, None])  # numbers
    ws.append(["Lê Văn Bình", "048090000002", "0905123456", "Hải Châu", "An Hải", None, "=1+1"])
    buf = io.BytesIO()
    wb.save(buf)
    parsed = roster.parse_file("ds.xlsx", buf.getvalue(), P, **LIMITS)
    assert [e.row for e in parsed.errors] == [2]  # leading zero lost -> 11 digits
    assert list(parsed.good["cccd"]) == ["048090000002"]


def test_templates_parse_back():
    parsed = roster.parse_file("t.csv", roster.template_csv(), P, **LIMITS)
    assert len(parsed.good) == 1 and roster.template_csv().startswith(b"\xef\xbb\xbf")
    parsed = roster.parse_file("t.xlsx", roster.template_xlsx(P), P, **LIMITS)
    assert len(parsed.good) == 1


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=15)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(CELL, min_size=0, max_size=9), min_size=0, max_size=8))
def test_csv_rows_never_crash(rows):
    data = _csv([HEADER, *[[c.replace(",", " ").replace("\n", " ") for c in r] for r in rows]])
    try:
        parsed = roster.parse_file("x.csv", data, P, **LIMITS)
    except roster.RosterFileError:
        return
    assert len(parsed.good) + len({e.row for e in parsed.errors}) <= max(parsed.total_rows, 0) + 1
    assert set(parsed.good["cccd"]).__len__() == len(parsed.good)


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data):
    try:
        roster.parse_file("x.csv", data, P, **LIMITS)
    except roster.RosterFileError:
        pass


def test_rule_hours_and_zones():
    from datetime import UTC, datetime

    claims = {
        "n": "A",
        "c": "********1234",
        "b": make_mst(1),
        "w": [20275, 20224],
        "h": [360, 1200],
    }
    at_9_local = datetime(2021, 9, 10, 2, 0, tzinfo=UTC)  # 09:00 in Da Nang
    at_22_local = datetime(2021, 9, 10, 15, 0, tzinfo=UTC)
    assert check(claims, CheckContext(now=at_9_local)).verdict == "VALID"
    assert check(claims, CheckContext(now=at_9_local, zone="20275")).verdict == "VALID"
    res = check(claims, CheckContext(now=at_9_local, zone="20200"))
    assert res.verdict == "INVALID" and res.reason == "ZONE_NOT_ALLOWED"
    assert check(claims, CheckContext(now=at_22_local)).reason == "OUTSIDE_HOURS"
    assert check({"n": 1}, CheckContext(now=at_9_local)).verdict == "INVALID"
    assert res.fields["zones"].startswith("Phường") and res.fields["cccd"].endswith("1234")
    assert within_hours(23 * 60, 22 * 60, 6 * 60) and not within_hours(12 * 60, 22 * 60, 6 * 60)


def test_damaged_xlsx_is_a_clear_error_not_a_crash():
    """A workbook whose sheet XML is cut in half (a crashed save) is refused with a message."""
    import io
    import zipfile

    import pytest

    from apps.travel_permit import roster

    good = roster.template_xlsx(48)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet1"):
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    with pytest.raises(roster.RosterFileError):
        roster.read_table("nhan_vien.xlsx", out.getvalue(), max_rows=1000, max_bytes=10_000_000)
