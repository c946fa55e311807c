package sampledata_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/sampledata"
	"yeonsok/internal/testdb"
)

// The plan's figures, written out here independently of the loader's tables.
var (
	wantGrades     = map[string]int{"1": 7, "2": 23, "3": 69, "4": 90, "none": 23}
	wantOperators  = map[string]int{"nirs": 17, "self": 164, "private": 31}
	wantFacilities = map[string]int{"nirs": 1, "self": 14, "private": 3}
	wantGrade12    = map[string]int{"nirs": 2, "self": 26, "private": 2}
	wantSurvey     = inventory.Survey{Surveyed: 197, Manual: 188, Redundancy: 122, DR: 27, DRSimilar: 13, Backup: 183, Offsite: 127}

	// 참고 3 시설 현황, per facility (agencies added up).
	wantPerFacility = map[string]int{
		"국가정보자원관리원":                 17,
		"고용노동부 사이버안전센터(정부세종청사 12동)": 1,
		"고용노동부 본부 전산실(정부세종청사 11동)":  0,
		"고용노동부 고객상담센터(울산)":          2,
		"한국고용정보원 데이터센터":             25,
		"LG U+":                     17,
		"근로복지공단(본부 2층)":             18,
		"근로복지공단(서울남부지사 2층)":         20,
		"근로복지공단(인재개발원 1층)":          2,
		"NHN":           10,
		"안전보건공단(본부 4층)": 43,
		"산업인력공단(본부 3층)": 16,
		"산업인력공단(외국인력상담센터)":   1,
		"장애인고용공단(본부 2층)":     7,
		"KT":                 4,
		"기술교육대(다산정보관)":       27,
		"기술교육대(능력개발교육원 실학관)": 0,
		"고용노동교육원":            2,
	}
	// Facilities where more than one agency runs systems: the four the plan
	// names, and NIRS (the ministry and three committees).
	wantShared = []string{"KT", "LG U+", "NHN", "국가정보자원관리원", "한국고용정보원 데이터센터"}

	// Per agency (short name): grades 1, 2, 3, 4, 미부여 in the records.
	wantAgencyGrades = map[string][5]int{
		"고용노동부":    {0, 2, 6, 11, 0},
		"근복":       {4, 6, 12, 18, 1},
		"안전공단":     {0, 2, 6, 20, 15},
		"기술교육대":    {0, 0, 16, 7, 4},
		"고용정보원":    {1, 7, 4, 10, 2},
		"인력공단":     {1, 4, 6, 6, 0},
		"폴리텍":      {0, 1, 4, 3, 0},
		"장애인공단":    {1, 1, 3, 3, 0},
		"노사발전재단":   {0, 0, 6, 1, 0},
		"건설공제회":    {0, 0, 3, 3, 0},
		"사회적기업진흥원": {0, 0, 1, 2, 1},
		"잡월드":      {0, 0, 1, 2, 0},
		"고용노동교육원":  {0, 0, 1, 1, 0},
		"중노위":      {0, 0, 0, 1, 0},
		"최임위":      {0, 0, 0, 1, 0},
		"산재재심사위":   {0, 0, 0, 1, 0},
	}

	// The plan's contradictions (docs/sample-data.md): source, agency short
	// name ("" for the ministry), metric → declared and recorded values.
	wantContradictions = map[string][2]float64{
		"I-1 기관별 현황표|기술교육대|systems":     {28, 27},
		"I-1 기관별 현황표|기술교육대|facilities":  {2, 1},
		"I-1 기관별 현황표|인력공단|facilities":   {1, 2},
		"I-1 기관별 현황표|장애인공단|facilities":  {1, 2},
		"참고 3 시스템 현황|기술교육대|grade_none":  {5, 4},
		"참고 3 시스템 현황||grade4_share_pct": {45, 42.5},
	}
)

