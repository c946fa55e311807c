package tasks

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/risk"
	"yeonsok/internal/scenario"
)

func mins(m inventory.Minutes) *inventory.Minutes { return &m }
func id(v int64) *int64                           { return &v }

// Facilities of the proposal tests: 1 and 3 in 대전, 2 in 서울.
var testFacilities = []*inventory.Facility{
	{ID: 1, Name: "국정자원 대전센터", Region: "대전"},
	{ID: 2, Name: "KT 목동", Region: "서울"},
	{ID: 3, Name: "대전 IDC", Region: "대전"},
}

// grade1 is a grade-1 system of agency 10 in facility 1 with every layer
// redundant, daily incremental backups, no DR, no offsite copy, and its
// disaster targets at the grade minimum (2 h / 1 h).
func grade1(change func(s *inventory.System)) *inventory.System {
	s := &inventory.System{ID: 7, AgencyID: 10, Name: "고용24", Grade: 1, PrimaryFacilityID: id(1),
		DRPerformance: inventory.DRNone, OffsiteMethod: inventory.No, OffsiteEvery: mins(0),
		BackupFullEvery: mins(10080), BackupIncrEvery: mins(1440),
		Redundancy:  map[string]string{"power": "yes", "network": "yes", "web": "yes", "was": "yes", "db": "yes", "storage": "yes"},
		RTODisaster: mins(120), RPODisaster: mins(60), OwnerPrimary: "김정보"}
	if change != nil {
		change(s)
	}
	return s
}

func input(systems []*inventory.System, services ...*inventory.Service) *Input {
	return NewInput(&inventory.Inventory{Facilities: testFacilities, Systems: systems, Services: services}, nil, 10)
}

// proposed lists proposals as "key template term".
func proposed(list []Proposal) string {
	var out []string
	for _, p := range list {
		out = append(out, p.Key+" "+p.Template+" "+p.Term)
	}
	return strings.Join(out, "\n")
}

