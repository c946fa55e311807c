package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
)

// Other monitoring in (issue 6): Prometheus Alertmanager posts its
// webhook, and its alerts open, join and restore incidents like the
// tower's own monitoring does. Rules in docs/incidents.md.

// systemLabel is the alert label that names the system an alert is about,
// by its id in the tower: an id survives renames and never names two
// systems, where a name would need its agency besides.
const systemLabel = "yeonsok_system_id"

// maxAlertReason bounds what an alert writes on the timeline: its name and
// summary, not a whole runbook pasted into a description.
const maxAlertReason = 500

// alertmanagerWebhook is the body of Alertmanager's webhook (version 4);
// the fields the tower does not use (groupLabels, externalURL, …) are
// read past.
type alertmanagerWebhook struct {
	Version  string              `json:"version"`
	Status   string              `json:"status"`
	Receiver string              `json:"receiver"`
	GroupKey string              `json:"groupKey"`
	Alerts   []alertmanagerAlert `json:"alerts"`
}

// alertmanagerAlert is one alert of the webhook. A firing alert's endsAt
// is zero or in the future; a resolved one's is when it ended.
type alertmanagerAlert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Fingerprint string            `json:"fingerprint"`
}

// Alert states as Alertmanager names them.
const (
	alertFiring   = "firing"
	alertResolved = "resolved"
)

// alertSummary is what a webhook did: firing alerts that opened an
// incident or joined an open one (a repeat joins without a new timeline
// entry), and resolved alerts that brought a system back.
type alertSummary struct {
	Opened   int `json:"opened"`
	Joined   int `json:"joined"`
	Restored int `json:"restored"`
}

// alertSignal is one validated alert, ready to apply.
type alertSignal struct {
	systemID int64
	firing   bool
	at       time.Time
	reason   string
}

// receiveAlertmanagerJSON takes Alertmanager's webhook. Every alert is
// checked before any is applied, so a mistake in one (a missing label, a
// system the caller does not have) leaves everything as it was and says
// which alert and label; Alertmanager does not retry a 400, so the
// mistake shows in its log instead of looping.
func (s *Server) receiveAlertmanagerJSON(w http.ResponseWriter, r *http.Request) {
	var hook alertmanagerWebhook
	if err := decodeForeignJSON(r, &hook); err != nil {
		s.writeError(w, r, err)
		return
	}
	signals, err := s.readAlerts(r.Context(), principalFrom(r), &hook)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	summary, err := s.applyAlerts(r.Context(), signals)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, summary)
}

// readAlerts validates the webhook and turns its alerts into signals, the
// firing ones by when they started. A system that does not exist and one
// the caller may not touch get the same answer, so the webhook reveals
// nothing of another agency.
func (s *Server) readAlerts(ctx context.Context, p auth.Principal, hook *alertmanagerWebhook) ([]alertSignal, error) {
	if hook.Version != "4" {
		return nil, apperror.New(apperror.Invalid, "version", "alertmanager.invalid.version", hook.Version)
	}
	now := s.incidents.Now()
	known := map[int64]bool{}
	signals := make([]alertSignal, 0, len(hook.Alerts))
	for i, a := range hook.Alerts {
		if a.Status != alertFiring && a.Status != alertResolved {
			return nil, apperror.New(apperror.Invalid, fmt.Sprintf("alerts[%d].status", i), "alertmanager.invalid.status", i, a.Status)
		}
		field := fmt.Sprintf("alerts[%d].labels.%s", i, systemLabel)
		value, ok := a.Labels[systemLabel]
		if !ok || strings.TrimSpace(value) == "" {
			return nil, apperror.New(apperror.Invalid, field, "alertmanager.invalid.label_missing", i, systemLabel)
		}
		id, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil || id <= 0 {
			return nil, apperror.New(apperror.Invalid, field, "alertmanager.invalid.label_number", i, systemLabel, value)
		}
		allowed, seen := known[id]
		if !seen {
			if allowed, err = s.mayAlert(ctx, p, id); err != nil {
				return nil, err
			}
			known[id] = allowed
		}
		if !allowed {
			return nil, apperror.New(apperror.Invalid, field, "alertmanager.invalid.unknown_system", i, systemLabel, value)
		}
		sig := alertSignal{systemID: id, firing: a.Status == alertFiring, at: a.StartsAt, reason: alertReason(a)}
		if !sig.firing {
			sig.at, sig.reason = a.EndsAt, alertName(a)+": resolved"
		}
		// A clock starting in the future (a sender's clock ahead of ours)
		// would run backwards; no time at all means now.
		if sig.at.IsZero() || sig.at.After(now) {
			sig.at = now
		}
		signals = append(signals, sig)
	}
	// Firing alerts first, the earliest first: it opens the incident and
	// the others join it, as they would have had each come on its own.
	slices.SortStableFunc(signals, func(a, b alertSignal) int {
		switch {
		case a.firing && b.firing:
			return a.at.Compare(b.at)
		case a.firing:
			return -1
		case b.firing:
			return 1
		}
		return 0
	})
	return signals, nil
}

