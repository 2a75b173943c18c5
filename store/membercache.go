package store

import (
	"context"
	"errors"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A search or a filter over a province reads every commune's members roster: 150,000
// lines, some 330 ms on FerretDB, most of it FerretDB decoding the documents. So on
// FerretDB this process keeps the rosters it parsed, each under its version, and a
// small document (schema "roster_versions") names the current version of every
// members roster: a province's search reads it and only the rosters that changed.
//
// A rewrite first drops its roster's version from that document, then writes the
// roster, then sets the new version: a crash between leaves no version, and a roster
// without one is always read from the store. A copy is kept only when the version the
// document names is the one the copy was read at. Whatever writes rosters otherwise (a
// rebuild) drops the whole document. On MongoDB nothing is kept: reads there are cheap.

const rosterVersionsID = "roster_versions"

// memberCache is one Store's parsed members rosters.
type memberCache struct {
	mu    sync.Mutex
	lists map[string]cachedMembers // roster id →
}

type cachedMembers struct {
	v       int64
	members []member
}

// rosterVersions reads the versions document; absent, every roster is unversioned.
func (s *Store) rosterVersions(ctx context.Context) (map[string]int64, error) {
	var d struct {
		V map[string]int64 `bson:"v"`
	}
	err := s.db.Collection(colSchema).FindOne(ctx, bson.D{{Key: "_id", Value: rosterVersionsID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return map[string]int64{}, nil
	}
	if err != nil {
		return nil, s.fail("roster versions", err)
	}
	return d.V, nil
}

// setRosterVersion names v as roster id's version (0: none).
func (s *Store) setRosterVersion(ctx context.Context, id string, v int64) error {
	update := bson.D{{Key: "$unset", Value: bson.D{{Key: "v." + id, Value: ""}}}}
	if v > 0 {
		update = bson.D{{Key: "$set", Value: bson.D{{Key: "v." + id, Value: v}}}}
	}
	_, err := s.db.Collection(colSchema).UpdateOne(ctx, bson.D{{Key: "_id", Value: rosterVersionsID}}, update, options.UpdateOne().SetUpsert(true))
	return err
}

// dropRosterVersions forgets every version: each roster is read again.
func dropRosterVersions(ctx context.Context, db *mongo.Database) error {
	_, err := db.Collection(colSchema).DeleteOne(ctx, bson.D{{Key: "_id", Value: rosterVersionsID}})
	return err
}

// memberRosters returns the parsed members rosters of units, in their order. The
// lists may be shared: callers only read them.
func (s *Store) memberRosters(ctx context.Context, units []string) ([][]member, error) {
	out := make([][]member, len(units))
	if !s.ferret || len(units) <= rosterScanAbove {
		docs, err := s.rosters(ctx, membersRoster, units)
		if err != nil {
			return nil, err
		}
		for i, d := range docs {
			out[i] = parseMembers(d)
		}
		return out, nil
	}
	versions, err := s.rosterVersions(ctx)
	if err != nil {
		return nil, err
	}
	var need []string
	var at []int
	s.members.mu.Lock()
	for i, u := range units {
		id := rosterID(rosterMembers, u)
		if c, ok := s.members.lists[id]; ok && c.v > 0 && versions[id] == c.v {
			out[i] = c.members
			continue
		}
		need, at = append(need, u), append(at, i)
	}
	s.members.mu.Unlock()
	docs, err := s.rosters(ctx, membersRoster, need)
	if err != nil {
		return nil, err
	}
	s.members.mu.Lock()
	defer s.members.mu.Unlock()
	if s.members.lists == nil {
		s.members.lists = map[string]cachedMembers{}
	}
	for j, d := range docs {
		out[at[j]] = parseMembers(d)
		if d.V > 0 && versions[d.ID] == d.V {
			s.members.lists[d.ID] = cachedMembers{v: d.V, members: out[at[j]]}
		}
	}
	return out, nil
}

func parseMembers(d *rosterDoc) []member {
	lines := d.lines()
	out := make([]member, len(lines))
	for i, l := range lines {
		out[i] = parseMember(l)
	}
	return out
}
