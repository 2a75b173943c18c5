package ansinh

// Messages of the status look-up by CCCD and birth date, of the reminders to people
// with no account yet, and of the officers' reminder action (issue 14).
const (
	// MsgLookupTitle is the title of the look-up by CCCD and birth date.
	MsgLookupTitle = "Tra cứu bằng số CCCD và ngày sinh"
	// MsgLookupExpired: the result page was opened after its short life, or from
	// another phone.
	MsgLookupExpired = "Kết quả tra cứu chỉ xem được trong ít phút, trên chính điện thoại đã tra cứu. Xin nhập lại số CCCD và ngày sinh."

	// MsgNoticeReminderAccount is the text of a reminder (consultation message or SMS)
	// to a person with no account yet; %s is the payment month.
	MsgNoticeReminderAccount = "Xin nhắc ông/bà: đến tháng %s ông/bà vẫn chưa có tài khoản nhận trợ cấp. Xin quét mã QR của xã để đăng ký, nhắn \"đăng ký\" cho Zalo của xã, hoặc hỏi cán bộ chính sách xã."

	// MsgRemindersUnit and the others answer the officers' reminder action.
	MsgRemindersUnit  = "Hãy chọn một đơn vị có trong danh mục."
	MsgRemindersOff   = "Chưa bật gửi thông báo cho người hưởng trên hệ thống này."
	MsgRemindersMonth = "Tháng phải có dạng NNNN-TT, ví dụ 2026-11."
)

func init() {
	if _, ok := actionLabels[ActionNoticeReminders]; !ok {
		actionLabels[ActionNoticeReminders] = "Gửi nhắc đăng ký tài khoản"
	}
}