func TestLoad(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := inventory.NewStore(db)
		if err := sampledata.Load(ctx, db); err != nil {
			t.Fatalf("Load: %v", err)
		}
		sum, err := store.Summary(ctx, access.All())
		if err != nil {
			t.Fatal(err)
		}
		inv, err := store.Load(ctx, access.All())
		if err != nil {
			t.Fatal(err)
		}
		t.Run("headline figures", func(t *testing.T) { checkHeadline(t, sum) })
		t.Run("facilities", func(t *testing.T) { checkFacilities(t, sum, inv) })
		t.Run("agencies", func(t *testing.T) { checkAgencies(t, sum, inv) })
		t.Run("declared figures", func(t *testing.T) { checkDeclared(t, sum, inv) })
		t.Run("systems", func(t *testing.T) { checkSystems(t, inv) })
		t.Run("services and dependencies", func(t *testing.T) { checkServices(t, inv) })
		t.Run("grade proposals", func(t *testing.T) { checkProposals(t, db) })

		// A second load is refused and changes nothing.
		err = sampledata.Load(ctx, db)
		if err == nil || apperror.CodeOf(err) != apperror.Conflict {
			t.Fatalf("second Load = %v, want a conflict", err)
		}
		again, err := store.Load(ctx, access.All())
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Agencies) != 16 || len(again.Facilities) != 18 || len(again.Systems) != 212 ||
			len(again.Services) != len(inv.Services) || len(again.Dependencies) != len(inv.Dependencies) || len(again.Declared) != len(inv.Declared) {
			t.Fatalf("second Load changed the store: %d agencies, %d facilities, %d systems, %d declared",
				len(again.Agencies), len(again.Facilities), len(again.Systems), len(again.Declared))
		}
	})
}

func TestLoadRefusesStoreWithAgencies(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := inventory.NewStore(db)
		err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			return tx.CreateAgency(ctx, &inventory.Agency{Name: "시험 기관"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := sampledata.Load(ctx, db); apperror.CodeOf(err) != apperror.Conflict {
			t.Fatalf("Load = %v, want a conflict", err)
		}
		inv, err := store.Load(ctx, access.All())
		if err != nil {
			t.Fatal(err)
		}
		if len(inv.Agencies) != 1 || len(inv.Facilities) != 0 || len(inv.Systems) != 0 || len(inv.Declared) != 0 {
			t.Fatalf("refused Load wrote records: %d agencies, %d facilities, %d systems, %d declared",
				len(inv.Agencies), len(inv.Facilities), len(inv.Systems), len(inv.Declared))
		}
	})
}

func checkHeadline(t *testing.T, sum *inventory.Summary) {
	if sum.Systems != 212 || sum.Facilities != 18 || sum.Unplaced != 0 {
		t.Errorf("systems %d, facilities %d, unplaced %d; want 212, 18, 0", sum.Systems, sum.Facilities, sum.Unplaced)
	}
	for name, c := range map[string][2]map[string]int{
		"grades":                 {sum.ByGrade, wantGrades},
		"systems by operator":    {sum.ByOperator, wantOperators},
		"facilities by operator": {sum.FacilitiesByOperator, wantFacilities},
		"grade 1/2 by operator":  {sum.Grade12ByOperator, wantGrade12},
	} {
		if !maps.Equal(c[0], c[1]) {
			t.Errorf("%s %v, want %v", name, c[0], c[1])
		}
	}
	if sum.Survey != wantSurvey {
		t.Errorf("survey %+v, want %+v", sum.Survey, wantSurvey)
	}
}

