package incident_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/monitor"
	"yeonsok/internal/testdb"
)

var t0 = time.Date(2025, 9, 26, 11, 15, 0, 0, time.UTC)

type fixture struct {
	db                      *database.DB
	store                   *incident.Store
	inv                     *inventory.Store
	ctx                     context.Context
	welfare, keis           *inventory.Agency
	insurance, employment   *inventory.System // 근로복지공단's: grade 1 (RTO 1 h), grade 3
	work24                  *inventory.System // 한국고용정보원's: grade 1
	welfareScope, keisScope access.Scope
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	ctx := access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, ID: 7, Name: "hong"})
	f := &fixture{db: db, store: incident.NewStore(db), inv: inventory.NewStore(db), ctx: ctx,
		welfare: &inventory.Agency{Name: "근로복지공단"}, keis: &inventory.Agency{Name: "한국고용정보원"}}
	f.store.Now = func() time.Time { return t0.Add(time.Hour) }
	rto := inventory.Minutes(60)
	err := f.inv.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		for _, a := range []*inventory.Agency{f.welfare, f.keis} {
			if err := tx.CreateAgency(ctx, a); err != nil {
				return err
			}
		}
		f.insurance = &inventory.System{AgencyID: f.welfare.ID, Name: "노동보험시스템", Grade: 1, RTOFailure: &rto}
		f.employment = &inventory.System{AgencyID: f.welfare.ID, Name: "고용보험시스템", Grade: 3}
		f.work24 = &inventory.System{AgencyID: f.keis.ID, Name: "고용24", Grade: 1}
		for _, s := range []*inventory.System{f.insurance, f.employment, f.work24} {
			if err := tx.CreateSystem(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.welfareScope, f.keisScope = access.Agency(f.welfare.ID), access.Agency(f.keis.ID)
	return f
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return apperror.CodeOf(err)
}

// Signals open an incident, join it for the same system or for another
// system of the agency going down within minutes, and open another for
// another agency; a recovery stops the system's clock.
func TestDetectJoinAndRestore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		first, opened, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.insurance.ID, At: t0, Source: incident.SourceMonitor, Reason: "connection refused"})
		if err != nil || !opened {
			t.Fatalf("first signal: opened %v (%v)", opened, err)
		}
		if first.State != incident.Detected || first.Severity != incident.SeverityNational || first.AgencyID != f.welfare.ID ||
			len(first.Systems) != 1 || first.Systems[0].RTO != time.Hour || !first.Systems[0].DownAt.Equal(t0) ||
			!first.ReportedAt.IsZero() || len(first.Events) != 1 || first.Events[0].Kind != incident.EventOpened {
			t.Fatalf("opened %+v", first)
		}

		again, opened, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.insurance.ID, At: t0.Add(time.Minute), Source: incident.SourceAlert})
		if err != nil || opened || again.ID != first.ID || len(again.Systems) != 1 || len(again.Events) != 1 {
			t.Fatalf("a duplicate signal: %+v opened %v (%v)", again, opened, err)
		}
		// Another system of the agency, five minutes on, reported by a person.
		joined, opened, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.employment.ID, At: t0.Add(5 * time.Minute), Source: incident.SourceReport})
		if err != nil || opened || joined.ID != first.ID || len(joined.Systems) != 2 || joined.Severity != incident.SeverityNational ||
			!joined.ReportedAt.Equal(t0.Add(5*time.Minute)) {
			t.Fatalf("the agency's second system: %+v opened %v (%v)", joined, opened, err)
		}
		other, opened, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.work24.ID, At: t0.Add(time.Minute), Source: incident.SourceMonitor})
		if err != nil || !opened || other.ID == first.ID || other.AgencyID != f.keis.ID {
			t.Fatalf("another agency's system: %+v opened %v (%v)", other, opened, err)
		}

		if n, err := f.store.Restore(f.ctx, f.insurance.ID, t0.Add(40*time.Minute), "probe answered"); err != nil || n != 1 {
			t.Fatalf("restore: %d (%v)", n, err)
		}
		got, err := f.store.Incident(f.ctx, f.welfareScope, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		clock := got.Systems[0].Clock()
		if met, ok := clock.Met(); got.Systems[0].SystemID != f.insurance.ID || !ok || !met || clock.Elapsed(t0.Add(10*time.Hour)) != 40*time.Minute {
			t.Errorf("the restored system's clock: %+v", got.Systems[0])
		}
		if last := got.Events[len(got.Events)-1]; last.Kind != incident.EventRestored || last.SystemID != f.insurance.ID || last.Author != "hong" {
			t.Errorf("last timeline entry %+v", last)
		}
		// Down again within the same open incident: the clock runs again.
		if _, _, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.insurance.ID, At: t0.Add(50 * time.Minute), Source: incident.SourceMonitor}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.store.Incident(f.ctx, access.All(), first.ID); !got.Systems[0].RestoredAt.IsZero() {
			t.Errorf("down again, still restored: %+v", got.Systems[0])
		}

		if list, err := f.store.Open(f.ctx, f.welfareScope); err != nil || len(list) != 1 || list[0].ID != first.ID {
			t.Errorf("welfare's open incidents: %v (%v)", list, err)
		}
		if list, _ := f.store.Open(f.ctx, access.All()); len(list) != 2 {
			t.Errorf("the ministry sees %d open incidents", len(list))
		}
		if _, err := f.store.Incident(f.ctx, f.keisScope, first.ID); code(err) != apperror.NotFound {
			t.Errorf("another agency's incident: %v", err)
		}
		if _, _, err := f.store.Detect(f.ctx, incident.Signal{SystemID: 99999, Source: incident.SourceMonitor}); code(err) != apperror.NotFound {
			t.Errorf("an unknown system: %v", err)
		}
	})
}

