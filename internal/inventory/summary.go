package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"yeonsok/internal/access"
)

// SystemFacts are the few fields of a system the ministry's figures count.
type SystemFacts struct {
	ID                int64
	AgencyID          int64
	Grade             int
	PrimaryFacilityID int64 // 0 when not placed
	Surveyed          bool
	Manual            string
	DRPerformance     string
	Redundancy        map[string]string
	HasBackup         bool
	OffsiteMethod     string
}

// GradeKeys are the grade buckets in the order the plan lists them.
var GradeKeys = []string{"1", "2", "3", "4", "none"}

// GradeKey is the bucket of a grade: "1".."4", or "none" for 미부여.
func GradeKey(grade int) string {
	if grade < 1 || grade > 4 {
		return "none"
	}
	return fmt.Sprint(grade)
}

// Survey counts the written survey's figures over surveyed systems.
type Survey struct {
	Surveyed   int `json:"surveyed"`
	Manual     int `json:"manual"`
	Redundancy int `json:"redundancy"`
	DR         int `json:"dr"`
	DRSimilar  int `json:"dr_similar"`
	Backup     int `json:"backup"`
	Offsite    int `json:"offsite"`
}

// AgencyCount is how many systems one agency has somewhere.
type AgencyCount struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Systems int    `json:"systems"`
}

// FacilitySummary is one facility's line on the home page.
type FacilitySummary struct {
	ID       int64         `json:"id"`
	Name     string        `json:"name"`
	Operator string        `json:"operator"`
	Systems  int           `json:"systems"`
	Agencies []AgencyCount `json:"agencies"`
	// Shared is true when systems of more than one agency run here.
	Shared bool `json:"shared"`
}

// AgencySummary is one agency's line on the home page.
type AgencySummary struct {
	ID         int64          `json:"id"`
	Name       string         `json:"name"`
	ShortName  string         `json:"short_name"`
	Systems    int            `json:"systems"`
	Facilities int            `json:"facilities"`
	ByGrade    map[string]int `json:"by_grade"`
	ByOperator map[string]int `json:"by_operator"`
}

// Summary is the ministry's view at a glance (GET /api/v1/summary).
type Summary struct {
	Systems              int                `json:"systems"`
	Facilities           int                `json:"facilities"`
	ByGrade              map[string]int     `json:"by_grade"`
	ByOperator           map[string]int     `json:"by_operator"`
	FacilitiesByOperator map[string]int     `json:"facilities_by_operator"`
	Grade12ByOperator    map[string]int     `json:"grade12_by_operator"`
	Unplaced             int                `json:"unplaced"`
	Survey               Survey             `json:"survey"`
	PerFacility          []*FacilitySummary `json:"per_facility"`
	PerAgency            []*AgencySummary   `json:"per_agency"`
}

// HasRedundancy is the survey's "이중화": at least one IT layer (WEB, WAS,
// DB, storage) runs on more than one machine.
func HasRedundancy(layers map[string]string) bool {
	for _, l := range []string{"web", "was", "db", "storage"} {
		if layers[l] == Yes {
			return true
		}
	}
	return false
}

// HasOffsite is the survey's "소산": a copy leaves the facility somehow.
func HasOffsite(method string) bool { return method != Unknown && method != No && method != "" }

// HasDR is the survey's "재해복구": a DR site with any performance.
func HasDR(performance string) bool { return performance == DRPartial || performance == DRSimilar }

func zeroCounts(keys []string) map[string]int {
	m := make(map[string]int, len(keys))
	for _, k := range keys {
		m[k] = 0
	}
	return m
}

