package monitor_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/monitor"
	"yeonsok/internal/testdb"
)

var t0 = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)

// fixture is two agencies: 근로복지공단 (welfare) runs 노동보험시스템
// (grade 1, RTO 1 h on failure) with a web page and a database port;
// 한국고용정보원 (keis) runs 고용24 (grade 3) with a DNS name. The store's
// clock stands at t0.
type fixture struct {
	db             *database.DB
	store          *monitor.Store
	inv            *inventory.Store
	ctx            context.Context
	welfare, keis  *inventory.Agency
	insurance, w24 *inventory.System
	welfareScope   access.Scope
	keisScope      access.Scope
}

func newFixture(t testing.TB, db *database.DB) *fixture {
	t.Helper()
	ctx := access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, ID: 7, Name: "hong"})
	f := &fixture{db: db, store: monitor.NewStore(db), inv: inventory.NewStore(db), ctx: ctx,
		welfare: &inventory.Agency{Name: "근로복지공단"}, keis: &inventory.Agency{Name: "한국고용정보원"}}
	f.store.Now = func() time.Time { return t0 }
	rto := inventory.Minutes(60)
	err := f.inv.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		for _, a := range []*inventory.Agency{f.welfare, f.keis} {
			if err := tx.CreateAgency(ctx, a); err != nil {
				return err
			}
		}
		f.insurance = &inventory.System{AgencyID: f.welfare.ID, Name: "노동보험시스템", Grade: 1, RTOFailure: &rto,
			Endpoints: []inventory.Endpoint{{Target: "https://insurance.example.go.kr/health"}, {Target: "tcp://db.insurance:5432"}}}
		f.w24 = &inventory.System{AgencyID: f.keis.ID, Name: "고용24", Grade: 3,
			Endpoints: []inventory.Endpoint{{Target: "dns://www.work24.go.kr"}}}
		for _, s := range []*inventory.System{f.insurance, f.w24} {
			if err := tx.CreateSystem(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	f.welfareScope, f.keisScope = access.Agency(f.welfare.ID), access.Agency(f.keis.ID)
	if _, err := f.store.SyncChecks(ctx); err != nil {
		t.Fatalf("fixture: sync: %v", err)
	}
	return f
}

// check returns the check of target, as the ministry sees it.
func (f *fixture) check(t testing.TB, target string) monitor.Check {
	t.Helper()
	for _, sys := range []*inventory.System{f.insurance, f.w24} {
		list, err := f.store.SystemChecks(f.ctx, access.All(), sys.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			if c.Target == target {
				return c
			}
		}
	}
	t.Fatalf("no check of %s", target)
	return monitor.Check{}
}

// setEndpoints rewrites a system's endpoints, as an edit of the system does.
func (f *fixture) setEndpoints(t *testing.T, sys *inventory.System, targets ...string) {
	t.Helper()
	sys.Endpoints = nil
	for _, target := range targets {
		sys.Endpoints = append(sys.Endpoints, inventory.Endpoint{Target: target})
	}
	if err := f.inv.Update(f.ctx, access.All(), func(tx *inventory.Tx) error { return tx.UpdateSystem(f.ctx, sys) }); err != nil {
		t.Fatal(err)
	}
}

// history is the audit log's entries of one record, oldest first.
func history(t *testing.T, f *fixture, scope access.Scope, kind string, id int64) []audit.Entry {
	t.Helper()
	list, err := audit.List(f.ctx, f.db, scope, audit.Filter{Kind: kind, RecordID: id})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(list)
	return list
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return apperror.CodeOf(err)
}

func field(err error) string {
	if e, ok := apperror.As(err); ok {
		return e.Field
	}
	return ""
}

func TestSyncChecks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		checks, err := f.store.Checks(f.ctx, access.All())
		if err != nil || len(checks) != 3 {
			t.Fatalf("%d checks (%v), want 3", len(checks), err)
		}
		web, dns := checks[0], checks[2]
		if web.Target != "https://insurance.example.go.kr/health" || web.Kind != monitor.KindHTTP || web.SystemID != f.insurance.ID ||
			web.AgencyID != f.welfare.ID || !web.Active || web.Interval != 30*time.Second || web.Timeout != monitor.DefaultTimeout ||
			web.FailuresToDown != 3 || web.SuccessesToUp != 2 || web.Method != "GET" {
			t.Errorf("grade 1 web check %+v", web)
		}
		if dns.Kind != monitor.KindDNS || dns.Interval != 2*time.Minute || dns.RecordType != "A" {
			t.Errorf("grade 3 DNS check %+v", dns)
		}
		if r, err := f.store.SyncChecks(f.ctx); err != nil || r.Changed() {
			t.Errorf("second sync changed %+v (%v)", r, err)
		}

		// The database port leaves the inventory while down, and a TLS
		// check arrives: the port's check is kept inactive, its
		// interruption ends, and it comes back with its settings.
		port := f.check(t, "tcp://db.insurance:5432")
		port.FailuresToDown = 5
		if err := f.store.UpdateCheck(f.ctx, access.All(), &port); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.OpenInterruption(f.ctx, &monitor.Interruption{CheckID: port.ID, StartedAt: t0.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		f.setEndpoints(t, f.insurance, "https://insurance.example.go.kr/health", "tls://insurance.example.go.kr:443")
		if r, err := f.store.SyncChecks(f.ctx); err != nil || r != (monitor.SyncResult{Added: 1, Deactivated: 1}) {
			t.Fatalf("sync after the edit: %+v (%v)", r, err)
		}
		if open, _ := f.store.OpenInterruptions(f.ctx); len(open) != 0 {
			t.Errorf("the gone endpoint's interruption is still open: %+v", open[0])
		}
		list, _ := f.store.SystemChecks(f.ctx, access.All(), f.insurance.ID)
		active := map[string]bool{}
		for _, c := range list {
			active[c.Target] = c.Active
		}
		if len(list) != 3 || active["tcp://db.insurance:5432"] || !active["tls://insurance.example.go.kr:443"] {
			t.Errorf("checks of the system after the edit: %v", active)
		}
		if checks, _ := f.store.Checks(f.ctx, access.All()); len(checks) != 3 {
			t.Errorf("%d active checks, want 3", len(checks))
		}

		f.setEndpoints(t, f.insurance, "https://insurance.example.go.kr/health", "tcp://db.insurance:5432", "tls://insurance.example.go.kr:443")
		if r, err := f.store.SyncChecks(f.ctx); err != nil || r != (monitor.SyncResult{Reactivated: 1}) {
			t.Fatalf("sync after the port came back: %+v (%v)", r, err)
		}
		back := f.check(t, "tcp://db.insurance:5432")
		if back.ID != port.ID || !back.Active || back.FailuresToDown != 5 {
			t.Errorf("the port's check came back as %+v", back)
		}
	})
}

