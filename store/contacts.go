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

// colContacts holds one small document per unit that has a contact, keyed by the
// unit's code (SPEC §7: _id is the one fast lookup on the embedded store). A province
// has at most a few hundred units: reading them all is a small scan.
const colContacts = "contacts"

type contactDoc struct {
	ID        string    `bson:"_id"`
	Name      string    `bson:"name"`
	Phone     string    `bson:"phone"`
	Hours     string    `bson:"hours,omitempty"`
	ZaloOA    string    `bson:"zalo_oa,omitempty"`
	UpdatedBy string    `bson:"updated_by"`
	UpdatedAt time.Time `bson:"updated_at"`
}

func (d *contactDoc) contact() *ansinh.Contact {
	return &ansinh.Contact{Unit: d.ID, Name: d.Name, Phone: d.Phone, Hours: d.Hours, ZaloOA: d.ZaloOA,
		UpdatedBy: d.UpdatedBy, UpdatedAt: d.UpdatedAt}
}

// Contact returns a unit's contact; not found when it has none.
func (s *Store) Contact(ctx context.Context, unit string) (*ansinh.Contact, error) {
	var d contactDoc
	err := s.db.Collection(colContacts).FindOne(ctx, bson.D{{Key: "_id", Value: unit}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, &ansinh.Error{Code: ansinh.ENOTFOUND, Message: ansinh.MsgNotFound}
	}
	if err != nil {
		return nil, s.fail("contact", err)
	}
	return d.contact(), nil
}

// Contacts returns every unit's contact.
func (s *Store) Contacts(ctx context.Context) ([]*ansinh.Contact, error) {
	cur, err := s.db.Collection(colContacts).Find(ctx, bson.D{})
	if err != nil {
		return nil, s.fail("contacts", err)
	}
	var docs []contactDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("contacts", err)
	}
	out := make([]*ansinh.Contact, 0, len(docs))
	for i := range docs {
		out = append(out, docs[i].contact())
	}
	return out, nil
}

// SaveContact stores a unit's contact in place of the one it had.
func (s *Store) SaveContact(ctx context.Context, c *ansinh.Contact) error {
	d := contactDoc{ID: c.Unit, Name: c.Name, Phone: c.Phone, Hours: c.Hours, ZaloOA: c.ZaloOA, UpdatedBy: c.UpdatedBy,
		UpdatedAt: c.UpdatedAt.UTC()}
	_, err := s.db.Collection(colContacts).ReplaceOne(ctx, bson.D{{Key: "_id", Value: c.Unit}}, d, options.Replace().SetUpsert(true))
	if err != nil {
		return s.fail("save contact", err)
	}
	return nil
}
