package ansinh

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"ansinh/fold"
)

// The columns of the beneficiary list (SPEC §5), each with the header spellings it
// answers to, compared after fold.Key (case, accents, spaces and punctuation ignored).
var importColumns = []struct {
	name     string
	label    string // the header of the downloadable template
	aliases  []string
	required bool
	help     string
}{
	{"ho_ten", "Họ và tên", []string{"ho_va_ten", "ho_ten", "hoten", "full_name", "ten_doi_tuong"}, true, "Bắt buộc. Họ tên đầy đủ, có dấu."},
	{"cccd", "Số CCCD", []string{"cccd", "so_cccd", "so_dinh_danh", "so_dinh_danh_ca_nhan", "cccd_cmnd", "so_cccd_cmnd", "id_number"}, true, "Bắt buộc. 12 chữ số; nhập dạng văn bản để giữ số 0 đầu."},
	{"ngay_sinh", "Ngày sinh", []string{"ngay_sinh", "ngay_thang_nam_sinh", "nam_sinh", "birth_date"}, true, "Bắt buộc. ngày/tháng/năm (05/03/1950), hoặc chỉ năm sinh."},
	{"gioi_tinh", "Giới tính", []string{"gioi_tinh", "sex"}, false, "Nam hoặc Nữ."},
	{"ma_xa", "Mã xã", []string{"ma_xa", "ma_don_vi", "ma_xa_phuong", "commune_code"}, true, "Bắt buộc. Mã xã, phường, thị trấn (5 chữ số) theo danh mục của Tổng cục Thống kê."},
	{"nhom", "Nhóm đối tượng", []string{"nhom", "nhom_doi_tuong", "chuong_trinh", "che_do", "group", "program"}, true, "Bắt buộc. NCC (người có công), BTXH (bảo trợ xã hội) hoặc HTXH (trợ cấp hưu trí xã hội)."},
	{"nhom_con", "Loại đối tượng", []string{"nhom_con", "loai_doi_tuong", "sub_group"}, false, "Không bắt buộc. Ví dụ: người cao tuổi, người khuyết tật."},
	{"muc_huong", "Mức hưởng", []string{"muc_huong", "so_tien", "muc_tro_cap", "amount"}, false, "Số tiền hằng tháng, bằng đồng."},
	{"ma_ngan_hang", "Ngân hàng", []string{"ma_ngan_hang", "ngan_hang", "bank", "bank_bin"}, false, "Nếu đã nhận qua tài khoản: tên ngân hàng (Agribank) hoặc mã BIN."},
	{"so_tai_khoan", "Số tài khoản", []string{"so_tai_khoan", "account_number"}, false, "Nếu đã nhận qua tài khoản: số tài khoản."},
	{"chu_tai_khoan", "Chủ tài khoản", []string{"chu_tai_khoan", "ten_chu_tai_khoan", "account_name"}, false, "Nếu đã nhận qua tài khoản: tên chủ tài khoản."},
	{"tk_vneid", "TK VNeID", []string{"tk_vneid", "tai_khoan_vneid", "lien_ket_vneid", "vneid", "vneid_linked"}, false, "Ghi \"có\" nếu tài khoản trên là tài khoản người hưởng đã liên kết trên ứng dụng VNeID để nhận an sinh xã hội."},
	{"so_dien_thoai", "Số điện thoại", []string{"so_dien_thoai", "sdt", "so_dt", "dien_thoai", "phone", "phone_number"}, false, "Không bắt buộc. Số di động của người hưởng, để báo kết quả (nếu người đó đồng ý)."},
	{"du_dieu_kien_mo_tk", "Đủ điều kiện mở tài khoản", []string{"du_dieu_kien_mo_tk", "du_dieu_kien_mo_tai_khoan", "eligible"}, false, "Ghi \"không\" nếu người này không đủ điều kiện mở tài khoản."},
}

