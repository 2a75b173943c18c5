package ansinh

// Messages of the account kinds and the payments counted per month (issue 14).
const (
	MsgVNeIDWithoutAccount = "Cột TK VNeID ghi \"có\" nhưng dòng này không có ngân hàng và số tài khoản."
	MsgCheckWallet         = "Đây là ví điện tử, Mobile Money (%s), không phải tài khoản ngân hàng. Loại này có được tính vào tỷ lệ có tài khoản hay không là do cấu hình của từng chương trình."
	MsgCheckVNeID          = "Người đăng ký cho biết đây là tài khoản đã liên kết trên ứng dụng VNeID để nhận an sinh xã hội. Nếu cần, đề nghị người hưởng mở VNeID để xem."
)

// The label of the account kind's finding in the queue.
func init() { checkLabels[CheckAccountKind] = "Loại tài khoản" }

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
