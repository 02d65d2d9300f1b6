"""The three example emergency apps, each only a definition workbook: their readable source.

The shipped files are the .xlsx beside this script (what an officer opens and edits). This
script writes them from the rows below, so a review can read a change as a diff:

    .venv/bin/python examples/build.py          # rewrite the three workbooks
    .venv/bin/rapid apps check examples/market_vouchers.xlsx

A test checks that every shipped workbook holds exactly these rows.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a clone

SURVEY = ["type", "name", "label::vi", "label::en", "required", "constraint",
          "constraint_message::vi", "constraint_message::en", "choice_filter", "default",
          "parameters"]  # fmt: skip
CHOICES = ["list_name", "name", "label::vi", "label::en"]
SETTINGS = ["form_id", "form_title::vi", "form_title::en", "version", "default_language"]
APP = ["key", "value", "value::en"]
ROLES = ["role", "label::vi", "label::en", "scope"]
RULES = ["condition", "value", "reason_code", "reason::vi", "reason::en", "severity"]
PANELS = ["kind", "field", "title::vi", "title::en"]

PLACE = [  # province then ward (the ward list follows the province)
    ["select_one provinces", "province", "Tỉnh/thành phố", "Province", "yes", "", "", "", "", 48],
    ["select_one wards", "ward", "Phường/xã", "Ward", "yes", "", "", "", "province = ${province}"],
]  # fmt: skip

# -- "Phiếu đi chợ": market vouchers --------------------------------------------------------------
# Ward officials register households (form or spreadsheet); each household gets a QR valid 14
# days at its market, on odd or even days by its household number, checked at the market gate.
MARKET_VOUCHERS = {
    "survey": [
        SURVEY,
        ["person_name", "head", "Chủ hộ", "Head of household", "yes"],
        [
            "integer",
            "household_no",
            "Số hộ (theo sổ của phường)",
            "Household number",
            "yes",
            "",
            "",
            "",
            "",
            "",
            "min=1 max=99999",
        ],
        [
            "integer",
            "members",
            "Số người trong hộ",
            "Household members",
            "yes",
            "",
            "",
            "",
            "",
            "",
            "min=1 max=30",
        ],
        ["phone", "phone", "Số điện thoại", "Phone", "no"],
        *PLACE,
        ["text", "address", "Địa chỉ (số nhà, đường)", "Address (number, street)", "yes"],
        ["select_one markets", "market", "Chợ được phân", "Assigned market", "yes"],
    ],  # fmt: skip
    "choices": [
        CHOICES,
        ["markets", "cho-con", "Chợ Cồn", "Con market"],
        ["markets", "cho-han", "Chợ Hàn", "Han market"],
        ["markets", "cho-an-hai", "Chợ An Hải", "An Hai market"],
    ],
    "settings": [SETTINGS, ["phieu_di_cho", "Phiếu đi chợ", "Market vouchers", "2021090101", "vi"]],
    "app": [
        APP,
        ["submitters", "can_bo_phuong"],
        ["viewers", "can_bo_phuong"],
        ["workflow", "none"],
        ["issue", "on_submit"],
        ["token_prefix", "MV1"],
        ["claims", "head, household_no, ward, market"],
        ["valid_days", 14],
        ["area_field", "ward"],
        ["unique", "household_no, ward"],
        ["card_title", "Phiếu đi chợ", "Market voucher"],
        ["card_lines", "head, household_no, address, market"],
    ],
    "roles": [
        ROLES,
        [
            "can_bo_phuong",
            "Cán bộ phường (phiếu đi chợ)",
            "Ward official (market vouchers)",
            "ward",
        ],
    ],  # fmt: skip
    "rules": [
        RULES,
        [
            "checkpoints",
            "market",
            "WRONG_MARKET",
            "Không phải chợ được phân cho hộ",
            "Not the household's market",
        ],
        [
            "odd_even_day",
            "household_no",
            "WRONG_DAY",
            "Hôm nay không phải ngày đi chợ của hộ (ngày chẵn/lẻ theo số hộ)",
            "Not the household's market day (odd/even by household number)",
        ],
    ],  # fmt: skip
    "panels": [
        PANELS,
        ["per_day", "", "Phiếu cấp theo ngày", "Vouchers issued per day"],
        ["per_choice", "market", "Số hộ theo chợ", "Households per market"],
        ["per_area", "ward", "Số hộ theo phường", "Households per ward"],
    ],
}

# -- COVID-19 vaccination registration ------------------------------------------------------------
# Citizens register (priority group, preferred site and day); staff confirm the slot; the
# citizen's QR is valid on that day only and checked at that site.
VACCINATION = {
    "survey": [
        SURVEY,
        ["person_name", "full_name", "Họ và tên", "Full name", "yes"],
        ["cccd", "cccd", "Số CCCD", "Citizen ID (CCCD)", "yes"],
        ["birth_year", "birth_year", "Năm sinh", "Year of birth", "yes"],
        ["phone", "phone", "Số điện thoại", "Phone", "yes"],
        ["select_one priority", "priority", "Nhóm ưu tiên", "Priority group", "yes"],
        *PLACE,
        ["select_one sites", "site", "Điểm tiêm mong muốn", "Preferred vaccination site", "yes"],
        [
            "date",
            "day",
            "Ngày tiêm mong muốn",
            "Preferred day",
            "yes",
            ". >= today()",
            "Chọn từ hôm nay trở đi",
            "Today or later",
            "",
            "today()",
        ],
        [
            "acknowledge",
            "consent",
            "Tôi đồng ý tiêm và cam đoan thông tin trên là đúng",
            "I consent and declare the above is true",
            "yes",
        ],
    ],  # fmt: skip
    "choices": [
        CHOICES,
        ["priority", "health_worker", "Nhân viên y tế", "Health worker"],
        ["priority", "elderly", "Người từ 65 tuổi", "Aged 65 or more"],
        ["priority", "chronic", "Người có bệnh nền", "Chronic illness"],
        ["priority", "frontline", "Lực lượng tuyến đầu", "Frontline worker"],
        ["priority", "other", "Người dân khác", "Other residents"],
        ["sites", "vx-hai-chau", "Trung tâm Y tế Hải Châu", "Hai Chau health centre"],
        ["sites", "vx-son-tra", "Trung tâm Y tế Sơn Trà", "Son Tra health centre"],
        ["sites", "vx-lien-chieu", "Trung tâm Y tế Liên Chiểu", "Lien Chieu health centre"],
        ["reject_reasons", "full", "Điểm tiêm đã kín lịch ngày này", "The site is full that day"],
        [
            "reject_reasons",
            "not_eligible",
            "Chưa đến lượt nhóm ưu tiên",
            "Not yet this group's turn",
        ],
        ["reject_reasons", "duplicate", "Đã đăng ký ở nơi khác", "Registered elsewhere"],
    ],  # fmt: skip
    "settings": [
        SETTINGS,
        [
            "tiem_chung",
            "Đăng ký tiêm chủng COVID-19",
            "COVID-19 vaccination registration",
            "2021070101",
            "vi",
        ],
    ],  # fmt: skip
    "app": [
        APP,
        ["submitters", "public"],
        ["reviewers", "nhan_vien_tiem"],
        ["viewers", "nhan_vien_tiem, health_officer"],
        ["workflow", "review"],
        ["issue", "on_approve"],
        ["token_prefix", "VX1"],
        ["claims", "full_name, cccd, birth_year, site, day"],
        ["valid_from_field", "day"],
        ["valid_until_field", "day"],
        ["area_field", "ward"],
        ["unique", "cccd"],
        ["resubmit", "yes"],
        ["card_title", "Phiếu hẹn tiêm chủng", "Vaccination appointment"],
        ["card_lines", "full_name, cccd, site, day"],
    ],
    "roles": [ROLES, ["nhan_vien_tiem", "Nhân viên điểm tiêm", "Vaccination staff", ""]],
    "rules": [
        RULES,
        ["checkpoints", "site", "WRONG_SITE", "Sai điểm tiêm đã hẹn", "Not the booked site"],
        [
            "hours",
            "07:00-17:00",
            "OUTSIDE_HOURS",
            "Ngoài giờ tiêm (7:00–17:00)",
            "Outside vaccination hours (7:00–17:00)",
            "WARN",
        ],
    ],  # fmt: skip
    "panels": [
        PANELS,
        ["per_day", "day", "Lịch hẹn theo ngày", "Appointments per day"],
        ["per_choice", "priority", "Theo nhóm ưu tiên", "Per priority group"],
        ["per_choice", "site", "Theo điểm tiêm", "Per site"],
    ],
}

# -- Relief aid -----------------------------------------------------------------------------------
# Households request support; ward officials approve or reject with a reason; an approved
# household's QR is checked at its distribution point, once.
RELIEF_AID = {
    "survey": [
        SURVEY,
        ["person_name", "head", "Chủ hộ", "Head of household", "yes"],
        ["cccd", "cccd", "Số CCCD của chủ hộ", "Head's citizen ID (CCCD)", "yes"],
        ["phone", "phone", "Số điện thoại", "Phone", "yes"],
        [
            "integer",
            "members",
            "Số người trong hộ",
            "Household members",
            "yes",
            "",
            "",
            "",
            "",
            "",
            "min=1 max=30",
        ],
        *PLACE,
        ["text", "address", "Địa chỉ (số nhà, đường)", "Address (number, street)", "yes"],
        ["select_multiple needs", "needs", "Cần hỗ trợ", "Support needed", "yes"],
        ["select_one points", "point", "Điểm nhận hàng", "Distribution point", "yes"],
        [
            "text",
            "situation",
            "Hoàn cảnh (nếu cần nói thêm)",
            "Situation (optional)",
            "no",
            "",
            "",
            "",
            "",
            "",
            "max_length=500",
        ],
    ],  # fmt: skip
    "choices": [
        CHOICES,
        ["needs", "rice", "Gạo", "Rice"],
        ["needs", "water", "Nước uống", "Drinking water"],
        ["needs", "medicine", "Thuốc", "Medicine"],
        ["needs", "cash", "Tiền mặt", "Cash"],
        ["points", "cuu-tro-an-hai", "Nhà văn hóa An Hải", "An Hai community house"],
        ["points", "cuu-tro-hai-chau", "UBND phường Hải Châu", "Hai Chau ward office"],
        ["reject_reasons", "outside", "Không cư trú tại phường", "Not resident in the ward"],
        ["reject_reasons", "received", "Đã nhận hỗ trợ đợt này", "Already supported this round"],
        ["reject_reasons", "unverified", "Không xác minh được", "Could not be verified"],
    ],  # fmt: skip
    "settings": [
        SETTINGS,
        ["ho_tro_cuu_tro", "Đề nghị hỗ trợ cứu trợ", "Relief aid request", "2021080101", "vi"],
    ],  # fmt: skip
    "app": [
        APP,
        ["submitters", "public"],
        ["reviewers", "can_bo_xa"],
        ["viewers", "can_bo_xa"],
        ["workflow", "review"],
        ["issue", "on_approve"],
        ["token_prefix", "RA1"],
        ["claims", "head, cccd, members, point"],
        ["valid_days", 7],
        ["area_field", "ward"],
        ["unique", "cccd"],
        ["resubmit", "yes"],
        ["card_title", "Phiếu nhận hỗ trợ", "Relief voucher"],
        ["card_lines", "head, cccd, members, point"],
    ],
    "roles": [
        ROLES,
        ["can_bo_xa", "Cán bộ phường/xã (cứu trợ)", "Ward official (relief)", "ward"],
    ],  # fmt: skip
    "rules": [
        RULES,
        [
            "checkpoints",
            "point",
            "WRONG_POINT",
            "Không phải điểm nhận của hộ",
            "Not the household's distribution point",
        ],
        [
            "once",
            "",
            "ALREADY_RECEIVED",
            "Hộ đã nhận hàng (mã chỉ dùng một lần)",
            "Already received (the code is used once)",
        ],
    ],  # fmt: skip
    "panels": [
        PANELS,
        ["per_day", "", "Đề nghị theo ngày", "Requests per day"],
        ["per_choice", "needs", "Theo nhu cầu", "Per need"],
        ["per_area", "ward", "Theo phường", "Per ward"],
    ],
}

EXAMPLES = {
    "market_vouchers.xlsx": MARKET_VOUCHERS,
    "vaccination.xlsx": VACCINATION,
    "relief_aid.xlsx": RELIEF_AID,
}


def build(name: str) -> bytes:
    from core.definitions.starter import write

    return write(EXAMPLES[name])


def main() -> None:
    for name in EXAMPLES:
        (HERE / name).write_bytes(build(name))
        print(f"wrote examples/{name}")


if __name__ == "__main__":
    main()
