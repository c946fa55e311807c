package tasks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/objectives"
	"yeonsok/internal/risk"
	"yeonsok/internal/scenario"
)

// Proposals. Each finding about an agency's records proposes a task: a
// system whose disaster targets are missing or looser than they may be
// (objectives.Check), a system that misses its targets under a scenario
// (scenario.Gaps), and a high risk (risk.High). A Source turns one kind of
// finding into proposals; Sources lists them all.
//
// A proposal has a stable Key — what it is about: its kind, the system and
// the scenario, or the risk — and a Fingerprint of the facts it rests on
// (the target, the estimate and the records the estimate reads; a risk's
// kind, rating after controls, status and place). A dismissed proposal
// stays away while its fingerprint is the one dismissed; an accepted one
// while a task of the agency carries its key (Decide).
//
// Gap rules, per system (targets are those scenario.Targets holds it to):
//
//	scenario       misses  records                            proposes (template)   term
//	component      RTO     a layer not redundant              redundancy            mid/long
//	component      RPO     backups too far apart              backup_schedule       short
//	facility_loss  RTO     DR similar at another facility     dr_drill              short
//	facility_loss  RTO     DR partial at another facility     dr_upgrade            mid/long
//	facility_loss  RTO     no DR elsewhere                    dr_build              mid/long
//	facility_loss  RPO     no copy leaves the facility        offsite_setup         short
//	facility_loss  RPO     the copy outside is too old        offsite_shorten       short
//	regional       RTO     (facility loss met) DR in region   dr_remote             mid/long
//	regional       RPO     (facility loss met) copy in region offsite_remote        short
//	ransomware     RPO     no offline copy recent enough      offline_copy          short
//	ransomware     RTO     (RPO met) restore takes too long   restore_drill         short
//
// Across the three disasters a system gets one proposal per measure (RTO,
// RPO): the first scenario in the order above that misses it. The fix of
// the first (a DR site elsewhere, a copy outside) is what the next needs
// before it can be judged, and its proposal follows once the first is met.
// Ransomware proposes on RTO only when the RPO is met: without a copy to
// restore from, the copy is the task. An estimate the records leave
// unknown proposes nothing.
//
// Target rule: a system whose disaster RTO or RPO is missing proposes
// targets_set; one whose targets are looser than its grade's minimum or a
// supported service's target proposes targets_align (both short-term).
//
// Risk rule: a high risk (after controls in the high or critical band, not
// closed) proposes the template of its sub-kind (riskTemplates), with the
// template's term, linked to the risk and to its system and facility.

// Text is words of the catalogue with their arguments, rendered in the
// reader's language.
type Text struct {
	Key  string
	Args []any
}

// In renders the text in lang.
func (t Text) In(lang locale.Lang) string { return locale.T(lang, t.Key, t.Args...) }

// Sources of proposals.
const (
	SourceTargets = "targets" // objectives.Check: targets missing or too loose
	SourceGap     = "gap"     // scenario.Gaps: capability short of the targets
	SourceRisk    = "risk"    // risk.High: a risk still high after its controls
)

// Proposal is a task the records suggest.
type Proposal struct {
	Key         string
	Fingerprint string
	AgencyID    int64
	Source      string
	// Scenario and Measure ("rto", "rpo") say which gap a gap proposal is
	// about; both are empty for the other sources.
	Scenario string
	Measure  string
	Template string
	Term     string
	// Subject names what the proposal is about (a system's name, a risk's
	// title); Grade is the grade of its system, which orders proposals (0:
	// none, or no system).
	Subject     string
	Grade       int
	SystemIDs   []int64
	FacilityIDs []int64
	RiskIDs     []int64
	// Owner is who the task would fall to: the system's primary owner, or
	// the risk's.
	Owner     string
	Criterion Text
	// Reasons say why, in plain words: the finding, then the estimate's
	// own reasoning.
	Reasons []Text
	// Dismissal is set by Decide: on a dismissed proposal the dismissal
	// that keeps it away; on an open one a dismissal of the same key
	// whose facts have changed since (the proposal came back).
	Dismissal *Dismissal
}

