package sampledata

import (
	"context"
	"fmt"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/risk"
)

// srcSiteSurvey is the source of the risks the site survey found.
const srcSiteSurvey = "참고 4 현장조사"

// siteFinding is one finding of 참고 4 "현장조사 결과 요약" as a risk entry:
// on the facility the finding is about, on one system when it names one,
// or on the agency as a whole when it is about the agency's way of working
// or the agency has no facility of its own.
//
// A finding that states a weakness becomes one entry; a sub-bullet that
// explains it goes into the same entry. Findings that state no weakness are
// left out: an arrangement (폴리텍, 노사발전재단, 건설공제회, 사회적기업진흥원
// and 잡월드 "자체 전산시설 없이 민간 시설 위탁으로만 운영"), a plan
// (근로복지공단 인재개발원 1층 "재해복구센터 준공 이후 이전할 계획"), and a
// budget constraint no kind of the catalogue fits (노사발전재단 "정보화 예산
// 확보 어려움"; budget requests are 참고 2's). That leaves 37 entries.
//
// Ratings are our assumption, by these rules:
//
//	likelihood 4  the hazard is in place or the practice is failing now
//	              (batteries beside servers, room often over 26 °C, no
//	              offsite copies, no drills held)
//	likelihood 3  a weakness that turns an ordinary fault, attack or ageing
//	              into an outage (no redundancy, ageing equipment, no
//	              monitoring, manuals that are abstract or incomplete)
//	likelihood 2  a weakness that matters only in a rare event (no DR site
//	              for a disaster, extinguishers unfit for a battery fire)
//	impact        the highest grade of the systems the finding would stop
//	              (impactOf): the named system; else the agency's systems
//	              in the facility; else all the agency's systems
//
// The survey measured no effect of the controls it mentions, so the values
// after controls are those before them. Every entry is open but the
// 근로복지공단 DR centre, whose construction is under way (mitigating).
type siteFinding struct {
	agency, facility, system string
	subKind                  string
	likelihood               int
	title, description       string
	controls                 string
	status                   string
}

