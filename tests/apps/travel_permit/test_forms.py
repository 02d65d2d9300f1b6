"""The app's forms: what each accepts and refuses (cross-field rules included), that any raw
answers give values or a FormInvalid (hypothesis, whole forms), that every stored form fits its
table, the roster upload (headers, rows, files) and the checkpoint rule."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from apps.travel_permit import forms
from apps.travel_permit.rules import check, within_hours
from core import geo
from core.forms import Form, FormInvalid
from core.forms.storage import check_table
from core.forms.table import parse_upload, template_csv, template_xlsx
from core.forms.table_file import TableFileError
from core.registry import CheckContext, get_registry
from core.testkit import FROZEN_AT

from .conftest import WARDS, business_answers, make_mst

LIMITS = dict(max_rows=50_000, max_bytes=20_000_000)
ROSTER = (("048090000001", "Nguyễn Văn An"), ("048090000002", "Lê Thị Bình"))
TODAY = date(2021, 9, 10)  # FROZEN_AT in Vietnam
EMPLOYEE = forms.employee_form(geo.DA_NANG)


def _errors(form: Form, raw: dict) -> dict[str, str]:
    """{field: message key} of a refused submission ({} when it is accepted)."""
    try:
        form.validate(raw, now=FROZEN_AT)
    except FormInvalid as exc:
        return {name: err.key for name, err in exc.errors.items()}
    return {}


# -- storage ----------------------------------------------------------------------------------


def test_every_stored_form_fits_its_table(store):
    stored = [f for app, f in get_registry().forms() if app.id == "travel_permit" and f.table]
    assert {f.table for f in stored} == {"tp_businesses", "tp_employees", "tp_requests"}
    built = [
        forms.business_form(1),
        forms.employee_form(79),
        forms.request_form(ROSTER, geo.DA_NANG, 30),
    ]
    for form in [*stored, *built]:
        assert check_table(store, form) == [], form


# -- business registration ---------------------------------------------------------------------


def test_tax_codes(settings):
    form = forms.business_form(geo.DA_NANG)
    base = business_answers(1)
    for good, stored in [
        ("0100109106", "0100109106"),  # a real MST (Viettel)
        ("0100109106-001", "0100109106-001"),
        ("0100109106001", "0100109106-001"),
        (" 0100109106 ", "0100109106"),
    ]:
        assert form.validate({**base, "tax_code": good}, now=FROZEN_AT)["tax_code"] == stored
    for bad, key in [
        ("0100109107", "forms.err.tax_code_check"),
        ("010010910", "forms.err.tax_code"),
        ("01001091066", "forms.err.tax_code"),
        ("0100109106-000", "forms.err.tax_code"),
        ("abc", "forms.err.tax_code"),
        ("", "forms.err.required"),
    ]:
        assert _errors(form, {**base, "tax_code": bad}) == {"tax_code": key}


def test_business_form_asks_a_ward_of_the_settings_province(settings):
    form = forms.business_form(geo.DA_NANG)
    base = business_answers(1)
    values = form.validate({**base, "ward_code": "Hải Châu"}, now=FROZEN_AT)
    assert values["ward_code"] == 20242 and "province_code" not in values
    other = geo.wards(1)[0]
    assert _errors(form, {**base, "ward_code": other.code}) == {
        "ward_code": "forms.err.choice_filtered"
    }
    assert forms.business_form(1).validate({**base, "ward_code": other.code}, now=FROZEN_AT)
    assert _errors(form, {**base, "sector": "casino"}) == {"sector": "forms.err.choice"}
    assert _errors(form, {**base, "phone": "0123456789"}) == {"phone": "forms.err.phone"}
    assert form.validate({**base, "phone": "+1 202 555 0143"}, now=FROZEN_AT)["phone"] == (
        "+12025550143"
    )


# -- requests ---------------------------------------------------------------------------------


def _request(**kw) -> dict:
    return {
        "employees": ["048090000001"],
        "purpose": "Giao hàng",
        "start_date": TODAY,
        "end_date": TODAY + timedelta(days=2),
        "zones": [WARDS[0]],
        "start_minute": 360,
        "end_minute": 1200,
        **kw,
    }


def test_request_window_rules(settings):
    form = forms.request_form(ROSTER, geo.DA_NANG, 14)
    assert _errors(form, _request()) == {}
    last = TODAY + timedelta(days=13)
    assert _errors(form, _request(end_date=last)) == {}  # 14 days, both counted
    assert _errors(form, _request(end_date=last + timedelta(days=1))) == {
        "end_date": "forms.err.constraint"
    }
    assert _errors(form, _request(end_date=TODAY - timedelta(days=1))) == {
        "end_date": "forms.err.constraint"
    }
    assert _errors(form, _request(start_date=TODAY - timedelta(days=1), end_date=TODAY)) == {
        "start_date": "forms.err.constraint"
    }
    # a missing start is reported once, beside the start
    assert _errors(form, _request(start_date=None)) == {"start_date": "forms.err.required"}
    assert _errors(form, _request(start_date="10/09/2021", end_date="12/9/2021")) == {}
    longer = forms.request_form(ROSTER, geo.DA_NANG, 30)
    assert _errors(longer, _request(end_date=last + timedelta(days=1))) == {}


def test_request_hours_employees_and_zones(settings):
    form = forms.request_form(ROSTER, geo.DA_NANG, 14)
    assert _errors(form, _request(end_minute=360)) == {"end_minute": "forms.err.constraint"}
    assert _errors(form, _request(start_minute=0, end_minute=1440)) == {}  # all day
    assert _errors(form, _request(start_minute=1320, end_minute=360)) == {}  # past midnight
    assert _errors(form, _request(start_minute=45)) == {"start_minute": "forms.err.choice"}
    assert _errors(form, _request(employees=[])) == {"employees": "forms.err.required"}
    assert _errors(form, _request(employees=["048090000009"])) == {"employees": "forms.err.choice"}
    assert _errors(form, _request(zones=[geo.wards(1)[0].code])) == {
        "zones": "forms.err.choice_filtered"
    }
    assert _errors(form, _request(purpose="   ")) == {"purpose": "forms.err.required"}
    assert _errors(form, _request(purpose="x" * 501)) == {"purpose": "forms.err.too_long"}
    reverse = _request(employees=list(reversed([c for c, _ in ROSTER])))
    values = form.validate(reverse, now=FROZEN_AT)
    assert values["employees"] == ["048090000001", "048090000002"]  # the roster's order


def test_request_forms_are_cached_per_roster(settings):
    a = forms.request_form(ROSTER, geo.DA_NANG, 14)
    assert forms.request_form(tuple(ROSTER), geo.DA_NANG, 14) is a
    assert forms.request_form(ROSTER[:1], geo.DA_NANG, 14) is not a
    assert forms.roster_key(["1", "2"], ["A", "B"]) == (("1", "A"), ("2", "B"))


# -- approvers ------------------------------------------------------------------------------


def test_decision_needs_a_reason_to_refuse(settings):
    assert forms.DECISION.validate({"decision": "approve", "reason_code": "zone"}) == {
        "decision": "approve",
        "reason_code": None,  # not asked when approving: cleared
        "reason_text": None,
    }
    assert _errors(forms.DECISION, {"decision": "reject"}) == {
        "reason_code": "forms.err.required",
        "reason_text": "forms.err.required",
    }
    assert _errors(forms.DECISION, {}) == {"decision": "forms.err.required"}
    assert _errors(forms.REFUSAL, {"decision": "approve", "reason_code": "zone"}) == {
        "decision": "forms.err.choice",
        "reason_text": "forms.err.required",
    }
    ok = {"decision": "partial", "reason_code": "Nguy cơ dịch tễ", "reason_text": " Sai "}
    assert forms.REFUSAL.validate(ok)["reason_code"] == "health_risk"  # a label also reads


def test_verification_revoke_and_renew(settings):
    assert forms.VERIFICATION.validate({"decision": "verify"})["reason"] is None
    assert _errors(forms.VERIFICATION, {"decision": "refuse", "reason": " "}) == {
        "reason": "forms.err.required"
    }
    assert _errors(forms.REVOKE, {"reason": ""}) == {"reason": "forms.err.required"}
    assert _errors(forms.REVOKE, {"reason": "a\x00b"}) == {"reason": "forms.err.control_chars"}
    renew = forms.renew_form(14)
    past = {"start_date": TODAY - timedelta(days=3), "end_date": TODAY}
    assert _errors(renew, past) == {}  # a renewal may start in the past
    assert _errors(renew, {**past, "end_date": TODAY + timedelta(days=11)}) == {
        "end_date": "forms.err.constraint"
    }


# -- any answers: values or FormInvalid, never another exception -------------------------------

ANY = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.lists(st.one_of(st.text(max_size=15), st.integers()), max_size=5),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from(["048090000001", "20242", "Hải Châu", "0905123456", "reject", "zone"]),
)


def _fuzz(form: Form, data: st.DataObject) -> None:
    names = [f.name for f in form.fields] + ["other"]
    raw = data.draw(st.dictionaries(st.sampled_from(names), ANY, max_size=len(names)))
    try:
        values = form.validate(raw, now=FROZEN_AT)
    except FormInvalid as exc:
        assert exc.errors and all(e.message for e in exc.errors.values())
        return
    assert set(values) >= {f.name for f in form.input_fields}


FUZZED = {
    "business": lambda: forms.business_form(geo.DA_NANG),
    "employee": lambda: EMPLOYEE,
    "request": lambda: forms.request_form(ROSTER, geo.DA_NANG, 14),
    "decision": lambda: forms.DECISION,
    "refusal": lambda: forms.REFUSAL,
    "verification": lambda: forms.VERIFICATION,
    "revoke": lambda: forms.REVOKE,
    "renew": lambda: forms.renew_form(14),
}


@pytest.mark.parametrize("name", sorted(FUZZED))
@fuzz_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_answers_give_values_or_field_errors(name, data):
    _fuzz(FUZZED[name](), data)


@given(st.text(max_size=30))
def test_an_accepted_tax_code_has_a_right_check_digit(text):
    from stdnum.vn.mst import calc_check_digit

    form = forms.business_form(geo.DA_NANG)
    try:
        out = form.validate({**business_answers(1), "tax_code": text}, now=FROZEN_AT)["tax_code"]
    except FormInvalid:
        return
    assert calc_check_digit(out[:9]) == out[9]


# -- roster uploads ---------------------------------------------------------------------------

HEADER = [
    "Họ và tên",
    "Số CCCD",
    "Số điện thoại",
    "Phường/xã nơi ở",
    "Phường/xã nơi làm việc",
    "Biển số xe",
    "Chức vụ",
]


def _csv(rows, bom=True, enc="utf-8"):
    text = "\n".join(",".join(r) for r in rows) + "\n"
    return (("\ufeff" if bom else "") + text).encode(enc, errors="replace")


def _upload(name: str, data: bytes, **kw):
    return parse_upload(EMPLOYEE, name, data, unique=("cccd",), **{**LIMITS, **kw})


def test_csv_good_bad_dup_empty_rows(settings):
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
            ["Trần Cúc", "048090000001", "0905123457", "20242", "An Hải", "", ""],  # dup of row 2
            ["Phạm Dũng", "048090000004", "0123", "Nowhere", "An Hải", "43A-123.45", ""],
            ["", "", "", "", "", "", ""],  # trailing: ignored
        ]
    )
    parsed = _upload("ds.csv", data)
    assert list(parsed.good["cccd"]) == ["048090000001"]
    assert parsed.good.iloc[0]["home_ward"] == 20242 and parsed.good.iloc[0]["plate"] is None
    errs = {(e.row, e.label) for e in parsed.errors}
    assert (3, "Số CCCD") in errs
    assert (4, "") in errs
    assert (5, "Số CCCD") in errs and any("dòng 2" in e.message for e in parsed.errors)
    assert (6, "Số điện thoại") in errs and (6, "Phường/xã nơi ở") in errs
    assert parsed.total_rows == 5
    assert parsed.error_csv().decode("utf-8-sig").startswith("Dòng,Cột,Lỗi")


def test_todays_headers_still_read():
    """The headers the old roster reader accepted (HEADER_ALIASES) map to the same fields."""
    from core.forms.table import header_map

    known = header_map(EMPLOYEE)
    for header, name in {
        "Họ và tên": "full_name",
        "Họ tên": "full_name",
        "name": "full_name",
        "full_name": "full_name",
        "CCCD": "cccd",
        "Số CCCD": "cccd",
        "Điện thoại": "phone",
        "Số điện thoại": "phone",
        "phone": "phone",
        "home_ward": "home_ward",
        "Phường/xã nơi ở": "home_ward",
        "Phường/xã nơi làm việc": "work_ward",
        "work ward": "work_ward",
        "Biển số xe": "plate",
        "vehicle plate": "plate",
        "plate": "plate",
        "Chức vụ": "job_title",
        "job title": "job_title",
    }.items():
        from core.forms.choices import fold

        assert known.get(fold(header)) == name, header


def test_csv_semicolon_no_bom_and_aliases(settings):
    head = ["Họ tên", "CCCD", "Điện thoại", "home_ward", "work_ward"]
    data = "\n".join(
        [";".join(head), "Nguyễn Văn An;048090000001;0905 123 456;Hải Châu;An Hải"]
    ).encode()
    parsed = _upload("ds.csv", data)
    assert len(parsed.good) == 1 and not parsed.errors
    assert parsed.good.iloc[0]["phone"] == "0905123456"


TONES = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: tone marks as combining characters after the letter."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            letter = unicodedata.normalize(
                "NFC", base + "".join(m for m in marks if m not in TONES)
            )
            out += (letter + "".join(m for m in marks if m in TONES)).encode("cp1258")
    return out


def test_legacy_vietnamese_csv_is_read(settings):
    """Excel's old Vietnamese "CSV" (Windows-1258) is read now; it was refused before."""
    row = ["Nguyễn Văn Ấn", "048090000001", "0905123456", "Hải Châu", "An Hải", "", ""]
    parsed = _upload("ds.csv", _cp1258(_csv([HEADER, row], bom=False).decode()))
    assert list(parsed.good["full_name"]) == ["Nguyễn Văn Ấn"]


