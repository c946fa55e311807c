package incident

import (
	"slices"
	"testing"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/locale"
)

var t0 = time.Date(2025, 9, 26, 20, 15, 0, 0, time.UTC)

func TestCanMove(t *testing.T) {
	scenarios := []struct {
		from, to State
		want     bool
	}{
		{Detected, Declared, true},
		{Detected, Resolved, true}, // a blip that recovered by itself
		{Detected, Reviewed, false},
		{Declared, Mitigated, true},
		{Declared, Detected, false},
		{Mitigated, Declared, true}, // failed again
		{Mitigated, Reviewed, false},
		{Resolved, Reviewed, true},
		{Resolved, Declared, true}, // it was not over
		{Reviewed, Declared, false},
		{Reviewed, Resolved, false},
		{Declared, Declared, false},
		{"", Declared, false},
	}
	for _, s := range scenarios {
		if got := CanMove(s.from, s.to); got != s.want {
			t.Errorf("CanMove(%s, %s) = %v", s.from, s.to, got)
		}
	}
	var open []State
	for _, s := range States {
		if s.Open() {
			open = append(open, s)
		}
	}
	if !slices.Equal(open, []State{Detected, Declared, Mitigated}) {
		t.Errorf("open states %v", open)
	}
}

func TestSeverityOf(t *testing.T) {
	scenarios := []struct {
		grades []int
		want   Severity
	}{
		{[]int{4, 1, 3}, SeverityNational},
		{[]int{2, 2}, SeverityMajor},
		{[]int{3, 0}, SeverityModerate},
		{[]int{4}, SeverityMinor},
		{[]int{0}, SeverityMinor},
		{nil, SeverityMinor},
		{[]int{7, 3}, SeverityModerate}, // a grade that does not exist counts for nothing
	}
	for _, s := range scenarios {
		if got := SeverityOf(s.grades); got != s.want {
			t.Errorf("SeverityOf(%v) = %s, want %s", s.grades, got, s.want)
		}
	}
}

func TestClock(t *testing.T) {
	hour := time.Hour
	running := Clock{Start: t0, Target: 2 * hour}
	scenarios := []struct {
		name  string
		clock Clock
		at    time.Duration // after t0
		stage Stage
		sent  Stage
		due   []Stage
	}{
		{"just begun", running, 10 * time.Minute, StageRunning, StageRunning, nil},
		{"at half", running, hour, StageHalf, StageRunning, []Stage{StageHalf}},
		{"half sent, not yet 80 %", running, 90 * time.Minute, StageHalf, StageHalf, nil},
		{"at 80 %", running, 96 * time.Minute, StageLate, StageHalf, []Stage{StageLate}},
		{"checked late: every stage passed, once each", running, 3 * hour, StageBreached, StageRunning, []Stage{StageHalf, StageLate, StageBreached}},
		{"breach sent", running, 5 * hour, StageBreached, StageBreached, nil},
		{"stopped before half owes nothing", Clock{Start: t0, Stop: t0.Add(30 * time.Minute), Target: 2 * hour}, 5 * hour, StageRunning, StageRunning, nil},
		{"no target: nothing to warn against", Clock{Start: t0}, 100 * hour, StageRunning, StageRunning, nil},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			now := t0.Add(s.at)
			if got := s.clock.Stage(now); got != s.stage {
				t.Errorf("stage %d, want %d", got, s.stage)
			}
			if got := s.clock.Due(s.sent, now); !slices.Equal(got, s.due) {
				t.Errorf("due %v, want %v", got, s.due)
			}
		})
	}

	stopped := Clock{Start: t0, Stop: t0.Add(90 * time.Minute), Target: 2 * hour}
	if e := stopped.Elapsed(t0.Add(10 * hour)); e != 90*time.Minute {
		t.Errorf("a stopped clock's elapsed %v", e)
	}
	if met, ok := stopped.Met(); !met || !ok {
		t.Errorf("90 min against 2 h: met %v ok %v", met, ok)
	}
	if met, ok := (Clock{Start: t0, Stop: t0.Add(3 * hour), Target: 2 * hour}).Met(); met || !ok {
		t.Errorf("3 h against 2 h: met %v ok %v", met, ok)
	}
	if _, ok := running.Met(); ok {
		t.Error("a running clock is judged")
	}
	if share, ok := running.Share(t0.Add(30 * time.Minute)); !ok || share != 0.25 {
		t.Errorf("share %v %v", share, ok)
	}
	if e := running.Elapsed(t0.Add(-time.Minute)); e != 0 {
		t.Errorf("elapsed before the start %v", e)
	}
}

