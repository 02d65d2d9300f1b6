"""The travel permit app's forms, one ``Field`` per question (labels in Vietnamese and English).

- ``business_form(province)``: a business registering itself, with its login (``tp_businesses``);
- ``employee_form(province)``: one employee, for the "add employee" form and the roster upload
  (``tp_employees``);
- ``request_form(roster, province, max_days)``: a permit request for employees of the roster
  (``tp_requests``; the chosen employees become ``tp_request_items`` rows);
- approvers: ``DECISION`` (a request decided, also each row of the queue's bulk table),
  ``REFUSAL`` (the same questions without "approve all", for the request panel),
  ``VERIFICATION`` (a business verified or refused), ``REVOKE`` and ``renew_form(max_days)``.

Forms depending on settings or data are built by cached functions; the module-level
``BUSINESS``, ``EMPLOYEE`` and ``REQUEST`` are those forms with the default settings, which the
manifest lists so that core checks their tables (the columns do not depend on the settings).
Importing this module imports neither Streamlit nor pandas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache, lru_cache

from core import geo
from core.forms import Field, Form, choice_list, common
from core.forms.choices import ChoiceList
from core.i18n import get_locale

from .models import TravelPermitSettings

SECTOR_CHOICES = choice_list(
    "sectors",
    [
        ("manufacturing", "Sản xuất", "Manufacturing"),
        ("logistics", "Vận tải, kho bãi", "Logistics"),
        ("food", "Lương thực, thực phẩm", "Food supply"),
        ("retail", "Bán lẻ, siêu thị", "Retail"),
        ("health", "Y tế, dược", "Health, pharmacy"),
        ("utilities", "Điện, nước, viễn thông", "Utilities, telecom"),
        ("construction", "Xây dựng", "Construction"),
        ("finance", "Ngân hàng, tài chính", "Banking, finance"),
        ("it", "Công nghệ thông tin", "IT"),
        ("public", "Cơ quan nhà nước", "Public service"),
        ("other", "Khác", "Other"),
    ],
)
REASON_CHOICES = choice_list(
    "reject_reasons",
    [
        ("not_essential", "Không thuộc diện thiết yếu", "Not an essential activity"),
        ("incomplete", "Hồ sơ thiếu thông tin", "Incomplete application"),
        ("quota", "Vượt số lượng cho phép", "Over the allowed number"),
        ("zone", "Khu vực không phù hợp", "Zones not justified"),
        ("employee_data", "Thông tin nhân viên sai", "Wrong employee data"),
        ("health_risk", "Nguy cơ dịch tễ", "Epidemic risk"),
        ("other", "Lý do khác", "Other reason"),
    ],
)
DECISION_CHOICES = choice_list(
    "decisions",
    [
        ("approve", "Duyệt tất cả", "Approve all"),
        (
            "partial",
            "Duyệt những người được chọn, từ chối những người còn lại",
            "Approve the selected people, reject the others",
        ),
        ("reject", "Từ chối tất cả", "Reject all"),
    ],
)
VERIFICATION_CHOICES = choice_list(
    "verification", [("verify", "Xác minh", "Verify"), ("refuse", "Từ chối", "Refuse")]
)
HOUR_CHOICES = choice_list(
    "hours", [(m, f"{m // 60:02d}:{m % 60:02d}") for m in range(0, 24 * 60 + 1, 30)]
)
"""Daily hours in half hours, 00:00 to 24:00 (a permit valid all day is 00:00-24:00)."""

SECTORS: tuple[str, ...] = tuple(str(c) for c in SECTOR_CHOICES.names)
REJECT_REASONS: tuple[str, ...] = tuple(str(c) for c in REASON_CHOICES.names)
DEFAULTS = TravelPermitSettings()
MAX_TEXT = 500


def label(choices: ChoiceList, code: object) -> str:
    """A stored code in words, in the current language ('' for no code; the code itself when
    the list does not know it)."""
    if code is None or code == "" or (isinstance(code, float) and math.isnan(code)):
        return ""  # no code (NaN: an empty table cell)
    choice = choices.get(code)
    return choice.text(get_locale()) if choice is not None else str(code)


# -- a business and its login -------------------------------------------------------------------


@cache
def business_form(province: int) -> Form:
    """Self-registration of a business of ``province`` (from the settings; not asked)."""
    name = geo.province_name(province)
    return Form(
        "tp_business",
        ("Đăng ký doanh nghiệp", "Business registration"),
        [
            Field(
                "name",
                "text",
                ("Tên doanh nghiệp", "Company name"),
                ("Tên đầy đủ theo đăng ký kinh doanh", "The full name as registered"),
                required=True,
                parameters={"max_length": 300},
            ),
            Field(
                "tax_code",
                "tax_code",
                ("Mã số thuế", "Tax code"),
                (
                    "10 chữ số, hoặc 13 chữ số với mã chi nhánh (0401234567-001)",
                    "10 digits, or 13 with a branch (0401234567-001)",
                ),
                required=True,
            ),
            Field(
                "sector",
                "select_one sectors",
                ("Ngành nghề", "Sector"),
                required=True,
                default=SECTORS[0],
                appearance="minimal",
            ),
            Field(
                "province", "note", (f"Tỉnh/thành phố: **{name}**", f"Province/city: **{name}**")
            ),
            common.ward(province=province, default=geo.wards(province)[0].code),
            Field(
                "address",
                "text",
                ("Địa chỉ (số nhà, đường)", "Address (street)"),
                required=True,
                parameters={"max_length": 300},
            ),
            common.full_name("contact_name", label=("Người liên hệ", "Contact person"), aliases=()),
            common.phone(),
            Field(
                "username",
                "text",
                ("Tên đăng nhập", "Username"),
                (
                    "3–32 ký tự: chữ thường không dấu, chữ số, dấu . _ -",
                    "3-32 characters: lower-case letters, digits, . _ -",
                ),
                required=True,
                parameters={"max_length": 32},
            ),
            Field(
                "password",
                "password",
                ("Mật khẩu", "Password"),
                ("Ít nhất 10 ký tự, có cả chữ và số", "At least 10 characters, letters and digits"),
                required=True,
            ),
        ],
        choices=[SECTOR_CHOICES],
        table="tp_businesses",
    )


CORRECTABLE = ("name", "tax_code", "sector", "ward_code", "address", "contact_name", "phone")
"""What a refused business corrects before sending its registration again (not its login)."""


@cache
def business_fix_form(province: int) -> Form:
    """The registration's questions without the login: a refused business corrects them and
    sends the registration again (``service.resubmit_registration``)."""
    full = business_form(province)
    return Form(
        "tp_business_fix",
        ("Sửa và gửi lại đăng ký", "Correct and resubmit the registration"),
        [full.by_name[name] for name in CORRECTABLE],
        choices=[SECTOR_CHOICES],
        table="tp_businesses",
    )


# -- employees ------------------------------------------------------------------------------------


@cache
def employee_form(province: int) -> Form:
    """One employee of a business of ``province`` (a row of the roster upload, too). The
    headers a roster file may use are the labels in both languages, the field names and the
    aliases ("Họ tên", "CCCD", "Điện thoại"...)."""
    return Form(
        "tp_employee",
        ("Danh sách nhân viên", "Employee roster"),
        [
            common.full_name(aliases=("Họ tên", "Name")),
            common.cccd(
                hint=(
                    "12 chữ số. Trong Excel, định dạng cột là Text để giữ số 0 đầu.",
                    "12 digits. In Excel, format the column as Text to keep the leading 0.",
                )
            ),
            common.phone(),
            common.ward("home_ward", province=province, label=("Phường/xã nơi ở", "Home ward")),
            common.ward(
                "work_ward", province=province, label=("Phường/xã nơi làm việc", "Work ward")
            ),
            Field(
                "plate",
                "vehicle_plate",
                ("Biển số xe", "Vehicle plate"),
                ("Ví dụ 43A-123.45 (nếu có)", "E.g. 43A-123.45 (if any)"),
            ),
            Field("job_title", "text", ("Chức vụ", "Job title"), parameters={"max_length": 100}),
        ],
        table="tp_employees",
    )


# -- permit requests ------------------------------------------------------------------------------


def _window(max_days: int, *, from_today: bool) -> list[Field]:
    """Start and end day of a validity window: end on or after start, at most ``max_days``
    days counting both; ``from_today``: the start is not in the past."""
    return [
        Field(
            "start_date",
            "date",
            ("Từ ngày", "From"),
            required=True,
            default="today()",
            constraint=". >= today()" if from_today else "",
            constraint_message=("Ngày bắt đầu đã qua", "The start date is in the past"),
        ),
        Field(
            "end_date",
            "date",
            ("Đến ngày", "Until"),
            (
                f"Thời hạn tối đa {max_days} ngày, tính cả ngày đầu và ngày cuối",
                f"At most {max_days} days, the first and the last included",
            ),
            required=True,
            constraint=(
                "${start_date} = '' or (. >= ${start_date}"
                f" and . - ${{start_date}} < {int(max_days)})"
            ),
            constraint_message=(
                f"Ngày kết thúc phải từ ngày bắt đầu trở đi, thời hạn tối đa {max_days} ngày",
                f"The end date must be on or after the start date, at most {max_days} days",
            ),
        ),
    ]


@lru_cache(maxsize=64)
def request_form(roster: tuple[tuple[str, str], ...], province: int, max_days: int) -> Form:
    """A permit request for employees of ``roster`` ((CCCD, name) pairs, at least one): who,
    why, when (at most ``max_days`` days, not starting in the past), where (wards of
    ``province``) and at which daily hours (Vietnam time)."""
    employees = choice_list(
        "employees", [(cccd, f"{name} (…{cccd[-4:]})") for cccd, name in roster]
    )
    return Form(
        "tp_request",
        ("Xin cấp giấy đi đường", "Request permits"),
        [
            Field(
                "employees",
                "select_multiple employees",
                ("Chọn nhân viên cần giấy", "Choose who needs a permit"),
                required=True,
                column="",  # one tp_request_items row each
            ),
            Field(
                "purpose",
                "text",
                ("Mục đích đi lại", "Purpose of travel"),
                required=True,
                appearance="multiline",
                parameters={"max_length": MAX_TEXT},
            ),
            *_window(max_days, from_today=True),
            common.ward(
                "zones",
                province=province,
                type="select_multiple wards",
                label=("Phường/xã được đi", "Allowed wards"),
                hint=(
                    "Từ 7/2025 không còn cấp quận/huyện: chọn các phường/xã.",
                    "Since July 2025 there are no districts: choose the wards.",
                ),
                column="",  # an INTEGER[] column, written by the service
            ),
            Field(
                "start_minute",
                "select_one hours",
                ("Giờ bắt đầu", "Daily from"),
                ("Giờ Việt Nam", "Vietnam time"),
                required=True,
                default=6 * 60,
                appearance="minimal",
            ),
            Field(
                "end_minute",
                "select_one hours",
                ("Giờ kết thúc", "Daily until"),
                (
                    "Giờ Việt Nam; trước giờ bắt đầu nghĩa là qua nửa đêm",
                    "Vietnam time; before the start means past midnight",
                ),
                required=True,
                default=20 * 60,
                appearance="minimal",
                constraint=". != ${start_minute}",
                constraint_message=(
                    "Giờ bắt đầu và kết thúc phải khác nhau",
                    "Start and end hours must differ",
                ),
            ),
        ],
        choices=[employees, HOUR_CHOICES],
        table="tp_requests",
    )


def roster_key(cccds: Sequence[str], names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The ``roster`` argument of ``request_form`` from a roster's columns."""
    return tuple(zip(map(str, cccds), map(str, names), strict=True))