// A machine repeating that a system is down (Alertmanager resends a firing
// alert every repeat_interval) adds nothing while the system is down in
// the open incident; a person's report of it is still recorded, and once
// the system is back a new signal is news again.
func TestRepeatedSignalAddsNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		alert := incident.Signal{SystemID: f.insurance.ID, At: t0, Source: incident.SourceAlert, Reason: "InstanceDown: 노동보험시스템 응답 없음"}
		first, opened, err := f.store.Detect(f.ctx, alert)
		if err != nil || !opened {
			t.Fatalf("first alert: opened %v (%v)", opened, err)
		}
		for range 3 {
			again, opened, err := f.store.Detect(f.ctx, alert)
			if err != nil || opened || again.ID != first.ID || len(again.Events) != 1 || !again.Systems[0].DownAt.Equal(t0) {
				t.Fatalf("repeated alert: %+v opened %v (%v)", again, opened, err)
			}
		}
		monitored, _, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.insurance.ID, At: t0.Add(time.Minute), Source: incident.SourceMonitor})
		if err != nil || monitored.ID != first.ID || len(monitored.Events) != 1 {
			t.Fatalf("the monitoring on a system already down: %+v (%v)", monitored, err)
		}
		reported, _, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.insurance.ID, At: t0.Add(2 * time.Minute), Source: incident.SourceReport, Reason: "지사 신고"})
		if err != nil || len(reported.Events) != 2 || reported.Events[1].Text != "지사 신고" || !reported.ReportedAt.Equal(t0.Add(2*time.Minute)) {
			t.Fatalf("a person's report of a system already down: %+v (%v)", reported, err)
		}
		if _, err := f.store.Restore(f.ctx, f.insurance.ID, t0.Add(10*time.Minute), "InstanceDown resolved"); err != nil {
			t.Fatal(err)
		}
		alert.At = t0.Add(20 * time.Minute)
		down, opened, err := f.store.Detect(f.ctx, alert)
		if err != nil || opened || down.ID != first.ID || len(down.Events) != 4 || down.Events[3].Kind != incident.EventSignal ||
			!down.Systems[0].RestoredAt.IsZero() {
			t.Fatalf("down again after it came back: %+v opened %v (%v)", down, opened, err)
		}
	})
}