var siteFindings = []siteFinding{
	// 고용노동부 [본부 전산실]
	{agency: aMOEL, facility: fMOELRoom, subKind: "disaster", likelihood: 4,
		title: "UPS, 배터리, 시스템 서버가 같은 공간에 배치"},
	{agency: aMOEL, facility: fMOELRoom, subKind: "disaster", likelihood: 2,
		title:       "전산실용 할론 소화기만 비치 (배터리 화재 진화용 소화기 없음)",
		description: "UPS 배터리가 서버와 같은 공간에 있어 배터리 화재에 맞는 소화 설비가 필요함"},
	{agency: aMOEL, facility: fMOELRoom, subKind: "disaster", likelihood: 2,
		title: "재해복구센터 미구축", controls: "방화벽, 통신장비 등 이중화"},
	// 고용노동부 [고객상담센터]
	{agency: aMOEL, facility: fCallCentre, subKind: "disaster", likelihood: 4,
		title: "UPS, 배터리, 시스템 서버가 같은 공간에 배치", controls: "배터리 화재 진화용 소화기 비치(울산)"},
	{agency: aMOEL, subKind: "disaster", likelihood: 2,
		title: "울산 외 3개 고객상담센터는 일반 소화기만 비치 (배터리 화재 진화용 소화기 없음)"},
	{agency: aMOEL, facility: fCallCentre, system: "1350 홈페이지", subKind: "equipment", likelihood: 3,
		title: "1350 홈페이지: 이중화, 예비장비, 재해복구센터 모두 미구축"},
	// 노동위원회
	{agency: aNLRC, subKind: "negligence", likelihood: 4,
		title: "재해복구 및 비상대응 모의훈련 미실시(훈련계획 없음)"},
	// 근로복지공단
	{agency: aCOMWEL, facility: fCOMWELSouth, subKind: "disaster", likelihood: 3,
		title: "시설 노후, 소화설비 미비로 재해에 취약"},
	{agency: aCOMWEL, subKind: "disaster", likelihood: 2, status: risk.StatusMitigating,
		title: "재해복구센터 미구축", controls: "재해복구센터 구축 사업 추진 중('27.1월 운영 예정)"},
	{agency: aCOMWEL, subKind: "noncompliance", likelihood: 3,
		title: "백업담당자 인력부족으로 일부 시스템 백업데이터 검증 등 미흡"},
	// 안전보건공단
	{agency: aKOSHA, facility: fKOSHAHQ, subKind: "disaster", likelihood: 2,
		title: "전체 서버장비가 동일구역에 배치되어 화재, 정전 등 재난 발생 시 핵심서비스 중단 불가피"},
	{agency: aKOSHA, facility: fKOSHAHQ, subKind: "negligence", likelihood: 3,
		title: "데이터 복구 절차는 있으나, 실제 복구 테스트를 통한 검증은 미실시"},
	{agency: aKOSHA, facility: fKOSHAHQ, subKind: "manual_gaps", likelihood: 3,
		title: "재해복구 매뉴얼은 있으나, 오프라인 업무 전환 절차 미흡"},
	// 산업인력공단
	{agency: aHRDK, facility: fHRDKHQ, subKind: "equipment", likelihood: 3,
		title: "UPS 4기 중 1,2호기 노후화(2014년)"},
	{agency: aHRDK, facility: fHRDKHQ, subKind: "disaster", likelihood: 2,
		title: "재해복구센터 미구축 → 화재 등 재해발생 시 핵심서비스 중단 우려"},
	{agency: aHRDK, facility: fHRDKHQ, subKind: "hacking", likelihood: 3,
		title: "비정상 접근 실시간 모니터링 시스템 미구축 → 사후대응만 가능"},
	{agency: aHRDK, facility: fHRDKHQ, subKind: "manual_gaps", likelihood: 3,
		title: "시스템 장애시 오프라인 업무 전환 준비 미흡"},
	// 장애인고용공단
	{agency: aKEAD, facility: fKEADHQ, subKind: "equipment", likelihood: 3,
		title: "1~2등급 시스템도 이중화, 예비장비, 재해복구센터 모두 미구축"},
	{agency: aKEAD, facility: fKEADHQ, subKind: "disaster", likelihood: 4,
		title: "UPS와 서버, 네트워크가 같은 공간에 배치 + 소화설비 노후화"},
	{agency: aKEAD, facility: fKEADHQ, subKind: "equipment", likelihood: 4,
		title: "전산실 온도가 적정 온도(26°C) 초과 상황 자주 발생(여름에 위험)"},
	{agency: aKEAD, facility: fKEADHQ, subKind: "noncompliance", likelihood: 4,
		title: "백업은 실시하나 소산 미실시"},
	{agency: aKEAD, facility: fKEADHQ, subKind: "hacking", likelihood: 3,
		title: "비정상 접근 실시간 모니터링 시스템 미구축 → 사후대응만 가능"},
	// 고용정보원
	{agency: aKEIS, facility: fKEISDC, subKind: "equipment", likelihood: 3,
		title: "UPS 용량 추가 확보 필요: 전력사용량 증가로 용량 부족 우려"},
	{agency: aKEIS, facility: fKEISDC, subKind: "disaster", likelihood: 2,
		title:       "재해복구센터 있으나 재난 발생시 대국민 서비스는 중단 우려",
		description: "주센터 대비 재해복구센터의 네트워크, 서버, 연계망 부재 등 한계", controls: "재해복구센터 운영(주센터 대비 일부 성능)"},
	{agency: aKEIS, facility: fKEISDC, subKind: "noncompliance", likelihood: 4,
		title: "데이터 소산은 일부 시스템만 실시, TAPE에 저장하여 직원이 직접 소산"},
	{agency: aKEIS, facility: fKEISDC, subKind: "negligence", likelihood: 3,
		title: "데이터센터 기반시설 관리 조직·인원 보강 필요"},
	// 폴리텍
	{agency: aKOPO, subKind: "negligence", likelihood: 3,
		title: "정보화 인력 증원 필요(전체 정보화 인력: 8명)"},
	// 기술교육대
	{agency: aKOREATECH, facility: fDasan, subKind: "negligence", likelihood: 3,
		title: "재해복구 및 비상대응 모의훈련계획이 있으나 정보화운영팀만 참여"},
	{agency: aKOREATECH, facility: fDasan, subKind: "manual_gaps", likelihood: 3,
		title: "매뉴얼은 있으나 오프라인 업무 전환절차가 추상적으로 규정"},
	// 노사발전재단
	{agency: aNOSA, subKind: "negligence", likelihood: 4,
		title: "재단 차원의 재해복구·비상대응 훈련 없음"},
	// 사회적기업진흥원
	{agency: aSEPA, subKind: "negligence", likelihood: 4,
		title: "재해복구 및 비상대응 모의훈련계획이 있으나, 훈련 미실시"},
	{agency: aSEPA, subKind: "manual_gaps", likelihood: 3,
		title: "오프라인 업무 전환 절차가 없고, 매뉴얼에도 누락된 내용 있음"},
	// 잡월드
	{agency: aJOBWORLD, subKind: "manual_gaps", likelihood: 3,
		title: "오프라인 업무 전환 절차, 업무연속성 보장 계획이 없음"},
	// 고용노동교육원
	{agency: aKELI, facility: fKELI, subKind: "equipment", likelihood: 3,
		title:       "UPS, 항온항습기 등 전산실 환경개선 필요",
		description: "UPS로 시스템 유지 가능한 시간은 10분 내외(용량 10kV)"},
	{agency: aKELI, facility: fKELI, subKind: "equipment", likelihood: 3,
		title: "서버, 네트워크, 보안장비 등 이중화 미흡 → 재해·장애 발생시 핵심 서비스 중단 위험"},
	{agency: aKELI, facility: fKELI, subKind: "noncompliance", likelihood: 4,
		title: "데이터 소산 체계 없음"},
	{agency: aKELI, facility: fKELI, subKind: "manual_gaps", likelihood: 3,
		title: "재해복구계획은 있으나, 내용이 추상적이고 훈련 등은 실시하지 못함"},
}

