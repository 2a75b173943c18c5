package ansinh

import (
	"fmt"
	"sort"
	"time"

	"ansinh/pii"
)

// Every sentence a user reads that comes from Go code is here, in Vietnamese.
const (
	MsgInvalidInput     = "Thông tin gửi lên chưa hợp lệ. Vui lòng kiểm tra lại."
	MsgMalformedJSON    = "Dữ liệu gửi lên không đúng định dạng JSON."
	MsgWrongType        = "Giá trị không đúng kiểu dữ liệu."
	MsgNeedJSON         = "Yêu cầu phải gửi dữ liệu dạng JSON (Content-Type: application/json)."
	MsgInternal         = "Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút."
	MsgNotFound         = "Không tìm thấy trang hoặc dữ liệu yêu cầu."
	MsgUnauthorized     = "Vui lòng đăng nhập để tiếp tục."
	MsgForbidden        = "Ông/bà không có quyền thực hiện thao tác này."
	MsgRoleForbidden    = "Vai trò của ông/bà không được làm việc này."
	MsgTooLarge         = "Dữ liệu gửi lên quá lớn."
	MsgCompressedBody   = "Không nhận dữ liệu gửi lên ở dạng nén (Content-Encoding)."
	MsgTooManyRequests  = "Ông/bà đã thử quá nhiều lần. Xin vui lòng đợi một lát rồi thử lại."
	MsgTimeout          = "Yêu cầu mất quá nhiều thời gian. Vui lòng thử lại."
	MsgMethodNotAllowed = "Phương thức không được hỗ trợ cho địa chỉ này."
	MsgBadRequest       = "Yêu cầu không hợp lệ."
	MsgConflict         = "Dữ liệu đã tồn tại hoặc vừa được người khác thay đổi."

	MsgLoginFailed      = "Tên đăng nhập hoặc mật khẩu không đúng."
	MsgAccountDisabled  = "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên."
	MsgRequired         = "Vui lòng nhập thông tin này."
	MsgUsernameRule     = "Tên đăng nhập gồm 3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới hoặc gạch ngang."
	MsgPasswordRule     = "Mật khẩu phải có từ 10 đến 128 ký tự."
	MsgUnknownRole      = "Vai trò không hợp lệ. Chọn một trong: admin, province, district, commune, police."
	MsgUnknownUnit      = "Không có đơn vị hành chính với mã này."
	MsgUnitOutOfScope   = "Đơn vị này nằm ngoài phạm vi quản lý của ông/bà."
	MsgRoleAboveOwn     = "Ông/bà không thể tạo tài khoản có vai trò cao hơn vai trò của mình."
	MsgCannotCreate     = "Vai trò của ông/bà không được tạo tài khoản."
	MsgRoleUnitMismatch = "Vai trò này không phù hợp với cấp của đơn vị đã chọn."
	MsgUsernameTaken    = "Tên đăng nhập này đã có người dùng."
	MsgUserUnitGone     = "Đơn vị của tài khoản không còn trong danh mục. Vui lòng liên hệ quản trị viên."
)

// Why a change of unit set locked a staff account; shown at login (date dd/mm/yyyy).

// MsgUnitDissolved: the user's district (or another middle-tier unit) no longer exists.
func MsgUnitDissolved(unit, date string) string {
	return unit + " đã giải thể từ " + date + "; tài khoản tạm khóa. Quản trị viên sẽ giao lại tài khoản cho xã, phường hoặc thành phố."
}

// MsgUnitMerged: the user's province was merged into another.
func MsgUnitMerged(unit, date string) string {
	return unit + " đã hợp nhất vào đơn vị mới từ " + date + "; tài khoản tạm khóa. Quản trị viên sẽ giao lại tài khoản cho xã, phường hoặc thành phố."
}

// MsgUnitSplit: the user's commune was divided among several new communes.
func MsgUnitSplit(unit, date string) string {
	return unit + " được chia về nhiều xã, phường từ " + date + "; tài khoản tạm khóa. Quản trị viên sẽ giao lại tài khoản cho xã, phường mới."
}

// MsgUnitUnknown: the user's unit code is in no list the store knows.
func MsgUnitUnknown(code, date string) string {
	return "Mã đơn vị " + code + " của tài khoản không có trong danh mục cũ nên không chuyển được sang danh mục mới từ " + date + "; tài khoản tạm khóa. Vui lòng liên hệ quản trị viên."
}

var roleLabels = map[Role]string{
	RoleAdmin:    "Quản trị hệ thống",
	RoleProvince: "Cán bộ cấp tỉnh, thành phố (Sở Y tế, Sở Nội vụ)",
	RoleDistrict: "Cán bộ cấp huyện (nơi còn cấp huyện)",
	RoleCommune:  "Cán bộ văn hóa – xã hội xã, phường",
	RolePolice:   "Cán bộ công an phối hợp",
}

// programLabels name the programmes as staff and reports write them.
var programLabels = map[Group]string{
	GroupBTXH: "Bảo trợ xã hội",
	GroupNCC:  "Người có công với cách mạng",
	GroupHTXH: "Trợ cấp hưu trí xã hội",
}

// Label is the programme's name as people read it.
func (g Group) Label() string { return programLabels[g] }

// Messages about unit sets.
const (
	MsgReportOtherSet = "Đơn vị thuộc danh mục hành chính cũ chỉ còn các báo cáo đã gửi; tháng này đơn vị chưa gửi báo cáo."
)

// UnassignedName heads the people of a split old commune who wait for their commune.
const UnassignedName = "Chờ chọn xã, phường (đơn vị cũ bị chia)"

// Label is the role's name as staff read it.
func (r Role) Label() string { return roleLabels[r] }

