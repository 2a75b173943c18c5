package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/errgroup"

	"ansinh"
)

// ReviewStore is what the verification queue needs.
type ReviewStore interface {
	Registration(ctx context.Context, receipt string) (*ansinh.Registration, error)
	PendingRegistration(ctx context.Context, receipt string) (*ansinh.Registration, error)
	RevealRegistration(ctx context.Context, receipt string) (*ansinh.Registration, error)
	SharedAccount(ctx context.Context, r *ansinh.Registration) ([]ansinh.SharedUse, error)
	Queue(ctx context.Context, q ansinh.QueueQuery) ([]ansinh.QueueItem, int64, error)
	Decided(ctx context.Context, q ansinh.DecidedQuery) ([]string, int64, error)
	Backlogs(ctx context.Context, communes []string) ([]ansinh.Backlog, error)
	AccountHistory(ctx context.Context, beneficiaryID string) ([]ansinh.Account, []time.Time, error)
	AuditEvents(ctx context.Context, f ansinh.AuditFilter) ([]*ansinh.AuditEvent, error)
	Counts(ctx context.Context) (map[string]ansinh.Counts, error)
}

// reviewItem is a submission as the queue lists it.
type reviewItem struct {
	ID            string         `json:"id"`
	Receipt       string         `json:"receipt"`
	Status        string         `json:"status"`
	BeneficiaryID string         `json:"beneficiary_id"`
	Beneficiary   string         `json:"beneficiary_name"`
	Commune       string         `json:"commune"`
	CommuneName   string         `json:"commune_name"`
	Channel       string         `json:"channel"`
	Submitter     string         `json:"submitter"`
	SubmittedAt   time.Time      `json:"submitted_at"`
	Bank          string         `json:"bank"`
	Account       string         `json:"account"`
	AccountName   string         `json:"account_name"`
	Proxy         *proxyView     `json:"proxy"`
	RegisteredBy  string         `json:"registered_by,omitempty"`
	ProofSeen     string         `json:"proof_seen,omitempty"`
	Reason        string         `json:"reason,omitempty"`
	Checks        []ansinh.Check `json:"checks"`
	// Blocking: a check asks for a look (a warning or an error); a submission with
	// information alone may be verified in bulk.
	Blocking    bool `json:"blocking"`
	WaitingDays int  `json:"waiting_days"` // since it was submitted
	// The checks split for the pages: what to look at, and what is only information.
	Warnings []ansinh.Check `json:"-"`
	Infos    []ansinh.Check `json:"-"`
}

type proxyView struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	CCCD         string `json:"cccd,omitempty"`
	Phone        string `json:"phone,omitempty"`
}

// review loads a submission with its record and runs the checks.
func (h *Handler) review(ctx context.Context, receipt string) (*reviewItem, *ansinh.Registration, *ansinh.Beneficiary, error) {
	return h.reviewOf(ctx, receipt, nil)
}

