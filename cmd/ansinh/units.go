package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"ansinh"
	"ansinh/registration"
	"ansinh/store"
)

// units runs `ansinh units migrate [-to SET] [-dry-run]`: moves the store's live data
// to another unit set. Run it with the service stopped: no check can tell reliably
// that no `ansinh serve` (on this machine or another, through MONGODB_URI) still
// writes to the store, and the counters are rebuilt by a recount.
func (a *app) unitsCmd(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "migrate" {
		return usageError{errors.New("usage: ansinh units migrate [-to SET] [-dry-run]")}
	}
	fl := flag.NewFlagSet("units migrate", flag.ContinueOnError)
	fl.SetOutput(stderr)
	to := fl.String("to", a.sets.Current().ID, "the unit set to move the store to")
	dry := fl.Bool("dry-run", false, "only print the plan")
	if err := fl.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	if _, ok := a.sets.Get(*to); !ok {
		return usageError{fmt.Errorf("-to: unknown unit set %q", *to)}
	}
	st, err := a.openStoreIn(ctx, nil, *to)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	from, err := a.storeUnitSet(ctx, st)
	if err != nil {
		return err
	}
	if uf, ut, ok, err := st.UnfinishedUnitMigration(ctx); err != nil {
		return err
	} else if ok && (uf != from || ut != *to) {
		return fmt.Errorf("a unit migration from %s to %s was interrupted: finish it first with `ansinh units migrate -to %s`", uf, ut, ut)
	}
	if from == *to {
		fmt.Fprintf(a.stdout, "the store is already in unit set %s: nothing to move\n", *to)
		return nil
	}
	fmt.Fprintln(a.stdout, "Stop every `ansinh serve` on this store first: the migration rebuilds the counters and cannot tell whether a server still writes.")
	plan, err := st.MigrateUnits(ctx, store.UnitMigration{Sets: a.sets, From: from, To: *to, DryRun: *dry, Now: time.Now(),
		FinishDecisions: registration.New(st, a.cfg.SecretKey, nil).ApplyOpenDecisions})
	if plan != nil {
		a.printPlan(plan, *dry)
	}
	if errors.Is(err, store.ErrUnitBlockers) {
		return fmt.Errorf("the store cannot move from %s to %s: %s", from, *to, strings.Join(plan.Blockers, "; "))
	}
	if err != nil {
		return err
	}
	switch {
	case *dry:
		fmt.Fprintln(a.stdout, "dry run: nothing changed")
	case plan.Done:
		fmt.Fprintf(a.stdout, "the migration from %s to %s had already finished: nothing to do\n", from, *to)
	default:
		fmt.Fprintf(a.stdout, "moved the store from %s to %s; start the service with ANSINH_UNITS_SET=%s\n", from, *to, *to)
	}
	return nil
}

// storeUnitSet decides which unit set the store's live data is in, the one place
// that does:
//   - the set the store recorded, if it did;
//   - none recorded and the store holds nothing (no users, people, submissions or
//     reports): a new store, in the configured current set, which is recorded now;
//   - none recorded but data: a store made before unit sets existed. Its codes are
//     those of soc-trang-2024, the only bundled units of that time, or of the custom
//     set when ANSINH_UNITS_FILE is set (those builds read the file instead).
//
// The legacy set is recorded when it is the current one; otherwise the migration
// records it (as the first of the store's history).
func (a *app) storeUnitSet(ctx context.Context, st *store.Store) (string, error) {
	set, err := st.StoredUnitSet(ctx)
	if err != nil || set != "" {
		return set, err
	}
	has, err := st.HoldsData(ctx)
	if err != nil {
		return "", err
	}
	set = a.sets.Current().ID
	if has && a.cfg.UnitsFile == "" {
		set = ansinh.SetSocTrang2024
	}
	if set == a.sets.Current().ID {
		if err := st.RecordUnitSet(ctx, set, time.Now()); err != nil {
			return "", err
		}
	}
	return set, nil
}

// checkUnitSet refuses to work on a store whose data is in another set than the one
// configured: the codes would be read as the wrong units.
func (a *app) checkUnitSet(ctx context.Context, st *store.Store) error {
	set, err := a.storeUnitSet(ctx, st)
	if err != nil {
		return err
	}
	if from, to, ok, err := st.UnfinishedUnitMigration(ctx); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("a unit migration from %s to %s was interrupted: finish it with `ansinh units migrate -to %s` (the service stopped)", from, to, to)
	}
	if cur := a.sets.Current().ID; set != cur {
		return usageError{fmt.Errorf("ANSINH_UNITS_SET: the store's data is in unit set %s, not %s: set ANSINH_UNITS_SET=%s, or move the store with `ansinh units migrate -to %s` (or start `ansinh serve`, which moves it first)",
			set, cur, set, cur)}
	}
	return nil
}