// Each row of the package's gap table, and the rules that pick one
// proposal per measure across the disasters.
func TestGapProposals(t *testing.T) {
	scenarios := []struct {
		Name   string
		System *inventory.System
		Want   []string
	}{
		{"no DR, backups only in the facility: DR build and offsite copies", grade1(nil), []string{
			"gap_rto:system-7:facility_loss dr_build mid_long",
			"gap_rpo:system-7:facility_loss offsite_setup short",
		}},
		{"similar DR in another region with replication: only ransomware misses, its copy first", grade1(func(s *inventory.System) {
			s.DRFacilityID, s.DRPerformance, s.OffsiteMethod, s.OffsiteEvery = id(2), inventory.DRSimilar, "replication", nil
		}), []string{
			"gap_rpo:system-7:ransomware offline_copy short",
		}},
		{"similar DR in the same region: the regional disaster proposes a remote DR and copy", grade1(func(s *inventory.System) {
			s.DRFacilityID, s.DRPerformance, s.OffsiteMethod, s.OffsiteEvery = id(3), inventory.DRSimilar, "replication", nil
		}), []string{
			"gap_rto:system-7:regional dr_remote mid_long",
			"gap_rpo:system-7:regional offsite_remote short",
		}},
		{"partial DR elsewhere, weekly tapes: expand DR, shorten the offsite interval", grade1(func(s *inventory.System) {
			s.DRFacilityID, s.DRPerformance, s.OffsiteMethod, s.OffsiteEvery = id(2), inventory.DRPartial, "tape_courier", mins(10080)
		}), []string{
			"gap_rto:system-7:facility_loss dr_upgrade mid_long",
			"gap_rpo:system-7:facility_loss offsite_shorten short",
		}},
		{"similar DR elsewhere but a service needs 1 h: a switchover drill", grade1(func(s *inventory.System) {
			s.DRFacilityID, s.DRPerformance, s.OffsiteMethod, s.OffsiteEvery = id(2), inventory.DRSimilar, "replication", nil
			s.RTODisaster = mins(60)
		}), []string{
			"gap_rto:system-7:facility_loss dr_drill short",
			"gap_rpo:system-7:ransomware offline_copy short",
		}},
		{"DR in the primary facility counts as none", grade1(func(s *inventory.System) {
			s.DRFacilityID, s.DRPerformance, s.OffsiteMethod, s.OffsiteEvery = id(1), inventory.DRSimilar, "replication", nil
		}), []string{
			"gap_rto:system-7:facility_loss dr_build mid_long",
			"gap_rpo:system-7:regional offsite_remote short",
		}},
		{"offline tapes recent enough but a day to restore: a restore drill", grade1(func(s *inventory.System) {
			s.Grade, s.RTODisaster, s.RPODisaster = 4, mins(480), mins(4320)
			s.DRFacilityID, s.DRPerformance, s.OffsiteMethod, s.OffsiteEvery = id(2), inventory.DRSimilar, "tape_courier", mins(1440)
		}), []string{
			"gap_rto:system-7:ransomware restore_drill short",
		}},
		{"a layer not redundant and weekly backups against the SLA", grade1(func(s *inventory.System) {
			s.DRFacilityID, s.DRPerformance, s.OffsiteMethod, s.OffsiteEvery = id(2), inventory.DRSimilar, "tape_courier", mins(1440)
			s.RTODisaster, s.RPODisaster = mins(480), mins(4320)
			s.Redundancy["db"], s.BackupIncrEvery, s.RTOFailure, s.RPOFailure = inventory.No, nil, mins(60), mins(60)
		}), []string{
			"gap_rto:system-7:component redundancy mid_long",
			"gap_rpo:system-7:component backup_schedule short",
			"gap_rto:system-7:ransomware restore_drill short",
		}},
		{"estimates the records leave unknown propose nothing", grade1(func(s *inventory.System) {
			s.DRPerformance, s.OffsiteMethod, s.OffsiteEvery = inventory.Unknown, inventory.Unknown, nil
			s.Redundancy = nil
		}), nil},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			got := proposed(fromGaps(input([]*inventory.System{sc.System})))
			if want := strings.Join(sc.Want, "\n"); got != want {
				t.Errorf("proposals:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// The brief's example: a grade-1 system without DR elsewhere, missing its
// facility-loss RTO, proposes a mid/long-term DR build checked by a drill
// within 2 h; backups only in the facility propose short-term offsite
// copies within 1 h.
func TestGapProposalWords(t *testing.T) {
	list := Propose(input([]*inventory.System{grade1(nil)}))
	if len(list) != 2 {
		t.Fatalf("proposals: %s", proposed(list))
	}
	dr, offsite := list[0], list[1]
	for _, c := range []struct{ got, want string }{
		{dr.Title().In(locale.Korean), "고용24: 재해복구(DR) 구축"},
		{dr.Criterion.In(locale.Korean), "재해 시 RTO 2시간 이내 복구 훈련으로 확인"},
		{dr.Reasons[0].In(locale.Korean), "주 시설 상실 시 RTO 추정 복구 불가(무한), 목표 2시간(자체 목표)"},
		{offsite.Title().In(locale.Korean), "고용24: 소산 백업 주기 설정"},
		{offsite.Criterion.In(locale.Korean), "백업 사본을 주 시설 밖으로 1시간 이내 간격으로 소산, 소산 기록으로 확인"},
		{offsite.Criterion.In(locale.English), "Backup copies taken out of the primary facility at most 1 h apart, shown by offsite records"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if dr.Owner != "김정보" || len(dr.SystemIDs) != 1 || dr.SystemIDs[0] != 7 || len(dr.FacilityIDs) != 1 || dr.FacilityIDs[0] != 1 {
		t.Errorf("links: owner %q, systems %v, facilities %v", dr.Owner, dr.SystemIDs, dr.FacilityIDs)
	}
	if len(dr.Reasons) < 2 {
		t.Errorf("the estimate's own reasoning is missing: %v", dr.Reasons)
	}
}

func TestTargetProposals(t *testing.T) {
	service := &inventory.Service{ID: 5, AgencyID: 10, RTO: mins(60), SystemIDs: []int64{7}}
	scenarios := []struct {
		Name      string
		System    *inventory.System
		Services  []*inventory.Service
		Template  string
		Criterion string
		Reasons   []string
	}{
		{"targets within the minimum propose nothing", grade1(nil), nil, "", "", nil},
		{"missing targets: set them to the grade minimum", grade1(func(s *inventory.System) { s.RTODisaster, s.RPODisaster = nil, nil }), nil,
			TplTargetsSet, "재해 시 RTO 2시간, RPO 1시간 이내의 목표가 시스템 대장에 기록됨",
			[]string{"재해 시 RTO 목표가 없음", "재해 시 RPO 목표가 없음"}},
		{"looser than the minimum: align", grade1(func(s *inventory.System) { s.RPODisaster = mins(240) }), nil,
			TplTargetsAlign, "재해 시 RTO 2시간, RPO 1시간 이내의 목표가 시스템 대장에 기록됨",
			[]string{"재해 시 RPO 목표 4시간이(가) 등급별 최소기준 1시간보다 느슨함"}},
		{"looser than a supported service: the service's target is the bound", grade1(nil), []*inventory.Service{service},
			TplTargetsAlign, "재해 시 RTO 1시간, RPO 1시간 이내의 목표가 시스템 대장에 기록됨",
			[]string{"재해 시 RTO 목표 2시간이(가) 지원 서비스의 목표 1시간보다 느슨함"}},
		{"no grade, no targets: grade it and set targets", grade1(func(s *inventory.System) { s.Grade, s.RTODisaster, s.RPODisaster = 0, nil, nil }), nil,
			TplTargetsSet, "등급을 부여하고, 재해 시 RTO·RPO 목표를 등급별 최소기준 이내로 시스템 대장에 기록함",
			[]string{"재해 시 RTO 목표가 없음", "재해 시 RPO 목표가 없음"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			list := fromTargets(input([]*inventory.System{sc.System}, sc.Services...))
			if sc.Template == "" {
				if len(list) != 0 {
					t.Fatalf("proposals: %s", proposed(list))
				}
				return
			}
			if len(list) != 1 {
				t.Fatalf("want one proposal, got %s", proposed(list))
			}
			p := list[0]
			if p.Key != "targets:system-7" || p.Template != sc.Template || p.Term != TermShort || p.Source != SourceTargets {
				t.Errorf("proposal %s %s %s %s", p.Key, p.Template, p.Term, p.Source)
			}
			if got := p.Criterion.In(locale.Korean); got != sc.Criterion {
				t.Errorf("criterion %q, want %q", got, sc.Criterion)
			}
			var reasons []string
			for _, r := range p.Reasons {
				reasons = append(reasons, r.In(locale.Korean))
			}
			if strings.Join(reasons, "|") != strings.Join(sc.Reasons, "|") {
				t.Errorf("reasons %q, want %q", reasons, sc.Reasons)
			}
		})
	}
}

// A fingerprint moves with the facts a proposal rests on, and only with
// them: a dismissed proposal comes back when its target or the DR it
// measures changes, not when an unrelated field does.
func TestFingerprint(t *testing.T) {
	fp := func(s *inventory.System, key string) string {
		for _, p := range Propose(input([]*inventory.System{s})) {
			if p.Key == key {
				return p.Fingerprint
			}
		}
		t.Fatalf("no proposal %s", key)
		return ""
	}
	const dr, offsite = "gap_rto:system-7:facility_loss", "gap_rpo:system-7:facility_loss"
	weekly := func(change func(s *inventory.System)) *inventory.System {
		return grade1(func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery = "tape_staff", mins(10080)
			if change != nil {
				change(s)
			}
		})
	}
	base := fp(weekly(nil), dr)
	scenarios := []struct {
		Name   string
		System *inventory.System
		Key    string
		Moves  bool
	}{
		{"the same facts", weekly(nil), dr, false},
		{"another description and owner", weekly(func(s *inventory.System) { s.Description, s.OwnerPrimary = "설명", "이담당" }), dr, false},
		{"a shorter offsite interval does not move the DR proposal", weekly(func(s *inventory.System) { s.OffsiteEvery = mins(1440) }), dr, false},
		{"a new RTO target", weekly(func(s *inventory.System) { s.RTODisaster = mins(90) }), dr, true},
		{"a DR site declared, partial", weekly(func(s *inventory.System) { s.DRFacilityID, s.DRPerformance = id(2), inventory.DRPartial }), dr, true},
		{"no copy outside any more: the estimate itself moves", weekly(func(s *inventory.System) { s.OffsiteMethod = inventory.No }), dr, true},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			if got := fp(sc.System, sc.Key); (got != base) != sc.Moves {
				t.Errorf("fingerprint %s against %s: moved %v, want %v", got, base, got != base, sc.Moves)
			}
		})
	}
	if fp(weekly(nil), offsite) == fp(weekly(func(s *inventory.System) { s.OffsiteEvery = mins(1440) }), offsite) {
		t.Error("the offsite proposal's fingerprint did not move with the offsite schedule")
	}
}

func TestDecide(t *testing.T) {
	all := []Proposal{{Key: "a", Fingerprint: "1"}, {Key: "b", Fingerprint: "1"}, {Key: "c", Fingerprint: "2"}, {Key: "d", Fingerprint: "1"}}
	tasks := []*Task{{ProposalKey: "a"}, {ProposalKey: ""}}
	dismissals := []*Dismissal{{ProposalKey: "b", Fingerprint: "1", Reason: "예산 없음"}, {ProposalKey: "c", Fingerprint: "1", Reason: "이전 사실"}}
	open, dismissed := Decide(all, tasks, dismissals)
	keys := func(list []Proposal) string {
		var out []string
		for _, p := range list {
			out = append(out, p.Key)
		}
		return strings.Join(out, ",")
	}
	if keys(open) != "c,d" || keys(dismissed) != "b" {
		t.Fatalf("open %s, dismissed %s; want c,d and b", keys(open), keys(dismissed))
	}
	if open[0].Dismissal == nil || open[0].Dismissal.Reason != "이전 사실" || open[1].Dismissal != nil {
		t.Errorf("a proposal that came back keeps its old dismissal, others none: %+v %+v", open[0].Dismissal, open[1].Dismissal)
	}
	if dismissed[0].Dismissal == nil || dismissed[0].Dismissal.Reason != "예산 없음" {
		t.Errorf("dismissed proposal without its dismissal")
	}
}

// Grade-1 systems come first, systems without a grade last; each system's
// proposals keep the sources' order (targets before gaps).
func TestProposeOrder(t *testing.T) {
	ungraded := grade1(func(s *inventory.System) {
		s.ID, s.Name, s.Grade, s.RTODisaster, s.RPODisaster = 1, "미부여", 0, nil, nil
	})
	grade3 := grade1(func(s *inventory.System) { s.ID, s.Name, s.Grade, s.RTODisaster = 2, "3등급", 3, nil })
	first := grade1(func(s *inventory.System) { s.ID, s.RTODisaster = 3, nil })
	var got []string
	for _, p := range Propose(input([]*inventory.System{ungraded, grade3, first})) {
		got = append(got, p.Key)
	}
	want := []string{
		"targets:system-3", "gap_rto:system-3:facility_loss", "gap_rpo:system-3:facility_loss",
		"targets:system-2", "gap_rto:system-2:facility_loss", "gap_rpo:system-2:facility_loss",
		"targets:system-1",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("order:\n%v\nwant\n%v", got, want)
	}
}

func TestSuggest(t *testing.T) {
	p := Propose(input([]*inventory.System{grade1(nil)}))[0]
	today := time.Date(2025, 10, 1, 9, 0, 0, 0, locale.KST)
	task := p.Suggest(locale.Korean, today)
	if task.Title != "고용24: 재해복구(DR) 구축" || task.Term != TermMidLong || task.Due != "2026-12-31" || task.Status != StatusPlanned ||
		task.Owner != "김정보" || task.ProposalKey != p.Key || task.Template != TplDRBuild || task.AgencyID != 10 {
		t.Errorf("suggested task: %+v", task)
	}
	if !strings.Contains(task.Description, "제안 근거:\n- 주 시설 상실 시 RTO 추정") {
		t.Errorf("description does not say why:\n%s", task.Description)
	}
	if err := task.Validate().Err(); err != nil {
		t.Errorf("a suggested task must be valid as it is: %v", err)
	}
}

// Every template has its words, and every template a proposal can name
// has the criterion it fills in.
func TestTemplateWords(t *testing.T) {
	for _, tpl := range Templates {
		for _, key := range []string{tpl.TitleKey(), tpl.DescriptionKey(), tpl.CriterionKey()} {
			if !locale.Has(key) {
				t.Errorf("%s: no %s", tpl.Key, key)
			}
		}
		if tpl.Term != TermShort && tpl.Term != TermMidLong {
			t.Errorf("%s: term %q", tpl.Key, tpl.Term)
		}
	}
	for _, key := range []string{TplBackupSchedule, TplOffsiteSetup, TplOffsiteShorten, TplOffsiteRemote, TplOfflineCopy,
		TplRestoreDrill, TplDRDrill, TplDRBuild, TplDRUpgrade, TplDRRemote, TplRedundancy} {
		if _, ok := TemplateByKey(key); !ok || !locale.Has("tasks.proposal.criterion."+key) {
			t.Errorf("proposal template %s has no template or criterion", key)
		}
	}
	for _, source := range []string{scenario.TargetOwn, scenario.TargetService, scenario.TargetMinimum} {
		if !locale.Has("tasks.target_source." + source) {
			t.Errorf("no words for target source %s", source)
		}
	}
}

// ups is a risk entry of agency 10: an ageing UPS in facility 1, high
// after controls (4 × 4), owned by 박시설.
func ups(change func(e *risk.Entry)) *risk.Entry {
	e := &risk.Entry{ID: 31, AgencyID: 10, FacilityID: id(1), SubKind: "equipment", Title: "UPS 노후화(2014년)",
		Likelihood: 4, Impact: 4, Status: risk.StatusOpen, Owner: "박시설"}
	if change != nil {
		change(e)
	}
	e.Normalize()
	return e
}

func riskInput(systems []*inventory.System, entries ...*risk.Entry) *Input {
	return NewInput(&inventory.Inventory{Facilities: testFacilities, Systems: systems}, entries, 10)
}

// Each sub-kind of a high risk proposes its template with the template's
// term; a risk its controls bring below high, a closed one and another
// agency's propose nothing.
func TestRiskProposals(t *testing.T) {
	scenarios := []struct {
		Name  string
		Entry *risk.Entry
		Want  string // "key template term", or "" for no proposal
	}{
		{"disaster", ups(func(e *risk.Entry) { e.SubKind = "disaster" }), "risk:risk-31 facility_upgrade mid_long"},
		{"building", ups(func(e *risk.Entry) { e.SubKind = "building" }), "risk:risk-31 facility_upgrade mid_long"},
		{"equipment", ups(nil), "risk:risk-31 facility_upgrade mid_long"},
		{"intrusion", ups(func(e *risk.Entry) { e.SubKind = "intrusion" }), "risk:risk-31 access_control short"},
		{"tech_error", ups(func(e *risk.Entry) { e.SubKind = "tech_error" }), "risk:risk-31 security_patch short"},
		{"hacking", ups(func(e *risk.Entry) { e.SubKind = "hacking" }), "risk:risk-31 inactive_accounts short"},
		{"manual_gaps", ups(func(e *risk.Entry) { e.SubKind = "manual_gaps" }), "risk:risk-31 manual_update short"},
		{"noncompliance", ups(func(e *risk.Entry) { e.SubKind = "noncompliance" }), "risk:risk-31 backup_schedule short"},
		{"negligence", ups(func(e *risk.Entry) { e.SubKind = "negligence" }), "risk:risk-31 drill short"},
		{"critical counts as high", ups(func(e *risk.Entry) { e.Likelihood, e.Impact = 5, 5 }), "risk:risk-31 facility_upgrade mid_long"},
		{"being treated still counts", ups(func(e *risk.Entry) { e.Status = risk.StatusMitigating }), "risk:risk-31 facility_upgrade mid_long"},
		{"controls bring it to medium", ups(func(e *risk.Entry) { e.ResidualLikelihood = 2 }), ""},
		{"high before controls only", ups(func(e *risk.Entry) { e.ResidualLikelihood, e.ResidualImpact = 3, 3 }), ""},
		{"closed", ups(func(e *risk.Entry) { e.Status = risk.StatusClosed }), ""},
		{"another agency's", ups(func(e *risk.Entry) { e.AgencyID = 11 }), ""},
		{"a sub-kind without a template", ups(func(e *risk.Entry) { e.SubKind = "meteor" }), ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			if got := proposed(fromRisks(riskInput(nil, sc.Entry))); got != sc.Want {
				t.Errorf("proposals %q, want %q", got, sc.Want)
			}
		})
	}
}

// A risk proposal links the risk and what it is on where the agency may
// name it, falls to the risk's owner (else the system's), and says why in
// words: the risk, its rating after controls, the controls in place.
func TestRiskProposalLinksAndWords(t *testing.T) {
	system := grade1(func(s *inventory.System) {
		s.DRFacilityID, s.DRPerformance, s.OffsiteMethod, s.OffsiteEvery = id(2), inventory.DRSimilar, "replication", nil
	})
	scenarios := []struct {
		Name                  string
		Entry                 *risk.Entry
		Systems, Facilities   string
		Grade                 int
		Owner, Title, Reasons string
	}{
		{"on a facility", ups(nil), "[]", "[1]", 0, "박시설", "UPS 노후화(2014년): 전산시설 환경 개선",
			"시설·설비 장애 위험요인 'UPS 노후화(2014년)'의 통제 후 위험도 높음(가능성 4 × 영향 4 = 16)"},
		{"on a system, no owner of its own", ups(func(e *risk.Entry) {
			e.FacilityID, e.SystemID, e.Owner, e.SubKind, e.Title = nil, id(7), "", "hacking", "관리자 계정 비밀번호 공유"
		}), "[7]", "[]", 1, "김정보", "관리자 계정 비밀번호 공유: 비활성화 계정 관리",
			"해킹 위험요인 '관리자 계정 비밀번호 공유'의 통제 후 위험도 높음(가능성 4 × 영향 4 = 16)"},
		{"on a facility the agency runs nothing in, with controls", ups(func(e *risk.Entry) {
			e.FacilityID, e.Likelihood, e.Impact, e.Controls = id(9), 5, 4, "배터리 화재용 소화기 비치"
		}), "[]", "[]", 0, "박시설", "UPS 노후화(2014년): 전산시설 환경 개선",
			"시설·설비 장애 위험요인 'UPS 노후화(2014년)'의 통제 후 위험도 매우 높음(가능성 5 × 영향 4 = 20)|현재 통제: 배터리 화재용 소화기 비치"},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			list := fromRisks(riskInput([]*inventory.System{system}, sc.Entry))
			if len(list) != 1 {
				t.Fatalf("proposals: %s", proposed(list))
			}
			p := list[0]
			var reasons []string
			for _, r := range p.Reasons {
				reasons = append(reasons, r.In(locale.Korean))
			}
			if got := fmt.Sprint(p.SystemIDs); got != sc.Systems {
				t.Errorf("systems %s, want %s", got, sc.Systems)
			}
			if got := fmt.Sprint(p.FacilityIDs); got != sc.Facilities {
				t.Errorf("facilities %s, want %s", got, sc.Facilities)
			}
			if fmt.Sprint(p.RiskIDs) != "[31]" || p.Source != SourceRisk || p.Grade != sc.Grade || p.Owner != sc.Owner {
				t.Errorf("risks %v, source %s, grade %d, owner %q", p.RiskIDs, p.Source, p.Grade, p.Owner)
			}
			if got := p.Title().In(locale.Korean); got != sc.Title {
				t.Errorf("title %q, want %q", got, sc.Title)
			}
			if got := strings.Join(reasons, "|"); got != sc.Reasons {
				t.Errorf("reasons %q, want %q", got, sc.Reasons)
			}
			task := p.Suggest(locale.Korean, time.Date(2025, 10, 1, 9, 0, 0, 0, locale.KST))
			if fmt.Sprint(task.RiskIDs) != "[31]" || task.ProposalKey != "risk:risk-31" {
				t.Errorf("suggested task: %+v", task)
			}
			if err := task.Validate().Err(); err != nil {
				t.Errorf("a suggested task must be valid as it is: %v", err)
			}
		})
	}
	p := fromRisks(riskInput(nil, ups(nil)))[0]
	if got, want := p.Criterion.In(locale.Korean), "현장조사 체크리스트의 미충족 항목 해소; 재평가에서 'UPS 노후화(2014년)'의 통제 후 위험도 보통 이하"; got != want {
		t.Errorf("criterion %q, want %q", got, want)
	}
	// Proposals about a system come with the system's; one on a facility
	// only after every system's.
	var keys []string
	for _, p := range Propose(riskInput([]*inventory.System{system}, ups(nil), ups(func(e *risk.Entry) { e.ID, e.SystemID = 32, id(7) }))) {
		keys = append(keys, p.Key)
	}
	if got, want := strings.Join(keys, " "), "gap_rpo:system-7:ransomware risk:risk-32 risk:risk-31"; got != want {
		t.Errorf("order %q, want %q", got, want)
	}
}

