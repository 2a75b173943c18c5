package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collection names.
const (
	colSchema        = "schema"
	colUsers         = "users"
	colSessions      = "sessions"
	colLoginFailures = "login_failures"
	colAudit         = "audit"
	colBeneficiaries = "beneficiaries"
	colImports       = "imports"

	colRegistrations      = "registrations"
	colRegistrationEvents = "registration_events"
	colRegistrationChain  = "registration_chain"
	colQRTokens           = "qr_tokens"
	colQRRevocations      = "qr_revocations"
	colLocks              = "locks"
	colQueue              = "queue"
	colCounters           = "counters"
	colAccountHistory     = "account_history"
	colAccountRefs        = "account_refs"
	colReports            = "reports"
	colSnapshots          = "snapshots"
	colAPIClients         = "api_clients"
	colEvents             = "chat_events"
	colEventsPending      = "chat_events_pending"
	colConversations      = "conversations"
	colOutbox             = "outbox"
	colOutboxPending      = "outbox_pending"
	colTokens             = "tokens"
	colChatReceipts       = "chat_receipts"
	colRate               = "rate"
	colClaims             = "claims"
	colDecisionsOpen      = "decisions_open"
	colRetention          = "retention"
	colPrivacyRequests    = "privacy_requests"
	colBreaches           = "breaches"
	colRosters            = "rosters"
	colQueueRosters       = "queue_rosters"
	colDecidedRosters     = "decided_rosters"

	colG2PClients          = "g2p_clients"
	colG2PTokens           = "g2p_tokens"
	colG2PMessages         = "g2p_messages"
	colG2PCallbacks        = "g2p_callbacks"
	colG2PCallbacksPending = "g2p_callbacks_pending"

	colAttempts     = "attempts"
	colImportErrors = "import_errors"

	colNotices        = "notices"
	colNoticesPending = "notices_pending"
	colNoticeAttempts = "notice_attempts"

	colPaymentResults   = "payment_results"
	colReturnedAccounts = "returned_accounts"

	colAccepted = "registrations_accepted"
)

// migration is one idempotent step; once applied its number is recorded and it is
// never run again. Append only: never edit or reorder a released step.
// migrate_pin_test.go pins each one.
type migration struct {
	name string
	up   func(ctx context.Context, db *mongo.Database) error
}

