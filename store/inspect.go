package store

import (
	"context"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// CollectionInspection is what `ansinh privacy report` learns of one collection from
// the running store: how many documents, and, in a sample, which of the fields that
// should be sealed are there, and which fields hold what looks like a personal number
// in clear (a run of nine or more digits in a string) — their paths only, never a
// value.
type CollectionInspection struct {
	Name         string
	Documents    int64
	Sampled      int
	Sealed       map[string]int // sealed field path → documents of the sample holding it
	ClearNumbers []string       // field paths holding a number in clear, sorted
}

// Collections lists the store's collections.
func (s *Store) Collections(ctx context.Context) ([]string, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, s.fail("list collections", err)
	}
	sort.Strings(names)
	return names, nil
}

// InspectCollection counts a collection and reads up to sample documents of it (the
// newest by _id). skip are field names not looked at: identifiers that are not personal
// numbers (a Zalo user id, an id made of a time).
func (s *Store) InspectCollection(ctx context.Context, name string, sealed, skip []string, sample int64) (*CollectionInspection, error) {
	col := s.db.Collection(name)
	n, err := col.CountDocuments(ctx, bson.D{})
	if err != nil {
		return nil, s.fail("inspect "+name, err)
	}
	out := &CollectionInspection{Name: name, Documents: n, Sealed: map[string]int{}}
	cur, err := col.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(sample))
	if err != nil {
		return nil, s.fail("inspect "+name, err)
	}
	defer cur.Close(ctx)
	skipped := map[string]bool{"_id": true}
	for _, f := range skip {
		skipped[f] = true
	}
	clear := map[string]bool{}
	for cur.Next(ctx) {
		out.Sampled++
		for _, path := range sealed {
			if v, err := cur.Current.LookupErr(strings.Split(path, ".")...); err == nil && v.StringValue() != "" {
				out.Sealed[path]++
			}
		}
		walkStrings(cur.Current, "", skipped, func(path, v string) {
			if longDigits(v) {
				clear[path] = true
			}
		})
	}
	if err := cur.Err(); err != nil {
		return nil, s.fail("inspect "+name, err)
	}
	for p := range clear {
		out.ClearNumbers = append(out.ClearNumbers, p)
	}
	sort.Strings(out.ClearNumbers)
	return out, nil
}

// walkStrings calls f with the path and value of every string in a document, nested
// documents and arrays included; sealed values (fields ending in _enc) are skipped.
func walkStrings(doc bson.Raw, prefix string, skip map[string]bool, f func(path, v string)) {
	elems, err := doc.Elements()
	if err != nil {
		return
	}
	for _, e := range elems {
		key := e.Key()
		if skip[key] || strings.HasSuffix(key, "_enc") {
			continue
		}
		path := key
		if prefix != "" {
			path = prefix + "." + key
		}
		v := e.Value()
		switch v.Type {
		case bson.TypeString:
			f(path, v.StringValue())
		case bson.TypeEmbeddedDocument:
			walkStrings(v.Document(), path, skip, f)
		case bson.TypeArray:
			vals, _ := v.Array().Values()
			for _, a := range vals {
				switch a.Type {
				case bson.TypeString:
					f(path, a.StringValue())
				case bson.TypeEmbeddedDocument:
					walkStrings(a.Document(), path, skip, f)
				}
			}
		}
	}
}

// longDigits reports a number of nine or more digits standing on its own (not part of
// a word: a blind index in hex or a receipt is letters and digits mixed): a phone,
// CCCD or account number.
func longDigits(s string) bool {
	alnum := func(i int) bool {
		if i < 0 || i >= len(s) {
			return false
		}
		c := s[i]
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j-i >= 9 && !alnum(i-1) && !alnum(j) {
			return true
		}
		i = j
	}
	return false
}