func TestScopeIsolation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		mine, err := f.store.Checks(f.ctx, f.welfareScope)
		if err != nil || len(mine) != 2 {
			t.Fatalf("welfare sees %d checks (%v), want 2", len(mine), err)
		}
		theirs := f.check(t, "dns://www.work24.go.kr")
		win := &monitor.MaintenanceWindow{SystemID: f.w24.ID, StartsAt: t0, EndsAt: t0.Add(time.Hour)}
		if err := f.store.CreateMaintenanceWindow(f.ctx, f.keisScope, win); err != nil {
			t.Fatal(err)
		}
		hour := t0.Add(-time.Hour)
		scope, other := f.welfareScope, f.w24.ID
		attempts := []struct {
			name string
			try  func() error
		}{
			{"check", func() error { _, err := f.store.Check(f.ctx, scope, theirs.ID); return err }},
			{"update", func() error {
				return f.store.UpdateCheck(f.ctx, scope, &monitor.Check{ID: theirs.ID, Interval: time.Minute})
			}},
			{"system", func() error { _, err := f.store.SystemChecks(f.ctx, scope, other); return err }},
			{"rollups", func() error { _, err := f.store.Rollups(f.ctx, scope, theirs.ID, hour, t0); return err }},
			{"interruptions", func() error { _, err := f.store.Interruptions(f.ctx, scope, other, hour, t0); return err }},
			{"uptime", func() error { _, err := f.store.SystemUptime(f.ctx, scope, other, hour, t0); return err }},
			{"windows", func() error { _, err := f.store.MaintenanceWindows(f.ctx, scope, other, hour, t0); return err }},
			{"window", func() error { _, err := f.store.MaintenanceWindow(f.ctx, scope, win.ID); return err }},
			{"add window", func() error {
				return f.store.CreateMaintenanceWindow(f.ctx, scope, &monitor.MaintenanceWindow{SystemID: other, StartsAt: t0, EndsAt: t0.Add(time.Hour)})
			}},
			{"edit window", func() error {
				return f.store.UpdateMaintenanceWindow(f.ctx, scope, &monitor.MaintenanceWindow{ID: win.ID, StartsAt: t0, EndsAt: t0.Add(2 * time.Hour)})
			}},
			{"delete window", func() error { return f.store.DeleteMaintenanceWindow(f.ctx, scope, win.ID) }},
		}
		for _, a := range attempts {
			if err := a.try(); code(err) != apperror.NotFound {
				t.Errorf("%s of another agency: %v, want not found", a.name, err)
			}
		}
		if got, err := f.store.Check(f.ctx, f.keisScope, theirs.ID); err != nil || got.Interval != 0 {
			t.Errorf("keis reads its own check: %+v (%v)", got, err)
		}
		if list, _ := f.store.MaintenanceWindows(f.ctx, f.keisScope, f.w24.ID, hour, t0.Add(time.Hour)); len(list) != 1 {
			t.Errorf("the window was changed or removed by another agency: %+v", list)
		}
	})
}