var migrations = []migration{
	{"create every collection", func(ctx context.Context, db *mongo.Database) error {
		return createCollections(ctx, db, colUsers, colSessions, colLoginFailures, colAudit, colBeneficiaries, colImports,
			colRegistrations, colRegistrationEvents, colRegistrationChain, colQRTokens, colQRRevocations, colLocks,
			colQueue, colCounters, colAccountHistory, colAccountRefs, colReports, colSnapshots, colAPIClients,
			colEvents, colEventsPending, colConversations, colOutbox, colOutboxPending, colTokens, colChatReceipts, colRate, colClaims)
	}},
	{"users, sessions, login failures, audit indexes", func(ctx context.Context, db *mongo.Database) error {
		return createIndexes(ctx, db, map[string][]mongo.IndexModel{
			colUsers: {
				{Keys: bson.D{{Key: "unit", Value: 1}}},
				{Keys: bson.D{{Key: "role", Value: 1}}},
			},
			colSessions: {
				{Keys: bson.D{{Key: "username", Value: 1}}},
				ttlIndex("expires_at"),
			},
			colLoginFailures: {
				{Keys: bson.D{{Key: "key", Value: 1}, {Key: "at", Value: 1}}},
				ttlIndex("expires_at"),
			},
			colAudit: {
				{Keys: bson.D{{Key: "at", Value: -1}}},
				{Keys: bson.D{{Key: "target", Value: 1}, {Key: "at", Value: -1}}},
				{Keys: bson.D{{Key: "actor", Value: 1}, {Key: "at", Value: -1}}},
				{Keys: bson.D{{Key: "unit", Value: 1}, {Key: "at", Value: -1}}},
			},
		})
	}},
	{"beneficiaries and imports indexes", func(ctx context.Context, db *mongo.Database) error {
		return createIndexes(ctx, db, map[string][]mongo.IndexModel{
			colBeneficiaries: {
				{Keys: bson.D{{Key: "commune", Value: 1}, {Key: "name_key", Value: 1}}},
				{Keys: bson.D{{Key: "commune", Value: 1}, {Key: "identity.state", Value: 1}}},
				{Keys: bson.D{{Key: "account.index", Value: 1}}},
			},
			colImports: {
				{Keys: bson.D{{Key: "by", Value: 1}, {Key: "at", Value: -1}}},
			},
		})
	}},
	{"registrations indexes", func(ctx context.Context, db *mongo.Database) error {
		return createIndexes(ctx, db, map[string][]mongo.IndexModel{
			colRegistrations: {
				{Keys: bson.D{{Key: "commune", Value: 1}, {Key: "submitted_at", Value: 1}}},
				{Keys: bson.D{{Key: "beneficiary_id", Value: 1}}},
				{Keys: bson.D{{Key: "account_index", Value: 1}}},
			},
			colRegistrationEvents: {
				{Keys: bson.D{{Key: "receipt", Value: 1}}},
				{Keys: bson.D{{Key: "commune", Value: 1}, {Key: "kind", Value: 1}, {Key: "at", Value: -1}}},
			},
			colQueue: {
				{Keys: bson.D{{Key: "commune", Value: 1}, {Key: "submitted_at", Value: 1}}},
			},
			colEventsPending: {
				{Keys: bson.D{{Key: "received_at", Value: 1}}},
			},
			colOutboxPending: {
				{Keys: bson.D{{Key: "next_at", Value: 1}}},
			},
			colAccountHistory: {
				{Keys: bson.D{{Key: "beneficiary_id", Value: 1}, {Key: "replaced_at", Value: -1}}},
			},
			colQRTokens: {
				{Keys: bson.D{{Key: "beneficiary_id", Value: 1}}},
			},
		})
	}},
	// Counters gained each programme's proxy and not-eligible figures and the social
	// pension (HTXH): recount them once so that per-programme coverage is exact.
	{"counters per programme", func(ctx context.Context, db *mongo.Database) error {
		return recountInto(ctx, db)
	}},
	{"unit choice index", func(ctx context.Context, db *mongo.Database) error {
		return createIndexes(ctx, db, map[string][]mongo.IndexModel{
			colBeneficiaries: {{Keys: bson.D{{Key: "candidates", Value: 1}}}},
		})
	}},
	{"outbox status index", func(ctx context.Context, db *mongo.Database) error {
		return createIndexes(ctx, db, map[string][]mongo.IndexModel{
			colOutbox: {{Keys: bson.D{{Key: "status", Value: 1}, {Key: "created", Value: 1}}}},
		})
	}},
	{"decisions still being applied", func(ctx context.Context, db *mongo.Database) error {
		return createCollections(ctx, db, colDecisionsOpen)
	}},
	{"g2p mapper clients, messages and callbacks", func(ctx context.Context, db *mongo.Database) error {
		if err := createCollections(ctx, db, colG2PClients, colG2PTokens, colG2PMessages, colG2PCallbacks, colG2PCallbacksPending); err != nil {
			return err
		}
		return createIndexes(ctx, db, map[string][]mongo.IndexModel{
			colG2PMessages:         {ttlIndex("expires_at")},
			colG2PCallbacks:        {{Keys: bson.D{{Key: "status", Value: 1}, {Key: "created", Value: 1}}}},
			colG2PCallbacksPending: {{Keys: bson.D{{Key: "next_at", Value: 1}}}},
		})
	}},
	// Builds before this step kept what people typed in the chat in clear: the
	// conversations' state, the received events and the outbox's texts.
	{"seal chat state, events and outbox texts stored in clear", func(ctx context.Context, db *mongo.Database) error {
		return migratingStore(ctx).sealChatInClear(ctx)
	}},
	{"retention mark and indexes", func(ctx context.Context, db *mongo.Database) error {
		if err := createCollections(ctx, db, colRetention); err != nil {
			return err
		}
		return createIndexes(ctx, db, map[string][]mongo.IndexModel{
			colRegistrationEvents: {{Keys: bson.D{{Key: "status", Value: 1}, {Key: "at", Value: 1}}}},
			colConversations:      {{Keys: bson.D{{Key: "updated", Value: 1}}}},
			colEvents:             {{Keys: bson.D{{Key: "received_at", Value: 1}}}},
		})
	}},
	{"privacy requests and breach register", func(ctx context.Context, db *mongo.Database) error {
		if err := createCollections(ctx, db, colPrivacyRequests, colBreaches); err != nil {
			return err
		}
		return createIndexes(ctx, db, map[string][]mongo.IndexModel{
			colPrivacyRequests: {
				{Keys: bson.D{{Key: "commune", Value: 1}, {Key: "status", Value: 1}, {Key: "due", Value: 1}}},
				{Keys: bson.D{{Key: "beneficiary_id", Value: 1}}},
			},
			colBreaches: {{Keys: bson.D{{Key: "discovered_at", Value: -1}}}},
		})
	}},
	// Logins and identity checks claim a numbered attempt before they are checked; an
	// import's row errors are stored a page at a time instead of in its report.
	{"throttle attempts and import error pages", func(ctx context.Context, db *mongo.Database) error {
		if err := createCollections(ctx, db, colAttempts, colImportErrors); err != nil {
			return err
		}
		return createIndexes(ctx, db, map[string][]mongo.IndexModel{colAttempts: {ttlIndex("expires_at")}})
	}},
	// Long work (an import) runs as a job: its record, its file while it runs (sealed,
	// in chunks) and the claim on the file that makes one job per file.
	{"jobs, their files and claims", func(ctx context.Context, db *mongo.Database) error {
		return createCollections(ctx, db, colJobs, colJobFiles, colJobLocks)
	}},
	{"notices, their queue and attempts", func(ctx context.Context, db *mongo.Database) error {
		if err := createCollections(ctx, db, colNotices, colNoticesPending, colNoticeAttempts); err != nil {
			return err
		}
		return createIndexes(ctx, db, map[string][]mongo.IndexModel{
			colNoticesPending: {{Keys: bson.D{{Key: "next_at", Value: 1}}}},
			colNoticeAttempts: {{Keys: bson.D{{Key: "beneficiary_id", Value: 1}, {Key: "at", Value: 1}}}},
		})
	}},
	{"payment results and accounts returned", func(ctx context.Context, db *mongo.Database) error {
		if err := createCollections(ctx, db, colPaymentResults, colReturnedAccounts); err != nil {
			return err
		}
		return createIndexes(ctx, db, map[string][]mongo.IndexModel{
			colReturnedAccounts: {{Keys: bson.D{{Key: "commune", Value: 1}, {Key: "at", Value: -1}}}},
		})
	}},
	// Each commune's members, queue and decided submissions as documents reachable by
	// _id (rosters.go), built once from the records; every write keeps them since.
	{"rosters for every commune", func(ctx context.Context, db *mongo.Database) error {
		if err := createCollections(ctx, db, colRosters, colQueueRosters, colDecidedRosters); err != nil {
			return err
		}
		return rebuildRosters(ctx, db)
	}},
	{"units' contacts", func(ctx context.Context, db *mongo.Database) error {
		return createCollections(ctx, db, colContacts)
	}},
	// The counters split each programme's accounts by kind (bank, wallet, VNeID) so that
	// which kinds count is a setting; the paid counters of each month come from the
	// payment results recorded so far. Both are recounts, for a store nobody writes to.
	{"account kinds in the counters, paid counters per month", func(ctx context.Context, db *mongo.Database) error {
		if err := createCollections(ctx, db, colPaidCounters, colPaidPeople); err != nil {
			return err
		}
		if err := recountKeepingMoves(ctx, db); err != nil {
			return err
		}
		if err := recountPaidInto(ctx, db); err != nil {
			return err
		}
		return markRecountIfUnfinished(ctx, db)
	}},
	{"accepted registrations", func(ctx context.Context, db *mongo.Database) error {
		return createCollections(ctx, db, colAccepted)
	}},
}

