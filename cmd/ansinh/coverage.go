package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
)

// coverage runs `ansinh coverage reconcile [-repair]`: recount the records and report
// (and with -repair correct) any commune whose counters drifted.
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
	if len(drift) == 0 {
		fmt.Fprintln(a.stdout, "counters match the records: no drift")
		return nil
	}
	communes := make([]string, 0, len(drift))
	for c := range drift {
		communes = append(communes, c)
	}
	sort.Strings(communes)
	for _, c := range communes {
		d := drift[c]
		fmt.Fprintf(a.stdout, "commune %s: beneficiaries %+d, with account %+d, proxy %+d, not eligible %+d\n",
			c, d.Beneficiaries, d.WithAccount, d.Proxy, d.NotEligible)
	}
	if *repair {
		fmt.Fprintf(a.stdout, "repaired %d communes\n", len(drift))
	} else {
		fmt.Fprintf(a.stdout, "%d communes drifted; run with -repair to correct them\n", len(drift))
	}
	return nil
}
