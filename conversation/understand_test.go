package conversation

import "testing"

// TestUnderstand maps messages as beneficiaries and their relatives type them on Zalo
// (with and without accents, abbreviations, typos, mixed case) to intents and values.
func TestUnderstand(t *testing.T) {
	tests := []struct {
		name, text string
		want       Intent
	}{
		// greeting
		{"greeting accents", "Xin chào", Intent{Name: IntentGreeting}},
		{"greeting no accents", "chao ban", Intent{Name: IntentGreeting}},
		{"greeting alo", "Alo", Intent{Name: IntentGreeting}},
		{"greeting hello ad", "hello ad", Intent{Name: IntentGreeting}},
		{"greeting menu button", "Về menu", Intent{Name: IntentGreeting}},
		{"greeting start", "Bắt đầu", Intent{Name: IntentGreeting}},

		// register
		{"register button", "Đăng ký tài khoản", Intent{Name: IntentRegister}},
		{"register no accents", "dang ky tai khoan", Intent{Name: IntentRegister}},
		{"register sentence", "tôi muốn đăng ký nhận trợ cấp qua tài khoản", Intent{Name: IntentRegister}},
		{"register abbreviations", "dk stk", Intent{Name: IntentRegister}},
		{"register ki for ky", "đăng kí", Intent{Name: IntentRegister}},
		{"register doubled letters upper case", "DANG KYYY", Intent{Name: IntentRegister}},
		{"register polite southern", "Em muon dang ki nhan tien qua ngan hang a", Intent{Name: IntentRegister}},
		{"register change account", "đổi số tài khoản", Intent{Name: IntentRegister}},
		{"register by card", "tôi muốn nhận tiền trợ cấp qua thẻ ATM", Intent{Name: IntentRegister}},

		// status
		{"status with dashed receipt", "tra cứu AB2C3-D4E5F", Intent{Name: IntentStatus, Value: "AB2C3D4E5F"}},
		{"status lower case no accents", "tra cuu ab2c3d4e5f", Intent{Name: IntentStatus, Value: "AB2C3D4E5F"}},
		{"status bare receipt", "AB2C3-D4E5F", Intent{Name: IntentStatus, Value: "AB2C3D4E5F"}},
		{"status receipt with space", "tra cuu ma HKM7P 3QRST", Intent{Name: IntentStatus, Value: "HKM7P3QRST"}},
		{"status receipt in sentence", "mã biên nhận của tôi là XYZ23-45678", Intent{Name: IntentStatus, Value: "XYZ2345678"}},
		{"status receipt without digits after tra cuu", "tra cứu ABCDE FGHJK", Intent{Name: IntentStatus, Value: "ABCDEFGHJK"}},
		{"status button", "Tra cứu", Intent{Name: IntentStatus}},
		{"status joined typo", "tracuu", Intent{Name: IntentStatus}},
		{"status check file", "kiểm tra hồ sơ", Intent{Name: IntentStatus}},
		{"status approved yet", "hồ sơ của bác duyệt chưa", Intent{Name: IntentStatus}},
		{"status money arrived", "tiền tháng này đã về chưa", Intent{Name: IntentStatus}},
		{"status by identity button", "Tra cứu bằng CCCD", Intent{Name: IntentStatusID}},
		{"status lost receipt", "quên mã biên nhận rồi", Intent{Name: IntentStatusID}},

		// help
		{"help where button", "Mở tài khoản ở đâu?", Intent{Name: IntentHelpWhere}},
		{"help where abbreviations", "mo tk o dau", Intent{Name: IntentHelpWhere}},
		{"help where no account", "bác chưa có tài khoản ngân hàng", Intent{Name: IntentHelpWhere}},
		{"help where guide button", "Hướng dẫn mở tài khoản", Intent{Name: IntentHelpWhere}},
		{"help where card", "làm thẻ ATM ở đâu vậy", Intent{Name: IntentHelpWhere}},
		{"help free button", "Có mất phí không?", Intent{Name: IntentHelpFree}},
		{"help free abbreviations", "co mat phi ko", Intent{Name: IntentHelpFree}},
		{"help free opening costs", "mở tài khoản có tốn tiền không", Intent{Name: IntentHelpFree}},
		{"help free southern", "miễn phí hả", Intent{Name: IntentHelpFree}},
		{"help bring button", "Cần mang gì?", Intent{Name: IntentHelpBring}},
		{"help bring j", "can mang theo giay to j", Intent{Name: IntentHelpBring}},
		{"help bring long", "đi mở tài khoản cần những gì", Intent{Name: IntentHelpBring}},
		{"help proxy button", "Ai được nhận thay?", Intent{Name: IntentHelpProxy}},
		{"help proxy child", "con tôi nhận thay được không", Intent{Name: IntentHelpProxy}},
		{"help proxy authorisation", "uy quyen la gi", Intent{Name: IntentHelpProxy}},
		{"help general", "hướng dẫn", Intent{Name: IntentHelp}},

		// officer
		{"officer button", "Gặp cán bộ", Intent{Name: IntentOfficer}},
		{"officer no accents", "gap can bo xa", Intent{Name: IntentOfficer}},
		{"officer real person", "cho toi noi chuyen voi nguoi that", Intent{Name: IntentOfficer}},
		{"officer phone abbreviation", "sdt can bo", Intent{Name: IntentOfficer}},
		{"officer cb", "gặp cb", Intent{Name: IntentOfficer}},

		// cancel and restart
		{"cancel", "hủy", Intent{Name: IntentCancel}},
		{"cancel other composition", "Huỷ", Intent{Name: IntentCancel}},
		{"cancel doubled letters", "huyyy", Intent{Name: IntentCancel}},
		{"cancel telex leftover", "huyr", Intent{Name: IntentCancel}},
		{"cancel sentence", "thôi không đăng ký nữa", Intent{Name: IntentCancel}},
		{"cancel polite", "tôi muốn hủy ạ", Intent{Name: IntentCancel}},
		{"restart", "làm lại", Intent{Name: IntentRestart}},
		{"restart no accents", "lam lai tu dau", Intent{Name: IntentRestart}},
		{"restart begin again", "Bắt đầu lại", Intent{Name: IntentRestart}},
		{"restart register again", "đăng ký lại", Intent{Name: IntentRestart}},

		// yes and no
		{"yes agree button", "Đồng ý", Intent{Name: IntentYes}},
		{"yes agree no accents", "dong y", Intent{Name: IntentYes}},
		{"yes ok", "OK", Intent{Name: IntentYes}},
		{"yes right polite", "Đúng rồi ạ", Intent{Name: IntentYes}},
		{"yes vang", "vâng", Intent{Name: IntentYes}},
		{"yes da co", "dạ có", Intent{Name: IntentYes}},
		{"yes uk", "uk", Intent{Name: IntentYes}},
		{"yes send button", "Gửi", Intent{Name: IntentYes}},
		{"no disagree button", "Không đồng ý", Intent{Name: IntentNo}},
		{"no ko", "ko", Intent{Name: IntentNo}},
		{"no k", "k", Intent{Name: IntentNo}},
		{"no wrong", "sai rồi", Intent{Name: IntentNo}},
		{"no southern hong", "hông", Intent{Name: IntentNo}},

		// self and proxy
		{"self button", "Chính người hưởng", Intent{Name: IntentSelf}},
		{"self no accents", "chinh toi", Intent{Name: IntentSelf}},
		{"self my account", "tai khoan cua toi", Intent{Name: IntentSelf}},
		{"self me", "tôi", Intent{Name: IntentSelf}},
		{"proxy button", "Người nhận thay", Intent{Name: IntentProxy}},
		{"proxy abbreviation ng", "ng nhan thay", Intent{Name: IntentProxy}},
		{"proxy child of", "tôi là con của bà", Intent{Name: IntentProxy}},
		{"proxy register for mother", "đăng ký hộ mẹ", Intent{Name: IntentProxy}},

		// skip, edit, other bank
		{"skip button", "Bỏ qua", Intent{Name: IntentSkip}},
		{"skip no accents", "bo qua", Intent{Name: IntentSkip}},
		{"skip none", "không có", Intent{Name: IntentSkip}},
		{"skip no phone abbreviations", "ko co sdt", Intent{Name: IntentSkip}},
		{"edit button", "Sửa lại", Intent{Name: IntentEdit}},
		{"edit name button", "Sửa tên", Intent{Name: IntentEdit}},
		{"other bank button", "Ngân hàng khác", Intent{Name: IntentOtherBank}},
		{"other bank abbreviation", "nh khac", Intent{Name: IntentOtherBank}},

		// CCCD
		{"cccd 12 digits", "094050001234", Intent{Name: IntentCCCD, Value: "094050001234"}},
		{"cccd with spaces", "094 050 001 234", Intent{Name: IntentCCCD, Value: "094050001234"}},
		{"cccd 11 digits", "94050001234", Intent{Name: IntentCCCD, Value: "094050001234"}},
		{"cccd with dots in sentence", "cccd của bác là 094.050.001.234", Intent{Name: IntentCCCD, Value: "094050001234"}},

		// dates
		{"date slashes", "5/3/1950", Intent{Name: IntentDate, Value: "1950-03-05"}},
		{"date dashes", "05-03-1950", Intent{Name: IntentDate, Value: "1950-03-05"}},
		{"date spaces", "5 3 1950", Intent{Name: IntentDate, Value: "1950-03-05"}},
		{"date words", "ngày 5 tháng 3 năm 1950", Intent{Name: IntentDate, Value: "1950-03-05"}},
		{"date words no accents", "ngay 5 thang 3 nam 1950", Intent{Name: IntentDate, Value: "1950-03-05"}},
		{"date mung", "mùng 5 tháng 3 năm 1950", Intent{Name: IntentDate, Value: "1950-03-05"}},
		{"date iso", "1950-03-05", Intent{Name: IntentDate, Value: "1950-03-05"}},

		// banks
		{"bank short name", "Agribank", Intent{Name: IntentBank, Value: "970405"}},
		{"bank lower case", "vietcombank", Intent{Name: IntentBank, Value: "970436"}},
		{"bank vietnamese name", "ngân hàng nông nghiệp", Intent{Name: IntentBank, Value: "970405"}},
		{"bank doubled letter typo", "viettinbank", Intent{Name: IntentBank, Value: "970415"}},
		{"bank upper case", "BIDV", Intent{Name: IntentBank, Value: "970418"}},
		{"bank old name", "ngan hang buu dien lien viet", Intent{Name: IntentBank, Value: "970449"}},
		{"bank abbreviation", "MB", Intent{Name: IntentBank, Value: "970422"}},
		{"bank with filler", "nh sacombank", Intent{Name: IntentBank, Value: "970403"}},

		// numbers
		{"account number", "123456789", Intent{Name: IntentNumber, Value: "123456789"}},
		{"account number said so", "stk 1903 5678 9012", Intent{Name: IntentNumber, Value: "190356789012"}},
		{"phone", "0912345678", Intent{Name: IntentPhone, Value: "0912345678"}},
		{"phone with spaces", "0912 345 678", Intent{Name: IntentPhone, Value: "0912345678"}},
		{"phone international", "+84 912 345 678", Intent{Name: IntentPhone, Value: "0912345678"}},

		// accents that matter, thanks, swapped letters
		{"stop with accents", "dừng", Intent{Name: IntentCancel}},
		{"right without accents", "dung", Intent{Name: IntentYes}},
		{"thanks", "cảm ơn nhiều", Intent{Name: IntentThanks}},
		{"thanks no accents", "cam on ban", Intent{Name: IntentThanks}},
		{"swapped letters", "dnag ky", Intent{Name: IntentRegister}},
		{"one letter wrong", "gặp cán bô", Intent{Name: IntentOfficer}},

		// unknown
		{"gibberish", "asdfgh", Intent{Name: IntentUnknown}},
		{"small talk", "trời hôm nay đẹp quá", Intent{Name: IntentUnknown}},
		{"empty", "   ", Intent{Name: IntentUnknown}},
		{"a name is not a command", "Nguyễn Văn Sáu", Intent{Name: IntentUnknown}},
		{"a name is not a receipt", "Trần Văn Nam", Intent{Name: IntentUnknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Understand(tt.text); got != tt.want {
				t.Errorf("Understand(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
	if len(tests) < 60 {
		t.Fatalf("only %d messages", len(tests))
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"day month year", "5/3/1950", "1950-03-05"},
		{"eight digits", "05031950", "1950-03-05"},
		{"sentence", "bác sinh ngày 05 tháng 03 năm 1950 ạ", "1950-03-05"},
		{"impossible", "31/2/1950", ""},
		{"future", "1/1/2999", ""},
		{"two-digit year", "5/3/50", ""},
		{"before 1900", "1/1/1850", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := parseDate(tt.text, testNow)
			if got != tt.want {
				t.Errorf("parseDate(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
