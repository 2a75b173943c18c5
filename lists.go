package ansinh

import "time"

// The shapes of what the store answers to lists and queues, shared with the handlers
// and the chat worker so that neither needs the store package (nor links FerretDB).

// PaymentRow is one line of the payment list: the only export with whole numbers.
type PaymentRow struct {
	Name, CCCD, Commune, Group, BankBIN, AccountNumber, HolderName string
	Proxy                                                          bool
	Amount                                                         int64
}

// PendingEvent is an event waiting to be processed.
type PendingEvent struct {
	Key        string
	User       string
	Body       []byte
	ReceivedAt time.Time
}

// OutMessage is a message leased for sending.
type OutMessage struct {
	ID       string
	Channel  string
	User     string
	Payload  []byte
	Attempts int       // attempts made so far
	Queued   time.Time // when it entered the queue: its age counts from there
}

// FailedMessage is a message the outbox gave up on, as an operator sees it: never
// its recipient or its text.
type FailedMessage struct {
	ID       string
	Channel  string
	Attempts int
	Reason   string
	Created  time.Time
	FailedAt time.Time
}

// QueueQuery selects pending submissions.
type QueueQuery struct {
	Communes []string
	Channel  string
	From, To time.Time // submitted within, when set
	Skip     int64
	Limit    int64
}

// QueueItem is a pending submission in the queue.
type QueueItem struct {
	Receipt       string
	Commune       string
	BeneficiaryID string
	Channel       string
	SubmittedAt   time.Time
	// Status is pending, unless its commune's decided roster already holds a decision or
	// a supersession that has yet to take it out of the queue (an unfinished step).
	Status string
	// Submissions is how many times the person has submitted, this one included (a
	// pending submission is its person's latest); 0 where the queue entry is older than
	// the count.
	Submissions int
}

// Backlog is one commune's pending submissions.
type Backlog struct {
	Commune string
	Pending int
	Oldest  time.Time
}

// DecidedQuery selects decided submissions.
type DecidedQuery struct {
	Communes []string
	Status   string
	Skip     int64
	Limit    int64
}

// AuditFilter selects audit events; empty fields match everything.
type AuditFilter struct {
	Actor   string
	Action  string
	Actions []string // any of them, besides Action
	Target  string
	Units   []string  // the event's unit is one of them
	From    time.Time // at or after
	To      time.Time // before
	Skip    int64
	Limit   int64 // default 100, at most MaxAuditRows
}

// MaxAuditRows bounds one read of the audit trail (an export included).
const MaxAuditRows = 10000
