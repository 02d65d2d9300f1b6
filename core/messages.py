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
    # roles
    "role.admin": {"vi": "Quản trị viên", "en": "Administrator"},
    "role.business": {"vi": "Doanh nghiệp", "en": "Business"},
    "role.approver": {"vi": "Cán bộ phê duyệt", "en": "Approver"},
    "role.checkpoint": {"vi": "Cán bộ chốt kiểm soát", "en": "Checkpoint staff"},
    "role.health_officer": {"vi": "Cán bộ y tế", "en": "Health officer"},
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
        "vi": "Vai trò phải là một trong: {roles}.",
        "en": "Role must be one of: {roles}.",
    },
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
    # plugins / system
    "system.title": {"vi": "Ứng dụng và hệ thống", "en": "Apps and system"},
    "system.apps": {"vi": "Ứng dụng đã cài", "en": "Installed apps"},
    "system.broken": {
        "vi": "Ứng dụng lỗi (không tải được): {name} — {message}",
        "en": "Broken app (not loaded): {name} — {message}",
    },
    "system.config": {"vi": "Cấu hình hiệu lực", "en": "Effective configuration"},
    "home.title": {"vi": "Trang chủ", "en": "Home"},
    "home.welcome": {
        "vi": "Chọn một chức năng ở thanh bên trái.",
        "en": "Choose a page in the sidebar.",
    },
    "common.save": {"vi": "Lưu", "en": "Save"},
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
}
