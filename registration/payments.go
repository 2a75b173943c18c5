package registration

import (
	"context"
	"errors"
	"time"

	"ansinh"
)

// Payments is what payment results need from the data layer.
type Payments interface {
	RecordPaymentResult(ctx context.Context, p *ansinh.PaymentResult) (*ansinh.PaymentResult, bool, error)
	ConfirmAccountByPayment(ctx context.Context, beneficiaryID, index string, at time.Time) error
	ReturnAccount(ctx context.Context, p *ansinh.PaymentResult) error
	CountPaid(ctx context.Context, p *ansinh.PaymentResult) error
	MarkPaymentApplied(ctx context.Context, p *ansinh.PaymentResult) error
	RegistrationReceipts(ctx context.Context, beneficiaryID string) ([]string, error)
	Registration(ctx context.Context, receipt string) (*ansinh.Registration, error)
}

// PaymentNotifier tells a person that a payment into their account came back.
type PaymentNotifier interface {
	Returned(ctx context.Context, r *ansinh.Registration, month string) error
}

// PaymentResult applies one person's result of a month: the first payment that went
// through confirms the account; one that came back drops the account (the person
// needs a new one, and is told). A result already applied changes nothing (changed
// false); one a crash left half-done is finished. The person's result of a month is
// the first one recorded: a later file with another outcome for the same month is
// ansinh.ECONFLICT.
func (s *Service) PaymentResult(ctx context.Context, st Payments, p *ansinh.PaymentResult) (changed bool, err error) {
	had, applied, err := st.RecordPaymentResult(ctx, p)
	if err != nil {
		return false, err
	}
	if had.Result != p.Result || had.AccountIndex != p.AccountIndex {
		return false, ansinh.Errorf(ansinh.ECONFLICT, ansinh.MsgPaymentConflict)
	}
	if applied {
		return false, nil
	}
	switch had.Result {
	case ansinh.PaymentPaid:
		err = st.ConfirmAccountByPayment(ctx, had.BeneficiaryID, had.AccountIndex, had.At)
	case ansinh.PaymentReturned:
		if err = st.ReturnAccount(ctx, had); err == nil {
			err = s.tellReturned(ctx, st, had)
		}
	default:
		err = errors.New("registration: payment result: unknown outcome " + had.Result)
	}
	if err != nil {
		return false, err
	}
	// Paid through an account this month: once per person, whatever step a crash left.
	if err := st.CountPaid(ctx, had); err != nil {
		return false, err
	}
	return true, st.MarkPaymentApplied(ctx, had)
}

// tellReturned queues the notice under the person's latest verified submission (its
// consent to be told decides); a person whose account came from a list has given none,
// which the record shows.
func (s *Service) tellReturned(ctx context.Context, st Payments, p *ansinh.PaymentResult) error {
	n, ok := s.Notifier.(PaymentNotifier)
	if !ok {
		return nil
	}
	receipts, err := st.RegistrationReceipts(ctx, p.BeneficiaryID)
	if err != nil {
		return err
	}
	r := &ansinh.Registration{Receipt: "", BeneficiaryID: p.BeneficiaryID}
	for i := len(receipts) - 1; i >= 0; i-- {
		reg, err := st.Registration(ctx, receipts[i])
		if err != nil {
			return err
		}
		if reg.Status == ansinh.StatusVerified {
			r = reg
			break
		}
	}
	return n.Returned(ctx, r, p.Month)
}
