"""A form is data: fields (one row each, as in an XLSForm ``survey`` sheet) and choice lists.

Declared once, a form gives everything else: validation with an error per field
(``Form.validate``), the storage columns (``core.forms.storage``), the Streamlit widgets and the
plain HTML page (renderers), the table-upload reader and its template (``core.forms.table``).

A ``Form`` checks its own definition when it is built: unknown types, duplicate names, missing
choice lists, broken expressions and references to missing fields raise ``DefinitionError``
naming the sheet, row and column (the row is the XLSForm row when the form came from a workbook;
for a Python form it names the field).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from core.forms.choices import BUILTIN_LISTS, Choice, ChoiceList, builtin
from core.forms.errors import FieldError, FormInvalid
from core.forms.expressions import Expression, ExpressionError, compile_expression, string_value
from core.forms.text import EMPTY, CutText, Text, as_text
from core.forms.types import CALCULATE_TYPES, TYPES, FieldType, Parser, ParseState, Spec

NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
_MISSING = object()
FORM_ID = re.compile(r"[a-z][a-z0-9_]{1,39}")
MAX_FIELDS = 400


# -- the definition ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where a row of the definition came from: ``("survey", 7)`` for an XLSForm row."""

    sheet: str
    row: int | None = None


@dataclass(frozen=True)
class Field:
    """One question (a row of the survey sheet).

    ``type`` is XLSForm-style: ``"text"``, ``"integer"``, ``"select_one sexes"``,
    ``"select_multiple symptoms"``, ``"cccd"``, ... (see ``core.forms.types.TYPES``).
    ``required`` is a bool or an expression; ``constraint``, ``relevant``, ``calculation`` and
    ``choice_filter`` are expressions of the forms core's safe language. ``column`` is the
    storage column (default: the name; ``""``: not stored). ``aliases`` are more spreadsheet
    headers accepted for it.
    """

    name: str
    type: str
    label: Text | tuple[str, str] | str = EMPTY
    hint: Text | tuple[str, str] | str = EMPTY
    required: bool | str = False
    required_message: Text | tuple[str, str] | str = EMPTY
    default: Any = None
    constraint: str = ""
    constraint_message: Text | tuple[str, str] | str = EMPTY
    relevant: str = ""
    calculation: str = ""
    choice_filter: str = ""
    appearance: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    column: str | None = None
    aliases: tuple[str, ...] = ()
    origin: Origin | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in ("label", "hint", "required_message", "constraint_message"):
            object.__setattr__(self, name, as_text(getattr(self, name)))

    @property
    def base_type(self) -> str:
        return self.type.split()[0] if self.type.strip() else ""

    @property
    def list_name(self) -> str | None:
        parts = self.type.split()
        return parts[1] if len(parts) > 1 else None

    @property
    def kind(self) -> FieldType:
        return TYPES[self.base_type]

    @property
    def storage_column(self) -> str | None:
        """The column this field's value is stored in (flags: see ``core.forms.storage``)."""
        if self.kind.storage is None or self.column == "":
            return None
        return self.column or self.name


@dataclass(frozen=True)
class Group:
    """Fields shown together under a heading (XLSForm ``begin_group`` ... ``end_group``); its
    ``relevant`` applies to every field inside."""

    name: str
    label: Text | tuple[str, str] | str
    items: tuple[Field | Group, ...]
    relevant: str = ""
    appearance: str = ""
    origin: Origin | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", as_text(self.label))
        object.__setattr__(self, "items", tuple(self.items))


