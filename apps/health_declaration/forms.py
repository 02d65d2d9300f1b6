"""The health declaration's forms: the national declaration's content, venues, epidemic areas,
and the phone + ID look-up citizens use to find their pass or check in.

One row per question: adding a question to the declaration is one ``Field`` here (labels
included) and one migration adding its column; the pages, validation, storage, the risk
export and the paper-declaration template follow from this definition.
"""

from __future__ import annotations

from core.forms import Field, Form, Group, choice_list, common

SYMPTOMS = choice_list(
    "symptoms",
    [
        ("fever", "Sốt", "Fever"),
        ("cough", "Ho", "Cough"),
        ("short_breath", "Khó thở", "Shortness of breath"),
        ("sore_throat", "Đau họng", "Sore throat"),
        ("nausea", "Nôn/buồn nôn", "Nausea/vomiting"),
        ("diarrhoea", "Tiêu chảy", "Diarrhoea"),
        ("skin_bleeding", "Xuất huyết ngoài da", "Skin haemorrhage"),
        ("rash", "Nổi ban ngoài da", "Skin rash"),
    ],
)
EXPOSURES = choice_list(
    "exposures",
    [
        ("exp_case", "Người bệnh hoặc nghi ngờ mắc COVID-19", "A COVID-19 case or suspected case"),
        (
            "exp_area",
            "Người từ nước/vùng có bệnh COVID-19",
            "Someone from a country or area with COVID-19",
        ),
        (
            "exp_symptoms",
            "Người có sốt, ho, khó thở",
            "Someone with fever, cough or shortness of breath",
        ),
    ],
)
CHRONIC = choice_list(
    "chronic",
    [
        ("liver", "Bệnh gan mạn tính", "Chronic liver disease"),
        ("blood", "Bệnh máu mạn tính", "Chronic blood disease"),
        ("lung", "Bệnh phổi mạn tính", "Chronic lung disease"),
        ("kidney", "Bệnh thận mạn tính", "Chronic kidney disease"),
        ("heart", "Bệnh tim mạch", "Heart disease"),
        ("hypertension", "Huyết áp cao", "High blood pressure"),
        ("hiv", "HIV hoặc suy giảm miễn dịch", "HIV or immunodeficiency"),
        ("transplant", "Ghép tạng, ghép tủy", "Organ or bone-marrow transplant"),
        ("diabetes", "Tiểu đường", "Diabetes"),
        ("cancer", "Ung thư", "Cancer"),
        ("pregnant", "Đang mang thai", "Pregnant"),
    ],
)
VENUE_KINDS = choice_list(
    "venue_kinds",
    [
        ("shop", "Cửa hàng", "Shop"),
        ("market", "Chợ", "Market"),
        ("restaurant", "Nhà hàng, quán ăn", "Restaurant"),
        ("office", "Cơ quan, văn phòng", "Office"),
        ("school", "Trường học", "School"),
        ("hospital", "Cơ sở y tế", "Health facility"),
        ("transport", "Bến xe, nhà ga, sân bay", "Transport hub"),
        ("other", "Khác", "Other"),
    ],
)

# The CCCD encodes the birth year (digit 4: century and sex, digits 5-6: the year's last two).
_YEAR_FROM_CCCD = (
    "${id_kind} != 'cccd' or string-length(${person_id}) != 12"
    " or 1900 + 100 * int(int(substr(${person_id}, 3, 4)) div 2)"
    " + int(substr(${person_id}, 4, 6)) = ."
)

