package conversation

import "ansinh"

// Every sentence of the conversation, in plain Vietnamese. The person is called
// "ông/bà", as on the web form, and the bot never calls itself "mình": it speaks of
// "hệ thống" or not of itself at all. The messages shared with the form come from
// package ansinh.

// The menu and the general answers.
const (
	msgWelcome       = "Xin chào! Đây là kênh đăng ký tài khoản nhận trợ cấp xã hội. Dịch vụ hoàn toàn miễn phí."
	msgMenu          = "Ông/bà cần làm gì? Xin bấm một nút dưới đây."
	msgNotUnderstood = "Xin lỗi, hệ thống chưa hiểu ý ông/bà."
	msgEmpty         = "Chưa nhận được chữ nào."
	msgIdle          = "Cuộc trò chuyện đã dừng hơn 30 phút, nên đã bắt đầu lại từ đầu để giữ an toàn thông tin của ông/bà."
	msgCancelled     = "Đã hủy. Các thông tin ông/bà vừa nhập đã được xóa."
	msgRestarted     = "Vâng, xin bắt đầu lại từ đầu."
	msgOfferOfficer  = "Nếu thấy khó, ông/bà có thể nhờ cán bộ xã giúp."
	msgQRLater       = "Đã nhận ảnh mã QR tài khoản. Ảnh này dùng ở bước chọn ngân hàng: xin ông/bà gửi lại khi được hỏi đến."
	msgHelpTopics    = "Ông/bà muốn hỏi điều gì? Xin bấm một câu dưới đây."
	msgContinue      = "Xin hỏi tiếp."
	msgChoose        = "Xin ông/bà bấm một nút bên dưới."
	msgThanks        = "Rất vui được giúp ông/bà."
)

// Help topics.
const (
	msgHelpWhere = "Ông/bà có thể mở tài khoản ở chi nhánh hoặc phòng giao dịch của ngân hàng gần nhà, ví dụ Agribank, VietinBank, BIDV, Vietcombank, LPBank. " +
		"Nói với nhân viên ngân hàng là mở tài khoản để nhận trợ cấp xã hội. Người già yếu, không đi lại được, hãy báo cán bộ xã để được giúp."
	msgHelpFree = "Đăng ký nhận trợ cấp qua tài khoản hoàn toàn miễn phí. Mở tài khoản thanh toán thường không mất phí; nếu ngân hàng thu phí (ví dụ phí tin nhắn), họ phải báo trước cho ông/bà. " +
		"Cán bộ không bao giờ hỏi mật khẩu hay mã OTP của ông/bà."
	msgHelpBring = "Khi đi mở tài khoản, ông/bà mang theo Căn cước công dân (CCCD) bản gốc và số điện thoại đang dùng. " +
		"Người nhận thay mang theo CCCD riêng của người nhận thay và giấy ủy quyền có xác nhận của UBND xã."
	msgHelpProxy = "Nếu người hưởng không tự mở được tài khoản, có thể ủy quyền cho một người khác nhận thay vào tài khoản của người đó, thường là con, cháu, vợ hoặc chồng. " +
		"Cần có giấy ủy quyền có xác nhận của UBND xã. Người nhận thay phải là người khác, có CCCD riêng."
)

// The officer.
const (
	msgOfficerPhone   = "Ông/bà có thể gọi cán bộ %s theo số %s."
	msgOfficerHours   = "Giờ làm việc: %s."
	msgOfficerOffice  = "Giờ làm việc: trong giờ hành chính."
	msgOfficerGeneral = "Xin ông/bà liên hệ cán bộ chính sách ở Ủy ban nhân dân xã, phường nơi người hưởng sinh sống. Cán bộ sẽ giúp ông/bà đăng ký."
)

