package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/monitor"
	"yeonsok/internal/statuspage"
	"yeonsok/internal/testdb"
)

// publicFixture is a tower for the citizens' page: its own inventory
// full of internal detail that must never reach the page.
type publicFixture struct {
	db      *database.DB
	srv     *Server
	ts      *httptest.Server
	page    *statuspage.Page
	watcher *monitor.Watcher
	// offset moves the page's clock, to make its copy look stale.
	offset atomic.Int64

	welfare, keis                     *inventory.Agency
	insurance, work24, intranet, qnet *inventory.System
	compensation, benefits, approvals *inventory.Service
	exam                              *inventory.Service
	insuranceCheck, work24Check       monitor.Check
	secrets                           []string
}

const (
	insuranceTarget = "https://insurance-7f3a.comwel.internal/health"
	work24Target    = "tcp://db-91c2.work24.internal:5432"
)

func newPublicFixture(t *testing.T, db *database.DB) *publicFixture {
	t.Helper()
	ctx := context.Background()
	f := &publicFixture{db: db}
	f.watcher = monitor.NewWatcher(monitor.NewStore(db), discardLogger(), monitor.WatcherOptions{NoProbing: true})
	page, err := statuspage.New(db, f.watcher, statuspage.Options{Stylesheet: assetPaths["public.css"], Every: time.Hour,
		Now: func() time.Time { return time.Now().Add(time.Duration(f.offset.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	f.page = page
	f.srv, err = New(db, discardLogger(), auth.NewStore(db, auth.DefaultSettings()), Options{Watcher: f.watcher, StatusPage: page})
	if err != nil {
		t.Fatal(err)
	}
	f.ts = httptest.NewServer(f.srv)
	t.Cleanup(f.ts.Close)

	secretFacility := &inventory.Facility{Name: "비밀 전산센터 B동", Operator: inventory.OperatorPrivate, Address: "대전광역시 비밀로 77"}
	f.welfare = &inventory.Agency{Name: "근로복지공단", Contact: "정보화실 김연락 010-2222-3333"}
	f.keis = &inventory.Agency{Name: "한국고용정보원"}
	err = f.srv.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		for _, a := range []*inventory.Agency{f.welfare, f.keis} {
			if err := tx.CreateAgency(ctx, a); err != nil {
				return err
			}
		}
		if err := tx.CreateFacility(ctx, secretFacility); err != nil {
			return err
		}
		f.insurance = &inventory.System{AgencyID: f.welfare.ID, Name: "노동보험코어시스템", Grade: 1, PrimaryFacilityID: &secretFacility.ID,
			OwnerPrimary: "홍정담당", OwnerSecondary: "임부담당", Vendor: "비밀유지보수㈜",
			Endpoints: []inventory.Endpoint{{Target: insuranceTarget}}}
		f.work24 = &inventory.System{AgencyID: f.keis.ID, Name: "고용24코어", Grade: 1, PrimaryFacilityID: &secretFacility.ID,
			Endpoints: []inventory.Endpoint{{Target: work24Target}}}
		f.intranet = &inventory.System{AgencyID: f.keis.ID, Name: "내부결재시스템", Grade: 3}
		f.qnet = &inventory.System{AgencyID: f.keis.ID, Name: "시험접수백엔드", Grade: 2}
		for _, sys := range []*inventory.System{f.insurance, f.work24, f.intranet, f.qnet} {
			if err := tx.CreateSystem(ctx, sys); err != nil {
				return err
			}
		}
		f.compensation = &inventory.Service{AgencyID: f.welfare.ID, Name: "산재보험 급여 신청", Audience: "public",
			ManualWorkaround: "지사 창구·우편·팩스로 접수", SystemIDs: []int64{f.insurance.ID}}
		f.benefits = &inventory.Service{AgencyID: f.keis.ID, Name: "실업급여 신청", Audience: "public",
			ManualWorkaround: "고용센터 창구에서 수기로 접수합니다", SystemIDs: []int64{f.work24.ID}}
		f.approvals = &inventory.Service{AgencyID: f.keis.ID, Name: "내부 전자결재 업무", Audience: "internal", SystemIDs: []int64{f.intranet.ID}}
		f.exam = &inventory.Service{AgencyID: f.keis.ID, Name: "자격시험 접수", Audience: "public", SystemIDs: []int64{f.qnet.ID}}
		for _, svc := range []*inventory.Service{f.compensation, f.benefits, f.approvals, f.exam} {
			if err := tx.CreateService(ctx, svc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	// A call list entry: a person and how to reach them.
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO contacts (agency_id, system_id, role, name, email, phone, created_at, updated_at)
		VALUES ($1, $2, 'primary', '박연락처', 'park.secret@comwel.example', '010-9999-8888', $3, $3)`,
		f.welfare.ID, f.insurance.ID, database.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.monitors.SyncChecks(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.watcher.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	f.insuranceCheck = checkOf(t, f.srv, f.insurance.ID, insuranceTarget)
	f.work24Check = checkOf(t, f.srv, f.work24.ID, work24Target)
	f.secrets = []string{"노동보험코어시스템", "고용24코어", "내부결재시스템", "시험접수백엔드", insuranceTarget, work24Target,
		"insurance-7f3a", "comwel.internal", "db-91c2", "work24.internal", "비밀 전산센터", "비밀로 77", "홍정담당", "임부담당",
		"비밀유지보수", "김연락", "010-2222-3333", "박연락처", "park.secret", "010-9999-8888", "내부 전자결재 업무"}
	return f
}

// refresh rebuilds the page now, as the background loop would.
func (f *publicFixture) refresh(t *testing.T) {
	t.Helper()
	if err := f.page.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// fetch asks for path as a citizen's browser would — no cookie — with the
// given request headers; it returns the response and its (raw) body.
func (f *publicFixture) fetch(t *testing.T, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Unless a test asks for gzip, ask for the plain body (Go's client
	// would otherwise ask for gzip and unpack it behind our back).
	req.Header.Set("Accept-Encoding", "identity")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// page fetches the page (and checks it answers 200); json its data.
func (f *publicFixture) html(t *testing.T, query string) string {
	t.Helper()
	resp, body := f.fetch(t, statuspage.Path+query)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", statuspage.Path+query, resp.StatusCode, body)
	}
	return string(body)
}

func (f *publicFixture) json(t *testing.T) (statuspage.Data, string) {
	t.Helper()
	resp, body := f.fetch(t, statuspage.JSONPath)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("GET %s: %d %s %s", statuspage.JSONPath, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var d statuspage.Data
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatalf("json: %v\n%s", err, body)
	}
	return d, string(body)
}

// stateOf is a service's state in the JSON ("" when not listed).
func stateOf(d statuspage.Data, agency, service string) statuspage.State {
	for _, a := range d.Agencies {
		for _, s := range a.Services {
			if a.Name == agency && s.Name == service {
				return s.State
			}
		}
	}
	return ""
}

// serviceLine is the page's list item of a service ("" when not listed).
func serviceLine(body, service string) string {
	i := strings.Index(body, `<span class="public-service">`+service+`</span>`)
	if i < 0 {
		return ""
	}
	end := strings.Index(body[i:], "</li>")
	return body[i : i+end]
}

// section is the part of the page under the heading with id.
func section(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	end := strings.Index(body[i:], "</section>")
	return body[i : i+end]
}

// noLeak fails when a body names any of the fixture's internal details.
func (f *publicFixture) noLeak(t *testing.T, name, body string) {
	t.Helper()
	for _, s := range f.secrets {
		if strings.Contains(body, s) {
			t.Errorf("%s names internal detail %q", name, s)
		}
	}
}

// The citizens' status page, on both databases: served to anyone without
// signing in, each public service's state from the monitoring and the
// incidents, the incidents told by their public services only, the
// notices of manual mode, nothing internal, cacheable, and answered from
// memory.
func TestPublicStatusPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newPublicFixture(t, db)
		ctx := access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, ID: 1, Name: "담당자"})
		feed := newFeeder(f.watcher)
		feed.results(f.insuranceCheck.ID, monitor.Vantage, 2, "")
		feed.results(f.work24Check.ID, monitor.Vantage, 2, "")
		f.refresh(t)

		t.Run("no sign-in, healthy services are 정상", func(t *testing.T) {
			resp, raw := f.fetch(t, statuspage.Path)
			body := string(raw)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200 without signing in: %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			if got := resp.Header.Get("Cache-Control"); got != "public, max-age=10" {
				t.Errorf("Cache-Control %q, want the page's own, not the tower's no-store", got)
			}
			if len(resp.Cookies()) > 0 {
				t.Errorf("the public page sets cookies: %v", resp.Cookies())
			}
			for _, want := range []string{`<html lang="ko">`, `name="viewport"`, "<h1>대국민 서비스 운영 현황</h1>", assetPaths["public.css"]} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
				t.Error("the page carries a script or an inline style")
			}
			if line := serviceLine(body, "산재보험 급여 신청"); !strings.Contains(line, "정상") {
				t.Errorf("산재보험 급여 신청 is not 정상: %q", line)
			}
			if line := serviceLine(body, "자격시험 접수"); !strings.Contains(line, "확인 불가") {
				t.Errorf("a service whose systems nobody watches is not 확인 불가: %q", line)
			}
			d, _ := f.json(t)
			for service, want := range map[string]statuspage.State{"산재보험 급여 신청": statuspage.StateUp} {
				if got := stateOf(d, "근로복지공단", service); got != want {
					t.Errorf("%s: %q, want %q", service, got, want)
				}
			}
			if got := stateOf(d, "한국고용정보원", "실업급여 신청"); got != statuspage.StateUp {
				t.Errorf("실업급여 신청: %q, want up", got)
			}
			if d.Counts.Services != 3 || d.Counts.Up != 2 || d.Counts.Unknown != 1 {
				t.Errorf("counts %+v, want 3 public services: 2 up, 1 unknown", d.Counts)
			}
			if len(d.Incidents) != 0 || len(d.Notices) != 0 {
				t.Errorf("incidents %v, notices %v before any incident", d.Incidents, d.Notices)
			}
		})

		t.Run("internal services are not listed", func(t *testing.T) {
			body := f.html(t, "")
			d, _ := f.json(t)
			if strings.Contains(body, "내부 전자결재 업무") || stateOf(d, "한국고용정보원", "내부 전자결재 업무") != "" {
				t.Error("an internal service is on the public page")
			}
		})

		// An open incident on 노동보험코어시스템, reported by a person while the
		// probes still see it up.
		started := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
		inc, _, err := f.srv.incidents.Detect(ctx, incident.Signal{SystemID: f.insurance.ID, At: started, Source: incident.SourceReport,
			Reason: "스토리지 컨트롤러 이중 고장 secret-reason"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.srv.incidents.Move(ctx, access.All(), inc.ID, incident.Declared, "비밀 조치 메모 secret-note", ""); err != nil {
			t.Fatal(err)
		}
		f.secrets = append(f.secrets, "secret-reason", "스토리지 컨트롤러", "secret-note", "담당자")
		f.refresh(t)

		t.Run("an open incident makes its service 장애 and is listed", func(t *testing.T) {
			body := f.html(t, "")
			if line := serviceLine(body, "산재보험 급여 신청"); !strings.Contains(line, "장애") || strings.Contains(line, "정상") {
				t.Errorf("산재보험 급여 신청 with an open incident: %q, want 장애", line)
			}
			incidents := section(body, "incidents")
			for _, want := range []string{"산재보험 급여 신청", "근로복지공단", locale.DateTime(started), "복구 작업 중"} {
				if !strings.Contains(incidents, want) {
					t.Errorf("the incidents section lacks %q:\n%s", want, incidents)
				}
			}
			if strings.Contains(incidents, "실업급여 신청") {
				t.Error("the incident names a service it does not touch")
			}
			d, _ := f.json(t)
			if got := stateOf(d, "근로복지공단", "산재보험 급여 신청"); got != statuspage.StateDown {
				t.Errorf("JSON state %q, want down", got)
			}
			if len(d.Incidents) != 1 || !d.Incidents[0].Open || d.Incidents[0].Phase != statuspage.PhaseRecovering ||
				!d.Incidents[0].Started.Equal(started) || !d.Incidents[0].Ended.IsZero() {
				t.Errorf("JSON incidents %+v", d.Incidents)
			}
			if got := stateOf(d, "한국고용정보원", "실업급여 신청"); got != statuspage.StateUp {
				t.Errorf("another agency's service: %q, want up", got)
			}
		})

		// Manual mode: 산재보험 급여 신청 with its notice; 실업급여 신청
		// without one, which falls back to the service's workaround.
		notice := "가까운 지사 창구에서 서면으로 신청하실 수 있습니다. 우편·팩스 접수도 받습니다."
		manualSince := time.Now().Add(-20 * time.Minute)
		for _, m := range []struct {
			service int64
			notice  string
		}{{f.compensation.ID, notice}, {f.benefits.ID, ""}} {
			if _, err := db.Write.ExecContext(context.Background(), `INSERT INTO incident_manual_modes (incident_id, service_id, started_at, notice)
				VALUES ($1, $2, $3, $4)`, inc.ID, m.service, database.FormatTime(manualSince), m.notice); err != nil {
				t.Fatal(err)
			}
		}
		f.refresh(t)

		t.Run("manual mode shows its notice", func(t *testing.T) {
			body := f.html(t, "")
			notices := section(body, "notices")
			for _, want := range []string{notice, "고용센터 창구에서 수기로 접수합니다", locale.DateTime(manualSince)} {
				if !strings.Contains(notices, want) {
					t.Errorf("the notices lack %q:\n%s", want, notices)
				}
			}
			for _, service := range []string{"산재보험 급여 신청", "실업급여 신청"} {
				if line := serviceLine(body, service); !strings.Contains(line, "수동 처리 중") {
					t.Errorf("%s in manual mode: %q", service, line)
				}
			}
			d, _ := f.json(t)
			if d.Counts.Manual != 2 || len(d.Notices) != 2 {
				t.Errorf("counts %+v, notices %+v: want 2 in manual mode", d.Counts, d.Notices)
			}
		})

		t.Run("nothing internal leaks", func(t *testing.T) {
			f.noLeak(t, "the Korean page", f.html(t, ""))
			f.noLeak(t, "the English page", f.html(t, "?lang=en"))
			_, raw := f.json(t)
			f.noLeak(t, "the JSON", raw)
		})

		t.Run("English on request", func(t *testing.T) {
			body := f.html(t, "?lang=en")
			if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(serviceLine(body, "산재보험 급여 신청"), "Handled by hand") {
				t.Errorf("?lang=en is not English:\n%s", body)
			}
		})

		t.Run("ETag, 304 and gzip", func(t *testing.T) {
			resp, plain := f.fetch(t, statuspage.Path)
			etag := resp.Header.Get("ETag")
			if etag == "" || resp.Header.Get("Vary") != "Accept-Encoding" {
				t.Fatalf("ETag %q, Vary %q", etag, resp.Header.Get("Vary"))
			}
			again, body := f.fetch(t, statuspage.Path, "If-None-Match", etag)
			if again.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("matching ETag: %d with %d bytes, want 304 and no body", again.StatusCode, len(body))
			}
			if other, _ := f.fetch(t, statuspage.Path, "If-None-Match", `"stale"`); other.StatusCode != http.StatusOK {
				t.Errorf("another ETag: %d, want 200", other.StatusCode)
			}
			zipped, zbody := f.fetch(t, statuspage.Path, "Accept-Encoding", "gzip, deflate, br")
			if zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Header.Get("ETag") == etag {
				t.Fatalf("gzip: Content-Encoding %q, ETag %q (plain %q)", zipped.Header.Get("Content-Encoding"), zipped.Header.Get("ETag"), etag)
			}
			zr, err := gzip.NewReader(bytes.NewReader(zbody))
			if err != nil {
				t.Fatal(err)
			}
			unpacked, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(unpacked, plain) {
				t.Errorf("the gzipped page is not the page (%v)", err)
			}
		})

		// Resolved: the service is up again (the probes see it up), the
		// manual mode of a resolved incident is no longer in force, and
		// the incident stays listed with its end. An incident resolved 19
		// days ago is not listed.
		if _, err := f.srv.incidents.Move(ctx, access.All(), inc.ID, incident.Resolved, "", ""); err != nil {
			t.Fatal(err)
		}
		oldAt := time.Now().AddDate(0, 0, -20)
		f.srv.incidents.Now = func() time.Time { return oldAt.Add(time.Hour) }
		old, _, err := f.srv.incidents.Detect(ctx, incident.Signal{SystemID: f.qnet.ID, At: oldAt, Source: incident.SourceReport, Reason: "old"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.srv.incidents.Move(ctx, access.All(), old.ID, incident.Resolved, "", ""); err != nil {
			t.Fatal(err)
		}
		f.srv.incidents.Now = time.Now
		f.refresh(t)

		t.Run("a resolved incident stays listed with its end, an old one does not", func(t *testing.T) {
			d, raw := f.json(t)
			if got := stateOf(d, "근로복지공단", "산재보험 급여 신청"); got != statuspage.StateUp {
				t.Errorf("after resolution: %q, want up", got)
			}
			if len(d.Notices) != 0 {
				t.Errorf("notices of a resolved incident still shown: %+v", d.Notices)
			}
			if len(d.Incidents) != 1 || d.Incidents[0].Open || d.Incidents[0].Phase != statuspage.PhaseResolved || d.Incidents[0].Ended.IsZero() {
				t.Fatalf("incidents %+v, want the one resolved now only", d.Incidents)
			}
			body := f.html(t, "")
			if incidents := section(body, "incidents"); !strings.Contains(incidents, "복구 완료") ||
				!strings.Contains(incidents, locale.DateTime(d.Incidents[0].Ended)) || strings.Contains(incidents, "자격시험 접수") {
				t.Errorf("the incidents section:\n%s", incidents)
			}
			f.noLeak(t, "the page after resolution", body)
			f.noLeak(t, "the JSON after resolution", raw)
		})

		t.Run("served from memory", func(t *testing.T) {
			before := f.html(t, "")
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if err := f.page.Refresh(context.Background()); err == nil {
				t.Fatal("a rebuild with the database closed worked: the test proves nothing")
			}
			// Stale by its clock: the request asks for a rebuild in the
			// background, which fails, and is still answered at once.
			f.offset.Store(int64(2 * time.Hour))
			for range 3 {
				if after := f.html(t, ""); after != before {
					t.Fatal("the page changed with the database closed")
				}
			}
		})
	})
}
