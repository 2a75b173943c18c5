package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"ansinh"
	"ansinh/store"
	"ansinh/store/storetest"
)

// rosterCity stores people of three communes, some waiting for one of two, with every
// programme, account, eligibility and identity state, and returns them as the store
// holds them.
func rosterCity(t *testing.T, s *store.Store, seed uint64, n int) []*ansinh.Beneficiary {
	t.Helper()
	c := ctx(t)
	rng := rand.New(rand.NewPCG(seed, 16))
	communes := []string{"31498", "31501", "31569"}
	given := []string{"Sáu", "Bảy", "Tám", "Sương", "Út"}
	var rows []*ansinh.ImportRow
	for i := range n {
		b := ansinh.Beneficiary{Name: []string{"Nguyễn", "Trần", "Lê"}[rng.IntN(3)] + " " + []string{"Văn", "Thị"}[rng.IntN(2)] + " " + given[rng.IntN(len(given))],
			CCCD: fmt.Sprintf("0940516%05d", i), BirthDate: "1950", Commune: communes[rng.IntN(3)], Group: ansinh.Groups[rng.IntN(3)], Eligible: true}
		r := &ansinh.ImportRow{Beneficiary: b}
		switch rng.IntN(5) {
		case 0:
			r.Beneficiary.Commune, r.Beneficiary.Candidates = "", []string{"31498", "31501"}
		case 1:
			r.Beneficiary.Account = &ansinh.Account{BankBIN: "970405", Number: fmt.Sprintf("77%010d", i), HolderName: "X", Source: ansinh.SourceImport, Proxy: i%2 == 0}
		case 2:
			r.EligibleGiven, r.Beneficiary.Eligible = true, false
		}
		rows = append(rows, r)
	}
	if _, err := s.InsertImported(c, rows, time.Now()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i += 3 {
		state := []string{ansinh.IdentityMatched, ansinh.IdentityMismatch}[rng.IntN(2)]
		if err := s.SetIdentity(c, s.BeneficiaryID(rows[i].Beneficiary.CCCD), ansinh.IdentityCheck{State: state, Note: "x", By: "ca", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	var out []*ansinh.Beneficiary
	for _, r := range rows {
		b, err := s.Beneficiary(c, s.BeneficiaryID(r.Beneficiary.CCCD))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// expectedPage is what a list must answer, worked out from the records alone: the
// matches of q in its order, one page of them, and their number.
func expectedPage(people []*ansinh.Beneficiary, q ansinh.BeneficiaryQuery) ([]string, int) {
	var match []*ansinh.Beneficiary
	for _, b := range people {
		switch {
		case q.Waiting && !(b.Waiting() && slices.ContainsFunc(b.Candidates, func(c string) bool { return slices.Contains(q.Communes, c) })),
			!q.Waiting && !slices.Contains(q.Communes, b.Commune),
			q.Name != "" && !strings.Contains(ansinh.NameKey(b.Name), q.Name),
			q.Identity != "" && b.Identity.State != q.Identity:
			continue
		}
		match = append(match, b)
	}
	byName := func(a, b *ansinh.Beneficiary) bool {
		ka, kb := ansinh.NameKey(a.Name), ansinh.NameKey(b.Name)
		return ka < kb || ka == kb && a.ID < b.ID
	}
	walk := len(q.Communes) > 1 && !q.Waiting && q.Name == "" && q.Identity == ""
	sort.Slice(match, func(i, j int) bool {
		if walk && match[i].Commune != match[j].Commune { // commune by commune, in the query's order
			return slices.Index(q.Communes, match[i].Commune) < slices.Index(q.Communes, match[j].Commune)
		}
		return byName(match[i], match[j])
	})
	var ids []string
	for i := int(q.Skip); i < len(match) && (q.Limit == 0 || i < int(q.Skip+q.Limit)); i++ {
		ids = append(ids, match[i].ID)
	}
	return ids, len(match)
}

// TestListsAreExactlyTheUnitsPeople compares every kind of list (a commune, several,
// searches by name, the identity filter, the people waiting for a commune, pages)
// with the records: the same people, in the same order, and the same total.
func TestListsAreExactlyTheUnitsPeople(t *testing.T) {
	for seed := range uint64(2) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			s := storetest.New(t)
			people := rosterCity(t, s, seed, 90)
			var queries []ansinh.BeneficiaryQuery
			for _, communes := range [][]string{{"31498"}, {"31501"}, {"31569", "31498"}, {"31498", "31501", "31569"}, {"31507"}} {
				for _, name := range []string{"", "sau", "thi sau", "nguyen van", "x"} {
					for _, identity := range []string{"", ansinh.IdentityMatched, ansinh.IdentityUnchecked} {
						for _, page := range []struct{ skip, limit int64 }{{0, 50}, {7, 10}, {0, 0}} {
							queries = append(queries, ansinh.BeneficiaryQuery{Communes: communes, Name: name, Identity: identity, Skip: page.skip, Limit: page.limit})
						}
					}
					queries = append(queries, ansinh.BeneficiaryQuery{Communes: communes, Name: name, Waiting: true, Limit: 50})
				}
			}
			for _, q := range queries {
				got, total, err := s.Beneficiaries(ctx(t), q)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, b := range got {
					ids = append(ids, b.ID)
				}
				want, wantTotal := expectedPage(people, q)
				if !slices.Equal(ids, want) || int(total) != wantTotal {
					t.Fatalf("%+v:\n got %d of %d: %v\nwant %d of %d: %v", q, len(ids), total, ids, len(want), wantTotal, want)
				}
			}
			// A whole CCCD finds its person inside the unit only.
			for _, b := range people[:10] {
				q := ansinh.BeneficiaryQuery{Communes: []string{"31498"}, CCCD: fmt.Sprintf("0940516%05d", slices.Index(people, b)), Limit: 50}
				got, total, _ := s.Beneficiaries(ctx(t), q)
				if in := b.Commune == "31498"; (len(got) == 1) != in || (total == 1) != in {
					t.Fatalf("CCCD of a person of %q in 31498: %d found", b.Commune, len(got))
				}
			}
		})
	}
}

// TestDriftedRosterShowsNobodyElse puts a person of one commune into the roster of
// another and changes a line: lists, searches, exports and the payment list of that
// commune still show only its own people, as their records say.
func TestDriftedRosterShowsNobodyElse(t *testing.T) {
	s := storetest.New(t)
	people := rosterCity(t, s, 3, 60)
	var stranger *ansinh.Beneficiary
	for _, b := range people {
		if b.Commune == "31501" && b.Account != nil {
			stranger = b
			break
		}
	}
	s.DamageRosterForTest(ctx(t), "m", "31498", stranger.ID)
	for _, q := range []ansinh.BeneficiaryQuery{{Communes: []string{"31498"}, Limit: 100}, {Communes: []string{"31498"}, Name: "nguoi la", Limit: 100},
		{Communes: []string{"31498", "31569"}, Limit: 100}} {
		got, _, err := s.Beneficiaries(ctx(t), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range got {
			if !slices.Contains(q.Communes, b.Commune) {
				t.Fatalf("%+v lists %s of %s", q, b.ID, b.Commune)
			}
		}
	}
	err := s.EachBeneficiary(ctx(t), []string{"31498"}, func(b *ansinh.Beneficiary) error {
		if b.Commune != "31498" {
			t.Fatalf("export of 31498 holds %s of %s", b.ID, b.Commune)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.EachPaymentRow(ctx(t), []string{"31498"}, "", func(r ansinh.PaymentRow) error {
		if r.Commune != "31498" {
			t.Fatalf("payment list of 31498 holds a person of %s", r.Commune)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestExportsReadExactlyTheUnit reads the export and the payment list of several scopes
// both ways, commune by commune from the rosters and in one pass over the records:
// each holds exactly the people of the scope (the payment list: those with an
// account, of the programme asked for), once.
func TestExportsReadExactlyTheUnit(t *testing.T) {
	s := storetest.New(t)
	people := rosterCity(t, s, 5, 80)
	for _, scan := range []bool{false, true} {
		if scan {
			t.Cleanup(store.SetExportScanForTest(0))
		}
		for _, communes := range [][]string{{"31498"}, {"31501", "31569"}, {"31498", "31501", "31569", ""}} {
			var want, got []string
			for _, b := range people {
				if slices.Contains(communes, b.Commune) {
					want = append(want, b.ID)
				}
			}
			if err := s.EachBeneficiary(ctx(t), communes, func(b *ansinh.Beneficiary) error { got = append(got, b.ID); return nil }); err != nil {
				t.Fatal(err)
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("scan %v, export of %v: %d people, want %d", scan, communes, len(got), len(want))
			}
			for _, program := range []ansinh.Group{"", ansinh.GroupNCC} {
				var want, got []string
				for _, b := range people {
					if slices.Contains(communes, b.Commune) && b.Account != nil && (program == "" || b.Group == program) {
						want = append(want, b.CCCDLast4)
					}
				}
				err := s.EachPaymentRow(ctx(t), communes, program, func(r ansinh.PaymentRow) error {
					got = append(got, r.CCCD[8:])
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				slices.Sort(want)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("scan %v, payment list of %v (%q): %v, want %v", scan, communes, program, got, want)
				}
			}
		}
	}
}

// TestReconcileRepairsRosters damages a members, a queue and a decided roster (a line
// lost, a line changed, a stranger's line added): the reconcile names each roster and
// the keys, the repair rewrites them from the records, and nothing else moves.
func TestReconcileRepairsRosters(t *testing.T) {
	s := storetest.New(t)
	c := ctx(t)
	people := rosterCity(t, s, 7, 40)
	var regs []*ansinh.Registration
	for i, b := range people {
		if b.Commune != "31498" {
			continue
		}
		r := &ansinh.Registration{Receipt: ansinh.NewReceipt(), BeneficiaryID: b.ID, Commune: b.Commune, Submitter: ansinh.SubmitterSelf,
			BankBIN: "970418", AccountNumber: fmt.Sprintf("88%010d", i), AccountName: "X", Channel: ansinh.ChannelQR, SubmittedAt: time.Now().Add(time.Duration(i) * time.Second)}
		if _, err := lifecycle(s).Record(c, r); err != nil {
			t.Fatal(err)
		}
		regs = append(regs, r)
	}
	for _, r := range regs[:4] {
		if _, err := lifecycle(s).RecordDecision(c, r, &ansinh.Decision{Receipt: r.Receipt, Status: ansinh.StatusRejected, Reason: "other", Note: "x", By: "x", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	noRosterDrift(t, s)
	before := map[string][]string{}
	for _, r := range []struct{ kind, unit string }{{"m", "31501"}, {"m", "31569"}, {"q", "31501"}} {
		before[r.kind+r.unit] = s.RosterLinesForTest(c, r.kind, r.unit)
	}
	s.DamageRosterForTest(c, "m", "31498", "0123456789abcdef0123456789abcdef")
	s.DamageRosterForTest(c, "q", "31498", "XXXXXXXX")
	s.DamageRosterForTest(c, "d", "31498", "YYYYYYYY:decision")
	drift, err := s.ReconcileRosters(c, false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range drift {
		names = append(names, d.Roster)
		if len(d.Missing) != 1 || len(d.Wrong) != 1 || len(d.Extra) != 1 {
			t.Errorf("%s: missing %v, wrong %v, extra %v; want one of each", d.Roster, d.Missing, d.Wrong, d.Extra)
		}
	}
	if !slices.Equal(names, []string{"d:31498", "m:31498", "q:31498"}) {
		t.Fatalf("drifted rosters %v", names)
	}
	if _, err := s.ReconcileRosters(c, true); err != nil {
		t.Fatal(err)
	}
	noRosterDrift(t, s)
	for _, r := range []struct{ kind, unit string }{{"m", "31501"}, {"m", "31569"}, {"q", "31501"}} {
		if got := s.RosterLinesForTest(c, r.kind, r.unit); !slices.Equal(got, before[r.kind+r.unit]) {
			t.Fatalf("the repair changed %s:%s", r.kind, r.unit)
		}
	}
}

// TestRostersAfterRestore: a restore rebuilds every roster from the records it
// restored (the unit migration tests check the same after a migration).
func TestRostersAfterRestore(t *testing.T) {
	src := storetest.New(t)
	rosterCity(t, src, 9, 30)
	var buf strings.Builder
	if _, err := src.Backup(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	dst := storetest.New(t)
	if _, err := dst.Restore(context.Background(), strings.NewReader(buf.String())); err != nil {
		t.Fatal(err)
	}
	noRosterDrift(t, dst)
	got, total, err := dst.Beneficiaries(ctx(t), ansinh.BeneficiaryQuery{Communes: []string{"31498", "31501", "31569"}, Limit: 100})
	if err != nil || total == 0 || len(got) == 0 {
		t.Fatalf("after restore: %d of %d, %v", len(got), total, err)
	}
}

// TestProvinceSearchSeesEveryWrite: on FerretDB a search over many communes keeps the
// rosters it parsed; a write through the same store or through a second one on the same
// database (another instance) is seen by the next search, as are a damaged roster and a
// rebuild.
func TestProvinceSearchSeesEveryWrite(t *testing.T) {
	a, b := storetest.Pair(t)
	c := ctx(t)
	people := rosterCity(t, a, 11, 60)
	communes := []string{"31498", "31501", "31569", "31471", "31474", "31477", "31480", "31483", "31486", "31489"} // more than a few: the kept copies serve
	check := func(step string, s *store.Store, q ansinh.BeneficiaryQuery) {
		t.Helper()
		var fresh []*ansinh.Beneficiary
		for _, p := range people {
			b, err := s.Beneficiary(c, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			fresh = append(fresh, b)
		}
		got, total, err := s.Beneficiaries(c, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, b := range got {
			ids = append(ids, b.ID)
		}
		want, wantTotal := expectedPage(fresh, q)
		if !slices.Equal(ids, want) || int(total) != wantTotal {
			t.Fatalf("%s: got %d of %d %v, want %d of %d %v", step, len(ids), total, ids, len(want), wantTotal, want)
		}
	}
	mismatch := ansinh.BeneficiaryQuery{Communes: communes, Identity: ansinh.IdentityMismatch, Limit: 100}
	sau := ansinh.BeneficiaryQuery{Communes: communes, Name: "sau", Limit: 100}
	for _, s := range []*store.Store{a, b} {
		check("before", s, mismatch)
		check("before", s, sau)
	}
	var target *ansinh.Beneficiary
	for _, p := range people {
		if p.Commune == "31501" && p.Identity.State != ansinh.IdentityMismatch {
			target = p
			break
		}
	}
	// A write through the other instance, then through the same one.
	if err := b.SetIdentity(c, target.ID, ansinh.IdentityCheck{State: ansinh.IdentityMismatch, Note: "x", By: "ca", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	check("after b's identity check, on a", a, mismatch)
	check("after b's identity check, on b", b, mismatch)
	row := &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: "Đỗ Văn Sáu Mới", CCCD: fmt.Sprintf("0940516%05d", slices.Index(people, target)), BirthDate: "1950",
		Commune: "31569", Group: target.Group, Eligible: target.Eligible}}
	if _, err := a.UpdateImported(c, row, time.Now()); err != nil {
		t.Fatal(err)
	}
	check("after a's import moved and renamed someone, on a", a, sau)
	check("after a's import moved and renamed someone, on b", b, sau)
	// A damaged roster is read again (and the records still decide who is listed).
	a.DamageRosterForTest(c, "m", "31498", people[0].ID)
	if _, err := a.ReconcileRosters(c, true); err != nil {
		t.Fatal(err)
	}
	check("after a repair", b, sau)
	check("after a repair", a, mismatch)
}

// TestRostersFollowReturnedPaymentsAndWithdrawals: a payment that came back and a
// withdrawn consent each take the person's account away; their roster lines say so at
// once, without a repair.
func TestRostersFollowReturnedPaymentsAndWithdrawals(t *testing.T) {
	s := storetest.New(t)
	c := ctx(t)
	rows := make([]*ansinh.ImportRow, 2)
	for i := range rows {
		rows[i] = &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: fmt.Sprint("Người Thử ", i), CCCD: fmt.Sprintf("0940501%05d", i),
			BirthDate: "1950", Commune: "31498", Group: ansinh.GroupBTXH, Eligible: true,
			Account: &ansinh.Account{BankBIN: "970418", Number: fmt.Sprintf("77%010d", i), HolderName: "NGUOI THU", Source: "import"}}}
	}
	if _, err := s.InsertImported(c, rows, time.Now()); err != nil {
		t.Fatal(err)
	}
	noRosterDrift(t, s)
	returned, withdrawn := s.BeneficiaryID(rows[0].Beneficiary.CCCD), s.BeneficiaryID(rows[1].Beneficiary.CCCD)
	if err := s.ReturnAccount(c, &ansinh.PaymentResult{Month: "2026-11", BeneficiaryID: returned, Commune: "31498", Result: ansinh.PaymentReturned,
		Reason: "tài khoản đã đóng", AccountIndex: s.AccountIndex("970418", rows[0].Beneficiary.Account.Number), At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle(s).WithdrawConsent(c, s, withdrawn, "YC-1", "xa.31498", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{returned, withdrawn} {
		if b, err := s.Beneficiary(c, id); err != nil || b.Account != nil {
			t.Fatalf("%s still has an account: %+v, %v", id, b, err)
		}
	}
	noRosterDrift(t, s)
}
