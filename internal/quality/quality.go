// Package quality finds what is missing or inconsistent in the inventory:
// records without the fields the plan requires, and figures that do not
// match what a source document declares — including the plan's own tables
// disagreeing with each other. It is a pure function of the records.
package quality

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"yeonsok/internal/grading"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/objectives"
)

// Severities, most urgent first.
const (
	High   = "high"
	Medium = "medium"
	Low    = "low"
)

var severityRank = map[string]int{High: 0, Medium: 1, Low: 2}

// Subject is the record a finding is about.
type Subject struct {
	Kind string `json:"kind"` // agency, facility, system, ministry
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name"`
}

// Finding is one data-quality problem. Key and Args name a catalogue message.
type Finding struct {
	Code     string  `json:"code"`
	Severity string  `json:"severity"`
	Subject  Subject `json:"subject"`
	Key      string  `json:"-"`
	Args     []any   `json:"-"`
}

// Codes of the findings, each with its message key quality.<code>.
const (
	MissingTargets    = "system_missing_targets"
	LooserThanMinimum = "target_looser_than_minimum"
	GradeDiffers      = "grade_differs_from_scores"
	LooserThanService = "target_looser_than_service"
	MissingGrade      = "system_missing_grade"
	NoEndpoints       = "grade12_without_endpoints"
	NoOwner           = "grade12_without_owner"
	EmptyFacility     = "facility_without_systems"
	DeclaredMismatch  = "declared_mismatch"
	DeclaredDisagrees = "declared_tables_disagree"
)

// Message renders the finding in lang.
func (f Finding) Message(lang locale.Lang) string { return locale.T(lang, f.Key, f.Args...) }

// Check returns every finding in the inventory, most severe first.
func Check(inv *inventory.Inventory) []Finding {
	var found []Finding
	agencyName := map[int64]string{}
	for _, a := range inv.Agencies {
		agencyName[a.ID] = a.Name
	}
	facilityName := map[int64]string{}
	for _, f := range inv.Facilities {
		facilityName[f.ID] = f.Name
	}
	inherited := objectives.Inherited(inv.Services)
	serviceName := map[int64]string{}
	for _, svc := range inv.Services {
		serviceName[svc.ID] = svc.Name
	}
	used := map[int64]bool{}
	for _, s := range inv.Systems {
		subject := Subject{Kind: "system", ID: s.ID, Name: agencyName[s.AgencyID] + " · " + s.Name}
		if s.PrimaryFacilityID != nil {
			used[*s.PrimaryFacilityID] = true
		}
		if s.DRFacilityID != nil {
			used[*s.DRFacilityID] = true
		}
		critical := s.Grade == 1 || s.Grade == 2
		severity := Medium
		if critical {
			severity = High
		}
		var missing []string
		for _, v := range objectives.Check(s, inherited[s.ID]) {
			switch v.Code {
			case objectives.Missing:
				missing = append(missing, strings.ToUpper(v.Target))
			case objectives.LooserThanRule:
				found = append(found, Finding{Code: LooserThanMinimum, Severity: severity, Subject: subject,
					Key: "quality." + LooserThanMinimum, Args: []any{strings.ToUpper(v.Target), locale.Minutes(*v.Have), s.Grade, locale.Minutes(v.Want)}})
			case objectives.LooserThanUse:
				found = append(found, Finding{Code: LooserThanService, Severity: severity, Subject: subject,
					Key: "quality." + LooserThanService, Args: []any{strings.ToUpper(v.Target), locale.Minutes(*v.Have), serviceName[v.ServiceID], locale.Minutes(v.Want)}})
			}
		}
		if len(missing) > 0 {
			found = append(found, Finding{Code: MissingTargets, Severity: severity, Subject: subject,
				Key: "quality." + MissingTargets, Args: []any{strings.Join(missing, ", ")}})
		}
		if p := grading.Published.Propose([]*inventory.System{s})[0]; p.Differs() {
			found = append(found, Finding{Code: GradeDiffers, Severity: Medium, Subject: subject,
				Key: "quality." + GradeDiffers, Args: []any{p.Total, p.Proposed, locale.Key("grade." + inventory.GradeKey(s.Grade))}})
		}
		if s.Grade == 0 {
			found = append(found, Finding{Code: MissingGrade, Severity: Medium, Subject: subject, Key: "quality." + MissingGrade})
		}
		if critical && len(s.Endpoints) == 0 {
			found = append(found, Finding{Code: NoEndpoints, Severity: High, Subject: subject, Key: "quality." + NoEndpoints, Args: []any{s.Grade}})
		}
		if critical && strings.TrimSpace(s.OwnerPrimary) == "" {
			found = append(found, Finding{Code: NoOwner, Severity: High, Subject: subject, Key: "quality." + NoOwner, Args: []any{s.Grade}})
		}
	}
	for _, f := range inv.Facilities {
		if !used[f.ID] {
			found = append(found, Finding{Code: EmptyFacility, Severity: Low, Subject: Subject{Kind: "facility", ID: f.ID, Name: f.Name},
				Key: "quality." + EmptyFacility})
		}
	}
	found = append(found, checkDeclared(inv, agencyName, facilityName)...)
	sort.SliceStable(found, func(i, j int) bool { return severityRank[found[i].Severity] < severityRank[found[j].Severity] })
	return found
}

