"""The home isolation app's forms, as data (``core.forms``): one ``Field`` per question, labels
and messages in Vietnamese and English. Pages draw them with ``render_form``; services validate
the raw answers with ``FORM.validate`` and store ``core.forms.storage.row(FORM, values)``.

- ``ENROL_F0`` / ``ENROL_F1`` (table ``hi_enrolments``): two forms sharing the person fields
  rather than one form with ``relevant`` on the kind. The enrol page has always had a tab per
  kind with its own button, the kind is never a question, and each form stays free of skip
  logic, so it is drawn in ``st.form`` (nothing reruns while an officer types).
- ``REPORT`` (table ``hi_reports``): the daily vitals sent through a personal link; "measured
  now?" hides the measured date and time, "no oximeter" hides SpO2 (stored empty) (``relevant``).
  The vitals are numbers, so the light page's renderer gives them the numeric keyboard
  (``inputmode`` from the field type: decimal for the temperature, numeric for the others).
- ``NOTE`` (``hi_notes``), ``ASSIGN`` (``hi_enrolments.assigned_to``), ``release_form`` and
  ``transfer_form`` (the confirmation tick names the person, so they are built per person),
  ``FIND`` and ``trace_form`` (the officer's searches).

Importing this module imports no UI library.
"""

from __future__ import annotations

from functools import cache, lru_cache

from core import geo
from core.forms import Field, Form, choice_list, common
from core.text import md_escape

PROVINCE = geo.DA_NANG
"""Enrolment asks for a ward of this province (the app has no province setting)."""

TEMPERATURE = (34, 43)
SPO2 = (50, 100)
PULSE = (25, 250)
RESP_RATE = (4, 80)
"""Physically possible readings; outside them a report is refused and nothing is written."""
AGE_MAX = 120
DAYS_BACK = 60
"""Test, onset and exposure dates: not in the future, at most this many days ago."""
FUTURE_MINUTES = 5
REPORT_DAYS_BACK = 2
"""A report's measured time: at most 5 minutes ahead of the server's clock, at most 2 days old."""
MAX_REPORT_NOTE = 1000
MAX_NOTE = 2000

SYMPTOMS = choice_list(
    "symptoms",
    [
        ("fever", "Sốt", "Fever"),
        ("cough", "Ho", "Cough"),
        ("sore_throat", "Đau họng", "Sore throat"),
        ("loss_smell", "Mất vị giác/khứu giác", "Loss of taste/smell"),
        ("fatigue", "Mệt mỏi", "Fatigue"),
        ("headache", "Đau đầu", "Headache"),
        ("muscle_pain", "Đau cơ", "Muscle pain"),
        ("diarrhoea", "Tiêu chảy", "Diarrhoea"),
        ("breathless", "Khó thở", "Short of breath"),
        ("chest_pain", "Đau tức ngực", "Chest pain"),
        ("confusion", "Lơ mơ, lú lẫn", "Confusion"),
        ("cyanosis", "Môi, đầu chi tím tái", "Bluish lips or fingers"),
    ],
)
MEDICINES = choice_list(
    "medicines",
    [
        ("paracetamol", "Hạ sốt (paracetamol)", "Fever reducer (paracetamol)"),
        ("antiviral", "Thuốc kháng vi-rút", "Antiviral"),
        ("cough_syrup", "Thuốc ho", "Cough syrup"),
        ("vitamin", "Vitamin", "Vitamins"),
        ("other", "Thuốc khác", "Other"),
    ],
)
CHRONIC = choice_list(
    "chronic",
    [
        ("diabetes", "Đái tháo đường", "Diabetes"),
        ("hypertension", "Tăng huyết áp", "Hypertension"),
        ("heart", "Bệnh tim mạch", "Heart disease"),
        ("lung", "Bệnh phổi mạn tính", "Chronic lung disease"),
        ("kidney", "Bệnh thận mạn", "Chronic kidney disease"),
        ("liver", "Bệnh gan", "Liver disease"),
        ("cancer", "Ung thư", "Cancer"),
        ("immune", "Suy giảm miễn dịch", "Immunodeficiency"),
        ("obesity", "Béo phì", "Obesity"),
    ],
)
TEST_TYPES = choice_list(
    "test_types",
    [("pcr", "RT-PCR", "RT-PCR"), ("antigen", "Test nhanh kháng nguyên", "Rapid antigen test")],
)