// migrateAtStart moves the store to the current set before serve listens: a dry run
// first, logged, and no move at all when it finds blockers.
func (a *app) migrateAtStart(ctx context.Context, st *store.Store) error {
	from, err := a.storeUnitSet(ctx, st)
	if err != nil {
		return err
	}
	to := a.sets.Current().ID
	uf, ut, unfinished, err := st.UnfinishedUnitMigration(ctx)
	if err != nil {
		return err
	}
	if unfinished && (uf != from || ut != to) {
		return fmt.Errorf("a unit migration from %s to %s was interrupted: set ANSINH_UNITS_SET=%s to finish it", uf, ut, ut)
	}
	if from == to {
		return nil
	}
	m := store.UnitMigration{Sets: a.sets, From: from, To: to, DryRun: true, Now: time.Now(),
		FinishDecisions: registration.New(st, a.cfg.SecretKey, nil).ApplyOpenDecisions}
	plan, err := st.MigrateUnits(ctx, m)
	if errors.Is(err, store.ErrUnitBlockers) {
		return usageError{fmt.Errorf("ANSINH_UNITS_SET: the store's data is in unit set %s and cannot move to %s: %s",
			from, to, strings.Join(plan.Blockers, "; "))}
	}
	if err != nil {
		return err
	}
	a.log.Info("unit migration: plan", "from", from, "to", to, "people", plan.People, "already_moved", plan.AlreadyMoved,
		"waiting_for_choice", plan.WaitingPeople(), "registrations", plan.Registrations, "users_moved", plan.UsersMoved(),
		"users_disabled", plan.UsersDisabled(), "reports_stamped", plan.Reports, "resumed_steps", len(plan.StepsDone))
	start := time.Now()
	m.DryRun = false
	if _, err := st.MigrateUnits(ctx, m); err != nil {
		return fmt.Errorf("unit migration from %s to %s: %w (start again to finish it)", from, to, err)
	}
	a.log.Info("unit migration: done", "from", from, "to", to, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// printPlan writes the plan for people: totals, each commune's move, the accounts.
func (a *app) printPlan(p *store.UnitPlan, dry bool) {
	w := a.stdout
	head := "Unit migration"
	if dry {
		head += " (dry run)"
	}
	fmt.Fprintf(w, "%s: %s → %s\n", head, p.From, p.To)
	if p.Done {
		return
	}
	if len(p.StepsDone) > 0 {
		fmt.Fprintf(w, "  resuming an interrupted run; steps done: %s\n", strings.Join(p.StepsDone, ", "))
	}
	fmt.Fprintf(w, "  beneficiaries to move:          %d (already moved: %d)\n", p.People, p.AlreadyMoved)
	fmt.Fprintf(w, "  waiting for a commune choice:   %d\n", p.WaitingPeople())
	fmt.Fprintf(w, "  submissions, queue, decisions:  %d to follow their beneficiary\n", p.Registrations)
	fmt.Fprintf(w, "  chat conversations:             %d\n", p.Conversations)
	fmt.Fprintf(w, "  reports, snapshots, imports:    %d to stamp with %s\n", p.Reports, p.From)
	fmt.Fprintf(w, "  staff accounts:                 %d moved, %d locked\n", p.UsersMoved(), p.UsersDisabled())
	if len(p.Moves) > 0 {
		fmt.Fprintln(w, "  people by commune:")
		for _, mv := range p.Moves {
			fmt.Fprintf(w, "    %s %s → %s %s: %d\n", mv.From, a.unitName(p.From, mv.From), mv.To, a.unitName(p.To, mv.To), mv.People)
		}
	}
	for _, wt := range p.Waiting {
		fmt.Fprintf(w, "    %s %s → choose among %s: %d\n", wt.From, a.unitName(p.From, wt.From), strings.Join(wt.Candidates, ", "), wt.People)
	}
	if len(p.Users) > 0 {
		fmt.Fprintln(w, "  staff:")
		for _, u := range p.Users {
			if u.Disabled {
				fmt.Fprintf(w, "    %s (%s) %s: locked: %s\n", u.Username, u.Role, u.From, u.Reason)
			} else {
				fmt.Fprintf(w, "    %s (%s) %s → %s\n", u.Username, u.Role, u.From, u.To)
			}
		}
	}
	if len(p.Blockers) == 0 {
		fmt.Fprintln(w, "  blockers: none")
		return
	}
	fmt.Fprintln(w, "  blockers:")
	for _, b := range p.Blockers {
		fmt.Fprintf(w, "    %s\n", b)
	}
}

func (a *app) unitName(set, code string) string {
	if s, ok := a.sets.Get(set); ok {
		if u, ok := s.Units.Get(code); ok {
			return "(" + u.Name + ")"
		}
	}
	return ""
}
