package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// beneficiaryDoc is one beneficiary. _id is the blind index of the CCCD, so the
// natural key is the one fast lookup of the embedded store; the CCCD and the account
// number are only ever stored encrypted.
type beneficiaryDoc struct {
	ID        string `bson:"_id"`
	Import    string `bson:"import,omitempty"` // the import job that last wrote it (ImportRow.Job)
	Name      string `bson:"name"`
	NameKey   string `bson:"name_key"`
	CCCDEnc   string `bson:"cccd_enc"`
	CCCDLast4 string `bson:"cccd_last4"`
	PhoneEnc  string `bson:"phone_enc,omitempty"`
	BirthDate string `bson:"birth_date"`
	Sex       string `bson:"sex,omitempty"`
	Commune   string `bson:"commune"`
	UnitSet   string `bson:"unit_set,omitempty"` // the set Commune belongs to; empty: the store's first set
	// Candidates are the communes an officer chooses from for a person of a split old
	// commune ("cần chọn xã"); Commune is empty until then, and the person is counted
	// under ansinh.UnassignedKey.
	Candidates []string `bson:"candidates,omitempty"`
	// OldCommune and OldUnitSet are the code and set an older list gave, when the import
	// moved the person through the crosswalk.
	OldCommune string         `bson:"old_commune,omitempty"`
	OldUnitSet string         `bson:"old_unit_set,omitempty"`
	Group      string         `bson:"group"`
	SubGroup   string         `bson:"sub_group,omitempty"`
	Amount     int64          `bson:"amount"`
	Eligible   bool           `bson:"eligible"`
	Ineligible *ineligibleDoc `bson:"ineligible,omitempty"`
	Identity   identityDoc    `bson:"identity"`
	Account    *accountDoc    `bson:"account,omitempty"`
	Warnings   []string       `bson:"warnings,omitempty"`
	// ConsentWithdrawn: the person withdrew consent to be paid into an account (a
	// request answered by an officer).
	ConsentWithdrawn *withdrawalDoc `bson:"consent_withdrawn,omitempty"`
	Returned         *returnedDoc   `bson:"returned,omitempty"`
	Synthetic        bool           `bson:"synthetic,omitempty"`
	RowHash          string         `bson:"row_hash,omitempty"`
	CreatedAt        time.Time      `bson:"created_at"`
	UpdatedAt        time.Time      `bson:"updated_at"`
}