// Title is the proposal's title: "고용24: DR 구축".
func (p *Proposal) Title() Text {
	tpl, _ := TemplateByKey(p.Template)
	if p.Subject == "" {
		return Text{Key: tpl.TitleKey()}
	}
	return Text{Key: "tasks.proposal.title", Args: []any{p.Subject, locale.Key(tpl.TitleKey())}}
}

// Suggest is the task accepting the proposal creates, in lang, due as
// SuggestedDue says from today. The form that edits it before accepting
// starts from it too.
func (p *Proposal) Suggest(lang locale.Lang, today time.Time) *Task {
	tpl, _ := TemplateByKey(p.Template)
	lines := []string{locale.T(lang, tpl.DescriptionKey()), "", locale.T(lang, "tasks.proposal.why")}
	for _, r := range p.Reasons {
		lines = append(lines, "- "+r.In(lang))
	}
	return &Task{AgencyID: p.AgencyID, Title: p.Title().In(lang), Description: strings.Join(lines, "\n"), Term: p.Term,
		Owner: p.Owner, Due: SuggestedDue(p.Term, today), Status: StatusPlanned, Criterion: p.Criterion.In(lang),
		SystemIDs: sortedIDs(p.SystemIDs), FacilityIDs: sortedIDs(p.FacilityIDs), RiskIDs: sortedIDs(p.RiskIDs),
		Template: p.Template, ProposalKey: p.Key}
}

// Input is what the sources read: one agency's systems, and what the
// scenario and objectives rules make of them, and its high risks.
type Input struct {
	AgencyID   int64
	Systems    []*inventory.System
	Facilities map[int64]*inventory.Facility
	Inherited  map[int64]objectives.Strictest
	// Gaps holds every system of Systems under every scenario.
	Gaps []scenario.SystemGap
	// Risks are the agency's risks that call for a task (risk.High).
	Risks []*risk.Entry
}

// NewInput prepares the sources' input for agencyID from inv and risks,
// which should be read in that agency's own scope (access.Agency): then an
// agency's users and the ministry see the same proposals with the same
// fingerprints. Of risks, the agency's high ones are kept.
func NewInput(inv *inventory.Inventory, risks []*risk.Entry, agencyID int64) *Input {
	var own []*inventory.System
	for _, s := range inv.Systems {
		if s.AgencyID == agencyID {
			own = append(own, s)
		}
	}
	var high []*risk.Entry
	for _, e := range risk.High(risks) {
		if e.AgencyID == agencyID {
			high = append(high, e)
		}
	}
	part := &inventory.Inventory{Facilities: inv.Facilities, Systems: own, Services: inv.Services}
	return &Input{AgencyID: agencyID, Systems: own, Facilities: scenario.FacilityMap(inv.Facilities),
		Inherited: objectives.Inherited(inv.Services), Gaps: scenario.Gaps(part), Risks: high}
}

// Source makes the proposals of one kind of finding.
type Source func(in *Input) []Proposal

// Sources are every kind of finding that proposes tasks.
var Sources = []Source{fromTargets, fromGaps, fromRisks}

// Propose runs every source: proposals of grade-1 systems first (no grade
// last), each system's in the order of the sources and the gap rules, and
// proposals about no system after all others, in source order.
func Propose(in *Input) []Proposal {
	var all []Proposal
	for _, source := range Sources {
		all = append(all, source(in)...)
	}
	position := make(map[int64]int, len(in.Systems))
	for i, s := range in.Systems {
		position[s.ID] = i
	}
	rank := func(p Proposal) (int, int) {
		if len(p.SystemIDs) == 0 {
			return 6, len(in.Systems)
		}
		grade := p.Grade
		if grade == 0 {
			grade = 5
		}
		return grade, position[p.SystemIDs[0]]
	}
	sort.SliceStable(all, func(i, j int) bool {
		gi, si := rank(all[i])
		gj, sj := rank(all[j])
		return gi < gj || gi == gj && si < sj
	})
	return all
}