func TestUpdateCheck(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		web := f.check(t, "https://insurance.example.go.kr/health")
		web.Interval, web.Method = 15*time.Second, "head"
		web.Headers = map[string]string{"X-Probe": "yeonsok"}
		web.ExpectStatus, web.BodyContains, web.MaxLatency, web.SkipVerify = []int{200}, "ok", 2*time.Second, true
		web.Kind, web.Target = monitor.KindTCP, "tcp://elsewhere:1" // from the inventory: ignored
		if err := f.store.UpdateCheck(f.ctx, f.welfareScope, &web); err != nil {
			t.Fatal(err)
		}
		got, err := f.store.Check(f.ctx, f.welfareScope, web.ID)
		if err != nil || got.Interval != 15*time.Second || got.Method != "HEAD" || got.Headers["X-Probe"] != "yeonsok" ||
			len(got.ExpectStatus) != 1 || got.BodyContains != "ok" || got.MaxLatency != 2*time.Second || !got.SkipVerify ||
			got.Kind != monitor.KindHTTP || got.Target != "https://insurance.example.go.kr/health" || got.Timeout != 0 {
			t.Fatalf("read back %+v (%v)", got, err)
		}
		checks, _ := f.store.Checks(f.ctx, f.welfareScope)
		if checks[0].ID != web.ID || checks[0].Interval != 15*time.Second || checks[0].Timeout != monitor.DefaultTimeout {
			t.Errorf("the engine runs %+v", checks[0])
		}

		same := *got
		if err := f.store.UpdateCheck(f.ctx, f.welfareScope, &same); err != nil {
			t.Fatal(err)
		}
		bad := *got
		bad.Timeout, bad.RecordType = 20*time.Second, "A"
		err = f.store.UpdateCheck(f.ctx, f.welfareScope, &bad)
		if code(err) != apperror.Invalid || field(err) != "timeout" {
			t.Errorf("a timeout over the interval: %v", err)
		}

		entries := history(t, f, f.welfareScope, audit.KindCheck, web.ID)
		if len(entries) != 1 || entries[0].Action != audit.ActionUpdate || entries[0].Actor.Name != "hong" ||
			entries[0].Summary != web.Target || entries[0].Before == nil || entries[0].After == nil {
			t.Fatalf("audit %+v, want one update by hong", entries)
		}
		if list, _ := audit.List(f.ctx, db, f.keisScope, audit.Filter{Kind: audit.KindCheck}); len(list) != 0 {
			t.Error("another agency reads the change")
		}
	})
}

