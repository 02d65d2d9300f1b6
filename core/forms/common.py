"""Questions every app asks about a person, worded and checked the same way everywhere.

``Field("full_name", "person_name", ...)`` written in three apps would drift (three labels,
three bounds for vaccine doses); these factories give one definition. Any attribute can be
overridden: ``common.phone(required=False, hint=("...", "..."))``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from core.forms.choices import choice_list
from core.forms.model import Field

MAX_VACCINE_DOSES = 6
"""Primary series, boosters and the extra doses of the immunocompromised (WHO, 2022)."""

SEXES = choice_list("sexes", [("M", "Nam", "Male"), ("F", "Nữ", "Female"), ("O", "Khác", "Other")])
ID_KINDS = choice_list(
    "id_kinds", [("cccd", "CCCD (12 số)", "CCCD (12 digits)"), ("passport", "Hộ chiếu", "Passport")]
)


def _field(base: Field, over: dict[str, Any]) -> Field:
    return replace(base, **over) if over else base


def full_name(name: str = "full_name", **over: Any) -> Field:
    return _field(
        Field(name, "person_name", ("Họ và tên", "Full name"), required=True, aliases=("Họ tên",)),
        over,
    )


def person_id(name: str = "person_id", **over: Any) -> Field:
    return _field(
        Field(
            name,
            "person_id",
            ("Số CCCD / hộ chiếu", "CCCD / passport number"),
            (
                "12 chữ số trên thẻ căn cước; người nước ngoài nhập số hộ chiếu",
                "The 12 digits of the ID card; foreigners enter their passport number",
            ),
            required=True,
            aliases=("CCCD", "Số CCCD", "Hộ chiếu"),
        ),
        over,
    )


def cccd(name: str = "cccd", **over: Any) -> Field:
    return _field(
        Field(
            name, "cccd", ("Số CCCD", "CCCD number"), required=True, aliases=("CCCD", "Căn cước")
        ),
        over,
    )


def phone(name: str = "phone", **over: Any) -> Field:
    return _field(
        Field(
            name,
            "phone",
            ("Số điện thoại", "Phone number"),
            (
                "Số Việt Nam (0905 123 456) hoặc số nước ngoài dạng +1 202 555 0143",
                "A Vietnamese number (0905 123 456) or a foreign one like +1 202 555 0143",
            ),
            required=True,
            aliases=("Điện thoại", "SĐT"),
        ),
        over,
    )


def birth_year(name: str = "birth_year", **over: Any) -> Field:
    return _field(Field(name, "birth_year", ("Năm sinh", "Year of birth"), required=True), over)


def sex(name: str = "sex", **over: Any) -> Field:
    """Needs ``SEXES`` among the form's choice lists."""
    return _field(
        Field(
            name, "select_one sexes", ("Giới tính", "Sex"), required=True, appearance="horizontal"
        ),
        over,
    )


def province(name: str = "province_code", **over: Any) -> Field:
    return _field(
        Field(
            name,
            "select_one provinces",
            ("Tỉnh/thành phố", "Province/city"),
            required=True,
            default=48,
        ),
        over,
    )


def ward(name: str = "ward_code", *, province: str | int = "province_code", **over: Any) -> Field:
    """A ward of the province given by another field's name, or by a fixed province code."""
    where = f"${{{province}}}" if isinstance(province, str) else str(int(province))
    return _field(
        Field(
            name,
            "select_one wards",
            ("Phường/xã", "Ward/commune"),
            required=True,
            choice_filter=f"province = {where}",
        ),
        over,
    )


def vaccine_doses(name: str = "vaccine_doses", **over: Any) -> Field:
    return _field(
        Field(
            name,
            "integer",
            ("Số mũi vắc xin COVID-19 đã tiêm", "COVID-19 vaccine doses received"),
            parameters={"min": 0, "max": MAX_VACCINE_DOSES},
            default=0,
        ),
        over,
    )
