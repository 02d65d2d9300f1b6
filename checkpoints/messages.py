"""UI strings of the checkpoint scanner (vi + en). Only what the scanner itself owns: the
apps' reason and field labels are theirs (``<token title_key>.reason.*`` / ``.field.*``);
the ``cp.field.*`` below label foreign EU health certificates (HC1), which no app issues."""

from __future__ import annotations

from core.qr.messages import MESSAGES as QR_MESSAGES

MESSAGES: dict[str, dict[str, str]] = {
    **QR_MESSAGES,  # the token core's newer reason labels (see core.qr.messages)
    "cp.page.scan": {"vi": "Quét mã QR", "en": "Scan QR"},
    "cp.page.dashboard": {"vi": "Bảng điều khiển chốt", "en": "Checkpoint dashboard"},
    "cp.token.hc": {"vi": "Chứng nhận y tế (HC1)", "en": "Health certificate (HC1)"},
    "cp.token.unknown": {"vi": "Mã không xác định", "en": "Unknown code"},
    "cp.scan.title": {"vi": "Quét mã tại chốt", "en": "Checkpoint scan"},
    "cp.scan.mode": {"vi": "Chế độ", "en": "Mode"},
    "cp.scan.mode.checkpoint": {"vi": "Chốt kiểm soát", "en": "Checkpoint"},
    "cp.scan.mode.venue": {"vi": "Địa điểm (check-in)", "en": "Venue (check-in)"},
    "cp.scan.checkpoint": {"vi": "Chốt", "en": "Checkpoint"},
    "cp.scan.no_checkpoint": {"vi": "(chưa chọn chốt)", "en": "(no checkpoint)"},
    "cp.scan.venue_id": {"vi": "Mã địa điểm", "en": "Venue id"},
    "cp.scan.camera": {"vi": "Đưa mã QR vào khung hình", "en": "Hold the QR code to the camera"},
    "cp.scan.upload": {"vi": "Hoặc tải ảnh lên", "en": "Or upload a photo"},
    "cp.scan.no_code": {
        "vi": "Không tìm thấy mã QR trong ảnh. Hãy chụp lại gần hơn, đủ sáng.",
        "en": "No QR code found in the picture. Try again closer, with more light.",
    },
    "cp.scan.bad_image": {"vi": "Không đọc được ảnh.", "en": "The picture cannot be read."},
    "cp.scan.many": {"vi": "Có {n} mã trong ảnh.", "en": "{n} codes in the picture."},
    "cp.scan.last": {"vi": "Các lượt quét gần đây", "en": "Recent scans"},
    "cp.scan.none_yet": {"vi": "Chưa có lượt quét nào.", "en": "No scans yet."},
    "cp.scan.venue_needed": {"vi": "Nhập mã địa điểm.", "en": "Enter a venue id."},
    "cp.scan.checkpoint_needed": {
        "vi": "Chọn chốt đang đứng trước khi quét: giấy chỉ hợp lệ ở những phường/xã ghi trên giấy.",
        "en": "Choose your checkpoint before scanning: a permit is valid only in the wards it names.",
    },
    "cp.scan.venue_unsupported": {
        "vi": "Loại mã này không dùng để check-in địa điểm.",
        "en": "This kind of code cannot check in at a venue.",
    },
    "cp.verdict.VALID": {"vi": "HỢP LỆ", "en": "VALID"},
    "cp.verdict.INVALID": {"vi": "KHÔNG HỢP LỆ", "en": "INVALID"},
    "cp.verdict.WARN": {"vi": "CẢNH BÁO", "en": "WARNING"},
    "cp.col.time": {"vi": "Thời gian", "en": "Time"},
    "cp.col.checkpoint": {"vi": "Chốt", "en": "Checkpoint"},
    "cp.col.staff": {"vi": "Cán bộ", "en": "Staff"},
    "cp.col.type": {"vi": "Loại mã", "en": "Type"},
    "cp.col.verdict": {"vi": "Kết quả", "en": "Verdict"},
    "cp.col.reason": {"vi": "Lý do", "en": "Reason"},
    "cp.col.count": {"vi": "Số lượt", "en": "Scans"},
    "cp.col.hour": {"vi": "Giờ", "en": "Hour"},
    "cp.axis.hour": {
        "vi": "Giờ quét (giờ Việt Nam, ngày/tháng giờ:phút)",
        "en": "Hour of scan (Vietnam time, day/month hour:minute)",
    },
    "cp.axis.scans": {"vi": "Số lượt quét (lượt)", "en": "Scans (count)"},
    "cp.col.token": {"vi": "Mã băm", "en": "Token hash"},
    "cp.col.kind": {"vi": "Loại bất thường", "en": "Anomaly"},
    "cp.col.detail": {"vi": "Chi tiết", "en": "Details"},
    "cp.field.name": {"vi": "Họ tên", "en": "Name"},
    "cp.field.dob": {"vi": "Ngày sinh", "en": "Date of birth"},
    "cp.field.entry": {"vi": "Thông tin", "en": "Entry"},
    "cp.field.kind": {"vi": "Loại", "en": "Kind"},
    "cp.field.issuer": {"vi": "Nơi cấp", "en": "Issuer"},
    "cp.hc.kind.vaccination": {"vi": "Tiêm chủng", "en": "Vaccination"},
    "cp.hc.kind.test": {"vi": "Xét nghiệm", "en": "Test"},
    "cp.hc.kind.recovery": {"vi": "Đã khỏi bệnh", "en": "Recovery"},
    "cp.dash.title": {"vi": "Bảng điều khiển các chốt", "en": "Checkpoint dashboard"},
    "cp.dash.total": {"vi": "Tổng lượt quét", "en": "Total scans"},
    "cp.dash.rejected": {"vi": "Bị từ chối", "en": "Rejected"},
    "cp.dash.anomalies": {"vi": "Bất thường", "en": "Anomalies"},
    "cp.dash.per_hour": {
        "vi": "Lượt quét theo chốt, theo giờ",
        "en": "Scans per checkpoint per hour",
    },
    "cp.dash.reasons": {"vi": "Lý do từ chối", "en": "Rejection reasons"},
    "cp.dash.no_scans": {"vi": "Chưa có dữ liệu quét.", "en": "No scans yet."},
    "cp.dash.no_anomalies": {"vi": "Không có bất thường.", "en": "No anomalies."},
    "cp.dash.upload": {"vi": "Tải nhật ký quét của chốt lên", "en": "Upload a station scan log"},
    "cp.dash.upload_button": {"vi": "Nhập nhật ký", "en": "Import log"},
    "cp.dash.uploaded": {
        "vi": "Đã nhập {added} lượt mới ({skipped} đã có).",
        "en": "Imported {added} new scans ({skipped} already present).",
    },
    "cp.anomaly.travel": {"vi": "Di chuyển bất khả thi", "en": "Impossible travel"},
    "cp.anomaly.repeat": {
        "vi": "Mã bị thu hồi/giả quét nhiều lần",
        "en": "Revoked/forged code scanned repeatedly",
    },
    "cp.anomaly.travel_detail": {
        "vi": "{a} → {b}: {km} km trong {minutes} phút ({kmh} km/h)",
        "en": "{a} → {b}: {km} km in {minutes} min ({kmh} km/h)",
    },
    "cp.anomaly.repeat_detail": {
        "vi": "{n} lượt ({reason}) tại {where}",
        "en": "{n} scans ({reason}) at {where}",
    },
    "cp.err.upload": {"vi": "Nhật ký không hợp lệ: {error}", "en": "Invalid log: {error}"},
    "cp.reason.UNKNOWN_TYPE": {"vi": "Loại mã không xác định", "en": "Unknown type of code"},
    "cp.reason.NO_RULE": {
        "vi": "Không có quy tắc kiểm tra cho loại mã này",
        "en": "No checkpoint rule for this code",
    },
    "cp.reason.RULE_ERROR": {"vi": "Lỗi khi áp dụng quy tắc", "en": "The rule failed"},
    "cp.reason.INTERNAL_ERROR": {"vi": "Lỗi nội bộ", "en": "Internal error"},
    "cp.reason.NOT_TEXT": {"vi": "Mã không chứa văn bản", "en": "The code holds no text"},
    "cp.scan.venue_failed": {
        "vi": "Không ghi nhận được check-in.",
        "en": "The check-in could not be recorded.",
    },
}

