"""UI strings of the health declaration app (vi + en)."""

from __future__ import annotations

_M: dict[str, tuple[str, str]] = {
    "hd.paper.title": ("Nhập tờ khai giấy", "Paper declarations"),
    "hd.paper.caption": (
        "Tờ khai thu trên giấy (tại chốt, tổ dân phố) nhập từ bảng tính: tải tệp mẫu, điền mỗi"
        " tờ khai một dòng, rồi tải lên. Dòng lỗi được chỉ rõ để sửa và tải lại.",
        "Declarations collected on paper (at checkpoints, ward offices) entered from a"
        " spreadsheet: download the template, one declaration per row, then upload it. Rows"
        " with problems are listed to fix and upload again.",
    ),
    "hd.paper.imported": ("Đã nhập {n} tờ khai giấy.", "{n} paper declarations imported."),
    # manifest, pages, panels, tokens
    "hd.token.pass": ("Thẻ khai báo y tế cá nhân", "Personal health pass"),
    "hd.token.venue": ("Mã QR điểm check-in", "Venue check-in QR"),
    # what the checkpoint shows for a personal pass (reasons and fields declared in the manifest)
    "hd.token.pass.reason.OK": ("Xanh: không có yếu tố nguy cơ", "Green: no risk found"),
    "hd.token.pass.reason.RISK_YELLOW": ("Có nguy cơ (vàng)", "At risk (yellow)"),
    "hd.token.pass.reason.RISK_RED": ("Nguy cơ cao (đỏ)", "High risk (red)"),
    "hd.token.pass.reason.BAD_CLAIMS": ("Nội dung thẻ không hợp lệ", "Invalid pass content"),
    "hd.token.pass.field.colour": ("Màu thẻ", "Colour"),
    "hd.token.pass.field.name": ("Họ tên", "Name"),
    "hd.token.pass.field.declared_at": ("Khai báo lúc", "Declared at"),
    "hd.token.pass.field.valid_until": ("Hiệu lực đến", "Valid until"),
    "hd.token.pass.field.id": ("Mã thẻ", "Pass number"),
    "hd.err.venue_pending": (
        "Địa điểm đang chờ cán bộ y tế duyệt; mã QR sẽ có sau khi được duyệt.",
        "The venue is waiting for a health officer's approval; its QR comes after that.",
    ),
    "hd.err.venue_not_pending": (
        "Địa điểm này không ở trạng thái chờ duyệt.",
        "This venue is not waiting for approval.",
    ),
    "hd.venue.approve": ("Duyệt địa điểm", "Approve venue"),
    "hd.venue.approved": (
        "Đã duyệt địa điểm; mã QR đã được cấp.",
        "Venue approved; its QR is issued.",
    ),
    "hd.venue.pending_hint": (
        "Địa điểm của doanh nghiệp cần cán bộ y tế duyệt trước khi in mã QR.",
        "A business's venue needs a health officer's approval before its QR can be printed.",
    ),
    "hd.venue_scan.ok": (
        "Đã check-in {name} tại {venue}.",
        "{name} checked in at {venue}.",
    ),
    "hd.page.declare": ("Khai báo y tế", "Health declaration"),
    "hd.page.pass": ("Tra cứu thẻ y tế", "Find my health pass"),
    "hd.page.checkin": ("Check-in địa điểm", "Venue check-in"),
    "hd.page.venues": ("Địa điểm check-in", "Check-in venues"),
    "hd.page.areas": ("Vùng dịch", "Epidemic areas"),
    "hd.page.dashboard": ("Phân tích khai báo y tế", "Health declaration analytics"),
    "hd.panel.summary": ("Khai báo y tế: tổng quan", "Health declarations: overview"),
    "hd.panel.per_day": ("Khai báo theo ngày", "Declarations per day"),
    "hd.panel.per_ward": ("Khai báo theo phường/xã", "Declarations per ward"),
    "hd.panel.risk": ("Danh sách đỏ/vàng", "Red/yellow list"),
    "hd.panel.checkins": ("Check-in theo địa điểm và giờ", "Check-ins per venue per hour"),
    # form
    "hd.declare.title": ("Khai báo y tế", "Health declaration"),
    "hd.declare.caption": (
        "Không cần tài khoản. Khai báo trung thực; thông tin chỉ dùng cho phòng chống dịch.",
        "No account needed. Declare truthfully; the data is used only for epidemic control.",
    ),
    "hd.declare.submit": ("Gửi tờ khai", "Submit declaration"),
    "hd.declare.done": (
        "Đã nhận tờ khai. Đây là thẻ y tế của bạn.",
        "Declaration received. This is your health pass.",
    ),
    "hd.declare.replaced": (
        "Thẻ cũ của bạn đã được thay bằng thẻ này.",
        "Your previous pass was replaced by this one.",
    ),
    "hd.declare.again": ("Khai báo lại", "Declare again"),
    "hd.declare.kept": (
        "Thẻ được giữ trên điện thoại này: mở “Tra cứu thẻ” hoặc quét mã QR tại địa điểm để"
        " check-in mà không cần nhập lại.",
        "The pass is kept on this phone: open “Find my pass” or scan a venue's QR to check in"
        " without typing anything again.",
    ),
    "hd.f.province": ("Tỉnh/thành phố", "Province/city"),
    "hd.f.ward": ("Phường/xã", "Ward/commune"),
    # field errors
    "hd.err.try_later": (
        "Chưa thể nhận tờ khai lúc này. Vui lòng thử lại sau ít phút.",
        "The declaration cannot be received right now. Please try again in a few minutes.",
    ),
    "hd.err.no_venue": (
        "Không tìm thấy địa điểm (hoặc bạn không quản lý địa điểm này).",
        "Venue not found (or not yours).",
    ),
    "hd.err.venue_closed": (
        "Địa điểm này đã đóng; mã QR không còn hiệu lực.",
        "This venue is closed; its QR code is no longer valid.",
    ),
    # pass
    "hd.colour.green": ("Xanh", "Green"),
    "hd.colour.yellow": ("Vàng", "Yellow"),
    "hd.colour.red": ("Đỏ", "Red"),
    "hd.pass.colour": ("Thẻ y tế: {colour}", "Health pass: {colour}"),
    "hd.pass.details": (
        "Năm sinh {year} · Giấy tờ {id}\nKhai báo lúc {at} · Hiệu lực đến {until}",
        "Born {year} · ID {id}\nDeclared {at} · Valid until {until}",
    ),
    "hd.pass.download": ("Tải mã QR (PNG)", "Download QR (PNG)"),
    "hd.pass.qr_alt": ("Mã QR của thẻ y tế", "The health pass's QR code"),
    "hd.pass.at": ("Khai báo lúc", "Declared"),
    "hd.pass.until": ("Hiệu lực đến", "Valid until"),
    "hd.pass.next.green": (
        "Đưa mã QR này khi vào chợ, siêu thị, cơ quan; khai báo lại khi sức khỏe thay đổi.",
        "Show this QR at markets, shops and offices; declare again when your health changes.",
    ),
    "hd.pass.next.yellow": (
        "Theo dõi sức khỏe, hạn chế tiếp xúc; nếu sốt, ho, khó thở hãy gọi trạm y tế phường"
        " hoặc đường dây nóng 1900 9095.",
        "Watch your health and limit contacts; with fever, cough or short breath call your ward"
        " health station or the hotline 1900 9095.",
    ),
    "hd.pass.next.red": (
        "Ở tại nhà, không đến nơi đông người; cán bộ y tế phường sẽ liên hệ. Nếu khó thở, gọi"
        " ngay 115 hoặc đường dây nóng 1900 9095.",
        "Stay at home and avoid crowds; your ward health worker will contact you. If breathing"
        " is hard, call 115 or the hotline 1900 9095 now.",
    ),
    "hd.page.declare_for": ("Khai báo hộ", "Declare for someone"),
    "hd.cond.symptom_fever_cough": ("Sốt hoặc ho", "Fever or cough"),
    "hd.cond.symptom_any": ("Có triệu chứng", "Has symptoms"),
    "hd.cond.exp_case": ("Tiếp xúc ca bệnh/nghi ngờ", "Contact with a case/suspect"),
    "hd.cond.exp_area": (
        "Tiếp xúc người từ vùng dịch",
        "Contact with someone from an epidemic area",
    ),
    "hd.cond.exp_symptoms": ("Tiếp xúc người có triệu chứng", "Contact with someone with symptoms"),
    "hd.cond.epidemic_area": ("Đến từ/đi qua vùng dịch", "From or through an epidemic area"),
    "hd.cond.abroad": ("Từ nước ngoài về", "Arrived from abroad"),
    "hd.cond.chronic_and_symptom": (
        "Bệnh nền và có triệu chứng",
        "Chronic condition with symptoms",
    ),
    "hd.lookup.title": ("Tra cứu thẻ y tế", "Find my health pass"),
    "hd.lookup.caption": (
        "Trên điện thoại đã khai báo, thẻ hiện ra ngay. Từ điện thoại khác: nhập số điện thoại"
        " và số CCCD/hộ chiếu đã khai báo, rồi nhập mã xác nhận được gửi tới số điện thoại đó.",
        "On the phone you declared with, the pass shows at once. From another phone: enter the"
        " phone number and CCCD/passport you declared with, then the code sent to that phone.",
    ),
    "hd.lookup.submit": ("Gửi mã xác nhận", "Send me a code"),
    "hd.lookup.other": ("Tra cứu thẻ khác", "Find another pass"),
    "hd.lookup.other_caption": (
        "Thẻ khai báo từ điện thoại khác: nhập số điện thoại và CCCD đã khai báo; mã xác nhận"
        " được gửi tới số điện thoại đó.",
        "A pass declared on another phone: enter the phone and CCCD declared; a code is sent"
        " to that phone.",
    ),
    "hd.mine.title": ("Thẻ của bạn", "Your pass"),
    "hd.mine.gone": (
        "Thẻ của {name} đã hết hiệu lực.",
        "The pass of {name} is no longer valid.",
    ),
    # one-time code (another phone)
    "hd.code.title": ("Nhập mã xác nhận", "Enter the code"),
    "hd.code.sent": (
        "Nếu thông tin khớp, mã đã được gửi tới số điện thoại đã khai báo: 6 chữ số, có hiệu"
        " lực {minutes} phút. Không đưa mã này cho ai.",
        "If the details match, a code has been sent to the declared phone number: 6 digits,"
        " valid for {minutes} minutes. Do not give it to anyone.",
    ),
    "hd.code.label": ("Mã xác nhận", "Code"),
    "hd.code.hint": ("6 chữ số trong tin nhắn SMS", "The 6 digits in the text message"),
    "hd.code.submit": ("Xác nhận", "Confirm"),
    "hd.code.restart": ("Nhập lại số điện thoại và CCCD", "Enter the phone and CCCD again"),
    "hd.code.wrong": (
        "Mã không đúng hoặc đã hết hạn. Kiểm tra tin nhắn, hoặc nhập lại số điện thoại và CCCD"
        " để nhận mã mới.",
        "The code is wrong or has expired. Check the message, or enter the phone and CCCD again"
        " for a new code.",
    ),
    "hd.sms.code": (
        "Ma xac nhan the y te: {code} (hieu luc {minutes} phut). Khong dua ma nay cho ai.",
        "Health pass code: {code} (valid {minutes} minutes). Do not share it.",
    ),
    # check-in
    "hd.checkin.title": ("Check-in địa điểm", "Venue check-in"),
    "hd.checkin.bad_token": (
        "Mã QR địa điểm không hợp lệ (giả mạo hoặc bị hỏng). Không ghi nhận check-in.",
        "This venue QR is not valid (forged or damaged). Nothing was recorded.",
    ),
    "hd.checkin.expired_token": (
        "Mã QR địa điểm đã hết hạn. Không ghi nhận check-in.",
        "This venue QR has expired. Nothing was recorded.",
    ),
    "hd.checkin.no_pass": (
        "Không có tờ khai y tế còn hiệu lực khớp với thông tin này. Vui lòng khai báo trước.",
        "No valid health declaration matches these details. Please declare first.",
    ),
    "hd.checkin.scan_again": (
        "Hãy quét lại mã QR dán tại địa điểm.",
        "Scan the QR code posted at the venue again.",
    ),
    "hd.checkin.as": ("Check-in: {name}", "Check in: {name}"),
    "hd.checkin.or": (
        "Nhập số điện thoại và CCCD đã khai báo; mã xác nhận sẽ được gửi tới số điện thoại đó.",
        "Enter the phone and CCCD declared; a code is sent to that phone.",
    ),
    "hd.checkin.other": (
        "Check-in cho thẻ khai báo từ điện thoại khác",
        "Check in with a pass declared on another phone",
    ),
    "hd.checkin.at": ("Check-in tại {name}", "Check in at {name}"),
    "hd.checkin.not_declared": ("Chưa khai báo y tế?", "Not declared yet?"),
    "hd.checkin.declare_first": ("Khai báo y tế rồi check-in", "Declare, then check in"),
    "hd.checkin.ask": (
        "Khai báo trên điện thoại khác? Nhập số điện thoại và CCCD đã khai báo; mã xác nhận sẽ"
        " được gửi tới số điện thoại đó.",
        "Declared on another phone? Enter the phone and CCCD you declared with; a code is sent"
        " to that phone.",
    ),
    "hd.checkin.submit": ("Gửi mã xác nhận", "Send me a code"),
    "hd.checkin.done": ("Đã check-in: {name} lúc {at}", "Checked in: {name} at {at}"),
    "hd.poster.line1": (
        "Quét mã QR bằng camera điện thoại để check-in.",
        "Scan the QR code with your phone camera to check in.",
    ),
    "hd.poster.line2": (
        "Khai báo y tế trước khi vào.",
        "Make a health declaration before entering.",
    ),
    # venues
    "hd.venues.title": ("Địa điểm check-in", "Check-in venues"),
    "hd.venues.register": ("Đăng ký địa điểm", "Register venue"),
    "hd.venues.registered": ("Đã đăng ký địa điểm số {id}.", "Venue {id} registered."),
    "hd.venues.none": ("Chưa có địa điểm.", "No venues yet."),
    "hd.venues.pick": ("Chọn địa điểm", "Choose a venue"),
    "hd.venues.poster": ("Tải áp phích A4 (PDF)", "Download A4 poster (PDF)"),
    "hd.venues.close": ("Đóng địa điểm", "Close venue"),
    "hd.venues.reason": ("Lý do", "Reason"),
    # venue review, readable tables and the home page's pending work (issue 18, helper V)
    "hd.pending.venues": ("Địa điểm chờ duyệt", "Venues awaiting approval"),
    "hd.venues.pending_count": (
        "{n} địa điểm đang chờ duyệt.",
        "{n} venues are waiting for approval.",
    ),
    "hd.venues.only_pending": ("Chỉ hiện địa điểm chờ duyệt", "Only venues awaiting approval"),
    "hd.venues.none_pending": ("Không có địa điểm nào chờ duyệt.", "No venue is waiting."),
    "hd.venue.status.pending": ("Chờ duyệt", "Awaiting approval"),
    "hd.venue.status.open": ("Đang hoạt động", "Open"),
    "hd.venue.status.closed": ("Đã đóng", "Closed"),
    "hd.venue.status.rejected": ("Bị từ chối", "Rejected"),
    "hd.venue.reject": ("Từ chối địa điểm", "Reject venue"),
    "hd.venue.reject_reason": ("Lý do từ chối", "Reason for rejection"),
    "hd.venue.reject_hint": (
        "Chủ địa điểm sẽ đọc lý do này: nêu rõ cần sửa gì.",
        "The venue's owner reads this: say what to correct.",
    ),
    "hd.venue.rejected": ("Đã từ chối địa điểm.", "Venue rejected."),
    "hd.venue.rejected_notice": (
        "Địa điểm này đã bị từ chối. Lý do: {reason}",
        "This venue was rejected. Reason: {reason}",
    ),
    "hd.venue.option": ("{name} — {street} (số {id})", "{name} — {street} (no. {id})"),
    "hd.review.err.reason_short": (
        "Hãy ghi lý do từ chối (ít nhất {n} ký tự).",
        "Give the reason for the rejection (at least {n} characters).",
    ),
    "hd.review.err.reason_long": (
        "Lý do quá dài: tối đa {n} ký tự.",
        "The reason is too long: at most {n} characters.",
    ),
    "hd.col.status": ("Trạng thái", "Status"),
    "hd.col.created_by": ("Người đăng ký", "Registered by"),
    "hd.col.created_at": ("Tạo lúc", "Created at"),
    "hd.col.added_by": ("Người thêm", "Added by"),
    "hd.col.declared_at": ("Khai báo lúc", "Declared at"),
    "hd.col.colour": ("Màu thẻ", "Pass colour"),
    "hd.col.reasons": ("Yếu tố nguy cơ", "Risk factors"),
    "hd.col.fever": ("Sốt", "Fever"),
    "hd.col.cough": ("Ho", "Cough"),
    "hd.col.id": ("Mã tờ khai", "Declaration number"),
    "hd.col.source": ("Nguồn", "Source"),
    "hd.col.replaced_at": ("Được thay lúc", "Replaced at"),
    "hd.col.expires_at": ("Hiệu lực đến", "Valid until"),
    "hd.col.checked_in_at": ("Check-in lúc", "Checked in at"),
    "hd.col.method": ("Cách check-in", "How"),
    "hd.method.link": ("Tự quét mã", "Own phone"),
    "hd.method.scan": ("Cán bộ quét", "Scanned by staff"),
    "hd.method.demo": ("Dữ liệu mẫu", "Demo data"),
    "hd.source.web": ("Trực tuyến", "Online"),
    "hd.source.paper": ("Tờ khai giấy", "Paper"),
    "hd.source.demo": ("Dữ liệu mẫu", "Demo data"),
    "hd.areas.whole_province": ("Cả tỉnh/thành phố", "Whole province"),
    "hd.areas.open_ended": ("Chưa có ngày kết thúc", "No end date yet"),
    "hd.areas.option": ("{place} (từ {start})", "{place} (from {start})"),
    "hd.a.share_of": ("{share} tổng số tờ khai", "{share} of declarations"),
    "hd.col.name": ("Tên địa điểm", "Venue name"),
    "hd.col.kind": ("Loại", "Kind"),
    "hd.col.street": ("Số nhà, đường", "House number, street"),
    "hd.col.contact_phone": ("Số điện thoại liên hệ", "Contact phone"),
    "hd.col.starts_on": ("Từ ngày", "From"),
    "hd.col.ends_on": ("Đến ngày", "Until"),
    "hd.col.note": ("Ghi chú", "Note"),
    "hd.col.hour": ("Giờ trong ngày (giờ Việt Nam)", "Hour of day (Vietnam time)"),
    "hd.a.measure": ("Chỉ số", "Measure"),
    # areas
    "hd.areas.title": ("Vùng dịch", "Epidemic areas"),
    "hd.areas.caption": (
        "Tỉnh/thành hoặc phường/xã (không còn cấp huyện từ 7/2025). Quy tắc phân loại nguy cơ đọc danh sách này; mọi thay đổi được ghi nhật ký.",
        "Provinces or wards (districts were abolished in July 2025). The risk rules read this list; every change is audited.",
    ),
    "hd.areas.add": ("Thêm vùng dịch", "Add epidemic area"),
    "hd.areas.added": ("Đã thêm vùng dịch.", "Epidemic area added."),
    "hd.areas.none": ("Chưa có vùng dịch.", "No epidemic areas."),
    "hd.areas.pick": ("Chọn vùng", "Choose an area"),
    "hd.areas.end_now": ("Kết thúc từ hôm nay", "End it today"),
    "hd.all": ("Tất cả", "All"),
    # analytics
    "hd.dash.title": ("Phân tích khai báo y tế", "Health declaration analytics"),
    "hd.a.range": ("Khoảng ngày", "Date range"),
    "hd.a.units_caption": (
        "Lọc theo tỉnh/thành và phường/xã: cấp huyện đã bãi bỏ từ 7/2025.",
        "Filter by province and ward: districts were abolished in July 2025.",
    ),
    "hd.a.declarations": ("Tờ khai", "Declarations"),
    "hd.a.fever_cough": ("Sốt/ho", "Fever/cough"),
    "hd.a.contacts": ("Tiếp xúc ca nghi ngờ", "Contacts of suspects"),
    "hd.a.epidemic": ("Từ vùng dịch", "From epidemic areas"),
    "hd.a.red": ("Đỏ", "Red"),
    "hd.a.yellow": ("Vàng", "Yellow"),
    "hd.a.day": ("Ngày", "Day"),
    "hd.a.count": ("Số lượng", "Count"),
    "hd.a.empty": ("Không có dữ liệu trong khoảng đã chọn.", "No data in the chosen range."),
    "hd.a.colours": ("Màu", "Colours"),
    "hd.a.risk_caption": (
        "{n} người (mới nhất trước; tối đa 500 dòng, xuất tệp để có đủ).",
        "{n} people (newest first; at most 500 rows, export for all).",
    ),
    "hd.a.export_csv": ("Xuất CSV", "Export CSV"),
    "hd.a.purpose": ("Mục đích xuất dữ liệu", "Purpose of the export"),
    "hd.a.purpose_hint": (
        "Bắt buộc, được ghi vào nhật ký (ví dụ: gọi điện cho người nguy cơ phường Hải Châu).",
        "Required, written in the audit log (e.g. calling people at risk in Hai Chau ward).",
    ),
    "hd.err.purpose": (
        "Hãy ghi mục đích xuất dữ liệu (ít nhất 5 ký tự).",
        "Give the purpose of the export (at least 5 characters).",
    ),
    "hd.a.flag": ("Lưu ý", "Note"),
    "hd.flag.new_phone": (
        "Khai từ điện thoại khác khi đang có thẻ còn hiệu lực",
        "Declared from another phone while a valid pass existed",
    ),
    "hd.a.export_parquet": ("Xuất Parquet", "Export Parquet"),
    "hd.a.drill": ("Xem chi tiết theo số CCCD/hộ chiếu", "Drill down by CCCD/passport"),
    "hd.a.history": ("Lịch sử khai báo", "Declaration history"),
    "hd.a.checkins": ("Check-in", "Check-ins"),
    "hd.a.hour": ("Giờ", "Hour"),
    "hd.a.venue": ("Địa điểm", "Venue"),
    "hd.a.checkins_n": ("Lượt check-in", "Check-ins"),
    # the register's part of a pass (core.risk) and exposure notices
    "hd.cond.register_f0": ("Đang cách ly: F0", "In isolation: F0"),
    "hd.cond.register_f1": ("Đang cách ly: F1", "In isolation: F1"),
    "hd.cond.register_exposure": (
        "Ở cùng địa điểm với một ca F0",
        "At a venue at the same time as an F0",
    ),
    "hd.cond.register_isolation": ("Đang cách ly", "In isolation"),
    "hd.checkin.stay_home": (
        "Không check-in được: theo hồ sơ y tế, người này cần ở nhà. Cán bộ y tế phường sẽ liên hệ.",
        "Check-in refused: by the health register this person must stay home. The ward health"
        " worker will be in touch.",
    ),
    "hd.sms.exposure": (
        "Y te Da Nang: ban da o {venue} luc {at} khi co mot ca F0 o do. Hay khai bao y te tai"
        " {link} va theo doi trieu chung (sot, ho, kho tho) trong 14 ngay.",
        "Da Nang health: you were at {venue} at {at} when an F0 case was there. Please declare"
        " at {link} and watch for symptoms (fever, cough, short breath) for 14 days.",
    ),
}

MESSAGES: dict[str, dict[str, str]] = {k: {"vi": vi, "en": en} for k, (vi, en) in _M.items()}