// A person moves an incident along its states; what may not be is refused
// by field; the review waits for the manual backlog unless a reason is
// given; every move is on the timeline and in the audit log.
func TestMove(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		inc, _, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.employment.ID, At: t0, Source: incident.SourceMonitor})
		if err != nil {
			t.Fatal(err)
		}
		if inc.Severity != incident.SeverityModerate {
			t.Errorf("a grade-3 system's incident is %s", inc.Severity)
		}
		if _, err := f.store.Move(f.ctx, f.welfareScope, inc.ID, incident.Reviewed, "", ""); code(err) != apperror.Invalid {
			t.Errorf("detected → reviewed: %v", err)
		}
		if _, err := f.store.Move(f.ctx, f.keisScope, inc.ID, incident.Declared, "", ""); code(err) != apperror.NotFound {
			t.Errorf("another agency declares: %v", err)
		}
		declared, err := f.store.Move(f.ctx, f.welfareScope, inc.ID, incident.Declared, "고용센터 수기 접수 안내", "")
		if err != nil || declared.State != incident.Declared || !declared.ReportedAt.Equal(t0.Add(time.Hour)) || !declared.DeclaredAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("declare: %+v (%v)", declared, err)
		}
		if r := incident.ReportingOf(declared.DetectedAt, declared.ReportedAt, t0.Add(2*time.Hour), 0); !r.Reported || r.Credited || r.Delay != time.Hour {
			t.Errorf("reported an hour after detection: %+v", r)
		}
		resolved, err := f.store.Move(f.ctx, f.welfareScope, inc.ID, incident.Resolved, "", "")
		if err != nil {
			t.Fatal(err)
		}
		// Resolving stops the clock no probe stopped.
		if stop := resolved.Systems[0].RestoredAt; !stop.Equal(t0.Add(time.Hour)) {
			t.Errorf("the clock stopped at %v on resolving, want %v", stop, t0.Add(time.Hour))
		}
		reviewed, err := f.store.Move(f.ctx, f.welfareScope, inc.ID, incident.Reviewed, "검토 완료", "")
		if err != nil || reviewed.State != incident.Reviewed {
			t.Fatalf("review with nothing taken by hand: %+v (%v)", reviewed, err)
		}
		last := reviewed.Events[len(reviewed.Events)-1]
		if last.Kind != incident.EventState || last.Author != "hong" || last.Text != "reviewed: 검토 완료" {
			t.Errorf("last entry %+v", last)
		}
		entries, err := audit.List(f.ctx, db, f.welfareScope, audit.Filter{Kind: audit.KindIncident, RecordID: inc.ID})
		if err != nil || len(entries) != 3 {
			t.Errorf("%d audit entries (%v)", len(entries), err)
		}
		// Closed: a new signal opens a new incident.
		next, opened, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.employment.ID, At: t0.Add(time.Minute), Source: incident.SourceMonitor})
		if err != nil || !opened || next.ID == inc.ID {
			t.Errorf("after the review: %+v opened %v (%v)", next, opened, err)
		}
		if err := f.store.Note(f.ctx, f.welfareScope, next.ID, "  "); code(err) != apperror.Invalid {
			t.Errorf("an empty note: %v", err)
		}
		if err := f.store.Note(f.ctx, f.welfareScope, next.ID, "원인 조사 중"); err != nil {
			t.Error(err)
		}
	})
}

// The timeline is never rewritten, and a system in an incident cannot be
// deleted from under it.
func TestTimelineIsAppendOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		if _, _, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.insurance.ID, At: t0, Source: incident.SourceMonitor}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`UPDATE incident_events SET text = 'nothing happened'`, `DELETE FROM incident_events`} {
			if _, err := db.Write.Exec(q); err == nil {
				t.Errorf("%s went through", q)
			}
		}
		err := f.inv.Update(f.ctx, access.All(), func(tx *inventory.Tx) error { return tx.DeleteSystem(f.ctx, f.insurance.ID) })
		if code(err) != apperror.Conflict {
			t.Errorf("deleting a system in an incident: %v", err)
		}
	})
}