// Messages about beneficiary data.
const (
	MsgCCCDRequired     = "Thiếu số CCCD."
	MsgCCCDDigits       = "Số CCCD chỉ gồm chữ số."
	MsgCCCDLength       = "Số CCCD phải có đúng 12 chữ số."
	MsgCCCDProvince     = "Ba số đầu của CCCD không phải mã tỉnh, thành phố nào."
	MsgCCCDYearMismatch = "Số CCCD cho năm sinh %d, hồ sơ ghi năm %d."
	MsgCCCDSexMismatch  = "Số CCCD cho giới tính %s, hồ sơ ghi %s."
	MsgCCCDRepeated     = "Số CCCD này đã có ở dòng %d của tệp."
	MsgDateRequired     = "Thiếu ngày sinh."
	MsgDateFormat       = "Ngày sinh không đúng dạng ngày/tháng/năm (ví dụ 05/03/1950)."
	MsgDateImpossible   = "Ngày sinh không có thật hoặc ở tương lai."
	MsgSexUnknown       = "Giới tính ghi Nam hoặc Nữ."
	MsgGroupRequired    = "Thiếu nhóm đối tượng (NCC, BTXH hoặc HTXH)."
	MsgGroupUnknown     = "Nhóm đối tượng ghi NCC (người có công), BTXH (bảo trợ xã hội) hoặc HTXH (trợ cấp hưu trí xã hội)."
	MsgAmountFormat     = "Mức hưởng phải là số tiền bằng đồng, ví dụ 1.500.000."
	MsgAmountTooLarge   = "Mức hưởng lớn bất thường (trên 100 triệu đồng)."
	MsgYesNo            = "Ghi \"có\" hoặc \"không\"."
	MsgNameRequired     = "Thiếu họ tên."
	MsgNameTooLong      = "Họ tên quá dài."
	MsgCommuneRequired  = "Thiếu mã xã."
	MsgCommuneUnknown   = "Không có xã, phường, thị trấn với mã này."
	MsgCommuneOutside   = "Xã này nằm ngoài đơn vị ông/bà quản lý."
	// Says nothing of another unit: a district must not learn from an import who is a
	// beneficiary elsewhere.
	MsgHeldElsewhere   = "Không nhập được dòng này. Xin gửi dòng này cho Sở để Sở kiểm tra và xử lý."
	MsgBankUnknown     = "Không nhận ra ngân hàng. Ghi mã BIN (6 số) hoặc tên ngân hàng."
	MsgAccountRequired = "Thiếu số tài khoản."
	MsgAccountDigits   = "Số tài khoản chỉ gồm chữ số."
	MsgAccountLength   = "Số tài khoản có từ 6 đến 19 chữ số."
	MsgAccountPartial  = "Ghi đủ cả ngân hàng, số tài khoản và chủ tài khoản, hoặc để trống cả ba."
	MsgHolderRequired  = "Thiếu tên chủ tài khoản."
	MsgMissingColumns  = "Tệp thiếu cột bắt buộc: %s."
	MsgFileUnreadable  = "Không đọc được tệp. Hãy gửi tệp Excel (.xlsx) hoặc CSV."
	MsgFileEmpty       = "Tệp không có dữ liệu."
	MsgFileLimits      = "Tệp vượt giới hạn: tối đa 300.000 dòng, 500 cột, mỗi ô không quá 10.000 chữ. Xin tách tệp hoặc xóa các cột, ô thừa rồi nhập lại."
	MsgFileTooLarge    = "Tệp quá lớn (tối đa 20 MB)."
	MsgFileMissing     = "Vui lòng chọn tệp danh sách để tải lên."
	// A job of the same file (same content) is still running.
	MsgJobSameFile = "Tệp này đang được nhập. Xin chờ lần nhập đó xong rồi xem kết quả."
	// A job stopped by an error of the service, not of the file.
	MsgJobFailed = "Việc nhập dừng lại do lỗi của hệ thống. Các dòng đã lưu được ghi ở trên; hãy nhập lại cùng tệp, các dòng đã lưu sẽ không bị nhập hai lần."
)

// Messages of unit sets and the choice of a new commune for a person of a split old
// commune ("cần chọn xã").
const (
	MsgCommuneNotInSet      = "Mã xã %s không có trong danh mục «%s» (%s)."
	MsgCommuneNotInSetOlder = " Nếu danh sách lập trước %s, hãy chọn đúng danh mục cũ khi nhập."
	MsgCommuneNotInSetOther = " Hãy kiểm tra lại mã, hoặc chọn danh mục mà danh sách đã dùng."
	MsgCommuneNoSuccessor   = "Mã xã %s của danh mục «%s» không có đơn vị tương ứng trong danh mục hiện hành."
	MsgUnitSetUnknown       = "Không có danh mục đơn vị hành chính này. Hãy chọn một danh mục trong danh sách."
	MsgUnitSetNoCrosswalk   = "Chưa có bảng chuyển đổi từ danh mục «%s» sang danh mục hiện hành, nên chưa nhập được danh sách theo danh mục này."
	MsgUnitChoice           = "unit_choice chỉ nhận giá trị pending."
	MsgCommuneNotCandidate  = "Xã, phường được chọn phải là một trong các đơn vị mới của đơn vị cũ."
	MsgCommuneChosen        = "Người này đã được chọn xã, phường. Nếu cần đổi, hãy liên hệ Sở."
	MsgCommuneChoosing      = "Một cán bộ khác vừa chọn xã, phường cho người này. Hãy tải lại trang."
	MsgCommuneChosenNotice  = "Đã chọn xã, phường. Người này từ nay thuộc danh sách của %s."
	MsgCommuneWaiting       = "Chưa chọn xã, phường (đơn vị cũ đã bị chia)"
)

// NoteIneligibleByImport is the note on a person the imported list marks not eligible.
const NoteIneligibleByImport = "Danh sách của Sở ghi không đủ điều kiện mở tài khoản."

// Messages of the registry pages and API.
const (
	MsgSearchTooLong    = "Từ khóa tìm kiếm quá dài."
	MsgIdentityState    = "Trạng thái đối chiếu là unchecked, matched, mismatch hoặc not_found."
	MsgPage             = "Số trang không hợp lệ."
	MsgIdentityNote     = "Khi thông tin không khớp, hãy ghi rõ điểm sai lệch."
	MsgNoteTooLong      = "Ghi chú tối đa 500 ký tự."
	MsgIneligibleReason = "Chọn một lý do trong danh sách."
	MsgIneligibleNote   = "Với lý do khác, hãy ghi rõ lý do."
)

