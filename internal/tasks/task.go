// Package tasks holds the plan's implementation tasks (1-4 이행과제 선정,
// SPEC §4.4): each agency's tasks with their term, owner, due date, status,
// the records they name and the check criterion decided when they are
// planned; the catalogue of task templates (the plan's examples); and the
// proposals that gaps and target violations make (propose.go). Proposals are
// computed from the records, never stored: only a user's decision is — an
// accepted proposal becomes a task that carries its key, a dismissed one a
// Dismissal with the reason.
package tasks

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

// Terms: the plan splits tasks by whether they need new budget or staff.
const (
	TermShort   = "short"    // 단기: practical measures, no new budget or staff
	TermMidLong = "mid_long" // 중장기: needs budget, staff or new infrastructure
)

// Terms in the order pages list them.
var Terms = []string{TermShort, TermMidLong}

// Statuses of a task.
const (
	StatusPlanned    = "planned"
	StatusInProgress = "in_progress"
	StatusDone       = "done"
	StatusDropped    = "dropped"
)

// Statuses in the order a task goes through them.
var Statuses = []string{StatusPlanned, StatusInProgress, StatusDone, StatusDropped}

// Limits on what a task holds; texts fit a spreadsheet cell as the
// inventory's do.
const (
	MaxLinks = 1000 // systems, facilities or risks one task names
	// MaxReason bounds a dismissal's reason.
	MaxReason = 2000
)

// DateLayout is how a due date is written and stored.
const DateLayout = "2006-01-02"

// Task is one implementation task (이행과제) of an agency.
type Task struct {
	ID          int64  `json:"id"`
	AgencyID    int64  `json:"agency_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Term        string `json:"term"`
	Owner       string `json:"owner"`
	// Due is the due date, a calendar day in Korea: YYYY-MM-DD.
	Due    string `json:"due"`
	Status string `json:"status"`
	// Criterion is how the task will be checked (점검 기준), decided when it
	// is planned: it cannot change once the task has left "planned"
	// (CheckChange).
	Criterion   string  `json:"criterion"`
	SystemIDs   []int64 `json:"system_ids"`
	FacilityIDs []int64 `json:"facility_ids"`
	// RiskIDs are the agency's risk entries the task treats.
	RiskIDs []int64 `json:"risk_ids"`
	// Template is the catalogue template the task was started from, if any.
	Template string `json:"template"`
	// ProposalKey is the proposal the task was accepted from, if any; it
	// is set by accepting (see Proposal.Suggest), never changed afterwards.
	ProposalKey string    `json:"proposal_key"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	CreatedBy   string    `json:"created_by"`
	UpdatedBy   string    `json:"updated_by"`
}

// Open reports whether the task is still to be done.
func (t *Task) Open() bool { return t.Status == StatusPlanned || t.Status == StatusInProgress }

// Overdue reports whether an open task is past its due date on today
// (YYYY-MM-DD).
func (t *Task) Overdue(today string) bool { return t.Open() && t.Due != "" && t.Due < today }

// DueDate is the due date for locale.Date: "2025. 9. 26."; zero when unset.
func (t *Task) DueDate() time.Time {
	d, err := time.ParseInLocation(DateLayout, t.Due, locale.KST)
	if err != nil {
		return time.Time{}
	}
	return d
}

// Today is the date in Korea now, as Due is written.
func Today(now time.Time) string { return now.In(locale.KST).Format(DateLayout) }

// ParseDate reads a date as people write it — "2025-09-26", "2025. 9. 26.",
// "2025.9.26", "2025/9/26" — and returns it as stored (YYYY-MM-DD).
func ParseDate(text string) (string, error) {
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == '-' || r == '.' || r == '/' || r == ' ' })
	if len(fields) != 3 {
		return "", fmt.Errorf("tasks: %q is not a date", text)
	}
	var y, m, d int
	if _, err := fmt.Sscanf(strings.Join(fields, " "), "%d %d %d", &y, &m, &d); err != nil {
		return "", fmt.Errorf("tasks: %q is not a date", text)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, locale.KST)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d || y < 2000 || y > 2100 {
		return "", fmt.Errorf("tasks: %q is not a date", text)
	}
	return t.Format(DateLayout), nil
}

// SuggestedDue is the due date a proposal suggests from today: a short-term
// task within about three months (90 days), a mid/long-term one by the end
// of next year — the plan funds such work through the next year's budget.
func SuggestedDue(term string, today time.Time) string {
	today = today.In(locale.KST)
	if term == TermMidLong {
		return time.Date(today.Year()+1, time.December, 31, 0, 0, 0, 0, locale.KST).Format(DateLayout)
	}
	return today.AddDate(0, 0, 90).Format(DateLayout)
}

// Validate lists every problem of a task's own fields; whether the records
// it names are the agency's is the store's to check.
func (t *Task) Validate() inventory.Problems {
	var p inventory.Problems
	if t.AgencyID <= 0 {
		p.Add("agency_id", "invalid.required")
	}
	p.Required("title", t.Title)
	p.Text("title", t.Title, inventory.MaxName)
	p.Text("description", t.Description, inventory.MaxLongText)
	p.OneOf("term", t.Term, Terms)
	p.Text("owner", t.Owner, inventory.MaxShortText)
	if t.Due == "" {
		p.Add("due", "invalid.required")
	} else if d, err := ParseDate(t.Due); err != nil || d != t.Due {
		p.Add("due", "tasks.invalid.date", t.Due)
	}
	p.OneOf("status", t.Status, Statuses)
	p.Required("criterion", t.Criterion)
	p.Text("criterion", t.Criterion, inventory.MaxShortText*4)
	if t.Template != "" {
		if _, ok := TemplateByKey(t.Template); !ok {
			p.Add("template", "tasks.invalid.template", t.Template)
		}
	}
	for _, l := range links {
		if len(*l.ids(t)) > MaxLinks {
			p.Add(l.field, "invalid.too_many", MaxLinks)
		}
	}
	return p
}

// CheckChange says whether the stored task may become next. The check
// criterion is fixed once the task has left "planned": it is what the task
// was planned against, and changing it once work is under way would move the
// goal. For the same reason a task never returns to "planned". A task stays
// with the agency it was planned for. Moving from planned to in progress may
// still set the criterion in the same change: it is fixed from then on.
func CheckChange(stored, next *Task) error {
	switch {
	case next.AgencyID != stored.AgencyID:
		return apperror.New(apperror.Invalid, "agency_id", "tasks.invalid.agency_fixed")
	case stored.Status != StatusPlanned && next.Status == StatusPlanned:
		return apperror.New(apperror.Invalid, "status", "tasks.invalid.back_to_planned")
	case stored.Status != StatusPlanned && next.Criterion != stored.Criterion:
		return apperror.New(apperror.Invalid, "criterion", "tasks.invalid.criterion_fixed")
	}
	return nil
}

// normalize trims what a person typed and puts the links in order, once,
// before the task is validated and stored.
func (t *Task) normalize() {
	t.Title, t.Owner = strings.TrimSpace(t.Title), strings.TrimSpace(t.Owner)
	t.Description, t.Criterion = strings.TrimSpace(t.Description), strings.TrimSpace(t.Criterion)
	t.Due = strings.TrimSpace(t.Due)
	if d, err := ParseDate(t.Due); err == nil {
		t.Due = d
	}
	for _, l := range links {
		*l.ids(t) = sortedIDs(*l.ids(t))
	}
}

func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []int64{}
	}
	return out
}
