package monitor

import (
	"testing"
	"time"
)

func TestAgentState(t *testing.T) {
	now := time.Date(2025, 9, 26, 11, 15, 0, 0, time.UTC)
	scenarios := []struct {
		name     string
		lastSeen time.Time
		shortest time.Duration
		want     string
	}{
		{"never called", time.Time{}, 30 * time.Second, AgentNever},
		{"heard within three intervals", now.Add(-90 * time.Second), 30 * time.Second, AgentReporting},
		{"unheard for more than three intervals", now.Add(-91 * time.Second), 30 * time.Second, AgentSilent},
		{"slow checks allow a longer silence", now.Add(-14 * time.Minute), 5 * time.Minute, AgentReporting},
		{"no checks: five minutes", now.Add(-5 * time.Minute), 0, AgentReporting},
		{"no checks: more than five minutes", now.Add(-5*time.Minute - time.Second), 0, AgentSilent},
		{"a clock ahead of the tower's is reporting", now.Add(time.Minute), 30 * time.Second, AgentReporting},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			if got := AgentState(sc.lastSeen, now, sc.shortest); got != sc.want {
				t.Errorf("AgentState = %s, want %s", got, sc.want)
			}
		})
	}
}

func TestShortestInterval(t *testing.T) {
	checks := []Check{{Interval: time.Minute}, {Interval: 0}, {Interval: 30 * time.Second}, {Interval: 5 * time.Minute}}
	if got := ShortestInterval(checks); got != 30*time.Second {
		t.Errorf("ShortestInterval = %s, want 30s", got)
	}
	if got := ShortestInterval(nil); got != 0 {
		t.Errorf("ShortestInterval(nil) = %s, want 0", got)
	}
}
