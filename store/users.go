package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// userDoc is a staff account; the username is the _id.
type userDoc struct {
	Username     string `bson:"_id"`
	Role         string `bson:"role"`
	Unit         string `bson:"unit"`
	PasswordHash string `bson:"password_hash"`
	Disabled     bool   `bson:"disabled"`
	// DisabledReason says why a unit-set migration locked the account (shown at login).
	DisabledReason string    `bson:"disabled_reason,omitempty"`
	UnitSet        string    `bson:"unit_set,omitempty"` // the set Unit belongs to; empty: the store's first set
	Phone          string    `bson:"phone,omitempty"`
	CreatedAt      time.Time `bson:"created_at"`
	CreatedBy      string    `bson:"created_by"`
	// MustChange marks a one-time password (absent on accounts older than the field:
	// false).
	MustChange        bool      `bson:"must_change_password,omitempty"`
	PasswordChangedAt time.Time `bson:"password_changed_at,omitempty"`
}

func (d *userDoc) user() *ansinh.User {
	return &ansinh.User{Username: d.Username, Role: ansinh.Role(d.Role), Unit: d.Unit, PasswordHash: d.PasswordHash,
		Disabled: d.Disabled, DisabledReason: d.DisabledReason, Phone: d.Phone, CreatedAt: d.CreatedAt, CreatedBy: d.CreatedBy,
		MustChangePassword: d.MustChange, PasswordChangedAt: d.PasswordChangedAt}
}

// CreateUser inserts a user; an existing username is a conflict.
func (s *Store) CreateUser(ctx context.Context, u *ansinh.User) error {
	_, err := s.db.Collection(colUsers).InsertOne(ctx, userDoc{
		Username: u.Username, Role: string(u.Role), Unit: u.Unit, PasswordHash: u.PasswordHash,
		Disabled: u.Disabled, DisabledReason: u.DisabledReason, Phone: u.Phone, CreatedAt: u.CreatedAt.UTC(), CreatedBy: u.CreatedBy,
		UnitSet: s.unitSetOf(u.Unit), MustChange: u.MustChangePassword,
	})
	if err != nil {
		return s.fail("create user", err)
	}
	return nil
}

// User returns the user with the username.
func (s *Store) User(ctx context.Context, username string) (*ansinh.User, error) {
	var d userDoc
	if err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "_id", Value: username}}).Decode(&d); err != nil {
		return nil, s.fail("find user", err)
	}
	return d.user(), nil
}

// HasAdmin reports whether any user has the admin role.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "role", Value: string(ansinh.RoleAdmin)}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, s.fail("find admin", err)
	}
	return true, nil
}

// Users returns the users whose unit is one of units (all users when units is nil),
// ordered by username.
func (s *Store) Users(ctx context.Context, units []string) ([]*ansinh.User, error) {
	filter := bson.D{}
	if units != nil {
		filter = bson.D{{Key: "unit", Value: bson.D{{Key: "$in", Value: units}}}}
	}
	cur, err := s.db.Collection(colUsers).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, s.fail("list users", err)
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("list users", err)
	}
	out := make([]*ansinh.User, 0, len(docs))
	for i := range docs {
		out = append(out, docs[i].user())
	}
	return out, nil
}

// CommunePhone returns the phone of a commune officer of the commune, "" when none
// gave one.
func (s *Store) CommunePhone(ctx context.Context, commune string) (string, error) {
	var d userDoc
	err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "unit", Value: commune}, {Key: "role", Value: string(ansinh.RoleCommune)},
		{Key: "phone", Value: bson.D{{Key: "$gt", Value: ""}}}, {Key: "disabled", Value: false}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", nil
	}
	if err != nil {
		return "", s.fail("commune phone", err)
	}
	return d.Phone, nil
}

// SetUserPassword replaces a user's password hash; mustChange marks it one-time. An
// unknown username is not found.
func (s *Store) SetUserPassword(ctx context.Context, username, hash string, mustChange bool, at time.Time) error {
	res, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: username}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "password_hash", Value: hash}, {Key: "must_change_password", Value: mustChange}, {Key: "password_changed_at", Value: at.UTC()}}}})
	if err != nil {
		return s.fail("set password", err)
	}
	if res.MatchedCount == 0 {
		return &ansinh.Error{Code: ansinh.ENOTFOUND, Message: ansinh.MsgUserNotFound}
	}
	return nil
}

// SetUserDisabled locks or unlocks a user; unlocking also clears the reason a change
// of unit set gave. An unknown username is not found.
func (s *Store) SetUserDisabled(ctx context.Context, username string, disabled bool) error {
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "disabled", Value: disabled}}}}
	if !disabled {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "disabled_reason", Value: ""}}})
	}
	res, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: username}}, update)
	if err != nil {
		return s.fail("set disabled", err)
	}
	if res.MatchedCount == 0 {
		return &ansinh.Error{Code: ansinh.ENOTFOUND, Message: ansinh.MsgUserNotFound}
	}
	return nil
}