// A risk proposal's fingerprint moves with the facts it rests on — the
// sub-kind, the rating after controls, the status, the system and the
// facility — and not with the words around them.
func TestRiskFingerprint(t *testing.T) {
	fp := func(e *risk.Entry) string {
		list := fromRisks(riskInput(nil, e))
		if len(list) != 1 {
			t.Fatalf("proposals: %s", proposed(list))
		}
		return list[0].Fingerprint
	}
	base := fp(ups(nil))
	scenarios := []struct {
		Name  string
		Entry *risk.Entry
		Moves bool
	}{
		{"the same facts", ups(nil), false},
		{"another title, description, controls and owner", ups(func(e *risk.Entry) {
			e.Title, e.Description, e.Controls, e.Owner = "UPS 교체 필요", "설명", "점검 강화", "이담당"
		}), false},
		{"a higher rating before controls, the same after", ups(func(e *risk.Entry) { e.Likelihood, e.ResidualLikelihood = 5, 4 }), false},
		{"residual likelihood", ups(func(e *risk.Entry) { e.Likelihood, e.ResidualLikelihood = 5, 5 }), true},
		{"residual impact", ups(func(e *risk.Entry) { e.Impact, e.ResidualImpact = 5, 5 }), true},
		{"status", ups(func(e *risk.Entry) { e.Status = risk.StatusAccepted }), true},
		{"sub-kind", ups(func(e *risk.Entry) { e.SubKind = "disaster" }), true},
		{"facility", ups(func(e *risk.Entry) { e.FacilityID = id(2) }), true},
		{"system", ups(func(e *risk.Entry) { e.SystemID = id(7) }), true},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			if got := fp(sc.Entry); (got != base) != sc.Moves {
				t.Errorf("fingerprint %s against %s: moved %v, want %v", got, base, got != base, sc.Moves)
			}
		})
	}
}

