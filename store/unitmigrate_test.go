package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"ansinh"
	"ansinh/store"
	"ansinh/store/storetest"
)

// migNow is the time of every fixture write and of the migration, so that two runs
// leave byte-comparable stores.
var migNow = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)

var migCommunes = []string{"31498", "31501", "31513", "31522", "31569", "31528", "31795", "31684"}

const migPeople = 120

func unitSets(tb testing.TB) *ansinh.UnitSets {
	tb.Helper()
	sets, err := ansinh.BundledUnitSets(ansinh.SetCanTho2025)
	if err != nil {
		tb.Fatal(err)
	}
	return sets
}

func migCCCD(i int) string { return fmt.Sprintf("0940600%05d", i) }

// socTrangFixture builds a store recorded in soc-trang-2024 with people in several
// communes (31513 and 31522 among them), submissions pending and decided, a frozen
// report (and one of the legacy kind), a snapshot, an import report, chat state and
// staff users of every role with sessions. It returns each person's old commune.
func socTrangFixture(t *testing.T) (*store.Store, map[string]string) {
	t.Helper()
	c := context.Background()
	old := storetest.NewIn(t, ansinh.SetSocTrang2024)
	groups := []ansinh.Group{ansinh.GroupNCC, ansinh.GroupBTXH, ansinh.GroupHTXH}
	communeOf := map[string]string{}
	var rows []*ansinh.ImportRow
	for i := range migPeople {
		r := &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: fmt.Sprintf("Người Thử %d", i), CCCD: migCCCD(i), BirthDate: "1948",
			Commune: migCommunes[i%len(migCommunes)], Group: groups[i%3], Amount: 500000, Eligible: true}}
		if i%7 == 0 {
			r.EligibleGiven, r.Beneficiary.Eligible = true, false
		}
		if i%4 == 0 {
			r.Beneficiary.Account = &ansinh.Account{BankBIN: "970405", Number: fmt.Sprintf("55%08d", i), HolderName: "NGUOI THU",
				Proxy: i%8 == 0, Source: ansinh.SourceImport}
		}
		rows = append(rows, r)
		communeOf[old.BeneficiaryID(migCCCD(i))] = r.Beneficiary.Commune
	}
	if _, err := old.InsertImported(c, rows, migNow); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 6; i++ {
		id := old.BeneficiaryID(migCCCD(i))
		r := &ansinh.Registration{Receipt: fmt.Sprintf("MIGR%06d", i), BeneficiaryID: id, Commune: communeOf[id], Submitter: ansinh.SubmitterSelf,
			BankBIN: "970418", AccountNumber: fmt.Sprintf("88%08d", i), AccountName: "NGUOI THU", Channel: ansinh.ChannelQR, SubmittedAt: migNow}
		if _, err := lifecycle(old).Record(c, r); err != nil {
			t.Fatal(err)
		}
		status := map[int]string{1: ansinh.StatusVerified, 2: ansinh.StatusVerified, 3: ansinh.StatusRejected}[i]
		if status != "" {
			if _, err := lifecycle(old).RecordDecision(c, r, &ansinh.Decision{Receipt: r.Receipt, Status: status, Reason: "other", By: "xa31498", At: migNow}); err != nil {
				t.Fatal(err)
			}
		}
	}
	id4 := old.BeneficiaryID(migCCCD(4))
	if err := old.SaveConversation(c, "zalo:u1", "bank", map[string]string{"beneficiary_id": id4, "commune": communeOf[id4], "name": "x"}, migNow); err != nil {
		t.Fatal(err)
	}
	if err := old.SaveConversation(c, "zalo:u2", "done", map[string]string{"receipt": "MIGR000003", "commune": "31522"}, migNow); err != nil {
		t.Fatal(err)
	}
	from, _ := unitSets(t).Get(ansinh.SetSocTrang2024)
	counts, err := old.Counts(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.SubmitReport(c, &ansinh.Report{Unit: "94", Month: "2025-05", SubmittedBy: "so", SubmittedAt: migNow,
		Coverage: ansinh.BuildCoverage(from.Units, "94", counts)}); err != nil {
		t.Fatal(err)
	}
	if err := old.InsertLegacyReportForTest(c, "941", "2025-04", `{"unit":"941","beneficiaries":15}`, migNow); err != nil {
		t.Fatal(err)
	}
	if err := old.Snapshot(c, migNow); err != nil {
		t.Fatal(err)
	}
	if err := old.SaveImportReport(c, &ansinh.ImportReport{By: "so", Unit: "94", File: "ds.csv", At: migNow}); err != nil {
		t.Fatal(err)
	}
	if err := old.UnstampForTest(c, "imports"); err != nil {
		t.Fatal(err)
	}
	for _, u := range migUsers {
		if err := old.CreateUser(c, &ansinh.User{Username: u.name, Role: u.role, Unit: u.unit, PasswordHash: "h", CreatedAt: migNow, CreatedBy: "admin"}); err != nil {
			t.Fatal(err)
		}
		if err := old.CreateSession(c, "tok-"+u.name, &ansinh.Session{Username: u.name, Kind: "web", CreatedAt: migNow, ExpiresAt: migNow.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.RecordUnitSet(c, ansinh.SetSocTrang2024, migNow); err != nil {
		t.Fatal(err)
	}
	return old, communeOf
}

// migUsers are staff of every role, with where each must end up ("" = locked).
var migUsers = []struct {
	name string
	role ansinh.Role
	unit string
	want string
}{
	{"admin", ansinh.RoleAdmin, "94", "92"},
	{"so", ansinh.RoleProvince, "94", "92"},
	{"huyen941", ansinh.RoleDistrict, "941", ""},
	{"ca941", ansinh.RolePolice, "941", ""},
	{"ca94", ansinh.RolePolice, "94", "92"},
	{"xa31498", ansinh.RoleCommune, "31498", "31507"},
	{"xa31513", ansinh.RoleCommune, "31513", "31510"},
	{"xa31522", ansinh.RoleCommune, "31522", "31510"},
}

func toCanTho(sets *ansinh.UnitSets, now time.Time) store.UnitMigration {
	return store.UnitMigration{Sets: sets, From: ansinh.SetSocTrang2024, To: ansinh.SetCanTho2025, Now: now}
}

func total(m map[string]ansinh.Counts) ansinh.Counts {
	var t ansinh.Counts
	for _, c := range m {
		t = t.Add(c)
	}
	return t
}

func peopleIn(t *testing.T, s *store.Store, units *ansinh.Units) map[string]string {
	t.Helper()
	list, n, err := s.Beneficiaries(context.Background(), ansinh.BeneficiaryQuery{Communes: units.Leaves(units.Root.Code), Limit: 10 * migPeople})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, b := range list {
		if _, dup := out[b.ID]; dup {
			t.Fatalf("%s listed twice", b.ID)
		}
		out[b.ID] = b.Commune
	}
	if int(n) != len(out) {
		t.Fatalf("total %d, listed %d", n, len(out))
	}
	return out
}

func TestUnitMigrationSocTrangToCanTho(t *testing.T) {
	c := ctx(t)
	sets := unitSets(t)
	from, _ := sets.Get(ansinh.SetSocTrang2024)
	to, _ := sets.Get(ansinh.SetCanTho2025)
	old, communeOf := socTrangFixture(t)
	before := peopleIn(t, old, from.Units)
	countsBefore, _ := old.Counts(c)
	frozen, err := old.RawForTest(c, "reports", "soc-trang-2024/94:2025-05")
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := old.RawForTest(c, "reports", "941:2025-04")
	if err != nil {
		t.Fatal(err)
	}

	s := storetest.Reopen(t, old, ansinh.SetCanTho2025)
	m := toCanTho(sets, migNow)
	m.DryRun = true
	plan, err := s.MigrateUnits(c, m)
	if err != nil {
		t.Fatalf("dry run: %v (blockers %v)", err, plan.Blockers)
	}
	if plan.People != migPeople || plan.UsersMoved() != 6 || plan.UsersDisabled() != 2 || plan.Reports != 2 || plan.WaitingPeople() != 0 {
		t.Fatalf("plan: %d people, %d users moved, %d locked, %d stamps, %d waiting", plan.People, plan.UsersMoved(), plan.UsersDisabled(), plan.Reports, plan.WaitingPeople())
	}
	if !slices.Contains(plan.Moves, store.UnitMove{From: "31498", To: "31507", People: migPeople / len(migCommunes)}) {
		t.Fatalf("plan moves: %+v", plan.Moves)
	}
	if got := peopleIn(t, s, from.Units); !reflect.DeepEqual(got, before) {
		t.Fatal("the dry run changed the beneficiaries")
	}

	if _, err := s.MigrateUnits(c, toCanTho(sets, migNow)); err != nil {
		t.Fatal(err)
	}
	after := peopleIn(t, s, to.Units)
	if len(after) != len(before) || len(before) != migPeople {
		t.Fatalf("%d people before, %d after", len(before), len(after))
	}
	for id, was := range before {
		mp, _ := sets.Map(ansinh.SetSocTrang2024, ansinh.SetCanTho2025, was)
		if got, ok := after[id]; !ok || got != mp.Communes[0] {
			t.Fatalf("person of %s: now in %q (%v), want %s", was, got, ok, mp.Communes[0])
		}
	}
	for _, tc := range []struct{ old, new string }{{"31498", "31507"}, {"31522", "31510"}, {"31513", "31510"}} {
		for id, was := range communeOf {
			if was == tc.old && after[id] != tc.new {
				t.Fatalf("%s → %s, want %s", tc.old, after[id], tc.new)
			}
		}
	}
	countsAfter, _ := s.Counts(c)
	if total(countsAfter) != total(countsBefore) {
		t.Fatalf("root totals: before %+v, after %+v", total(countsBefore), total(countsAfter))
	}
	if drift, err := s.Reconcile(c, false); err != nil || len(drift) != 0 {
		t.Fatalf("counters against a recount: %v %v", drift, err)
	}
	noRosterDrift(t, s)

	// Frozen reports: untouched but for the stamp, and found under their own set only.
	if got, _ := s.RawForTest(c, "reports", "soc-trang-2024/94:2025-05"); !bytes.Equal(got, frozen) {
		t.Fatal("the frozen report changed")
	}
	got, _ := s.RawForTest(c, "reports", "941:2025-04")
	if got.Lookup("unit_set").StringValue() != ansinh.SetSocTrang2024 {
		t.Fatalf("legacy report not stamped: %s", got)
	}
	// Every field the legacy report had stays byte for byte; only the stamp is added.
	elems, _ := legacy.Elements()
	for _, el := range elems {
		if v := got.Lookup(el.Key()); !bytes.Equal(v.Value, el.Value().Value) || v.Type != el.Value().Type {
			t.Fatalf("legacy report: %s changed from %s to %s", el.Key(), el.Value(), v)
		}
	}
	if n, _ := got.Elements(); len(n) != len(elems)+1 {
		t.Fatalf("legacy report: %d fields, want %d and the stamp", len(n), len(elems))
	}
	if r, err := s.SubmittedReportIn(c, ansinh.SetSocTrang2024, "94", "2025-05"); err != nil || r == nil || r.Coverage.Beneficiaries != migPeople {
		t.Fatalf("frozen report under soc-trang-2024: %+v %v", r, err)
	}
	if r, err := s.SubmittedReportIn(c, ansinh.SetSocTrang2024, "941", "2025-04"); err != nil || r == nil || r.Coverage.Beneficiaries != 15 {
		t.Fatalf("legacy report under soc-trang-2024: %+v %v", r, err)
	}
	if r, err := s.SubmittedReport(c, "94", "2025-05"); err != nil || r != nil {
		t.Fatalf("an old report answers for the new set: %+v %v", r, err)
	}
	// A snapshot taken before keeps its set: its codes are never read as today's.
	if _, set, err := s.SnapshotCounts(c, "2026-12"); err != nil || set != ansinh.SetSocTrang2024 {
		t.Fatalf("a soc-trang-2024 snapshot: set %q, %v", set, err)
	}

	for _, u := range migUsers {
		got, err := s.User(c, u.name)
		if err != nil {
			t.Fatal(err)
		}
		_, sessErr := s.Session(c, "tok-"+u.name, migNow)
		switch {
		case u.want == "":
			if !got.Disabled || !strings.Contains(got.DisabledReason, "đã giải thể từ 01/07/2025") || !strings.Contains(got.DisabledReason, "Thành phố Sóc Trăng") {
				t.Fatalf("%s: disabled %v, reason %q", u.name, got.Disabled, got.DisabledReason)
			}
			if ansinh.ErrorCode(sessErr) != ansinh.ENOTFOUND {
				t.Fatalf("%s: session kept: %v", u.name, sessErr)
			}
		case got.Disabled || got.Unit != u.want || sessErr != nil:
			t.Fatalf("%s: unit %s disabled %v session %v; want %s", u.name, got.Unit, got.Disabled, sessErr, u.want)
		}
	}
	if evs, _ := s.AuditEvents(c, store.AuditFilter{Action: ansinh.ActionUserUnitMove}); len(evs) != len(migUsers) {
		t.Fatalf("%d user audit events, want %d", len(evs), len(migUsers))
	}

	for i := 1; i <= 6; i++ {
		id := s.BeneficiaryID(migCCCD(i))
		r, err := s.Registration(c, fmt.Sprintf("MIGR%06d", i))
		if err != nil || r.Commune != after[id] {
			t.Fatalf("registration %d: %+v %v, want commune %s", i, r, err, after[id])
		}
	}
	q, n, err := s.Queue(c, store.QueueQuery{Communes: to.Units.Leaves(to.Units.Root.Code)})
	if err != nil || n != 3 || len(q) != 3 {
		t.Fatalf("queue in the new communes: %d %v", n, err)
	}
	if _, data, _, _ := s.Conversation(c, "zalo:u1"); data["commune"] != after[s.BeneficiaryID(migCCCD(4))] {
		t.Fatalf("conversation commune %q", data["commune"])
	}
	if _, data, _, _ := s.Conversation(c, "zalo:u2"); data["commune"] != "" || data["receipt"] != "MIGR000003" {
		t.Fatalf("conversation without a beneficiary: %v", data)
	}
	if set, _ := s.StoredUnitSet(c); set != ansinh.SetCanTho2025 {
		t.Fatalf("stored set %q", set)
	}
	again, err := s.MigrateUnits(c, toCanTho(sets, migNow))
	if err != nil || !again.Done {
		t.Fatalf("second run: %+v %v", again, err)
	}
}

// TestUnitMigrationFinishesWhenRerun interrupts the migration at the end of every
// step and inside the batched ones, runs it again, and wants the store exactly as an
// uninterrupted run leaves it.
func TestUnitMigrationFinishesWhenRerun(t *testing.T) {
	defer store.SetMigrationBatchForTest(40)()
	c := context.Background()
	sets := unitSets(t)
	old, _ := socTrangFixture(t)
	ref := storetest.Reopen(t, old, ansinh.SetCanTho2025)
	var points []string
	m := toCanTho(sets, migNow)
	store.FailAfterForTest(&m, func(p string) error { points = append(points, p); return nil })
	if _, err := ref.MigrateUnits(c, m); err != nil {
		t.Fatal(err)
	}
	want, err := ref.DumpForTest(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"beneficiaries/0", "beneficiaries/1", "users/3"} {
		if !slices.Contains(points, p) {
			t.Fatalf("no point %s in %v", p, points)
		}
	}
	crash := errors.New("crash")
	for _, at := range []string{"stamp", "beneficiaries/0", "beneficiaries/1", "beneficiaries", "registration_events/0", "registrations",
		"conversations", "counters", "rosters", "users/3", "users", "record"} {
		t.Run(at, func(t *testing.T) {
			old, _ := socTrangFixture(t)
			s := storetest.Reopen(t, old, ansinh.SetCanTho2025)
			m := toCanTho(sets, migNow)
			store.FailAfterForTest(&m, func(p string) error {
				if p == at {
					return crash
				}
				return nil
			})
			if _, err := s.MigrateUnits(c, m); !errors.Is(err, crash) {
				t.Fatalf("interrupted run: %v", err)
			}
			if set, _ := s.StoredUnitSet(c); at != "record" && set != ansinh.SetSocTrang2024 {
				t.Fatalf("set recorded before the end: %s", set)
			}
			plan, err := s.MigrateUnits(c, toCanTho(sets, migNow))
			if err != nil || plan.Done || len(plan.StepsDone) == 0 && at != "stamp" && !strings.Contains(at, "/") {
				t.Fatalf("re-run: %+v %v", plan, err)
			}
			got, err := s.DumpForTest(c)
			if err != nil {
				t.Fatal(err)
			}
			diffDumps(t, want, got)
		})
	}
}

func diffDumps(t *testing.T, want, got map[string]map[string]any) {
	t.Helper()
	for col, docs := range want {
		for id, d := range docs {
			if !reflect.DeepEqual(d, got[col][id]) {
				t.Errorf("%s %s:\nwant %v\ngot  %v", col, id, d, got[col][id])
			}
		}
		for id := range got[col] {
			if _, ok := docs[id]; !ok {
				t.Errorf("%s %s: not in the uninterrupted run", col, id)
			}
		}
	}
}

// TestUnitMigrationSplitWard: people of a split old ward wait for a choice among
// the receiving communes, counted apart; their submissions wait with them; the ward's
// officer is locked.
func TestUnitMigrationSplitWard(t *testing.T) {
	c := ctx(t)
	sets := unitSets(t)
	old := storetest.NewIn(t, ansinh.SetPreMerger)
	var rows []*ansinh.ImportRow
	for i, commune := range []string{"31178", "31178", "31178", "31117", "31117"} {
		rows = append(rows, &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: "Người Thử", CCCD: migCCCD(i), BirthDate: "1950",
			Commune: commune, Group: ansinh.GroupBTXH, Eligible: true}})
	}
	if _, err := old.InsertImported(c, rows, migNow); err != nil {
		t.Fatal(err)
	}
	if err := old.UnstampForTest(c, "beneficiaries"); err != nil { // as written before unit sets
		t.Fatal(err)
	}
	id0 := old.BeneficiaryID(migCCCD(0))
	if _, err := lifecycle(old).Record(c, &ansinh.Registration{Receipt: "SPLIT00001", BeneficiaryID: id0, Commune: "31178",
		Submitter: ansinh.SubmitterSelf, BankBIN: "970418", AccountNumber: "8800000001", AccountName: "NGUOI THU", Channel: ansinh.ChannelQR, SubmittedAt: migNow}); err != nil {
		t.Fatal(err)
	}
	if err := old.CreateUser(c, &ansinh.User{Username: "xa31178", Role: ansinh.RoleCommune, Unit: "31178", CreatedAt: migNow}); err != nil {
		t.Fatal(err)
	}
	s := storetest.Reopen(t, old, ansinh.SetCanTho2025)
	plan, err := s.MigrateUnits(c, store.UnitMigration{Sets: sets, From: ansinh.SetPreMerger, To: ansinh.SetCanTho2025, Now: migNow})
	if err != nil || plan.WaitingPeople() != 3 {
		t.Fatalf("plan %+v, %v", plan, err)
	}
	split, _ := sets.Map(ansinh.SetPreMerger, ansinh.SetCanTho2025, "31178")
	b, err := s.Beneficiary(c, id0)
	if err != nil || b.Commune != "" || !reflect.DeepEqual(b.Candidates, split.Communes) || len(split.Communes) < 2 {
		t.Fatalf("split ward: %+v %v; candidates %v", b, err, split.Communes)
	}
	whole, _ := s.Beneficiary(c, s.BeneficiaryID(migCCCD(3)))
	if whole.Commune != "31120" || whole.Candidates != nil {
		t.Fatalf("whole ward: %+v", whole)
	}
	counts, _ := s.Counts(c)
	if counts[ansinh.UnassignedKey].Beneficiaries != 3 || counts["31120"].Beneficiaries != 2 {
		t.Fatalf("counts %+v", counts)
	}
	if r, _ := s.Registration(c, "SPLIT00001"); r.Commune != "" {
		t.Fatalf("registration of a waiting person: commune %q", r.Commune)
	}
	noRosterDrift(t, s)
	if n, err := s.CountWaiting(c, split.Communes[:1]); err != nil || n != 3 {
		t.Fatalf("waiting for %s: %d, %v", split.Communes[0], n, err)
	}
	if q, _, _ := s.Queue(c, store.QueueQuery{Communes: split.Communes}); len(q) != 0 {
		t.Fatalf("the submission of a waiting person is in a commune's queue: %+v", q)
	}
	u, _ := s.User(c, "xa31178")
	if !u.Disabled || !strings.Contains(u.DisabledReason, "được chia về nhiều xã, phường") {
		t.Fatalf("split ward officer: %+v", u)
	}
	if h, _ := s.StoredUnitSet(c); h != ansinh.SetCanTho2025 {
		t.Fatalf("stored set %s", h)
	}
}

// TestUnitMigrationBlockers: a code that is no commune of the old set stops the move
// before anything changes.
func TestUnitMigrationBlockers(t *testing.T) {
	c := ctx(t)
	sets := unitSets(t)
	old := storetest.NewIn(t, ansinh.SetSocTrang2024)
	rows := []*ansinh.ImportRow{
		{Beneficiary: ansinh.Beneficiary{Name: "A", CCCD: migCCCD(1), BirthDate: "1950", Commune: "31498", Group: ansinh.GroupNCC, Eligible: true}},
		{Beneficiary: ansinh.Beneficiary{Name: "B", CCCD: migCCCD(2), BirthDate: "1950", Commune: "99999", Group: ansinh.GroupNCC, Eligible: true}},
	}
	if _, err := old.InsertImported(c, rows, migNow); err != nil {
		t.Fatal(err)
	}
	s := storetest.Reopen(t, old, ansinh.SetCanTho2025)
	plan, err := s.MigrateUnits(c, toCanTho(sets, migNow))
	if !errors.Is(err, store.ErrUnitBlockers) || len(plan.Blockers) != 1 || !strings.Contains(plan.Blockers[0], "99999") {
		t.Fatalf("blockers %v, %v", plan.Blockers, err)
	}
	if b, _ := s.Beneficiary(c, s.BeneficiaryID(migCCCD(1))); b.Commune != "31498" {
		t.Fatalf("moved despite the blocker: %s", b.Commune)
	}
	if _, err := s.MigrateUnits(c, store.UnitMigration{Sets: sets, From: ansinh.SetCanTho2025, To: ansinh.SetSocTrang2024, DryRun: true}); !errors.Is(err, store.ErrUnitBlockers) {
		t.Fatalf("backwards: %v", err)
	}
}

// BenchmarkUnitMigration moves 100,000 soc-trang-2024 beneficiaries to can-tho-2025
// and reports the seconds and the peak heap of the move (sampled every 10 ms).
func BenchmarkUnitMigration(b *testing.B) {
	c := context.Background()
	sets := unitSets(b)
	from, _ := sets.Get(ansinh.SetSocTrang2024)
	communes := from.Units.Leaves(from.Units.Root.Code)
	const n = 100_000
	for range b.N {
		b.StopTimer()
		old := storetest.NewIn(b, ansinh.SetSocTrang2024)
		rows := make([]*ansinh.ImportRow, 0, 5000)
		for i := range n {
			rows = append(rows, &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: "Nguyễn Văn Thử", CCCD: fmt.Sprintf("094070%06d", i),
				BirthDate: "1950", Commune: communes[i%len(communes)], Group: ansinh.GroupNCC, Eligible: true}})
			if len(rows) == cap(rows) || i == n-1 {
				if _, err := old.InsertImported(c, rows, migNow); err != nil {
					b.Fatal(err)
				}
				rows = rows[:0]
			}
		}
		s := storetest.Reopen(b, old, ansinh.SetCanTho2025)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base, peak := ms.HeapAlloc, ms.HeapAlloc
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(10 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapAlloc)
				}
			}
		}()
		b.StartTimer()
		start := time.Now()
		plan, err := s.MigrateUnits(c, toCanTho(sets, migNow))
		took := time.Since(start)
		b.StopTimer()
		close(stop)
		<-sampled
		if err != nil || plan.People != n {
			b.Fatalf("%v, %d people", err, plan.People)
		}
		b.ReportMetric(took.Seconds(), "s/migration")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(peak-base)/(1<<20), "heap-growth-MB")
	}
}

