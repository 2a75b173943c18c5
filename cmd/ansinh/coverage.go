package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
)

// coverage runs `ansinh coverage reconcile [-repair]`: recount the records and report
// (and with -repair correct) any commune whose counters or rosters drifted.
func (a *app) coverage(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "reconcile" {
		return usageError{fmt.Errorf("usage: ansinh coverage reconcile [-repair]")}
	}
	fl := flag.NewFlagSet("coverage reconcile", flag.ContinueOnError)
	fl.SetOutput(stderr)
	repair := fl.Bool("repair", false, "correct the counters that drifted")
	if err := fl.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := a.checkUnitSet(ctx, st); err != nil {
		return err
	}
	drift, err := st.Reconcile(ctx, *repair)
	if err != nil {
		return err
	}
	rosters, err := st.ReconcileRosters(ctx, *repair)
	if err != nil {
		return err
	}
	paid, err := st.ReconcilePaid(ctx, *repair)
	if err != nil {
		return err
	}
	if len(drift) == 0 {
		fmt.Fprintln(a.stdout, "counters match the records: no drift")
	}
	communes := make([]string, 0, len(drift))
	for c := range drift {
		communes = append(communes, c)
	}
	sort.Strings(communes)
	for _, c := range communes {
		d := drift[c]
		fmt.Fprintf(a.stdout, "commune %s: beneficiaries %+d, with account %+d, proxy %+d, not eligible %+d, bank %+d, wallet %+d, vneid %+d\n",
			c, d.Beneficiaries, d.WithAccount, d.Proxy, d.NotEligible, d.Bank, d.Wallet, d.VNeID)
	}
	if len(drift) > 0 && *repair {
		fmt.Fprintf(a.stdout, "repaired %d communes\n", len(drift))
	} else if len(drift) > 0 {
		fmt.Fprintf(a.stdout, "%d communes drifted; run with -repair to correct them\n", len(drift))
	}
	// Paid through an account per commune and month: the counters against the results.
	if len(paid) == 0 {
		fmt.Fprintln(a.stdout, "paid counters match the payment results: no drift")
	}
	for _, d := range paid {
		fmt.Fprintf(a.stdout, "paid %s: %d missing, %d extra, paid %+d\n", d.Counter, len(d.Missing), len(d.Extra), d.Delta.PaidThisMonth)
	}
	if len(paid) > 0 && *repair {
		fmt.Fprintf(a.stdout, "repaired %d paid counters\n", len(paid))
	} else if len(paid) > 0 {
		fmt.Fprintf(a.stdout, "%d paid counters drifted; run with -repair to correct them\n", len(paid))
	}
	// The rosters the staff pages read (members, queue, decided of each commune): the
	// keys are record ids and receipts, never personal data.
	if len(rosters) == 0 {
		fmt.Fprintln(a.stdout, "rosters match the records: no drift")
		return nil
	}
	for _, d := range rosters {
		fmt.Fprintf(a.stdout, "roster %s: %d missing, %d extra, %d out of date\n", d.Roster, len(d.Missing), len(d.Extra), len(d.Wrong))
	}
	if *repair {
		fmt.Fprintf(a.stdout, "rewrote %d rosters from the records\n", len(rosters))
	} else {
		fmt.Fprintf(a.stdout, "%d rosters drifted; run with -repair to rewrite them\n", len(rosters))
	}
	return nil
}