// What the monitoring hears of a system reaches its incident: down opens
// one with the tower as author and the probe's reason, back stops the
// clock; a system that is gone is nothing to follow.
func TestFollowMonitoring(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		down := monitor.SystemEvent{SystemID: f.work24.ID, Down: true, At: t0, Reason: "https://www.work24.go.kr/: timeout after 10s"}
		if err := f.store.FollowMonitoring(context.Background(), down); err != nil {
			t.Fatal(err)
		}
		open, err := f.store.Open(context.Background(), f.keisScope)
		if err != nil || len(open) != 1 || open[0].Source != incident.SourceMonitor || open[0].Severity != incident.SeverityNational {
			t.Fatalf("open incidents %+v (%v)", open, err)
		}
		if err := f.store.FollowMonitoring(context.Background(), monitor.SystemEvent{SystemID: f.work24.ID, At: t0.Add(2*time.Hour + 42*time.Minute)}); err != nil {
			t.Fatal(err)
		}
		inc, err := f.store.Incident(f.ctx, f.keisScope, open[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if first := inc.Events[0]; first.Author != "yeonsok" || first.Text != down.Reason {
			t.Errorf("opened by %q: %q", first.Author, first.Text)
		}
		if e := inc.Systems[0].Clock().Elapsed(t0.Add(24 * time.Hour)); e != 2*time.Hour+42*time.Minute {
			t.Errorf("the clock ran %v, want 2h42m (09:15 to 11:57)", e)
		}
		if err := f.store.FollowMonitoring(context.Background(), monitor.SystemEvent{SystemID: 99999, Down: true, At: t0}); err != nil {
			t.Errorf("a system that is gone: %v", err)
		}
	})
}

// Each stage a running RTO clock passes is warned of once, in order, on
// the timeline; grade-1 clocks past 80 % escalate; a restored system or
// one without a target owes nothing.
func TestClockWarnings(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		inc, _, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.insurance.ID, At: t0, Source: incident.SourceMonitor})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.employment.ID, At: t0, Source: incident.SourceMonitor}); err != nil {
			t.Fatal(err)
		}
		stages := func(at time.Duration) []string {
			t.Helper()
			list, err := f.store.ClockWarnings(f.ctx, t0.Add(at))
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, w := range list {
				if w.SystemID != f.insurance.ID || w.IncidentID != inc.ID || w.Target != time.Hour || w.Elapsed != at {
					t.Errorf("warning %+v", w)
				}
				out = append(out, fmt.Sprintf("%s %v", w.Stage, w.Escalate))
			}
			return out
		}
		if got := stages(20 * time.Minute); len(got) != 0 {
			t.Errorf("at 20 min: %v", got)
		}
		if got := stages(50 * time.Minute); !slices.Equal(got, []string{"half false", "late true"}) {
			t.Errorf("at 50 min: %v", got)
		}
		if got := stages(55 * time.Minute); len(got) != 0 {
			t.Errorf("again at 55 min: %v", got)
		}
		if got := stages(61 * time.Minute); !slices.Equal(got, []string{"breached true"}) {
			t.Errorf("at 61 min: %v", got)
		}
		got, _ := f.store.Incident(f.ctx, access.All(), inc.ID)
		var clock []string
		for _, e := range got.Events {
			if e.Kind == incident.EventClock {
				clock = append(clock, e.Text)
			}
		}
		if !slices.Equal(clock, []string{"half", "late", "breached"}) {
			t.Errorf("timeline clock entries %v", clock)
		}
		if _, err := f.store.Restore(f.ctx, f.insurance.ID, t0.Add(2*time.Hour), ""); err != nil {
			t.Fatal(err)
		}
		if list, _ := f.store.ClockWarnings(f.ctx, t0.Add(10*time.Hour)); len(list) != 0 {
			t.Errorf("after the restore: %+v", list)
		}
	})
}

