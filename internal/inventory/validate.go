package inventory

import (
	"math"
	"slices"
	"strings"
	"unicode/utf16"

	"yeonsok/internal/apperror"
)

// Limits on what a record holds. Every text field fits one spreadsheet cell
// (32,767 characters), so that an export never fails on a record the store
// accepted; numbers stay inside what both databases store and what could be
// meant, so that an absurd figure is the user's error rather than a 500.
const (
	MaxName      = 200   // names and short names
	MaxShortText = 500   // one-line fields: contacts, owners, vendor, address, endpoint
	MaxLongText  = 30000 // descriptions, procedures, findings, notes
	// MaxEndpoints keeps a system's endpoints, one per line, within one cell.
	MaxEndpoints = 50
	MaxUsers     = 10_000_000_000 // "invalid.users_too_large" names it
	// MaxMinutes is ten years: no backup interval or recovery target is longer.
	MaxMinutes Minutes = 10 * 365 * 24 * 60
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

// text refuses a value longer than max characters, counted as a spreadsheet
// counts them: UTF-16 units, so an emoji counts two.
func (p *Problems) text(field, value string, max int) {
	n := 0
	for _, r := range value {
		n += utf16.RuneLen(r)
	}
	if n > max {
		p.add(field, "invalid.too_long", max)
	}
}

func (p *Problems) oneOf(field, value string, allowed []string) {
	if !slices.Contains(allowed, value) {
		p.add(field, "invalid.one_of", value, strings.Join(allowed, ", "))
	}
}

func (p *Problems) duration(field string, m *Minutes) {
	switch {
	case m == nil:
	case *m < 0:
		p.add(field, "invalid.negative")
	case *m > MaxMinutes:
		p.add(field, "invalid.duration_too_long", 10)
	}
}

func (p *Problems) score(field string, v *float64, max float64) {
	// Written so that NaN, which fails every comparison, fails this one too.
	if v != nil && !(*v >= 0 && *v <= max) {
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

// Add, Required, Text and OneOf let the domain packages beside the
// inventory (risk, …) check their records by the same rules and in the same
// words.
func (p *Problems) Add(field, key string, args ...any) { p.add(field, key, args...) }
func (p *Problems) Required(field, value string)       { p.required(field, value) }
func (p *Problems) Text(field, value string, max int)  { p.text(field, value, max) }
func (p *Problems) OneOf(field, value string, allowed []string) {
	p.oneOf(field, value, allowed)
}

// Normalize trims the agency's names and contact, so that "A" and "A "
// cannot both exist.
func (a *Agency) Normalize() {
	a.Name = strings.TrimSpace(a.Name)
	a.ShortName = strings.TrimSpace(a.ShortName)
	a.Contact = strings.TrimSpace(a.Contact)
}

// Validate checks an agency's own fields.
func (a *Agency) Validate() Problems {
	var p Problems
	p.required("name", a.Name)
	p.text("name", a.Name, MaxName)
	p.text("short_name", a.ShortName, MaxName)
	p.text("contact", a.Contact, MaxShortText)
	if a.ParentID != nil && *a.ParentID == a.ID && a.ID != 0 {
		p.add("parent_id", "invalid.self_parent")
	}
	return p
}

// Normalize trims the facility's name and one-line fields.
func (f *Facility) Normalize() {
	f.Name = strings.TrimSpace(f.Name)
	f.OperatorName = strings.TrimSpace(f.OperatorName)
	f.Region = strings.TrimSpace(f.Region)
	f.Address = strings.TrimSpace(f.Address)
}

// Validate checks a facility's own fields.
func (f *Facility) Validate() Problems {
	var p Problems
	p.required("name", f.Name)
	p.text("name", f.Name, MaxName)
	p.oneOf("operator", f.Operator, Operators)
	p.text("operator_name", f.OperatorName, MaxName)
	p.text("region", f.Region, MaxShortText)
	p.text("address", f.Address, MaxShortText)
	p.text("findings", f.Findings, MaxLongText)
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
	p.text("name", s.Name, MaxName)
	if s.AgencyID == 0 {
		p.add("agency_id", "invalid.required")
	}
	if s.Grade < 0 || s.Grade > 4 {
		p.add("grade", "invalid.grade")
	}
	p.score("score_impact", s.ScoreImpact, 40)
	p.score("score_users", s.ScoreUsers, 50)
	p.score("score_spread", s.ScoreSpread, 10)
	switch {
	case s.Users == nil:
	case *s.Users < 0:
		p.add("users", "invalid.negative")
	case *s.Users > MaxUsers:
		p.add("users", "invalid.users_too_large")
	}
	p.text("description", s.Description, MaxLongText)
	p.text("critical_functions", s.CriticalFunctions, MaxLongText)
	p.oneOf("dr_performance", s.DRPerformance, DRPerformances)
	if s.DRFacilityID != nil && s.PrimaryFacilityID != nil && *s.DRFacilityID == *s.PrimaryFacilityID {
		p.add("dr_facility_id", "invalid.dr_same_facility")
	}
	p.text("dr_note", s.DRNote, MaxLongText)
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
		p.duration(f.name, f.m)
	}
	p.text("manual_fallback", s.ManualFallback, MaxLongText)
	p.text("owner_primary", s.OwnerPrimary, MaxShortText)
	p.text("owner_secondary", s.OwnerSecondary, MaxShortText)
	p.text("vendor", s.Vendor, MaxShortText)
	if len(s.Endpoints) > MaxEndpoints {
		p.add("endpoints", "invalid.too_many", MaxEndpoints)
	}
	seen := map[string]bool{}
	for _, e := range s.Endpoints {
		if seen[e.Target] {
			p.add("endpoints", "invalid.duplicate_endpoint", e.Target)
		}
		seen[e.Target] = true
		p.text("endpoints", e.Target, MaxShortText)
		if _, err := ParseEndpoint(e.Target); err != nil {
			p.add("endpoints", "invalid.endpoint", e.Target)
		}
	}
	return p
}

// Normalize fills the defaults a new system starts with, so that a record
// built from a form or a JSON body with fields left out is still complete,
// and trims its name and one-line fields.
func (s *System) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	s.OwnerPrimary = strings.TrimSpace(s.OwnerPrimary)
	s.OwnerSecondary = strings.TrimSpace(s.OwnerSecondary)
	s.Vendor = strings.TrimSpace(s.Vendor)
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

// Normalize trims the service's name and fills in its default audience.
func (s *Service) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	if s.Audience == "" {
		s.Audience = "public"
	}
}

// Validate checks a service's own fields.
func (s *Service) Validate() Problems {
	var p Problems
	p.required("name", s.Name)
	p.text("name", s.Name, MaxName)
	if s.AgencyID == 0 {
		p.add("agency_id", "invalid.required")
	}
	p.oneOf("audience", s.Audience, Audiences)
	p.text("description", s.Description, MaxLongText)
	p.duration("mtpd", s.MTPD)
	p.duration("rto", s.RTO)
	p.duration("rpo", s.RPO)
	p.text("manual_workaround", s.ManualWorkaround, MaxLongText)
	return p
}

// Normalize trims the dependency's note and fills in its default kind.
func (d *Dependency) Normalize() {
	d.Note = strings.TrimSpace(d.Note)
	if d.Kind == "" {
		d.Kind = "interface"
	}
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
	p.text("note", d.Note, MaxShortText)
	return p
}

// Validate checks a declared figure's own fields.
func (d *DeclaredFigure) Validate() Problems {
	var p Problems
	p.text("source", d.Source, MaxShortText)
	p.text("metric", d.Metric, MaxName)
	if math.IsNaN(d.Value) || math.IsInf(d.Value, 0) {
		p.add("value", "invalid.not_a_number")
	}
	p.text("note", d.Note, MaxLongText)
	return p
}

// Clip makes s safe to store as text of at most n characters: valid
// UTF-8, no NUL bytes, cut at n characters. For text the tower records from
// outside rather than refuses — a probe's reason, a signal's summary.
func Clip(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	count := 0
	for i := range s {
		if count == n {
			return s[:i]
		}
		count++
	}
	return s
}
