package main

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"ansinh"
	"ansinh/store"
)

// TestUserCommands: ansinh user list, disable, enable and reset-password, within the
// -as user's scope as on the API, each change audited from "cli"; a generated password
// is a one-time one.
func TestUserCommands(t *testing.T) {
	env := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_UNITS_SET": "soc-trang-2024",
		"ANSINH_DATA_KEY": "data-key-data-key-data-key-data-key-1", "ANSINH_SECRET_KEY": "secret-key-secret-key-secret-key-01"}
	ctx := t.Context()
	cli := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"ansinh", "user"}, args...), envOf(env), strings.NewReader(stdin), &out, io.Discard)
		return out.String(), err
	}
	for _, u := range [][3]string{{"huyen941", "district", "941"}, {"huyen942", "district", "942"}, {"xa31498", "commune", "31498"}} {
		if _, err := cli(u[0]+"-password\n", "add", "-username", u[0], "-role", u[1], "-unit", u[2], "-password-stdin"); err != nil {
			t.Fatal(err)
		}
	}
	out, err := cli("", "add", "-username", "xa31569", "-role", "commune", "-unit", "31569")
	m := regexp.MustCompile(`One-time password \(shown only this once; to be changed at first login\): (\S+)`).FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("add with a generated password: %v\n%s", err, out)
	}

	out, err = cli("", "list", "-as", "huyen941")
	if err != nil || !strings.Contains(out, "xa31498") || strings.Contains(out, "xa31569") || !strings.Contains(out, "2 users") {
		t.Fatalf("list as huyen941: %v\n%s", err, out)
	}
	if out, _ = cli("", "list"); !strings.Contains(out, "xa31569") || !strings.Contains(out, "one-time password") {
		t.Fatalf("list as the operator:\n%s", out)
	}

	var ue usageError
	for _, bad := range [][]string{{"disable", "-as", "huyen941", "xa31569"}, {"reset-password", "-as", "huyen941", "huyen942"},
		{"disable", "-as", "xa31498", "xa31498"}, {"disable"}, {"frob"}, {"list", "-as", "huyen941", "-unit", "942"}} {
		if _, err := cli("", bad...); !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", bad, err)
		}
	}
	if _, err := cli("", "disable", "nobody"); err == nil {
		t.Error("disabled an unknown user")
	}
	if _, err := cli("", "disable", "-as", "huyen941", "xa31498"); err != nil {
		t.Fatal(err)
	}
	out, err = cli("", "reset-password", "xa31498")
	m = regexp.MustCompile(`One-time password of xa31498 \(shown only this once; to be changed at first login\): (\S+)`).FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("reset-password: %v\n%s", err, out)
	}
	if _, err := cli("", "enable", "xa31498"); err != nil {
		t.Fatal(err)
	}

	st := openTestStore(t, env)
	defer st.Close(t.Context())
	u, err := st.User(ctx, "xa31498")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := ansinh.CheckPassword(u.PasswordHash, m[1]); !ok || !u.MustChangePassword || u.Disabled {
		t.Fatalf("after disable, reset, enable: %+v", u)
	}
	for _, c := range []struct{ actor, action string }{{"huyen941", ansinh.ActionUserDisable}, {"cli", ansinh.ActionUserPasswordReset},
		{"cli", ansinh.ActionUserEnable}} {
		if ev, err := st.AuditEvents(ctx, store.AuditFilter{Actor: c.actor, Action: c.action, Target: "user:xa31498"}); err != nil || len(ev) != 1 || ev[0].IP != "cli" {
			t.Errorf("audit %s by %s: %+v, %v", c.action, c.actor, ev, err)
		}
	}
	if g, err := st.User(ctx, "xa31569"); err != nil || !g.MustChangePassword {
		t.Errorf("a generated password is not one-time: %+v %v", g, err)
	}
}