// reviewOf is review; queued, the submission's line in the queue, spares the lookups
// its line answers: the events of a submission still pending, and the person's count
// of submissions.
func (h *Handler) reviewOf(ctx context.Context, receipt string, queued *ansinh.QueueItem) (*reviewItem, *ansinh.Registration, *ansinh.Beneficiary, error) {
	var r *ansinh.Registration
	var err error
	if queued != nil && queued.Status == ansinh.StatusPending {
		r, err = h.store.PendingRegistration(ctx, receipt)
	} else {
		r, err = h.store.Registration(ctx, receipt)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	b, err := h.store.Beneficiary(ctx, r.BeneficiaryID)
	if err != nil {
		return nil, nil, nil, err
	}
	shared, err := h.store.SharedAccount(ctx, r)
	if err != nil {
		return nil, nil, nil, err
	}
	submissions := 0
	if queued != nil {
		submissions = queued.Submissions
	}
	if submissions == 0 {
		receipts, err := h.store.RegistrationReceipts(ctx, b.ID)
		if err != nil {
			return nil, nil, nil, err
		}
		submissions = len(receipts)
	}
	bank, _ := ansinh.BankByBIN(r.BankBIN)
	it := &reviewItem{ID: r.Receipt, Receipt: r.Receipt, Status: r.Status, BeneficiaryID: b.ID, Beneficiary: b.Name,
		Commune: r.Commune, Channel: r.Channel, Submitter: r.Submitter, SubmittedAt: r.SubmittedAt, Bank: bank.ShortName,
		Account: r.MaskedAccount(), AccountName: r.AccountName, RegisteredBy: r.RegisteredBy, ProofSeen: r.ProofSeen, Reason: r.Reason,
		Checks: ansinh.RunChecks(r, b, ansinh.ReviewFacts{SharedWith: shared, Submissions: submissions})}
	if u, ok := h.units.Get(r.Commune); ok {
		it.CommuneName = u.Name
	}
	if p := r.Proxy; p != nil {
		it.Proxy = &proxyView{Name: p.Name, Relationship: p.Relationship}
	}
	it.Blocking = ansinh.Blocking(it.Checks)
	for _, ch := range it.Checks {
		if ch.Blocks() {
			it.Warnings = append(it.Warnings, ch)
		} else {
			it.Infos = append(it.Infos, ch)
		}
	}
	if it.Status == ansinh.StatusPending {
		it.WaitingDays = max(0, int(h.now().Sub(r.SubmittedAt).Hours()/24))
	}
	return it, r, b, nil
}

// scopedReview is review for a submission of the caller's scope; others are not found.
func (h *Handler) scopedReview(c *fiber.Ctx) (*reviewItem, *ansinh.Registration, *ansinh.Beneficiary, error) {
	receipt, ok := ansinh.NormalizeReceipt(c.Params("id"))
	if !ok {
		return nil, nil, nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	it, r, b, err := h.review(c.UserContext(), receipt)
	if err != nil {
		return nil, nil, nil, err
	}
	if !currentUser(c).Sees(h.units, r.Commune) {
		return nil, nil, nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	return it, r, b, nil
}

// queueQuery reads ?status=&channel=&check=&q=&from=&to=&page= for the caller's scope.
type queueQuery struct {
	communes []string
	status   string
	channel  string
	check    string // a check's code; none: no check at all; clear: nothing but information
	name     string // the beneficiary's name contains it, whatever the accents and case (folded)
	from, to time.Time
	page     int
}

func (h *Handler) readQueueQuery(c *fiber.Ctx) (*queueQuery, error) {
	communes, err := h.scopeCommunes(c)
	if err != nil {
		return nil, err
	}
	q := &queueQuery{communes: communes, status: c.Query("status", ansinh.StatusPending), channel: c.Query("channel"),
		check: c.Query("check"), page: 1}
	if name := strings.TrimSpace(c.Query("q")); name != "" {
		if len([]rune(name)) > 100 {
			return nil, ansinh.FieldError("q", ansinh.MsgQueueSearchLong)
		}
		q.name = ansinh.NameKey(name)
	}
	if len(q.check) > 40 {
		return nil, ansinh.FieldError("check", ansinh.MsgCheckFilter)
	}
	switch q.status {
	case ansinh.StatusPending, ansinh.StatusVerified, ansinh.StatusRejected, ansinh.StatusSuperseded:
	default:
		return nil, ansinh.FieldError("status", ansinh.MsgStatusFilter)
	}
	switch q.channel {
	case "", ansinh.ChannelQR, ansinh.ChannelAPI, ansinh.ChannelZalo, ansinh.ChannelAssisted, ansinh.ChannelImport:
	default:
		return nil, ansinh.FieldError("channel", ansinh.MsgChannelFilter)
	}
	for name, t := range map[string]*time.Time{"from": &q.from, "to": &q.to} {
		if v := c.Query(name); v != "" {
			d, err := time.ParseInLocation("2006-01-02", v, vietnamTime)
			if err != nil {
				return nil, ansinh.FieldError(name, ansinh.MsgDateFilter)
			}
			*t = d
		}
	}
	if !q.to.IsZero() {
		q.to = q.to.AddDate(0, 0, 1) // the whole day
	}
	if p := c.Query("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			return nil, ansinh.FieldError("page", ansinh.MsgPage)
		}
		q.page = n
	}
	return q, nil
}

// queue returns one page of submissions with their checks.
func (h *Handler) queue(ctx context.Context, q *queueQuery) ([]*reviewItem, int64, error) {
	var receipts []string
	var queued []ansinh.QueueItem // the pending list's lines, beside receipts
	var total int64
	skip := int64(q.page-1) * pageSize
	switch {
	case q.status == ansinh.StatusPending:
		limit := int64(pageSize)
		if q.filtered() {
			skip, limit = 0, 0 // filter on the checks or the name first, then page
		}
		items, n, err := h.store.Queue(ctx, ansinh.QueueQuery{Communes: q.communes, Channel: q.channel, From: q.from, To: q.to, Skip: skip, Limit: limit})
		if err != nil {
			return nil, 0, err
		}
		total, queued = n, items
		for _, it := range items {
			receipts = append(receipts, it.Receipt)
		}
	default:
		dq := ansinh.DecidedQuery{Communes: q.communes, Status: q.status, Skip: skip, Limit: pageSize}
		if q.filtered() {
			dq.Skip, dq.Limit = 0, decidedSearchDepth // a search of decided ones looks among the latest only
		}
		list, n, err := h.store.Decided(ctx, dq)
		if err != nil {
			return nil, 0, err
		}
		receipts, total = list, n
	}
	// Each item costs a handful of lookups by _id; a few at a time keep the store busy
	// while the driver decodes (on FerretDB too, over its one connection).
	items := make([]*reviewItem, len(receipts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(reviewWorkers)
	for i, r := range receipts {
		g.Go(func() error {
			var line *ansinh.QueueItem
			if queued != nil {
				line = &queued[i]
			}
			it, _, _, err := h.reviewOf(gctx, r, line)
			items[i] = it
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, 0, err
	}
	out := []*reviewItem{}
	for _, it := range items {
		if q.check != "" && !hasCheck(it.Checks, q.check) {
			continue
		}
		if q.name != "" && !strings.Contains(ansinh.NameKey(it.Beneficiary), q.name) {
			continue
		}
		out = append(out, it)
	}
	if q.filtered() {
		total = int64(len(out))
		out = out[min(len(out), int(skip)):min(len(out), int(skip)+pageSize)]
	}
	return out, total, nil
}

// reviewWorkers is how many queue items are checked at once.
const reviewWorkers = 4

// decidedSearchDepth is how many of the latest decided submissions a name or check
// filter looks through (the pending ones are all looked through).
const decidedSearchDepth = 1000

// filtered: the page is cut after filtering on what the store does not know.
func (q *queueQuery) filtered() bool { return q.check != "" || q.name != "" }

func hasCheck(checks []ansinh.Check, code string) bool {
	switch code {
	case "none":
		return len(checks) == 0
	case "clear":
		return !ansinh.Blocking(checks)
	}
	for _, c := range checks {
		if c.Code == code {
			return true
		}
	}
	return false
}

// ListRegistrations is the queue: GET /api/v1/registrations?status=&unit=&…
func (h *Handler) ListRegistrations(c *fiber.Ctx) error {
	q, err := h.readQueueQuery(c)
	if err != nil {
		return err
	}
	items, total, err := h.queue(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "total": total, "page": q.page, "page_size": pageSize})
}

// ReviewRegistration is one submission beside the registry record.
func (h *Handler) ReviewRegistration(c *fiber.Ctx) error {
	it, _, b, err := h.scopedReview(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"registration": it, "beneficiary": h.viewBeneficiary(b)})
}

// decide records a decision through the registration service: who may, the audit, the
// notice.
func (h *Handler) decide(c *fiber.Ctx, r *ansinh.Registration, d *ansinh.Decision) error {
	return h.registrations.Decide(c.UserContext(), currentUser(c), h.clientIP(c), r, d)
}

// VerifyRegistration makes the submitted account the beneficiary's.
func (h *Handler) VerifyRegistration(c *fiber.Ctx) error {
	it, r, _, err := h.scopedReview(c)
	if err != nil {
		return err
	}
	d := &ansinh.Decision{Receipt: r.Receipt, Status: ansinh.StatusVerified, By: currentUser(c).Username, At: h.now()}
	if err := h.decide(c, r, d); err != nil {
		return err
	}
	it.Status = ansinh.StatusVerified
	return c.JSON(it)
}

type rejectRequest struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

// RejectRegistration refuses a submission with a reason the beneficiary can act on.
func (h *Handler) RejectRegistration(c *fiber.Ctx) error {
	var req rejectRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	it, r, _, err := h.scopedReview(c)
	if err != nil {
		return err
	}
	d, err := ansinh.NewRejection(r.Receipt, req.Reason, req.Note, currentUser(c).Username, h.now())
	if err != nil {
		return err
	}
	if err := h.decide(c, r, d); err != nil {
		return err
	}
	it.Status, it.Reason = ansinh.StatusRejected, d.ReasonText()
	return c.JSON(it)
}

type bulkRequest struct {
	IDs []string `json:"ids"`
}

type bulkResult struct {
	ID     string         `json:"id"`
	Result string         `json:"result"` // verified, skipped (checks raised), conflict, not_found, forbidden
	Checks []ansinh.Check `json:"checks,omitempty"`
}

// VerifyBulk verifies the selected submissions that raise no check.
func (h *Handler) VerifyBulk(c *fiber.Ctx) error {
	var req bulkRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.IDs) == 0 || len(req.IDs) > 200 {
		return ansinh.FieldError("ids", ansinh.MsgBulkIDs)
	}
	results, err := h.verifyBulk(c, req.IDs)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": results, "total": len(results)})
}

func (h *Handler) verifyBulk(c *fiber.Ctx, ids []string) ([]bulkResult, error) {
	var out []bulkResult
	for _, id := range ids {
		res := bulkResult{ID: id}
		receipt, ok := ansinh.NormalizeReceipt(id)
		var it *reviewItem
		var r *ansinh.Registration
		var err error
		if ok {
			it, r, _, err = h.review(c.UserContext(), receipt)
		}
		switch {
		case !ok || ansinh.ErrorCode(err) == ansinh.ENOTFOUND || (err == nil && !currentUser(c).Sees(h.units, r.Commune)):
			res.Result = "not_found"
		case err != nil:
			return nil, err
		case it.Blocking: // information alone (an identity not yet checked) does not stop it
			res.Result, res.Checks = "skipped", it.Checks
		default:
			d := &ansinh.Decision{Receipt: r.Receipt, Status: ansinh.StatusVerified, By: currentUser(c).Username, At: h.now()}
			switch err := h.decide(c, r, d); ansinh.ErrorCode(err) {
			case "":
				res.Result = "verified"
			case ansinh.ECONFLICT:
				res.Result = "conflict"
			case ansinh.EFORBIDDEN:
				res.Result = "forbidden"
			default:
				return nil, err
			}
		}
		out = append(out, res)
	}
	return out, nil
}

// RegistrationBacklog lists, per commune of the caller's scope, the pending count and
// the age of the oldest submission.
func (h *Handler) RegistrationBacklog(c *fiber.Ctx) error {
	items, err := h.backlog(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "total": len(items)})
}

type backlogView struct {
	Commune    string    `json:"commune"`
	Name       string    `json:"name"`
	Pending    int       `json:"pending"`
	OldestAt   time.Time `json:"oldest_at"`
	OldestDays int       `json:"oldest_days"`
}

func (h *Handler) backlog(c *fiber.Ctx) ([]backlogView, error) {
	communes, err := h.scopeCommunes(c)
	if err != nil {
		return nil, err
	}
	list, err := h.store.Backlogs(c.UserContext(), communes)
	if err != nil {
		return nil, err
	}
	out := make([]backlogView, 0, len(list))
	for _, b := range list {
		u, _ := h.units.Get(b.Commune)
		out = append(out, backlogView{Commune: b.Commune, Name: u.Name, Pending: b.Pending, OldestAt: b.Oldest,
			OldestDays: int(h.now().Sub(b.Oldest).Hours() / 24)})
	}
	return out, nil
}

type assistedRequest struct {
	ansinh.RegistrationRequest
	ProofSeen string `json:"proof_seen"`
}

// AssistedRegistration is an officer registering an account on a beneficiary's behalf
// during a home visit.
func (h *Handler) AssistedRegistration(c *fiber.Ctx) error {
	var req assistedRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	receipt, err := h.assisted(c, &req.RegistrationRequest, req.ProofSeen)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"receipt": receipt, "status": ansinh.StatusPending})
}