_CONFIRM_NEEDED = (
    "Hãy đánh dấu ô xác nhận trước khi thực hiện.",
    "Tick the confirmation box first.",
)


# -- enrolment ------------------------------------------------------------------------------


def _recent_day(name: str, label: tuple[str, str], *, required: bool, **over: object) -> Field:
    """A day in the last ``DAYS_BACK`` days (a positive test, symptom onset, last exposure)."""
    return Field(
        name,
        "date",
        label,
        required=required,
        constraint=f". <= today() and . >= today() - {DAYS_BACK}",
        constraint_message=(
            f"Ngày phải trong vòng {DAYS_BACK} ngày qua và không ở tương lai.",
            f"The date must be within the last {DAYS_BACK} days and not in the future.",
        ),
        **over,  # type: ignore[arg-type]
    )


def _person(*, age_required: bool) -> list[Field]:
    """The questions about the person, shared by both enrolment forms."""
    return [
        common.person_id(),
        common.full_name(),
        common.phone(),
        common.ward(province=PROVINCE),
        Field(
            "age",
            "integer",
            ("Tuổi", "Age"),
            required=age_required,
            parameters={"min": 0, "max": AGE_MAX},
        ),
        Field("chronic", "select_multiple chronic", ("Bệnh nền", "Chronic conditions")),
        common.vaccine_doses(),
    ]


ENROL_F0 = Form(
    "hi_enrol_f0",
    ("Đăng ký F0", "Enrol an F0"),
    [
        *_person(age_required=True),
        _recent_day(
            "test_date",
            ("Ngày xét nghiệm dương tính", "Positive test date"),
            required=True,
            default="today()",
        ),
        Field(
            "test_type",
            "select_one test_types",
            ("Loại xét nghiệm", "Test type"),
            required=True,
            default="pcr",
        ),
        _recent_day(
            "onset_date",
            ("Ngày khởi phát triệu chứng", "Symptom onset"),
            required=False,
            hint=("Để trống nếu không có triệu chứng", "Leave empty when there are no symptoms"),
        ),
    ],
    choices=[CHRONIC, TEST_TYPES],
    table="hi_enrolments",
)

ENROL_F1 = Form(
    "hi_enrol_f1",
    ("Đăng ký F1", "Enrol an F1"),
    [
        Field(
            "source_id",
            "text",
            ("F0 nguồn (mã hồ sơ hoặc số CCCD)", "Source F0 (enrolment id or ID number)"),
            (
                "Mã hồ sơ HI… của F0, hoặc số CCCD/hộ chiếu của họ",
                "The F0's HI… enrolment id, or their CCCD/passport number",
            ),
            required=True,
            parameters={"max_length": 20},
        ),
        *_person(age_required=False),
        _recent_day(
            "exposure_date",
            ("Ngày tiếp xúc cuối", "Last exposure"),
            required=True,
            default="today()",
        ),
    ],
    choices=[CHRONIC],
    table="hi_enrolments",
)

ENROL_FORMS: dict[str, Form] = {"F0": ENROL_F0, "F1": ENROL_F1}


# -- the daily report -------------------------------------------------------------------------


def _vital(
    name: str, kind: str, label: tuple[str, str], bounds: tuple[int, int], **params: int
) -> Field:
    return Field(
        name,
        kind,
        label,
        required=True,
        parameters={"min": bounds[0], "max": bounds[1], **params},
    )


