package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"ansinh"
	"ansinh/report"
)

// report runs `ansinh report [-unit CODE] [-month YYYY-MM] [-format csv|xlsx|json] [-o FILE]`:
// a unit's monthly report (frozen if submitted, else the live draft), for scripts.
func (a *app) report(ctx context.Context, args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("report", flag.ContinueOnError)
	fl.SetOutput(stderr)
	unit := fl.String("unit", a.units.Root.Code, "unit code (the province by default)")
	month := fl.String("month", time.Now().In(ansinh.Vietnam).Format("2006-01"), "payment month, YYYY-MM")
	format := fl.String("format", "csv", "csv, xlsx or json")
	out := fl.String("o", "", "write to this file instead of standard output")
	set := fl.String("set", "", "the unit set of -unit, for a report frozen before the store moved to today's set (default: the current set)")
	if err := fl.Parse(args); err != nil {
		return usageError{err}
	}
	units := a.units
	if *set != "" {
		s, ok := a.sets.Get(*set)
		if !ok {
			return usageError{fmt.Errorf("-set %s: unknown unit set", *set)}
		}
		units = s.Units
	}
	if u, ok := units.Get(*unit); !ok || !units.Reports(u) {
		return usageError{fmt.Errorf("-unit %s: not a unit that reports (the province, or a unit of level %s)", *unit, units.AnswerLevel())}
	}
	m, err := ansinh.ParseMonth(*month)
	if err != nil {
		return usageError{fmt.Errorf("-month: %s", ansinh.ErrorMessage(err))}
	}
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := a.checkUnitSet(ctx, st); err != nil {
		return err
	}
	r, err := report.Build(ctx, st, report.Options{Sets: a.sets, Set: *set, Programs: a.cfg.Programs, Target: a.cfg.Target},
		*unit, m, time.Now())
	if err != nil {
		return err
	}
	var data []byte
	switch *format {
	case "csv":
		data, err = report.CSV(r)
	case "xlsx":
		data, err = report.XLSXWith(r, report.HeadingFor(a.sets, *set, r.Unit))
	case "json":
		data, err = json.MarshalIndent(r, "", "  ")
	default:
		return usageError{fmt.Errorf("-format: use csv, xlsx or json")}
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = a.stdout.Write(data)
		return err
	}
	return os.WriteFile(*out, data, 0o600)
}
