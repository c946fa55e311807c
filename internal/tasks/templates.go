package tasks

import (
	"time"

	"yeonsok/internal/locale"
)

// Template is a task of the catalogue: the plan's examples of short-term
// tasks (단기 이행과제 예시), its check criteria (이행과제별 점검 기준) and
// the measures its sections name for mid/long-term work, plus what the
// proposals suggest. Its words are in the message catalogue:
// tasks.template.<key>.title, .description and .criterion (a criterion
// that stands without numbers; a proposal fills in its own, with the
// system's targets, under tasks.proposal.criterion.<key>).
type Template struct {
	Key  string
	Term string
}

// Template keys the proposals use.
const (
	TplTargetsSet     = "targets_set"
	TplTargetsAlign   = "targets_align"
	TplBackupSchedule = "backup_schedule"
	TplOffsiteSetup   = "offsite_setup"
	TplOffsiteShorten = "offsite_shorten"
	TplOffsiteRemote  = "offsite_remote"
	TplOfflineCopy    = "offline_copy"
	TplRestoreDrill   = "restore_drill"
	TplDRDrill        = "dr_drill"
	TplDRBuild        = "dr_build"
	TplDRUpgrade      = "dr_upgrade"
	TplDRRemote       = "dr_remote"
	TplRedundancy     = "redundancy"
	// What a high risk proposes, by its sub-kind (see riskTemplates).
	TplAccessControl    = "access_control"
	TplSecurityPatch    = "security_patch"
	TplInactiveAccounts = "inactive_accounts"
	TplManualUpdate     = "manual_update"
	TplDrill            = "drill"
	TplFacilityUpgrade  = "facility_upgrade"
)

// Templates is the catalogue, short-term first, each group in the plan's
// order.
var Templates = []Template{
	// The plan's four examples of short-term tasks (1-4).
	{TplAccessControl, TermShort},    // 전산시설 출입통제: authorised entry only, staff escort outside workers
	{TplSecurityPatch, TermShort},    // 보안패치·업데이트 수시 실시
	{TplInactiveAccounts, TermShort}, // 비활성화 계정·포트 자동 잠금
	{"monitoring_report", TermShort}, // 정기적 모니터링 보고
	// Recovery targets and backups: no new budget, only practice.
	{TplTargetsSet, TermShort},
	{TplTargetsAlign, TermShort},
	{TplBackupSchedule, TermShort},
	{TplOffsiteSetup, TermShort},
	{TplOffsiteShorten, TermShort},
	{TplOffsiteRemote, TermShort},
	{TplOfflineCopy, TermShort},
	{TplRestoreDrill, TermShort},
	{TplDRDrill, TermShort},
	// Manuals, training and drills (2-2, 2-4, 3-1).
	{TplManualUpdate, TermShort},
	{"training", TermShort},
	{TplDrill, TermShort},
	// Mid/long-term: facilities, equipment and DR (2-3).
	{TplDRBuild, TermMidLong},
	{TplDRUpgrade, TermMidLong},
	{TplDRRemote, TermMidLong},
	{TplRedundancy, TermMidLong},
	{"dr_plan", TermMidLong},
	{"storage_expand", TermMidLong},
	{TplFacilityUpgrade, TermMidLong},
	{"mutual_dr", TermMidLong},
}

// TemplateByKey finds a template of the catalogue.
func TemplateByKey(key string) (Template, bool) {
	for _, t := range Templates {
		if t.Key == key {
			return t, true
		}
	}
	return Template{}, false
}

// TitleKey, DescriptionKey and CriterionKey name the template's words.
func (t Template) TitleKey() string       { return "tasks.template." + t.Key + ".title" }
func (t Template) DescriptionKey() string { return "tasks.template." + t.Key + ".description" }
func (t Template) CriterionKey() string   { return "tasks.template." + t.Key + ".criterion" }

// Start is a new planned task of agencyID from the template, in lang, due
// as SuggestedDue says from today.
func (t Template) Start(agencyID int64, lang locale.Lang, today time.Time) *Task {
	return &Task{AgencyID: agencyID, Title: locale.T(lang, t.TitleKey()), Description: locale.T(lang, t.DescriptionKey()),
		Term: t.Term, Due: SuggestedDue(t.Term, today), Status: StatusPlanned, Criterion: locale.T(lang, t.CriterionKey()),
		Template: t.Key, SystemIDs: []int64{}, FacilityIDs: []int64{}, RiskIDs: []int64{}}
}
