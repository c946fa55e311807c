package tasks_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/risk"
	"yeonsok/internal/sampledata"
	"yeonsok/internal/tasks"
	"yeonsok/internal/testdb"
)

// fixture is two agencies sharing a private facility (KT 목동): 근로복지공단
// runs 노동보험시스템 in its own server room with DR at KT; 한국고용정보원
// runs 고용24 at KT.
type fixture struct {
	inv            *inventory.Store
	store          *tasks.Store
	welfare, keis  *inventory.Agency
	own, kt, nirs  *inventory.Facility
	insurance, w24 *inventory.System
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{inv: inventory.NewStore(db), store: tasks.NewStore(db)}
	err := f.inv.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		f.welfare, f.keis = &inventory.Agency{Name: "근로복지공단"}, &inventory.Agency{Name: "한국고용정보원"}
		for _, a := range []*inventory.Agency{f.welfare, f.keis} {
			if err := tx.CreateAgency(ctx, a); err != nil {
				return err
			}
		}
		f.own = &inventory.Facility{Name: "근로복지공단 전산실", Operator: inventory.OperatorSelf}
		f.kt = &inventory.Facility{Name: "KT 목동", Operator: inventory.OperatorPrivate}
		f.nirs = &inventory.Facility{Name: "국정자원 대전센터", Operator: inventory.OperatorNIRS}
		for _, fac := range []*inventory.Facility{f.own, f.kt, f.nirs} {
			if err := tx.CreateFacility(ctx, fac); err != nil {
				return err
			}
		}
		f.insurance = &inventory.System{AgencyID: f.welfare.ID, Name: "노동보험시스템", Grade: 1, PrimaryFacilityID: &f.own.ID,
			DRFacilityID: &f.kt.ID, DRPerformance: inventory.DRPartial}
		f.w24 = &inventory.System{AgencyID: f.keis.ID, Name: "고용24", Grade: 1, PrimaryFacilityID: &f.kt.ID}
		for _, s := range []*inventory.System{f.insurance, f.w24} {
			if err := tx.CreateSystem(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

func (f *fixture) task(agency *inventory.Agency, title string) *tasks.Task {
	return &tasks.Task{AgencyID: agency.ID, Title: title, Term: tasks.TermShort, Due: "2025. 12. 31.", Criterion: "월 1회 점검"}
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return apperror.CodeOf(err)
}

func TestTaskRoundTrip(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, ID: 9, Name: "hong"})
		f := newFixture(t, db)
		task := f.task(f.welfare, " 전산시설 출입통제 ")
		task.SystemIDs = []int64{f.insurance.ID, f.insurance.ID}
		task.FacilityIDs = []int64{f.kt.ID, f.own.ID}
		task.Template = "access_control"
		if err := f.store.Create(ctx, access.Agency(f.welfare.ID), task); err != nil {
			t.Fatal(err)
		}
		got, err := f.store.Task(ctx, access.Agency(f.welfare.ID), task.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "전산시설 출입통제" || got.Due != "2025-12-31" || got.Status != tasks.StatusPlanned || got.CreatedBy != "hong" ||
			got.UpdatedBy != "hong" || got.CreatedAt.IsZero() || len(got.SystemIDs) != 1 || len(got.FacilityIDs) != 2 ||
			got.FacilityIDs[0] != min(f.kt.ID, f.own.ID) || got.Template != "access_control" {
			t.Fatalf("read back %+v", got)
		}

		other := f.task(f.keis, "보안패치")
		other.Term = tasks.TermMidLong
		if err := f.store.Create(ctx, access.All(), other); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			scope  access.Scope
			filter tasks.Filter
			want   int
		}{
			{"ministry sees all", access.All(), tasks.Filter{}, 2},
			{"an agency its own", access.Agency(f.welfare.ID), tasks.Filter{}, 1},
			{"by agency", access.All(), tasks.Filter{AgencyID: f.keis.ID}, 1},
			{"another agency's filter in an agency scope", access.Agency(f.welfare.ID), tasks.Filter{AgencyID: f.keis.ID}, 0},
			{"by term", access.All(), tasks.Filter{Term: tasks.TermMidLong}, 1},
			{"by status", access.All(), tasks.Filter{Status: tasks.StatusDone}, 0},
		} {
			list, err := f.store.Tasks(ctx, c.scope, c.filter)
			if err != nil || len(list) != c.want {
				t.Errorf("%s: %d tasks (%v), want %d", c.name, len(list), err, c.want)
			}
		}

		// Another agency's task does not exist for an agency scope.
		scope := access.Agency(f.welfare.ID)
		if _, err := f.store.Task(ctx, scope, other.ID); code(err) != apperror.NotFound {
			t.Errorf("get another agency's task: %v", err)
		}
		changed := *other
		changed.Title = "바꿈"
		if err := f.store.Update(ctx, scope, &changed); code(err) != apperror.NotFound {
			t.Errorf("update another agency's task: %v", err)
		}
		if err := f.store.Delete(ctx, scope, other.ID); code(err) != apperror.NotFound {
			t.Errorf("delete another agency's task: %v", err)
		}
		if err := f.store.Create(ctx, scope, f.task(f.keis, "몰래")); code(err) != apperror.NotFound {
			t.Errorf("create for another agency: %v", err)
		}
		if got, _ := f.store.Task(ctx, access.All(), other.ID); got.Title != "보안패치" {
			t.Errorf("another agency's task changed: %+v", got)
		}
	})
}

