"""Labels of token verdict reasons added to the token core since ``core.messages`` was written
(vi + en). They reach the catalogue through the checkpoint scanner's messages until
``core.messages`` takes them over."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "qr.reason.NO_EXPIRY": {
        "vi": "Mã không có thời hạn hiệu lực",
        "en": "The code has no expiry date",
    },
}
