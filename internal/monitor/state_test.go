package monitor

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// at is the start of the i-th result of a test sequence, one a minute.
func at(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }

// observe feeds a tracker results written as "+" (up) and "-" (down;
// reason "fail i") and writes each transition as "down@i fail i", with
// "!" when flapping, or "up@i", i the result the state is taken to begin at.
func observe(t *Tracker, seq string, p Policy) []string {
	var got []string
	for i, ch := range seq {
		r := Result{Started: at(i), OK: ch == '+'}
		if !r.OK {
			r.Reason = fmt.Sprintf("fail %d", i)
		}
		tr, ok := t.Observe(r, p)
		if !ok {
			continue
		}
		s := fmt.Sprintf("%s@%d", tr.To, int(tr.At.Sub(t0)/time.Minute))
		if tr.Reason != "" {
			s += " " + tr.Reason
		}
		if tr.Flapping {
			s += "!"
		}
		got = append(got, s)
	}
	return got
}

func TestTracker(t *testing.T) {
	up20 := strings.Repeat("+", 20)
	scenarios := []struct {
		name   string
		policy Policy
		seq    string
		want   []string
	}{
		{"nothing yet", Policy{}, "", nil},
		{"first success is up", Policy{}, "+", []string{"up@0"}},
		{"three failures from the start", Policy{}, "---", []string{"down@0 fail 0"}},
		{"two failures are not down", Policy{}, "--+", []string{"up@2"}},
		{"down from the first failure of the run", Policy{}, "++---", []string{"up@0", "down@2 fail 2"}},
		{"a success breaks the run", Policy{}, "+--+---", []string{"up@0", "down@4 fail 4"}},
		{"up from the first success of the run", Policy{}, "+---++", []string{"up@0", "down@1 fail 1", "up@4"}},
		{"one success is not enough", Policy{}, "+---+-+", []string{"up@0", "down@1 fail 1"}},
		{"a failure breaks the recovery", Policy{}, "+---+-++", []string{"up@0", "down@1 fail 1", "up@6"}},
		{"more failures change nothing", Policy{}, "+------++", []string{"up@0", "down@1 fail 1", "up@7"}},
		{"one and one", Policy{FailuresToDown: 1, SuccessesToUp: 1}, "+-+", []string{"up@0", "down@1 fail 1", "up@2"}},
		{"five to go down", Policy{FailuresToDown: 5}, "+----+-----", []string{"up@0", "down@6 fail 6"}},
		{"three to come up", Policy{SuccessesToUp: 3}, "+---++-+++", []string{"up@0", "down@1 fail 1", "up@7"}},
		{"third outage: flapping, held down", Policy{}, "+---++---++---" + up20[1:], []string{
			"up@0", "down@1 fail 1", "up@4", "down@6 fail 6", "up@9", "down@11 fail 11!"}},
		{"flapping comes up after twenty", Policy{}, "+---++---++---+-" + up20, []string{
			"up@0", "down@1 fail 1", "up@4", "down@6 fail 6", "up@9", "down@11 fail 11!", "up@16"}},
		{"flapping needs the check's successes when more", Policy{SuccessesToUp: 25}, "+---" + strings.Repeat("+", 25) + "---" + strings.Repeat("+", 25) + "---" + strings.Repeat("+", 24), []string{
			"up@0", "down@1 fail 1", "up@4", "down@29 fail 29", "up@32", "down@57 fail 57!"}},
		{"third outage at the window's end", Policy{}, "+---++---++" + strings.Repeat("+", 49) + "---++", []string{
			"up@0", "down@1 fail 1", "up@4", "down@6 fail 6", "up@9", "down@60 fail 60!"}},
		{"third outage past the window", Policy{}, "+---++---++" + strings.Repeat("+", 50) + "---++", []string{
			"up@0", "down@1 fail 1", "up@4", "down@6 fail 6", "up@9", "down@61 fail 61", "up@64"}},
		{"outages far apart are not flapping", Policy{}, "+---++" + strings.Repeat("+", 30) + "---++" + strings.Repeat("+", 30) + "---++", []string{
			"up@0", "down@1 fail 1", "up@4", "down@36 fail 36", "up@39", "down@71 fail 71", "up@74"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			var tr Tracker
			got := observe(&tr, s.seq, s.policy)
			if strings.Join(got, ", ") != strings.Join(s.want, ", ") {
				t.Errorf("transitions\n got %v\nwant %v", got, s.want)
			}
		})
	}
}

func TestTrackerState(t *testing.T) {
	var tr Tracker
	if first, _ := tr.Observe(Result{Started: at(0), OK: true}, Policy{}); first.From != StateUnknown || first.To != StateUp {
		t.Errorf("first transition %+v, want from unknown to up", first)
	}
	observe(&tr, "-+---", Policy{}) // the first result, already taken, is ignored
	if tr.State != StateDown || !tr.Since.Equal(at(2)) || tr.Reason != "fail 2" {
		t.Errorf("down: %+v, want down since the first failure with its reason", tr)
	}
	tr.Observe(Result{Started: at(5), OK: true}, Policy{})
	tr.Observe(Result{Started: at(6), OK: true}, Policy{})
	if tr.State != StateUp || !tr.Since.Equal(at(5)) || tr.Reason != "" {
		t.Errorf("up again: %+v, want up since the first success, no reason", tr)
	}
}

