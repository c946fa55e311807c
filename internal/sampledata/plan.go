package sampledata

// This file holds the plan's own tables, as printed in
// seeds/000_0fded9415a3ab7d0.txt, and the few assumptions needed to turn its
// counts into records. rules.go turns them into records; docs/sample-data.md
// says where every figure comes from.

// Sources of declared figures: the part of the plan that states them.
const (
	srcOverview    = "I-1 개요"
	srcFire        = "I. 현황 (국정자원 화재)"
	srcAgencyTable = "I-1 기관별 현황표"
	srcSurvey      = "I-1 서면조사"
	srcFacilities  = "참고 3 시설 현황"
	srcSystems     = "참고 3 시스템 현황"
)

// Agencies, keyed by the short name the plan uses for them.
const (
	aMOEL      = "고용노동부"
	aCOMWEL    = "근복"
	aKOSHA     = "안전공단"
	aKOREATECH = "기술교육대"
	aKEIS      = "고용정보원"
	aHRDK      = "인력공단"
	aKOPO      = "폴리텍"
	aKEAD      = "장애인공단"
	aNOSA      = "노사발전재단"
	aCWMA      = "건설공제회"
	aSEPA      = "사회적기업진흥원"
	aJOBWORLD  = "잡월드"
	aKELI      = "고용노동교육원"
	aNLRC      = "중노위"
	aMWC       = "최임위"
	aIACI      = "산재재심사위"
)

// agencyRow is one column of the plan's agency table (I-1), with the
// figures exactly as printed: they are declared, not used to build records.
type agencyRow struct {
	short, name         string
	systems, facilities int
}

// agencyTable is I-1 "고용노동부 및 산하기관 시스템·시설 현황", in its order.
// The ministry comes first and is the parent of the other fifteen.
var agencyTable = []agencyRow{
	{aMOEL, "고용노동부", 19, 5},
	{aCOMWEL, "근로복지공단", 41, 4},
	{aKOSHA, "한국산업안전보건공단", 43, 1},
	{aKOREATECH, "한국기술교육대학교", 28, 2},
	{aKEIS, "한국고용정보원", 24, 1},
	{aHRDK, "한국산업인력공단", 17, 1},
	{aKOPO, "한국폴리텍대학", 8, 3},
	{aKEAD, "한국장애인고용공단", 8, 1},
	{aNOSA, "노사발전재단", 7, 2},
	{aCWMA, "건설근로자공제회", 6, 1},
	{aSEPA, "한국사회적기업진흥원", 4, 1},
	{aJOBWORLD, "한국잡월드", 3, 1},
	{aKELI, "한국고용노동교육원", 2, 1},
	{aNLRC, "중앙노동위원회", 1, 1},
	{aMWC, "최저임금위원회", 1, 1},
	{aIACI, "산업재해보상보험재심사위원회", 1, 1},
}

// Facilities of 참고 3, by the name they get in the inventory. The
// ministry's own rooms get "고용노동부 " in front, so that "본부 전산실" is
// not mistaken for another agency's.
const (
	fNIRS        = "국가정보자원관리원"
	fCyber       = "고용노동부 사이버안전센터(정부세종청사 12동)"
	fMOELRoom    = "고용노동부 본부 전산실(정부세종청사 11동)"
	fCallCentre  = "고용노동부 고객상담센터(울산)"
	fKEISDC      = "한국고용정보원 데이터센터"
	fLGU         = "LG U+"
	fCOMWELHQ    = "근로복지공단(본부 2층)"
	fCOMWELSouth = "근로복지공단(서울남부지사 2층)"
	fCOMWELHRD   = "근로복지공단(인재개발원 1층)"
	fNHN         = "NHN"
	fKOSHAHQ     = "안전보건공단(본부 4층)"
	fHRDKHQ      = "산업인력공단(본부 3층)"
	fHRDKForeign = "산업인력공단(외국인력상담센터)"
	fKEADHQ      = "장애인고용공단(본부 2층)"
	fKT          = "KT"
	fDasan       = "기술교육대(다산정보관)"
	fSilhak      = "기술교육대(능력개발교육원 실학관)"
	fKELI        = "고용노동교육원"
)

