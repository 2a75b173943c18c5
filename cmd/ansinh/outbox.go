package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"ansinh"
	"ansinh/store"
)

const outboxUsage = "usage: ansinh outbox list -failed | ansinh outbox retry ID|-all-failed"

// outbox runs `ansinh outbox list -failed` (the chat messages given up on, without
// their recipient or text) and `ansinh outbox retry ID|-all-failed` (back in the
// queue, each retry audited as the actor "cli").
func (a *app) outbox(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf(outboxUsage)}
	}
	fl := flag.NewFlagSet("outbox "+args[0], flag.ContinueOnError)
	fl.SetOutput(stderr)
	var failed, allFailed *bool
	switch args[0] {
	case "list":
		failed = fl.Bool("failed", false, "list the messages the outbox gave up on")
	case "retry":
		allFailed = fl.Bool("all-failed", false, "retry every failed message")
	default:
		return usageError{fmt.Errorf(outboxUsage)}
	}
	if err := fl.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	if (failed != nil && (!*failed || fl.NArg() != 0)) ||
		(allFailed != nil && (*allFailed == (fl.NArg() == 1) || fl.NArg() > 1)) {
		return usageError{fmt.Errorf(outboxUsage)}
	}
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	now := time.Now()
	if failed != nil {
		return a.listFailed(ctx, st, now)
	}
	ids := fl.Args()
	if *allFailed {
		msgs, err := st.FailedOutbox(ctx, maxListed)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			ids = append(ids, m.ID)
		}
	}
	for _, id := range ids {
		m, err := st.RetryFailed(ctx, id, now)
		switch ansinh.ErrorCode(err) {
		case "":
		case ansinh.ENOTFOUND:
			return fmt.Errorf("outbox retry: no message %s", id)
		case ansinh.ECONFLICT:
			return fmt.Errorf("outbox retry: message %s has not failed", id)
		default:
			return err
		}
		if err := st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: "cli", Action: ansinh.ActionOutboxRetry, Target: "outbox:" + id,
			Detail: map[string]any{"channel": m.Channel, "attempts": m.Attempts, "reason": m.Reason}}); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "queued %d messages again\n", len(ids))
	return nil
}

// maxListed bounds one listing (and one -all-failed run).
const maxListed = 10000

func (a *app) listFailed(ctx context.Context, st *store.Store, now time.Time) error {
	msgs, err := st.FailedOutbox(ctx, maxListed)
	if err != nil {
		return err
	}
	if len(msgs) == 0 {
		fmt.Fprintln(a.stdout, "no failed messages")
		return nil
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tCHANNEL\tATTEMPTS\tAGE\tREASON")
	for _, m := range msgs {
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", m.ID, m.Channel, m.Attempts, now.Sub(m.Created).Round(time.Minute), m.Reason)
	}
	return w.Flush()
}