REPORT = Form(
    "hi_report",
    ("Báo cáo sức khỏe hằng ngày", "Daily health report"),
    [
        _vital(
            "temperature",
            "decimal",
            ("Nhiệt độ (°C)", "Temperature (°C)"),
            TEMPERATURE,
            decimals=1,
        ),
        Field(
            "no_oximeter",
            "acknowledge",
            ("Tôi không có máy đo SpO2", "I have no oximeter (no SpO2 reading)"),
            column="",
        ),
        Field(
            "spo2",
            "integer",
            ("SpO2 (%)", "SpO2 (%)"),
            ("Số đo trên máy kẹp ngón tay", "The reading of the finger-clip oximeter"),
            # required unless "no oximeter" is ticked; then hidden and stored empty
            required="not(${no_oximeter})",
            required_message=(
                "Nhập SpO2, hoặc đánh dấu ô không có máy đo.",
                "Enter the SpO2, or tick that you have no oximeter.",
            ),
            relevant="not(${no_oximeter})",
            parameters={"min": SPO2[0], "max": SPO2[1]},
        ),
        _vital("pulse", "integer", ("Mạch (lần/phút)", "Pulse (beats/min)"), PULSE),
        _vital(
            "resp_rate",
            "integer",
            ("Nhịp thở (lần/phút)", "Breathing rate (breaths/min)"),
            RESP_RATE,
        ),
        Field("symptoms", "select_multiple symptoms", ("Triệu chứng", "Symptoms")),
        Field("medicines", "select_multiple medicines", ("Thuốc đã dùng", "Medicines taken")),
        Field(
            "note",
            "text",
            ("Ghi chú thêm", "Anything else"),
            appearance="multiline",
            parameters={"max_length": MAX_REPORT_NOTE},
        ),
        Field(
            "measured_now",
            "yes_no",
            ("Đo lúc này?", "Measured just now?"),
            appearance="horizontal",
            column="",
        ),
        Field(
            "measured_at",
            "datetime",
            ("Thời điểm đo", "Time measured"),
            relevant="not(${measured_now})",
            # only when "measured now?" was answered no: a caller that sends measured_at alone
            # is taken at its word, and one that sends neither reports "now"
            required="string(${measured_now}) = 'false'",
            constraint=(
                f". <= now() + {FUTURE_MINUTES} div 1440 and . >= now() - {REPORT_DAYS_BACK}"
            ),
            constraint_message=(
                f"Thời điểm đo phải trong {REPORT_DAYS_BACK} ngày qua và không ở tương lai.",
                f"The time measured must be within the last {REPORT_DAYS_BACK} days and not in"
                " the future.",
            ),
        ),
    ],
    choices=[SYMPTOMS, MEDICINES],
    table="hi_reports",
)


# -- officer actions ----------------------------------------------------------------------------

NOTE = Form(
    "hi_note",
    ("Ghi chú", "Note"),
    [
        Field(
            "note",
            "text",
            ("Ghi chú", "Note"),
            required=True,
            appearance="multiline",
            parameters={"max_length": MAX_NOTE},
            column="text",
        )
    ],
    table="hi_notes",
)

ASSIGN = Form(
    "hi_assign",
    ("Phân công", "Assign"),
    [
        Field(
            "staff",
            "text",
            ("Cán bộ phụ trách (tên đăng nhập)", "Staff member (username)"),
            required=True,
            parameters={"max_length": 64},
            column="assigned_to",
        )
    ],
    table="hi_enrolments",
)


def _confirm(label: tuple[str, str]) -> Field:
    return Field(
        "confirm",
        "acknowledge",
        label,
        required=True,
        required_message=_CONFIRM_NEEDED,
        column="",
    )


AlertLine = tuple[str, str, str]
"""An open alert as a release/transfer form shows it: (alert id, label vi, label en)."""
MAX_CLOSE_NOTE = 500
MIN_CLOSE_NOTE = 3


def alert_field(alert_id: str) -> str:
    """The name of the closing-note question of one open alert (stable for the alert, so a
    note typed for it never lands on another alert when the list changes meanwhile)."""
    import hashlib

    return "alert_" + hashlib.sha256(alert_id.encode()).hexdigest()[:12]


