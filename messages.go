package ansinh

// Every sentence a user reads that comes from Go code is here, in Vietnamese.
const (
	MsgInvalidInput     = "Thông tin gửi lên chưa hợp lệ. Vui lòng kiểm tra lại."
	MsgMalformedJSON    = "Dữ liệu gửi lên không đúng định dạng JSON."
	MsgWrongType        = "Giá trị không đúng kiểu dữ liệu."
	MsgNeedJSON         = "Yêu cầu phải gửi dữ liệu dạng JSON (Content-Type: application/json)."
	MsgInternal         = "Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút."
	MsgNotFound         = "Không tìm thấy trang hoặc dữ liệu yêu cầu."
	MsgUnauthorized     = "Vui lòng đăng nhập để tiếp tục."
	MsgForbidden        = "Bạn không có quyền thực hiện thao tác này."
	MsgTooLarge         = "Dữ liệu gửi lên quá lớn."
	MsgTooManyRequests  = "Bạn đã thử quá nhiều lần. Vui lòng đợi rồi thử lại."
	MsgTimeout          = "Yêu cầu mất quá nhiều thời gian. Vui lòng thử lại."
	MsgMethodNotAllowed = "Phương thức không được hỗ trợ cho địa chỉ này."
	MsgBadRequest       = "Yêu cầu không hợp lệ."
	MsgConflict         = "Dữ liệu đã tồn tại hoặc vừa được người khác thay đổi."

	MsgLoginFailed      = "Tên đăng nhập hoặc mật khẩu không đúng."
	MsgLoginThrottled   = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."
	MsgAccountDisabled  = "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên."
	MsgRequired         = "Vui lòng nhập thông tin này."
	MsgUsernameRule     = "Tên đăng nhập gồm 3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới hoặc gạch ngang."
	MsgPasswordRule     = "Mật khẩu phải có từ 10 đến 128 ký tự."
	MsgUnknownRole      = "Vai trò không hợp lệ. Chọn một trong: admin, province, district, commune, police."
	MsgUnknownUnit      = "Không có đơn vị hành chính với mã này."
	MsgUnitOutOfScope   = "Đơn vị này nằm ngoài phạm vi quản lý của bạn."
	MsgRoleAboveOwn     = "Bạn không thể tạo tài khoản có vai trò cao hơn vai trò của mình."
	MsgCannotCreate     = "Vai trò của bạn không được tạo tài khoản."
	MsgRoleUnitMismatch = "Vai trò này không phù hợp với cấp của đơn vị đã chọn."
	MsgUsernameTaken    = "Tên đăng nhập này đã có người dùng."
	MsgUserUnitGone     = "Đơn vị của tài khoản không còn trong danh mục. Vui lòng liên hệ quản trị viên."
)

var roleLabels = map[Role]string{
	RoleAdmin:    "Quản trị hệ thống",
	RoleProvince: "Cán bộ Sở Lao động – Thương binh và Xã hội",
	RoleDistrict: "Cán bộ Phòng Lao động – Thương binh và Xã hội",
	RoleCommune:  "Cán bộ chính sách xã, phường, thị trấn",
	RolePolice:   "Cán bộ công an phối hợp",
}

// Label is the role's name as staff read it.
func (r Role) Label() string { return roleLabels[r] }