func TestInterruptions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		web, port := f.check(t, "https://insurance.example.go.kr/health"), f.check(t, "tcp://db.insurance:5432")
		at := func(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

		first := &monitor.Interruption{CheckID: web.ID, StartedAt: at(10), Reason: "status 503", Vantages: []string{"tower", "busan"}}
		if opened, err := f.store.OpenInterruption(f.ctx, first); err != nil || !opened || first.ID == 0 || first.SystemID != f.insurance.ID {
			t.Fatalf("open: %v %+v (%v)", opened, first, err)
		}
		again := &monitor.Interruption{CheckID: web.ID, StartedAt: at(11), Reason: "timeout"}
		if opened, err := f.store.OpenInterruption(f.ctx, again); err != nil || opened || again.ID != first.ID ||
			!again.StartedAt.Equal(at(10)) || again.Reason != "status 503" {
			t.Fatalf("opening an open interruption: %v %+v (%v)", opened, again, err)
		}
		if closed, err := f.store.CloseInterruption(f.ctx, web.ID, at(25)); err != nil || !closed {
			t.Fatalf("close: %v (%v)", closed, err)
		}
		if closed, err := f.store.CloseInterruption(f.ctx, web.ID, at(30)); err != nil || closed {
			t.Fatalf("closing twice: %v (%v)", closed, err)
		}
		// Both checks down in one transaction, one of them still.
		err := f.store.Write(f.ctx, func(tx *monitor.Tx) error {
			for _, c := range []monitor.Check{web, port} {
				if _, err := tx.OpenInterruption(f.ctx, &monitor.Interruption{CheckID: c.ID, StartedAt: at(40), Reason: "connection refused"}); err != nil {
					return err
				}
			}
			// An end before the start is the start: the clocks of two
			// vantage points disagree a little.
			_, err := tx.CloseInterruption(f.ctx, web.ID, at(39), nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.OpenInterruption(f.ctx, &monitor.Interruption{CheckID: 99999, StartedAt: at(1)}); code(err) != apperror.NotFound {
			t.Errorf("interruption of no check: %v", err)
		}

		list, err := f.store.Interruptions(f.ctx, f.welfareScope, f.insurance.ID, at(0), at(60))
		if err != nil || len(list) != 3 {
			t.Fatalf("%d interruptions (%v), want 3", len(list), err)
		}
		if list[2].ID != first.ID || !list[2].EndedAt.Equal(at(25)) || list[2].Duration(at(60)) != 15*time.Minute ||
			!slices.Equal(list[2].Vantages, []string{"tower", "busan"}) || list[2].Target != web.Target {
			t.Errorf("the first, listed last: %+v", list[2])
		}
		for _, i := range list[:2] {
			if i.Target == web.Target && (i.Duration(at(60)) != 0 || i.Open()) {
				t.Errorf("closed before it began: %+v", i)
			}
			if i.Target == port.Target && (!i.Open() || i.Duration(at(60)) != 20*time.Minute || i.Vantages == nil) {
				t.Errorf("still open: %+v", i)
			}
		}
		if later, _ := f.store.Interruptions(f.ctx, f.welfareScope, f.insurance.ID, at(26), at(39)); len(later) != 0 {
			t.Errorf("nothing overlaps 26–39 min: %+v", later)
		}
		if open, _ := f.store.OpenInterruptions(f.ctx); len(open) != 1 || open[0].CheckID != port.ID {
			t.Errorf("open: %+v", open)
		}
	})
}

func TestMaintenanceWindows(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		w := &monitor.MaintenanceWindow{SystemID: f.insurance.ID, StartsAt: t0.Add(2 * time.Hour), EndsAt: t0.Add(4 * time.Hour), Note: " 정기 점검 "}
		if err := f.store.CreateMaintenanceWindow(f.ctx, f.welfareScope, w); err != nil {
			t.Fatal(err)
		}
		if w.ID == 0 || w.Note != "정기 점검" || w.CreatedBy != "hong" || w.AgencyID != f.welfare.ID || !w.CreatedAt.Equal(t0) {
			t.Errorf("created %+v", w)
		}
		for name, c := range map[string]struct {
			w     monitor.MaintenanceWindow
			field string
		}{
			"end before start": {monitor.MaintenanceWindow{SystemID: f.insurance.ID, StartsAt: t0, EndsAt: t0}, "ends_at"},
			"no start":         {monitor.MaintenanceWindow{SystemID: f.insurance.ID, EndsAt: t0}, "starts_at"},
			"longer than a month": {monitor.MaintenanceWindow{SystemID: f.insurance.ID, StartsAt: t0,
				EndsAt: t0.AddDate(0, 0, monitor.MaxMaintenanceDays+1)}, "ends_at"},
		} {
			if err := f.store.CreateMaintenanceWindow(f.ctx, f.welfareScope, &c.w); code(err) != apperror.Invalid || field(err) != c.field {
				t.Errorf("%s: %v, want invalid %s", name, err, c.field)
			}
		}

		edit := *w
		edit.EndsAt = t0.Add(5 * time.Hour)
		edit.SystemID = f.w24.ID // a window stays with its system
		if err := f.store.UpdateMaintenanceWindow(f.ctx, f.welfareScope, &edit); err != nil {
			t.Fatal(err)
		}
		same := edit
		if err := f.store.UpdateMaintenanceWindow(f.ctx, f.welfareScope, &same); err != nil {
			t.Fatal(err)
		}
		list, err := f.store.MaintenanceWindows(f.ctx, f.welfareScope, f.insurance.ID, t0, t0.Add(24*time.Hour))
		if err != nil || len(list) != 1 || !list[0].EndsAt.Equal(t0.Add(5*time.Hour)) || list[0].SystemID != f.insurance.ID {
			t.Fatalf("windows %+v (%v)", list, err)
		}
		if err := f.store.DeleteMaintenanceWindow(f.ctx, f.welfareScope, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.MaintenanceWindow(f.ctx, f.welfareScope, w.ID); code(err) != apperror.NotFound {
			t.Errorf("deleted window: %v", err)
		}

		entries := history(t, f, f.welfareScope, audit.KindMaintenance, w.ID)
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
			if e.Actor.Name != "hong" || *e.AgencyID != f.welfare.ID || e.Summary != "노동보험시스템 2025. 9. 1. 11:00" {
				t.Errorf("entry %+v", e)
			}
		}
		if !slices.Equal(actions, []string{audit.ActionCreate, audit.ActionUpdate, audit.ActionDelete}) {
			t.Errorf("audit actions %v", actions)
		}
	})
}