PHONE_MESSAGES: dict[str, dict[str, str]] = {
    "cp.phone.title": {"vi": "Quét mã tại chốt", "en": "Checkpoint scanner"},
    "cp.phone.noscript": {
        "vi": "Trang quét cần bật JavaScript.",
        "en": "The scanner needs JavaScript.",
    },
    "cp.phone.login_title": {"vi": "Cần đăng nhập", "en": "Please log in"},
    "cp.phone.login_text": {
        "vi": "Đăng nhập bằng tài khoản chốt kiểm soát ở trang quản trị, rồi mở lại trang này.",
        "en": "Log in with a checkpoint account on the staff pages, then open this page again.",
    },
    "cp.phone.login_link": {"vi": "Đến trang đăng nhập", "en": "Go to the login page"},
    "cp.phone.denied_title": {"vi": "Không có quyền", "en": "Not allowed"},
    "cp.phone.denied_text": {
        "vi": "Tài khoản này không có quyền quét mã tại chốt.",
        "en": "This account may not scan at checkpoints.",
    },
    "cp.phone.lang": {"vi": "English", "en": "Tiếng Việt"},
    "cp.phone.start": {"vi": "Bắt đầu quét", "en": "Start scanning"},
    "cp.phone.stop": {"vi": "Dừng", "en": "Stop"},
    "cp.phone.torch": {"vi": "Đèn pin", "en": "Torch"},
    "cp.phone.photo": {"vi": "Chụp ảnh mã", "en": "Photo of the code"},
    "cp.phone.hint": {
        "vi": "Đưa mã QR vào giữa khung hình",
        "en": "Hold the QR code in the middle of the frame",
    },
    "cp.phone.mode": {"vi": "Chế độ", "en": "Mode"},
    "cp.phone.mode.checkpoint": {"vi": "Chốt kiểm soát", "en": "Checkpoint"},
    "cp.phone.mode.venue": {"vi": "Địa điểm (check-in)", "en": "Venue (check-in)"},
    "cp.phone.checkpoint": {"vi": "Chốt", "en": "Checkpoint"},
    "cp.phone.choose": {"vi": "— chọn chốt —", "en": "— choose a checkpoint —"},
    "cp.phone.venue_id": {"vi": "Mã địa điểm", "en": "Venue id"},
    "cp.phone.venue_needed": {
        "vi": "Nhập mã địa điểm để check-in.",
        "en": "Enter the venue id to check people in.",
    },
    "cp.phone.camera_denied": {
        "vi": "Không được dùng camera. Hãy cho phép camera cho trang này trong cài đặt trình"
        " duyệt, hoặc chụp ảnh mã bằng nút bên dưới.",
        "en": "The camera is not allowed. Allow it for this page in the browser's settings,"
        " or take a photo of the code with the button below.",
    },
    "cp.phone.camera_missing": {
        "vi": "Không tìm thấy camera trên máy này. Hãy chụp ảnh mã bằng nút bên dưới.",
        "en": "No camera was found on this device. Take a photo of the code with the button below.",
    },
    "cp.phone.insecure": {
        "vi": "Trang này cần mở bằng https:// (hoặc localhost) để dùng camera và kiểm tra chữ ký.",
        "en": "Open this page over https:// (or localhost) to use the camera and check signatures.",
    },
    "cp.phone.no_code": {
        "vi": "Không tìm thấy mã QR trong ảnh. Hãy chụp lại gần hơn, đủ sáng.",
        "en": "No QR code found in the picture. Try again closer, with more light.",
    },
    "cp.phone.online": {"vi": "Có mạng", "en": "Online"},
    "cp.phone.offline": {"vi": "Mất mạng: vẫn kiểm tra được", "en": "Offline: still checking"},
    "cp.phone.bundle_age": {
        "vi": "Dữ liệu kiểm tra: {age} trước",
        "en": "Checking data: {age} old",
    },
    "cp.phone.bundle_warn": {
        "vi": "Dữ liệu kiểm tra đã cũ hơn {hours} giờ: kết nối mạng để cập nhật.",
        "en": "The checking data is over {hours} h old: go online to update it.",
    },
    "cp.phone.bundle_none": {
        "vi": "Chưa có dữ liệu kiểm tra: kết nối mạng và chọn chốt.",
        "en": "No checking data yet: go online and choose a checkpoint.",
    },
    "cp.phone.bundle.FORGED": {
        "vi": "Từ chối gói dữ liệu: không có chữ ký của máy chủ.",
        "en": "Checking data refused: not signed by the server.",
    },
    "cp.phone.bundle.BAD": {
        "vi": "Từ chối gói dữ liệu: bị hỏng.",
        "en": "Checking data refused: damaged.",
    },
    "cp.phone.bundle.WRONG_ZONE": {
        "vi": "Từ chối gói dữ liệu: dành cho khu vực khác.",
        "en": "Checking data refused: it is for another area.",
    },
    "cp.phone.bundle.ROLLBACK": {
        "vi": "Từ chối gói dữ liệu: cũ hơn gói máy đang có (có thể thiếu giấy bị thu hồi).",
        "en": "Checking data refused: older than the one held (revocations may be missing).",
    },
    "cp.phone.bundle.TOO_OLD": {
        "vi": "Dữ liệu kiểm tra quá {hours} giờ: không quét được. Kết nối mạng để cập nhật.",
        "en": "The checking data is over {hours} h old: scanning stops. Go online to update.",
    },
    "cp.phone.bundle.FUTURE": {
        "vi": "Từ chối gói dữ liệu: giờ trên máy này sai.",
        "en": "Checking data refused: this phone's clock is wrong.",
    },
    "cp.phone.pending": {"vi": "{n} lượt quét chờ gửi", "en": "{n} scans waiting to upload"},
    "cp.phone.sent": {"vi": "Đã gửi hết lượt quét", "en": "All scans uploaded"},
    "cp.phone.relogin": {
        "vi": "Đăng nhập lại để gửi lượt quét.",
        "en": "Log in again to upload the scans.",
    },
    "cp.phone.station": {"vi": "Máy quét {kid}", "en": "Scanner {kid}"},
    "cp.phone.tap": {"vi": "Chạm để quét tiếp", "en": "Tap to scan the next"},
    "cp.phone.verdict.VALID": {"vi": "HỢP LỆ", "en": "VALID"},
    "cp.phone.verdict.INVALID": {"vi": "KHÔNG HỢP LỆ", "en": "NOT VALID"},
    "cp.phone.verdict.WARN": {"vi": "CẦN KIỂM TRA", "en": "CHECK"},
    "cp.phone.verdict.REFUSED": {"vi": "TỪ CHỐI", "en": "REFUSED"},
    "cp.phone.venue.sending": {"vi": "Đang ghi check-in…", "en": "Recording the check-in…"},
    "cp.phone.venue.failed": {
        "vi": "Chưa ghi được check-in.",
        "en": "The check-in was not recorded.",
    },
    "cp.phone.venue.offline": {
        "vi": "Mất mạng: chưa ghi check-in. Người này check-in bằng điện thoại của mình hoặc"
        " quét lại khi có mạng.",
        "en": "Offline: no check-in recorded. The person checks in on their own phone, or scan"
        " again once online.",
    },
    "cp.phone.venue.refused": {
        "vi": "Không cho vào, không ghi check-in.",
        "en": "Entry refused, no check-in recorded.",
    },
    "cp.phone.reason.ONCE_UNCHECKED": {
        "vi": "Mã chỉ dùng một lần: máy không kết nối nên chưa biết đã dùng chưa, hỏi trung tâm.",
        "en": "A one-time code: offline, this phone cannot tell if it was used; ask the centre.",
    },
    "cp.phone.hours": {"vi": "{n} giờ", "en": "{n} h"},
    "cp.phone.minutes": {"vi": "{n} phút", "en": "{n} min"},
}
MESSAGES.update(PHONE_MESSAGES)