// fromTargets proposes setting or aligning the disaster targets of every
// system objectives.Check finds at fault: one proposal per system.
func fromTargets(in *Input) []Proposal {
	var out []Proposal
	for _, s := range in.Systems {
		inherited := in.Inherited[s.ID]
		found := objectives.Check(s, inherited)
		if len(found) == 0 {
			continue
		}
		template := TplTargetsAlign
		var reasons []Text
		facts := []any{s.Grade, minutesFact(s.RTODisaster), minutesFact(s.RPODisaster), minutesFact(inherited.RTO), minutesFact(inherited.RPO)}
		for _, v := range found {
			measure := strings.ToUpper(v.Target)
			switch v.Code {
			case objectives.Missing:
				template = TplTargetsSet
				reasons = append(reasons, Text{Key: "tasks.reason.target_missing", Args: []any{measure}})
			case objectives.LooserThanRule:
				reasons = append(reasons, Text{Key: "tasks.reason.target_looser_min", Args: []any{measure, locale.Minutes(*v.Have), locale.Minutes(v.Want)}})
			case objectives.LooserThanUse:
				reasons = append(reasons, Text{Key: "tasks.reason.target_looser_service", Args: []any{measure, locale.Minutes(*v.Have), locale.Minutes(v.Want)}})
			}
			facts = append(facts, v.Code+"/"+v.Target)
		}
		criterion := Text{Key: "tasks.proposal.criterion.targets_ungraded"}
		if rto, rpo := allowed(s, inherited); rto != nil && rpo != nil {
			criterion = Text{Key: "tasks.proposal.criterion.targets", Args: []any{locale.Minutes(*rto), locale.Minutes(*rpo)}}
		}
		p := systemProposal(in, s, SourceTargets, template, fmt.Sprintf("targets:system-%d", s.ID), facts)
		p.Criterion, p.Reasons = criterion, reasons
		out = append(out, p)
	}
	return out
}

// allowed is the loosest disaster RTO and RPO a system may have: the
// stricter of its grade's minimum and its services' targets; nil where
// neither applies.
func allowed(s *inventory.System, inherited objectives.Strictest) (rto, rpo *inventory.Minutes) {
	pick := func(service *inventory.Minutes, minimum inventory.Minutes, graded bool) *inventory.Minutes {
		switch {
		case service != nil && (!graded || *service < minimum):
			return service
		case graded:
			return &minimum
		}
		return nil
	}
	minimum, graded := objectives.Minimums[s.Grade]
	return pick(inherited.RTO, minimum.RTO, graded), pick(inherited.RPO, minimum.RPO, graded)
}

// Measures of a gap.
const (
	measureRTO = "rto"
	measureRPO = "rpo"
)

func measureOf(g scenario.SystemGap, measure string) scenario.Measure {
	if measure == measureRTO {
		return g.RTO
	}
	return g.RPO
}

// disasters are the scenarios that share one proposal per measure, in the
// order the first to miss is chosen.
var disasters = []string{scenario.FacilityLoss, scenario.Regional, scenario.Ransomware}

// fromGaps proposes a task for each gap, as the package's table says.
func fromGaps(in *Input) []Proposal {
	bySystem := map[int64]map[string]scenario.SystemGap{}
	for _, g := range in.Gaps {
		if bySystem[g.SystemID] == nil {
			bySystem[g.SystemID] = map[string]scenario.SystemGap{}
		}
		bySystem[g.SystemID][g.Kind] = g
	}
	var out []Proposal
	for _, s := range in.Systems {
		gaps := bySystem[s.ID]
		if g, ok := gaps[scenario.Component]; ok {
			if g.RTO.Misses {
				out = append(out, gapProposal(in, s, g, measureRTO, TplRedundancy))
			}
			if g.RPO.Misses {
				out = append(out, gapProposal(in, s, g, measureRPO, TplBackupSchedule))
			}
		}
		for _, measure := range []string{measureRTO, measureRPO} {
			for _, kind := range disasters {
				g, ok := gaps[kind]
				if !ok || !measureOf(g, measure).Misses {
					continue
				}
				if template := gapTemplate(s, g, measure); template != "" {
					out = append(out, gapProposal(in, s, g, measure, template))
				}
				break
			}
		}
	}
	return out
}

