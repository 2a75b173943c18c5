package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"golang.org/x/sync/errgroup"

	"ansinh"
)

// Accepted registrations (issue 18). A submission from a person (the form, the API,
// Zalo, an officer's visit) is answered once one document is durable: the submission
// as it will be stored, in registrations_accepted, a collection as small as the
// backlog. Its lifecycle steps — the stored submission, the person's chain, the account
// reference, the review queue and its roster, the audit — follow behind it, in batches
// (registration.Service), and the accepted document goes last, so that whatever a
// crash interrupts is still there for the next start to finish. Until then a lookup of
// its receipt finds it here.

// acceptedDoc is a submission accepted and not yet through its lifecycle steps: the
// submission's document as registrations will hold it, with who submitted it.
type acceptedDoc struct {
	Doc        registrationDoc `bson:",inline"` // named: bson skips an embedded unexported type
	Actor      string          `bson:"actor"`
	Role       string          `bson:"role,omitempty"`
	AcceptedAt time.Time       `bson:"accepted_at"`
	// AuditID is the id of the submission's audit event, drawn at acceptance so that the
	// event keeps its place in the log and is written once however often its step runs.
	AuditID bson.ObjectID `bson:"audit_id"`
	// Claimed is, sealed, the birth date the person gave when the document was written
	// before their identity was proven (InsertAcceptedUnproven): a start that finds the
	// document compares it with the record again, and drops what does not match.
	Claimed string `bson:"claimed,omitempty"`
}

// packedAccepted is an accepted document as it is stored: its receipt, and the rest as
// one BSON value. FerretDB turns every field of a document into JSON of its own, and the
// insert of the accepted document is the one write a person's request waits for: as 21
// fields it took 0.63 ms, as one 0.50 ms, where a raw 1 KB insert takes 0.48 (measured
// on this machine, 2 cores). Documents written before the packing (the fields at the
// top level) are read as they are.
type packedAccepted struct {
	Receipt string `bson:"_id"`
	Packed  []byte `bson:"z"`
}

// pack is a's document as stored.
func (a *acceptedDoc) pack() (packedAccepted, error) {
	b, err := bson.Marshal(a)
	if err != nil {
		return packedAccepted{}, err
	}
	return packedAccepted{Receipt: a.Doc.Receipt, Packed: b}, nil
}

