// Package store keeps ansinh's data in MongoDB, or in the embedded MongoDB-compatible
// server (FerretDB on SQLite) when no MONGODB_URI is given. Nothing outside this
// package knows which one it talks to.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"ansinh"
	"ansinh/pii"
)

// Options says where the store is.
type Options struct {
	URI     string // empty: start the embedded server
	DataDir string // the embedded server's files
	// PostgresURL, with URI empty, runs the embedded server (FerretDB) on this
	// PostgreSQL database instead of SQLite files.
	PostgresURL  string
	EmbeddedAddr string // the embedded server's listen address
	DBName       string
	Logger       *slog.Logger
	Registerer   prometheus.Registerer // optional: where the store's metrics go
	Vault        *pii.Vault            // encrypts and indexes personal numbers
	// UnitSet is the unit set the service works in: the codes it writes belong to it,
	// and documents that outlive a change of set are stamped with it.
	UnitSet string
	// Reads, on FerretDB, is a client with several connections to the same server for
	// the store's lookups (ConnectReads); nil: Open dials one, New uses the client for
	// everything.
	Reads *mongo.Client
}

// Store is the data layer. Create it with Open (or New on an existing client), and
// Close it last.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	// rdb is db through the reads client (readPool connections) on FerretDB, where the
	// client's one connection serialises every command; db itself elsewhere. It serves
	// lookups only, which need no serialising (SQLite answers readers beside its one
	// writer). Writes stay on the one connection: FerretDB applies an update as a read
	// and a write that another connection could split, and two connections writing at
	// once make SQLite's second writer sleep and retry (busy_timeout), which cost a
	// registration's p99 at one client 39 ms instead of 8 (BenchmarkWritePath).
	rdb      *mongo.Database
	reads    *mongo.Client // owned: dialled by Open
	logger   *slog.Logger
	embedded *Embedded
	ownsConn bool
	errs     *prometheus.CounterVec
	vault    *pii.Vault
	unitSet  string
	guard    *closeGuard
	// ferret: the server is FerretDB (embedded, or in front of PostgreSQL), where only
	// filters on _id alone are served by an index and this process is the only writer.
	ferret bool
	// members keeps, on FerretDB, the members rosters a province's search parsed
	// (membercache.go).
	members memberCache
	// inserts batches the inserts of concurrent callers, per collection (batch.go).
	inserts map[string]*inserter
	// failAfter, set by tests only, fails one of the store's own two-step writes (an API
	// client and its token, a callback and its queue entry) after the named step.
	failAfter func(step string) error
	// settle, when set (SetSettler), waits for the registrations accepted in this
	// process to go through their steps: Close and Drop call it first, and a read of a
	// person's submissions waits for theirs.
	settle atomic.Pointer[ansinh.Settler]
	// sealed counts the documents a migration sealed in place: their clear text may
	// linger in the embedded store's free pages until Open scrubs the file.
	sealed int
}

// after is called at the end of each step of a multi-step write.
func (s *Store) after(step string) error {
	if s.failAfter != nil {
		return s.failAfter(step)
	}
	return nil
}

// insert stores doc in collection col, in one batch with the concurrent inserts into
// it; it means what InsertOne means.
func (s *Store) insert(ctx context.Context, col string, doc any) error {
	if b := s.inserts[col]; b != nil {
		return b.insert(ctx, doc)
	}
	_, err := s.db.Collection(col).InsertOne(ctx, doc)
	return err
}

// closeGuard reports store calls made after Close began: a shutdown that let a worker
// outlive the store. The calls fail anyway; this says which, in the log or to a test.
type closeGuard struct {
	closed   atomic.Bool
	inFlight atomic.Int64
	report   atomic.Pointer[func(op string)]
}

func (g *closeGuard) late(op string) {
	if f := g.report.Load(); f != nil {
		(*f)(op)
	}
}

// monitor counts the commands on the wire and reports those started after Close.
func (g *closeGuard) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			g.inFlight.Add(1)
			if g.closed.Load() && e.CommandName != "endSessions" { // Disconnect's own
				g.late(e.CommandName)
			}
		},
		Succeeded: func(context.Context, *event.CommandSucceededEvent) { g.inFlight.Add(-1) },
		Failed:    func(context.Context, *event.CommandFailedEvent) { g.inFlight.Add(-1) },
	}
}

// OnLateCall replaces what is done with a call made after Close (by default, an error
// in the log).
func (s *Store) OnLateCall(f func(op string)) { s.guard.report.Store(&f) }

