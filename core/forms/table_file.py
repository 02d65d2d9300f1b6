"""Table files: a CSV or XLSX upload read safely into rows, and rows written back as CSV/XLSX.

The file layer of the forms core, independent of any form: bytes in -> a list of rows of cell
values out (header first), every guard applied before the expensive work; rows -> CSV or XLSX
bytes out, formula-safe. ``core.forms.table`` maps the headers to a form's fields.

Guards (``TableFileError``; nothing is read when one trips):

- type by content first (zip magic = XLSX, OLE magic = legacy .xls -> refused), then by
  extension: ``.csv .txt .tsv`` text, ``.xlsx .xlsm`` must be zips, anything else refused;
- ``max_bytes`` on the upload; CSV: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1258
  (legacy Vietnamese Excel "CSV"), NFC; more newlines than ``max_rows + 1 + ROW_SLACK`` is
  refused before parsing, and so is a record with more than ``MAX_RECORD_FIELDS`` fields;
- XLSX: at most ``MAX_ZIP_MEMBERS`` members, ``MAX_XLSX_INFLATED`` bytes unpacked (the declared
  sizes, which ``zipfile`` enforces while inflating), deflate/stored only. Only the first
  worksheet, the shared strings it uses and the number formats are read, by a streaming expat
  parse. Before that parse, one pass at C speed over the inflated bytes counts the cell, row
  and element start tags: more cells than ``(max_rows + 1 + ROW_SLACK) * max_columns``
  (formatted empty cells included), more rows than ``max_rows + 1 + ROW_SLACK``, markup beyond
  what those cells need, or a DTD (billion laughs, external entities) refuses the file before
  any Python-level work. While parsing, expat may not hold more than ``MAX_TOKEN`` bytes
  unparsed (a giant tag or comment), a cell's text is capped at ``MAX_CELL_CHARS``, shared
  strings are read only up to the last one the sheet uses and kept only when it uses them;
- every path: a non-empty cell beyond ``max_columns`` or a data row beyond ``max_rows`` refuses
  the file; rows are never padded beyond the last non-empty cell.
"""

from __future__ import annotations

import csv
import io
import math
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from xml.parsers import expat

from core.text import formula_safe

MESSAGES: dict[str, dict[str, str]] = {
    "forms.table.too_big": {
        "vi": "Tệp lớn hơn {mb} MB. Hãy chia thành nhiều tệp nhỏ hơn rồi tải lên từng tệp.",
        "en": "The file is larger than {mb} MB. Split it into smaller files and upload them"
        " one at a time.",
    },
    "forms.table.empty": {
        "vi": "Tệp trống, không có dữ liệu.",
        "en": "The file is empty.",
    },
    "forms.table.not_table": {
        "vi": "Không đọc được bảng trong tệp: tệp bị hỏng hoặc không phải bảng tính. Hãy mở tệp"
        " bằng Excel và lưu lại dạng .xlsx hoặc CSV UTF-8.",
        "en": "No table can be read from the file: it is damaged or not a spreadsheet. Open it"
        " in Excel and save it again as .xlsx or CSV UTF-8.",
    },
    "forms.table.old_xls": {
        "vi": "Tệp Excel đời cũ (.xls) không được hỗ trợ. Hãy mở tệp bằng Excel, chọn File (Tệp)"
        ' > Save As (Lưu như), chọn kiểu "Excel Workbook (*.xlsx)" hoặc "CSV UTF-8 (Comma'
        ' delimited)" rồi tải lên lại.',
        "en": "Old Excel files (.xls) are not supported. Open the file in Excel, choose File >"
        ' Save As, pick "Excel Workbook (*.xlsx)" or "CSV UTF-8 (Comma delimited)" and upload'
        " it again.",
    },
    "forms.table.bad_type": {
        "vi": "Chỉ nhận tệp Excel (.xlsx) hoặc CSV. Hãy dùng tệp mẫu và lưu dạng .xlsx hoặc CSV"
        " UTF-8.",
        "en": "Only Excel (.xlsx) or CSV files are accepted. Use the template and save it as"
        " .xlsx or CSV UTF-8.",
    },
    "forms.table.encoding": {
        "vi": "Không nhận ra bảng mã của tệp CSV. Hãy mở tệp bằng Excel, chọn File (Tệp) > Save"
        ' As (Lưu như), chọn kiểu "CSV UTF-8 (Comma delimited)" rồi tải lên lại, hoặc lưu dạng'
        " .xlsx.",
        "en": "The text encoding of the CSV file is not recognised. Open it in Excel, choose"
        ' File > Save As, pick "CSV UTF-8 (Comma delimited)" and upload it again, or save it'
        " as .xlsx.",
    },
    "forms.table.too_many_rows": {
        "vi": "Tệp có {n} dòng dữ liệu; mỗi lần chỉ tải lên được tối đa {max} dòng. Hãy chia"
        " thành nhiều tệp.",
        "en": "The file has {n} data rows; at most {max} rows can be uploaded at a time. Split"
        " it into several files.",
    },
    "forms.table.too_many_columns": {
        "vi": "Bảng có dữ liệu ở cột thứ {n}; tối đa {max} cột. Hãy xoá các cột thừa bên phải"
        " bảng hoặc dùng tệp mẫu.",
        "en": "The table has data in column {n}; at most {max} columns are read. Delete the"
        " extra columns on the right or use the template.",
    },
    "forms.table.too_many_cells": {
        "vi": "Tệp Excel có quá nhiều ô (hơn {max}, kể cả ô trống đã định dạng). Hãy xoá các"
        " dòng, cột thừa hoặc chép riêng phần dữ liệu sang một tệp mới.",
        "en": "The Excel file has too many cells (more than {max}, formatted empty cells"
        " included). Delete the extra rows and columns or copy just the data into a new file.",
    },
    "forms.table.zip_bomb": {
        "vi": "Tệp Excel khi giải nén lớn hơn {mb} MB nên không được nhận. Hãy xoá hình ảnh và"
        " các trang tính không cần, hoặc lưu dạng CSV UTF-8.",
        "en": "The Excel file unpacks to more than {mb} MB and is refused. Delete pictures and"
        " the sheets you do not need, or save it as CSV UTF-8.",
    },
    "forms.table.no_sheet": {
        "vi": "Tệp Excel không có trang tính nào.",
        "en": "The Excel file has no worksheet.",
    },
}