// Notices on staff pages.
const (
	MsgSaved    = "Đã lưu."
	MsgRevealed = "Đã hiện đầy đủ số CCCD và số tài khoản. Việc xem này đã được ghi nhật ký."
)

var statusLabels = map[string]string{
	StatusPending:    "Đang chờ xã kiểm tra",
	StatusVerified:   "Đã xác nhận. Trợ cấp sẽ được chuyển vào tài khoản này.",
	StatusRejected:   "Chưa được chấp nhận",
	StatusSuperseded: "Đã được thay bằng một lần đăng ký mới hơn",
}

// Messages of the registration form and API.
const (
	MsgIdentityNotFound  = "Không tìm thấy người hưởng trợ cấp với số CCCD và ngày sinh này. Hãy kiểm tra lại. Nếu hồ sơ của ông/bà chỉ ghi năm sinh, hãy đăng ký bằng mã QR riêng trên giấy báo của xã, hoặc đến UBND xã."
	MsgIdentityLocked    = "Đã nhập sai quá nhiều lần. Cách đăng ký bằng số CCCD tạm khóa trong 24 giờ. Ông/bà vẫn đăng ký được bằng mã QR riêng trên giấy báo của xã, hoặc tại UBND xã."
	MsgQRInvalid         = "Mã QR này không còn dùng được. Hãy dùng mã QR của xã, hoặc hỏi cán bộ xã."
	MsgBirthDateInvalid  = "Ngày sinh chưa đúng. Ví dụ: ngày 5, tháng 3, năm 1950."
	MsgSubmitterInvalid  = "Xin chọn: ông/bà là người hưởng, hay người nhận thay."
	MsgProxyNameRequired = "Hãy nhập họ tên người nhận thay."
	MsgProxyRelation     = "Hãy ghi quan hệ với người hưởng (ví dụ: con, cháu)."
	MsgProxyCCCDSame     = "Đây là số CCCD của người hưởng. Hãy nhập số CCCD của người nhận thay."
	MsgBankRequired      = "Hãy chọn ngân hàng."
	MsgHolderInvalid     = "Hãy nhập tên chủ tài khoản, đúng như trên thẻ hoặc ứng dụng ngân hàng."
	MsgPhoneInvalid      = "Số điện thoại gồm 10 chữ số, bắt đầu bằng số 0 (ví dụ 0912345678)."
	MsgConsentRequired   = "Ông/bà cần đồng ý để chúng tôi dùng thông tin này trả trợ cấp."
	MsgIdempotencyKey    = "Mã gửi (idempotency_key) gồm 8 đến 100 ký tự chữ, số, - hoặc _."
	MsgReceiptInvalid    = "Mã biên nhận gồm 10 ký tự, ví dụ AB2C3-D4E5F."
	MsgSessionExpired    = "Đã lâu không có thao tác nên những gì vừa nhập đã được xóa, để giữ an toàn cho ông/bà. Xin bắt đầu lại."
	MsgFormExpired       = "Trang đã mở quá lâu hoặc không hợp lệ. Vui lòng tải lại trang và thử lại."
	MsgVietQRUnreadable  = "Không đọc được mã VietQR trong ảnh. Hãy chụp rõ hơn, hoặc nhập số tài khoản."
	MsgVietQRInvalid     = "Mã QR trong ảnh không phải mã VietQR nhận chuyển khoản."
	MsgImageTooLarge     = "Ảnh quá lớn (tối đa 8 MB)."
	MsgFieldTooLong      = "Nội dung quá dài."
)

// MsgReceiptNotFound answers a status look-up that finds nothing.
const MsgReceiptNotFound = "Không tìm thấy đăng ký với mã này. Hãy kiểm tra lại mã trên biên nhận."

// Messages of the verification queue.
const (
	MsgCheckHolder            = "Tên chủ tài khoản “%s” so với tên %s “%s”: giống %d%%. Chỉ có ở tên tài khoản: %s. Chỉ có ở tên %s: %s."
	MsgCheckShared            = "Cùng tài khoản này đã dùng cho người khác: %s."
	MsgCheckSeveral           = "Người này đã gửi %d lần đăng ký."
	MsgCheckIdentityMismatch  = "Công an báo thông tin căn cước KHÔNG khớp: %s"
	MsgCheckIdentityUnchecked = "Căn cước chưa được công an đối chiếu."
	MsgCheckScript            = "Tên %s “%s” có chữ cái không thuộc chữ Latinh (chữ Kirin, Hy Lạp… trông giống chữ Việt): đối chiếu với giấy tờ trước khi xác nhận."
	MsgCheckBank              = "Ngân hàng có mã %s không nằm trong danh sách nhận chuyển khoản."
	MsgRejectReason           = "Chọn lý do từ chối trong danh sách."
	MsgRejectNote             = "Với lý do khác, hãy ghi rõ để người dân biết cần làm gì."
	MsgDecided                = "Hồ sơ này đã được xử lý (xác nhận, từ chối hoặc đã có đăng ký mới hơn)."
	MsgStillStoring           = "Hồ sơ này vừa được gửi và đang được lưu. Xin thử lại sau vài giây."
	MsgIdempotencyReused      = "Mã yêu cầu (idempotency_key) này đã dùng cho một lần gửi có nội dung khác. Nếu muốn sửa thông tin, hãy gửi lại với mã yêu cầu mới."
	MsgSecondOfficer          = "Đăng ký do chính ông/bà nhập hộ cần một cán bộ khác xác nhận."
	MsgProofSeen              = "Ghi rõ giấy tờ đã xem (ví dụ: CCCD, thẻ ngân hàng, giấy ủy quyền)."
)

