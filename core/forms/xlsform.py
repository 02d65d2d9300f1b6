"""Forms from XLSForm workbooks: the ``survey``, ``choices`` and ``settings`` sheets.

Health and IT officers who know ODK/KoboToolbox write a form as a workbook; this module reads
the subset of XLSForm the forms core supports (authors' reference: docs/FORMS-XLSFORM.md) into
the same ``Form`` a developer writes in Python. Anything outside the subset is refused, and
every problem names its sheet, row and column: ``DefinitionError`` lists them all at once.

The file is treated as untrusted: its size, the size it inflates to, the rows, columns and
cells of each sheet read are bounded before openpyxl parses a sheet (``read_only=True``,
``data_only=True``: a formula gives the value the spreadsheet last computed, never its text).
Nothing in a workbook is executed; expressions are compiled by ``core.forms.expressions``.

A later feature builds whole apps from one workbook: ``Workbook.settings`` keeps every settings
column and ``Workbook.sheets`` gives the rows of any extra sheets asked for.
"""

from __future__ import annotations

import difflib
import io
import logging
import math
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from core.forms.choices import Choice, ChoiceList, fold
from core.forms.model import DefinitionError, Field, Form, Group, Origin, Problem
from core.forms.text import Text
from core.forms.types import TYPES

log = logging.getLogger(__name__)

MAX_BYTES = 5_000_000
"""Largest workbook file read."""
MAX_INFLATED = 50_000_000
"""Largest total size the workbook's zip members may inflate to (zip bombs)."""
MAX_ROWS = 2_000
"""Rows per sheet (spreadsheet rows, the header row included)."""
MAX_COLUMNS = 60
"""Columns per sheet."""
MAX_CELLS = 150_000
"""Rows and cells written in all the sheets' XML, formatted empty cells included (width
bombs); a full sheet of 2,000 rows by 60 columns has 122,000."""

WORKBOOK = "workbook"
"""The ``sheet`` of a problem with the whole file (not a zip, too large...)."""
LANGUAGES = ("vi", "en")

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"

SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "constraint",
    "constraint_message",
    "relevant",
    "default",
    "calculation",
    "choice_filter",
    "appearance",
    "parameters",
    "aliases",
)
SURVEY_TEXTS = frozenset({"label", "hint", "required_message", "constraint_message"})
"""Survey columns written once per language (``label::English (en)``)."""
GROUP_COLUMNS = frozenset({"type", "name", "label", "relevant", "appearance"})
CHOICES_COLUMNS = ("list_name", "name", "label")

TYPE_SPELLINGS: Mapping[str, str] = {
    "datetime": "datetime",  # XLSForm writes dateTime; types are matched ignoring case
    "select_one": "select_one",
    "select one": "select_one",
    "select_multiple": "select_multiple",
    "select multiple": "select_multiple",
    "select all that apply": "select_multiple",
    "begin_group": "begin_group",
    "begin group": "begin_group",
    "end_group": "end_group",
    "end group": "end_group",
}
"""XLSForm spellings of a type (lower case) -> ours; our own type names are accepted as such."""

_REPEAT = (
    "a form has no repeated groups: ask for each item in its own question, or use one form per item"
)
_LOCATION = "a form has no map locations: use 'select_one provinces' / 'select_one wards' or text"
_MEDIA = "a form takes no pictures, audio or video: use 'file' with parameters accept=jpg,png,pdf"
_META = "the platform records who sent a form and when by itself"
_FROM_FILE = "put the choices on the choices sheet"
_EXTERNAL = "a form reads no outside data"
UNSUPPORTED_TYPES: Mapping[str, str] = {
    "begin_repeat": _REPEAT,
    "begin repeat": _REPEAT,
    "end_repeat": _REPEAT,
    "end repeat": _REPEAT,
    "begin_loop": _REPEAT,
    "begin loop": _REPEAT,
    "end_loop": _REPEAT,
    "end loop": _REPEAT,
    "geopoint": _LOCATION,
    "geotrace": _LOCATION,
    "geoshape": _LOCATION,
    "osm": _LOCATION,
    "image": _MEDIA,
    "photo": _MEDIA,
    "audio": _MEDIA,
    "video": _MEDIA,
    "background-audio": _MEDIA,
    "background-video": _MEDIA,
    "barcode": "use text",
    "select_one_from_file": _FROM_FILE,
    "select one from file": _FROM_FILE,
    "select_multiple_from_file": _FROM_FILE,
    "select multiple from file": _FROM_FILE,
    "select_one_external": _FROM_FILE,
    "rank": "use select_multiple",
    "range": "use integer or decimal with parameters min=... max=...",
    "trigger": "use acknowledge",
    "hidden": "use calculate",
    "xml-external": _EXTERNAL,
    "csv-external": _EXTERNAL,
    "entity": _EXTERNAL,
    "table": "table uploads exist only in forms written in Python",
    **dict.fromkeys(
        (
            "start",
            "end",
            "today",
            "deviceid",
            "imei",
            "subscriberid",
            "simserial",
            "phonenumber",
            "username",
            "email",
            "audit",
            "start-geopoint",
        ),
        _META,
    ),
}
"""XLSForm types the forms core does not support (lower case) -> what to do instead."""

