package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ansinh"
)

// strongSecret is 40 characters, comfortably above ansinh.MinSecretLen.
const strongSecret = "0123456789abcdefghijklmnopqrstuvwxyzABCD"

func TestLoadConfigDefaults(t *testing.T) {
	c, err := loadConfig(mapEnv(nil))
	if err != nil {
		t.Fatalf("LoadConfig with empty environment: %v", err)
	}
	tests := []struct {
		name, got, want string
	}{
		{name: "Addr", got: c.Addr, want: ":8080"},
		{name: "DataDir", got: c.DataDir, want: "./data"},
		{name: "DBName", got: c.DBName, want: "ansinh"},
		{name: "EmbeddedAddr", got: c.EmbeddedAddr, want: ""}, // the Unix socket in the data directory
		{name: "BaseURL", got: c.BaseURL, want: "http://localhost:8080"},
		{name: "MongoURI", got: c.MongoURI, want: ""},
		{name: "AdminPassword", got: c.AdminPassword, want: ""},
		{name: "SecretKey", got: c.SecretKey, want: ""},
		{name: "DataKey", got: c.DataKey, want: ""},
		{name: "UnitsFile", got: c.UnitsFile, want: ""},
		{name: "LogLevel", got: c.LogLevel, want: "info"},
		{name: "LogFormat", got: c.LogFormat, want: "text"},
		{name: "Zalo.APIURL", got: c.Zalo.APIURL, want: "https://openapi.zalo.me"},
		{name: "Zalo.OAuthURL", got: c.Zalo.OAuthURL, want: "https://oauth.zaloapp.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
			}
		})
	}
	if len(c.TrustedProxies) != 0 {
		t.Errorf("TrustedProxies = %v, want none", c.TrustedProxies)
	}
}

