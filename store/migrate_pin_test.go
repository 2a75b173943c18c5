package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"testing"
)

// pinned holds each released migration step's hash, in order: a store that ran a step
// never runs it again, so a step's definition may never change once released.
var pinned = []struct{ name, hash string }{
	{"create every collection", "3799ba359c72de38d4ac429506f1de74b9aec99618f0a6f1457f7e4c0023682e"},
	{"users, sessions, login failures, audit indexes", "c890094608ed2a7f4f9c85e27d11475712a45978f7a3de0d7ff566308be68bce"},
	{"beneficiaries and imports indexes", "16784e2053450c225205254ac7f1b3322eaa07d403e2effe680a90a9b66ff987"},
	{"registrations indexes", "357755c0aed12c899a725239c0caf5638da7bc49adb38449e11362fe009948a4"},
	{"counters per programme", "d0767c57086af9a4c211d84dd26baf2226dfe9ca82170363e9e5d48c5fcd2a10"},
	{"unit choice index", "993e9d4a73bf6461e9bfbea1931f339efee1c07e0d8360171b6a7abd8963d2d2"},
	{"outbox status index", "b15b4bbd1c3e331fd49286b6a0c7f142bc988473b32254587415457168639a79"},
	{"decisions still being applied", "6efaa791c744657d1b659be4c1b133187147278df3b721e35ec875466e23596e"},
	{"g2p mapper clients, messages and callbacks", "5878a7c4ac3ad6f4254357f51e0ddbbfc758462b758e3e751798e99042655324"},
	{"seal chat state, events and outbox texts stored in clear", "a0ce04443357a601c359b47d60841053fa85961bb558f9f5b388d82d1d5eaa82"},
	{"retention mark and indexes", "fd054634a6e7141d05af47320ca091e0d7c9c420c1b889997eaacf7325fc5986"},
	{"privacy requests and breach register", "ce264c28c5a0b5ea4e210d390533c4986192a4b45023cb3f5c0cae64b520c39f"},
	{"throttle attempts and import error pages", "b4a12b07f9234857c3b84019760d061e48297806ff643170edc99e9654079c45"},
	{"jobs, their files and claims", "6f648fbe95bfccb94a3654751e8de2b1adf69cc2e659336a77f2d06167fad2e6"},
	{"notices, their queue and attempts", "7ce282b1ba3b3bfc83ab452ff70eaf8d9f7ede23c27a2520b9b7669146b0aa1e"},
	{"payment results and accounts returned", "72db0dfc06f7fc9210a5e130b835253d8bb8f382f5bf6905d8046f0ae0777a0b"},
	{"rosters for every commune", "15e164b4774cd98ac748be70044d7d02ac776ad2c3c52d08108bb72b48bfef72"},
	{"units' contacts", "46c833fffa55f8f9b69003bf34d958b333c587f89863bb93851863f08f43aa47"},
	{"account kinds in the counters, paid counters per month", "812ec1b5120217f41523787e8b7e86dfe9576046e6571e538d228266f67d831c"},
	{"accepted registrations", "8a542423b57c675fbfc0a33584c1523f03eb1b0281e608d900a79e0ca2c3c286"},
}

// TestMigrationsAreAppendOnly hashes the source of each element of the migrations
// slice in migrate.go (gofmt-normalised) and compares it with its pin.
func TestMigrationsAreAppendOnly(t *testing.T) {
	steps := migrationSteps(t)
	for i, p := range pinned {
		if i >= len(steps) {
			t.Errorf("step %d (%s) is gone from migrate.go: released steps are never removed; restore it", i+1, p.name)
			continue
		}
		if steps[i].hash != p.hash {
			t.Errorf("step %d (%s) differs from the released step %q (hash %s, pinned %s): migrations are append-only; "+
				"restore the step and append a new step at the end instead", i+1, steps[i].name, p.name, steps[i].hash, p.hash)
		}
	}
	for i := len(pinned); i < len(steps); i++ {
		t.Errorf("step %d (%s) is not pinned: once it is final, add {%q, %q} to pinned in store/migrate_pin_test.go",
			i+1, steps[i].name, steps[i].name, steps[i].hash)
	}
}

type step struct{ name, hash string }

// migrationSteps parses migrate.go and hashes each element of `var migrations`.
func migrationSteps(t *testing.T) []step {
	t.Helper()
	src, err := os.ReadFile("migrate.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "migrate.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var lit *ast.CompositeLit
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "migrations" || len(vs.Values) != 1 {
			return true
		}
		lit, _ = vs.Values[0].(*ast.CompositeLit)
		return false
	})
	if lit == nil {
		t.Fatal("no `var migrations = []migration{…}` literal in migrate.go")
	}
	var out []step
	for _, e := range lit.Elts {
		text := src[fset.Position(e.Pos()).Offset:fset.Position(e.End()).Offset]
		// gofmt the element alone, so that its indentation or spacing is no change
		norm, err := format.Source(append(append([]byte("package p\n\nvar _ = []migration{\n"), text...), ",\n}\n"...))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(norm)
		name := "?"
		if c, ok := e.(*ast.CompositeLit); ok && len(c.Elts) > 0 {
			if b, ok := c.Elts[0].(*ast.BasicLit); ok {
				name, _ = strconv.Unquote(b.Value)
			}
		}
		out = append(out, step{name: name, hash: hex.EncodeToString(sum[:])})
	}
	return out
}