// A submission accepted and not yet through its steps holds a migration back, as a
// decision half-applied does: its commune is the old set's, and its steps would store
// it under that code after the move.
func TestUnitMigrationWaitsForAcceptedSubmissions(t *testing.T) {
	c := ctx(t)
	sets := unitSets(t)
	old := storetest.NewIn(t, ansinh.SetSocTrang2024)
	rows := []*ansinh.ImportRow{{Beneficiary: ansinh.Beneficiary{Name: "A", CCCD: migCCCD(1), BirthDate: "1950", Commune: "31498", Group: ansinh.GroupNCC, Eligible: true}}}
	if _, err := old.InsertImported(c, rows, migNow); err != nil {
		t.Fatal(err)
	}
	r := &ansinh.Registration{Receipt: ansinh.NewReceipt(), BeneficiaryID: old.BeneficiaryID(migCCCD(1)), Commune: "31498",
		Submitter: ansinh.SubmitterSelf, BankBIN: "970405", AccountNumber: "123456789012", AccountName: "A", Channel: ansinh.ChannelAPI, SubmittedAt: migNow}
	if _, err := old.InsertAccepted(c, r, "public", ""); err != nil {
		t.Fatal(err)
	}
	s := storetest.Reopen(t, old, ansinh.SetCanTho2025)
	if _, err := s.MigrateUnits(c, toCanTho(sets, migNow)); !errors.Is(err, store.ErrUnfinishedDecisions) {
		t.Fatalf("a migration with a submission accepted: %v", err)
	}
	if b, _ := s.Beneficiary(c, s.BeneficiaryID(migCCCD(1))); b.Commune != "31498" {
		t.Fatalf("moved: %s", b.Commune)
	}
}
