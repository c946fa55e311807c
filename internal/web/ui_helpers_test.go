package web

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/inventory"
)

// uiFixture is a small ministry: two agencies, three facilities (one, KT,
// shared by both agencies), five systems, a service and a dependency. Its
// figures are worked out by hand in the tests that use it.
type uiFixture struct {
	ministry, welfare      *inventory.Agency
	nirs, own, kt          *inventory.Facility
	work24, homepage, nosa *inventory.System
	insurance, edi         *inventory.System
	benefits               *inventory.Service
	dependency             *inventory.Dependency
}

func span(m inventory.Minutes) *inventory.Minutes { return &m }

func newUIFixture(t *testing.T, store *inventory.Store) *uiFixture {
	t.Helper()
	ctx := context.Background()
	f := &uiFixture{}
	err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		f.ministry = &inventory.Agency{Name: "고용노동부", ShortName: "노동부"}
		if err := tx.CreateAgency(ctx, f.ministry); err != nil {
			return err
		}
		f.welfare = &inventory.Agency{Name: "근로복지공단", ShortName: "근복", ParentID: &f.ministry.ID, Contact: "정보화실 052-000-0000"}
		if err := tx.CreateAgency(ctx, f.welfare); err != nil {
			return err
		}
		f.nirs = &inventory.Facility{Name: "국정자원 대전센터", Operator: inventory.OperatorNIRS, Region: "대전"}
		f.own = &inventory.Facility{Name: "근로복지공단 전산실", Operator: inventory.OperatorSelf, Region: "울산",
			Conditions: map[string]string{"ups": "yes", "ups_in_server_room": "yes", "cctv": "none"},
			Findings:   "UPS와 서버가 같은 공간에 있음\n소화설비 노후화", Surveyed: true}
		f.kt = &inventory.Facility{Name: "KT 목동", Operator: inventory.OperatorPrivate, OperatorName: "KT", Region: "서울"}
		for _, fac := range []*inventory.Facility{f.nirs, f.own, f.kt} {
			if err := tx.CreateFacility(ctx, fac); err != nil {
				return err
			}
		}
		f.work24 = &inventory.System{AgencyID: f.ministry.ID, Name: "고용24", Grade: 1, PrimaryFacilityID: &f.nirs.ID,
			DRFacilityID: &f.kt.ID, DRPerformance: inventory.DRSimilar, Surveyed: true, Manual: "yes",
			Redundancy: map[string]string{"web": "yes", "db": "none"}, BackupFullEvery: span(10080), OffsiteMethod: "replication",
			OffsiteEvery: span(1440), RTODisaster: span(120), RPODisaster: span(60), OwnerPrimary: "김정보",
			Endpoints: []inventory.Endpoint{{Target: "https://www.work24.go.kr/"}}}
		f.homepage = &inventory.System{AgencyID: f.ministry.ID, Name: "대표홈페이지", Grade: 2, PrimaryFacilityID: &f.kt.ID,
			Surveyed: true, Manual: "none", RTODisaster: span(180), RPODisaster: span(240)}
		f.nosa = &inventory.System{AgencyID: f.ministry.ID, Name: "노사누리", PrimaryFacilityID: &f.nirs.ID, Sample: true}
		f.insurance = &inventory.System{AgencyID: f.welfare.ID, Name: "노동보험시스템", Grade: 1, PrimaryFacilityID: &f.own.ID,
			DRPerformance: inventory.DRPartial, Surveyed: true, Redundancy: map[string]string{"db": "yes"}, BackupIncrEvery: span(1440)}
		f.edi = &inventory.System{AgencyID: f.welfare.ID, Name: "산재보험 EDI", Grade: 3, PrimaryFacilityID: &f.kt.ID}
		for _, sys := range []*inventory.System{f.work24, f.homepage, f.nosa, f.insurance, f.edi} {
			if err := tx.CreateSystem(ctx, sys); err != nil {
				return err
			}
		}
		f.benefits = &inventory.Service{AgencyID: f.ministry.ID, Name: "실업급여 신청", MTPD: span(480), RTO: span(120),
			ManualWorkaround: "고용센터 창구에서 수기 접수", SystemIDs: []int64{f.work24.ID, f.insurance.ID}}
		if err := tx.CreateService(ctx, f.benefits); err != nil {
			return err
		}
		f.dependency = &inventory.Dependency{FromSystemID: f.homepage.ID, ToSystemID: f.work24.ID, Kind: "auth", Note: "통합 로그인"}
		return tx.CreateDependency(ctx, f.dependency)
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

// noRedirect is a client that shows a redirect instead of following it.
func noRedirect(ts *httptest.Server) *http.Client {
	c := *ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// post submits a form as a browser does (same origin) and returns the
// status, the redirect target and the body.
func post(t *testing.T, ts *httptest.Server, path string, form url.Values) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.URL)
	resp, err := noRedirect(ts).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

func getBytes(t *testing.T, ts *httptest.Server, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

var (
	rowPattern  = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cellPattern = regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`)
	tagPattern  = regexp.MustCompile(`<[^>]+>`)
	spaces      = regexp.MustCompile(`\s+`)
)

// htmlTable reads the rendered table with id t-{id} as rows of cell text
// (tags stripped, entities decoded, spaces collapsed), header row first.
func htmlTable(t *testing.T, body, id string) [][]string {
	t.Helper()
	start := strings.Index(body, `id="t-`+id+`"`)
	if start < 0 {
		t.Fatalf("no table %q on the page", id)
	}
	end := strings.Index(body[start:], "</table>")
	var rows [][]string
	for _, tr := range rowPattern.FindAllStringSubmatch(body[start:start+end], -1) {
		var row []string
		for _, td := range cellPattern.FindAllStringSubmatch(tr[1], -1) {
			row = append(row, cellText(td[1]))
		}
		rows = append(rows, row)
	}
	return rows
}

func cellText(s string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(html.UnescapeString(tagPattern.ReplaceAllString(s, " ")), " "))
}

// rowOf finds the row whose first cell is name.
func rowOf(t *testing.T, rows [][]string, name string) []string {
	t.Helper()
	for _, r := range rows {
		if len(r) > 0 && (r[0] == name || strings.HasPrefix(r[0], name+" ")) {
			return r
		}
	}
	t.Fatalf("no row %q in %v", name, rows)
	return nil
}

func wantCells(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q", what, w)
		}
	}
}