_MEDIA_COLUMN = "a form shows no pictures, audio or video"
_ODK_COLUMN = "ODK's own settings (bind::, body::, control::, instance::) have no meaning here"
_READ_ONLY = "use a note or a calculate row"
_UNSUPPORTED_COLUMNS: Mapping[str, str] = {
    "media": _MEDIA_COLUMN,
    "image": _MEDIA_COLUMN,
    "big-image": _MEDIA_COLUMN,
    "audio": _MEDIA_COLUMN,
    "video": _MEDIA_COLUMN,
    "bind": _ODK_COLUMN,
    "body": _ODK_COLUMN,
    "control": _ODK_COLUMN,
    "instance": _ODK_COLUMN,
    "read_only": _READ_ONLY,
    "readonly": _READ_ONLY,
    "repeat_count": _REPEAT,
    "jr:count": _REPEAT,
    "guidance_hint": "write the guidance in 'hint'",
    "trigger": "use an acknowledge question",
    "save_to": _EXTERNAL,
}
"""Survey/choices columns of XLSForm the forms core does not support -> why, or what instead."""

_LANGUAGE_NAMES = {
    "vi": "vi",
    "en": "en",
    "vietnamese": "vi",
    "tieng viet": "vi",
    "english": "en",
    "tieng anh": "en",
}
_LANGUAGE_CODE = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*\)\s*$")
_LIST_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,63}")
_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_INT_TEXT = re.compile(r"[+-]?\d{1,15}")
_DEC_TEXT = re.compile(r"[+-]?\d{0,15}\.\d{1,15}")
_TRUE = frozenset({"yes", "true", "true()", "1"})
_FALSE = frozenset({"no", "false", "false()", "0"})
_NUMBER_LIMIT = 1e15


@dataclass(frozen=True)
class Workbook:
    """A loaded workbook: its form, its settings and the extra sheets asked for."""

    form: Form
    settings: dict[str, str]
    """The settings sheet's first data row as text, keyed by header in lower case (a key is
    present when its cell has a value): ``form_id``, ``version``, and any other column."""
    sheets: dict[str, list[dict[str, Any]]]
    """Extra sheets asked for that the workbook has, by the name asked for: rows as
    ``{header in lower case: value}`` (``None`` for an empty cell) with a ``"__row__"`` key, the
    spreadsheet row number."""


def load_xlsform(
    source: bytes | str | Path,
    *,
    extra_sheets: Collection[str] = (),
    table: str | None = None,
) -> Workbook:
    """Read an XLSForm workbook (bytes, or the path of a ``.xlsx`` file) into a ``Form``.

    Raises ``DefinitionError`` listing every problem found, each with sheet, row and column;
    nothing is written anywhere. ``table``: the storage table of the form (``Form.table``).
    """
    data = _read_source(source)
    book = _Book.open(data)
    try:
        return _Loader(book, extra_sheets, table).load()
    finally:
        book.close()


def form_from_xlsform(source: bytes | str | Path, **kw: Any) -> Form:
    """The form of an XLSForm workbook (see ``load_xlsform``)."""
    return load_xlsform(source, **kw).form


# -- the file --------------------------------------------------------------------------------------


def _refuse(message: str) -> DefinitionError:
    return DefinitionError([Problem(WORKBOOK, None, None, message)])


def _read_source(source: bytes | str | Path) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | Path):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise _refuse(_too_big(path.stat().st_size))
            with path.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise _refuse(f"cannot open the file '{path.name}': {exc.strerror or exc}") from None
    else:
        raise TypeError(f"an XLSForm is bytes or a path, not {type(source).__name__}")
    if len(data) > MAX_BYTES:
        raise _refuse(_too_big(len(data)))
    return data


def _too_big(size: int) -> str:
    limit = MAX_BYTES // 1_000_000
    return f"the file is {size / 1e6:.1f} MB; a form workbook may be at most {limit} MB"


_DAMAGED = "the file is damaged or is not an Excel workbook (.xlsx)"


@dataclass(frozen=True)
class _Scan:
    """What the budget scan found in one sheet's XML."""

    elements: int
    """Rows and cells written (capped a little over ``MAX_CELLS``)."""
    beyond: Problem | None
    """The first value beyond ``MAX_ROWS`` or ``MAX_COLUMNS``."""


