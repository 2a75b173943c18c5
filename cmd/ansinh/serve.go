package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"ansinh"
	"ansinh/handlers"
	"ansinh/jobs"
	"ansinh/mapper"
	"ansinh/notify"
	"ansinh/registration"
	"ansinh/store"
	"ansinh/zalo"
	"ansinh/zalobot"
)

// shutdownGrace is how long in-flight requests get to finish after SIGTERM.
const shutdownGrace = 10 * time.Second

func (a *app) openStore(ctx context.Context, reg prometheus.Registerer) (*store.Store, error) {
	return a.openStoreIn(ctx, reg, a.sets.Current().ID)
}

// openStoreIn opens the store writing codes of the unit set set.
func (a *app) openStoreIn(ctx context.Context, reg prometheus.Registerer, set string) (*store.Store, error) {
	if err := a.ensureSecrets(); err != nil {
		return nil, err
	}
	vault, err := a.cfg.Vault()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, store.Options{
		URI: a.cfg.MongoURI, PostgresURL: a.cfg.PostgresURL, DataDir: a.cfg.DataDir, EmbeddedAddr: a.cfg.EmbeddedAddr,
		DBName: a.cfg.DBName, Logger: a.log, Registerer: reg, Vault: vault, UnitSet: set,
	})
}

// serve runs the web service until ctx ends (SIGINT or SIGTERM), then stops accepting
// and lets in-flight requests finish, stops the workers and waits for them, and closes
// the driver and stops the embedded store last, in that order.
func (a *app) serve(ctx context.Context) error {
	start := time.Now()
	reg := prometheus.NewRegistry()
	st, err := a.openStore(ctx, reg)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := st.Close(cctx); err != nil {
			a.log.Error("close store", "err", err)
		}
		a.log.Info("stopped")
	}()
	if err := a.migrateAtStart(ctx, st); err != nil {
		return err
	}
	if err := a.ensureAdmin(ctx, st); err != nil {
		return err
	}
	bot := a.newBot(st)
	if err := bot.SeedToken(ctx, a.cfg.Zalo.RefreshToken); err != nil {
		return err
	}
	notices := a.newNotices(st, bot)
	// The workers outlive ctx until the requests are done (a request may hand them
	// work), and are waited for before the store closes (deferred above, so it runs last).
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var workers sync.WaitGroup
	decisions := registration.New(st, a.cfg.SecretKey, nil)
	decisions.Notifier, decisions.Log = notices, a.log
	// Long imports run as jobs; one a stop or a crash left running is run again.
	runner := jobs.New(work, jobs.Config{Store: st, Units: a.units, Sets: a.sets, Review: decisions, Log: a.log})
	defer func() { stopWork(); runner.Stop(); workers.Wait() }()
	web, err := handlers.New(handlers.Deps{Config: a.cfg, Store: st, Units: a.units, UnitSets: a.sets, Logger: a.log, Registry: reg, Bot: bot, Notifier: notices,
		Rates: st, Jobs: runner, Reminders: notices})
	if err != nil {
		return err
	}
	if a.extend != nil {
		a.extend(web)
	}
	// Before the first request: the sweep takes the files of no running job for left
	// over, and an upload being stored is one.
	if err := runner.Resume(ctx); err != nil {
		return err
	}
	// Before the first request: the submissions a crash left before their steps, so
	// that a person's newer one never goes before them.
	if _, err := decisions.FinishAccepted(ctx, time.Now()); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return usageError{fmt.Errorf("ANSINH_ADDR: %w", err)}
	}
	served := make(chan error, 1)
	go func() { served <- web.Listener(ln) }()
	workers.Go(func() { a.maintain(work, st, decisions) })
	workers.Go(func() { bot.Run(work) })
	workers.Go(func() { notices.Run(work) })
	callbacks := &mapper.Deliverer{Queue: st, Log: a.log}
	workers.Go(func() { callbacks.Run(work) })
	a.log.Info("ready", "addr", ln.Addr().String(), "base_url", a.cfg.BaseURL,
		"embedded_store", a.cfg.MongoURI == "", "on_postgresql", a.cfg.MongoURI == "" && a.cfg.PostgresURL != "", "units", a.units.Len(), "startup", time.Since(start).Round(time.Millisecond))

	select {
	case err := <-served:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "grace", shutdownGrace)
	if err := web.ShutdownWithTimeout(shutdownGrace); err != nil {
		a.log.Warn("shutdown: requests still running were cut", "err", err)
	}
	// fasthttp closes only the listeners its Serve has registered: a stop that comes
	// before the serving goroutine got that far (seen on a busy machine, in tests that
	// stop right after start) would leave Accept waiting for ever.
	_ = ln.Close()
	<-served
	// The submissions the last requests accepted go through their steps before the
	// store closes; any that cannot are finished at the next start.
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := decisions.Settle(sctx); err != nil {
		a.log.Warn("shutdown: accepted submissions left for the next start", "err", err)
	}
	return nil
}

