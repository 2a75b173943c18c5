package ansinh

import (
	"fmt"
	"strings"
	"time"

	"ansinh/fold"
)

// The police check as the police do it: a commune's list goes to the commune police,
// who look every CCCD up in the population database and send the list back with a
// result on each row. The list carries what the check needs and nothing else (no
// account, no amount): name, birth date, sex, CCCD, residence.

// IdentityListColumns are the headers of the list sent to the police, in order; the
// last four are theirs to fill in.
var IdentityListColumns = []string{"STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Nơi cư trú", "Mã xã",
	"Kết quả đối chiếu", "Họ tên theo CSDL dân cư", "Ngày sinh theo CSDL dân cư", "Ghi chú"}

// The results the police write, as they would write them (accents and case ignored).
var identityResults = map[string]string{
	"khop": IdentityMatched, "trung_khop": IdentityMatched, "dung": IdentityMatched,
	"khong_khop": IdentityMismatch, "sai": IdentityMismatch, "sai_lech": IdentityMismatch,
	"khong_tim_thay": IdentityNotFound, "khong_co": IdentityNotFound, "khong_co_trong_csdl": IdentityNotFound,
}

// IdentityStateLabel is a check state as a person reads it.
func IdentityStateLabel(state string) string {
	switch state {
	case IdentityMatched:
		return "Khớp"
	case IdentityMismatch:
		return "Không khớp"
	case IdentityNotFound:
		return "Không tìm thấy trong CSDL dân cư"
	}
	return "Chưa đối chiếu"
}

// IdentityHeader maps a returned list's header row.
type IdentityHeader struct{ index, shown map[string]int }

var identityColumns = map[string][]string{
	"cccd":       {"so_cccd", "cccd", "so_dinh_danh", "so_dinh_danh_ca_nhan", "cccd_cmnd"},
	"result":     {"ket_qua_doi_chieu", "ket_qua", "ket_qua_kiem_tra"},
	"name":       {"ho_ten_theo_csdl_dan_cu", "ho_ten_csdl", "ho_ten_dung"},
	"birth_date": {"ngay_sinh_theo_csdl_dan_cu", "ngay_sinh_csdl", "ngay_sinh_dung"},
	"note":       {"ghi_chu"},
}

// MapIdentityHeader reads the header row of a returned list: it must have the CCCD
// and the result.
func MapIdentityHeader(cells []string) (*IdentityHeader, error) {
	alias := map[string]string{}
	for name, as := range identityColumns {
		for _, a := range as {
			alias[a] = name
		}
	}
	h := &IdentityHeader{index: map[string]int{}}
	for i, cell := range cells {
		if name, ok := alias[fold.Key(cell)]; ok {
			if _, dup := h.index[name]; !dup {
				h.index[name] = i
			}
		}
	}
	var missing []string
	for _, c := range []struct{ name, label string }{{"cccd", "Số CCCD"}, {"result", "Kết quả đối chiếu"}} {
		if _, ok := h.index[c.name]; !ok {
			missing = append(missing, c.label)
		}
	}
	if len(missing) > 0 {
		return nil, Errorf(EINVALID, MsgMissingColumns, strings.Join(missing, ", "))
	}
	return h, nil
}

func (h *IdentityHeader) cell(cells []string, name string) string {
	i, ok := h.index[name]
	if !ok || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[i])
}

// IdentityResult is one row of a returned list.
type IdentityResult struct {
	Row                 int
	CCCD                string
	State               string // "" when the police left the row without a result
	PopulationName      string
	PopulationBirthDate string
	Note                string
}

// ParseIdentityResult reads one row. A row with no result is returned with State
// empty (not yet checked: skipped, not an error).
func (h *IdentityHeader) ParseIdentityResult(cells []string, row int, today time.Time) (*IdentityResult, *RowError) {
	bad := func(column, msg string) (*IdentityResult, *RowError) {
		return nil, &RowError{Row: row, Column: column, Message: msg}
	}
	cccd, msg := NormalizeCCCD(h.cell(cells, "cccd"))
	if msg != "" {
		return bad("Số CCCD", msg)
	}
	r := &IdentityResult{Row: row, CCCD: cccd, Note: NormalizeName(h.cell(cells, "note")),
		PopulationName: NormalizeName(h.cell(cells, "name"))}
	if s := h.cell(cells, "birth_date"); s != "" {
		d, msg := ParseBirthDate(s, today)
		if msg != "" {
			return bad("Ngày sinh theo CSDL dân cư", msg)
		}
		r.PopulationBirthDate = d
	}
	result := h.cell(cells, "result")
	if result == "" {
		return r, nil
	}
	state, ok := identityResults[fold.Key(result)]
	if !ok {
		return bad("Kết quả đối chiếu", MsgIdentityResult)
	}
	r.State = state
	switch {
	case len([]rune(r.Note)) > 500 || len([]rune(r.PopulationName)) > 100:
		return bad("Ghi chú", MsgNoteTooLong)
	case state == IdentityMismatch && r.PopulationName == "" && r.PopulationBirthDate == "" && r.Note == "":
		return bad("Kết quả đối chiếu", MsgIdentityMismatchWhat)
	case state != IdentityMismatch && (r.PopulationName != "" || r.PopulationBirthDate != ""):
		return bad("Kết quả đối chiếu", MsgIdentityMatchDiffers)
	}
	return r, nil
}

// Check is the result as the record keeps it: the police's note, with what the
// population database says written out for a reader of the record.
func (r *IdentityResult) Check(by string, now time.Time) IdentityCheck {
	var parts []string
	if r.PopulationName != "" {
		parts = append(parts, fmt.Sprintf(MsgPopulationName, r.PopulationName))
	}
	if r.PopulationBirthDate != "" {
		parts = append(parts, fmt.Sprintf(MsgPopulationBirth, DisplayDate(r.PopulationBirthDate)))
	}
	if r.Note != "" {
		parts = append(parts, r.Note)
	}
	return IdentityCheck{State: r.State, Note: strings.Join(parts, "; "), By: by, At: now,
		PopulationName: r.PopulationName, PopulationBirthDate: r.PopulationBirthDate}
}

// IdentityImport is what a returned list did.
type IdentityImport struct {
	Matched   int        `json:"matched"`
	Mismatch  int        `json:"mismatch"`
	NotFound  int        `json:"not_found"`
	Unchanged int        `json:"unchanged"` // the record already said so
	Blank     int        `json:"blank"`     // rows without a result
	Errors    []RowError `json:"errors"`
}