class _Book:
    """An opened workbook: openpyxl's read-only view, after the budget scan of every sheet."""

    def __init__(self, workbook: Any, scans: dict[str, _Scan]) -> None:
        self.workbook = workbook
        self.scans = scans
        self.titles: dict[str, str] = {_sheet_key(t): t for t in workbook.sheetnames}

    @classmethod
    def open(cls, data: bytes) -> _Book:
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise _refuse(
                "this is an old Excel .xls file: open it in Excel or LibreOffice and save it "
                "as .xlsx"
            )
        if not data.startswith(b"PK"):
            raise _refuse("this is not an Excel workbook (.xlsx): save the form as .xlsx")
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                inflated = sum(info.file_size for info in archive.infolist())
                if inflated > MAX_INFLATED:
                    raise _refuse(
                        f"the workbook unpacks to more than {MAX_INFLATED // 1_000_000} MB: "
                        "remove pictures and unused sheets"
                    )
                scans = _scan_sheets(data, archive)
        except DefinitionError:
            raise
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            NotImplementedError,  # a zip feature Python cannot read ("zip file version 6.4")
            OSError,
            EOFError,
            ValueError,
            zlib.error,
        ):
            raise _refuse(_DAMAGED) from None
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
        except Exception as exc:  # openpyxl raises many kinds on a malformed file
            log.info("xlsform: openpyxl refused the workbook: %r", exc)
            raise _refuse(_DAMAGED) from None
        return cls(workbook, scans)

    def close(self) -> None:
        try:
            self.workbook.close()
        except Exception:  # closing a damaged archive must not hide the real result
            log.debug("xlsform: closing the workbook failed", exc_info=True)

    def title(self, name: str) -> str | None:
        """The sheet's title as written in the workbook, matched ignoring case and spaces."""
        return self.titles.get(_sheet_key(name))

    def rows(self, title: str, problems: list[Problem]) -> list[tuple[int, list[Any]]] | None:
        """The non-blank rows of a sheet as (spreadsheet row, cleaned cells), or None (with a
        problem) when the sheet has values beyond the limits or cannot be read."""
        scan = self.scans.get(title)
        if scan is not None and scan.beyond is not None:
            problems.append(scan.beyond)
            return None
        out: list[tuple[int, list[Any]]] = []
        try:
            sheet = self.workbook[title]
            # openpyxl reads no further than this, and the scan counted the cells before it
            rows = sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True)
            for number, values in enumerate(rows, start=1):
                cells = [_clean(v) for v in values]
                while cells and cells[-1] is None:
                    cells.pop()
                if cells:
                    out.append((number, cells))
        except Exception as exc:  # openpyxl on a malformed sheet
            log.info("xlsform: cannot read sheet %r: %r", title, exc)
            problems.append(Problem(title, None, None, "this sheet is damaged and cannot be read"))
            return None
        return out


def _sheet_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(name)).split()).casefold()


def _scan_sheets(data: bytes, archive: zipfile.ZipFile) -> dict[str, _Scan]:
    """Scan every worksheet's XML (openpyxl parses each one when it opens the workbook, all of
    it when it has no ``<dimension>``): refuse a workbook over the cell budget, and note the
    values beyond the row and column limits of each sheet."""
    from openpyxl.reader.excel import ExcelReader

    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        reader.read_manifest()
        reader.read_workbook()  # workbook.xml and its relationships only: small
        parts = [
            (sheet.name, rel.target)
            for sheet, rel in reader.parser.find_sheets()
            if "chartsheet" not in (rel.Type or "")
        ]
    except Exception as exc:  # openpyxl raises many kinds on a malformed file
        log.info("xlsform: openpyxl cannot list the sheets: %r", exc)
        raise _refuse(_DAMAGED) from None
    scans: dict[str, _Scan] = {}
    total = 0
    for title, member in parts:
        name = str(member).lstrip("/")
        if name not in archive.NameToInfo:
            continue  # openpyxl skips it too
        try:
            xml = archive.read(name)
        except Exception as exc:  # zipfile: bad CRC, encrypted, unknown compression, zlib...
            log.info("xlsform: cannot unpack %r: %r", name, exc)
            raise _refuse(_DAMAGED) from None
        scan = _scan_budget(xml, str(title), MAX_CELLS - total)
        scans[str(title)] = scan
        total += scan.elements
        if total > MAX_CELLS:
            raise DefinitionError(
                [
                    Problem(
                        str(title),
                        None,
                        None,
                        f"the workbook's sheets hold more than {MAX_CELLS:,} cells: delete the "
                        "unused rows, columns and sheets (formatted empty cells count too)",
                    )
                ]
            )
    return scans


_XML_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)\b([^>]*?)(/?)>")
_XML_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]{0,3})(\d{0,9})["']""")


def _scan_budget(xml: bytes, title: str, budget: int) -> _Scan:
    """Count the rows and cells written in a sheet's XML (stopping past ``budget``) and find
    the first value beyond the row and column limits, before openpyxl parses it: a sheet of
    16,384 styled cells a row would cost openpyxl minutes. Cells are placed as openpyxl places
    them: by their ``r`` reference, else after the previous one."""
    row = col = elements = 0
    beyond: Problem | None = None
    for m in _XML_TAG.finditer(xml):
        elements += 1
        if elements > budget:
            break
        tag, attrs, closed = m.groups()
        ref = _XML_REF.search(attrs)
        if tag == b"row":
            row = int(ref[2]) if ref and ref[2] else row + 1
            col = 0
            continue
        if ref and ref[1]:
            col = _column_index(ref[1].decode())
            row = int(ref[2]) if ref[2] else row
        else:
            col += 1
        if beyond is not None or closed or xml.startswith(b"</", m.end()):
            continue  # already found, or an empty (formatted) cell
        if row > MAX_ROWS:
            beyond = Problem(
                title,
                row,
                None,
                f"a sheet may have at most {MAX_ROWS:,} rows; row {row:,} has a value",
            )
        elif col > MAX_COLUMNS:
            letter = _letter(col)
            beyond = Problem(
                title,
                row,
                letter,
                f"a sheet may have at most {MAX_COLUMNS} columns (A to {_letter(MAX_COLUMNS)}); "
                f"cell {letter}{row} has a value",
            )
    return _Scan(elements, beyond)