// A task names its own agency's systems and risks and the facilities the
// agency runs systems in (a shared facility too); nothing else, with the
// same words whether the record exists or not.
func TestTaskLinks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		risks := risk.NewStore(db)
		ups := &risk.Entry{AgencyID: f.welfare.ID, FacilityID: &f.own.ID, SubKind: "equipment", Title: "UPS 노후화", Likelihood: 4, Impact: 4}
		keisRisk := &risk.Entry{AgencyID: f.keis.ID, SubKind: "negligence", Title: "모의훈련 미실시", Likelihood: 4, Impact: 4}
		if err := risks.Create(ctx, access.All(), ups, keisRisk); err != nil {
			t.Fatal(err)
		}
		var linked *tasks.Task
		for _, c := range []struct {
			name     string
			systems  []int64
			facility []int64
			risks    []int64
			field    string
		}{
			{"own system, shared facility, own risk", []int64{f.insurance.ID}, []int64{f.kt.ID}, []int64{ups.ID}, ""},
			{"another agency's system", []int64{f.w24.ID}, nil, nil, "system_ids"},
			{"no such system", []int64{999999}, nil, nil, "system_ids"},
			{"a facility it runs nothing in", nil, []int64{f.nirs.ID}, nil, "facility_ids"},
			{"another agency's risk", nil, nil, []int64{keisRisk.ID}, "risk_ids"},
			{"no such risk", nil, nil, []int64{999999}, "risk_ids"},
		} {
			task := f.task(f.welfare, c.name)
			task.SystemIDs, task.FacilityIDs, task.RiskIDs = c.systems, c.facility, c.risks
			if c.field == "" {
				linked = task
			}
			err := f.store.Create(ctx, access.All(), task)
			e, _ := apperror.As(err)
			switch {
			case c.field == "" && err != nil:
				t.Errorf("%s: %v", c.name, err)
			case c.field != "" && (e == nil || e.Field != c.field || e.Code != apperror.Invalid):
				t.Errorf("%s: %v, want invalid %s", c.name, err, c.field)
			}
		}
		if got, _ := f.store.Task(ctx, access.All(), linked.ID); len(got.RiskIDs) != 1 || got.RiskIDs[0] != ups.ID {
			t.Errorf("risks read back: %v", got.RiskIDs)
		}
		// A system or risk a task names cannot be deleted out from under it.
		err := f.inv.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.DeleteSystem(ctx, f.insurance.ID) })
		if code(err) != apperror.Conflict {
			t.Errorf("delete a linked system: %v, want a conflict", err)
		}
		err = risks.Delete(ctx, access.All(), ups.ID)
		if e, _ := apperror.As(err); e == nil || e.Code != apperror.Conflict || e.Key != "risk.conflict.in_task" {
			t.Errorf("delete a linked risk: %v, want the conflict of a risk in use", err)
		}
		// Once the task lets go of it, it can be.
		linked.RiskIDs = nil
		if err := f.store.Update(ctx, access.All(), linked); err != nil || len(linked.RiskIDs) != 0 {
			t.Fatalf("unlink the risk: %v %v", err, linked.RiskIDs)
		}
		if err := risks.Delete(ctx, access.All(), ups.ID); err != nil {
			t.Errorf("delete a risk no task names: %v", err)
		}
	})
}