// Open connects to opts.URI, or starts the embedded server and connects to it, then
// runs the migrations.
func Open(ctx context.Context, opts Options) (*Store, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	uri := opts.URI
	var emb *Embedded
	if uri == "" {
		var err error
		// FerretDB logs every connection at info level: keep only its warnings.
		quiet := slog.New(ferretLog{logger.Handler(), slog.LevelWarn}).With("component", "ferretdb")
		if opts.PostgresURL != "" {
			emb, err = StartPostgres(opts.PostgresURL, opts.DataDir, opts.EmbeddedAddr, quiet)
		} else {
			emb, err = StartEmbedded(opts.DataDir, opts.EmbeddedAddr, quiet)
		}
		if err != nil {
			return nil, err
		}
		uri = emb.URI()
	}
	guard := &closeGuard{}
	client, err := connect(ctx, uri, guard.monitor())
	if err != nil {
		if emb != nil {
			emb.Stop()
		}
		return nil, err
	}
	opts.Logger = logger
	s, err := New(ctx, client, opts)
	if err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		if emb != nil {
			emb.Stop()
		}
		return nil, err
	}
	s.embedded, s.ownsConn = emb, true
	s.guard = guard
	if s.ferret && opts.Reads == nil {
		if s.reads, err = dial(ctx, uri, guard.monitor(), readPool); err != nil {
			_ = s.Close(context.WithoutCancel(ctx))
			return nil, err
		}
		s.useReads(s.reads)
	}
	s.OnLateCall(func(op string) { logger.Error("store: called after close", "op", op) })
	if emb != nil && opts.PostgresURL == "" { // PostgreSQL indexes _id as FerretDB filters it
		if err := emb.IndexIDs(ctx, opts.DBName); err != nil {
			_ = s.Close(context.WithoutCancel(ctx))
			return nil, err
		}
		if s.sealed > 0 {
			if err := emb.Scrub(ctx, opts.DBName); err != nil {
				_ = s.Close(context.WithoutCancel(ctx))
				return nil, err
			}
			logger.Info("store: scrubbed the clear text of sealed chat data from the files", "documents", s.sealed)
		}
	}
	return s, nil
}

// readPool is how many connections the reads client keeps to FerretDB (two cores
// here: more only queue inside the server).
const readPool = 4

// ConnectReads opens the reads client of Options.Reads: up to readPool connections,
// each command told to trace when trace is not nil.
func ConnectReads(ctx context.Context, uri string, trace CommandTrace) (*mongo.Client, error) {
	var mon *event.CommandMonitor
	if trace != nil {
		mon = traceMonitor(trace)
	}
	return dial(ctx, uri, mon, readPool)
}

func (s *Store) useReads(c *mongo.Client) {
	s.rdb = c.Database(s.db.Name())
}

// Connect opens a driver client and checks that the server answers. On a replica set
// writes wait for the majority and are retried once on a failover.
func Connect(ctx context.Context, uri string) (*mongo.Client, error) {
	return connect(ctx, uri, nil)
}

// CommandTrace is told of every command the client sends: its name, the collection it
// names ("" for commands on the database) and how long its answer took.
type CommandTrace func(command, collection string, took time.Duration)

// ConnectTraced is Connect with every command told to trace (a profile of the store
// calls a request makes, in tests and benchmarks).
func ConnectTraced(ctx context.Context, uri string, trace CommandTrace) (*mongo.Client, error) {
	return connect(ctx, uri, traceMonitor(trace))
}

// traceMonitor tells trace of every command.
func traceMonitor(trace CommandTrace) *event.CommandMonitor {
	var names sync.Map // request id → collection
	collection := func(cmd bson.Raw) string {
		elems, err := cmd.Elements()
		if err != nil || len(elems) == 0 {
			return ""
		}
		name, _ := elems[0].Value().StringValueOK()
		return name
	}
	done := func(id int64, command string, took time.Duration) {
		col, _ := names.LoadAndDelete(id)
		c, _ := col.(string)
		trace(command, c, took)
	}
	return &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			names.Store(e.RequestID, collection(e.Command))
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { done(e.RequestID, e.CommandName, e.Duration) },
		Failed:    func(_ context.Context, e *event.CommandFailedEvent) { done(e.RequestID, e.CommandName, e.Duration) },
	}
}

// connect opens the client. FerretDB (the embedded store) applies an update by reading
// the document and writing it back, with nothing to stop two connections doing so at
// once: of 2,000 concurrent $inc on one counter only 335 survived. So with FerretDB
// the client keeps one connection, and this process's commands reach it one at a time
// (SQLite applies writes one at a time anyway). Several processes on one embedded
// store can still lose each other's updates: the README says to use MongoDB for that.
func connect(ctx context.Context, uri string, mon *event.CommandMonitor) (*mongo.Client, error) {
	client, err := dial(ctx, uri, mon, 0)
	if err != nil {
		return nil, err
	}
	var info struct {
		FerretDB string `bson:"ferretdbVersion"`
	}
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("store: connect: build info: %w", err)
	}
	if info.FerretDB == "" {
		return client, nil
	}
	_ = client.Disconnect(context.WithoutCancel(ctx))
	return dial(ctx, uri, mon, 1)
}