// unpackAccepted reads an accepted document as stored, packed or not.
func unpackAccepted(raw bson.Raw) (*acceptedDoc, error) {
	var a acceptedDoc
	if _, z, ok := raw.Lookup("z").BinaryOK(); ok {
		raw = z
	}
	if err := bson.Unmarshal(raw, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// acceptLocks serialises, in this process, the acceptance of one receipt with the
// removal of its accepted document: see LockReceipt.
var acceptLocks ansinh.KeyLocks

// LockReceipt takes this process's lock of receipt and returns its unlock. An
// acceptance holds it from its look-up of the stored submission (StoredRegistration) to
// its insert (InsertAccepted), and DropAccepted takes it to remove an accepted document,
// which it does only after the submission is stored: so of a look-up that finds nothing
// and an insert that succeeds, no repeat of the receipt can have slipped between. (With
// several instances on MongoDB the lock is each one's: a repeat racing its first
// attempt's last step on another instance is taken as new, and stored as the replay it
// is.)
func (s *Store) LockReceipt(receipt string) func() {
	return acceptLocks.Lock(s.db.Name() + "\x00" + receipt)
}

// StoredRegistration is Registration of a submission past its acceptance (not of one
// still accepted only).
func (s *Store) StoredRegistration(ctx context.Context, receipt string) (*ansinh.Registration, error) {
	d, err := s.storedDoc(ctx, receipt)
	if err != nil {
		return nil, err
	}
	return s.withStatus(ctx, d)
}

// InsertAccepted stores r as accepted, setting r.Fingerprint: durable when it returns
// nil, by one insert that concurrent acceptances share. A receipt accepted already is
// ansinh.ErrDuplicate and changes nothing. The caller holds LockReceipt and has found
// no stored submission of the receipt.
// It returns the id of the submission's audit event, for its steps.
func (s *Store) InsertAccepted(ctx context.Context, r *ansinh.Registration, actor string, role ansinh.Role) (string, error) {
	return s.insertAccepted(ctx, r, actor, role, "")
}

// InsertAcceptedUnproven is InsertAccepted of a submission whose identity is being
// proven meanwhile (the CCCD path: the insert and the check at once), with the birth
// date the person gave. If the check fails, the caller withdraws it (WithdrawAccepted)
// before answering; if a crash comes first, the start compares the birth date again
// (AcceptedRegistrations gives it back).
func (s *Store) InsertAcceptedUnproven(ctx context.Context, r *ansinh.Registration, actor string, role ansinh.Role, birthDate string) (string, error) {
	return s.insertAccepted(ctx, r, actor, role, s.vault.Seal(birthDate, ctxClaimed))
}

// ctxClaimed seals a birth date as a person gave it.
const ctxClaimed = "claimed-birth-date"

func (s *Store) insertAccepted(ctx context.Context, r *ansinh.Registration, actor string, role ansinh.Role, claimed string) (string, error) {
	doc := acceptedDoc{Doc: s.registrationToDoc(r), Actor: actor, Role: string(role), AcceptedAt: r.SubmittedAt.UTC(), AuditID: bson.NewObjectID(),
		Claimed: claimed}
	r.Fingerprint = doc.Doc.Fingerprint
	packed, err := doc.pack()
	if err != nil {
		return "", s.fail("accept registration", err)
	}
	if err := s.duplicateOr("accept registration", s.insert(ctx, colAccepted, packed)); err != nil {
		return "", err
	}
	return doc.AuditID.Hex(), nil
}

// StillAccepted reports whether receipt's accepted document is still there: its steps
// are not all done (on this instance or another).
func (s *Store) StillAccepted(ctx context.Context, receipt string) (bool, error) {
	ok, err := exists(ctx, s.rdb.Collection(colAccepted), receipt)
	if err != nil {
		return false, s.fail("find accepted registration", err)
	}
	return ok, nil
}

// AcceptedRegistrations returns every accepted submission still to go through its
// steps, oldest first, with its numbers decrypted: the start-up sweep's work.
func (s *Store) AcceptedRegistrations(ctx context.Context) ([]ansinh.AcceptedRegistration, error) {
	cur, err := s.rdb.Collection(colAccepted).Find(ctx, bson.D{})
	if err != nil {
		return nil, s.fail("accepted registrations", err)
	}
	defer cur.Close(ctx)
	var out []ansinh.AcceptedRegistration
	for cur.Next(ctx) {
		d, err := unpackAccepted(cur.Current)
		if err != nil {
			return nil, s.fail("accepted registrations", err)
		}
		r := registrationOf(&d.Doc, registrationEventDoc{Receipt: d.Doc.Receipt, Status: ansinh.StatusPending})
		if err := s.reveal(&d.Doc, r); err != nil {
			return nil, err
		}
		a := ansinh.AcceptedRegistration{Registration: r, Actor: d.Actor, Role: ansinh.Role(d.Role), AuditID: d.AuditID.Hex()}
		if d.Claimed != "" {
			if a.ClaimedBirthDate, err = s.vault.Open(d.Claimed, ctxClaimed); err != nil {
				return nil, s.fail("accepted registrations", err)
			}
		}
		out = append(out, a)
	}
	if err := cur.Err(); err != nil {
		return nil, s.fail("accepted registrations", err)
	}
	slices.SortStableFunc(out, func(a, b ansinh.AcceptedRegistration) int {
		return a.Registration.SubmittedAt.Compare(b.Registration.SubmittedAt)
	})
	return out, nil
}

// WithdrawAccepted removes the accepted document of a submission that is not to be
// stored after all (its identity was not proven, or its receipt was stored before):
// nothing was answered for it. The caller holds LockReceipt.
func (s *Store) WithdrawAccepted(ctx context.Context, receipt string) error {
	if _, err := s.db.Collection(colAccepted).DeleteOne(ctx, bson.D{{Key: "_id", Value: receipt}}); err != nil {
		return s.fail("withdraw accepted registration", err)
	}
	return nil
}

// DropAccepted removes the accepted documents of receipts, whose steps are all done.
func (s *Store) DropAccepted(ctx context.Context, receipts []string) error {
	if len(receipts) == 0 {
		return nil
	}
	keys := make([]string, len(receipts))
	for i, r := range receipts {
		keys[i] = s.db.Name() + "\x00" + r
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys { // in order: two droppers never wait on each other
		defer acceptLocks.Lock(k)()
	}
	// The collection holds only the backlog: a filter on it costs little on any store.
	if _, err := s.db.Collection(colAccepted).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: receipts}}}}); err != nil {
		return s.fail("drop accepted registrations", err)
	}
	return nil
}

func auditID(e *ansinh.AuditEvent) (bson.ObjectID, error) {
	if e.ID == "" {
		return bson.NewObjectID(), nil
	}
	id, err := bson.ObjectIDFromHex(e.ID)
	if err != nil {
		return id, fmt.Errorf("store: audit id %q: %w", e.ID, err)
	}
	return id, nil
}

// The steps of a batch of accepted submissions, each one command for the batch where
// the store allows (insertEach; registration.Service runs them in the lifecycle's
// order, and the one-by-one steps for whatever a batch step leaves).

