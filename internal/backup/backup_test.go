package backup

import (
	"testing"
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/objectives"
	"yeonsok/internal/scenario"
)

var now = time.Date(2025, 9, 26, 9, 0, 0, 0, time.UTC)

func minutes(m int64) *inventory.Minutes { v := inventory.Minutes(m); return &v }

func TestPolicyOf(t *testing.T) {
	for _, tc := range []struct {
		name             string
		full, incr, offs *inventory.Minutes
		want             Policy
	}{
		{"nothing declared: the plan's criterion", nil, nil, nil, Policy{7 * 24 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 180 * 24 * time.Hour}},
		{"stricter declared", minutes(24 * 60), minutes(60), minutes(24 * 60), Policy{24 * time.Hour, time.Hour, 24 * time.Hour, 180 * 24 * time.Hour}},
		{"laxer declared is held to the plan", minutes(30 * 24 * 60), minutes(7 * 24 * 60), minutes(30 * 24 * 60), Policy{7 * 24 * time.Hour, 24 * time.Hour, 30 * 24 * time.Hour, 180 * 24 * time.Hour}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &inventory.System{BackupFullEvery: tc.full, BackupIncrEvery: tc.incr, OffsiteEvery: tc.offs}
			if got := PolicyOf(s, 0); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if got := PolicyOf(&inventory.System{}, 30*24*time.Hour); got.RestoreTestEvery != 30*24*time.Hour {
		t.Errorf("the tower's restore-test setting: %v", got.RestoreTestEvery)
	}
}

func TestRunValidate(t *testing.T) {
	good := func() Run {
		return Run{SystemID: 1, Key: "job-1", Kind: KindFull, StartedAt: now.Add(-time.Hour), EndedAt: now, Result: ResultSuccess,
			Copy: Copy{FacilityID: 2, Medium: MediumOnline}}
	}
	size := int64(-1)
	for _, tc := range []struct {
		name  string
		edit  func(r *Run)
		field string
	}{
		{"good", func(*Run) {}, ""},
		{"no key", func(r *Run) { r.Key = "  " }, "key"},
		{"unknown kind", func(r *Run) { r.Kind = "differential" }, "kind"},
		{"ends before it starts", func(r *Run) { r.EndedAt = r.StartedAt.Add(-time.Second) }, "ended_at"},
		{"ends in the future", func(r *Run) { r.EndedAt = now.Add(time.Hour) }, "ended_at"},
		{"negative size", func(r *Run) { r.SizeBytes = &size }, "size_bytes"},
		{"no facility", func(r *Run) { r.Copy.FacilityID = 0 }, "copy.facility_id"},
		{"unknown medium", func(r *Run) { r.Copy.Medium = "cloud" }, "copy.medium"},
		{"restore test without a result", func(r *Run) { r.RestoreTest = &RestoreTest{At: now} }, "restore_test.result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good()
			tc.edit(&r)
			p := r.Validate(now)
			got := ""
			if len(p) > 0 {
				got = p[0].Field
			}
			if got != tc.field {
				t.Errorf("first problem on %q, want %q (%v)", got, tc.field, p)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	p := Policy{FullEvery: 7 * 24 * time.Hour, IncrEvery: 24 * time.Hour, OffsiteEvery: 7 * 24 * time.Hour, RestoreTestEvery: 180 * 24 * time.Hour}
	const primary, elsewhere = 1, 2
	day := 24 * time.Hour
	compliant := Latest{LastFull: now.Add(-3 * day), LastGood: now.Add(-2 * time.Hour), LastRun: now.Add(-2 * time.Hour), LastResult: ResultSuccess,
		LastRestore: now.Add(-30 * day), LastRestoreOK: ResultSuccess,
		Points: []Point{{primary, MediumOnline, now.Add(-2 * time.Hour)}, {elsewhere, MediumTape, now.Add(-3 * day)}}}
	status := func(fs []Finding) map[string]string {
		m := map[string]string{}
		for _, f := range fs {
			m[f.Check] = f.Status
		}
		return m
	}
	for _, tc := range []struct {
		name string
		l    func() Latest
		want map[string]string
	}{
		{"compliant", func() Latest { return compliant }, map[string]string{"full": "ok", "incremental": "ok", "offsite": "ok", "restore_test": "ok", "last_run": "ok"}},
		{"nothing ever", func() Latest { return Latest{} }, map[string]string{"full": "missing", "incremental": "missing", "offsite": "missing", "restore_test": "missing", "last_run": "missing"}},
		{"the job stopped two days ago", func() Latest {
			l := compliant
			l.LastGood, l.LastRun = now.Add(-49*time.Hour), now.Add(-49*time.Hour)
			return l
		}, map[string]string{"full": "ok", "incremental": "late", "offsite": "ok", "restore_test": "ok", "last_run": "ok"}},
		{"copies only at home", func() Latest {
			l := compliant
			l.Points = l.Points[:1]
			return l
		}, map[string]string{"full": "ok", "incremental": "ok", "offsite": "missing", "restore_test": "ok", "last_run": "ok"}},
		{"last run failed, restore test failed", func() Latest {
			l := compliant
			l.LastResult, l.LastRestoreOK = ResultFailed, ResultFailed
			return l
		}, map[string]string{"full": "ok", "incremental": "ok", "offsite": "ok", "restore_test": "failed", "last_run": "failed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := status(Check(p, tc.l(), primary, now))
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s: %s, want %s (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
	// Due is the last time plus the period.
	if f := Check(p, compliant, primary, now)[0]; !f.Due.Equal(now.Add(4 * day)) {
		t.Errorf("full due %v, want %v", f.Due, now.Add(4*day))
	}
}

func TestExposures(t *testing.T) {
	primary, elsewhere := int64(1), int64(2)
	s := &inventory.System{Grade: 1, PrimaryFacilityID: &primary, RPOFailure: minutes(60), RPODisaster: minutes(24 * 60)}
	byScenario := func(es []Exposure) map[string]Exposure {
		m := map[string]Exposure{}
		for _, e := range es {
			m[e.Scenario] = e
		}
		return m
	}
	// Copies only in the primary facility, online: fine for a component
	// failure, unbounded for the loss of the facility and for ransomware.
	home := Latest{Points: []Point{{primary, MediumOnline, now.Add(-30 * time.Minute)}}}
	got := byScenario(Exposures(s, objectives.Strictest{}, home, now))
	if c := got[scenario.Component]; c.Age != 30*time.Minute || c.Breach || c.Unbounded {
		t.Errorf("component: %+v", c)
	}
	if f := got[scenario.FacilityLoss]; !f.Unbounded || !f.Breach {
		t.Errorf("facility loss with every copy at home: %+v", f)
	}
	if r := got[scenario.Ransomware]; !r.Unbounded || !r.Breach {
		t.Errorf("ransomware with only online copies: %+v", r)
	}
	// A tape elsewhere two days old against a 24 h disaster RPO: a breach,
	// bounded; an immutable copy at home an hour old serves ransomware.
	mixed := Latest{Points: []Point{{primary, MediumOnline, now.Add(-30 * time.Minute)}, {elsewhere, MediumTape, now.Add(-48 * time.Hour)},
		{primary, MediumImmutable, now.Add(-time.Hour)}}}
	got = byScenario(Exposures(s, objectives.Strictest{}, mixed, now))
	if f := got[scenario.FacilityLoss]; f.Unbounded || f.Age != 48*time.Hour || !f.Breach || *f.Target != 24*60 {
		t.Errorf("facility loss: %+v", f)
	}
	if r := got[scenario.Ransomware]; r.Age != time.Hour || r.Breach {
		t.Errorf("ransomware: %+v", r)
	}
	// A service's stricter RPO holds the system in a disaster.
	strict := objectives.Strictest{RPO: minutes(12 * 60)}
	if f := byScenario(Exposures(s, strict, mixed, now))[scenario.FacilityLoss]; *f.Target != 12*60 {
		t.Errorf("inherited target %v", *f.Target)
	}
	// Where the system runs is unknown: no copy is known to be elsewhere.
	unknown := *s
	unknown.PrimaryFacilityID = nil
	if f := byScenario(Exposures(&unknown, objectives.Strictest{}, mixed, now))[scenario.FacilityLoss]; !f.Unbounded {
		t.Errorf("facility loss with the primary facility unknown: %+v", f)
	}
}

func TestForecastOf(t *testing.T) {
	day := 24 * time.Hour
	const tb = int64(1) << 40
	// 10 TB used of 300, growing 1 TB a day: full in 290 days.
	var samples []StorageSample
	for ago := 9; ago >= 0; ago-- {
		samples = append(samples, StorageSample{At: now.Add(-time.Duration(ago) * day), CapacityBytes: 300 * tb, UsedBytes: (10 - int64(ago)) * tb})
	}
	f := ForecastOf(samples)
	if f.GrowthPerDay < 0.999*float64(tb) || f.GrowthPerDay > 1.001*float64(tb) {
		t.Fatalf("growth %.0f bytes a day, want 1 TB", f.GrowthPerDay)
	}
	if want := now.Add(290 * day); f.FullOn.Sub(want).Abs() > time.Minute {
		t.Errorf("full on %v, want %v", f.FullOn, want)
	}
	// Flat use: never fills. One sample: no growth.
	flat := []StorageSample{{now.Add(-10 * day), 300 * tb, 5 * tb}, {now, 300 * tb, 5 * tb}}
	if f := ForecastOf(flat); !f.FullOn.IsZero() || f.GrowthPerDay != 0 {
		t.Errorf("flat: %+v", f)
	}
	if f := ForecastOf(flat[1:]); f.SamplesUsed != 1 || !f.FullOn.IsZero() || f.Latest.UsedBytes != 5*tb {
		t.Errorf("one sample: %+v", f)
	}
	if f := ForecastOf([]StorageSample{{now, 10 * tb, 10 * tb}}); !f.AlreadyFull {
		t.Errorf("full storage not said full: %+v", f)
	}
}
