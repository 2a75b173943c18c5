package store

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The backup archive: gzip over a sequence of records, each a 4-byte big-endian
// length and a BSON document. A header record {"ansinh_backup": 1, "schema": N} comes
// first; then for each collection {"collection": name} followed by its documents; a
// trailer {"end": count} closes it, so a truncated file is detected on restore.

const backupFormat = 1

// Backup writes every collection to w. On a MongoDB replica set the reads share one
// snapshot, so the copy is consistent; the embedded store has no snapshots: back it up
// through a running instance while no one writes (the nightly job), or stopped.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return 0, s.fail("backup: list", err)
	}
	sort.Strings(names)
	version, err := s.Version(ctx)
	if err != nil {
		return 0, err
	}
	gz := gzip.NewWriter(w)
	bw := bufio.NewWriter(gz)
	write := func(doc any) error {
		b, err := bson.Marshal(doc)
		if err != nil {
			return err
		}
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		if _, err := bw.Write(n[:]); err != nil {
			return err
		}
		_, err = bw.Write(b)
		return err
	}
	run := func(ctx context.Context) (int, error) {
		if err := write(bson.D{{Key: "ansinh_backup", Value: backupFormat}, {Key: "schema", Value: version}}); err != nil {
			return 0, err
		}
		count := 0
		for _, name := range names {
			if err := write(bson.D{{Key: "collection", Value: name}}); err != nil {
				return count, err
			}
			cur, err := s.db.Collection(name).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
			if err != nil {
				return count, s.fail("backup: read "+name, err)
			}
			for cur.Next(ctx) {
				if err := write(bson.Raw(cur.Current)); err != nil {
					cur.Close(ctx)
					return count, err
				}
				count++
			}
			if err := cur.Err(); err != nil {
				cur.Close(ctx)
				return count, s.fail("backup: read "+name, err)
			}
			cur.Close(ctx)
		}
		return count, write(bson.D{{Key: "end", Value: count}})
	}
	// Snapshot reads where the server has them (a replica set); plain reads otherwise
	// (the embedded store). A probe decides before anything is written.
	readCtx := ctx
	if sess, err := s.client.StartSession(options.Session().SetSnapshot(true)); err == nil {
		defer sess.EndSession(ctx)
		sctx := mongo.NewSessionContext(ctx, sess)
		if s.db.Collection(colSchema).FindOne(sctx, bson.D{}).Err() == nil {
			readCtx = sctx
		}
	}
	count, err := run(readCtx)
	if err != nil {
		return count, fmt.Errorf("store: backup: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return count, err
	}
	return count, gz.Close()
}

// ErrNotEmpty refuses a restore into a store that holds data.
var ErrNotEmpty = errors.New("store: restore: the target store is not empty")

// Restore loads an archive into an empty store.
func (s *Store) Restore(ctx context.Context, r io.Reader) (int, error) {
	for _, name := range []string{colUsers, colBeneficiaries, colRegistrations} {
		n, err := s.db.Collection(name).EstimatedDocumentCount(ctx)
		if err != nil {
			return 0, s.fail("restore: check empty", err)
		}
		if n > 0 {
			return 0, ErrNotEmpty
		}
	}
	// The archive's unit set (and an unfinished unit migration) come with its data: the
	// target's own record, if any, would misread every code.
	if _, err := s.db.Collection(colSchema).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{unitSetDocID, unitMigrationDocID}}}}}); err != nil {
		return 0, s.fail("restore: unit set", err)
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return 0, fmt.Errorf("store: restore: not a backup archive: %w", err)
	}
	br := bufio.NewReader(gz)
	read := func() (bson.Raw, error) {
		var n [4]byte
		if _, err := io.ReadFull(br, n[:]); err != nil {
			return nil, err
		}
		size := binary.BigEndian.Uint32(n[:])
		if size > 16<<20 {
			return nil, errors.New("record larger than 16 MB")
		}
		b := make([]byte, size)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, err
		}
		return bson.Raw(b), bson.Raw(b).Validate()
	}
	head, err := read()
	if err != nil || head.Lookup("ansinh_backup").AsInt64() != backupFormat {
		return 0, fmt.Errorf("store: restore: not a backup archive")
	}
	var col *mongo.Collection
	schema := false
	var batch []any
	count := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := col.InsertMany(ctx, batch); err != nil {
			return s.fail("restore: write "+col.Name(), err)
		}
		batch = batch[:0]
		return nil
	}
	for {
		doc, err := read()
		if err != nil {
			return count, fmt.Errorf("store: restore: the archive is damaged or cut short: %w", err)
		}
		if v, err := doc.LookupErr("end"); err == nil {
			if err := flush(); err != nil {
				return count, err
			}
			if int(v.AsInt64()) != count {
				return count, fmt.Errorf("store: restore: the archive holds %d documents, read %d", v.AsInt64(), count)
			}
			// Rosters are derived from the records: built from what was restored (an
			// archive older than them has none).
			if err := rebuildRosters(ctx, s.db); err != nil {
				return count, s.fail("restore: rosters", err)
			}
			return count, nil
		}
		if _, err := doc.LookupErr("_id"); err != nil { // a collection header: data always has _id
			if err := flush(); err != nil {
				return count, err
			}
			name, _ := doc.Lookup("collection").StringValueOK()
			col = s.db.Collection(name)
			schema = name == colSchema
			if schema || name == colRosters || name == colQueueRosters || name == colDecidedRosters { // the target has its own schema document; rosters are rebuilt
				col = nil
			}
			continue
		}
		if col == nil {
			if id, _ := doc.Lookup("_id").StringValueOK(); schema && (id == unitSetDocID || id == unitMigrationDocID) {
				if _, err := s.db.Collection(colSchema).InsertOne(ctx, doc); err != nil {
					return count, s.fail("restore: unit set", err)
				}
			}
			count++
			continue
		}
		batch = append(batch, doc)
		count++
		if len(batch) == 1000 {
			if err := flush(); err != nil {
				return count, err
			}
		}
	}
}
