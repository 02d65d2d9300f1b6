"""The safe expression language of the forms core: XLSForm's subset of XPath 1.0.

Form authors write ``constraint``, ``relevant``, ``calculation`` and ``choice_filter`` cells in
XLSForm syntax (``${age} >= 18 and selected(${symptoms}, 'fever')``). This module is their only
interpreter: its own tokenizer, a precedence-climbing parser and a compiler to nested Python
closures. Expression text is data, never code: no ``eval``/``exec``/``compile`` of user text,
no Python ``ast``, no attribute access, no imports. Unknown functions and names are compile
errors; every value an expression can touch is plain data (None, bool, int, float, str, date,
datetime, list). Authors' reference, with the exact semantics: docs/FORMS-EXPRESSIONS.md.

Compile once, evaluate many times::

    expr = compile_expression(". >= 0 and . <= 10")
    expr.truth(SimpleEnv(current=7))          # True

Limits, refused at compile time: text over 2,000 characters, more than 500 tokens, nesting
(parentheses, function calls, unary minus) deeper than 50, regex patterns over 200 characters
or that could backtrack explosively. At run time string results of ``concat`` and
``format-date`` are capped at 10,000 characters and ``regex`` never looks at values over 1,000
characters, so evaluation time is bounded by the size of the expression.

AST as JSON (``Expression.to_json()``), format 1
------------------------------------------------
A node is a JSON array whose first item is a string tag; everything is lists, strings,
numbers and nothing else, so a small JavaScript evaluator can run the same expression::

    ["num", 36.5]                number literal (integer or decimal, always finite)
    ["str", "yes"]               string literal (NFC-normalised)
    ["ref", "age"]               ${age}
    ["current"]                  .  (the value being checked)
    ["attr", "province"]         a bare name (only in choice filters): the choice's column
    ["neg", X]                   unary minus
    [OP, LEFT, RIGHT]            OP is one of: or and = != < <= > >= + - * div mod
    ["call", NAME, ARG, ...]     function call; NAME is a key of FUNCTIONS

Binary operators are always exactly two operands; chains are nested to the left
(``1 - 2 - 3`` is ``["-", ["-", ["num", 1], ["num", 2]], ["num", 3]]``). Parentheses leave no
node. ``regex``'s second argument is always a ``["str", ...]`` node. New tags may be added in
later formats; existing ones keep their meaning.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from core import clock

__all__ = [
    "FUNCTIONS",
    "Env",
    "Expression",
    "ExpressionError",
    "SimpleEnv",
    "compile_expression",
    "string_value",
]

MAX_TEXT = 2_000
MAX_TOKENS = 500
MAX_DEPTH = 50
MAX_NAME = 64
MAX_STRING = 10_000
MAX_PATTERN = 200
MAX_REGEX_INPUT = 1_000

# name -> (least, most) arguments; most None = any number.
FUNCTIONS: Mapping[str, tuple[int, int | None]] = MappingProxyType(
    {
        "not": (1, 1),
        "selected": (2, 2),
        "count-selected": (1, 1),
        "string-length": (1, 1),
        "today": (0, 0),
        "now": (0, 0),
        "if": (3, 3),
        "coalesce": (2, 2),
        "concat": (1, None),
        "int": (1, 1),
        "number": (1, 1),
        "string": (1, 1),
        "boolean": (1, 1),
        "round": (1, 2),
        "date": (1, 1),
        "substr": (2, 3),
        "contains": (2, 2),
        "starts-with": (2, 2),
        "ends-with": (2, 2),
        "abs": (1, 1),
        "min": (1, None),
        "max": (1, None),
        "regex": (2, 2),
        "true": (0, 0),
        "false": (0, 0),
        "format-date": (2, 2),
    }
)


# --------------------------------------------------------------------------------------------
# Public types


class ExpressionError(ValueError):
    """A syntax or usage error. Attributes: text (the expression), position (0-based char
    offset or None), reason (English sentence). str(exc) = 'reason (at character N)'."""

    def __init__(self, reason: str, text: str = "", position: int | None = None) -> None:
        self.reason = reason
        self.text = text
        self.position = position
        super().__init__(reason if position is None else f"{reason} (at character {position})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason, self.text, self.position))


class Env(Protocol):
    """What an expression reads when it is evaluated."""

    current: Any  # value of "."
    today: datetime.date  # local date (Asia/Ho_Chi_Minh), given by caller
    now: datetime.datetime  # aware datetime, given by caller

    def field(self, name: str) -> Any:
        """Value of ${name}; None when empty."""
        ...

    def attr(self, name: str) -> Any:
        """A bare name: a choice's column in a choice filter."""
        ...


def _local_now() -> datetime.datetime:
    return clock.now().astimezone(clock.LOCAL_TZ)


@dataclass
class SimpleEnv:
    """A plain Env: field values and choice columns from dicts; today/now from core.clock."""

    fields: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    current: Any = None
    attributes: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    today: datetime.date = dataclasses.field(default_factory=clock.today_local)
    now: datetime.datetime = dataclasses.field(default_factory=_local_now)

    def field(self, name: str) -> Any:
        return self.fields.get(name)

    def attr(self, name: str) -> Any:
        return self.attributes.get(name)


