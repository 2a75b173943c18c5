package i18n

// vi are the public pages' texts in Vietnamese, by id: the default, and the fallback
// of every other catalog.
var vi = map[string]string{
	// The layout.
	"layout.switch":        "Ngôn ngữ",
	"contact.title":        "Cần giúp?",
	"contact.call":         "Gọi cán bộ",
	"contact.hours":        "Giờ làm việc:",
	"contact.fallback":     "Xin hỏi cán bộ chính sách tại %s.",
	"contact.fallbackText": "Ủy ban nhân dân xã, phường nơi ông/bà sinh sống",
	"layout.free":          "Dịch vụ miễn phí.",

	// The start page.
	"start.title":      "Đăng ký tài khoản nhận trợ cấp",
	"start.h1":         "Đăng ký tài khoản nhận trợ cấp hằng tháng",
	"start.lead":       "Ông/bà đang hưởng trợ cấp bảo trợ xã hội, trợ cấp hưu trí xã hội hoặc trợ cấp người có công ở %s? Hãy báo số tài khoản ngân hàng để tiền trợ cấp được chuyển thẳng vào tài khoản mỗi tháng.",
	"start.who":        "Ai đăng ký được",
	"start.who.self":   "Chính người đang hưởng trợ cấp.",
	"start.who.proxy":  "Người nhà đăng ký giúp, hoặc người nhận thay (cần giấy ủy quyền có xác nhận của UBND xã, phường).",
	"start.bring":      "Cần chuẩn bị",
	"start.bring.id":   "Thẻ Căn cước hoặc Căn cước công dân (CCCD) của người hưởng: số gồm 12 chữ số.",
	"start.bring.bank": "Ứng dụng ngân hàng trên điện thoại (để chụp mã QR nhận tiền), hoặc tên ngân hàng và số tài khoản.",
	"start.bring.tel":  "Một số điện thoại để nhận kết quả (không bắt buộc).",
	"start.time":       "Mất khoảng 5 phút. Hoàn toàn miễn phí. Cán bộ không bao giờ hỏi mật khẩu hay mã OTP.",
	"start.choose":     "Chọn xã, phường nơi ông/bà sinh sống",
	"start.qr":         "Nếu có giấy báo hoặc áp phích có mã QR, ông/bà chỉ cần quét mã đó.",
	"start.search":     "Tìm theo tên xã, phường",
	"start.searchBtn":  "Tìm",
	"start.example":    "Ví dụ: Vĩnh Châu",
	"start.found":      "%d xã, phường có tên “%s”.",
	"start.all":        "Xem cả %d xã, phường",
	"start.none":       "Không có xã, phường nào có tên này. Hãy gõ ít chữ hơn, có dấu hay không dấu đều được.",
	"start.other":      "Cách khác",
	"start.lookup":     "Đã đăng ký? Tra cứu kết quả",
	"start.zalo":       "Đăng ký qua Zalo: quan tâm Zalo OA rồi nhắn “đăng ký”",
	"start.chat":       "Đăng ký bằng cách trò chuyện, từng câu một",
	"start.staff":      "Cán bộ đăng nhập",

	// Error pages.
	"error.chooseCommune": "Chọn xã, phường",
	"error.lookup":        "Tra cứu kết quả",

	// The chat.
	"chat.title":     "Trò chuyện đăng ký tài khoản",
	"chat.masked":    "Các số CCCD, số tài khoản, số điện thoại hiện lại chỉ với 4 chữ số cuối.",
	"chat.history":   "Cuộc trò chuyện",
	"chat.me":        "Ông/bà:",
	"chat.call":      "Gọi cán bộ:",
	"chat.say":       "Nhắn tin",
	"chat.digits":    "Chỉ cần gõ các chữ số.",
	"chat.send":      "Gửi",
	"chat.photo":     "Gửi ảnh mã QR nhận tiền trong ứng dụng ngân hàng",
	"chat.photoHint": "Hệ thống đọc tên ngân hàng và số tài khoản từ ảnh, ông/bà không cần gõ.",
	"chat.photoSend": "Gửi ảnh",
	"chat.commands":  "Gõ “hủy” để dừng, “làm lại” để bắt đầu lại, “gặp cán bộ” để gọi cán bộ xã.",
}