func TestSystemUptime(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db) // checks made at t0
		web, port := f.check(t, "https://insurance.example.go.kr/health"), f.check(t, "tcp://db.insurance:5432")
		h := func(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Hour))) }
		down := func(c monitor.Check, from, to float64) {
			t.Helper()
			if _, err := f.store.OpenInterruption(f.ctx, &monitor.Interruption{CheckID: c.ID, StartedAt: h(from)}); err != nil {
				t.Fatal(err)
			}
			if to >= 0 {
				if _, err := f.store.CloseInterruption(f.ctx, c.ID, h(to)); err != nil {
					t.Fatal(err)
				}
			}
		}
		down(web, 10, 12)   // before the period: the current run starts at 12 h
		down(web, 100, 101) // inside maintenance: no interruption
		down(web, 200, 201) // 1 h, and the port with it for 1.5 h
		down(port, 200, 201.5)
		down(web, 300, -1) // still down
		w := &monitor.MaintenanceWindow{SystemID: f.insurance.ID, StartsAt: h(99), EndsAt: h(102)}
		if err := f.store.CreateMaintenanceWindow(f.ctx, f.welfareScope, w); err != nil {
			t.Fatal(err)
		}

		f.store.Now = func() time.Time { return h(400) }
		u, err := f.store.SystemUptime(f.ctx, f.welfareScope, f.insurance.ID, h(50), h(250))
		if err != nil {
			t.Fatal(err)
		}
		if u.Observed != 197*time.Hour || u.Maintenance != 3*time.Hour || u.Down != 90*time.Minute || u.Interruptions != 1 ||
			u.Current != 48*time.Hour+30*time.Minute || u.Longest != (200-50-3)*time.Hour || u.Restored != 1 || u.RestoredInRTO != 0 ||
			u.Target != 99.92 || u.MeetsTarget {
			t.Errorf("uptime %+v", u)
		}
		// The current run began at 12 h, before the period, less the 3 h
		// of maintenance that paused it.
		u, err = f.store.SystemUptime(f.ctx, f.welfareScope, f.insurance.ID, h(50), h(150))
		if err != nil || u.Current != (150-12-3)*time.Hour || u.Interruptions != 0 {
			t.Errorf("uptime to 150 h: %+v (%v)", u, err)
		}
		// To beyond now is cut to now; the open interruption is down until then.
		u, err = f.store.SystemUptime(f.ctx, f.welfareScope, f.insurance.ID, h(250), h(1000))
		if err != nil || !u.To.Equal(h(400)) || u.Down != 100*time.Hour || !u.DownAtTo || u.Current != 0 {
			t.Errorf("uptime to now: %+v (%v)", u, err)
		}
		// Monitoring began at t0: the hours before are no evidence.
		u, err = f.store.SystemUptime(f.ctx, f.welfareScope, f.insurance.ID, t0.Add(-100*time.Hour), h(10))
		if err != nil || !u.From.Equal(t0) || u.Observed != 10*time.Hour {
			t.Errorf("uptime before monitoring: %+v (%v)", u, err)
		}
		days, err := f.store.SystemDailyUptime(f.ctx, f.welfareScope, f.insurance.ID, t0, h(72), time.UTC)
		if err != nil || len(days) != 3 || days[0].Down != 2*time.Hour || days[1].Down != 0 {
			t.Errorf("daily: %+v (%v)", days, err)
		}
	})
}

