"""Texts of the forms core in Vietnamese and English: one message per kind of bad input, the
same in every app."""

from __future__ import annotations

from importlib import import_module

_M: dict[str, tuple[str, str]] = {
    "forms.err.required": ("Vui lòng điền mục này.", "Please fill in this field."),
    "forms.err.constraint": ("Giá trị không hợp lệ.", "This value is not accepted."),
    "forms.err.new_question": (
        "Câu hỏi mới hiện ra theo câu trả lời của bạn: vui lòng trả lời rồi gửi lại.",
        "A new question appeared from your answers: please answer it and send again.",
    ),
    "forms.err.too_long": ("Tối đa {max} ký tự.", "At most {max} characters."),
    "forms.err.cut": (
        "Nội dung dán vào dài {length} ký tự, quá {max} ký tự cho phép: phần cuối đã bị cắt."
        " Kiểm tra lại rồi gửi.",
        "What was pasted had {length} characters, more than the {max} allowed: the end has"
        " been cut. Check it, then send again.",
    ),
    "forms.err.too_short": ("Tối thiểu {min} ký tự.", "At least {min} characters."),
    "forms.err.control_chars": (
        "Có ký tự điều khiển không hợp lệ (có thể do dán từ tệp khác).",
        "Contains invalid control characters (perhaps pasted from another file).",
    ),
    "forms.err.name_chars": (
        "Họ tên chỉ gồm chữ cái, dấu cách và các dấu . ' -",
        "A name has only letters, spaces and . ' -",
    ),
    "forms.err.name_short": ("Họ tên quá ngắn.", "The name is too short."),
    "forms.err.cccd_digits": ("Số CCCD chỉ gồm chữ số.", "A CCCD number has digits only."),
    "forms.err.cccd_11": (
        "Số CCCD có 12 chữ số; số này có 11 — có thể bảng tính đã bỏ mất số 0 đầu.",
        "A CCCD number has 12 digits; this has 11 — the spreadsheet may have dropped the leading 0.",
    ),
    "forms.err.cccd_length": (
        "Số CCCD có 12 chữ số (bạn nhập {n}).",
        "A CCCD number has 12 digits (you typed {n}).",
    ),
    "forms.err.cccd_province": (
        "Ba số đầu ({code}) không phải mã tỉnh nơi đăng ký khai sinh: kiểm tra lại số CCCD.",
        "The first three digits ({code}) are not a province code: check the CCCD number.",
    ),
    "forms.err.cccd_year": (
        "Số CCCD cho năm sinh {year}, không thể đúng: kiểm tra lại số thứ 4 đến 6.",
        "The CCCD number gives birth year {year}, which cannot be right: check digits 4 to 6.",
    ),
    "forms.err.passport": (
        "Số hộ chiếu gồm 6–9 chữ cái hoặc chữ số.",
        "A passport number has 6-9 letters or digits.",
    ),
    "forms.err.person_id": (
        "Nhập số CCCD (12 chữ số) hoặc số hộ chiếu (6–9 chữ cái, chữ số).",
        "Enter a CCCD number (12 digits) or a passport number (6-9 letters, digits).",
    ),
    "forms.err.phone": (
        "Số điện thoại không hợp lệ: số Việt Nam dạng 0905 123 456 hoặc 0236 3821 234; số nước"
        " ngoài dạng +1 202 555 0143.",
        "Not a valid phone number: Vietnamese like 0905 123 456 or 0236 3821 234; foreign like"
        " +1 202 555 0143.",
    ),
    "forms.err.phone_mobile": (
        "Cần số điện thoại di động (để nhận tin nhắn), ví dụ 0905 123 456.",
        "A mobile number is needed (to receive text messages), e.g. 0905 123 456.",
    ),
    "forms.err.tax_code": (
        "Mã số thuế gồm 10 chữ số, hoặc 13 chữ số với mã chi nhánh (0401234567-001).",
        "A tax code has 10 digits, or 13 with a branch (0401234567-001).",
    ),
    "forms.err.tax_code_check": (
        "Mã số thuế sai chữ số kiểm tra: kiểm tra lại từng chữ số.",
        "The tax code's check digit is wrong: check each digit.",
    ),
    "forms.err.plate": (
        "Biển số xe không hợp lệ (ví dụ 43A-123.45).",
        "Not a valid vehicle plate (e.g. 43A-123.45).",
    ),
    "forms.err.integer": ("Nhập một số nguyên.", "Enter a whole number."),
    "forms.err.decimal": ("Nhập một số (ví dụ 36,8).", "Enter a number (e.g. 36.8)."),
    "forms.err.too_small": ("Không được nhỏ hơn {min}.", "Must not be less than {min}."),
    "forms.err.too_large": ("Không được lớn hơn {max}.", "Must not be more than {max}."),
    "forms.err.year": ("Nhập năm sinh 4 chữ số.", "Enter a 4-digit year of birth."),
    "forms.err.year_future": (
        "Năm sinh không thể ở tương lai.",
        "The year of birth cannot be in the future.",
    ),
    "forms.err.year_old": (
        "Năm sinh phải từ {year} trở đi.",
        "The year of birth must be {year} or later.",
    ),
    "forms.err.date": (
        "Ngày không hợp lệ (ngày/tháng/năm, ví dụ 10/09/2021).",
        "Not a valid date (day/month/year, e.g. 10/09/2021).",
    ),
    "forms.err.date_min": ("Ngày phải từ {min} trở đi.", "The date must be {min} or later."),
    "forms.err.date_max": ("Ngày không được sau {max}.", "The date must not be after {max}."),
    "forms.err.datetime": (
        "Thời điểm không hợp lệ (ví dụ 10/09/2021 08:30).",
        "Not a valid time (e.g. 10/09/2021 08:30).",
    ),
    "forms.err.time": ("Giờ không hợp lệ (ví dụ 08:30).", "Not a valid time of day (e.g. 08:30)."),
    "forms.err.choice": ("Hãy chọn trong danh sách.", "Choose from the list."),
    "forms.err.choice_filtered": (
        "Lựa chọn này không phù hợp với câu trả lời trước (ví dụ phường/xã không thuộc tỉnh đã"
        " chọn).",
        "This choice does not fit an earlier answer (e.g. a ward outside the chosen province).",
    ),
    "forms.err.too_many": ("Chọn tối đa {max} mục.", "Choose at most {max}."),
    "forms.err.yes_no": ("Trả lời có hoặc không.", "Answer yes or no."),
    "forms.err.file": ("Không đọc được tệp.", "The file cannot be read."),
    "forms.err.file_empty": ("Tệp rỗng.", "The file is empty."),
    "forms.err.file_size": ("Tệp lớn hơn {mb} MB.", "The file is larger than {mb} MB."),
    "forms.err.file_type": ("Chỉ nhận tệp {kinds}.", "Only {kinds} files are accepted."),
    "forms.yes": ("Có", "Yes"),
    "forms.no": ("Không", "No"),
    "forms.choose": ("Chọn…", "Choose…"),
    "forms.time_of_day": ("Giờ", "Time"),
    "forms.upload.template_xlsx": ("Tải tệp mẫu Excel", "Download the Excel template"),
    "forms.upload.template_csv": ("Tải tệp mẫu CSV", "Download the CSV template"),
    "forms.upload.limits": (
        "Tối đa {rows} dòng và {mb} MB mỗi tệp (CSV UTF-8 hoặc Excel .xlsx).",
        "At most {rows} rows and {mb} MB per file (CSV UTF-8 or Excel .xlsx).",
    ),
    "forms.upload.choose": ("Chọn tệp danh sách", "Choose the list file"),
    "forms.upload.summary": (
        "{good} dòng hợp lệ, {bad} dòng có lỗi, trên tổng {total} dòng.",
        "{good} good rows, {bad} rows with problems, of {total}.",
    ),
    "forms.upload.ignored": ("Các cột không dùng: {cols}", "Columns not used: {cols}"),
    "forms.upload.errors_csv": ("Tải danh sách lỗi (CSV)", "Download the problems (CSV)"),
    "forms.upload.fix_file": (
        "Sửa các dòng lỗi trong tệp rồi tải lên lại; các dòng hợp lệ có thể nhập ngay.",
        "Fix the rows with problems and upload again; the good rows can be imported now.",
    ),
    "forms.upload.import": ("Nhập {n} dòng hợp lệ", "Import {n} good rows"),
    "forms.optional": ("(không bắt buộc)", "(optional)"),
    "forms.fix": (
        "Vui lòng sửa các mục được đánh dấu bên dưới.",
        "Please correct the fields marked below.",
    ),
}

MESSAGES: dict[str, dict[str, str]] = {k: {"vi": vi, "en": en} for k, (vi, en) in _M.items()}

_MODULES = ("core.forms.table_file", "core.forms.table", "core.web.messages")
"""Modules of the forms core that bring their own ``MESSAGES`` (and the shell of the pages
its HTML renderer draws into, ``core.web.layout``)."""


def catalog() -> dict[str, dict[str, str]]:
    """Every text of the forms core."""
    merged = dict(MESSAGES)
    for name in _MODULES:
        merged.update(import_module(name).MESSAGES)
    return merged