type ineligibleDoc struct {
	Reason string    `bson:"reason"`
	Note   string    `bson:"note,omitempty"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
}

type withdrawalDoc struct {
	At      time.Time `bson:"at"`
	By      string    `bson:"by"`
	Request string    `bson:"request"`
	Purpose string    `bson:"purpose"`
}

type identityDoc struct {
	State string    `bson:"state"`
	Note  string    `bson:"note,omitempty"`
	By    string    `bson:"by,omitempty"`
	At    time.Time `bson:"at,omitempty"`
	// What the population database says where it differs (a police results file).
	PopulationName      string `bson:"population_name,omitempty"`
	PopulationBirthDate string `bson:"population_birth_date,omitempty"`
}

type accountDoc struct {
	BankBIN    string    `bson:"bin"`
	NumberEnc  string    `bson:"number_enc"`
	Index      string    `bson:"index"` // blind index of BIN + number: the same account anywhere
	Last4      string    `bson:"last4"`
	HolderName string    `bson:"holder"`
	Proxy      bool      `bson:"proxy"`
	Source     string    `bson:"source"`
	VerifiedAt time.Time `bson:"verified_at"`
	// ConfirmedAt: a payment into it went through (ConfirmAccountByPayment).
	ConfirmedAt time.Time `bson:"confirmed_at,omitempty"`
	// VNeID: linked in VNeID (its kind, with the BIN's: ansinh.Account.Kind).
	VNeID bool `bson:"vneid,omitempty"`
}

// returnedDoc marks a record whose account was dropped after a payment came back.
type returnedDoc struct {
	Month   string    `bson:"month"`
	Reason  string    `bson:"reason,omitempty"`
	BankBIN string    `bson:"bin"`
	Last4   string    `bson:"last4"`
	At      time.Time `bson:"at"`
}

const (
	ctxCCCD    = "cccd"
	ctxAccount = "account"
)

// BeneficiaryID is the record id of a CCCD: its blind index.
func (s *Store) BeneficiaryID(cccd string) string { return s.vault.Index(ctxCCCD, cccd) }

// AccountIndex is the blind index of an account, to find the same account elsewhere.
func (s *Store) AccountIndex(bin, number string) string {
	return s.vault.Index(ctxAccount, bin+":"+number)
}

// RowHash fingerprints what an import row says, keyed so it reveals nothing. For a row
// of an older unit set it takes the code and set the file gave, not where the crosswalk
// put the person: re-importing the old list then leaves a person alone whose commune an
// officer has since chosen.
func (s *Store) RowHash(r *ansinh.ImportRow) string {
	b := &r.Beneficiary
	commune := b.Commune
	if b.OldUnitSet != "" {
		commune = b.OldUnitSet + ":" + b.OldCommune
	}
	parts := []string{b.Name, b.CCCD, b.BirthDate, b.Sex, commune, string(b.Group), b.SubGroup,
		strconv.FormatInt(b.Amount, 10), strconv.FormatBool(r.EligibleGiven), strconv.FormatBool(b.Eligible)}
	if a := b.Account; a != nil {
		parts = append(parts, a.BankBIN, a.Number, a.HolderName)
		if a.VNeID { // only when given: rows of lists without the column hash as before
			parts = append(parts, "vneid")
		}
	}
	if b.Phone != "" { // only when given: rows of lists without phones hash as before
		parts = append(parts, "phone", b.Phone)
	}
	return s.vault.Index("row", strings.Join(parts, "\x1f"))
}

func (s *Store) toDoc(b *ansinh.Beneficiary) beneficiaryDoc {
	d := beneficiaryDoc{
		ID: s.BeneficiaryID(b.CCCD), Name: b.Name, NameKey: ansinh.NameKey(b.Name),
		CCCDEnc: s.vault.Seal(b.CCCD, ctxCCCD), CCCDLast4: b.CCCD[len(b.CCCD)-4:],
		BirthDate: b.BirthDate, Sex: b.Sex, Commune: b.Commune, UnitSet: s.unitSet, Candidates: b.Candidates, Group: string(b.Group), SubGroup: b.SubGroup,
		OldCommune: b.OldCommune, OldUnitSet: b.OldUnitSet,
		Amount: b.Amount, Eligible: b.Eligible, Warnings: b.Warnings, Synthetic: b.Synthetic,
		Identity:  identityDoc{State: ansinh.IdentityUnchecked},
		CreatedAt: b.CreatedAt.UTC(), UpdatedAt: b.UpdatedAt.UTC(),
	}
	if i := b.Ineligible; i != nil {
		d.Ineligible = &ineligibleDoc{Reason: i.Reason, Note: i.Note, By: i.By, At: i.At.UTC()}
	}
	if a := b.Account; a != nil {
		d.Account = s.accountDoc(a)
	}
	if b.Phone != "" {
		d.PhoneEnc = s.vault.Seal(b.Phone, ctxPhone)
	}
	return d
}

func (s *Store) accountDoc(a *ansinh.Account) *accountDoc {
	return &accountDoc{BankBIN: a.BankBIN, NumberEnc: s.vault.Seal(a.Number, ctxAccount), Index: s.AccountIndex(a.BankBIN, a.Number),
		Last4: a.Number[max(0, len(a.Number)-4):], HolderName: a.HolderName, Proxy: a.Proxy, Source: a.Source, VerifiedAt: a.VerifiedAt.UTC(),
		ConfirmedAt: a.ConfirmedAt.UTC(), VNeID: a.VNeID}
}

func (d *beneficiaryDoc) beneficiary() *ansinh.Beneficiary {
	b := &ansinh.Beneficiary{
		ID: d.ID, Name: d.Name, CCCDLast4: d.CCCDLast4, BirthDate: d.BirthDate, Sex: d.Sex, Commune: d.Commune, Candidates: d.Candidates,
		OldCommune: d.OldCommune, OldUnitSet: d.OldUnitSet,
		Group: ansinh.Group(d.Group), SubGroup: d.SubGroup, Amount: d.Amount, Eligible: d.Eligible,
		Identity: ansinh.IdentityCheck{State: d.Identity.State, Note: d.Identity.Note, By: d.Identity.By, At: d.Identity.At,
			PopulationName: d.Identity.PopulationName, PopulationBirthDate: d.Identity.PopulationBirthDate},
		Warnings: d.Warnings, Synthetic: d.Synthetic, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
	if i := d.Ineligible; i != nil {
		b.Ineligible = &ansinh.Ineligibility{Reason: i.Reason, Note: i.Note, By: i.By, At: i.At}
	}
	if w := d.ConsentWithdrawn; w != nil {
		b.ConsentWithdrawn = &ansinh.Withdrawal{At: w.At, By: w.By, Request: w.Request, Purpose: w.Purpose}
	}
	if a := d.Account; a != nil {
		b.Account = &ansinh.Account{BankBIN: a.BankBIN, Last4: a.Last4, HolderName: a.HolderName, Proxy: a.Proxy, Source: a.Source,
			VerifiedAt: a.VerifiedAt, ConfirmedAt: a.ConfirmedAt, VNeID: a.VNeID}
	}
	if r := d.Returned; r != nil {
		b.Returned = &ansinh.ReturnedPayment{Month: r.Month, Reason: r.Reason, BankBIN: r.BankBIN, Last4: r.Last4, At: r.At}
	}
	return b
}

// ImportedRows returns the row hash and commune of every beneficiary, by id: one pass
// over the collection, so that an import needs no lookup per row.
func (s *Store) ImportedRows(ctx context.Context) (map[string]ansinh.ImportedRow, error) {
	cur, err := s.db.Collection(colBeneficiaries).Find(ctx, bson.D{},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "row_hash", Value: 1}, {Key: "commune", Value: 1},
			{Key: "candidates", Value: 1}, {Key: "import", Value: 1}}).SetBatchSize(5000))
	if err != nil {
		return nil, s.fail("imported rows", err)
	}
	defer cur.Close(ctx)
	out := map[string]ansinh.ImportedRow{}
	for cur.Next(ctx) {
		var d struct {
			ID         string   `bson:"_id"`
			RowHash    string   `bson:"row_hash"`
			Commune    string   `bson:"commune"`
			Candidates []string `bson:"candidates"`
			Import     string   `bson:"import"`
		}
		if err := cur.Decode(&d); err != nil {
			return nil, s.fail("imported rows", err)
		}
		out[d.ID] = ansinh.ImportedRow{Hash: d.RowHash, Commune: d.Commune, Candidates: d.Candidates, Job: d.Import}
	}
	if err := cur.Err(); err != nil {
		return nil, s.fail("imported rows", err)
	}
	return out, nil
}

// InsertImported inserts new beneficiaries from an import. It returns the positions
// of rows another writer inserted first (duplicate ids), which the caller then treats
// as updates.
func (s *Store) InsertImported(ctx context.Context, rows []*ansinh.ImportRow, now time.Time) (conflicts []int, err error) {
	docs := make([]any, len(rows))
	for i, r := range rows {
		b := &r.Beneficiary
		b.CreatedAt, b.UpdatedAt = now, now
		if b.Account != nil {
			b.Account.VerifiedAt = now
		}
		d := s.toDoc(b)
		d.RowHash = s.RowHash(r)
		if r.Job != "" {
			d.Import = r.Job + ":i"
		}
		if !b.Eligible {
			d.Ineligible = &ineligibleDoc{Reason: "other", Note: ansinh.NoteIneligibleByImport, By: "import", At: now.UTC()}
		}
		docs[i] = d
	}
	_, err = s.db.Collection(colBeneficiaries).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) {
		for _, we := range bwe.WriteErrors {
			if !mongo.IsDuplicateKeyError(we) {
				return nil, s.fail("insert imported", err)
			}
			conflicts = append(conflicts, we.Index)
		}
	} else if err != nil {
		return nil, s.fail("insert imported", err)
	}
	// Count what was inserted, one counter update per commune.
	skip := map[int]bool{}
	for _, i := range conflicts {
		skip[i] = true
	}
	perCommune := map[string]ansinh.Counts{}
	for i, r := range rows {
		if !skip[i] {
			b := &r.Beneficiary
			perCommune[b.CountedIn()] = perCommune[b.CountedIn()].Add(ansinh.Contribution(b))
		}
	}
	for commune, c := range perCommune {
		if err := s.addCounts(ctx, commune, c); err != nil {
			return nil, err
		}
	}
	// The lines of the people inserted are known: each roster takes those it has none
	// for (a line already there is a later write's, read from the record).
	lines := map[string]map[string]string{}
	for i, d := range docs {
		if bd := d.(beneficiaryDoc); !skip[i] {
			e := memberEntry(&bd)
			if lines[e.unit] == nil {
				lines[e.unit] = map[string]string{}
			}
			lines[e.unit][bd.ID] = e.line
		}
	}
	for unit, known := range lines {
		if err := s.rewrite(ctx, membersRoster, unit, nil, known); err != nil {
			return nil, err
		}
	}
	refs := map[string]string{}
	for i, d := range docs {
		bd := d.(beneficiaryDoc)
		if skip[i] || bd.Account == nil {
			continue
		}
		if _, dup := refs[bd.Account.Index]; dup { // one account for two people in one file
			if err := s.addAccountRef(ctx, bd.Account.Index, "users", bd.ID); err != nil {
				return nil, err
			}
			continue
		}
		refs[bd.Account.Index] = bd.ID
	}
	if err := s.refAccounts(ctx, refs); err != nil {
		return nil, err
	}
	return conflicts, nil
}

// UpdateImported applies a changed import row to the stored record and returns the
// names of the fields that changed (never their values). Only what the file says is
// written: an officer's eligibility decision stays unless the file has the column,
// the identity check always stays, and an account verified from a registration is
// not replaced by the file's.
func (s *Store) UpdateImported(ctx context.Context, r *ansinh.ImportRow, now time.Time) ([]string, error) {
	b := &r.Beneficiary
	id := s.BeneficiaryID(b.CCCD)
	var old beneficiaryDoc
	if err := s.db.Collection(colBeneficiaries).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&old); err != nil {
		return nil, s.fail("update imported: find", err)
	}
	before := old.beneficiary()
	after := *before
	set := bson.D{}
	var changed []string
	field := func(name, key string, oldV, newV any) {
		if fmt.Sprint(oldV) != fmt.Sprint(newV) {
			changed = append(changed, name)
			set = append(set, bson.E{Key: key, Value: newV})
		}
	}
	field("name", "name", old.Name, b.Name)
	field("name", "name_key", old.NameKey, ansinh.NameKey(b.Name))
	field("birth_date", "birth_date", old.BirthDate, b.BirthDate)
	field("sex", "sex", old.Sex, b.Sex)
	// A person of a split old commune whose commune an officer has chosen keeps it when
	// the old list comes again: the choice is one the list offers.
	commune, candidates := b.Commune, b.Candidates
	if commune == "" && old.Commune != "" && slices.Contains(candidates, old.Commune) {
		commune, candidates = old.Commune, nil
	}
	field("commune", "commune", old.Commune, commune)
	unset := bson.D{}
	if !slices.Equal(old.Candidates, candidates) {
		changed = append(changed, "candidates")
		if len(candidates) == 0 {
			unset = append(unset, bson.E{Key: "candidates", Value: ""})
		} else {
			set = append(set, bson.E{Key: "candidates", Value: candidates})
		}
	}
	if old.OldCommune != b.OldCommune || old.OldUnitSet != b.OldUnitSet {
		set = append(set, bson.E{Key: "old_commune", Value: b.OldCommune}, bson.E{Key: "old_unit_set", Value: b.OldUnitSet})
	}
	field("group", "group", old.Group, string(b.Group))
	field("sub_group", "sub_group", old.SubGroup, b.SubGroup)
	field("amount", "amount", old.Amount, b.Amount)
	field("warnings", "warnings", old.Warnings, b.Warnings)
	if b.Phone != "" { // a list without the column, or a blank cell, keeps the number
		if had, _ := s.vault.Open(old.PhoneEnc, ctxPhone); old.PhoneEnc == "" || had != b.Phone {
			changed = append(changed, "phone")
			set = append(set, bson.E{Key: "phone_enc", Value: s.vault.Seal(b.Phone, ctxPhone)})
		}
	}
	after.Name, after.Commune, after.Candidates, after.Group = b.Name, commune, candidates, b.Group
	if r.EligibleGiven && old.Eligible != b.Eligible {
		after.Eligible = b.Eligible
		changed = append(changed, "eligible")
		set = append(set, bson.E{Key: "eligible", Value: b.Eligible})
		var inel *ineligibleDoc
		if !b.Eligible {
			inel = &ineligibleDoc{Reason: "other", Note: ansinh.NoteIneligibleByImport, By: "import", At: now.UTC()}
		}
		set = append(set, bson.E{Key: "ineligible", Value: inel})
	}
	// A list gives a person their first account; another account for someone who has
	// one is not the list's to switch (it would redirect payments with nobody
	// checking): the importer sends it to the commune's review queue instead.
	if a := b.Account; a != nil && old.Account != nil && old.Account.Index != s.AccountIndex(a.BankBIN, a.Number) {
		changed = append(changed, ansinh.ChangedAccountForReview)
	} else if a != nil && (old.Account == nil || old.Account.Source == ansinh.SourceImport) {
		ad := s.accountDoc(a)
		if old.Account == nil || old.Account.HolderName != ad.HolderName || old.Account.VNeID != ad.VNeID {
			a.VerifiedAt = now
			ad.VerifiedAt = now.UTC()
			changed = append(changed, "account")
			set = append(set, bson.E{Key: "account", Value: ad})
			after.Account = a
			if err := s.addAccountRef(ctx, ad.Index, "users", id); err != nil {
				return nil, err
			}
		}
	}
	set = append(set, bson.E{Key: "row_hash", Value: s.RowHash(r)}, bson.E{Key: "updated_at", Value: now.UTC()})
	if changed = dedupe(changed); r.Job != "" && len(changed) > 0 {
		how := ":u"
		if len(changed) == 1 && changed[0] == ansinh.ChangedAccountForReview {
			how = ":r"
		}
		set = append(set, bson.E{Key: "import", Value: r.Job + how})
	}
	update := bson.D{{Key: "$set", Value: set}}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	if _, err := s.db.Collection(colBeneficiaries).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update); err != nil {
		return nil, s.fail("update imported", err)
	}
	if err := s.moveCounts(ctx, before, &after); err != nil {
		return nil, err
	}
	if err := s.syncMember(ctx, id, before.CountedIn()); err != nil {
		return nil, err
	}
	return changed, nil
}

func dedupe(ss []string) []string {
	var out []string
	for i, s := range ss {
		if i == 0 || ss[i-1] != s {
			out = append(out, s)
		}
	}
	return out
}

// Beneficiary returns one record, personal numbers masked.
func (s *Store) Beneficiary(ctx context.Context, id string) (*ansinh.Beneficiary, error) {
	d, err := s.beneficiaryDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.beneficiary(), nil
}

func (s *Store) beneficiaryDoc(ctx context.Context, id string) (*beneficiaryDoc, error) {
	var d beneficiaryDoc
	if err := s.rdb.Collection(colBeneficiaries).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, s.fail("find beneficiary", err)
	}
	return &d, nil
}

// RevealBeneficiary returns the record with its CCCD and account number decrypted.
// Callers audit it.
func (s *Store) RevealBeneficiary(ctx context.Context, id string) (*ansinh.Beneficiary, error) {
	d, err := s.beneficiaryDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	b := d.beneficiary()
	if b.CCCD, err = s.vault.Open(d.CCCDEnc, ctxCCCD); err != nil {
		return nil, s.fail("reveal cccd", err)
	}
	if d.Account != nil {
		if b.Account.Number, err = s.vault.Open(d.Account.NumberEnc, ctxAccount); err != nil {
			return nil, s.fail("reveal account", err)
		}
	}
	return b, nil
}

// IdentityPage is one page of Beneficiaries with each whole CCCD, for the list sent to
// the police (the caller audits); account numbers stay sealed. It reads the rosters as
// Beneficiaries does.
func (s *Store) IdentityPage(ctx context.Context, q ansinh.BeneficiaryQuery) ([]*ansinh.Beneficiary, error) {
	in := map[string]bool{}
	for _, c := range q.Communes {
		in[c] = true
	}
	ids, _, err := s.memberPage(ctx, ansinh.BeneficiaryQuery{Communes: q.Communes, Skip: q.Skip, Limit: q.Limit}, in)
	if err != nil {
		return nil, err
	}
	out := make([]*ansinh.Beneficiary, 0, len(ids))
	err = s.eachBeneficiary(ctx, ids, bson.D{{Key: "account.number_enc", Value: 0}}, func(d *beneficiaryDoc) error {
		if !in[d.Commune] {
			return nil // a drifted roster shows nobody of another commune
		}
		b := d.beneficiary()
		var err error
		if b.CCCD, err = s.vault.Open(d.CCCDEnc, ctxCCCD); err != nil {
			return err
		}
		out = append(out, b)
		return nil
	})
	if err != nil {
		return nil, s.fail("identity list", err)
	}
	return out, nil
}

// SetIdentity records the police liaison's identity check.
func (s *Store) SetIdentity(ctx context.Context, id string, c ansinh.IdentityCheck) error {
	if err := s.setFields(ctx, "set identity", id, bson.D{
		{Key: "identity", Value: identityDoc{State: c.State, Note: c.Note, By: c.By, At: c.At.UTC(),
			PopulationName: c.PopulationName, PopulationBirthDate: c.PopulationBirthDate}},
		{Key: "updated_at", Value: c.At.UTC()},
	}); err != nil {
		return err
	}
	return s.syncMember(ctx, id)
}

// SetEligibility records whether the person may open an account.
func (s *Store) SetEligibility(ctx context.Context, id string, eligible bool, why *ansinh.Ineligibility, now time.Time) error {
	var inel *ineligibleDoc
	if why != nil {
		inel = &ineligibleDoc{Reason: why.Reason, Note: why.Note, By: why.By, At: why.At.UTC()}
	}
	var old beneficiaryDoc
	err := s.db.Collection(colBeneficiaries).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "eligible", Value: eligible}, {Key: "ineligible", Value: inel}, {Key: "updated_at", Value: now.UTC()},
	}}}, options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&old)
	if err != nil {
		return s.fail("set eligibility", err)
	}
	before := old.beneficiary()
	after := *before
	after.Eligible = eligible
	if err := s.moveCounts(ctx, before, &after); err != nil {
		return err
	}
	return s.syncMember(ctx, id, before.CountedIn())
}

func (s *Store) setFields(ctx context.Context, op, id string, set bson.D) error {
	res, err := s.db.Collection(colBeneficiaries).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return s.fail(op, err)
	}
	if res.MatchedCount == 0 {
		return &ansinh.Error{Code: ansinh.ENOTFOUND, Message: ansinh.MsgNotFound}
	}
	return nil
}

// CountBeneficiaries counts every record, or only the real (non-synthetic) ones.
func (s *Store) CountBeneficiaries(ctx context.Context, realOnly bool) (int64, error) {
	filter := bson.D{}
	if realOnly {
		filter = bson.D{{Key: "synthetic", Value: bson.D{{Key: "$ne", Value: true}}}}
	}
	n, err := s.db.Collection(colBeneficiaries).CountDocuments(ctx, filter)
	if err != nil {
		return 0, s.fail("count beneficiaries", err)
	}
	return n, nil
}

// BeneficiaryPhone is the mobile number a list gave for the person (84…), decrypted,
// "" when none: for a notice only.
func (s *Store) BeneficiaryPhone(ctx context.Context, id string) (string, error) {
	var d struct {
		PhoneEnc string `bson:"phone_enc"`
	}
	err := s.db.Collection(colBeneficiaries).FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: "phone_enc", Value: 1}})).Decode(&d)
	if err != nil {
		return "", s.fail("beneficiary phone", err)
	}
	if d.PhoneEnc == "" {
		return "", nil
	}
	p, err := s.vault.Open(d.PhoneEnc, ctxPhone)
	if err != nil {
		return "", s.fail("beneficiary phone", err)
	}
	return p, nil
}
