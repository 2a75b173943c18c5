package store

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// StartPostgres starts FerretDB in this process in front of the PostgreSQL database at
// pgURL (postgres://user:password@host:5432/db), listening as StartEmbedded does (on
// the Unix socket in dir, owner-only, when addr is empty; on addr, "127.0.0.1:0"
// picks a free port, otherwise), and returns it as an Embedded: the store talks to it with the
// MongoDB driver as to the SQLite one. FerretDB keeps each MongoDB database in a schema
// of that PostgreSQL database and pushes equality filters down to SQL, but it still
// applies an update by reading and writing the document back: one ansinh process
// writes (connect gives it one connection), and high availability comes from
// PostgreSQL's own replication (deploy/README.md).
func StartPostgres(pgURL, dir, addr string, logger *slog.Logger) (*Embedded, error) {
	if addr == "" { // the socket goes in the data directory, made the service's own
		abs, err := ownDir(dir)
		if err != nil {
			return nil, fmt.Errorf("store: postgresql: %w", err)
		}
		dir = abs
	}
	listener, err := listenerIn(dir, addr)
	if err != nil {
		return nil, fmt.Errorf("store: postgresql: %w", err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      listener,
		Handler:       "postgresql",
		PostgreSQLURL: pgURL,
		Logger:        logger,
	})
	if err != nil {
		return nil, fmt.Errorf("store: postgresql: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Embedded{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(ctx) // returns nil when ctx ends
	}()
	e.uri = f.MongoDBURI() // waits until the listener is bound
	return e, nil
}