// MsgSharedVerified and MsgSharedPending name, masked, who else uses an account.
func MsgSharedVerified(name, last4 string) string {
	return name + " (CCCD " + pii.MaskLast4(last4) + "), đang nhận qua tài khoản này"
}

// MsgSharedPending names someone whose open submission uses the account.
func MsgSharedPending(name, last4 string) string {
	return name + " (CCCD " + pii.MaskLast4(last4) + "), có đăng ký đang chờ dùng tài khoản này"
}

// Messages of the queue's filters and actions.
const (
	MsgStatusFilter  = "Trạng thái là pending, verified, rejected hoặc superseded."
	MsgChannelFilter = "Kênh là qr, api, zalo, assisted hoặc import."
	MsgDateFilter    = "Ngày ghi theo dạng năm-tháng-ngày, ví dụ 2026-11-25."
	MsgBulkIDs       = "Chọn từ 1 đến 200 hồ sơ."
)

// Messages of the police check (a list sent to the police and their results file).
const (
	MsgIdentityResult        = "Kết quả đối chiếu ghi là Khớp, Không khớp hoặc Không tìm thấy."
	MsgIdentityMismatchWhat  = "Khi không khớp, hãy ghi họ tên hoặc ngày sinh theo CSDL dân cư, hoặc ghi chú điểm sai lệch."
	MsgIdentityMatchDiffers  = "Dòng ghi Khớp nhưng lại ghi họ tên hoặc ngày sinh khác theo CSDL dân cư."
	MsgIdentityNotListed     = "Số CCCD này không có trong danh sách đối tượng của đơn vị."
	MsgIdentityRepeated      = "Số CCCD này đã có kết quả ở dòng %d của tệp."
	MsgPopulationName        = "CSDL dân cư ghi họ tên: %s"
	MsgPopulationBirth       = "CSDL dân cư ghi ngày sinh: %s"
	MsgCheckIdentityNotFound = "Công an báo không tìm thấy số CCCD này trong Cơ sở dữ liệu quốc gia về dân cư."
	MsgRevealedCCCD          = "Đã hiện đầy đủ số CCCD. Việc xem được ghi vào nhật ký."
	MsgIdentityImported      = "Đã nhận kết quả đối chiếu."
	MsgIdentityFormat        = "Định dạng là xlsx hoặc csv."
	MsgIdentityCommune       = "Hãy chọn một xã, phường: danh sách đối chiếu lập theo từng xã."
)

// Messages of requests from the person and of the breach register.
const (
	MsgRequestKind           = "Hãy chọn ông/bà muốn xem dữ liệu, sửa dữ liệu hay rút lại sự đồng ý."
	MsgRequestCorrectWhat    = "Hãy ghi thông tin nào chưa đúng và cần sửa thế nào."
	MsgRequestOutcome        = "Hãy chọn đã thực hiện hoặc không thực hiện được."
	MsgRequestAnswer         = "Hãy ghi câu trả lời cho người dân (khi không thực hiện được, ghi rõ lý do)."
	MsgRequestAnswered       = "Yêu cầu này đã được trả lời."
	MsgRequestRecorded       = "Đã ghi nhận yêu cầu."
	MsgRequestDone           = "Đã trả lời yêu cầu."
	MsgConsentWithdrawnNote  = "Người đăng ký đã rút lại sự đồng ý; hồ sơ không được xử lý tiếp."
	MsgBreachDiscovered      = "Hãy ghi thời điểm phát hiện (ngày và giờ)."
	MsgBreachDiscoveredRange = "Thời điểm phát hiện không thể ở tương lai hay quá một năm trước."
	MsgBreachDescription     = "Hãy mô tả sự việc."
	MsgBreachData            = "Hãy chọn ít nhất một loại dữ liệu bị ảnh hưởng."
	MsgBreachPeople          = "Số người bị ảnh hưởng là một số không âm (0 khi chưa biết)."
	MsgBreachReference       = "Hãy ghi đã báo bằng cách nào và số, ký hiệu văn bản hoặc mã tiếp nhận."
	MsgBreachRecorded        = "Đã ghi vào sổ. Hãy báo cơ quan chuyên trách trước thời hạn."
	MsgBreachReported        = "Đã ghi nhận việc báo cáo."
	MsgBreachClosed          = "Đã đóng sự việc."
	MsgBreachState           = "Sự việc này đã được báo cáo hoặc đã đóng."
)

var actionLabels = map[string]string{
	ActionNoticeReminders:   "Gửi nhắc đăng ký tài khoản",
	ActionAuthorisationView: "Cán bộ xem ảnh giấy ủy quyền",
	ActionSubmit:            "Gửi đăng ký tài khoản",
	ActionVerify:            "Xã xác nhận tài khoản",
	ActionReject:            "Xã từ chối đăng ký",
	ActionImport:            "Nhập từ danh sách",
	ActionImportJob:         "Gửi danh sách để nhập",
	ActionImportElsewhere:   "Danh sách của đơn vị khác có người này (chờ Sở xử lý)",
	ActionBeneficiaryUpdate: "Cập nhật từ danh sách",
	ActionReveal:            "Cán bộ xem số đầy đủ",
	ActionIdentityCheck:     "Công an đối chiếu căn cước",
	ActionRevealCCCD:        "Cán bộ xem số CCCD đầy đủ",
	ActionPrivacyRequest:    "Ghi nhận yêu cầu về dữ liệu cá nhân",
	ActionPrivacyAnswer:     "Trả lời yêu cầu về dữ liệu cá nhân",
	ActionConsentWithdrawn:  "Rút lại sự đồng ý",
	ActionIdentityList:      "Xuất danh sách đối chiếu căn cước",
	ActionIdentityResults:   "Nhận kết quả đối chiếu căn cước từ tệp",
	ActionEligibility:       "Thay đổi điều kiện mở tài khoản",
	ActionQRIssue:           "Cấp mã QR riêng",
	ActionQRRevoke:          "Thu hồi mã QR riêng",
	ActionCommuneChoose:     "Chọn xã, phường mới (đơn vị cũ bị chia)",
}

// ActionLabel is an audit action as a person reads it.
func ActionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	return action
}