// gapTemplate is what a missed measure under a disaster proposes; "" when
// another proposal stands for it (ransomware's RTO while its RPO misses).
func gapTemplate(s *inventory.System, g scenario.SystemGap, measure string) string {
	drElsewhere := s.DRFacilityID != nil && s.PrimaryFacilityID != nil && *s.DRFacilityID != *s.PrimaryFacilityID
	switch {
	case g.Kind == scenario.FacilityLoss && measure == measureRTO && drElsewhere && s.DRPerformance == inventory.DRSimilar:
		return TplDRDrill
	case g.Kind == scenario.FacilityLoss && measure == measureRTO && drElsewhere && s.DRPerformance == inventory.DRPartial:
		return TplDRUpgrade
	case g.Kind == scenario.FacilityLoss && measure == measureRTO:
		return TplDRBuild
	case g.Kind == scenario.FacilityLoss && g.RPO.Bound.Unbounded:
		return TplOffsiteSetup
	case g.Kind == scenario.FacilityLoss:
		return TplOffsiteShorten
	case g.Kind == scenario.Regional && measure == measureRTO:
		return TplDRRemote
	case g.Kind == scenario.Regional:
		return TplOffsiteRemote
	case measure == measureRPO:
		return TplOfflineCopy
	case !g.RPO.Misses:
		return TplRestoreDrill
	}
	return ""
}

// gapProposal is the proposal of template for a system's missed measure
// under one scenario.
func gapProposal(in *Input, s *inventory.System, g scenario.SystemGap, measure, template string) Proposal {
	m := measureOf(g, measure)
	target := *m.Target.Minutes
	// A lower bound ("3일 이상") has words of its own: a catalogue key
	// cannot take another's arguments.
	reason, estimate := "tasks.reason.gap", any(locale.Minutes(m.Bound.Minutes))
	switch {
	case m.Bound.Unbounded:
		estimate = locale.Key("system.capability.unbounded")
	case m.Bound.AtLeast:
		reason = "tasks.reason.gap_at_least"
	}
	key := fmt.Sprintf("gap_%s:system-%d:%s", measure, s.ID, g.Kind)
	facts := append([]any{int64(target), m.Target.Source, m.Bound.Unbounded, m.Bound.AtLeast, int64(m.Bound.Minutes)},
		gapFacts(s, in.Facilities, g.Kind, measure)...)
	p := systemProposal(in, s, SourceGap, template, key, facts)
	p.Scenario, p.Measure = g.Kind, measure
	p.Criterion = Text{Key: "tasks.proposal.criterion." + template, Args: []any{locale.Minutes(target)}}
	p.Reasons = []Text{{Key: reason, Args: []any{locale.Key("scenario.kind." + g.Kind), strings.ToUpper(measure), estimate,
		locale.Minutes(target), locale.Key("tasks.target_source." + m.Target.Source)}}}
	for _, r := range g.Capability.Reasons {
		p.Reasons = append(p.Reasons, Text{Key: r.Key, Args: r.Args})
	}
	return p
}

