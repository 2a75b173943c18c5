package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"ansinh"
	"ansinh/importer"
)

// importFile runs `ansinh import [-as USER] FILE`: the same import as the upload page,
// by the operator (the whole province) or within the scope of -as.
func (a *app) importFile(ctx context.Context, args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("import", flag.ContinueOnError)
	fl.SetOutput(stderr)
	as := fl.String("as", "", "import as this existing user, within their scope")
	if err := fl.Parse(args); err != nil {
		return usageError{err}
	}
	if fl.NArg() != 1 {
		return usageError{fmt.Errorf("usage: ansinh import [-as USER] FILE (CSV or XLSX)")}
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
	res, err := importer.Import(ctx, st, a.units, f, info.Size(), importer.Options{Actor: actor, IP: "cli", File: path})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(a.stdout, "inserted %d, updated %d, unchanged %d, rows with errors: %d\n",
		res.Inserted, res.Updated, res.Unchanged, len(res.Errors))
	for _, e := range res.Errors {
		fmt.Fprintf(a.stdout, "row %d, %s: %s\n", e.Row, e.Column, e.Message)
	}
	return nil
}

// cliUser is who the operator is when no -as is given: the system, on the root unit.
func (a *app) cliUser() *ansinh.User {
	return &ansinh.User{Username: "cli", Role: ansinh.RoleAdmin, Unit: a.units.Root.Code}
}
