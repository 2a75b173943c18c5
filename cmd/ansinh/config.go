package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"ansinh"
)

// ConfigError names the variables that are wrong and why.
type ConfigError struct{ Problems []string }

func (e *ConfigError) Error() string {
	return "configuration: " + strings.Join(e.Problems, "; ")
}

var (
	dbNameRE     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,63}$`)
	templateIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	unitSetRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
)

// loadConfig reads and validates the configuration over ansinh.DefaultConfig. getenv is os.Getenv in production.
// Secrets may instead be given as NAME_FILE, a path whose content is the value.
func loadConfig(getenv func(string) string) (ansinh.Config, error) {
	d := ansinh.DefaultConfig()
	var problems []string
	bad := func(name, format string, args ...any) {
		problems = append(problems, name+": "+fmt.Sprintf(format, args...))
	}
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	secret := func(name string) string {
		v, file := strings.TrimSpace(getenv(name)), getenv(name+"_FILE")
		if file == "" {
			return v
		}
		if v != "" {
			bad(name, "set both %s and %s_FILE; keep one", name, name)
			return ""
		}
		b, err := os.ReadFile(file)
		if err != nil {
			bad(name+"_FILE", "cannot read %q: %v", file, errors.Unwrap(err))
			return ""
		}
		return strings.TrimSpace(string(b))
	}

	c := ansinh.Config{
		Addr:          get("ANSINH_ADDR", d.Addr),
		DataDir:       get("ANSINH_DATA_DIR", d.DataDir),
		MongoURI:      secret("MONGODB_URI"),
		PostgresURL:   secret("ANSINH_POSTGRES_URL"),
		DBName:        get("ANSINH_DB", d.DBName),
		AdminPassword: secret("ANSINH_ADMIN_PASSWORD"),
		SecretKey:     secret("ANSINH_SECRET_KEY"),
		DataKey:       secret("ANSINH_DATA_KEY"),
		UnitsFile:     get("ANSINH_UNITS_FILE", ""),
		UnitsSet:      get("ANSINH_UNITS_SET", ""),
		TargetLevel:   strings.ToLower(get("ANSINH_TARGET_LEVEL", "")),
		EmbeddedAddr:  get("ANSINH_EMBEDDED_ADDR", d.EmbeddedAddr),
		LogLevel:      strings.ToLower(get("ANSINH_LOG_LEVEL", d.LogLevel)),
		LogFormat:     strings.ToLower(get("ANSINH_LOG_FORMAT", d.LogFormat)),
		Zalo: ansinh.ZaloConfig{
			AppID:        get("ZALO_APP_ID", ""),
			OASecretKey:  secret("ZALO_OA_SECRET_KEY"),
			AppSecretKey: secret("ZALO_APP_SECRET_KEY"),
			RefreshToken: secret("ZALO_REFRESH_TOKEN"),
			APIURL:       strings.TrimRight(get("ZALO_API_URL", d.Zalo.APIURL), "/"),
			OAuthURL:     strings.TrimRight(get("ZALO_OAUTH_URL", d.Zalo.OAuthURL), "/"),
			BusinessURL:  strings.TrimRight(get("ZALO_BUSINESS_API_URL", d.Zalo.BusinessURL), "/"),
			Templates: ansinh.ZaloTemplates{Verified: get("ZALO_TEMPLATE_VERIFIED", ""), Rejected: get("ZALO_TEMPLATE_REJECTED", ""),
				Returned: get("ZALO_TEMPLATE_RETURNED", ""), Reminder: get("ZALO_TEMPLATE_REMINDER", "")},
		},
		SMS: ansinh.SMSConfig{URL: strings.TrimRight(get("ANSINH_SMS_URL", ""), "/"), Key: secret("ANSINH_SMS_KEY")},
	}

	port, err := checkHostPort(c.Addr)
	if err != nil {
		bad("ANSINH_ADDR", "%v (example: :8080 or 127.0.0.1:8080)", err)
	}
	if port == "0" || port == "" {
		port = "8080"
	}
	c.BaseURL = strings.TrimRight(get("ANSINH_BASE_URL", "http://localhost:"+port), "/")
	if err := checkURL(c.BaseURL); err != nil {
		bad("ANSINH_BASE_URL", "%v (example: https://ansinh.soctrang.gov.vn)", err)
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		bad("MONGODB_URI", "must start with mongodb:// or mongodb+srv://")
	}
	if c.PostgresURL != "" && !strings.HasPrefix(c.PostgresURL, "postgres://") && !strings.HasPrefix(c.PostgresURL, "postgresql://") {
		bad("ANSINH_POSTGRES_URL", "must start with postgres:// or postgresql://")
	}
	if c.PostgresURL != "" && c.MongoURI != "" {
		bad("ANSINH_POSTGRES_URL", "set MONGODB_URI or ANSINH_POSTGRES_URL, not both")
	}
	if !dbNameRE.MatchString(c.DBName) {
		bad("ANSINH_DB", "use 1–63 letters, digits, _ or -")
	}
	if c.AdminPassword != "" && (len([]rune(c.AdminPassword)) < 10 || len([]rune(c.AdminPassword)) > 128) {
		bad("ANSINH_ADMIN_PASSWORD", "must be 10 to 128 characters")
	}
	for _, k := range []struct{ name, v string }{{"ANSINH_SECRET_KEY", c.SecretKey}, {"ANSINH_DATA_KEY", c.DataKey}} {
		if k.v != "" && len([]rune(k.v)) < ansinh.MinSecretLen {
			bad(k.name, "must be at least %d characters", ansinh.MinSecretLen)
		}
	}
	if c.EmbeddedAddr == "" {
		// the default: a Unix socket in the data directory
	} else if _, err := checkHostPort(c.EmbeddedAddr); err != nil {
		bad("ANSINH_EMBEDDED_ADDR", "%v (example: 127.0.0.1:27017)", err)
	} else if host, _, _ := net.SplitHostPort(c.EmbeddedAddr); !isLoopback(host) {
		bad("ANSINH_EMBEDDED_ADDR", "the embedded store has no authentication and may listen on loopback only (127.0.0.1, ::1 or localhost)")
	}
	if c.DataDir == "" {
		bad("ANSINH_DATA_DIR", "must not be empty")
	}
	for _, p := range strings.Split(get("ANSINH_TRUSTED_PROXIES", ""), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				bad("ANSINH_TRUSTED_PROXIES", "%q is neither an IP address nor a CIDR range", p)
				continue
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	c.PublicRateLimit = d.PublicRateLimit
	if v := get("ANSINH_PUBLIC_RATE_LIMIT", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			bad("ANSINH_PUBLIC_RATE_LIMIT", "use a number of requests a minute, 1 to 100000")
		}
		c.PublicRateLimit = n
	}
	switch strings.ToLower(get("ANSINH_ASSISTED_SECOND_OFFICER", "true")) {
	case "true", "1", "yes":
		c.AssistedSecondOfficer = true
	case "false", "0", "no":
	default:
		bad("ANSINH_ASSISTED_SECOND_OFFICER", "use true or false")
	}
	c.Outbox = d.Outbox
	if v := get("ANSINH_OUTBOX_MAX_ATTEMPTS", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			bad("ANSINH_OUTBOX_MAX_ATTEMPTS", "use a number of attempts, 1 to 100")
		}
		c.Outbox.MaxAttempts = n
	}
	if v := get("ANSINH_OUTBOX_MAX_AGE", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			bad("ANSINH_OUTBOX_MAX_AGE", "use a duration of at least a minute (48h, 90m)")
		}
		c.Outbox.MaxAge = d
	}
	c.Retention = d.Retention
	for _, r := range []struct {
		name string
		min  time.Duration
		val  *time.Duration
	}{
		{"ANSINH_RETENTION_SUBMISSIONS", ansinh.MinRetentionSubmissions, &c.Retention.Submissions},
		{"ANSINH_RETENTION_CHAT", ansinh.MinRetentionChat, &c.Retention.Chat},
	} {
		if v := get(r.name, ""); v != "" {
			d, err := parseDays(v)
			if err != nil || d < r.min {
				bad(r.name, "use a number of days of at least %d (90d), or a Go duration (2160h)", int(r.min.Hours()/24))
			}
			*r.val = d
		}
	}
	if c.UnitsSet == "" {
		c.UnitsSet = d.UnitsSet
		if c.UnitsFile != "" {
			c.UnitsSet = "custom"
		}
	} else if !unitSetRE.MatchString(c.UnitsSet) {
		bad("ANSINH_UNITS_SET", "use 1–40 lower-case letters, digits and -")
	}
	c.Target = d.Target
	if v := get("ANSINH_TARGET", ""); v != "" {
		f, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
		if strings.HasSuffix(v, "%") {
			f /= 100
		}
		if err != nil || f <= 0 || f > 1 {
			bad("ANSINH_TARGET", "use a share between 0 and 1 (0.3) or a percentage (30%%)")
		}
		c.Target = f
	}
	switch c.TargetLevel {
	case "", "district", "commune":
	default:
		bad("ANSINH_TARGET_LEVEL", "use district or commune (empty: the level below the province)")
	}
	c.Programs = d.Programs
	for _, g := range ansinh.Groups {
		p := c.Programs[g]
		prefix := "ANSINH_PROGRAM_" + string(g) + "_"
		p.Department = get(prefix+"DEPARTMENT", "")
		if len([]rune(p.Department)) > 120 {
			bad(prefix+"DEPARTMENT", "at most 120 characters")
		}
		if v := get(prefix+"REPORT_DAYS", ""); v != "" {
			local, dept, ok := strings.Cut(v, ",")
			l, err1 := strconv.Atoi(strings.TrimSpace(local))
			d, err2 := strconv.Atoi(strings.TrimSpace(dept))
			if !ok || err1 != nil || err2 != nil || l < 1 || l > 28 || d < 1 || d > 28 {
				bad(prefix+"REPORT_DAYS", "use two days of the month, the lowest unit's and the department's (13,15)")
			}
			p.LocalDay, p.DepartmentDay = l, d
		}
		if v := get(prefix+"PAYMENT_LIST_DAY", ""); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 28 {
				bad(prefix+"PAYMENT_LIST_DAY", "use a day of the month, 1 to 28 (0: none)")
			}
			p.PaymentListDay = n
		}
		if v := get(prefix+"COUNTED_KINDS", ""); v != "" {
			kinds, err := ansinh.ParseCountedKinds(v)
			if err != nil {
				bad(prefix+"COUNTED_KINDS", "%v (default bank,vneid)", err)
			}
			p.CountedKinds = kinds
		}
		c.Programs[g] = p
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("ANSINH_LOG_LEVEL", "use debug, info, warn or error")
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("ANSINH_LOG_FORMAT", "use text or json")
	}
	if err := checkURL(c.Zalo.APIURL); err != nil {
		bad("ZALO_API_URL", "%v", err)
	}
	if err := checkURL(c.Zalo.OAuthURL); err != nil {
		bad("ZALO_OAUTH_URL", "%v", err)
	}
	if err := checkURL(c.Zalo.BusinessURL); err != nil {
		bad("ZALO_BUSINESS_API_URL", "%v", err)
	}
	for _, t := range []struct{ name, v string }{{"ZALO_TEMPLATE_VERIFIED", c.Zalo.Templates.Verified},
		{"ZALO_TEMPLATE_REJECTED", c.Zalo.Templates.Rejected}, {"ZALO_TEMPLATE_RETURNED", c.Zalo.Templates.Returned},
		{"ZALO_TEMPLATE_REMINDER", c.Zalo.Templates.Reminder}} {
		if t.v != "" && !templateIDRE.MatchString(t.v) {
			bad(t.name, "use the template id Zalo gave (1–64 letters, digits, _ or -)")
		}
	}
	if c.SMS.URL != "" {
		if err := checkURL(c.SMS.URL); err != nil {
			bad("ANSINH_SMS_URL", "%v", err)
		} else if c.SMS.Key == "" {
			bad("ANSINH_SMS_KEY", "must be set with ANSINH_SMS_URL")
		}
	}
	if len(problems) > 0 {
		return c, &ConfigError{Problems: problems}
	}
	return c, nil
}

func checkHostPort(addr string) (port string, err error) {
	_, port, err = net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%q is not host:port", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("%q has no valid port", addr)
	}
	return port, nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseDays reads "90d" (days) or a Go duration ("2160h").
func parseDays(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 36500 {
			return 0, fmt.Errorf("not a number of days: %q", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}
