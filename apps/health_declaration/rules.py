"""Checkpoint rule for the personal health pass (HD1:).

The token core has already checked signature, key, validity window and revocation. Decision:
green -> VALID/OK, yellow -> VALID/RISK_YELLOW (shown, entry allowed), red -> WARN/RISK_RED
(staff must follow the red-pass procedure); claims that do not parse -> INVALID/BAD_CLAIMS.
The decision is CertLogic data (``check``, a ``core.qr.rulesets.RuleSet``), the same on the
server and on the phone scanner.
Fields shown: colour (in words, in the current language), name, declared-at and valid-until
(Asia/Ho_Chi_Minh), and the pass number (the declaration id's first 8 characters). The pass
carries no birth year and no digit of the ID number: the name is what staff match to an ID card. Their labels and the reasons' words are this app's
(``hd.token.pass.field.*``, ``hd.token.pass.reason.*``, declared in the manifest).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apps.health_declaration.models import CODE_COLOUR
from core import clock
from core.i18n import t
from core.qr.rulesets import FieldSpec, RuleSet
from core.registry import CheckContext
from core.rules import Rule


def _server_fields(claims: dict[str, Any], ctx: CheckContext) -> dict[str, str]:
    colour = CODE_COLOUR[claims["k"]]
    fields = {
        "colour": t(f"hd.colour.{colour}"),
        "name": claims["n"],
        "declared_at": clock.fmt_local(datetime.fromtimestamp(claims["d"], UTC)),
        "id": claims["i"][:8].upper(),
    }
    if ctx.valid_until is not None:
        fields["valid_until"] = clock.fmt_local(ctx.valid_until)
    return fields


def _not_colour(code: str) -> Any:
    return {"!": [{"===": [{"var": "payload.k"}, code]}]}


check = RuleSet(
    "HD",
    claims={"n": "str", "k": "enum:g,y,r", "d": "int", "i": "str"},
    closed=True,
    rules=(
        Rule(
            "HD-RED",
            _not_colour("r"),
            "RISK_RED",
            "Thẻ đỏ: làm theo quy trình thẻ đỏ",
            "Red pass: follow the red-pass procedure",
            severity="WARN",
        ),
    ),
    notes=(
        Rule(
            "HD-YELLOW",
            _not_colour("y"),
            "RISK_YELLOW",
            "Thẻ vàng: được vào, theo dõi thêm",
            "Yellow pass: entry allowed, keep watch",
        ),
    ),
    valid_reason="OK",
    fields=(
        FieldSpec(
            "colour", "k", "enum", {c: f"hd.colour.{name}" for c, name in CODE_COLOUR.items()}
        ),
        FieldSpec("name", "n"),
        FieldSpec("declared_at", "d", "epoch_local"),
        FieldSpec("id", "i", "upper8"),
        FieldSpec("valid_until", "@valid_until", "epoch_local"),
    ),
    server_fields=_server_fields,
)
