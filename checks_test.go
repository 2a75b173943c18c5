package ansinh_test

import (
	"testing"

	"ansinh"
)

// TestCheckLabels: every finding has a Vietnamese label and a sign; information alone
// never blocks.
func TestCheckLabels(t *testing.T) {
	for _, c := range []struct {
		check       ansinh.Check
		label, icon string
		blocks      bool
	}{
		{ansinh.Check{Code: ansinh.CheckIdentity, Severity: ansinh.SeverityInfo}, "Chưa đối chiếu căn cước", "ℹ", false},
		{ansinh.Check{Code: ansinh.CheckIdentity, Severity: ansinh.SeverityError}, "Căn cước không khớp", "✖", true},
		{ansinh.Check{Code: ansinh.CheckHolderName, Severity: ansinh.SeverityWarning}, "Tên chủ tài khoản khác", "⚠", true},
		{ansinh.Check{Code: ansinh.CheckProxy, Severity: ansinh.SeverityWarning}, "Cần xem giấy ủy quyền", "⚠", true},
		{ansinh.Check{Code: ansinh.CheckSeveral, Severity: ansinh.SeverityInfo}, "Đã gửi nhiều lần", "ℹ", false},
		{ansinh.Check{Code: "new_kind", Severity: ansinh.SeverityError}, "Cần xem lại", "✖", true},
		{ansinh.Check{Code: "new_kind", Severity: ansinh.SeverityInfo}, "Thông tin", "ℹ", false},
	} {
		if c.check.Label() != c.label || c.check.Icon() != c.icon || c.check.Blocks() != c.blocks {
			t.Errorf("%+v: %q %q %v, want %q %q %v", c.check, c.check.Label(), c.check.Icon(), c.check.Blocks(), c.label, c.icon, c.blocks)
		}
	}
	info := []ansinh.Check{{Code: ansinh.CheckIdentity, Severity: ansinh.SeverityInfo}, {Code: ansinh.CheckSeveral, Severity: ansinh.SeverityInfo}}
	if ansinh.Blocking(info) || ansinh.Blocking(nil) || !ansinh.Blocking(append(info, ansinh.Check{Severity: ansinh.SeverityWarning})) {
		t.Error("Blocking")
	}
}