class _Node(NamedTuple):
    """One AST node: tag, children (or the literal value / name), and its span in the text."""

    tag: str
    args: tuple[Any, ...]
    pos: int
    end: int


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled expression. Build it with compile_expression()."""

    text: str
    references: frozenset[str]  # every ${name}
    uses_current: bool  # contains "."
    attributes: frozenset[str]  # bare names (only allowed when compiled with attributes=True)
    _node: _Node = dataclasses.field(repr=False, compare=False)
    _fn: Callable[[Env], Any] = dataclasses.field(repr=False, compare=False)
    _truth: Callable[[Env], bool] = dataclasses.field(repr=False, compare=False)

    def evaluate(self, env: Env) -> Any:
        """The value: None, bool, int, float, str, date, datetime or list."""
        return self._fn(env)

    def truth(self, env: Env) -> bool:
        """boolean() of the value: what a constraint or relevant condition means."""
        return self._truth(env)

    def to_json(self) -> Any:
        """The AST as plain JSON (format in the module docstring)."""
        return _to_json(self._node)

    def equality_filter(self) -> tuple[str, Expression] | None:
        """(NAME, right side) when the whole expression is ``NAME = <expr without bare names>``
        (or reversed), else None. A choice filter like ``province = ${province}`` is then a
        dict lookup: index choices by ``string_value(choice[NAME])`` and look up
        ``string_value(right.evaluate(env))``. This agrees with ``=`` whenever both sides are
        strings (the usual case) or numbers written the usual way ('12', not '012')."""
        node = self._node
        if node.tag != "=":
            return None
        left, right = node.args
        for name_side, other in ((left, right), (right, left)):
            if name_side.tag == "attr" and not _collect(other, "attr"):
                return name_side.args[0], _build(self.text[other.pos : other.end], other)
        return None


def compile_expression(text: str, *, attributes: bool = False) -> Expression:
    """Parse and compile; raises ExpressionError. ``attributes`` allows bare names."""
    if not isinstance(text, str):
        raise ExpressionError("an expression must be text", str(text), None)
    if len(text) > MAX_TEXT:
        raise ExpressionError(
            f"the expression is longer than {MAX_TEXT:,} characters", text, MAX_TEXT
        )
    tokens = _tokenize(text)
    parser = _Parser(text, tokens, attributes)
    node = parser.parse()
    return _build(text, node)


def string_value(value: Any) -> str:
    """XPath string() of a value, as ``string(x)`` gives it: None -> '', True -> 'true',
    12.0 -> '12', a date -> '2021-09-10', a list -> its items joined by spaces."""
    return _str(_normalise(value))


# --------------------------------------------------------------------------------------------
# Tokenizer

_WS = frozenset(" \t\r\n\u00a0")
_DIGITS = frozenset("0123456789")
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*")
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_KEYWORDS = frozenset({"and", "or", "div", "mod"})
_REFUSED_CHARS = {
    "/": "paths like /data/name are not supported: write ${name}",
    "|": "'|' is not supported: use 'or' between two conditions",
    "[": "'[...]' (predicates) is not supported",
    "]": "']' is not supported",
    "@": "'@' (XML attributes) is not supported",
    "&": "'&' is not supported: use 'and'",
    "{": "'{' is only allowed in ${name}",
    "}": "'}' is only allowed in ${name}",
    ";": "';' is not supported: arguments are separated by ','",
    "\u2018": "curly quote ‘ found: use a straight quote ' (spreadsheets may change it)",
    "\u2019": "curly quote ’ found: use a straight quote ' (spreadsheets may change it)",
    "\u201c": 'curly quote “ found: use a straight quote " (spreadsheets may change it)',
    "\u201d": 'curly quote ” found: use a straight quote " (spreadsheets may change it)',
}


class _Tok(NamedTuple):
    kind: str  # num str ref dot name op end
    value: Any
    pos: int
    end: int


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _WS:
            i += 1
            continue
        if len(toks) >= MAX_TOKENS:
            raise ExpressionError(f"the expression has more than {MAX_TOKENS} tokens", text, i)
        if ch == "'" or ch == '"':
            j = text.find(ch, i + 1)
            if j < 0:
                raise ExpressionError(
                    f"unterminated string: the quote {ch} is never closed", text, i
                )
            toks.append(_Tok("str", unicodedata.normalize("NFC", text[i + 1 : j]), i, j + 1))
            i = j + 1
        elif ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            m = _NUMBER_RE.match(text, i)
            assert m is not None  # the first character is a digit or ".digit"
            s = m.group()
            toks.append(_Tok("num", float(s) if "." in s else int(s), i, m.end()))
            i = m.end()
        elif ch == ".":
            if text.startswith("..", i):
                raise ExpressionError("'..' (the parent) is not supported: write ${name}", text, i)
            toks.append(_Tok("dot", ".", i, i + 1))
            i += 1
        elif ch == "$":
            m = _NAME_RE.match(text, i + 2) if text.startswith("${", i) else None
            if m is None or not text.startswith("}", m.end()):
                raise ExpressionError(
                    "a field reference is written ${name}: a name of letters, digits and _ "
                    "(not starting with a digit) between ${ and }",
                    text,
                    i,
                )
            if len(m.group()) > MAX_NAME:
                raise ExpressionError(f"a name is longer than {MAX_NAME} characters", text, i + 2)
            toks.append(_Tok("ref", m.group(), i, m.end() + 1))
            i = m.end() + 1
        elif ch in _NAME_START:
            m = _WORD_RE.match(text, i)
            assert m is not None
            word, end = m.group(), m.end()
            if "-" in word and word not in FUNCTIONS:
                k = end
                while k < n and text[k] in _WS:
                    k += 1
                if k >= n or text[k] != "(":
                    # 'a-b' is a minus b: only function names contain '-'.
                    m = _NAME_RE.match(text, i)
                    assert m is not None
                    word, end = m.group(), m.end()
            if len(word) > MAX_NAME:
                raise ExpressionError(f"a name is longer than {MAX_NAME} characters", text, i)
            toks.append(_Tok("name", word, i, end))
            i = end
        else:
            two = text[i : i + 2]
            if two in ("!=", "<=", ">="):
                toks.append(_Tok("op", two, i, i + 2))
                i += 2
            elif two == "==":
                raise ExpressionError("write = (one sign) to compare, not ==", text, i)
            elif ch in "=<>+-*(),":
                toks.append(_Tok("op", ch, i, i + 1))
                i += 1
            elif ch == "!":
                raise ExpressionError("'!' alone is not an operator: use != or not(...)", text, i)
            elif ch in _REFUSED_CHARS:
                raise ExpressionError(_REFUSED_CHARS[ch], text, i)
            else:
                shown = ch if ch.isprintable() else f"U+{ord(ch):04X}"
                raise ExpressionError(f"unexpected character {shown!r}", text, i)
    toks.append(_Tok("end", None, n, n))
    return toks


# --------------------------------------------------------------------------------------------
# Parser (precedence climbing; recursion only per nesting level, never per chain element)

_PREC = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}


def _describe(tok: _Tok) -> str:
    if tok.kind == "end":
        return "the end"
    if tok.kind == "str":
        return "a string"
    if tok.kind == "num":
        return "a number"
    if tok.kind == "ref":
        return f"${{{tok.value}}}"
    return f"'{tok.value}'"


class _Parser:
    def __init__(self, text: str, tokens: list[_Tok], attributes: bool) -> None:
        self.text = text
        self.toks = tokens
        self.i = 0
        self.depth = 0
        self.attributes = attributes

    def error(self, reason: str, pos: int | None) -> ExpressionError:
        return ExpressionError(reason, self.text, pos)

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the expression is nested deeper than {MAX_DEPTH} levels", pos)

    def parse(self) -> _Node:
        if self.peek().kind == "end":
            raise self.error("the expression is empty", 0)
        node = self.binary(1)
        tok = self.peek()
        if tok.kind != "end":
            if tok.kind == "op" and tok.value == ")":
                raise self.error("')' without a matching '('", tok.pos)
            raise self.error(self.missing_operator(tok), tok.pos)
        return node

    def missing_operator(self, tok: _Tok) -> str:
        reason = f"expected an operator (and, or, =, +, ...) before {_describe(tok)}"
        if tok.kind == "name" and tok.value.lower() in _KEYWORDS:
            reason += f"; operators are lower case: {tok.value.lower()}"
        return reason

    def binop(self, tok: _Tok) -> str | None:
        if tok.kind == "op" and tok.value in _PREC:
            return tok.value
        if tok.kind == "name" and tok.value in _KEYWORDS:
            return tok.value
        return None

    def binary(self, min_prec: int) -> _Node:
        left = self.unary()
        while True:
            op = self.binop(self.peek())
            if op is None or _PREC[op] < min_prec:
                return left
            self.i += 1
            right = self.binary(_PREC[op] + 1)
            left = _Node(op, (left, right), left.pos, right.end)

    def unary(self) -> _Node:
        starts: list[int] = []
        while self.peek().kind == "op" and self.peek().value == "-":
            tok = self.take()
            self.enter(tok.pos)
            starts.append(tok.pos)
        node = self.primary()
        for pos in reversed(starts):
            node = _Node("neg", (node,), pos, node.end)
        self.depth -= len(starts)
        return node

    def primary(self) -> _Node:
        tok = self.take()
        kind = tok.kind
        if kind == "num" or kind == "str":
            return _Node(kind, (tok.value,), tok.pos, tok.end)
        if kind == "ref":
            return _Node("ref", (tok.value,), tok.pos, tok.end)
        if kind == "dot":
            return _Node("current", (), tok.pos, tok.end)
        if kind == "name":
            if self.peek().kind == "op" and self.peek().value == "(":
                return self.call(tok)
            return self.bare_name(tok)
        if kind == "op" and tok.value == "(":
            self.enter(tok.pos)
            inner = self.binary(1)
            close = self.take()
            if close.kind == "end":
                raise self.error("'(' is never closed", tok.pos)
            if not (close.kind == "op" and close.value == ")"):
                raise self.error(
                    f"expected ')' or an operator, found {_describe(close)}", close.pos
                )
            self.depth -= 1
            return inner
        if kind == "end":
            prev = self.toks[self.i - 2] if self.i >= 2 else None
            after = f" after {_describe(prev)}" if prev is not None else ""
            raise self.error(f"the expression ends where a value is expected{after}", tok.pos)
        raise self.error(f"expected a value, found {_describe(tok)}", tok.pos)

    def bare_name(self, tok: _Tok) -> _Node:
        name = tok.value
        if name in FUNCTIONS:
            raise self.error(f"{name} is a function: write {name}(...)", tok.pos)
        if not self.attributes:
            if name in _KEYWORDS:
                raise self.error(f"'{name}' needs a value on each side", tok.pos)
            raise self.error(f"unknown name {name}, did you mean ${{{name}}}?", tok.pos)
        return _Node("attr", (name,), tok.pos, tok.end)

    def call(self, tok: _Tok) -> _Node:
        name = tok.value
        if name not in FUNCTIONS:
            raise self.error(f"unknown function {name}(){_suggest(name)}", tok.pos)
        self.take()  # "("
        self.enter(tok.pos)
        args: list[_Node] = []
        if self.peek().kind == "op" and self.peek().value == ")":
            close = self.take()
        else:
            while True:
                args.append(self.binary(1))
                close = self.take()
                if close.kind == "op" and close.value == ")":
                    break
                if close.kind == "op" and close.value == ",":
                    continue
                if close.kind == "end":
                    raise self.error(f"{name}( is never closed with ')'", tok.pos)
                raise self.error(
                    f"expected ',' or ')' in {name}(...), found {_describe(close)}", close.pos
                )
        self.depth -= 1
        least, most = FUNCTIONS[name]
        if len(args) < least or (most is not None and len(args) > most):
            raise self.error(f"{name}() takes {_arity_text(least, most)}, not {len(args)}", tok.pos)
        if name == "regex":
            pattern = args[1]
            if pattern.tag != "str":
                raise self.error("the pattern of regex() must be a string in quotes", pattern.pos)
            problem = _pattern_problem(pattern.args[0])
            if problem is not None:
                reason, offset = problem
                raise self.error(reason, pattern.pos + 1 + offset)
        return _Node("call", (name, *args), tok.pos, close.end)


def _arity_text(least: int, most: int | None) -> str:
    def plural(k: int) -> str:
        return f"{k} argument" + ("" if k == 1 else "s")

    if most is None:
        return f"at least {plural(least)}"
    if least == most:
        return "no arguments" if least == 0 else plural(least)
    return f"{least} to {most} arguments"


def _suggest(name: str) -> str:
    guess = name.lower().replace("_", "-")
    if guess in FUNCTIONS:
        return f", did you mean {guess}()?"
    close = difflib.get_close_matches(guess, list(FUNCTIONS), n=1, cutoff=0.75)
    return f", did you mean {close[0]}()?" if close else ""


# --------------------------------------------------------------------------------------------
# Regex patterns: a portable subset (Python re, Java, JavaScript agree) without explosive
# backtracking. Refused: backreferences, named groups, inline flags, possessive quantifiers,
# an open-ended repeat of a group that itself contains a repetition or '|' ((a+)+, (a|b)*:
# exponential), and patterns that could try more ways to match a 1,000-character value than
# two overlapping open-ended repetitions (.*a.*b.*c is polynomial: seconds at worst).

_RX_OPEN = MAX_REGEX_INPUT + 1  # ways an open-ended repetition can take on a checked value
_RX_BUDGET = _RX_OPEN**2
_RX_ESCAPES = frozenset("dDsSwWbBnrtfv")
_RX_QUANT = re.compile(r"\{([0-9]{1,9})(?:(,)([0-9]{0,9}))?\}")
_RX_HEX = re.compile(r"x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}")
_RX_GROUPS = ("(?:", "(?=", "(?!", "(?<=", "(?<!")


def _rx_escape(p: str, i: int) -> tuple[int, str | None]:
    """Length of the escape at p[i] ('\\'), or a reason it is refused."""
    if i + 1 >= len(p):
        return 1, "the pattern ends with a lone \\"
    e = p[i + 1]
    if not (e.isascii() and e.isalnum()):
        return 2, None
    if e in _RX_ESCAPES:
        return 2, None
    m = _RX_HEX.match(p, i + 1)
    if m is not None:
        return 1 + len(m.group()), None
    return 2, f"\\{e} is not supported in patterns (phones and browsers read it differently)"


def _pattern_problem(p: str) -> tuple[str, int] | None:
    """(reason, offset in the pattern) when the pattern is refused, else None."""
    if len(p) > MAX_PATTERN:
        return f"the regex pattern is longer than {MAX_PATTERN} characters", 0
    # One frame per open group: [ways of finished branches, ways of this branch,
    # contains a variable repetition or '|', offset of its '('].
    stack: list[list[Any]] = [[0, 1, False, 0]]
    # What a quantifier would repeat: (is a group, group has a repetition or '|', its ways).
    last: tuple[bool, bool, int] | None = None
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\":
            size, reason = _rx_escape(p, i)
            if reason is not None:
                return reason, i
            i += size
            last = (False, False, 1)
        elif c == "[":
            j = i + 1
            if j < n and p[j] == "^":
                j += 1
            if j < n and p[j] == "]":
                return "write \\] for a ']' at the start of [...]", j
            while j < n and p[j] != "]":
                if p[j] == "\\":
                    size, reason = _rx_escape(p, j)
                    if reason is not None:
                        return reason, j
                    j += size
                    continue
                if p[j] == "[":
                    return "write \\[ for a '[' inside [...]", j
                if p[j] in "-&~|" and j + 1 < n and p[j + 1] == p[j]:
                    return f"write \\{p[j]} for a doubled '{p[j]}' inside [...]", j
                j += 1
            if j >= n:
                return "'[' is never closed with ']'", i
            i = j + 1
            last = (False, False, 1)
        elif c == "(":
            if p.startswith("(?", i):
                opener = next((g for g in _RX_GROUPS if p.startswith(g, i)), None)
                if opener is None:
                    return "only (...), (?:...), (?=...), (?!...), (?<=...), (?<!...) groups", i
                i += len(opener)
            else:
                i += 1
            stack.append([0, 1, False, i])
            last = None
        elif c == ")":
            if len(stack) == 1:
                return "')' without a matching '('", i
            done, ways, variable, _ = stack.pop()
            branches = done > 0
            stack[-1][1] *= done + ways
            stack[-1][2] = stack[-1][2] or variable or branches
            last = (True, variable or branches, done + ways)
            i += 1
        elif c == "|":
            frame = stack[-1]
            frame[0] += frame[1]
            frame[1] = 1
            last = None
            i += 1
        elif c in "*+?{":
            if c == "{":
                m = _RX_QUANT.match(p, i)
                if m is None:
                    return "'{' must start a repetition like {3} or {2,5}; write \\{ otherwise", i
                least = int(m.group(1))
                most = least if not m.group(2) else (int(m.group(3)) if m.group(3) else None)
                end = m.end()
            else:
                least, most = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
                end = i + 1
            if last is None:
                return f"nothing to repeat before '{c}'", i
            if most is not None and most < least:
                return "a repetition {m,n} needs m <= n", i
            if end < n and p[end] == "+":
                return "possessive repetitions (*+, ++, ?+) are not supported", end
            if end < n and p[end] == "?":
                end += 1  # lazy: same cost
            is_group, inner_variable, inner_ways = last
            if is_group and inner_variable and most is None:
                return (
                    "an open-ended repeat of a group that itself contains a repetition or '|' "
                    "(like (a+)+ or (a|b)*) can take exponential time to check; "
                    "use a character class such as [ab]*",
                    i,
                )
            if is_group and inner_ways > 1 and most is not None and most > 1:
                stack[-1][1] *= inner_ways ** min(most - 1, 64)  # each copy has its own ways
            if most != least:
                top = MAX_REGEX_INPUT if most is None else min(most, MAX_REGEX_INPUT)
                stack[-1][1] *= max(top - min(least, MAX_REGEX_INPUT) + 1, 1)
                stack[-1][2] = True
            last = None
            i = end
        elif c == "}":
            return "write \\} for the character }", i
        elif c in "^$":
            last = None
            i += 1
        else:
            last = (False, False, 1)
            i += 1
    if len(stack) > 1:
        return "'(' is never closed in the pattern", stack[-1][3] - 1
    if stack[0][0] + stack[0][1] > _RX_BUDGET:
        return (
            "the pattern can try too many ways to match (repetitions such as *, + or {n,} "
            "that overlap, or large repeated groups): checking a long answer could take "
            "seconds; use at most two open-ended repetitions",
            0,
        )
    try:
        re.compile(p, re.ASCII)
    except re.error as exc:
        return f"invalid regex pattern: {exc.msg}", exc.pos or 0
    return None


# --------------------------------------------------------------------------------------------
# Values and conversions (XPath 1.0 as ODK applies it; see docs/FORMS-EXPRESSIONS.md)

_date = datetime.date
_datetime = datetime.datetime
_timedelta = datetime.timedelta
_EPOCH = _date(1970, 1, 1)
_EPOCH_DT = _datetime(1970, 1, 1)
_EPOCH_UTC = _datetime(1970, 1, 1, tzinfo=datetime.UTC)
_PLAIN = frozenset({type(None), bool, int, float, str, _date, _datetime, list})
_INT_LIMIT = 2**128  # integer results beyond this become floats (bounded cost per operation)
_INF = math.inf
_NUM_RE = re.compile(r"[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_DECIMAL = Context(prec=400)


def _normalise(v: Any) -> Any:
    """Any caller value as one of the plain types (subclasses, tuples, sets, others -> str)."""
    t = type(v)
    if t in _PLAIN:
        return v
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, _datetime):
        return _datetime(
            v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, v.tzinfo
        )
    if isinstance(v, _date):
        return _date(v.year, v.month, v.day)
    if isinstance(v, list | tuple | set | frozenset):
        return list(v)
    return str(v)


def _bigint(r: int) -> float:
    try:
        return float(r)
    except OverflowError:
        return _INF if r > 0 else -_INF


def _fix(r: Any) -> Any:
    """An arithmetic result: big ints -> float, NaN -> None."""
    if type(r) is int:
        return r if -_INT_LIMIT < r < _INT_LIMIT else _bigint(r)
    return None if r != r else r


def _parse_number(s: str) -> int | float | None:
    """XPath number() of a string: optional '-', digits, optional '.digits'; else None."""
    m = _NUM_RE.fullmatch(s)
    if m is None:
        return None
    t = m.group(1)
    if "." in t:
        return float(t)
    try:
        return int(t)
    except ValueError:  # more digits than Python converts
        return float(t)


def _num(v: Any) -> int | float | None:
    """A value as a number for arithmetic and comparisons; None when it is not one."""
    t = type(v)
    if t is int:
        return v if -_INT_LIMIT < v < _INT_LIMIT else _bigint(v)
    if t is float:
        return None if v != v else v
    if t is str:
        return _parse_number(v)
    if t is bool:
        return int(v)
    if t is list:
        return _parse_number(_str(v))
    return None


def _days(v: datetime.date) -> int | float:
    """Days since 1970-01-01 (fractional for a datetime)."""
    if type(v) is _date:
        return (v - _EPOCH).days
    assert isinstance(v, _datetime)
    base = _EPOCH_DT if v.utcoffset() is None else _EPOCH_UTC
    return (v - base).total_seconds() / 86400


def _num_any(v: Any) -> int | float | None:
    """number(): like _num, and a date is its number of days since 1970-01-01."""
    t = type(v)
    if t is _date or t is _datetime:
        return _days(v)
    return _num(v)


def _fmt_float(f: float) -> str:
    if f != f:
        return ""
    if f == _INF:
        return "Infinity"
    if f == -_INF:
        return "-Infinity"
    if f.is_integer():
        return str(int(f))
    r = repr(f)
    if "e" in r:
        r = format(Decimal(r), "f")
    return r


def _str(v: Any) -> str:
    """XPath string() of a plain value."""
    t = type(v)
    if t is str:
        return v
    if v is None:
        return ""
    if t is bool:
        return "true" if v else "false"
    if t is int:
        try:
            return str(v)
        except ValueError:  # more digits than Python converts
            return "Infinity" if v > 0 else "-Infinity"
    if t is float:
        return _fmt_float(v)
    if t is list:
        return " ".join(_str(x if type(x) in _PLAIN else _normalise(x)) for x in v)
    if t is _date or t is _datetime:
        return v.isoformat()
    return _str(_normalise(v))


def _truth(v: Any) -> bool:
    """XPath boolean(): None, '', 0, NaN, False and an empty list are false."""
    if v is True:
        return True
    if v is False or v is None:
        return False
    t = type(v)
    if t is str:
        return v != ""
    if t is int:
        return v != 0
    if t is float:
        return v == v and v != 0
    if t is list:
        return _str(v) != ""
    if t is _date or t is _datetime:
        return True
    return _truth(_normalise(v))


def _is_empty(v: Any) -> bool:
    t = type(v)
    return (
        v is None
        or (t is str and v == "")
        or (t is float and v != v)
        or (t is list and _str(v) == "")
    )


def _parse_date(s: str) -> datetime.date | None:
    s = s.strip(" \t\r\n") if len(s) <= 64 else ""
    if len(s) != 10 or _DATE_RE.fullmatch(s) is None:
        return None
    try:
        return _date.fromisoformat(s)
    except ValueError:
        return None


def _parse_temporal(s: str) -> datetime.date | None:
    """'YYYY-MM-DD' -> date; an ISO date-time -> datetime; anything else None."""
    d = _parse_date(s)
    if d is not None:
        return d
    s = s.strip(" \t\r\n") if len(s) <= 64 else ""
    if _DATETIME_RE.fullmatch(s) is None:
        return None
    try:
        return _datetime.fromisoformat(s)
    except ValueError:
        return None


def _pair(a: datetime.date, b: datetime.date) -> tuple[Any, Any]:
    """Two dates/datetimes made comparable: a date is midnight in the other's time zone; a
    naive datetime takes the other's time zone."""
    ta, tb = type(a), type(b)
    if ta is _date and tb is _date:
        return a, b
    if ta is _date:
        assert isinstance(b, _datetime)
        a = _datetime.combine(a, datetime.time(), tzinfo=b.tzinfo)
    elif tb is _date:
        assert isinstance(a, _datetime)
        b = _datetime.combine(b, datetime.time(), tzinfo=a.tzinfo)
    assert isinstance(a, _datetime) and isinstance(b, _datetime)
    a_naive, b_naive = a.utcoffset() is None, b.utcoffset() is None
    if a_naive and not b_naive:
        a = a.replace(tzinfo=b.tzinfo)
    elif b_naive and not a_naive:
        b = b.replace(tzinfo=a.tzinfo)
    return a, b