func TestLoadConfigValid(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c ansinh.Config)
	}{
		{
			name: "base URL follows the port of ANSINH_ADDR",
			env:  map[string]string{"ANSINH_ADDR": "127.0.0.1:9000"},
			check: func(t *testing.T, c ansinh.Config) {
				if c.BaseURL != "http://localhost:9000" {
					t.Errorf("BaseURL = %q, want http://localhost:9000", c.BaseURL)
				}
			},
		},
		{
			name: "port 0 still derives a usable base URL",
			env:  map[string]string{"ANSINH_ADDR": ":0"},
			check: func(t *testing.T, c ansinh.Config) {
				if c.BaseURL != "http://localhost:8080" {
					t.Errorf("BaseURL = %q, want http://localhost:8080", c.BaseURL)
				}
			},
		},
		{
			name: "explicit base URL loses its trailing slash",
			env:  map[string]string{"ANSINH_BASE_URL": "https://ansinh.soctrang.gov.vn/"},
			check: func(t *testing.T, c ansinh.Config) {
				if c.BaseURL != "https://ansinh.soctrang.gov.vn" {
					t.Errorf("BaseURL = %q", c.BaseURL)
				}
			},
		},
		{
			name: "values are trimmed and log settings lower-cased",
			env:  map[string]string{"ANSINH_DB": "  ansinh_test ", "ANSINH_LOG_LEVEL": "DEBUG", "ANSINH_LOG_FORMAT": "JSON"},
			check: func(t *testing.T, c ansinh.Config) {
				if c.DBName != "ansinh_test" || c.LogLevel != "debug" || c.LogFormat != "json" {
					t.Errorf("DBName=%q LogLevel=%q LogFormat=%q", c.DBName, c.LogLevel, c.LogFormat)
				}
			},
		},
		{
			name: "mongodb and mongodb+srv URIs",
			env:  map[string]string{"MONGODB_URI": "mongodb+srv://u:p@cluster.example.net/"},
			check: func(t *testing.T, c ansinh.Config) {
				if c.MongoURI != "mongodb+srv://u:p@cluster.example.net/" {
					t.Errorf("MongoURI = %q", c.MongoURI)
				}
			},
		},
		{
			name: "a postgresql URL",
			env:  map[string]string{"ANSINH_POSTGRES_URL": "postgres://ansinh:p@db1:5432,db2:5432/ansinh?target_session_attrs=read-write"},
			check: func(t *testing.T, c ansinh.Config) {
				if c.PostgresURL != "postgres://ansinh:p@db1:5432,db2:5432/ansinh?target_session_attrs=read-write" || c.MongoURI != "" {
					t.Errorf("PostgresURL = %q, MongoURI = %q", c.PostgresURL, c.MongoURI)
				}
			},
		},
		{
			name: "secrets and a 10-character admin password",
			env:  map[string]string{"ANSINH_SECRET_KEY": strongSecret, "ANSINH_DATA_KEY": strongSecret + "x", "ANSINH_ADMIN_PASSWORD": "mậtkhẩuđẹp"},
			check: func(t *testing.T, c ansinh.Config) {
				if c.SecretKey != strongSecret || c.DataKey != strongSecret+"x" || c.AdminPassword != "mậtkhẩuđẹp" {
					t.Errorf("SecretKey=%q DataKey=%q AdminPassword=%q", c.SecretKey, c.DataKey, c.AdminPassword)
				}
			},
		},
		{
			name: "trusted proxies accept IPs and CIDR ranges",
			env:  map[string]string{"ANSINH_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16,,::1"},
			check: func(t *testing.T, c ansinh.Config) {
				want := []string{"10.0.0.1", "192.168.0.0/16", "::1"}
				if !slices.Equal(c.TrustedProxies, want) {
					t.Errorf("TrustedProxies = %v, want %v", c.TrustedProxies, want)
				}
			},
		},
		{
			name: "embedded store on localhost by name",
			env:  map[string]string{"ANSINH_EMBEDDED_ADDR": "localhost:27017"},
			check: func(t *testing.T, c ansinh.Config) {
				if c.EmbeddedAddr != "localhost:27017" {
					t.Errorf("EmbeddedAddr = %q", c.EmbeddedAddr)
				}
			},
		},
		{
			name: "embedded store on IPv6 loopback",
			env:  map[string]string{"ANSINH_EMBEDDED_ADDR": "[::1]:27017"},
			check: func(t *testing.T, c ansinh.Config) {
				if c.EmbeddedAddr != "[::1]:27017" {
					t.Errorf("EmbeddedAddr = %q", c.EmbeddedAddr)
				}
			},
		},
		{
			name: "zalo URLs lose their trailing slash",
			env:  map[string]string{"ZALO_API_URL": "http://127.0.0.1:9999/", "ZALO_OAUTH_URL": "http://127.0.0.1:9998/"},
			check: func(t *testing.T, c ansinh.Config) {
				if c.Zalo.APIURL != "http://127.0.0.1:9999" || c.Zalo.OAuthURL != "http://127.0.0.1:9998" {
					t.Errorf("APIURL=%q OAuthURL=%q", c.Zalo.APIURL, c.Zalo.OAuthURL)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadConfig(mapEnv(tc.env))
			if err != nil {
				t.Fatalf("LoadConfig(%v): %v", tc.env, err)
			}
			tc.check(t, c)
		})
	}
}