class TableFileError(ValueError):
    """The whole file is refused; nothing was read. ``key``/``params`` name the message;
    ``message`` is it in the current language (core.i18n.t)."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        self.message = _text(key, params)
        super().__init__(self.message)


def _text(key: str, params: dict[str, object]) -> str:
    from core.i18n import catalog, get_locale, t

    if key in catalog():
        return t(key, **params)
    entry = MESSAGES.get(key)  # before the catalog knows this module
    if entry is None:
        return key
    return (entry.get(get_locale()) or entry["vi"]).format(**params)


# -- limits ---------------------------------------------------------------------------------------

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")

ROW_SLACK = 1_000
"""Blank lines / formatted empty rows tolerated beyond ``max_rows + 1`` by the quick refusals."""
MAX_RECORD_FIELDS = 16_384
"""Raw fields in one CSV record (Excel's column limit; trailing empty ones included)."""
FAST_CSV_FIELDS = 1_000_000
"""Delimiters up to which a CSV is split in one C call (at most 8 MB of field pointers);
beyond, record by record with ``MAX_RECORD_FIELDS`` checked before each is split."""
MAX_XLSX_INFLATED = 200_000_000
"""Bytes a workbook may unpack to, all members counted (zip bombs). A full default budget
(50,001 rows x 64 columns) of short cells is about 130 MB of sheet XML, hence 200 MB."""
MAX_ZIP_MEMBERS = 10_000
"""Members of a workbook (Excel writes a few dozen); ``zipfile`` parses each one in Python."""
MAX_PART_BYTES = 16_000_000
"""Unpacked size of the small parts read whole (relationships, workbook, styles)."""
MAX_PART_MARKS = 500_000
"""Tags ('<') of those parts (a styles part at Excel's 64,000-format limit has ~400,000)."""
MARKS_PER_CELL = 8
"""Tags ('<') a sheet may have per cell: <c><f></f><v></v></c> is 6."""
MARKS_PER_ROW = 4
MARKS_EXTRA = 20_000
"""Tags for the rest of a part (column widths, merged cells, views...)."""
MIN_SHARED_STRINGS = 100_000
"""Shared strings allowed whatever the cell budget (other sheets use the table too)."""
MARKS_PER_STRING = 16
"""Tags ('<') per shared string: <si><t></t></si> is 4, a rich-text run with its font ~12."""
MAX_TOKEN = 1_000_000
"""Bytes expat may hold unparsed: one tag, comment or instruction never needs more."""
MAX_CELL_CHARS = 131_072
"""Characters of one cell (Excel's own limit is 32,767; the csv module's field limit is this)."""
CHUNK = 1 << 16


# -- reading --------------------------------------------------------------------------------------


def read_table(
    filename: str, data: bytes, *, max_rows: int, max_bytes: int, max_columns: int = 64
) -> list[list[object]]:
    """Rows (header first) of a CSV or XLSX upload, after type, encoding and size checks.
    Cells: '' for empty, int for integral numbers (a spreadsheet's 48090001234.0 -> 48090001234),
    float, str (NFC-normalised, surrounding spaces kept), datetime/date as openpyxl gives them.
    Trailing empty rows removed; trailing empty cells of each row removed (a cell of spaces
    only counts as empty there)."""
    if len(data) > max_bytes:
        raise TableFileError("forms.table.too_big", mb=_mb(max_bytes))
    if not data or data.isspace():
        raise TableFileError("forms.table.empty")
    ext = posixpath.splitext(filename.replace("\\", "/").strip().lower())[1]
    if ext and ext not in TEXT_EXTENSIONS + XLSX_EXTENSIONS:
        raise TableFileError("forms.table.old_xls" if ext == ".xls" else "forms.table.bad_type")
    if data.startswith(OLE_MAGIC):
        raise TableFileError("forms.table.old_xls")
    limits = _Limits(max_rows, max_columns)
    if data.startswith(XLSX_MAGIC):
        rows = _xlsx_rows(data, limits)
    elif ext in XLSX_EXTENSIONS:
        raise TableFileError("forms.table.not_table", detail="not a zip")
    else:
        rows = _csv_rows(data, limits)
    if not rows:
        raise TableFileError("forms.table.empty")
    return rows


def _mb(n: int) -> str:
    """Bytes as the MB figure shown to users: '20', '0.5'."""
    mb = n / 1_000_000
    return str(round(mb)) if mb >= 10 else f"{mb:.2g}"


@dataclass(frozen=True)
class _Limits:
    max_rows: int
    max_columns: int

    @property
    def row_limit(self) -> int:
        """Rows (header included) a file may have before the quick refusal."""
        return self.max_rows + 1 + ROW_SLACK

    @property
    def cells(self) -> int:
        """Cell elements a sheet may have, formatted empty ones included (with the same row
        slack, so a template's 500 pre-formatted rows read under a small ``max_rows``)."""
        return self.row_limit * self.max_columns

    @property
    def strings(self) -> int:
        """Shared strings a workbook may have: they serve every sheet, not only the first."""
        return max(self.cells, MIN_SHARED_STRINGS)

    def too_many_rows(self, last_row: int) -> TableFileError:
        """``last_row``: 1-based number of the last non-empty row (the header is row 1)."""
        return TableFileError("forms.table.too_many_rows", n=last_row - 1, max=self.max_rows)

    def too_wide(self, column: int) -> TableFileError:
        return TableFileError("forms.table.too_many_columns", n=column, max=self.max_columns)


def _blank(value: object) -> bool:
    return value == "" or (isinstance(value, str) and not value.strip())


def _trim(row: list[Any]) -> list[Any]:
    while row and _blank(row[-1]):
        row.pop()
    return row


# -- CSV ------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1258; NUL anywhere is refused."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
            if "\x00" in text:  # e.g. UTF-32, read as UTF-16
                raise TableFileError("forms.table.encoding")
            return text
        if b"\x00" in data:  # UTF-16 without BOM, or a binary file
            raise TableFileError("forms.table.encoding")
        if data.startswith(b"\xef\xbb\xbf"):
            return data.decode("utf-8-sig")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1258")  # tone marks as combining characters: NFC later
    except UnicodeDecodeError as exc:
        raise TableFileError("forms.table.encoding") from exc


def _sniff(sample: str, *, cut: bool) -> str:
    """The delimiter (, ; TAB) that splits the header into most fields and the most rows
    into as many; ',' when none splits the header."""
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        if delimiter not in sample:
            continue
        try:
            records = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        if cut and len(records) > 1:
            records.pop()  # the sample may end inside a record
        records = [r for r in records if any(c.strip() for c in r)]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        score = (sum(len(r) == width for r in records), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


class _GuardedLines:
    """Physical lines for ``csv.reader``, refusing a record (lines since ``count`` was reset)
    with more delimiters than ``MAX_RECORD_FIELDS`` before the reader builds its fields."""

    def __init__(self, text: str, delimiter: str, limits: _Limits) -> None:
        self._lines = io.StringIO(text, newline="")
        self._delimiter = delimiter
        self._limits = limits
        self.count = 0

    def __iter__(self) -> _GuardedLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += line.count(self._delimiter)
        if self.count >= MAX_RECORD_FIELDS:
            raise self._limits.too_wide(self.count + 1)
        return line


def _csv_rows(data: bytes, limits: _Limits) -> list[list[object]]:
    text = _decode(data)
    lines = text.count("\n") or text.count("\r")
    if lines > limits.row_limit:  # quick refusal before parsing; n: lines after the header
        n = lines - 1 if text.endswith(("\n", "\r")) else lines
        raise TableFileError("forms.table.too_many_rows", n=n, max=limits.max_rows)
    delimiter = _sniff(text[:4096], cut=len(text) > 4096)
    records: list[list[Any]]
    try:
        if len(text) < FAST_CSV_FIELDS or text.count(delimiter) < FAST_CSV_FIELDS:
            records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        else:
            records = _guarded_records(text, delimiter, limits)
    except csv.Error as exc:  # a field over 128 KB, NUL in UTF-16 text
        raise TableFileError("forms.table.not_table", detail=str(exc)) from exc
    width = limits.max_columns
    for record in records:
        if record and (len(record) > width or not record[-1].strip()):
            if len(record) > width:
                if any(map(str.strip, record[width:])):
                    raise limits.too_wide(_last_nonblank(record))
                del record[width:]
            _trim(record)
    while records and not records[-1]:
        records.pop()
    if len(records) > limits.max_rows + 1:
        raise limits.too_many_rows(len(records))
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        records = [[unicodedata.normalize("NFC", c) for c in r] for r in records]
    return records


def _guarded_records(text: str, delimiter: str, limits: _Limits) -> list[list[Any]]:
    """Records read one at a time, each wide one cut (or refused) before the next is read."""
    guard = _GuardedLines(text, delimiter, limits)
    width = limits.max_columns
    records = []
    for record in csv.reader(guard, delimiter=delimiter):
        guard.count = 0
        if len(record) > width:
            if any(map(str.strip, record[width:])):
                raise limits.too_wide(_last_nonblank(record))
            del record[width:]
        records.append(record)
    return records


def _last_nonblank(record: list[str]) -> int:
    for i in range(len(record) - 1, -1, -1):
        if record[i].strip():
            return i + 1
    return 0


# -- XLSX: the package ----------------------------------------------------------------------------

_MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # Strict Open XML
)
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_TYPE = re.compile(r"/(officeDocument|worksheet|sharedStrings|styles)$")


class _Stop(Exception):
    """Raised by an expat handler: the rest of the part is not needed."""


def _xlsx_rows(data: bytes, limits: _Limits) -> list[list[object]]:
    if data.count(b"PK\x01\x02") > MAX_ZIP_MEMBERS:  # every central-directory entry has it
        raise TableFileError("forms.table.not_table", detail="too many zip members")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError, EOFError) as exc:
        raise TableFileError("forms.table.not_table", detail=repr(exc)) from exc
    with archive:
        inflated = sum(info.file_size for info in archive.infolist())
        if inflated > MAX_XLSX_INFLATED:
            raise TableFileError("forms.table.zip_bomb", mb=_mb(MAX_XLSX_INFLATED), n=inflated)
        try:
            return _Workbook(archive, limits).rows()
        except TableFileError:
            raise
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            RuntimeError,  # an encrypted member
            NotImplementedError,  # strong encryption
            struct.error,
            ValueError,
            KeyError,
            expat.ExpatError,
        ) as exc:
            raise TableFileError("forms.table.not_table", detail=repr(exc)) from exc


