"""Read and check a definition workbook: the XLSForm sheets plus ``app``, ``roles``, ``rules``
and ``panels``.

``read(data, registry=...)`` returns a ``Definition`` or raises ``DefinitionError`` listing
every problem at once, each with its sheet, row and column (the spreadsheet's own numbers,
the header is row 1), exactly like the forms core does for the survey. Nothing is written and
nothing in the workbook is executed: expressions are compiled by the forms core's evaluator,
checkpoint conditions by ``core.rules``.

Authors' reference: docs/FIRST-APP.md ("the app sheet", "the roles sheet"...).
"""

from __future__ import annotations

import difflib
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from core.forms.model import DefinitionError, Field, Form, Problem
from core.forms.text import Text

if TYPE_CHECKING:
    from core.registry import Registry

APP, ROLES, RULES, PANELS = "app", "roles", "rules", "panels"
EXTRA_SHEETS = (APP, ROLES, RULES, PANELS)
WORKBOOK_SHEETS = ("survey", "choices", "settings", *EXTRA_SHEETS)
"""The sheets a definition is made of (others, e.g. a README sheet, are ignored)."""

APP_ID = re.compile(r"[a-z][a-z0-9_]{1,30}")
"""A definition app's id (the settings' form_id): its table is ``app_<id>``."""
ROLE_ID = re.compile(r"[a-z][a-z0-9_]{1,39}")
REASON_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
TYPE_ID = re.compile(r"[A-Z][A-Z0-9]{1,7}")
"""A token prefix as written (``MV1``); the QR text starts with ``MV1:``."""
COLUMN = re.compile(r"[a-z][a-z0-9_]{0,62}")
RESERVED_IDS = frozenset({"core", "admin", "public", "apps", "app", "system", "definitions"})

PUBLIC_WORDS = frozenset({"public", "citizen", "citizens", "nguoi_dan", "công_khai", "cong_khai"})
WORKFLOWS = ("none", "review")
ISSUES = ("none", "on_submit", "on_approve")
SCOPES = ("ward", "province")
CONDITIONS = ("weekdays", "odd_even_day", "zones", "checkpoints", "hours", "once")
SEVERITIES = ("INVALID", "WARN")
PANEL_KINDS = ("per_day", "per_choice", "per_area")
MASKED_TYPES = frozenset({"cccd", "person_id", "passport", "phone"})
"""Claims of these field types go into a QR masked (``********1234``): least personal data."""
CLAIM_TYPES_REFUSED = frozenset({"file", "password", "note"})
MAX_CLAIMS = 10
MAX_VALID_DAYS = 366
OK_REASON = "VALID"
ONCE_UNCHECKED = "ONCE_UNCHECKED"
"""The verdict reason (WARN) of a once-only code checked where no scan record can be read."""

APP_KEYS: dict[str, str] = {
    "submitters": "who sends the form: public (citizens without an account) or role ids",
    "reviewers": "role ids who approve or reject (workflow review)",
    "viewers": "role ids who see the lists, exports and panels",
    "workflow": "none or review",
    "issue": "none, on_submit or on_approve",
    "token_prefix": "2-8 capitals/digits starting with a letter, e.g. MV1",
    "claims": "field names written into the QR code",
    "valid_days": "whole days a QR code is valid",
    "valid_hours": "hours a QR code is valid",
    "valid_until_field": "a date field: the QR code is valid until the end of that day",
    "valid_from_field": "a date field: the QR code is valid from the start of that day",
    "area_field": "the ward (or province) field; scoped roles act in their area only",
    "unique": "field names that may not repeat among submissions not rejected",
    "resubmit": "yes/no: a rejected submission may be corrected and sent again",
    "card_title": "the title printed on each card",
    "card_lines": "field names printed on each card",
    "max_upload_rows": "largest spreadsheet accepted for bulk entry (rows)",
}
ROLE_COLUMNS = {"role": False, "label": True, "scope": False}
RULE_COLUMNS = {
    "condition": False,
    "value": False,
    "reason_code": False,
    "reason": True,
    "severity": False,
}
PANEL_COLUMNS = {"kind": False, "field": False, "title": True}
APP_COLUMNS = {"key": False, "value": True}
NOTE_COLUMNS = frozenset({"note", "notes", "comment", "comments", "ghi_chu", "ghi_chú", "help"})
"""Columns people write for themselves (the starter workbook explains each row there)."""
_TRUE = frozenset({"yes", "true", "1", "có", "co"})
_FALSE = frozenset({"no", "false", "0", "không", "khong", ""})


