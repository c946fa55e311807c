package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
	"yeonsok/internal/transfer"
)

// scopeFixture is two agencies sharing a private facility (KT 목동):
// 한국고용정보원 also runs systems at NIRS, 근로복지공단 in its own server
// room; each has a service and a dependency of its own, and one of
// 근로복지공단's systems depends on one of 한국고용정보원's.
type scopeFixture struct {
	keis, welfare                    *inventory.Agency
	nirs, own, kt                    *inventory.Facility
	work24, homepage, insurance, edi *inventory.System
	benefits, compensation           *inventory.Service
	keisDep, welfareDep, crossed     *inventory.Dependency
}

// keisNames are the names only 한국고용정보원's records carry: none may
// reach 근로복지공단. (The ministry's own name is in every page's footer.)
var keisNames = []string{"한국고용정보원", "국정자원 대전센터", "고용24", "대표홈페이지", "실업급여 신청", "통합인증 연계"}

func newScopeFixture(t *testing.T, store *inventory.Store) *scopeFixture {
	t.Helper()
	ctx := context.Background()
	f := &scopeFixture{
		keis:    &inventory.Agency{Name: "한국고용정보원"},
		welfare: &inventory.Agency{Name: "근로복지공단"},
		nirs:    &inventory.Facility{Name: "국정자원 대전센터", Operator: inventory.OperatorNIRS},
		own:     &inventory.Facility{Name: "근로복지공단 전산실", Operator: inventory.OperatorSelf},
		kt:      &inventory.Facility{Name: "KT 목동", Operator: inventory.OperatorPrivate},
	}
	err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		for _, a := range []*inventory.Agency{f.keis, f.welfare} {
			if err := tx.CreateAgency(ctx, a); err != nil {
				return err
			}
		}
		for _, fac := range []*inventory.Facility{f.nirs, f.own, f.kt} {
			if err := tx.CreateFacility(ctx, fac); err != nil {
				return err
			}
		}
		f.work24 = &inventory.System{AgencyID: f.keis.ID, Name: "고용24", Grade: 1, PrimaryFacilityID: &f.nirs.ID, DRFacilityID: &f.kt.ID}
		f.homepage = &inventory.System{AgencyID: f.keis.ID, Name: "대표홈페이지", Grade: 2, PrimaryFacilityID: &f.kt.ID}
		f.insurance = &inventory.System{AgencyID: f.welfare.ID, Name: "노동보험시스템", Grade: 1, PrimaryFacilityID: &f.own.ID, DRFacilityID: &f.kt.ID}
		f.edi = &inventory.System{AgencyID: f.welfare.ID, Name: "산재보험 EDI", Grade: 3, PrimaryFacilityID: &f.kt.ID}
		for _, sys := range []*inventory.System{f.work24, f.homepage, f.insurance, f.edi} {
			if err := tx.CreateSystem(ctx, sys); err != nil {
				return err
			}
		}
		f.benefits = &inventory.Service{AgencyID: f.keis.ID, Name: "실업급여 신청", SystemIDs: []int64{f.work24.ID}}
		f.compensation = &inventory.Service{AgencyID: f.welfare.ID, Name: "산재보험 급여 신청", SystemIDs: []int64{f.insurance.ID}}
		for _, svc := range []*inventory.Service{f.benefits, f.compensation} {
			if err := tx.CreateService(ctx, svc); err != nil {
				return err
			}
		}
		f.keisDep = &inventory.Dependency{FromSystemID: f.homepage.ID, ToSystemID: f.work24.ID, Kind: "auth", Note: "통합인증 연계"}
		f.welfareDep = &inventory.Dependency{FromSystemID: f.edi.ID, ToSystemID: f.insurance.ID, Kind: "database", Note: "가입 자격 조회"}
		f.crossed = &inventory.Dependency{FromSystemID: f.edi.ID, ToSystemID: f.homepage.ID, Kind: "interface"}
		for _, d := range []*inventory.Dependency{f.keisDep, f.welfareDep, f.crossed} {
			if err := tx.CreateDependency(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

// send makes an API request with a JSON body and returns status and body.
func send(t *testing.T, ts *httptest.Server, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// downloadText is the text of every cell of an exported file, XLSX or CSV.
func downloadText(t *testing.T, path string, file []byte) string {
	t.Helper()
	if !strings.Contains(path, "xlsx") {
		return string(file)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("%s: not a workbook: %v", path, err)
	}
	defer wb.Close()
	var text strings.Builder
	for _, sheet := range wb.GetSheetList() {
		rows, _ := wb.GetRows(sheet)
		for _, row := range rows {
			text.WriteString(strings.Join(row, "\t") + "\n")
		}
	}
	return text.String()
}

func mustNotShow(t *testing.T, what, text string, names ...string) {
	t.Helper()
	for _, name := range names {
		if strings.Contains(text, name) {
			t.Errorf("%s shows %q", what, name)
		}
	}
}

var exportHrefPattern = regexp.MustCompile(`href="(/export/[^"]+)"`)

// An agency sees its own records and nothing of another agency's: not in
// pages, lists, exports or the API, and a record of another agency is not
// found, read or written. The agency's editor is signed in through a real
// session; its scope comes from its account.
func TestAgencySeesOnlyItsOwn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		store := inventory.NewStore(db)
		f := newScopeFixture(t, store)
		ts, _, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
		id := func(prefix string, id int64) string { return fmt.Sprintf("%s/%d", prefix, id) }

		t.Run("pages and their exports", func(t *testing.T) {
			for path, own := range map[string]string{
				"/": "근로복지공단", "/agencies": "근로복지공단", "/facilities": "KT 목동", "/systems": "산재보험 EDI",
				"/services": "산재보험 급여 신청", "/dependencies": "가입 자격 조회", "/data-quality": "", "/import": "",
				id("/agencies", f.welfare.ID): "산재보험 급여 신청", id("/facilities", f.kt.ID): "산재보험 EDI",
				id("/facilities", f.own.ID): "노동보험시스템", id("/systems", f.edi.ID): "가입 자격 조회",
				id("/systems", f.insurance.ID): "산재보험 급여 신청", id("/services", f.compensation.ID): "노동보험시스템",
				id("/systems", f.edi.ID) + "/edit": "KT 목동", id("/services", f.compensation.ID) + "/edit": "노동보험시스템",
				id("/dependencies", f.welfareDep.ID) + "/edit": "산재보험 EDI", "/systems/new": "근로복지공단",
				"/services/new": "산재보험 EDI", "/dependencies/new": "노동보험시스템",
				fmt.Sprintf("/systems?facility=%d", f.kt.ID): "산재보험 EDI",
				"/backups": "노동보험시스템",
			} {
				status, body := get(t, ts, path)
				if status != http.StatusOK || !strings.Contains(body, own) {
					t.Errorf("%s: %d, want 200 showing %q", path, status, own)
				}
				mustNotShow(t, path, body, keisNames...)
				for _, m := range exportHrefPattern.FindAllStringSubmatch(body, -1) {
					link := html.UnescapeString(m[1])
					resp, file := getBytes(t, ts, link)
					if resp.StatusCode != http.StatusOK {
						t.Errorf("%s: %d", link, resp.StatusCode)
					}
					mustNotShow(t, link, downloadText(t, link, file), keisNames...)
				}
			}
		})

		t.Run("API listings and exports", func(t *testing.T) {
			paths := []string{"/api/v1/summary", "/api/v1/data-quality", "/api/v1/agencies", "/api/v1/facilities", "/api/v1/systems",
				"/api/v1/services", "/api/v1/dependencies", fmt.Sprintf("/api/v1/systems?agency=%d", f.keis.ID),
				id("/api/v1/agencies", f.welfare.ID), id("/api/v1/facilities", f.kt.ID), id("/api/v1/systems", f.edi.ID),
				id("/api/v1/services", f.compensation.ID), id("/api/v1/dependencies", f.welfareDep.ID),
				"/api/v1/export?format=xlsx"}
			for _, sheet := range transfer.Sheets {
				paths = append(paths, "/api/v1/export?format=csv&sheet="+sheet)
			}
			for _, path := range paths {
				resp, body := getBytes(t, ts, path)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s: %d", path, resp.StatusCode)
				}
				mustNotShow(t, path, downloadText(t, path, body), keisNames...)
			}
		})

		t.Run("another agency's records are not found", func(t *testing.T) {
			for _, path := range []string{
				id("/agencies", f.keis.ID), id("/facilities", f.nirs.ID), id("/systems", f.work24.ID),
				id("/systems", f.homepage.ID), id("/services", f.benefits.ID),
				id("/systems", f.work24.ID) + "/edit",
				id("/services", f.benefits.ID) + "/edit", id("/dependencies", f.keisDep.ID) + "/edit",
				fmt.Sprintf("/export/system/targets.csv?id=%d", f.work24.ID), fmt.Sprintf("/export/agency/systems.xlsx?id=%d", f.keis.ID),
				fmt.Sprintf("/export/facility/conditions.csv?id=%d", f.nirs.ID), fmt.Sprintf("/export/service/systems.csv?id=%d", f.benefits.ID),
				id("/api/v1/agencies", f.keis.ID), id("/api/v1/facilities", f.nirs.ID), id("/api/v1/systems", f.work24.ID),
				id("/api/v1/services", f.benefits.ID), id("/api/v1/dependencies", f.keisDep.ID),
			} {
				status, body := get(t, ts, path)
				if status != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404", path, status)
				}
				mustNotShow(t, path, body, keisNames...)
			}
		})

		t.Run("another agency's records are not written", func(t *testing.T) {
			before := version(t, store)
			all := context.Background()
			asJSON := func(read func() (any, error)) string {
				record, err := read()
				if err != nil {
					t.Fatal(err)
				}
				body, _ := json.Marshal(record)
				return string(body)
			}
			scope := access.All()
			// Systems, services and dependencies belong to an agency: another
			// agency's do not exist for the caller.
			for path, body := range map[string]string{
				id("/api/v1/systems", f.work24.ID):       asJSON(func() (any, error) { return store.System(all, scope, f.work24.ID) }),
				id("/api/v1/services", f.benefits.ID):    asJSON(func() (any, error) { return store.Service(all, scope, f.benefits.ID) }),
				id("/api/v1/dependencies", f.keisDep.ID): `{"kind":"database"}`,
			} {
				for _, method := range []string{"PUT", "DELETE"} {
					if status, answer := send(t, ts, method, path, body); status != http.StatusNotFound {
						t.Errorf("%s %s: %d %s, want 404", method, path, status, answer)
					}
				}
			}
			// Agencies and facilities are the ministry's to change: an agency
			// is refused alike for its own, another's and none, so the answer
			// says nothing of what exists.
			for path, body := range map[string]string{
				id("/api/v1/agencies", f.keis.ID): `{"name":"x"}`, id("/api/v1/agencies", f.welfare.ID): `{"name":"x"}`,
				"/api/v1/agencies/99999": `{"name":"x"}`, id("/api/v1/facilities", f.nirs.ID): `{"name":"x","operator":"self"}`,
				id("/api/v1/facilities", f.kt.ID): `{"name":"x","operator":"self"}`, "/api/v1/facilities/99999": `{"name":"x","operator":"self"}`,
			} {
				for _, method := range []string{"PUT", "DELETE"} {
					status, answer := send(t, ts, method, path, body)
					var e apiError
					json.Unmarshal(answer, &e)
					if status != http.StatusForbidden || e.Error.Code != "forbidden" {
						t.Errorf("%s %s: %d %s, want 403 forbidden", method, path, status, answer)
					}
				}
			}
			form := url.Values{"name": {"x"}, "kind": {"database"}}
			for _, path := range []string{
				id("/systems", f.work24.ID), id("/systems", f.work24.ID) + "/delete", id("/services", f.benefits.ID),
				id("/services", f.benefits.ID) + "/delete", id("/dependencies", f.keisDep.ID),
				id("/dependencies", f.keisDep.ID) + "/delete",
			} {
				if status, _, body := post(t, ts, path, form); status != http.StatusNotFound {
					t.Errorf("POST %s: %d, want 404", path, status)
				} else {
					mustNotShow(t, "POST "+path, body, keisNames...)
				}
			}
			// The forms of agencies and facilities are refused alike for
			// another agency's record, the agency's own and none at all.
			for _, path := range []string{
				id("/agencies", f.keis.ID), id("/agencies", f.keis.ID) + "/delete", id("/agencies", f.welfare.ID) + "/delete",
				id("/facilities", f.nirs.ID), id("/facilities", f.nirs.ID) + "/delete", id("/facilities", f.kt.ID) + "/delete",
				"/agencies/99999/delete", "/agencies", "/facilities",
			} {
				if status, _, body := post(t, ts, path, form); status != http.StatusForbidden {
					t.Errorf("POST %s: %d, want 403", path, status)
				} else {
					mustNotShow(t, "POST "+path, body, keisNames...)
				}
			}
			for _, path := range []string{id("/agencies", f.keis.ID) + "/edit", id("/agencies", f.welfare.ID) + "/edit",
				id("/facilities", f.nirs.ID) + "/edit", id("/facilities", f.kt.ID) + "/edit", "/agencies/new", "/facilities/new"} {
				if status, body := get(t, ts, path); status != http.StatusForbidden {
					t.Errorf("GET %s: %d, want 403", path, status)
				} else {
					mustNotShow(t, path, body, keisNames...)
				}
			}
			if after := version(t, store); after != before {
				t.Errorf("requests about another agency's records changed the inventory (version %d → %d)", before, after)
			}
		})
	})
}

