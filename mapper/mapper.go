// Package mapper answers G2P Connect resolve requests from the registry: which
// verified account pays a person, whose is an account, is this account this person's.
// It decides what a client may see; g2p/ is the protocol, handlers/ serves it, and
// Deliverer posts asynchronous results back.
package mapper

import (
	"context"
	"time"

	"ansinh"
	"ansinh/g2p"
)

// Store is what resolving reads.
type Store interface {
	Beneficiary(ctx context.Context, id string) (*ansinh.Beneficiary, error)
	RevealBeneficiary(ctx context.Context, id string) (*ansinh.Beneficiary, error)
	BeneficiaryID(cccd string) string
	AccountIndex(bin, number string) string
	AccountHolderID(ctx context.Context, bin, number string) (string, error)
}

// Service resolves.
type Service struct {
	Store Store
	Units *ansinh.Units
}

// Asked is what a message asked about, as blind indexes (for the audit trail): the
// record ids of the persons and the indexes of the accounts.
type Asked struct {
	IDs     []string
	FAs     []string
	Details int // answers that carried details
}

// Resolve answers every item of a message for client at now. Items that break the
// schema are rejected one by one; the others are answered within the client's units
// and rights: a person or account outside its units is not found, and without the
// right to details nothing but yes/no goes out.
func (s *Service) Resolve(ctx context.Context, client *ansinh.APIClient, items []g2p.ResolveItem, now time.Time) ([]g2p.ResolveAnswer, *Asked, error) {
	problems := g2p.CheckItems(items)
	answers := make([]g2p.ResolveAnswer, 0, len(items))
	asked := &Asked{}
	ts := g2p.Timestamp(now)
	for i, it := range items {
		a := g2p.ResolveAnswer{ReferenceID: it.ReferenceID, Timestamp: ts, Status: g2p.StatusSuccess}
		if p := problems[i]; p != nil {
			a.Status, a.StatusReasonCode, a.StatusReasonMessage = g2p.StatusRejected, p.Code, p.Message
			answers = append(answers, a)
			continue
		}
		details := it.Scope == g2p.ScopeDetails
		if details && !client.Details {
			a.Status, a.StatusReasonCode = g2p.StatusRejected, g2p.RjctResolveTypeNotSupported
			a.StatusReasonMessage = "this client may ask yes_no only; details need an admin's authorisation"
			answers = append(answers, a)
			continue
		}
		if err := s.answer(ctx, client, it, details, &a, asked); err != nil {
			return nil, nil, err
		}
		if a.AccountProviderInfo != nil {
			asked.Details++
		}
		answers = append(answers, a)
	}
	return answers, asked, nil
}

// answer fills a for one valid item.
func (s *Service) answer(ctx context.Context, client *ansinh.APIClient, it g2p.ResolveItem, details bool, a *g2p.ResolveAnswer, asked *Asked) error {
	var number, bin string
	if it.FA != "" {
		number, bin, _ = g2p.ParseFA(it.FA)
		asked.FAs = append(asked.FAs, s.Store.AccountIndex(bin, number))
	}
	if it.ID == "" {
		return s.byFA(ctx, client, number, bin, details, a)
	}
	cccd, _ := g2p.ParseID(it.ID)
	id := s.Store.BeneficiaryID(cccd)
	asked.IDs = append(asked.IDs, id)
	b, err := s.person(ctx, client, id)
	if err != nil || b == nil {
		a.StatusReasonCode = g2p.SuccIDNotFound
		return err
	}
	a.ID = g2p.PersonID(cccd)
	if it.FA != "" {
		// Both given: is this account this person's? Only the account's own holder
		// answers yes; any other account, or none, is not linked to the id.
		holder, err := s.holder(ctx, bin, number)
		if err != nil {
			return err
		}
		a.FA = g2p.FinancialAddress(number, bin)
		if holder != id {
			a.StatusReasonCode = g2p.SuccFANotLinkedToID
			return nil
		}
		a.StatusReasonCode = g2p.SuccFAActive
		if details {
			a.AccountProviderInfo = provider(bin)
		}
		return nil
	}
	if b.Account == nil {
		a.StatusReasonCode = g2p.SuccFANotLinkedToID
		return nil
	}
	a.StatusReasonCode = g2p.SuccIDActive
	if !details {
		return nil
	}
	full, err := s.Store.RevealBeneficiary(ctx, id)
	if err != nil {
		return err
	}
	if full.Account == nil { // changed since the read above
		a.StatusReasonCode = g2p.SuccFANotLinkedToID
		return nil
	}
	a.FA = g2p.FinancialAddress(full.Account.Number, full.Account.BankBIN)
	a.AccountProviderInfo = provider(full.Account.BankBIN)
	return nil
}

// byFA answers "whose is this account?".
func (s *Service) byFA(ctx context.Context, client *ansinh.APIClient, number, bin string, details bool, a *g2p.ResolveAnswer) error {
	a.FA = g2p.FinancialAddress(number, bin)
	holder, err := s.holder(ctx, bin, number)
	if err != nil {
		return err
	}
	b, err := s.person(ctx, client, holder)
	if err != nil {
		return err
	}
	if holder == "" || b == nil {
		a.StatusReasonCode = g2p.SuccFANotFound
		return nil
	}
	a.StatusReasonCode = g2p.SuccFAActive
	if !details {
		return nil
	}
	full, err := s.Store.RevealBeneficiary(ctx, holder)
	if err != nil {
		return err
	}
	a.ID = g2p.PersonID(full.CCCD)
	a.AccountProviderInfo = provider(bin)
	return nil
}

// person returns the record id's person when the client may see them, nil when not
// (or when there is no such person).
func (s *Service) person(ctx context.Context, client *ansinh.APIClient, id string) (*ansinh.Beneficiary, error) {
	if id == "" {
		return nil, nil
	}
	b, err := s.Store.Beneficiary(ctx, id)
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !client.Resolves(s.Units, b) {
		return nil, nil
	}
	return b, nil
}

// holder is the record id of the person the account pays, "" when none.
func (s *Service) holder(ctx context.Context, bin, number string) (string, error) {
	id, err := s.Store.AccountHolderID(ctx, bin, number)
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
		return "", nil
	}
	return id, err
}

func provider(bin string) *g2p.AccountProviderInfo {
	name := bin
	if bank, ok := ansinh.BankByBIN(bin); ok {
		name = bank.Name
	}
	return &g2p.AccountProviderInfo{Name: name, Code: bin}
}