func (h *Handler) assisted(c *fiber.Ctx, req *ansinh.RegistrationRequest, proof string) (string, error) {
	u := currentUser(c)
	if !u.Role.Can(ansinh.ActAssist) {
		return "", ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	b, err := h.scopedBeneficiary(c, false)
	if err != nil {
		return "", err
	}
	receipt, _, err := h.registrations.SubmitAssisted(c.UserContext(), b, req, u, proof)
	return receipt, err
}

// historyEntry is one line of a beneficiary's timeline.
type historyEntry struct {
	At     time.Time      `json:"at"`
	Actor  string         `json:"actor"`
	Action string         `json:"action"`
	Text   string         `json:"text"`
	Detail map[string]any `json:"detail,omitempty"`
}

// history is every submission and decision of a beneficiary, from the audit trail,
// newest first.
func (h *Handler) history(c *fiber.Ctx, b *ansinh.Beneficiary) ([]historyEntry, error) {
	evs, err := h.store.AuditEvents(c.UserContext(), ansinh.AuditFilter{Target: "beneficiary:" + b.ID, Limit: 500})
	if err != nil {
		return nil, err
	}
	out := make([]historyEntry, 0, len(evs))
	for _, e := range evs {
		text := ansinh.ActionLabel(e.Action)
		if r, ok := e.Detail["receipt"].(string); ok {
			text += " – mã " + ansinh.FormatReceipt(r)
		}
		if reason, ok := e.Detail["reason"].(string); ok && reason != "" {
			text += ": " + strings.TrimSuffix(ansinh.RejectReasons[reason], ".")
		}
		out = append(out, historyEntry{At: e.At, Actor: e.Actor, Action: e.Action, Text: text, Detail: e.Detail})
	}
	return out, nil
}

// BeneficiaryHistory is GET /api/v1/beneficiaries/:id/history.
func (h *Handler) BeneficiaryHistory(c *fiber.Ctx) error {
	b, err := h.scopedBeneficiary(c, false)
	if err != nil {
		return err
	}
	entries, err := h.history(c, b)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": entries, "total": len(entries)})
}

// CoverageAPI is GET /api/v1/coverage?unit=&date=: the unit's figures against the
// target, summed from the per-commune counters (or a past day's snapshot).
func (h *Handler) CoverageAPI(c *fiber.Ctx) error {
	if _, err := h.scopeCommunes(c); err != nil {
		return err
	}
	cov, err := h.coverageAt(c, h.unitParam(c), c.Query("date"))
	if err != nil {
		return err
	}
	return c.JSON(cov)
}