// Notices of the review pages.
const (
	MsgVerifiedNotice = "Đã xác nhận. Tài khoản này là tài khoản nhận trợ cấp của người hưởng."
	MsgRejectedNotice = "Đã từ chối. Người đăng ký sẽ thấy lý do khi tra cứu."
)

// MsgLoginWait says how long to wait after too many logins.
func MsgLoginWait(d time.Duration) string {
	if d >= time.Minute {
		return fmt.Sprintf("Đăng nhập quá nhiều lần. Xin vui lòng đợi %d phút rồi thử lại.", int((d+time.Minute-1)/time.Minute))
	}
	return fmt.Sprintf("Đăng nhập quá nhiều lần. Xin vui lòng đợi %d giây rồi thử lại.", int((d+time.Second-1)/time.Second))
}

// MsgErrorsNotListed ends an error table that stops at its limit.
func MsgErrorsNotListed(n int) string {
	return fmt.Sprintf("… và %d lỗi nữa không liệt kê (quá nhiều lỗi: xin sửa các lỗi trên rồi nhập lại).", n)
}

// MsgBulkDone reports a bulk verification.
func MsgBulkDone(verified, skipped int) string {
	return fmt.Sprintf("Đã xác nhận %d hồ sơ; %d hồ sơ có cảnh báo hoặc đã được xử lý, cần xem từng hồ sơ.", verified, skipped)
}

// Messages of reports.
const (
	MsgMonth          = "Tháng ghi theo dạng năm-tháng, ví dụ 2026-11."
	MsgMonthFuture    = "Chưa đến tháng %s."
	MsgReportSent     = "Báo cáo tháng này của đơn vị đã được gửi; số liệu đã được chốt."
	MsgReportNotYours = "Chỉ cán bộ của chính đơn vị gửi báo cáo của đơn vị đó."
	MsgReportUnit     = "Đơn vị này không phải lập báo cáo tháng."
	MsgFormat         = "Định dạng là json, xlsx hoặc csv."
	MsgNoSnapshot     = "Chưa có số liệu lưu cho ngày này."
)

// MsgReportSentNow confirms a report was sent.
const MsgReportSentNow = "Đã gửi báo cáo tháng. Số liệu đã được chốt."

// Messages of the G2P mapper.
const (
	MsgG2PTimestamp = "message_ts phải là thời điểm theo RFC 3339, ví dụ 2026-11-25T10:00:00+07:00."
	MsgG2PAction    = "action phải là \"resolve\" ở địa chỉ này."
	MsgG2PCount     = "total_count phải bằng số mục trong resolve_request."

	MsgSenderID       = "sender_id gồm chữ thường không dấu, chữ số, dấu chấm hoặc gạch nối, tối đa 99 ký tự, ví dụ kbnn.cantho.gov.vn."
	MsgClientUnits    = "Chọn ít nhất một đơn vị trong phạm vi của ông/bà mà hệ thống này được tra cứu."
	MsgClientRate     = "Giới hạn là số yêu cầu mỗi phút, từ 1 đến 10000."
	MsgClientKey      = "Khóa công khai là chuỗi base64 của 32 byte khóa Ed25519."
	MsgClientCallback = "Địa chỉ nhận kết quả phải là https (http chỉ cho máy này), không có tên đăng nhập hay tham số."
	MsgClientExists   = "sender_id này đã được đăng ký."
	MsgClientRevoked  = "Hệ thống này đã bị thu hồi quyền; không thể đổi trạng thái nữa."
)

// Messages the chatbot sends on its own.
const (
	MsgZaloVerified = "Đăng ký mã %s đã được xã xác nhận. Từ kỳ tới, trợ cấp sẽ được chuyển vào tài khoản đã đăng ký."
	MsgZaloRejected = "Đăng ký mã %s chưa được chấp nhận. Lý do: %s Ông/bà có thể đăng ký lại bằng cách nhắn \"đăng ký\"."
)

// Notices sent later (by template or SMS), and how the record page names their
// channels and results.
const (
	MsgSMSVerified         = "Đăng ký tài khoản nhận trợ cấp mã %s đã được xã xác nhận. Từ kỳ tới, trợ cấp sẽ được chuyển vào tài khoản ông/bà đã đăng ký."
	MsgSMSRejected         = "Đăng ký tài khoản nhận trợ cấp mã %s chưa được chấp nhận. Lý do: %s Ông/bà vui lòng liên hệ cán bộ xã hoặc đăng ký lại."
	MsgNoticeReturned      = "Khoản trợ cấp chuyển vào tài khoản ông/bà đã đăng ký (mã %s) bị ngân hàng trả lại. Ông/bà vui lòng đăng ký một tài khoản khác hoặc liên hệ cán bộ xã."
	MsgPaymentConflict     = "Tháng này người này đã có kết quả chi trả khác trong một tệp trước: giữ kết quả cũ. Nếu tệp trước sai, xin liên hệ quản trị viên."
	MsgPaymentNoPerson     = "Không tìm thấy người có số CCCD này trong danh sách của đơn vị."
	MsgPaymentNoAccount    = "Người này chưa có tài khoản nhận trợ cấp."
	MsgPaymentOtherAccount = "Số tài khoản không phải tài khoản hiện tại của người này."
	MsgPaymentOutcome      = "Kết quả phải là \"thành công\" hoặc \"trả lại\"."
	MsgPaymentColumns      = "Tệp cần cột cccd và ket_qua (và có thể có so_tai_khoan, ly_do)."
	MsgMonthInvalid        = "Tháng phải có dạng NNNN-TT, ví dụ 2026-11."
	MsgNoticeReminder      = "Xin nhắc ông/bà: đăng ký mã %s đang chờ xã xem xét."
)