// ImportColumn describes one column of the template.
type ImportColumn struct {
	Name, Label, Help string
	Required          bool
}

// ImportColumns are the columns in template order.
func ImportColumns() []ImportColumn {
	out := make([]ImportColumn, len(importColumns))
	for i, c := range importColumns {
		out[i] = ImportColumn{Name: c.name, Label: c.label, Help: c.help, Required: c.required}
	}
	return out
}

// ImportHeader maps a file's header row to the canonical columns.
type ImportHeader struct {
	index map[string]int    // canonical name → cell index
	shown map[string]string // canonical name → the header as the file writes it
}

// MapImportHeader reads the header row. It fails with a Vietnamese message naming the
// required columns the file lacks.
func MapImportHeader(cells []string) (*ImportHeader, error) {
	alias := map[string]string{}
	for _, c := range importColumns {
		alias[c.name] = c.name
		for _, a := range c.aliases {
			alias[a] = c.name
		}
	}
	h := &ImportHeader{index: map[string]int{}, shown: map[string]string{}}
	for i, cell := range cells {
		if name, ok := alias[fold.Key(cell)]; ok {
			if _, dup := h.index[name]; !dup {
				h.index[name], h.shown[name] = i, strings.TrimSpace(cell)
			}
		}
	}
	var missing []string
	for _, c := range importColumns {
		if _, ok := h.index[c.name]; c.required && !ok {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return nil, Errorf(EINVALID, MsgMissingColumns, strings.Join(missing, ", "))
	}
	return h, nil
}

// Has reports whether the file has the column.
func (h *ImportHeader) Has(name string) bool { _, ok := h.index[name]; return ok }

// Shown is the column's header as the file writes it.
func (h *ImportHeader) Shown(name string) string {
	if s, ok := h.shown[name]; ok {
		return s
	}
	return name
}

func (h *ImportHeader) cell(cells []string, name string) string {
	i, ok := h.index[name]
	if !ok || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[i])
}

// RowError is one problem of one row: row as the file shows it (header = 1), column
// as the file's header writes it.
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// ImportRow is a parsed row ready to store.
type ImportRow struct {
	Row           int
	Beneficiary   Beneficiary
	EligibleGiven bool // the file says whether the person may open an account
	// Job is the import job storing the row: the record keeps it (with what the job did
	// to it), so that a job run again after a crash knows which rows it stored itself.
	Job string
}

// ParseImportRow turns a row into a beneficiary, or into every problem it has.
func (h *ImportHeader) ParseImportRow(cells []string, row int, units *Units, today time.Time) (*ImportRow, []RowError) {
	return h.parseImportRow(cells, row, units, func(string) string { return MsgCommuneUnknown }, today)
}

// ParseImportRowIn parses a row whose commune codes are those of the unit set from, and
// moves the person to the current set's communes through the crosswalks: into one
// commune, or, for a split old commune, into none yet with the candidates an officer
// chooses from. A code the set does not have is an error that names the set.
func (h *ImportHeader) ParseImportRowIn(cells []string, row int, sets *UnitSets, from string, today time.Time) (*ImportRow, []RowError) {
	set, ok := sets.Get(from)
	if !ok {
		return nil, []RowError{{Row: row, Column: h.Shown("ma_xa"), Message: MsgUnitSetUnknown}}
	}
	r, errs := h.parseImportRow(cells, row, set.Units, func(code string) string { return communeNotInSet(sets, set, code) }, today)
	if len(errs) > 0 {
		return nil, errs
	}
	cur := sets.Current()
	if set.ID == cur.ID {
		return r, nil
	}
	b := &r.Beneficiary
	m, err := sets.Map(set.ID, cur.ID, b.Commune)
	if err != nil || len(m.Communes) == 0 {
		return nil, []RowError{{Row: row, Column: h.Shown("ma_xa"), Message: fmt.Sprintf(MsgCommuneNoSuccessor, b.Commune, set.Name)}}
	}
	b.OldCommune, b.OldUnitSet = b.Commune, set.ID
	if m.Whole() {
		b.Commune = m.Communes[0]
	} else {
		b.Commune, b.Candidates = "", m.Communes
	}
	return r, nil
}

