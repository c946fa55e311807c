// Package backup takes backup runs as evidence (issue 7, SPEC §4.5): the
// runs jobs report, where their copies are, the offsite moves that carried
// them, and from these each system's compliance with its backup policy
// and its live RPO exposure in each scenario, against its targets.
package backup

import (
	"strings"
	"time"

	"yeonsok/internal/inventory"
)

// Kinds of backup run.
const (
	KindFull        = "full"
	KindIncremental = "incremental"
	KindLog         = "log"
	KindSnapshot    = "snapshot" // a replication snapshot
)

// Kinds lists the kinds of run.
var Kinds = []string{KindFull, KindIncremental, KindLog, KindSnapshot}

// Results of a run; only a successful run is a copy to restore from.
const (
	ResultSuccess = "success"
	ResultPartial = "partial"
	ResultFailed  = "failed"
)

// Results lists the results of a run.
var Results = []string{ResultSuccess, ResultPartial, ResultFailed}

// Media a copy lives on. Offline copies (out of the network's reach),
// immutable ones (object lock, WORM) and tapes survive ransomware; online
// ones do not.
const (
	MediumOnline    = "online"
	MediumOffline   = "offline"
	MediumImmutable = "immutable"
	MediumTape      = "tape"
)

// Media lists the media.
var Media = []string{MediumOnline, MediumOffline, MediumImmutable, MediumTape}

// SurvivesRansomware reports whether a copy on medium is out of an
// attacker's reach.
func SurvivesRansomware(medium string) bool { return medium != MediumOnline }

// Copy is where a copy of a run is.
type Copy struct {
	FacilityID int64  `json:"facility_id"`
	Medium     string `json:"medium"`
}

// RestoreTest is a restore made from a run to prove it can be.
type RestoreTest struct {
	At      time.Time `json:"at"`
	Result  string    `json:"result"` // success or failed
	Seconds int64     `json:"seconds"`
}

// Run is one backup run as a job reports it. Key is the job's own name
// for the run: a job that retries sends the same key, and the run counts
// once.
type Run struct {
	ID          int64        `json:"id,omitempty"`
	SystemID    int64        `json:"system_id"`
	Key         string       `json:"key"`
	Kind        string       `json:"kind"`
	StartedAt   time.Time    `json:"started_at"`
	EndedAt     time.Time    `json:"ended_at"`
	SizeBytes   *int64       `json:"size_bytes,omitempty"`
	Result      string       `json:"result"`
	Copy        Copy         `json:"copy"`
	RestoreTest *RestoreTest `json:"restore_test,omitempty"`
	Note        string       `json:"note,omitempty"`
}

// MaxKey bounds a run's key.
const MaxKey = 200

// Validate checks a run's own fields, every problem by its field; whether
// its system and facility exist, and whether the caller may report for
// them, is the store's to check.
func (r *Run) Validate(now time.Time) inventory.Problems {
	var p inventory.Problems
	r.Key, r.Note = strings.TrimSpace(r.Key), strings.TrimSpace(r.Note)
	if r.SystemID <= 0 {
		p.Add("system_id", "invalid.required")
	}
	p.Required("key", r.Key)
	p.Text("key", r.Key, MaxKey)
	p.OneOf("kind", r.Kind, Kinds)
	p.OneOf("result", r.Result, Results)
	switch {
	case r.StartedAt.IsZero():
		p.Add("started_at", "invalid.required")
	case r.EndedAt.IsZero():
		p.Add("ended_at", "invalid.required")
	case r.EndedAt.Before(r.StartedAt):
		p.Add("ended_at", "backup.invalid.ends_before_start")
	case r.EndedAt.After(now.Add(MaxClockSkew)):
		p.Add("ended_at", "backup.invalid.future")
	}
	if r.SizeBytes != nil && *r.SizeBytes < 0 {
		p.Add("size_bytes", "invalid.negative")
	}
	if r.Copy.FacilityID <= 0 {
		p.Add("copy.facility_id", "invalid.required")
	}
	p.OneOf("copy.medium", r.Copy.Medium, Media)
	if t := r.RestoreTest; t != nil {
		if t.At.IsZero() {
			p.Add("restore_test.at", "invalid.required")
		}
		p.OneOf("restore_test.result", t.Result, []string{ResultSuccess, ResultFailed})
		if t.Seconds < 0 {
			p.Add("restore_test.seconds", "invalid.negative")
		}
	}
	p.Text("note", r.Note, inventory.MaxLongText)
	return p
}

// MaxClockSkew is how far in the future a job's clock may put a run's end
// before the report is refused as wrong.
const MaxClockSkew = 5 * time.Minute

// Policy is what a system's backups must achieve: a full backup at least
// every FullEvery, some backup (incremental or better) every IncrEvery, a
// copy outside the primary facility every OffsiteEvery, a successful
// restore test every RestoreTestEvery.
type Policy struct {
	FullEvery, IncrEvery, OffsiteEvery, RestoreTestEvery time.Duration
}

// The plan's criterion (full at least once a week, incremental at least
// once a day) is the default policy; an offsite copy weekly and a restore
// test twice a year are this tower's defaults where a system declares
// nothing (docs/backups.md).
const (
	DefaultFullEvery        = 7 * 24 * time.Hour
	DefaultIncrEvery        = 24 * time.Hour
	DefaultOffsiteEvery     = 7 * 24 * time.Hour
	DefaultRestoreTestEvery = 180 * 24 * time.Hour
)

// PolicyOf is a system's policy: its declared schedule where it declares
// one, no laxer than the plan's criterion, and the defaults elsewhere.
// restoreTestEvery is the tower's setting (zero: the default).
func PolicyOf(s *inventory.System, restoreTestEvery time.Duration) Policy {
	p := Policy{FullEvery: DefaultFullEvery, IncrEvery: DefaultIncrEvery, OffsiteEvery: DefaultOffsiteEvery,
		RestoreTestEvery: restoreTestEvery}
	if p.RestoreTestEvery <= 0 {
		p.RestoreTestEvery = DefaultRestoreTestEvery
	}
	declared := func(m *inventory.Minutes, plan time.Duration) time.Duration {
		if m == nil || *m <= 0 {
			return plan
		}
		return min(time.Duration(*m)*time.Minute, plan)
	}
	p.FullEvery = declared(s.BackupFullEvery, p.FullEvery)
	p.IncrEvery = declared(s.BackupIncrEvery, p.IncrEvery)
	if s.OffsiteEvery != nil && *s.OffsiteEvery > 0 {
		p.OffsiteEvery = time.Duration(*s.OffsiteEvery) * time.Minute
	}
	return p
}
