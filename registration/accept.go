package registration

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"ansinh"
)

// Accepting (issue 18). A person's submission is answered as soon as it is durable —
// one insert into the store's accepted registrations, shared by the submissions that
// arrive together — and its lifecycle steps (Record's, and its audit event) follow
// behind, in batches: the submissions accepted within acceptWindow of the oldest
// waiting one go together, so that their inserts into each collection are one command
// and the roster of a commune is rewritten once for all of them. The accepted document
// is removed only once every step is done, so a crash leaves it for the next start
// (FinishAccepted) to finish; every step is safe to repeat.
//
// Whoever reads what the steps write waits for them (Settle): staff requests, the
// status look-up, a decision and Record's direct callers. Settle asks the batch to go
// now rather than at the end of its window, and costs nothing when nothing waits.
// The waiting is this process's: on MongoDB with several instances another instance's
// submission can show in a queue up to acceptWindow late.

// Accepting is what accepting needs from the data layer.
type Accepting interface {
	DBName() string
	LockReceipt(receipt string) func()
	Fingerprint(r *ansinh.Registration) string
	StoredRegistration(ctx context.Context, receipt string) (*ansinh.Registration, error)
	InsertAccepted(ctx context.Context, r *ansinh.Registration, actor string, role ansinh.Role) (auditID string, err error)
	InsertAcceptedUnproven(ctx context.Context, r *ansinh.Registration, actor string, role ansinh.Role, birthDate string) (auditID string, err error)
	WithdrawAccepted(ctx context.Context, receipt string) error
	AcceptedRegistrations(ctx context.Context) ([]ansinh.AcceptedRegistration, error)
	DropAccepted(ctx context.Context, receipts []string) error
	StillAccepted(ctx context.Context, receipt string) (bool, error)

	InsertRegistrations(ctx context.Context, rs []*ansinh.Registration) []error
	LinkFirstSubmissions(ctx context.Context, rs []*ansinh.Registration) []error
	AddAccountSubmissions(ctx context.Context, rs []*ansinh.Registration) error
	QueueNewForReview(ctx context.Context, rs []*ansinh.Registration) error
	AuditOnce(ctx context.Context, events []*ansinh.AuditEvent) error
}

const (
	// acceptWindow is how long the oldest accepted submission waits for others to go
	// with it.
	acceptWindow = time.Second
	// maxAcceptBatch bounds one batch.
	maxAcceptBatch = 2048
	// acceptTries is how often this process tries a submission's steps before leaving
	// it to the sweep (FinishAccepted, at start and every ten minutes).
	acceptTries = 3
	// oneByOneWorkers bounds the people whose steps go one by one at once.
	oneByOneWorkers = 8
)

// stored is the look-up of a receipt's stored submission, made before accepting it
// (under the receipt's lock, which whoever made it holds until the acceptance ends).
type stored struct {
	receipt string
	had     *ansinh.Registration
	err     error
}

// lookUp takes receipt's lock and looks up its stored submission; the caller unlocks.
func (s *Service) lookUp(ctx context.Context, receipt string) (*stored, func()) {
	unlock := s.store.LockReceipt(receipt)
	had, err := s.store.StoredRegistration(ctx, receipt)
	return &stored{receipt: receipt, had: had, err: err}, unlock
}

// accept stores r as accepted and queues its steps; pre is the look-up of its receipt
// made under the lock the caller still holds, or nil. A receipt already stored or
// accepted is a repeat: the same content is a replay (its steps run again while it is
// pending, to finish what a first attempt left), other content
// ansinh.ErrIdempotencyReused, another person's ansinh.ErrReceiptTaken.
func (s *Service) accept(ctx context.Context, r *ansinh.Registration, actor string, role ansinh.Role, pre *stored) (replay bool, err error) {
	if pre == nil || pre.receipt != r.Receipt {
		var unlock func()
		pre, unlock = s.lookUp(ctx, r.Receipt)
		defer unlock()
	}
	had, err := pre.had, pre.err
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
		var auditID string
		auditID, err = s.store.InsertAccepted(ctx, r, actor, role)
		if errors.Is(err, ansinh.ErrDuplicate) {
			had, err = s.store.Registration(ctx, r.Receipt) // accepted, its steps still to come
		} else if err == nil {
			s.pipe().add(s, &accepted{r: r, actor: actor, role: role, auditID: auditID})
			return false, nil
		}
	}
	if err != nil {
		return false, err
	}
	if ended, err := repeatOf(had, r, s.store.Fingerprint(r)); err != nil || ended {
		return ended, err
	}
	// Its steps again, to finish what a first attempt left; its audit event and its
	// accepted document, if any is left, are the sweep's (a repeat is never audited).
	r.Commune, r.SubmittedAt = had.Commune, had.SubmittedAt
	s.pipe().add(s, &accepted{r: r, actor: actor, role: role})
	return true, nil
}