// NoticeChannelNames and NoticeResultNames label a notice attempt on the record page.
var (
	NoticeChannelNames = map[string]string{
		NoticeByConsultation: "Zalo (tin tư vấn)", NoticeByTemplateUser: "Zalo (tin mẫu, theo tài khoản Zalo)",
		NoticeByTemplatePhone: "Zalo (tin mẫu, theo số điện thoại)", NoticeBySMS: "Tin nhắn SMS", NoticeByNone: "Không gửi",
	}
	NoticeResultNames = map[string]string{
		NoticeSent: "Đã gửi", NoticeRefused: "Bị từ chối, thử kênh khác", NoticeWaiting: "Chờ giờ gửi hoặc hạn mức",
		NoticeRetry: "Lỗi tạm thời, sẽ thử lại", NoticeFailed: "Không gửi được", NoticeNoConsent: "Người dân chưa đồng ý nhận thông báo",
	}
	NoticeCostNames = map[string]string{
		CostFree: "miễn phí", CostBilled: "có phí (tin tư vấn)", CostTemplate: "có phí (tin mẫu)", CostSMS: "có phí (SMS)", CostNone: "—",
	}
)

// MsgImportAccountWaitsForCommune: a list names a new account for someone whose commune
// an officer has still to choose.
const MsgImportAccountWaitsForCommune = "Người này đang chờ chọn xã: tài khoản mới trong danh sách sẽ được xét sau khi cán bộ chọn xã. Hãy nhập lại danh sách sau đó."

// ProofImportList is what an officer reads as the proof of a submission from a list.
func ProofImportList(file string) string { return "Danh sách nhập: " + file }

var channelLabels = map[string]string{
	ChannelQR:       "Mã QR (trang đăng ký)",
	ChannelAPI:      "Hệ thống khác",
	ChannelZalo:     "Zalo",
	ChannelAssisted: "Cán bộ nhập hộ",
	ChannelImport:   "Danh sách nhập",
}

// ChannelLabel is a channel as staff read it.
func ChannelLabel(channel string) string {
	if l, ok := channelLabels[channel]; ok {
		return l
	}
	return channel
}

// MsgExportCut is the last line of an export that stopped half-way, once the answer
// had begun: the file is not complete.
const MsgExportCut = "LỖI: tệp chưa đầy đủ, việc xuất dữ liệu bị gián đoạn. Vui lòng tải lại."

// Messages of staff accounts: managing users, one's own password, the audit trail.
const (
	MsgCannotManage           = "Vai trò của ông/bà không được quản lý tài khoản cán bộ."
	MsgUserNotFound           = "Không tìm thấy tài khoản này trong phạm vi quản lý của ông/bà."
	MsgManageSelf             = "Ông/bà không thể khóa hay đặt lại mật khẩu của chính mình. Để đổi mật khẩu, hãy dùng trang Tài khoản của tôi."
	MsgManageRank             = "Ông/bà chỉ quản lý được tài khoản có vai trò thấp hơn vai trò của mình."
	MsgPasswordWrong          = "Mật khẩu hiện tại không đúng."
	MsgPasswordSame           = "Mật khẩu mới phải khác mật khẩu hiện tại."
	MsgPasswordUsername       = "Mật khẩu mới không được chứa tên đăng nhập."
	MsgPasswordMismatch       = "Hai lần nhập mật khẩu mới không giống nhau."
	MsgPasswordChangeRequired = "Ông/bà đang dùng mật khẩu một lần. Hãy đổi mật khẩu trước khi làm việc khác."
	MsgPasswordChanged        = "Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản này đã được đăng xuất."
	MsgUserDisabledNotice     = "Đã khóa tài khoản %s. Người này không đăng nhập được nữa cho đến khi được mở khóa."
	MsgUserEnabledNotice      = "Đã mở khóa tài khoản %s."
	MsgUserCreatedNotice      = "Đã tạo tài khoản %s."
	MsgOneTimeGone            = "Mật khẩu một lần chỉ hiện một lần và đã hết hiệu lực hiển thị. Nếu chưa kịp ghi lại, hãy đặt lại mật khẩu cho tài khoản này một lần nữa."
	MsgAuditFilterTarget      = "Hồ sơ ghi dạng loại:mã, ví dụ user:xa.31507 hoặc beneficiary:…"
	MsgAuditFilterTooLong     = "Điều kiện lọc quá dài."
	MsgAuditDateOrder         = "Ngày bắt đầu phải trước ngày kết thúc."
)

// EPASSWORDCHANGE is the error code of every request but the password change while
// the user holds a one-time password.
const EPASSWORDCHANGE = "password_change_required"

var moreActionLabels = map[string]string{
	ActionLogin:              "Đăng nhập",
	ActionLoginFailed:        "Đăng nhập không thành công",
	ActionLoginBlocked:       "Đăng nhập bị chặn (sai quá nhiều lần)",
	ActionLogout:             "Đăng xuất",
	ActionUserCreate:         "Tạo tài khoản cán bộ",
	ActionUserDisable:        "Khóa tài khoản cán bộ",
	ActionUserEnable:         "Mở khóa tài khoản cán bộ",
	ActionUserPasswordReset:  "Đặt lại mật khẩu (mật khẩu một lần)",
	ActionUserPasswordChange: "Tự đổi mật khẩu",
	ActionUserPasswordFailed: "Đổi mật khẩu không thành công (sai mật khẩu hiện tại)",
	ActionUserUnitMove:       "Chuyển tài khoản sang danh mục đơn vị mới",
	ActionUnitsMigrate:       "Chuyển dữ liệu sang danh mục đơn vị mới",
	ActionExport:             "Tải danh sách đối tượng",
	ActionReportSubmit:       "Gửi báo cáo tháng",
	ActionPaymentList:        "Tải danh sách chi trả",
	ActionAPIClient:          "Đăng ký hệ thống kết nối",
	ActionAPIClientPause:     "Tạm dừng hệ thống kết nối",
	ActionAPIClientResume:    "Cho hệ thống kết nối hoạt động lại",
	ActionAPIClientRevoke:    "Thu hồi hệ thống kết nối",
	ActionResolve:            "Hệ thống kết nối tra cứu tài khoản",
	ActionResolveRefused:     "Từ chối yêu cầu tra cứu của hệ thống kết nối",
	ActionOutboxRetry:        "Gửi lại tin nhắn",
	ActionAuditExport:        "Tải nhật ký thao tác",
}

