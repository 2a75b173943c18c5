package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ansinh"
)

// Reminders tell the people of a unit who have no account yet (never had one, or lost
// it to a returned payment or a closed account) that they can still register. Only
// those who agreed to be told are reminded: consent is the answer of their latest
// submission, so a person who never submitted was never asked and is not reminded
// (the commune reaches them by the notice card and the village meeting instead), and
// a person who withdrew their consent to be paid into an account is not either.

// ReminderStore is what reminders read besides Store: the unit's people, each one's
// latest submission, and whether this month's reminder is queued already.
type ReminderStore interface {
	EachBeneficiary(ctx context.Context, communes []string, fn func(*ansinh.Beneficiary) error) error
	RegistrationReceipts(ctx context.Context, beneficiaryID string) ([]string, error)
	Registration(ctx context.Context, receipt string) (*ansinh.Registration, error)
	NoticeStatus(ctx context.Context, id string) (string, error)
}

// ReminderID is the notice id of the reminder of month to a person: one a month, so
// that running the reminders again queues nothing new.
func ReminderID(month, beneficiaryID string) string {
	return "reminder:" + month + ":" + beneficiaryID
}

// ParseMonth reads a payment month "YYYY-MM"; "" is the current month in Vietnam.
func ParseMonth(month string, now time.Time) (string, error) {
	if month == "" {
		return now.In(ansinh.Vietnam).Format("2006-01"), nil
	}
	t, err := time.Parse("2006-01", month)
	if err != nil || t.Format("2006-01") != month || t.Year() < 2000 || t.Year() > 2100 {
		return "", ansinh.FieldError("month", ansinh.MsgRemindersMonth)
	}
	return month, nil
}

// Remind queues the reminder of month to every person of communes with no account who
// agreed to be told and can be reached, and counts what it did with each of them. The
// outbox then sends them as it sends every notice (hours, quota, channels).
func (s *Service) Remind(ctx context.Context, communes []string, month string) (ansinh.ReminderCounts, error) {
	var out ansinh.ReminderCounts
	st, ok := s.Store.(ReminderStore)
	if !ok {
		return out, errors.New("notify: the store cannot list the people to remind")
	}
	month, err := ParseMonth(month, s.now())
	if err != nil {
		return out, err
	}
	// The people first, then their submissions: no store work inside the walk.
	type person struct {
		id        string
		withdrawn bool
	}
	var people []person
	err = st.EachBeneficiary(ctx, communes, func(b *ansinh.Beneficiary) error {
		if b.Eligible && b.Account == nil && !b.Synthetic {
			people = append(people, person{id: b.ID, withdrawn: b.ConsentWithdrawn != nil})
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	now := s.now()
	_, next := ansinh.NoticeHours(now)
	for _, p := range people {
		r, err := latest(ctx, st, p.id)
		if err != nil {
			return out, err
		}
		switch {
		case r != nil && r.Status == ansinh.StatusPending:
			out.Pending++
			continue
		case r == nil || !r.NotifyConsent || p.withdrawn:
			out.NoConsent++
			continue
		}
		id := ReminderID(month, p.id)
		switch _, err := st.NoticeStatus(ctx, id); ansinh.ErrorCode(err) {
		case "":
			out.Already++
			continue
		case ansinh.ENOTFOUND:
		default:
			return out, err
		}
		n, err := s.notice(ctx, r, ansinh.NoticeReminder, id, map[string]string{ParamMonth: monthParam(month)}, now)
		if err != nil {
			return out, err
		}
		if n.ZaloUser == "" && n.Phone == "" {
			out.NoChannel++
			continue
		}
		n.Receipt = "" // a reminder is about the person, not about that submission
		if err := s.Store.QueueNotice(ctx, n, next); err != nil {
			return out, err
		}
		out.Queued++
	}
	if out.Queued > 0 {
		s.Wake()
	}
	return out, nil
}

// latest is a person's latest submission, nil when they never submitted.
func latest(ctx context.Context, st ReminderStore, beneficiaryID string) (*ansinh.Registration, error) {
	receipts, err := st.RegistrationReceipts(ctx, beneficiaryID)
	if err != nil || len(receipts) == 0 {
		return nil, err
	}
	r, err := st.Registration(ctx, receipts[len(receipts)-1])
	if err != nil {
		return nil, fmt.Errorf("notify: latest submission: %w", err)
	}
	return r, nil
}
