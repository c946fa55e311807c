package tasks

import (
	"strings"
	"testing"
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
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
	return NewInput(&inventory.Inventory{Facilities: testFacilities, Systems: systems, Services: services}, 10)
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