def _alert_guard(alerts: tuple[AlertLine, ...]) -> list[Field]:
    """One closing note per open alert, or an explicit override with its reason: a person
    with an open alert is never released or transferred with one tick (issue 17 item 5)."""
    if not alerts:
        return []
    fields = [
        Field(
            alert_field(aid),
            "text",
            (f"Ghi chú đóng cảnh báo: {md_escape(vi)}", f"Closing note for: {md_escape(en)}"),
            hint=(
                "Đã xử lý cảnh báo này thế nào (gọi điện, khám, chuyển viện...).",
                "How this alert was dealt with (called, examined, sent to hospital...).",
            ),
            required="not(${override})",
            required_message=(
                "Cần ghi chú đóng cảnh báo này, hoặc chọn vẫn thực hiện và ghi lý do.",
                "Close this alert with a note, or choose to go ahead and give a reason.",
            ),
            relevant="not(${override})",
            parameters={"max_length": MAX_CLOSE_NOTE, "min_length": MIN_CLOSE_NOTE},
            column="",
        )
        for aid, vi, en in alerts
    ]
    fields.append(
        Field(
            "override",
            "acknowledge",
            (
                "Vẫn thực hiện khi cảnh báo còn mở (ghi lý do; được lưu vết)",
                "Go ahead with the alerts still open (give a reason; audited)",
            ),
            column="",
        )
    )
    fields.append(
        Field(
            "override_reason",
            "text",
            ("Lý do vẫn thực hiện", "Reason for going ahead"),
            required="${override}",
            required_message=(
                "Cần ghi lý do khi vẫn thực hiện với cảnh báo còn mở.",
                "Give the reason for going ahead with open alerts.",
            ),
            relevant="${override}",
            parameters={"max_length": MAX_CLOSE_NOTE, "min_length": MIN_CLOSE_NOTE},
            column="",
        )
    )
    return fields


@lru_cache(maxsize=512)
def release_form(name: str, needs_negative_test: bool, alerts: tuple[AlertLine, ...] = ()) -> Form:
    """Ending isolation for the person ``name``: the negative test date (required for an
    isolating F0 when ``f0_needs_negative_test``; never in the future), a closing note for
    each of the person's open ``alerts`` (or an override with its reason), and a
    confirmation tick that names them (one stray click must not end someone's monitoring)."""
    shown = md_escape(name)
    return Form(
        "hi_release",
        ("Kết thúc cách ly", "Release"),
        [
            Field(
                "negative_test_date",
                "date",
                ("Ngày xét nghiệm âm tính", "Negative test date"),
                required=needs_negative_test,
                required_message=(
                    "F0 cần có ngày xét nghiệm âm tính để kết thúc cách ly.",
                    "An F0 needs a negative test date to be released.",
                ),
                constraint=". <= today()",
                constraint_message=(
                    "Ngày không thể ở tương lai.",
                    "The date cannot be in the future.",
                ),
            ),
            *_alert_guard(alerts),
            _confirm(
                (
                    f"Tôi xác nhận kết thúc cách ly cho {shown}",
                    f"I confirm ending isolation for {shown}",
                )
            ),
        ],
        table="hi_enrolments",
    )


@lru_cache(maxsize=512)
def transfer_form(name: str, alerts: tuple[AlertLine, ...] = ()) -> Form:
    """Moving the person ``name`` to hospital care: a closing note for each open alert (or an
    override with its reason) and a confirmation tick that names them."""
    shown = md_escape(name)
    return Form(
        "hi_transfer",
        ("Chuyển viện", "Transfer to hospital"),
        [
            *_alert_guard(alerts),
            _confirm(
                (
                    f"Tôi xác nhận chuyển {shown} vào bệnh viện",
                    f"I confirm transferring {shown} to hospital",
                )
            ),
        ],
    )


def _search() -> Field:
    return Field(
        "search",
        "text",
        ("Tìm (mã hồ sơ, CCCD, điện thoại, tên)", "Find (enrolment id, ID number, phone, name)"),
        parameters={"max_length": 40},
    )


FIND = Form("hi_find", ("Tìm người cách ly", "Find a person"), [_search()])


@cache
def trace_form(window_minutes: int) -> Form:
    """The tracing page's search: which F0 (search text) and the window around each of their
    check-ins (``trace_window_minutes`` from the settings to start with)."""
    return Form(
        "hi_trace",
        ("Truy vết tiếp xúc", "Contact tracing"),
        [
            _search(),
            Field(
                "window_minutes",
                "integer",
                ("Khoảng thời gian (± phút)", "Window (± minutes)"),
                required=True,
                default=window_minutes,
                parameters={"min": 1, "max": 24 * 60},
            ),
        ],
    )


__all__ = [
    "ASSIGN",
    "AlertLine",
    "CHRONIC",
    "ENROL_F0",
    "ENROL_F1",
    "ENROL_FORMS",
    "FIND",
    "MEDICINES",
    "NOTE",
    "REPORT",
    "SYMPTOMS",
    "TEST_TYPES",
    "alert_field",
    "release_form",
    "trace_form",
    "transfer_form",
]