func TestRollups(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		web := f.check(t, "https://insurance.example.go.kr/health")
		hour := t0.Add(5 * time.Hour)
		rollup := func(vantage string, at time.Time, latencies ...time.Duration) monitor.Rollup {
			r := monitor.Rollup{CheckID: web.ID, Vantage: vantage, Hour: at}
			for _, l := range latencies {
				r.Add(monitor.Result{OK: l > 0, Latency: l})
			}
			return r
		}
		ms := time.Millisecond
		// One flush with the same key twice, a second vantage point, and a
		// rollup of a check that is gone (its system deleted meanwhile).
		flush := []monitor.Rollup{
			rollup("tower", hour, 20*ms, 30*ms, 0),
			rollup("tower", hour.Add(10*time.Minute), 700*ms),
			rollup("busan", hour, 40*ms),
			{CheckID: 99999, Vantage: "tower", Hour: hour, Probes: 1},
		}
		if err := f.store.AddRollups(f.ctx, flush); err != nil {
			t.Fatal(err)
		}
		if err := f.store.AddRollups(f.ctx, []monitor.Rollup{rollup("tower", hour.Add(59*time.Minute), 3*time.Second)}); err != nil {
			t.Fatal(err)
		}
		list, err := f.store.Rollups(f.ctx, f.welfareScope, web.ID, hour, hour.Add(time.Hour))
		if err != nil || len(list) != 2 {
			t.Fatalf("%d rollups (%v), want 2", len(list), err)
		}
		busan, tower := list[0], list[1]
		if busan.Vantage != "busan" || busan.Probes != 1 || !busan.Hour.Equal(hour) {
			t.Errorf("busan %+v", busan)
		}
		want := [8]int64{2, 0, 0, 0, 1, 0, 1, 0}
		if tower.Probes != 5 || tower.Failures != 1 || tower.LatencySum != 3750*ms || tower.LatencyMax != 3*time.Second || tower.Buckets != want {
			t.Errorf("tower %+v", tower)
		}

		// Many at once: one statement for each 500.
		var many []monitor.Rollup
		for i := range 1200 {
			many = append(many, rollup("tower", t0.Add(time.Duration(i+10)*time.Hour), 10*ms))
		}
		if err := f.store.AddRollups(f.ctx, many); err != nil {
			t.Fatal(err)
		}
		if list, _ := f.store.Rollups(f.ctx, access.All(), web.ID, t0, t0.Add(2000*time.Hour)); len(list) != 1202 {
			t.Errorf("%d rollups after 1,200 more", len(list))
		}
	})
}