func checkFacilities(t *testing.T, sum *inventory.Summary, inv *inventory.Inventory) {
	got := map[string]int{}
	var shared []string
	for _, f := range sum.PerFacility {
		got[f.Name] = f.Systems
		if f.Shared {
			shared = append(shared, f.Name)
		}
	}
	if !maps.Equal(got, wantPerFacility) {
		t.Errorf("systems per facility\n got %v\nwant %v", got, wantPerFacility)
	}
	slices.Sort(shared)
	if !slices.Equal(shared, wantShared) {
		t.Errorf("shared facilities %v, want %v", shared, wantShared)
	}
	var unsurveyed []string
	for _, f := range inv.Facilities {
		if !f.Surveyed {
			unsurveyed = append(unsurveyed, f.Name)
		}
		for _, line := range strings.Split(f.Findings, "\n") {
			if f.Findings != "" && strings.TrimSpace(line) == "" {
				t.Errorf("%s: empty finding line", f.Name)
			}
		}
	}
	if !slices.Equal(unsurveyed, []string{"기술교육대(능력개발교육원 실학관)"}) {
		t.Errorf("unsurveyed facilities %v, want only 실학관", unsurveyed)
	}
	byName := map[string]*inventory.Facility{}
	for _, f := range inv.Facilities {
		byName[f.Name] = f
	}
	for name, item := range map[string]string{
		"고용노동부 본부 전산실(정부세종청사 11동)": "ups_in_server_room",
		"고용노동부 고객상담센터(울산)":         "ups_in_server_room",
		"장애인고용공단(본부 2층)":           "ups_in_server_room",
		"국가정보자원관리원":                "ups_in_server_room",
	} {
		if f := byName[name]; f == nil || f.Conditions[item] != "yes" {
			t.Errorf("%s: %s not flagged", name, item)
		}
	}
	if f := byName["근로복지공단(서울남부지사 2층)"]; f == nil || f.Conditions["fire_suppression"] != "none" || !strings.Contains(f.Findings, "소화설비 미비") {
		t.Errorf("서울남부지사 finding missing: %+v", f)
	}
}

func checkAgencies(t *testing.T, sum *inventory.Summary, inv *inventory.Inventory) {
	if len(inv.Agencies) != 16 {
		t.Fatalf("%d agencies, want 16", len(inv.Agencies))
	}
	var ministry int64
	for _, a := range inv.Agencies {
		if a.ParentID == nil {
			if ministry != 0 || a.Name != "고용노동부" {
				t.Errorf("agency without parent: %s", a.Name)
			}
			ministry = a.ID
		}
	}
	for _, a := range inv.Agencies {
		if a.ParentID != nil && *a.ParentID != ministry {
			t.Errorf("%s: parent %d, want the ministry %d", a.Name, *a.ParentID, ministry)
		}
	}
	for _, as := range sum.PerAgency {
		want, ok := wantAgencyGrades[as.ShortName]
		if !ok {
			t.Errorf("unexpected agency %s (%s)", as.Name, as.ShortName)
			continue
		}
		got := [5]int{as.ByGrade["1"], as.ByGrade["2"], as.ByGrade["3"], as.ByGrade["4"], as.ByGrade["none"]}
		if got != want {
			t.Errorf("%s grades %v, want %v", as.ShortName, got, want)
		}
	}
}

func checkDeclared(t *testing.T, sum *inventory.Summary, inv *inventory.Inventory) {
	short := map[int64]string{}
	for _, a := range inv.Agencies {
		short[a.ID] = a.ShortName
	}
	got := map[string][2]float64{}
	for _, d := range inv.Declared {
		var agency, facility int64
		if d.AgencyID != nil {
			agency = *d.AgencyID
		}
		if d.FacilityID != nil {
			facility = *d.FacilityID
		}
		actual, ok := sum.Metric(d.Metric, agency, facility)
		if !ok {
			t.Errorf("%s %s (agency %d, facility %d): metric cannot be counted", d.Source, d.Metric, agency, facility)
			continue
		}
		if actual != d.Value {
			key := fmt.Sprintf("%s|%s|%s", d.Source, short[agency], d.Metric)
			if facility != 0 {
				key += fmt.Sprintf("|facility %d", facility)
			}
			got[key] = [2]float64{d.Value, actual}
		}
	}
	if !maps.Equal(got, wantContradictions) {
		t.Errorf("declared figures that disagree with the records\n got %v\nwant %v", got, wantContradictions)
	}
	if len(inv.Declared) < 100 {
		t.Errorf("only %d declared figures", len(inv.Declared))
	}
}

