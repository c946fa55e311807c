package inventory

import (
	"slices"
	"strings"

	"yeonsok/internal/apperror"
)

// Problems collects every validation failure of a record, so that a form or
// an import row can show all of them at once.
type Problems []*apperror.Error

func (p *Problems) add(field, key string, args ...any) {
	*p = append(*p, apperror.New(apperror.Invalid, field, key, args...))
}

func (p *Problems) required(field, value string) {
	if strings.TrimSpace(value) == "" {
		p.add(field, "invalid.required")
	}
}

func (p *Problems) oneOf(field, value string, allowed []string) {
	if !slices.Contains(allowed, value) {
		p.add(field, "invalid.one_of", value, strings.Join(allowed, ", "))
	}
}

func (p *Problems) notNegative(field string, m *Minutes) {
	if m != nil && *m < 0 {
		p.add(field, "invalid.negative")
	}
}

func (p *Problems) score(field string, v *float64, max float64) {
	if v != nil && (*v < 0 || *v > max) {
		p.add(field, "invalid.score_range", max)
	}
}

// Err is the first problem, or nil; the API reports one at a time.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return p[0]
}

// Validate checks an agency's own fields.
func (a *Agency) Validate() Problems {
	var p Problems
	p.required("name", a.Name)
	if a.ParentID != nil && *a.ParentID == a.ID && a.ID != 0 {
		p.add("parent_id", "invalid.self_parent")
	}
	return p
}

// Validate checks a facility's own fields.
func (f *Facility) Validate() Problems {
	var p Problems
	p.required("name", f.Name)
	p.oneOf("operator", f.Operator, Operators)
	for item, state := range f.Conditions {
		if !slices.Contains(ConditionItems, item) {
			p.add("conditions", "invalid.condition_item", item)
			continue
		}
		p.oneOf("conditions."+item, state, []string{Unknown, No, Yes})
	}
	return p
}

// Validate checks a system's own fields; references to agencies and
// facilities are checked by the store against what exists.
func (s *System) Validate() Problems {
	var p Problems
	p.required("name", s.Name)
	if s.AgencyID == 0 {
		p.add("agency_id", "invalid.required")
	}
	if s.Grade < 0 || s.Grade > 4 {
		p.add("grade", "invalid.grade")
	}
	p.score("score_impact", s.ScoreImpact, 40)
	p.score("score_users", s.ScoreUsers, 50)
	p.score("score_spread", s.ScoreSpread, 10)
	if s.Users != nil && *s.Users < 0 {
		p.add("users", "invalid.negative")
	}
	p.oneOf("dr_performance", s.DRPerformance, DRPerformances)
	if s.DRFacilityID != nil && s.PrimaryFacilityID != nil && *s.DRFacilityID == *s.PrimaryFacilityID {
		p.add("dr_facility_id", "invalid.dr_same_facility")
	}
	for _, layer := range Layers {
		p.oneOf("redundancy."+layer, s.Redundancy[layer], []string{Unknown, No, Yes})
	}
	for layer := range s.Redundancy {
		if !slices.Contains(Layers, layer) {
			p.add("redundancy", "invalid.layer", layer)
		}
	}
	p.oneOf("offsite_method", s.OffsiteMethod, OffsiteMethods)
	p.oneOf("manual", s.Manual, []string{Unknown, No, Yes})
	for _, f := range []struct {
		name string
		m    *Minutes
	}{
		{"backup_full_every", s.BackupFullEvery}, {"backup_incr_every", s.BackupIncrEvery},
		{"offsite_every", s.OffsiteEvery},
		{"rto_disaster", s.RTODisaster}, {"rpo_disaster", s.RPODisaster},
		{"rto_failure", s.RTOFailure}, {"rpo_failure", s.RPOFailure},
	} {
		p.notNegative(f.name, f.m)
	}
	seen := map[string]bool{}
	for _, e := range s.Endpoints {
		if seen[e.Target] {
			p.add("endpoints", "invalid.duplicate_endpoint", e.Target)
		}
		seen[e.Target] = true
		if _, err := ParseEndpoint(e.Target); err != nil {
			p.add("endpoints", "invalid.endpoint", e.Target)
		}
	}
	return p
}

// Normalize fills the defaults a new system starts with, so that a record
// built from a form or a JSON body with fields left out is still complete.
func (s *System) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	if s.DRPerformance == "" {
		s.DRPerformance = Unknown
	}
	if s.OffsiteMethod == "" {
		s.OffsiteMethod = Unknown
	}
	if s.Manual == "" {
		s.Manual = Unknown
	}
	if s.Redundancy == nil {
		s.Redundancy = map[string]string{}
	}
	for _, layer := range Layers {
		if s.Redundancy[layer] == "" {
			s.Redundancy[layer] = Unknown
		}
	}
	for i := range s.Endpoints {
		if e, err := ParseEndpoint(s.Endpoints[i].Target); err == nil {
			s.Endpoints[i] = e
		}
	}
}

// Validate checks a service's own fields.
func (s *Service) Validate() Problems {
	var p Problems
	p.required("name", s.Name)
	if s.AgencyID == 0 {
		p.add("agency_id", "invalid.required")
	}
	p.oneOf("audience", s.Audience, Audiences)
	p.notNegative("mtpd", s.MTPD)
	p.notNegative("rto", s.RTO)
	p.notNegative("rpo", s.RPO)
	return p
}

// Validate checks a dependency's own fields.
func (d *Dependency) Validate() Problems {
	var p Problems
	if d.FromSystemID == 0 {
		p.add("from_system_id", "invalid.required")
	}
	if d.ToSystemID == 0 {
		p.add("to_system_id", "invalid.required")
	}
	if d.FromSystemID != 0 && d.FromSystemID == d.ToSystemID {
		p.add("to_system_id", "invalid.self_dependency")
	}
	p.oneOf("kind", d.Kind, DependencyKinds)
	return p
}
