package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// apiFixture builds, through the store, two agencies sharing a private
// facility, a facility of one agency's own, an empty facility, a grade-2
// system that is complete and a grade-1 system without endpoints or owner,
// a service, a dependency and a ministry-wide figure the records disagree
// with. It returns the ids by name, for {name} placeholders in scenarios.
func apiFixture(t *testing.T, store *inventory.Store) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	m := func(v inventory.Minutes) *inventory.Minutes { return &v }
	ids := map[string]int64{}
	err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		ministry := &inventory.Agency{Name: "고용노동부", ShortName: "노동부"}
		if err := tx.CreateAgency(ctx, ministry); err != nil {
			return err
		}
		agency := &inventory.Agency{Name: "근로복지공단", ShortName: "근복", ParentID: &ministry.ID}
		if err := tx.CreateAgency(ctx, agency); err != nil {
			return err
		}
		shared := &inventory.Facility{Name: "NHN", Operator: inventory.OperatorPrivate, OperatorName: "NHN"}
		own := &inventory.Facility{Name: "근로복지공단 본부 전산실", Operator: inventory.OperatorSelf}
		spare := &inventory.Facility{Name: "예비 전산실", Operator: inventory.OperatorSelf}
		for _, f := range []*inventory.Facility{shared, own, spare} {
			if err := tx.CreateFacility(ctx, f); err != nil {
				return err
			}
		}
		homepage := &inventory.System{AgencyID: ministry.ID, Name: "대표홈페이지", Grade: 2, PrimaryFacilityID: &shared.ID,
			RTODisaster: m(180), RPODisaster: m(240), OwnerPrimary: "김정보",
			Endpoints: []inventory.Endpoint{{Target: "https://www.moel.go.kr/"}}}
		if err := tx.CreateSystem(ctx, homepage); err != nil {
			return err
		}
		critical := &inventory.System{AgencyID: agency.ID, Name: "노동보험시스템", Grade: 1, PrimaryFacilityID: &own.ID,
			DRFacilityID: &shared.ID, DRPerformance: inventory.DRPartial}
		if err := tx.CreateSystem(ctx, critical); err != nil {
			return err
		}
		service := &inventory.Service{AgencyID: agency.ID, Name: "산재보험 급여 신청", MTPD: m(480), SystemIDs: []int64{critical.ID}}
		if err := tx.CreateService(ctx, service); err != nil {
			return err
		}
		dep := &inventory.Dependency{FromSystemID: critical.ID, ToSystemID: homepage.ID, Kind: "auth", Note: "통합 인증"}
		if err := tx.CreateDependency(ctx, dep); err != nil {
			return err
		}
		if err := tx.AddDeclared(ctx, &inventory.DeclaredFigure{Source: "참고 3", Metric: "systems", Value: 212}); err != nil {
			return err
		}
		ids["ministry"], ids["agency"] = ministry.ID, agency.ID
		ids["shared"], ids["own"], ids["spare"] = shared.ID, own.ID, spare.ID
		ids["homepage"], ids["critical"] = homepage.ID, critical.ID
		ids["service"], ids["dep"] = service.ID, dep.ID
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return ids
}

// apiScenario is one request and what must come back. Path, body and
// headers may name ids as {name}: the fixture's, or one a scenario saved.
type apiScenario struct {
	name         string
	method       string
	path         string
	body         string
	header       map[string]string
	wantStatus   int
	wantCode     string // error code; every error also carries a message
	wantField    string
	wantContains []string // in the body, compacted JSON
	wantAbsent   []string
	wantHeader   map[string]string
	save         string // remember the created record's id under this name
	check        func(t *testing.T, body []byte, ids map[string]int64)
}

const enHeader = "Accept-Language"

