package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	_ "modernc.org/sqlite" // the driver FerretDB uses, to add indexes beside it
)

// Embedded is FerretDB running in this process on SQLite files, spoken to through the
// ordinary MongoDB driver. It has no authentication, so by default it listens on a
// Unix socket inside the data directory, which only the service's user can enter:
// nobody else on the machine can reach it or read its files.
type Embedded struct {
	dir    string
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

// SocketName is the embedded store's Unix socket in the data directory (the driver
// takes a path ending in "sock" for a socket).
const SocketName = "ferretdb.sock"

// maxSocketPath is the longest socket path Linux accepts (sun_path holds 108 bytes).
const maxSocketPath = 107

// ownDir makes dir (absolute, returned) the service's own: created 0700 if missing,
// its files restricted, and what the process creates later owner-only too.
func ownDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	ownerOnly()
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", fmt.Errorf("create data directory: %w", err)
	}
	if err := restrict(abs); err != nil {
		return "", err
	}
	return abs, nil
}

// listenerIn is where the in-process FerretDB listens: on addr when one is given, or
// else on the Unix socket dir/ferretdb.sock (dir is absolute and owner-only).
func listenerIn(dir, addr string) (ferretdb.ListenerConfig, error) {
	if addr != "" {
		return ferretdb.ListenerConfig{TCP: addr}, nil
	}
	sock := filepath.Join(dir, SocketName)
	if len(sock) > maxSocketPath {
		return ferretdb.ListenerConfig{}, fmt.Errorf("the socket path %s is longer than %d bytes: use a shorter ANSINH_DATA_DIR", sock, maxSocketPath)
	}
	if err := clearStaleSocket(sock); err != nil {
		return ferretdb.ListenerConfig{}, err
	}
	return ferretdb.ListenerConfig{Unix: sock}, nil
}

// StartEmbedded starts FerretDB with its SQLite files in dir. With addr empty it
// listens on the Unix socket dir/ferretdb.sock; with a host:port ("127.0.0.1:0" picks a
// free port) on that loopback TCP address instead, which every local user and process
// can reach without a password: only for a second instance sharing the store. The
// directory is made 0700, its files 0600, and what the process creates later is
// owner-only too (see ownerOnly). Its log goes to logger at warn level and above.
func StartEmbedded(dir, addr string, logger *slog.Logger) (*Embedded, error) {
	abs, err := ownDir(dir)
	if err != nil {
		return nil, fmt.Errorf("store: embedded: %w", err)
	}
	listener, err := listenerIn(abs, addr)
	if err != nil {
		return nil, fmt.Errorf("store: embedded: %w", err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: listener,
		Handler:  "sqlite",
		// secure_delete: what is deleted or overwritten (an erased submission, a state
		// sealed in place of its clear text) is zeroed in the file, not merely unlinked.
		SQLiteURL: "file:" + abs + "/?_pragma=secure_delete(1)",
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("store: embedded: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Embedded{dir: abs, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(ctx) // returns nil when ctx ends
	}()
	e.uri = f.MongoDBURI() // waits until the listener is bound
	if addr == "" {
		// The directory already keeps others out; the socket's own mode says so too.
		if err := os.Chmod(filepath.Join(abs, SocketName), 0o600); err != nil {
			e.Stop()
			return nil, fmt.Errorf("store: embedded: %w", err)
		}
	}
	return e, nil
}

// restrict makes the data directory 0700 and the files directly in it (SQLite files,
// keys) 0600: MkdirAll leaves an existing directory's mode alone, and an older version
// or a copy may have left them readable.
func restrict(dir string) error {
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, en := range entries {
		if !en.Type().IsRegular() {
			continue
		}
		info, err := en.Info()
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(filepath.Join(dir, en.Name()), info.Mode().Perm()&0o700); err != nil {
				return err
			}
		}
	}
	return nil
}

// clearStaleSocket removes the socket a crashed run left behind, and refuses to start
// when another process still answers on it (two servers on one set of files).
func clearStaleSocket(sock string) error {
	info, err := os.Lstat(sock)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if info.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket", sock)
	}
	if c, err := net.DialTimeout("unix", sock, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("another process serves the store at %s: stop it first (or give this one another ANSINH_DATA_DIR)", sock)
	}
	return os.Remove(sock)
}

// URI is the mongodb:// address of the embedded server.
func (e *Embedded) URI() string { return e.uri }

// Stop closes the listener and the SQLite files and waits until both are done.
func (e *Embedded) Stop() {
	e.cancel()
	<-e.done
}

// IndexIDs makes lookups by _id use an index. FerretDB's SQLite backend filters, updates
// and deletes by the expression _ferretdb_sjson->'$._id', but indexes _id as
// _ferretdb_sjson->"_id"; SQLite matches index expressions by their text, so every
// lookup by _id scanned its whole table (12 ms at 2,000 records, growing with the
// table). An index on the exact expression makes them O(log n). It is created beside
// FerretDB, in the same SQLite file, for every table of the database; idempotent.
func (e *Embedded) IndexIDs(ctx context.Context, dbName string) error {
	path := filepath.Join(e.dir, dbName+".sqlite")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("store: index ids: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("store: index ids: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM "_ferretdb_collections"`)
	if err != nil {
		return fmt.Errorf("store: index ids: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("store: index ids: %w", err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: index ids: %w", err)
	}
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+"__ansinh_id", t)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: index ids of %s: %w", t, err)
		}
	}
	return nil
}

// Scrub rewrites the database's file without its free pages (VACUUM) and empties its
// write-ahead log, so that nothing deleted or overwritten lingers in either: after
// sealing data that older builds kept in clear. It waits for writers (busy timeout).
func (e *Embedded) Scrub(ctx context.Context, dbName string) error {
	path := filepath.Join(e.dir, dbName+".sqlite")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=secure_delete(1)")
	if err != nil {
		return fmt.Errorf("store: scrub: %w", err)
	}
	defer db.Close()
	for _, q := range []string{"VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: scrub: %s: %w", q, err)
		}
	}
	return nil
}

// Checkpoint copies the write-ahead log into the database file and empties it, so that
// page versions holding deleted data do not linger in the log.
func (e *Embedded) Checkpoint(ctx context.Context, dbName string) error {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.dir, dbName+".sqlite")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	return nil
}