def _is_temporal(t: type) -> bool:
    return t is _date or t is _datetime


_YES_WORDS = frozenset({"yes", "true", "1"})
_NO_WORDS = frozenset({"no", "false", "0", ""})


def _yes_no(v: Any) -> bool:
    """A value compared with a yes/no: the words yes/true/1 and no/false/0 (any case) mean
    what they say (a yes_no answer is a bool; ODK's yes/no questions store 'yes'/'no');
    anything else is boolean()."""
    if type(v) is str and len(v) <= 8:
        word = v.strip().lower()
        if word in _YES_WORDS:
            return True
        if word in _NO_WORDS:
            return False
    return _truth(v)


def _eq_val(v: Any) -> Any:
    t = type(v)
    if v is None:
        return ""
    if t is float and v != v:
        return ""
    if t is list:
        return _str(v)
    return v


def _equals(a: Any, b: Any) -> bool:
    """XPath '=' (see the docs for the rules)."""
    ta, tb = type(a), type(b)
    if ta is tb and (ta is str or ta is int):
        return a == b
    a, b = _eq_val(a), _eq_val(b)
    ta, tb = type(a), type(b)
    if ta is bool or tb is bool:
        return _yes_no(a) == _yes_no(b)
    an = ta is int or ta is float
    bn = tb is int or tb is float
    if an and bn:
        return a == b
    if ta is str and tb is str:
        return a == b
    at, bt = _is_temporal(ta), _is_temporal(tb)
    if at or bt:
        if at and bt:
            x, y = _pair(a, b)
            return x == y
        t, other, other_num = (a, b, bn) if at else (b, a, an)
        if other_num:
            return _days(t) == other
        p = _parse_temporal(other)
        if p is None:
            return _str(t) == other
        x, y = _pair(t, p)
        return x == y
    if an:
        y = _parse_number(b)
        return a == y if y is not None else _str(a) == b
    x = _parse_number(a)
    return x == b if x is not None else a == _str(b)