func TestLoadConfigBadValue(t *testing.T) {
	tests := []struct {
		name     string
		variable string
		value    string
	}{
		{name: "address without port", variable: "ANSINH_ADDR", value: "nonsense"},
		{name: "address with port out of range", variable: "ANSINH_ADDR", value: ":70000"},
		{name: "base URL not http", variable: "ANSINH_BASE_URL", value: "ftp://x"},
		{name: "base URL without host", variable: "ANSINH_BASE_URL", value: "https://"},
		{name: "mongodb URI with the wrong scheme", variable: "MONGODB_URI", value: "http://x"},
		{name: "postgresql URL with the wrong scheme", variable: "ANSINH_POSTGRES_URL", value: "mongodb://x"},
		{name: "database name with a space", variable: "ANSINH_DB", value: "a b"},
		{name: "database name too long", variable: "ANSINH_DB", value: strings.Repeat("d", 64)},
		{name: "admin password too short", variable: "ANSINH_ADMIN_PASSWORD", value: "short"},
		{name: "admin password too long", variable: "ANSINH_ADMIN_PASSWORD", value: strings.Repeat("p", 129)},
		{name: "secret key too short", variable: "ANSINH_SECRET_KEY", value: strongSecret[:ansinh.MinSecretLen-1]},
		{name: "data key too short", variable: "ANSINH_DATA_KEY", value: "too-short"},
		{name: "embedded store on all interfaces", variable: "ANSINH_EMBEDDED_ADDR", value: "0.0.0.0:27017"},
		{name: "embedded store without host", variable: "ANSINH_EMBEDDED_ADDR", value: ":27017"},
		{name: "embedded store not host:port", variable: "ANSINH_EMBEDDED_ADDR", value: "127.0.0.1"},
		{name: "trusted proxy not an address", variable: "ANSINH_TRUSTED_PROXIES", value: "x"},
		{name: "one bad trusted proxy among good ones", variable: "ANSINH_TRUSTED_PROXIES", value: "10.0.0.1,10.0.0.0/33"},
		{name: "unknown log level", variable: "ANSINH_LOG_LEVEL", value: "loud"},
		{name: "unknown log format", variable: "ANSINH_LOG_FORMAT", value: "xml"},
		{name: "zalo API URL not a URL", variable: "ZALO_API_URL", value: "nope"},
		{name: "zalo OAuth URL not http", variable: "ZALO_OAUTH_URL", value: "ftp://oauth.zaloapp.com"},
		{name: "zalo business API URL not a URL", variable: "ZALO_BUSINESS_API_URL", value: "nope"},
		{name: "template id with spaces", variable: "ZALO_TEMPLATE_VERIFIED", value: "mẫu 1"},
		{name: "template id too long", variable: "ZALO_TEMPLATE_RETURNED", value: strings.Repeat("9", 65)},
		{name: "sms gateway not a URL", variable: "ANSINH_SMS_URL", value: "nope"},
	}
	if problems := configProblems(t, map[string]string{"MONGODB_URI": "mongodb://db/", "ANSINH_POSTGRES_URL": "postgres://db/ansinh"}); !hasProblemFor(problems, "ANSINH_POSTGRES_URL") {
		t.Errorf("both MONGODB_URI and ANSINH_POSTGRES_URL: problems %q", problems)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			problems := configProblems(t, map[string]string{tc.variable: tc.value})
			if !hasProblemFor(problems, tc.variable) {
				t.Errorf("%s=%q: problems %q do not name %s", tc.variable, tc.value, problems, tc.variable)
			}
			// One bad variable must not drag in complaints about the others.
			if len(problems) != 1 {
				t.Errorf("%s=%q: got %d problems %q, want 1", tc.variable, tc.value, len(problems), problems)
			}
		})
	}
}

func TestLoadConfigReportsEveryProblem(t *testing.T) {
	env := map[string]string{
		"ANSINH_ADDR":          "nonsense",
		"MONGODB_URI":          "http://x",
		"ANSINH_DB":            "a b",
		"ANSINH_SECRET_KEY":    "short",
		"ANSINH_DATA_KEY":      "short",
		"ANSINH_EMBEDDED_ADDR": "0.0.0.0:27017",
		"ANSINH_LOG_LEVEL":     "loud",
		"ZALO_API_URL":         "nope",
	}
	problems := configProblems(t, env)
	for name := range env {
		if !hasProblemFor(problems, name) {
			t.Errorf("no problem reported for %s; problems: %q", name, problems)
		}
	}
	if len(problems) != len(env) {
		t.Errorf("got %d problems, want %d: %q", len(problems), len(env), problems)
	}
	// The error text is what the operator reads, so every name must reach it.
	_, err := loadConfig(mapEnv(env))
	for name := range env {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error text %q does not mention %s", err.Error(), name)
		}
	}
}

