package statuspage

import (
	"testing"
	"time"

	"yeonsok/internal/monitor"
)

func TestSystemState(t *testing.T) {
	scenarios := []struct {
		name, live, incident string
		want                 State
	}{
		{"watched and up", monitor.SystemUp, "", StateUp},
		{"not watched, no incident", "", "", StateUnknown},
		{"watched, no verdict yet", monitor.SystemUnknown, "", StateUnknown},
		{"probes see it down", monitor.SystemDown, "", StateDown},
		{"down on one endpoint of two", monitor.SystemPartial, "", StatePartial},
		{"a person reports it down while probes see it up", monitor.SystemUp, "down", StateDown},
		{"reported down, nobody watches it", "", "down", StateDown},
		{"mitigated: back another way", "", "mitigated", StatePartial},
		{"mitigated but the probes see it down", monitor.SystemDown, "mitigated", StateDown},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := systemState(s.live, s.incident); got != s.want {
				t.Errorf("systemState(%q, %q) = %q, want %q", s.live, s.incident, got, s.want)
			}
		})
	}
}

func TestServiceState(t *testing.T) {
	scenarios := []struct {
		name    string
		manual  bool
		systems []State
		want    State
	}{
		{"no systems", false, nil, StateUnknown},
		{"all up", false, []State{StateUp, StateUp}, StateUp},
		{"one up, one nobody watches", false, []State{StateUp, StateUnknown}, StateUp},
		{"nobody watches any", false, []State{StateUnknown, StateUnknown}, StateUnknown},
		{"every system down", false, []State{StateDown, StateDown}, StateDown},
		{"one of two down", false, []State{StateDown, StateUp}, StatePartial},
		{"one down, one not watched", false, []State{StateDown, StateUnknown}, StatePartial},
		{"a system partly down", false, []State{StatePartial}, StatePartial},
		{"manual mode tells citizens more than down", true, []State{StateDown}, StateManual},
		{"manual mode with systems up (restored, not yet switched back)", true, []State{StateUp}, StateManual},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := serviceState(s.manual, s.systems); got != s.want {
				t.Errorf("serviceState(%v, %v) = %q, want %q", s.manual, s.systems, got, s.want)
			}
		})
	}
}