func checkSystems(t *testing.T, inv *inventory.Inventory) {
	agencyOf := map[int64]string{}
	for _, a := range inv.Agencies {
		agencyOf[a.ID] = a.ShortName
	}
	operatorOf := map[int64]string{}
	facilityName := map[int64]string{}
	for _, f := range inv.Facilities {
		operatorOf[f.ID], facilityName[f.ID] = f.Operator, f.Name
	}
	bySystem := map[string]*inventory.System{}
	var grade12Away []string
	var grade1DR []string
	generic, unsurveyed := 0, 0
	for _, s := range inv.Systems {
		key := agencyOf[s.AgencyID] + " " + s.Name
		bySystem[key] = s
		if s.Sample {
			generic++
			if !strings.Contains(s.Name, "업무시스템") || s.Description != "계획서에 개수만 있는 시스템을 채운 표본 항목" {
				t.Errorf("generic system %q not marked as such: %q", s.Name, s.Description)
			}
		}
		if (s.Grade == 1 || s.Grade == 2) && operatorOf[*s.PrimaryFacilityID] != "self" {
			grade12Away = append(grade12Away, operatorOf[*s.PrimaryFacilityID]+" "+key)
		}
		if s.Grade == 1 && inventory.HasDR(s.DRPerformance) {
			grade1DR = append(grade1DR, key+" "+s.DRPerformance)
		}
		if !s.Surveyed {
			unsurveyed++
			if s.Manual != "unknown" || s.DRPerformance != "unknown" || s.OffsiteMethod != "unknown" || s.BackupFullEvery != nil || s.Redundancy["db"] != "unknown" {
				t.Errorf("unsurveyed %s has survey answers", key)
			}
		}
		if s.DRFacilityID != nil && *s.DRFacilityID == *s.PrimaryFacilityID {
			t.Errorf("%s: DR in its own facility", key)
		}
	}
	slices.Sort(grade12Away)
	if want := []string{"nirs 고용노동부 노사누리", "nirs 고용노동부 대표홈페이지", "private 근복 중소퇴직기금 통합플랫폼 비대면채널", "private 폴리텍 통합포털종합정보시스템"}; !slices.Equal(grade12Away, want) {
		t.Errorf("grade-1/2 systems outside self-operated facilities %v, want %v", grade12Away, want)
	}
	if want := []string{"고용정보원 고용24 partial"}; !slices.Equal(grade1DR, want) {
		t.Errorf("grade-1 systems with DR %v, want %v", grade1DR, want)
	}
	if unsurveyed != 15 {
		t.Errorf("%d unsurveyed systems, want 15", unsurveyed)
	}
	for _, name := range []string{
		"근복 가입부과 신정보시스템", "근복 고용·산재보험 토탈서비스", "근복 노동보험시스템", "근복 산재보험 진료비 약제비 EDI",
		"인력공단 Q-Net", "장애인공단 장애인고용업무시스템", "고용정보원 고용24",
		"고용노동부 대표홈페이지", "고용노동부 노사누리", "고용정보원 워크넷", "폴리텍 통합포털종합정보시스템",
		"고용노동부 다우리포털", "고용노동부 메일시스템", "고용노동부 과태료관리시스템", "고용노동부 1350 홈페이지",
		"고용노동부 퇴직연금취급실적관리시스템", "고용노동부 지역고용정보네트워크", "중노위 노사마루", "최임위 최저임금위원회 홈페이지",
		"안전공단 물질안전보건자료시스템", "안전공단 위험성평가 시스템", "건설공제회 건설기능플러스", "건설공제회 건설일드림넷",
		"근복 개인정보운영지원시스템", "고용정보원 임금직업정보시스템", "고용정보원 청년 일경험 통합플랫폼",
		"기술교육대 K-LXP 학생 맞춤형 성장지원 시스템", "안전공단 산업안전포털", "안전공단 건설현장종합정보시스템", "사회적기업진흥원 판로플랫폼",
		"근복 대표홈페이지", "잡월드 대표홈페이지", "고용노동교육원 대표홈페이지",
	} {
		s := bySystem[name]
		if s == nil {
			t.Errorf("named system %s missing", name)
			continue
		}
		if s.Sample {
			t.Errorf("named system %s marked as sample", name)
		}
	}
	if n := len(inv.Systems) - generic; n != 76 {
		t.Errorf("%d named systems, want the plan's 76", n)
	}
	// Hints of 참고 4.
	for key, s := range bySystem {
		agency := strings.SplitN(key, " ", 2)[0]
		switch {
		case agency == "장애인공단" && (inventory.HasOffsite(s.OffsiteMethod) || s.BackupFullEvery == nil || *s.BackupFullEvery == 0):
			t.Errorf("%s: 장애인고용공단 backs up and keeps no offsite copy", key)
		case agency == "장애인공단" && s.Grade <= 2 && inventory.HasRedundancy(s.Redundancy):
			t.Errorf("%s: grade-1/2 system of 장애인고용공단 with redundancy", key)
		case agency == "고용노동교육원" && (inventory.HasOffsite(s.OffsiteMethod) || inventory.HasRedundancy(s.Redundancy)):
			t.Errorf("%s: 고용노동교육원 has no offsite and weak redundancy", key)
		case facilityName[*s.PrimaryFacilityID] == "국가정보자원관리원" && inventory.HasDR(s.DRPerformance):
			t.Errorf("%s: NIRS systems have no DR", key)
		case agency == "고용정보원" && inventory.HasOffsite(s.OffsiteMethod) && s.OffsiteMethod != "tape_staff":
			t.Errorf("%s: 고용정보원 offsite is tape carried by staff", key)
		case agency == "고용정보원" && s.DRPerformance == "similar":
			t.Errorf("%s: 고용정보원 DR is partial", key)
		}
	}
	if s := bySystem["근복 대표홈페이지"]; s == nil || s.DRFacilityID == nil || facilityName[*s.DRFacilityID] != "근로복지공단(서울남부지사 2층)" {
		t.Errorf("근복 본부 DR not at 서울남부지사: %+v", s)
	}
	if s := bySystem["기술교육대 대표홈페이지"]; s == nil || s.DRFacilityID == nil || facilityName[*s.DRFacilityID] != "기술교육대(능력개발교육원 실학관)" {
		t.Errorf("기술교육대 DR not at 실학관: %+v", s)
	}
	if s := bySystem["고용정보원 고용24"]; s == nil || s.RTODisaster == nil || *s.RTODisaster != 120 || *s.RPODisaster != 60 {
		t.Errorf("고용24 targets: %+v", s)
	}
	if s := bySystem["인력공단 Q-Net"]; s == nil || s.RTODisaster != nil {
		t.Errorf("Q-Net targets should be left missing: %+v", s)
	}
}