// loadRisks records the site survey's findings as risk entries, all in one
// transaction.
func loadRisks(ctx context.Context, db *database.DB) error {
	inv, err := inventory.NewStore(db).Load(ctx, access.All())
	if err != nil {
		return err
	}
	agencies, facilities := map[string]int64{}, map[string]int64{}
	for _, a := range inv.Agencies {
		agencies[a.ShortName] = a.ID
	}
	for _, f := range inv.Facilities {
		facilities[f.Name] = f.ID
	}
	var entries []*risk.Entry
	for _, f := range siteFindings {
		if agencies[f.agency] == 0 {
			return fmt.Errorf("sampledata: risk %q: no agency %s", f.title, f.agency)
		}
		e := &risk.Entry{AgencyID: agencies[f.agency], SubKind: f.subKind, Title: f.title, Description: f.description,
			Likelihood: f.likelihood, Controls: f.controls, Status: f.status, Source: srcSiteSurvey}
		if f.facility != "" {
			id, ok := facilities[f.facility]
			if !ok {
				return fmt.Errorf("sampledata: risk %q: no facility %s", f.title, f.facility)
			}
			e.FacilityID = &id
		}
		var stopped []*inventory.System
		for _, s := range inv.Systems {
			if s.AgencyID != e.AgencyID {
				continue
			}
			switch {
			case f.system != "" && s.Name == f.system:
				e.SystemID = &s.ID
				stopped = []*inventory.System{s}
			case f.system == "" && e.FacilityID != nil && s.PrimaryFacilityID != nil && *s.PrimaryFacilityID == *e.FacilityID:
				stopped = append(stopped, s)
			}
		}
		if f.system != "" && e.SystemID == nil {
			return fmt.Errorf("sampledata: risk %q: no system %s %s", f.title, f.agency, f.system)
		}
		if len(stopped) == 0 {
			for _, s := range inv.Systems {
				if s.AgencyID == e.AgencyID {
					stopped = append(stopped, s)
				}
			}
		}
		e.Impact = impactOf(stopped)
		entries = append(entries, e)
	}
	if err := risk.NewStore(db).Create(ctx, access.All(), entries...); err != nil {
		return fmt.Errorf("sampledata: risks of 참고 4: %w", err)
	}
	return nil
}

// impactOf is the impact of losing systems, by the highest grade among
// them: grade 1 is 5, grade 2 is 4, grade 3 is 3, grade 4 or none (or no
// system at all) is 2.
func impactOf(systems []*inventory.System) int {
	best := 0
	for _, s := range systems {
		if s.Grade != 0 && (best == 0 || s.Grade < best) {
			best = s.Grade
		}
	}
	switch best {
	case 1:
		return 5
	case 2:
		return 4
	case 3:
		return 3
	}
	return 2
}
