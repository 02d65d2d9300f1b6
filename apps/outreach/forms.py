"""The outreach app's form: one call attempt (the outcome in one tap, a note if needed)."""

from __future__ import annotations

from core.forms import Field, Form, choice_list

OUTCOME_LIST = choice_list(
    "outcomes",
    [
        ("reached", "Đã liên lạc được", "Reached"),
        ("not_reachable", "Không liên lạc được", "Not reachable"),
        ("referred", "Chuyển xét nghiệm", "Referred for testing"),
        ("enrolled_f1", "Đã ghi nhận F1", "Enrolled as F1"),
        ("enrolled_f0", "Đã ghi nhận F0", "Enrolled as F0"),
        ("wrong_number", "Sai số điện thoại", "Wrong number"),
    ],
)

ATTEMPT = Form(
    "or_attempt",
    ("Kết quả cuộc gọi", "Call outcome"),
    [
        Field("outcome", "select_one outcomes", ("Kết quả", "Outcome"), required=True),
        Field(
            "note",
            "text",
            ("Ghi chú", "Note"),
            parameters={"max_length": 500},
        ),
    ],
    choices=[OUTCOME_LIST],
)