func checkServices(t *testing.T, inv *inventory.Inventory) {
	names := map[int64]string{}
	for _, s := range inv.Systems {
		names[s.ID] = s.Name
	}
	want := map[string][]string{
		"실업급여 신청":      {"고용24", "고용보험시스템"},
		"산재보험 급여 신청":   {"고용·산재보험 토탈서비스", "산재보험 진료비 약제비 EDI"},
		"국가기술자격 시험 접수": {"Q-Net"},
		"구인·구직":        {"고용24", "워크넷"},
	}
	found := 0
	for _, svc := range inv.Services {
		if svc.MTPD == nil || svc.RTO == nil || svc.ManualWorkaround == "" || !svc.Sample {
			t.Errorf("service %s incomplete: %+v", svc.Name, svc)
		}
		systems, ok := want[svc.Name]
		if !ok {
			continue
		}
		found++
		var got []string
		for _, id := range svc.SystemIDs {
			got = append(got, names[id])
		}
		slices.Sort(got)
		if !slices.Equal(got, systems) {
			t.Errorf("service %s systems %v, want %v", svc.Name, got, systems)
		}
	}
	if found != len(want) {
		t.Errorf("found %d of the %d services", found, len(want))
	}
	deps := map[string]string{}
	for _, d := range inv.Dependencies {
		deps[names[d.FromSystemID]+" → "+names[d.ToSystemID]] = d.Kind
	}
	if deps["워크넷 → 고용24"] != "auth" || deps["고용보험시스템 → 고용24"] != "interface" {
		t.Errorf("dependencies %v", deps)
	}
}
