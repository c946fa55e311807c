package backup

import (
	"context"
	"fmt"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
)

// RecordStorage records a measurement of a facility's backup storage.
// Facilities are shared by agencies, so only the ministry's scope records
// them. The same facility and moment again replaces the figures.
func (s *Store) RecordStorage(ctx context.Context, scope access.Scope, facilityID int64, sample StorageSample) error {
	if !scope.IsAll() {
		return apperror.New(apperror.Forbidden, "", "backup.forbidden.storage")
	}
	if err := sample.Validate(s.Now()).Err(); err != nil {
		return err
	}
	if err := checkFacility(ctx, s.db.Read, "facility_id", facilityID, map[int64]bool{}); err != nil {
		return err
	}
	_, err := s.db.Write.ExecContext(ctx, `INSERT INTO backup_storage (facility_id, at, capacity_bytes, used_bytes) VALUES ($1, $2, $3, $4)
		ON CONFLICT (facility_id, at) DO UPDATE SET capacity_bytes = excluded.capacity_bytes, used_bytes = excluded.used_bytes`,
		facilityID, database.FormatTime(sample.At), sample.CapacityBytes, sample.UsedBytes)
	if err != nil {
		return fmt.Errorf("backup: storage of facility %d: %w", facilityID, err)
	}
	return nil
}

// Forecasts reads each facility's storage samples of the last
// ForecastWindow before now and forecasts its filling, by facility.
func (s *Store) Forecasts(ctx context.Context, now time.Time) (map[int64]Forecast, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT facility_id, at, capacity_bytes, used_bytes FROM backup_storage
		WHERE at >= $1 ORDER BY facility_id, at`, database.FormatTime(now.Add(-ForecastWindow)))
	if err != nil {
		return nil, fmt.Errorf("backup: storage: %w", err)
	}
	defer rows.Close()
	samples := map[int64][]StorageSample{}
	for rows.Next() {
		var id int64
		var at string
		var sample StorageSample
		if err := rows.Scan(&id, &at, &sample.CapacityBytes, &sample.UsedBytes); err != nil {
			return nil, fmt.Errorf("backup: storage: %w", err)
		}
		sample.At = database.ParseTime(at)
		samples[id] = append(samples[id], sample)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("backup: storage: %w", err)
	}
	out := make(map[int64]Forecast, len(samples))
	for id, list := range samples {
		out[id] = ForecastOf(list)
	}
	return out, nil
}

// Validate lists the sample's problems: a moment not in the future, some
// capacity, and a use within it (a use beyond the capacity is a figure
// mistyped, not a full store).
func (sample StorageSample) Validate(now time.Time) inventory.Problems {
	var p inventory.Problems
	if sample.At.IsZero() {
		p.Add("at", "invalid.required")
	} else if sample.At.After(now.Add(MaxClockSkew)) {
		p.Add("at", "backup.invalid.future")
	}
	if sample.CapacityBytes <= 0 {
		p.Add("capacity_bytes", "backup.invalid.capacity")
	}
	switch {
	case sample.UsedBytes < 0:
		p.Add("used_bytes", "invalid.negative")
	case sample.CapacityBytes > 0 && sample.UsedBytes > sample.CapacityBytes:
		p.Add("used_bytes", "backup.invalid.used_over_capacity")
	}
	return p
}