def _names(*locals_: str) -> dict[str, str]:
    """expat's ``namespace local`` names of the spreadsheet namespaces -> local name."""
    return {f"{ns} {name}": name for ns in _MAIN_NS for name in locals_}


class _LocalNames(dict[str, str]):
    """Qualified name ('c', 'x:c') -> local name when it is one of ``wanted``, else ''.

    The big parts (sheet, shared strings) are parsed without namespace processing, a quarter
    of expat's time: an element is known by its local name, whatever its prefix."""

    def __init__(self, *wanted: str) -> None:
        super().__init__()
        self._wanted = frozenset(wanted)

    def __missing__(self, name: str) -> str:
        local = name.rpartition(":")[2]
        local = local if local in self._wanted else ""
        if len(self) < 1_000:  # a crafted part may use endless names: cache the first ones
            self[name] = local
        return local


def _refuse_dtd(*_: object) -> None:
    raise TableFileError("forms.table.not_table", detail="DTD")


def _parser(*, namespaces: bool = True) -> Any:
    """An expat parser that reads UTF-8 only and refuses any DTD (no entity expansion)."""
    if namespaces:
        parser = expat.ParserCreate(encoding="utf-8", namespace_separator=" ")
    else:
        parser = expat.ParserCreate(encoding="utf-8")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    return parser