// Facility checklist answers, as the inventory stores them.
const (
	yes = "yes"
	no  = "none"
)

// facilityRow is one facility: operator, region where known, the site
// survey's findings (참고 4) and the checklist items they settle.
type facilityRow struct {
	name, operator, operatorName string
	region, address              string
	// surveyed is the written survey (I-1: 17 of 18 facilities).
	surveyed   bool
	conditions map[string]string
	findings   []string
}

// facilityTable lists the 18 facilities in the order 참고 3 first names them.
// Regions: 세종 and 울산 are in the facility names; 서울 likewise; the others
// are the public head-office locations of the agencies (docs/sample-data.md).
var facilityTable = []facilityRow{
	{name: fNIRS, operator: "nirs", operatorName: "국가정보자원관리원", region: "대전", surveyed: true,
		conditions: map[string]string{"ups": yes, "ups_in_server_room": yes},
		findings: []string{
			"'25.9.26. 화재로 우리부 17개 전산시스템 중단 → 국민불편, 행정부담 증가 (I. 현황)",
			"UPS 배터리가 서버와 같은 공간에 있었음 (화재 원인으로 지목)",
		}},
	{name: fCyber, operator: "self", operatorName: "고용노동부", region: "세종", address: "정부세종청사 12동", surveyed: true},
	{name: fMOELRoom, operator: "self", operatorName: "고용노동부", region: "세종", address: "정부세종청사 11동", surveyed: true,
		conditions: map[string]string{"ups": yes, "ups_in_server_room": yes, "fire_suppression": yes},
		findings: []string{
			"UPS, 배터리, 시스템 서버가 같은 공간에 배치",
			"전산실용 할론 소화기 비치",
			"방화벽, 통신장비 등: 이중화되어 있으나, 재해복구센터는 미구축",
		}},
	{name: fCallCentre, operator: "self", operatorName: "고용노동부", region: "울산", surveyed: true,
		conditions: map[string]string{"ups": yes, "ups_in_server_room": yes, "fire_suppression": yes},
		findings: []string{
			"UPS, 배터리, 시스템 서버가 같은 공간에 배치",
			"울산만 배터리 화재 진화용 소화기 비치 (나머지 3개 센터는 일반 소화기)",
			"1350 홈페이지: 이중화, 예비장비, 재해복구센터 모두 미구축",
			"고객상담센터 DR 구축(통신망 및 콜 인프라 이원화) 9.3억 요구 (참고 2)",
		}},
	{name: fKEISDC, operator: "self", operatorName: "한국고용정보원", surveyed: true,
		conditions: map[string]string{"ups": yes},
		findings: []string{
			"UPS 용량 추가 확보 필요: 전력사용량 증가로 용량 부족 우려",
			"재해복구센터 있으나 재난 발생시 대국민 서비스는 중단 우려",
			"주센터 대비 재해복구센터의 네트워크, 서버, 연계망 부재 등 한계",
			"데이터 소산은 일부 시스템만 실시, TAPE에 저장하여 직원이 직접 소산",
			"데이터센터 기반시설 관리 조직·인원 보강 필요",
		}},
	{name: fLGU, operator: "private", operatorName: "LG U+", surveyed: true},
	{name: fCOMWELHQ, operator: "self", operatorName: "근로복지공단", region: "울산", surveyed: true,
		findings: []string{
			"재해복구센터 구축 사업 추진 중('27.1월 운영 예정)",
			"백업담당자 인력부족으로 일부 시스템 백업데이터 검증 등 미흡",
		}},
	{name: fCOMWELSouth, operator: "self", operatorName: "근로복지공단", region: "서울", surveyed: true,
		conditions: map[string]string{"fire_suppression": no},
		findings: []string{
			"서울남부지사 2층은 시설 노후, 소화설비 미비로 재해에 취약",
		}},
	{name: fCOMWELHRD, operator: "self", operatorName: "근로복지공단", surveyed: true,
		findings: []string{
			"인재개발원 1층은 재해복구센터 준공 이후 이전할 계획",
		}},
	{name: fNHN, operator: "private", operatorName: "NHN", surveyed: true},
	{name: fKOSHAHQ, operator: "self", operatorName: "한국산업안전보건공단", region: "울산", surveyed: true,
		findings: []string{
			"전체 서버장비가 동일구역에 배치되어 있어 화재, 정전 등 재난 발생 시 핵심서비스 중단 불가피",
			"데이터 복구 절차는 있으나, 실제 복구 테스트를 통한 검증은 미실시",
			"재해복구 매뉴얼은 있으나, 오프라인 업무 전환 절차 미흡",
		}},
	{name: fHRDKHQ, operator: "self", operatorName: "한국산업인력공단", region: "울산", surveyed: true,
		conditions: map[string]string{"ups": yes, "ups_in_server_room": yes},
		findings: []string{
			"UPS 4기 중 1,2호기 노후화(2014년)",
			"재해복구센터 미구축 → 화재 등 재해발생 시 핵심서비스 중단 우려",
			"비정상 접근 실시간 모니터링 시스템 미구축 → 사후대응만 가능",
			"시스템 장애시 오프라인 업무 전환 준비 미흡",
			"화재사고 방지를 위해 UPS 배터리를 서버와 분리된 공간에 이전 설치 6.7억 요구 (참고 2)",
		}},
	{name: fHRDKForeign, operator: "self", operatorName: "한국산업인력공단", surveyed: true},
	{name: fKEADHQ, operator: "self", operatorName: "한국장애인고용공단", region: "경기", surveyed: true,
		conditions: map[string]string{"ups": yes, "ups_in_server_room": yes, "fire_suppression": yes, "hvac": no},
		findings: []string{
			"1~2등급 시스템도 이중화, 예비장비, 재해복구센터 모두 미구축",
			"UPS와 서버, 네트워크가 같은 공간에 배치 + 소화설비 노후화",
			"전산실 온도가 적정 온도(26°C) 초과 상황 자주 발생(여름에 위험)",
			"백업은 실시하나 소산 미실시",
			"비정상 접근 실시간 모니터링 시스템 미구축 → 사후대응만 가능",
		}},
	{name: fKT, operator: "private", operatorName: "KT", surveyed: true},
	{name: fDasan, operator: "self", operatorName: "한국기술교육대학교", region: "충남", surveyed: true,
		findings: []string{
			"재해복구 및 비상대응 모의훈련계획이 있으나 정보화운영팀만 참여",
			"매뉴얼은 있으나 오프라인 업무 전환절차가 추상적으로 규정",
		}},
	// The one facility of 18 the written survey did not cover (I-1: "17개
	// 시설", "일부 시스템·시설 미보고"): it runs no primary system.
	{name: fSilhak, operator: "self", operatorName: "한국기술교육대학교", region: "충남", surveyed: false},
	{name: fKELI, operator: "self", operatorName: "한국고용노동교육원", surveyed: true,
		conditions: map[string]string{"ups": yes},
		findings: []string{
			"UPS, 항온항습기 등 전산실 환경개선 필요",
			"UPS로 시스템 유지 가능한 시간은 10분 내외(용량 10kV)",
			"서버, 네트워크, 보안장비 등 이중화 미흡 → 재해·장애 발생시 핵심 서비스 중단 위험",
			"데이터 소산 체계 없음",
			"재해복구계획은 있으나, 내용이 추상적이고 훈련 등은 실시하지 못함",
		}},
}

