package cli

import (
	"context"
	"fmt"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/backup"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
)

// backupChecksEvery is how often every system's backups are judged for
// the alerts: a day's incremental late by five minutes more is no news.
const backupChecksEvery = 5 * time.Minute

// watchBackups judges every system's backups every backupChecksEvery until
// ctx ends and tells the call lists what went wrong since the last look.
func watchBackups(ctx context.Context, env *environment, db *database.DB, notifier *incident.Notifier) {
	ticker := time.NewTicker(backupChecksEvery)
	defer ticker.Stop()
	for {
		if err := checkBackups(ctx, env, db, notifier, time.Now()); err != nil && ctx.Err() == nil {
			env.log.Error("backup checks", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// alertData is a backup alert's webhook data.
type alertData struct {
	Kind       string    `json:"kind"` // "backup"
	AgencyID   int64     `json:"agency_id"`
	AgencyName string    `json:"agency_name"`
	SystemID   int64     `json:"system_id"`
	SystemName string    `json:"system_name"`
	Subject    string    `json:"subject"` // a check, or exposure:<scenario>
	Status     string    `json:"status"`
	At         time.Time `json:"at"`
}

// checkBackups judges every system's backups at now and tells the call
// list of each system what newly went wrong: a check late, missing or
// failed, an exposure beyond its target.
func checkBackups(ctx context.Context, env *environment, db *database.DB, notifier *incident.Notifier, now time.Time) error {
	inv, err := inventory.NewStore(db).Load(ctx, access.All())
	if err != nil {
		return err
	}
	backups := backup.NewStore(db)
	latest, err := backups.Latests(ctx, access.All())
	if err != nil {
		return err
	}
	raised, err := backups.Alerts(ctx, backup.Judge(inv, latest, env.cfg.RestoreTestEvery, now), now)
	if err != nil {
		return err
	}
	agencies := map[int64]string{}
	for _, a := range inv.Agencies {
		agencies[a.ID] = a.Name
	}
	for _, a := range raised {
		subject, body := a.Message(agencies[a.AgencyID])
		env.log.Warn("backup", "system", a.SystemName, "subject", a.Subject, "status", a.Status)
		err := notifier.Tell(ctx, incident.Notice{ID: fmt.Sprintf("backup-%d-%s-%d", a.SystemID, a.Subject, now.Unix()),
			AgencyID: a.AgencyID, SystemIDs: []int64{a.SystemID}, Subject: subject, Body: body,
			Data: alertData{Kind: "backup", AgencyID: a.AgencyID, AgencyName: agencies[a.AgencyID], SystemID: a.SystemID,
				SystemName: a.SystemName, Subject: a.Subject, Status: a.Status, At: now}})
		if err != nil {
			return err
		}
	}
	return nil
}
