"""Every UI string of the travel permit app, Vietnamese first, English second."""

from __future__ import annotations

from .models import REJECT_REASONS, SECTORS

_M: dict[str, tuple[str, str]] = {
    # token type, pages, panel
    "tp.token": ("Giấy đi đường", "Travel permit"),
    # what the checkpoint shows for a permit (reasons and fields declared in the manifest)
    "tp.token.reason.VALID": ("Hợp lệ", "Valid"),
    "tp.token.reason.OUTSIDE_HOURS": ("Ngoài khung giờ được phép", "Outside the allowed hours"),
    "tp.token.reason.ZONE_NOT_ALLOWED": (
        "Không được phép đi qua khu vực này",
        "Not allowed in this zone",
    ),
    "tp.token.reason.BAD_CLAIMS": ("Nội dung giấy không hợp lệ", "Invalid permit content"),
    "tp.token.field.name": ("Họ tên", "Name"),
    "tp.token.field.cccd": ("CCCD", "ID number"),
    "tp.token.field.business": ("Doanh nghiệp (MST)", "Business (tax code)"),
    "tp.token.field.zones": ("Khu vực", "Zones"),
    "tp.token.field.hours": ("Giờ được đi", "Hours"),
    "tp.token.field.valid_until": ("Hiệu lực đến", "Valid until"),
    "tp.page.register": ("Đăng ký doanh nghiệp", "Business registration"),
    "tp.page.business": ("Hồ sơ và yêu cầu", "Account and requests"),
    "tp.page.roster": ("Danh sách nhân viên", "Employee roster"),
    "tp.page.request": ("Xin cấp giấy đi đường", "Request permits"),
    "tp.page.permits": ("Giấy đi đường đã cấp", "Issued permits"),
    "tp.page.queue": ("Hàng chờ duyệt", "Approval queue"),
    "tp.page.accounts": ("Xác minh doanh nghiệp", "Verify businesses"),
    "tp.page.analytics": ("Thống kê giấy đi đường", "Travel permit analytics"),
    "tp.page.view": ("Giấy đi đường", "Travel permit"),
    "tp.panel.title": ("Giấy đi đường", "Travel permits"),
    # field errors
    "tp.err.required": ("Bắt buộc nhập", "Required"),
    "tp.err.mst_format": (
        "Mã số thuế gồm 10 chữ số, hoặc 10 chữ số + '-' + 3 chữ số cho chi nhánh",
        "A tax code has 10 digits, or 10 digits + '-' + 3 digits for a branch",
    ),
    "tp.err.mst_check": (
        "Mã số thuế sai chữ số kiểm tra (chữ số thứ 10); vui lòng kiểm tra lại",
        "Wrong check digit in the tax code (10th digit); please check it",
    ),
    "tp.err.mst_exists": (
        "Mã số thuế {mst} đã được đăng ký",
        "Tax code {mst} is already registered",
    ),
    "tp.err.cccd_digits": ("Số CCCD chỉ gồm chữ số", "A CCCD number has digits only"),
    "tp.err.cccd_11": (
        "Số CCCD có 11 chữ số, cần đúng 12 (Excel có thể đã bỏ số 0 đầu: định dạng cột là Text)",
        "The CCCD has 11 digits, 12 are needed (Excel may have dropped a leading 0: format the column as Text)",
    ),
    "tp.err.cccd_len": (
        "Số CCCD phải có đúng 12 chữ số (đang có {n})",
        "A CCCD number has exactly 12 digits (this one has {n})",
    ),
    "tp.err.phone": (
        "Số điện thoại không hợp lệ (10 số, bắt đầu 03, 05, 07, 08, 09 hoặc +84)",
        "Invalid phone number (10 digits starting 03, 05, 07, 08, 09, or +84)",
    ),
    "tp.err.too_long": ("Quá dài (tối đa {max} ký tự)", "Too long (at most {max} characters)"),
    "tp.err.name_chars": (
        "Họ tên chỉ gồm chữ cái và khoảng trắng",
        "A name has letters and spaces only",
    ),
    "tp.err.control_chars": ("Có ký tự điều khiển không hợp lệ", "Contains control characters"),
    "tp.err.plate": (
        "Biển số xe không hợp lệ (ví dụ 43A-123.45)",
        "Invalid vehicle plate (e.g. 43A-123.45)",
    ),
    "tp.err.ward": (
        "Không tìm thấy phường/xã này thuộc {province}",
        "No such ward/commune in {province}",
    ),
    "tp.err.ward_code": ("Mã phường/xã không hợp lệ", "Unknown ward/commune code"),
    "tp.err.sector": ("Ngành nghề không hợp lệ", "Unknown sector"),
    "tp.err.dup_employee": ("Một nhân viên được chọn hai lần", "An employee is chosen twice"),
    "tp.err.dates_order": (
        "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu",
        "The end date must be on or after the start date",
    ),
    "tp.err.hours": (
        "Giờ bắt đầu và kết thúc phải khác nhau",
        "Start and end hours must differ",
    ),
    "tp.err.too_long_window": (
        "Thời hạn {days} ngày vượt quá mức cho phép ({max} ngày)",
        "A validity of {days} days is longer than allowed ({max} days)",
    ),
    "tp.err.start_past": ("Ngày bắt đầu đã qua", "The start date is in the past"),
    "tp.err.window_over": ("Thời hạn của giấy đã kết thúc", "The validity window is already over"),
    "tp.err.not_verified": (
        "Tài khoản doanh nghiệp chưa được xác minh; chưa thể xin cấp giấy",
        "The business account is not verified yet; permits cannot be requested",
    ),
    "tp.err.not_in_roster": (
        "{n} nhân viên không có trong danh sách của doanh nghiệp",
        "{n} employee(s) are not on the business's roster",
    ),
    "tp.err.quota": (
        "Vượt hạn mức: danh sách có {roster} người, tối đa {limit} người ({percent}%) được có giấy"
        " cùng lúc; {busy} người đang có hoặc chờ giấy; yêu cầu này xin thêm {asked}.",
        "Quota exceeded: the roster has {roster} people, at most {limit} ({percent}%) may hold"
        " permits at once; {busy} hold or await one; this request asks for {asked} more.",
    ),
    "tp.err.explanation_required": (
        "Cần ghi rõ lý do",
        "Write the reason",
    ),
    "tp.err.reason_required": (
        "Cần chọn lý do và ghi rõ giải thích",
        "Choose a reason and write an explanation",
    ),
    "tp.err.already_decided": (
        "Yêu cầu này vừa được người khác xử lý; vui lòng tải lại hàng chờ",
        "Someone else has just decided this; reload the queue",
    ),
    "tp.err.not_found": ("Không tìm thấy", "Not found"),
    "tp.err.not_in_request": (
        "Có người không thuộc yêu cầu này",
        "Someone chosen is not part of this request",
    ),
    "tp.err.not_rejected": (
        "Chỉ yêu cầu bị từ chối mới được sửa và gửi lại",
        "Only a rejected request can be fixed and resubmitted",
    ),
    "tp.err.already_resubmitted": (
        "Yêu cầu này đã được sửa và gửi lại (yêu cầu {id})",
        "This request was already fixed and resubmitted (request {id})",
    ),
    "tp.err.already_asked": (
        "{n} người đã có yêu cầu đang chờ duyệt hoặc giấy còn hiệu lực trong thời gian này: {names}",
        "{n} people already have a pending request or a valid permit for these dates: {names}",
    ),
    "tp.err.bad_decision": ("Quyết định không hợp lệ", "Unknown decision"),
    "tp.err.no_permits": ("Chưa có giấy đi đường nào", "No permits yet"),
    "tp.err.not_active": ("Giấy này không còn hiệu lực", "This permit is no longer active"),
    # roster files
    "tp.roster.bad_type": (
        "Tệp không phải CSV hoặc XLSX. Hãy dùng mẫu tải về và lưu dạng .xlsx hoặc CSV UTF-8",
        "The file is not CSV or XLSX. Use the template and save as .xlsx or CSV UTF-8",
    ),
    "tp.roster.old_xls": (
        "Tệp Excel cũ (.xls) không được hỗ trợ: mở trong Excel và Lưu thành .xlsx hoặc CSV UTF-8",
        "Old Excel files (.xls) are not supported: open in Excel and Save As .xlsx or CSV UTF-8",
    ),
    "tp.roster.encoding": (
        "Tệp dùng bảng mã cũ (không phải UTF-8). Trong Excel chọn Lưu thành > 'CSV UTF-8"
        " (Comma delimited)' rồi tải lên lại, hoặc lưu dạng .xlsx",
        "The file uses a legacy encoding (not UTF-8). In Excel choose Save As > 'CSV UTF-8"
        " (Comma delimited)' and upload again, or save as .xlsx",
    ),
    "tp.roster.too_big": (
        "Tệp lớn hơn {mb} MB; hãy chia thành nhiều tệp",
        "The file is larger than {mb} MB; split it into several files",
    ),
    "tp.roster.too_many": (
        "Tệp có {n} dòng; tối đa {max} dòng mỗi lần tải lên. Hãy chia thành nhiều tệp",
        "The file has {n} rows; at most {max} rows per upload. Split it into several files",
    ),
    "tp.roster.empty": ("Tệp trống", "The file is empty"),
    "tp.roster.no_rows": (
        "Tệp chỉ có dòng tiêu đề, không có nhân viên",
        "The file has a header but no rows",
    ),
    "tp.roster.missing_cols": (
        "Thiếu cột {cols}; hãy dùng mẫu tải về",
        "Missing column(s) {cols}; use the template",
    ),
    "tp.roster.not_table": ("Không đọc được bảng: {detail}", "Cannot read the table: {detail}"),
    "tp.roster.empty_row": ("Dòng trống", "Empty row"),
    "tp.roster.dup_cccd": (
        "Số CCCD trùng với dòng {row} trong cùng tệp",
        "Same CCCD as row {row} of this file",
    ),
    "tp.roster.nothing_to_import": ("Không có dòng hợp lệ để nhập", "No valid rows to import"),
    # PDF cards
    "tp.card.title": ("GIẤY ĐI ĐƯỜNG - THÀNH PHỐ ĐÀ NẴNG", "TRAVEL PERMITS - DA NANG CITY"),
    "tp.card.valid": ("Hiệu lực: {start} - {end}", "Valid: {start} - {end}"),
    "tp.card.hours": ("Giờ: {hours}", "Hours: {hours}"),
    "tp.card.zones": ("Khu vực: {zones}", "Zones: {zones}"),
    "tp.card.caption": ("Mã giấy {id} - quét QR để kiểm tra", "Permit {id} - scan the QR to check"),
    # statuses
    "tp.status.pending": ("Chờ duyệt", "Pending"),
    "tp.status.approved": ("Đã duyệt", "Approved"),
    "tp.status.partial": ("Duyệt một phần", "Partly approved"),
    "tp.status.rejected": ("Từ chối", "Rejected"),
    "tp.status.verified": ("Đã xác minh", "Verified"),
    "tp.status.active": ("Còn hiệu lực", "Active"),
    "tp.status.revoked": ("Đã thu hồi", "Revoked"),
    "tp.status.renewed": ("Đã gia hạn", "Renewed"),
    # generic labels
    "tp.f.company": ("Tên doanh nghiệp", "Company name"),
    "tp.f.tax_code": ("Mã số thuế", "Tax code"),
    "tp.f.sector": ("Ngành nghề", "Sector"),
    "tp.f.address": ("Địa chỉ (số nhà, đường)", "Address (street)"),
    "tp.f.province": ("Tỉnh/thành phố", "Province/city"),
    "tp.f.ward": ("Phường/xã", "Ward/commune"),
    "tp.f.units_caption": (
        "Từ 7/2025 không còn cấp quận/huyện: địa chỉ gồm tỉnh/thành phố và phường/xã.",
        "Since July 2025 there are no districts: addresses are province and ward/commune.",
    ),
    "tp.f.contact": ("Người liên hệ", "Contact person"),
    "tp.f.phone": ("Số điện thoại", "Phone"),
    "tp.f.username": ("Tên đăng nhập", "Username"),
    "tp.f.password": ("Mật khẩu", "Password"),
    "tp.f.full_name": ("Họ và tên", "Full name"),
    "tp.f.cccd": ("Số CCCD", "CCCD number"),
    "tp.f.home_ward": ("Phường/xã nơi ở", "Home ward"),
    "tp.f.work_ward": ("Phường/xã nơi làm việc", "Work ward"),
    "tp.f.plate": ("Biển số xe", "Vehicle plate"),
    "tp.f.job_title": ("Chức vụ", "Job title"),
    "tp.f.purpose": ("Mục đích đi lại", "Purpose of travel"),
    "tp.f.start": ("Từ ngày", "From"),
    "tp.f.end": ("Đến ngày", "Until"),
    "tp.f.zones": ("Phường/xã được đi", "Allowed wards"),
    "tp.f.hours_from": ("Giờ bắt đầu", "Daily from"),
    "tp.f.hours_to": ("Giờ kết thúc", "Daily until"),
    "tp.f.employees": ("Nhân viên", "Employees"),
    "tp.f.status": ("Trạng thái", "Status"),
    "tp.f.reason": ("Lý do", "Reason"),
    "tp.f.reason_text": ("Giải thích (bắt buộc khi từ chối)", "Explanation (required to reject)"),
    "tp.f.revoke_reason": ("Lý do thu hồi (bắt buộc)", "Reason for revoking (required)"),
    "tp.f.verify_reason": (
        "Ghi chú (bắt buộc khi từ chối xác minh)",
        "Note (required to refuse verification)",
    ),
    "tp.f.min_age": ("Chờ ít nhất (giờ)", "Waiting at least (hours)"),
    "tp.f.all": ("Tất cả", "All"),
    "tp.f.decision": ("Quyết định", "Decision"),
    "tp.col.id": ("Mã yêu cầu", "Request"),
    "tp.col.business": ("Doanh nghiệp", "Business"),
    "tp.col.employees": ("Số người", "Employees"),
    "tp.col.age_h": ("Đã chờ (giờ)", "Waiting (h)"),
    "tp.col.status": ("Trạng thái", "Status"),
    "tp.decision.approve": ("Duyệt", "Approve"),
    "tp.decision.reject": ("Từ chối", "Reject"),
    "tp.f.approve": ("Duyệt", "Approve"),
    "tp.f.reject": ("Từ chối", "Reject"),
    "tp.f.select": ("Chọn", "Select"),
    "tp.f.search": ("Tìm theo tên hoặc CCCD", "Search by name or CCCD"),
    # register page
    "tp.reg.intro": (
        "Doanh nghiệp đăng ký tài khoản để xin giấy đi đường cho nhân viên. Tài khoản chờ cơ quan"
        " duyệt xác minh trước khi dùng được.",
        "Businesses register to request travel permits for employees. The account is pending"
        " until an approver verifies it.",
    ),
    "tp.reg.submit": ("Đăng ký", "Register"),
    "tp.reg.done": (
        "Đã đăng ký. Tài khoản {username} đang chờ xác minh; đăng nhập để xem trạng thái.",
        "Registered. Account {username} is pending verification; log in to see its status.",
    ),
    "tp.reg.logged_in": (
        "Bạn đang đăng nhập; hãy đăng xuất để đăng ký doanh nghiệp mới.",
        "You are logged in; log out to register a new business.",
    ),
    # business page
    "tp.biz.status": ("Trạng thái tài khoản: {status}", "Account status: {status}"),
    "tp.biz.pending_hint": (
        "Cơ quan duyệt sẽ xác minh tài khoản; sau đó bạn có thể xin cấp giấy.",
        "An approver will verify the account; then you can request permits.",
    ),
    "tp.biz.rejected_hint": ("Lý do: {reason}", "Reason: {reason}"),
    "tp.biz.requests": ("Các yêu cầu", "Requests"),
    "tp.biz.no_requests": ("Chưa có yêu cầu nào", "No requests yet"),
    "tp.biz.detail": ("Chi tiết yêu cầu", "Request detail"),
    "tp.biz.resubmit": ("Sửa và gửi lại", "Fix and resubmit"),
    "tp.biz.resubmitted": ("Đã gửi lại thành yêu cầu {id}", "Resubmitted as request {id}"),
    "tp.biz.quota": (
        "Hạn mức: {busy}/{limit} người đang có hoặc chờ giấy ({percent}% của {roster} người)",
        "Quota: {busy}/{limit} people hold or await permits ({percent}% of {roster})",
    ),
    # roster page
    "tp.roster.template_csv": ("Tải mẫu CSV", "Download CSV template"),
    "tp.roster.template_xlsx": ("Tải mẫu Excel", "Download Excel template"),
    "tp.roster.upload": ("Tải lên danh sách (CSV hoặc XLSX)", "Upload roster (CSV or XLSX)"),
    "tp.roster.limits": (
        "Tối đa {rows} dòng, {mb} MB mỗi tệp. CSV phải là 'CSV UTF-8'. Tải lên lại sẽ cập nhật"
        " theo số CCCD, không tạo trùng.",
        "At most {rows} rows and {mb} MB per file. CSV must be 'CSV UTF-8'. Re-uploading updates"
        " by CCCD and never duplicates.",
    ),
    "tp.roster.summary": (
        "{good} dòng hợp lệ, {bad} lỗi trên tổng {total} dòng",
        "{good} valid rows, {bad} problems in {total} rows",
    ),
    "tp.roster.import_good": ("Nhập {n} dòng hợp lệ", "Import the {n} valid rows"),
    "tp.roster.imported": (
        "Đã nhập: {added} người mới, {updated} người cập nhật",
        "Imported: {added} new, {updated} updated",
    ),
    "tp.roster.fix_file": (
        "Hoặc sửa tệp theo danh sách lỗi rồi tải lên lại.",
        "Or fix the file using the list of problems and upload it again.",
    ),
    "tp.roster.errors_csv": ("Tải danh sách lỗi", "Download the problems"),
    "tp.roster.export": ("Xuất danh sách (CSV)", "Export roster (CSV)"),
    "tp.roster.add": ("Thêm / sửa nhân viên", "Add / edit an employee"),
    "tp.roster.save": ("Lưu", "Save"),
    "tp.roster.saved": ("Đã lưu", "Saved"),
    "tp.roster.remove": ("Xoá khỏi danh sách", "Remove from roster"),
    "tp.roster.removed": ("Đã xoá", "Removed"),
    "tp.roster.remove_hint": (
        "Giấy đi đường đã cấp cho người này vẫn còn hiệu lực cho tới khi thu hồi.",
        "Permits issued to this person stay valid until revoked.",
    ),
    "tp.roster.count": ("{n} nhân viên", "{n} employees"),
    # request page
    "tp.req.submit": ("Gửi yêu cầu", "Submit request"),
    "tp.req.done": ("Đã gửi yêu cầu {id}", "Request {id} submitted"),
    "tp.req.max_days": (
        "Thời hạn tối đa {days} ngày; giờ theo giờ Việt Nam.",
        "At most {days} days; hours are Vietnam time.",
    ),
    "tp.req.empty_roster": (
        "Danh sách nhân viên trống; hãy thêm nhân viên trước.",
        "The roster is empty; add employees first.",
    ),
    "tp.req.choose": ("Chọn nhân viên cần giấy", "Choose who needs a permit"),
    # permits page
    "tp.permits.zip": ("Tải tất cả (ZIP ảnh PNG)", "Download all (ZIP of PNGs)"),
    "tp.permits.pdf": ("Tải bản in A4 (PDF)", "Download printable A4 (PDF)"),
    "tp.permits.png": ("Tải ảnh QR", "Download QR image"),
    "tp.permits.link": ("Liên kết xem trên điện thoại", "Link to show on a phone"),
    "tp.permits.revoke": ("Thu hồi", "Revoke"),
    "tp.permits.revoked": ("Đã thu hồi giấy {id}", "Permit {id} revoked"),
    "tp.permits.renew": ("Gia hạn", "Renew"),
    "tp.permits.renewed": ("Đã cấp giấy mới {id}", "New permit {id} issued"),
    "tp.permits.pick": ("Chọn giấy", "Choose a permit"),
    "tp.permits.request": ("Yêu cầu", "Request"),
    "tp.permits.none": ("Chưa có giấy đi đường nào", "No permits yet"),
    # queue page
    "tp.queue.count": (
        "{total} yêu cầu phù hợp; hiển thị {shown} cũ nhất",
        "{total} matching requests; showing the {shown} oldest",
    ),
    "tp.queue.bulk": ("Quyết định hàng loạt", "Bulk decisions"),
    "tp.queue.bulk_hint": (
        "Chọn Duyệt hoặc Từ chối ở cột Quyết định; từ chối cần lý do và giải thích.",
        "Pick Approve or Reject in the Decision column; rejecting needs a reason and explanation.",
    ),
    "tp.queue.apply": ("Áp dụng các quyết định", "Apply decisions"),
    "tp.queue.open": ("Mở yêu cầu", "Open request"),
    "tp.queue.empty": ("Không có yêu cầu nào", "No requests"),
    "tp.queue.business": (
        "Doanh nghiệp: {name} (MST {mst}), {ward}",
        "Business: {name} (tax code {mst}), {ward}",
    ),
    "tp.queue.window": (
        "Thời hạn {start} - {end}, giờ {hours}; khu vực: {zones}",
        "Valid {start} - {end}, hours {hours}; zones: {zones}",
    ),
    "tp.queue.approve_all": ("Duyệt tất cả", "Approve all"),
    "tp.queue.reject_all": ("Từ chối tất cả", "Reject all"),
    "tp.queue.partial": (
        "Duyệt những người được chọn, từ chối những người còn lại",
        "Approve the selected people, reject the others",
    ),
    "tp.queue.decided": (
        "{status}: {approved} người được cấp giấy, {rejected} người bị từ chối",
        "{status}: {approved} permits issued, {rejected} refused",
    ),
    # accounts page
    "tp.acc.none": ("Không có doanh nghiệp chờ xác minh", "No businesses awaiting verification"),
    "tp.acc.verify": ("Xác minh", "Verify"),
    "tp.acc.refuse": ("Từ chối", "Refuse"),
    "tp.acc.done": ("Đã cập nhật tài khoản {name}", "Account {name} updated"),
    # view page
    "tp.view.valid": ("HỢP LỆ", "VALID"),
    "tp.view.invalid": ("KHÔNG HỢP LỆ: {reason}", "NOT VALID: {reason}"),
    "tp.view.missing": (
        "Mở trang này từ liên kết của giấy đi đường hoặc dán mã giấy.",
        "Open this page from a permit link or paste the permit code.",
    ),
    "tp.view.paste": ("Mã giấy (bắt đầu bằng TP1:)", "Permit code (starts with TP1:)"),
    "tp.view.check": ("Kiểm tra", "Check"),
    "tp.view.name": ("Họ tên", "Name"),
    "tp.view.business": ("Doanh nghiệp (MST)", "Business (tax code)"),
    "tp.view.until": ("Hiệu lực đến", "Valid until"),
    "tp.view.from": ("Hiệu lực từ", "Valid from"),
    "tp.view.hours": ("Giờ được đi", "Daily hours"),
    "tp.view.zones": ("Khu vực", "Zones"),
    # analytics
    "tp.an.applications": ("Hồ sơ", "Applications"),
    "tp.an.approved": ("Đã duyệt", "Approved"),
    "tp.an.rejected": ("Từ chối", "Rejected"),
    "tp.an.pending": ("Tồn đọng", "Backlog"),
    "tp.an.permits": ("Giấy đã cấp", "Permits issued"),
    "tp.an.median": ("Thời gian xử lý trung vị (giờ)", "Median time to decision (hours)"),
    "tp.an.oldest": ("Hồ sơ chờ lâu nhất (giờ)", "Oldest pending (hours)"),
    "tp.an.per_day": ("Theo ngày", "Per day"),
    "tp.an.per_ward": (
        "Giấy theo phường/xã (nơi doanh nghiệp)",
        "Permits per ward (business location)",
    ),
    "tp.an.reasons": ("Lý do từ chối", "Rejection reasons"),
    "tp.an.day": ("Ngày", "Day"),
    "tp.an.count": ("Số lượng", "Count"),
    "tp.an.series": ("Chỉ số", "Measure"),
}

