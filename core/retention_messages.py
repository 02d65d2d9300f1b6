"""Texts of core's retention (``core.retention``): the admin page's warning about the daily
purge. Merged into the catalog by ``core.i18n`` (one line there)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "retention.never": {
        "vi": "Chưa từng xóa dữ liệu hết hạn lưu trữ. Máy chủ chạy việc này hằng ngày;"
        " hãy kiểm tra nhật ký hoặc chạy `rapid purge`.",
        "en": "Expired records have never been purged. The server does this daily;"
        " check its log or run `rapid purge`.",
    },
    "retention.late": {
        "vi": "Lần xóa dữ liệu hết hạn gần nhất là {when}, đã hơn 2 ngày. Hãy kiểm tra nhật ký"
        " máy chủ hoặc chạy `rapid purge`.",
        "en": "The last purge of expired records was at {when}, more than 2 days ago. Check the"
        " server's log or run `rapid purge`.",
    },
}
