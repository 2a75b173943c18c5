package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofiber/fiber/v2"

	"ansinh"
	"ansinh/pii"
)

const usage = `ansinh — đăng ký tài khoản nhận trợ cấp an sinh xã hội

Usage:
  ansinh [serve]            start the web service (the default)
  ansinh import [-as USER] [-units SET] FILE
                            load a beneficiary list (CSV or XLSX); -units names
                            the unit set of its commune codes (default: current)
  ansinh demo [-units SET]  fill an empty store with a synthetic Thành phố Cần Thơ (the letter's
                            2,810 people carried through the crosswalk, and more), or with
                            -units soc-trang-2024 the letter's Sóc Trăng with its districts
  ansinh coverage reconcile [-repair]
                            recount coverage from the records; report (and repair) drift
  ansinh user add [flags]   create a staff account (ansinh user add -h for flags)
  ansinh user list [-unit CODE]
                            the staff accounts of a unit and beneath it
  ansinh user disable|enable|reset-password NAME
                            lock or unlock an account, or give it a one-time password
  ansinh report [-unit CODE] [-month YYYY-MM] [-format csv|xlsx|json] [-o FILE]
                            a unit's monthly report (frozen if submitted, else the draft)
  ansinh units migrate [-to SET] [-dry-run]
                            move the store's data to another unit set (service stopped)
  ansinh outbox list -failed
                            the chat messages the outbox gave up on (id, channel,
                            attempts, age, reason)
  ansinh outbox retry ID|-all-failed
                            put failed messages back in the queue (audited)
  ansinh notify reminders [-month YYYY-MM] [-unit CODE]
                            queue the month's reminders to the people with no account
                            who agreed to be told (once a person a month; audited)
  ansinh g2p-client add|list|pause|resume|revoke
                            the G2P mapper's clients (ansinh g2p-client for flags)
  ansinh privacy retention [-dry-run]
                            erase now the personal data whose retention period ended
                            (the service does it daily); -dry-run only counts
  ansinh privacy report [-o FILE]
                            the records of processing: what is collected, why, where
                            it is kept and sealed, who sees it, how long it is kept
  ansinh backup FILE        copy the whole store into one archive
  ansinh restore FILE       load an archive into an empty store
  ansinh help               this text

Configuration comes from environment variables; see .env.example.
`

// usageError marks mistakes in the command line or configuration (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// app is what every sub-command starts from: the validated configuration, the logger
// and the units.
type app struct {
	cfg    ansinh.Config
	log    *slog.Logger
	units  *ansinh.Units    // the current set's tree
	sets   *ansinh.UnitSets // every unit set, the current one included
	stdin  io.Reader
	stdout io.Writer
	// extend lets a test add routes to the served app before it listens.
	extend func(*fiber.App)
}

// run is main without the process: tests call it with their own environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runWith(ctx, args, getenv, stdin, stdout, stderr, nil)
}

func runWith(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer, extend func(*fiber.App)) error {
	cmd := "serve"
	if len(args) > 1 {
		cmd, args = args[1], args[2:]
	} else {
		args = nil
	}
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "serve", "user", "import", "demo", "coverage", "backup", "restore", "report", "units", "outbox", "g2p-client", "privacy", "notify":
	default:
		fmt.Fprint(stderr, usage)
		return usageError{fmt.Errorf("unknown command %q", cmd)}
	}

	cfg, err := loadConfig(getenv)
	if err != nil {
		return usageError{err}
	}
	a := &app{cfg: cfg, log: newLogger(cfg, stderr), stdin: stdin, stdout: stdout, extend: extend}
	if a.sets, err = loadUnitSets(cfg); err != nil {
		return usageError{err}
	}
	a.units = a.sets.Current().Units
	switch cmd {
	case "user":
		return a.user(ctx, args, stderr)
	case "import":
		return a.importFile(ctx, args, stderr)
	case "demo":
		return a.loadDemo(ctx, args, stderr)
	case "coverage":
		return a.coverage(ctx, args, stderr)
	case "backup":
		return a.backup(ctx, args)
	case "report":
		return a.report(ctx, args, stderr)
	case "restore":
		return a.restore(ctx, args)
	case "units":
		return a.unitsCmd(ctx, args, stderr)
	case "outbox":
		return a.outbox(ctx, args, stderr)
	case "g2p-client":
		return a.g2pClient(ctx, args, stderr)
	case "privacy":
		return a.privacy(ctx, args, stderr)
	case "notify":
		return a.notifyCmd(ctx, args, stderr)
	default:
		return a.serve(ctx)
	}
}

func newLogger(cfg ansinh.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	// No record shows a personal number whole, whoever wrote it (SPEC §3, Law 91/2025).
	return slog.New(pii.RedactHandler(h))
}

// loadUnitSets loads the bundled unit sets and makes the configured one current: a
// bundled set named by ANSINH_UNITS_SET, or the file ANSINH_UNITS_FILE under that name.
func loadUnitSets(cfg ansinh.Config) (*ansinh.UnitSets, error) {
	bundled := cfg.UnitsSet
	if cfg.UnitsFile != "" {
		bundled = ""
	}
	sets, err := ansinh.BundledUnitSets(bundled)
	if err != nil {
		return nil, fmt.Errorf("ANSINH_UNITS_SET: %w", err)
	}
	if cfg.UnitsFile != "" {
		data, err := os.ReadFile(cfg.UnitsFile)
		if err != nil {
			return nil, fmt.Errorf("ANSINH_UNITS_FILE: %w", err)
		}
		if err := sets.WithCustom(cfg.UnitsSet, bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("ANSINH_UNITS_FILE: %w", err)
		}
	}
	if err := sets.Current().Units.SetAnswerLevel(cfg.TargetLevel); err != nil {
		return nil, fmt.Errorf("ANSINH_TARGET_LEVEL: %w", err)
	}
	return sets, nil
}

// ensureSecrets fills in ANSINH_SECRET_KEY and ANSINH_DATA_KEY from files in the data
// directory, generating them on the first start. Losing data.key loses every
// encrypted record, so the warning says to back it up.
func (a *app) ensureSecrets() error {
	for _, s := range []struct {
		env, file string
		val       *string
	}{
		{"ANSINH_SECRET_KEY", "secret.key", &a.cfg.SecretKey},
		{"ANSINH_DATA_KEY", "data.key", &a.cfg.DataKey},
	} {
		if *s.val != "" {
			continue
		}
		path := filepath.Join(a.cfg.DataDir, s.file)
		v, created, err := readOrCreateSecret(path)
		if err != nil {
			return fmt.Errorf("%s: %w", s.env, err)
		}
		*s.val = v
		if created {
			a.log.Warn("generated a key because the variable is unset; back the file up and share it with every instance",
				"variable", s.env, "file", path)
		}
	}
	return nil
}

func readOrCreateSecret(path string) (string, bool, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		v := strings.TrimSpace(string(b))
		if len(v) < ansinh.MinSecretLen {
			return "", false, fmt.Errorf("%s holds fewer than %d characters", path, ansinh.MinSecretLen)
		}
		return v, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", false, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", false, err
	}
	v := base64.RawURLEncoding.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) { // another instance was first
		return readOrCreateSecret(path)
	}
	if err != nil {
		return "", false, err
	}
	if _, err := f.WriteString(v + "\n"); err != nil {
		f.Close()
		return "", false, err
	}
	return v, true, f.Close()
}