def _feed(parser: Any, chunks: Iterable[bytes]) -> None:
    """Parse the chunks; stop early on ``_Stop``; refuse a token expat would have to buffer
    whole beyond ``MAX_TOKEN`` bytes."""
    fed = 0
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
            fed += len(chunk)
            if fed - parser.CurrentByteIndex > MAX_TOKEN:
                raise TableFileError("forms.table.not_table", detail="token too long")
        parser.Parse(b"", True)
    except _Stop:
        pass


class _Scan:
    """Start tags of a part counted at C speed, before expat and any Python handler run.

    ``counts[name]`` counts the start tags ``<name`` and ``<prefix:name`` (an upper bound: a
    prefixed end tag counts too); ``marks`` counts every '<', i.e. the elements expat's
    handlers would see. A DTD (billion laughs, external entities) refuses the part."""

    _FLAT = bytes.maketrans(b"\t\r\n/>:", b"     <")  # '<x:c/>' and '<c\n' both -> '<c '

    def __init__(self, names: Sequence[bytes]) -> None:
        self._needles = {name: b"<" + name + b" " for name in names}
        self.counts = dict.fromkeys(names, 0)
        self.marks = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        tail, buf = self._tail, self._tail + chunk
        if b"<!DOCTYPE" in buf:
            _refuse_dtd()
        flat, flat_tail = buf.translate(self._FLAT), tail.translate(self._FLAT)
        for name, needle in self._needles.items():
            self.counts[name] += flat.count(needle) - flat_tail.count(needle)
        self.marks += chunk.count(b"<")
        self._tail = buf[-8:]  # len(b"<!DOCTYPE") - 1: a match across chunks is seen once