// submitProving is Submit on the CCCD path: the CCCD names the record, and so the
// receipt (drawn from it and the idempotency key, or at random) is known before
// anything is read. The submission is stored as accepted while its identity is proven
// and its receipt looked up — the person's request waits for the longest of the three
// rather than for a read and then the write. What is not to be stored after all (a
// birth date that does not match, a receipt stored before) is withdrawn before the
// answer, under the receipt's lock; if a crash comes between, the start judges it
// again (proven).
func (s *Service) submitProving(ctx context.Context, req *ansinh.RegistrationRequest, channel string) (string, bool, error) {
	r, actor, err := s.draft(s.store.BeneficiaryID(req.CCCD), "", req, channel)
	if err != nil {
		return "", false, err
	}
	unlock := s.store.LockReceipt(r.Receipt)
	defer unlock()
	var (
		b        *ansinh.Beneficiary
		pre      = &stored{receipt: r.Receipt}
		auditID  string
		ierr, ae error
		wg       sync.WaitGroup
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		b, ierr = s.IdentifyByCCCD(ctx, req.CCCD, req.BirthDate)
	}()
	go func() {
		defer wg.Done()
		pre.had, pre.err = s.store.StoredRegistration(ctx, r.Receipt)
	}()
	auditID, ae = s.store.InsertAcceptedUnproven(ctx, r, actor, "", req.BirthDate)
	wg.Wait()
	fresh := ae == nil && ierr == nil && ansinh.ErrorCode(pre.err) == ansinh.ENOTFOUND
	if ae == nil && !fresh {
		if err := s.store.WithdrawAccepted(context.WithoutCancel(ctx), r.Receipt); err != nil {
			return "", false, err // left to the start, which judges it as above
		}
	}
	if ierr != nil {
		return "", false, ierr
	}
	r.Commune = b.Commune
	if fresh {
		s.pipe().add(s, &accepted{r: r, actor: actor, auditID: auditID})
		return r.Receipt, false, nil
	}
	if ae != nil && !errors.Is(ae, ansinh.ErrDuplicate) {
		return "", false, ae
	}
	// A repeat, accepted or stored before: judged as every repeat is; a random receipt
	// that another person's submission holds is drawn again.
	replay, err := s.accept(ctx, r, actor, "", pre)
	if errors.Is(err, ansinh.ErrReceiptTaken) && req.IdempotencyKey == "" {
		return s.create(ctx, b, req, channel)
	}
	return r.Receipt, replay, err
}

// Settle returns once the steps of every submission this process accepted before the
// call have run (or ctx ends).
func (s *Service) Settle(ctx context.Context) error {
	return s.pipe().settle(ctx)
}

// SettlePerson is Settle when this process holds a submission of the person other than
// receipt (any, with receipt ""): only then can what is stored of them still change.
// It reports whether it waited.
func (s *Service) SettlePerson(ctx context.Context, beneficiaryID, receipt string) (bool, error) {
	p := s.pipe()
	p.mu.Lock()
	held := p.people[beneficiaryID] > 0 && !(receipt != "" && p.people[beneficiaryID] == 1 && p.known[receipt])
	p.mu.Unlock()
	if !held {
		return false, nil
	}
	return true, p.settle(ctx)
}

