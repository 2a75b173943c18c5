package ansinh

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"io"
	"net/url"
	"strings"
	"time"

	"golang.org/x/crypto/hkdf"

	"ansinh/pii"
)

// Config is the whole configuration, read once from the environment at start-up and
// passed down. See .env.example for every variable and its default.
type Config struct {
	Addr     string
	DataDir  string
	BaseURL  string
	MongoURI string // empty: start the embedded store
	// PostgresURL, with MongoURI empty, runs the embedded store on this PostgreSQL
	// database (FerretDB's postgresql handler) instead of SQLite files.
	PostgresURL   string
	DBName        string
	AdminPassword string
	SecretKey     string // empty: generated into DataDir
	DataKey       string // empty: generated into DataDir
	UnitsFile     string // empty: the bundled unit sets
	// UnitsSet names the current unit set: a bundled one (default can-tho-2025), or the
	// set that UnitsFile holds (default "custom").
	UnitsSet string
	// Target is the share with an account that each answering unit must reach, and
	// TargetLevel the level that answers for it (empty: the level below the root, the
	// district in a three-tier set, the commune in a two-tier one).
	Target      float64
	TargetLevel string
	// Programs are each programme's department and deadlines.
	Programs map[Group]Program
	// EmbeddedAddr is where the embedded store listens: empty for its Unix socket in
	// DataDir (the default), a loopback host:port for TCP (a second instance).
	EmbeddedAddr   string
	TrustedProxies []string
	LogLevel       string
	LogFormat      string
	// PublicRateLimit is how many requests a minute one address may make to the
	// public form and API (0 turns the limit off; only benchmarks do).
	PublicRateLimit int
	// AssistedSecondOfficer: a registration an officer typed in for someone must be
	// verified by another officer.
	AssistedSecondOfficer bool
	// Outbox says when the chat outbox gives up on a message.
	Outbox OutboxConfig
	// Retention says when personal data whose purpose is served is erased.
	Retention RetentionConfig
	Zalo      ZaloConfig
	SMS       SMSConfig
}

// OutboxConfig: a message that failed MaxAttempts times, or still unsent MaxAge after
// it was queued, is marked failed for an operator to look at.
type OutboxConfig struct {
	MaxAttempts int
	MaxAge      time.Duration
}

// The outbox's limits when unset: eight attempts span about a day of back-off.
const (
	DefaultOutboxMaxAttempts = 8
	DefaultOutboxMaxAge      = 48 * time.Hour
)

// ZaloConfig holds the Zalo Official Account credentials and endpoints.
type ZaloConfig struct {
	AppID        string
	OASecretKey  string
	AppSecretKey string
	RefreshToken string
	APIURL       string
	OAuthURL     string
	// BusinessURL is the base of template messages by phone (ZALO_BUSINESS_API_URL).
	BusinessURL string
	// Templates are the approved template ids per notice (ZALO_TEMPLATE_*); "" none.
	Templates ZaloTemplates
}

// ZaloTemplates are the ids of the OA's approved template messages, per kind of notice.
type ZaloTemplates struct{ Verified, Rejected, Returned, Reminder string }

// SMSConfig is the SMS gateway of notices that Zalo cannot carry (ANSINH_SMS_*); no
// URL means no SMS.
type SMSConfig struct {
	URL string
	Key string
}

// MinSecretLen is the shortest accepted ANSINH_SECRET_KEY / ANSINH_DATA_KEY.
const MinSecretLen = 32

// DefaultConfig is the configuration with nothing set: what `make run` starts with.
// cmd/ansinh reads the environment over it (see .env.example).
func DefaultConfig() Config {
	return Config{
		Addr: ":8080", DataDir: "./data", BaseURL: "http://localhost:8080", DBName: "ansinh",
		UnitsSet: DefaultUnitSet, Target: Target, Programs: DefaultPrograms(),
		LogLevel: "info", LogFormat: "text", PublicRateLimit: 120, AssistedSecondOfficer: true,
		Outbox:    OutboxConfig{MaxAttempts: DefaultOutboxMaxAttempts, MaxAge: DefaultOutboxMaxAge},
		Retention: RetentionConfig{Submissions: DefaultRetentionSubmissions, Chat: DefaultRetentionChat},
		Zalo: ZaloConfig{APIURL: "https://openapi.zalo.me", OAuthURL: "https://oauth.zaloapp.com",
			BusinessURL: "https://business.openapi.zalo.me"},
	}
}

// DeriveKey derives a 32-byte key for one purpose from a configured secret with
// HKDF-SHA256, so one secret can safely serve several uses.
func DeriveKey(secret, purpose string) []byte {
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, []byte(secret), nil, []byte("ansinh/"+purpose)), key); err != nil {
		panic(err) // only on a read past HKDF's 255*32 byte limit
	}
	return key
}

// Vault returns the personal-data vault keyed from ANSINH_DATA_KEY.
func (c Config) Vault() (*pii.Vault, error) {
	if c.DataKey == "" {
		return nil, errors.New("configuration: no data key")
	}
	return pii.New(DeriveKey(c.DataKey, "pii/encrypt"), DeriveKey(c.DataKey, "pii/index"))
}

// G2PSigningKey is the Ed25519 key ansinh signs its G2P Connect answers with, derived
// from ANSINH_SECRET_KEY like the other keys: every instance sharing the secret signs
// with the same key, and a new secret means a new key to give the clients.
func (c Config) G2PSigningKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(DeriveKey(c.SecretKey, "g2p/sign"))
}

// G2PSenderID is ansinh's sender id in its G2P Connect answers and key id: the host of
// ANSINH_BASE_URL.
func (c Config) G2PSenderID() string {
	if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
		return strings.ToLower(u.Hostname())
	}
	return "ansinh"
}
