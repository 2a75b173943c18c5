package handlers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
	"ansinh/importer"
	"ansinh/jobs"
	"ansinh/sheet"
)

// BeneficiaryStore is what the registry pages and API need.
type BeneficiaryStore interface {
	importer.Store
	jobs.Store
	Beneficiary(ctx context.Context, id string) (*ansinh.Beneficiary, error)
	RevealBeneficiary(ctx context.Context, id string) (*ansinh.Beneficiary, error)
	RegistrationReceipts(ctx context.Context, beneficiaryID string) ([]string, error)
	Beneficiaries(ctx context.Context, q ansinh.BeneficiaryQuery) ([]*ansinh.Beneficiary, int64, error)
	EachBeneficiary(ctx context.Context, communes []string, fn func(*ansinh.Beneficiary) error) error
	CountIn(ctx context.Context, communes []string) (ansinh.Counts, error)
	SetIdentity(ctx context.Context, id string, c ansinh.IdentityCheck) error
	SetEligibility(ctx context.Context, id string, eligible bool, why *ansinh.Ineligibility, now time.Time) error
	ChooseCommune(ctx context.Context, id, commune, by string, now time.Time) (*ansinh.Beneficiary, error)
	CountWaiting(ctx context.Context, communes []string) (int64, error)
	SaveImportReport(ctx context.Context, r *ansinh.ImportReport) error
	ImportReport(ctx context.Context, id string) (*ansinh.ImportReport, error)
	AddImportErrors(ctx context.Context, report string, page int, errs []ansinh.RowError) error
	ImportErrors(ctx context.Context, report string, page int) ([]ansinh.RowError, error)
}

// MaxImportBytes is the largest list accepted.
const MaxImportBytes = 20 << 20

const pageSize = 50

// beneficiaryView is a beneficiary as lists show it: personal numbers masked.
type beneficiaryView struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	CCCD        string       `json:"cccd"`
	BirthDate   string       `json:"birth_date"`
	Sex         string       `json:"sex"`
	Commune     string       `json:"commune"`
	CommuneName string       `json:"commune_name"`
	Group       ansinh.Group `json:"group"`
	Amount      int64        `json:"amount"`
	Eligible    bool         `json:"eligible"`
	Ineligible  *string      `json:"ineligible_reason"`
	Identity    string       `json:"identity"`
	Account     *accountView `json:"account"`
	Warnings    []string     `json:"warnings"`
	Synthetic   bool         `json:"synthetic,omitempty"`
	// While the commune waits for a choice: the candidates, and the old commune the
	// list gave.
	Candidates     []string       `json:"candidates,omitempty"`
	OldCommune     string         `json:"old_commune,omitempty"`
	OldCommuneName string         `json:"old_commune_name,omitempty"`
	OldUnitSet     string         `json:"old_unit_set,omitempty"`
	CandidateUnits []*ansinh.Unit `json:"-"`
}

type accountView struct {
	Bank       string `json:"bank"`
	BankBIN    string `json:"bank_bin"`
	Number     string `json:"number"`
	HolderName string `json:"holder_name"`
	Proxy      bool   `json:"proxy"`
	Source     string `json:"source"`
	Kind       string `json:"kind"` // bank, wallet or vneid
}

func (h *Handler) viewBeneficiary(b *ansinh.Beneficiary) beneficiaryView {
	v := beneficiaryView{ID: b.ID, Name: b.Name, CCCD: b.MaskedCCCD(), BirthDate: b.BirthDate, Sex: b.Sex,
		Commune: b.Commune, Group: b.Group, Amount: b.Amount, Eligible: b.Eligible, Identity: b.Identity.State,
		Warnings: b.Warnings, Synthetic: b.Synthetic}
	if v.Warnings == nil {
		v.Warnings = []string{}
	}
	if u, ok := h.units.Get(b.Commune); ok {
		v.CommuneName = u.Name
	}
	if b.Commune == "" && len(b.Candidates) > 0 {
		v.Candidates = b.Candidates
		for _, code := range b.Candidates {
			if u, ok := h.units.Get(code); ok {
				v.CandidateUnits = append(v.CandidateUnits, u)
			}
		}
	}
	if b.OldCommune != "" {
		v.OldCommune, v.OldUnitSet = b.OldCommune, b.OldUnitSet
		if set, ok := h.sets.Get(b.OldUnitSet); ok {
			if u, ok := set.Units.Get(b.OldCommune); ok {
				v.OldCommuneName = u.Name
			}
		}
	}
	if b.Ineligible != nil {
		v.Ineligible = &b.Ineligible.Reason
	}
	if a := b.Account; a != nil {
		bank, _ := ansinh.BankByBIN(a.BankBIN)
		number := a.Masked()
		if a.Number != "" {
			number = a.Number
		}
		v.Account = &accountView{Bank: bank.ShortName, BankBIN: a.BankBIN, Number: number, HolderName: a.HolderName, Proxy: a.Proxy, Source: a.Source,
			Kind: a.Kind()}
	}
	return v
}

