package sampledata

import (
	"strconv"

	"yeonsok/internal/inventory"
)

// figureNotes explain the figures that disagree with the records or with
// another table of the plan, keyed by source, agency short name ("" for the
// ministry) and metric.
var figureNotes = map[[3]string]string{
	{srcAgencyTable, aKOREATECH, "systems"}:    "참고 3 시설 현황은 27개(다산정보관 27, 실학관 0); 기관별 현황표 합계는 213",
	{srcAgencyTable, aKOREATECH, "facilities"}: "실학관은 주 시설로 쓰는 시스템이 0개(재해복구 위치로만 쓰임); 고용노동부는 0개인 본부 전산실을 빼고 5로 셈",
	{srcAgencyTable, aHRDK, "facilities"}:      "참고 3 시설 현황은 본부 3층(16)과 외국인력상담센터(1) 2곳",
	{srcAgencyTable, aKEAD, "facilities"}:      "참고 3 시설 현황은 본부 2층(7)과 NHN(1) 2곳; 근로복지공단은 NHN을 세어 4로 셈",
	{srcSystems, aKOREATECH, "grade_none"}:     "미부여 목록 합계 24(근복1+고용정보원2+기술교육대5+안전보건공단15+사회적기업진흥원1)는 머리말 23과 다름; 기록은 4",
	{srcSystems, "", "grade4_share_pct"}:       "4등급 90개 / 212개 = 42.5%",
}

func gradeMetric(g int) string {
	if g == gradeNone {
		return "grade_none"
	}
	return "grade_" + strconv.Itoa(g)
}

// declaredFigures is every figure the plan states that a metric of
// (*inventory.Summary).Metric can count, with the part of the plan that
// states it.
func declaredFigures(agencies, facilities map[string]int64) []*inventory.DeclaredFigure {
	var list []*inventory.DeclaredFigure
	add := func(source, agency, facility, metric string, value float64, note string) {
		d := &inventory.DeclaredFigure{Source: source, Metric: metric, Value: value, Note: note}
		if agency != "" {
			id := agencies[agency]
			d.AgencyID = &id
		}
		if facility != "" {
			id := facilities[facility]
			d.FacilityID = &id
		}
		if n, ok := figureNotes[[3]string{source, agency, metric}]; ok && d.Note == "" {
			d.Note = n
		}
		list = append(list, d)
	}
	grades := []int{1, 2, 3, 4, gradeNone}

	// I-1 개요: "총 212개 시스템을 18개소 시설에서 운영", grades, operators.
	add(srcOverview, "", "", "systems", 212, "")
	add(srcOverview, "", "", "facilities", 18, "")
	for _, g := range grades {
		add(srcOverview, "", "", gradeMetric(g), float64(headlineGrades[g]), "")
	}
	byOperator := []struct {
		prefix string
		counts map[string]float64
		note   string
	}{
		{"facilities_", map[string]float64{"nirs": 1, "self": 14, "private": 3}, "(시스템 운영시설) 국정자원 1, 자체 14, 민간 3(KT, LG U+, NHN)"},
		{"operator_", map[string]float64{"nirs": 17, "self": 164, "private": 31}, "국정자원 운영 17, 자체 운영 164, 민간 위탁 운영 31"},
		{"grade12_", map[string]float64{"nirs": 2, "self": 26, "private": 2}, "1·2 등급 시스템(30개): 국정자원 2, 자체운영 26, 민간 위탁 2"},
	}
	for _, b := range byOperator {
		for _, op := range inventory.Operators {
			add(srcOverview, "", "", b.prefix+op, b.counts[op], b.note)
		}
	}
	add(srcFire, "", "", "operator_nirs", 17, "국정자원 화재로 중단된 우리부 17개 시스템 = 국정자원에서 운영하는 시스템")

	// I-1 서면조사.
	for _, f := range surveyFigures {
		add(srcSurvey, "", "", f.metric, f.value, f.note)
	}

	// I-1 기관별 현황표, as printed.
	for _, a := range agencyTable {
		add(srcAgencyTable, a.short, "", "systems", float64(a.systems), "")
		add(srcAgencyTable, a.short, "", "facilities", float64(a.facilities), "")
	}

	// 참고 3 시설 현황: "18개소" and each agency's systems per facility.
	add(srcFacilities, "", "", "facilities", 18, "")
	for _, p := range facilityPlacements {
		add(srcFacilities, p.agency, p.facility, "systems", float64(p.count), "")
	}

	// 참고 3 시스템 현황: "총 212개", the grade headings, "45%", and each
	// agency's count per grade as printed.
	add(srcSystems, "", "", "systems", 212, "")
	for _, g := range grades {
		add(srcSystems, "", "", gradeMetric(g), float64(headlineGrades[g]), "")
	}
	add(srcSystems, "", "", "grade4_share_pct", grade4SharePct, "")
	for _, a := range agencyTable {
		for _, g := range grades {
			if n, ok := gradeTable[a.short][g]; ok {
				add(srcSystems, a.short, "", gradeMetric(g), float64(n), "")
			}
		}
	}
	return list
}