func TestTaskUpdateRules(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		scope := access.Agency(f.welfare.ID)
		task := f.task(f.welfare, "보안패치")
		if err := f.store.Create(ctx, scope, task); err != nil {
			t.Fatal(err)
		}
		entries := func() int {
			list, err := audit.List(ctx, db, access.Agency(f.welfare.ID), audit.Filter{Kind: audit.KindTask, RecordID: task.ID})
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		if entries() != 1 {
			t.Fatalf("creation not in the agency's audit log")
		}
		// Nothing changed: nothing written.
		same := *task
		if err := f.store.Update(ctx, scope, &same); err != nil || entries() != 1 {
			t.Errorf("an update that changes nothing: %v, %d entries", err, entries())
		}
		// Start it and fix its criterion in one change.
		next := *task
		next.Status, next.Criterion, next.AgencyID = tasks.StatusInProgress, "패치 미적용 0건", 0
		if err := f.store.Update(ctx, scope, &next); err != nil {
			t.Fatal(err)
		}
		if next.AgencyID != f.welfare.ID || next.Criterion != "패치 미적용 0건" || entries() != 2 {
			t.Fatalf("after starting: %+v, %d entries", next, entries())
		}
		for _, c := range []struct {
			name   string
			change func(t *tasks.Task)
			field  string
		}{
			{"criterion once under way", func(t *tasks.Task) { t.Criterion = "다른 기준" }, "criterion"},
			{"back to planned", func(t *tasks.Task) { t.Status = tasks.StatusPlanned }, "status"},
			{"to another agency", func(t *tasks.Task) { t.AgencyID = f.keis.ID }, "agency_id"},
			{"a bad date", func(t *tasks.Task) { t.Due = "언젠가" }, "due"},
		} {
			bad := next
			c.change(&bad)
			err := f.store.Update(ctx, access.All(), &bad)
			if e, _ := apperror.As(err); e == nil || e.Field != c.field {
				t.Errorf("%s: %v, want a refusal on %s", c.name, err, c.field)
			}
		}
		done := next
		done.Status, done.Owner = tasks.StatusDone, "김담당"
		if err := f.store.Update(ctx, scope, &done); err != nil || done.Owner != "김담당" || entries() != 3 {
			t.Fatalf("finish: %v %+v", err, done)
		}
		list, _ := audit.List(ctx, db, scope, audit.Filter{Kind: audit.KindTask, RecordID: task.ID, Limit: 1})
		var before, after tasks.Task
		json.Unmarshal(list[0].Before, &before)
		json.Unmarshal(list[0].After, &after)
		if list[0].Action != audit.ActionUpdate || before.Status != tasks.StatusInProgress || after.Status != tasks.StatusDone || after.Owner != "김담당" {
			t.Errorf("audit entry: %s %+v → %+v", list[0].Action, before, after)
		}
		if err := f.store.Delete(ctx, scope, task.ID); err != nil || entries() != 4 {
			t.Errorf("delete: %v, %d entries", err, entries())
		}
		if report, err := audit.Verify(ctx, db); err != nil || !report.OK() {
			t.Errorf("audit chain: %v %v", err, report)
		}
	})
}