@dataclass(frozen=True)
class Problem:
    """One problem of a definition, at a place a person can find."""

    sheet: str | None
    row: int | None
    column: str | None
    message: str
    name: str | None = None

    def __str__(self) -> str:
        where = [self.sheet or "workbook"]
        if self.row is not None:
            where.append(f"row {self.row}")
        elif self.name:
            where.append(f"field '{self.name}'")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class DefinitionError(ValueError):
    """A form definition that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


# -- compiled pieces ----------------------------------------------------------------------------------


class _Env:
    """The ``Env`` of the expression language over one submission being validated."""

    __slots__ = ("state", "current", "choice")

    def __init__(self, state: ParseState) -> None:
        self.state = state
        self.current: Any = None
        self.choice: Choice | None = None

    def field(self, name: str) -> Any:
        return self.state.values.get(name)

    def attr(self, name: str) -> Any:
        if self.choice is None:
            return None
        if name == "name":
            return self.choice.name
        return self.choice.attrs.get(name)

    @property
    def today(self) -> date:
        return self.state.today

    @property
    def now(self) -> datetime:
        return self.state.now


class ChoiceFilter:
    """A field's ``choice_filter``: which choices apply given the other answers.

    ``NAME = <expression>`` (the usual ``province = ${province_code}``) compares one column of
    the choice with a value computed once per check (once for all when it is a constant);
    any other filter is evaluated per choice."""

    __slots__ = ("expression", "attribute", "value", "constant")

    def __init__(self, expression: Expression) -> None:
        self.expression = expression
        simple = expression.equality_filter()
        self.attribute, self.value = simple if simple is not None else (None, None)
        self.constant: str | None = None
        if self.value is not None and not self.value.references and not self.value.uses_current:
            fixed = self.value.evaluate(_Env(ParseState(now=_EPOCH, today=_EPOCH.date())))
            self.constant = None if fixed is None else string_value(fixed)

    def wanted(self, state: ParseState) -> str | None:
        """The value the choice's column must have (equality filters), as text."""
        if self.constant is not None:
            return self.constant
        assert self.value is not None
        want = self.value.evaluate(_Env(state))
        return None if want is None else string_value(want)

    def allows(self, choice: Choice, state: ParseState) -> bool:
        if self.attribute is not None:
            want = self.wanted(state)
            have = choice.name if self.attribute == "name" else choice.attrs.get(self.attribute)
            return want is not None and string_value(have) == want
        env = _Env(state)
        env.choice = choice
        return self.expression.truth(env)

    def filter(self, chosen: ChoiceList, state: ParseState) -> list[Choice]:
        """The choices that apply now (for renderers)."""
        if self.attribute is not None:
            want = self.wanted(state)
            attr = self.attribute
            return [
                c
                for c in chosen.choices
                if want is not None
                and string_value(c.name if attr == "name" else c.attrs.get(attr)) == want
            ]
        return [c for c in chosen.choices if self.allows(c, state)]


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class _Step:
    field: Field
    parser: Parser | None
    relevant: tuple[Expression, ...]
    required: bool | Expression
    constraint: Expression | None
    calculation: Expression | None
    default: Any
    dynamic_default: Expression | None
    is_input: bool


# -- the form -------------------------------------------------------------------------------------------


