package backup_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/backup"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/scenario"
	"yeonsok/internal/testdb"
)

var now = time.Date(2025, 9, 26, 9, 0, 0, 0, time.UTC)

type fixture struct {
	ctx            context.Context
	store          *backup.Store
	inv            *inventory.Store
	welfare, keis  *inventory.Agency
	home, away     *inventory.Facility
	insurance      *inventory.System // 근로복지공단's, runs in home
	work24         *inventory.System // 한국고용정보원's
	welfareScope   access.Scope
	boundToWelfare backup.Reporter
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	f := &fixture{ctx: access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, ID: 1, Name: "hong"}),
		store: backup.NewStore(db), inv: inventory.NewStore(db),
		welfare: &inventory.Agency{Name: "근로복지공단"}, keis: &inventory.Agency{Name: "한국고용정보원"},
		home: &inventory.Facility{Name: "서울남부지사 전산실", Operator: "self"}, away: &inventory.Facility{Name: "대전 백업센터", Operator: "nirs"}}
	f.store.Now = func() time.Time { return now }
	rpo := inventory.Minutes(24 * 60)
	err := f.inv.Update(f.ctx, access.All(), func(tx *inventory.Tx) error {
		for _, a := range []*inventory.Agency{f.welfare, f.keis} {
			if err := tx.CreateAgency(f.ctx, a); err != nil {
				return err
			}
		}
		for _, fa := range []*inventory.Facility{f.home, f.away} {
			if err := tx.CreateFacility(f.ctx, fa); err != nil {
				return err
			}
		}
		f.insurance = &inventory.System{AgencyID: f.welfare.ID, Name: "노동보험시스템", Grade: 1, PrimaryFacilityID: &f.home.ID,
			RPODisaster: &rpo, RPOFailure: &rpo}
		f.work24 = &inventory.System{AgencyID: f.keis.ID, Name: "고용24", Grade: 1}
		for _, s := range []*inventory.System{f.insurance, f.work24} {
			if err := tx.CreateSystem(f.ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.welfareScope = access.Agency(f.welfare.ID)
	f.boundToWelfare = backup.Reporter{Scope: f.welfareScope, Systems: []int64{f.insurance.ID}, Name: "백업 작업"}
	return f
}

func (f *fixture) run(key, kind string, start time.Time, result string, facility int64, medium string) backup.Run {
	return backup.Run{SystemID: f.insurance.ID, Key: key, Kind: kind, StartedAt: start, EndedAt: start.Add(30 * time.Minute),
		Result: result, Copy: backup.Copy{FacilityID: facility, Medium: medium}}
}

func (f *fixture) status(t *testing.T) *backup.SystemStatus {
	t.Helper()
	inv, err := f.inv.Load(f.ctx, f.welfareScope)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := f.store.Latests(f.ctx, f.welfareScope)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range backup.Judge(inv, latest, 0, now) {
		if st.SystemID == f.insurance.ID {
			return st
		}
	}
	t.Fatal("no status of 노동보험시스템")
	return nil
}

// version is the store's count of changes to the latest states.
func (f *fixture) version(t *testing.T) int64 {
	t.Helper()
	v, err := f.store.Version(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func field(err error) string {
	if e, ok := apperror.As(err); ok {
		return e.Field
	}
	return ""
}

func TestReportIsIdempotentAndAllOrNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		day := 24 * time.Hour
		runs := []backup.Run{
			f.run("full-0920", backup.KindFull, now.Add(-6*day), backup.ResultSuccess, f.home.ID, backup.MediumOnline),
			f.run("incr-0926", backup.KindIncremental, now.Add(-3*time.Hour), backup.ResultSuccess, f.home.ID, backup.MediumOnline),
		}
		before := f.version(t)
		rc, err := f.store.Report(f.ctx, f.boundToWelfare, runs)
		if err != nil || rc.Accepted != 2 || rc.Duplicates != 0 {
			t.Fatalf("first report: %+v (%v)", rc, err)
		}
		after := f.version(t)
		if after != before+1 {
			t.Errorf("version %d after a report from %d: a stored report counts once", after, before)
		}
		// The job retries: nothing counts twice.
		if rc, err := f.store.Report(f.ctx, f.boundToWelfare, runs); err != nil || rc.Accepted != 0 || rc.Duplicates != 2 {
			t.Fatalf("the same report again: %+v (%v)", rc, err)
		}
		// One bad run refuses the report: nothing of it is stored.
		bad := []backup.Run{f.run("incr-0926b", backup.KindIncremental, now.Add(-time.Hour), backup.ResultSuccess, f.home.ID, backup.MediumOnline),
			f.run("x", "differential", now.Add(-time.Hour), backup.ResultSuccess, f.home.ID, backup.MediumOnline)}
		if _, err := f.store.Report(f.ctx, f.boundToWelfare, bad); field(err) != "runs[1].kind" {
			t.Errorf("a bad kind: %v (field %q)", err, field(err))
		}
		other := f.run("keis", backup.KindFull, now.Add(-time.Hour), backup.ResultSuccess, f.home.ID, backup.MediumOnline)
		other.SystemID = f.work24.ID
		if _, err := f.store.Report(f.ctx, f.boundToWelfare, []backup.Run{other}); apperror.CodeOf(err) != apperror.Invalid ||
			field(err) != "system_id" {
			t.Errorf("another agency's system: %v", err)
		}
		unbound := backup.Reporter{Scope: f.welfareScope, Systems: []int64{}, Name: "다른 작업"}
		if _, err := f.store.Report(f.ctx, unbound, runs[:1]); err == nil || err.(*apperror.Error).Key != "backup.invalid.not_bound" {
			t.Errorf("a token not bound to the system: %v", err)
		}
		nowhere := f.run("nowhere", backup.KindFull, now.Add(-time.Hour), backup.ResultSuccess, 9999, backup.MediumOnline)
		if _, err := f.store.Report(f.ctx, f.boundToWelfare, []backup.Run{nowhere}); field(err) != "copy.facility_id" {
			t.Errorf("an unknown facility: %v", err)
		}
		var n int
		db.Read.QueryRow(`SELECT COUNT(*) FROM backup_runs`).Scan(&n)
		if n != 2 {
			t.Errorf("%d runs stored, want the first report's 2", n)
		}
		if v := f.version(t); v != after {
			t.Errorf("version %d after duplicates and refused reports, want %d: nothing changed", v, after)
		}

		// The job tests a restore of the full run and reports the run
		// again with it: the test is added, once.
		tested := runs[0]
		tested.RestoreTest = &backup.RestoreTest{At: now.Add(-time.Hour), Result: backup.ResultSuccess, Seconds: 420}
		for i, want := range []int{1, 0} {
			rc, err := f.store.Report(f.ctx, f.boundToWelfare, []backup.Run{tested})
			if err != nil || rc.Accepted != 0 || rc.Duplicates != 1 || rc.RestoreTests != want {
				t.Errorf("report %d of the restore test: %+v (%v), want %d added", i+1, rc, err, want)
			}
		}
		if v := f.version(t); v != after+1 {
			t.Errorf("version %d after the restore test, want %d", v, after+1)
		}
		if st := f.status(t); !st.Latest.LastRestore.Equal(now.Add(-time.Hour)) || st.Latest.LastRestoreOK != backup.ResultSuccess {
			t.Errorf("latest after the restore test: %+v", st.Latest)
		}
		// An older test reported later does not replace the newer one.
		older := tested
		older.RestoreTest = &backup.RestoreTest{At: now.Add(-48 * time.Hour), Result: backup.ResultFailed}
		if rc, err := f.store.Report(f.ctx, f.boundToWelfare, []backup.Run{older}); err != nil || rc.RestoreTests != 0 {
			t.Errorf("an older restore test: %+v (%v)", rc, err)
		}
		if st := f.status(t); st.Latest.LastRestoreOK != backup.ResultSuccess {
			t.Errorf("an older failed test replaced the newer one: %+v", st.Latest)
		}
		st := f.status(t)
		if !st.Latest.LastGood.Equal(now.Add(-3*time.Hour)) || !st.Latest.LastFull.Equal(now.Add(-6*day)) {
			t.Errorf("latest %+v", st.Latest)
		}
	})
}

// The "done when": a system whose copies are all in its primary
// facility has an unbounded facility-loss exposure, whatever its target;
// a tape carried elsewhere bounds it from the moment it is received.
func TestFacilityLossExposureAndOffsiteMoves(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		day := 24 * time.Hour
		runs := []backup.Run{
			// Out of order, as a drained buffer sends them.
			f.run("incr-2", backup.KindIncremental, now.Add(-2*time.Hour), backup.ResultSuccess, f.home.ID, backup.MediumOnline),
			f.run("full-1", backup.KindFull, now.Add(-2*day), backup.ResultSuccess, f.home.ID, backup.MediumTape),
			f.run("incr-3", backup.KindIncremental, now.Add(-time.Hour), backup.ResultFailed, f.home.ID, backup.MediumOnline),
		}
		if _, err := f.store.Report(f.ctx, f.boundToWelfare, runs); err != nil {
			t.Fatal(err)
		}
		st := f.status(t)
		exp := map[string]backup.Exposure{}
		for _, e := range st.Exposures {
			exp[e.Scenario] = e
		}
		if e := exp[scenario.FacilityLoss]; !e.Unbounded || !e.Breach {
			t.Errorf("facility loss with every copy at home: %+v", e)
		}
		if e := exp[scenario.Component]; e.Unbounded || e.Age != 2*time.Hour || e.Breach {
			t.Errorf("component: %+v (a failed run is no copy)", e)
		}
		if e := exp[scenario.Ransomware]; e.Age != 2*day || !e.Breach {
			t.Errorf("ransomware, the tape two days old against 24 h: %+v", e)
		}
		if st.Latest.LastResult != backup.ResultFailed || st.Compliant() {
			t.Errorf("the last run failed: %+v compliant %v", st.Latest, st.Compliant())
		}

		// The full's tape is carried to 대전 by staff and received.
		var fullID int64
		db.Read.QueryRow(`SELECT id FROM backup_runs WHERE report_key = 'full-1'`).Scan(&fullID)
		move := &backup.Move{RunID: fullID, Medium: backup.MediumTape, Label: "T-0042", FromFacilityID: f.home.ID,
			ToFacilityID: f.away.ID, HandedBy: "김철수", HandedAt: now.Add(-day)}
		if err := f.store.RecordMove(f.ctx, access.Agency(f.keis.ID), move); apperror.CodeOf(err) != apperror.NotFound {
			t.Errorf("another agency moves the tape: %v", err)
		}
		if err := f.store.RecordMove(f.ctx, f.welfareScope, move); err != nil {
			t.Fatal(err)
		}
		handed := f.version(t)
		if e := exposure(f.status(t), scenario.FacilityLoss); !e.Unbounded {
			t.Errorf("a tape on its way is not yet elsewhere: %+v", e)
		}
		if _, err := f.store.ReceiveMove(f.ctx, f.welfareScope, move.ID, "", now); field(err) != "received_by" {
			t.Errorf("received by nobody: %v", err)
		}
		if _, err := f.store.ReceiveMove(f.ctx, f.welfareScope, move.ID, "이영희", now.Add(-20*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if v := f.version(t); v != handed+1 {
			t.Errorf("version %d after the receipt, want %d: a copy arrived elsewhere", v, handed+1)
		}
		if _, err := f.store.ReceiveMove(f.ctx, f.welfareScope, move.ID, "이영희", now); apperror.CodeOf(err) != apperror.Conflict {
			t.Errorf("received twice: %v", err)
		}
		e := exposure(f.status(t), scenario.FacilityLoss)
		if e.Unbounded || e.Age != 2*day || !e.Breach || *e.Target != 24*60 {
			t.Errorf("facility loss with the tape in 대전: %+v", e)
		}
		moves, err := f.store.Moves(f.ctx, f.welfareScope, now.Add(-7*day))
		if err != nil || len(moves) != 1 || moves[0].ReceivedBy != "이영희" || moves[0].Label != "T-0042" {
			t.Errorf("moves %+v (%v)", moves, err)
		}
		if moves, _ := f.store.Moves(f.ctx, access.Agency(f.keis.ID), now.Add(-7*day)); len(moves) != 0 {
			t.Errorf("another agency sees %d moves", len(moves))
		}
	})
}

func exposure(st *backup.SystemStatus, kind string) backup.Exposure {
	for _, e := range st.Exposures {
		if e.Scenario == kind {
			return e
		}
	}
	return backup.Exposure{}
}

func TestStorageForecast(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		const tb = int64(1) << 40
		if err := f.store.RecordStorage(f.ctx, f.welfareScope, f.away.ID, backup.StorageSample{At: now, CapacityBytes: tb, UsedBytes: 0}); apperror.CodeOf(err) != apperror.Forbidden {
			t.Errorf("an agency records a shared facility's storage: %v", err)
		}
		for _, c := range []struct {
			name, field string
			facility    int64
			sample      backup.StorageSample
		}{
			{"used beyond capacity", "used_bytes", f.away.ID, backup.StorageSample{At: now, CapacityBytes: tb, UsedBytes: tb + 1}},
			{"measured in the future", "at", f.away.ID, backup.StorageSample{At: now.Add(time.Hour), CapacityBytes: tb}},
			{"no capacity", "capacity_bytes", f.away.ID, backup.StorageSample{At: now}},
			{"no such facility", "facility_id", 99999, backup.StorageSample{At: now, CapacityBytes: tb}},
		} {
			err := f.store.RecordStorage(f.ctx, access.All(), c.facility, c.sample)
			if e, ok := apperror.As(err); !ok || e.Code != apperror.Invalid || e.Field != c.field {
				t.Errorf("%s: %v, want a problem of %s", c.name, err, c.field)
			}
		}
		if got, err := f.store.Forecasts(f.ctx, now); err != nil || len(got) != 0 {
			t.Fatalf("refused samples recorded: %+v %v", got, err)
		}
		for d := 10; d >= 0; d-- {
			s := backup.StorageSample{At: now.Add(-time.Duration(d) * 24 * time.Hour), CapacityBytes: 300 * tb, UsedBytes: (100 - 2*int64(d)) * tb}
			if err := f.store.RecordStorage(f.ctx, access.All(), f.away.ID, s); err != nil {
				t.Fatal(err)
			}
		}
		got, err := f.store.Forecasts(f.ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		fc := got[f.away.ID]
		if want := now.Add(100 * 24 * time.Hour); fc.Latest.UsedBytes != 100*tb || fc.FullOn.Sub(want).Abs() > time.Minute {
			t.Errorf("forecast %+v, want full on %v", fc, want)
		}
	})
}

// A finding is told once when it appears, again when it changes, and
// again only after it cleared and came back; a system no job ever
// reported for is told nothing.
func TestAlertsAreToldOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		day := 24 * time.Hour
		restore := &backup.RestoreTest{At: now.Add(-day), Result: backup.ResultSuccess, Seconds: 600}
		full := f.run("full", backup.KindFull, now.Add(-2*day), backup.ResultSuccess, f.away.ID, backup.MediumTape)
		full.RestoreTest = restore
		incr := f.run("incr", backup.KindIncremental, now.Add(-2*time.Hour), backup.ResultSuccess, f.away.ID, backup.MediumImmutable)
		if _, err := f.store.Report(f.ctx, f.boundToWelfare, []backup.Run{full, incr}); err != nil {
			t.Fatal(err)
		}
		judge := func(at time.Time) []backup.Alert {
			t.Helper()
			inv, err := f.inv.Load(f.ctx, access.All())
			if err != nil {
				t.Fatal(err)
			}
			latest, err := f.store.Latests(f.ctx, access.All())
			if err != nil {
				t.Fatal(err)
			}
			raised, err := f.store.Alerts(f.ctx, backup.Judge(inv, latest, 0, at), at)
			if err != nil {
				t.Fatal(err)
			}
			return raised
		}
		subjects := func(as []backup.Alert) (out []string) {
			for _, a := range as {
				if a.SystemID != f.insurance.ID {
					t.Errorf("an alert for system %d, which no job ever reported for", a.SystemID)
				}
				out = append(out, a.Subject+"="+a.Status)
			}
			return out
		}
		if got := subjects(judge(now)); len(got) != 0 {
			t.Fatalf("a compliant system raised %v", got)
		}
		// The job stops: two days on the incremental is late, told once.
		later := now.Add(2 * day)
		got := judge(later)
		if s := strings.Join(subjects(got), " "); s != "incremental=late exposure:component=breach exposure:facility_loss=breach exposure:ransomware=breach" {
			t.Fatalf("two days later: %v", s)
		}
		if subject, body := got[0].Message("근로복지공단"); subject != "[연속] 노동보험시스템 백업 지연 — 증분 백업 (근로복지공단)" ||
			!strings.Contains(body, "마지막: 2025. 9. 26. 16:00") {
			t.Errorf("message %q\n%s", subject, body)
		}
		if s := subjects(judge(later.Add(time.Hour))); len(s) != 0 {
			t.Errorf("told again an hour later: %v", s)
		}
		// A failed run changes the last run's finding; then the job runs
		// again and everything clears; a later stop is told anew.
		f.store.Now = func() time.Time { return later.Add(2 * time.Hour) }
		failed := f.run("incr-failed", backup.KindIncremental, later, backup.ResultFailed, f.home.ID, backup.MediumOnline)
		if _, err := f.store.Report(f.ctx, f.boundToWelfare, []backup.Run{failed}); err != nil {
			t.Fatal(err)
		}
		if s := subjects(judge(later.Add(time.Hour))); len(s) != 1 || s[0] != "last_run=failed" {
			t.Errorf("after a failed run: %v", s)
		}
		good := f.run("incr-good", backup.KindIncremental, later.Add(time.Hour), backup.ResultSuccess, f.away.ID, backup.MediumImmutable)
		if _, err := f.store.Report(f.ctx, f.boundToWelfare, []backup.Run{good}); err != nil {
			t.Fatal(err)
		}
		if s := subjects(judge(later.Add(2 * time.Hour))); len(s) != 0 {
			t.Errorf("after a good run: %v", s)
		}
		if s := subjects(judge(later.Add(3 * day))); len(s) == 0 || s[0] != "incremental=late" {
			t.Errorf("stopped again: %v", s)
		}
	})
}
