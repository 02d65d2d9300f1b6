"""UI strings of the home isolation app, Vietnamese and English. The questions' labels, hints,
choices and input messages are in the forms (``apps.home_isolation.forms``); the messages here
are the service's own refusals and everything else on the pages."""

MESSAGES: dict[str, dict[str, str]] = {
    "hi.token": {"vi": "Mã theo dõi cách ly tại nhà", "en": "Home isolation monitoring code"},
    # what the checkpoint shows for a monitoring code (declared in the manifest)
    "hi.token.reason.ISOLATING": {"vi": "Đang cách ly tại nhà", "en": "In home isolation"},
    "hi.token.reason.BAD_CLAIMS": {"vi": "Nội dung mã không hợp lệ", "en": "Invalid code content"},
    "hi.token.field.role": {"vi": "Diện cách ly", "en": "Isolated as"},
    # the two kinds of person (column headers of per-kind counts)
    "hi.kind.F0": {"vi": "F0", "en": "F0"},
    "hi.kind.F1": {"vi": "F1", "en": "F1"},
    # the isolation action log (hi_notes.kind)
    "hi.note.enrol": {"vi": "Bắt đầu theo dõi", "en": "Enrolled"},
    "hi.note.link": {"vi": "Cấp lại liên kết", "en": "New link"},
    "hi.note.alert_close": {"vi": "Xử lý cảnh báo", "en": "Alert handled"},
    "hi.note.ack": {"vi": "Đã nhận cảnh báo", "en": "Alert acknowledged"},
    "hi.note.assign": {"vi": "Phân công", "en": "Assigned"},
    "hi.note.note": {"vi": "Ghi chú", "en": "Note"},
    "hi.note.release": {"vi": "Kết thúc cách ly", "en": "Released"},
    "hi.note.transfer": {"vi": "Chuyển viện", "en": "Transferred to hospital"},
    "hi.col.actor": {"vi": "Người thực hiện", "en": "By"},
    "hi.col.action": {"vi": "Việc", "en": "Action"},
    "hi.col.note": {"vi": "Nội dung", "en": "Text"},
    # pages
    "hi.board.title": {"vi": "Bảng theo dõi F0/F1", "en": "F0/F1 board"},
    "hi.enrol.title": {"vi": "Đăng ký F0/F1", "en": "Enrol F0/F1"},
    "hi.person.title": {"vi": "Hồ sơ người cách ly", "en": "Person in isolation"},
    "hi.report.title": {"vi": "Báo cáo sức khỏe hằng ngày", "en": "Daily health report"},
    "hi.tracing.title": {"vi": "Truy vết tiếp xúc", "en": "Contact tracing"},
    "hi.analytics.title": {"vi": "Thống kê cách ly tại nhà", "en": "Home isolation analytics"},
    "hi.panel.title": {"vi": "Cách ly tại nhà", "en": "Home isolation"},
    # vocabulary
    "hi.report.again": {"vi": "Gửi báo cáo khác", "en": "Send another report"},
    "hi.level.green": {"vi": "Xanh", "en": "Green"},
    "hi.level.yellow": {"vi": "Vàng", "en": "Yellow"},
    "hi.level.orange": {"vi": "Cam", "en": "Orange"},
    "hi.level.red": {"vi": "Đỏ", "en": "Red"},
    "hi.status.isolating": {"vi": "Đang cách ly", "en": "Isolating"},
    "hi.status.hospital": {"vi": "Đã chuyển viện", "en": "In hospital"},
    "hi.status.released": {"vi": "Đã kết thúc cách ly", "en": "Released"},
    "hi.alert.red": {"vi": "Chỉ số nguy hiểm", "en": "Red report"},
    "hi.alert.missed": {"vi": "Không báo cáo 24 giờ", "en": "No report for 24 h"},
    "hi.alert.worsening": {"vi": "Diễn tiến xấu", "en": "Worsening"},
    "hi.all": {"vi": "Tất cả", "en": "All"},
    # filters and columns (the questions' labels are in the forms)
    "hi.f.kind": {"vi": "Đối tượng", "en": "Kind"},
    "hi.f.status": {"vi": "Trạng thái", "en": "Status"},
    "hi.f.level": {"vi": "Mức độ", "en": "Level"},
    "hi.f.alerts_only": {"vi": "Chỉ người có cảnh báo", "en": "Only people with alerts"},
    # columns
    "hi.col.id": {"vi": "Mã hồ sơ", "en": "Enrolment"},
    "hi.col.isolation_end": {"vi": "Kết thúc dự kiến", "en": "Isolation ends"},
    "hi.col.last_report": {"vi": "Báo cáo gần nhất", "en": "Last report"},
    "hi.col.alerts": {"vi": "Cảnh báo", "en": "Alerts"},
    "hi.col.assigned": {"vi": "Phụ trách", "en": "Assigned"},
    "hi.col.reasons": {"vi": "Lý do", "en": "Reasons"},
    "hi.col.venue": {"vi": "Địa điểm", "en": "Venue"},
    "hi.col.source_time": {"vi": "F0 có mặt", "en": "F0 checked in"},
    "hi.col.candidate_time": {"vi": "Người này có mặt", "en": "Candidate checked in"},
    "hi.col.overlap": {"vi": "Trùng (phút)", "en": "Overlap (min)"},
    "hi.col.enrolled": {"vi": "Đã theo dõi", "en": "Already enrolled"},
    "hi.col.select": {"vi": "Chọn", "en": "Select"},
    "hi.col.time": {"vi": "Thời gian", "en": "Time"},
    "hi.chart.time": {"vi": "Thời điểm đo (giờ Việt Nam)", "en": "Measured at (Vietnam time)"},
    "hi.col.alert_since": {"vi": "Cảnh báo từ", "en": "Alert since"},
    "hi.col.what": {"vi": "Loại", "en": "What"},
    "hi.sms.link": {
        "vi": "Bạn được theo dõi cách ly tại nhà (F1). Gửi báo cáo sức khỏe hằng ngày tại: {url}"
        " . Cán bộ y tế sẽ gọi điện đọc mã mở link cho bạn.",
        "en": "You are in home isolation monitoring (F1). Send your daily health report at: {url}"
        " . A health officer will call you with the code that opens the link.",
    },
    "hi.tracing.codes": {
        "vi": "Link theo dõi đã gửi qua SMS. Gọi điện đọc mã cho từng người (mã chỉ hiện một lần):",
        "en": "The monitoring links went out by SMS. Call each person and read them their code"
        " (shown once only):",
    },
    "hi.col.code": {"vi": "Mã mở link", "en": "Link code"},
    "hi.col.sms": {"vi": "SMS", "en": "SMS"},
    "hi.sms.sent": {"vi": "Đã gửi", "en": "Sent"},
    "hi.sms.duplicate": {"vi": "Đã gửi trước đó", "en": "Already sent"},
    "hi.sms.limited": {"vi": "Vượt giới hạn, chưa gửi", "en": "Over the limit, not sent"},
    "hi.sms.failed": {"vi": "Gửi lỗi: đưa link trực tiếp", "en": "Failed: give the link in person"},
    "hi.sms.no_mobile": {
        "vi": "Không phải số di động: đưa link trực tiếp",
        "en": "Not a mobile number: give the link in person",
    },
    "hi.tracing.no_match": {
        "vi": "Không tìm thấy F0 nào khớp với nội dung tìm.",
        "en": "No F0 matches the search.",
    },
    "hi.ago.minutes": {"vi": "{n} phút trước", "en": "{n} min ago"},
    "hi.ago.hours": {"vi": "{n} giờ trước", "en": "{n} h ago"},
    "hi.ago.days": {"vi": "{n} ngày trước", "en": "{n} days ago"},
    "hi.readings.pulse": {"vi": "mạch {n}", "en": "pulse {n}"},
    "hi.readings.resp": {"vi": "thở {n}/phút", "en": "breathing {n}/min"},
    "hi.col.new_f0": {"vi": "F0 mới", "en": "New F0"},
    "hi.col.new_f1": {"vi": "F1 mới", "en": "New F1"},
    "hi.col.released": {"vi": "Kết thúc cách ly", "en": "Released"},
    "hi.col.day": {"vi": "Ngày", "en": "Day"},
    "hi.col.count": {"vi": "Số người", "en": "People"},
    "hi.col.open_alerts": {"vi": "Cảnh báo mở", "en": "Open alerts"},
    "hi.col.median_age": {"vi": "Tuổi trung vị (giờ)", "en": "Median age (h)"},
    "hi.col.oldest_age": {"vi": "Lâu nhất (giờ)", "en": "Oldest (h)"},
    # buttons and actions
    "hi.enrol.f0": {"vi": "Đăng ký F0", "en": "Enrol F0"},
    "hi.enrol.f1": {"vi": "Đăng ký F1", "en": "Enrol F1"},
    "hi.enrol.done": {
        "vi": "Đã đăng ký {name} ({kind}), mã hồ sơ {id}. Cách ly đến {end}.",
        "en": "Enrolled {name} ({kind}), enrolment {id}. Isolation until {end}.",
    },
    "hi.enrol.link_hint": {
        "vi": "Gửi đường link hoặc mã QR này cho người cách ly để báo cáo hằng ngày:",
        "en": "Give this link or QR code to the person for their daily reports:",
    },
    "hi.enrol.end_rule": {
        "vi": "Thời gian cách ly: F0 {f0} ngày từ ngày xét nghiệm dương tính{neg}; F1 {f1} ngày sau lần tiếp xúc cuối.",
        "en": "Isolation: F0 {f0} days from the positive test{neg}; F1 {f1} days after the last exposure.",
    },
    "hi.enrol.neg_needed": {
        "vi": " và có kết quả âm tính",
        "en": " and a negative test",
    },
    "hi.report.submit": {"vi": "Gửi báo cáo", "en": "Send report"},
    "hi.report.hello": {
        "vi": "Xin chào {name} — theo dõi đến hết ngày {end}.",
        "en": "Hello {name} — monitoring until the end of {end}.",
    },
    "hi.code.title": {"vi": "Nhập mã xác nhận", "en": "Enter your code"},
    "hi.code.intro": {
        "vi": "Nhập mã {digits} số mà cán bộ y tế đã đọc cho bạn khi đăng ký cách ly."
        " Chỉ cần nhập một lần trên điện thoại này.",
        "en": "Enter the {digits}-digit code the health officer gave you when you were enrolled."
        " You enter it once on this phone.",
    },
    "hi.code.label": {"vi": "Mã xác nhận", "en": "Code"},
    "hi.code.submit": {"vi": "Tiếp tục", "en": "Continue"},
    "hi.code.wrong": {
        "vi": "Mã không đúng. Kiểm tra lại mã cán bộ y tế đã đưa.",
        "en": "That code is not right. Check the code the health officer gave you.",
    },
    "hi.code.wait": {
        "vi": "Đã nhập sai nhiều lần. Vui lòng thử lại sau {seconds} giây, hoặc gọi cán bộ y tế.",
        "en": "Too many wrong codes. Try again in {seconds} seconds, or call your health officer.",
    },
    "hi.link.rotated": {
        "vi": "Đường link này đã được thay bằng link mới. Gọi cán bộ y tế để nhận link và mã mới.",
        "en": "This link has been replaced by a new one. Call your health officer for the new"
        " link and code.",
    },
    "hi.link.no_code": {
        "vi": "Đường link này chưa có mã xác nhận. Gọi cán bộ y tế để nhận link và mã mới.",
        "en": "This link has no code yet. Call your health officer for a new link and code.",
    },
    "hi.link.reopen": {
        "vi": "Hãy mở lại đường link trong tin nhắn của cán bộ y tế rồi nhập mã xác nhận.",
        "en": "Open the link in the health officer's message again and enter your code.",
    },
    "hi.act.new_link": {"vi": "Cấp link và mã mới", "en": "New link and code"},
    "hi.link.issued": {
        "vi": "Link mới (link cũ không còn dùng được). Đọc mã cho người cách ly: **{code}**"
        " — mã chỉ hiện một lần.",
        "en": "New link (the old one no longer works). Read the code to the person: **{code}**"
        " — shown once only.",
    },
    "hi.report.count": {
        "vi": "Hôm nay bạn đã gửi {n}/{max} báo cáo.",
        "en": "Today you have sent {n} of {max} reports.",
    },
    "hi.report.limit": {
        "vi": "Bạn đã gửi đủ {max} báo cáo hôm nay. Nếu khó thở hoặc mệt nhiều, gọi 115 ngay.",
        "en": "You have sent the {max} reports allowed today. If short of breath or very unwell, call 115 now.",
    },
    "hi.report.sent": {"vi": "Đã nhận báo cáo. Cảm ơn bạn!", "en": "Report received. Thank you!"},
    "hi.report.advice.green": {
        "vi": "Chỉ số ổn định. Tiếp tục theo dõi và báo cáo hằng ngày.",
        "en": "Your readings are stable. Keep monitoring and report daily.",
    },
    "hi.report.advice.yellow": {
        "vi": "Cần chú ý: nghỉ ngơi, uống đủ nước, cán bộ y tế sẽ theo dõi sát.",
        "en": "Needs attention: rest, drink enough, a health officer will follow closely.",
    },
    "hi.report.advice.orange": {
        "vi": "Có dấu hiệu cảnh báo: cán bộ y tế sẽ liên hệ với bạn sớm.",
        "en": "Warning signs: a health officer will contact you soon.",
    },
    "hi.report.advice.red": {
        "vi": "Chỉ số nguy hiểm! Cán bộ y tế đã được báo. Nếu khó thở, gọi 115 ngay.",
        "en": "Danger signs! A health officer has been alerted. If short of breath, call 115 now.",
    },
    "hi.board.count": {
        "vi": "{shown} / {total} người (xếp theo mức độ và tuổi cảnh báo)",
        "en": "{shown} of {total} people (by level and alert age)",
    },
    "hi.board.empty": {"vi": "Không có ai phù hợp bộ lọc.", "en": "Nobody matches the filters."},
    # the staff home page: what waits for a health officer (the count is shown beside it)
    "hi.pending.alerts": {
        "vi": "Cảnh báo cách ly chưa xử lý",
        "en": "Open isolation alerts",
    },
    "hi.pending.missed": {
        "vi": "Người cách ly chưa gửi báo cáo",
        "en": "People in isolation with a missing report",
    },
    "hi.board.pick": {"vi": "Chọn người để xử lý", "en": "Pick a person to act on"},
    "hi.board.open_person": {"vi": "Mở hồ sơ", "en": "Open record"},
    "hi.act.ack": {"vi": "Xác nhận cảnh báo", "en": "Acknowledge alert"},
    "hi.act.assign": {"vi": "Phân công", "en": "Assign"},
    "hi.act.find": {"vi": "Tìm", "en": "Find"},
    "hi.act.note": {"vi": "Thêm ghi chú", "en": "Add note"},
    "hi.act.transfer": {"vi": "Chuyển viện", "en": "Transfer to hospital"},
    "hi.act.release": {"vi": "Kết thúc cách ly", "en": "Release"},
    "hi.act.link": {"vi": "Đường link / QR theo dõi", "en": "Monitoring link / QR"},
    "hi.act.download_qr": {"vi": "Tải mã QR (PNG)", "en": "Download QR (PNG)"},
    "hi.act.done": {"vi": "Đã lưu.", "en": "Saved."},
    "hi.act.release_open_alerts": {
        "vi": "Người này còn {n} cảnh báo chưa xử lý: ghi chú đóng từng cảnh báo, hoặc chọn"
        " vẫn thực hiện và ghi lý do.",
        "en": "This person still has {n} open alerts: close each with a note, or choose to go"
        " ahead and give a reason.",
    },
    "hi.act.no_alerts": {"vi": "Không có cảnh báo mở.", "en": "No open alerts."},
    "hi.person.none": {
        "vi": "Chọn một người trên bảng theo dõi hoặc tìm theo mã/CCCD.",
        "en": "Pick someone on the board or search by id/ID number.",
    },
    "hi.person.header": {
        "vi": "{name} · {kind} · {status} · mức {level}",
        "en": "{name} · {kind} · {status} · level {level}",
    },
    "hi.person.facts": {
        "vi": "CCCD {pid} · ĐT {phone} · {ward} · tuổi {age} · bệnh nền: {chronic} · vắc-xin: {doses} mũi · cách ly đến {end}",
        "en": "ID {pid} · phone {phone} · {ward} · age {age} · chronic: {chronic} · vaccine: {doses} doses · isolation until {end}",
    },
    "hi.person.source": {"vi": "F1 của F0 {name} ({id})", "en": "F1 of F0 {name} ({id})"},
    "hi.person.due": {
        "vi": "Đã đến ngày kết thúc cách ly dự kiến.",
        "en": "The planned isolation end has been reached.",
    },
    "hi.person.no_reports": {"vi": "Chưa có báo cáo.", "en": "No reports yet."},
    "hi.person.reports": {"vi": "Các báo cáo", "en": "Reports"},
    "hi.person.alerts": {"vi": "Cảnh báo", "en": "Alerts"},
    "hi.person.notes": {"vi": "Nhật ký xử lý", "en": "Case log"},
    "hi.unknown": {"vi": "không rõ", "en": "unknown"},
    "hi.none": {"vi": "không", "en": "none"},
    "hi.tracing.pick": {"vi": "F0 cần truy vết", "en": "F0 to trace"},
    "hi.tracing.window_info": {
        "vi": "Giai đoạn lây nhiễm: từ {since} đến nay. ± {minutes} phút quanh mỗi lần F0 có mặt.",
        "en": "Infectious window: from {since} until now. ± {minutes} minutes around each F0 check-in.",
    },
    "hi.tracing.run": {"vi": "Tìm người tiếp xúc", "en": "Find contacts"},
    "hi.tracing.none": {
        "vi": "Không tìm thấy ai có mặt cùng địa điểm trong khoảng thời gian này.",
        "en": "Nobody shared a venue with this F0 in that window.",
    },
    "hi.tracing.found": {
        "vi": "{people} người ở {venues} địa điểm.",
        "en": "{people} people at {venues} venues.",
    },
    "hi.tracing.enrol": {"vi": "Đăng ký những người đã chọn là F1", "en": "Enrol selected as F1"},
    "hi.tracing.enrolled": {
        "vi": "Đã đăng ký {n} F1; bỏ qua {skipped} người đã được theo dõi.",
        "en": "Enrolled {n} F1; skipped {skipped} already enrolled.",
    },
    "hi.tracing.unavailable": {
        "vi": "Chưa truy vết được: ứng dụng khai báo y tế chưa sẵn sàng ({error}).",
        "en": "Tracing unavailable: the health declaration app is not ready ({error}).",
    },
    "hi.analytics.active_ward": {"vi": "Đang cách ly theo phường/xã", "en": "Isolating per ward"},
    "hi.analytics.per_day": {"vi": "Theo ngày", "en": "Per day"},
    "hi.analytics.alerts": {"vi": "Cảnh báo đang mở", "en": "Open alerts"},
    "hi.stat.active_f0": {"vi": "F0 đang cách ly", "en": "Active F0"},
    "hi.stat.active_f1": {"vi": "F1 đang cách ly", "en": "Active F1"},
    "hi.stat.in_hospital": {"vi": "Đã chuyển viện", "en": "In hospital"},
    "hi.stat.open_alerts": {"vi": "Cảnh báo mở", "en": "Open alerts"},
    # errors
    "hi.err.too_many": {
        "vi": "Đã đủ {max} báo cáo trong ngày hôm nay.",
        "en": "The {max} reports allowed today have been sent.",
    },
    "hi.err.source_unknown": {
        "vi": "Không tìm thấy F0 này. Hãy đăng ký F0 trước khi liên kết F1.",
        "en": "No such F0. Enrol the F0 before linking an F1 to them.",
    },
    "hi.err.already_enrolled": {
        "vi": "Người này đang được theo dõi cách ly; không thể đăng ký lần nữa.",
        "en": "This person is already being monitored; they cannot be enrolled twice.",
    },
    "hi.err.already_released": {
        "vi": "Người này đã kết thúc cách ly.",
        "en": "This person has already been released.",
    },
    "hi.err.not_isolating": {
        "vi": "Người này không còn cách ly tại nhà.",
        "en": "This person is no longer isolating at home.",
    },
    "hi.err.alerts_changed": {
        "vi": "Cảnh báo của người này vừa thay đổi ({n} cảnh báo chưa được ghi chú): hãy xem lại.",
        "en": "This person's alerts changed meanwhile ({n} without a closing note): look again.",
    },
    "hi.err.not_f1": {
        "vi": "Lịch theo dõi chỉ dành cho F1.",
        "en": "The follow-up calendar is for F1s only.",
    },
    "hi.cal.title": {"vi": "Lịch theo dõi F1 (14 ngày)", "en": "F1 follow-up calendar (14 days)"},
    "hi.cal.caption": {
        "vi": "Mỗi F1 đang cách ly, một ô mỗi ngày sau lần tiếp xúc cuối: ngày bỏ lỡ (không"
        " báo cáo, không gọi được) tạo việc gọi điện cho cán bộ y tế phường.",
        "en": "Each F1 isolating now, one cell per day after the last exposure: a missed day"
        " (no report, no call that reached them) becomes a call for the ward's health workers.",
    },
    "hi.cal.ward": {"vi": "Phường", "en": "Ward"},
    "hi.cal.all_wards": {"vi": "Tất cả phường", "en": "All wards"},
    "hi.cal.empty": {"vi": "Không có F1 nào đang cách ly.", "en": "No F1 isolating now."},
    "hi.cal.count": {
        "vi": "{n} F1 · {missed} ngày bỏ lỡ",
        "en": "{n} F1s · {missed} missed days",
    },
    "hi.cal.legend": {"vi": "Chú thích", "en": "Legend"},
    "hi.cal.missed": {"vi": "Ngày bỏ lỡ", "en": "Missed days"},
    "hi.cal.reported": {"vi": "Ngày có báo cáo/gọi", "en": "Days reported or called"},
    "hi.cal.exposure": {"vi": "Tiếp xúc cuối", "en": "Last exposure"},
    "hi.cal.pick": {"vi": "Xem lịch của một F1", "en": "Open one F1's calendar"},
    "hi.cal.day": {"vi": "Ngày {n}", "en": "Day {n}"},
    "hi.cal.date": {"vi": "Ngày tháng", "en": "Date"},
    "hi.cal.day_no": {"vi": "Ngày thứ", "en": "Day"},
    "hi.cal.status": {"vi": "Tình trạng", "en": "Status"},
    "hi.cal.reports": {"vi": "Báo cáo", "en": "Reports"},
    "hi.cal.calls": {"vi": "Cuộc gọi", "en": "Calls"},
    "hi.cal.s.symptomatic": {"vi": "Có triệu chứng", "en": "Symptomatic"},
    "hi.cal.s.reported": {"vi": "Đã báo cáo qua link", "en": "Reported by link"},
    "hi.cal.s.called": {"vi": "Đã gọi được", "en": "Called"},
    "hi.cal.s.missed": {"vi": "Bỏ lỡ", "en": "Missed"},
    "hi.cal.s.due": {"vi": "Hôm nay, chưa báo cáo", "en": "Today, not yet reported"},
    "hi.cal.s.upcoming": {"vi": "Sắp tới", "en": "Upcoming"},
    "hi.cal.s.not_enrolled": {"vi": "Chưa ghi nhận", "en": "Before enrolment"},
    "hi.cal.s.ended": {"vi": "Đã kết thúc", "en": "Ended"},
    "hi.chain.title": {"vi": "Chuỗi lây nhiễm", "en": "Transmission chain"},
    "hi.chain.caption": {
        "vi": "F0 → F1 theo truy vết và hồ sơ; F1 trở thành F0 nối tiếp chuỗi.",
        "en": "F0 -> F1 from tracing and enrolment; an F1 who became an F0 continues the chain.",
    },
    "hi.chain.pick": {"vi": "Chọn một F0", "en": "Choose an F0"},
    "hi.chain.option": {"vi": "{name} · {n} F1 ({id})", "en": "{name} · {n} F1s ({id})"},
    "hi.chain.enrolled": {"vi": "Ngày ghi nhận", "en": "Enrolled"},
    "hi.chain.empty": {"vi": "Chưa có F0 nào.", "en": "No F0 yet."},
    "hi.chain.count": {
        "vi": "{f0} F0 · {f1} F1 · {depth} thế hệ",
        "en": "{f0} F0s · {f1} F1s · {depth} generations",
    },
    "hi.chain.link.root": {"vi": "Nguồn", "en": "Source"},
    "hi.chain.link.contact": {"vi": "Tiếp xúc", "en": "Contact"},
    "hi.chain.link.became_f0": {"vi": "Trở thành F0", "en": "Became F0"},
    "hi.chain.parent": {"vi": "Từ", "en": "From"},
    "hi.chain.depth": {"vi": "Thế hệ", "en": "Generation"},
    "hi.chain.link": {"vi": "Liên hệ", "en": "Link"},
    "hi.err.not_found": {"vi": "Không tìm thấy hồ sơ.", "en": "No such enrolment."},
    "hi.err.alert_closed": {
        "vi": "Cảnh báo này đã được xử lý.",
        "en": "This alert has already been handled.",
    },
    "hi.err.staff_unknown": {
        "vi": "Không có cán bộ y tế nào tên {name}.",
        "en": "No health officer account named {name}.",
    },
    "hi.err.kind": {"vi": "Chỉ F0 hoặc F1.", "en": "Only F0 or F1."},
    "hi.err.bad_filter": {"vi": "Bộ lọc không hợp lệ.", "en": "Invalid filter."},
    "hi.link.missing": {
        "vi": "Thiếu mã theo dõi. Hãy mở đúng đường link hoặc quét mã QR được cán bộ y tế gửi.",
        "en": "No monitoring code. Open the link or scan the QR code the health officer gave you.",
    },
    "hi.link.bad": {
        "vi": "Đường link không hợp lệ (sai hoặc bị sửa). Liên hệ cán bộ y tế để nhận link mới.",
        "en": "This link is not valid (wrong or altered). Ask your health officer for a new one.",
    },
    "hi.link.expired": {
        "vi": "Đường link đã hết hạn. Liên hệ cán bộ y tế nếu bạn vẫn đang cách ly.",
        "en": "This link has expired. Contact your health officer if you are still isolating.",
    },
    "hi.link.released": {
        "vi": "Bạn đã kết thúc cách ly; đường link này không còn dùng được.",
        "en": "Your isolation has ended; this link can no longer be used.",
    },
    "hi.link.hospital": {
        "vi": "Bạn đang được điều trị tại bệnh viện; không cần báo cáo qua link này.",
        "en": "You are in hospital care; no reports through this link are needed.",
    },
}

_REASONS = {
    "spo2_low": ("SpO2 ≤ 93%", "SpO2 ≤ 93%"),
    "spo2_border": ("SpO2 94–95%", "SpO2 94–95%"),
    "spo2_missing": ("Không có máy đo SpO2", "No oximeter (SpO2 not measured)"),
    "resp_high": ("Thở nhanh > 20 lần/phút", "Breathing > 20/min"),
    "pulse_high": ("Mạch nhanh > 120", "Pulse > 120"),
    "fever_days": ("Sốt ≥ 38,5 °C trên 2 ngày", "Fever ≥ 38.5 °C over 2 days"),
    "breathless": ("Khó thở", "Short of breath"),
    "chest_pain": ("Đau tức ngực", "Chest pain"),
    "confusion": ("Lơ mơ", "Confusion"),
    "cyanosis": ("Tím tái", "Cyanosis"),
    "risk_group": ("Tuổi ≥ 65 hoặc bệnh nền (+1 mức)", "Age ≥ 65 or chronic condition (+1 level)"),
}
for _code, (_vi, _en) in _REASONS.items():
    MESSAGES[f"hi.reason.{_code}"] = {"vi": _vi, "en": _en}