// InsertRegistrations is InsertRegistration of each of rs, in one command: each one's
// error, ansinh.ErrDuplicate for a receipt stored already.
func (s *Store) InsertRegistrations(ctx context.Context, rs []*ansinh.Registration) []error {
	docs := make([]any, len(rs))
	for i, r := range rs {
		d := s.registrationToDoc(r)
		r.Fingerprint = d.Fingerprint
		docs[i] = d
	}
	errs := insertEach(ctx, s.db.Collection(colRegistrations), docs)
	for i, err := range errs {
		errs[i] = s.duplicateOr("create registration", err)
	}
	return errs
}

// LinkFirstSubmissions links each of rs as its person's first submission, in one
// command: ansinh.ErrDuplicate for a person who has one already (LinkSubmission then
// finds the end of the chain), nil where it is linked. At most one of rs a person.
func (s *Store) LinkFirstSubmissions(ctx context.Context, rs []*ansinh.Registration) []error {
	docs := make([]any, len(rs))
	for i, r := range rs {
		docs[i] = chainDoc{ID: r.BeneficiaryID + ":1", Receipt: r.Receipt, At: r.SubmittedAt.UTC()}
	}
	errs := insertEach(ctx, s.db.Collection(colRegistrationChain), docs)
	for i, err := range errs {
		errs[i] = s.duplicateOr("chain registration", err)
	}
	return errs
}

// AddAccountSubmissions is AddAccountSubmission of each of rs: one command for the
// accounts nobody named before, one update each for the others.
func (s *Store) AddAccountSubmissions(ctx context.Context, rs []*ansinh.Registration) error {
	docs := make([]any, len(rs))
	for i, r := range rs {
		docs[i] = accountRefDoc{ID: s.AccountIndex(r.BankBIN, r.AccountNumber), Users: []string{}, Receipts: []string{r.Receipt}}
	}
	for i, err := range insertEach(ctx, s.db.Collection(colAccountRefs), docs) {
		switch {
		case mongo.IsDuplicateKeyError(err):
			if err := s.addAccountRef(ctx, docs[i].(accountRefDoc).ID, "receipts", rs[i].Receipt); err != nil {
				return err
			}
		case err != nil:
			return s.fail("account ref", err)
		}
	}
	return nil
}

// QueueNewForReview is QueueForReview of submissions just stored, linked first in
// their chain and never queued (the batch's): one command for the queue, and each
// commune's roster rewritten once for all of its new lines. The lines are known (they
// are the documents just inserted) and added only where the roster has none, as for
// every insert; a submission cannot have been decided meanwhile, since a decision waits
// for the accepted submissions to be through their steps (registration.Settle).
func (s *Store) QueueNewForReview(ctx context.Context, rs []*ansinh.Registration) error {
	docs := make([]any, len(rs))
	lines := map[string]map[string]string{}
	for i, r := range rs {
		d := queueDoc{Receipt: r.Receipt, Commune: r.Commune, BeneficiaryID: r.BeneficiaryID, Channel: r.Channel,
			SubmittedAt: r.SubmittedAt.UTC(), Submissions: r.Submissions}
		docs[i] = d
		e := queueEntry(&d)
		if lines[e.unit] == nil {
			lines[e.unit] = map[string]string{}
		}
		lines[e.unit][r.Receipt] = e.line
	}
	for _, err := range insertEach(ctx, s.db.Collection(colQueue), docs) {
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return s.fail("queue registration", err)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(lookupWorkers)
	for unit, known := range lines {
		g.Go(func() error { return s.rewrite(gctx, queueRoster, unit, nil, known) })
	}
	return g.Wait()
}

// AuditOnce writes events whose ids are given, in one command; an event written
// already is left as it is.
func (s *Store) AuditOnce(ctx context.Context, events []*ansinh.AuditEvent) error {
	docs := make([]any, 0, len(events))
	for _, e := range events {
		id, err := auditID(e)
		if err != nil {
			return err
		}
		docs = append(docs, auditDoc{ID: id, At: e.At.UTC(), Actor: e.Actor, Role: string(e.Role), Action: e.Action,
			Target: e.Target, Unit: e.Unit, IP: e.IP, Detail: e.Detail, Set: s.unitSetOf(e.Unit)})
	}
	for _, err := range insertEach(ctx, s.db.Collection(colAudit), docs) {
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return s.fail("audit", err)
		}
	}
	return nil
}

// duplicateOr is ansinh.ErrDuplicate for a duplicate key, err counted under op otherwise.
func (s *Store) duplicateOr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("store: %s: %w", op, ansinh.ErrDuplicate)
	}
	return s.fail(op, err)
}