func init() {
	for k, v := range moreActionLabels {
		if _, ok := actionLabels[k]; !ok {
			actionLabels[k] = v
		}
	}
}

// Messages of the verification queue and review page.
const (
	MsgCheckProxy       = "Nhận thay vào tài khoản của %s: cần xem giấy ủy quyền nhận thay (có xác nhận của UBND xã hoặc công chứng) trước khi xác nhận."
	MsgVerifiedNext     = "Đã xác nhận hồ sơ vừa rồi. Đây là hồ sơ đang chờ tiếp theo."
	MsgVerifiedLast     = "Đã xác nhận. Không còn hồ sơ nào đang chờ."
	MsgRevealedReview   = "Đang hiện đầy đủ các số của hồ sơ này trong 5 phút. Việc xem đã được ghi nhật ký."
	MsgQueueSearchLong  = "Tên tìm kiếm quá dài."
	MsgWaitedToday      = "hôm nay"
	MsgProxyNoProof     = "Chưa có ai ghi nhận đã xem giấy ủy quyền. Người nhận thay cần mang giấy ủy quyền có xác nhận đến UBND xã; xác nhận sau khi đã xem."
	MsgProxyProofSeen   = "Cán bộ đã ghi nhận đã xem: %s"
	MsgNoPhone          = "Không để lại số điện thoại"
	MsgCheckFilter      = "Bộ lọc cảnh báo không hợp lệ."
	MsgBulkInfoOnlyHint = "Chỉ chọn được hồ sơ không có cảnh báo (⚠, ✖). Hồ sơ chỉ có thông tin (ℹ), như căn cước chưa được công an đối chiếu, vẫn xác nhận được."
)

// MsgWaited says how long a submission has waited: "hôm nay", "chờ 3 ngày".
func MsgWaited(days int) string {
	if days <= 0 {
		return MsgWaitedToday
	}
	return fmt.Sprintf("chờ %d ngày", days)
}

// checkLabels name each finding in the queue.
var checkLabels = map[string]string{
	CheckHolderName:             "Tên chủ tài khoản khác",
	CheckAccountShared:          "Tài khoản trùng người khác",
	CheckSeveral:                "Đã gửi nhiều lần",
	CheckIdentity:               "Chưa đối chiếu căn cước",
	CheckIdentity + ".mismatch": "Căn cước không khớp",
	CheckCCCD:                   "Số CCCD cần xem lại",
	CheckBank:                   "Ngân hàng không nhận",
	CheckProxy:                  "Cần xem giấy ủy quyền",
	CheckAccountKind:            "Loại tài khoản",
	"mixed_script":              "Chữ lạ trong tên",
	"":                          "Cần xem lại",
	"info":                      "Thông tin",
}

// Messages of the monthly report page.
const (
	MsgReportConfirm = "Xin đánh dấu ô xác nhận đã xem lại số liệu trước khi gửi. Báo cáo chưa được gửi."
)

// AuditActionList is every audit action people can filter by, ordered by its label.
func AuditActionList() []string {
	out := make([]string, 0, len(actionLabels))
	for a := range actionLabels {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return actionLabels[out[i]] < actionLabels[out[j]] })
	return out
}

// Messages of the units' contacts (issue 15): the settings page and what the public
// pages say about whom to call.
const (
	MsgContactName     = "Hãy nhập họ và tên cán bộ (tối đa 80 ký tự), hoặc để trống cả tên và số điện thoại."
	MsgContactPhone    = "Hãy nhập số điện thoại làm việc: 10 chữ số (di động) hoặc 11 chữ số bắt đầu bằng 02 (máy bàn)."
	MsgContactHours    = "Hãy ghi giờ làm việc ngắn gọn (tối đa 120 ký tự), ví dụ: 7 giờ – 17 giờ, thứ Hai đến thứ Sáu."
	MsgContactZaloOA   = "Hãy dán đường dẫn quan tâm Zalo OA, bắt đầu bằng https://zalo.me/"
	MsgContactSaved    = "Đã lưu thông tin liên hệ. Áp phích, giấy báo và các trang công khai của đơn vị sẽ hiện thông tin mới."
	MsgContactFallback = "Ủy ban nhân dân xã, phường nơi ông/bà sinh sống"
	MsgActionContact   = "Sửa thông tin liên hệ của đơn vị"
)

func init() { actionLabels[ActionContactUpdate] = MsgActionContact }

// Error pages (issue 15): "Lỗi:" before a short title, and always a way on.
const (
	MsgErrorPrefix     = "Lỗi: "
	MsgTitleNotFound   = "Không tìm thấy trang"
	MsgTitleTooMany    = "Xin đợi một lát"
	MsgTitleForbidden  = "Chưa làm được việc này"
	MsgTitleTooLarge   = "Tệp hoặc nội dung quá lớn"
	MsgTitleInternal   = "Hệ thống đang bận"
	MsgTitleBadRequest = "Chưa làm được việc này"
	MsgStartAgain      = "Bắt đầu lại"
	MsgStaffHome       = "Về trang cán bộ"
	MsgChooseCommune   = "Chọn xã, phường của ông/bà"
	MsgCommuneCodeGone = "Không tìm thấy xã, phường có mã này. Có thể mã trên áp phích đã cũ hoặc bị gõ sai. Xin chọn xã, phường nơi ông/bà sinh sống trong danh sách."
)

// The web chat's photo of a bank app's QR code (issue 15).
const (
	MsgChatPhotoMissing = "Chưa nhận được ảnh. Xin chọn hoặc chụp ảnh mã QR nhận tiền trong ứng dụng ngân hàng, rồi bấm Gửi ảnh."
	MsgChatPhotoSaid    = "(Ảnh mã QR nhận tiền)"
)

