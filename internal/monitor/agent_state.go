package monitor

import "time"

// Whether an agent is reporting, as its list shows it.
const (
	AgentReporting = "reporting" // it called the tower lately
	AgentSilent    = "silent"    // it has fallen silent: "agent down", never "system down"
	AgentNever     = "never"     // it has never called the tower
)

// AgentQuiet is how long an agent without checks may go unheard: it still
// fetches its (empty) list of checks now and then.
const AgentQuiet = 5 * time.Minute

// AgentState says whether an agent last seen at lastSeen (zero: never) is
// reporting at now. An agent is silent once it has not been heard for more
// than SilentIntervals times the shortest interval of the checks it probes
// — the rule by which its results stop counting in the quorum — or, with
// no checks (shortest zero), for more than AgentQuiet.
func AgentState(lastSeen, now time.Time, shortest time.Duration) string {
	if lastSeen.IsZero() {
		return AgentNever
	}
	quiet := AgentQuiet
	if shortest > 0 {
		quiet = SilentIntervals * shortest
	}
	if now.Sub(lastSeen) > quiet {
		return AgentSilent
	}
	return AgentReporting
}

// ShortestInterval is the shortest interval of checks (zero without any).
func ShortestInterval(checks []Check) time.Duration {
	var shortest time.Duration
	for _, c := range checks {
		if c.Interval > 0 && (shortest == 0 || c.Interval < shortest) {
			shortest = c.Interval
		}
	}
	return shortest
}
