"""UI strings of the health declaration app (vi + en)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "hd.token.pass": {"vi": "Thẻ khai báo y tế cá nhân", "en": "Personal health pass"},
    "hd.token.venue": {"vi": "Mã QR điểm check-in", "en": "Venue check-in QR"},
}