// maintain does the periodic work at start and every ten minutes: finishes decisions
// left half-done, removes expired sessions and login failures, and keeps today's and
// this month's coverage snapshot current (the last one of a day is that day's figures);
// at start and once a day it runs the retention job.
func (a *app) maintain(ctx context.Context, st *store.Store, decisions *registration.Service) {
	a.finishDecisions(ctx, st, decisions, time.Now())
	if err := st.Snapshot(ctx, time.Now()); err != nil && ctx.Err() == nil {
		a.log.Warn("coverage snapshot", "err", err)
	}
	lastRetention := time.Now()
	if _, err := a.retention(ctx, st, lastRetention, false, "system"); err != nil && ctx.Err() == nil {
		a.log.Warn("retention", "err", err)
	}
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if _, err := st.PurgeExpired(ctx, now); err != nil && ctx.Err() == nil {
				a.log.Warn("purge expired sessions", "err", err)
			}
			a.finishDecisions(ctx, st, decisions, now)
			if err := st.Snapshot(ctx, now); err != nil && ctx.Err() == nil {
				a.log.Warn("coverage snapshot", "err", err)
			}
			if now.Sub(lastRetention) >= 24*time.Hour {
				lastRetention = now
				if _, err := a.retention(ctx, st, now, false, "system"); err != nil && ctx.Err() == nil {
					a.log.Warn("retention", "err", err)
				}
			}
		}
	}
}

// finishDecisions finishes the decisions a crash or a time-out left half-applied, and
// tells their people; markers of decisions never written are dropped after ten minutes;
// then the recount an upgrade may have asked for.
func (a *app) finishDecisions(ctx context.Context, st *store.Store, decisions *registration.Service, now time.Time) {
	n, err := decisions.FinishDecisions(ctx, now.Add(-10*time.Minute))
	if err != nil && ctx.Err() == nil {
		a.log.Warn("finish decisions", "err", err)
	}
	if n > 0 {
		a.log.Info("finished decisions left half-done", "count", n)
	}
	// An upgrade that recounted the counters while some decisions were half-applied asked
	// for a recount once they are finished (store.RecountAfterUnfinished).
	if done, err := st.RecountAfterUnfinished(ctx); err != nil && ctx.Err() == nil {
		a.log.Warn("recount after unfinished decisions", "err", err)
	} else if done {
		a.log.Info("counters recounted after the decisions left half-applied were finished")
	}
}

// ensureAdmin creates the user admin on the root unit when no admin exists: with
// ANSINH_ADMIN_PASSWORD, or with a random password printed once. An existing admin is
// never changed.
func (a *app) ensureAdmin(ctx context.Context, st *store.Store) error {
	has, err := st.HasAdmin(ctx)
	if err != nil || has {
		return err
	}
	password, generated := a.cfg.AdminPassword, false
	if password == "" {
		password, generated = ansinh.RandomToken(12), true
	}
	// A printed password is a one-time one: the admin chooses their own at first login.
	req := &ansinh.NewUser{Username: "admin", Password: password, Role: ansinh.RoleAdmin, Unit: a.units.Root.Code, MustChangePassword: generated}
	now := time.Now()
	if _, err := ansinh.CreateUser(ctx, st, req, "system", now); err != nil {
		if ansinh.ErrorCode(err) == ansinh.ECONFLICT {
			a.log.Warn("no admin exists but the username admin is taken; create an admin with `ansinh user add`")
			return nil
		}
		return err
	}
	if err := st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: "system", Action: ansinh.ActionUserCreate,
		Target: "user:admin", Unit: req.Unit, Detail: map[string]any{"role": "admin", "bootstrap": true}}); err != nil {
		return err
	}
	if generated {
		fmt.Fprintf(a.stdout, "\nCreated user admin with password: %s\nIt is shown only this once and must be changed at the first login. Set ANSINH_ADMIN_PASSWORD to choose it yourself.\n\n", password)
	}
	a.log.Info("created the admin user", "unit", req.Unit)
	return nil
}

// newNotices builds the notices' sender: Zalo when the OA is configured (with the
// bot's token), SMS when a gateway is.
func (a *app) newNotices(st *store.Store, bot *zalobot.Bot) *notify.Service {
	z := a.cfg.Zalo
	n := &notify.Service{Store: st, Tokens: bot, Log: a.log,
		Templates: notify.Templates{Verified: z.Templates.Verified, Rejected: z.Templates.Rejected, Returned: z.Templates.Returned, Reminder: z.Templates.Reminder}}
	if z.AppID != "" && z.AppSecretKey != "" && z.OASecretKey != "" {
		n.Zalo = &zalo.Client{APIURL: z.APIURL, OAuthURL: z.OAuthURL, BusinessURL: z.BusinessURL, AppID: z.AppID, AppSecretKey: z.AppSecretKey}
	}
	if a.cfg.SMS.URL != "" {
		n.SMS = &notify.HTTPSMS{URL: a.cfg.SMS.URL, Key: a.cfg.SMS.Key}
	}
	return n
}

// newBot builds the chat worker; Zalo is on when the OA's keys are configured.
func (a *app) newBot(st *store.Store) *zalobot.Bot {
	var client *zalo.Client
	if z := a.cfg.Zalo; z.AppID != "" && z.AppSecretKey != "" && z.OASecretKey != "" {
		client = &zalo.Client{APIURL: z.APIURL, OAuthURL: z.OAuthURL, AppID: z.AppID, AppSecretKey: z.AppSecretKey}
	}
	bot := zalobot.New(st, registration.New(st, a.cfg.SecretKey, nil), client, a.log, nil)
	bot.SetOutboxLimits(a.cfg.Outbox)
	return bot
}
