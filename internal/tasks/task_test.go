package tasks

import (
	"strings"
	"testing"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/locale"
)

func TestParseDate(t *testing.T) {
	scenarios := []struct {
		Name, Text, Want string
	}{
		{"stored form", "2025-09-26", "2025-09-26"},
		{"the ministry's way", "2025. 9. 26.", "2025-09-26"},
		{"dots without spaces", "2025.9.26", "2025-09-26"},
		{"slashes", "2025/12/31", "2025-12-31"},
		{"no such day", "2025-02-30", ""},
		{"month 13", "2025-13-01", ""},
		{"two parts", "2025-09", ""},
		{"words", "next week", ""},
		{"far past", "1999-12-31", ""},
		{"empty", "", ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			got, err := ParseDate(sc.Text)
			if sc.Want == "" {
				if err == nil {
					t.Errorf("%q read as %s, want an error", sc.Text, got)
				}
				return
			}
			if err != nil || got != sc.Want {
				t.Errorf("%q = %q, %v; want %q", sc.Text, got, err, sc.Want)
			}
		})
	}
}

func validTask() *Task {
	return &Task{AgencyID: 1, Title: "전산시설 출입통제", Term: TermShort, Due: "2025-12-31", Status: StatusPlanned, Criterion: "비인가 출입 0건"}
}

func TestValidate(t *testing.T) {
	scenarios := []struct {
		Name   string
		Change func(t *Task)
		Field  string
	}{
		{"valid", func(*Task) {}, ""},
		{"no agency", func(t *Task) { t.AgencyID = 0 }, "agency_id"},
		{"no title", func(t *Task) { t.Title = "  " }, "title"},
		{"title too long", func(t *Task) { t.Title = strings.Repeat("가", 201) }, "title"},
		{"unknown term", func(t *Task) { t.Term = "long" }, "term"},
		{"no due date", func(t *Task) { t.Due = "" }, "due"},
		{"due not stored form", func(t *Task) { t.Due = "2025. 12. 31." }, "due"},
		{"unknown status", func(t *Task) { t.Status = "closed" }, "status"},
		{"no criterion", func(t *Task) { t.Criterion = "" }, "criterion"},
		{"unknown template", func(t *Task) { t.Template = "nope" }, "template"},
		{"known template", func(t *Task) { t.Template = "access_control" }, ""},
		{"too many systems", func(t *Task) { t.SystemIDs = make([]int64, MaxLinks+1) }, "system_ids"},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			task := validTask()
			sc.Change(task)
			problems := task.Validate()
			if sc.Field == "" {
				if len(problems) != 0 {
					t.Errorf("problems: %v", problems)
				}
				return
			}
			if len(problems) != 1 || problems[0].Field != sc.Field || problems[0].Code != apperror.Invalid {
				t.Errorf("problems %v, want one on %s", problems, sc.Field)
			}
		})
	}
}

// The check criterion is fixed once a task has left "planned"; it may be
// set together with the move to in progress; a task never returns to
// planned, nor changes agency.
func TestCheckChange(t *testing.T) {
	with := func(status, criterion string) *Task {
		t := validTask()
		t.Status, t.Criterion = status, criterion
		return t
	}
	scenarios := []struct {
		Name         string
		Stored, Next *Task
		Field        string
	}{
		{"planned: criterion may change", with(StatusPlanned, "가"), with(StatusPlanned, "나"), ""},
		{"planned to in progress with a new criterion", with(StatusPlanned, "가"), with(StatusInProgress, "나"), ""},
		{"in progress: other fields may change", with(StatusInProgress, "가"), with(StatusDone, "가"), ""},
		{"in progress: criterion fixed", with(StatusInProgress, "가"), with(StatusInProgress, "나"), "criterion"},
		{"done: criterion fixed", with(StatusDone, "가"), with(StatusDone, "나"), "criterion"},
		{"dropped back to in progress", with(StatusDropped, "가"), with(StatusInProgress, "가"), ""},
		{"never back to planned", with(StatusInProgress, "가"), with(StatusPlanned, "가"), "status"},
		{"agency fixed", with(StatusPlanned, "가"), func() *Task { t := with(StatusPlanned, "가"); t.AgencyID = 2; return t }(), "agency_id"},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			err := CheckChange(sc.Stored, sc.Next)
			e, _ := apperror.As(err)
			switch {
			case sc.Field == "" && err != nil:
				t.Errorf("refused: %v", err)
			case sc.Field != "" && (e == nil || e.Field != sc.Field):
				t.Errorf("got %v, want a refusal on %s", err, sc.Field)
			}
		})
	}
}

func TestSuggestedDue(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 23, 30, 0, 0, locale.KST) }
	scenarios := []struct {
		Name, Term string
		Today      time.Time
		Want       string
	}{
		{"short: 90 days", TermShort, day(2025, 9, 26), "2025-12-25"},
		{"short across the year", TermShort, day(2025, 11, 15), "2026-02-13"},
		{"mid/long: end of next year", TermMidLong, day(2025, 9, 26), "2026-12-31"},
		{"KST decides the day", TermShort, time.Date(2025, 9, 25, 16, 0, 0, 0, time.UTC), "2025-12-25"},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			if got := SuggestedDue(sc.Term, sc.Today); got != sc.Want {
				t.Errorf("got %s, want %s", got, sc.Want)
			}
		})
	}
}

func TestOverdue(t *testing.T) {
	task := validTask()
	if task.Overdue("2025-12-31") || !task.Overdue("2026-01-01") {
		t.Error("a planned task is overdue from the day after its due date")
	}
	task.Status = StatusDone
	if task.Overdue("2026-01-01") {
		t.Error("a done task is never overdue")
	}
	if got := locale.Date(validTask().DueDate()); got != "2025. 12. 31." {
		t.Errorf("due date written %q", got)
	}
}

func TestTemplateStart(t *testing.T) {
	tpl, ok := TemplateByKey("access_control")
	if !ok {
		t.Fatal("the plan's first short-term example is missing")
	}
	task := tpl.Start(3, locale.Korean, time.Date(2025, 9, 26, 12, 0, 0, 0, locale.KST))
	if task.Title != "전산시설 출입통제" || task.Term != TermShort || task.Due != "2025-12-25" || task.Template != "access_control" ||
		task.AgencyID != 3 || !strings.Contains(task.Description, "동행") {
		t.Errorf("task from template: %+v", task)
	}
	if err := task.Validate().Err(); err != nil {
		t.Errorf("a task from a template must be valid: %v", err)
	}
}
