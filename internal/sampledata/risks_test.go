package sampledata_test

import (
	"context"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/risk"
	"yeonsok/internal/sampledata"
	"yeonsok/internal/testdb"
)

// The site survey's findings (참고 4) load as risk entries: 37 of them, on
// the facilities the survey saw (or the agency as a whole), rated by the
// rules of risks.go — worked out here by hand.
func TestLoadRisks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		if err := sampledata.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		inv, err := inventory.NewStore(db).Load(ctx, access.All())
		if err != nil {
			t.Fatal(err)
		}
		facility, agency, system := map[int64]string{}, map[int64]string{}, map[int64]string{}
		for _, f := range inv.Facilities {
			facility[f.ID] = f.Name
		}
		for _, a := range inv.Agencies {
			agency[a.ID] = a.ShortName
		}
		for _, s := range inv.Systems {
			system[s.ID] = s.Name
		}
		list, err := risk.NewStore(db).List(ctx, access.All(), risk.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 37 {
			t.Fatalf("%d risk entries, want 37", len(list))
		}

		// Where they are: per facility, and on the agency as a whole.
		perPlace := map[string]int{}
		bands := map[string]int{}
		byTitle := map[string][]*risk.Entry{}
		for _, e := range list {
			place := "(agency) " + agency[e.AgencyID]
			if e.FacilityID != nil {
				place = facility[*e.FacilityID]
			}
			perPlace[place]++
			bands[e.Band]++
			byTitle[e.Title] = append(byTitle[e.Title], e)
			if e.Source != "참고 4 현장조사" || e.ResidualRating != e.Rating {
				t.Errorf("%q: source %q, residual %d vs %d", e.Title, e.Source, e.ResidualRating, e.Rating)
			}
		}
		wantPlaces := map[string]int{
			"장애인고용공단(본부 2층)": 5, "산업인력공단(본부 3층)": 4, "한국고용정보원 데이터센터": 4, "고용노동교육원": 4,
			"고용노동부 본부 전산실(정부세종청사 11동)": 3, "안전보건공단(본부 4층)": 3, "고용노동부 고객상담센터(울산)": 2,
			"기술교육대(다산정보관)": 2, "근로복지공단(서울남부지사 2층)": 1,
			"(agency) 고용노동부": 1, "(agency) 중노위": 1, "(agency) 근복": 2, "(agency) 폴리텍": 1, "(agency) 노사발전재단": 1,
			"(agency) 사회적기업진흥원": 2, "(agency) 잡월드": 1,
		}
		if len(perPlace) != len(wantPlaces) {
			t.Errorf("entries are in %d places, want %d: %v", len(perPlace), len(wantPlaces), perPlace)
		}
		for place, n := range wantPlaces {
			if perPlace[place] != n {
				t.Errorf("%s: %d entries, want %d", place, perPlace[place], n)
			}
		}
		if bands[risk.BandCritical] != 4 || bands[risk.BandHigh] != 20 || bands[risk.BandMedium] != 13 || bands[risk.BandLow] != 0 {
			t.Errorf("bands %v, want 4 critical, 20 high, 13 medium", bands)
		}
		if high := risk.High(list); len(high) != 24 {
			t.Errorf("%d high risks, want 24", len(high))
		}

		// The findings the issue names, with their ratings.
		for _, want := range []struct {
			title, place, subKind string
			likelihood, impact    int
		}{
			{"전산실 온도가 적정 온도(26°C) 초과 상황 자주 발생(여름에 위험)", "장애인고용공단(본부 2층)", "equipment", 4, 5},
			{"UPS 4기 중 1,2호기 노후화(2014년)", "산업인력공단(본부 3층)", "equipment", 3, 5},
			{"전산실용 할론 소화기만 비치 (배터리 화재 진화용 소화기 없음)", "고용노동부 본부 전산실(정부세종청사 11동)", "disaster", 2, 4},
			{"UPS와 서버, 네트워크가 같은 공간에 배치 + 소화설비 노후화", "장애인고용공단(본부 2층)", "disaster", 4, 5},
			{"1350 홈페이지: 이중화, 예비장비, 재해복구센터 모두 미구축", "고용노동부 고객상담센터(울산)", "equipment", 3, 3},
			{"백업은 실시하나 소산 미실시", "장애인고용공단(본부 2층)", "noncompliance", 4, 5},
			{"재해복구 및 비상대응 모의훈련 미실시(훈련계획 없음)", "", "negligence", 4, 2},
		} {
			found := byTitle[want.title]
			if len(found) != 1 {
				t.Errorf("%q: %d entries, want 1", want.title, len(found))
				continue
			}
			e := found[0]
			place := ""
			if e.FacilityID != nil {
				place = facility[*e.FacilityID]
			}
			if place != want.place || e.SubKind != want.subKind || e.Likelihood != want.likelihood || e.Impact != want.impact {
				t.Errorf("%q: at %q, %s, %d×%d; want at %q, %s, %d×%d", want.title, place, e.SubKind, e.Likelihood, e.Impact,
					want.place, want.subKind, want.likelihood, want.impact)
			}
		}
		// UPS batteries beside the servers, as 참고 4 found them in three rooms.
		var ups []string
		for _, e := range list {
			if e.Title == "UPS, 배터리, 시스템 서버가 같은 공간에 배치" || e.Title == "UPS와 서버, 네트워크가 같은 공간에 배치 + 소화설비 노후화" {
				ups = append(ups, facility[*e.FacilityID])
			}
		}
		if len(ups) != 3 {
			t.Errorf("UPS beside the servers in %v, want the ministry's two rooms and 장애인고용공단's", ups)
		}
		if e := byTitle["1350 홈페이지: 이중화, 예비장비, 재해복구센터 모두 미구축"]; len(e) == 1 && (e[0].SystemID == nil || system[*e[0].SystemID] != "1350 홈페이지") {
			t.Errorf("the 1350 homepage finding is not on its system: %+v", e[0])
		}
		dr := byTitle["재해복구센터 미구축"]
		mitigating := 0
		for _, e := range dr {
			if e.Status == risk.StatusMitigating {
				mitigating++
				if agency[e.AgencyID] != "근복" || e.FacilityID != nil || e.Controls == "" {
					t.Errorf("the DR centre under construction: %+v", e)
				}
			}
		}
		if len(dr) != 2 || mitigating != 1 {
			t.Errorf("%d entries \"재해복구센터 미구축\", %d mitigating; want the ministry's and 근로복지공단's, the latter mitigating", len(dr), mitigating)
		}
	})
}