def test_utf16_without_bom_gets_a_clear_message(settings):
    row = ["Nguyễn Văn An", "048090000001", "0905123456", "Hải Châu", "An Hải", "", ""]
    with pytest.raises(TableFileError, match="CSV UTF-8"):
        _upload("ds.csv", _csv([HEADER, row], bom=False, enc="utf-16-le"))


def test_utf16_with_bom_is_read(settings):
    text = "\t".join(HEADER) + "\nNguyễn Văn An\t048090000001\t0905123456\tHải Châu\tAn Hải\t\t\n"
    parsed = _upload("ds.txt", text.encode("utf-16"))
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
def test_not_a_roster(settings, name, data):
    with pytest.raises(TableFileError):
        _upload(name, data)


def test_100k_rows_refused_quickly(settings):
    import time

    row = "Nguyễn Văn An,048090000001,0905123456,Hải Châu,An Hải,,\n"
    data = ("\ufeff" + ",".join(HEADER) + "\n" + row * 100_000).encode()
    t0 = time.perf_counter()
    with pytest.raises(TableFileError, match="100"):
        _upload("big.csv", data, max_bytes=50_000_000)
    assert time.perf_counter() - t0 < 1.0


def test_xlsx_with_numbers(settings):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["Nguyễn Văn An", 48090000001, 905123456, 20242, "An Hải", None, None])  # numbers
    ws.append(["Lê Văn Bình", "048090000002", "0905123456", "Hải Châu", "An Hải", None, "=1+1"])
    buf = io.BytesIO()
    wb.save(buf)
    parsed = _upload("ds.xlsx", buf.getvalue())
    assert [e.row for e in parsed.errors] == [2]  # leading zero lost -> 11 digits
    assert "11" in parsed.errors[0].message
    assert list(parsed.good["cccd"]) == ["048090000002"]