// FinishAccepted runs the steps of the accepted submissions the store holds that this
// process is not already running: those a crash or a failing store left, accepted at
// or before before (another instance's newer ones are its own to finish), with every
// submission of a person whose steps this process left to the sweep. Each person's go
// in the order they came. It returns how many it took. The service runs it before it
// takes its first request, and with the sweep every ten minutes.
func (s *Service) FinishAccepted(ctx context.Context, before time.Time) (int, error) {
	left, err := s.store.AcceptedRegistrations(ctx) // oldest first
	if err != nil {
		return 0, err
	}
	p := s.pipe()
	p.mu.Lock()
	stuck := p.stuck
	p.stuck = map[string]bool{}
	// A stuck person's submissions still waiting go again below, after their earlier one.
	waiting := p.waiting[:0]
	for _, a := range p.waiting {
		if stuck[a.r.BeneficiaryID] {
			p.forget(a)
			continue
		}
		waiting = append(waiting, a)
	}
	p.waiting = waiting
	p.mu.Unlock()
	n := 0
	held := map[string]bool{}
	for _, a := range left {
		id := a.Registration.BeneficiaryID
		if a.Registration.SubmittedAt.After(before) && !stuck[id] || held[id] {
			continue
		}
		// One stored before its identity was proven is judged again, unless this process
		// proved it (it is stuck here, or still on its way).
		if a.ClaimedBirthDate != "" && !stuck[id] && !p.holds(a.Registration.Receipt) {
			proven, err := s.proven(ctx, a)
			if err != nil { // left for the next sweep, the person's later ones with it
				p.warn("judge an accepted submission", err)
				p.mu.Lock()
				p.stuck[id] = true
				p.mu.Unlock()
				held[id] = true
				continue
			}
			if !proven {
				continue
			}
		}
		if p.add(s, &accepted{r: a.Registration, actor: a.Actor, role: a.Role, auditID: a.AuditID}) {
			n++
		}
	}
	return n, p.settle(ctx)
}

// proven judges again, as its request did, a submission stored before its identity was
// proven and its receipt looked up (submitProving), which a crash left before it was
// withdrawn or answered: one whose receipt another submission had stored before (other
// content, or another time) is the repeat its request answered from that one, and one
// whose birth date does not match the record's was refused; both are withdrawn. The
// rest — its own steps begun or not — takes its commune from the record and goes
// through its steps.
func (s *Service) proven(ctx context.Context, a ansinh.AcceptedRegistration) (bool, error) {
	r := a.Registration
	defer s.store.LockReceipt(r.Receipt)()
	had, err := s.store.StoredRegistration(ctx, r.Receipt)
	switch {
	case err == nil && had.Fingerprint == r.Fingerprint && had.SubmittedAt.Equal(r.SubmittedAt):
		r.Commune = had.Commune
		return true, nil // its own steps began: they go on
	case err == nil:
		return false, s.store.WithdrawAccepted(ctx, r.Receipt)
	case ansinh.ErrorCode(err) != ansinh.ENOTFOUND:
		return false, err
	}
	b, err := s.store.Beneficiary(ctx, r.BeneficiaryID)
	if err != nil && ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		return false, err
	}
	if matches(b, a.ClaimedBirthDate, false) {
		r.Commune = b.Commune
		return true, nil
	}
	return false, s.store.WithdrawAccepted(ctx, r.Receipt)
}

// through runs the steps of a batch and drops the accepted documents of those done; it
// returns those that failed. The common case — a person's first submission, new to the
// store — goes through Record's steps in one command each for the whole batch: insert,
// link, account reference, queue (with a roster rewrite per commune), audit. The rest —
// a repeat (a crash's or a replay's), a person with submissions before, a second
// submission of one person in the batch — goes through Record's steps one by one, after.
func (s *Service) through(ctx context.Context, batch []*accepted) map[*accepted]error {
	failed := map[*accepted]error{}
	var firsts, rest []*accepted
	seen := map[string]bool{}
	for _, a := range batch {
		if seen[a.r.BeneficiaryID] {
			rest = append(rest, a)
			continue
		}
		seen[a.r.BeneficiaryID] = true
		firsts = append(firsts, a)
	}
	// Stored now, then linked first in their chain: these go on together. A repeat, or a
	// person with a chain, goes one by one (before the rest, in the order accepted).
	inserted, one := byOutcome(firsts, s.store.InsertRegistrations(ctx, regs(firsts)), failed)
	if err := s.after("accepted:insert"); err != nil {
		return failAll(failed, batch, err)
	}
	both, linkOne := byOutcome(inserted, s.store.LinkFirstSubmissions(ctx, regs(inserted)), failed)
	for _, a := range both {
		a.r.Submissions = 1
	}
	if err := s.after("accepted:link"); err != nil {
		return failAll(failed, batch, err)
	}
	if err := s.store.AddAccountSubmissions(ctx, regs(both)); err != nil {
		fail(failed, both, err)
	} else if err := s.store.QueueNewForReview(ctx, regs(both)); err != nil {
		fail(failed, both, err)
	}
	if err := s.after("accepted:queue"); err != nil {
		return failAll(failed, batch, err)
	}
	s.oneByOne(ctx, firsts, linkOne, append(one, rest...), failed)
	// The audit events of those done (a repeat has none: its first attempt's is the
	// sweep's, with its accepted document), written once each whatever came before.
	var done []string
	var events []*ansinh.AuditEvent
	for _, a := range batch {
		if failed[a] != nil || a.auditID == "" {
			continue
		}
		done = append(done, a.r.Receipt)
		events = append(events, submissionEvent(a))
	}
	if err := s.store.AuditOnce(ctx, events); err != nil {
		return failAll(failed, batch, err)
	}
	if err := s.after("accepted:audit"); err != nil {
		return failAll(failed, batch, err)
	}
	if err := s.store.DropAccepted(ctx, done); err != nil {
		// The steps are done, and a repeat of them changes nothing: the sweep drops them.
		s.pipe().warn("drop accepted registrations", err)
	}
	return failed
}