// agentToken creates an API token of the agent role for agency (0: the
// ministry), bound to systems.
func agentToken(t *testing.T, db *database.DB, agency int64, revoked bool, systems ...int64) int64 {
	t.Helper()
	store := auth.NewStore(db, auth.Settings{})
	token := &auth.Token{Name: "agent", Role: auth.Agent, AgencyID: agency, SystemIDs: systems}
	if _, err := store.CreateToken(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	if revoked {
		if err := store.RevokeToken(context.Background(), token.ID); err != nil {
			t.Fatal(err)
		}
	}
	return token.ID
}

func TestAgents(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		token := agentToken(t, db, f.welfare.ID, false, f.insurance.ID)
		a := &monitor.Agent{Name: " busan ", Site: "부산 백업센터", TokenID: token}
		if err := f.store.CreateAgent(f.ctx, f.welfareScope, a); err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.Name != "busan" || a.AgencyID != f.welfare.ID || a.CreatedBy != "hong" || !a.LastSeenAt.IsZero() {
			t.Errorf("created %+v", a)
		}
		ministryToken := agentToken(t, db, 0, false, f.w24.ID)
		scenarios := []struct {
			name  string
			scope access.Scope
			agent monitor.Agent
			code  string
			field string
		}{
			{"the tower's name", f.welfareScope, monitor.Agent{Name: "Tower", TokenID: ministryToken}, apperror.Invalid, "name"},
			{"no token", f.welfareScope, monitor.Agent{Name: "x"}, apperror.Invalid, "token_id"},
			{"a token in use", f.welfareScope, monitor.Agent{Name: "x", TokenID: token}, apperror.Conflict, "token_id"},
			{"a name in use", access.All(), monitor.Agent{Name: "busan", TokenID: ministryToken}, apperror.Conflict, "name"},
			{"the ministry's token for an agency", f.welfareScope, monitor.Agent{Name: "x", TokenID: ministryToken}, apperror.Invalid, "token_id"},
			{"another agency's token", f.keisScope, monitor.Agent{Name: "x", TokenID: token}, apperror.Invalid, "token_id"},
			{"a revoked token", access.All(), monitor.Agent{Name: "x", TokenID: agentToken(t, db, 0, true, f.w24.ID)}, apperror.Invalid, "token_id"},
		}
		for _, s := range scenarios {
			if err := f.store.CreateAgent(f.ctx, s.scope, &s.agent); code(err) != s.code || field(err) != s.field {
				t.Errorf("%s: %v, want %s %s", s.name, err, s.code, s.field)
			}
		}
		central := &monitor.Agent{Name: "세종", TokenID: ministryToken}
		if err := f.store.CreateAgent(f.ctx, access.All(), central); err != nil || central.AgencyID != 0 {
			t.Fatalf("ministry-wide agent %+v (%v)", central, err)
		}

		if list, _ := f.store.Agents(f.ctx, f.welfareScope); len(list) != 1 || list[0].ID != a.ID {
			t.Errorf("welfare sees %+v", list)
		}
		if list, _ := f.store.Agents(f.ctx, access.All()); len(list) != 2 {
			t.Errorf("the ministry sees %d agents", len(list))
		}
		if _, err := f.store.Agent(f.ctx, f.keisScope, a.ID); code(err) != apperror.NotFound {
			t.Errorf("another agency's agent: %v", err)
		}
		if err := f.store.DeleteAgent(f.ctx, f.keisScope, a.ID); code(err) != apperror.NotFound {
			t.Errorf("another agency deletes: %v", err)
		}
		if got, err := f.store.AgentByToken(f.ctx, token); err != nil || got.ID != a.ID {
			t.Errorf("by token: %+v (%v)", got, err)
		}
		checks, err := f.store.AgentChecks(f.ctx, a.ID)
		if err != nil || len(checks) != 2 || checks[0].SystemID != f.insurance.ID || checks[0].Interval != 30*time.Second {
			t.Errorf("the agent probes %+v (%v)", checks, err)
		}

		a.Name = "busan-2"
		if err := f.store.UpdateAgent(f.ctx, f.welfareScope, a); err != nil || a.Name != "busan-2" {
			t.Fatalf("rename: %+v (%v)", a, err)
		}
		if err := f.store.DeleteAgent(f.ctx, f.welfareScope, a.ID); err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range history(t, f, f.welfareScope, audit.KindAgent, a.ID) {
			actions = append(actions, e.Action)
		}
		if !slices.Equal(actions, []string{audit.ActionCreate, audit.ActionUpdate, audit.ActionDelete}) {
			t.Errorf("audit actions %v", actions)
		}
		if entries := history(t, f, f.welfareScope, audit.KindAgent, central.ID); len(entries) != 0 {
			t.Error("an agency reads the ministry-wide agent's entries")
		}
	})
}

