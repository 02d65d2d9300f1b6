"""A token type's checkpoint rule as declared data: the claims' shape, CertLogic rules
(``core.rules.Rule``) and how the verdict card shows the claims. The server evaluates it in
Python (``RuleSet.__call__`` is the ``TokenType.rule``); the offline bundle carries
``RuleSet.to_json()`` and the phone evaluates the same data in JavaScript
(web/scanner/src/rulesets.js). Both give the same verdict and reason on the shared cases
(tests/checkpoints/phone).

Order of a verdict:

1. ``claims``: the shape every verifier checks the same way (``str``, ``int``, ``int[]``,
   ``int[2]`` or ``enum:a,b,c``; ``int[]`` may be empty); a claim missing or of another type, or with ``closed`` an
   unknown claim, gives INVALID ``shape_reason`` (BAD_CLAIMS) and no fields;
2. ``rules`` as ``core.rules.evaluate`` (first failing INVALID rule, else first failing WARN);
3. when every rule passes, the first failing ``notes`` rule gives the VALID verdict's reason
   (a yellow health pass is VALID with RISK_YELLOW), else ``valid_reason``.

CertLogic cannot format text, so the card's fields are ``fields``: (name, claim, format)
with a small fixed set of formats both sides implement (``FORMATS``); the server may instead
keep its own formatter (``server_fields``) as long as the names agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core import clock
from core.registry import CheckContext, RuleResult
from core.rules import Rule, evaluate

FORMATS = ("text", "masked_id", "wards", "hours", "epoch_local", "last_day", "upper8", "enum")
"""How a field shows its claim: as text; ``********1234`` for 4 digits; ward names; minutes
of the day as ``HH:MM–HH:MM``; seconds since the epoch as Vietnam time ``dd/mm/YYYY HH:MM``;
an end instant as the last Vietnam day it covers, ``dd/mm/YYYY`` (``last_day``); the first 8
characters in capitals; a label chosen by the value (``labels``)."""
SHAPES = ("str", "int", "int[]", "int[2]")


def last_day(value: datetime | float) -> str:
    """The ``last_day`` format: an end instant (a datetime, naive as UTC, or seconds since the epoch)
    as the Vietnam date of the instant one second before it, ``dd/mm/YYYY``: a permit that
    expires at local midnight reads as its last valid day, as its window reads everywhere
    (``15/12/2026 00:00`` is ``14/12/2026``). checkpoint.js ``lastDay`` is the same."""
    if isinstance(value, datetime):
        moment = clock.as_utc(value) - timedelta(seconds=1)
    else:
        moment = datetime.fromtimestamp(float(value) - 1, UTC)
    return clock.fmt_local(moment, "%d/%m/%Y")


def as_js(value: Any, depth: int = 0) -> Any:
    """Claims as the phone holds them: JavaScript has one number type, so a whole float (a
    CBOR ``360.0``) is the integer 360 there; the server reads it the same way."""
    if depth > 32:
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: as_js(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [as_js(v, depth + 1) for v in value]
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def shape_ok(shape: str, value: Any) -> bool:
    """Whether a claim value has the declared shape (the same test as rulesets.js)."""
    if shape == "str":
        return isinstance(value, str)
    if shape == "int":
        return _is_int(value)
    if shape == "int[]":
        return isinstance(value, list) and all(_is_int(v) for v in value)
    if shape == "int[2]":
        return isinstance(value, list) and len(value) == 2 and all(_is_int(v) for v in value)
    if shape.startswith("enum:"):
        return isinstance(value, str) and value in shape[5:].split(",")
    raise ValueError(f"unknown claim shape {shape!r}")


@dataclass(frozen=True)
class FieldSpec:
    """One field of the verdict card: ``name`` (a field the token type declares), the claim it
    shows (``"@valid_until"``: the token's expiry) and the format; ``labels`` maps an
    ``enum`` value to a message key (shown in the reader's language)."""

    name: str
    claim: str
    format: str = "text"
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"field {self.name}: unknown format {self.format!r}")


@dataclass(frozen=True)
class RuleSet:
    """A token type's checkpoint rule as data; callable as ``TokenType.rule``."""

    type_id: str
    claims: Mapping[str, str]
    rules: tuple[Rule, ...]
    fields: tuple[FieldSpec, ...] = ()
    notes: tuple[Rule, ...] = ()
    valid_reason: str = "VALID"
    shape_reason: str = "BAD_CLAIMS"
    closed: bool = False
    optional: tuple[str, ...] = ()
    """Claims that may be absent or null (still of their shape when present)."""
    server_fields: Callable[[dict[str, Any], CheckContext], dict[str, str]] | None = None

    def __post_init__(self) -> None:
        for name, shape in self.claims.items():
            if shape not in SHAPES and not shape.startswith("enum:"):
                raise ValueError(f"claim {name}: unknown shape {shape!r}")

    def shape_fits(self, claims: Any) -> bool:
        if not isinstance(claims, Mapping):
            return False
        if self.closed and not set(claims) <= set(self.claims):
            return False
        for name, shape in self.claims.items():
            value = claims.get(name)
            if value is None and name in self.optional:
                continue
            if not shape_ok(shape, value):
                return False
        return True

    def __call__(self, claims: dict[str, Any], ctx: CheckContext) -> RuleResult:
        claims = as_js(claims)
        if not self.shape_fits(claims):
            return RuleResult("INVALID", self.shape_reason, {})
        shown = self.server_fields(claims, ctx) if self.server_fields else {}
        result = evaluate(self.rules, claims, ctx)
        if result.verdict != "VALID":
            return RuleResult(result.verdict, result.reason, shown)
        for note in self.notes:
            if evaluate((note,), claims, ctx).verdict != "VALID":
                return RuleResult("VALID", note.reason, shown)
        return RuleResult("VALID", self.valid_reason, shown)

    def to_json(self) -> dict[str, Any]:
        """The rule set as the bundle carries it (plain JSON)."""
        return {
            "type": self.type_id,
            "claims": dict(self.claims),
            "optional": list(self.optional),
            "closed": self.closed,
            "rules": [rule_json(r) for r in self.rules],
            "notes": [rule_json(r) for r in self.notes],
            "valid_reason": self.valid_reason,
            "shape_reason": self.shape_reason,
            "fields": [
                {"name": f.name, "claim": f.claim, "format": f.format, "labels": dict(f.labels)}
                for f in self.fields
            ],
        }


def rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "logic": rule.logic,
        "reason": rule.reason,
        "severity": rule.severity,
        "shows": list(rule.shows),
        "text_vi": rule.text_vi,
        "text_en": rule.text_en,
    }


def rules_of(rule: Any) -> Sequence[Rule] | None:
    """The declared rules behind a ``TokenType.rule`` (a RuleSet, or a definition app's rule
    with ``.rules``); None for a plain Python function."""
    if isinstance(rule, RuleSet):
        return rule.rules
    found = getattr(rule, "rules", None)
    return tuple(found) if isinstance(found, tuple | list) else None