// placement is one line of 참고 3's facility table: an agency runs count
// systems in a facility. Records are built to match it exactly.
type placement struct {
	agency, facility string
	count            int
}

// facilityPlacements is 참고 3 "시설 현황", in its order. Its counts add up
// to 212; the agency table's add up to 213 (기술교육대 28 there, 27 here).
var facilityPlacements = []placement{
	{aMOEL, fNIRS, 14}, {aMOEL, fCyber, 1}, {aMOEL, fMOELRoom, 0}, {aMOEL, fCallCentre, 2}, {aMOEL, fKEISDC, 1}, {aMOEL, fLGU, 1},
	{aNLRC, fNIRS, 1},
	{aMWC, fNIRS, 1},
	{aIACI, fNIRS, 1},
	{aCOMWEL, fCOMWELHQ, 18}, {aCOMWEL, fCOMWELSouth, 20}, {aCOMWEL, fCOMWELHRD, 2}, {aCOMWEL, fNHN, 1},
	{aKOSHA, fKOSHAHQ, 43},
	{aHRDK, fHRDKHQ, 16}, {aHRDK, fHRDKForeign, 1},
	{aKEAD, fKEADHQ, 7}, {aKEAD, fNHN, 1},
	{aKEIS, fKEISDC, 24},
	{aKOPO, fKT, 2}, {aKOPO, fLGU, 5}, {aKOPO, fNHN, 1},
	{aKOREATECH, fDasan, 27}, {aKOREATECH, fSilhak, 0},
	{aNOSA, fKT, 2}, {aNOSA, fLGU, 5},
	{aCWMA, fLGU, 6},
	{aSEPA, fNHN, 4},
	{aJOBWORLD, fNHN, 3},
	{aKELI, fKELI, 2},
}