// Decisions on proposals: a key is accepted once; a dismissal needs a
// reason, is replaced when made again, refused once accepted, and can be
// taken back; every one is in the agency's audit log.
func TestDecisions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		scope := access.Agency(f.welfare.ID)
		accepted := f.task(f.welfare, "DR 구축")
		accepted.ProposalKey = "gap_rto:system-1:facility_loss"
		if err := f.store.Create(ctx, scope, accepted); err != nil {
			t.Fatal(err)
		}
		twice := f.task(f.welfare, "DR 구축 또")
		twice.ProposalKey = accepted.ProposalKey
		if err := f.store.Create(ctx, scope, twice); code(err) != apperror.Conflict {
			t.Errorf("accept twice: %v", err)
		}
		// Another agency may have a proposal of the same key (its own system).
		elsewhere := f.task(f.keis, "DR 구축")
		elsewhere.ProposalKey = accepted.ProposalKey
		if err := f.store.Create(ctx, access.All(), elsewhere); err != nil {
			t.Errorf("same key in another agency: %v", err)
		}

		d := &tasks.Dismissal{AgencyID: f.welfare.ID, ProposalKey: "targets:system-1", Fingerprint: "aaaa", Summary: "노동보험시스템: RTO·RPO 목표 설정"}
		if err := f.store.Dismiss(ctx, scope, d); code(err) != apperror.Invalid {
			t.Errorf("dismiss without a reason: %v", err)
		}
		d.Reason = "  목표는 다음 달 등급 조정 후 설정  "
		if err := f.store.Dismiss(ctx, scope, d); err != nil {
			t.Fatal(err)
		}
		again := &tasks.Dismissal{AgencyID: f.welfare.ID, ProposalKey: "targets:system-1", Fingerprint: "bbbb", Reason: "다시 기각"}
		if err := f.store.Dismiss(ctx, scope, again); err != nil {
			t.Fatal(err)
		}
		list, err := f.store.Dismissals(ctx, scope, f.welfare.ID)
		if err != nil || len(list) != 1 || list[0].Fingerprint != "bbbb" || list[0].Reason != "다시 기각" || list[0].ID != d.ID {
			t.Fatalf("dismissals after dismissing again: %v %+v", err, list)
		}
		if d.Reason != "목표는 다음 달 등급 조정 후 설정" {
			t.Errorf("reason not trimmed: %q", d.Reason)
		}
		if err := f.store.Dismiss(ctx, scope, &tasks.Dismissal{AgencyID: f.welfare.ID, ProposalKey: accepted.ProposalKey, Fingerprint: "x", Reason: "늦음"}); code(err) != apperror.Conflict {
			t.Errorf("dismiss an accepted proposal: %v", err)
		}
		if err := f.store.Dismiss(ctx, scope, &tasks.Dismissal{AgencyID: f.keis.ID, ProposalKey: "k", Fingerprint: "x", Reason: "남의 것"}); code(err) != apperror.NotFound {
			t.Errorf("dismiss for another agency: %v", err)
		}
		if list, _ := f.store.Dismissals(ctx, access.Agency(f.keis.ID), 0); len(list) != 0 {
			t.Errorf("another agency sees dismissals: %+v", list)
		}
		if err := f.store.Restore(ctx, access.Agency(f.keis.ID), f.welfare.ID, "targets:system-1"); code(err) != apperror.NotFound {
			t.Errorf("restore another agency's: %v", err)
		}
		if err := f.store.Restore(ctx, scope, f.welfare.ID, "targets:system-1"); err != nil {
			t.Fatal(err)
		}
		if err := f.store.Restore(ctx, scope, f.welfare.ID, "targets:system-1"); code(err) != apperror.NotFound {
			t.Errorf("restore twice: %v", err)
		}
		entries, _ := audit.List(ctx, db, scope, audit.Filter{Kind: audit.KindDismissal})
		if len(entries) != 3 || entries[0].Action != audit.ActionDelete || entries[1].Action != audit.ActionUpdate || entries[2].Action != audit.ActionCreate ||
			entries[2].Summary != "노동보험시스템: RTO·RPO 목표 설정" {
			t.Errorf("dismissal audit entries: %+v", entries)
		}
	})
}

// sample is the plan's sample data, loaded, with one agency of it and the
// stores that read and write its plan.
type sample struct {
	ctx    context.Context
	agency *inventory.Agency
	scope  access.Scope
	inv    *inventory.Store
	risks  *risk.Store
	store  *tasks.Store
}

