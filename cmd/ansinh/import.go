package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"ansinh"
	"ansinh/importer"
	"ansinh/registration"
)

// importFile runs `ansinh import [-as USER] [-units SET] FILE`: the same import as the
// upload page, by the operator (the whole province) or within the scope of -as, with the
// file's commune codes read in the unit set -units (default: the current one).
func (a *app) importFile(ctx context.Context, args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("import", flag.ContinueOnError)
	fl.SetOutput(stderr)
	as := fl.String("as", "", "import as this existing user, within their scope")
	set := fl.String("units", "", "the unit set the file's commune codes are in: "+a.setIDs()+" (default: the current set, "+a.sets.Current().ID+")")
	if err := fl.Parse(args); err != nil {
		return usageError{err}
	}
	if fl.NArg() != 1 {
		return usageError{fmt.Errorf("usage: ansinh import [-as USER] [-units SET] FILE (CSV or XLSX)")}
	}
	if _, err := importer.CheckUnitSet(a.sets, *set); err != nil {
		return usageError{fmt.Errorf("-units %q: %s (known: %s)", *set, ansinh.ErrorMessage(err), a.setIDs())}
	}
	path := fl.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return usageError{err}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := a.checkUnitSet(ctx, st); err != nil {
		return err
	}
	actor, err := a.actor(ctx, st, *as)
	if err != nil {
		return err
	}
	// The errors are printed as they come, a page at a time, not gathered.
	printErrors := func(_ context.Context, _ int, errs []ansinh.RowError) error {
		for _, e := range errs {
			fmt.Fprintf(a.stdout, "row %d, %s: %s\n", e.Row, e.Column, e.Message)
		}
		return nil
	}
	bar := progressBar(stderr)
	res, err := importer.Import(ctx, st, a.units, f, info.Size(), importer.Options{Actor: actor, IP: "cli", File: path,
		Sets: a.sets, UnitSet: *set, Errors: printErrors, Progress: bar,
		Review: registration.New(st, a.cfg.SecretKey, nil)})
	if bar != nil {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return describe(err)
	}
	if res.ErrorCount > importer.MaxStoredErrors {
		fmt.Fprintf(a.stdout, "… %d more errors not listed\n", res.ErrorCount-importer.MaxStoredErrors)
	}
	fmt.Fprintf(a.stdout, "unit set %s: inserted %d, updated %d, unchanged %d, rows with errors: %d\n",
		res.UnitSet, res.Inserted, res.Updated, res.Unchanged, res.ErrorCount)
	if res.ForReview > 0 {
		fmt.Fprintf(a.stdout, "%d rows name another account than the person's: each is now a submission in its commune's review queue, not a switch of the account\n", res.ForReview)
	}
	return nil
}

// setIDs lists the unit sets a file's codes may be in.
func (a *app) setIDs() string {
	var ids []string
	for _, s := range a.sets.List() {
		if a.sets.Leads(s.ID, a.sets.Current().ID) {
			ids = append(ids, s.ID)
		}
	}
	return strings.Join(ids, ", ")
}

// cliUser is who the operator is when no -as is given: the system, on the root unit.
func (a *app) cliUser() *ansinh.User {
	return &ansinh.User{Username: "cli", Role: ansinh.RoleAdmin, Unit: a.units.Root.Code}
}

// progressBar draws the import's progress on w when w is a terminal (nil otherwise:
// a log or a pipe gets no carriage returns).
func progressBar(w io.Writer) func(ctx context.Context, done, total, errs int) error {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if info, err := f.Stat(); err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(_ context.Context, done, total, errs int) error {
		fmt.Fprint(w, "\r"+drawBar(done, total, errs))
		return nil
	}
}

// drawBar is one line of progress: [#####.....]  45%  45000/100000 rows, 12 errors.
func drawBar(done, total, errs int) string {
	const width = 30
	pct := 100
	if total > 0 {
		pct = min(done*100/total, 100)
	}
	n := pct * width / 100
	return fmt.Sprintf("[%s%s] %3d%%  %d/%d rows, %d errors", strings.Repeat("#", n), strings.Repeat(".", width-n), pct, done, total, errs)
}
