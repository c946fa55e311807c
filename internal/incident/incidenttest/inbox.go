// Package incidenttest holds what the tests of the incident flow share: a
// webhook receiver run as an SMS gateway or a messenger would run it.
package incidenttest

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"yeonsok/internal/incident"
	"yeonsok/internal/notify"
)

// Payload is a notification as its receiver reads it.
type Payload struct {
	ID      string               `json:"id"`
	Subject string               `json:"subject"`
	Body    string               `json:"body"`
	Data    incident.MessageData `json:"data"`
}

// Inbox is a real HTTP receiver of the tower's webhooks: it checks each
// request's signature with notify.Verify against Secret, keeps the
// payloads that verify and refuses (401) and notes the others.
type Inbox struct {
	Secret string

	mu      sync.Mutex
	got     []Payload
	refused []string
}

func (h *Inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := notify.Verify(h.Secret, r.Header.Get(notify.HeaderTimestamp), body, r.Header.Get(notify.HeaderSignature), time.Now(), time.Minute); err != nil {
		h.refused = append(h.refused, err.Error())
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		h.refused = append(h.refused, err.Error())
		http.Error(w, "bad JSON", http.StatusBadRequest)
		return
	}
	h.got = append(h.got, p)
}

// Received is what arrived so far: the payloads that verified, and why
// the others were refused.
func (h *Inbox) Received() (got []Payload, refused []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got), slices.Clone(h.refused)
}
