"""UI and SMS texts of the outreach app (vi + en). SMS texts are written without diacritics
(one SMS segment holds 160 of them, 70 with), like the suite's other SMS."""

from __future__ import annotations

_M: dict[str, tuple[str, str]] = {
    "or.page.today": ("Việc hôm nay", "Today's calls"),
    "or.page.dashboard": ("Theo dõi người có nguy cơ", "People at risk: follow-up"),
    "or.panel.reach": ("Tỷ lệ liên lạc được trong 24 giờ / 72 giờ", "Reached within 24 h / 72 h"),
    "or.panel.backlog": ("Ca chờ gọi theo phường", "Cases waiting, per ward"),
    "or.today.caption": (
        "Người có nguy cơ trong phường của bạn, cũ nhất trước: đến hạn hôm nay hoặc quá hạn."
        " Bấm một nút để ghi kết quả cuộc gọi.",
        "People at risk in your ward, oldest first: due today or overdue. Tap one button to"
        " record the call's outcome.",
    ),
    "or.today.none": ("Không còn ai cần gọi hôm nay.", "Nobody left to call today."),
    "or.today.count": ("{n} người cần gọi.", "{n} people to call."),
    "or.today.refresh": ("Cập nhật danh sách", "Refresh the list"),
    "or.today.opened": ("Đã mở {n} ca mới.", "{n} new cases opened."),
    "or.today.saved": ("Đã ghi: {name}: {outcome}.", "Recorded: {name}: {outcome}."),
    "or.today.note": ("Ghi chú (nếu cần)", "Note (if needed)"),
    "or.case.line": (
        "{kind} · {level} · {ward} · từ {since} · lần gọi {attempts}",
        "{kind} · {level} · {ward} · since {since} · calls {attempts}",
    ),
    "or.kind.declaration": ("Tờ khai có nguy cơ", "Risky declaration"),
    "or.kind.exposure": ("Cùng địa điểm với F0", "Near an F0"),
    "or.kind.followup": ("F1 bỏ lỡ ngày theo dõi", "F1 missed a follow-up day"),
    "or.level.yellow": ("vàng", "yellow"),
    "or.level.red": ("đỏ", "red"),
    "or.outcome.reached": ("Đã liên lạc", "Reached"),
    "or.outcome.not_reachable": ("Không liên lạc được", "Not reachable"),
    "or.outcome.referred": ("Chuyển xét nghiệm", "Referred for testing"),
    "or.outcome.enrolled_f1": ("Ghi nhận F1", "Enrolled F1"),
    "or.outcome.enrolled_f0": ("Ghi nhận F0", "Enrolled F0"),
    "or.outcome.wrong_number": ("Sai số", "Wrong number"),
    "or.err.no_case": ("Không có ca này.", "No such case."),
    "or.err.closed": ("Ca này đã đóng.", "This case is closed."),
    "or.d.day": ("Ngày", "Day"),
    "or.d.share": ("Tỷ lệ liên lạc được", "Share reached"),
    "or.d.measure": ("Chỉ số", "Measure"),
    "or.d.within_24h": ("Trong 24 giờ", "Within 24 h"),
    "or.d.within_72h": ("Trong 72 giờ", "Within 72 h"),
    "or.d.cases": ("Người có nguy cơ", "People at risk"),
    "or.d.ward": ("Phường", "Ward"),
    "or.d.open": ("Đang mở", "Open"),
    "or.d.due": ("Đến hạn / quá hạn", "Due or overdue"),
    "or.d.oldest": ("Cũ nhất từ", "Oldest since"),
    "or.d.backlog": ("Tồn đọng", "Backlog"),
    "or.d.empty": ("Chưa có ca nào.", "No cases yet."),
    "or.d.reach_24h": ("Liên lạc trong 24 giờ", "Reached within 24 h"),
    "or.d.reach_72h": ("Liên lạc trong 72 giờ", "Reached within 72 h"),
    "or.d.per_ward": ("Theo phường", "Per ward"),
    "or.d.share_24h": ("Tỷ lệ liên lạc trong 24 giờ", "Share reached within 24 h"),
    "or.d.share_72h": ("Tỷ lệ liên lạc trong 72 giờ", "Share reached within 72 h"),
    "or.d.last_day": ("Ngày {day}", "On {day}"),
    "or.d.of_cases": ("{reached} / {cases} người", "{reached} of {cases} people"),
    "or.pending.due": ("Người cần gọi hôm nay", "People to call today"),
    "or.sms.missed": (
        "Tram y te {ward} da goi ban nhung chua lien lac duoc. Vui long khai bao y te lai tai"
        " {link} hoac goi duong day nong 1900 9095.",
        "The {ward} health station called you but could not reach you. Please declare again"
        " at {link} or call the hotline 1900 9095.",
    ),
}

MESSAGES: dict[str, dict[str, str]] = {k: {"vi": vi, "en": en} for k, (vi, en) in _M.items()}