// loadSample loads the plan's sample data and finds the agency named.
func loadSample(t *testing.T, db *database.DB, name string) *sample {
	t.Helper()
	s := &sample{ctx: context.Background(), inv: inventory.NewStore(db), risks: risk.NewStore(db), store: tasks.NewStore(db)}
	if err := sampledata.Load(s.ctx, db); err != nil {
		t.Fatal(err)
	}
	agencies, _ := s.inv.Agencies(s.ctx, access.All())
	for _, a := range agencies {
		if a.Name == name {
			s.agency, s.scope = a, access.Agency(a.ID)
		}
	}
	if s.agency == nil {
		t.Fatalf("no agency %s in the sample", name)
	}
	return s
}

// plan computes the agency's plan from the records as they are now, read
// in the agency's own scope as the plan page reads them.
func (s *sample) plan(t *testing.T) *tasks.Plan {
	t.Helper()
	records, err := s.inv.Load(s.ctx, s.scope)
	if err != nil {
		t.Fatal(err)
	}
	high, err := s.risks.HighRisks(s.ctx, s.scope)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.store.Tasks(s.ctx, s.scope, tasks.Filter{AgencyID: s.agency.ID})
	if err != nil {
		t.Fatal(err)
	}
	dismissals, err := s.store.Dismissals(s.ctx, s.scope, s.agency.ID)
	if err != nil {
		t.Fatal(err)
	}
	return tasks.NewPlan(tasks.NewInput(records, high, s.agency.ID), list, dismissals)
}

// The done-when, on the plan's sample data: a proposal accepted
// into an agency's plan is a task and no longer a proposal; a dismissed
// one stays away until the system's facts change.
func TestSamplePlanDecisions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		s := loadSample(t, db, "근로복지공단")
		ctx, scope, agency, inv, store := s.ctx, s.scope, s.agency, s.inv, s.store
		first := s.plan(t)
		var dr, other *tasks.Proposal
		for i, p := range first.Open {
			switch {
			case dr == nil && p.Template == tasks.TplDRBuild && p.Grade == 1:
				dr = &first.Open[i]
			case other == nil && p.Template == tasks.TplOffsiteShorten:
				other = &first.Open[i]
			}
		}
		if dr == nil || other == nil {
			t.Fatalf("근로복지공단 has no grade-1 DR build or offsite proposal among %d", len(first.Open))
		}
		task := dr.Suggest(locale.Korean, time.Now())
		if err := store.Create(ctx, scope, task); err != nil {
			t.Fatal(err)
		}
		if err := store.Dismiss(ctx, scope, &tasks.Dismissal{AgencyID: agency.ID, ProposalKey: other.Key, Fingerprint: other.Fingerprint,
			Reason: "테이프 반출 주기는 내년 예산으로", Summary: other.Title().In(locale.Korean)}); err != nil {
			t.Fatal(err)
		}
		second := s.plan(t)
		if _, open := second.Proposal(dr.Key); open {
			t.Error("the accepted proposal is still open")
		}
		if _, open := second.Proposal(other.Key); open {
			t.Error("the dismissed proposal is still open")
		}
		if len(second.Open) != len(first.Open)-2 || len(second.Dismissed) != 1 || len(second.Tasks) != 1 {
			t.Errorf("open %d → %d, dismissed %d, tasks %d", len(first.Open), len(second.Open), len(second.Dismissed), len(second.Tasks))
		}
		// The system's RPO target is tightened: the facts the dismissal
		// rested on are gone, and the proposal comes back.
		system, err := inv.System(ctx, scope, other.SystemIDs[0])
		if err != nil {
			t.Fatal(err)
		}
		system.RPODisaster = func(m inventory.Minutes) *inventory.Minutes { return &m }(30)
		if err := inv.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.UpdateSystem(ctx, system) }); err != nil {
			t.Fatal(err)
		}
		third := s.plan(t)
		back, open := third.Proposal(other.Key)
		if !open || back.Dismissal == nil || back.Dismissal.Reason != "테이프 반출 주기는 내년 예산으로" || back.Fingerprint == other.Fingerprint {
			t.Errorf("the dismissed proposal did not come back with its old dismissal: %v %+v", open, back)
		}
		if _, open := third.Proposal(dr.Key); open {
			t.Error("the accepted proposal came back while its task exists")
		}
		// Deleting the task opens its proposal again.
		if err := store.Delete(ctx, scope, task.ID); err != nil {
			t.Fatal(err)
		}
		if _, open := s.plan(t).Proposal(dr.Key); !open {
			t.Error("the proposal of a deleted task is not open again")
		}
	})
}

