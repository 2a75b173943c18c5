// Package g2p is the G2P Connect protocol as the ID-account mapper speaks it
// (mapper_core_api v1.0.0): the envelope's types, the status and reason codes, the
// checks a request must pass and the detached signature. It knows nothing of ansinh's
// data: the mapper/ package answers, handlers/ serves.
package g2p

// Version is the protocol version this package speaks.
const Version = "1.0.0"

// Request statuses (RequestStatus).
const (
	StatusReceived = "rcvd"
	StatusPending  = "pdng"
	StatusSuccess  = "succ"
	StatusRejected = "rjct"
)

// Header status reason codes (MsgHeaderStatusReasonCode).
const (
	HdrVersionInvalid      = "rjct.version.invalid"
	HdrMessageIDDuplicate  = "rjct.message_id.duplicate"
	HdrMessageTSInvalid    = "rjct.message_ts.invalid"
	HdrActionInvalid       = "rjct.action.invalid"
	HdrActionNotSupported  = "rjct.action.not_supported"
	HdrTotalCountInvalid   = "rjct.total_count.invalid"
	HdrTotalCountLimit     = "rjct.total_count.limit_exceeded"
	HdrErrorsTooMany       = "rjct.errors.too_many"
	maxReasonMessageLength = 999
)

// Resolve status reason codes (ResolveStatusReasonCode).
const (
	RjctReferenceIDInvalid      = "rjct.reference_id.invalid"
	RjctReferenceIDDuplicate    = "rjct.reference_id.duplicate"
	RjctTimestampInvalid        = "rjct.timestamp.invalid"
	RjctIDInvalid               = "rjct.id.invalid"
	RjctFAInvalid               = "rjct.fa.invalid"
	RjctResolveTypeNotSupported = "rjct.resolve_type.not_supported"
	SuccFAActive                = "succ.fa.active"
	SuccFAInactive              = "succ.fa.inactive"
	SuccFANotFound              = "succ.fa.not_found"
	SuccFANotLinkedToID         = "succ.fa.not_linked_to_id"
	SuccIDActive                = "succ.id.active"
	SuccIDInactive              = "succ.id.inactive"
	SuccIDNotFound              = "succ.id.not_found"
)

// Transport error codes (Error.code): the acknowledgement's error and the HTTP error
// body's.
const (
	ErrRequestBad          = "err.request.bad"
	ErrUnauthorized        = "err.request.unauthorized"
	ErrForbidden           = "err.request.forbidden"
	ErrNotFound            = "err.request.not_found"
	ErrTimeout             = "err.request.timeout"
	ErrVersionNotSupported = "err.version.not_supported"
	ErrTooManyRequests     = "err.request.too_many_requests"
	ErrSenderIDInvalid     = "err.sender_id.invalid"
	ErrSenderURIInvalid    = "err.sender_uri.invalid"
	ErrReceiverIDInvalid   = "err.receiver_id.invalid"
	ErrSignatureMissing    = "err.signature.missing"
	ErrSignatureInvalid    = "err.signature.invalid"
	ErrEncryptionInvalid   = "err.encryption.invalid"
	ErrServiceUnavailable  = "err.service.unavailable"
)

// Acknowledgement statuses (Ack).
const (
	AckOK    = "ACK"  // valid; the result will be posted back
	AckNoCB  = "NACK" // valid; nothing will be posted back
	AckError = "ERR"  // invalid; the error says why
)

// Scopes of a resolve item.
const (
	ScopeYesNo   = "yes_no" // the default: only whether the id or fa resolves
	ScopeDetails = "details"
)

// Actions.
const (
	ActionResolve   = "resolve"
	ActionOnResolve = "on-resolve"
	ActionLink      = "link"
	ActionUpdate    = "update"
	ActionUnlink    = "unlink"
)

// Limits: the schema's, and this service's where the schema sets none.
const (
	MaxTransactionID = 99  // TransactionId.maxLength
	MaxCorrelationID = 99  // correlation_id.maxLength
	MaxReferenceID   = 99  // the schema sets none; the same as a transaction id
	MaxMessageID     = 128 // the schema sets none; bounds what is remembered per message
	MaxItems         = 100 // items in one message (rjct.total_count.limit_exceeded above)
)