func apiScenarios() []apiScenario {
	en := map[string]string{enHeader: "en"}
	tooBig := `{"name":"` + strings.Repeat("가", maxBodyBytes/3+10) + `"}`
	return []apiScenario{
		// Data quality first, on the untouched fixture.
		{name: "data quality in Korean", method: "GET", path: "/api/v1/data-quality", wantStatus: 200,
			wantContains: []string{
				`"code":"grade12_without_endpoints","severity":"high","message":"1등급 시스템인데 점검할 엔드포인트가 없습니다","subject":{"kind":"system","id":{critical},"name":"근로복지공단 · 노동보험시스템"},"link":"/systems/{critical}"`,
				`"code":"grade12_without_owner"`,
				`"code":"facility_without_systems","severity":"low","message":"운영 중인 시스템이 없는 시설입니다","subject":{"kind":"facility","id":{spare},"name":"예비 전산실"},"link":"/facilities/{spare}"`,
				`"code":"declared_mismatch"`, `"link":"/"`,
			},
			wantAbsent: []string{`"link":"/systems/{homepage}"`},
			check:      checkDataQuality},
		{name: "data quality in English", method: "GET", path: "/api/v1/data-quality?lang=en", wantStatus: 200,
			wantContains: []string{`"message":"grade-1 system with no endpoint to probe"`, `"message":"facility with no system in operation"`}},

		// Agencies.
		{name: "list agencies", method: "GET", path: "/api/v1/agencies", wantStatus: 200,
			wantContains: []string{`{"items":[{"id":{ministry},"name":"고용노동부"`, `"name":"근로복지공단","short_name":"근복","parent_id":{ministry}`}},
		{name: "show agency", method: "GET", path: "/api/v1/agencies/{agency}", wantStatus: 200,
			wantContains: []string{`"id":{agency},"name":"근로복지공단"`}},
		{name: "unknown agency is 404 in Korean", method: "GET", path: "/api/v1/agencies/99999", wantStatus: 404,
			wantCode: "not_found", wantContains: []string{`"message":"기관을 찾을 수 없습니다"`}},
		{name: "non-numeric agency id is 404", method: "GET", path: "/api/v1/agencies/abc", wantStatus: 404, wantCode: "not_found"},
		{name: "zero agency id is 404", method: "GET", path: "/api/v1/agencies/0", wantStatus: 404, wantCode: "not_found"},
		{name: "create agency", method: "POST", path: "/api/v1/agencies",
			body:       `{"name":"한국고용정보원","short_name":"고용정보원","parent_id":{ministry},"contact":"043-870-8000"}`,
			wantStatus: 201, save: "newAgency",
			wantContains: []string{`"name":"한국고용정보원","short_name":"고용정보원","parent_id":{ministry},"contact":"043-870-8000"`},
			wantHeader:   map[string]string{"Location": "/api/v1/agencies/{newAgency}"}},
		{name: "show created agency", method: "GET", path: "/api/v1/agencies/{newAgency}", wantStatus: 200,
			wantContains: []string{`"name":"한국고용정보원"`}},
		{name: "duplicate agency name is a conflict", method: "POST", path: "/api/v1/agencies", body: `{"name":"근로복지공단"}`,
			wantStatus: 409, wantCode: "conflict", wantField: "name", wantContains: []string{`"message":"같은 이름이 이미 있습니다"`}},
		{name: "agency without name", method: "POST", path: "/api/v1/agencies", body: `{"name":"  ","short_name":"x"}`,
			wantStatus: 400, wantCode: "invalid", wantField: "name", wantContains: []string{`"message":"필수 항목입니다"`}},
		{name: "agency with unknown parent", method: "POST", path: "/api/v1/agencies", body: `{"name":"새 기관","parent_id":99999}`,
			wantStatus: 400, wantCode: "invalid", wantField: "parent_id", wantContains: []string{`존재하지 않는 기관입니다: 99999`}},
		{name: "update agency replaces its fields", method: "PUT", path: "/api/v1/agencies/{newAgency}",
			body:       `{"name":"한국고용정보원","short_name":"KEIS"}`,
			wantStatus: 200, wantContains: []string{`"id":{newAgency},"name":"한국고용정보원","short_name":"KEIS","parent_id":null,"contact":""`}},
		{name: "update agency with another id in the body", method: "PUT", path: "/api/v1/agencies/{newAgency}",
			body: `{"id":{agency},"name":"한국고용정보원"}`, wantStatus: 400, wantCode: "invalid", wantField: "id"},
		{name: "update agency to a taken name", method: "PUT", path: "/api/v1/agencies/{newAgency}", body: `{"name":"고용노동부"}`,
			wantStatus: 409, wantCode: "conflict", wantField: "name"},
		{name: "update unknown agency", method: "PUT", path: "/api/v1/agencies/99999", body: `{"name":"x"}`,
			wantStatus: 404, wantCode: "not_found"},
		{name: "agency that is its own parent", method: "PUT", path: "/api/v1/agencies/{newAgency}",
			body: `{"name":"한국고용정보원","parent_id":{newAgency}}`, wantStatus: 400, wantCode: "invalid", wantField: "parent_id"},
		{name: "delete agency with systems is a conflict", method: "DELETE", path: "/api/v1/agencies/{agency}",
			wantStatus: 409, wantCode: "conflict", wantContains: []string{`시스템 1개, 서비스 1개, 하위 기관 0개가 남아 있어`}},
		{name: "delete agency in use, in English", method: "DELETE", path: "/api/v1/agencies/{ministry}", header: en,
			wantStatus: 409, wantCode: "conflict", wantContains: []string{`"message":"1 systems, 0 services and 1 sub-agencies still belong to this agency`}},
		{name: "delete agency", method: "DELETE", path: "/api/v1/agencies/{newAgency}", wantStatus: 204},
		{name: "deleted agency is gone", method: "GET", path: "/api/v1/agencies/{newAgency}", wantStatus: 404, wantCode: "not_found"},
		{name: "delete unknown agency", method: "DELETE", path: "/api/v1/agencies/{newAgency}", wantStatus: 404, wantCode: "not_found"},

		// Facilities.
		{name: "list facilities", method: "GET", path: "/api/v1/facilities", wantStatus: 200,
			wantContains: []string{`"items":[{"id":{shared},"name":"NHN","operator":"private"`, `"conditions":{}`}},
		{name: "show facility", method: "GET", path: "/api/v1/facilities/{own}", wantStatus: 200,
			wantContains: []string{`"name":"근로복지공단 본부 전산실","operator":"self"`}},
		{name: "unknown facility", method: "GET", path: "/api/v1/facilities/99999", header: en, wantStatus: 404,
			wantCode: "not_found", wantContains: []string{`"message":"facility not found"`}},
		{name: "create facility", method: "POST", path: "/api/v1/facilities",
			body:       `{"name":"KT 목동 IDC","operator":"private","operator_name":"KT","region":"서울","conditions":{"ups":"yes","ups_in_server_room":"none"}}`,
			wantStatus: 201, save: "newFacility",
			wantContains: []string{`"name":"KT 목동 IDC","operator":"private","operator_name":"KT","region":"서울"`, `"conditions":{"ups":"yes","ups_in_server_room":"none"}`},
			wantHeader:   map[string]string{"Location": "/api/v1/facilities/{newFacility}"}},
		{name: "facility with unknown operator", method: "POST", path: "/api/v1/facilities", body: `{"name":"클라우드","operator":"cloud"}`,
			wantStatus: 400, wantCode: "invalid", wantField: "operator", wantContains: []string{`'cloud'은(는) 허용되지 않는 값입니다 (허용: nirs, self, private)`}},
		{name: "facility with a bad checklist answer", method: "POST", path: "/api/v1/facilities",
			body: `{"name":"새 시설","operator":"self","conditions":{"ups":"maybe"}}`, wantStatus: 400, wantCode: "invalid", wantField: "conditions.ups"},
		{name: "facility with an unknown checklist item", method: "POST", path: "/api/v1/facilities",
			body: `{"name":"새 시설","operator":"self","conditions":{"moat":"yes"}}`, wantStatus: 400, wantCode: "invalid", wantField: "conditions"},
		{name: "duplicate facility name", method: "POST", path: "/api/v1/facilities", body: `{"name":"NHN","operator":"private"}`,
			wantStatus: 409, wantCode: "conflict", wantField: "name"},
		{name: "update facility", method: "PUT", path: "/api/v1/facilities/{newFacility}",
			body:       `{"name":"KT 목동 IDC","operator":"private","operator_name":"KT","findings":"UPS 배터리 분리 보관","surveyed":true}`,
			wantStatus: 200, wantContains: []string{`"region":"","address":"","conditions":{},"findings":"UPS 배터리 분리 보관","surveyed":true`}},
		{name: "update unknown facility", method: "PUT", path: "/api/v1/facilities/99999", body: `{"name":"x","operator":"self"}`,
			wantStatus: 404, wantCode: "not_found"},
		{name: "delete facility in use", method: "DELETE", path: "/api/v1/facilities/{shared}", wantStatus: 409, wantCode: "conflict",
			wantContains: []string{`"message":"시스템 2개가 이 시설을 주 시설 또는 재해복구 시설로 사용하고 있어 삭제할 수 없습니다"`}},
		{name: "delete facility in use, in English", method: "DELETE", path: "/api/v1/facilities/{own}?lang=en", wantStatus: 409, wantCode: "conflict",
			wantContains: []string{`"message":"1 systems still use this facility as primary or DR site, so it cannot be deleted"`}},
		{name: "delete facility", method: "DELETE", path: "/api/v1/facilities/{newFacility}", wantStatus: 204},
		{name: "deleted facility is gone", method: "GET", path: "/api/v1/facilities/{newFacility}", wantStatus: 404, wantCode: "not_found"},

		// Systems and their filters.
		{name: "list systems", method: "GET", path: "/api/v1/systems", wantStatus: 200,
			wantContains: []string{`"name":"대표홈페이지"`, `"name":"노동보험시스템"`, `"endpoints":[]`, `"endpoints":[{"kind":"http","target":"https://www.moel.go.kr/"}]`}},
		{name: "systems of an agency", method: "GET", path: "/api/v1/systems?agency={agency}", wantStatus: 200,
			wantContains: []string{`"name":"노동보험시스템"`}, wantAbsent: []string{`대표홈페이지`}},
		{name: "systems in a facility as primary", method: "GET", path: "/api/v1/systems?facility={own}", wantStatus: 200,
			wantContains: []string{`"name":"노동보험시스템"`}, wantAbsent: []string{`대표홈페이지`}},
		{name: "systems in a facility as primary or DR", method: "GET", path: "/api/v1/systems?facility={shared}", wantStatus: 200,
			wantContains: []string{`"name":"노동보험시스템"`, `"name":"대표홈페이지"`}},
		{name: "systems of grade 2", method: "GET", path: "/api/v1/systems?grade=2", wantStatus: 200,
			wantContains: []string{`"name":"대표홈페이지"`}, wantAbsent: []string{`노동보험시스템`}},
		{name: "systems without grade", method: "GET", path: "/api/v1/systems?grade=none", wantStatus: 200,
			wantContains: []string{`{"items":[]}`}},
		{name: "filters combine", method: "GET", path: "/api/v1/systems?agency={ministry}&facility={own}", wantStatus: 200,
			wantContains: []string{`{"items":[]}`}},
		{name: "bad grade filter", method: "GET", path: "/api/v1/systems?grade=5", wantStatus: 400, wantCode: "invalid", wantField: "grade",
			wantContains: []string{`등급 조건은 1~4 또는 none이어야 합니다: 5`}},
		{name: "bad agency filter", method: "GET", path: "/api/v1/systems?agency=moel", header: en, wantStatus: 400,
			wantCode: "invalid", wantField: "agency", wantContains: []string{`"message":"must be a numeric id: moel"`}},
		{name: "bad facility filter", method: "GET", path: "/api/v1/systems?facility=-1", wantStatus: 400, wantCode: "invalid", wantField: "facility"},
		{name: "show system", method: "GET", path: "/api/v1/systems/{critical}", wantStatus: 200,
			wantContains: []string{`"id":{critical},"agency_id":{agency},"name":"노동보험시스템","grade":1`, `"dr_facility_id":{shared},"dr_performance":"partial"`}},
		{name: "unknown system", method: "GET", path: "/api/v1/systems/99999", wantStatus: 404, wantCode: "not_found",
			wantContains: []string{`"message":"시스템을 찾을 수 없습니다"`}},
		{name: "create system", method: "POST", path: "/api/v1/systems",
			body: `{"agency_id":{agency},"name":"고용보험시스템","grade":3,"primary_facility_id":{spare},"rto_disaster_minutes":300,` +
				`"redundancy":{"db":"yes"},"endpoints":[{"target":"tcp://10.0.0.5:443"}],"owner_primary":"이담당"}`,
			wantStatus: 201, save: "newSystem",
			wantContains: []string{`"name":"고용보험시스템","grade":3`, `"primary_facility_id":{spare}`, `"rto_disaster_minutes":300`,
				`"redundancy":{"db":"yes","network":"unknown","power":"unknown","storage":"unknown","was":"unknown","web":"unknown"}`,
				`"endpoints":[{"kind":"tcp","target":"tcp://10.0.0.5:443"}]`, `"manual":"unknown"`},
			wantHeader: map[string]string{"Location": "/api/v1/systems/{newSystem}"}},
		{name: "duplicate system name in an agency", method: "POST", path: "/api/v1/systems", body: `{"agency_id":{agency},"name":"노동보험시스템"}`,
			wantStatus: 409, wantCode: "conflict", wantField: "name"},
		{name: "system of an unknown agency", method: "POST", path: "/api/v1/systems", body: `{"agency_id":99999,"name":"x"}`,
			wantStatus: 400, wantCode: "invalid", wantField: "agency_id"},
		{name: "system without agency", method: "POST", path: "/api/v1/systems", body: `{"name":"x"}`,
			wantStatus: 400, wantCode: "invalid", wantField: "agency_id"},
		{name: "system in an unknown facility", method: "POST", path: "/api/v1/systems", body: `{"agency_id":{agency},"name":"x","dr_facility_id":99999}`,
			wantStatus: 400, wantCode: "invalid", wantField: "dr_facility_id", wantContains: []string{`존재하지 않는 시설입니다: 99999`}},
		{name: "system with a negative target names the body's field", method: "POST", path: "/api/v1/systems",
			body: `{"agency_id":{agency},"name":"x","rpo_failure_minutes":-5}`, wantStatus: 400, wantCode: "invalid", wantField: "rpo_failure_minutes"},
		{name: "system with grade 5", method: "POST", path: "/api/v1/systems", body: `{"agency_id":{agency},"name":"x","grade":5}`,
			wantStatus: 400, wantCode: "invalid", wantField: "grade"},
		{name: "system with a malformed endpoint", method: "POST", path: "/api/v1/systems",
			body: `{"agency_id":{agency},"name":"x","endpoints":[{"target":"ftp://files"}]}`, wantStatus: 400, wantCode: "invalid", wantField: "endpoints"},
		{name: "system with an unknown redundancy layer", method: "POST", path: "/api/v1/systems",
			body: `{"agency_id":{agency},"name":"x","redundancy":{"hvac":"yes"}}`, wantStatus: 400, wantCode: "invalid", wantField: "redundancy"},
		{name: "system whose DR site is its primary", method: "POST", path: "/api/v1/systems",
			body: `{"agency_id":{agency},"name":"x","primary_facility_id":{own},"dr_facility_id":{own}}`, wantStatus: 400, wantCode: "invalid", wantField: "dr_facility_id"},
		{name: "update system replaces every field", method: "PUT", path: "/api/v1/systems/{newSystem}",
			body:       `{"agency_id":{agency},"name":"고용보험시스템","grade":2,"vendor":"LG CNS"}`,
			wantStatus: 200, wantContains: []string{`"id":{newSystem},"agency_id":{agency},"name":"고용보험시스템","grade":2`, `"primary_facility_id":null`, `"endpoints":[]`, `"vendor":"LG CNS"`, `"owner_primary":""`}},
		{name: "update system to a taken name", method: "PUT", path: "/api/v1/systems/{newSystem}", body: `{"agency_id":{agency},"name":"노동보험시스템"}`,
			wantStatus: 409, wantCode: "conflict", wantField: "name"},
		{name: "update unknown system", method: "PUT", path: "/api/v1/systems/99999", body: `{"agency_id":{agency},"name":"x"}`,
			wantStatus: 404, wantCode: "not_found"},
		{name: "update system with a non-numeric id", method: "PUT", path: "/api/v1/systems/x1", body: `{"agency_id":{agency},"name":"x"}`,
			wantStatus: 404, wantCode: "not_found"},
		{name: "delete system", method: "DELETE", path: "/api/v1/systems/{newSystem}", wantStatus: 204},
		{name: "deleted system is gone", method: "GET", path: "/api/v1/systems/{newSystem}", wantStatus: 404, wantCode: "not_found"},

		// Services.
		{name: "list services", method: "GET", path: "/api/v1/services", wantStatus: 200,
			wantContains: []string{`"name":"산재보험 급여 신청","audience":"public"`, `"mtpd_minutes":480`, `"system_ids":[{critical}]`}},
		{name: "show service", method: "GET", path: "/api/v1/services/{service}", wantStatus: 200, wantContains: []string{`"id":{service}`}},
		{name: "unknown service", method: "GET", path: "/api/v1/services/99999", wantStatus: 404, wantCode: "not_found"},
		{name: "create service", method: "POST", path: "/api/v1/services",
			body:       `{"agency_id":{agency},"name":"실업급여 신청","mtpd_minutes":240,"rto_minutes":120,"manual_workaround":"수기 접수 후 복구 뒤 입력","system_ids":[{homepage},{critical}]}`,
			wantStatus: 201, save: "newService",
			wantContains: []string{`"name":"실업급여 신청","audience":"public"`, `"rto_minutes":120`, `"system_ids":[{homepage},{critical}]`},
			wantHeader:   map[string]string{"Location": "/api/v1/services/{newService}"}},
		{name: "service with an unknown system", method: "POST", path: "/api/v1/services", body: `{"agency_id":{agency},"name":"x","system_ids":[99999]}`,
			wantStatus: 400, wantCode: "invalid", wantField: "system_ids", wantContains: []string{`존재하지 않는 시스템입니다: 99999`}},
		{name: "service with an unknown audience", method: "POST", path: "/api/v1/services", body: `{"agency_id":{agency},"name":"x","audience":"press"}`,
			wantStatus: 400, wantCode: "invalid", wantField: "audience"},
		{name: "service with a negative MTPD", method: "POST", path: "/api/v1/services", body: `{"agency_id":{agency},"name":"x","mtpd_minutes":-1}`,
			wantStatus: 400, wantCode: "invalid", wantField: "mtpd_minutes"},
		{name: "duplicate service name", method: "POST", path: "/api/v1/services", body: `{"agency_id":{agency},"name":"산재보험 급여 신청"}`,
			wantStatus: 409, wantCode: "conflict", wantField: "name"},
		{name: "update service", method: "PUT", path: "/api/v1/services/{newService}",
			body:       `{"agency_id":{agency},"name":"실업급여 신청","audience":"internal","system_ids":[]}`,
			wantStatus: 200, wantContains: []string{`"audience":"internal"`, `"mtpd_minutes":null`, `"system_ids":[]`}},
		{name: "update unknown service", method: "PUT", path: "/api/v1/services/99999", body: `{"agency_id":{agency},"name":"x"}`,
			wantStatus: 404, wantCode: "not_found"},
		{name: "delete service", method: "DELETE", path: "/api/v1/services/{newService}", wantStatus: 204},
		{name: "deleted service is gone", method: "GET", path: "/api/v1/services/{newService}", wantStatus: 404, wantCode: "not_found"},

		// Dependencies.
		{name: "list dependencies", method: "GET", path: "/api/v1/dependencies", wantStatus: 200,
			wantContains: []string{`{"items":[{"id":{dep},"from_system_id":{critical},"to_system_id":{homepage},"kind":"auth","note":"통합 인증"`}},
		{name: "show dependency", method: "GET", path: "/api/v1/dependencies/{dep}", wantStatus: 200, wantContains: []string{`"kind":"auth"`}},
		{name: "create dependency", method: "POST", path: "/api/v1/dependencies",
			body:       `{"from_system_id":{homepage},"to_system_id":{critical},"kind":"database","note":"공유 DB"}`,
			wantStatus: 201, save: "newDep",
			wantContains: []string{`"from_system_id":{homepage},"to_system_id":{critical},"kind":"database","note":"공유 DB"`},
			wantHeader:   map[string]string{"Location": "/api/v1/dependencies/{newDep}"}},
		{name: "duplicate dependency", method: "POST", path: "/api/v1/dependencies", body: `{"from_system_id":{critical},"to_system_id":{homepage}}`,
			wantStatus: 409, wantCode: "conflict", wantField: "to_system_id", wantContains: []string{`"message":"두 시스템 사이의 의존관계가 이미 등록되어 있습니다"`}},
		{name: "dependency on itself", method: "POST", path: "/api/v1/dependencies", body: `{"from_system_id":{critical},"to_system_id":{critical}}`,
			wantStatus: 400, wantCode: "invalid", wantField: "to_system_id"},
		{name: "dependency on an unknown system", method: "POST", path: "/api/v1/dependencies", body: `{"from_system_id":{critical},"to_system_id":99999}`,
			wantStatus: 400, wantCode: "invalid", wantField: "to_system_id"},
		{name: "dependency of an unknown system", method: "POST", path: "/api/v1/dependencies", body: `{"from_system_id":99999,"to_system_id":{critical}}`,
			wantStatus: 400, wantCode: "invalid", wantField: "from_system_id"},
		{name: "dependency of an unknown kind", method: "POST", path: "/api/v1/dependencies", body: `{"from_system_id":{critical},"to_system_id":{homepage},"kind":"love"}`,
			wantStatus: 400, wantCode: "invalid", wantField: "kind"},
		{name: "update dependency kind and note", method: "PUT", path: "/api/v1/dependencies/{newDep}", body: `{"kind":"network","note":"전용회선"}`,
			wantStatus: 200, wantContains: []string{`"id":{newDep},"from_system_id":{homepage},"to_system_id":{critical},"kind":"network","note":"전용회선"`}},
		{name: "update dependency sent back whole", method: "PUT", path: "/api/v1/dependencies/{newDep}",
			body:       `{"id":{newDep},"from_system_id":{homepage},"to_system_id":{critical},"kind":"other","note":"","created_at":"2025-09-26T20:15:00+09:00"}`,
			wantStatus: 200, wantContains: []string{`"kind":"other","note":""`}},
		{name: "update dependency's systems is refused", method: "PUT", path: "/api/v1/dependencies/{newDep}",
			body: `{"from_system_id":{critical},"kind":"auth"}`, wantStatus: 400, wantCode: "invalid", wantField: "from_system_id"},
		{name: "update dependency without kind", method: "PUT", path: "/api/v1/dependencies/{newDep}", body: `{"note":"x"}`,
			wantStatus: 400, wantCode: "invalid", wantField: "kind"},
		{name: "update dependency with a bad kind", method: "PUT", path: "/api/v1/dependencies/{newDep}", body: `{"kind":"love"}`,
			wantStatus: 400, wantCode: "invalid", wantField: "kind"},
		{name: "update unknown dependency", method: "PUT", path: "/api/v1/dependencies/99999", body: `{"kind":"auth"}`,
			wantStatus: 404, wantCode: "not_found", wantContains: []string{`"message":"의존관계를 찾을 수 없습니다"`}},
		{name: "delete dependency", method: "DELETE", path: "/api/v1/dependencies/{newDep}", wantStatus: 204},
		{name: "delete dependency twice", method: "DELETE", path: "/api/v1/dependencies/{newDep}", wantStatus: 404, wantCode: "not_found"},

		// Bodies that cannot be read, in Korean and English.
		{name: "syntax error names the offset", method: "POST", path: "/api/v1/systems", body: `{"name" "x"}`,
			wantStatus: 400, wantCode: "invalid", wantContains: []string{`"message":"JSON 문법 오류: 9번째 바이트 부근"`}},
		{name: "syntax error in English", method: "POST", path: "/api/v1/agencies", body: `{"name":,}`, header: en,
			wantStatus: 400, wantCode: "invalid", wantContains: []string{`"message":"JSON syntax error near byte 9"`}},
		{name: "JSON cut short", method: "POST", path: "/api/v1/facilities", body: `{"name":"x"`,
			wantStatus: 400, wantCode: "invalid", wantContains: []string{`JSON이 중간에 끝났습니다`}},
		{name: "wrong type names the field", method: "POST", path: "/api/v1/systems", body: `{"agency_id":{agency},"name":"x","grade":"one"}`,
			wantStatus: 400, wantCode: "invalid", wantField: "grade", wantContains: []string{`"message":"'grade' 항목의 형식이 잘못되었습니다: 정수이어야 하는데 문자열입니다"`}},
		{name: "wrong type in English", method: "POST", path: "/api/v1/systems?lang=en", body: `{"agency_id":"{agency}","name":"x"}`,
			wantStatus: 400, wantCode: "invalid", wantField: "agency_id", wantContains: []string{`"message":"Wrong type for field 'agency_id': expected an integer, got a string"`}},
		{name: "fraction where minutes go", method: "POST", path: "/api/v1/systems", body: `{"agency_id":{agency},"name":"x","rto_disaster_minutes":1.5}`,
			wantStatus: 400, wantCode: "invalid", wantField: "rto_disaster_minutes"},
		{name: "wrong type inside a map", method: "POST", path: "/api/v1/facilities", body: `{"name":"x","operator":"self","conditions":{"ups":true}}`,
			wantStatus: 400, wantCode: "invalid", wantField: "conditions", wantContains: []string{`문자열이어야 하는데 참/거짓(true/false)입니다`}},
		{name: "wrong type inside a list", method: "POST", path: "/api/v1/systems", body: `{"agency_id":{agency},"name":"x","endpoints":[{"target":5}]}`,
			wantStatus: 400, wantCode: "invalid", wantField: "endpoints.target"},
		{name: "unknown field is named", method: "POST", path: "/api/v1/systems", body: `{"agency_id":{agency},"name":"x","colour":"red"}`,
			wantStatus: 400, wantCode: "invalid", wantField: "colour", wantContains: []string{`"message":"알 수 없는 항목입니다: colour"`}},
		{name: "unknown field in English", method: "PUT", path: "/api/v1/agencies/{agency}", body: `{"name":"근로복지공단","nickname":"근복"}`, header: en,
			wantStatus: 400, wantCode: "invalid", wantField: "nickname", wantContains: []string{`"message":"Unknown field: nickname"`}},
		{name: "unknown field in a nested object", method: "POST", path: "/api/v1/systems", body: `{"agency_id":{agency},"name":"x","endpoints":[{"url":"https://a/"}]}`,
			wantStatus: 400, wantCode: "invalid", wantField: "url"},
		{name: "empty body", method: "POST", path: "/api/v1/agencies", body: ``,
			wantStatus: 400, wantCode: "invalid", wantContains: []string{`"message":"요청 본문이 비어 있습니다. JSON 객체를 보내십시오"`}},
		{name: "blank body in English", method: "PUT", path: "/api/v1/services/{service}", body: " \n ", header: en,
			wantStatus: 400, wantCode: "invalid", wantContains: []string{`"message":"The request body is empty; send a JSON object"`}},
		{name: "array body", method: "POST", path: "/api/v1/agencies", body: `[{"name":"x"}]`,
			wantStatus: 400, wantCode: "invalid", wantContains: []string{`JSON 객체({ … })여야 합니다`}},
		{name: "null body", method: "POST", path: "/api/v1/dependencies", body: `null`, wantStatus: 400, wantCode: "invalid"},
		{name: "two objects", method: "POST", path: "/api/v1/agencies", body: `{"name":"가"}{"name":"나"}`,
			wantStatus: 400, wantCode: "invalid", wantContains: []string{`JSON 객체 하나만`}},
		{name: "malformed time", method: "POST", path: "/api/v1/agencies", body: `{"name":"가","created_at":"yesterday"}`,
			wantStatus: 400, wantCode: "invalid", wantContains: []string{`날짜·시각 형식이 잘못되었습니다`}},
		{name: "body over the size limit", method: "POST", path: "/api/v1/agencies", body: tooBig,
			wantStatus: 413, wantCode: "too_large", wantContains: []string{strconv.Itoa(maxBodyBytes)}},

		// Routes and methods.
		{name: "unknown route is JSON", method: "GET", path: "/api/v1/budgets", wantStatus: 404, wantCode: "not_found",
			wantContains: []string{`"message":"없는 API 경로입니다: /api/v1/budgets"`}},
		{name: "trailing slash names no record", method: "GET", path: "/api/v1/systems/", wantStatus: 404, wantCode: "not_found"},
		{name: "wrong method is JSON", method: "PATCH", path: "/api/v1/systems/{critical}", body: `{"grade":2}`, header: en,
			wantStatus: 405, wantCode: "invalid", wantContains: []string{`"message":"This route does not take PATCH requests (allowed: GET, PUT, DELETE)"`},
			wantHeader: map[string]string{"Allow": "GET, PUT, DELETE"}},
		{name: "no delete on a collection", method: "DELETE", path: "/api/v1/agencies", wantStatus: 405, wantCode: "invalid",
			wantHeader: map[string]string{"Allow": "GET, POST"}},
		{name: "data quality is read-only", method: "POST", path: "/api/v1/data-quality", body: `{}`, wantStatus: 405, wantCode: "invalid"},
	}
}