class _Workbook:
    """The first worksheet of an opened package, read by streaming expat parses."""

    def __init__(self, archive: zipfile.ZipFile, limits: _Limits) -> None:
        self.archive = archive
        self.limits = limits

    def rows(self) -> list[list[object]]:
        rels = self._relationships("")
        book = next((t for kind, t in rels.values() if kind == "officeDocument"), None)
        book = book or "xl/workbook.xml"
        rels = self._relationships(book)
        sheet_ids, date1904 = self._workbook(book)
        sheet = next(
            (rels[i][1] for i in sheet_ids if i in rels and rels[i][0] == "worksheet"), None
        )
        if sheet is None:
            raise TableFileError("forms.table.no_sheet")
        kinds = {kind: target for kind, target in rels.values()}
        dates, spans = self._styles(kinds.get("styles", "xl/styles.xml"))
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        reader = _SheetReader(self.limits, dates, spans, epoch)
        self._scan_sheet(sheet)
        reader.read(self._chunks(sheet))
        strings: dict[int, str] = {}
        if reader.refs:
            strings = self._shared_strings(
                kinds.get("sharedStrings", "xl/sharedStrings.xml"), reader
            )
        return reader.finish(strings)

    # the parts

    def _info(self, name: str) -> zipfile.ZipInfo:
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise TableFileError("forms.table.not_table", detail=f"no {name}") from None
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise TableFileError("forms.table.not_table", detail="compression")
        return info

    def _chunks(self, name: str) -> Iterator[bytes]:
        """The part inflated in chunks; zipfile stops at the declared size and checks the CRC."""
        with self.archive.open(self._info(name)) as stream:
            while chunk := stream.read(CHUNK):
                yield chunk

    def _small(
        self,
        name: str,
        start: Callable[[str, dict[str, str]], None],
        end: Callable[[str], None] | None = None,
        *,
        optional: bool = False,
    ) -> None:
        """Parse a small part whole (relationships, workbook, styles)."""
        if optional and name not in self.archive.NameToInfo:
            return
        info = self._info(name)
        if info.file_size > MAX_PART_BYTES:
            raise TableFileError("forms.table.not_table", detail=f"{name} too big")
        data = self.archive.read(info)
        scan = _Scan(())
        scan.feed(data)
        if scan.marks > MAX_PART_MARKS:
            raise TableFileError("forms.table.not_table", detail=f"{name}: {scan.marks} tags")
        parser = _parser()
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        _feed(parser, (data,))

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Id -> (kind, target part) of a part's relationships (kinds we read only)."""
        folder, base = posixpath.split(part)
        out: dict[str, tuple[str, str]] = {}

        def start(name: str, attrs: dict[str, str]) -> None:
            if name != f"{_PKG_REL_NS} Relationship" or attrs.get("TargetMode") == "External":
                return
            kind = _REL_TYPE.search(attrs.get("Type", ""))
            target = attrs.get("Target", "")
            if kind and target:
                path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
                out[attrs.get("Id", "")] = (kind.group(1), posixpath.normpath(path))

        self._small(posixpath.join(folder, "_rels", base + ".rels"), start, optional=True)
        return out

    def _workbook(self, part: str) -> tuple[list[str], bool]:
        """Relationship ids of the sheets in tab order, and whether dates count from 1904."""
        names = _names("sheet", "workbookPr")
        sheets: list[str] = []
        date1904 = [False]

        def start(name: str, attrs: dict[str, str]) -> None:
            local = names.get(name)
            if local == "sheet":
                rid = next((v for k, v in attrs.items() if k.endswith("relationships id")), "")
                sheets.append(rid)
            elif local == "workbookPr":
                date1904[0] = attrs.get("date1904", "").lower() in ("1", "true")

        self._small(part, start)
        return sheets, date1904[0]

    def _styles(self, part: str) -> tuple[frozenset[int], frozenset[int]]:
        """Style indexes (cellXfs) whose number format is a date, and a duration."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

        names = _names("numFmt", "cellXfs", "xf")
        formats: dict[int, str] = {}
        xfs: list[int] = []
        inside = [False]  # in cellXfs (not cellStyleXfs)

        def start(name: str, attrs: dict[str, str]) -> None:
            local = names.get(name)
            if local == "numFmt":
                formats[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                inside[0] = True
            elif local == "xf" and inside[0]:
                xfs.append(int(attrs.get("numFmtId", "0")))

        def end(name: str) -> None:
            if names.get(name) == "cellXfs":
                inside[0] = False

        self._small(part, start, end, optional=True)
        codes = [formats.get(i, BUILTIN_FORMATS.get(i)) for i in xfs]
        dates = frozenset(i for i, code in enumerate(codes) if is_date_format(code))
        spans = frozenset(i for i in dates if is_timedelta_format(codes[i]))
        return dates, spans

    def _scan_sheet(self, part: str) -> None:
        """The cell and row budgets, before any Python-level parse: cells (formatted empty
        ones included) and rows counted at C speed, other markup held to what they need."""
        limits = self.limits
        scan = _Scan((b"c", b"row"))
        most = MARKS_PER_CELL * limits.cells + MARKS_PER_ROW * limits.row_limit + MARKS_EXTRA
        for chunk in self._chunks(part):
            scan.feed(chunk)
            if scan.counts[b"c"] > limits.cells or scan.marks > most:
                if scan.counts[b"row"] > limits.row_limit:
                    raise limits.too_many_rows(scan.counts[b"row"])
                raise TableFileError("forms.table.too_many_cells", max=limits.cells)
        cells, rows = scan.counts[b"c"], scan.counts[b"row"]
        if rows > limits.row_limit:
            raise limits.too_many_rows(rows)
        if scan.marks > MARKS_PER_CELL * cells + MARKS_PER_ROW * rows + MARKS_EXTRA:
            raise TableFileError("forms.table.not_table", detail=f"{scan.marks} tags")

    def _shared_strings(self, part: str, reader: _SheetReader) -> dict[int, str]:
        """The strings the sheet uses, after the same kind of budget (every sheet's strings
        are in this table, so it gets at least ``MIN_SHARED_STRINGS``)."""
        budget = self.limits.strings
        scan = _Scan((b"si",))
        for chunk in self._chunks(part):
            scan.feed(chunk)
            if scan.counts[b"si"] > budget or scan.marks > MARKS_PER_STRING * budget:
                raise TableFileError("forms.table.too_many_cells", max=budget)
        if scan.marks > MARKS_PER_STRING * scan.counts[b"si"] + MARKS_EXTRA:
            raise TableFileError("forms.table.not_table", detail=f"{scan.marks} tags")
        return _read_strings(self._chunks(part), reader.refs)


# -- XLSX: the sheet ------------------------------------------------------------------------------


class _Ref:
    """A shared-string cell, resolved once the strings the sheet uses are read."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


