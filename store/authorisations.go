package store

import (
	"context"
	"encoding/base64"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// colAuthorisations holds the photos of proxies' authorisations, one per registration
// (its receipt is the _id). Only _id lookups: no index to migrate.
const colAuthorisations = "authorisations"

// ctxAuthorisation binds a sealed photo to its registration.
const ctxAuthorisation = "authorisation:"

type authorisationDoc struct {
	Receipt       string    `bson:"_id"`
	BeneficiaryID string    `bson:"beneficiary_id"`
	Commune       string    `bson:"commune"`
	ContentType   string    `bson:"content_type"`
	ImageEnc      string    `bson:"image_enc"`
	At            time.Time `bson:"at"`
}

// SaveAuthorisation stores (or stores again, on a retried submission) the photo of a
// registration's authorisation, sealed.
func (s *Store) SaveAuthorisation(ctx context.Context, a *ansinh.Authorisation) error {
	d := authorisationDoc{Receipt: a.Receipt, BeneficiaryID: a.BeneficiaryID, Commune: a.Commune, ContentType: a.ContentType,
		ImageEnc: s.vault.Seal(base64.StdEncoding.EncodeToString(a.Image), ctxAuthorisation+a.Receipt), At: a.At.UTC()}
	_, err := s.db.Collection(colAuthorisations).ReplaceOne(ctx, bson.D{{Key: "_id", Value: a.Receipt}}, d, options.Replace().SetUpsert(true))
	if err != nil {
		return s.fail("save authorisation", err)
	}
	return nil
}

// HasAuthorisation reports whether a registration's authorisation was photographed,
// without opening the photo.
func (s *Store) HasAuthorisation(ctx context.Context, receipt string) (bool, error) {
	n, err := s.db.Collection(colAuthorisations).CountDocuments(ctx, bson.D{{Key: "_id", Value: receipt}})
	if err != nil {
		return false, s.fail("authorisation", err)
	}
	return n > 0, nil
}

// Authorisation returns the photo of a registration's authorisation; ENOTFOUND when
// none was taken.
func (s *Store) Authorisation(ctx context.Context, receipt string) (*ansinh.Authorisation, error) {
	var d authorisationDoc
	err := s.db.Collection(colAuthorisations).FindOne(ctx, bson.D{{Key: "_id", Value: receipt}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	if err != nil {
		return nil, s.fail("authorisation", err)
	}
	plain, err := s.vault.Open(d.ImageEnc, ctxAuthorisation+d.Receipt)
	if err != nil {
		return nil, s.fail("authorisation", err)
	}
	img, err := base64.StdEncoding.DecodeString(plain)
	if err != nil {
		return nil, s.fail("authorisation", err)
	}
	return &ansinh.Authorisation{Receipt: d.Receipt, BeneficiaryID: d.BeneficiaryID, Commune: d.Commune, ContentType: d.ContentType,
		Image: img, At: d.At}, nil
}
