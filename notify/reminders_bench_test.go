package notify_test

import (
	"context"
	"fmt"
	"testing"

	"ansinh"
)

// BenchmarkRemind is one run of a commune's reminders over 2,000 people with no account,
// 100 of whom agreed to be told (a rejected submission with a phone), each run a new
// month so that it queues the 100 again.
func BenchmarkRemind(b *testing.B) {
	r := newRig(b)
	ctx := context.Background()
	var rows []*ansinh.ImportRow
	for i := range 2000 {
		rows = append(rows, &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: fmt.Sprintf("Người %d", i), CCCD: fmt.Sprintf("0941500%05d", i),
			BirthDate: "1950-01-01", Commune: "31498", Group: ansinh.GroupBTXH, Eligible: true}})
	}
	if _, err := r.st.InsertImported(ctx, rows, r.clock); err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		p, err := r.st.Beneficiary(ctx, r.st.BeneficiaryID(fmt.Sprintf("0941500%05d", i)))
		if err != nil {
			b.Fatal(err)
		}
		r.decide(r.submitFor(p, true, true), ansinh.StatusRejected)
	}
	month := 0
	for b.Loop() {
		month++
		got, err := r.svc.Remind(ctx, []string{"31498"}, fmt.Sprintf("2030-%02d", month%12+1))
		if err != nil {
			b.Fatal(err)
		}
		if month <= 12 && got.Queued != 100 {
			b.Fatalf("queued %d", got.Queued)
		}
	}
}