// High risks on the plan's sample data (the site survey of 참고 4): a risk
// proposal appears on the agency's plan, accepting it makes a task that
// names the risk, a dismissed one comes back when the risk's rating after
// controls changes, and a risk a task names cannot be deleted.
func TestSampleRiskProposals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		s := loadSample(t, db, "한국장애인고용공단")
		ctx, scope, agency, risks, store := s.ctx, s.scope, s.agency, s.risks, s.store
		first := s.plan(t)
		var found []tasks.Proposal
		for _, p := range first.Open {
			if p.Source == tasks.SourceRisk {
				found = append(found, p)
			}
		}
		if len(found) < 2 {
			t.Fatalf("want the agency's high risks among its proposals, got %d of %d", len(found), len(first.Open))
		}
		accepted, dismissed := found[0], found[1]
		entry, err := risks.Entry(ctx, scope, accepted.RiskIDs[0])
		if err != nil {
			t.Fatal(err)
		}
		if accepted.Key != "risk:risk-"+strconv.FormatInt(entry.ID, 10) || accepted.Subject != entry.Title || !slices.Contains(risk.High([]*risk.Entry{entry}), entry) {
			t.Errorf("proposal %s (%s) for risk %d %q", accepted.Key, accepted.Subject, entry.ID, entry.Title)
		}
		task := accepted.Suggest(locale.Korean, time.Now())
		if err := store.Create(ctx, scope, task); err != nil {
			t.Fatal(err)
		}
		if len(task.RiskIDs) != 1 || task.RiskIDs[0] != entry.ID || task.ProposalKey != accepted.Key {
			t.Errorf("accepted task: risks %v, key %s", task.RiskIDs, task.ProposalKey)
		}
		if err := store.Dismiss(ctx, scope, &tasks.Dismissal{AgencyID: agency.ID, ProposalKey: dismissed.Key, Fingerprint: dismissed.Fingerprint,
			Reason: "내년 시설 개선 사업에 포함", Summary: dismissed.Title().In(locale.Korean)}); err != nil {
			t.Fatal(err)
		}
		second := s.plan(t)
		_, acceptedOpen := second.Proposal(accepted.Key)
		_, dismissedOpen := second.Proposal(dismissed.Key)
		if acceptedOpen || dismissedOpen || len(second.Open) != len(first.Open)-2 {
			t.Errorf("after deciding: accepted open %v, dismissed open %v, %d → %d open", acceptedOpen, dismissedOpen, len(first.Open), len(second.Open))
		}
		// The dismissed risk is found likelier after its controls: the
		// facts the dismissal rested on are gone, and it comes back.
		other, err := risks.Entry(ctx, scope, dismissed.RiskIDs[0])
		if err != nil {
			t.Fatal(err)
		}
		if other.ResidualLikelihood == risk.Scale {
			other.ResidualImpact--
		} else {
			other.Likelihood, other.ResidualLikelihood = other.ResidualLikelihood+1, other.ResidualLikelihood+1
		}
		if err := risks.Update(ctx, scope, other); err != nil {
			t.Fatal(err)
		}
		back, open := s.plan(t).Proposal(dismissed.Key)
		if !open || back.Dismissal == nil || back.Dismissal.Reason != "내년 시설 개선 사업에 포함" || back.Fingerprint == dismissed.Fingerprint {
			t.Errorf("the dismissed risk proposal did not come back with its old dismissal: %v %+v", open, back)
		}
		// The accepted task names the risk: it cannot be deleted.
		if err := risks.Delete(ctx, scope, entry.ID); code(err) != apperror.Conflict {
			t.Errorf("delete a risk a task names: %v", err)
		}
	})
}