// An upload is applied only in the scope that uploaded it: its token
// applies nothing for anyone else, and says nothing of its existence.
func TestUploadBelongsToItsScope(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ministry, store := newTestServer(t, db)
		f := newScopeFixture(t, store)
		welfare, _, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
		ctx := context.Background()

		uploads := transfer.NewUploads(db)
		files := []transfer.File{{Name: "systems.csv", Data: []byte("x")}}
		token, err := uploads.Put(ctx, access.Agency(f.welfare.ID), files)
		if err != nil {
			t.Fatal(err)
		}
		for _, scope := range []access.Scope{access.All(), access.Agency(f.keis.ID)} {
			if _, err := uploads.Get(ctx, scope, token); err == nil || !strings.Contains(err.Error(), "파일을 찾을 수 없습니다") {
				t.Errorf("%s got another scope's upload: %v", scope, err)
			}
		}
		if got, err := uploads.Get(ctx, access.Agency(f.welfare.ID), token); err != nil || len(got) != 1 || got[0].Name != "systems.csv" {
			t.Errorf("the uploader's own upload: %v %v", got, err)
		}

		// Through the import page: the ministry previews its own export,
		// 근로복지공단 tries to apply it with the ministry's token.
		_, book := getBytes(t, ministry, "/api/v1/export?format=xlsx")
		status, page := upload(t, ministry, "/import", nil, map[string][]byte{"inventory.xlsx": book})
		if status != http.StatusOK {
			t.Fatalf("preview: %d\n%s", status, page)
		}
		form := hiddenFields(t, string(page))
		before := version(t, store)
		status, _, body := post(t, welfare, "/import/apply", form)
		if status != http.StatusNotFound || !strings.Contains(body, "파일을 찾을 수 없습니다") {
			t.Errorf("apply with another scope's token: %d, want 404 saying the upload is gone", status)
		}
		if version(t, store) != before {
			t.Error("another scope's token applied an import")
		}
		if status, location, _ := post(t, ministry, "/import/apply", form); status != http.StatusSeeOther || !strings.HasPrefix(location, "/import?applied=") {
			t.Errorf("apply by the uploader: %d %q", status, location)
		}
	})
}
