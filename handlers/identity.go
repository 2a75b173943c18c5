package handlers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/xuri/excelize/v2"

	"ansinh"
	"ansinh/importer"
	"ansinh/sheet"
)

// The police check, the way the police work: an officer downloads a commune's list
// (name, birth date, sex, whole CCCD, residence: what the check needs, no account),
// the commune police look each person up in the population database and fill in the
// result, and the police liaison uploads the returned file. Every download and every
// result is audited.

// IdentityStore is what the police check needs beyond the registry.
type IdentityStore interface {
	IdentityPage(ctx context.Context, q ansinh.BeneficiaryQuery) ([]*ansinh.Beneficiary, error)
}

// residence is where the person lives, as the population database writes it: the
// commune and the units above it.
func (h *Handler) residence(code string) string {
	var names []string
	for u, ok := h.units.Get(code); ok; u, ok = h.units.Get(u.Parent) {
		names = append(names, u.Name)
		if u.Parent == "" {
			break
		}
	}
	return strings.Join(names, ", ")
}

// IdentityExport downloads the police-check list of one commune of the caller's scope
// (?unit=CODE&format=xlsx|csv, default xlsx): the commune police check their own
// commune, and one commune's list is small enough to build in memory.
func (h *Handler) IdentityExport(c *fiber.Ctx) error {
	format := c.Query("format", "xlsx")
	if format != "xlsx" && format != "csv" {
		return ansinh.FieldError("format", ansinh.MsgIdentityFormat)
	}
	communes, err := h.scopeCommunes(c)
	if err != nil {
		return err
	}
	unit := h.unitParam(c)
	if u, ok := h.units.Get(unit); !ok || !u.Leaf() {
		return ansinh.FieldError("unit", ansinh.MsgIdentityCommune)
	}
	var rows [][]string
	for skip := int64(0); ; skip += 1000 {
		list, err := h.store.IdentityPage(c.UserContext(), ansinh.BeneficiaryQuery{Communes: communes, Skip: skip, Limit: 1000})
		if err != nil {
			return err
		}
		for _, b := range list {
			rows = append(rows, []string{strconv.Itoa(len(rows) + 1), b.Name, ansinh.DisplayDate(b.BirthDate), b.Sex, b.CCCD,
				h.residence(b.Commune), b.Commune, "", "", "", ""})
		}
		if len(list) < 1000 {
			break
		}
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionIdentityList, Unit: unit,
		Detail: map[string]any{"rows": len(rows), "format": format}}); err != nil {
		return err
	}
	name := "doi-chieu-can-cuoc-" + unit + "-" + h.now().In(ansinh.Vietnam).Format("20060102")
	c.Set(fiber.HeaderCacheControl, "no-store")
	if format == "csv" {
		var buf bytes.Buffer
		w, _ := sheet.NewCSVWriter(&buf)
		_ = w.Write(ansinh.IdentityListColumns...)
		for _, r := range rows {
			_ = w.Write(r...)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
		return c.Send(buf.Bytes())
	}
	f := excelize.NewFile()
	defer f.Close()
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": the CCCD keeps its leading 0
	_ = f.SetColStyle("Sheet1", "E", text)
	_ = f.SetColStyle("Sheet1", "J", text)
	for i, r := range append([][]string{ansinh.IdentityListColumns}, rows...) {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = sheet.EscapeFormula(v)
		}
		if err := f.SetSheetRow("Sheet1", "A"+strconv.Itoa(i+1), &cells); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.xlsx"`)
	return c.Send(buf.Bytes())
}

