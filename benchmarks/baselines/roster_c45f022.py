# ruff: noqa: E402 - two frozen modules joined in one file
"""Frozen copy of the travel-permit roster reader and its field parsers at c45f022 (before the
forms core), kept only as the baseline of benchmarks/forms_roster_upload.py. Not used by the suite."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from core import geo
from core.i18n import t
from core.text import collapse_spaces, nfc

MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
SECTORS = (
    "manufacturing",
    "logistics",
    "food",
    "retail",
    "health",
    "utilities",
    "construction",
    "finance",
    "it",
    "public",
    "other",
)
REJECT_REASONS = (
    "not_essential",
    "incomplete",
    "quota",
    "zone",
    "employee_data",
    "health_risk",
    "other",
)
MAX_NAME = 100
MAX_TEXT = 500


class FieldError(ValueError):
    """A bad value in one field; ``key`` is a message key, ``kw`` its arguments."""

    def __init__(self, key: str, **kw: Any) -> None:
        self.key = key
        self.kw = kw
        super().__init__(t(key, **kw))

    @property
    def message(self) -> str:
        return t(self.key, **self.kw)


# -- single fields ----------------------------------------------------------------------------


def _code_text(value: object) -> str:
    """A code typed in a cell as text; a spreadsheet's 48090001234.0 reads as 48090001234."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "")


def mst_check_digit(first9: str) -> int | None:
    """The 10th digit of a Vietnamese tax code for its first 9 digits; None if none exists."""
    total = sum(int(d) * w for d, w in zip(first9, MST_WEIGHTS, strict=True))
    check = 10 - (total % 11)
    return check if 0 <= check <= 9 else None


def parse_tax_code(value: object) -> str:
    """'0401234567' or branch '0401234567-001' (also without the dash); check digit verified."""
    text = re.sub(r"[\s.]", "", nfc(str(value or "")))
    m = re.fullmatch(r"(\d{10})(?:-?(\d{3}))?", text)
    if not m:
        raise FieldError("tp.err.mst_format")
    main, branch = m.group(1), m.group(2)
    check = mst_check_digit(main[:9])
    if check is None or check != int(main[9]):
        raise FieldError("tp.err.mst_check")
    if branch is not None:
        if branch == "000":
            raise FieldError("tp.err.mst_format")
        return f"{main}-{branch}"
    return main


def parse_cccd(value: object) -> str:
    """Citizen ID: exactly 12 digits (spaces ignored)."""
    text = re.sub(r"\s", "", nfc(_code_text(value)))
    if not text:
        raise FieldError("tp.err.required")
    if not text.isascii() or not text.isdigit():
        raise FieldError("tp.err.cccd_digits")
    if len(text) == 11:
        raise FieldError("tp.err.cccd_11")
    if len(text) != 12:
        raise FieldError("tp.err.cccd_len", n=len(text))
    return text


def parse_phone(value: object) -> str:
    """Vietnamese mobile: 0[35789]xxxxxxxx or +84/84 form; stored as 0xxxxxxxxx."""
    text = re.sub(r"[\s.\-()]", "", nfc(_code_text(value)))
    if not text:
        raise FieldError("tp.err.required")
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) == 11:
        text = "0" + text[2:]
    elif len(text) == 9 and text[0] in "35789":  # Excel dropped the leading zero
        text = "0" + text
    if not re.fullmatch(r"0[35789]\d{8}", text):
        raise FieldError("tp.err.phone")
    return text


def parse_name(value: object, *, required: bool = True) -> str:
    """A person's name: NFC, single spaces, letters and ' . - only."""
    text = collapse_spaces(str(value if value is not None else ""))
    if not text:
        if required:
            raise FieldError("tp.err.required")
        return ""
    if len(text) > MAX_NAME:
        raise FieldError("tp.err.too_long", max=MAX_NAME)
    for ch in text:
        if ch in " '.-":
            continue
        if not unicodedata.category(ch).startswith(("L", "M")):
            raise FieldError("tp.err.name_chars")
    return text


def parse_text(value: object, *, required: bool = True, max_len: int = MAX_TEXT) -> str:
    """Free text: NFC, no control characters, length-limited."""
    text = collapse_spaces(str(value if value is not None else ""))
    if not text and required:
        raise FieldError("tp.err.required")
    if len(text) > max_len:
        raise FieldError("tp.err.too_long", max=max_len)
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise FieldError("tp.err.control_chars")
    return text


def parse_plate(value: object) -> str:
    """Optional vehicle plate, e.g. 43A-123.45 or 43-B1 234.56; stored uppercase."""
    text = collapse_spaces(str(value if value is not None else "")).upper()
    if not text:
        return ""
    compact = re.sub(r"[\s.\-]", "", text)
    if not re.fullmatch(r"\d{2}[A-Z]{1,2}\d?\d{4,5}", compact):
        raise FieldError("tp.err.plate")
    return text


def _fold(text: str) -> str:
    return collapse_spaces(text).casefold()