// storeKey carries the store into the steps that need more than the database (the
// vault, to seal what older builds stored in clear): the steps' signature is fixed by
// the released ones.
type storeKey struct{}

func migratingStore(ctx context.Context) *Store { return ctx.Value(storeKey{}).(*Store) }

// SchemaVersion is the number of migrations this build knows.
func SchemaVersion() int { return len(migrations) }

type schemaDoc struct {
	ID      string `bson:"_id"`
	Version int    `bson:"version"`
}

func (s *Store) migrate(ctx context.Context) error {
	ctx = context.WithValue(ctx, storeKey{}, s)
	col := s.db.Collection(colSchema)
	var cur schemaDoc
	err := col.FindOne(ctx, bson.D{{Key: "_id", Value: "schema"}}).Decode(&cur)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return s.fail("migrate: read version", err)
	}
	if cur.Version > len(migrations) {
		return fmt.Errorf("store: migrate: the store is at schema version %d, newer than this build (%d): upgrade ansinh", cur.Version, len(migrations))
	}
	for i := cur.Version; i < len(migrations); i++ {
		m := migrations[i]
		if err := m.up(ctx, s.db); err != nil {
			return s.fail(fmt.Sprintf("migrate: step %d (%s)", i+1, m.name), err)
		}
		_, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: "schema"}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: i + 1}}}}, options.UpdateOne().SetUpsert(true))
		if err != nil {
			return s.fail("migrate: record version", err)
		}
		s.logger.Info("store: migrated", "version", i+1, "step", m.name)
	}
	return nil
}