// Messages of the step-by-step registration form (one question a page).
const (
	// MsgErrorTitle goes before the title of a page that reports an error.
	MsgErrorTitle        = "Lỗi: "
	MsgWhoRequired       = "Hãy chọn tiền trợ cấp chuyển vào tài khoản của ai."
	MsgProxyCCCDRequired = "Hãy nhập số CCCD của người nhận thay."
	MsgProxyCCCDLength   = "Hãy nhập đủ 12 chữ số CCCD của người nhận thay."
	MsgProxyPhoneNeeded  = "Hãy nhập số điện thoại của người nhận thay, 10 chữ số, bắt đầu bằng số 0."
	MsgAuthPhotoType     = "Hãy chọn ảnh chụp giấy ủy quyền (ảnh JPG hoặc PNG)."
	MsgAuthPhotoTooLarge = "Ảnh giấy ủy quyền quá lớn. Hãy chụp lại với cỡ ảnh nhỏ hơn (tối đa 8 MB)."
	MsgAccountOrQR       = "Hãy chọn ảnh mã QR của tài khoản, hoặc chọn ngân hàng và nhập số tài khoản ở dưới."
	MsgAccountNumberNeed = "Hãy nhập số tài khoản, từ 6 đến 19 chữ số."
	MsgHolderChoose      = "Hãy chọn tên chủ tài khoản."
	MsgHolderTyped       = "Hãy nhập tên chủ tài khoản, như trên thẻ hoặc ứng dụng ngân hàng."
	MsgPhoneFormat       = "Hãy nhập số điện thoại 10 chữ số, bắt đầu bằng số 0, ví dụ 0912 345 678."
	MsgIdentityCheckCCCD = "Hãy kiểm tra lại số CCCD."
	MsgIdentityCheckDate = "Hãy kiểm tra lại ngày sinh."
	MsgBirthDayMonth     = "Hãy nhập cả ngày và tháng sinh. Nếu hồ sơ chỉ ghi năm sinh, hãy đăng ký bằng mã QR riêng trên giấy báo của xã, hoặc tại UBND xã."
	MsgCMNDOld           = "Đây là số chứng minh nhân dân cũ (9 chữ số). Hãy nhập số căn cước 12 chữ số: in trên thẻ Căn cước, hoặc xem trong ứng dụng VNeID."
	// MsgTriesLeft: %d tries are left on the CCCD path today.
	MsgTriesLeft = "Còn %d lần thử hôm nay. Nếu nhập sai hết, cách đăng ký bằng số CCCD sẽ tạm khóa đến hết ngày."
	// MsgHolderNeither and MsgHolderNotSelf warn, without refusing, about a typed
	// holder name that is nobody's the form knows.
	MsgHolderNeither = "Tên này khác tên người hưởng và tên người nhận thay. Tiền trợ cấp chỉ chuyển vào tài khoản đứng tên một trong hai người. Hãy kiểm tra lại; nếu đúng là tên này, bấm “Tiếp tục” lần nữa."
	MsgHolderNotSelf = "Tên này khác tên người hưởng. Tiền trợ cấp chỉ chuyển vào tài khoản đứng tên người hưởng (hoặc người nhận thay đã được ủy quyền). Hãy kiểm tra lại; nếu đúng là tên này, bấm “Tiếp tục” lần nữa."
)

// Messages of the account kinds and the payments counted per month (issue 14).
const (
	MsgVNeIDWithoutAccount = "Cột TK VNeID ghi \"có\" nhưng dòng này không có ngân hàng và số tài khoản."
	MsgCheckWallet         = "Đây là ví điện tử, Mobile Money (%s), không phải tài khoản ngân hàng. Loại này có được tính vào tỷ lệ có tài khoản hay không là do cấu hình của từng chương trình."
	MsgCheckVNeID          = "Người đăng ký cho biết đây là tài khoản đã liên kết trên ứng dụng VNeID để nhận an sinh xã hội. Nếu cần, đề nghị người hưởng mở VNeID để xem."
)

// kindLabels name the kinds of account as officers read them.
var kindLabels = map[string]string{
	KindBank:   "tài khoản ngân hàng",
	KindWallet: "ví điện tử, Mobile Money",
	KindVNeID:  "tài khoản liên kết VNeID",
}

// KindLabel names a kind of account in Vietnamese.
func KindLabel(kind string) string {
	if l, ok := kindLabels[kind]; ok {
		return l
	}
	return kind
}

// Messages of the status look-up by CCCD and birth date, of the reminders to people
// with no account yet, and of the officers' reminder action (issue 14).
const (
	// MsgLookupExpired: the result page was opened after its short life, or from
	// another phone.
	MsgLookupExpired = "Kết quả tra cứu chỉ xem được trong ít phút, trên chính điện thoại đã tra cứu. Xin nhập lại số CCCD và ngày sinh."

	// MsgNoticeReminderAccount is the text of a reminder (consultation message or SMS)
	// to a person with no account yet; %s is the payment month as people read it ("12/2026").
	MsgNoticeReminderAccount = "Xin nhắc ông/bà: đến tháng %s ông/bà vẫn chưa có tài khoản nhận trợ cấp. Xin quét mã QR của xã để đăng ký, nhắn \"đăng ký\" cho Zalo của xã, hoặc hỏi cán bộ chính sách xã."

	// MsgRemindersUnit and the others answer the officers' reminder action.
	MsgRemindersUnit  = "Hãy chọn một đơn vị có trong danh mục."
	MsgRemindersOff   = "Chưa bật gửi thông báo cho người hưởng trên hệ thống này."
	MsgRemindersMonth = "Tháng phải có dạng NNNN-TT, ví dụ 2026-11."
)

// ActionAuthorisationView: an officer opened the photo of a proxy's authorisation.
const ActionAuthorisationView = "registration.authorisation_view"

// The legend of the dashboard's month-by-month curve (each line drawn as its mark).
const (
	MsgCurveWithAccount = "— có tài khoản"
	MsgCurveConfirmed   = "- - đã nhận tiền qua TK (lũy kế)"
	MsgCurvePaid        = "··· nhận qua TK trong tháng"
)