// gapFacts are the records an estimate of measure under kind reads (see
// the scenario package's table): a change to any of them may change the
// estimate or the fix, so it changes the fingerprint.
func gapFacts(s *inventory.System, facilities map[int64]*inventory.Facility, kind, measure string) []any {
	region := func(id *int64) string {
		if id == nil || facilities[*id] == nil {
			return "-"
		}
		return facilities[*id].Region
	}
	switch {
	case kind == scenario.Component && measure == measureRTO:
		var layers []any
		for _, layer := range inventory.Layers {
			layers = append(layers, layer+"="+s.Redundancy[layer])
		}
		return layers
	case kind == scenario.Component:
		return []any{minutesFact(s.BackupFullEvery), minutesFact(s.BackupIncrEvery), s.Redundancy["db"], s.Redundancy["storage"]}
	case kind == scenario.Ransomware:
		return []any{s.OffsiteMethod, minutesFact(s.OffsiteEvery)}
	}
	facts := []any{idFact(s.PrimaryFacilityID), idFact(s.DRFacilityID), s.DRPerformance}
	if measure == measureRPO {
		facts = append(facts, s.OffsiteMethod, minutesFact(s.OffsiteEvery))
	}
	if kind == scenario.Regional {
		facts = append(facts, region(s.PrimaryFacilityID), region(s.DRFacilityID))
	}
	return facts
}

// riskTemplates is the template each sub-kind of risk proposes: the
// facility's condition for a physical hazard or failing equipment, the
// plan's short-term examples for intrusion and the technical risks (access
// control, patching, locking inactive accounts and ports), and for the
// operational ones the practice that is missing (manuals, backups and
// offsite copies kept to the rules, drills).
var riskTemplates = map[string]string{
	"disaster":      TplFacilityUpgrade,
	"building":      TplFacilityUpgrade,
	"equipment":     TplFacilityUpgrade,
	"intrusion":     TplAccessControl,
	"tech_error":    TplSecurityPatch,
	"hacking":       TplInactiveAccounts,
	"manual_gaps":   TplManualUpdate,
	"noncompliance": TplBackupSchedule,
	"negligence":    TplDrill,
}

// fromRisks proposes a task for each high risk of the agency, highest
// first as Input holds them; a risk of a sub-kind without a template
// proposes nothing.
func fromRisks(in *Input) []Proposal {
	systems := make(map[int64]*inventory.System, len(in.Systems))
	for _, s := range in.Systems {
		systems[s.ID] = s
	}
	var out []Proposal
	for _, e := range in.Risks {
		template, ok := riskTemplates[e.SubKind]
		if !ok {
			continue
		}
		tpl, _ := TemplateByKey(template)
		key := fmt.Sprintf("risk:risk-%d", e.ID)
		p := Proposal{Key: key, Fingerprint: fingerprint(key, template, e.SubKind, e.ResidualLikelihood, e.ResidualImpact, e.Status,
			idFact(e.SystemID), idFact(e.FacilityID)), AgencyID: e.AgencyID, Source: SourceRisk, Template: template, Term: tpl.Term,
			Subject: e.Title, SystemIDs: []int64{}, FacilityIDs: []int64{}, RiskIDs: []int64{e.ID}, Owner: e.Owner}
		// The task names the risk's system and facility where the agency
		// may name them (its own system, a facility it runs systems in).
		if e.SystemID != nil && systems[*e.SystemID] != nil {
			s := systems[*e.SystemID]
			p.SystemIDs, p.Grade = []int64{s.ID}, s.Grade
			if p.Owner == "" {
				p.Owner = s.OwnerPrimary
			}
		}
		if e.FacilityID != nil && in.Facilities[*e.FacilityID] != nil {
			p.FacilityIDs = []int64{*e.FacilityID}
		}
		rating := e.ResidualLikelihood * e.ResidualImpact
		p.Criterion = Text{Key: "tasks.proposal.criterion.risk", Args: []any{locale.Key(tpl.CriterionKey()), e.Title}}
		p.Reasons = []Text{{Key: "tasks.reason.risk", Args: []any{locale.Key("risk.subkind." + e.SubKind), e.Title,
			locale.Key("risk.band." + risk.Band(rating)), e.ResidualLikelihood, e.ResidualImpact, rating}}}
		if e.Controls != "" {
			p.Reasons = append(p.Reasons, Text{Key: "tasks.reason.risk_controls", Args: []any{e.Controls}})
		}
		out = append(out, p)
	}
	return out
}