// A gap whose estimate is only a lower bound says so ("3일 이상"), and the
// bound's being one is among the facts of its fingerprint.
func TestGapAtLeast(t *testing.T) {
	// Similar DR at 대전 IDC, in the primary's region; tapes carried out
	// to a place the records do not give. A regional disaster takes the DR
	// site, and the rebuild from tape is at least 3 days — if the tape
	// survived.
	s := grade1(func(s *inventory.System) {
		s.DRFacilityID, s.DRPerformance, s.OffsiteMethod, s.OffsiteEvery = id(3), inventory.DRSimilar, "tape_courier", mins(60)
	})
	in := input([]*inventory.System{s})
	var regional *Proposal
	list := fromGaps(in)
	for i, p := range list {
		if p.Key == "gap_rto:system-7:regional" {
			regional = &list[i]
		}
	}
	if regional == nil {
		t.Fatalf("no regional RTO proposal: %s", proposed(list))
	}
	if got, want := regional.Reasons[0].In(locale.Korean), "광역 재난 시 RTO 추정 3일 이상, 목표 2시간(자체 목표)"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
	if got, want := regional.Reasons[0].In(locale.English), "Regional disaster: RTO estimated at least 3 d, target 2 h (own target)"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
	// The same estimate, no longer only a lower bound: another fingerprint.
	for i := range in.Gaps {
		if in.Gaps[i].Kind == scenario.Regional {
			in.Gaps[i].RTO.Bound.AtLeast = false
		}
	}
	for _, p := range fromGaps(in) {
		if p.Key == regional.Key && p.Fingerprint == regional.Fingerprint {
			t.Error("the fingerprint did not move when the estimate stopped being a lower bound")
		}
	}
}