// Grade buckets, as inventory.GradeKey names them; 0 is 미부여.
const gradeNone = 0

// gradeTable is 참고 3 "시스템 현황": each agency's count per grade as
// printed, "(근복:4)" and so on. Grade 4 is given only as names, never per
// agency; it is derived as the agency's total minus its listed grades.
var gradeTable = map[string]map[int]int{
	aMOEL:      {2: 2, 3: 6},
	aCOMWEL:    {1: 4, 2: 6, 3: 12, gradeNone: 1},
	aKOSHA:     {2: 2, 3: 6, gradeNone: 15},
	aHRDK:      {1: 1, 2: 4, 3: 6},
	aKEAD:      {1: 1, 2: 1, 3: 3},
	aKEIS:      {1: 1, 2: 7, 3: 4, gradeNone: 2},
	aKOPO:      {2: 1, 3: 4},
	aKOREATECH: {3: 16, gradeNone: 5},
	aNOSA:      {3: 6},
	aCWMA:      {3: 3},
	aSEPA:      {3: 1, gradeNone: 1},
	aJOBWORLD:  {3: 1},
	aKELI:      {3: 1},
}

// gradeResolutions correct gradeTable where the plan contradicts itself.
// 기술교육대: the facility table gives it 27 systems and the headline 23
// ungraded systems, while the ungraded list adds up to 24 with 기술교육대 5;
// taking 4 makes both the headline (23) and 4등급 90 come out.
var gradeResolutions = map[string]map[int]int{
	aKOREATECH: {gradeNone: 4},
}

// Headline figures of the plan (I-1 개요), which the records must reproduce.
var (
	headlineGrades = map[int]int{1: 7, 2: 23, 3: 69, 4: 90, gradeNone: 23}
	// grade4SharePct is "※ 전체 시스템의 45%는 4등급 시스템"; 90 of 212 is 42.5%.
	grade4SharePct = 45.0
)

// namedSystem is a system the plan names. Every other system is generic.
type namedSystem struct {
	agency, name string
	grade        int
	facility     string
	// note is what the plan says about it, kept in the description.
	note     string
	critical string
	fallback string
	// noRedundancy forces "no redundancy" where a site survey says so.
	noRedundancy bool
	// target overrides the rule of targetsFor (rules.go).
	target *target
}