// Version returns the schema version recorded in the store.
func (s *Store) Version(ctx context.Context) (int, error) {
	var cur schemaDoc
	if err := s.db.Collection(colSchema).FindOne(ctx, bson.D{{Key: "_id", Value: "schema"}}).Decode(&cur); err != nil {
		return 0, s.fail("schema version", err)
	}
	return cur.Version, nil
}

func ttlIndex(field string) mongo.IndexModel {
	return mongo.IndexModel{Keys: bson.D{{Key: field, Value: 1}}, Options: options.Index().SetExpireAfterSeconds(0)}
}

// createIndexes creates the indexes MongoDB needs. The embedded server does not
// implement TTL indexes; there the same index is created without expiry and
// PurgeExpired does the TTL monitor's work.
func createIndexes(ctx context.Context, db *mongo.Database, specs map[string][]mongo.IndexModel) error {
	for name, models := range specs {
		for _, m := range models {
			_, err := db.Collection(name).Indexes().CreateOne(ctx, m)
			var ce mongo.CommandError
			if err != nil && m.Options != nil && errors.As(err, &ce) && ce.Code == codeNotImplemented {
				_, err = db.Collection(name).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: m.Keys})
			}
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return nil
}

const (
	codeNotImplemented  = 238
	codeNamespaceExists = 48
)

// createCollections creates the collections up front, so that the embedded store
// has a table (and its _id index, see Embedded.IndexIDs) for each from the start.
func createCollections(ctx context.Context, db *mongo.Database, names ...string) error {
	for _, name := range names {
		err := db.CreateCollection(ctx, name)
		var ce mongo.CommandError
		if err != nil && !(errors.As(err, &ce) && ce.Code == codeNamespaceExists) {
			return fmt.Errorf("create %s: %w", name, err)
		}
	}
	return nil
}