# -- approvers ------------------------------------------------------------------------------------


def _decision_form(form_id: str, title: tuple[str, str], outcomes: tuple[str, ...]) -> Form:
    """The decision on a request: ``outcomes`` of DECISION_CHOICES; refusing anyone needs a
    reason and an explanation."""
    chosen = choice_list("decisions", [c for c in DECISION_CHOICES.choices if c.name in outcomes])
    refusing = " or ".join(f"${{decision}} = '{c}'" for c in outcomes if c != "approve")
    relevant = refusing if "approve" in outcomes else ""
    return Form(
        form_id,
        title,
        [
            Field(
                "decision",
                "select_one decisions",
                ("Quyết định", "Decision"),
                required=True,
                appearance="horizontal",
            ),
            Field(
                "reason_code",
                "select_one reject_reasons",
                ("Lý do", "Reason"),
                required=True,
                relevant=relevant,
                appearance="minimal",
            ),
            Field(
                "reason_text",
                "text",
                ("Giải thích", "Explanation"),
                ("Doanh nghiệp đọc được giải thích này", "The business reads this explanation"),
                required=True,
                relevant=relevant,
                appearance="multiline",
                parameters={"max_length": MAX_TEXT},
            ),
        ],
        choices=[chosen, REASON_CHOICES],
    )


