package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"yeonsok/internal/incident/incidenttest"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/monitor"
	"yeonsok/internal/notify/smtptest"
	"yeonsok/internal/tasks"
	"yeonsok/internal/testdb"
)

// The "done when", through the tower as it runs (`yeonsok serve`):
// a service stops answering; the monitoring declares it down and an
// incident opens by itself with the system's RTO clock; the system's
// contact is told by email (a real SMTP exchange) and by a signed webhook
// (a real HTTP receiver); the service is switched to manual mode, an
// office's batch is recorded and entered back; the service answers again
// and the clock stops; the incident is resolved and reviewed, and the
// review's action is a task. Both databases.
func TestIncidentFromOutageToReview(t *testing.T) {
	targets := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "yeonsok.db") },
		"postgres": func(t *testing.T) string { return testdb.PostgresURL(t) },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) { outageToReview(t, targets[name](t)) })
	}
}

// kinds are the kinds of the entries the inbox was told of.
func kinds(inbox *incidenttest.Inbox) []string {
	got, _ := inbox.Received()
	var kinds []string
	for _, p := range got {
		kinds = append(kinds, p.Data.Kind)
	}
	return kinds
}

func outageToReview(t *testing.T, dbTarget string) {
	ctx := context.Background()
	var failing atomic.Bool
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "storage controller failed", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer service.Close()
	mail := smtptest.Start(t, &smtptest.Server{})
	hooks := &incidenttest.Inbox{Secret: "sms-gateway-secret"}
	gateway := httptest.NewServer(hooks)
	defer gateway.Close()

	// The tower's records: 고용24 (grade 1, RTO 1 h) behind the public
	// service 실업급여 신청, probed five times a second; its 정 담당자
	// reached by email and through the SMS gateway; a script token of the
	// agency for the API.
	db, err := database.Open(ctx, dbTarget)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rto := inventory.Minutes(60)
	agency := &inventory.Agency{Name: "한국고용정보원"}
	sys := &inventory.System{Name: "고용24", Grade: 1, RTOFailure: &rto, Endpoints: []inventory.Endpoint{{Target: service.URL + "/health"}}}
	svc := &inventory.Service{Name: "실업급여 신청", Audience: "public", ManualWorkaround: "가까운 고용센터 방문 또는 팩스 접수"}
	err = inventory.NewStore(db).Update(ctx, access.All(), func(tx *inventory.Tx) error {
		if err := tx.CreateAgency(ctx, agency); err != nil {
			return err
		}
		sys.AgencyID, svc.AgencyID = agency.ID, agency.ID
		if err := tx.CreateSystem(ctx, sys); err != nil {
			return err
		}
		svc.SystemIDs = []int64{sys.ID}
		return tx.CreateService(ctx, svc)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := monitor.NewStore(db).SyncChecks(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`UPDATE checks SET interval_ms = 200, timeout_ms = 150`); err != nil {
		t.Fatal(err)
	}
	contact := &incident.Contact{AgencyID: agency.ID, SystemID: sys.ID, Role: incident.RolePrimary, Name: "홍길동",
		Email: "hong@keis.example", Phone: "010-0000-0000", WebhookURL: gateway.URL + "/sms", WebhookSecret: hooks.Secret}
	if err := incident.NewContactStore(db).Create(ctx, access.All(), contact); err != nil {
		t.Fatal(err)
	}
	token, err := auth.NewStore(db, auth.DefaultSettings()).CreateToken(ctx, &auth.Token{Name: "상황실 스크립트", Role: auth.Script, AgencyID: agency.ID})
	if err != nil {
		t.Fatal(err)
	}

	t.Setenv("YEONSOK_SMTP_ADDR", mail.Addr())
	t.Setenv("YEONSOK_SMTP_FROM", "연속 <yeonsok@moel.example>")
	t.Setenv("YEONSOK_SMTP_STARTTLS", "off")
	base, _, stopServe := startServe(t, dbTarget)
	stop := sync.OnceValue(stopServe)
	defer stop()
	client := &http.Client{Timeout: 10 * time.Second}
	api := func(method, path string, body, out any) int {
		return callWith(t, client, method, base+"/api/v1"+path, token, body, out)
	}

	// The service fails: an incident opens by itself, its clock running.
	failing.Store(true)
	downAt := time.Now()
	var inc incident.Incident
	waitUntil(t, 20*time.Second, "the incident to open by itself", func() bool {
		var open struct{ Items []incident.Incident }
		if api("GET", "/incidents", nil, &open) != 200 || len(open.Items) != 1 {
			return false
		}
		inc = open.Items[0]
		return true
	})
	clock := inc.Systems[0]
	if inc.Source != incident.SourceMonitor || inc.Severity != incident.SeverityNational || clock.SystemID != sys.ID ||
		clock.RTO != time.Hour || !clock.RestoredAt.IsZero() || clock.DownAt.Before(downAt.Add(-time.Second)) {
		t.Fatalf("the incident opened as %+v, clock %+v", inc, clock)
	}
	if len(inc.Services) != 1 || inc.Services[0].ServiceID != svc.ID || !inc.Services[0].Direct {
		t.Errorf("affected services %+v", inc.Services)
	}

	// The contact is told: by email, and through the SMS gateway.
	waitUntil(t, 20*time.Second, "the email at the SMTP server", func() bool { return len(mail.To(contact.Email)) > 0 })
	_, subject, body, err := mail.To(contact.Email)[0].Decode()
	if err != nil || !strings.Contains(subject, "고용24") || !strings.Contains(body, fmt.Sprint(inc.ID)) {
		t.Errorf("the email: %q\n%s (%v)", subject, body, err)
	}
	waitUntil(t, 20*time.Second, "the signed webhook", func() bool { return len(kinds(hooks)) > 0 })
	got, refused := hooks.Received()
	if first := got[0].Data; first.IncidentID != inc.ID || first.SystemID != sys.ID || first.Kind != incident.EventOpened || len(refused) != 0 {
		t.Errorf("the webhook's data %+v (refused %v)", first, refused)
	}
	// Both deliveries are on the timeline.
	path := fmt.Sprintf("/incidents/%d", inc.ID)
	waitUntil(t, 20*time.Second, "the deliveries on the timeline", func() bool {
		api("GET", path, nil, &inc)
		n := 0
		for _, e := range inc.Events {
			if e.Kind == "notify" && strings.Contains(e.Text, "홍길동") {
				n++
			}
		}
		return n >= 2
	})

	// Manual mode, an office's batch, and its back-entry.
	if status := api("POST", path+"/manual", map[string]any{"service_id": svc.ID, "on": true}, &inc); status != 200 ||
		inc.Services[0].Manual == nil || inc.Services[0].Manual.Notice != svc.ManualWorkaround {
		t.Fatalf("manual mode: %d %+v", status, inc.Services)
	}
	batch := map[string]any{"service_id": svc.ID, "office": "서울강남고용센터", "count": 42, "first_receipt": "강남-0001", "last_receipt": "강남-0042"}
	if status := api("POST", path+"/batches", map[string]any{"batches": []any{batch}}, &inc); status != 201 || inc.Outstanding() != 42 {
		t.Fatalf("a batch: %d, outstanding %d", status, inc.Outstanding())
	}

	// The service answers again: the clock stops.
	failing.Store(false)
	waitUntil(t, 20*time.Second, "the clock to stop", func() bool {
		return api("GET", path, nil, &inc) == 200 && !inc.Systems[0].RestoredAt.IsZero()
	})
	if elapsed := inc.Systems[0].Clock().Elapsed(time.Now()); elapsed <= 0 || elapsed > time.Minute {
		t.Errorf("the clock ran %s", elapsed)
	}
	if status := api("PUT", fmt.Sprintf("%s/batches/%d", path, inc.Batches[0].ID), map[string]any{"entered": 42}, &inc); status != 200 || inc.Outstanding() != 0 {
		t.Fatalf("back-entry: %d, outstanding %d", status, inc.Outstanding())
	}
	if status := api("POST", path+"/manual", map[string]any{"service_id": svc.ID, "on": false}, nil); status != 200 {
		t.Errorf("manual mode off: %d", status)
	}

	// Resolved, then reviewed; the action is a task.
	if status := api("POST", path+"/move", map[string]any{"state": "resolved", "note": "스토리지 교체 후 정상"}, &inc); status != 200 {
		t.Fatalf("resolve: %d", status)
	}
	review := map[string]any{"summary": "고용24 스토리지 장애", "cause": "스토리지 컨트롤러 고장",
		"actions": []any{map[string]any{"title": "스토리지 컨트롤러 이중화", "owner": "인프라팀", "due": "2027-03-31"}}}
	if status := api("POST", path+"/review", review, &inc); status != 200 || inc.State != incident.Reviewed || len(inc.Actions) != 1 {
		t.Fatalf("review: %d %+v", status, inc)
	}
	var task tasks.Task
	if status := api("GET", fmt.Sprintf("/tasks/%d", inc.Actions[0].TaskID), nil, &task); status != 200 ||
		task.Title != "스토리지 컨트롤러 이중화" || task.AgencyID != agency.ID || len(task.SystemIDs) != 1 || task.SystemIDs[0] != sys.ID {
		t.Errorf("the action's task: %d %+v", status, task)
	}
	// The contact heard of the recovery and the moves too.
	waitUntil(t, 20*time.Second, "the recovery told", func() bool {
		return strings.Contains(strings.Join(kinds(hooks), ","), incident.EventRestored)
	})
	if code := stop(); code != 0 {
		t.Fatalf("serve exit %d", code)
	}
}
