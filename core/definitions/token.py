"""The QR code of a definition app: its claims (least personal data), the claims model the
token core checks at issuance, and the checkpoint rule compiled from the rules sheet.

Conditions are compiled to CertLogic by ``core.rules.compile_condition`` and evaluated by
``core.rules.evaluate``: the same data every verifier evaluates the same way. Two details:

- ``odd_even_day`` reads the parity of a number claim: the issuer writes the claim
  ``<field>_parity`` (``core.rules.parity``) beside the number, since CertLogic has no modulo;
- ``zones`` / ``checkpoints`` from a field read a list claim: a single choice is written as a
  one-item list.

``once``: a code passes once. On the server the first passing scan claims the code in
``definition_uses`` with one conditional insert, so of two checkpoints scanning the same code
at the same moment exactly one says VALID (the scan log is written after the verdict and
could not decide that). A station without the server's database (offline) cannot know: it
answers WARN ``ONCE_UNCHECKED`` ("ask the centre") instead of a VALID it cannot vouch for.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from core.definitions.workbook import ONCE_UNCHECKED, Definition
from core.registry import CheckContext, RuleResult

if TYPE_CHECKING:
    from pydantic import BaseModel

    from core.forms.model import Field, Form

log = logging.getLogger(__name__)

CONDITION_HELP = {
    "weekdays": "write the days, e.g. T2,T4,T6 or mon,wed,fri or T2-T6",
    "odd_even_day": "name the whole-number field whose parity must match the day's",
    "zones": "name a ward field carried in the QR, or list ward codes, e.g. 20275,20194",
    "checkpoints": "name a field carried in the QR, or list checkpoint ids, e.g. cp-1,cp-2",
    "hours": "write the hours, e.g. 06:00-18:00 or 22:00-05:00",
    "once": "",
}
LISTED_KINDS = frozenset({"zones", "checkpoints"})


def field_of(kind: str, value: str, names: set[str] | None = None) -> str | None:
    """The field a condition reads (None for a fixed list or no field)."""
    text = (value or "").strip()
    if kind == "odd_even_day":
        return text or None
    if kind in LISTED_KINDS and names is not None and text in names:
        return text
    return None


def field_problem(kind: str, f: Field, form: Form) -> str | None:
    """Why field ``f`` cannot feed condition ``kind`` (None when it can)."""
    chosen = form.choice_list(f)
    base = f.base_type
    if kind == "odd_even_day":
        numeric = base == "integer" or (
            base == "calculate" and str(f.parameters.get("type")) == "integer"
        )
        return None if numeric else f"'{f.name}' must be a whole-number field (integer)"
    if kind == "zones":
        if base in ("select_one", "select_multiple") and f.list_name == "wards":
            return None
        return f"'{f.name}' must be a ward question (select_one wards)"
    if kind == "checkpoints":
        if base in ("select_one", "select_multiple") and chosen is not None and not chosen.integer:
            return None
        if base == "text":
            return None
        return f"'{f.name}' must hold checkpoint ids (a select_one of your own list, or text)"
    return None


def compile_rule(kind: str, value: str, field: str | None, claims: tuple[str, ...] = ()) -> Any:
    """The CertLogic logic of one condition (ValueError naming the bad part)."""
    from core import rules

    known = {name: name for name in claims}
    if field is not None:
        known[field] = field
    return rules.compile_condition(kind, value, claims=known)


def _listed(d: Definition) -> set[str]:
    return {r.field for r in d.rules if r.kind in LISTED_KINDS and r.field}


def _parity_of(d: Definition) -> set[str]:
    return {r.field for r in d.rules if r.kind == "odd_even_day" and r.field}


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        from core.rules import iso

        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def claims(d: Definition, values: Mapping[str, Any]) -> dict[str, Any]:
    """What the QR carries for one submission: the declared claims (identity numbers and
    phones masked), list claims for zone/checkpoint rules, parity claims for odd/even days."""
    from core import rules
    from core.text import mask_id

    out: dict[str, Any] = {}
    listed = _listed(d)
    for name in d.claims:
        value = values.get(name)
        if value is not None and d.masked(name):
            value = mask_id(str(value))
        value = _json(value)
        if name in listed and value is not None and not isinstance(value, list):
            value = [value]
        out[name] = value
    for name in _parity_of(d):
        value = values.get(name)
        out[rules.parity_claim(name)] = None if value is None else rules.parity(int(value))
    return out


def _claim_type(d: Definition, name: str) -> Any:
    f = d.form.by_name[name]
    base = f.base_type
    chosen = d.form.choice_list(f)
    if d.masked(name):
        kind: Any = str
    elif base in ("integer", "birth_year", "time"):
        kind = int
    elif base == "decimal":
        kind = float
    elif base in ("yes_no", "acknowledge"):
        kind = bool
    elif base == "select_one":
        kind = int if chosen is not None and chosen.integer else str
    elif base == "select_multiple":
        kind = list[int] if chosen is not None and chosen.integer else list[str]
    elif base == "calculate":
        kind = {"integer": int, "decimal": float, "yes_no": bool}.get(
            str(f.parameters.get("type", "text")), str
        )
    else:
        kind = str
    if name in _listed(d) and base != "select_multiple":
        kind = list[kind]  # type: ignore[valid-type]
    return kind | None


def claims_model(d: Definition) -> type[BaseModel]:
    """A pydantic model of the claims (``extra="forbid"``: a stray key refuses the batch)."""
    from pydantic import ConfigDict, create_model

    from core import rules

    fields: dict[str, Any] = {name: (_claim_type(d, name), None) for name in d.claims}
    for name in _parity_of(d):
        fields[rules.parity_claim(name)] = (str | None, None)
    model = create_model(  # type: ignore[call-overload]
        f"Claims_{d.app_id}", __config__=ConfigDict(extra="forbid"), **fields
    )
    return model


def compiled_rules(d: Definition) -> tuple[Any, ...]:
    """The rules sheet as ``core.rules.Rule`` objects (checked when the workbook was read)."""
    from core import rules

    out = []
    for r in d.rules:
        logic = compile_rule(r.kind, r.value, r.field, d.claims)
        out.append(
            rules.Rule(
                id=f"{d.type_id}-R{r.row}",
                logic=logic,
                reason=r.reason,
                text_vi=r.text.vi,
                text_en=r.text.en,
                severity=r.severity,  # type: ignore[arg-type]
            )
        )
    return tuple(out)


class DefinitionRule:
    """``TokenType.rule`` of a definition app: its declared conditions on the claims, then
    (``once``) the single use; shows the claims in words and the end of validity."""

    def __init__(self, d: Definition) -> None:
        self.app_id = d.app_id
        self.definition = d
        self.rules = compiled_rules(d)
        self.once = any(r.kind == "once" for r in d.rules)

    def __call__(self, claims: dict[str, Any], ctx: CheckContext) -> RuleResult:
        from core import rules

        shown = self.fields(claims, ctx)
        result = rules.evaluate(self.rules, claims, ctx, used=False)
        if result.verdict == "INVALID" or not self.once:
            return RuleResult(result.verdict, result.reason, shown)
        used = self.claim_use(ctx)
        if used is None:
            return RuleResult("WARN", ONCE_UNCHECKED, shown)
        if used:
            result = rules.evaluate(self.rules, claims, ctx, used=True)
        return RuleResult(result.verdict, result.reason, shown)

    def claim_use(self, ctx: CheckContext) -> bool | None:
        """True when the code was used before; False when this scan just used it; None when
        this process cannot tell (no database: an offline station)."""
        from core import clock
        from core.store import CONFLICTS, CONSTRAINTS, current_store

        store = current_store()
        if store is None or not ctx.token_id:
            return None
        try:
            first = store.fetchall(
                "INSERT INTO definition_uses (token_id, app_id, used_at, checkpoint_id)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING token_id",
                [
                    ctx.token_id,
                    self.app_id,
                    clock.utcnow_naive(),
                    str(ctx.checkpoint_id or "-")[:100],
                ],
            )
        except (*CONFLICTS, *CONSTRAINTS):
            return True  # another checkpoint claimed it at this very moment
        except Exception as exc:  # noqa: BLE001 - a checkpoint must answer, not crash
            log.warning("once-only check of %s failed: %s", self.app_id, type(exc).__name__)
            return None
        return not first

    def fields(self, claims: Mapping[str, Any], ctx: CheckContext) -> dict[str, str]:
        from core import clock, geo
        from core.i18n import get_locale, t

        d = self.definition
        locale = get_locale()
        out: dict[str, str] = {}
        for name in d.claims:
            value = claims.get(name)
            if value is None:
                continue
            f = d.form.by_name[name]
            chosen = d.form.choice_list(f)
            items = value if isinstance(value, list) else [value]
            words = []
            for item in items:
                if f.list_name == "wards" and isinstance(item, int):
                    words.append(geo.ward_name(item))
                elif chosen is not None and chosen.get(item) is not None:
                    words.append(chosen.get(item).text(locale))  # type: ignore[union-attr]
                elif isinstance(item, bool):
                    words.append(t("forms.yes" if item else "forms.no"))
                else:
                    words.append(str(item))
            out[name] = ", ".join(words)[:200]
        if ctx.valid_until is not None:
            out["valid_until"] = clock.fmt_local(ctx.valid_until)
        return out
