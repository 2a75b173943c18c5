// Package storetest gives tests a real store: one server per test package (the
// embedded one, or MONGODB_URI when set) and a fresh database per test.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"ansinh"
	"ansinh/pii"
	"ansinh/store"
)

var server struct {
	once   sync.Once
	client *mongo.Client
	reads  *mongo.Client
	emb    *store.Embedded
	dir    string
	uri    string
	err    error
}

// Main runs the package's tests, then stops the shared server. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	for _, c := range []*mongo.Client{server.client, server.reads} {
		if c != nil {
			_ = c.Disconnect(context.Background())
		}
	}
	if server.emb != nil {
		server.emb.Stop()
	}
	if server.dir != "" {
		_ = os.RemoveAll(server.dir)
	}
	os.Exit(code)
}

// tracer, when set, is told of every command the tests' client sends.
var tracer atomic.Pointer[store.CommandTrace]

// TraceCommands tells f of every command sent to the server until the test ends (the
// store calls a request makes; one trace at a time, for every store of the package).
// A nil f stops the trace.
func TraceCommands(tb testing.TB, f store.CommandTrace) {
	if f == nil {
		tracer.Store(nil)
		return
	}
	tracer.Store(&f)
	tb.Cleanup(func() { tracer.Store(nil) })
}

// External reports whether the tests run against a server other than an embedded one
// on SQLite files of their own: MONGODB_URI, or FerretDB on the PostgreSQL database of
// ANSINH_TEST_POSTGRES_URL.
func External() bool { return os.Getenv("MONGODB_URI") != "" || Postgres() }

// Postgres reports whether the tests run on FerretDB in front of PostgreSQL
// (ANSINH_TEST_POSTGRES_URL, with MONGODB_URI unset), as `ansinh serve` does with
// ANSINH_POSTGRES_URL.
func Postgres() bool {
	return os.Getenv("MONGODB_URI") == "" && os.Getenv("ANSINH_TEST_POSTGRES_URL") != ""
}

// FerretDB reports whether the server under the tests is FerretDB — the embedded store,
// or an embedded listener reached through MONGODB_URI — rather than MongoDB. Two
// processes on FerretDB can lose each other's updates to one document (SPEC §7).
func FerretDB(tb testing.TB) bool {
	tb.Helper()
	var info struct {
		FerretDB string `bson:"ferretdbVersion"`
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := client(tb).Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		tb.Fatalf("storetest: build info: %v", err)
	}
	return info.FerretDB != ""
}

// Logger discards everything unless ANSINH_TEST_LOG is set.
func Logger() *slog.Logger {
	if os.Getenv("ANSINH_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func client(tb testing.TB) *mongo.Client {
	tb.Helper()
	server.once.Do(func() {
		uri := os.Getenv("MONGODB_URI")
		if Postgres() {
			server.emb, server.err = store.StartPostgres(os.Getenv("ANSINH_TEST_POSTGRES_URL"), "", "127.0.0.1:0", Logger())
			if server.err != nil {
				return
			}
			uri = server.emb.URI()
		} else if uri == "" {
			server.dir, server.err = os.MkdirTemp("", "ansinh-store-")
			if server.err != nil {
				return
			}
			server.emb, server.err = store.StartEmbedded(server.dir, "", Logger()) // the default: its Unix socket
			if server.err != nil {
				return
			}
			uri = server.emb.URI()
		}
		server.uri = uri
		trace := func(command, collection string, took time.Duration) {
			if f := tracer.Load(); f != nil {
				(*f)(command, collection, took)
			}
		}
		if server.client, server.err = store.ConnectTraced(context.Background(), uri, trace); server.err != nil {
			return
		}
		server.reads, server.err = store.ConnectReads(context.Background(), uri, trace)
	})
	if server.err != nil {
		tb.Fatalf("storetest: %v", server.err)
	}
	return server.client
}

// New returns a store on a fresh database, migrated, and dropped when the test ends.
func New(tb testing.TB) *store.Store {
	tb.Helper()
	return NewIn(tb, "")
}

// NewIn is New for a store that writes in the unit set set (empty: the default).
func NewIn(tb testing.TB, set string) *store.Store {
	tb.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	s := open(tb, name, set)
	tb.Cleanup(func() {
		if err := s.Drop(context.Background()); err != nil {
			tb.Errorf("storetest: drop %s: %v", name, err)
		}
	})
	return s
}

// Reopen returns another store on s's database that writes in set: the same data seen
// by a service configured for another unit set.
func Reopen(tb testing.TB, s *store.Store, set string) *store.Store {
	tb.Helper()
	return open(tb, s.DBName(), set)
}

func open(tb testing.TB, name, set string) *store.Store {
	tb.Helper()
	c := client(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := store.New(ctx, c, store.Options{DBName: name, Logger: Logger(), Vault: Vault(tb), UnitSet: set, Reads: server.reads})
	if err != nil {
		tb.Fatalf("storetest: new store %s: %v", name, err)
	}
	if server.emb != nil && !Postgres() {
		if err := server.emb.IndexIDs(ctx, name); err != nil {
			tb.Fatalf("storetest: %v", err)
		}
	}
	return s
}

// Pair returns two stores on one fresh database, each with a client (and connections)
// of its own: two instances sharing one store.
func Pair(tb testing.TB) (*store.Store, *store.Store) {
	tb.Helper()
	a := New(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := store.Connect(ctx, server.uri)
	if err != nil {
		tb.Fatalf("storetest: second client: %v", err)
	}
	tb.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	b, err := store.New(ctx, c, store.Options{DBName: a.DBName(), Logger: Logger(), Vault: Vault(tb)})
	if err != nil {
		tb.Fatalf("storetest: second store: %v", err)
	}
	return a, b
}

// DataDir returns the embedded server's directory ("" when external), so tests can read
// the raw files.
func DataDir() string { return server.dir }

// TestDataKey is the data key of every test store.
const TestDataKey = "test-data-key-test-data-key-0123456789"

// Vault is the personal-data vault of the test stores.
func Vault(tb testing.TB) *pii.Vault {
	tb.Helper()
	v, err := ansinh.Config{DataKey: TestDataKey}.Vault()
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// InsertRaw inserts doc into collection col of s's database through the same client,
// bypassing the store's code: the baseline a benchmark compares the store's writes to.
func InsertRaw(ctx context.Context, s *store.Store, col string, doc any) error {
	_, err := server.client.Database(s.DBName()).Collection(col).InsertOne(ctx, doc)
	return err
}

// FindRaw reads the document _id of collection col as stored, bypassing the store's code.
func FindRaw(ctx context.Context, s *store.Store, col, id string) (bson.Raw, error) {
	return server.client.Database(s.DBName()).Collection(col).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
}

// DeleteRaw deletes the document _id of collection col, bypassing the store's code: to
// leave the store as a crash would have.
func DeleteRaw(ctx context.Context, s *store.Store, col, id string) error {
	_, err := server.client.Database(s.DBName()).Collection(col).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return err
}

// ReplaceRaw replaces the document _id of collection col with doc, bypassing the
// store's code: to put a document in a shape an earlier version wrote.
func ReplaceRaw(ctx context.Context, s *store.Store, col, id string, doc any) error {
	if err := DeleteRaw(ctx, s, col, id); err != nil {
		return err
	}
	_, err := server.client.Database(s.DBName()).Collection(col).InsertOne(ctx, doc)
	return err
}
