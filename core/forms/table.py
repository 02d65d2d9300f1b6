"""Table uploads of a form: one row per submission, read from CSV or XLSX.

The file layer (``core.forms.table_file``) turns bytes into rows with every guard; here each
header is matched to a field (its name, its labels in both languages, its aliases; case, spaces
and diacritics ignored), every row goes through the form's own validation, and each problem
becomes a ``RowError`` with the spreadsheet row number. The template is generated from the same
form: headers in the chosen language, an example row, and a sheet per choice list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from core.forms.choices import fold
from core.forms.errors import FormInvalid, RowError
from core.forms.table_file import Sheet, TableFileError, csv_bytes, read_table, xlsx_bytes

if TYPE_CHECKING:
    import pandas as pd

    from core.forms.model import Field, Form

MESSAGES: dict[str, dict[str, str]] = {
    "forms.table.missing_columns": {
        "vi": "Tệp thiếu cột bắt buộc: {cols}. Hãy dùng tệp mẫu.",
        "en": "The file lacks required columns: {cols}. Use the template.",
    },
    "forms.table.no_rows": {
        "vi": "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.",
        "en": "The file has no data rows under the header.",
    },
    "forms.table.empty_row": {"vi": "Dòng trống.", "en": "Empty row."},
    "forms.table.duplicate": {
        "vi": "Trùng với dòng {row}.",
        "en": "Same as row {row}.",
    },
    "forms.table.col.row": {"vi": "Dòng", "en": "Row"},
    "forms.table.col.column": {"vi": "Cột", "en": "Column"},
    "forms.table.col.problem": {"vi": "Lỗi", "en": "Problem"},
    "forms.table.example": {
        "vi": "(dòng ví dụ — xoá trước khi tải lên)",
        "en": "(example row — delete before uploading)",
    },
    "forms.table.list.code": {"vi": "Mã", "en": "Code"},
    "forms.table.list.name": {"vi": "Tên", "en": "Name"},
}

TABLE_WIDGETS = frozenset(
    {
        "text",
        "number",
        "date",
        "datetime",
        "time",
        "select_one",
        "select_multiple",
        "yes_no",
        "acknowledge",
    }
)


def table_fields(form: Form) -> list[Field]:
    """The fields a table upload carries, in form order (no notes, files or calculations)."""
    return [f for f in form.input_fields if f.kind.widget in TABLE_WIDGETS]


def header_map(form: Form) -> dict[str, str]:
    """Folded header text -> field name: the name, both labels and the aliases."""
    out: dict[str, str] = {}
    for f in table_fields(form):
        for way in (f.name, f.label.vi, f.label.en, *f.aliases):
            if way:
                out.setdefault(fold(way), f.name)
    return out


@dataclass
class TableResult:
    """Good rows (a DataFrame with one column per field, plus ``row``) and every problem."""

    form: Form
    good: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    def error_frame(self) -> pd.DataFrame:
        """The problems as a table with headers in the current language."""
        import pandas as pd

        from core.i18n import t

        return pd.DataFrame(
            [(e.row, e.label, e.message) for e in self.errors],
            columns=[
                t("forms.table.col.row"),
                t("forms.table.col.column"),
                t("forms.table.col.problem"),
            ],
        )

    def error_csv(self) -> bytes:
        """The problems as a CSV file (formula-safe, opens in Excel)."""
        frame = self.error_frame()
        return csv_bytes(list(frame.columns), frame.values.tolist())


def parse_rows(
    form: Form,
    rows: Sequence[Sequence[Any]],
    *,
    max_rows: int,
    unique: Iterable[str] = (),
    now: datetime | None = None,
) -> TableResult:
    """Validate every data row of a table (header first) with the form."""
    import pandas as pd

    from core import clock
    from core.i18n import get_locale, t

    if not rows:
        raise TableFileError("forms.table.no_rows")
    locale = get_locale()
    known = header_map(form)
    header = [known.get(fold(h)) if str(h).strip() else None for h in rows[0]]
    ignored = [
        str(h) for h, name in zip(rows[0], header, strict=True) if name is None and str(h).strip()
    ]
    fields = table_fields(form)
    present = {name for name in header if name}
    missing = [
        f for f in fields if f.required is True and f.name not in present and f.default is None
    ]
    if missing:
        cols = ", ".join(f'"{f.label.get(locale)}"' for f in missing)
        raise TableFileError("forms.table.missing_columns", cols=cols)
    data = rows[1:]
    if len(data) > max_rows:
        raise TableFileError("forms.table.too_many_rows", n=len(data), max=max_rows)
    if not data:
        raise TableFileError("forms.table.no_rows")
    index = [(i, name) for i, name in enumerate(header) if name]
    keys = tuple(unique)
    seen: dict[tuple[Any, ...], int] = {}
    good: dict[str, list[Any]] = {f.name: [] for f in fields}
    good["row"] = []
    errors: list[RowError] = []
    moment = now or clock.now()
    labels = {f.name: f.label.get(locale) for f in fields}
    for offset, cells in enumerate(data):
        rownum = offset + 2
        if all(c == "" or c is None for c in cells):
            errors.append(RowError(rownum, "", "", t("forms.table.empty_row")))
            continue
        raw = {name: (cells[i] if i < len(cells) else "") for i, name in index}
        try:
            values = form.validate(raw, now=moment)
        except FormInvalid as exc:
            for name, err in exc.errors.items():
                errors.append(RowError(rownum, name, labels.get(name, name), err.message))
            continue
        if keys:
            key = tuple(values.get(k) for k in keys)
            first = seen.get(key)
            if first is not None:
                name = keys[0]
                errors.append(
                    RowError(
                        rownum, name, labels.get(name, name), t("forms.table.duplicate", row=first)
                    )
                )
                continue
            seen[key] = rownum
        for f in fields:
            good[f.name].append(values.get(f.name))
        good["row"].append(rownum)
    frame = (
        pd.DataFrame(good)
        if good["row"]
        else pd.DataFrame({c: pd.Series(dtype=object) for c in good})
    )
    return TableResult(form, frame, errors, len(data), ignored)


def parse_upload(
    form: Form,
    filename: str,
    data: bytes,
    *,
    max_rows: int,
    max_bytes: int,
    unique: Iterable[str] = (),
) -> TableResult:
    """Read and validate an uploaded CSV/XLSX against the form. ``TableFileError`` refuses the
    whole file (nothing was read); row problems are in the result."""
    columns = max(16, 2 * len(table_fields(form)))
    rows = read_table(filename, data, max_rows=max_rows, max_bytes=max_bytes, max_columns=columns)
    return parse_rows(form, rows, max_rows=max_rows, unique=unique)


# -- templates ------------------------------------------------------------------------------------

_SAMPLES: dict[str, Any] = {
    "person_name": "Nguyễn Văn An",
    "cccd": "048090001234",
    "passport": "C1234567",
    "person_id": "048090001234",
    "phone": "0905123456",
    "tax_code": "0100109106",
    "vehicle_plate": "43A-123.45",
    "birth_year": "1990",
    "text": "",
}


def sample_value(form: Form, f: Field, locale: str = "vi") -> Any:
    """A plausible example value for the template's example row."""
    if f.default not in (None, ""):
        return _cell(f.default)
    base = f.base_type
    if base in ("select_one", "select_multiple"):
        options = form.options(f.name, form.parse_partial(form.defaults()))
        return options[0].text(locale) if options else ""
    if base == "integer":
        low = f.parameters.get("min")
        return int(low) if low is not None else 1
    if base == "decimal":
        low = f.parameters.get("min")
        return float(low) if low is not None else 1.5
    if base == "date":
        return "10/09/2021"
    if base == "datetime":
        return "10/09/2021 08:00"
    if base == "time":
        return "08:00"
    if base in ("yes_no", "acknowledge"):
        return "có" if locale == "vi" else "yes"
    return _SAMPLES.get(base, "")


