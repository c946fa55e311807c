package incident_test

import (
	"strings"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/tasks"
	"yeonsok/internal/testdb"
)

// services adds to the fixture: 고용보험 (public) on 고용보험시스템, which
// depends on 노동보험시스템; 내부결재 (internal) on 고용보험시스템 too; and
// 산재보상 (public) on nothing that goes down; and 한국고용정보원's public
// 고용보험 안내 and internal 통계 on 고용보험시스템.
func (f *fixture) services(t *testing.T) (insured, internal, unrelated *inventory.Service) {
	t.Helper()
	othersPublic := &inventory.Service{AgencyID: f.keis.ID, Name: "고용보험 안내", Audience: "public", SystemIDs: []int64{f.employment.ID}}
	othersInternal := &inventory.Service{AgencyID: f.keis.ID, Name: "통계", Audience: "internal", SystemIDs: []int64{f.employment.ID}}
	insured = &inventory.Service{AgencyID: f.welfare.ID, Name: "고용보험", Audience: "public",
		ManualWorkaround: "가까운 고용센터 방문 또는 팩스(02-000-0000) 접수", SystemIDs: []int64{f.employment.ID}}
	internal = &inventory.Service{AgencyID: f.welfare.ID, Name: "내부결재", Audience: "internal", SystemIDs: []int64{f.employment.ID}}
	unrelated = &inventory.Service{AgencyID: f.welfare.ID, Name: "산재보상", Audience: "public"}
	err := f.inv.Update(f.ctx, access.All(), func(tx *inventory.Tx) error {
		if err := tx.CreateDependency(f.ctx, &inventory.Dependency{FromSystemID: f.employment.ID, ToSystemID: f.insurance.ID, Kind: "database"}); err != nil {
			return err
		}
		for _, s := range []*inventory.Service{insured, internal, unrelated, othersPublic, othersInternal} {
			if err := tx.CreateService(f.ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return insured, internal, unrelated
}

func TestManualModeBacklogLossesAndReview(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		insured, internal, _ := f.services(t)
		// Only 노동보험시스템 goes down; 고용보험시스템 depends on it.
		inc, _, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.insurance.ID, At: t0, Source: incident.SourceMonitor})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range inc.Services {
			names = append(names, s.Name)
			if s.Direct {
				t.Errorf("%s is affected through a dependency, not directly", s.Name)
			}
		}
		if strings.Join(names, ",") != "고용보험,고용보험 안내,내부결재" {
			t.Errorf("affected services %v, want 고용보험, 내부결재 and the other agency's public 고용보험 안내 through the dependency", names)
		}
		// The other agency's public service may be run by hand from here.
		others := inc.Services[1]
		if got, err := f.store.SwitchManual(f.ctx, f.welfareScope, inc.ID, others.ServiceID, true, "안내 전화 1350"); err != nil ||
			!got.Services[1].Manual.On() {
			t.Fatalf("the other agency's public service in manual mode: %v", err)
		}
		if _, err := f.store.SwitchManual(f.ctx, f.welfareScope, inc.ID, others.ServiceID, false, ""); err != nil {
			t.Fatal(err)
		}

		// Manual mode: the service's workaround is the notice by default;
		// another agency cannot switch it, nor a service not of the agency.
		if _, err := f.store.SwitchManual(f.ctx, f.keisScope, inc.ID, insured.ID, true, ""); code(err) != apperror.NotFound {
			t.Errorf("another agency switches: %v", err)
		}
		inc, err = f.store.SwitchManual(f.ctx, f.welfareScope, inc.ID, insured.ID, true, "")
		if err != nil {
			t.Fatal(err)
		}
		if m := inc.Services[0].Manual; !m.On() || m.Notice != insured.ManualWorkaround {
			t.Errorf("manual mode %+v", m)
		}
		// A batch for a service never run by hand refuses the whole upload,
		// naming the batch.
		batches := []incident.Batch{
			{ServiceID: insured.ID, ManualBatch: incident.ManualBatch{Office: "서울고용센터", Count: 120, FirstReceipt: "고용-0001", LastReceipt: "고용-0120"}},
			{ServiceID: internal.ID, ManualBatch: incident.ManualBatch{Office: "부산고용센터", Count: 30}},
		}
		_, err = f.store.AddBatches(f.ctx, f.welfareScope, inc.ID, batches)
		if e, ok := apperror.As(err); !ok || e.Field != "batches[1].service_id" {
			t.Fatalf("batch of a service not run by hand: %v", err)
		}
		batches[1].ServiceID, batches[1].Count, batches[1].FirstReceipt, batches[1].LastReceipt = insured.ID, 30, "부산-01", "부산-29"
		_, err = f.store.AddBatches(f.ctx, f.welfareScope, inc.ID, batches)
		if e, ok := apperror.As(err); !ok || e.Field != "batches[1].count" {
			t.Fatalf("a range of 29 for 30 items: %v", err)
		}
		if again, _ := f.store.Incident(f.ctx, f.welfareScope, inc.ID); len(again.Batches) != 0 {
			t.Fatalf("a refused upload stored %d batches", len(again.Batches))
		}
		batches[1].LastReceipt = "부산-30"
		if inc, err = f.store.AddBatches(f.ctx, f.welfareScope, inc.ID, batches); err != nil {
			t.Fatal(err)
		}
		if len(inc.Batches) != 2 || inc.Outstanding() != 150 || inc.Batches[0].ServiceName != "고용보험" {
			t.Fatalf("batches %+v, outstanding %d", inc.Batches, inc.Outstanding())
		}

		// Service back: manual mode off, the incident resolved; the
		// backlog still holds the review back.
		if _, err := f.store.Restore(f.ctx, f.insurance.ID, t0.Add(40*time.Minute), "ok"); err != nil {
			t.Fatal(err)
		}
		if inc, err = f.store.SwitchManual(f.ctx, f.welfareScope, inc.ID, insured.ID, false, ""); err != nil || inc.Services[0].Manual.On() {
			t.Fatalf("manual mode off: %v", err)
		}
		if _, err := f.store.Move(f.ctx, f.welfareScope, inc.ID, incident.Resolved, "", ""); err != nil {
			t.Fatal(err)
		}
		review := incident.Review{Summary: "DB 스토리지 장애로 40분 중단", Cause: "스토리지 컨트롤러 펌웨어 결함",
			Actions: []incident.PlannedAction{{Title: "스토리지 펌웨어 정기 점검", Owner: "정보화팀", Due: "2025. 12. 31."}}}
		if _, err := f.store.WriteReview(f.ctx, f.welfareScope, inc.ID, review); code(err) != apperror.Invalid {
			t.Fatalf("review with 150 items outstanding: %v", err)
		}
		if _, err := f.store.RecordEntered(f.ctx, f.welfareScope, inc.ID, inc.Batches[0].ID, 121); code(err) != apperror.Invalid {
			t.Errorf("entered more than taken: %v", err)
		}
		for _, b := range inc.Batches {
			if _, err := f.store.RecordEntered(f.ctx, f.welfareScope, inc.ID, b.ID, b.Count); err != nil {
				t.Fatal(err)
			}
		}

		// The ledger: what was lost, and later rebuilt.
		loss := &incident.DataLoss{SystemID: f.insurance.ID, What: "보험료 납부 내역", From: t0.Add(-10 * time.Minute), To: t0,
			Rebuild: "full", RebuildFrom: "은행 수납 자료"}
		if _, err := f.store.RecordLoss(f.ctx, f.welfareScope, inc.ID, &incident.DataLoss{SystemID: f.work24.ID, What: "x",
			From: t0, To: t0}); code(err) != apperror.Invalid {
			t.Errorf("a loss of another agency's system: %v", err)
		}
		if _, err := f.store.RecordLoss(f.ctx, f.welfareScope, inc.ID, loss); err != nil {
			t.Fatal(err)
		}
		loss.RebuiltAt = t0.Add(3 * time.Hour)
		if inc, err = f.store.RecordLoss(f.ctx, f.welfareScope, inc.ID, loss); err != nil {
			t.Fatal(err)
		}
		if len(inc.Losses) != 1 || !inc.Losses[0].RebuiltAt.Equal(loss.RebuiltAt) || inc.Losses[0].SystemName != "노동보험시스템" {
			t.Fatalf("ledger %+v", inc.Losses)
		}

		// Severity by a person's decision, with a reason.
		if _, err := f.store.SetSeverity(f.ctx, f.welfareScope, inc.ID, incident.SeverityMinor, " "); code(err) != apperror.Invalid {
			t.Errorf("severity without a reason: %v", err)
		}
		if inc, err = f.store.SetSeverity(f.ctx, f.welfareScope, inc.ID, incident.SeverityMajor, "대국민 영향 제한적"); err != nil ||
			inc.Severity != incident.SeverityMajor || inc.SeverityReason != "대국민 영향 제한적" {
			t.Fatalf("severity: %+v (%v)", inc, err)
		}

		// The review: its action becomes a task of the agency naming the
		// incident's systems.
		if inc, err = f.store.WriteReview(f.ctx, f.welfareScope, inc.ID, review); err != nil {
			t.Fatal(err)
		}
		if inc.State != incident.Reviewed || inc.Cause != review.Cause || len(inc.Actions) != 1 {
			t.Fatalf("reviewed %+v", inc)
		}
		task, err := tasks.NewStore(db).Task(f.ctx, f.welfareScope, inc.Actions[0].TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if task.Title != "스토리지 펌웨어 정기 점검" || task.Due != "2025-12-31" || task.AgencyID != f.welfare.ID ||
			len(task.SystemIDs) != 1 || task.SystemIDs[0] != f.insurance.ID {
			t.Errorf("task %+v", task)
		}
		// Closed for good.
		if _, err := f.store.RecordEntered(f.ctx, f.welfareScope, inc.ID, inc.Batches[0].ID, 0); code(err) != apperror.Invalid {
			t.Errorf("changed after the review: %v", err)
		}
		kinds := map[string]int{}
		for _, e := range inc.Events {
			kinds[e.Kind]++
		}
		if kinds[incident.EventManual] != 4 || kinds[incident.EventBatch] != 4 || kinds[incident.EventLoss] != 2 ||
			kinds[incident.EventSeverity] != 1 || kinds[incident.EventReview] != 1 {
			t.Errorf("timeline kinds %v", kinds)
		}
	})
}

// A review's action that is not a valid task refuses the whole review.
func TestReviewIsAllOrNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		inc, _, err := f.store.Detect(f.ctx, incident.Signal{SystemID: f.employment.ID, At: t0, Source: incident.SourceMonitor})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.Move(f.ctx, f.welfareScope, inc.ID, incident.Resolved, "", ""); err != nil {
			t.Fatal(err)
		}
		_, err = f.store.WriteReview(f.ctx, f.welfareScope, inc.ID, incident.Review{Summary: "s", Cause: "c",
			Actions: []incident.PlannedAction{{Title: "좋은 조치", Due: "2025-12-31"}, {Title: "", Due: "2025-12-31"}}})
		if e, ok := apperror.As(err); !ok || e.Field != "actions[1].title" {
			t.Fatalf("an action without a title: %v", err)
		}
		after, _ := f.store.Incident(f.ctx, f.welfareScope, inc.ID)
		list, _ := tasks.NewStore(db).Tasks(f.ctx, f.welfareScope, tasks.Filter{})
		if after.State != incident.Resolved || after.Summary != "" || len(list) != 0 {
			t.Errorf("a refused review left state %s, summary %q, %d tasks", after.State, after.Summary, len(list))
		}
	})
}