DECISION = _decision_form(
    "tp_decision", ("Quyết định", "Decision"), ("approve", "partial", "reject")
)
"""A decision on a request (the service's rule, and each row of the queue's bulk table)."""
REFUSAL = _decision_form("tp_refusal", ("Từ chối", "Refusal"), ("partial", "reject"))
"""The request panel's refusal: the decision's questions without "approve all" (a button)."""
BULK = _decision_form("tp_bulk", ("Quyết định hàng loạt", "Bulk decision"), ("approve", "reject"))
"""The queue's one decision for every ticked request (approve, or refuse with a reason: no
partial decision without opening the request)."""

VERIFICATION = Form(
    "tp_verification",
    ("Xác minh doanh nghiệp", "Business verification"),
    [
        Field(
            "decision",
            "select_one verification",
            ("Quyết định", "Decision"),
            required=True,
            appearance="horizontal",
        ),
        Field(
            "reason",
            "text",
            ("Ghi chú (bắt buộc khi từ chối xác minh)", "Note (required to refuse verification)"),
            ("Doanh nghiệp đọc được ghi chú này", "The business reads this note"),
            required="${decision} = 'refuse'",
            required_message=("Cần ghi rõ lý do từ chối", "Write the reason for refusing"),
            appearance="multiline",
            parameters={"max_length": MAX_TEXT},
        ),
    ],
    choices=[VERIFICATION_CHOICES],
)

REVOKE = Form(
    "tp_revoke",
    ("Thu hồi giấy đi đường", "Revoke a permit"),
    [
        Field(
            "reason",
            "text",
            ("Lý do thu hồi (bắt buộc)", "Reason for revoking (required)"),
            required=True,
            required_message=("Cần ghi rõ lý do thu hồi", "Write the reason for revoking"),
            parameters={"max_length": MAX_TEXT},
        )
    ],
)


@cache
def renew_form(max_days: int) -> Form:
    """A new validity window for a permit (it may start in the past; the service refuses a
    window already over)."""
    return Form(
        "tp_renew",
        ("Gia hạn giấy đi đường", "Renew a permit"),
        _window(max_days, from_today=False),
    )


RENEW = renew_form(DEFAULTS.max_validity_days)
BUSINESS = business_form(DEFAULTS.province_code)
EMPLOYEE = employee_form(DEFAULTS.province_code)
REQUEST = request_form(
    (("048090000001", "Nguyễn Văn An"),), DEFAULTS.province_code, DEFAULTS.max_validity_days
)
"""The request form's shape (one sample employee) for the storage check; pages and the service
build it from the business's roster."""