// communeNotInSet says that the set has no commune with the code, and how to fix it:
// only where the importer could have chosen another set is the set worth naming.
func communeNotInSet(sets *UnitSets, set *UnitSet, code string) string {
	if len(sets.List()) < 2 {
		return MsgCommuneUnknown
	}
	if len(code) > 10 {
		code = code[:10] + "…"
	}
	msg := fmt.Sprintf(MsgCommuneNotInSet, code, set.Name, set.ID)
	older := false
	for _, s := range sets.List() {
		older = older || (s.ID != set.ID && sets.Leads(s.ID, set.ID))
	}
	switch {
	case older && !set.From.IsZero():
		msg += fmt.Sprintf(MsgCommuneNotInSetOlder, set.From.Format("02/01/2006"))
	case set != sets.Current() || older:
		msg += MsgCommuneNotInSetOther
	}
	return msg
}

func (h *ImportHeader) parseImportRow(cells []string, row int, units *Units, unknown func(code string) string, today time.Time) (*ImportRow, []RowError) {
	var errs []RowError
	bad := func(col, msg string) { errs = append(errs, RowError{Row: row, Column: h.Shown(col), Message: msg}) }
	r := &ImportRow{Row: row}
	b := &r.Beneficiary
	b.Eligible = true
	b.Identity.State = IdentityUnchecked

	b.Name = NormalizeName(h.cell(cells, "ho_ten"))
	switch {
	case b.Name == "" || !strings.ContainsFunc(b.Name, unicode.IsLetter):
		bad("ho_ten", MsgNameRequired)
	case len([]rune(b.Name)) > 100:
		bad("ho_ten", MsgNameTooLong)
	}
	var msg string
	if b.CCCD, msg = NormalizeCCCD(h.cell(cells, "cccd")); msg != "" {
		bad("cccd", msg)
	}
	if b.BirthDate, msg = ParseBirthDate(h.cell(cells, "ngay_sinh"), today); msg != "" {
		bad("ngay_sinh", msg)
	}
	if b.Sex, msg = ParseSex(h.cell(cells, "gioi_tinh")); msg != "" {
		bad("gioi_tinh", msg)
	}
	b.Commune = digitsOnly(h.cell(cells, "ma_xa"))
	if len(b.Commune) > 0 && len(b.Commune) < 5 && allDigits(b.Commune) {
		b.Commune = strings.Repeat("0", 5-len(b.Commune)) + b.Commune // "0xxxx" codes lose their zero too
	}
	if u, ok := units.Get(b.Commune); b.Commune == "" {
		bad("ma_xa", MsgCommuneRequired)
	} else if !ok || !u.Leaf() || u.Parent == "" {
		bad("ma_xa", unknown(b.Commune))
	}
	if b.Group, msg = ParseGroup(h.cell(cells, "nhom")); msg != "" {
		bad("nhom", msg)
	}
	b.SubGroup = NormalizeName(h.cell(cells, "nhom_con"))
	if b.Amount, msg = ParseAmount(h.cell(cells, "muc_huong")); msg != "" {
		bad("muc_huong", msg)
	}
	if cell := h.cell(cells, "so_dien_thoai"); cell != "" {
		if b.Phone = InternationalPhone(cell); b.Phone == "" {
			bad("so_dien_thoai", MsgPhoneInvalid)
		}
	}
	yes, given, msg := ParseYesNo(h.cell(cells, "du_dieu_kien_mo_tk"))
	if msg != "" {
		bad("du_dieu_kien_mo_tk", msg)
	}
	if given {
		r.EligibleGiven, b.Eligible = true, yes
	}

	bankCell, numCell, holderCell := h.cell(cells, "ma_ngan_hang"), h.cell(cells, "so_tai_khoan"), h.cell(cells, "chu_tai_khoan")
	if bankCell != "" || numCell != "" || holderCell != "" {
		a := &Account{Source: SourceImport, HolderName: HolderName(holderCell)}
		if bankCell == "" {
			bad("ma_ngan_hang", MsgAccountPartial)
		} else if bank, ok := FindBank(bankCell); !ok {
			bad("ma_ngan_hang", MsgBankUnknown)
		} else {
			a.BankBIN = bank.BIN
		}
		if numCell == "" {
			bad("so_tai_khoan", MsgAccountPartial)
		} else if a.Number, msg = NormalizeAccountNumber(numCell); msg != "" {
			bad("so_tai_khoan", msg)
		}
		if a.HolderName == "" {
			bad("chu_tai_khoan", MsgAccountPartial)
		}
		a.Proxy = a.HolderName != "" && a.HolderName != HolderName(b.Name)
		if len(a.Number) >= 4 {
			a.Last4 = a.Number[len(a.Number)-4:]
		}
		linked, _, msg := ParseYesNo(h.cell(cells, "tk_vneid"))
		if msg != "" {
			bad("tk_vneid", msg)
		}
		a.VNeID = linked
		b.Account = a
	} else if linked, _, msg := ParseYesNo(h.cell(cells, "tk_vneid")); msg != "" {
		bad("tk_vneid", msg)
	} else if linked {
		bad("tk_vneid", MsgVNeIDWithoutAccount) // "có" with no account to say it of
	}
	if len(errs) > 0 {
		return nil, errs
	}
	b.CCCDLast4 = b.CCCD[8:]
	b.Warnings = CCCDWarnings(b.CCCD, b.BirthDate, b.Sex)
	return r, nil
}