@cache
def _ward_lookup(province_code: int) -> dict[str, int]:
    """Every way a ward of the province may be written (folded) -> its code."""
    index: dict[str, int] = {}
    for unit in geo.wards(province_code):
        full = _fold(unit.name)
        index[full] = unit.code
        index[str(unit.code)] = unit.code
        for prefix in ("phường ", "xã ", "đặc khu "):
            if full.startswith(prefix):
                index.setdefault(full[len(prefix) :], unit.code)
    return index


def parse_ward(value: object, province_code: int) -> int:
    """A ward of the province by code or by name ('Phường Hải Châu' or 'Hải Châu')."""
    text = _fold(_code_text(value))
    if not text:
        raise FieldError("tp.err.required")
    code = _ward_lookup(province_code).get(text)
    if code is None:
        raise FieldError("tp.err.ward", province=geo.province_name(province_code))
    return code


_parse_ward = parse_ward


import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from core.text import formula_safe

if TYPE_CHECKING:
    from openpyxl import Workbook

COLUMNS = ("full_name", "cccd", "phone", "home_ward", "work_ward", "plate", "job_title")
HEADERS_VI = {
    "full_name": "Họ và tên",
    "cccd": "Số CCCD",
    "phone": "Số điện thoại",
    "home_ward": "Phường/xã nơi ở",
    "work_ward": "Phường/xã nơi làm việc",
    "plate": "Biển số xe",
    "job_title": "Chức vụ",
}
REQUIRED = ("full_name", "cccd", "phone", "home_ward", "work_ward")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc


class RosterFileError(ValueError):
    """The whole file is refused (type, encoding, size, headers); nothing was imported."""


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (header is row 1)
    column: str
    reason: str


@dataclass
class RosterParse:
    """Good rows (a DataFrame with COLUMNS) and every problem found, row by row."""

    good: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0

    @property
    def error_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(e.row, e.column, e.reason) for e in self.errors], columns=["row", "column", "reason"]
        )


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text)).strip().casefold()
    return " ".join(text.replace("_", " ").split())


HEADER_ALIASES: dict[str, str] = {}
for _col, _vi in HEADERS_VI.items():
    HEADER_ALIASES[_fold(_vi)] = _col
    HEADER_ALIASES[_fold(_col)] = _col
HEADER_ALIASES.update(
    {
        _fold("Họ tên"): "full_name",
        _fold("CCCD"): "cccd",
        _fold("Điện thoại"): "phone",
        _fold("name"): "full_name",
        _fold("vehicle plate"): "plate",
        _fold("job title"): "job_title",
    }
)


def column_label(col: str) -> str:
    return HEADERS_VI.get(col, col)


# -- templates and export ---------------------------------------------------------------------


