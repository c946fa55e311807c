package cli

import (
	"context"
	"fmt"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/sampledata"
)

// loadSampleOnFirstStart loads the plan's sample dataset into a database
// whose schema this start created, so that a new user sees the ministry's
// situation at once.
func loadSampleOnFirstStart(ctx context.Context, env *environment, db *database.DB) error {
	if err := sampledata.Load(ctx, db); err != nil {
		return fmt.Errorf("load sample data: %w", err)
	}
	env.log.Info("first start: loaded the plan's sample dataset (212 systems in 18 facilities)", "database", db.Location)
	return nil
}

func runSeed(ctx context.Context, env *environment, args []string) error {
	db, err := env.openWithDBFlag(ctx, "seed", args)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := sampledata.Load(ctx, db); err != nil {
		return err
	}
	sum, err := inventory.NewStore(db).Summary(ctx, access.All())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "loaded the sample dataset into %s: %d agencies, %d facilities, %d systems\n",
		db.Location, len(sum.PerAgency), sum.Facilities, sum.Systems)
	return nil
}
