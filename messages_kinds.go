package ansinh

// Messages of the account kinds and the payments counted per month (issue 14).
const (
	MsgVNeIDWithoutAccount = "Cột TK VNeID ghi \"có\" nhưng dòng này không có ngân hàng và số tài khoản."
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