func TestEscalates(t *testing.T) {
	scenarios := []struct {
		grade int
		stage Stage
		want  bool
	}{
		{1, StageHalf, false},
		{1, StageLate, true},
		{2, StageBreached, true},
		{3, StageBreached, false},
		{0, StageBreached, false},
	}
	for _, s := range scenarios {
		if got := Escalates(s.grade, s.stage); got != s.want {
			t.Errorf("Escalates(%d, %d) = %v", s.grade, s.stage, got)
		}
	}
}

func TestReportingOf(t *testing.T) {
	scenarios := []struct {
		name     string
		reported time.Time
		now      time.Time
		within   time.Duration
		want     Reporting
	}{
		{"reported in 10 minutes", t0.Add(10 * time.Minute), t0.Add(time.Hour), 0, Reporting{Delay: 10 * time.Minute, Reported: true, Credited: true}},
		{"reported after 45 minutes", t0.Add(45 * time.Minute), t0.Add(time.Hour), 0, Reporting{Delay: 45 * time.Minute, Reported: true}},
		{"reported before the probes saw it", t0.Add(-5 * time.Minute), t0.Add(time.Hour), 0, Reporting{Reported: true, Credited: true}},
		{"not reported yet, still in time", time.Time{}, t0.Add(20 * time.Minute), 0, Reporting{}},
		{"not reported, time passed", time.Time{}, t0.Add(31 * time.Minute), 0, Reporting{Unreported: true}},
		{"a stricter agency setting", time.Time{}, t0.Add(11 * time.Minute), 10 * time.Minute, Reporting{Unreported: true}},
	}
	for _, s := range scenarios {
		if got := ReportingOf(t0, s.reported, s.now, s.within); got != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, got, s.want)
		}
	}
}

func TestManualBatch(t *testing.T) {
	scenarios := []struct {
		name  string
		batch ManualBatch
		field string // the first problem's field; "" for none
	}{
		{"counted only", ManualBatch{Office: "서울고용센터", Count: 120}, ""},
		{"with receipts", ManualBatch{Office: "서울고용센터", Count: 120, FirstReceipt: "고용-2025-0001", LastReceipt: "고용-2025-0120", Entered: 40}, ""},
		{"no office", ManualBatch{Count: 3}, "office"},
		{"nothing taken", ManualBatch{Office: "부산", Count: 0}, "count"},
		{"more entered than taken", ManualBatch{Office: "부산", Count: 3, Entered: 4}, "entered"},
		{"half a range", ManualBatch{Office: "부산", Count: 3, FirstReceipt: "A-1"}, "last_receipt"},
		{"range and count disagree", ManualBatch{Office: "부산", Count: 10, FirstReceipt: "A-001", LastReceipt: "A-020"}, "count"},
		{"prefixes differ", ManualBatch{Office: "부산", Count: 2, FirstReceipt: "A-1", LastReceipt: "B-2"}, "last_receipt"},
		{"backwards", ManualBatch{Office: "부산", Count: 2, FirstReceipt: "A-9", LastReceipt: "A-8"}, "last_receipt"},
		{"no number", ManualBatch{Office: "부산", Count: 2, FirstReceipt: "가", LastReceipt: "나"}, "last_receipt"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			s.batch.Normalize()
			problems := s.batch.Validate()
			got := ""
			if len(problems) > 0 {
				got = problems[0].Field
				if msg := (&apperror.Error{Key: problems[0].Key, Args: problems[0].Args}).Message(locale.Korean); msg == problems[0].Key {
					t.Errorf("no Korean words for %s", problems[0].Key)
				}
			}
			if got != s.field {
				t.Errorf("problems %v, want the first on %q", problems, s.field)
			}
		})
	}
	if n, ok := ReceiptRange("2025-0099", "2025-0101"); !ok || n != 3 {
		t.Errorf("range across a carry: %d %v", n, ok)
	}
}

func TestBacklogAndReview(t *testing.T) {
	inc := Incident{Batches: []*Batch{{ManualBatch: ManualBatch{Office: "서울", Count: 120, Entered: 120}},
		{ManualBatch: ManualBatch{Office: "부산", Count: 30, Entered: 25}}}}
	if n := inc.Outstanding(); n != 5 {
		t.Fatalf("outstanding %d, want 5", n)
	}
	if CanReview(5, "") || CanReview(5, "   ") {
		t.Error("reviewed with 5 items outstanding and no reason")
	}
	if !CanReview(5, "민원인에게 반환(5건), 기관장 승인") || !CanReview(0, "") {
		t.Error("refused with a reason, or with nothing outstanding")
	}
}
