package store

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// StartPostgres starts FerretDB in this process in front of the PostgreSQL database at
// pgURL (postgres://user:password@host:5432/db), listening on addr ("127.0.0.1:0"
// picks a free port), and returns it as an Embedded: the store talks to it with the
// MongoDB driver as to the SQLite one. FerretDB keeps each MongoDB database in a schema
// of that PostgreSQL database and pushes equality filters down to SQL, but it still
// applies an update by reading and writing the document back: one ansinh process
// writes (connect gives it one connection), and high availability comes from
// PostgreSQL's own replication (deploy/README.md).
func StartPostgres(pgURL, addr string, logger *slog.Logger) (*Embedded, error) {
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: addr},
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