// checkDeclared compares each declared figure with the records, and the
// declared figures with each other: the parts one table gives (per agency,
// per agency and facility) must add up to the whole another table gives.
// Parts are summed per source: two tables that each state an agency's
// figure are two ways of splitting the whole, not two halves of it.
func checkDeclared(inv *inventory.Inventory, agencyName, facilityName map[int64]string) []Finding {
	if len(inv.Declared) == 0 {
		return nil
	}
	sum := inventory.Summarize(inv.Agencies, inv.Facilities, inventory.Facts(inv.Systems))
	var found []Finding
	wholes := map[whole][]*inventory.DeclaredFigure{}
	partSums := map[parts]float64{}
	for _, d := range inv.Declared {
		var agencyID, facilityID int64
		if d.AgencyID != nil {
			agencyID = *d.AgencyID
		}
		if d.FacilityID != nil {
			facilityID = *d.FacilityID
		}
		subject := declaredSubject(agencyID, facilityID, agencyName, facilityName)
		if actual, ok := sum.Metric(d.Metric, agencyID, facilityID); ok && !same(actual, d.Value) {
			found = append(found, Finding{Code: DeclaredMismatch, Severity: Medium, Subject: subject,
				Key: "quality." + DeclaredMismatch, Args: []any{d.Source, locale.Key("metric." + d.Metric), number(d.Value), number(actual)}})
		}
		if !additive(d.Metric) {
			continue
		}
		switch {
		case facilityID != 0 && agencyID != 0:
			partSums[parts{d.Source, whole{agencyID, d.Metric}}] += d.Value
		case facilityID == 0 && agencyID != 0:
			partSums[parts{d.Source, whole{0, d.Metric}}] += d.Value
			wholes[whole{agencyID, d.Metric}] = append(wholes[whole{agencyID, d.Metric}], d)
		case facilityID == 0 && agencyID == 0:
			wholes[whole{0, d.Metric}] = append(wholes[whole{0, d.Metric}], d)
		}
	}
	keys := make([]parts, 0, len(partSums))
	for k := range partSums {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.of.agency != b.of.agency {
			return a.of.agency < b.of.agency
		}
		if a.of.metric != b.of.metric {
			return a.of.metric < b.of.metric
		}
		return a.source < b.source
	})
	for _, k := range keys {
		for _, w := range wholes[k.of] {
			if same(partSums[k], w.Value) {
				continue
			}
			found = append(found, Finding{Code: DeclaredDisagrees, Severity: Medium,
				Subject: declaredSubject(k.of.agency, 0, agencyName, facilityName),
				Key:     "quality." + DeclaredDisagrees,
				Args:    []any{w.Source, locale.Key("metric." + k.of.metric), number(w.Value), k.source, number(partSums[k])}})
		}
	}
	return found
}

// whole names a figure that parts add up to: an agency's (or, with agency
// 0, the ministry's) value of a metric.
type whole struct {
	agency int64
	metric string
}

// parts are the figures one source gives for the pieces of a whole.
type parts struct {
	source string
	of     whole
}

func declaredSubject(agencyID, facilityID int64, agencyName, facilityName map[int64]string) Subject {
	switch {
	case agencyID != 0 && facilityID != 0:
		return Subject{Kind: "facility", ID: facilityID, Name: agencyName[agencyID] + " @ " + facilityName[facilityID]}
	case agencyID != 0:
		return Subject{Kind: "agency", ID: agencyID, Name: agencyName[agencyID]}
	case facilityID != 0:
		return Subject{Kind: "facility", ID: facilityID, Name: facilityName[facilityID]}
	}
	return Subject{Kind: "ministry"}
}

// additive reports whether a metric's parts add up to its whole. Counts of
// systems do; counts of facilities do not, since agencies share facilities.
func additive(metric string) bool {
	return metric != "facilities" && !strings.HasPrefix(metric, "facilities_") && !strings.HasSuffix(metric, "_pct")
}

func same(a, b float64) bool { return math.Abs(a-b) < 0.05 }

// number writes 28 as "28" and 42.5 as "42.5".
func number(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}
