package sampledata

import "yeonsok/internal/inventory"

// systemRef names a system by its agency and name.
type systemRef struct{ agency, name string }

// serviceRow is a function people depend on. The plan names no services;
// these are the ones its text and the 2.5-hour outage report
// (seeds/002_5c327f3807781f4d.txt) point to. Their MTPD and targets are
// sample values and the records are marked as samples.
type serviceRow struct {
	agency, name, audience, description string
	mtpd, rto, rpo                      inventory.Minutes
	workaround                          string
	systems                             []systemRef
}

var serviceTable = []serviceRow{
	{agency: aMOEL, name: "실업급여 신청", audience: "public",
		description: "고용센터와 고용24에서 받는 실업급여 신청·인정. 2시간 반 장애(09:15~11:57) 때 수기 접수로 넘어감",
		mtpd:        inventory.Hours(8), rto: inventory.Hours(2), rpo: inventory.Hours(1),
		workaround: "고용센터 창구에서 실업급여 신청을 수기 접수하고, 전산 복구 후 고용보험시스템에 입력",
		systems:    []systemRef{{aKEIS, "고용24"}, {aKEIS, "고용보험시스템"}}},
	{agency: aKEIS, name: "구인·구직", audience: "public",
		description: "구인 등록, 구직 신청, 취업 알선",
		mtpd:        inventory.Hours(24), rto: inventory.Hours(3), rpo: inventory.Hours(4),
		workaround: "고용센터 창구·전화로 구인·구직 신청을 받아 두고, 복구 후 워크넷에 등록",
		systems:    []systemRef{{aKEIS, "워크넷"}, {aKEIS, "고용24"}}},
	{agency: aCOMWEL, name: "산재보험 급여 신청", audience: "public",
		description: "요양·휴업급여 등 산재보험 급여 신청과 의료기관의 진료비·약제비 청구",
		mtpd:        inventory.Hours(24), rto: inventory.Hours(2), rpo: inventory.Hours(1),
		workaround: "지사 창구·우편·팩스로 급여 신청서를 접수하고, 진료비·약제비 청구는 복구 후 EDI로 다시 받음",
		systems:    []systemRef{{aCOMWEL, "고용·산재보험 토탈서비스"}, {aCOMWEL, "산재보험 진료비 약제비 EDI"}}},
	{agency: aCOMWEL, name: "고용·산재보험 가입·부과", audience: "public",
		description: "사업장 성립 신고, 피보험자 신고, 보험료 부과",
		mtpd:        inventory.Hours(72), rto: inventory.Hours(2), rpo: inventory.Hours(1),
		workaround: "신고서를 서면·팩스로 접수하고, 복구 후 가입부과 신정보시스템에 입력",
		systems:    []systemRef{{aCOMWEL, "가입부과 신정보시스템"}, {aCOMWEL, "고용·산재보험 토탈서비스"}}},
	{agency: aHRDK, name: "국가기술자격 시험 접수", audience: "public",
		description: "국가기술자격 시험 원서 접수와 수험표 발급",
		mtpd:        inventory.Hours(8), rto: inventory.Hours(2), rpo: inventory.Hours(1),
		workaround: "접수 기간 연장을 공지하고, 지부·지사 방문 접수를 받아 복구 후 Q-Net에 입력",
		systems:    []systemRef{{aHRDK, "Q-Net"}}},
	{agency: aMOEL, name: "근로감독·신고사건 처리", audience: "internal",
		description: "지방관서 근로감독관의 사건 접수·처리",
		mtpd:        inventory.Hours(72), rto: inventory.Hours(3), rpo: inventory.Hours(4),
		workaround: "지방관서에서 사건을 서면으로 접수·기록하고, 복구 후 노사누리에 등록",
		systems:    []systemRef{{aMOEL, "노사누리"}}},
}

// dependencyRow says that one system needs another. The plan names none;
// these are sample assumptions about well-known links.
type dependencyRow struct {
	from, to systemRef
	kind     string
	note     string
}

var dependencyTable = []dependencyRow{
	{systemRef{aKEIS, "워크넷"}, systemRef{aKEIS, "고용24"}, "auth", "고용24 통합 로그인으로 인증 (표본 가정)"},
	{systemRef{aKEIS, "직업능력개발정보망"}, systemRef{aKEIS, "고용24"}, "auth", "고용24 통합 로그인으로 인증 (표본 가정)"},
	{systemRef{aKEIS, "고용보험시스템"}, systemRef{aKEIS, "고용24"}, "interface", "고용24에서 받은 실업급여 신청을 넘겨받음 (표본 가정)"},
	{systemRef{aKEIS, "취업지원전산망"}, systemRef{aKEIS, "고용보험시스템"}, "interface", "구직자 피보험 이력 조회 (표본 가정)"},
	{systemRef{aKEIS, "외국인고용관리시스템"}, systemRef{aHRDK, "고용허가제통합정보망"}, "interface", "고용허가제 외국인력 정보 연계 (표본 가정)"},
	{systemRef{aCOMWEL, "고용·산재보험 토탈서비스"}, systemRef{aCOMWEL, "가입부과 신정보시스템"}, "database", "가입·부과 정보 조회 (표본 가정)"},
	{systemRef{aCOMWEL, "산재보험 진료비 약제비 EDI"}, systemRef{aCOMWEL, "노동보험시스템"}, "interface", "진료비·약제비 청구 자료 전송 (표본 가정)"},
}