// RepeatedCCCD is the error for a CCCD already seen earlier in the same file.
func (h *ImportHeader) RepeatedCCCD(row, first int) RowError {
	return RowError{Row: row, Column: h.Shown("cccd"), Message: fmt.Sprintf(MsgCCCDRepeated, first)}
}

// ImportedRow is what an import needs to know of a stored record.
type ImportedRow struct {
	Hash       string // RowHash of the row it was last imported from
	Commune    string
	Candidates []string // while the commune waits for a choice
	Job        string   // the import job that last wrote it and how: "id:i", "id:u" or "id:r"
}

// Within reports whether the stored record belongs to unit (see Beneficiary.Within).
func (r ImportedRow) Within(units *Units, unit string) bool {
	b := Beneficiary{Commune: r.Commune, Candidates: r.Candidates}
	return b.Within(units, unit)
}

// HeldElsewhere is the error for a CCCD whose record belongs to a commune outside the
// importer's unit: only someone whose scope covers both may move it.
func (h *ImportHeader) HeldElsewhere(row int) RowError {
	return RowError{Row: row, Column: h.Shown("cccd"), Message: MsgHeldElsewhere}
}

// OutOfScope is the error for a row of a commune outside the importer's unit.
func (h *ImportHeader) OutOfScope(row int) RowError {
	return RowError{Row: row, Column: h.Shown("ma_xa"), Message: MsgCommuneOutside}
}

// ImportReport is the outcome of one import, kept so that its error table can be
// downloaded later.
type ImportReport struct {
	ID        string     `json:"id"`
	By        string     `json:"by"`
	Unit      string     `json:"unit"`
	File      string     `json:"file"`
	UnitSet   string     `json:"unit_set"` // the set the file's codes are in
	At        time.Time  `json:"at"`
	Inserted  int        `json:"inserted"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Errors    []RowError `json:"errors"` // the first few hundred
	// ErrorCount is every row error of the file; ErrorPages the pages of them kept
	// apart (ImportErrors), 0 for a report of before they were.
	ErrorCount int `json:"error_count"`
	ErrorPages int `json:"-"`
}