// A batch replayed, or a result that arrives after a later one, is not
// counted again.
func TestTrackerIgnoresReplays(t *testing.T) {
	var tr Tracker
	p := Policy{}
	tr.Observe(Result{Started: at(0), OK: true}, p)
	tr.Observe(Result{Started: at(1), Reason: "refused"}, p)
	tr.Observe(Result{Started: at(2), Reason: "refused"}, p)
	for _, i := range []int{1, 2, 0} {
		if tr, ok := tr.Observe(Result{Started: at(i), Reason: "refused"}, p); ok {
			t.Fatalf("replayed result %d caused %+v", i, tr)
		}
	}
	if tr.State != StateUp {
		t.Fatalf("two failures and their replays made it %s", tr.State)
	}
	if got, ok := tr.Observe(Result{Started: at(3), Reason: "refused"}, p); !ok || got.To != StateDown || !got.At.Equal(at(1)) || got.Reason != "refused" {
		t.Errorf("third failure: %+v %v, want down since the first", got, ok)
	}
}

func TestSilent(t *testing.T) {
	scenarios := []struct {
		name     string
		heard    time.Duration // ago
		interval time.Duration
		want     bool
	}{
		{"just heard", 0, 30 * time.Second, false},
		{"two intervals", time.Minute, 30 * time.Second, false},
		{"three intervals", 90 * time.Second, 30 * time.Second, false},
		{"past three intervals", 91 * time.Second, 30 * time.Second, true},
		{"slow check", 10 * time.Minute, 5 * time.Minute, false},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := Silent(t0.Add(-s.heard), t0, s.interval); got != s.want {
				t.Errorf("Silent = %v, want %v", got, s.want)
			}
		})
	}
}

func TestQuorum(t *testing.T) {
	m := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	up := func(name string, since int) View {
		return View{Vantage: name, State: StateUp, Since: m(since), Reporting: true}
	}
	down := func(name string, since int) View {
		return View{Vantage: name, State: StateDown, Since: m(since), Reason: name + " refused", Reporting: true}
	}
	silent := func(v View) View { v.Reporting = false; return v }
	scenarios := []struct {
		name  string
		views []View
		need  int
		want  Verdict
	}{
		{"no vantage point", nil, 0, Verdict{State: StateUnknown}},
		{"all silent, one saw it down", []View{silent(down("tower", 1)), silent(up("busan", 0))}, 0,
			Verdict{State: StateUnknown, Silent: 2}},
		{"reporting without a state yet", []View{{Vantage: "tower", State: StateUnknown, Reporting: true}}, 0,
			Verdict{State: StateUnknown}},
		{"one site lost its network", []View{down("tower", 10), up("busan", 0), up("daejeon", 2)}, 0,
			Verdict{State: StateUp, Since: m(2), Down: 1, Up: 2, Need: 2}},
		{"two of three see it down", []View{down("tower", 10), down("busan", 11), up("daejeon", 0)}, 0,
			Verdict{State: StateDown, Since: m(11), Reason: "tower refused", Down: 2, Up: 1, Need: 2}},
		{"all three see it down", []View{down("busan", 12), down("daejeon", 11), down("tower", 10)}, 0,
			Verdict{State: StateDown, Since: m(11), Reason: "tower refused", Down: 3, Need: 2}},
		{"a lone tower tells", []View{down("tower", 10), silent(up("busan", 0)), silent(up("daejeon", 0))}, 0,
			Verdict{State: StateDown, Since: m(10), Reason: "tower refused", Down: 1, Silent: 2, Need: 1}},
		{"a silent agent does not mark it down", []View{up("tower", 0), silent(down("busan", 5))}, 0,
			Verdict{State: StateUp, Since: m(0), Up: 1, Silent: 1, Need: 1}},
		{"split two ways is up", []View{down("tower", 10), up("busan", 3)}, 0,
			Verdict{State: StateUp, Since: m(3), Down: 1, Up: 1, Need: 2}},
		{"a need of one", []View{down("tower", 10), up("busan", 3), up("daejeon", 0)}, 1,
			Verdict{State: StateDown, Since: m(10), Reason: "tower refused", Down: 1, Up: 2, Need: 1}},
		{"a need beyond those reporting is all of them", []View{down("tower", 10), down("busan", 12), silent(up("daejeon", 0))}, 3,
			Verdict{State: StateDown, Since: m(12), Reason: "tower refused", Down: 2, Silent: 1, Need: 2}},
		{"recovered when the second came back", []View{up("tower", 21), up("busan", 20), up("daejeon", 0)}, 0,
			Verdict{State: StateUp, Since: m(20), Up: 3, Need: 2}},
		{"recovered when one of two came back", []View{up("tower", 21), down("busan", 12), up("daejeon", 0)}, 0,
			Verdict{State: StateUp, Since: m(21), Down: 1, Up: 2, Need: 2}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := Quorum(s.views, s.need); got != s.want {
				t.Errorf("Quorum\n got %+v\nwant %+v", got, s.want)
			}
		})
	}
}