def _cell(value: Any) -> Any:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def template_headers(form: Form, locale: str = "vi") -> list[str]:
    return [f.label.get(locale) for f in table_fields(form)]


def template_row(
    form: Form, example: Mapping[str, Any] | None = None, locale: str = "vi"
) -> list[Any]:
    given = example or {}
    return [
        _cell(given[f.name]) if f.name in given else sample_value(form, f, locale)
        for f in table_fields(form)
    ]


def template_csv(form: Form, example: Mapping[str, Any] | None = None, locale: str = "vi") -> bytes:
    """CSV UTF-8 (with BOM, for Excel) with the headers and one example row."""
    return csv_bytes(template_headers(form, locale), [template_row(form, example, locale)])


_TEXT_TYPES = frozenset({"cccd", "person_id", "passport", "phone", "tax_code"})


def template_xlsx(
    form: Form,
    example: Mapping[str, Any] | None = None,
    locale: str = "vi",
    *,
    list_filter: Mapping[str, Any] | None = None,
) -> bytes:
    """An XLSX template: the form's sheet (ID and phone columns formatted as text so leading
    zeros stay) and one sheet per choice list with its codes and names. ``list_filter`` keeps
    only the choices whose attributes match, e.g. ``{"province": 48}`` for the wards sheet."""
    from core.i18n import t_in

    fields = table_fields(form)
    text_columns = {i for i, f in enumerate(fields) if f.base_type in _TEXT_TYPES}
    sheets = [
        Sheet(
            form.title.get(locale)[:31] or form.id,
            template_headers(form, locale),
            [template_row(form, example, locale)],
            text_columns=text_columns,
        )
    ]
    done: set[str] = set()
    for f in fields:
        chosen = form.choice_list(f)
        if chosen is None or chosen.name in done:
            continue
        done.add(chosen.name)
        items = chosen.choices
        if list_filter:
            items = tuple(
                c for c in items if all(c.attrs.get(k, v) == v for k, v in list_filter.items())
            )
        rows = [[c.name, c.text(locale)] for c in items]
        head = [t_in(locale, "forms.table.list.code"), t_in(locale, "forms.table.list.name")]
        sheets.append(Sheet(f.label.get(locale)[:31] or chosen.name, head, rows))
    return xlsx_bytes(sheets)
