package backup

import (
	"testing"
	"time"

	"yeonsok/internal/inventory/inventorytest"
)

// BenchmarkJudge10000Systems times Judge alone — every system's compliance
// checks and its exposure in each scenario — over the synthetic inventory
// of 10,000 systems (16 agencies, 18 facilities, a service for every 20
// systems) with a latest state for each: an online copy in its primary
// facility from last night, and for a third a weekly tape elsewhere. The
// database's part (inventory Load, Latests) is measured by bench/backups.
func BenchmarkJudge10000Systems(b *testing.B) {
	inv := inventorytest.Generate(16, 18, 10000)
	inventorytest.Services(inv, 20)
	night := now.Truncate(24 * time.Hour).Add(time.Hour)
	latest := make(map[int64]*Latest, len(inv.Systems))
	for i, s := range inv.Systems {
		primary := *s.PrimaryFacilityID
		l := &Latest{LastFull: night.AddDate(0, 0, -(i % 7)), LastGood: night, LastRun: night, LastResult: ResultSuccess,
			Points: []Point{{FacilityID: primary, Medium: MediumOnline, At: night}}}
		if i%3 == 0 {
			l.Points = append(l.Points, Point{FacilityID: primary%18 + 1, Medium: MediumTape, At: l.LastFull})
		}
		if i%2 == 0 {
			l.LastRestore, l.LastRestoreOK = night.AddDate(0, 0, -(i%200)), ResultSuccess
		}
		latest[s.ID] = l
	}
	b.ReportAllocs()
	var statuses []*SystemStatus
	for b.Loop() {
		statuses = Judge(inv, latest, 0, now)
	}
	if len(statuses) != len(inv.Systems) {
		b.Fatalf("%d statuses for %d systems", len(statuses), len(inv.Systems))
	}
}