// oneByOne runs the steps after the insert (follow) of linked, and the whole of Record's
// steps of recorded, each person's in the order given, several people at once; a person
// whose earlier submission failed has the later ones wait with it.
func (s *Service) oneByOne(ctx context.Context, firsts, linked, recorded []*accepted, failed map[*accepted]error) {
	type step struct {
		a      *accepted
		follow bool
	}
	var order []string
	todo := map[string][]step{}
	for _, list := range []struct {
		as     []*accepted
		follow bool
	}{{linked, true}, {recorded, false}} {
		for _, a := range list.as {
			id := a.r.BeneficiaryID
			if todo[id] == nil {
				order = append(order, id)
			}
			todo[id] = append(todo[id], step{a, list.follow})
		}
	}
	stuck := map[string]error{}
	for _, a := range firsts {
		if err := failed[a]; err != nil {
			stuck[a.r.BeneficiaryID] = err
		}
	}
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(oneByOneWorkers)
	for _, id := range order {
		g.Go(func() error {
			err := stuck[id]
			for _, st := range todo[id] {
				if err == nil && st.follow {
					err = s.follow(ctx, st.a.r)
				} else if err == nil {
					_, err = s.record(ctx, st.a.r)
				}
				if err != nil {
					mu.Lock()
					failed[st.a] = err
					mu.Unlock()
				}
			}
			return nil
		})
	}
	_ = g.Wait()
}

// byOutcome parts as by the outcome of a batch step, errs in their order: done, met a
// duplicate (one by one, then), or failed (into failed).
func byOutcome(as []*accepted, errs []error, failed map[*accepted]error) (done, duplicate []*accepted) {
	for i, err := range errs {
		switch a := as[i]; {
		case err == nil:
			done = append(done, a)
		case errors.Is(err, ansinh.ErrDuplicate):
			duplicate = append(duplicate, a)
		default:
			failed[a] = err
		}
	}
	return done, duplicate
}

func regs(as []*accepted) []*ansinh.Registration {
	out := make([]*ansinh.Registration, len(as))
	for i, a := range as {
		out[i] = a.r
	}
	return out
}

func fail(failed map[*accepted]error, as []*accepted, err error) {
	for _, a := range as {
		failed[a] = err
	}
}

// failAll marks every submission of the batch not failed yet as failed with err (a
// step that stopped the batch: what it did is done again by the next try).
func failAll(failed map[*accepted]error, batch []*accepted, err error) map[*accepted]error {
	for _, a := range batch {
		if failed[a] == nil {
			failed[a] = err
		}
	}
	return failed
}

// submissionEvent is the audit event of an accepted submission, under the id drawn when
// it was accepted: written once, in its place in the log.
func submissionEvent(a *accepted) *ansinh.AuditEvent {
	r := a.r
	actor := a.actor
	if actor == "" {
		actor = "public"
	}
	return &ansinh.AuditEvent{ID: a.auditID, At: r.SubmittedAt, Actor: actor,
		Role: a.role, Action: ansinh.ActionSubmit, Target: "beneficiary:" + r.BeneficiaryID, Unit: r.Commune,
		Detail: map[string]any{"receipt": r.Receipt, "channel": r.Channel, "submitter": r.Submitter}}
}

// accepted is a submission waiting for its steps in this process.
type accepted struct {
	r       *ansinh.Registration
	actor   string
	role    ansinh.Role
	auditID string // "" for a repeat: no event, and its accepted document is not its to drop
	seq     uint64
	at      time.Time // when it joined the waiting list (wall clock)
	tries   int
}

// pipeline is the waiting list of one database, shared by every Service in the process
// (the form's, the bot's, the sweep's), so that Settle waits for all of them.
type pipeline struct {
	mu      sync.Mutex
	waiting []*accepted
	running []*accepted
	known   map[string]bool // receipts waiting or running
	people  map[string]int  // their people, and how many of each
	// stuck are the people one of whose submissions this process left to the sweep:
	// their later ones wait for it there too, so that a person's submissions are never
	// chained out of the order they came.
	stuck   map[string]bool
	log     *slog.Logger // the first service's that has one
	seq     uint64
	busy    bool
	hurry   int           // Settle calls waiting: the batch goes now
	wake    chan struct{} // tells the runner of a hurry
	changed chan struct{} // closed at the end of every batch
}