// Registration: identity.
const (
	msgAskCCCD       = "Xin gõ số Căn cước (CCCD) của người hưởng trợ cấp, gồm 12 chữ số in trên thẻ. Nếu ông/bà đăng ký giúp người nhà, xin gõ số của người nhà."
	msgCCCDNoted     = "Đã ghi số CCCD %s."
	msgAskBirth      = "Người hưởng sinh ngày nào? Ví dụ: 5/3/1950."
	msgAskCCCDAgain  = "Mời ông/bà gõ lại số CCCD của người hưởng."
	msgFound         = "Đã tìm thấy hồ sơ của %s."
	msgHasAccount    = "Hồ sơ đang nhận trợ cấp qua tài khoản %s. Đăng ký mới sẽ thay tài khoản này sau khi xã xác nhận."
	msgAskBirthAgain = "Số CCCD %s vẫn được giữ. Xin gõ lại ngày sinh của người hưởng, ví dụ 5/3/1950. Nếu số CCCD sai, bấm Gõ lại số CCCD."
)

// Registration: who receives the money.
const (
	msgAskWho           = "Tiền trợ cấp sẽ chuyển vào tài khoản của ai?"
	msgAskProxyName     = "Họ và tên của người nhận thay là gì?"
	msgProxyNameInvalid = "Họ tên chỉ gồm chữ cái, không có chữ số."
	msgAskProxyCCCD     = "Số CCCD của người nhận thay là gì? (12 chữ số)"
	msgProxyCCCDNoted   = "Đã ghi số CCCD người nhận thay %s."
	msgAskProxyPhone    = "Số điện thoại của người nhận thay là gì?"
	msgAskRelation      = "Người nhận thay là gì của người hưởng? Bấm một nút, hoặc gõ, ví dụ: con dâu."
)

// Registration: the account.
const (
	msgAskBank          = "Tài khoản mở ở ngân hàng nào? Ông/bà cũng có thể gửi ảnh chụp mã QR nhận tiền (VietQR) trong ứng dụng ngân hàng."
	msgAskBankName      = "Xin gõ tên ngân hàng, ví dụ: Sacombank, MB, Techcombank."
	msgBankSuggest      = "Có phải một trong các ngân hàng này không?"
	msgAskAccount       = "Số tài khoản ở %s là gì? Chỉ cần gõ các chữ số. Ông/bà cũng có thể gửi ảnh mã QR nhận tiền."
	msgAccountNoted     = "Đã ghi số tài khoản %s."
	msgQRRead           = "Đã đọc mã QR: ngân hàng %s, số tài khoản %s."
	msgAskHolder        = "Tên chủ tài khoản là gì? Gõ đúng như trên thẻ hoặc ứng dụng ngân hàng, có dấu hay không dấu đều được."
	msgAskHolderSuggest = "Nếu tên chủ tài khoản là %s, xin bấm vào nút tên đó."
	msgHolderConfirm    = "Ngân hàng in tên chủ tài khoản là: %s. Đúng không?"
	msgAskPhone         = "Số điện thoại để báo kết quả và để cán bộ xã liên hệ khi cần là số nào? Nếu không có, bấm Bỏ qua."
)