def _column_index(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def _letter(index: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    out = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


# -- cells -----------------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """A cell as read: text stripped and NFC (empty -> None), integral numbers as ints."""
    if value is None:
        return None
    if isinstance(value, str):
        text = unicodedata.normalize("NFC", value).strip()
        return text or None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _NUMBER_LIMIT:
            return int(value)
        return value
    if isinstance(value, int | date | time):
        return value
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def _text(value: Any) -> str:
    """A cell where text is expected: the number, date or truth value as a spreadsheet shows it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# -- headers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    index: int
    header: str
    key: str
    """The header's base in lower case with '_' for spaces (``constraint_message``)."""
    language: str | None = None

    @property
    def letter(self) -> str:
        return _letter(self.index + 1)


def _base_key(text: str) -> str:
    return "_".join(text.casefold().split())


def _language(text: str) -> str:
    """``English (en)``, ``en``, ``Tiếng Việt (vi)``, ``Vietnamese`` -> the code (lower case);
    any other text -> itself in lower case (not a supported language)."""
    m = _LANGUAGE_CODE.search(text)
    if m:
        return m[1].casefold()
    folded = fold(text)
    return _LANGUAGE_NAMES.get(folded, folded)


@dataclass
class _Sheet:
    """A sheet read: its title, header row and data rows."""

    title: str
    header_row: int
    columns: list[_Column]
    rows: list[tuple[int, dict[tuple[str, str | None], Any]]]


_Classify = Callable[["_Loader", str, int, int, str], "_Column | None"]
"""How a sheet's header is understood: (loader, sheet, row, index, header) -> its column."""


class _Loader:
    """One reading of a workbook: collects every problem, then builds the form."""

    def __init__(self, book: _Book, extra_sheets: Collection[str], table: str | None) -> None:
        self.book = book
        self.extra_sheets = list(extra_sheets)
        self.table = table
        self.problems: list[Problem] = []
        self.language = "vi"
        self._titles: dict[str, str] = {}

    def problem(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message))

    # -- the whole workbook ----------------------------------------------------------------

    def load(self) -> Workbook:
        settings, settings_row = self._settings()
        form_id = settings.get("form_id", "")
        survey_title = self.book.title(SURVEY)
        items: list[Field | Group] | None = None
        if survey_title is None:
            sheets = ", ".join(f"'{t}'" for t in self.book.workbook.sheetnames)
            self.problem(
                SURVEY, None, None, f"the workbook has no 'survey' sheet (its sheets: {sheets})"
            )
        else:
            survey = self._sheet(survey_title, _survey_column)
            if survey is not None:
                items = self._survey(survey)
        lists = self._choices()
        sheets = self._extra_sheets()
        titles = {
            SURVEY: survey_title or SURVEY,
            CHOICES: self.book.title(CHOICES) or CHOICES,
            SETTINGS: self.book.title(SETTINGS) or SETTINGS,
        }
        form: Form | None = None
        if items is not None and lists is not None:
            try:
                form = Form(
                    form_id or "form",  # a missing form_id is already a problem
                    self._title(form_id),
                    items,
                    choices=lists,
                    table=self.table,
                    version=settings.get("version", "1"),
                    settings=settings,
                    source="xlsform",
                )
            except DefinitionError as exc:
                for p in exc.problems:
                    if p.sheet in titles:
                        p = replace(p, sheet=titles[p.sheet])
                    if p.sheet == titles[SETTINGS] and p.row is None:
                        p = replace(p, row=settings_row)
                    self.problems.append(p)
        if self.problems or form is None:
            raise DefinitionError(self._sorted(titles))
        return Workbook(form=form, settings=settings, sheets=sheets)

    def _sorted(self, titles: dict[str, str]) -> list[Problem]:
        order = {WORKBOOK: 0, titles[SURVEY]: 1, titles[CHOICES]: 2, titles[SETTINGS]: 3}
        unique = list(dict.fromkeys(self.problems))
        return sorted(unique, key=lambda p: (order.get(p.sheet, 4), p.row or 0))

    def _title(self, form_id: str) -> Text:
        """The form_title columns; the form_id when there are none (as pyxform does)."""
        vi, en = self._titles.get("vi", ""), self._titles.get("en", "")
        return Text(vi, en) if vi or en else Text(form_id, form_id)

    # -- reading a sheet -------------------------------------------------------------------

    def _sheet(self, title: str, classify: _Classify) -> _Sheet | None:
        """Read a sheet: the first non-blank row is the header; ``classify(loader, sheet, row,
        index, header)`` -> the column, or None when it is refused (with a problem)."""
        rows = self.book.rows(title, self.problems)
        if rows is None:
            return None
        if not rows:
            return _Sheet(title, 1, [], [])
        header_row, header = rows[0]
        columns: list[_Column] = []
        seen: dict[tuple[str, str | None], _Column] = {}
        for index, cell in enumerate(header):
            text = _text(cell)
            if not text:
                continue
            column = classify(self, title, header_row, index, text)
            if column is None:
                continue
            slot = (column.key, column.language)
            if slot in seen:
                first = seen[slot]
                plain = "::" not in first.header or "::" not in column.header
                also = (
                    f" (plain '{column.key}' is the default language, {self.language})"
                    if column.language and plain
                    else ""
                )
                self.problem(
                    title,
                    header_row,
                    column.header,
                    f"column {column.letter} repeats column {first.letter} '{first.header}'{also}",
                )
                continue
            seen[slot] = column
            columns.append(column)
        known = {c.index: c for c in columns}
        headed = {i for i, cell in enumerate(header) if _text(cell)}
        orphans: set[int] = set()
        data: list[tuple[int, dict[tuple[str, str | None], Any]]] = []
        for number, cells in rows[1:]:
            values: dict[tuple[str, str | None], Any] = {}
            for index, value in enumerate(cells):
                if value is None:
                    continue
                column = known.get(index)
                if column is not None:
                    values[(column.key, column.language)] = value
                elif index not in headed and index not in orphans:
                    orphans.add(index)
                    self.problem(
                        title,
                        number,
                        _letter(index + 1),
                        f"cell {_letter(index + 1)}{number} has a value but its column has no "
                        "header: add the header or clear the column",
                    )
            if values:
                data.append((number, values))
        return _Sheet(title, header_row, columns, data)

    # -- settings --------------------------------------------------------------------------

    def _settings(self) -> tuple[dict[str, str], int | None]:
        """The settings row as text, and its row number; sets the default language and the
        form's titles."""
        title = self.book.title(SETTINGS)
        if title is None:
            self.problem(
                SETTINGS,
                None,
                "form_id",
                "the workbook has no 'settings' sheet: add one with a form_id column",
            )
            return {}, None
        sheet = self._sheet(title, _settings_column)
        if sheet is None:
            return {}, None
        if not sheet.rows:
            row = sheet.header_row + 1
            self.problem(title, row, "form_id", "the settings sheet needs a row with the form_id")
            return {}, row
        row, values = sheet.rows[0]
        by_slot = {(c.key, c.language): c for c in sheet.columns}
        settings = {_settings_key(by_slot[slot].header): _text(v) for slot, v in values.items()}
        language = values.get(("default_language", None))
        if language is not None:
            code = _language(_text(language))
            if code in LANGUAGES:
                self.language = code
            else:
                self.problem(
                    title,
                    row,
                    "default_language",
                    f"'{_text(language)}' is not a supported language: write vi or en",
                )
        for (key, lang), value in values.items():
            if key == "form_title" and lang is not None:
                self._titles[lang] = _text(value)
        plain = values.get(("form_title", None))
        if plain is not None:
            if self.language in self._titles:
                self.problem(
                    title,
                    row,
                    "form_title",
                    f"both 'form_title' and a form_title::... column give the {self.language} "
                    "title (plain form_title is the default language)",
                )
            self._titles[self.language] = _text(plain)
        if not settings.get("form_id"):
            self.problem(title, row, "form_id", "the form_id is empty (e.g. to_khai_y_te)")
        return settings, row

    # -- survey -----------------------------------------------------------------------------

    def _survey(self, sheet: _Sheet) -> list[Field | Group] | None:
        present = {c.key for c in sheet.columns}
        if not sheet.rows and not sheet.columns:
            self.problem(sheet.title, None, None, "the survey sheet is empty")
            return None
        for needed in ("type", "name"):
            if needed not in present:
                self.problem(
                    sheet.title, sheet.header_row, needed, f"the sheet has no '{needed}' column"
                )
        if not {"type", "name"} <= present:
            return None
        if not sheet.rows:
            self.problem(sheet.title, sheet.header_row + 1, None, "the survey has no questions")
            return None
        top: list[Field | Group] = []
        stack: list[tuple[int, dict[tuple[str, str | None], Any], list[Field | Group]]] = []
        for number, values in sheet.rows:
            item = self._survey_row(sheet.title, number, values)
            if item == "begin":
                stack.append((number, values, []))
            elif item == "end":
                if not stack:
                    self.problem(
                        sheet.title, number, "type", "'end_group' without a 'begin_group' above it"
                    )
                    continue
                begun, head, inner = stack.pop()
                group = self._group(sheet.title, begun, head, inner, number, values)
                (stack[-1][2] if stack else top).append(group)
            elif item is not None:
                (stack[-1][2] if stack else top).append(item)
        while stack:
            begun, head, inner = stack.pop()
            self.problem(
                sheet.title, begun, "type", "this group is never closed: add an 'end_group' row"
            )
            group = self._group(sheet.title, begun, head, inner, None, {})
            (stack[-1][2] if stack else top).append(group)
        return top

    def _texts(self, values: Mapping[tuple[str, str | None], Any], key: str) -> Text:
        return Text(_text(values.get((key, "vi"))), _text(values.get((key, "en"))))

    def _survey_row(
        self, sheet: str, number: int, values: dict[tuple[str, str | None], Any]
    ) -> Field | str | None:
        """A Field, "begin" or "end" (groups), or None for a row that cannot become a field."""
        type_text = " ".join(_text(values.get(("type", None))).split())
        name = _text(values.get(("name", None)))
        origin = Origin(sheet, number)
        if not type_text:
            self.problem(sheet, number, "type", "the type is empty")
            return self._stub(sheet, number, values) if name else None
        kind, detail = _resolve_type(type_text)
        if kind in ("begin", "end"):
            return kind
        if kind == "refused":
            self.problem(sheet, number, "type", f"'{type_text}' is not supported: {detail}")
            return self._stub(sheet, number, values) if name else None
        if kind == "unknown":
            self.problem(sheet, number, "type", detail)
            return self._stub(sheet, number, values) if name else None
        parameters = self._parameters(sheet, number, values.get(("parameters", None)))
        return Field(
            name=name,
            type=detail,
            label=self._texts(values, "label"),
            hint=self._texts(values, "hint"),
            required=self._required(values.get(("required", None))),
            required_message=self._texts(values, "required_message"),
            default=values.get(("default", None)),
            constraint=_text(values.get(("constraint", None))),
            constraint_message=self._texts(values, "constraint_message"),
            relevant=_text(values.get(("relevant", None))),
            calculation=_text(values.get(("calculation", None))),
            choice_filter=_text(values.get(("choice_filter", None))),
            appearance=_text(values.get(("appearance", None))),
            parameters=parameters,
            aliases=tuple(
                a.strip() for a in _text(values.get(("aliases", None))).split(";") if a.strip()
            ),
            origin=origin,
        )

    def _stub(self, sheet: str, number: int, values: dict[tuple[str, str | None], Any]) -> Field:
        """A plain text question in place of a refused row, so that the rest of the form is
        still checked (its relevance and constraint, and the references to it) without a
        second problem for the same row."""
        name = _text(values.get(("name", None)))
        label = self._texts(values, "label")
        return Field(
            name=name,
            type="text",
            label=label or Text(name or "?", name or "?"),
            required=self._required(values.get(("required", None))),
            constraint=_text(values.get(("constraint", None))),
            relevant=_text(values.get(("relevant", None))),
            origin=Origin(sheet, number),
        )

    def _group(
        self,
        sheet: str,
        begun: int,
        head: dict[tuple[str, str | None], Any],
        inner: list[Field | Group],
        ended: int | None,
        tail: dict[tuple[str, str | None], Any],
    ) -> Group:
        name = _text(head.get(("name", None)))
        for key, _lang in head:
            if key not in GROUP_COLUMNS:
                self.problem(
                    sheet,
                    begun,
                    key,
                    "a group row takes only name, label, relevant and appearance",
                )
        if ended is not None:
            end_name = _text(tail.get(("name", None)))
            if end_name and end_name != name:
                self.problem(
                    sheet,
                    ended,
                    "name",
                    f"this 'end_group' names '{end_name}' but closes the group '{name}' "
                    f"(row {begun})",
                )
            for key, _lang in tail:
                if key not in ("type", "name"):
                    self.problem(sheet, ended, key, "an 'end_group' row takes only type and name")
        return Group(
            name=name,
            label=self._texts(head, "label"),
            items=tuple(inner),
            relevant=_text(head.get(("relevant", None))),
            appearance=_text(head.get(("appearance", None))),
            origin=Origin(sheet, begun),
        )

    @staticmethod
    def _required(value: Any) -> bool | str:
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        text = _text(value)
        word = text.casefold()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        return text

    def _parameters(self, sheet: str, number: int, value: Any) -> dict[str, Any]:
        """``max_length=200 min=0`` (spaces or ';' between pairs) -> {key: int, float or text}."""
        if value is None:
            return {}
        text = re.sub(r"\s*([=,])\s*", r"\1", _text(value))
        out: dict[str, Any] = {}
        for pair in re.split(r"[\s;]+", text):
            if not pair:
                continue
            key, eq, raw = pair.partition("=")
            key = key.casefold()
            if not eq or not key or not raw:
                self.problem(
                    sheet,
                    number,
                    "parameters",
                    f"'{pair}' is not key=value (e.g. max_length=200 min=0)",
                )
                continue
            if key in out:
                self.problem(sheet, number, "parameters", f"the parameter '{key}' is given twice")
                continue
            parsed = _parameter_value(raw)
            if parsed is None:
                self.problem(
                    sheet, number, "parameters", f"'{pair}': the number is too large or not finite"
                )
                continue
            out[key] = parsed
        return out

    # -- choices ---------------------------------------------------------------------------

    def _choices(self) -> list[ChoiceList] | None:
        """The workbook's choice lists; None when the choices sheet cannot be read (then the
        form is not checked further: every select question would report a missing list)."""
        title = self.book.title(CHOICES)
        if title is None:
            return []
        sheet = self._sheet(title, _choices_column)
        if sheet is None:
            return None
        present = {c.key for c in sheet.columns}
        if sheet.rows:
            for needed in CHOICES_COLUMNS[:2]:
                if needed not in present:
                    self.problem(
                        title, sheet.header_row, needed, f"the sheet has no '{needed}' column"
                    )
            if not present >= set(CHOICES_COLUMNS[:2]):
                return None
        attrs = [c for c in sheet.columns if c.key not in CHOICES_COLUMNS]
        lists: dict[str, list[tuple[int, Choice]]] = {}
        for number, values in sheet.rows:
            list_name = _text(values.get(("list_name", None)))
            if not list_name:
                self.problem(title, number, "list_name", "the list_name is empty")
                continue
            if not _LIST_NAME.fullmatch(list_name):
                self.problem(
                    title,
                    number,
                    "list_name",
                    f"list name '{list_name}' must be one word of letters, digits, _ . or - "
                    "(at most 64)",
                )
                continue
            entries = lists.setdefault(list_name, [])
            choice = self._choice(title, number, list_name, values, attrs, entries)
            if choice is not None:
                entries.append((number, choice))
        out: list[ChoiceList] = []
        for list_name, entries in lists.items():
            numbers = [(n, c) for n, c in entries if isinstance(c.name, int)]
            texts = [(n, c) for n, c in entries if not isinstance(c.name, int)]
            if numbers and texts:
                first_row, first = entries[0]
                number, odd = (texts if isinstance(first.name, int) else numbers)[0]
                self.problem(
                    title,
                    number,
                    "name",
                    f"list '{list_name}' mixes codes that are numbers and codes that are text "
                    f"('{odd.name}' here, '{first.name}' on row {first_row}): use one kind",
                )
            choices = tuple(c for _, c in entries)
            if not choices:
                # every row of the list was refused (each with its problem): a stand-in keeps
                # the select questions that use the list from reporting a missing list
                choices = (Choice("_", Text("_", "_")),)
            out.append(ChoiceList(list_name, choices))
        return out

    def _choice(
        self,
        sheet: str,
        number: int,
        list_name: str,
        values: dict[tuple[str, str | None], Any],
        attrs: list[_Column],
        entries: list[tuple[int, Choice]],
    ) -> Choice | None:
        raw = values.get(("name", None))
        label = self._texts(values, "label")
        ok = True
        if raw is None:
            self.problem(sheet, number, "name", "the choice has no name")
            return None
        name = _choice_name(raw)
        key = str(name)
        if len(key) > 64 or any(ch.isspace() for ch in key):
            self.problem(
                sheet,
                number,
                "name",
                f"choice name '{key}' must be at most 64 characters, no spaces",
            )
            ok = False
        for other_row, other in entries:
            if str(other.name) == key:
                self.problem(
                    sheet,
                    number,
                    "name",
                    f"list '{list_name}' already has the choice '{key}' (row {other_row})",
                )
                ok = False
                break
        if not label:
            self.problem(sheet, number, "label", "the choice has no label")
            ok = False
        if not ok:
            return None
        extra = {c.key: values[(c.key, None)] for c in attrs if (c.key, None) in values}
        return Choice(name, label, extra)

    # -- extra sheets ----------------------------------------------------------------------

    def _extra_sheets(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for asked in self.extra_sheets:
            title = self.book.title(asked)
            if title is None:
                continue
            sheet = self._sheet(title, _any_column)
            if sheet is None:
                continue
            headers = [c.key for c in sheet.columns]
            rows = []
            for number, values in sheet.rows:
                row: dict[str, Any] = dict.fromkeys(headers)
                row.update({key: value for (key, _), value in values.items()})
                row["__row__"] = number
                rows.append(row)
            out[asked] = rows
        return out


# -- columns of each sheet -------------------------------------------------------------------------


def _refused_column(
    loader: _Loader, sheet: str, row: int, index: int, header: str, reason: str
) -> None:
    loader.problem(sheet, row, header, f"column {_letter(index + 1)} is not supported: {reason}")


def _language_column(
    loader: _Loader, sheet: str, row: int, index: int, header: str, key: str, lang: str | None
) -> _Column | None:
    """A column written per language: plain (the default language) or ``key::<language>``."""
    if lang is None:
        return _Column(index, header, key, loader.language)
    code = _language(lang)
    if code not in LANGUAGES:
        loader.problem(
            sheet,
            row,
            header,
            f"column {_letter(index + 1)}: the language '{lang}' is not supported; "
            f"write {key}::Tiếng Việt (vi) or {key}::English (en)",
        )
        return None
    return _Column(index, header, key, code)


def _split(header: str) -> tuple[str, str | None]:
    base, sep, rest = header.partition("::")
    return _base_key(base), (rest.strip() if sep else None)


def _survey_column(
    loader: _Loader, sheet: str, row: int, index: int, header: str
) -> _Column | None:
    key, lang = _split(header)
    if key in SURVEY_TEXTS:
        return _language_column(loader, sheet, row, index, header, key, lang)
    if key in SURVEY_COLUMNS and lang is None:
        return _Column(index, header, key)
    if key in SURVEY_COLUMNS:
        _refused_column(loader, sheet, row, index, header, f"'{key}' is not written per language")
    elif key in _UNSUPPORTED_COLUMNS:
        _refused_column(loader, sheet, row, index, header, _UNSUPPORTED_COLUMNS[key])
    else:
        _refused_column(loader, sheet, row, index, header, _unknown_column(key, SURVEY_COLUMNS))
    return None


def _choices_column(
    loader: _Loader, sheet: str, row: int, index: int, header: str
) -> _Column | None:
    key, lang = _split(header)
    if key == "list_name" or key == "name":
        if lang is None:
            return _Column(index, header, key)
        _refused_column(loader, sheet, row, index, header, f"'{key}' is not written per language")
        return None
    if key == "label":
        return _language_column(loader, sheet, row, index, header, key, lang)
    if key in _UNSUPPORTED_COLUMNS:
        _refused_column(loader, sheet, row, index, header, _UNSUPPORTED_COLUMNS[key])
        return None
    if lang is not None:
        _refused_column(loader, sheet, row, index, header, "only 'label' is written per language")
        return None
    if key.startswith("$"):
        _refused_column(
            loader, sheet, row, index, header, "a KoboToolbox internal column: delete it"
        )
        return None
    if not _ATTRIBUTE.fullmatch(key):
        _refused_column(
            loader,
            sheet,
            row,
            index,
            header,
            "an extra column is a choice attribute a choice_filter can use, so its header must "
            "be letters, digits and _ (starting with a letter), e.g. province",
        )
        return None
    return _Column(index, header, key)


def _settings_column(
    loader: _Loader, sheet: str, row: int, index: int, header: str
) -> _Column | None:
    key, lang = _split(header)
    if key == "form_title" and lang is not None:
        return _language_column(loader, sheet, row, index, header, key, lang)
    return _Column(index, header, key, lang)


def _any_column(loader: _Loader, sheet: str, row: int, index: int, header: str) -> _Column:
    return _Column(index, header, _settings_key(header))


def _settings_key(header: str) -> str:
    """The key of a settings column or an extra sheet's column: the header in lower case."""
    return " ".join(header.split()).casefold()


def _unknown_column(key: str, known: Iterable[str]) -> str:
    if key.startswith("$"):
        return "a KoboToolbox internal column: delete it"
    near = difflib.get_close_matches(key, list(known), n=1)
    hint = f"did you mean '{near[0]}'? " if near else ""
    return f"{hint}a survey column is one of {', '.join(SURVEY_COLUMNS)}"


# -- types and values ------------------------------------------------------------------------------


def _accepted_types() -> list[str]:
    names = {t for t in TYPES if t not in UNSUPPORTED_TYPES}
    return sorted(names | {"begin_group", "end_group"})


def _resolve_type(text: str) -> tuple[str, str]:
    """A type cell -> ("field", our type), ("begin"|"end", ""), ("refused", reason) or
    ("unknown", message). Words are matched ignoring case; a list name keeps its case."""
    words = text.split()
    low = [w.casefold() for w in words]
    for size in (4, 3, 2, 1):
        head = " ".join(low[:size])
        if len(low) < size:
            continue
        if head in UNSUPPORTED_TYPES:
            return "refused", UNSUPPORTED_TYPES[head]
        ours = TYPE_SPELLINGS.get(head)
        if ours is None:
            continue
        rest = words[size:]
        if ours == "begin_group":
            return "begin", ""
        if ours == "end_group":
            return "end", ""
        if ours in ("select_one", "select_multiple"):
            if len(rest) > 1:
                if rest[1].casefold() == "or_other":
                    return (
                        "refused",
                        "add an 'other' choice and a text question shown when it is chosen",
                    )
                return "unknown", f"'{text}': write the list name after '{ours}' as one word"
            return "field", " ".join([ours, *rest])
        return "field", " ".join([ours, *rest])
    base = low[0]
    if base in TYPES:
        return "field", " ".join([base, *words[1:]])
    near = difflib.get_close_matches(base, _accepted_types(), n=1)
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    return "unknown", f"unknown type '{text}'{hint}"


def _choice_name(value: Any) -> str | int:
    """A choice's name: all digits -> int (province and ward codes compare as numbers)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _text(value)
    if text.isascii() and text.isdigit() and len(text) <= 15:
        return int(text)
    return text


def _parameter_value(raw: str) -> int | float | str | None:
    """``200`` -> 200, ``0.5`` -> 0.5, anything else stays text; None for a number too large."""
    if _INT_TEXT.fullmatch(raw):
        return int(raw)
    if _DEC_TEXT.fullmatch(raw):
        return float(raw)
    try:
        number = float(raw)
    except ValueError:
        return raw
    return raw if math.isfinite(number) and abs(number) < _NUMBER_LIMIT else None


__all__ = [
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_INFLATED",
    "MAX_ROWS",
    "UNSUPPORTED_TYPES",
    "Workbook",
    "form_from_xlsform",
    "load_xlsform",
]
