// Package handlers is ansinh's HTTP side: the Fiber app, its routes, pages and API.
package handlers

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"ansinh"
	"ansinh/jobs"
	"ansinh/mapper"
	"ansinh/pii"
	"ansinh/ratelimit"
	"ansinh/registration"
)

// Store is everything the handlers need from the data layer; each area declares its
// own part next to its handlers.
type Store interface {
	Pinger
	Auditor
	AuditReader
	AuthStore
	UserStore
	BeneficiaryStore
	IdentityStore
	PrivacyStore
	ReviewStore
	ReportStore
	G2PStore
	ansinh.NoticeStore
	PaymentStore
	ContactStore
	FormDraftStore
	AuthorisationStore
	registration.Store
}

// Pinger answers whether the store is reachable.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Auditor appends to the audit trail.
type Auditor interface {
	Audit(ctx context.Context, e *ansinh.AuditEvent) error
}

// AuditReader counts the events of the audit trail (ReviewStore reads them).
type AuditReader interface {
	CountAuditEvents(ctx context.Context, f ansinh.AuditFilter) (int64, error)
}

// Deps are the handlers' dependencies, built once by main (or a test).
type Deps struct {
	Config ansinh.Config
	Store  Store
	Units  *ansinh.Units // the current unit set's tree
	// UnitSets are every unit set the service knows (imports name the one their codes
	// are in); nil: Units alone, as the store's one set.
	UnitSets *ansinh.UnitSets
	Logger   *slog.Logger
	Registry *prometheus.Registry // metrics served at /metrics
	Now      func() time.Time     // defaults to time.Now
	Notifier ansinh.Notifier      // tells beneficiaries about decisions; defaults to the log
	Bot      ChatBot              // the Zalo and web chat worker; nil: no chat
	// Rates shares the public rate limit between instances; nil counts in this
	// instance alone.
	Rates ratelimit.Reserver
	// Jobs runs the long work (large imports); nil: a runner of this app's own, whose
	// jobs run until the process ends.
	Jobs *jobs.Runner
	// Reminders queues the reminders to people with no account (notify.Service); nil:
	// the officers' reminder action says notices are off.
	Reminders Reminders
}

// Handler holds the dependencies; one method per route.
type Handler struct {
	cfg           ansinh.Config
	store         Store
	units         *ansinh.Units
	sets          *ansinh.UnitSets
	log           *slog.Logger
	reg           *prometheus.Registry
	now           func() time.Time
	metrics       *httpMetrics
	registrations *registration.Service
	csrfKey       []byte
	bot           ChatBot
	rates         ratelimit.Reserver
	mapper        *mapper.Service
	g2pKey        ed25519.PrivateKey // signs the mapper's answers
	g2pID         string             // ansinh's sender id in them
	proxies       []*net.IPNet       // ANSINH_TRUSTED_PROXIES
	deviceKey     []byte             // signs the device cookies of past logins
	flashKey      []byte             // signs the notices carried to the next staff page
	oneTime       *pii.Vault         // seals a one-time password on its way to the page that shows it once
	jobs          *jobs.Runner
	contacts      *contactBook // every unit's contact, for the pages (contact.go)
	reminders     Reminders
}

// New builds the whole Fiber app. Templates are parsed here, so a broken template stops
// the start-up instead of failing a request.
func New(d Deps) (*fiber.App, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	if d.UnitSets == nil {
		id := ""
		if st, ok := d.Store.(interface{ UnitSet() string }); ok {
			id = st.UnitSet()
		}
		d.UnitSets = ansinh.SingleUnitSet(id, d.Units)
	}
	if d.Units == nil {
		d.Units = d.UnitSets.Current().Units
	}
	if len(d.Config.SecretKey) < ansinh.MinSecretLen {
		return nil, fmt.Errorf("handlers: the secret key is missing or shorter than %d characters", ansinh.MinSecretLen)
	}
	h := &Handler{cfg: d.Config, store: d.Store, units: d.Units, sets: d.UnitSets, log: d.Logger, reg: d.Registry, now: d.Now,
		registrations: registration.New(d.Store, d.Config.SecretKey, d.Now), csrfKey: ansinh.DeriveKey(d.Config.SecretKey, "csrf"),
		bot: d.Bot, rates: d.Rates, mapper: &mapper.Service{Store: d.Store, Units: d.Units},
		g2pKey: d.Config.G2PSigningKey(), g2pID: d.Config.G2PSenderID(),
		proxies: parseProxies(d.Config.TrustedProxies), deviceKey: ansinh.DeriveKey(d.Config.SecretKey, "login-device"),
		flashKey: ansinh.DeriveKey(d.Config.SecretKey, "flash"), contacts: newContactBook(), reminders: d.Reminders}
	vault, err := pii.New(ansinh.DeriveKey(d.Config.SecretKey, "one-time-password"), ansinh.DeriveKey(d.Config.SecretKey, "one-time-password-index"))
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	h.oneTime = vault
	notifier := d.Notifier
	if notifier == nil {
		notifier = LogNotifier{Log: d.Logger}
	}
	h.registrations.SecondOfficer, h.registrations.Notifier, h.registrations.Log = d.Config.AssistedSecondOfficer, notifier, d.Logger
	if h.jobs = d.Jobs; h.jobs == nil {
		h.jobs = jobs.New(context.Background(), jobs.Config{Store: d.Store, Units: d.Units, Sets: d.UnitSets, Review: h.registrations,
			Log: d.Logger, Now: d.Now})
	}
	m, err := newHTTPMetrics(d.Registry)
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	h.metrics = m
	views, err := newViews(newSite(h.sets.Current(), h.cfg.Programs), h.pageFuncs())
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	cfg := fiber.Config{
		AppName:      "ansinh",
		Views:        views,
		ViewsLayout:  "layout",
		ErrorHandler: h.ErrorHandler,
		BodyLimit:    MaxBodyBytes,
		// Room for headers up to twice MaxHeaderBytes, so that limitHeaders, which
		// knows the path, answers most oversized ones in the right shape.
		ReadBufferSize:        2 * MaxHeaderBytes,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		EnableIPValidation:    true,
	}
	// X-Forwarded-Proto is believed from the trusted proxies only (none by default);
	// the client's address is clientIP's business, not Fiber's ProxyHeader.
	cfg.EnableTrustedProxyCheck = true
	cfg.TrustedProxies = d.Config.TrustedProxies
	static, err := staticFiles()
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	app := fiber.New(cfg)
	h.routes(app, static)
	return app, nil
}

// MaxBodyBytes bounds any request body (imports are the largest: 20 MB files).
const MaxBodyBytes = 21 << 20

// requestTimeout bounds the store work of one request.
const requestTimeout = 30 * time.Second

func (h *Handler) audit(c *fiber.Ctx, e *ansinh.AuditEvent) error {
	if u := currentUser(c); u != nil && e.Actor == "" {
		e.Actor, e.Role = u.Username, u.Role
	}
	e.IP = h.clientIP(c)
	e.At = h.now()
	if err := h.store.Audit(c.UserContext(), e); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// LogNotifier only notes decisions in the log: the channel for beneficiaries who
// registered on the web, who read the outcome on the status page.
type LogNotifier struct{ Log *slog.Logger }

// Decided logs the decision (no personal data).
func (n LogNotifier) Decided(_ context.Context, r *ansinh.Registration, d *ansinh.Decision) error {
	n.Log.Info("decision", "channel", r.Channel, "status", d.Status, "commune", r.Commune)
	return nil
}
