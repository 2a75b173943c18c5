package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"ansinh"
	"ansinh/store"
)

const privacyUsage = "usage: ansinh privacy retention [-dry-run] | ansinh privacy report [-o FILE]"

// privacy runs `ansinh privacy retention` (the retention job now, or with -dry-run
// what it would erase) and `ansinh privacy report` (the records of processing).
func (a *app) privacy(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf(privacyUsage)}
	}
	fl := flag.NewFlagSet("privacy "+args[0], flag.ContinueOnError)
	fl.SetOutput(stderr)
	var dry *bool
	var out *string
	switch args[0] {
	case "retention":
		dry = fl.Bool("dry-run", false, "count what would be erased, erase nothing")
	case "report":
		out = fl.String("o", "", "write the report to FILE (default: standard output)")
	default:
		return usageError{fmt.Errorf(privacyUsage)}
	}
	if err := fl.Parse(args[1:]); err != nil || fl.NArg() != 0 {
		return usageError{fmt.Errorf(privacyUsage)}
	}
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if dry != nil {
		rep, err := a.retention(ctx, st, time.Now(), *dry, "cli")
		if err != nil {
			return err
		}
		b, _ := json.MarshalIndent(rep, "", "  ")
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	return a.privacyReport(ctx, st, *out)
}

// retention runs the retention job once: it erases what the configured periods say is
// due, logs and audits what it removed (as actor), and returns the count.
func (a *app) retention(ctx context.Context, st *store.Store, now time.Time, dry bool, actor string) (*ansinh.RetentionReport, error) {
	rep, err := st.ApplyRetention(ctx, a.cfg.Retention, now, dry)
	if err != nil {
		return nil, err
	}
	if dry || rep.Total() == 0 {
		return rep, nil
	}
	a.log.Info("retention: erased personal data whose period ended", "submissions", rep.Submissions, "conversations", rep.Conversations,
		"events", rep.Events, "messages", rep.Messages, "chat_links", rep.ChatLinks)
	err = st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: actor, Action: ansinh.ActionRetention, IP: actor, Detail: map[string]any{
		"submissions": rep.Submissions, "conversations": rep.Conversations, "events": rep.Events, "messages": rep.Messages,
		"chat_links": rep.ChatLinks, "submissions_days": int(a.cfg.Retention.Submissions.Hours() / 24),
		"chat_days": int(a.cfg.Retention.Chat.Hours() / 24)}})
	return rep, err
}

// privacyReport writes the records of processing (filled in later).
func (a *app) privacyReport(ctx context.Context, st *store.Store, out string) error {
	return fmt.Errorf("not yet")
}