_COLUMNS: dict[str, int] = {}


def _column(ref: str) -> int:
    """'AB12' -> 28 (1-based); refuses anything beyond XFD."""
    letters = ref.rstrip("0123456789")
    number = _COLUMNS.get(letters)
    if number is None:
        if not (0 < len(letters) <= 3 and letters.isascii() and letters.isalpha()):
            raise ValueError(f"cell reference {ref[:20]!r}")
        number = 0
        for ch in letters.upper():
            number = number * 26 + ord(ch) - 64
        if number > 16_384:
            raise ValueError(f"cell reference {ref[:20]!r}")
        _COLUMNS[letters] = number
    return number


_XSTRING = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape_char(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    if code == 0 or 0xD800 <= code <= 0xDFFF:
        return match.group(0)
    return chr(code)


def _xstring(text: str) -> str:
    """Excel's escapes (``_x000D_`` for CR, ``_x005F_`` for '_') decoded; NFC."""
    if "_x" in text:
        text = _XSTRING.sub(_unescape_char, text)
    return unicodedata.normalize("NFC", text)


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        value = float(text)  # ValueError: the file is damaged
    return int(value) if value.is_integer() else value


class _SheetReader:
    """The cells of one worksheet's XML (``sheetData``), streamed through expat."""

    def __init__(
        self, limits: _Limits, dates: frozenset[int], spans: frozenset[int], epoch: datetime
    ) -> None:
        self.limits = limits
        self.dates = dates
        self.spans = spans
        self.epoch = epoch
        self.rows: list[list[Any]] = []
        self.refs: dict[int, _Ref] = {}
        self.last = 0  # number of the last non-empty row, stored or not

    def read(self, chunks: Iterable[bytes]) -> None:  # noqa: C901 - expat's three handlers
        """Parse the sheet. The handlers are closures over plain locals: they run for every
        element, so each saved attribute lookup counts."""
        limits, refs, rows, dates = self.limits, self.refs, self.rows, self.dates
        width, keep = limits.max_columns, limits.max_rows + 1
        names = _LocalNames("row", "c", "v", "is", "t", "rPh", "sheetData")
        columns = _COLUMNS
        row: list[Any] = []
        number = col = style = 0
        kind = "n"
        in_row = collect = in_rph = False
        value = ""  # text of <v>, or of the <t> being read in an inline string
        inline: list[str] | None = None

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal row, number, col, style, kind, in_row, collect, in_rph, value, inline
            tag = names[name]
            if tag == "c":
                if in_row:
                    ref = attrs.get("r")
                    if ref:
                        col = columns.get(ref.rstrip("0123456789")) or _column(ref)
                    else:
                        col += 1
                    kind = attrs.get("t", "n")
                    s = attrs.get("s")
                    style = int(s) if s else 0
                    value = ""
                    inline = None
            elif tag == "v":
                collect, value = True, ""
            elif tag == "row":
                r = attrs.get("r")
                n = int(r) if r else number + 1
                if not number < n <= 1_048_576:
                    raise ValueError(f"row {n} after row {number}")
                number, row, col, in_row = n, [], 0, True
            elif tag == "is":
                inline = []
            elif tag == "t":
                if inline is not None and not in_rph:
                    collect, value = True, ""
            elif tag == "rPh":
                in_rph = True

        def data(text: str) -> None:
            nonlocal value
            if collect:
                value += text
                if len(value) > MAX_CELL_CHARS:
                    raise ValueError("cell text too long")

        def end(name: str) -> None:
            nonlocal collect, in_row, in_rph, value
            tag = names[name]
            if tag == "c":
                if not in_row:
                    return
                cell: Any
                if kind == "inlineStr":
                    cell = _xstring("".join(inline)) if inline else ""
                elif not value:
                    cell = ""
                elif kind == "s":
                    index = int(value)
                    cell = refs.get(index)
                    if cell is None:
                        if index < 0:
                            raise ValueError("shared string index")
                        cell = refs[index] = _Ref(index)
                elif kind == "n":
                    try:
                        cell = int(value)  # _number, inlined: most cells are integers
                    except ValueError:
                        cell = _number(value)
                    if style and style in dates:
                        cell = self._date(cell, style)
                else:
                    cell = self._other(kind, value)
                n = len(row)
                if col == n + 1:
                    if col <= width:
                        row.append(cell)
                    elif not _blank(cell):
                        raise limits.too_wide(col)
                elif col <= n:
                    row[col - 1] = cell
                elif col <= width:
                    if cell != "":
                        row.extend([""] * (col - 1 - n))
                        row.append(cell)
                elif not _blank(cell):
                    raise limits.too_wide(col)
            elif tag == "v":
                collect = False
            elif tag == "row":
                in_row = False
                while row and _blank(row[-1]):
                    row.pop()
                if row:
                    self.last = number
                    if number <= keep:
                        if number > len(rows) + 1:
                            rows.extend([] for _ in range(number - 1 - len(rows)))
                        rows.append(row)
            elif tag == "t":
                if collect and inline is not None:
                    inline.append(value)
                    collect = False
            elif tag == "rPh":
                in_rph = False
            elif tag == "sheetData":
                raise _Stop

        parser = _parser(namespaces=False)
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = data
        _feed(parser, chunks)

    def _other(self, kind: str, text: str) -> object:
        if kind == "b":
            return text.strip().lower() in ("1", "true")
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return from_ISO8601(text)
        return _xstring(text)  # str (a formula's text), e (an error such as #N/A), newer kinds

    def _date(self, number: float, style: int) -> object:
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(number, self.epoch, timedelta=style in self.spans)
        except (OverflowError, ValueError):
            return "#VALUE!"  # as openpyxl: a date serial out of range

    def finish(self, strings: dict[int, str]) -> list[list[object]]:
        """Shared strings put in place, rows trimmed again (a string may be blank), limits."""
        if self.last > self.limits.max_rows + 1:
            raise self.limits.too_many_rows(self.last)
        rows = self.rows
        if strings:
            for i, row in enumerate(rows):
                rows[i] = _trim([strings[v.index] if v.__class__ is _Ref else v for v in row])
        while rows and not rows[-1]:
            rows.pop()
        return rows


def _read_strings(chunks: Iterable[bytes], wanted: dict[int, _Ref]) -> dict[int, str]:
    """The shared strings the sheet uses (text of ``t`` elements, phonetic runs left out),
    read up to the last one needed. Between wanted strings only a start handler runs: expat
    calls no Python code for their end tags and text."""
    names = _LocalNames("si", "t", "rPh")
    last = max(wanted)
    out: dict[int, str] = {}
    index = -1
    parts: list[str] = []
    text = ""
    collect = in_rph = False
    parser = _parser(namespaces=False)

    def skip(name: str, attrs: dict[str, str]) -> None:
        nonlocal index, parts
        if names[name] == "si":
            index += 1
            if index in wanted:
                parts = []
                parser.StartElementHandler = start
                parser.EndElementHandler = end
                parser.CharacterDataHandler = data

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal collect, in_rph, text
        tag = names[name]
        if tag == "t":
            if not in_rph:
                collect, text = True, ""
        elif tag == "rPh":
            in_rph = True
        elif tag == "si":
            raise ValueError("si inside si")

    def data(chunk: str) -> None:
        nonlocal text
        if collect:
            text += chunk
            if len(text) > MAX_CELL_CHARS:
                raise ValueError("shared string too long")

    def end(name: str) -> None:
        nonlocal collect, in_rph
        tag = names[name]
        if tag == "t":
            if collect:
                parts.append(text)
                collect = False
        elif tag == "rPh":
            in_rph = False
        elif tag == "si":
            out[index] = _xstring("".join(parts))
            if index >= last:
                raise _Stop
            parser.StartElementHandler = skip
            parser.EndElementHandler = None
            parser.CharacterDataHandler = None

    parser.StartElementHandler = skip
    _feed(parser, chunks)
    if len(out) < len(wanted):
        raise ValueError("shared string index beyond the table")
    return out


# -- writing --------------------------------------------------------------------------------------

TEXT_FORMAT_ROWS = 500
"""Rows of a text column formatted as text ('@') in a workbook, data rows or not, so IDs typed
into a template keep their leading zeros."""


def _plain(value: object) -> object:
    """A value both writers take: aware datetimes in Vietnam time (Excel has no time zone)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        from core.clock import LOCAL_TZ

        return value.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """CSV UTF-8 with BOM (opens correctly in Excel); every text cell starting with
    = + - @ TAB CR is neutralised with a leading apostrophe (core.text.formula_safe) — a phone
    typed as +84905123456 too. NUL characters are dropped (no reader takes them back)."""

    def cell(value: object) -> object:
        value = _plain(value)
        if value is None:
            return ""
        if isinstance(value, str):
            return formula_safe(value.replace("\x00", ""))
        return value

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([cell(h) for h in header])
    writer.writerows([cell(v) for v in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class Sheet:
    """One sheet of ``xlsx_bytes``: a header row, data rows, the 0-based columns formatted as
    text ('@', for IDs and phones), and column widths in characters (None: from the content)."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    text_columns: AbstractSet[int] = frozenset()
    widths: Sequence[float] | None = None


_TITLE_CHARS = re.compile(r"[\\/*?:\[\]]")
_XML_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff\ud800-\udfff]|_(?=x[0-9A-Fa-f]{4}_)"
)