// IdentityResults is POST /api/v1/identity/results: the police's returned list
// (multipart field "file", CSV or XLSX).
func (h *Handler) IdentityResults(c *fiber.Ctx) error {
	res, err := h.identityResults(c)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// maxIdentityErrors bounds the rows reported as wrong (the file is bounded already).
const maxIdentityErrors = 10000

// identityResults reads the whole file first, and writes only when all of it could be
// read: a file that breaks half-way changes nothing. Rows with a problem come back in
// the report, the others are recorded (a row repeating what the record says changes
// nothing), each audited, and the file once more.
func (h *Handler) identityResults(c *fiber.Ctx) (*ansinh.IdentityImport, error) {
	u := currentUser(c)
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, ansinh.FieldError("file", ansinh.MsgFileMissing)
	}
	if fh.Size > MaxImportBytes {
		return nil, &ansinh.Error{Code: ansinh.ETOOLARGE, Message: ansinh.MsgFileTooLarge, Fields: map[string]string{"file": ansinh.MsgFileTooLarge}}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, ansinh.FieldError("file", ansinh.MsgFileUnreadable)
	}
	defer f.Close()
	file := utils.CopyString(fh.Filename)
	rd, err := sheet.Open(f, fh.Size, file)
	if err != nil {
		return nil, importer.FileError(err)
	}
	defer rd.Close()
	cells, _, err := rd.Next()
	if err != nil {
		return nil, importer.FileError(err)
	}
	header, err := ansinh.MapIdentityHeader(cells)
	if err != nil {
		return nil, err
	}
	out := &ansinh.IdentityImport{Errors: []ansinh.RowError{}}
	rowError := func(e ansinh.RowError) {
		if len(out.Errors) < maxIdentityErrors {
			out.Errors = append(out.Errors, e)
		}
	}
	today := h.now().In(ansinh.Vietnam)
	var results []*ansinh.IdentityResult
	seen := map[string]int{}
	for {
		cells, row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, importer.FileError(err)
		}
		r, rerr := header.ParseIdentityResult(cells, row, today)
		switch {
		case rerr != nil:
			rowError(*rerr)
		case r.State == "":
			out.Blank++
		case seen[r.CCCD] != 0:
			rowError(ansinh.RowError{Row: row, Column: "Số CCCD", Message: fmt.Sprintf(ansinh.MsgIdentityRepeated, seen[r.CCCD])})
		default:
			seen[r.CCCD] = row
			results = append(results, r)
		}
	}
	ctx := c.UserContext()
	for _, r := range results {
		b, err := h.store.Beneficiary(ctx, h.store.BeneficiaryID(r.CCCD))
		if ansinh.ErrorCode(err) == ansinh.ENOTFOUND || (err == nil && !b.Within(h.units, u.Unit)) {
			rowError(ansinh.RowError{Row: r.Row, Column: "Số CCCD", Message: ansinh.MsgIdentityNotListed})
			continue
		}
		if err != nil {
			return nil, err
		}
		check := r.Check(u.Username, h.now())
		if old := b.Identity; old.State == check.State && old.Note == check.Note && old.PopulationName == check.PopulationName &&
			old.PopulationBirthDate == check.PopulationBirthDate {
			out.Unchanged++
			continue
		}
		if err := h.store.SetIdentity(ctx, b.ID, check); err != nil {
			return nil, err
		}
		if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionIdentityCheck, Target: "beneficiary:" + b.ID, Unit: b.Commune,
			Detail: map[string]any{"state": check.State, "previous": b.Identity.State, "source": "file", "file": file, "row": r.Row}}); err != nil {
			return nil, err
		}
		switch check.State {
		case ansinh.IdentityMatched:
			out.Matched++
		case ansinh.IdentityMismatch:
			out.Mismatch++
		case ansinh.IdentityNotFound:
			out.NotFound++
		}
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionIdentityResults, Unit: u.Unit, Detail: map[string]any{
		"file": file, "matched": out.Matched, "mismatch": out.Mismatch, "not_found": out.NotFound, "unchanged": out.Unchanged,
		"blank": out.Blank, "errors": len(out.Errors)}}); err != nil {
		return nil, err
	}
	return out, nil
}

// PoliceCheckPage is the police check: download a unit's list, upload the results.
func (h *Handler) PoliceCheckPage(c *fiber.Ctx) error {
	return c.Render("police_check", h.policeCheckData(c))
}

func (h *Handler) policeCheckData(c *fiber.Ctx) fiber.Map {
	u := currentUser(c)
	var communes []*ansinh.Unit
	for _, code := range h.units.Leaves(u.Unit) {
		if unit, ok := h.units.Get(code); ok {
			communes = append(communes, unit)
		}
	}
	return fiber.Map{"Title": "Đối chiếu căn cước với công an", "User": u, "Communes": communes,
		"CanRecord": u.Role.Can(ansinh.ActIdentity)}
}

// IdentityResultsForm takes the returned list from the page and shows what it did.
func (h *Handler) IdentityResultsForm(c *fiber.Ctx) error {
	data := h.policeCheckData(c)
	res, err := h.identityResults(c)
	if err != nil {
		return h.renderPageError(c, "police_check", data, err)
	}
	data["Result"], data["Notice"] = res, ansinh.MsgIdentityImported
	return c.Render("police_check", data)
}
