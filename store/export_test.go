package store

import (
	"context"

	"ansinh"
)

// DamageCountsForTest makes a commune's counters wrong, as a crash between two writes
// would.
func (s *Store) DamageCountsForTest(ctx context.Context, commune string) {
	_ = s.addCounts(ctx, commune, ansinh.Counts{Beneficiaries: 5, WithAccount: 2})
}