def test_templates_parse_back_and_list_the_province_wards(settings):
    example = {"plate": "43A-123.45", "job_title": "Kỹ sư"}
    csv = template_csv(EMPLOYEE, example)
    assert csv.startswith(b"\xef\xbb\xbf") and ",".join(HEADER).encode() in csv
    assert len(_upload("t.csv", csv).good) == 1
    xlsx = template_xlsx(EMPLOYEE, example, list_filter={"province": geo.DA_NANG})
    assert len(_upload("t.xlsx", xlsx).good) == 1
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx), read_only=True)
    wards = {row[0] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert wards == {w.code for w in geo.wards(geo.DA_NANG)}


def test_damaged_xlsx_is_a_clear_error_not_a_crash(settings):
    """A workbook whose sheet XML is cut in half (a crashed save) is refused with a message."""
    good = template_xlsx(EMPLOYEE)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet1"):
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    with pytest.raises(TableFileError):
        _upload("nhan_vien.xlsx", out.getvalue(), max_rows=1000, max_bytes=10_000_000)


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=15)


@fuzz_settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(CELL, min_size=0, max_size=9), min_size=0, max_size=8))
def test_csv_rows_never_crash(rows):
    data = _csv([HEADER, *[[c.replace(",", " ").replace("\n", " ") for c in r] for r in rows]])
    try:
        parsed = _upload("x.csv", data)
    except TableFileError:
        return
    assert len(parsed.good) + len({e.row for e in parsed.errors}) <= parsed.total_rows
    assert parsed.good["cccd"].is_unique


@fuzz_settings(max_examples=30, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data):
    try:
        _upload("x.csv", data)
    except TableFileError:
        pass


# -- the checkpoint rule ----------------------------------------------------------------------


def test_rule_hours_and_zones():
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