def _escape_xml_char(match: re.Match[str]) -> str:
    ch = match.group(0)
    if ch == "\x00":
        return ""
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    return f"_x{ord(ch):04X}_"


def _xlsx_value(value: object) -> object:
    """A cell value openpyxl stores as itself: text formula-safe, with what XML cannot carry
    (control characters, CR) written as Excel's ``_xHHHH_`` escapes and a literal ``_xHHHH_``
    protected the same way; NUL dropped, surrogates replaced; integers of 16 digits or more and
    other types as their text."""
    value = _plain(value)
    if isinstance(value, str):
        value = formula_safe(value)
        if "_x" in value or not value.isprintable():
            value = _XML_UNSAFE.sub(_escape_xml_char, value)
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return str(value)  # Excel keeps 15 digits: 16 or more are kept as text
    if value is None or isinstance(value, int | float | date | time):
        return value
    return str(value)  # Decimal, timedelta, objects: as the text they show


def _titles(sheets: Sequence[Sheet]) -> list[str]:
    """Sheet titles Excel accepts: no \\ / * ? : [ ], at most 31 characters, unique."""
    out: list[str] = []
    for i, sheet in enumerate(sheets, 1):
        base = _TITLE_CHARS.sub("-", sheet.title).strip("' ")[:31] or f"Sheet{i}"
        title, n = base, 1
        while title.casefold() in {t.casefold() for t in out}:
            n += 1
            title = f"{base[: 30 - len(str(n))]}-{n}"
        out.append(title)
    return out