for _code, (_vi, _en) in {
    "not_essential": ("Không thuộc diện thiết yếu", "Not an essential activity"),
    "incomplete": ("Hồ sơ thiếu thông tin", "Incomplete application"),
    "quota": ("Vượt số lượng cho phép", "Over the allowed number"),
    "zone": ("Khu vực không phù hợp", "Zones not justified"),
    "employee_data": ("Thông tin nhân viên sai", "Wrong employee data"),
    "health_risk": ("Nguy cơ dịch tễ", "Epidemic risk"),
    "other": ("Lý do khác", "Other reason"),
}.items():
    _M[f"tp.reason.{_code}"] = (_vi, _en)
assert set(REJECT_REASONS) <= {k.split(".")[-1] for k in _M if k.startswith("tp.reason.")}

for _code, (_vi, _en) in {
    "manufacturing": ("Sản xuất", "Manufacturing"),
    "logistics": ("Vận tải, kho bãi", "Logistics"),
    "food": ("Lương thực, thực phẩm", "Food supply"),
    "retail": ("Bán lẻ, siêu thị", "Retail"),
    "health": ("Y tế, dược", "Health, pharmacy"),
    "utilities": ("Điện, nước, viễn thông", "Utilities, telecom"),
    "construction": ("Xây dựng", "Construction"),
    "finance": ("Ngân hàng, tài chính", "Banking, finance"),
    "it": ("Công nghệ thông tin", "IT"),
    "public": ("Cơ quan nhà nước", "Public service"),
    "other": ("Khác", "Other"),
}.items():
    _M[f"tp.sector.{_code}"] = (_vi, _en)
assert set(SECTORS) <= {k.split(".")[-1] for k in _M if k.startswith("tp.sector.")}

MESSAGES: dict[str, dict[str, str]] = {k: {"vi": vi, "en": en} for k, (vi, en) in _M.items()}
