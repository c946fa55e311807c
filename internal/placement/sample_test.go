package placement_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/placement"
	"yeonsok/internal/sampledata"
	"yeonsok/internal/testdb"
)

// On the plan's sample data, the plan's own example of mutual DR —
// 한국고용정보원 and 한국장애인고용공단, each running one facility — is
// suggested, and the facilities the plan worries about lead the
// concentration list.
func TestSampleData(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		if err := sampledata.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		inv, err := inventory.NewStore(db).Load(ctx, access.All())
		if err != nil {
			t.Fatal(err)
		}
		agency, facility := map[int64]string{}, map[int64]string{}
		for _, a := range inv.Agencies {
			agency[a.ID] = a.Name
		}
		for _, f := range inv.Facilities {
			facility[f.ID] = f.Name
		}

		t.Run("mutual DR", func(t *testing.T) {
			pairs := placement.MutualDR(inv)
			var found *placement.Pair
			var listed []string
			for i, p := range pairs {
				a, b := agency[p.A.AgencyID], agency[p.B.AgencyID]
				listed = append(listed, fmt.Sprintf("%s↔%s %d", a, b, p.Score))
				if a == "한국고용정보원" && b == "한국장애인고용공단" || a == "한국장애인고용공단" && b == "한국고용정보원" {
					found = &pairs[i]
				}
			}
			if found == nil {
				t.Fatalf("한국고용정보원 ↔ 한국장애인고용공단 is not suggested: %v", listed)
			}
			keis, kead := found.A, found.B
			if agency[keis.AgencyID] != "한국고용정보원" {
				keis, kead = kead, keis
			}
			if facility[keis.FacilityID] != "한국고용정보원 데이터센터" || facility[kead.FacilityID] != "장애인고용공단(본부 2층)" {
				t.Errorf("facilities: %s, %s", facility[keis.FacilityID], facility[kead.FacilityID])
			}
			// 고용24 and seven grade-2 systems, whose DR is partial; the
			// grade-1 and grade-2 system of 장애인고용공단, without DR; its
			// one system at NHN stays out of the exchange.
			if keis.Grade12 != 8 || keis.Need != 8 || kead.Grade12 != 2 || kead.Need != 2 || kead.Elsewhere != 1 || keis.Elsewhere != 0 {
				t.Errorf("sides: %+v %+v", keis, kead)
			}
			for _, p := range pairs {
				for _, side := range []placement.Side{p.A, p.B} {
					switch agency[side.AgencyID] {
					case "고용노동부", "근로복지공단", "한국산업인력공단", "한국폴리텍대학", "한국사회적기업진흥원":
						t.Errorf("%s runs more than one facility, or none, yet is suggested: %v", agency[side.AgencyID], listed)
					}
				}
			}
		})

		t.Run("concentration", func(t *testing.T) {
			list := placement.Concentrations(inv)
			var names []string
			for _, c := range list {
				names = append(names, fmt.Sprintf("%s %d/%d", facility[c.FacilityID], c.Grade12, len(c.Agencies)))
			}
			// grade-1/2 systems / agencies; KT holds no grade-1/2 system
			// but two agencies'.
			want := "근로복지공단(서울남부지사 2층) 9/1, 한국고용정보원 데이터센터 8/2, 산업인력공단(본부 3층) 5/1, " +
				"국가정보자원관리원 2/4, 안전보건공단(본부 4층) 2/1, 장애인고용공단(본부 2층) 2/1, NHN 1/5, LG U+ 1/4, KT 0/2"
			if got := strings.Join(names, ", "); got != want {
				t.Errorf("concentration:\n got %s\nwant %s", got, want)
			}
		})

		t.Run("same-facility copies", func(t *testing.T) {
			byName := map[string]placement.SameFacilityCopy{}
			for _, c := range placement.SameFacilityCopies(inv, nil) {
				if agency[c.AgencyID] == "한국장애인고용공단" {
					byName[c.Name] = c
				}
			}
			// 참고 4: "백업은 실시하나 소산 미실시", no DR.
			if c, ok := byName["장애인고용업무시스템"]; !ok || !c.OnlyCopy {
				t.Errorf("장애인고용업무시스템: %+v, want its only copy in its facility", c)
			}
		})
	})
}