// Summarize counts the ministry's figures from the records. It is a pure
// function, so that the home page, the API and the data-quality checks all
// count the same way.
func Summarize(agencies []*Agency, facilities []*Facility, systems []SystemFacts) *Summary {
	sum := &Summary{
		Systems:              len(systems),
		Facilities:           len(facilities),
		ByGrade:              zeroCounts(GradeKeys),
		ByOperator:           zeroCounts(Operators),
		FacilitiesByOperator: zeroCounts(Operators),
		Grade12ByOperator:    zeroCounts(Operators),
	}
	facilityByID := map[int64]*FacilitySummary{}
	operatorOf := map[int64]string{}
	for _, f := range facilities {
		fs := &FacilitySummary{ID: f.ID, Name: f.Name, Operator: f.Operator}
		sum.PerFacility = append(sum.PerFacility, fs)
		facilityByID[f.ID] = fs
		operatorOf[f.ID] = f.Operator
		sum.FacilitiesByOperator[f.Operator]++
	}
	agencyByID := map[int64]*AgencySummary{}
	agencyName := map[int64]string{}
	for _, a := range agencies {
		as := &AgencySummary{ID: a.ID, Name: a.Name, ShortName: a.ShortName, ByGrade: zeroCounts(GradeKeys), ByOperator: zeroCounts(Operators)}
		sum.PerAgency = append(sum.PerAgency, as)
		agencyByID[a.ID] = as
		agencyName[a.ID] = a.Name
	}
	perFacilityAgency := map[int64]map[int64]int{}
	agencyFacilities := map[int64]map[int64]bool{}
	for _, s := range systems {
		grade := GradeKey(s.Grade)
		sum.ByGrade[grade]++
		operator, placed := operatorOf[s.PrimaryFacilityID]
		if placed {
			sum.ByOperator[operator]++
			if s.Grade == 1 || s.Grade == 2 {
				sum.Grade12ByOperator[operator]++
			}
			if perFacilityAgency[s.PrimaryFacilityID] == nil {
				perFacilityAgency[s.PrimaryFacilityID] = map[int64]int{}
			}
			perFacilityAgency[s.PrimaryFacilityID][s.AgencyID]++
			facilityByID[s.PrimaryFacilityID].Systems++
		} else {
			sum.Unplaced++
		}
		if as := agencyByID[s.AgencyID]; as != nil {
			as.Systems++
			as.ByGrade[grade]++
			if placed {
				as.ByOperator[operator]++
				if agencyFacilities[s.AgencyID] == nil {
					agencyFacilities[s.AgencyID] = map[int64]bool{}
				}
				agencyFacilities[s.AgencyID][s.PrimaryFacilityID] = true
			}
		}
		if s.Surveyed {
			sum.Survey.Surveyed++
			if s.Manual == Yes {
				sum.Survey.Manual++
			}
			if HasRedundancy(s.Redundancy) {
				sum.Survey.Redundancy++
			}
			if HasDR(s.DRPerformance) {
				sum.Survey.DR++
			}
			if s.DRPerformance == DRSimilar {
				sum.Survey.DRSimilar++
			}
			if s.HasBackup {
				sum.Survey.Backup++
			}
			if HasOffsite(s.OffsiteMethod) {
				sum.Survey.Offsite++
			}
		}
	}
	for _, fs := range sum.PerFacility {
		for id, n := range perFacilityAgency[fs.ID] {
			fs.Agencies = append(fs.Agencies, AgencyCount{ID: id, Name: agencyName[id], Systems: n})
		}
		sort.Slice(fs.Agencies, func(i, j int) bool { return fs.Agencies[i].ID < fs.Agencies[j].ID })
		fs.Shared = len(fs.Agencies) > 1
	}
	for _, as := range sum.PerAgency {
		as.Facilities = len(agencyFacilities[as.ID])
	}
	return sum
}

// Metrics a declared figure can name, each counted from the records by Metric.
var Metrics = []string{
	"systems", "facilities",
	"grade_1", "grade_2", "grade_3", "grade_4", "grade_none",
	"operator_nirs", "operator_self", "operator_private",
	"facilities_nirs", "facilities_self", "facilities_private",
	"grade12_nirs", "grade12_self", "grade12_private",
	"grade4_share_pct",
	"surveyed", "survey_manual", "survey_redundancy", "survey_dr", "survey_dr_similar", "survey_backup", "survey_offsite",
}

