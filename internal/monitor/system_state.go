package monitor

import (
	"slices"
	"time"
)

// A system's live state, from the verdicts of its active checks. Uptime
// counts a system down while any of its checks is down; the status board
// tells apart the system that answers on no endpoint from the one that
// still answers on some.
const (
	SystemDown    = "down"    // a check is down and none is up
	SystemPartial = "partial" // some checks are down, others up
	SystemUnknown = "unknown" // none is down, and not all are known to be up
	SystemUp      = "up"      // every check is up
)

// SystemStates are the states, the most urgent first.
var SystemStates = []string{SystemDown, SystemPartial, SystemUnknown, SystemUp}

// SystemStatus is one system's live state.
type SystemStatus struct {
	SystemID int64  `json:"system_id"`
	AgencyID int64  `json:"agency_id"`
	Name     string `json:"name"`
	Grade    int    `json:"grade"`
	State    string `json:"state"`
	// Since, Reason and Target, while a check is down: when the first of
	// the checks still down went down, why, and which endpoint it is.
	Since  time.Time `json:"since,omitzero"`
	Reason string    `json:"reason,omitempty"`
	Target string    `json:"target,omitempty"`
	// Checks counts its watched checks, Down and Up those the vantage
	// points agree are down and up.
	Checks int `json:"checks"`
	Down   int `json:"down"`
	Up     int `json:"up"`
	// DownVantages are the reporting vantage points that see one of its
	// checks down; SilentVantages the agents fallen silent on one of them
	// ("agent down", which says nothing of the system).
	DownVantages   []string `json:"down_vantages,omitempty"`
	SilentVantages []string `json:"silent_vantages,omitempty"`
}

// Systems sums up check statuses, as Watcher.Statuses lists them (by
// system), into one status per system, in the same order.
func Systems(checks []CheckStatus) []SystemStatus {
	var out []SystemStatus
	for i := 0; i < len(checks); {
		j := i
		for j < len(checks) && checks[j].Check.SystemID == checks[i].Check.SystemID {
			j++
		}
		out = append(out, systemOf(checks[i:j]))
		i = j
	}
	return out
}

func systemOf(checks []CheckStatus) SystemStatus {
	first := checks[0]
	s := SystemStatus{SystemID: first.Check.SystemID, AgencyID: first.Check.AgencyID, Name: first.SystemName, Grade: first.Grade,
		Checks: len(checks)}
	for _, c := range checks {
		switch c.Verdict.State {
		case StateDown:
			s.Down++
			if s.Since.IsZero() || c.Verdict.Since.Before(s.Since) {
				s.Since, s.Reason, s.Target = c.Verdict.Since, c.Verdict.Reason, c.Check.Target
			}
		case StateUp:
			s.Up++
		}
		for _, v := range c.Vantages {
			switch {
			case !v.Reporting:
				s.SilentVantages = addName(s.SilentVantages, v.Vantage)
			case v.State == StateDown:
				s.DownVantages = addName(s.DownVantages, v.Vantage)
			}
		}
	}
	switch {
	case s.Down > 0 && s.Up == 0:
		s.State = SystemDown
	case s.Down > 0:
		s.State = SystemPartial
	case s.Up == s.Checks:
		s.State = SystemUp
	default:
		s.State = SystemUnknown
	}
	slices.SortFunc(s.DownVantages, compareVantages)
	slices.SortFunc(s.SilentVantages, compareVantages)
	return s
}

func addName(list []string, name string) []string {
	if slices.Contains(list, name) {
		return list
	}
	return append(list, name)
}