func TestLoadConfigSecretFile(t *testing.T) {
	tests := []struct {
		name     string
		variable string
		content  string
		get      func(ansinh.Config) string
		want     string
	}{
		{
			name: "secret key with trailing newline", variable: "ANSINH_SECRET_KEY", content: strongSecret + "\n",
			get: func(c ansinh.Config) string { return c.SecretKey }, want: strongSecret,
		},
		{
			name: "data key with CRLF", variable: "ANSINH_DATA_KEY", content: strongSecret + "\r\n",
			get: func(c ansinh.Config) string { return c.DataKey }, want: strongSecret,
		},
		{
			name: "admin password", variable: "ANSINH_ADMIN_PASSWORD", content: "mậtkhẩuđẹp lắm\n",
			get: func(c ansinh.Config) string { return c.AdminPassword }, want: "mậtkhẩuđẹp lắm",
		},
		{
			name: "mongodb URI", variable: "MONGODB_URI", content: "mongodb://u:p@db:27017/?replicaSet=rs0\n",
			get: func(c ansinh.Config) string { return c.MongoURI }, want: "mongodb://u:p@db:27017/?replicaSet=rs0",
		},
		{
			name: "zalo refresh token", variable: "ZALO_REFRESH_TOKEN", content: "tok-123\n",
			get: func(c ansinh.Config) string { return c.Zalo.RefreshToken }, want: "tok-123",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "secret", tc.content)
			c, err := loadConfig(mapEnv(map[string]string{tc.variable + "_FILE": path}))
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			if got := tc.get(c); got != tc.want {
				t.Errorf("%s from file = %q, want %q", tc.variable, got, tc.want)
			}
		})
	}
}

func TestLoadConfigSecretFileErrors(t *testing.T) {
	tests := []struct {
		name     string
		env      func(t *testing.T) map[string]string
		variable string
	}{
		{
			name: "value and file both set",
			env: func(t *testing.T) map[string]string {
				return map[string]string{
					"ANSINH_SECRET_KEY":      strongSecret,
					"ANSINH_SECRET_KEY_FILE": writeFile(t, "secret", strongSecret),
				}
			},
			variable: "ANSINH_SECRET_KEY",
		},
		{
			name: "file missing",
			env: func(t *testing.T) map[string]string {
				return map[string]string{"ANSINH_DATA_KEY_FILE": filepath.Join(t.TempDir(), "absent")}
			},
			variable: "ANSINH_DATA_KEY_FILE",
		},
		{
			name: "file is a directory",
			env: func(t *testing.T) map[string]string {
				return map[string]string{"MONGODB_URI_FILE": t.TempDir()}
			},
			variable: "MONGODB_URI_FILE",
		},
		{
			name: "file content still validated",
			env: func(t *testing.T) map[string]string {
				return map[string]string{"ANSINH_SECRET_KEY_FILE": writeFile(t, "secret", "short\n")}
			},
			variable: "ANSINH_SECRET_KEY",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			problems := configProblems(t, tc.env(t))
			if !hasProblemFor(problems, tc.variable) {
				t.Errorf("problems %q do not name %s", problems, tc.variable)
			}
		})
	}
}