@dataclass(frozen=True)
class RoleDef:
    id: str
    label: Text
    scope: str | None
    row: int


@dataclass(frozen=True)
class RuleDef:
    """One declared checkpoint condition (a row of the rules sheet)."""

    kind: str
    value: str
    reason: str
    text: Text
    severity: str
    row: int
    field: str | None = None
    """The claim the condition reads (zones/checkpoints/odd_even_day from a field)."""


@dataclass(frozen=True)
class PanelDef:
    kind: str
    field: str | None
    title: Text
    row: int


@dataclass(frozen=True)
class Definition:
    """A checked definition: everything the generic app needs, nothing executable."""

    app_id: str
    title: Text
    form: Form
    version: str
    submitters: frozenset[str]
    """Role ids, or ``{"public"}`` for citizens without an account."""
    reviewers: frozenset[str]
    viewers: frozenset[str]
    workflow: str
    issue: str
    token_prefix: str | None
    """``"MV1:"`` (with the colon) when codes are issued."""
    claims: tuple[str, ...]
    valid_days: int | None
    valid_hours: int | None
    valid_until_field: str | None
    valid_from_field: str | None
    area_field: str | None
    unique: tuple[str, ...]
    resubmit: bool
    card_title: Text
    card_lines: tuple[str, ...]
    max_upload_rows: int
    roles: tuple[RoleDef, ...]
    rules: tuple[RuleDef, ...]
    panels: tuple[PanelDef, ...]
    lines: int
    checksum: str
    optional_roles: tuple[str, ...] = ()
    """Roles named but declared elsewhere (built-in ``checkpoint``, ``health_officer``...)."""

    @property
    def public(self) -> bool:
        return "public" in self.submitters

    @property
    def type_id(self) -> str | None:
        return self.token_prefix[:-1] if self.token_prefix else None

    @property
    def table(self) -> str:
        return f"app_{self.app_id}"

    @property
    def declared_roles(self) -> frozenset[str]:
        return frozenset(r.id for r in self.roles)

    @property
    def submitter_roles(self) -> frozenset[str]:
        return self.submitters - {"public"}

    def masked(self, name: str) -> bool:
        f = self.form.by_name.get(name)
        return f is not None and f.base_type in MASKED_TYPES

    def area_kind(self) -> str | None:
        """``"ward"`` or ``"province"``: what the area field holds."""
        if self.area_field is None:
            return None
        f = self.form.by_name[self.area_field]
        return "ward" if f.list_name == "wards" else "province"


# -- reading ---------------------------------------------------------------------------------


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read(data: bytes, *, registry: Registry | None = None) -> Definition:
    """The definition in ``data`` (the .xlsx bytes), checked on its own and, when given,
    against an installation (``registry``: prefixes, roles and app ids already taken).
    ``DefinitionError`` lists every problem (sheet, row, column)."""
    from core.forms.xlsform import load_xlsform

    problems: list[Problem] = []
    try:
        book = load_xlsform(data, extra_sheets=EXTRA_SHEETS)
    except DefinitionError as exc:
        problems += exc.problems
        book = None
        # the app sheets are still worth checking when only the form has problems
        sheets = _extra_only(data)
        if sheets is None:
            raise
    else:
        sheets = book.sheets
    reader = _Reader(sheets, book.form if book else None, problems, registry)
    definition = reader.read(book, data)
    if problems or definition is None:
        raise DefinitionError(_ordered(problems))
    return definition


def _extra_only(data: bytes) -> dict[str, list[dict[str, Any]]] | None:
    """The app sheets of a workbook whose form has problems (None when the file itself cannot
    be read): loaded with a one-question stand-in survey so their problems are listed too."""
    from core.forms.xlsform import _Book, _Loader  # the same guarded reader

    try:
        book = _Book.open(data)
    except DefinitionError:
        return None
    try:
        loader = _Loader(book, (*EXTRA_SHEETS, "survey"), None)
        return loader._extra_sheets()
    except Exception:  # noqa: BLE001 - the form's own problems are already reported
        return None
    finally:
        book.close()


_SHEET_ORDER = {name: i for i, name in enumerate(WORKBOOK_SHEETS)}