func dial(ctx context.Context, uri string, mon *event.CommandMonitor, pool uint64) (*mongo.Client, error) {
	opts := options.Client().ApplyURI(uri).SetMonitor(mon).
		SetWriteConcern(writeconcern.Majority()).
		SetRetryWrites(true).
		SetServerSelectionTimeout(10 * time.Second).
		SetAppName("ansinh")
	if pool > 0 {
		opts.SetMaxPoolSize(pool)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := client.Ping(pctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("store: connect: ping: %w", err)
	}
	return client, nil
}

// New uses database opts.DBName on an open client and brings its schema up to date.
// The caller keeps ownership of the client.
func New(ctx context.Context, client *mongo.Client, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Vault == nil {
		return nil, errors.New("store: no vault for personal data")
	}
	if opts.UnitSet == "" {
		opts.UnitSet = ansinh.DefaultUnitSet
	}
	reg := opts.Registerer
	s := &Store{
		client:  client,
		db:      client.Database(opts.DBName),
		logger:  opts.Logger,
		vault:   opts.Vault,
		unitSet: opts.UnitSet,
		guard:   &closeGuard{},
		errs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ansinh_store_errors_total",
			Help: "Store operations that failed for a reason other than a missing or duplicate record.",
		}, []string{"op"}),
	}
	s.inserts = map[string]*inserter{}
	for _, col := range []string{colRegistrations, colRegistrationChain, colQueue, colAudit, colAccountRefs, colAttempts, colAccepted} {
		s.inserts[col] = newInserter(s.db.Collection(col))
	}
	s.rdb = s.db
	var info struct {
		FerretDB string `bson:"ferretdbVersion"`
	}
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return nil, fmt.Errorf("store: build info: %w", err)
	}
	s.ferret = info.FerretDB != ""
	if s.ferret && opts.Reads != nil {
		s.useReads(opts.Reads)
	}
	if reg != nil {
		if err := reg.Register(s.errs); err != nil {
			return nil, fmt.Errorf("store: register metrics: %w", err)
		}
	}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Ping checks that the server answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return s.fail("ping", err)
	}
	return nil
}

// SetSettler tells the store how to wait for the registrations accepted in this
// process, so that closing or dropping it does not cut them short and a read of a
// person's submissions (RegistrationReceipts) finds the one just made.
func (s *Store) SetSettler(f ansinh.Settler) { s.settle.Store(&f) }

func (s *Store) settled(ctx context.Context) {
	if f := s.settle.Load(); f != nil {
		if err := f.All(ctx); err != nil {
			s.logger.Warn("store: closed before the accepted registrations were stored; the next start finishes them", "err", err)
		}
	}
}

// settledPerson waits for the person's accepted registrations; a wait cut short reads
// what is stored, a moment behind.
func (s *Store) settledPerson(ctx context.Context, beneficiaryID string) {
	if f := s.settle.Load(); f != nil {
		if err := f.Person(ctx, beneficiaryID); err != nil {
			s.logger.Warn("store: a person's submissions read before the one just made was stored", "err", err)
		}
	}
}

// Close disconnects and, for the embedded server, stops it: always the last step of a
// shutdown.
func (s *Store) Close(ctx context.Context) error {
	s.settled(ctx)
	if !s.ownsConn {
		return nil
	}
	s.guard.closed.Store(true)
	if n := s.guard.inFlight.Load(); n > 0 {
		s.guard.late(fmt.Sprintf("%d commands still running", n))
	}
	err := s.client.Disconnect(ctx)
	if s.reads != nil {
		err = errors.Join(err, s.reads.Disconnect(ctx))
	}
	if s.embedded != nil {
		s.embedded.Stop()
	}
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// DBName is the name of the store's database.
func (s *Store) DBName() string { return s.db.Name() }

// Drop deletes the whole database. Tests use it to clean up after themselves.
func (s *Store) Drop(ctx context.Context) error {
	s.settled(ctx)
	s.forgetSlots()
	return s.db.Drop(ctx)
}

// fail counts a store error and wraps it with the operation's name. Missing and
// duplicate records become the domain's not-found and conflict errors.
func (s *Store) fail(op string, err error) error {
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return &ansinh.Error{Code: ansinh.ENOTFOUND, Message: ansinh.MsgNotFound}
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("store: %s: %w", op, &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgConflict})
	}
	if s.guard.closed.Load() {
		s.guard.late(op)
	}
	s.errs.WithLabelValues(op).Inc()
	return fmt.Errorf("store: %s: %w", op, err)
}

// ferretLog passes on FerretDB's records at or above its level, except the dumps of
// whole wire messages it logs for every failed command: those hold documents, and so
// personal data, which must never reach a log.
type ferretLog struct {
	slog.Handler
	level slog.Level
}

func (h ferretLog) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h ferretLog) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "Request ") || strings.HasPrefix(r.Message, "Response ") {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}
func (h ferretLog) WithAttrs(a []slog.Attr) slog.Handler {
	return ferretLog{h.Handler.WithAttrs(a), h.level}
}
func (h ferretLog) WithGroup(n string) slog.Handler {
	return ferretLog{h.Handler.WithGroup(n), h.level}
}
