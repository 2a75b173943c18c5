package store

import "context"

// CreateScratchCollectionForTest creates an empty collection with one document, as a
// feature added without describing its data would (tests of the privacy report).
func (s *Store) CreateScratchCollectionForTest(ctx context.Context, name string) error {
	_, err := s.db.Collection(name).InsertOne(ctx, map[string]string{"note": "x"})
	return err
}