def template_csv() -> bytes:
    """CSV UTF-8 with BOM (opens correctly in Excel) with Vietnamese headers and one example."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([HEADERS_VI[c] for c in COLUMNS])
    writer.writerow(
        [
            "Nguyễn Văn An",
            "048090001234",
            "0905123456",
            "Hải Châu",
            "Sơn Trà",
            "43A-123.45",
            "Kỹ sư",
        ]
    )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def template_xlsx(province_code: int) -> bytes:
    """XLSX with the headers (ID and phone columns formatted as text) and a sheet of wards."""
    from openpyxl import Workbook

    from core import geo

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sach"
    ws.append([HEADERS_VI[c] for c in COLUMNS])
    ws.append(["Nguyễn Văn An", "048090001234", "0905123456", "Hải Châu", "Sơn Trà", "", "Kỹ sư"])
    for col in ("B", "C"):
        for row in range(2, 5002):
            ws[f"{col}{row}"].number_format = "@"
    for i, width in enumerate((28, 16, 14, 24, 24, 14, 20)):
        ws.column_dimensions[chr(65 + i)].width = width
    wards = wb.create_sheet("Phuong xa")
    wards.append(["Mã", "Tên phường/xã", "Tỉnh/thành phố"])
    for unit in geo.wards(province_code):
        wards.append([unit.code, unit.name, geo.province_name(province_code)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_csv(frame: pd.DataFrame, headers: dict[str, str] | None = None) -> bytes:
    """CSV UTF-8 with BOM; every text cell starting with = + - @ is neutralised."""
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(formula_safe).astype(object)
    if headers:
        safe = safe.rename(columns=headers)
    return ("\ufeff" + safe.to_csv(index=False)).encode("utf-8")


# -- reading ----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RosterFileError(t("tp.roster.encoding")) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RosterFileError(t("tp.roster.encoding")) from exc
    if b"\x00" in data[:4096]:  # UTF-16 without BOM, or a binary file
        raise RosterFileError(t("tp.roster.encoding"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RosterFileError(t("tp.roster.encoding")) from exc


def _csv_rows(data: bytes, max_rows: int) -> list[list[str]]:
    text = _decode(data)
    lines = text.count("\n")
    if lines > max_rows + 1 + 1000:  # quick refusal before parsing (blank lines tolerated)
        raise RosterFileError(t("tp.roster.too_many", n=lines, max=max_rows))
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise RosterFileError(t("tp.roster.not_table", detail=str(exc))) from exc


MAX_XLSX_INFLATED = 200_000_000
"""Uncompressed size a workbook may unpack to (refuses zip bombs before openpyxl reads them)."""


def _xlsx_rows(data: bytes, max_rows: int) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RosterFileError(t("tp.roster.bad_type")) from exc
    if inflated > MAX_XLSX_INFLATED:
        raise RosterFileError(t("tp.roster.too_big", mb=MAX_XLSX_INFLATED // 1_000_000))
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on damaged files
        raise RosterFileError(t("tp.roster.bad_type")) from exc
    try:
        return _sheet_rows(wb, max_rows)
    except RosterFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged sheet (cut XML...) is the file's fault
        raise RosterFileError(t("tp.roster.not_table", detail=type(exc).__name__)) from exc
    finally:
        wb.close()


def _sheet_rows(wb: Workbook, max_rows: int) -> list[list[object]]:
    ws = wb.worksheets[0]
    if ws.max_row is not None and ws.max_row > max_rows + 1 + 1000:
        raise RosterFileError(t("tp.roster.too_many", n=ws.max_row - 1, max=max_rows))
    rows: list[list[object]] = []
    for values in ws.iter_rows(values_only=True):
        rows.append(list(values))
        if len(rows) > max_rows + 1 + 1000:
            raise RosterFileError(t("tp.roster.too_many", n=f">{max_rows}", max=max_rows))
    return rows


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_table(filename: str, data: bytes, *, max_rows: int, max_bytes: int) -> list[list]:
    """Rows of the file (header first) after type, encoding and size checks."""
    if len(data) > max_bytes:
        raise RosterFileError(t("tp.roster.too_big", mb=max_bytes // 1_000_000))
    if not data.strip():
        raise RosterFileError(t("tp.roster.empty"))
    name = (filename or "").lower()
    if data.startswith(XLSX_MAGIC):
        return _xlsx_rows(data, max_rows)
    if data.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise RosterFileError(t("tp.roster.old_xls"))
    if name.endswith((".xlsx", ".xlsm")):
        raise RosterFileError(t("tp.roster.bad_type"))
    if name and not name.endswith((".csv", ".txt", ".tsv")):
        raise RosterFileError(t("tp.roster.bad_type"))
    return _csv_rows(data, max_rows)


def parse_rows(rows: list[list], province_code: int, *, max_rows: int) -> RosterParse:
    """Validate every row; good rows go to ``good``, each problem to ``errors``."""
    while rows and all(str(_cell(v)).strip() == "" for v in rows[-1]):
        rows.pop()  # trailing empty rows (Excel leaves them) are not data
    if not rows:
        raise RosterFileError(t("tp.roster.empty"))
    header = [HEADER_ALIASES.get(_fold(str(_cell(h)))) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        names = ", ".join(f'"{HEADERS_VI[c]}"' for c in missing)
        raise RosterFileError(t("tp.roster.missing_cols", cols=names))
    data_rows = rows[1:]
    if len(data_rows) > max_rows:
        raise RosterFileError(t("tp.roster.too_many", n=len(data_rows), max=max_rows))
    if not data_rows:
        raise RosterFileError(t("tp.roster.no_rows"))
    index = {col: header.index(col) for col in COLUMNS if col in header}
    good: dict[str, list] = {c: [] for c in COLUMNS}
    good["row"] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    parsers = {
        "full_name": parse_name,
        "cccd": parse_cccd,
        "phone": parse_phone,
        "home_ward": lambda v: _parse_ward(v, province_code),
        "work_ward": lambda v: _parse_ward(v, province_code),
        "plate": parse_plate,
        "job_title": lambda v: parse_text(v, required=False, max_len=100),
    }
    for offset, raw in enumerate(data_rows):
        rownum = offset + 2
        cells = {c: _cell(raw[i]) if i < len(raw) else "" for c, i in index.items()}
        if all(str(v).strip() == "" for v in raw):
            errors.append(RowError(rownum, "", t("tp.roster.empty_row")))
            continue
        values: dict[str, object] = {}
        bad = False
        for col, parse in parsers.items():
            value = cells.get(col, "")
            if col == "cccd" and isinstance(value, str) and value.startswith("'"):
                value = value[1:]  # Excel's text marker
            try:
                values[col] = parse(value)
            except FieldError as exc:
                errors.append(RowError(rownum, column_label(col), exc.message))
                bad = True
        if bad:
            continue
        cccd = str(values["cccd"])
        if cccd in seen:
            errors.append(
                RowError(rownum, column_label("cccd"), t("tp.roster.dup_cccd", row=seen[cccd]))
            )
            continue
        seen[cccd] = rownum
        for col in COLUMNS:
            good[col].append(values[col])
        good["row"].append(rownum)
    frame = pd.DataFrame(good)
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in [*COLUMNS, "row"]})
    return RosterParse(good=frame, errors=errors, total_rows=len(data_rows))


def parse_file(
    filename: str, data: bytes, province_code: int, *, max_rows: int, max_bytes: int
) -> RosterParse:
    """Read and validate a roster upload (CSV or XLSX)."""
    rows = read_table(filename, data, max_rows=max_rows, max_bytes=max_bytes)
    return parse_rows(rows, province_code, max_rows=max_rows)
