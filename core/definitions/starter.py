"""Workbooks written by the platform: the starting definition of ``rapid apps new NAME`` (a
working minimal app whose cells explain themselves) and the writer the examples' builder uses
(``examples/build.py``)."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

Rows = Sequence[Sequence[Any]]


def write(
    sheets: Mapping[str, Rows], comments: Mapping[str, Mapping[str, str]] | None = None
) -> bytes:
    """An .xlsx with one sheet per entry (first row: the header, bold and frozen); cells are
    written as values, never formulas. ``comments``: sheet -> header -> a comment attached to
    that header cell (what the column holds)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
                if r == 1:
                    cell.font = bold
                    note = (comments or {}).get(title, {}).get(str(value))
                    if note:
                        cell.comment = Comment(note, "Rapid Response Suite", width=320, height=140)
        sheet.freeze_panes = "A2"
        for c in range(1, max((len(r) for r in rows), default=0) + 1):
            width = max(
                (len(str(r[c - 1])) for r in rows if len(r) >= c and r[c - 1] is not None),
                default=8,
            )
            sheet.column_dimensions[_letter(c)].width = min(60, max(8, width + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _letter(index: int) -> str:
    out = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def app_id_of(name: str) -> str:
    """``"Phiếu đi chợ"`` -> ``"phieu_di_cho"`` (a valid app id, or ValueError)."""
    import unicodedata

    from core.definitions.workbook import APP_ID

    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    ident = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:31].strip("_")
    if not APP_ID.fullmatch(ident):
        raise ValueError(
            f"{name!r}: an app name gives its id (2-31 letters, digits, _; starting with a letter)"
        )
    return ident


def starter(name: str) -> bytes:
    """A minimal working definition: citizens send a short form, a ward official reviews it,
    an approval issues a QR code checked at checkpoints on weekdays. Each row says what it
    does in its note column; delete or change anything."""
    app_id = app_id_of(name)
    prefix = ("".join(w[0] for w in app_id.split("_") if w) or "X").upper()[:5] + "1"
    if not prefix[0].isalpha():
        prefix = "A" + prefix[1:]
    sheets: dict[str, Rows] = {
        "survey": [
            [
                "type",
                "name",
                "label::vi",
                "label::en",
                "required",
                "constraint",
                "constraint_message::vi",
                "constraint_message::en",
                "choice_filter",
                "default",
                "parameters",
                "hint::vi",
            ],
            [
                "person_name",
                "full_name",
                "Họ và tên",
                "Full name",
                "yes",
                "",
                "",
                "",
                "",
                "",
                "",
                "Viết có dấu, như trên CCCD",
            ],
            ["phone", "phone", "Số điện thoại", "Phone", "yes"],
            [
                "select_one provinces",
                "province",
                "Tỉnh/thành phố",
                "Province",
                "yes",
                "",
                "",
                "",
                "",
                48,
            ],
            [
                "select_one wards",
                "ward",
                "Phường/xã",
                "Ward",
                "yes",
                "",
                "",
                "",
                "province = ${province}",
            ],
            ["select_one reasons", "reason", "Lý do", "Reason", "yes"],
            [
                "integer",
                "people",
                "Số người",
                "People",
                "yes",
                ". >= 1 and . <= 20",
                "Từ 1 đến 20 người",
                "1 to 20 people",
            ],
            [
                "acknowledge",
                "consent",
                "Tôi cam đoan thông tin trên là đúng",
                "I declare the above is true",
                "yes",
            ],
        ],  # fmt: skip
        "choices": [
            ["list_name", "name", "label::vi", "label::en"],
            ["reasons", "work", "Đi làm", "Work"],
            ["reasons", "health", "Khám chữa bệnh", "Health care"],
            ["reasons", "other", "Lý do khác", "Another reason"],
            ["reject_reasons", "incomplete", "Thiếu thông tin", "Incomplete"],
            ["reject_reasons", "not_eligible", "Không đủ điều kiện", "Not eligible"],
        ],
        "settings": [
            ["form_id", "form_title::vi", "form_title::en", "version", "default_language"],
            [app_id, name, name, "1", "vi"],
        ],
        "app": [
            ["key", "value", "value::en", "note"],
            ["submitters", "public", "", "public = người dân không cần tài khoản; hoặc mã vai trò"],
            ["reviewers", "can_bo", "", "vai trò duyệt hồ sơ (khai báo ở trang roles)"],
            ["viewers", "can_bo", "", "vai trò xem danh sách, xuất tệp, biểu đồ"],
            ["workflow", "review", "", "none (không duyệt) hoặc review (duyệt/từ chối)"],
            [
                "issue",
                "on_approve",
                "",
                "none, on_submit (cấp khi gửi) hoặc on_approve (khi duyệt)",
            ],
            ["token_prefix", prefix, "", "tiền tố mã QR, duy nhất trong hệ thống"],
            ["claims", "full_name, ward, people", "", "trường ghi vào mã QR (CCCD, SĐT được che)"],
            ["valid_days", 7, "", "số ngày mã QR có hiệu lực"],
            ["area_field", "ward", "", "cán bộ phường chỉ thấy hồ sơ phường mình"],
            ["resubmit", "yes", "", "hồ sơ bị từ chối được sửa và gửi lại"],
            ["card_title", name, name, "tiêu đề in trên thẻ"],
            ["card_lines", "full_name, reason, people", "", "các dòng in trên thẻ"],
        ],
        "roles": [
            ["role", "label::vi", "label::en", "scope", "note"],
            [
                "can_bo",
                "Cán bộ phường (" + name + ")",
                "Ward official (" + name + ")",
                "ward",
                "scope ward: được cấp cho một phường (rapid users grant TÊN can_bo@ward:MÃ)",
            ],
        ],  # fmt: skip
        "rules": [
            ["condition", "value", "reason_code", "reason::vi", "reason::en", "severity", "note"],
            [
                "weekdays",
                "T2-T6",
                "WRONG_DAY",
                "Chỉ dùng từ thứ Hai đến thứ Sáu",
                "Weekdays only",
                "INVALID",
                "weekdays, odd_even_day, zones, checkpoints, hours, once",
            ],
            ["zones", "ward", "WRONG_WARD", "Không đúng phường đăng ký", "Not the registered ward"],
        ],  # fmt: skip
        "panels": [
            ["kind", "field", "title::vi", "title::en", "note"],
            [
                "per_day",
                "",
                "Hồ sơ theo ngày",
                "Submissions per day",
                "per_day, per_choice, per_area",
            ],
            ["per_choice", "reason", "Hồ sơ theo lý do", "Submissions per reason"],
            ["per_area", "ward", "Hồ sơ theo phường", "Submissions per ward"],
        ],
    }
    return write(sheets, HEADER_COMMENTS)


HEADER_COMMENTS: dict[str, dict[str, str]] = {
    "survey": {
        "type": "Loại câu hỏi: text, integer, cccd, phone, date, select_one DANH_SACH... "
        "(docs/FORMS-XLSFORM.md) / Question type",
        "name": "Tên trường: chữ thường không dấu, số, _ (ví dụ ho_ten) / Field name",
        "label::vi": "Câu hỏi bằng tiếng Việt / The question in Vietnamese",
        "label::en": "Câu hỏi bằng tiếng Anh / The question in English",
        "required": "yes nếu bắt buộc / yes when required",
        "constraint": "Điều kiện câu trả lời, '.' là câu trả lời: . >= 1 / Constraint",
        "choice_filter": "Lọc lựa chọn: province = ${province} / Which choices apply",
        "default": "Giá trị mặc định (48 = Đà Nẵng; today()) / Default",
    },
    "choices": {
        "list_name": "Tên danh sách, dùng trong select_one TÊN / List name",
        "name": "Mã lựa chọn (lưu trong dữ liệu); với chốt kiểm soát: mã chốt / Choice code",
    },
    "settings": {
        "form_id": "Mã ứng dụng: chữ thường, số, _ (bảng dữ liệu app_<mã>) / The app's id",
        "version": "Phiên bản của bạn (ví dụ 2021090101) / Your version",
    },
    "app": {
        "key": "submitters, reviewers, viewers, workflow, issue, token_prefix, claims, "
        "valid_days... (docs/FIRST-APP.md) / Setting",
        "value": "Giá trị; nhiều mục cách nhau bằng dấu phẩy / Value; several: commas",
    },
    "roles": {
        "role": "Mã vai trò mới của ứng dụng / A role id of this app",
        "scope": "ward: cấp cho một phường; province: một tỉnh; trống: toàn bộ / Area",
    },
    "rules": {
        "condition": "weekdays, odd_even_day, zones, checkpoints, hours, once",
        "value": "T2,T4,T6 / tên trường / 06:00-18:00 / mã chốt... / Days, a field, hours...",
        "reason_code": "Mã lý do, chữ in hoa (WRONG_DAY) / Reason code",
        "severity": "INVALID (từ chối, mặc định) hoặc WARN (cảnh báo) / Refuse or warn",
    },
    "panels": {
        "kind": "per_day, per_choice, per_area",
        "field": "Trường được đếm (trống với per_day: theo ngày gửi) / The field counted",
    },
}
