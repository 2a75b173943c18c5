package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ansinh"
	"ansinh/store"
	"ansinh/store/storetest"

	_ "modernc.org/sqlite"
)

// TestEmbeddedIDIndexes checks that every collection of the embedded store has the _id
// index that makes lookups and updates by _id O(log n) (see Embedded.IndexIDs).
func TestEmbeddedIDIndexes(t *testing.T) {
	if storetest.External() {
		t.Skip("only the embedded store needs it")
	}
	dir := t.TempDir()
	s, err := store.Open(context.Background(), store.Options{DataDir: dir, EmbeddedAddr: "127.0.0.1:0", DBName: "ansinh",
		Logger: storetest.Logger(), Vault: storetest.Vault(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "ansinh.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables, indexes int
	db.QueryRow(`SELECT count(*) FROM "_ferretdb_collections"`).Scan(&tables)
	db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '%__ansinh_id'`).Scan(&indexes)
	if tables < 10 || indexes != tables {
		t.Fatalf("%d collections, %d _id indexes", tables, indexes)
	}
	var plan string
	var id, parent, notused int
	var table string
	db.QueryRow(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'beneficiaries%'`).Scan(&table)
	db.QueryRow(fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table), `"x"`).Scan(&id, &parent, &notused, &plan)
	if !strings.Contains(plan, "USING INDEX") {
		t.Fatalf("query plan: %q", plan)
	}
}

// BenchmarkByID measures a lookup and an update by _id among 20,000 beneficiaries.
func BenchmarkByID(b *testing.B) {
	s := storetest.New(b)
	ctx := context.Background()
	const n = 20000
	var rows []*ansinh.ImportRow
	for i := range n {
		rows = append(rows, &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: "Nguyễn Văn Thử", CCCD: fmt.Sprintf("0940500%05d", i),
			BirthDate: "1950", Commune: "31498", Group: ansinh.GroupNCC}})
	}
	for i := 0; i < n; i += 1000 {
		if _, err := s.InsertImported(ctx, rows[i:i+1000], time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("find", func(b *testing.B) {
		for i := range b.N {
			if _, err := s.Beneficiary(ctx, s.BeneficiaryID(fmt.Sprintf("0940500%05d", n-1-i%n))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("update", func(b *testing.B) {
		for i := range b.N {
			id := s.BeneficiaryID(fmt.Sprintf("0940500%05d", n-1-i%n))
			if err := s.SetIdentity(ctx, id, ansinh.IdentityCheck{State: ansinh.IdentityMatched, At: time.Now()}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
