"""Checkpoint rule for the personal health pass (HD1:).

The token core has already checked signature, key, validity window and revocation. Decision:
green -> VALID/OK, yellow -> VALID/RISK_YELLOW (shown, entry allowed), red -> WARN/RISK_RED
(staff must follow the red-pass procedure); claims that do not parse -> INVALID/BAD_CLAIMS.
Fields shown: colour (in words, in the current language), name, declared-at and valid-until
(Asia/Ho_Chi_Minh), and the pass number (the declaration id's first 8 characters). The pass
carries no birth year and no digit of the ID number: the name is what staff match to an ID card. Their labels and the reasons' words are this app's
(``hd.token.pass.field.*``, ``hd.token.pass.reason.*``, declared in the manifest).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from apps.health_declaration.models import CODE_COLOUR, PassClaims
from core import clock
from core.i18n import t
from core.registry import CheckContext, RuleResult


def check(claims: dict[str, Any], ctx: CheckContext) -> RuleResult:
    try:
        c = PassClaims.model_validate(claims)
    except ValidationError:
        return RuleResult("INVALID", "BAD_CLAIMS", {})
    colour = CODE_COLOUR[c.k]
    fields = {
        "colour": t(f"hd.colour.{colour}"),
        "name": c.n,
        "declared_at": clock.fmt_local(datetime.fromtimestamp(c.d, UTC)),
        "id": c.i[:8].upper(),
    }
    if ctx.valid_until is not None:
        fields["valid_until"] = clock.fmt_local(ctx.valid_until)
    if colour == "red":
        return RuleResult("WARN", "RISK_RED", fields)
    if colour == "yellow":
        return RuleResult("VALID", "RISK_YELLOW", fields)
    return RuleResult("VALID", "OK", fields)
