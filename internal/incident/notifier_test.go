package incident_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"yeonsok/internal/incident/incidenttest"
	"yeonsok/internal/notify/smtptest"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/notify"
	"yeonsok/internal/testdb"
)

// gotMail is a mail the SMTP server took, decoded.
type gotMail struct {
	subject string
	body    string
}

// mailsTo is what the server took for addr, decoded.
func mailsTo(t *testing.T, s *smtptest.Server, addr string) []gotMail {
	t.Helper()
	var out []gotMail
	for _, m := range s.To(addr) {
		_, subject, body, err := m.Decode()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, gotMail{subject: subject, body: body})
	}
	return out
}

// deliveries counts the server's mails by recipient.
func deliveries(s *smtptest.Server) int {
	n := 0
	for _, m := range s.Received() {
		n += len(m.To)
	}
	return n
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func subjects(mails []gotMail) []string {
	var out []string
	for _, m := range mails {
		out = append(out, m.subject)
	}
	return out
}

func hasSubject(mails []gotMail, part string) bool {
	return slices.ContainsFunc(mails, func(m gotMail) bool { return strings.Contains(m.subject, part) })
}

// From a system going down to its RTO clock passing 50 % and 80 %: the
// system's people hear each step by email (a real SMTP exchange) and by a
// signed webhook (a real HTTP receiver), the agency head and the ministry
// only when the grade-1 clock escalates at 80 % (the ministry also when
// the national incident opens), each attempt is on the incident's
// timeline, and a dead webhook retries and fails there while the email to
// the same person arrives without waiting for it.
func TestNotifierEndToEnd(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		smtp := smtptest.Start(t, &smtptest.Server{})
		live := &incidenttest.Inbox{Secret: "live-secret"}
		liveServer := httptest.NewServer(live)
		defer liveServer.Close()
		// The dead receiver hangs on its first request until released, then
		// answers 503 to every try: the first try holds a dispatcher worker
		// while everything else must go on.
		release, deadTries := make(chan struct{}), make(chan struct{}, 16)
		var hangOnce sync.Once
		dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hangOnce.Do(func() { <-release })
			deadTries <- struct{}{}
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		}))
		defer dead.Close()
		var releaseOnce sync.Once
		defer releaseOnce.Do(func() { close(release) })

		contacts := incident.NewContactStore(db)
		add := func(c *incident.Contact) {
			t.Helper()
			if err := contacts.Create(ctx, access.All(), c); err != nil {
				t.Fatal(err)
			}
		}
		add(&incident.Contact{SystemID: f.insurance.ID, Role: incident.RolePrimary, Name: "홍길동", Email: "hong@welfare.example",
			Phone: "010-1234-5678", WebhookURL: liveServer.URL + "/sms", WebhookSecret: live.Secret})
		add(&incident.Contact{SystemID: f.insurance.ID, Role: incident.RoleSecondary, Name: "김철수", Email: "kim@welfare.example",
			WebhookURL: dead.URL + "/hook", WebhookSecret: "dead-secret"})
		add(&incident.Contact{AgencyID: f.welfare.ID, Role: incident.RolePrimary, Name: "기관 담당", Email: "desk@welfare.example"})
		add(&incident.Contact{AgencyID: f.welfare.ID, Role: incident.RoleHead, Name: "이사장", Email: "head@welfare.example"})
		add(&incident.Contact{Role: incident.RoleMinistry, Name: "본부 상황실", Email: "situation@moel.example",
			WebhookURL: liveServer.URL + "/ministry", WebhookSecret: live.Secret, Phone: "044-202-0000"})
		// Another agency's system going down tells none of them.
		add(&incident.Contact{SystemID: f.work24.ID, Role: incident.RolePrimary, Name: "고용24 담당", Email: "work24@keis.example"})

		d := &notify.Dispatcher{
			Email:       &notify.SMTP{Host: smtp.Host, Port: smtp.Port, From: "연속 <yeonsok@moel.example>", StartTLS: notify.StartTLSOff, Timeout: 5 * time.Second},
			Webhook:     &notify.Webhook{},
			BackoffBase: 20 * time.Millisecond,
			BackoffCap:  40 * time.Millisecond,
			MaxAttempts: 3,
		}
		n := incident.NewNotifier(db, contacts, d, slog.New(slog.DiscardHandler))
		n.PublicURL = "https://yeonsok.moel.example/"
		n.Every = 20 * time.Millisecond
		if err := n.Prime(ctx); err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(context.Background())
		defer stop()
		ran := make(chan error, 1)
		go func() { ran <- n.Run(runCtx) }()

		inc, _, err := f.store.Detect(ctx, incident.Signal{SystemID: f.insurance.ID, At: t0, Source: incident.SourceMonitor, Reason: "connection refused"})
		if err != nil {
			t.Fatal(err)
		}
		// The email to 김철수 arrives while the first try of his webhook hangs.
		waitFor(t, "the opening's email to 김철수", func() bool { return len(mailsTo(t, smtp, "kim@welfare.example")) == 1 })
		if len(deadTries) != 0 {
			t.Fatal("the dead webhook answered before its release")
		}
		releaseOnce.Do(func() { close(release) })

		opened := mailsTo(t, smtp, "hong@welfare.example")
		waitFor(t, "the opening's email to 홍길동", func() bool { opened = mailsTo(t, smtp, "hong@welfare.example"); return len(opened) == 1 })
		wantSubject := "[연속] 노동보험시스템 장애 발생 (근로복지공단)"
		if opened[0].subject != wantSubject {
			t.Errorf("subject %q, want %q", opened[0].subject, wantSubject)
		}
		for _, part := range []string{fmt.Sprintf("장애 번호: #%d", inc.ID), "시스템: 노동보험시스템 (1등급)", "시각: 2025. 9. 26. 20:15",
			fmt.Sprintf("https://yeonsok.moel.example/incidents/%d", inc.ID), "connection refused"} {
			if !strings.Contains(opened[0].body, part) {
				t.Errorf("body lacks %q:\n%s", part, opened[0].body)
			}
		}
		// A national incident opening tells the ministry; not the head.
		waitFor(t, "the ministry told of the opening", func() bool { return len(mailsTo(t, smtp, "situation@moel.example")) == 1 })
		if got := mailsTo(t, smtp, "desk@welfare.example"); len(got) != 0 {
			t.Errorf("the agency's own contact told although the system has a list: %v", subjects(got))
		}

		// 50 %: the system's people only.
		if w, err := f.store.ClockWarnings(ctx, t0.Add(31*time.Minute)); err != nil || len(w) != 1 || w[0].Stage != incident.StageHalf {
			t.Fatalf("50 %% warning: %+v (%v)", w, err)
		}
		waitFor(t, "the 50 % emails", func() bool {
			return hasSubject(mailsTo(t, smtp, "hong@welfare.example"), "RTO 50% 경과") && hasSubject(mailsTo(t, smtp, "kim@welfare.example"), "RTO 50% 경과")
		})
		half := mailsTo(t, smtp, "hong@welfare.example")[1]
		if want := "[연속] 노동보험시스템 장애 — RTO 50% 경과 (근로복지공단)"; half.subject != want {
			t.Errorf("subject %q, want %q", half.subject, want)
		}
		if !strings.Contains(half.body, "시각: 2025. 9. 26. 20:46") || !strings.Contains(half.body, "RTO: 1시간 중 31분 경과") {
			t.Errorf("50 %% body:\n%s", half.body)
		}
		// 80 %: escalation reaches the head and the ministry.
		if w, err := f.store.ClockWarnings(ctx, t0.Add(49*time.Minute)); err != nil || len(w) != 1 || !w[0].Escalate {
			t.Fatalf("80 %% warning: %+v (%v)", w, err)
		}
		waitFor(t, "the head told at 80 %", func() bool { return len(mailsTo(t, smtp, "head@welfare.example")) == 1 })
		head := mailsTo(t, smtp, "head@welfare.example")[0]
		if want := "[연속] 노동보험시스템 장애 — RTO 80% 경과 (근로복지공단)"; head.subject != want {
			t.Errorf("head's subject %q, want %q", head.subject, want)
		}
		waitFor(t, "the ministry told at 80 %", func() bool { return len(mailsTo(t, smtp, "situation@moel.example")) == 2 })
		if got := subjects(mailsTo(t, smtp, "situation@moel.example")); hasSubject(mailsTo(t, smtp, "situation@moel.example"), "50%") {
			t.Errorf("the ministry told of 50 %%: %v", got)
		}

		// Back: the system's people hear it.
		if _, err := f.store.Restore(ctx, f.insurance.ID, t0.Add(55*time.Minute), ""); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the recovery emails", func() bool {
			return hasSubject(mailsTo(t, smtp, "hong@welfare.example"), "복구") && hasSubject(mailsTo(t, smtp, "kim@welfare.example"), "복구")
		})
		// The dead webhook: three tries of each of its four messages.
		waitFor(t, "the dead webhook's tries", func() bool { return len(deadTries) == 12 })
		// The live receiver: 홍길동's four and the ministry's two, all signed.
		var hooks []incidenttest.Payload
		waitFor(t, "the live webhooks", func() bool { hooks, _ = live.Received(); return len(hooks) == 6 })

		stop()
		if err := <-ran; err != nil {
			t.Fatal(err)
		}
		// Everything sent was sent once: nothing tells of the notify entries.
		if got := deliveries(smtp); got != 4+4+2+1 { // 홍길동, 김철수: opening, 50, 80, back; ministry: opening, 80; head: 80
			t.Errorf("%d emails, want 11", got)
		}
		if got := mailsTo(t, smtp, "work24@keis.example"); len(got) != 0 {
			t.Errorf("another agency's contact told: %v", subjects(got))
		}
		hooks, bad := live.Received()
		if len(bad) > 0 || len(hooks) != 6 {
			t.Fatalf("live webhooks: %d, refused %v", len(hooks), bad)
		}
		var sms *incidenttest.Payload
		for i, h := range hooks {
			if !strings.HasPrefix(h.ID, fmt.Sprintf("incident-%d-", inc.ID)) || h.Data.IncidentID != inc.ID {
				t.Errorf("webhook id %q does not carry incident %d", h.ID, inc.ID)
			}
			if h.Data.Kind == incident.EventClock && h.Data.Stage == "late" && h.Data.Recipient.Name == "홍길동" {
				sms = &hooks[i]
			}
		}
		if sms == nil {
			t.Fatalf("no 80 %% webhook to 홍길동: %+v", hooks)
		}
		if sms.Data.Recipient.Phone != "010-1234-5678" || sms.Data.SystemID != f.insurance.ID || sms.Data.SystemName != "노동보험시스템" ||
			sms.Data.Grade != 1 || !sms.Data.Escalated || sms.Subject != "[연속] 노동보험시스템 장애 — RTO 80% 경과 (근로복지공단)" {
			t.Errorf("80 %% webhook: %+v", sms)
		}

		// The timeline: every attempt, by yeonsok.
		got, err := f.store.Incident(ctx, access.All(), inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, e := range got.Events {
			if e.Kind == incident.EventNotify {
				if e.Author != "yeonsok" {
					t.Errorf("notify entry by %q", e.Author)
				}
				lines = append(lines, e.Text)
			}
		}
		count := func(part string) int {
			n := 0
			for _, l := range lines {
				if strings.Contains(l, part) {
					n++
				}
			}
			return n
		}
		if c := count(": 전달됨 (시도 1)"); c != 11+6 {
			t.Errorf("%d delivered attempts on the timeline, want 17:\n%s", c, strings.Join(lines, "\n"))
		}
		for part, want := range map[string]int{
			"이메일 → 홍길동 <hong@welfare.example>: 전달됨 (시도 1)": 4,
			"이메일 → 이사장 <head@welfare.example>: 전달됨 (시도 1)": 1,
			"웹훅 → 김철수: 실패, 다시 시도 예정 (시도 1)":                4,
			"웹훅 → 김철수: 실패, 다시 시도 예정 (시도 2)":                4,
			"웹훅 → 김철수: 실패, 전달 포기 (시도 3)":                   4,
			"503 Service Unavailable": 12,
		} {
			if c := count(part); c != want {
				t.Errorf("%d timeline entries with %q, want %d", c, part, want)
			}
		}
	})
}

