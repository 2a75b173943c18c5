package ansinh

import (
	"strings"
	"time"
)

// A programme's monthly report goes up its own chain: since 1 March 2025 social
// assistance and the social pension to the Sở Y tế, people with meritorious service to
// the Sở Nội vụ (SPEC §1a). No current source fixes the deadlines, so the letter's
// days are the defaults and every value is a setting.

// Program is one programme's reporting chain and deadlines.
type Program struct {
	Group Group
	// Department receives the programme's reports; empty: the default body of the
	// unit set's root ("Sở Y tế thành phố Cần Thơ").
	Department string
	// LocalDay: the lowest reporting unit (the commune in a two-tier set, the district
	// in a three-tier one) reports before this day of the month; DepartmentDay: the
	// department reports up before this day.
	LocalDay      int
	DepartmentDay int
	// PaymentListDay: the payment list goes to the payment provider before this day
	// (0: no such deadline). Decree 176/2025 sets the 25th for the social pension.
	PaymentListDay int
	// CountedKinds are the kinds of account (AccountKinds) that count toward the
	// target; empty: DefaultCountedKinds.
	CountedKinds []string
}

// DefaultPrograms are the defaults for Thành phố Cần Thơ.
func DefaultPrograms() map[Group]Program {
	return map[Group]Program{
		GroupBTXH: {Group: GroupBTXH, LocalDay: 13, DepartmentDay: 15, CountedKinds: DefaultCountedKinds},
		GroupHTXH: {Group: GroupHTXH, LocalDay: 13, DepartmentDay: 15, PaymentListDay: 25, CountedKinds: DefaultCountedKinds},
		GroupNCC:  {Group: GroupNCC, LocalDay: 13, DepartmentDay: 15, CountedKinds: DefaultCountedKinds},
	}
}

// ProgramOf is a programme's settings, its defaults where none were given.
func ProgramOf(programs map[Group]Program, g Group) Program {
	if p, ok := programs[g]; ok && p.Group != "" {
		return p
	}
	return DefaultPrograms()[g]
}

// PaymentListDue is the day of the month the payment list is due before; zero when
// the programme sets none.
func (p Program) PaymentListDue(month time.Time) time.Time {
	if p.PaymentListDay <= 0 {
		return time.Time{}
	}
	return time.Date(month.Year(), month.Month(), p.PaymentListDay, 0, 0, 0, 0, Vietnam)
}

// departmentBodies are the departments a programme reports to since March 2025.
var departmentBodies = map[Group]string{GroupBTXH: "Sở Y tế", GroupHTXH: "Sở Y tế", GroupNCC: "Sở Nội vụ"}

// DepartmentOf names the department a programme reports to in a unit set: the
// configured name, or the programme's body followed by the root's name ("Sở Nội vụ
// thành phố Cần Thơ", "Sở Y tế tỉnh Sóc Trăng").
func (p Program) DepartmentOf(set *UnitSet) string {
	if p.Department != "" {
		return p.Department
	}
	return departmentBodies[p.Group] + " " + lowerFirstWord(set.Units.Root)
}

// lowerFirstWord writes a unit's name as it stands inside a sentence: "Thành phố Cần
// Thơ" → "thành phố Cần Thơ".
func lowerFirstWord(u *Unit) string {
	if t := u.Type; t != "" && strings.HasPrefix(u.Name, t+" ") {
		return strings.ToLower(t) + u.Name[len(t):]
	}
	return u.Name
}

// PlaceName is a unit's name without its type ("Thành phố Cần Thơ" → "Cần Thơ").
func PlaceName(u *Unit) string {
	if t := u.Type; t != "" && strings.HasPrefix(u.Name, t+" ") {
		return u.Name[len(t)+1:]
	}
	return u.Name
}

// CommuneAuthority names a commune's People's Committee ("UBND Phường Sóc Trăng").
func CommuneAuthority(u *Unit) string { return "UBND " + u.Name }

// Deadline is the day a unit's report of a programme for a payment month is due.
func (p Program) Deadline(u *Unit, month time.Time) time.Time {
	d := p.LocalDay
	if u.Parent == "" {
		d = p.DepartmentDay
	}
	return time.Date(month.Year(), month.Month(), d, 0, 0, 0, 0, Vietnam)
}