func TestAcceptBatch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		a := &monitor.Agent{Name: "busan", TokenID: agentToken(t, db, f.welfare.ID, false, f.insurance.ID)}
		if err := f.store.CreateAgent(f.ctx, f.welfareScope, a); err != nil {
			t.Fatal(err)
		}
		web := f.check(t, "https://insurance.example.go.kr/health")
		runs := 0
		batch := func(tx *monitor.Tx) error {
			runs++
			return tx.AddRollups(f.ctx, []monitor.Rollup{{CheckID: web.ID, Vantage: "busan", Hour: t0, Probes: 10}})
		}
		f.store.Now = func() time.Time { return t0.Add(time.Minute) }
		for i, want := range []bool{true, false} {
			if accepted, err := f.store.AcceptBatch(f.ctx, a.ID, 1, batch); err != nil || accepted != want {
				t.Fatalf("push %d of batch 1: %v (%v), want %v", i+1, accepted, err, want)
			}
		}
		failing := errors.New("disk full")
		if accepted, err := f.store.AcceptBatch(f.ctx, a.ID, 2, func(tx *monitor.Tx) error {
			if err := batch(tx); err != nil {
				return err
			}
			return failing
		}); !errors.Is(err, failing) || accepted {
			t.Fatalf("a failing batch: %v (%v)", accepted, err)
		}
		if accepted, err := f.store.AcceptBatch(f.ctx, a.ID, 2, batch); err != nil || !accepted {
			t.Fatalf("batch 2 again after it failed: %v (%v)", accepted, err)
		}
		list, _ := f.store.Rollups(f.ctx, access.All(), web.ID, t0, t0.Add(time.Hour))
		if runs != 3 || len(list) != 1 || list[0].Probes != 20 {
			t.Errorf("%d runs, rollups %+v: want batches 1 and 2 counted once each", runs, list)
		}
		if got, _ := f.store.Agent(f.ctx, access.All(), a.ID); !got.LastSeenAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("last seen %v", got.LastSeenAt)
		}
		if _, err := f.store.AcceptBatch(f.ctx, 99999, 1, batch); code(err) != apperror.NotFound {
			t.Errorf("unknown agent: %v", err)
		}
		if _, err := f.store.AcceptBatch(f.ctx, a.ID, 0, batch); code(err) != apperror.Invalid {
			t.Errorf("batch 0: %v", err)
		}
	})
}