func TestLoadConfigUnitSetsTargetAndProgrammes(t *testing.T) {
	c, err := loadConfig(mapEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.UnitsSet != ansinh.SetCanTho2025 || c.Target != 0.3 || c.TargetLevel != "" {
		t.Fatalf("defaults: set %q, target %v, level %q", c.UnitsSet, c.Target, c.TargetLevel)
	}
	for g, want := range map[ansinh.Group][3]int{ansinh.GroupBTXH: {13, 15, 0}, ansinh.GroupNCC: {13, 15, 0}, ansinh.GroupHTXH: {13, 15, 25}} {
		p := c.Programs[g]
		if p.LocalDay != want[0] || p.DepartmentDay != want[1] || p.PaymentListDay != want[2] || p.Department != "" {
			t.Errorf("%s: %+v", g, p)
		}
	}
	if c, _ := loadConfig(mapEnv(map[string]string{"ANSINH_UNITS_FILE": "/x.csv"})); c.UnitsSet != "custom" {
		t.Errorf("a units file's set: %q", c.UnitsSet)
	}
	c, err = loadConfig(mapEnv(map[string]string{"ANSINH_TARGET": "35%", "ANSINH_TARGET_LEVEL": "Commune",
		"ANSINH_PROGRAM_NCC_DEPARTMENT": "Sở Nội vụ thành phố Cần Thơ (Phòng Người có công)", "ANSINH_PROGRAM_NCC_REPORT_DAYS": "10, 12",
		"ANSINH_UNITS_SET": "soc-trang-2024"}))
	if err != nil || c.Target != 0.35 || c.TargetLevel != "commune" || c.Programs[ansinh.GroupNCC].LocalDay != 10 ||
		c.Programs[ansinh.GroupNCC].Department != "Sở Nội vụ thành phố Cần Thơ (Phòng Người có công)" || c.UnitsSet != "soc-trang-2024" {
		t.Fatalf("set values: %+v %v", c, err)
	}
	for _, bad := range []map[string]string{
		{"ANSINH_TARGET": "0"}, {"ANSINH_TARGET": "140%"}, {"ANSINH_TARGET": "ba mươi"},
		{"ANSINH_TARGET_LEVEL": "village"},
		{"ANSINH_UNITS_SET": "Cần Thơ"}, {"ANSINH_UNITS_SET": "{\"$gt\":\"\"}"},
		{"ANSINH_PROGRAM_BTXH_REPORT_DAYS": "13"}, {"ANSINH_PROGRAM_BTXH_REPORT_DAYS": "0,15"}, {"ANSINH_PROGRAM_HTXH_PAYMENT_LIST_DAY": "31"},
		{"ANSINH_PROGRAM_NCC_DEPARTMENT": strings.Repeat("Sở ", 50)},
	} {
		var name string
		for k := range bad {
			name = k
		}
		if problems := configProblems(t, bad); !hasProblemFor(problems, name) {
			t.Errorf("%v: problems %v, want one about %s", bad, problems, name)
		}
	}
}

// mapEnv returns a getenv backed by m; missing names read as "".
func mapEnv(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

// configProblems loads the config and returns the *ConfigError's problems, failing if
// the error is missing or of another type.
func configProblems(tb testing.TB, env map[string]string) []string {
	tb.Helper()
	_, err := loadConfig(mapEnv(env))
	if err == nil {
		tb.Fatalf("LoadConfig(%v): no error, want a *ConfigError", env)
	}
	var ce *ConfigError
	if !errors.As(err, &ce) {
		tb.Fatalf("LoadConfig(%v): error %T %v, want *ConfigError", env, err, err)
	}
	return ce.Problems
}

// hasProblemFor reports whether one problem is about the variable (problems start "NAME: ").
func hasProblemFor(problems []string, name string) bool {
	return slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, name+": ") })
}

// writeFile writes content to a new file in a per-test temporary directory.
func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// The defaults are written once, in ansinh.DefaultConfig: reading an empty
// environment gives exactly them.
func TestLoadConfigEmptyIsTheDefault(t *testing.T) {
	c, err := loadConfig(mapEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if d := ansinh.DefaultConfig(); !reflect.DeepEqual(c, d) {
		t.Fatalf("empty environment:\n%+v\ndefault:\n%+v", c, d)
	}
}

func TestNoticeSettings(t *testing.T) {
	c, err := loadConfig(mapEnv(map[string]string{"ZALO_TEMPLATE_VERIFIED": "301234", "ZALO_TEMPLATE_REJECTED": "301235",
		"ZALO_TEMPLATE_RETURNED": "301236", "ZALO_TEMPLATE_REMINDER": "301237", "ZALO_BUSINESS_API_URL": "http://127.0.0.1:9999/",
		"ANSINH_SMS_URL": "https://sms.example.vn/send", "ANSINH_SMS_KEY": "k"}))
	if err != nil {
		t.Fatal(err)
	}
	want := ansinh.ZaloTemplates{Verified: "301234", Rejected: "301235", Returned: "301236", Reminder: "301237"}
	if c.Zalo.Templates != want || c.Zalo.BusinessURL != "http://127.0.0.1:9999" || c.SMS.URL != "https://sms.example.vn/send" || c.SMS.Key != "k" {
		t.Fatalf("config %+v %+v", c.Zalo, c.SMS)
	}
	if p := configProblems(t, map[string]string{"ANSINH_SMS_URL": "https://sms.example.vn/send"}); !hasProblemFor(p, "ANSINH_SMS_KEY") {
		t.Fatalf("a gateway without its key: %q", p)
	}
	if d, _ := loadConfig(mapEnv(nil)); d.Zalo.BusinessURL != "https://business.openapi.zalo.me" {
		t.Fatalf("default business URL %q", d.Zalo.BusinessURL)
	}
}