DECLARATION = Form(
    "hd_declaration",
    ("Tờ khai y tế", "Health declaration"),
    [
        common.full_name(),
        common.birth_year(
            constraint=_YEAR_FROM_CCCD,
            constraint_message=(
                "Năm sinh không khớp với số CCCD (chữ số thứ 4 đến 6): kiểm tra lại cả hai.",
                "The year of birth does not match the CCCD number (digits 4 to 6): check both.",
            ),
        ),
        common.sex(),
        Field(
            "nationality",
            "select_one countries",
            ("Quốc tịch", "Nationality"),
            required=True,
            default="VN",
        ),
        Field(
            "id_kind",
            "select_one id_kinds",
            ("Loại giấy tờ", "Document"),
            required=True,
            default="cccd",
            appearance="horizontal",
        ),
        common.person_id(
            constraint="${id_kind} = 'passport' or string-length(.) = 12",
            constraint_message=(
                "Số CCCD có 12 chữ số; nếu dùng hộ chiếu, hãy chọn “Hộ chiếu” ở trên.",
                "A CCCD number has 12 digits; with a passport, choose “Passport” above.",
            ),
        ),
        common.phone(),
        common.province(),
        common.ward(),
        Field(
            "street",
            "text",
            ("Số nhà, đường", "House number, street"),
            required=True,
            parameters={"max_length": 200},
        ),
        Field("workplace", "text", ("Nơi làm việc, học tập", "Workplace or school")),
        Group(
            "travel",
            ("Đi lại trong 14 ngày qua", "Travel in the last 14 days"),
            [
                Field(
                    "visited_provinces",
                    "select_multiple provinces",
                    ("Tỉnh/thành đã đến trong 14 ngày", "Provinces visited in the last 14 days"),
                ),
                Field(
                    "visited_countries",
                    "select_multiple countries",
                    ("Quốc gia đã đến trong 14 ngày", "Countries visited in the last 14 days"),
                    parameters={"max_selected": 50},
                ),
            ],
        ),
        Field(
            "symptoms",
            "select_multiple symptoms",
            ("Hiện có triệu chứng nào sau đây không?", "Do you have any of these symptoms now?"),
            appearance="checkboxes",
            parameters={"storage": "flags"},
        ),
        Field(
            "exposures",
            "select_multiple exposures",
            (
                "Trong 14 ngày qua, bạn có tiếp xúc với:",
                "In the last 14 days, were you in contact with:",
            ),
            appearance="checkboxes",
            parameters={"storage": "flags"},
        ),
        Field("chronic", "select_multiple chronic", ("Bệnh nền", "Chronic conditions")),
        common.vaccine_doses(),
        Field(
            "committed",
            "acknowledge",
            (
                "Tôi cam kết thông tin khai là đúng sự thật; khai báo sai là vi phạm pháp luật.",
                "I confirm the information is true; a false declaration is against the law.",
            ),
            required=True,
        ),
    ],
    choices=[common.SEXES, common.ID_KINDS, SYMPTOMS, EXPOSURES, CHRONIC],
    table="hd_declarations",
)

VENUE = Form(
    "hd_venue",
    ("Địa điểm check-in", "Check-in venue"),
    [
        Field(
            "name",
            "text",
            ("Tên địa điểm", "Venue name"),
            required=True,
            parameters={"max_length": 100},
        ),
        Field("kind", "select_one venue_kinds", ("Loại", "Kind"), required=True),
        common.province(),
        common.ward(),
        Field(
            "street",
            "text",
            ("Số nhà, đường", "House number, street"),
            required=True,
            parameters={"max_length": 200},
        ),
        common.phone("contact_phone", label=("Số điện thoại liên hệ", "Contact phone")),
    ],
    choices=[VENUE_KINDS],
    table="hd_venues",
)

AREA = Form(
    "hd_area",
    ("Vùng dịch", "Epidemic area"),
    [
        common.province(),
        common.ward(
            required=False,
            hint=("Để trống: cả tỉnh/thành phố", "Leave empty: the whole province"),
        ),
        Field("starts_on", "date", ("Từ ngày", "From"), required=True, default="today()"),
        Field(
            "ends_on",
            "date",
            ("Đến ngày", "Until"),
            hint=("Để trống: chưa có ngày kết thúc", "Leave empty: no end date yet"),
            constraint=". >= ${starts_on}",
            constraint_message=(
                "Ngày kết thúc phải từ ngày bắt đầu trở đi.",
                "The end date must be on or after the start.",
            ),
        ),
        Field("note", "text", ("Ghi chú", "Note"), parameters={"max_length": 500}),
    ],
    table="hd_epidemic_areas",
)

LOOKUP = Form(
    "hd_lookup",
    ("Tra cứu thẻ", "Find my pass"),
    [common.phone(), common.person_id()],
)

PAPER_EXAMPLE = {
    "full_name": "Nguyễn Thị Thu Hà",
    "birth_year": 1985,
    "sex": "Nữ",
    "nationality": "Việt Nam",
    "id_kind": "CCCD (12 số)",
    "person_id": "048185000123",
    "phone": "0905123456",
    "province_code": "Thành phố Đà Nẵng",
    "ward_code": "Phường Hải Châu",
    "street": "12 Bạch Đằng",
    "visited_provinces": "",
    "visited_countries": "",
    "symptoms": "",
    "exposures": "",
    "chronic": "",
    "vaccine_doses": 2,
    "committed": "có",
}
"""The example row of the paper-declaration template (as a person would type it)."""