// checkDataQuality reads the report as a client would.
func checkDataQuality(t *testing.T, body []byte, ids map[string]int64) {
	var report struct {
		Count    int `json:"count"`
		Findings []struct {
			Code, Severity, Message, Link string
			Subject                       struct {
				Kind string
				ID   int64
			}
		} `json:"findings"`
	}
	if err := json.Unmarshal(body, &report); err != nil {
		t.Fatalf("report: %v", err)
	}
	if report.Count != len(report.Findings) || report.Count == 0 {
		t.Fatalf("count %d, %d findings", report.Count, len(report.Findings))
	}
	codes := map[string]bool{}
	for i, f := range report.Findings {
		if f.Message == "" || f.Link == "" {
			t.Errorf("finding %d without message or link: %+v", i, f)
		}
		if f.Subject.Kind == "system" {
			codes[f.Code] = true
		}
		if i > 0 && severityOrder(f.Severity) < severityOrder(report.Findings[i-1].Severity) {
			t.Errorf("finding %d (%s) after a less severe one", i, f.Severity)
		}
		if f.Subject.Kind == "system" && f.Subject.ID == ids["homepage"] {
			t.Errorf("the complete grade-2 system has a finding: %+v", f)
		}
	}
	for _, code := range []string{"grade12_without_endpoints", "grade12_without_owner", "system_missing_targets"} {
		if !codes[code] {
			t.Errorf("no %s finding for the grade-1 system", code)
		}
	}
}