// mayAlert reports whether the caller may send alerts for system id: an
// alert token for the systems it is bound to, anyone else for the systems
// of their scope. An error is the database's, not the caller's.
func (s *Server) mayAlert(ctx context.Context, p auth.Principal, id int64) (bool, error) {
	scope := p.Scope()
	if p.Kind == auth.KindToken && p.Role == auth.Alert {
		if !p.CanPush(auth.Alert, id) {
			return false, nil
		}
		// Bound to it when the token was made; it may since be deleted.
		scope = access.All()
	}
	_, err := s.store.System(ctx, scope, id)
	if apperror.CodeOf(err) == apperror.NotFound {
		return false, nil
	}
	return err == nil, err
}

// applyAlerts applies validated signals: a firing alert opens or joins an
// incident, a resolved one stops its system's clock — unless another
// alert of the same webhook says the system is still down. Each signal is
// its own transaction; should one fail, Alertmanager sends the webhook
// again, and a repeat changes nothing that was already applied.
func (s *Server) applyAlerts(ctx context.Context, signals []alertSignal) (alertSummary, error) {
	var sum alertSummary
	down := map[int64]bool{}
	for _, sig := range signals {
		if sig.firing {
			down[sig.systemID] = true
		}
	}
	for _, sig := range signals {
		if sig.firing {
			_, opened, err := s.incidents.Detect(ctx, incident.Signal{SystemID: sig.systemID, At: sig.at, Source: incident.SourceAlert, Reason: sig.reason})
			if err != nil {
				return sum, fmt.Errorf("web: alert for system %d: %w", sig.systemID, err)
			}
			if opened {
				sum.Opened++
			} else {
				sum.Joined++
			}
			continue
		}
		if down[sig.systemID] {
			continue
		}
		touched, err := s.incidents.Restore(ctx, sig.systemID, sig.at, sig.reason)
		if err != nil {
			return sum, fmt.Errorf("web: resolved alert for system %d: %w", sig.systemID, err)
		}
		if touched > 0 {
			sum.Restored++
		}
	}
	return sum, nil
}

// alertName is the alert's alertname label ("alert" when it has none).
func alertName(a alertmanagerAlert) string {
	if name := strings.TrimSpace(a.Labels["alertname"]); name != "" {
		return name
	}
	return "alert"
}

// alertReason is what a firing alert writes on the timeline: its name and
// its summary (or else its description), clipped.
func alertReason(a alertmanagerAlert) string {
	text := strings.TrimSpace(a.Annotations["summary"])
	if text == "" {
		text = strings.TrimSpace(a.Annotations["description"])
	}
	reason := alertName(a)
	if text != "" {
		reason += ": " + text
	}
	return inventory.Clip(reason, maxAlertReason)
}
