package monitor

import (
	"slices"
	"testing"
	"time"
)

func TestSystems(t *testing.T) {
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	check := func(system int64, target string, state State, since time.Time, reason string, vantages ...VantageStatus) CheckStatus {
		return CheckStatus{Check: Check{SystemID: system, AgencyID: 9, Target: target}, SystemName: "s", Grade: 1,
			Verdict: Verdict{State: state, Since: since, Reason: reason}, Vantages: vantages}
	}
	tower := func(s State) VantageStatus { return VantageStatus{Vantage: Vantage, State: s, Reporting: true} }
	agent := func(name string, s State, reporting bool) VantageStatus {
		return VantageStatus{Vantage: name, State: s, Reporting: reporting}
	}
	scenarios := []struct {
		name   string
		checks []CheckStatus
		want   SystemStatus
	}{
		{"every check up", []CheckStatus{check(1, "a", StateUp, at(0), "", tower(StateUp)), check(1, "b", StateUp, at(0), "", tower(StateUp))},
			SystemStatus{State: SystemUp, Checks: 2, Up: 2}},
		{"one down, one up: partial, since the down one", []CheckStatus{
			check(1, "a", StateUp, at(0), "", tower(StateUp)),
			check(1, "b", StateDown, at(5), "status 503", tower(StateDown), agent("부산", StateDown, true))},
			SystemStatus{State: SystemPartial, Checks: 2, Down: 1, Up: 1, Since: at(5), Reason: "status 503", Target: "b",
				DownVantages: []string{Vantage, "부산"}}},
		{"all down: since the first to go down", []CheckStatus{
			check(1, "a", StateDown, at(7), "timeout after 10s", tower(StateDown)),
			check(1, "b", StateDown, at(3), "connection refused", tower(StateDown))},
			SystemStatus{State: SystemDown, Checks: 2, Down: 2, Since: at(3), Reason: "connection refused", Target: "b",
				DownVantages: []string{Vantage}}},
		{"down and unknown is down", []CheckStatus{
			check(1, "a", StateDown, at(1), "x", tower(StateDown)), check(1, "b", StateUnknown, time.Time{}, "")},
			SystemStatus{State: SystemDown, Checks: 2, Down: 1, Since: at(1), Reason: "x", Target: "a", DownVantages: []string{Vantage}}},
		{"up and unknown is unknown", []CheckStatus{check(1, "a", StateUp, at(0), ""), check(1, "b", StateUnknown, time.Time{}, "")},
			SystemStatus{State: SystemUnknown, Checks: 2, Up: 1}},
		{"a silent agent is an agent down, not the system", []CheckStatus{
			check(1, "a", StateUp, at(0), "", tower(StateUp), agent("대구", StateDown, false))},
			SystemStatus{State: SystemUp, Checks: 1, Up: 1, SilentVantages: []string{"대구"}}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			got := Systems(sc.checks)
			if len(got) != 1 {
				t.Fatalf("%d systems, want 1", len(got))
			}
			sc.want.SystemID, sc.want.AgencyID, sc.want.Name, sc.want.Grade = 1, 9, "s", 1
			g := got[0]
			if g.State != sc.want.State || g.Checks != sc.want.Checks || g.Down != sc.want.Down || g.Up != sc.want.Up ||
				!g.Since.Equal(sc.want.Since) || g.Reason != sc.want.Reason || g.Target != sc.want.Target ||
				!slices.Equal(g.DownVantages, sc.want.DownVantages) || !slices.Equal(g.SilentVantages, sc.want.SilentVantages) ||
				g.SystemID != 1 || g.AgencyID != 9 || g.Name != "s" || g.Grade != 1 {
				t.Errorf("got  %+v\nwant %+v", g, sc.want)
			}
		})
	}
	list := Systems([]CheckStatus{check(1, "a", StateUp, at(0), ""), check(2, "a", StateDown, at(0), "x"), check(2, "b", StateUp, at(0), "")})
	if len(list) != 2 || list[0].SystemID != 1 || list[1].SystemID != 2 || list[1].State != SystemPartial {
		t.Errorf("two systems: %+v", list)
	}
	if Systems(nil) != nil {
		t.Error("no checks, no systems")
	}
}