// Two people moving one incident at once: one move wins and the other is
// refused, never undoing it; two signals of one system at once (the
// monitoring and a person's report) make one incident. PostgreSQL runs
// such transactions side by side; SQLite's one writer takes them in turn.
func TestConcurrentMovesAndSignals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		for round := range 15 {
			inc, _, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.employment.ID, At: t0, Source: incident.SourceMonitor})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.store.Move(f.ctx, f.welfareScope, inc.ID, incident.Resolved, "", ""); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var reviewErr, declareErr error
			wg.Go(func() { _, reviewErr = f.store.Move(f.ctx, f.welfareScope, inc.ID, incident.Reviewed, "", "") })
			wg.Go(func() { _, declareErr = f.store.Move(f.ctx, f.welfareScope, inc.ID, incident.Declared, "", "") })
			wg.Wait()
			got, _ := f.store.Incident(f.ctx, f.welfareScope, inc.ID)
			if (reviewErr == nil) == (declareErr == nil) || (got.State == incident.Declared) != (declareErr == nil) {
				t.Fatalf("round %d: review %v, declare %v, state %s", round, reviewErr, declareErr, got.State)
			}
			for _, to := range []incident.State{incident.Resolved, incident.Reviewed} {
				f.store.Move(f.ctx, f.welfareScope, inc.ID, to, "", "")
			}

			var a, b *incident.Incident
			wg.Go(func() {
				a, _, _ = f.store.Detect(f.ctx, incident.Signal{SystemID: f.insurance.ID, At: t0, Source: incident.SourceMonitor})
			})
			wg.Go(func() {
				b, _, _ = f.store.Detect(f.ctx, incident.Signal{SystemID: f.insurance.ID, At: t0, Source: incident.SourceReport})
			})
			wg.Wait()
			if a == nil || b == nil || a.ID != b.ID {
				t.Fatalf("round %d: two signals of one system made incidents %v and %v", round, a, b)
			}
			for _, to := range []incident.State{incident.Resolved, incident.Reviewed} {
				if _, err := f.store.Move(f.ctx, f.welfareScope, a.ID, to, "", ""); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// What a crash lost between the monitoring's interruptions and the
// incidents is made good at start: an open interruption without its
// incident opens one, an incident whose system's interruptions all ended
// is restored at the last end; a person's report is left alone, and a
// second run changes nothing.
func TestReconcile(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		err := f.inv.Update(f.ctx, access.All(), func(tx *inventory.Tx) error {
			sys, err := tx.System(f.ctx, f.insurance.ID)
			if err != nil {
				return err
			}
			sys.Endpoints = []inventory.Endpoint{{Target: "https://insurance.example/health"}}
			return tx.UpdateSystem(f.ctx, sys)
		})
		if err != nil {
			t.Fatal(err)
		}
		monitors := monitor.NewStore(db)
		if _, err := monitors.SyncChecks(f.ctx); err != nil {
			t.Fatal(err)
		}
		checks, _ := monitors.SystemChecks(f.ctx, access.All(), f.insurance.ID)
		if _, err := monitors.OpenInterruption(f.ctx, &monitor.Interruption{CheckID: checks[0].ID, StartedAt: t0, Reason: "timeout"}); err != nil {
			t.Fatal(err)
		}
		reported, _, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.work24.ID, At: t0, Source: incident.SourceReport})
		if err != nil {
			t.Fatal(err)
		}

		for i, want := range [][2]int{{1, 0}, {0, 0}} {
			if opened, restored, err := f.store.Reconcile(f.ctx); err != nil || opened != want[0] || restored != want[1] {
				t.Fatalf("run %d with the interruption open: opened %d restored %d (%v), want %v", i+1, opened, restored, err, want)
			}
		}
		open, _ := f.store.Open(f.ctx, f.welfareScope)
		if len(open) != 1 || !open[0].Systems[0].DownAt.Equal(t0) || open[0].Source != incident.SourceMonitor {
			t.Fatalf("welfare's incidents %+v", open)
		}
		if _, err := monitors.CloseInterruption(f.ctx, checks[0].ID, t0.Add(30*time.Minute)); err != nil {
			t.Fatal(err)
		}
		for i, want := range [][2]int{{0, 1}, {0, 0}} {
			if opened, restored, err := f.store.Reconcile(f.ctx); err != nil || opened != want[0] || restored != want[1] {
				t.Fatalf("run %d after it ended: opened %d restored %d (%v), want %v", i+1, opened, restored, err, want)
			}
		}
		got, _ := f.store.Incident(f.ctx, access.All(), open[0].ID)
		if !got.Systems[0].RestoredAt.Equal(t0.Add(30 * time.Minute)) {
			t.Errorf("restored at %v, want 30 minutes after t0", got.Systems[0].RestoredAt)
		}
		if got, _ := f.store.Incident(f.ctx, access.All(), reported.ID); !got.Systems[0].RestoredAt.IsZero() {
			t.Errorf("a person's report was restored: %+v", got.Systems[0])
		}
	})
}
