package ansinh

import (
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// APIClient is a system an admin allows to ask the G2P mapper which account pays a
// person: a payment system, a bank, another province's registry. It is known by the
// sender_id it writes in every message header, and by a bearer token shown once.
type APIClient struct {
	SenderID string
	Name     string
	// Units are the units whose people it may ask about (each with the units beneath).
	Units []string
	// Details: it may ask for scope "details" (account numbers, CCCDs, the bank);
	// without it every answer is yes/no.
	Details bool
	// RateLimit is how many requests a minute it may send.
	RateLimit int
	// PublicKey is its Ed25519 key, when it registered one: then every message it
	// sends must be signed with it, and ansinh signs every answer to it.
	PublicKey []byte
	// CallbackURL is where asynchronous results go (+ "/mapper/on-resolve"); empty:
	// it may use the synchronous resolve only.
	CallbackURL string
	Status      string // ClientActive, ClientPaused or ClientRevoked
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedBy   string
	UpdatedAt   time.Time
}

// API client states. Paused is undone by resume; revoked is final.
const (
	ClientActive  = "active"
	ClientPaused  = "paused"
	ClientRevoked = "revoked"
)

// Limits on a client's rate.
const (
	DefaultClientRateLimit = 60
	MaxClientRateLimit     = 10000
)

// NewAPIClient is what an admin gives to register a client.
type NewAPIClient struct {
	SenderID    string   `json:"sender_id"`
	Name        string   `json:"name"`
	Units       []string `json:"units"`
	Details     bool     `json:"details"`
	RateLimit   int      `json:"rate_limit"`
	PublicKey   string   `json:"public_key"` // base64 of the 32 Ed25519 bytes
	CallbackURL string   `json:"callback_url"`
}

var senderIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,98}$`)

// NormalizeSenderID is a sender id as stored and compared: trimmed, lower case.
func NormalizeSenderID(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks the request by creator, whose unit bounds the units a client may
// be given, and returns the client to store (active). parseKey reads the public key.
func (n *NewAPIClient) Validate(creator *User, units *Units, parseKey func(string) ([]byte, error)) (*APIClient, error) {
	fields := map[string]string{}
	c := &APIClient{SenderID: NormalizeSenderID(n.SenderID), Name: NormalizeName(n.Name), Details: n.Details,
		RateLimit: n.RateLimit, CallbackURL: strings.TrimRight(strings.TrimSpace(n.CallbackURL), "/"), Status: ClientActive}
	if !senderIDRE.MatchString(c.SenderID) {
		fields["sender_id"] = MsgSenderID
	}
	if c.Name == "" || len([]rune(c.Name)) > 100 {
		fields["name"] = MsgRequired
	}
	for _, code := range n.Units {
		code = strings.TrimSpace(code)
		if _, ok := units.Get(code); !ok || !creator.Sees(units, code) {
			fields["units"] = MsgClientUnits
			break
		}
		if !slices.Contains(c.Units, code) {
			c.Units = append(c.Units, code)
		}
	}
	if len(c.Units) == 0 || len(c.Units) > 200 {
		fields["units"] = MsgClientUnits
	}
	if c.RateLimit == 0 {
		c.RateLimit = DefaultClientRateLimit
	}
	if c.RateLimit < 1 || c.RateLimit > MaxClientRateLimit {
		fields["rate_limit"] = MsgClientRate
	}
	if strings.TrimSpace(n.PublicKey) != "" {
		key, err := parseKey(n.PublicKey)
		if err != nil {
			fields["public_key"] = MsgClientKey
		}
		c.PublicKey = key
	}
	if c.CallbackURL != "" && !callbackURLOK(c.CallbackURL) {
		fields["callback_url"] = MsgClientCallback
	}
	if len(fields) > 0 {
		return nil, &Error{Code: EINVALID, Message: MsgInvalidInput, Fields: fields}
	}
	return c, nil
}

// callbackURLOK: results carry personal data, so they go over https, except to this
// machine (a gateway beside ansinh, or a test).
func callbackURLOK(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || len(s) > 500 {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		return host == "localhost" || (ip != nil && ip.IsLoopback())
	}
	return false
}

// Resolves reports whether the client may answer about a person of commune (or,
// while the person waits for a commune, of one of the candidates).
func (c *APIClient) Resolves(units *Units, b *Beneficiary) bool {
	communes := b.Candidates
	if b.Commune != "" {
		communes = []string{b.Commune}
	}
	for _, code := range communes {
		for _, u := range c.Units {
			if units.Within(code, u) {
				return true
			}
		}
	}
	return false
}

// Callback is an asynchronous result waiting to be posted to its client.
type Callback struct {
	ID       string
	Sender   string
	URL      string
	Body     []byte
	Attempts int
	Created  time.Time
}
