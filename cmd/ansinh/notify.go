package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"ansinh"
	"ansinh/notify"
)

const notifyUsage = "usage: ansinh notify reminders [-month YYYY-MM] [-unit CODE]"

// notifyCmd runs `ansinh notify reminders [-month YYYY-MM] [-unit CODE]`: queue the
// month's reminders (default: this month, the whole province) to the people with no
// account who agreed to be told; the running service sends them in its hours. Audited
// as the actor "cli".
func (a *app) notifyCmd(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "reminders" {
		return usageError{fmt.Errorf(notifyUsage)}
	}
	fl := flag.NewFlagSet("notify reminders", flag.ContinueOnError)
	fl.SetOutput(stderr)
	month := fl.String("month", "", "the payment month, YYYY-MM (default: this month)")
	unit := fl.String("unit", a.units.Root.Code, "the unit whose people are reminded")
	if err := fl.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	if fl.NArg() != 0 {
		return usageError{fmt.Errorf(notifyUsage)}
	}
	if _, ok := a.units.Get(*unit); !ok {
		return usageError{fmt.Errorf("notify reminders: no unit %q in the unit set", *unit)}
	}
	now := time.Now()
	m, err := notify.ParseMonth(*month, now)
	if err != nil {
		return usageError{fmt.Errorf("notify reminders: -month must be YYYY-MM")}
	}
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := a.checkUnitSet(ctx, st); err != nil {
		return err
	}
	svc := &notify.Service{Store: st, Log: a.log}
	counts, err := svc.Remind(ctx, a.units.Leaves(*unit), m)
	if ansinh.ErrorCode(err) == ansinh.EINVALID {
		return err // refused before it began (a month that is none): nothing to audit
	}
	// Audited also when the run stopped part-way: the reminders it queued stand.
	if aerr := st.Audit(context.WithoutCancel(ctx), &ansinh.AuditEvent{At: now, Actor: "cli", Action: ansinh.ActionNoticeReminders, Unit: *unit,
		Detail: counts.AuditDetail(m, err != nil)}); aerr != nil {
		return errors.Join(err, aerr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "reminders for %s, unit %s: %d queued, %d already queued this month, %d without consent, %d without a channel, %d waiting for the commune\n",
		m, *unit, counts.Queued, counts.Already, counts.NoConsent, counts.NoChannel, counts.Pending)
	return nil
}