def _ord_val(v: Any) -> Any:
    t = type(v)
    if t is int or t is _date or t is _datetime:
        return v
    if t is float:
        return None if v != v else v
    if t is str:
        return v if v != "" else None
    if t is bool:
        return int(v)
    if t is list:
        s = _str(v)
        return s if s != "" else None
    return None


def _order(cmp: Callable[[Any, Any], bool], a: Any, b: Any) -> bool:
    """XPath '<', '<=', '>', '>=' (see the docs): false when either side is empty."""
    a, b = _ord_val(a), _ord_val(b)
    if a is None or b is None:
        return False
    ta, tb = type(a), type(b)
    an = ta is int or ta is float
    bn = tb is int or tb is float
    if an and bn:
        return cmp(a, b)
    if ta is str and tb is str:
        x, y = _parse_number(a), _parse_number(b)
        if x is not None and y is not None:
            return cmp(x, y)
        return cmp(a, b)
    at, bt = _is_temporal(ta), _is_temporal(tb)
    if at and bt:
        x, y = _pair(a, b)
        return cmp(x, y)
    if at:
        if bn:
            return cmp(_days(a), b)
        p = _parse_temporal(b)
        if p is None:
            return False
        x, y = _pair(a, p)
        return cmp(x, y)
    if bt:
        if an:
            return cmp(a, _days(b))
        p = _parse_temporal(a)
        if p is None:
            return False
        x, y = _pair(p, b)
        return cmp(x, y)
    if an:
        y = _parse_number(b)
        return cmp(a, y) if y is not None else cmp(_str(a), b)
    x = _parse_number(a)
    return cmp(x, b) if x is not None else cmp(a, _str(b))