// namedSystems: every system the plan names, with its grade (참고 3 시스템
// 현황) and the facility it runs in. Where the plan does not say which of an
// agency's facilities, the choice is ours (docs/sample-data.md).
var namedSystems = []namedSystem{
	// 고용노동부: 2등급 2, 3등급 "다우리포털, 메일시스템, 과태료관리시스템 등", 4등급 2 named.
	{agency: aMOEL, name: "대표홈페이지", grade: 2, facility: fNIRS},
	{agency: aMOEL, name: "노사누리", grade: 2, facility: fNIRS, critical: "근로감독·신고사건 처리",
		note:     "등급 상향 추진: 2→1등급 (1-1 등급 조정); 노사누리 재해복구시스템 87억 요구 (참고 2)",
		fallback: "지방관서에서 사건을 서면으로 접수·기록하고, 복구 후 노사누리에 등록"},
	{agency: aMOEL, name: "다우리포털", grade: 3, facility: fNIRS},
	{agency: aMOEL, name: "메일시스템", grade: 3, facility: fNIRS},
	{agency: aMOEL, name: "과태료관리시스템", grade: 3, facility: fNIRS},
	{agency: aMOEL, name: "1350 홈페이지", grade: 3, facility: fCallCentre, noRedundancy: true,
		note: "고객상담센터: 이중화, 예비장비, 재해복구센터 모두 미구축 (참고 4)"},
	{agency: aMOEL, name: "퇴직연금취급실적관리시스템", grade: 4, facility: fNIRS},
	{agency: aMOEL, name: "지역고용정보네트워크", grade: 4, facility: fKEISDC},
	{agency: aNLRC, name: "노사마루", grade: 4, facility: fNIRS,
		note: "등급 상향 추진: 4→2등급 (1-1 등급 조정); 노동위원회: 재해복구 및 비상대응 모의훈련 미실시(훈련계획 없음) (참고 4)"},
	{agency: aMWC, name: "최저임금위원회 홈페이지", grade: 4, facility: fNIRS},

	// 근로복지공단: 1등급 4, 2등급 6, 3등급 3 named of 12, 미부여 1.
	{agency: aCOMWEL, name: "가입부과 신정보시스템", grade: 1, facility: fCOMWELSouth, critical: "고용·산재보험 가입·보험료 부과"},
	{agency: aCOMWEL, name: "고용·산재보험 토탈서비스", grade: 1, facility: fCOMWELSouth, critical: "고용·산재보험 신고·신청 민원",
		note:     "재해복구시스템 없음 (I-1 서면조사)",
		fallback: "지사 창구·우편·팩스로 신고서·신청서를 접수하고, 복구 후 입력"},
	{agency: aCOMWEL, name: "노동보험시스템", grade: 1, facility: fCOMWELSouth},
	{agency: aCOMWEL, name: "산재보험 진료비 약제비 EDI", grade: 1, facility: fCOMWELSouth, critical: "산재보험급여 신청(진료비·약제비 청구)",
		note:   "등급 하향 검토: 산재보험급여 신청을 위한 시스템으로 전체 국민 대상으로 보기 어려움 (1-1 등급 조정)",
		target: &target{rto: 8 * 60, rpo: 24 * 60}},
	{agency: aCOMWEL, name: "근로복지넷", grade: 2, facility: fCOMWELSouth},
	{agency: aCOMWEL, name: "근로복지서비스", grade: 2, facility: fCOMWELSouth},
	{agency: aCOMWEL, name: "중소퇴직기금 통합플랫폼 기금RK", grade: 2, facility: fCOMWELSouth},
	{agency: aCOMWEL, name: "중소퇴직기금 통합플랫폼 비대면채널", grade: 2, facility: fNHN},
	{agency: aCOMWEL, name: "통합의료정보시스템(EMR)", grade: 2, facility: fCOMWELSouth},
	{agency: aCOMWEL, name: "퇴직연금홈페이지", grade: 2, facility: fCOMWELSouth},
	{agency: aCOMWEL, name: "대표홈페이지", grade: 3, facility: fCOMWELHQ},
	{agency: aCOMWEL, name: "퇴직연금기록관리시스템", grade: 3, facility: fCOMWELHQ},
	{agency: aCOMWEL, name: "통합재정정보시스템", grade: 3, facility: fCOMWELHQ},
	{agency: aCOMWEL, name: "개인정보운영지원시스템", grade: gradeNone, facility: fCOMWELHQ},

	// 한국산업안전보건공단: all 43 in 본부 4층.
	{agency: aKOSHA, name: "K2B 시스템", grade: 2, facility: fKOSHAHQ},
	{agency: aKOSHA, name: "산재예방정보시스템", grade: 2, facility: fKOSHAHQ},
	{agency: aKOSHA, name: "대표홈페이지", grade: 3, facility: fKOSHAHQ},
	{agency: aKOSHA, name: "산재예방 빅데이터 플랫폼", grade: 3, facility: fKOSHAHQ},
	{agency: aKOSHA, name: "안전보건교육포털", grade: 3, facility: fKOSHAHQ},
	{agency: aKOSHA, name: "물질안전보건자료시스템", grade: 4, facility: fKOSHAHQ},
	{agency: aKOSHA, name: "위험성평가 시스템", grade: 4, facility: fKOSHAHQ},
	{agency: aKOSHA, name: "산업안전포털", grade: gradeNone, facility: fKOSHAHQ},
	{agency: aKOSHA, name: "건설현장종합정보시스템", grade: gradeNone, facility: fKOSHAHQ},

	// 한국산업인력공단: named systems in 본부 3층.
	{agency: aHRDK, name: "Q-Net", grade: 1, facility: fHRDKHQ, critical: "국가기술자격 시험 접수·합격자 발표",
		note:     "자격정보시스템 DR 구축 검토(잠정 700억) (참고 2)",
		fallback: "접수 기간 연장을 공지하고 지부·지사 방문 접수를 받아 복구 후 입력"},
	{agency: aHRDK, name: "고용허가제통합정보망", grade: 2, facility: fHRDKHQ},
	{agency: aHRDK, name: "CQ-Net", grade: 2, facility: fHRDKHQ},
	{agency: aHRDK, name: "월드잡플러스시스템", grade: 2, facility: fHRDKHQ},
	{agency: aHRDK, name: "출제정보시스템", grade: 2, facility: fHRDKHQ},
	{agency: aHRDK, name: "대표홈페이지", grade: 3, facility: fHRDKHQ},
	{agency: aHRDK, name: "자격CBT시스템", grade: 3, facility: fHRDKHQ},
	{agency: aHRDK, name: "국가직무능력표준시스템", grade: 3, facility: fHRDKHQ},

	// 한국장애인고용공단: its grade-1/2 systems have no redundancy (참고 4).
	{agency: aKEAD, name: "장애인고용업무시스템", grade: 1, facility: fKEADHQ, noRedundancy: true,
		critical: "장애인고용공단 업무처리를 위한 내부 시스템(직원용)",
		note:     "등급 하향 검토: 장애인고용공단 업무처리를 위한 내부 시스템(직원용) (1-1 등급 조정)"},
	{agency: aKEAD, name: "장애인직업능력평가포털", grade: 2, facility: fKEADHQ, noRedundancy: true},
	{agency: aKEAD, name: "대표홈페이지", grade: 3, facility: fKEADHQ},
	{agency: aKEAD, name: "직장내 장애인 인식개선 교육시스템", grade: 3, facility: fNHN},

	// 한국고용정보원: all 24 in its data centre.
	{agency: aKEIS, name: "고용24", grade: 1, facility: fKEISDC, critical: "실업급여 신청, 구인·구직, 직업훈련 신청",
		note:     "1등급 시스템 중 유일하게 재해복구 도입, 하지만 재난시 전체 서비스 대체 어려움 (I-1 서면조사)",
		fallback: "고용센터 창구에서 신청서를 수기 접수하고, 전산 복구 후 입력"},
	{agency: aKEIS, name: "고용보험시스템", grade: 2, facility: fKEISDC, critical: "고용보험 피보험자 관리, 실업급여 지급",
		fallback: "실업급여 신청은 수기 접수 후 전산 복구 뒤 처리"},
	{agency: aKEIS, name: "바로원시스템", grade: 2, facility: fKEISDC},
	{agency: aKEIS, name: "외국인고용관리시스템", grade: 2, facility: fKEISDC},
	{agency: aKEIS, name: "워크넷", grade: 2, facility: fKEISDC, critical: "구인·구직 정보 제공과 취업 알선"},
	{agency: aKEIS, name: "일자리사업통합정보시스템", grade: 2, facility: fKEISDC},
	{agency: aKEIS, name: "직업능력개발정보망", grade: 2, facility: fKEISDC},
	{agency: aKEIS, name: "취업지원전산망", grade: 2, facility: fKEISDC,
		note: "취업지원전산망 전 구간 이중화를 위한 스토리지 증설 26.8억 요구 (참고 2)"},
	{agency: aKEIS, name: "고용복지+센터 업무시스템", grade: 3, facility: fKEISDC},
	{agency: aKEIS, name: "데이터관리포털", grade: 3, facility: fKEISDC},
	{agency: aKEIS, name: "그룹웨어", grade: 3, facility: fKEISDC},
	{agency: aKEIS, name: "임금직업정보시스템", grade: gradeNone, facility: fKEISDC},
	{agency: aKEIS, name: "청년 일경험 통합플랫폼", grade: gradeNone, facility: fKEISDC},

	// 한국폴리텍대학: private facilities only.
	{agency: aKOPO, name: "통합포털종합정보시스템", grade: 2, facility: fLGU},
	{agency: aKOPO, name: "대표홈페이지", grade: 3, facility: fKT},
	{agency: aKOPO, name: "통합입시 홈페이지", grade: 3, facility: fKT},

	// 한국기술교육대학교: all 27 in 다산정보관.
	{agency: aKOREATECH, name: "대표홈페이지", grade: 3, facility: fDasan},
	{agency: aKOREATECH, name: "종합정보시스템(학사행정)", grade: 3, facility: fDasan},
	{agency: aKOREATECH, name: "STEP", grade: 3, facility: fDasan},
	{agency: aKOREATECH, name: "K-LXP 학생 맞춤형 성장지원 시스템", grade: gradeNone, facility: fDasan},
	{agency: aKOREATECH, name: "K-디지털 트레이닝 심사·평가 관리 시스템", grade: gradeNone, facility: fDasan},

	{agency: aNOSA, name: "통합정보시스템", grade: 3, facility: fLGU},
	{agency: aNOSA, name: "워크인코리아", grade: 3, facility: fLGU},

	// "하나로서서비스" is spelled as the plan prints it.
	{agency: aCWMA, name: "대표홈페이지", grade: 3, facility: fLGU},
	{agency: aCWMA, name: "하나로서서비스", grade: 3, facility: fLGU},
	{agency: aCWMA, name: "건설기능플러스", grade: 4, facility: fLGU},
	{agency: aCWMA, name: "건설일드림넷", grade: 4, facility: fLGU},

	{agency: aSEPA, name: "대표홈페이지", grade: 3, facility: fNHN},
	{agency: aSEPA, name: "판로플랫폼", grade: gradeNone, facility: fNHN},

	{agency: aJOBWORLD, name: "대표홈페이지", grade: 3, facility: fNHN},

	{agency: aKELI, name: "대표홈페이지", grade: 3, facility: fKELI},
}