func TestAttemptText(t *testing.T) {
	scenarios := []struct {
		a    notify.Attempt
		want string
	}{
		{notify.Attempt{Channel: notify.ChannelEmail, Recipient: "홍길동 <a@b>", Number: 1, Delivered: true}, "이메일 → 홍길동 <a@b>: 전달됨 (시도 1)"},
		{notify.Attempt{Channel: notify.ChannelWebhook, Recipient: "홍길동", Number: 2, Error: "503"}, "웹훅 → 홍길동: 실패, 다시 시도 예정 (시도 2): 503"},
		{notify.Attempt{Channel: notify.ChannelWebhook, Recipient: "홍길동", Number: 8, Permanent: true, Error: "gave up"}, "웹훅 → 홍길동: 실패, 전달 포기 (시도 8): gave up"},
		{notify.Attempt{Channel: notify.ChannelEmail, Recipient: "홍길동", Permanent: true, Error: "queue full"}, "이메일 → 홍길동: 보내지 못함: queue full"},
	}
	for _, sc := range scenarios {
		if got := incident.AttemptText(sc.a); got != sc.want {
			t.Errorf("got %q, want %q", got, sc.want)
		}
	}
}

// A person's move names the incident's systems and, once a clock has
// escalated, is told to the agency head and the ministry too.
func TestComposeMove(t *testing.T) {
	at := time.Date(2025, 9, 26, 5, 5, 0, 0, time.UTC)
	inc := &incident.Incident{ID: 12, AgencyID: 3, State: incident.Declared, Severity: incident.SeverityNational,
		Systems: []*incident.AffectedSystem{{SystemID: 40, Name: "고용24", Grade: 1, DownAt: at.Add(-time.Hour), Warned: incident.StageHalf},
			{SystemID: 41, Name: "워크넷", Grade: 3, DownAt: at}}}
	ev := &incident.Event{ID: 345, At: at, Kind: incident.EventState, Author: "hong", Text: "declared: 수기 접수 전환"}
	m := incident.Compose(inc, "한국고용정보원", ev, "https://yeonsok.moel.example")
	if want := "[연속] 고용24 외 1개 장애 — 장애 선언 (한국고용정보원)"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	for _, part := range []string{"장애 번호: #12 (상태: 장애 선언, 심각도: 국가 차원)", "시각: 2025. 9. 26. 14:05", "기록: 수기 접수 전환",
		"바로 가기: https://yeonsok.moel.example/incidents/12"} {
		if !strings.Contains(m.Body, part) {
			t.Errorf("body lacks %q:\n%s", part, m.Body)
		}
	}
	if m.Data.Escalated {
		t.Error("escalated before any clock passed 80 %")
	}
	inc.Systems[0].Warned = incident.StageLate
	ev.Text = "reviewed (override, 3 outstanding: 전산 입력 완료 예정)"
	m = incident.Compose(inc, "한국고용정보원", ev, "")
	if !m.Data.Escalated || !strings.Contains(m.Subject, "검토 종결") || !strings.Contains(m.Body, "바로 가기: /incidents/12") {
		t.Errorf("after escalation: %+v", m)
	}
}