def _ordered(problems: Iterable[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(
        unique,
        key=lambda p: (
            _SHEET_ORDER.get((p.sheet or "").casefold(), -1 if p.sheet == "workbook" else 9),
            p.row or 0,
        ),
    )


def count_lines(data: bytes) -> int:
    """Rows with a value in the definition's sheets, header rows left out: the size of an
    app as an officer sees it (``rapid apps check`` prints it). The workbook must already have
    been read by ``read`` (its size budgets checked)."""
    from openpyxl import load_workbook

    wanted = set(WORKBOOK_SHEETS)
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    total = 0
    try:
        for title in book.sheetnames:
            if " ".join(title.split()).casefold() not in wanted:
                continue
            rows = 0
            for values in book[title].iter_rows(max_row=2000, max_col=60, values_only=True):
                if any(v is not None and str(v).strip() for v in values):
                    rows += 1
            total += max(0, rows - 1)
    finally:
        book.close()
    return total


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def _names(text: str) -> list[str]:
    """``"a, b; c d"`` -> ``["a", "b", "c", "d"]``."""
    return [p for p in re.split(r"[\s,;]+", text) if p]


def _language(text: str) -> str | None:
    """``vi``/``en`` from a column's language part (``Tiếng Việt (vi)``, ``English``...)."""
    m = re.search(r"\(\s*([A-Za-z]{2,3})\s*\)\s*$", text)
    code = (m[1] if m else text).casefold().strip()
    folded = "".join(
        c for c in unicodedata.normalize("NFD", code) if unicodedata.category(c) != "Mn"
    ).replace("đ", "d")
    return {
        "vi": "vi",
        "en": "en",
        "vietnamese": "vi",
        "tieng viet": "vi",
        "english": "en",
        "tieng anh": "en",
    }.get(folded)


def _header_key(header: str) -> tuple[str, str | None]:
    base, sep, lang = header.partition("::")
    return "_".join(base.split()).casefold(), (lang.strip() if sep else None)


class _Reader:
    """One reading of the app sheets: collects problems, builds the definition."""

    def __init__(
        self,
        sheets: Mapping[str, list[dict[str, Any]]],
        form: Form | None,
        problems: list[Problem],
        registry: Registry | None,
    ) -> None:
        self.sheets = sheets
        self.form = form
        self.problems = problems
        self.registry = registry

    def problem(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message))

    # -- generic sheet reading -----------------------------------------------------------

    def rows(
        self, sheet: str, columns: Mapping[str, bool]
    ) -> list[tuple[int, dict[tuple[str, str | None], str]]]:
        """The sheet's rows as ``{(column, language or None): text}`` with every unknown or
        misplaced column reported on the header row."""
        raw = self.sheets.get(sheet) or []
        if not raw:
            return []
        headers = [k for k in raw[0] if k != "__row__"]
        header_row = max(1, min(r["__row__"] for r in raw) - 1)
        slots: dict[str, tuple[str, str | None] | None] = {}
        seen: dict[tuple[str, str | None], str] = {}
        for header in headers:
            base, lang = _header_key(header)
            if base in NOTE_COLUMNS:
                slots[header] = None
                continue
            if base not in columns:
                near = difflib.get_close_matches(base, list(columns), n=1)
                hint = f"did you mean '{near[0]}'? " if near else ""
                self.problem(
                    sheet,
                    header_row,
                    header,
                    f"unknown column: {hint}the {sheet} sheet has the columns "
                    f"{', '.join(columns)} (and a note column for yourself)",
                )
                slots[header] = None
                continue
            code: str | None = None
            if lang is not None:
                if not columns[base]:
                    self.problem(sheet, header_row, header, f"'{base}' is not written per language")
                    slots[header] = None
                    continue
                code = _language(lang)
                if code is None:
                    self.problem(
                        sheet,
                        header_row,
                        header,
                        f"the language '{lang}' is not supported: write {base}::vi or {base}::en",
                    )
                    slots[header] = None
                    continue
            slot = (base, "vi" if code is None and columns[base] else code)
            if slot in seen:
                self.problem(sheet, header_row, header, f"repeats the column '{seen[slot]}'")
                slots[header] = None
                continue
            seen[slot] = header
            slots[header] = slot
        out = []
        for row in raw:
            values: dict[tuple[str, str | None], str] = {}
            for header in headers:
                slot = slots.get(header)
                if slot is not None and row.get(header) is not None:
                    text = _text(row[header])
                    if text:
                        values[slot] = text
            if values:
                out.append((int(row["__row__"]), values))
        return out

    @staticmethod
    def texts(values: Mapping[tuple[str, str | None], str], key: str) -> Text:
        return Text(values.get((key, "vi"), ""), values.get((key, "en"), ""))

    # -- the definition ------------------------------------------------------------------

    def read(self, book: Any, data: bytes) -> Definition | None:
        settings = book.settings if book is not None else {}
        app_id = settings.get("form_id", "")
        self.sheets_app_id = app_id
        form = self.form
        self._check_app_id(app_id, settings)
        roles = self._roles(app_id)
        app = self._app_sheet()
        if form is not None:
            self._check_columns(form)
        names = set(form.by_name) if form is not None else self._survey_names()
        declared = {r.id for r in roles}
        optional = self._check_roles(app, declared, roles)
        settings_ = self._app_settings(app, names, form, roles)
        rules = self._rules(settings_, names, form)
        panels = self._panels(settings_, names, form)
        if form is None or self.problems:
            return None
        return Definition(
            app_id=app_id,
            title=form.title,
            form=form,
            version=str(settings.get("version", "1")),
            roles=tuple(roles),
            rules=tuple(rules),
            panels=tuple(panels),
            lines=count_lines(data),
            checksum=checksum(data),
            optional_roles=tuple(sorted(optional)),
            **settings_,
        )

    def _survey_names(self) -> set[str] | None:
        """The field names of a survey the forms core refused (to still check the app
        sheets against them); None when there is no survey to read."""
        rows = self.sheets.get("survey")
        if not rows:
            return None
        return {_text(r.get("name")) for r in rows if _text(r.get("name"))}

    def _check_app_id(self, app_id: str, settings: Mapping[str, str]) -> None:
        if not app_id:
            return  # the forms core reports a missing form_id
        where = ("settings", 2, "form_id")
        if not APP_ID.fullmatch(app_id):
            self.problem(
                *where,
                f"the form_id '{app_id}' names the app and its table: 2-31 lower-case letters, "
                "digits or _, starting with a letter (e.g. phieu_di_cho)",
            )
            return
        if app_id in RESERVED_IDS:
            self.problem(*where, f"the form_id '{app_id}' is reserved: choose another")
        if self.registry is not None:
            owner = self.registry.modules.get(app_id)
            if owner is not None and owner != MODULE:
                self.problem(
                    *where,
                    f"the form_id '{app_id}' is the id of an app installed as a program: "
                    "choose another",
                )

    # -- roles ---------------------------------------------------------------------------

    def _roles(self, app_id: str) -> list[RoleDef]:
        out: list[RoleDef] = []
        seen: dict[str, int] = {}
        owners = self._role_owners(app_id)
        for row, values in self.rows(ROLES, ROLE_COLUMNS):
            role = values.get(("role", None), "")
            if not role:
                self.problem(ROLES, row, "role", "the role id is empty")
                continue
            if not ROLE_ID.fullmatch(role):
                self.problem(
                    ROLES,
                    row,
                    "role",
                    f"role id '{role}': 2-40 lower-case letters, digits or _, starting with a "
                    "letter (e.g. can_bo_phuong)",
                )
                continue
            if role in ("admin", "public", "anonymous"):
                self.problem(ROLES, row, "role", f"'{role}' is reserved by the platform")
                continue
            if role in seen:
                self.problem(
                    ROLES, row, "role", f"the role '{role}' is declared twice (row {seen[role]})"
                )
                continue
            seen[role] = row
            if role in owners:
                self.problem(
                    ROLES,
                    row,
                    "role",
                    f"the role '{role}' is already declared by {owners[role]}: give yours "
                    f"another id, or delete this row to use that role as it is",
                )
                continue
            label = self.texts(values, "label")
            if not label:
                self.problem(ROLES, row, "label", "a role needs a label (label::vi, label::en)")
            scope = values.get(("scope", None), "").casefold() or None
            if scope is not None and scope not in SCOPES:
                self.problem(
                    ROLES,
                    row,
                    "scope",
                    f"scope '{scope}': leave it empty, or write ward or province",
                )
                scope = None
            out.append(RoleDef(role, Text(label.vi or label.en, label.en or label.vi), scope, row))
        return out

    def _role_owners(self, app_id: str) -> dict[str, str]:
        if self.registry is None:
            return {}
        owners = {"admin": "core"}
        for app in self.registry.apps:
            if app.id == app_id:
                continue  # a new version of the same app keeps its roles
            for role in app.roles:
                owners[role.id] = f"the app '{app.id}'"
        return owners

    def _check_roles(
        self,
        app: Mapping[str, tuple[int, Mapping[tuple[str, str | None], str]]],
        declared: set[str],
        roles: list[RoleDef],
    ) -> set[str]:
        """Every role named on the app sheet is declared on the roles sheet or installed;
        the installed ones become optional roles."""
        known = set(self.registry.role_ids()) if self.registry is not None else None
        optional: set[str] = set()
        for key in ("submitters", "reviewers", "viewers"):
            if key not in app:
                continue
            row, values = app[key]
            for name in _names(values.get(("value", "vi"), "")):
                if key == "submitters" and name.casefold() in PUBLIC_WORDS:
                    continue
                if name in declared:
                    continue
                if name == "admin":
                    continue
                if known is not None and name in known:
                    optional.add(name)
                    continue
                if known is None and ROLE_ID.fullmatch(name):
                    optional.add(name)  # checked against an installation when installed
                    continue
                near = difflib.get_close_matches(name, sorted(declared | (known or set())), n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                self.problem(
                    APP,
                    row,
                    "value",
                    f"the role '{name}' is neither declared on the roles sheet nor installed{hint}",
                )
        return optional

    # -- the app sheet -------------------------------------------------------------------

    def _app_sheet(self) -> dict[str, tuple[int, dict[tuple[str, str | None], str]]]:
        if APP not in self.sheets:
            self.problem(
                APP,
                None,
                None,
                "the workbook has no 'app' sheet: add one with the columns key and value "
                "(rapid apps new NAME writes a starting workbook)",
            )
            return {}
        out: dict[str, tuple[int, dict[tuple[str, str | None], str]]] = {}
        for row, values in self.rows(APP, APP_COLUMNS):
            raw = values.get(("key", None), "")
            key = "_".join(raw.split()).casefold()
            if not key:
                self.problem(APP, row, "key", "the key is empty")
                continue
            if key not in APP_KEYS:
                near = difflib.get_close_matches(key, list(APP_KEYS), n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                self.problem(APP, row, "key", f"unknown key '{raw}'{hint}")
                continue
            if key in out:
                self.problem(APP, row, "key", f"'{key}' is given twice (row {out[key][0]})")
                continue
            out[key] = (row, values)
        return out

    def _app_settings(
        self,
        app: Mapping[str, tuple[int, Mapping[tuple[str, str | None], str]]],
        names: set[str] | None,
        form: Form | None,
        roles: list[RoleDef],
    ) -> dict[str, Any]:
        def value(key: str) -> str:
            return app[key][1].get(("value", "vi"), "") if key in app else ""

        def where(key: str) -> tuple[str, int | None, str]:
            return (APP, app[key][0] if key in app else None, "value")

        def choice(key: str, allowed: Sequence[str], default: str) -> str:
            text = value(key).casefold() or default
            if text not in allowed:
                self.problem(*where(key), f"'{value(key)}': write one of {', '.join(allowed)}")
                return default
            return text

        def fields(key: str) -> tuple[str, ...]:
            out = []
            for name in _names(value(key)):
                if names is not None and name not in names:
                    near = difflib.get_close_matches(name, sorted(names), n=1)
                    hint = f" (did you mean '{near[0]}'?)" if near else ""
                    self.problem(*where(key), f"'{name}' names no field of the survey{hint}")
                    continue
                out.append(name)
            return tuple(out)

        def number(key: str, high: int) -> int | None:
            text = value(key)
            if not text:
                return None
            if not text.isdigit() or not 1 <= int(text) <= high:
                self.problem(*where(key), f"'{text}': a whole number from 1 to {high}")
                return None
            return int(text)

        def roles_of(key: str) -> frozenset[str]:
            return frozenset(
                "public" if n.casefold() in PUBLIC_WORDS else n for n in _names(value(key))
            )

        submitters = roles_of("submitters")
        if not submitters:
            if "submitters" in app:
                self.problem(*where("submitters"), "say who sends the form: public, or role ids")
            else:
                self.problem(APP, None, "key", "add a 'submitters' row: public, or role ids")
        if "public" in submitters and len(submitters) > 1:
            self.problem(*where("submitters"), "write public alone, or role ids only")
        reviewers = roles_of("reviewers") - {"public"}
        viewers = roles_of("viewers") - {"public"}
        if "public" in roles_of("reviewers") | roles_of("viewers"):
            key = "reviewers" if "public" in roles_of("reviewers") else "viewers"
            self.problem(*where(key), "only roles (people with an account) review and see lists")
        workflow = choice("workflow", WORKFLOWS, "none")
        issue = choice("issue", ISSUES, "none")
        if workflow == "review" and not reviewers:
            self.problem(
                *where("reviewers") if "reviewers" in app else where("workflow"),
                "workflow review needs reviewers (role ids)",
            )
        if issue == "on_approve" and workflow != "review":
            self.problem(*where("issue"), "on_approve needs workflow review")
        if not viewers:
            viewers = reviewers or (submitters - {"public"})
        prefix = value("token_prefix").rstrip(":").strip()
        token_prefix = None
        claims: tuple[str, ...] = ()
        valid_days = number("valid_days", MAX_VALID_DAYS)
        valid_hours = number("valid_hours", MAX_VALID_DAYS * 24)
        until = fields("valid_until_field")
        since = fields("valid_from_field")
        if issue != "none":
            if not prefix:
                self.problem(*where("token_prefix"), "a QR code needs a token_prefix, e.g. MV1")
            elif not TYPE_ID.fullmatch(prefix):
                self.problem(
                    *where("token_prefix"),
                    f"'{prefix}': 2-8 capital letters or digits, starting with a letter (e.g. MV1)",
                )
            else:
                token_prefix = prefix + ":"
                self._check_prefix(token_prefix, where("token_prefix"))
            claims = fields("claims")
            if not claims and "claims" in app and not self._has_problem_at(where("claims")):
                self.problem(*where("claims"), "name the fields the QR code carries")
            elif "claims" not in app:
                self.problem(
                    APP, None, "key", "a QR code needs a 'claims' row: the fields it carries"
                )
            if len(claims) > MAX_CLAIMS:
                self.problem(*where("claims"), f"at most {MAX_CLAIMS} fields fit in a QR code")
            if form is not None:
                for name in claims:
                    base = form.by_name[name].base_type
                    if base in CLAIM_TYPES_REFUSED:
                        self.problem(
                            *where("claims"), f"'{name}' ({base}) cannot go into a QR code"
                        )
            given = [k for k in ("valid_days", "valid_hours", "valid_until_field") if value(k)]
            if not given:
                self.problem(
                    APP,
                    None,
                    "key",
                    "say how long a QR code is valid: valid_days, valid_hours or valid_until_field",
                )
            elif len(given) > 1:
                self.problem(*where(given[1]), f"give one of {', '.join(given)}, not both")
            for key, chosen in (("valid_until_field", until), ("valid_from_field", since)):
                for name in chosen[:1]:
                    if form is not None and form.by_name[name].base_type not in (
                        "date",
                        "datetime",
                    ):
                        self.problem(*where(key), f"'{name}' is not a date or datetime field")
                    elif form is not None and form.by_name[name].required is not True:
                        self.problem(*where(key), f"'{name}' must be required (required: yes)")
        else:
            for key in (
                "token_prefix",
                "claims",
                "valid_days",
                "valid_hours",
                "card_title",
                "card_lines",
            ):
                if key in app:
                    self.problem(
                        APP, app[key][0], "key", f"'{key}' needs issue on_submit or on_approve"
                    )
        area = fields("area_field")
        area_field = area[0] if area else None
        if area_field is not None and form is not None:
            f = form.by_name[area_field]
            if f.base_type != "select_one" or f.list_name not in ("wards", "provinces"):
                self.problem(
                    *where("area_field"),
                    f"'{area_field}' must be a select_one wards (or provinces) question",
                )
                area_field = None
            elif f.required is not True:
                self.problem(
                    *where("area_field"), f"'{area_field}' must be required (required: yes)"
                )
        scoped = [r for r in roles if r.scope]
        if scoped and area_field is None and "area_field" not in app:
            self.problem(
                ROLES,
                scoped[0].row,
                "scope",
                f"the role '{scoped[0].id}' acts in one area: name the ward field on the app sheet (area_field)",
            )
        if (
            form is not None
            and area_field is not None
            and form.by_name[area_field].list_name == "provinces"
        ):
            for r in scoped:
                if r.scope == "ward":
                    self.problem(
                        ROLES,
                        r.row,
                        "scope",
                        "the area field holds provinces: the scope can only be province",
                    )
        resubmit_text = value("resubmit").casefold()
        if resubmit_text not in _TRUE | _FALSE:
            self.problem(*where("resubmit"), f"'{value('resubmit')}': write yes or no")
        resubmit = resubmit_text in _TRUE
        if resubmit and workflow != "review":
            self.problem(*where("resubmit"), "resubmitting after a rejection needs workflow review")
        card_lines = fields("card_lines")
        if form is not None:
            for name in card_lines:
                if form.by_name[name].base_type in CLAIM_TYPES_REFUSED:
                    self.problem(*where("card_lines"), f"'{name}' cannot be printed on a card")
        unique = fields("unique")
        if form is not None:
            for name in unique:
                if form.by_name[name].storage_column is None:
                    self.problem(
                        *where("unique"), f"'{name}' is not stored, so it cannot be unique"
                    )
        max_rows = number("max_upload_rows", 200_000) or 5_000
        card = app["card_title"][1] if "card_title" in app else {}
        card_title = Text(card.get(("value", "vi"), ""), card.get(("value", "en"), ""))
        return {
            "submitters": submitters or frozenset({"public"}),
            "reviewers": reviewers,
            "viewers": viewers,
            "workflow": workflow,
            "issue": issue,
            "token_prefix": token_prefix,
            "claims": claims,
            "valid_days": valid_days,
            "valid_hours": valid_hours,
            "valid_until_field": until[0] if until else None,
            "valid_from_field": since[0] if since else None,
            "area_field": area_field,
            "unique": unique,
            "resubmit": resubmit,
            "card_title": card_title,
            "card_lines": card_lines,
            "max_upload_rows": max_rows,
        }

    def _has_problem_at(self, where: tuple[str, int | None, str]) -> bool:
        return any((p.sheet, p.row, p.column) == where for p in self.problems)

    def _check_prefix(self, prefix: str, where: tuple[str, int | None, str]) -> None:
        if self.registry is None:
            return
        from core.qr.verify import FOREIGN_PREFIXES

        if prefix in FOREIGN_PREFIXES:
            self.problem(*where, f"'{prefix[:-1]}' is the prefix of foreign health certificates")
            return
        this = self.sheets_app_id
        for app in self.registry.apps:
            for tok in app.token_types:
                if app.id == this:
                    continue
                if tok.prefix == prefix or tok.type_id == prefix[:-1]:
                    self.problem(
                        *where,
                        f"the prefix '{prefix[:-1]}' is used by the app '{app.id}': choose another",
                    )
                    return

    sheets_app_id: str | None = None

    def _check_columns(self, form: Form) -> None:
        """Every storage column is a plain identifier (flags columns are named after choices)."""
        from core.forms.storage import field_columns

        for f in form.fields:
            try:
                cols = field_columns(form, f)
            except (KeyError, ValueError):
                continue
            for col in cols:
                if not COLUMN.fullmatch(col.name):
                    row = f.origin.row if f.origin else None
                    self.problem(
                        "survey",
                        row,
                        "name" if col.choice is None else "parameters",
                        f"the column '{col.name}' of '{f.name}' must be lower-case letters, "
                        "digits and _ (a storage=flags list names a column per choice)",
                    )

    # -- rules ---------------------------------------------------------------------------

    def _rules(
        self, s: Mapping[str, Any], names: set[str] | None, form: Form | None
    ) -> list[RuleDef]:
        rows = self.rows(RULES, RULE_COLUMNS)
        if rows and s["issue"] == "none":
            self.problem(
                RULES,
                rows[0][0],
                "condition",
                "checkpoint rules need a QR code: set issue on the app sheet",
            )
            return []
        out: list[RuleDef] = []
        for row, values in rows:
            kind = "_".join(values.get(("condition", None), "").casefold().split())
            if kind not in CONDITIONS:
                near = difflib.get_close_matches(kind, CONDITIONS, n=1)
                hint = f"did you mean '{near[0]}'? " if near else ""
                self.problem(
                    RULES,
                    row,
                    "condition",
                    f"unknown condition '{kind}': {hint}write one of {', '.join(CONDITIONS)}",
                )
                continue
            value = values.get(("value", None), "")
            code = values.get(("reason_code", None), "").upper()
            text = self.texts(values, "reason")
            severity = values.get(("severity", None), "INVALID").upper()
            if not REASON_CODE.fullmatch(code) or code in (OK_REASON, ONCE_UNCHECKED):
                self.problem(
                    RULES,
                    row,
                    "reason_code",
                    f"reason code '{code}': capitals, digits and _ (e.g. WRONG_DAY), not VALID",
                )
            if not text:
                self.problem(
                    RULES, row, "reason", "say the reason in words (reason::vi, reason::en)"
                )
            if severity not in SEVERITIES:
                self.problem(RULES, row, "severity", f"'{severity}': INVALID or WARN")
                severity = "INVALID"
            claim = self._rule_field(kind, value, row, s, names, form)
            out.append(
                RuleDef(
                    kind,
                    value,
                    code,
                    Text(text.vi or text.en, text.en or text.vi),
                    severity,
                    row,
                    claim,
                )
            )
        return out

    def _rule_field(
        self,
        kind: str,
        value: str,
        row: int,
        s: Mapping[str, Any],
        names: set[str] | None,
        form: Form | None,
    ) -> str | None:
        """The claim a condition reads, checked: it must be a field carried in the QR."""
        from core.definitions import token

        if kind == "once":
            if value:
                self.problem(RULES, row, "value", "'once' takes no value")
            return None
        if not value:
            self.problem(RULES, row, "value", token.CONDITION_HELP[kind])
            return None
        name = token.field_of(kind, value, names)
        if name is not None:
            if names is not None and name not in names:
                near = difflib.get_close_matches(name, sorted(names), n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                self.problem(RULES, row, "value", f"'{name}' names no field of the survey{hint}")
                return None
            if name not in s["claims"]:
                self.problem(
                    RULES,
                    row,
                    "value",
                    f"the rule reads '{name}' from the QR code: add it to claims on the app sheet",
                )
                return None
            if form is not None:
                problem = token.field_problem(kind, form.by_name[name], form)
                if problem:
                    self.problem(RULES, row, "value", problem)
                    return None
        try:
            token.compile_rule(kind, value, name, tuple(s["claims"]))
        except ValueError as exc:
            self.problem(RULES, row, "value", str(exc))
        return name

    # -- panels --------------------------------------------------------------------------

    def _panels(
        self, s: Mapping[str, Any], names: set[str] | None, form: Form | None
    ) -> list[PanelDef]:
        out: list[PanelDef] = []
        for row, values in self.rows(PANELS, PANEL_COLUMNS):
            kind = "_".join(values.get(("kind", None), "").casefold().split())
            if kind not in PANEL_KINDS:
                near = difflib.get_close_matches(kind, PANEL_KINDS, n=1)
                hint = f"did you mean '{near[0]}'? " if near else ""
                self.problem(
                    PANELS,
                    row,
                    "kind",
                    f"unknown panel kind '{kind}': {hint}write one of {', '.join(PANEL_KINDS)}",
                )
                continue
            name = values.get(("field", None)) or None
            title = self.texts(values, "title")
            if names is not None and name is not None and name not in names:
                near = difflib.get_close_matches(name, sorted(names), n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                self.problem(PANELS, row, "field", f"'{name}' names no field of the survey{hint}")
                continue
            if form is not None:
                problem = _panel_problem(kind, name, form, s.get("area_field"))
                if problem:
                    self.problem(PANELS, row, "field", problem)
                    continue
            if kind == "per_area" and name is None:
                name = s.get("area_field")
            if not title:
                self.problem(PANELS, row, "title", "a panel needs a title (title::vi, title::en)")
            out.append(PanelDef(kind, name, Text(title.vi or title.en, title.en or title.vi), row))
        return out


def _panel_problem(kind: str, name: str | None, form: Form, area_field: str | None) -> str | None:
    f: Field | None = form.by_name.get(name) if name else None
    if kind == "per_day":
        if f is not None and f.base_type not in ("date", "datetime"):
            return f"'{name}' is not a date: leave field empty to count by the day sent"
        return None
    if kind == "per_choice":
        if f is None:
            return "per_choice needs a select_one, select_multiple or yes_no field"
        if (
            f.base_type not in ("select_one", "select_multiple", "yes_no")
            or f.storage_column is None
        ):
            return f"'{name}' is not a select_one, select_multiple or yes_no field"
        if f.base_type == "select_multiple" and str(f.parameters.get("storage", "")) == "flags":
            return f"'{name}' is stored as flags: count it per choice without storage=flags"
        return None
    # per_area
    if f is None:
        return None if area_field else "per_area needs a ward or province field (or area_field)"
    if f.base_type != "select_one" or f.list_name not in ("wards", "provinces"):
        return f"'{name}' is not a select_one wards or provinces question"
    return None


MODULE = "core.definitions"
"""``Registry.modules`` of every definition app: its service entry points are
``core.definitions.service`` (``core.testkit.authorization_matrix`` finds them there)."""