// Metric counts a metric from the summary, for the whole ministry, one
// agency (agencyID), or one agency's systems in one facility (both). It
// reports false for a metric it cannot count at that level.
func (sum *Summary) Metric(metric string, agencyID, facilityID int64) (float64, bool) {
	switch {
	case agencyID != 0 && facilityID != 0:
		if metric != "systems" {
			return 0, false
		}
		for _, fs := range sum.PerFacility {
			if fs.ID == facilityID {
				for _, a := range fs.Agencies {
					if a.ID == agencyID {
						return float64(a.Systems), true
					}
				}
				return 0, true
			}
		}
		return 0, false
	case facilityID != 0:
		for _, fs := range sum.PerFacility {
			if fs.ID == facilityID && metric == "systems" {
				return float64(fs.Systems), true
			}
		}
		return 0, false
	case agencyID != 0:
		for _, as := range sum.PerAgency {
			if as.ID != agencyID {
				continue
			}
			switch metric {
			case "systems":
				return float64(as.Systems), true
			case "facilities":
				return float64(as.Facilities), true
			}
			if grade, ok := strings.CutPrefix(metric, "grade_"); ok && slices.Contains(GradeKeys, grade) {
				return float64(as.ByGrade[grade]), true
			}
		}
		return 0, false
	}
	switch metric {
	case "systems":
		return float64(sum.Systems), true
	case "facilities":
		return float64(sum.Facilities), true
	case "grade4_share_pct":
		if sum.Systems == 0 {
			return 0, true
		}
		return math.Round(float64(sum.ByGrade["4"])*1000/float64(sum.Systems)) / 10, true
	case "surveyed":
		return float64(sum.Survey.Surveyed), true
	case "survey_manual":
		return float64(sum.Survey.Manual), true
	case "survey_redundancy":
		return float64(sum.Survey.Redundancy), true
	case "survey_dr":
		return float64(sum.Survey.DR), true
	case "survey_dr_similar":
		return float64(sum.Survey.DRSimilar), true
	case "survey_backup":
		return float64(sum.Survey.Backup), true
	case "survey_offsite":
		return float64(sum.Survey.Offsite), true
	}
	for prefix, counts := range map[string]map[string]int{
		"grade_": sum.ByGrade, "operator_": sum.ByOperator, "facilities_": sum.FacilitiesByOperator, "grade12_": sum.Grade12ByOperator,
	} {
		if key, ok := strings.CutPrefix(metric, prefix); ok {
			if n, ok := counts[key]; ok {
				return float64(n), true
			}
		}
	}
	return 0, false
}

// Summary counts the figures of the systems in scope with three narrow
// queries, so that the home page stays fast at whole-of-government size.
// They read one snapshot, so that the counts agree with each other.
func (s *Store) Summary(ctx context.Context, scope access.Scope) (*Summary, error) {
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("inventory: summary: %w", err)
	}
	defer tx.Rollback()
	agencies, err := listAgencies(ctx, tx, scope)
	if err != nil {
		return nil, err
	}
	facilities, err := listFacilities(ctx, tx, scope)
	if err != nil {
		return nil, err
	}
	facts, err := listFacts(ctx, tx, scope)
	if err != nil {
		return nil, err
	}
	return Summarize(agencies, facilities, facts), nil
}

func listFacts(ctx context.Context, q queryer, scope access.Scope) ([]SystemFacts, error) {
	var args []any
	rows, err := q.QueryContext(ctx, `SELECT id, agency_id, grade, primary_facility_id, surveyed, manual, dr_performance,
		redundancy_web, redundancy_was, redundancy_db, redundancy_storage, backup_full_every, backup_incr_every, offsite_method
		FROM systems WHERE `+scope.Where("agency_id", &args)+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: list system facts: %w", err)
	}
	defer rows.Close()
	var list []SystemFacts
	for rows.Next() {
		var f SystemFacts
		var grade, facility, full, incr sql.NullInt64
		var web, was, db, storage string
		if err := rows.Scan(&f.ID, &f.AgencyID, &grade, &facility, &f.Surveyed, &f.Manual, &f.DRPerformance,
			&web, &was, &db, &storage, &full, &incr, &f.OffsiteMethod); err != nil {
			return nil, fmt.Errorf("inventory: scan system facts: %w", err)
		}
		f.Grade, f.PrimaryFacilityID = int(grade.Int64), facility.Int64
		f.Redundancy = map[string]string{"web": web, "was": was, "db": db, "storage": storage}
		f.HasBackup = full.Int64 > 0 || incr.Int64 > 0
		list = append(list, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inventory: list system facts: %w", err)
	}
	return list, nil
}

// Facts turns full system records into the facts Summarize counts.
func Facts(systems []*System) []SystemFacts {
	facts := make([]SystemFacts, len(systems))
	for i, s := range systems {
		var facility int64
		if s.PrimaryFacilityID != nil {
			facility = *s.PrimaryFacilityID
		}
		facts[i] = SystemFacts{
			ID: s.ID, AgencyID: s.AgencyID, Grade: s.Grade, PrimaryFacilityID: facility, Surveyed: s.Surveyed,
			Manual: s.Manual, DRPerformance: s.DRPerformance, Redundancy: s.Redundancy,
			HasBackup:     (s.BackupFullEvery != nil && *s.BackupFullEvery > 0) || (s.BackupIncrEvery != nil && *s.BackupIncrEvery > 0),
			OffsiteMethod: s.OffsiteMethod,
		}
	}
	return facts
}