// systemProposal fills what every proposal about one system shares: its
// links (the system and the facilities it is placed in), its owner, and
// the fingerprint of facts.
func systemProposal(in *Input, s *inventory.System, source, template, key string, facts []any) Proposal {
	tpl, _ := TemplateByKey(template)
	var facilities []int64
	for _, id := range []*int64{s.PrimaryFacilityID, s.DRFacilityID} {
		if id != nil && in.Facilities[*id] != nil && !slices.Contains(facilities, *id) {
			facilities = append(facilities, *id)
		}
	}
	return Proposal{Key: key, Fingerprint: fingerprint(append([]any{key, template}, facts...)...), AgencyID: s.AgencyID,
		Source: source, Template: template, Term: tpl.Term, Subject: s.Name, Grade: s.Grade,
		SystemIDs: []int64{s.ID}, FacilityIDs: sortedIDs(facilities), RiskIDs: []int64{}, Owner: s.OwnerPrimary}
}

// fingerprint is a short hash of facts: equal facts, equal fingerprint.
func fingerprint(facts ...any) string {
	h := sha256.New()
	for _, f := range facts {
		fmt.Fprintf(h, "%v\x00", f)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func minutesFact(m *inventory.Minutes) string {
	if m == nil {
		return "-"
	}
	return fmt.Sprint(int64(*m))
}

func idFact(id *int64) string {
	if id == nil {
		return "-"
	}
	return fmt.Sprint(*id)
}

// Dismissal is a user's decision against a proposal, with the reason. It
// keeps the proposal away while the proposal's fingerprint is Fingerprint.
type Dismissal struct {
	ID          int64  `json:"id"`
	AgencyID    int64  `json:"agency_id"`
	ProposalKey string `json:"proposal_key"`
	Fingerprint string `json:"fingerprint"`
	Reason      string `json:"reason"`
	// Summary is what the proposal said when it was dismissed (its title),
	// for the audit log and for lists once the proposal is gone.
	Summary   string    `json:"summary"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedBy string    `json:"updated_by"`
}

// Decide sorts an agency's proposals by its users' decisions: a proposal a
// task carries the key of (accepted, the task still there) is neither open
// nor dismissed; one dismissed with its current fingerprint is dismissed;
// every other is open — with the dismissal it outlived, if any.
func Decide(all []Proposal, tasks []*Task, dismissals []*Dismissal) (open, dismissed []Proposal) {
	accepted := map[string]bool{}
	for _, t := range tasks {
		if t.ProposalKey != "" {
			accepted[t.ProposalKey] = true
		}
	}
	byKey := map[string]*Dismissal{}
	for _, d := range dismissals {
		byKey[d.ProposalKey] = d
	}
	for _, p := range all {
		if accepted[p.Key] {
			continue
		}
		p.Dismissal = byKey[p.Key]
		if p.Dismissal != nil && p.Dismissal.Fingerprint == p.Fingerprint {
			dismissed = append(dismissed, p)
			continue
		}
		open = append(open, p)
	}
	return open, dismissed
}

// Plan is one agency's plan (issue ④): its gaps, the proposals still open
// and those dismissed, and its tasks.
type Plan struct {
	AgencyID int64
	Input    *Input
	// Summary counts the agency's systems per scenario.
	Summary         map[string]*scenario.GapCount
	Open, Dismissed []Proposal
	Tasks           []*Task
}

// NewPlan puts an agency's plan together from its input, its tasks and its
// dismissals.
func NewPlan(in *Input, tasks []*Task, dismissals []*Dismissal) *Plan {
	open, dismissed := Decide(Propose(in), tasks, dismissals)
	return &Plan{AgencyID: in.AgencyID, Input: in, Summary: scenario.Summarize(in.Gaps).Total, Open: open, Dismissed: dismissed, Tasks: tasks}
}

// Proposal finds an open proposal by its key.
func (p *Plan) Proposal(key string) (*Proposal, bool) {
	for i := range p.Open {
		if p.Open[i].Key == key {
			return &p.Open[i], true
		}
	}
	return nil, false
}