func severityOrder(s string) int {
	return map[string]int{"high": 0, "medium": 1, "low": 2}[s]
}

func TestAPIInventory(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts, store := newTestServer(t, db)
		ids := apiFixture(t, store)
		for _, sc := range apiScenarios() {
			t.Run(sc.name, func(t *testing.T) { runAPIScenario(t, ts, store, ids, sc) })
		}
	})
}

func runAPIScenario(t *testing.T, ts *httptest.Server, store *inventory.Store, ids map[string]int64, sc apiScenario) {
	fill := func(s string) string {
		for name, id := range ids {
			s = strings.ReplaceAll(s, "{"+name+"}", strconv.FormatInt(id, 10))
		}
		return s
	}
	before := apiSnapshot(t, store)
	status, header, body := apiRequest(t, ts, sc.method, fill(sc.path), fill(sc.body), sc.header)
	if status != sc.wantStatus {
		t.Fatalf("%s %s: status %d, want %d\n%s", sc.method, fill(sc.path), status, sc.wantStatus, body)
	}
	if sc.save != "" {
		var created struct{ ID int64 }
		if err := json.Unmarshal(body, &created); err != nil || created.ID == 0 {
			t.Fatalf("no id in the created record: %v\n%s", err, body)
		}
		ids[sc.save] = created.ID
	}
	if status == http.StatusNoContent && len(body) != 0 {
		t.Errorf("204 with a body: %s", body)
	}
	if status >= 400 {
		var e apiError
		if err := json.Unmarshal(body, &e); err != nil || e.Error.Message == "" {
			t.Fatalf("error body is not {\"error\":{…}} with a message: %v\n%s", err, body)
		}
		if e.Error.Code != sc.wantCode || e.Error.Field != sc.wantField {
			t.Errorf("error code %q field %q, want %q %q (%s)", e.Error.Code, e.Error.Field, sc.wantCode, sc.wantField, e.Error.Message)
		}
		if strings.Contains(e.Error.Message, "json:") || strings.Contains(e.Error.Message, "sql") {
			t.Errorf("a Go error reached the body: %s", e.Error.Message)
		}
		if after := apiSnapshot(t, store); !bytes.Equal(before, after) {
			t.Errorf("a rejected request changed the inventory")
		}
	}
	if ct := header.Get("Content-Type"); status != http.StatusNoContent && !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	compact := compactJSON(body)
	for _, want := range sc.wantContains {
		if want = fill(want); !strings.Contains(compact, want) {
			t.Errorf("body lacks %s\n%s", want, compact)
		}
	}
	for _, absent := range sc.wantAbsent {
		if absent = fill(absent); strings.Contains(compact, absent) {
			t.Errorf("body has %s\n%s", absent, compact)
		}
	}
	for name, want := range sc.wantHeader {
		if got := header.Get(name); got != fill(want) {
			t.Errorf("header %s = %q, want %q", name, got, fill(want))
		}
	}
	if sc.check != nil {
		sc.check(t, body, ids)
	}
}

// apiRequest sends one request and returns status, headers and body.
func apiRequest(t *testing.T, ts *httptest.Server, method, path, body string, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, ts.URL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, got
}

// apiSnapshot is the whole inventory as JSON, to tell whether a request
// changed anything.
func apiSnapshot(t *testing.T, store *inventory.Store) []byte {
	t.Helper()
	inv, err := store.Load(context.Background(), access.All())
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func compactJSON(body []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, body); err != nil {
		return string(body)
	}
	return buf.String()
}