class Form:
    """A validated, compiled form definition."""

    def __init__(
        self,
        id: str,
        title: Text | tuple[str, str] | str,
        items: Iterable[Field | Group],
        *,
        choices: Iterable[ChoiceList] = (),
        table: str | None = None,
        version: str = "1",
        settings: Mapping[str, Any] | None = None,
        source: str = "python",
    ) -> None:
        self.id = id
        self.title = as_text(title)
        self.items: tuple[Field | Group, ...] = tuple(items)
        self.table = table
        self.version = version
        self.settings = dict(settings or {})
        self.source = source
        self.lists: dict[str, ChoiceList] = {}
        problems: list[Problem] = []
        for chosen in choices:
            if chosen.name in self.lists:
                problems.append(
                    Problem("choices", None, "list_name", f"list '{chosen.name}' is defined twice")
                )
            self.lists[chosen.name] = chosen
        self.fields: tuple[Field, ...] = tuple(self._walk(self.items))
        self.groups: dict[str, Group] = {}
        self._group_of: dict[str, tuple[Group, ...]] = {}
        self._index_groups(self.items, ())
        self.by_name: dict[str, Field] = {}
        self._steps: list[_Step] = []
        self._filters: dict[str, ChoiceFilter] = {}
        self._compile(problems)
        if problems:
            raise DefinitionError(problems)
        self._calculations = [s for s in self._steps if s.calculation is not None]
        self._inputs = [s for s in self._steps if s.parser is not None]
        self._plan_parse = [(s.field.name, s.parser, s.default) for s in self._inputs]
        self._last_day: tuple[datetime, date] | None = None
        self._plain = not self._calculations and all(
            not s.relevant and s.constraint is None and isinstance(s.required, bool)
            for s in self._steps
        )
        """No skip logic, constraints or computed values: a submission whose answers all parsed
        and whose required answers are present is valid as it stands (the roster's case)."""
        self._required_names = [s.field.name for s in self._inputs if s.required is True]

    # -- structure ------------------------------------------------------------------------------

    @staticmethod
    def _walk(items: Iterable[Field | Group]) -> Iterator[Field]:
        for item in items:
            if isinstance(item, Group):
                yield from Form._walk(item.items)
            else:
                yield item

    def _index_groups(self, items: Iterable[Field | Group], parents: tuple[Group, ...]) -> None:
        for item in items:
            if isinstance(item, Group):
                self.groups[item.name] = item
                self._index_groups(item.items, (*parents, item))
            else:
                self._group_of[item.name] = parents

    def field(self, name: str) -> Field:
        return self.by_name[name]

    def groups_of(self, name: str) -> tuple[Group, ...]:
        """The groups a field sits in, outermost first."""
        return self._group_of.get(name, ())

    def choice_list(self, f: Field) -> ChoiceList | None:
        name = f.list_name
        if name is None:
            return None
        return self.lists.get(name) or builtin(name)

    def choice_filter(self, name: str) -> ChoiceFilter | None:
        return self._filters.get(name)

    def label(self, name: str, locale: str) -> str:
        f = self.by_name.get(name)
        return f.label.get(locale) if f is not None and f.label else name

    @property
    def input_fields(self) -> list[Field]:
        """Fields a person fills in (not notes, not calculations)."""
        return [s.field for s in self._inputs]

    # -- compile --------------------------------------------------------------------------------

    def _problem(self, f: Field | Group | None, column: str | None, message: str) -> Problem:
        origin = f.origin if f is not None else None
        sheet = origin.sheet if origin else "survey"
        row = origin.row if origin else None
        return Problem(sheet, row, column, message, f.name if f is not None else None)

    def _compile(self, problems: list[Problem]) -> None:
        if not FORM_ID.fullmatch(self.id or ""):
            problems.append(
                Problem(
                    "settings",
                    None,
                    "form_id",
                    f"form id {self.id!r} must be 2-40 lower-case letters, digits or _, starting with a letter",
                )
            )
        if len(self.fields) > MAX_FIELDS:
            problems.append(Problem("survey", None, None, f"more than {MAX_FIELDS} fields"))
        seen: dict[str, Field | Group] = {}
        self._duplicates: set[str] = set()
        for item in [*self.groups.values(), *self.fields]:
            if not NAME.fullmatch(item.name or ""):
                problems.append(
                    self._problem(
                        item,
                        "name",
                        f"name {item.name!r} must be lower-case letters, digits or _, starting with a letter (at most 63)",
                    )
                )
            elif item.name in seen:
                self._duplicates.add(item.name)
                problems.append(
                    self._problem(item, "name", f"the name '{item.name}' is used twice")
                )
            seen[item.name] = item
        self.by_name = {f.name: f for f in self.fields}
        names = set(self.by_name)
        order = {f.name: i for i, f in enumerate(self.fields)}
        for chosen in self.lists.values():
            self._check_list(chosen, problems)
        columns: dict[str, str] = {}
        group_relevant: dict[str, Expression] = {}
        for g in self.groups.values():
            if g.relevant:
                expr = self._expression(g, "relevant", g.relevant, names, problems)
                if expr is not None:
                    group_relevant[g.name] = expr
        for f in self.fields:
            step = self._compile_field(f, names, order, group_relevant, problems)
            if step is not None:
                self._steps.append(step)
                if f.name in self._duplicates:
                    continue
                for col in self._columns_of(f):
                    if col in columns:
                        problems.append(
                            self._problem(
                                f, "name", f"column '{col}' is also used by '{columns[col]}'"
                            )
                        )
                    columns[col] = f.name

    def _columns_of(self, f: Field) -> list[str]:
        from core.forms.storage import field_columns

        try:
            return [c.name for c in field_columns(self, f)]
        except (KeyError, ValueError):
            return []

    def _check_list(self, chosen: ChoiceList, problems: list[Problem]) -> None:
        if not chosen.choices:
            problems.append(
                Problem("choices", None, "list_name", f"list '{chosen.name}' has no choices")
            )
        seen: set[str] = set()
        for c in chosen.choices:
            key = str(c.name)
            if key in seen:
                problems.append(
                    Problem(
                        "choices",
                        None,
                        "name",
                        f"list '{chosen.name}' has the choice '{key}' twice",
                    )
                )
            seen.add(key)
            if not key.strip() or len(key) > 64 or any(ch.isspace() for ch in key):
                problems.append(
                    Problem(
                        "choices",
                        None,
                        "name",
                        f"list '{chosen.name}': choice name {key!r} must be 1-64 characters without spaces",
                    )
                )
            if not c.label:
                problems.append(
                    Problem(
                        "choices",
                        None,
                        "label",
                        f"list '{chosen.name}': choice '{key}' has no label",
                    )
                )

    def _expression(
        self,
        item: Field | Group,
        column: str,
        text: str,
        names: set[str],
        problems: list[Problem],
        *,
        current: bool = False,
        attributes: bool = False,
        before: set[str] | None = None,
    ) -> Expression | None:
        try:
            expr = compile_expression(text, attributes=attributes)
        except ExpressionError as exc:
            problems.append(self._problem(item, column, f"cannot read the expression: {exc}"))
            return None
        for ref in sorted(expr.references):
            if ref not in names:
                near = difflib.get_close_matches(ref, sorted(names), n=1)
                hint = f" (did you mean ${{{near[0]}}}?)" if near else ""
                problems.append(self._problem(item, column, f"${{{ref}}} names no field{hint}"))
            elif before is not None and ref not in before:
                problems.append(
                    self._problem(item, column, f"${{{ref}}} must be a field asked before this one")
                )
        if expr.uses_current and not current:
            problems.append(
                self._problem(
                    item, column, "'.' (this field's value) is only allowed in a constraint"
                )
            )
        return expr

    def _compile_field(
        self,
        f: Field,
        names: set[str],
        order: dict[str, int],
        group_relevant: dict[str, Expression],
        problems: list[Problem],
    ) -> _Step | None:
        base = f.base_type
        kind = TYPES.get(base)
        if kind is None:
            near = difflib.get_close_matches(base, sorted(TYPES), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            problems.append(self._problem(f, "type", f"unknown type '{f.type}'{hint}"))
            return None
        chosen = self.choice_list(f)
        if kind.needs_list:
            if f.list_name is None:
                problems.append(
                    self._problem(
                        f, "type", f"'{base}' needs a choice list name, e.g. '{base} yes_no'"
                    )
                )
                return None
            if chosen is None:
                known = sorted({*self.lists, *BUILTIN_LISTS})
                near = difflib.get_close_matches(f.list_name, known, n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                problems.append(
                    self._problem(
                        f, "type", f"no choice list '{f.list_name}' on the choices sheet{hint}"
                    )
                )
                return None
        elif f.list_name is not None:
            problems.append(self._problem(f, "type", f"'{base}' takes no choice list"))
        unknown = set(f.parameters) - kind.params
        if unknown:
            allowed = ", ".join(sorted(kind.params)) or "none"
            problems.append(
                self._problem(
                    f,
                    "parameters",
                    f"unknown parameter(s) {', '.join(sorted(unknown))} for '{base}' (allowed: {allowed})",
                )
            )
        if kind.has_value and base != "calculate" and not f.label:
            problems.append(self._problem(f, "label", "a question needs a label"))
        if base == "note" and not f.label:
            problems.append(self._problem(f, "label", "a note needs a label"))
        before = {n for n, i in order.items() if i < order[f.name]}
        relevant: list[Expression] = [
            group_relevant[g.name] for g in self.groups_of(f.name) if g.name in group_relevant
        ]
        if f.relevant:
            expr = self._expression(f, "relevant", f.relevant, names, problems)
            if expr is not None:
                relevant.append(expr)
        required: bool | Expression = False
        if isinstance(f.required, str):
            expr = self._expression(f, "required", f.required, names, problems)
            required = expr if expr is not None else False
        else:
            required = bool(f.required)
        constraint = None
        if f.constraint:
            constraint = self._expression(
                f, "constraint", f.constraint, names, problems, current=True
            )
        calculation = None
        if base == "calculate":
            if not f.calculation:
                problems.append(
                    self._problem(f, "calculation", "a calculate row needs a calculation")
                )
            else:
                calculation = self._expression(f, "calculation", f.calculation, names, problems)
            if str(f.parameters.get("type", "text")) not in CALCULATE_TYPES:
                problems.append(
                    self._problem(
                        f, "parameters", f"type must be one of {', '.join(CALCULATE_TYPES)}"
                    )
                )
        elif f.calculation:
            problems.append(
                self._problem(f, "calculation", "only a calculate row has a calculation")
            )
        if f.choice_filter:
            if not kind.needs_list:
                problems.append(
                    self._problem(f, "choice_filter", "only a select question has a choice filter")
                )
            else:
                expr = self._expression(
                    f,
                    "choice_filter",
                    f.choice_filter,
                    names,
                    problems,
                    attributes=True,
                    before=before,
                )
                if expr is not None and chosen is not None:
                    columns = {"name"} | {k for c in chosen.choices for k in c.attrs}
                    unknown_attrs = sorted(expr.attributes - columns)
                    if unknown_attrs:
                        have = ", ".join(sorted(columns))
                        problems.append(
                            self._problem(
                                f,
                                "choice_filter",
                                f"the choices of list '{chosen.name}' have no column"
                                f" {', '.join(repr(a) for a in unknown_attrs)} (they have: {have})",
                            )
                        )
                    else:
                        self._filters[f.name] = ChoiceFilter(expr)
        parser: Parser | None = None
        if kind.build is not None:
            try:
                parser = kind.build(f, Spec(f.parameters, chosen, self._filters.get(f.name)))
            except (TypeError, ValueError, OverflowError, FieldError) as exc:
                problems.append(self._problem(f, "parameters", f"bad parameter: {exc}"))
                return None
        default, dynamic = None, None
        if f.default is not None and f.default != "":
            if isinstance(f.default, str) and f.default.strip() in ("today()", "now()"):
                dynamic = compile_expression(f.default.strip())
            elif parser is not None:
                try:
                    default = parser(f.default, _default_state())
                except FieldError as exc:
                    problems.append(
                        self._problem(
                            f, "default", f"the default does not fit the type: {_english(exc)}"
                        )
                    )
        return _Step(
            field=f,
            parser=parser,
            relevant=tuple(relevant),
            required=required,
            constraint=constraint,
            calculation=calculation,
            default=default,
            dynamic_default=dynamic,
            is_input=parser is not None,
        )

    # -- validation -------------------------------------------------------------------------------

    def new_state(self, now: datetime | None = None) -> ParseState:
        from core import clock

        moment = now or clock.now()
        last = self._last_day
        if last is not None and last[0] == moment:
            today = last[1]
        else:
            today = moment.astimezone(clock.LOCAL_TZ).date()
            self._last_day = (moment, today)
        return ParseState(now=moment, today=today)

    def defaults(self, now: datetime | None = None) -> dict[str, Any]:
        """Each field's starting value (for renderers)."""
        state = self.new_state(now)
        env = _Env(state)
        out: dict[str, Any] = {}
        for step in self._inputs:
            if step.dynamic_default is not None:
                out[step.field.name] = step.dynamic_default.evaluate(env)
            elif step.default is not None:
                out[step.field.name] = step.default
        return out

    def parse_partial(self, raw: Mapping[str, Any], now: datetime | None = None) -> ParseState:
        """What can be parsed of a form being filled in (bad or empty answers are None): the
        state renderers use to decide which questions and choices to show."""
        state = self.new_state(now)
        values = state.values
        for step in self._inputs:
            value = raw.get(step.field.name)
            if (
                value is None
                or value == ""
                or value == []
                or value is False
                and step.field.base_type == "acknowledge"
            ):
                values[step.field.name] = None
                continue
            try:
                values[step.field.name] = step.parser(value, state)  # type: ignore[misc]
            except FieldError:
                values[step.field.name] = None
        return state

    def options(self, name: str, state: ParseState) -> list[Choice]:
        """The choices of a select field that apply to the answers so far."""
        f = self.by_name[name]
        chosen = self.choice_list(f)
        if chosen is None:
            return []
        flt = self._filters.get(name)
        return list(chosen.choices) if flt is None else flt.filter(chosen, state)

    @property
    def has_dependencies(self) -> bool:
        """True when a question's visibility or choices depend on other answers."""
        return any(f.constant is None for f in self._filters.values()) or any(
            s.relevant or not isinstance(s.required, bool) for s in self._steps
        )

    def relevant(
        self,
        values: Mapping[str, Any],
        now: datetime | None = None,
        *,
        state: ParseState | None = None,
    ) -> set[str]:
        """Names of the fields (and groups) to show for these (typed) values."""
        if state is None:
            state = self.new_state(now)
            state.values.update(values)
        env = _Env(state)
        shown: set[str] = set()
        for step in self._steps:
            if all(expr.truth(env) for expr in step.relevant):
                shown.add(step.field.name)
            else:
                state.values[step.field.name] = None
        for name in self.groups:
            if any(f.name in shown for f in self._walk(self.groups[name].items)):
                shown.add(name)
        return shown

    def validate(
        self,
        raw: Mapping[str, Any],
        *,
        shown: Iterable[str] | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Raw input -> typed values (every field; ``None`` when empty or not relevant), or
        ``FormInvalid`` with one error per field. ``shown``: the fields the person saw; a
        question that becomes relevant only with this submission is reported instead of
        silently left empty, so the person can answer it."""
        state = self.new_state(now)
        values = state.values
        env = _Env(state)
        parse_errors: dict[str, FieldError] = {}
        get = raw.get
        for name, parser, default in self._plan_parse:
            value = get(name, _MISSING)
            if value is _MISSING:  # a static default fills an omitted answer; "today()" is only
                values[name] = default  # a starting value for renderers, never an answer
                continue
            if value is None or value == "" or value == [] or value == ():
                values[name] = None
                continue
            if isinstance(value, str) and value.isspace():
                values[name] = None
                continue
            try:
                values[name] = parser(value, state)
            except FieldError as exc:
                values[name] = None
                parse_errors[name] = exc
            else:
                if value.__class__ is CutText:  # cut by the renderer: say so beside the field
                    parse_errors[name] = FieldError(
                        "forms.err.cut", max=value.limit, length=value.length
                    )
        errors: dict[str, FieldError] = {}
        seen = set(shown) if shown is not None else None
        if not parse_errors and seen is None and self._plain:
            for name in self._required_names:
                value = values[name]
                if value is None or value == []:
                    break
            else:
                return values
        for step in self._steps:
            name = step.field.name
            if step.relevant and not all(expr.truth(env) for expr in step.relevant):
                values[name] = None
                continue
            if not step.is_input:
                continue
            if seen is not None and name not in seen:
                errors[name] = FieldError("forms.err.new_question")
                continue
            if parse_errors and name in parse_errors:
                errors[name] = parse_errors[name]
                continue
            value = values[name]
            if value is None or value == []:
                required = step.required
                if required is True or (required is not False and required.truth(env)):
                    errors[name] = FieldError(
                        "forms.err.required", text=step.field.required_message or None
                    )
                continue
            if step.constraint is not None:
                env.current = value
                ok = step.constraint.truth(env)
                env.current = None
                if not ok:
                    errors[name] = FieldError(
                        "forms.err.constraint", text=step.field.constraint_message or None
                    )
        for step in self._calculations:
            if step.relevant and not all(expr.truth(env) for expr in step.relevant):
                continue
            values[step.field.name] = _calculated(step, env)
        if errors:
            raise FormInvalid(errors)
        return values

    def __repr__(self) -> str:
        return f"Form({self.id!r}, {len(self.fields)} fields)"


def _english(exc: FieldError) -> str:
    """A field error in English words (definition problems are for the form's author)."""
    from core.i18n import t_in

    if exc.text:
        return exc.text[1] or exc.text[0]
    return t_in("en", exc.key, **exc.params)


def _default_state() -> ParseState:
    from core import clock

    moment = clock.now()
    return ParseState(now=moment, today=moment.astimezone(clock.LOCAL_TZ).date())


def _calculated(step: _Step, env: _Env) -> Any:
    assert step.calculation is not None
    value = step.calculation.evaluate(env)
    kind = str(step.field.parameters.get("type", "text"))
    try:
        if value is None or value == "":
            return None
        if kind == "integer":
            return int(value)
        if kind == "decimal":
            return float(value)
        if kind == "yes_no":
            return bool(value)
        if kind == "date":
            return value if isinstance(value, date) else None
        return value if isinstance(value, str) else str(value)
    except (TypeError, ValueError, OverflowError):
        return None


__all__ = [
    "ChoiceFilter",
    "DefinitionError",
    "Field",
    "Form",
    "FormInvalid",
    "Group",
    "Origin",
    "Problem",
]