# Arithmetic ---------------------------------------------------------------------------------


def _shift(t: Any, days: int | float | None) -> Any:
    """A date or datetime moved by a number of days (a date by whole days)."""
    if days is None or days in (_INF, -_INF):
        return None
    try:
        if type(t) is _date:
            return t + _timedelta(days=int(days))
        return t + _timedelta(days=days)
    except (OverflowError, ValueError):
        return None


def _diff(a: Any, b: Any) -> int | float | None:
    x, y = _pair(a, b)
    try:
        d = x - y
    except (OverflowError, ValueError):
        return None
    if type(x) is _date:
        return d.days
    return d.total_seconds() / 86400


def _temporal_arith(op: str, a: Any, b: Any, at: bool, bt: bool) -> Any:
    if op == "+":
        if at and bt:
            return None
        return _shift(a, _num(b)) if at else _shift(b, _num(a))
    if op != "-":
        return None
    if at and bt:
        return _diff(a, b)
    if at:
        if type(b) is str:
            p = _parse_temporal(b)
            if p is not None:
                return _diff(a, p)
        k = _num(b)
        return None if k is None else _shift(a, -k)
    if type(a) is str:
        p = _parse_temporal(a)
        if p is not None:
            return _diff(p, b)
    return None


def _num_div(x: int | float, y: int | float) -> int | float | None:
    if y == 0:
        return None
    return x / y