// Offsite (소산) methods, as the inventory names them.
const (
	offsiteOther       = "other"
	offsiteReplication = "replication"
	offsiteTapeStaff   = "tape_staff"
)

// drRule gives disaster recovery to the n strongest surveyed systems of an
// agency that run in facility (any, when empty) with one of grades (any,
// when empty).
type drRule struct {
	facility    string
	grades      []int
	n           int
	performance string
	// drFacility is the DR site when it is one of the 18 facilities;
	// otherwise note says where it is.
	drFacility string
	note       string
}

// surveyProfile is how an agency's surveyed systems answered the written
// survey (I-1). Counts are of surveyed systems; "weakest" means the lowest
// grade first (미부여, 4, 3, …), generic before named (rules.go).
type surveyProfile struct {
	noManual     int // the weakest n have no manual
	noRedundancy int // the forced ones (noRedundancy) and then the weakest
	noBackup     int // the weakest n are not backed up
	noOffsite    int // the weakest n have no offsite copy (≥ noBackup)
	offsite      string
	dr           []drRule
}

// surveyProfiles add up, over the 197 surveyed systems, to I-1's figures:
// manuals 188, redundancy 122, DR 27 (13 similar), backup 183, offsite 127.
// Each line follows what 참고 4 says of the agency; the counts themselves
// are our assumption where the plan gives only the ministry's totals.
var surveyProfiles = map[string]surveyProfile{
	// NIRS systems have no DR (the fire stopped all 17).
	aMOEL: {noRedundancy: 9, noOffsite: 4, offsite: offsiteOther},
	// 재해복구센터 구축 중; meanwhile 본부 systems are copied to 서울남부지사.
	aCOMWEL: {noRedundancy: 12, noOffsite: 6, offsite: offsiteReplication, dr: []drRule{{
		facility: fCOMWELHQ, grades: []int{3}, n: 6, performance: "partial", drFacility: fCOMWELSouth,
		note: "서울남부지사 2층 전산실로 복제(주센터 대비 일부 성능); 재해복구센터 구축 사업 추진 중('27.1월 운영 예정)",
	}}},
	// All servers in one zone: no DR; 15 ungraded systems, 13 not reported.
	aKOSHA: {noRedundancy: 12, noOffsite: 10, offsite: offsiteOther},
	// 다산정보관 → 실학관, which runs no primary system.
	aKOREATECH: {noRedundancy: 10, noBackup: 6, noOffsite: 6, offsite: offsiteReplication, dr: []drRule{{
		facility: fDasan, n: 7, performance: "similar", drFacility: fSilhak,
		note: "능력개발교육원 실학관으로 복제",
	}}},
	// DR exists but cannot carry the service; offsite by tape, some systems only.
	aKEIS: {noRedundancy: 4, noOffsite: 14, offsite: offsiteTapeStaff, dr: []drRule{{
		grades: []int{1, 2}, n: 8, performance: "partial",
		note: "고용정보원 재해복구센터(18개 시설 밖, 위치 미기재): 주센터 대비 네트워크, 서버, 연계망 부재 등 한계로 재난시 대국민 서비스 중단 우려 (참고 4)",
	}}},
	aHRDK: {noRedundancy: 5, noOffsite: 4, offsite: offsiteOther},
	// 8 IT staff for the whole college (참고 4).
	aKOPO: {noManual: 3, noRedundancy: 3, noBackup: 3, noOffsite: 4, offsite: offsiteOther},
	// Backs up but keeps no offsite copy; no redundancy even for grade 1/2.
	aKEAD: {noRedundancy: 8, noOffsite: 8},
	aNOSA: {noManual: 1, noRedundancy: 3, noBackup: 1, noOffsite: 3, offsite: offsiteOther},
	aCWMA: {offsite: offsiteReplication, dr: []drRule{{
		n: 6, performance: "similar",
		note: "LG U+ 위탁 계약의 원격지 재해복구(18개 시설 밖) — 표본 가정",
	}}},
	aSEPA:     {noRedundancy: 2, noBackup: 2, noOffsite: 3, offsite: offsiteOther},
	aJOBWORLD: {noManual: 3, noRedundancy: 2, noBackup: 2, noOffsite: 3},
	// UPS lasts 10 minutes, weak redundancy, no offsite.
	aKELI: {noRedundancy: 2, noOffsite: 2},
	aNLRC: {noRedundancy: 1, noOffsite: 1},
	aMWC:  {noManual: 1, noRedundancy: 1, noOffsite: 1},
	aIACI: {noManual: 1, noRedundancy: 1, noOffsite: 1},
}

// Headline survey figures (I-1 서면조사), with the percentages as printed.
var surveyFigures = []struct {
	metric string
	value  float64
	note   string
}{
	{"surveyed", 197, "197개 시스템, 17개 시설에 대해 조사 실시 (일부 시스템·시설 미보고)"},
	{"survey_manual", 188, "95.4%; 178개 시스템은 1년 이내 점검·훈련 실시"},
	{"survey_redundancy", 122, "61.9%"},
	{"survey_dr", 27, "13.7%; 1등급 7개 중 고용24만 도입"},
	{"survey_dr_similar", 13, "주센터와 유사한 성능"},
	{"survey_backup", 183, "92.8%"},
	{"survey_offsite", 127, "64.5%"},
}
