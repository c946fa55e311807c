package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/risk"
	"yeonsok/internal/testdb"
)

// The risk API: create, read, filter, the heat map, update, delete, and
// every refusal as a JSON error naming the field.
func TestRiskAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newScopeFixture(t, inventory.NewStore(db))
		ts, _ := newTestServer(t, db)
		body := fmt.Sprintf(`{"agency_id":%d,"facility_id":%d,"sub_kind":"equipment","title":"전산실 온도 26°C 초과","likelihood":4,"impact":5,"residual_impact":4,"review_date":"2026-07-01"}`,
			f.welfare.ID, f.own.ID)

		status, answer := send(t, ts, "POST", "/api/v1/risks", body)
		var e risk.Entry
		if err := json.Unmarshal(answer, &e); status != http.StatusCreated || err != nil {
			t.Fatalf("create: %d %s", status, answer)
		}
		if e.ID == 0 || e.Kind != risk.Physical || e.Rating != 20 || e.Band != "critical" || e.ResidualLikelihood != 4 ||
			e.ResidualRating != 16 || e.ResidualBand != "high" || e.Status != "open" || e.CreatedAt.IsZero() {
			t.Fatalf("created %s", answer)
		}
		path := fmt.Sprintf("/api/v1/risks/%d", e.ID)

		t.Run("refusals name the field", func(t *testing.T) {
			for _, sc := range []struct {
				body, field, code string
				status            int
			}{
				{`{"agency_id":1,"sub_kind":"equipment","title":"x","likelihood":6,"impact":1}`, "likelihood", "invalid", 400},
				{`{"agency_id":1,"sub_kind":"equipment","title":"x","likelihood":"often","impact":1}`, "likelihood", "invalid", 400},
				{`{"agency_id":1,"sub_kind":"volcano","title":"x","likelihood":1,"impact":1}`, "sub_kind", "invalid", 400},
				{`{"agency_id":1,"sub_kind":"equipment","title":"x","likelihood":1,"impact":1,"colour":"red"}`, "colour", "invalid", 400},
				{fmt.Sprintf(`{"agency_id":%d,"sub_kind":"equipment","title":"x","likelihood":2,"impact":2,"residual_likelihood":3}`, f.welfare.ID), "residual_likelihood", "invalid", 400},
				{fmt.Sprintf(`{"agency_id":%d,"sub_kind":"equipment","title":"x","likelihood":2,"impact":2,"status":"gone"}`, f.welfare.ID), "status", "invalid", 400},
			} {
				status, answer := send(t, ts, "POST", "/api/v1/risks", sc.body)
				var got apiError
				json.Unmarshal(answer, &got)
				if status != sc.status || got.Error.Code != sc.code || got.Error.Field != sc.field || got.Error.Message == "" {
					t.Errorf("POST %s: %d %s, want %d %s on %s", sc.body, status, answer, sc.status, sc.code, sc.field)
				}
			}
		})

		t.Run("list and filters", func(t *testing.T) {
			for query, want := range map[string]int{
				"": 1, "?band=high": 1, "?band=critical": 0, "?kind=physical": 1, "?kind=operational": 0,
				fmt.Sprintf("?agency=%d", f.welfare.ID): 1, fmt.Sprintf("?agency=%d", f.keis.ID): 0,
				fmt.Sprintf("?facility=%d", f.own.ID): 1, fmt.Sprintf("?facility=%d", f.kt.ID): 0, "?status=open": 1, "?status=closed": 0,
			} {
				status, answer := send(t, ts, "GET", "/api/v1/risks"+query, "")
				var list struct{ Items []risk.Entry }
				if err := json.Unmarshal(answer, &list); status != http.StatusOK || err != nil || len(list.Items) != want {
					t.Errorf("GET /api/v1/risks%s: %d, %d items, want %d\n%s", query, status, len(list.Items), want, answer)
				}
			}
			for query, field := range map[string]string{"?band=severe": "band", "?kind=cosmic": "kind", "?agency=x": "agency", "?status=done": "status"} {
				status, answer := send(t, ts, "GET", "/api/v1/risks"+query, "")
				if status != http.StatusBadRequest || !strings.Contains(string(answer), `"field": "`+field+`"`) {
					t.Errorf("GET /api/v1/risks%s: %d %s, want 400 on %s", query, status, answer, field)
				}
			}
		})

		t.Run("heat map", func(t *testing.T) {
			status, answer := send(t, ts, "GET", "/api/v1/risks/heatmap", "")
			var h struct {
				Inherent, Residual [5][5]int
				Counted            int
				Bands              []struct {
					Band     string
					Min, Max int
				}
			}
			if err := json.Unmarshal(answer, &h); status != http.StatusOK || err != nil {
				t.Fatalf("heat map: %d %s", status, answer)
			}
			if h.Counted != 1 || h.Inherent[3][4] != 1 || h.Residual[3][3] != 1 || len(h.Bands) != 4 || h.Bands[3].Band != "critical" || h.Bands[3].Min != 20 {
				t.Errorf("heat map %s", answer)
			}
			if _, answer := send(t, ts, "GET", "/api/v1/risks/heatmap?kind=technical", ""); !strings.Contains(string(answer), `"counted": 0`) {
				t.Errorf("filtered heat map counts what the filter leaves out: %s", answer)
			}
		})

		t.Run("read, update, delete", func(t *testing.T) {
			status, answer := send(t, ts, "GET", path, "")
			if status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, status)
			}
			// What was read goes back with a change.
			var stored map[string]any
			json.Unmarshal(answer, &stored)
			stored["status"], stored["controls"] = "mitigating", "이동식 냉방기 임시 설치"
			changed, _ := json.Marshal(stored)
			status, answer = send(t, ts, "PUT", path, string(changed))
			var updated risk.Entry
			if json.Unmarshal(answer, &updated); status != http.StatusOK || updated.Status != "mitigating" || updated.Controls != "이동식 냉방기 임시 설치" {
				t.Fatalf("PUT: %d %s", status, answer)
			}
			if status, answer := send(t, ts, "PUT", path, fmt.Sprintf(`{"id":%d}`, e.ID+1)); status != http.StatusBadRequest {
				t.Errorf("PUT naming another id: %d %s", status, answer)
			}
			if status, _ := send(t, ts, "DELETE", path, ""); status != http.StatusNoContent {
				t.Fatalf("DELETE: %d", status)
			}
			for _, method := range []string{"GET", "PUT", "DELETE"} {
				if status, _ := send(t, ts, method, path, string(changed)); status != http.StatusNotFound {
					t.Errorf("%s a deleted entry: %d, want 404", method, status)
				}
			}
		})

		t.Run("wrong methods and paths", func(t *testing.T) {
			for _, sc := range []struct{ method, path, allow string }{
				{"PATCH", "/api/v1/risks", "GET, POST"},
				{"PATCH", path, "GET, PUT, DELETE"},
				{"POST", "/api/v1/risks/heatmap", "GET"},
				{"DELETE", "/api/v1/risks/heatmap", "GET"},
			} {
				req, _ := http.NewRequest(sc.method, ts.URL+sc.path, strings.NewReader("{}"))
				resp, err := ts.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != sc.allow ||
					!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
					t.Errorf("%s %s: %d Allow %q, want 405 Allow %q in JSON", sc.method, sc.path, resp.StatusCode, resp.Header.Get("Allow"), sc.allow)
				}
			}
			if status, _ := send(t, ts, "GET", "/api/v1/risks/abc", ""); status != http.StatusNotFound {
				t.Errorf("GET /api/v1/risks/abc: %d, want 404", status)
			}
		})
	})
}