def _num_mod(x: int | float, y: int | float) -> int | float | None:
    """XPath mod: the remainder has the sign of the dividend (-7 mod 3 = -1)."""
    if y == 0:
        return None
    if type(x) is int and type(y) is int:
        r = abs(x) % abs(y)
        return -r if x < 0 else r
    return math.fmod(x, y)


_NUM_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "div": _num_div,
    "mod": _num_mod,
}


def _arith(op: str, a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int and op != "div" and op != "mod":
        r = _NUM_OPS[op](a, b)
        return r if -_INT_LIMIT < r < _INT_LIMIT else _bigint(r)
    at, bt = _is_temporal(ta), _is_temporal(tb)
    if at or bt:
        return _temporal_arith(op, a, b, at, bt)
    x, y = _num(a), _num(b)
    if x is None or y is None:
        return None
    try:
        return _fix(_NUM_OPS[op](x, y))
    except (OverflowError, ValueError, ZeroDivisionError):
        return None


def _neg(v: Any) -> Any:
    x = _num(v)
    return None if x is None else _fix(-x)


# Functions ----------------------------------------------------------------------------------


def _f_selected(lst: Any, value: Any) -> bool:
    v = _str(value).strip()
    if v == "":
        return False
    t = type(lst)
    if t is list:
        if v in lst:
            return True
        return any(type(x) is not str and _str(_normalise(x)) == v for x in lst)
    if lst is None:
        return False
    return v in _str(lst).split()


def _f_count_selected(lst: Any) -> int:
    if type(lst) is list:
        return sum(1 for x in lst if _str(_normalise(x)) != "")
    if lst is None:
        return 0
    return len(_str(lst).split())


def _f_int(v: Any) -> int | float | None:
    x = _num_any(v)
    if x is None or type(x) is int or x in (_INF, -_INF):
        return x
    return _fix(int(x))


def _f_round(v: Any, digits: Any = 0) -> int | float | None:
    """Round half towards +infinity (XPath/ODK): round(2.5) = 3, round(-2.5) = -2; with
    digits, on the decimal digits as written (round(2.675, 2) = 2.68)."""
    x = _num(v)
    d = _num(digits)
    if x is None or d is None or d in (_INF, -_INF):
        return None
    d = int(d)
    if abs(d) > 30:
        return None
    if type(x) is int:
        if d >= 0:
            return x
        q = 10**-d
        return _fix((2 * x + q) // (2 * q) * q)
    if x in (_INF, -_INF):
        return x
    rounding = ROUND_HALF_UP if x >= 0 else ROUND_HALF_DOWN
    try:
        r = Decimal(repr(x)).quantize(Decimal(1).scaleb(-d), rounding=rounding, context=_DECIMAL)
    except InvalidOperation:
        return x
    return _fix(int(r)) if d <= 0 else float(r)


def _f_date(v: Any) -> datetime.date | None:
    t = type(v)
    if t is _date:
        return v
    if t is _datetime:
        return v.date()
    if t is int or t is float:
        if v != v or v in (_INF, -_INF):
            return None
        try:
            return _EPOCH + _timedelta(days=int(v))
        except (OverflowError, ValueError):
            return None
    if t is str or t is list:
        p = _parse_temporal(_str(v))
        return p.date() if isinstance(p, _datetime) else p
    return None


def _index(v: Any, n: int) -> int | None:
    x = _num(v)
    if x is None:
        return None
    if x == _INF:
        return n
    if x == -_INF:
        return 0
    i = int(x)
    if i < 0:
        i += n
    return min(max(i, 0), n)


def _f_substr(s: Any, start: Any, end: Any = None, has_end: bool = False) -> str:
    """ODK substr: 0-based start, end exclusive; negative indexes count from the end."""
    text = _str(s)
    n = len(text)
    a = _index(start, n)
    b = _index(end, n) if has_end else n
    if a is None or b is None or a >= b:
        return ""
    return text[a:b]


def _f_abs(v: Any) -> int | float | None:
    x = _num(v)
    return None if x is None else abs(x)


def _f_extreme(values: list[Any], pick: Callable[..., Any]) -> Any:
    """min()/max() of the numbers among the values (empty ones ignored); of dates when all
    non-empty values are dates (or all date-times)."""
    nums: list[int | float] = []
    temporals: list[Any] = []
    for v in values:
        if _is_temporal(type(v)):
            temporals.append(v)
            continue
        x = _num(v)
        if x is not None:
            nums.append(x)
    if nums and not temporals:
        return pick(nums)
    if temporals and not nums:
        kinds = {type(v) for v in temporals}
        if kinds == {_date}:
            return pick(temporals)
        if kinds == {_datetime} and len({v.utcoffset() is None for v in temporals}) == 1:
            return pick(temporals)
    return None


def _f_concat(values: list[Any]) -> str:
    out: list[str] = []
    size = 0
    for v in values:
        s = _str(v)
        out.append(s)
        size += len(s)
        if size >= MAX_STRING:
            return "".join(out)[:MAX_STRING]
    return "".join(out)


_DATE_FORMATS: dict[str, Callable[[datetime.datetime], str]] = {
    "Y": lambda d: f"{d.year:04d}",
    "y": lambda d: f"{d.year % 100:02d}",
    "m": lambda d: f"{d.month:02d}",
    "n": lambda d: str(d.month),
    "d": lambda d: f"{d.day:02d}",
    "e": lambda d: str(d.day),
    "H": lambda d: f"{d.hour:02d}",
    "h": lambda d: str(d.hour),
    "M": lambda d: f"{d.minute:02d}",
    "S": lambda d: f"{d.second:02d}",
    "3": lambda d: f"{d.microsecond // 1000:03d}",
}


def _f_format_date(value: Any, fmt: Any) -> str:
    t = type(value)
    moment: Any
    if t is _datetime:
        moment = value
    elif t is str:
        moment = _parse_temporal(value)
    else:
        moment = _f_date(value)
    if moment is None:
        return ""
    if type(moment) is _date:
        moment = _datetime.combine(moment, datetime.time())
    pattern = _str(fmt)[:MAX_STRING]
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "%" and i + 1 < n and pattern[i + 1] in _DATE_FORMATS:
            out.append(_DATE_FORMATS[pattern[i + 1]](moment))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)[:MAX_STRING]


_STRICT: dict[str, Callable[..., Any]] = {
    "not": lambda v: not _truth(v),
    "selected": _f_selected,
    "count-selected": _f_count_selected,
    "string-length": lambda v: len(_str(v)),
    "int": _f_int,
    "number": _num_any,
    "string": _str,
    "boolean": _truth,
    "round": _f_round,
    "date": _f_date,
    "contains": lambda a, b: _str(b) in _str(a),
    "starts-with": lambda a, b: _str(a).startswith(_str(b)),
    "ends-with": lambda a, b: _str(a).endswith(_str(b)),
    "abs": _f_abs,
    "format-date": _f_format_date,
}
_VARIADIC: dict[str, Callable[[list[Any]], Any]] = {
    "concat": _f_concat,
    "min": lambda vs: _f_extreme(vs, min),
    "max": lambda vs: _f_extreme(vs, max),
}
_BOOL_FUNCTIONS = frozenset(
    {"not", "selected", "contains", "starts-with", "ends-with", "regex", "true", "false"}
)
_BOOL_OPS = frozenset({"and", "or", "=", "!=", "<", "<=", ">", ">="})
_ORDER_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


# --------------------------------------------------------------------------------------------
# Compiler: AST -> nested closures (built once; evaluation never looks at the text again)

Fn = Callable[[Any], Any]


def _returns_bool(node: _Node) -> bool:
    if node.tag in _BOOL_OPS:
        return True
    return node.tag == "call" and node.args[0] in _BOOL_FUNCTIONS


def _reader(get: Callable[[Any], Any]) -> Fn:
    def read(env: Any) -> Any:
        v = get(env)
        return v if type(v) in _PLAIN else _normalise(v)

    return read


def _const(value: Any) -> Fn:
    return lambda env: value


def _compile(node: _Node) -> Fn:
    tag = node.tag
    if tag == "num" or tag == "str":
        return _const(node.args[0])
    if tag == "ref":
        name = node.args[0]
        return _reader(lambda env: env.field(name))
    if tag == "attr":
        attr = node.args[0]
        return _reader(lambda env: env.attr(attr))
    if tag == "current":
        return _reader(lambda env: env.current)
    if tag == "neg":
        inner = _compile(node.args[0])
        return lambda env: _neg(inner(env))
    if tag == "call":
        return _compile_call(node)
    left, right = node.args
    lf, rf = _compile(left), _compile(right)
    if tag == "and" or tag == "or":
        if _returns_bool(left) and _returns_bool(right):
            if tag == "and":
                return lambda env: lf(env) and rf(env)
            return lambda env: lf(env) or rf(env)
        if tag == "and":
            return lambda env: _truth(lf(env)) and _truth(rf(env))
        return lambda env: _truth(lf(env)) or _truth(rf(env))
    if tag == "=" or tag == "!=":
        return _compile_equality(tag == "=", left, right, lf, rf)
    if tag in _ORDER_OPS:
        return _compile_order(_ORDER_OPS[tag], left, right, lf, rf)
    if tag == "+":

        def add(env: Any) -> Any:
            a, b = lf(env), rf(env)
            if type(a) is int and type(b) is int:
                r = a + b
                return r if -_INT_LIMIT < r < _INT_LIMIT else _bigint(r)
            return _arith("+", a, b)

        return add
    op = tag
    return lambda env: _arith(op, lf(env), rf(env))


def _compile_equality(equal: bool, left: _Node, right: _Node, lf: Fn, rf: Fn) -> Fn:
    const = None
    if right.tag in ("str", "num"):
        const, get = right.args[0], lf
    elif left.tag in ("str", "num"):
        const, get = left.args[0], rf
    if const is None:
        if equal:
            return lambda env: _equals(lf(env), rf(env))
        return lambda env: not _equals(lf(env), rf(env))
    c = const
    fast: tuple[type, ...] = (str,) if type(c) is str else (int, float)

    if equal:

        def eq(env: Any) -> bool:
            v = get(env)
            return v == c if type(v) in fast else _equals(v, c)

        return eq

    def ne(env: Any) -> bool:
        v = get(env)
        return v != c if type(v) in fast else not _equals(v, c)

    return ne


def _compile_order(
    cmp: Callable[[Any, Any], bool], left: _Node, right: _Node, lf: Fn, rf: Fn
) -> Fn:
    if right.tag == "num":
        c = right.args[0]

        def order_right(env: Any) -> bool:
            v = lf(env)
            t = type(v)
            return cmp(v, c) if t is int or t is float else _order(cmp, v, c)

        return order_right
    if left.tag == "num":
        k = left.args[0]

        def order_left(env: Any) -> bool:
            v = rf(env)
            t = type(v)
            return cmp(k, v) if t is int or t is float else _order(cmp, k, v)

        return order_left
    return lambda env: _order(cmp, lf(env), rf(env))


def _compile_call(node: _Node) -> Fn:
    name, *arg_nodes = node.args
    fns = [_compile(a) for a in arg_nodes]
    if name == "true":
        return _const(True)
    if name == "false":
        return _const(False)
    if name == "today":
        return _reader(lambda env: env.today)
    if name == "now":
        return _reader(lambda env: env.now)
    if name == "if":
        cond, yes, no = fns
        return lambda env: yes(env) if _truth(cond(env)) else no(env)
    if name == "coalesce":
        first, second = fns
        return lambda env: second(env) if _is_empty(v := first(env)) else v
    if name == "regex":
        value = fns[0]
        rx = re.compile(arg_nodes[1].args[0], re.ASCII)

        def regex(env: Any) -> bool:
            s = value(env)
            if type(s) is not str:
                s = _str(s)
            return len(s) <= MAX_REGEX_INPUT and rx.fullmatch(s) is not None

        return regex
    if name == "selected" and arg_nodes[1].tag == "str":
        lst = fns[0]
        wanted = arg_nodes[1].args[0].strip()
        if wanted == "":
            return _const(False)

        def selected(env: Any) -> bool:
            v = lst(env)
            if type(v) is list and wanted in v:
                return True
            return _f_selected(v, wanted)

        return selected
    if name == "substr":
        s, start = fns[0], fns[1]
        if len(fns) == 2:
            return lambda env: _f_substr(s(env), start(env))
        end = fns[2]
        return lambda env: _f_substr(s(env), start(env), end(env), True)
    if name in _VARIADIC:
        impl = _VARIADIC[name]
        return lambda env: impl([f(env) for f in fns])
    impl = _STRICT[name]
    if len(fns) == 1:
        (f0,) = fns
        return lambda env: impl(f0(env))
    f0, f1 = fns
    return lambda env: impl(f0(env), f1(env))


# --------------------------------------------------------------------------------------------
# Building an Expression, JSON


def _collect(node: _Node, tag: str) -> set[str]:
    """Every name under a node with this tag ('ref' or 'attr')."""
    found: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n.tag == tag:
            found.add(n.args[0])
        elif n.tag == "call":
            stack.extend(n.args[1:])
        elif n.tag not in ("num", "str", "ref", "attr", "current"):
            stack.extend(n.args)
    return found


def _has_current(node: _Node) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.tag == "current":
            return True
        if n.tag == "call":
            stack.extend(n.args[1:])
        elif n.tag not in ("num", "str", "ref", "attr"):
            stack.extend(n.args)
    return False


def _build(text: str, node: _Node) -> Expression:
    fn = _compile(node)
    truth = fn if _returns_bool(node) else (lambda env: _truth(fn(env)))
    return Expression(
        text=text,
        references=frozenset(_collect(node, "ref")),
        uses_current=_has_current(node),
        attributes=frozenset(_collect(node, "attr")),
        _node=node,
        _fn=fn,
        _truth=truth,
    )


def _to_json(node: _Node) -> Any:
    tag = node.tag
    if tag in ("num", "str", "ref", "attr"):
        return [tag, node.args[0]]
    if tag == "current":
        return ["current"]
    if tag == "call":
        return ["call", node.args[0], *(_to_json(a) for a in node.args[1:])]
    return [tag, *(_to_json(a) for a in node.args)]