// identityView is a record as the police liaison sees it: what an identity check
// needs, nothing of the payment (no programme, amount, eligibility or account).
type identityView struct {
	ID                  string   `json:"id"`
	Name                string   `json:"name"`
	CCCD                string   `json:"cccd"`
	BirthDate           string   `json:"birth_date"`
	Sex                 string   `json:"sex"`
	Commune             string   `json:"commune"`
	CommuneName         string   `json:"commune_name"`
	Residence           string   `json:"residence"`
	Identity            string   `json:"identity"`
	IdentityNote        string   `json:"identity_note,omitempty"`
	PopulationName      string   `json:"population_name,omitempty"`
	PopulationBirthDate string   `json:"population_birth_date,omitempty"`
	Warnings            []string `json:"warnings"`
	Synthetic           bool     `json:"synthetic,omitempty"`
}

// viewFor is a record as the user's role may see it: whole, or its identity part.
func (h *Handler) viewFor(u *ansinh.User, b *ansinh.Beneficiary) any {
	v := h.viewBeneficiary(b)
	if u.Role.Can(ansinh.ActViewPayment) {
		return v
	}
	return identityView{ID: v.ID, Name: v.Name, CCCD: v.CCCD, BirthDate: v.BirthDate, Sex: v.Sex, Commune: v.Commune,
		CommuneName: v.CommuneName, Residence: h.residence(b.Commune), Identity: v.Identity, IdentityNote: b.Identity.Note,
		PopulationName: b.Identity.PopulationName, PopulationBirthDate: b.Identity.PopulationBirthDate, Warnings: v.Warnings,
		Synthetic: v.Synthetic}
}

// withoutPayment blanks the payment side of a view, for the roles that may not see it
// (the pages also leave those rows out).
func withoutPayment(v beneficiaryView) beneficiaryView {
	v.Group, v.Amount, v.Eligible, v.Ineligible, v.Account = "", 0, true, nil, nil
	return v
}

// ImportBeneficiaries loads an uploaded list (multipart field "file"). A small list is
// imported while the request waits and answered with its report; a large one is
// stored and imported as a job: 202 {"id","status":"running"}, its progress and at the
// end its report at GET /api/v1/imports/{id}.
func (h *Handler) ImportBeneficiaries(c *fiber.Ctx) error {
	j, rep, err := h.importUpload(c)
	if err != nil {
		return err
	}
	if rep != nil {
		return c.JSON(importAnswer(rep))
	}
	if j.Status == ansinh.JobRunning {
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"id": j.ID, "status": j.Status, "progress": "/api/v1/imports/" + j.ID})
	}
	return c.JSON(jobAnswer(j, nil))
}

// importAnswer is an import's report as the API answers it.
func importAnswer(rep *ansinh.ImportReport) fiber.Map {
	return fiber.Map{"id": rep.ID, "status": ansinh.JobDone, "unit_set": rep.UnitSet, "inserted": rep.Inserted, "updated": rep.Updated,
		"unchanged": rep.Unchanged, "errors": rep.Errors, "error_count": rep.ErrorCount,
		"errors_csv": "/api/v1/imports/" + rep.ID + "/errors.csv"}
}

// jobAnswer is a job's progress: {"id","status","done","total","errors"}, with the
// report once it is done, or what was stored and why it stopped when it failed.
func jobAnswer(j *ansinh.Job, rep *ansinh.ImportReport) fiber.Map {
	out := fiber.Map{"id": j.ID, "status": j.Status, "done": j.Done, "total": j.Total, "errors": j.Errors, "file": j.File}
	switch {
	case rep != nil:
		out["report"] = importAnswer(rep)
	case j.Status == ansinh.JobFailed:
		out["message"] = j.Message
		out["stored"] = fiber.Map{"inserted": j.Inserted, "updated": j.Updated, "unchanged": j.Unchanged}
	}
	return out
}

