"""Every UI string of the travel permit app, Vietnamese first, English second."""

from __future__ import annotations

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
    "tp.flag.isolating": ("Đang cách ly (F0/F1)", "In isolation (F0/F1)"),
    "tp.flag.exposed": ("Vừa ở cùng địa điểm với F0", "Recently near an F0"),
    "tp.flag.declaration_red": ("Tờ khai y tế đỏ", "Red health declaration"),
    "tp.flag.declaration_yellow": ("Tờ khai y tế vàng", "Yellow health declaration"),
    "tp.flag.caption": (
        "Tình trạng nguy cơ của từng người (sổ cách ly, tờ khai y tế, tiếp xúc F0):"
        " giấy của người đang cách ly sẽ bị từ chối tại chốt.",
        "Each person's risk status (isolation register, health declaration, contact with an"
        " F0): the permit of someone in isolation is refused at checkpoints.",
    ),
    "tp.col.risk": ("Nguy cơ", "Risk"),
    "tp.flag.count": ("{n} người có cảnh báo nguy cơ", "{n} people flagged"),
    "tp.token.reason.HOLDER_ISOLATING": (
        "Người mang giấy đang cách ly (F0/F1): không được đi lại",
        "The holder is in isolation (F0/F1): may not travel",
    ),
    "tp.token.reason.HOLDER_UNCHECKED": (
        "Chưa kiểm tra được tình trạng cách ly của người mang giấy: hỏi trung tâm",
        "The holder's isolation status could not be checked: ask the centre",
    ),
    "tp.token.reason.BAD_CLAIMS": ("Nội dung giấy không hợp lệ", "Invalid permit content"),
    "tp.token.field.name": ("Họ tên", "Name"),
    "tp.token.field.cccd": ("CCCD", "ID number"),
    "tp.token.field.business": ("Doanh nghiệp (MST)", "Business (tax code)"),
    "tp.token.field.zones": ("Khu vực", "Zones"),
    "tp.token.field.hours": ("Giờ được đi", "Hours"),
    "tp.token.field.valid_until": ("Hiệu lực đến hết ngày", "Valid through"),
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
    # refusals (beside the field they concern when there is one)
    "tp.err.mst_exists": (
        "Mã số thuế {mst} đã được đăng ký",
        "Tax code {mst} is already registered",
    ),
    "tp.err.window_over": ("Thời hạn của giấy đã kết thúc", "The validity window is already over"),
    "tp.err.not_verified": (
        "Tài khoản doanh nghiệp chưa được xác minh; chưa thể xin cấp giấy",
        "The business account is not verified yet; permits cannot be requested",
    ),
    "tp.err.quota": (
        "Vượt hạn mức: hạn mức tính trên {base} người của danh sách ({roster} người), tối đa"
        " {limit} người ({percent}%) được có giấy cùng lúc; {busy} người đang có hoặc chờ giấy;"
        " yêu cầu này xin thêm {asked}.",
        "Quota exceeded: the quota counts {base} people of the roster ({roster}), at most"
        " {limit} ({percent}%) may hold permits at once; {busy} hold or await one; this request"
        " asks for {asked} more.",
    ),
    "tp.err.register_later": (
        "Đã có quá nhiều đăng ký từ kết nối này hoặc cho mã số thuế này. Vui lòng thử lại sau"
        " {minutes} phút.",
        "Too many registrations from this connection or for this tax code. Please try again in"
        " {minutes} minutes.",
    ),
    "tp.err.username_taken": (
        "Tên đăng nhập này đã có người dùng. Bạn có thể chọn: {suggestions}",
        "This user name is taken. You could choose: {suggestions}",
    ),
    "tp.err.mst_held": (
        "Mã số thuế {mst} đang thuộc doanh nghiệp {name}: từ chối một trong hai đăng ký trước",
        "Tax code {mst} is held by {name}: refuse one of the two registrations first",
    ),
    "tp.acc.clash": ("Mã số thuế đã thuộc về", "Tax code already held by"),
    "tp.err.purpose": (
        "Ghi rõ mục đích xuất dữ liệu (bắt buộc, được ghi vào nhật ký)",
        "State the purpose of this export (required; it is recorded in the audit log)",
    ),
    "tp.export.purpose": ("Mục đích xuất dữ liệu", "Purpose of the export"),
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
    # roster
    "tp.roster.nothing_to_import": ("Không có dòng hợp lệ để nhập", "No valid rows to import"),
    "tp.roster.upsert_hint": (
        "Tải lên lại sẽ cập nhật theo số CCCD, không tạo trùng.",
        "Uploading again updates by CCCD and never duplicates.",
    ),
    # PDF cards
    "tp.card.title": ("GIẤY ĐI ĐƯỜNG - THÀNH PHỐ ĐÀ NẴNG", "TRAVEL PERMITS - DA NANG CITY"),
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
    "tp.f.ward": ("Phường/xã", "Ward/commune"),
    "tp.f.units_caption": (
        "Từ 7/2025 không còn cấp quận/huyện: địa chỉ gồm tỉnh/thành phố và phường/xã.",
        "Since July 2025 there are no districts: addresses are province and ward/commune.",
    ),
    "tp.f.employees": ("Nhân viên", "Employees"),
    "tp.f.status": ("Trạng thái", "Status"),
    "tp.f.reason": ("Lý do", "Reason"),
    "tp.f.min_age": ("Chờ ít nhất (giờ)", "Waiting at least (hours)"),
    "tp.f.all": ("Tất cả", "All"),
    "tp.col.id": ("Mã yêu cầu", "Request"),
    "tp.col.purpose": ("Mục đích", "Purpose"),
    "tp.col.approved": ("Số người được duyệt", "Approved"),
    "tp.col.submitted": ("Gửi lúc", "Submitted"),
    "tp.col.decided": ("Quyết định lúc", "Decided"),
    "tp.col.reason_text": ("Giải thích", "Explanation"),
    "tp.col.resubmitted_from": ("Gửi lại từ yêu cầu", "Resubmitted from"),
    "tp.col.full_name": ("Họ và tên", "Full name"),
    "tp.col.cccd": ("CCCD", "ID number"),
    "tp.col.permit": ("Mã giấy", "Permit"),
    "tp.col.phone": ("Số điện thoại", "Phone"),
    "tp.col.home_ward": ("Phường/xã nơi ở", "Home ward"),
    "tp.col.work_ward": ("Phường/xã nơi làm việc", "Work ward"),
    "tp.col.plate": ("Biển số xe", "Number plate"),
    "tp.col.job_title": ("Chức danh", "Job title"),
    "tp.col.updated": ("Cập nhật lúc", "Updated"),
    "tp.col.zones": ("Khu vực được đi", "Allowed zones"),
    "tp.col.contact": ("Người liên hệ", "Contact person"),
    "tp.col.created": ("Đăng ký lúc", "Registered"),
    "tp.col.business": ("Doanh nghiệp", "Business"),
    "tp.col.employees": ("Số người", "Employees"),
    "tp.col.age_h": ("Đã chờ (giờ)", "Waiting (h)"),
    "tp.col.status": ("Trạng thái", "Status"),
    "tp.f.approve": ("Duyệt", "Approve"),
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
        "Hạn mức: {busy}/{limit} người đang có hoặc chờ giấy ({percent}% của {base} người được"
        " tính trong danh sách {roster} người)",
        "Quota: {busy}/{limit} people hold or await permits ({percent}% of the {base} counted"
        " of a roster of {roster})",
    ),
    "tp.growth.title": ("Lịch sử danh sách nhân viên", "Roster history"),
    "tp.growth.caption": (
        "Hạn mức tính trên {base} người; {pending} người mới thêm đang chờ (mỗi ngày tính thêm"
        " tối đa {percent}% hoặc {rows} người); {added_7d} người được thêm trong 7 ngày qua.",
        "The quota counts {base} people; {pending} newly added wait (each day at most {percent}%"
        " or {rows} more count); {added_7d} were added in the last 7 days.",
    ),
    "tp.growth.day": ("Ngày", "Day"),
    "tp.growth.added": ("Thêm trong ngày", "Added that day"),
    "tp.growth.size": ("Số người cuối ngày", "Roster at day's end"),
    "tp.growth.base": ("Được tính vào hạn mức", "Counted for the quota"),
    "tp.growth.pending": ("Chờ tính", "Waiting"),
    # roster page
    "tp.roster.upload": ("Tải lên danh sách (CSV hoặc XLSX)", "Upload roster (CSV or XLSX)"),
    "tp.roster.imported": (
        "Đã nhập: {added} người mới, {updated} người cập nhật",
        "Imported: {added} new, {updated} updated",
    ),
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
    "tp.req.empty_roster": (
        "Danh sách nhân viên trống; hãy thêm nhân viên trước.",
        "The roster is empty; add employees first.",
    ),
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
    "tp.queue.refuse": ("Từ chối hoặc duyệt một phần", "Refuse, or approve in part"),
    "tp.queue.send_refusal": ("Gửi quyết định", "Send the decision"),
    "tp.queue.row_invalid": ("Dòng {row}: {problems}", "Row {row}: {problems}"),
    "tp.queue.open": ("Mở yêu cầu", "Open request"),
    "tp.queue.empty": ("Không có yêu cầu nào", "No requests"),
    # the staff home page: what waits for an approver (the count is shown beside the label)
    "tp.pending.queue": ("Yêu cầu cấp giấy chờ duyệt", "Permit requests waiting for a decision"),
    "tp.pending.accounts": ("Doanh nghiệp chờ xác minh", "Businesses waiting for verification"),
    # the bulk queue: tick requests, one decision for all ticked (issue 18 item 8)
    "tp.queue.tick": ("Chọn", "Pick"),
    "tp.queue.ticked_hint": (
        "Đánh dấu các yêu cầu ở cột Chọn, chọn quyết định rồi bấm Áp dụng. Từ chối cần lý do"
        " và giải thích. Yêu cầu đã hết thời hạn không thể duyệt.",
        "Tick the requests in the Pick column, choose the decision and press Apply. Refusing"
        " needs a reason and an explanation. A request whose period is over cannot be approved.",
    ),
    "tp.queue.bulk_decision": ("Quyết định cho các yêu cầu đã chọn", "Decision for the ticked"),
    "tp.queue.apply_ticked": ("Áp dụng cho {n} yêu cầu đã chọn", "Apply to {n} ticked requests"),
    "tp.queue.none_ticked": (
        "Chưa chọn yêu cầu nào: đánh dấu ít nhất một dòng ở cột Chọn.",
        "Nothing is ticked: tick at least one row in the Pick column.",
    ),
    "tp.queue.results": ("Kết quả áp dụng", "What was applied"),
    "tp.queue.outcome": ("Kết quả", "Outcome"),
    "tp.queue.period_over": ("⚠ Đã hết thời hạn", "⚠ Period over"),
    "tp.queue.period_over_count": (
        "{n} yêu cầu đã hết thời hạn đi lại: không thể duyệt, chỉ có thể từ chối.",
        "{n} requests have a period that is already over: they cannot be approved, only refused.",
    ),
    "tp.queue.period_over_one": (
        "Thời hạn của yêu cầu này ({period}) đã kết thúc: không thể duyệt; hãy từ chối để"
        " doanh nghiệp gửi lại với ngày mới.",
        "This request's period ({period}) is over: it cannot be approved; refuse it so the"
        " business can send it again with new dates.",
    ),
    "tp.queue.window_one": (
        "Thời hạn {period}, giờ {hours}; khu vực: {zones}",
        "Valid {period}, hours {hours}; zones: {zones}",
    ),
    "tp.col.validity": ("Thời hạn", "Validity"),
    "tp.growth.people": ("Số nhân viên (người)", "Employees (people)"),
    "tp.col.warning": ("Cảnh báo", "Warning"),
    "tp.card.validity": ("Hiệu lực: {period}", "Valid: {period}"),
    "tp.err.period_over": (
        "Yêu cầu {id}: thời hạn {period} đã kết thúc nên không thể duyệt; hãy từ chối để doanh"
        " nghiệp gửi lại với ngày mới.",
        "Request {id}: its period {period} is already over, so it cannot be approved; refuse"
        " it so the business can send it again with new dates.",
    ),
    "tp.err.not_refused": (
        "Chỉ đăng ký bị từ chối mới được sửa và gửi lại",
        "Only a refused registration can be corrected and sent again",
    ),
    "tp.reg.fix_title": ("Sửa và gửi lại đăng ký", "Correct and resubmit the registration"),
    "tp.reg.fix_hint": (
        "Sửa các thông tin cơ quan duyệt đã nêu rồi gửi lại; tài khoản sẽ chờ xác minh lại.",
        "Correct what the approver pointed out and send it again; the account then waits for"
        " verification again.",
    ),
    "tp.reg.fix_submit": ("Gửi lại đăng ký", "Resubmit the registration"),
    "tp.reg.resubmitted": (
        "Đã gửi lại đăng ký; tài khoản đang chờ xác minh.",
        "Registration sent again; the account is waiting for verification.",
    ),
    "tp.queue.business": (
        "Doanh nghiệp: {name} (MST {mst}), {ward}",
        "Business: {name} (tax code {mst}), {ward}",
    ),
    "tp.queue.approve_all": ("Duyệt tất cả", "Approve all"),
    "tp.queue.decided": (
        "{status}: {approved} người được cấp giấy, {rejected} người bị từ chối",
        "{status}: {approved} permits issued, {rejected} refused",
    ),
    # accounts page
    "tp.acc.none": ("Không có doanh nghiệp chờ xác minh", "No businesses awaiting verification"),
    "tp.acc.verify": ("Xác minh", "Verify"),
    "tp.acc.refuse": ("Từ chối", "Refuse"),
    "tp.acc.refuse_title": ("Từ chối xác minh", "Refuse verification"),
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
    "tp.view.business": ("Doanh nghiệp (MST)", "Business (tax code)"),
    "tp.view.validity": ("Hiệu lực", "Valid"),
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

MESSAGES: dict[str, dict[str, str]] = {k: {"vi": vi, "en": en} for k, (vi, en) in _M.items()}
