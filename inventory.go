package ansinh

import "fmt"

// The records of processing (Law 91/2025/QH15, Decree 356/2025: the basis of the
// data-protection impact assessment): each set of personal data ansinh processes, why,
// on what basis, where it lives and what of it is sealed, who may see it (from the
// permission table) and how long it is kept (from the settings). `ansinh privacy
// report` prints it with what the running store holds.

// DataSet is one entry of the records of processing.
type DataSet struct {
	Name        string
	Purpose     string
	Basis       string
	Fields      string   // what is collected
	Sensitive   string   // the sensitive part, "" when none
	Collections []string // where it is stored
	Sealed      []string // fields stored only encrypted (AES-256-GCM), as dotted paths
	// Clear are fields kept in clear on purpose though they look like numbers, each
	// with why: the report does not count them as leaks, and says so.
	Clear     map[string]string
	Indexed   string   // what is found through a keyed blind index, "" when nothing
	Viewers   []Action // the actions that show it; Role.Can says who
	Retention func(RetentionConfig) string
}

func days(d interface{ Hours() float64 }) int { return int(d.Hours() / 24) }

// Inventory is the records of processing of this build.
var Inventory = []DataSet{
	{
		Name:    "Danh sách đối tượng hưởng trợ cấp",
		Purpose: "Xác định người hưởng, chi trả trợ cấp hằng tháng, theo dõi tỷ lệ nhận qua tài khoản và báo cáo tháng.",
		Basis: "Nhiệm vụ của cơ quan nhà nước (Nghị định 20/2021/NĐ-CP, 176/2025/NĐ-CP, pháp lệnh ưu đãi người có công; " +
			"Chỉ thị 21/CT-TTg); Luật 91/2025/QH15: xử lý không cần sự đồng ý để thực hiện nhiệm vụ theo luật định.",
		Fields:    "Họ tên, số CCCD, ngày sinh, giới tính, xã, nhóm và mức hưởng, điều kiện mở tài khoản, tài khoản đang nhận, kết quả đối chiếu căn cước, số điện thoại (nếu danh sách có).",
		Sensitive: "Số tài khoản ngân hàng của người nhận.",
		Collections: []string{"beneficiaries", "account_history", "account_refs", "imports", "import_errors", "jobs", "job_files", "job_locks",
			"payment_results", "returned_accounts", "rosters", "paid_people"},
		Sealed:  []string{"cccd_enc", "account.number_enc", "data_enc", "phone_enc"},
		Indexed: "Số CCCD (mã hồ sơ là chỉ mục mù của CCCD), tài khoản (ngân hàng + số).",
		Viewers: []Action{ActView, ActViewPayment, ActReveal, ActRevealCCCD, ActIdentityList, ActPaymentList},
		Retention: func(RetentionConfig) string {
			return "Suốt thời gian hưởng trợ cấp; hồ sơ là hồ sơ chi trả của cơ quan, không tự xóa."
		},
	},
	{
		Name:    "Đăng ký tài khoản nhận trợ cấp",
		Purpose: "Nhận và xác minh tài khoản (của người hưởng hoặc người nhận thay) để chi trả trợ cấp qua tài khoản.",
		Basis: "Sự đồng ý của người đăng ký theo từng mục đích, hiện trước khi gửi, không chọn sẵn, lưu cùng đăng ký (phiên bản " +
			ConsentVersion + ").",
		Fields:    "Ngân hàng, số tài khoản, tên chủ tài khoản, số điện thoại; người nhận thay: họ tên, số CCCD, điện thoại, quan hệ, ảnh giấy ủy quyền (nếu chụp); kênh, thời điểm, sự đồng ý.",
		Sensitive: "Số tài khoản ngân hàng, tên chủ tài khoản.",
		Collections: []string{"registrations", "registrations_accepted", "registration_events", "registration_chain", "queue", "decisions_open", "authorisations",
			"queue_rosters", "decided_rosters"},
		Sealed:  []string{"account_enc", "phone_enc", "proxy.cccd_enc", "proxy.phone_enc", "image_enc"},
		Indexed: "Tài khoản (để báo trùng tài khoản), CCCD người nhận thay.",
		Viewers: []Action{ActViewSubmissions, ActDecide, ActReveal},
		Retention: func(c RetentionConfig) string {
			return fmt.Sprintf("Đăng ký đã xác nhận: suốt thời gian chi trả vào tài khoản đó. Đăng ký bị từ chối hoặc bị thay thế: "+
				"tài khoản, tên chủ tài khoản, điện thoại, người nhận thay được xóa %d ngày sau quyết định (thời hiệu khiếu nại).", days(c.Submissions))
		},
	},
	{
		Name:        "Trò chuyện Zalo và trò chuyện trên web",
		Purpose:     "Đăng ký, tra cứu và hỏi đáp qua trò chuyện; báo kết quả xét duyệt cho người đăng ký qua Zalo.",
		Basis:       "Sự đồng ý khi đăng ký (như trên); yêu cầu của chính người dùng khi tra cứu, hỏi đáp.",
		Fields:      "Mã người dùng Zalo, nội dung tin nhắn (có thể gồm số CCCD, số tài khoản, số điện thoại), trạng thái cuộc trò chuyện, tin nhắn trả lời; bản nháp của mẫu đăng ký trên web đang điền dở.",
		Sensitive:   "Số tài khoản ngân hàng khi người dùng nhắn.",
		Collections: []string{"conversations", "chat_events", "chat_events_pending", "outbox", "outbox_pending", "chat_receipts"},
		Sealed:      []string{"sealed_enc", "body_enc", "payload_enc"},
		Clear:       map[string]string{"user": "mã người dùng Zalo (bí danh Zalo cấp cho Official Account, cần để trả lời), không phải số CCCD, tài khoản hay điện thoại"},
		Viewers:     nil, // no staff page shows a conversation
		Retention: func(c RetentionConfig) string {
			return fmt.Sprintf("Xóa %d ngày sau lần trao đổi cuối; nội dung tin nhắn đã gửi được xóa ngay khi gửi xong.", days(c.Chat))
		},
	},
	{
		Name:        "Thông báo kết quả cho người dân",
		Purpose:     "Báo quyết định của xã và kết quả chi trả cho người đã đồng ý nhận thông báo (Zalo, tin mẫu Zalo theo số điện thoại, SMS).",
		Basis:       "Sự đồng ý riêng khi đăng ký (câu hỏi riêng, không đánh dấu sẵn).",
		Fields:      "Mã người dùng Zalo, số điện thoại, mã đăng ký, loại thông báo; mỗi lần gửi: kênh, loại chi phí, kết quả.",
		Sensitive:   "Không.",
		Collections: []string{"notices", "notices_pending", "notice_attempts"},
		Sealed:      []string{"phone_enc", "params_enc"},
		Clear:       map[string]string{"zalo_user": "mã người dùng Zalo (bí danh Zalo cấp cho Official Account, cần để gửi)"},
		Viewers:     []Action{ActViewPayment},
		Retention: func(c RetentionConfig) string {
			return "Số điện thoại và nội dung được xóa ngay khi thông báo gửi xong hoặc không gửi được; các lần gửi được giữ cùng hồ sơ người hưởng."
		},
	},
	{
		Name:        "Yêu cầu của người dân về dữ liệu cá nhân",
		Purpose:     "Ghi nhận, trả lời đúng hạn yêu cầu xem, sửa dữ liệu, rút lại sự đồng ý.",
		Basis:       "Nghĩa vụ của bên kiểm soát dữ liệu (Luật 91/2025/QH15, Nghị định 356/2025/NĐ-CP).",
		Fields:      "Người yêu cầu (mã hồ sơ), loại yêu cầu, nội dung cần sửa, hạn, câu trả lời, cán bộ trả lời.",
		Collections: []string{"privacy_requests"},
		Viewers:     []Action{ActPrivacyRequests},
		Retention: func(RetentionConfig) string {
			return "Lưu làm bằng chứng thực hiện quyền của chủ thể dữ liệu; không tự xóa."
		},
	},
	{
		Name:        "Nhật ký thao tác",
		Purpose:     "Truy vết ai làm gì với hồ sơ nào, khi nào, từ đâu (mọi lần xem số đầy đủ, mọi thay đổi).",
		Basis:       "Nghĩa vụ bảo đảm an toàn dữ liệu và trách nhiệm giải trình.",
		Fields:      "Cán bộ, vai trò, thao tác, mã hồ sơ, đơn vị, địa chỉ IP, chi tiết không chứa số cá nhân.",
		Collections: []string{"audit"},
		Viewers:     []Action{ActViewSubmissions},
		Retention:   func(RetentionConfig) string { return "Chỉ ghi thêm, không sửa, không xóa." },
	},
	{
		Name:    "Tài khoản cán bộ",
		Purpose: "Đăng nhập, phân quyền theo vai trò và đơn vị.",
		Basis:   "Quan hệ công tác.",
		Fields:  "Tên đăng nhập, vai trò, đơn vị, số điện thoại công tác, mật khẩu (chỉ lưu giá trị băm), phiên đăng nhập (chỉ lưu giá trị băm).",
		// api_clients: tokens of the first mapper, no longer read; attempts: the numbered
		// login and identity attempts of the throttles (usernames, addresses, record ids).
		Collections: []string{"users", "sessions", "login_failures", "api_clients", "attempts"},
		Clear:       map[string]string{"phone": "số điện thoại công tác của cán bộ xã, công bố cho người dân gọi (nút “Gọi cán bộ”)"},
		Viewers:     []Action{ActCreateUsers},
		Retention: func(RetentionConfig) string {
			return "Phiên và lần đăng nhập sai hết hạn tự xóa; tài khoản còn đến khi bị khóa."
		},
	},
	{
		Name:        "Đầu mối liên hệ của xã, phường",
		Purpose:     "Cho người dân biết gọi ai khi cần giúp: trên mọi trang công khai, áp phích, giấy báo và trong trò chuyện.",
		Basis:       "Quan hệ công tác; thông tin công vụ được công bố cho người dân.",
		Fields:      "Họ tên cán bộ đầu mối, số điện thoại công tác, giờ làm việc, đường dẫn Zalo OA; ai sửa, lúc nào.",
		Collections: []string{"contacts"},
		Clear:       map[string]string{"phone": "số điện thoại công tác của cán bộ đầu mối, công bố cho người dân gọi"},
		Viewers:     []Action{ActContact},
		Retention: func(RetentionConfig) string {
			return "Đến khi cán bộ xã sửa hoặc thay đầu mối khác."
		},
	},
	{
		Name:        "Tra cứu tài khoản của hệ thống chi trả (G2P Connect)",
		Purpose:     "Cho hệ thống chi trả đã đăng ký biết tài khoản đã được xã xác minh có đúng của người hưởng không, và khi được phép thì số tài khoản để chuyển tiền.",
		Basis:       "Nhiệm vụ chi trả trợ cấp qua tài khoản; chỉ cho hệ thống được quản trị viên đăng ký, trong đơn vị được giao.",
		Fields:      "Hệ thống chi trả (mã gửi, tên, đơn vị được tra cứu, quyền xem chi tiết, khóa công khai, địa chỉ nhận kết quả), mã thông điệp đã trả lời, kết quả gửi lại chờ chuyển (chứa số tài khoản khi được phép).",
		Sensitive:   "Số tài khoản trong kết quả gửi lại.",
		Collections: []string{"g2p_clients", "g2p_tokens", "g2p_messages", "g2p_callbacks", "g2p_callbacks_pending"},
		Sealed:      []string{"body_enc"},
		Viewers:     []Action{ActAPIClients},
		Retention: func(RetentionConfig) string {
			return "Mã thông điệp tự xóa sau 8 ngày; mã truy cập chỉ lưu giá trị băm; hệ thống bị thu hồi thì không dùng được nữa."
		},
	},
	{
		Name:        "Mã QR riêng",
		Purpose:     "Mở biểu mẫu đăng ký đã biết người hưởng (vẫn hỏi ngày sinh).",
		Basis:       "Nhiệm vụ vận động mở tài khoản.",
		Fields:      "Mã hồ sơ người hưởng, người cấp, hạn dùng; mã không chứa dữ liệu cá nhân.",
		Collections: []string{"qr_tokens", "qr_revocations"},
		Viewers:     []Action{ActIssueQR},
		Retention:   func(RetentionConfig) string { return "Hết hạn sau 180 ngày; có thể thu hồi." },
	},
	{
		Name:        "Sổ theo dõi vi phạm dữ liệu cá nhân",
		Purpose:     "Ghi nhận, báo cáo trong 72 giờ và xử lý vi phạm.",
		Basis:       "Nghĩa vụ thông báo vi phạm (Luật 91/2025/QH15).",
		Fields:      "Thời điểm phát hiện, mô tả, loại dữ liệu và số người bị ảnh hưởng, biện pháp, việc báo cáo.",
		Collections: []string{"breaches"},
		Viewers:     []Action{ActBreaches},
		Retention:   func(RetentionConfig) string { return "Lưu làm hồ sơ; không tự xóa." },
	},
}

// OperationalCollections hold no personal data: counters (also those paid each month),
// snapshots, reports (figures),
// the schema, leases, rate windows, the OA token, unit sets.
var OperationalCollections = []string{"schema", "counters", "snapshots", "reports", "claims", "locks", "rate", "tokens",
	"unit_sets", "unit_migration", "retention", "paid_counters"}
