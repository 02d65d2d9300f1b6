"""Core UI strings, Vietnamese and English. Apps bring their own through ``App.messages``."""

MESSAGES: dict[str, dict[str, str]] = {
    "suite.title": {"vi": "Hệ thống Ứng phó Nhanh", "en": "Rapid Response Suite"},
    "suite.tagline": {
        "vi": "Nền tảng chung cho giấy đi đường, khai báo y tế và cách ly tại nhà",
        "en": "One platform for travel permits, health declarations and home isolation",
    },
    "nav.account": {"vi": "Tài khoản", "en": "Account"},
    "nav.admin": {"vi": "Quản trị", "en": "Administration"},
    "nav.public": {"vi": "Dành cho người dân", "en": "For citizens"},
    "nav.dashboard": {"vi": "Tổng quan", "en": "Overview"},
    "lang.label": {"vi": "Ngôn ngữ", "en": "Language"},
    # login / session
    "login.title": {"vi": "Đăng nhập", "en": "Log in"},
    "login.username": {"vi": "Tên đăng nhập", "en": "Username"},
    "login.password": {"vi": "Mật khẩu", "en": "Password"},
    "login.submit": {"vi": "Đăng nhập", "en": "Log in"},
    "login.success": {"vi": "Xin chào, {name}!", "en": "Welcome, {name}!"},
    "login.public_hint": {
        "vi": "Người dân không cần tài khoản: chọn một trang trong mục “Dành cho người dân”.",
        "en": "Citizens need no account: pick a page under “For citizens”.",
    },
    "logout.button": {"vi": "Đăng xuất", "en": "Log out"},
    "logout.done": {"vi": "Bạn đã đăng xuất.", "en": "You have logged out."},
    "session.expired": {
        "vi": "Phiên làm việc đã hết hạn sau {minutes} phút không hoạt động. Vui lòng đăng nhập lại.",
        "en": "Your session expired after {minutes} minutes of inactivity. Please log in again.",
    },
    "session.closed": {
        "vi": "Phiên đăng nhập này đã kết thúc (đã đăng xuất ở thẻ khác hoặc quá thời hạn). Vui lòng đăng nhập lại.",
        "en": "This login has ended (logged out in another tab, or past its time limit). Please log in again.",
    },
    "session.account_changed": {
        "vi": "Tài khoản của bạn vừa được thay đổi (vô hiệu hóa, đổi vai trò hoặc mật khẩu). Vui lòng đăng nhập lại.",
        "en": "Your account was just changed (disabled, new role or password). Please log in again.",
    },
    "session.user": {"vi": "Người dùng: **{name}**", "en": "User: **{name}**"},
    "session.role": {"vi": "Vai trò: {role}", "en": "Role: {role}"},
    "auth.bad_credentials": {
        "vi": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "en": "Wrong username or password.",
    },
    "auth.locked": {
        "vi": "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Thử lại sau {until}.",
        "en": "Account locked after too many failed logins. Try again after {until}.",
    },
    "auth.disabled": {
        "vi": "Tài khoản đã bị vô hiệu hóa. Liên hệ quản trị viên.",
        "en": "This account is disabled. Contact an administrator.",
    },
    "auth.denied": {
        "vi": "Bạn không có quyền thực hiện thao tác này.",
        "en": "You are not allowed to do this.",
    },
    "auth.login_required": {
        "vi": "Trang này cần đăng nhập.",
        "en": "This page needs you to log in.",
    },
    "auth.page_denied": {
        "vi": "Bạn không có quyền mở trang này.",
        "en": "You do not have access to this page.",
    },
    "auth.login_for_page": {
        "vi": "Đăng nhập để mở trang “{page}”.",
        "en": "Log in to open the page “{page}”.",
    },
    "auth.denied_area": {
        "vi": "Bạn chỉ được thao tác trong phạm vi {area}.",
        "en": "You may act within {area} only.",
    },
    # roles: labels come from the declarations (core.registry.Role), as role.<id>
    # accounts
    "accounts.title": {"vi": "Quản lý tài khoản", "en": "Accounts"},
    "accounts.add": {"vi": "Thêm tài khoản", "en": "Add account"},
    "accounts.full_name": {"vi": "Họ và tên", "en": "Full name"},
    "accounts.role": {"vi": "Vai trò", "en": "Role"},
    "accounts.created": {"vi": "Đã tạo tài khoản {username}.", "en": "Account {username} created."},
    "accounts.disable": {"vi": "Vô hiệu hóa", "en": "Disable"},
    "accounts.enable": {"vi": "Kích hoạt lại", "en": "Enable"},
    "accounts.reset": {"vi": "Đặt lại mật khẩu", "en": "Reset password"},
    "accounts.new_password": {"vi": "Mật khẩu mới", "en": "New password"},
    "accounts.select": {"vi": "Chọn tài khoản", "en": "Choose an account"},
    "accounts.updated": {"vi": "Đã cập nhật {username}.", "en": "{username} updated."},
    "accounts.status": {"vi": "Trạng thái", "en": "Status"},
    "accounts.active": {"vi": "Hoạt động", "en": "Active"},
    "accounts.disabled": {"vi": "Đã vô hiệu hóa", "en": "Disabled"},
    "accounts.locked_until": {"vi": "Khóa đến", "en": "Locked until"},
    "accounts.last_login": {"vi": "Đăng nhập gần nhất", "en": "Last login"},
    "accounts.password_length": {
        "vi": "Mật khẩu phải dài từ {min} đến {max} ký tự.",
        "en": "The password must be {min} to {max} characters long.",
    },
    "accounts.password_mix": {
        "vi": "Mật khẩu phải có cả chữ và số.",
        "en": "The password must contain both letters and digits.",
    },
    "accounts.password_username": {
        "vi": "Mật khẩu không được chứa tên đăng nhập.",
        "en": "The password must not contain the username.",
    },
    "accounts.bad_username": {
        "vi": "Tên đăng nhập gồm 3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch.",
        "en": "Usernames are 3–32 characters: lowercase letters, digits, dot, dash, underscore.",
    },
    "accounts.bad_full_name": {
        "vi": "Họ tên không được để trống và tối đa {max} ký tự.",
        "en": "The full name is required and at most {max} characters.",
    },
    "accounts.bad_role": {
        "vi": "Không có vai trò “{role}”. Vai trò phải là một trong: {roles}.",
        "en": "No role “{role}”. Role must be one of: {roles}.",
    },
    "accounts.bad_grant": {
        "vi": "“{text}” không đúng dạng VAI_TRÒ hoặc VAI_TRÒ@ward:MÃ / VAI_TRÒ@province:MÃ.",
        "en": "“{text}” is not ROLE or ROLE@ward:CODE / ROLE@province:CODE.",
    },
    "accounts.bad_scope": {
        "vi": "Phạm vi “{scope}” không hợp lệ: dùng ward:MÃ_PHƯỜNG hoặc province:MÃ_TỈNH.",
        "en": "Bad scope “{scope}”: use ward:WARD_CODE or province:PROVINCE_CODE.",
    },
    "accounts.unknown_ward": {
        "vi": "Không có phường/xã mã {code}.",
        "en": "No ward with code {code}.",
    },
    "accounts.unknown_province": {
        "vi": "Không có tỉnh/thành phố mã {code}.",
        "en": "No province with code {code}.",
    },
    "accounts.role_unscoped": {
        "vi": "Vai trò {role} áp dụng ở mọi nơi, không giới hạn theo địa bàn.",
        "en": "The role {role} applies everywhere; it cannot be limited to an area.",
    },
    "accounts.scope_too_fine": {
        "vi": "Vai trò {role} chỉ giới hạn được đến cấp {kind}.",
        "en": "The role {role} can be limited to a {kind} at most.",
    },
    "accounts.no_role": {
        "vi": "Tài khoản cần ít nhất một vai trò.",
        "en": "An account needs at least one role.",
    },
    "accounts.role_twice": {
        "vi": "Vai trò {role} được chọn hai lần.",
        "en": "The role {role} is given twice.",
    },
    "accounts.grant_exists": {
        "vi": "{username} đã có vai trò {role}; thu hồi trước nếu muốn đổi phạm vi.",
        "en": "{username} already holds {role}; revoke it first to change its scope.",
    },
    "accounts.grant_missing": {
        "vi": "{username} không có vai trò {role}.",
        "en": "{username} does not hold {role}.",
    },
    "accounts.last_role": {
        "vi": "Không thể thu hồi vai trò cuối cùng; hãy vô hiệu hóa tài khoản.",
        "en": "The last role cannot be revoked; disable the account instead.",
    },
    "accounts.self_admin": {
        "vi": "Bạn không thể tự thu hồi quyền quản trị của mình.",
        "en": "You cannot revoke your own administrator role.",
    },
    "accounts.roles": {"vi": "Vai trò", "en": "Roles"},
    "accounts.scope_of": {"vi": "Phạm vi: {role}", "en": "Scope: {role}"},
    "accounts.scope.everywhere": {"vi": "Toàn bộ (mọi nơi)", "en": "Everywhere"},
    "accounts.scope.province": {"vi": "Một tỉnh/thành phố", "en": "One province"},
    "accounts.scope.ward": {"vi": "Một phường/xã", "en": "One ward"},
    "accounts.province": {"vi": "Tỉnh/thành phố", "en": "Province"},
    "accounts.ward": {"vi": "Phường/xã", "en": "Ward"},
    "accounts.save_roles": {"vi": "Lưu vai trò", "en": "Save roles"},
    "accounts.exists": {
        "vi": "Tên đăng nhập {username} đã tồn tại.",
        "en": "Username {username} already exists.",
    },
    "accounts.unknown_user": {
        "vi": "Không có tài khoản {username}.",
        "en": "No account {username}.",
    },
    "accounts.self_disable": {
        "vi": "Bạn không thể tự vô hiệu hóa tài khoản của mình.",
        "en": "You cannot disable your own account.",
    },
    # audit
    "audit.title": {"vi": "Nhật ký kiểm toán", "en": "Audit log"},
    "audit.search": {"vi": "Tìm kiếm", "en": "Search"},
    "audit.action": {"vi": "Hành động", "en": "Action"},
    "audit.actor": {"vi": "Người thực hiện", "en": "Actor"},
    "audit.from": {"vi": "Từ ngày", "en": "From"},
    "audit.to": {"vi": "Đến ngày", "en": "To"},
    "audit.rows": {"vi": "{n} dòng", "en": "{n} rows"},
    "audit.all": {"vi": "(tất cả)", "en": "(all)"},
    "audit.col.at": {"vi": "Thời điểm", "en": "Time"},
    "audit.col.object_type": {"vi": "Loại đối tượng", "en": "Object type"},
    "audit.col.object_id": {"vi": "Mã đối tượng", "en": "Object"},
    "audit.col.details": {"vi": "Chi tiết", "en": "Details"},
    "system.col.id": {"vi": "Mã ứng dụng", "en": "App id"},
    "system.col.title": {"vi": "Tên", "en": "Name"},
    "system.col.pages": {"vi": "Số trang", "en": "Pages"},
    "system.col.tokens": {"vi": "Loại mã QR", "en": "QR types"},
    "system.col.roles": {"vi": "Vai trò", "en": "Roles"},
    "system.col.depends_on": {"vi": "Phụ thuộc", "en": "Depends on"},
    # plugins / system
    "system.title": {"vi": "Ứng dụng và hệ thống", "en": "Apps and system"},
    "system.apps": {"vi": "Ứng dụng đã cài", "en": "Installed apps"},
    "system.broken": {
        "vi": "Ứng dụng lỗi (không tải được): {name} — {message}",
        "en": "Broken app (not loaded): {name} — {message}",
    },
    "system.config": {"vi": "Cấu hình hiệu lực", "en": "Effective configuration"},
    "dashboard.title": {"vi": "Bảng tổng hợp", "en": "Dashboard"},
    "dashboard.empty": {
        "vi": "Không có bảng số liệu nào dành cho vai trò của bạn.",
        "en": "No panels for your roles.",
    },
    "dashboard.failed": {
        "vi": "Không hiển thị được bảng “{panel}”: {error}",
        "en": "The panel “{panel}” could not be drawn: {error}",
    },
    "config.invalid": {
        "vi": "Cấu hình không hợp lệ: sửa các mục dưới đây (rapid.toml hoặc biến môi trường RAPID_APPS__...) rồi khởi động lại.",
        "en": "The configuration is invalid: fix the settings below (rapid.toml or RAPID_APPS__... variables), then restart.",
    },
    "home.title": {"vi": "Trang chủ", "en": "Home"},
    "home.welcome": {
        "vi": "Chọn một chức năng ở thanh bên trái.",
        "en": "Choose a page in the sidebar.",
    },
    "common.save": {"vi": "Lưu", "en": "Save"},
    "common.yes": {"vi": "Có", "en": "Yes"},
    "common.no": {"vi": "Không", "en": "No"},
    "common.cancel": {"vi": "Hủy", "en": "Cancel"},
    "common.submit": {"vi": "Gửi", "en": "Submit"},
    "common.download": {"vi": "Tải xuống", "en": "Download"},
    "common.required": {"vi": "Bắt buộc nhập.", "en": "Required."},
    "common.too_long": {"vi": "Tối đa {max} ký tự.", "en": "At most {max} characters."},
    "common.error": {"vi": "Lỗi: {message}", "en": "Error: {message}"},
    "common.no_data": {"vi": "Chưa có dữ liệu.", "en": "No data yet."},
    "common.conflict": {
        "vi": "Dữ liệu vừa được người khác thay đổi. Vui lòng tải lại và thử lại.",
        "en": "Someone else changed this just now. Reload and try again.",
    },
    "qr.reason.VALID": {"vi": "Hợp lệ", "en": "Valid"},
    "qr.reason.BAD_PREFIX": {"vi": "Không phải mã của hệ thống", "en": "Not a code of this system"},
    "qr.reason.BAD_BASE45": {"vi": "Mã bị hỏng (base45)", "en": "Damaged code (base45)"},
    "qr.reason.BAD_COMPRESSION": {"vi": "Mã bị hỏng (nén)", "en": "Damaged code (compression)"},
    "qr.reason.BAD_STRUCTURE": {"vi": "Mã bị hỏng (cấu trúc)", "en": "Damaged code (structure)"},
    "qr.reason.UNKNOWN_KEY": {"vi": "Khóa ký không được tin cậy", "en": "Signing key not trusted"},
    "qr.reason.BAD_SIGNATURE": {
        "vi": "Chữ ký sai: mã giả hoặc bị sửa",
        "en": "Bad signature: forged or altered",
    },
    "qr.reason.NOT_YET_VALID": {"vi": "Chưa đến thời hạn hiệu lực", "en": "Not valid yet"},
    "qr.reason.EXPIRED": {"vi": "Đã hết hạn", "en": "Expired"},
    "qr.reason.REVOKED": {"vi": "Đã bị thu hồi", "en": "Revoked"},
    "qr.reason.WRONG_TYPE": {"vi": "Sai loại mã", "en": "Wrong type of code"},
    "qr.reason.TOO_LARGE": {"vi": "Mã quá lớn", "en": "Code too large"},
    "qr.reason.KEY_COMPROMISED": {"vi": "Khóa ký đã bị lộ", "en": "Signing key compromised"},
    "qr.reason.ALG_NOT_ALLOWED": {
        "vi": "Thuật toán không được phép",
        "en": "Algorithm not allowed",
    },
    # citizens' light web pages
    "web.footer": {
        "vi": "Thông tin chỉ dùng cho phòng chống dịch. Không cần tài khoản.",
        "en": "Used only for epidemic control. No account needed.",
    },
    "web.too_many.title": {"vi": "Quá nhiều yêu cầu", "en": "Too many requests"},
    "web.too_many.text": {
        "vi": "Bạn đã gửi quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau {seconds} giây.",
        "en": "You sent too many requests in a short time. Please try again in {seconds} s.",
    },
    "web.bad_request.title": {"vi": "Không đọc được yêu cầu", "en": "Request not understood"},
    "web.bad_request.text": {
        "vi": "Dữ liệu gửi lên không đúng định dạng. Vui lòng mở lại trang và gửi lại.",
        "en": "The data sent is not in the expected form. Please open the page again and send it.",
    },
    "web.form_expired": {
        "vi": "Biểu mẫu đã quá hạn (quá 2 giờ) hoặc thiếu mã bảo vệ: vui lòng kiểm tra rồi gửi lại.",
        "en": "The form expired (over 2 hours) or lacks its protection code: check it and send again.",
    },
    "web.form_replayed": {
        "vi": "Biểu mẫu này đã được gửi rồi (hoặc không hợp lệ): không ghi gì thêm. Kiểm tra rồi gửi lại nếu cần.",
        "en": "This form was already sent (or is not valid): nothing more was saved. Check it and send again if needed.",
    },
    "web.not_found.title": {"vi": "Không tìm thấy trang", "en": "Page not found"},
    "web.not_found.text": {
        "vi": "Đường dẫn này không còn hoặc không đúng.",
        "en": "This link is gone or not right.",
    },
}