var pipelines = struct {
	sync.Mutex
	m map[string]*pipeline
}{m: map[string]*pipeline{}}

func (s *Service) pipe() *pipeline {
	pipelines.Lock()
	defer pipelines.Unlock()
	name := s.store.DBName()
	p := pipelines.m[name]
	if p == nil {
		p = &pipeline{known: map[string]bool{}, people: map[string]int{}, stuck: map[string]bool{}, wake: make(chan struct{}, 1), changed: make(chan struct{})}
		pipelines.m[name] = p
	}
	return p
}

// add puts a on the waiting list unless its receipt is on it or running; it reports
// whether it did. The first to add to an idle list runs it, with its Service.
func (p *pipeline) add(s *Service, a *accepted) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.known[a.r.Receipt] {
		return false
	}
	if p.log == nil {
		p.log = s.Log
	}
	p.known[a.r.Receipt] = true
	p.people[a.r.BeneficiaryID]++
	p.seq++
	a.seq, a.at = p.seq, time.Now()
	p.waiting = append(p.waiting, a)
	if !p.busy {
		p.busy = true
		go p.run(s)
	}
	return true
}

// run takes batches off the waiting list until it is empty.
func (p *pipeline) run(s *Service) {
	for {
		p.mu.Lock()
		if len(p.waiting) == 0 {
			p.busy = false
			p.mu.Unlock()
			return
		}
		wait := time.Until(p.waiting[0].at.Add(acceptWindow))
		if p.hurry == 0 && len(p.waiting) < maxAcceptBatch && wait > 0 {
			p.mu.Unlock()
			t := time.NewTimer(wait)
			select {
			case <-p.wake:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		// In the order they came: a submission tried again goes before those that came
		// after it; a stuck person's wait for the sweep.
		slices.SortFunc(p.waiting, func(x, y *accepted) int { return cmp.Compare(x.seq, y.seq) })
		n := min(len(p.waiting), maxAcceptBatch)
		var batch []*accepted
		for _, a := range p.waiting[:n] {
			if p.stuck[a.r.BeneficiaryID] {
				p.forget(a)
				continue
			}
			batch = append(batch, a)
		}
		p.running = batch
		p.waiting = p.waiting[n:]
		p.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		failed := s.through(ctx, p.running)
		cancel()

		p.mu.Lock()
		for _, a := range p.running {
			err, bad := failed[a]
			if bad && a.tries+1 < acceptTries {
				a.tries++
				a.at = time.Now() // tried again after a window
				p.waiting = append(p.waiting, a)
				continue
			}
			if bad {
				p.warn("registration steps left to the sweep", err)
				p.stuck[a.r.BeneficiaryID] = true
			}
			p.forget(a)
		}
		p.running = nil
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
	}
}

// forget takes a off the process's list (mu held).
func (p *pipeline) forget(a *accepted) {
	delete(p.known, a.r.Receipt)
	if p.people[a.r.BeneficiaryID]--; p.people[a.r.BeneficiaryID] <= 0 {
		delete(p.people, a.r.BeneficiaryID)
	}
}

func (p *pipeline) warn(what string, err error) {
	if p.log != nil {
		p.log.Warn(what, "err", err)
	}
}

// settle waits until no submission added before the call is waiting or running, or a
// submission that keeps failing has been left to the sweep.
func (p *pipeline) settle(ctx context.Context) error {
	p.mu.Lock()
	target := p.seq
	p.hurry++
	defer func() {
		p.mu.Lock()
		p.hurry--
		p.mu.Unlock()
	}()
	for {
		if !p.holdsUpTo(target) {
			p.mu.Unlock()
			return nil
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case p.wake <- struct{}{}:
		default:
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		p.mu.Lock()
	}
}

// holds reports whether receipt's submission is on its way through this process.
func (p *pipeline) holds(receipt string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.known[receipt]
}

// holdsUpTo reports whether a submission numbered at most seq is waiting or running
// (mu held).
func (p *pipeline) holdsUpTo(seq uint64) bool {
	for _, list := range [][]*accepted{p.running, p.waiting} {
		for _, a := range list {
			if a.seq <= seq {
				return true
			}
		}
	}
	return false
}
