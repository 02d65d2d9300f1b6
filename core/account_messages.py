"""Strings of logins, password changes, the demo banner and the staff home page's pending work
(vi/en), merged by ``core.i18n``."""

MESSAGES: dict[str, dict[str, str]] = {
    "auth.login_failed": {
        "vi": "Tên đăng nhập hoặc mật khẩu không đúng, hoặc cần đợi {seconds} giây rồi thử lại.",
        "en": "Wrong username or password, or wait {seconds} seconds and try again.",
    },
    "demo.banner": {
        "vi": "Bản trình diễn — dữ liệu và mật khẩu công khai, không dùng cho dữ liệu thật",
        "en": "Demo installation — its data and passwords are public; do not use it for real data",
    },
    "accounts.reset_must_change": {
        "vi": "Đã đặt mật khẩu mới cho {username}; người dùng phải đổi mật khẩu ở lần đăng nhập tới.",
        "en": "New password set for {username}; they must change it at their next login.",
    },
    "password.title": {"vi": "Đổi mật khẩu", "en": "Change password"},
    "password.must_change": {
        "vi": "Mật khẩu này do người khác đặt. Hãy đặt mật khẩu mới của riêng bạn trước khi tiếp tục.",
        "en": "Someone else chose this password. Set a new one of your own before you go on.",
    },
    "password.current": {"vi": "Mật khẩu hiện tại", "en": "Current password"},
    "password.new": {"vi": "Mật khẩu mới", "en": "New password"},
    "password.confirm": {"vi": "Nhập lại mật khẩu mới", "en": "New password again"},
    "password.hint": {
        "vi": "Ít nhất 10 ký tự, có chữ và số, không chứa tên đăng nhập.",
        "en": "At least 10 characters, with letters and digits, not containing the username.",
    },
    "password.submit": {"vi": "Đổi mật khẩu", "en": "Change password"},
    "password.mismatch": {
        "vi": "Hai lần nhập mật khẩu mới không giống nhau.",
        "en": "The two new passwords differ.",
    },
    "password.wrong_current": {
        "vi": "Mật khẩu hiện tại không đúng.",
        "en": "The current password is wrong.",
    },
    "password.same": {
        "vi": "Mật khẩu mới phải khác mật khẩu hiện tại.",
        "en": "The new password must differ from the current one.",
    },
    "password.changed": {"vi": "Đã đổi mật khẩu.", "en": "Password changed."},
    # the staff home page: each role's pending work (core.ui.shell.pending_panel)
    "home.pending.title": {"vi": "Việc đang chờ bạn", "en": "Work waiting for you"},
    "home.pending.none": {
        "vi": "Hiện không có việc nào đang chờ bạn.",
        "en": "Nothing is waiting for you right now.",
    },
    "home.pending.open": {"vi": "Mở “{page}”", "en": "Open “{page}”"},
}