// ImportProgress answers how far an import job got (the caller's own imports only).
func (h *Handler) ImportProgress(c *fiber.Ctx) error {
	j, rep, err := h.ownImport(c)
	if err != nil {
		return err
	}
	return c.JSON(jobAnswer(j, rep))
}

// ownImport loads the caller's import job and, once done, its report. A report of
// before the jobs is shown as a job that is done.
func (h *Handler) ownImport(c *fiber.Ctx) (*ansinh.Job, *ansinh.ImportReport, error) {
	u := currentUser(c)
	id := c.Params("id")
	j, err := h.store.Job(c.UserContext(), id)
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
		rep, err := h.store.ImportReport(c.UserContext(), id)
		if err != nil {
			return nil, nil, err
		}
		if rep.By != u.Username {
			return nil, nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
		}
		return &ansinh.Job{ID: rep.ID, Kind: ansinh.JobImportBeneficiaries, Status: ansinh.JobDone, File: rep.File, Errors: rep.ErrorCount},
			rep, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if j.By != u.Username || j.Kind != ansinh.JobImportBeneficiaries {
		return nil, nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	if j.Status != ansinh.JobDone {
		return j, nil, nil
	}
	rep, err := h.store.ImportReport(c.UserContext(), id)
	if err != nil {
		return nil, nil, err
	}
	return j, rep, nil
}

// SyncImportBytes is the largest list imported while the request waits (a few
// thousand rows, a few seconds); a larger one is answered at once and runs as a job.
const SyncImportBytes = 1 << 20

// syncImportWait bounds that wait (another job may be running first), well within
// the request's time-out: past it the answer is the job's, as for a large list.
const syncImportWait = 20 * time.Second

// importUpload checks the uploaded file, stores it as an import job and starts it. A
// small file's job is waited for: its report comes back (nil while it still runs).
func (h *Handler) importUpload(c *fiber.Ctx) (*ansinh.Job, *ansinh.ImportReport, error) {
	u := currentUser(c)
	if !u.Role.Can(ansinh.ActImport) {
		return nil, nil, ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	set, err := importer.CheckUnitSet(h.sets, strings.TrimSpace(c.FormValue("unit_set")))
	if err != nil {
		return nil, nil, err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, nil, ansinh.FieldError("file", ansinh.MsgFileMissing)
	}
	if fh.Size > MaxImportBytes {
		return nil, nil, &ansinh.Error{Code: ansinh.ETOOLARGE, Message: ansinh.MsgFileTooLarge, Fields: map[string]string{"file": ansinh.MsgFileTooLarge}}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, nil, ansinh.FieldError("file", ansinh.MsgFileUnreadable)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxImportBytes+1))
	if err != nil || len(data) > MaxImportBytes {
		return nil, nil, ansinh.FieldError("file", ansinh.MsgFileUnreadable)
	}
	name := utils.CopyString(fh.Filename)
	if len([]rune(name)) > 200 {
		name = string([]rune(name)[:200])
	}
	// A file that cannot be imported is refused now: a small one read whole, a large
	// one by its header (its job reads it whole before it stores anything, and fails
	// with the same message), so that the answer comes at once.
	if err := importer.Check(bytes.NewReader(data), int64(len(data)), name, len(data) <= SyncImportBytes); err != nil {
		return nil, nil, err
	}
	j, finished, err := h.jobs.SubmitImport(c.UserContext(), jobs.ImportRequest{Actor: u, IP: h.clientIP(c), File: name, UnitSet: set.ID, Data: data})
	if err != nil {
		return nil, nil, err
	}
	if len(data) > SyncImportBytes {
		return j, nil, nil
	}
	wait := time.NewTimer(syncImportWait)
	defer wait.Stop()
	select {
	case <-finished:
	case <-wait.C:
		return j, nil, nil
	case <-c.UserContext().Done():
		return j, nil, nil
	}
	if j, err = h.store.Job(c.UserContext(), j.ID); err != nil {
		return nil, nil, err
	}
	if j.Status != ansinh.JobDone {
		return j, nil, nil
	}
	rep, err := h.store.ImportReport(c.UserContext(), j.ID)
	if err != nil {
		return nil, nil, err
	}
	return j, rep, nil
}

// ImportErrorsCSV downloads an import's error table.
func (h *Handler) ImportErrorsCSV(c *fiber.Ctx) error {
	rep, err := h.store.ImportReport(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if rep.By != currentUser(c).Username {
		return ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	var buf bytes.Buffer
	w, _ := sheet.NewCSVWriter(&buf)
	_ = w.Write("Dòng", "Cột", "Lỗi")
	write := func(errs []ansinh.RowError) {
		for _, e := range errs {
			_ = w.Write(strconv.Itoa(e.Row), e.Column, e.Message)
		}
	}
	if rep.ErrorPages == 0 { // a report of before the pages: its errors are all in it
		write(rep.Errors)
	}
	for page := range rep.ErrorPages {
		errs, err := h.store.ImportErrors(c.UserContext(), rep.ID, page)
		if err != nil {
			return err
		}
		write(errs)
	}
	if rep.ErrorPages > 0 && rep.ErrorCount > importer.MaxStoredErrors {
		_ = w.Write("", "", ansinh.MsgErrorsNotListed(rep.ErrorCount-importer.MaxStoredErrors))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="loi-nhap-danh-sach.csv"`)
	return c.Send(buf.Bytes())
}

// ImportTemplate downloads an empty list with the expected columns.
func (h *Handler) ImportTemplate(c *fiber.Ctx) error {
	b, err := importer.Template()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="mau-danh-sach-doi-tuong.xlsx"`)
	return c.Send(b)
}

// scopeCommunes returns the communes of the requested unit (default: the caller's),
// refusing a unit outside the caller's scope.
func (h *Handler) scopeCommunes(c *fiber.Ctx) ([]string, error) {
	u := currentUser(c)
	unit := h.unitParam(c)
	if _, ok := h.units.Get(unit); !ok {
		return nil, ansinh.FieldError("unit", ansinh.MsgUnknownUnit)
	}
	if !u.Sees(h.units, unit) {
		return nil, ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgUnitOutOfScope)
	}
	return h.units.Leaves(unit), nil
}

// unitParam is ?unit=, the caller's unit when absent.
func (h *Handler) unitParam(c *fiber.Ctx) string {
	if unit := strings.TrimSpace(c.Query("unit")); unit != "" {
		return unit
	}
	return currentUser(c).Unit
}

// searchQuery reads ?unit=&q=&page=&identity= into a store query: q is a whole CCCD
// when it is 11 or 12 digits, otherwise part of a name.
func (h *Handler) searchQuery(c *fiber.Ctx) (ansinh.BeneficiaryQuery, int, error) {
	communes, err := h.scopeCommunes(c)
	if err != nil {
		return ansinh.BeneficiaryQuery{}, 0, err
	}
	q := ansinh.BeneficiaryQuery{Communes: communes, Limit: pageSize}
	text := strings.TrimSpace(c.Query("q"))
	if len([]rune(text)) > 100 {
		return q, 0, ansinh.FieldError("q", ansinh.MsgSearchTooLong)
	}
	if cccd, msg := ansinh.NormalizeCCCD(text); msg == "" {
		q.CCCD = cccd
	} else {
		q.Name = ansinh.NameKey(text)
	}
	switch c.Query("unit_choice") {
	case "":
	case "pending":
		q.Waiting = true
	default:
		return q, 0, ansinh.FieldError("unit_choice", ansinh.MsgUnitChoice)
	}
	switch st := c.Query("identity"); st {
	case "", ansinh.IdentityUnchecked, ansinh.IdentityMatched, ansinh.IdentityMismatch:
		q.Identity = st
	default:
		return q, 0, ansinh.FieldError("identity", ansinh.MsgIdentityState)
	}
	page := 1
	if p := c.Query("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			return q, 0, ansinh.FieldError("page", ansinh.MsgPage)
		}
		page = n
	}
	q.Skip = int64(page-1) * pageSize
	return q, page, nil
}

// ListBeneficiaries searches the caller's scope.
func (h *Handler) ListBeneficiaries(c *fiber.Ctx) error {
	q, page, err := h.searchQuery(c)
	if err != nil {
		return err
	}
	list, total, err := h.store.Beneficiaries(c.UserContext(), q)
	if err != nil {
		return err
	}
	u := currentUser(c)
	items := make([]any, len(list))
	for i, b := range list {
		items[i] = h.viewFor(u, b)
	}
	return c.JSON(fiber.Map{"items": items, "total": total, "page": page, "page_size": pageSize})
}

// beneficiaryPage is one page of a search, as lists show it to the caller.
func (h *Handler) beneficiaryPage(c *fiber.Ctx, q ansinh.BeneficiaryQuery) ([]beneficiaryView, int64, error) {
	list, total, err := h.store.Beneficiaries(c.UserContext(), q)
	if err != nil {
		return nil, 0, err
	}
	payment := currentUser(c).Role.Can(ansinh.ActViewPayment)
	items := make([]beneficiaryView, len(list))
	for i, b := range list {
		if items[i] = h.viewBeneficiary(b); !payment {
			items[i] = withoutPayment(items[i])
		}
	}
	return items, total, nil
}

// scopedBeneficiary loads a record the caller may see; others are not found, so that
// nobody learns who is a beneficiary elsewhere.
func (h *Handler) scopedBeneficiary(c *fiber.Ctx, reveal bool) (*ansinh.Beneficiary, error) {
	id := c.Params("id")
	var b *ansinh.Beneficiary
	var err error
	if reveal {
		b, err = h.store.RevealBeneficiary(c.UserContext(), id)
	} else {
		b, err = h.store.Beneficiary(c.UserContext(), id)
	}
	if err != nil {
		return nil, err
	}
	if !b.Within(h.units, currentUser(c).Unit) { // a waiting person: any candidate's officers
		return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	return b, nil
}

// GetBeneficiary returns one record, masked.
func (h *Handler) GetBeneficiary(c *fiber.Ctx) error {
	b, err := h.scopedBeneficiary(c, false)
	if err != nil {
		return err
	}
	return c.JSON(h.viewFor(currentUser(c), b))
}

// RevealCCCD returns the record with its whole CCCD (no account number), and audits
// it: what the police check needs to look the person up.
func (h *Handler) RevealCCCD(c *fiber.Ctx) error {
	b, err := h.revealCCCD(c)
	if err != nil {
		return err
	}
	v := h.viewFor(currentUser(c), b)
	switch v := v.(type) {
	case beneficiaryView:
		v.CCCD = b.CCCD
		return c.JSON(v)
	case identityView:
		v.CCCD = b.CCCD
		return c.JSON(v)
	}
	return nil
}

func (h *Handler) revealCCCD(c *fiber.Ctx) (*ansinh.Beneficiary, error) {
	if !currentUser(c).Role.Can(ansinh.ActRevealCCCD) {
		return nil, ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	b, err := h.scopedBeneficiary(c, true)
	if err != nil {
		return nil, err
	}
	if b.Account != nil {
		b.Account.Number = "" // not asked for, not shown
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionRevealCCCD, Target: "beneficiary:" + b.ID, Unit: b.Commune}); err != nil {
		return nil, err
	}
	return b, nil
}

// RevealBeneficiary returns the full CCCD and account number, and audits it.
func (h *Handler) RevealBeneficiary(c *fiber.Ctx) error {
	b, err := h.reveal(c)
	if err != nil {
		return err
	}
	v := h.viewBeneficiary(b)
	v.CCCD = b.CCCD
	return c.JSON(v)
}

// reveal loads the record with its numbers decrypted, for the roles that may.
func (h *Handler) reveal(c *fiber.Ctx) (*ansinh.Beneficiary, error) {
	if !currentUser(c).Role.Can(ansinh.ActReveal) {
		return nil, ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	b, err := h.scopedBeneficiary(c, true)
	if err != nil {
		return nil, err
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionReveal, Target: "beneficiary:" + b.ID, Unit: b.Commune}); err != nil {
		return nil, err
	}
	return b, nil
}

type identityRequest struct {
	State string `json:"state"`
	Note  string `json:"note"`
}

// SetIdentity records the police liaison's check against the population database.
func (h *Handler) SetIdentity(c *fiber.Ctx) error {
	var req identityRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	b, err := h.setIdentity(c, req.State, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(h.viewFor(currentUser(c), b))
}

func (h *Handler) setIdentity(c *fiber.Ctx, state, note string) (*ansinh.Beneficiary, error) {
	u := currentUser(c)
	if !u.Role.Can(ansinh.ActIdentity) {
		return nil, ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	check, err := ansinh.NewIdentityCheck(state, note, u.Username, h.now())
	if err != nil {
		return nil, err
	}
	b, err := h.scopedBeneficiary(c, false)
	if err != nil {
		return nil, err
	}
	if err := h.store.SetIdentity(c.UserContext(), b.ID, check); err != nil {
		return nil, err
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionIdentityCheck, Target: "beneficiary:" + b.ID, Unit: b.Commune,
		Detail: map[string]any{"state": check.State, "previous": b.Identity.State}}); err != nil {
		return nil, err
	}
	b.Identity = check
	return b, nil
}

type eligibilityRequest struct {
	Eligible *bool  `json:"eligible"`
	Reason   string `json:"reason"`
	Note     string `json:"note"`
}

// SetEligibility marks a person (not) eligible to open an account; reversible.
func (h *Handler) SetEligibility(c *fiber.Ctx) error {
	var req eligibilityRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Eligible == nil {
		return ansinh.FieldError("eligible", ansinh.MsgRequired)
	}
	b, err := h.setEligibility(c, *req.Eligible, req.Reason, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(h.viewBeneficiary(b))
}

func (h *Handler) setEligibility(c *fiber.Ctx, eligible bool, reason, note string) (*ansinh.Beneficiary, error) {
	u := currentUser(c)
	if !managesBeneficiaries(u) {
		return nil, ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	why, err := ansinh.NewIneligibility(eligible, reason, note, u.Username, h.now())
	if err != nil {
		return nil, err
	}
	b, err := h.scopedBeneficiary(c, false)
	if err != nil {
		return nil, err
	}
	if err := h.store.SetEligibility(c.UserContext(), b.ID, eligible, why, h.now()); err != nil {
		return nil, err
	}
	detail := map[string]any{"eligible": eligible, "previous": b.Eligible}
	if why != nil {
		detail["reason"] = why.Reason
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionEligibility, Target: "beneficiary:" + b.ID, Unit: b.Commune, Detail: detail}); err != nil {
		return nil, err
	}
	b.Eligible, b.Ineligible = eligible, why
	return b, nil
}

// ExportBeneficiaries downloads the caller's list as CSV, numbers masked, every cell
// safe to open in a spreadsheet. It is audited before the first row leaves, and
// streamed: rows are written as the store reads them.
func (h *Handler) ExportBeneficiaries(c *fiber.Ctx) error {
	communes, err := h.scopeCommunes(c)
	if err != nil {
		return err
	}
	counts, err := h.store.CountIn(c.UserContext(), communes)
	if err != nil {
		return err
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionExport, Unit: h.unitParam(c),
		Detail: map[string]any{"rows": counts.Beneficiaries, "format": "csv"}}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="danh-sach-doi-tuong-%s.csv"`, h.now().Format("20060102")))
	h.stream(c, func(ctx context.Context, out io.Writer) error {
		w, err := sheet.NewCSVWriter(out)
		if err != nil {
			return err
		}
		if err := w.Write("Họ và tên", "Số CCCD", "Ngày sinh", "Giới tính", "Mã xã", "Xã", "Nhóm", "Mức hưởng", "Đủ điều kiện mở TK", "Tài khoản"); err != nil {
			return err
		}
		if err := flushed(w, out); err != nil {
			return err
		}
		err = h.store.EachBeneficiary(ctx, communes, func(b *ansinh.Beneficiary) error {
			v := h.viewBeneficiary(b)
			account, eligible := "", "có"
			if v.Account != nil {
				account = v.Account.Bank + " " + v.Account.Number
			}
			if !b.Eligible {
				eligible = "không"
			}
			return w.Write(b.Name, v.CCCD, b.BirthDate, b.Sex, b.Commune, v.CommuneName, string(b.Group),
				strconv.FormatInt(b.Amount, 10), eligible, account)
		})
		if err != nil {
			_ = w.Write(ansinh.MsgExportCut)
		}
		if ferr := w.Flush(); err == nil {
			err = ferr
		}
		return err
	})
	return nil
}