// assemble: incidents named by public services only, manual modes in
// force only while open, ordering, times in KST.
func TestAssemble(t *testing.T) {
	now := time.Date(2025, 9, 26, 5, 5, 42, 0, time.UTC) // 14:05 KST
	rec := records{
		services: []serviceRow{
			{id: 1, agency: "한국고용정보원", name: "구인·구직", workaround: "창구 접수"},
			{id: 2, agency: "고용노동부", name: "실업급여 신청", workaround: "고용센터 수기 접수"},
			{id: 3, agency: "근로복지공단", name: "산재보험 급여 신청"},
		},
		links: []link{{1, 10}, {1, 11}, {2, 11}, {3, 12}, {99, 13}}, // 99: an internal service, not read
		incidents: []incidentRow{
			{id: 100, state: "resolved", detected: now.Add(-48 * time.Hour), resolved: now.Add(-47 * time.Hour)},
			{id: 101, state: "declared", detected: now.Add(-time.Hour)},
			{id: 102, state: "mitigated", detected: now.Add(-2 * time.Hour)},
			{id: 103, state: "detected", detected: now.Add(-time.Minute)}, // only an internal system
		},
		affected: []affectedRow{
			{incident: 100, system: 12, restored: now.Add(-47 * time.Hour)},
			{incident: 101, system: 11},
			{incident: 102, system: 12},
			{incident: 103, system: 13},
		},
		manual: []manualRow{
			{incident: 101, service: 2, started: now.Add(-50 * time.Minute), notice: "고용센터 창구로 오세요"},
			{incident: 102, service: 3, started: now.Add(-90 * time.Minute), ended: now.Add(-10 * time.Minute), notice: "끝난 안내"},
			{incident: 100, service: 1, started: now.Add(-48 * time.Hour)}, // of a resolved incident
		},
	}
	live := Live{10: monitor.SystemUp, 11: monitor.SystemUp, 12: monitor.SystemUp}
	d := assemble(rec, live, now)

	if got := d.AsOf.Format("2006-01-02 15:04:05 MST"); got != "2025-09-26 14:05:00 KST" {
		t.Errorf("AsOf %s, want the minute in KST", got)
	}
	want := map[string]State{
		"구인·구직":      StatePartial, // 11 down by incident 101, 10 up
		"실업급여 신청":    StateManual,  // manual mode of open incident 101
		"산재보험 급여 신청": StatePartial, // mitigated incident 102; its ended manual mode does not count
	}
	var names []string
	for _, a := range d.Agencies {
		names = append(names, a.Name)
		for _, s := range a.Services {
			if s.State != want[s.Name] {
				t.Errorf("%s: %q, want %q", s.Name, s.State, want[s.Name])
			}
		}
	}
	if len(names) != 3 || names[0] != "고용노동부" || names[1] != "근로복지공단" || names[2] != "한국고용정보원" {
		t.Errorf("agencies %v, want by name", names)
	}
	if d.Counts != (Counts{Services: 3, Partial: 2, Manual: 1}) {
		t.Errorf("counts %+v", d.Counts)
	}
	if len(d.Notices) != 1 || d.Notices[0].Service != "실업급여 신청" || d.Notices[0].Text != "고용센터 창구로 오세요" {
		t.Errorf("notices %+v, want the one manual mode in force", d.Notices)
	}
	// 103 touches no public service; open ones first, latest first.
	if len(d.Incidents) != 3 {
		t.Fatalf("incidents %+v, want 100, 101, 102", d.Incidents)
	}
	first, second, last := d.Incidents[0], d.Incidents[1], d.Incidents[2]
	if first.Phase != PhaseRecovering || len(first.Services) != 2 || first.Services[0].Service != "실업급여 신청" || first.Services[1].Service != "구인·구직" {
		t.Errorf("first incident %+v, want 101 with its two services (by agency)", first)
	}
	if second.Phase != PhaseMitigated || second.Services[0].Service != "산재보험 급여 신청" {
		t.Errorf("second incident %+v, want 102", second)
	}
	if last.Open || last.Phase != PhaseResolved || !last.Ended.Equal(now.Add(-47*time.Hour)) || last.Ended.Location().String() != "KST" {
		t.Errorf("last incident %+v, want 100 resolved, its end in KST", last)
	}
}

// A manual mode without notice falls back to the service's workaround.
func TestNoticeFallsBackToWorkaround(t *testing.T) {
	now := time.Now()
	rec := records{
		services:  []serviceRow{{id: 1, agency: "고용노동부", name: "실업급여 신청", workaround: "고용센터 수기 접수"}},
		incidents: []incidentRow{{id: 1, state: "detected", detected: now}},
		manual:    []manualRow{{incident: 1, service: 1, started: now}},
	}
	d := assemble(rec, Live{}, now)
	if len(d.Notices) != 1 || d.Notices[0].Text != "고용센터 수기 접수" {
		t.Errorf("notices %+v", d.Notices)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                      false,
		"gzip":                  true,
		"gzip, deflate, br":     true,
		"br;q=1.0, gzip;q=0.8":  true,
		"GZIP":                  true,
		"gzip;q=0":              false,
		"identity":              false,
		"x-gzip-not":            false,
		"deflate, gzip ; q=0.5": true,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

func TestMatchesETag(t *testing.T) {
	const tag = `"abc"`
	for header, want := range map[string]bool{
		"":           false,
		`"abc"`:      true,
		`W/"abc"`:    true,
		`"x", "abc"`: true,
		"*":          true,
		`"abc-gz"`:   false,
		`"ab"`:       false,
	} {
		if got := matchesETag(header, tag); got != want {
			t.Errorf("matchesETag(%q) = %v, want %v", header, got, want)
		}
	}
}