def _width(sheet: Sheet, col: int) -> float:
    sample = [sheet.header[col], *(r[col] for r in sheet.rows[:200] if col < len(r))]
    longest = max((len(str(v)) for v in sample if v is not None), default=0)
    return float(min(max(longest + 2, 8), 60))


def _write_sheet(ws: Any, sheet: Sheet) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for col in range(len(sheet.header)):
        given = sheet.widths[col] if sheet.widths and col < len(sheet.widths) else None
        width = given if given is not None else _width(sheet, col)
        ws.column_dimensions[get_column_letter(col + 1)].width = width
    ws.freeze_panes = "A2"

    def styled(value: object, **style: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # a string is never a formula, whatever it starts with
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    bold = Font(bold=True)
    ws.append([styled(_xlsx_value(h), font=bold) for h in sheet.header])
    text = sheet.text_columns
    for row in sheet.rows:
        values = [_xlsx_value(v) for v in row]
        if text:
            values = [
                styled(v, number_format="@") if i in text else v for i, v in enumerate(values)
            ]
        ws.append(values)
    if text:
        blank = [
            styled(None, number_format="@") if i in text else None for i in range(max(text) + 1)
        ]
        for _ in range(len(sheet.rows), TEXT_FORMAT_ROWS):
            ws.append(blank)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook, one sheet per ``Sheet`` (titles made valid for Excel): the header in
    bold and frozen, text columns formatted as text ('@') on the data rows and down to row
    ``TEXT_FORMAT_ROWS`` + 1. Formula-safe like ``csv_bytes``; strings are stored as strings,
    never formulas."""
    from openpyxl import Workbook

    if not sheets:
        raise ValueError("a workbook needs a sheet")
    book = Workbook(write_only=True)
    for sheet, title in zip(sheets, _titles(sheets), strict=True):
        _write_sheet(book.create_sheet(title), sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