// Registration: consent, summary, receipt.
const (
	msgConsent = "Để trả trợ cấp vào tài khoản, chúng tôi lưu số CCCD, ngày sinh, số tài khoản, tên chủ tài khoản, số điện thoại (và thông tin người nhận thay, nếu có). " +
		"Thông tin chỉ dùng để chi trả trợ cấp, được mã hóa, chỉ cán bộ phụ trách xem được, và được xóa khi không còn cần, theo Luật Bảo vệ dữ liệu cá nhân. " +
		"\nÔng/bà có đồng ý không?"
	msgConsentRefused  = "Nếu không đồng ý, ông/bà có thể hủy đăng ký, hoặc hỏi cán bộ xã về cách nhận trợ cấp khác."
	msgSummary         = "Xin ông/bà kiểm tra lại thông tin:"
	msgSummaryPerson   = "Người hưởng: %s"
	msgSummarySelf     = "Nhận tiền: chính người hưởng"
	msgSummaryProxy    = "Nhận tiền: người nhận thay %s (%s), CCCD %s, điện thoại %s"
	msgSummaryBank     = "Ngân hàng: %s"
	msgSummaryAccount  = "Số tài khoản: %s"
	msgSummaryHolder   = "Chủ tài khoản: %s"
	msgSummaryPhone    = "Điện thoại liên hệ: %s"
	msgSummaryNoPhone  = "Điện thoại liên hệ: không có"
	msgSummaryNotify   = "Nhận thông báo kết quả: có"
	msgSummaryNoNotify = "Nhận thông báo kết quả: không"
	msgAskNotify       = "Khi xã xét duyệt xong hoặc khi có kết quả chuyển tiền, ông/bà có muốn được báo qua Zalo (hoặc tin nhắn SMS đến số điện thoại đã cho) không? Thông báo chỉ gửi từ 6 giờ sáng đến 10 giờ tối. Không nhận thì ông/bà vẫn tra cứu được bằng mã biên nhận."
	msgSummaryAsk      = "Nếu đúng, bấm Gửi. Nếu cần sửa, bấm Sửa lại."
	msgAskEdit         = "Ông/bà muốn sửa phần nào?"
	msgReceipt         = "Đã nhận đăng ký. Mã biên nhận của ông/bà: %s\nXin chụp màn hình hoặc ghi lại mã này."
	msgFollowUp        = "Cán bộ xã sẽ kiểm tra trong vài ngày. Muốn xem kết quả, xin bấm nút dưới đây hoặc gõ: tra cứu %s"
	msgAlreadySent     = "Đăng ký của ông/bà đã được gửi rồi, mã biên nhận %s. Không cần gửi lại."
	msgSubmitProblem   = "Chưa gửi được đăng ký."
)

// Status look-up.
const (
	msgAskReceipt      = "Xin gõ mã biên nhận (10 ký tự, ví dụ AB2C3-D4E5F). Nếu không có mã, bấm Tra cứu bằng CCCD."
	msgLookupCCCD      = "Để tra cứu, xin gõ số CCCD của người hưởng (12 chữ số)."
	msgStatus          = "Đăng ký mã %s: %s"
	msgStatusReason    = "Lý do: %s"
	msgStatusPending   = "Cán bộ xã sẽ kiểm tra trong vài ngày."
	msgStatusAgain     = "Ông/bà có thể đăng ký lại với thông tin đúng."
	msgNoRegistration  = "Chưa có đăng ký tài khoản nào cho người hưởng này."
	msgReceiptNotFound = ansinh.MsgReceiptNotFound
)

// Button titles. Each button's payload is its title, or a phrase Understand reads the
// same way, so that a channel showing buttons as suggested text works too.
const (
	btnRegister     = "Đăng ký tài khoản"
	btnRegisterNew  = "Đăng ký lại"
	btnStatus       = "Tra cứu"
	btnStatusByID   = "Tra cứu bằng CCCD"
	btnHowToOpen    = "Hướng dẫn mở tài khoản"
	btnOfficer      = "Gặp cán bộ"
	btnMenu         = "Về menu"
	btnSelf         = "Chính người hưởng"
	btnProxy        = "Người nhận thay"
	btnOtherBank    = "Ngân hàng khác"
	btnYesRight     = "Đúng"
	btnFixName      = "Sửa tên"
	btnSkip         = "Bỏ qua"
	btnAgree        = "Đồng ý"
	btnDisagree     = "Không đồng ý"
	btnNotifyYes    = "Có"
	btnNotifyNo     = "Không"
	btnCancel       = "Hủy đăng ký"
	btnSend         = "Gửi"
	btnEdit         = "Sửa lại"
	btnEditWho      = "Người nhận tiền"
	btnEditBank     = "Ngân hàng và số tài khoản"
	btnEditHolder   = "Tên chủ tài khoản"
	btnEditPhone    = "Số điện thoại"
	btnEditNone     = "Không sửa"
	btnHelpWhere    = "Mở tài khoản ở đâu?"
	btnHelpFree     = "Có mất phí không?"
	btnHelpBring    = "Cần mang gì?"
	btnHelpProxy    = "Ai được nhận thay?"
	btnStatusPrefix = "Tra cứu "
	btnRetypeCCCD   = "Gõ lại số CCCD"
)

// relations are the relationship buttons of a proxy.
var relations = []string{"Con", "Cháu", "Vợ", "Chồng", "Anh chị em"}
