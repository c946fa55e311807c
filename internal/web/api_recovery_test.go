package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"yeonsok/internal/database"
	"yeonsok/internal/recovery"
	"yeonsok/internal/testdb"
)

// The API's restart order for the small ministry: one facility lost, then
// two, where the second holds 고용24's DR site, so that 고용24 must be
// rebuilt and 대표홈페이지, which authenticates through it, waits for it.
func TestRestartOrderAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		f := newUIFixture(t, store)
		fetch := func(path string) (int, []byte) {
			resp, body := getBytes(t, ts, path)
			return resp.StatusCode, body
		}
		describe := func(plan *recovery.Plan) string {
			var out []string
			for _, s := range plan.Steps {
				out = append(out, fmt.Sprintf("%d %s %s@%d-%d %s/%d assumed=%v critical=%v", s.Position, s.Name, s.Infrastructure, s.Start, s.Back,
					s.Verdict, s.Gap, s.Assumed, s.Critical))
			}
			return strings.Join(out, "\n")
		}

		one := restartPlan(t, fetch, fmt.Sprintf("facility=%d", f.nirs.ID))
		want := "1 고용24 auth@0-120 met/0 assumed=false critical=false\n" +
			"2 노사누리 @0-4320 no_target/0 assumed=true critical=true"
		if got := describe(one); got != want {
			t.Errorf("NIRS lost:\n%s\nwant\n%s", got, want)
		}

		two := restartPlan(t, fetch, fmt.Sprintf("facility=%d&facility=%d&facility=%d", f.kt.ID, f.nirs.ID, f.kt.ID))
		// 고용24's replica sat at its DR site, lost too: nothing to restore
		// from (assumed rebuild); 산재보험 EDI, without targets of its own,
		// is held to its grade's minimum (5 h).
		want = "1 고용24 auth@0-4320 misses/4200 assumed=true critical=true\n" +
			"2 산재보험 EDI @0-4320 misses/4020 assumed=true critical=false\n" +
			"3 노사누리 @0-4320 no_target/0 assumed=true critical=false\n" +
			"4 대표홈페이지 @4320-8640 misses/8460 assumed=true critical=true"
		if got := describe(two); got != want {
			t.Errorf("NIRS and KT lost:\n%s\nwant\n%s", got, want)
		}
		if two.Finish != 8640 || len(two.CriticalPath) != 2 || two.CriticalPath[0] != f.work24.ID || two.CriticalPath[1] != f.homepage.ID ||
			len(two.Facilities) != 2 || two.Cycles == nil {
			t.Errorf("plan: finish %d, path %v, facilities %v, cycles %v", two.Finish, two.CriticalPath, two.Facilities, two.Cycles)
		}
		if needs := two.Steps[3].Needs; len(needs) != 1 || needs[0] != f.work24.ID {
			t.Errorf("대표홈페이지 needs %v, want 고용24", needs)
		}

		teams := restartPlan(t, fetch, fmt.Sprintf("facility=%d&facility=%d&teams=1", f.nirs.ID, f.kt.ID))
		if teams.Teams != 1 || teams.Steps[1].Start != 4320 || teams.Finish != 4*4320 {
			t.Errorf("one team: %s, finish %d", describe(teams), teams.Finish)
		}

		for query, wantStatus := range map[string]int{
			"":               http.StatusBadRequest,
			"facility=abc":   http.StatusBadRequest,
			"facility=":      http.StatusBadRequest,
			"facility=99999": http.StatusNotFound,
			fmt.Sprintf("facility=%d&teams=-1", f.nirs.ID):   http.StatusBadRequest,
			fmt.Sprintf("facility=%d&teams=many", f.nirs.ID): http.StatusBadRequest,
			fmt.Sprintf("facility=%d&teams=1001", f.nirs.ID): http.StatusBadRequest,
		} {
			status, body := fetch("/api/v1/restart-order?" + query)
			var e apiError
			if status != wantStatus || json.Unmarshal(body, &e) != nil || e.Error.Message == "" {
				t.Errorf("?%s: %d %s, want %d with a JSON error", query, status, body, wantStatus)
			}
		}
		for _, path := range []string{"/api/v1/restart-order", "/api/v1/concentration", "/api/v1/mutual-dr"} {
			status, body := send(t, ts, http.MethodPost, path, "{}")
			if status != http.StatusMethodNotAllowed || !strings.Contains(string(body), `"error"`) {
				t.Errorf("POST %s: %d %s, want 405 as JSON", path, status, body)
			}
		}
	})
}
