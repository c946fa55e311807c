package risk_test

import (
	"context"
	"encoding/json"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/risk"
	"yeonsok/internal/testdb"
)

// fixture is two agencies: 근로복지공단 (welfare) runs a system in its own
// server room and one at KT; 한국고용정보원 (keis) runs one at KT and one at
// NIRS. KT is shared; each agency sees its own room (or NIRS) and KT only.
type fixture struct {
	db                   *database.DB
	store                *risk.Store
	inv                  *inventory.Store
	welfare, keis        *inventory.Agency
	own, kt, nirs        *inventory.Facility
	insurance, edi       *inventory.System
	work24, keisHomepage *inventory.System
	welfareScope, keisSc access.Scope
	ctx                  context.Context
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	ctx := access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, ID: 7, Name: "tester"})
	f := &fixture{db: db, store: risk.NewStore(db), inv: inventory.NewStore(db), ctx: ctx,
		welfare: &inventory.Agency{Name: "근로복지공단"}, keis: &inventory.Agency{Name: "한국고용정보원"},
		own:  &inventory.Facility{Name: "근로복지공단 전산실", Operator: inventory.OperatorSelf},
		kt:   &inventory.Facility{Name: "KT 목동", Operator: inventory.OperatorPrivate},
		nirs: &inventory.Facility{Name: "국정자원 대전센터", Operator: inventory.OperatorNIRS}}
	err := f.inv.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		for _, a := range []*inventory.Agency{f.welfare, f.keis} {
			if err := tx.CreateAgency(ctx, a); err != nil {
				return err
			}
		}
		for _, fac := range []*inventory.Facility{f.own, f.kt, f.nirs} {
			if err := tx.CreateFacility(ctx, fac); err != nil {
				return err
			}
		}
		f.insurance = &inventory.System{AgencyID: f.welfare.ID, Name: "노동보험시스템", Grade: 1, PrimaryFacilityID: &f.own.ID}
		f.edi = &inventory.System{AgencyID: f.welfare.ID, Name: "산재보험 EDI", Grade: 3, PrimaryFacilityID: &f.kt.ID}
		f.work24 = &inventory.System{AgencyID: f.keis.ID, Name: "고용24", Grade: 1, PrimaryFacilityID: &f.nirs.ID}
		f.keisHomepage = &inventory.System{AgencyID: f.keis.ID, Name: "대표홈페이지", Grade: 3, PrimaryFacilityID: &f.kt.ID}
		for _, s := range []*inventory.System{f.insurance, f.edi, f.work24, f.keisHomepage} {
			if err := tx.CreateSystem(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	f.welfareScope, f.keisSc = access.Agency(f.welfare.ID), access.Agency(f.keis.ID)
	return f
}

func ptr(id int64) *int64 { return &id }

// upsRisk is a valid entry of agency on facility.
func upsRisk(agency int64, facility *int64) *risk.Entry {
	return &risk.Entry{AgencyID: agency, FacilityID: facility, SubKind: "disaster", Title: "UPS 배터리가 서버와 같은 공간에 있음",
		Likelihood: 4, Impact: 5, Controls: "배터리 화재용 소화기", ResidualLikelihood: 3, Source: "참고 4 현장조사"}
}

// history is the audit log's entries of risk id, as scope reads them,
// oldest first.
func (f *fixture) history(t *testing.T, scope access.Scope, id int64) []audit.Entry {
	t.Helper()
	entries, err := audit.List(f.ctx, f.db, scope, audit.Filter{Kind: audit.KindRisk, RecordID: id})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
		entries[i], entries[j] = entries[j], entries[i]
	}
	return entries
}

// An agency records, reads, changes and deletes its own entry; each change
// lands in the audit log, readable by the agency, under who made it.
func TestCreateReadUpdateDelete(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		// On the shared facility and on one of its systems there.
		e := upsRisk(f.welfare.ID, &f.kt.ID)
		e.SystemID = &f.edi.ID
		if err := f.store.Create(ctx, f.welfareScope, e); err != nil {
			t.Fatalf("create: %v", err)
		}
		if e.ID == 0 || e.Kind != risk.Physical || e.Rating != 20 || e.Band != risk.BandCritical ||
			e.ResidualImpact != 5 || e.ResidualRating != 15 || e.ResidualBand != risk.BandHigh || e.Status != risk.StatusOpen || e.CreatedAt.IsZero() {
			t.Fatalf("created %+v", e)
		}
		got, err := f.store.Entry(ctx, f.welfareScope, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != e.Title || *got.FacilityID != f.kt.ID || *got.SystemID != f.edi.ID || got.Controls != "배터리 화재용 소화기" {
			t.Fatalf("read back %+v", got)
		}

		got.Status, got.ResidualLikelihood, got.ReviewDate, got.Owner = risk.StatusMitigating, 2, "2026-06-30", "정보화실 김담당"
		if err := f.store.Update(ctx, f.welfareScope, got); err != nil {
			t.Fatalf("update: %v", err)
		}
		again, _ := f.store.Entry(ctx, access.All(), e.ID)
		if again.Status != risk.StatusMitigating || again.ResidualRating != 10 || again.ReviewDate != "2026-06-30" || again.Owner != "정보화실 김담당" {
			t.Fatalf("updated %+v", again)
		}
		// Saving it unchanged is no change.
		if err := f.store.Update(ctx, f.welfareScope, again); err != nil {
			t.Fatal(err)
		}

		if err := f.store.Delete(ctx, f.welfareScope, e.ID); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := f.store.Entry(ctx, access.All(), e.ID); apperror.CodeOf(err) != apperror.NotFound {
			t.Fatalf("deleted entry: %v", err)
		}

		log := f.history(t, f.welfareScope, e.ID)
		if len(log) != 3 || log[0].Action != audit.ActionCreate || log[1].Action != audit.ActionUpdate || log[2].Action != audit.ActionDelete {
			t.Fatalf("audit log %+v, want create, update, delete", log)
		}
		for _, entry := range log {
			if entry.Actor.Name != "tester" || entry.AgencyID == nil || *entry.AgencyID != f.welfare.ID || entry.Summary != e.Title {
				t.Errorf("audit entry %+v", entry)
			}
		}
		var before, after risk.Entry
		if json.Unmarshal(log[1].Before, &before) != nil || json.Unmarshal(log[1].After, &after) != nil ||
			before.Status != risk.StatusOpen || after.Status != risk.StatusMitigating {
			t.Errorf("update recorded %s → %s", log[1].Before, log[1].After)
		}
		if log[0].Before != nil || log[2].After != nil {
			t.Errorf("create has a before or delete an after")
		}
	})
}

// Bad input is refused with the field it is about, and changes nothing:
// no entry, no audit log entry.
func TestValidationErrors(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		scenarios := []struct {
			name  string
			scope access.Scope
			entry func() *risk.Entry
			field string
			key   string
		}{
			{"no title", f.welfareScope, func() *risk.Entry { e := upsRisk(f.welfare.ID, nil); e.Title = ""; return e }, "title", "invalid.required"},
			{"likelihood off the scale", f.welfareScope, func() *risk.Entry { e := upsRisk(f.welfare.ID, nil); e.Likelihood = 7; return e }, "likelihood", "invalid.risk.scale"},
			{"residual above inherent", f.welfareScope, func() *risk.Entry { e := upsRisk(f.welfare.ID, nil); e.ResidualImpact = 5; e.Impact = 3; return e }, "residual_impact", "invalid.risk.residual_above"},
			{"sub-kind of another kind", f.welfareScope, func() *risk.Entry { e := upsRisk(f.welfare.ID, nil); e.Kind = risk.Technical; return e }, "sub_kind", "invalid.risk.sub_kind"},
			{"bad status", f.welfareScope, func() *risk.Entry { e := upsRisk(f.welfare.ID, nil); e.Status = "done"; return e }, "status", "invalid.one_of"},
			{"bad review date", f.welfareScope, func() *risk.Entry { e := upsRisk(f.welfare.ID, nil); e.ReviewDate = "내년"; return e }, "review_date", "invalid.risk.date"},
			{"another agency's agency", f.welfareScope, func() *risk.Entry { return upsRisk(f.keis.ID, nil) }, "agency_id", "invalid.unknown_agency"},
			{"no such agency", access.All(), func() *risk.Entry { return upsRisk(9999, nil) }, "agency_id", "invalid.unknown_agency"},
			{"a facility the agency runs nothing in", f.welfareScope, func() *risk.Entry { return upsRisk(f.welfare.ID, &f.nirs.ID) }, "facility_id", "invalid.unknown_facility"},
			{"no such facility", access.All(), func() *risk.Entry { return upsRisk(f.welfare.ID, ptr(9999)) }, "facility_id", "invalid.unknown_facility"},
			{"another agency's system", f.welfareScope, func() *risk.Entry {
				e := upsRisk(f.welfare.ID, &f.kt.ID)
				e.SystemID = &f.keisHomepage.ID
				return e
			}, "system_id", "invalid.unknown_system"},
			{"the ministry names a system of another agency than the entry's", access.All(), func() *risk.Entry {
				e := upsRisk(f.welfare.ID, nil)
				e.SystemID = &f.work24.ID
				return e
			}, "system_id", "invalid.risk.system_agency"},
		}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				e := sc.entry()
				err := f.store.Create(f.ctx, sc.scope, e)
				ae, ok := apperror.As(err)
				if !ok || ae.Code != apperror.Invalid || ae.Field != sc.field || ae.Key != sc.key {
					t.Fatalf("create: %v (%+v), want %s on %s", err, ae, sc.key, sc.field)
				}
			})
		}
		// Entries of a batch land all or none.
		if err := f.store.Create(f.ctx, access.All(), upsRisk(f.welfare.ID, nil), upsRisk(f.keis.ID, ptr(9999))); err == nil {
			t.Fatal("a batch with a bad entry was accepted")
		}
		list, err := f.store.List(f.ctx, access.All(), risk.Filter{})
		if err != nil || len(list) != 0 {
			t.Fatalf("refused writes left %d entries (%v)", len(list), err)
		}
		if n, err := audit.Count(f.ctx, f.db, access.All(), audit.Filter{Kind: audit.KindRisk}); err != nil || n != 0 {
			t.Fatalf("refused writes left %d audit entries (%v)", n, err)
		}

		// An update is checked as a creation is.
		e := upsRisk(f.welfare.ID, nil)
		if err := f.store.Create(f.ctx, f.welfareScope, e); err != nil {
			t.Fatal(err)
		}
		e.Impact = 0
		if err := f.store.Update(f.ctx, f.welfareScope, e); apperror.CodeOf(err) != apperror.Invalid {
			t.Fatalf("update with no impact: %v", err)
		}
		if stored, _ := f.store.Entry(f.ctx, access.All(), e.ID); stored.Impact != 5 {
			t.Fatalf("refused update changed the entry: %+v", stored)
		}
	})
}

// An agency sees and changes its own entries only: another agency's entry
// is not found, in lists, reads, updates and deletes, and stays as it was.
// The ministry sees every entry; an entry it moves to another agency is in
// the log for the ministry only.
func TestScopeIsolation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		mine := upsRisk(f.welfare.ID, &f.kt.ID)
		theirs := upsRisk(f.keis.ID, &f.kt.ID)
		theirs.Title, theirs.SystemID = "고용24 대표홈페이지 이중화 없음", &f.keisHomepage.ID
		if err := f.store.Create(ctx, f.welfareScope, mine); err != nil {
			t.Fatal(err)
		}
		if err := f.store.Create(ctx, f.keisSc, theirs); err != nil {
			t.Fatal(err)
		}

		for _, filter := range []risk.Filter{{}, {FacilityID: f.kt.ID}, {AgencyID: f.keis.ID}} {
			list, err := f.store.List(ctx, f.welfareScope, filter)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range list {
				if e.AgencyID != f.welfare.ID {
					t.Errorf("filter %+v: the agency sees %q of another agency", filter, e.Title)
				}
			}
		}
		all, _ := f.store.List(ctx, access.All(), risk.Filter{FacilityID: f.kt.ID})
		if len(all) != 2 {
			t.Errorf("the ministry sees %d entries at the shared facility, want 2", len(all))
		}

		if _, err := f.store.Entry(ctx, f.welfareScope, theirs.ID); apperror.CodeOf(err) != apperror.NotFound {
			t.Errorf("read another agency's entry: %v", err)
		}
		changed := *theirs
		changed.Title = "바뀜"
		if err := f.store.Update(ctx, f.welfareScope, &changed); apperror.CodeOf(err) != apperror.NotFound {
			t.Errorf("update another agency's entry: %v", err)
		}
		// Even naming its own agency in the body does not take it over.
		changed.AgencyID, changed.SystemID = f.welfare.ID, nil
		if err := f.store.Update(ctx, f.welfareScope, &changed); apperror.CodeOf(err) != apperror.NotFound {
			t.Errorf("take over another agency's entry: %v", err)
		}
		if err := f.store.Delete(ctx, f.welfareScope, theirs.ID); apperror.CodeOf(err) != apperror.NotFound {
			t.Errorf("delete another agency's entry: %v", err)
		}
		if stored, err := f.store.Entry(ctx, access.All(), theirs.ID); err != nil || stored.Title != theirs.Title || stored.AgencyID != f.keis.ID {
			t.Errorf("another agency's entry after refused writes: %+v %v", stored, err)
		}
		if log := f.history(t, f.welfareScope, theirs.ID); len(log) != 0 {
			t.Errorf("the agency reads %d audit entries of another agency's entry", len(log))
		}

		// The ministry moves the entry to the other agency.
		moved := *mine
		moved.AgencyID = f.keis.ID
		if err := f.store.Update(ctx, access.All(), &moved); err != nil {
			t.Fatal(err)
		}
		if log := f.history(t, access.All(), mine.ID); len(log) != 2 || log[1].AgencyID != nil {
			t.Errorf("a move between agencies is logged as %+v, want the ministry's only", log)
		}
		if log := f.history(t, f.keisSc, mine.ID); len(log) != 0 {
			t.Errorf("the new agency reads the entry's history from before: %+v", log)
		}
	})
}

// HighRisks is the entries of a scope that call for a task: residual band
// high or critical, not closed, highest first.
func TestHighRisks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		make := func(agency int64, title string, l, i, rl, ri int, status string) *risk.Entry {
			return &risk.Entry{AgencyID: agency, SubKind: "negligence", Title: title, Likelihood: l, Impact: i,
				ResidualLikelihood: rl, ResidualImpact: ri, Status: status}
		}
		entries := []*risk.Entry{
			make(f.welfare.ID, "high", 4, 4, 3, 4, risk.StatusOpen),
			make(f.welfare.ID, "critical", 5, 5, 5, 4, risk.StatusAccepted),
			make(f.welfare.ID, "controlled", 5, 5, 2, 2, risk.StatusMitigating),
			make(f.welfare.ID, "closed", 5, 5, 5, 5, risk.StatusClosed),
			make(f.keis.ID, "other agency's", 5, 5, 5, 5, risk.StatusOpen),
		}
		if err := f.store.Create(f.ctx, access.All(), entries...); err != nil {
			t.Fatal(err)
		}
		high, err := f.store.HighRisks(f.ctx, f.welfareScope)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, e := range high {
			titles = append(titles, e.Title)
		}
		if len(titles) != 2 || titles[0] != "critical" || titles[1] != "high" {
			t.Errorf("high risks of the agency %q, want critical, high", titles)
		}
		all, _ := f.store.HighRisks(f.ctx, access.All())
		if len(all) != 3 {
			t.Errorf("the ministry has %d high risks, want 3", len(all))
		}
		banded, _ := f.store.List(f.ctx, access.All(), risk.Filter{Band: risk.BandCritical, Kind: risk.Operational})
		if len(banded) != 3 {
			t.Errorf("%d entries critical after controls, want 3 (closed included in the list)", len(banded))
		}
	})
}

// A facility or system with risk entries is not deleted from under them.
func TestInUseByRisks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		e := upsRisk(f.welfare.ID, &f.own.ID)
		e.SystemID = &f.insurance.ID
		if err := f.store.Create(f.ctx, access.All(), e); err != nil {
			t.Fatal(err)
		}
		err := f.inv.Update(f.ctx, access.All(), func(tx *inventory.Tx) error { return tx.DeleteSystem(f.ctx, f.insurance.ID) })
		if apperror.CodeOf(err) != apperror.Conflict {
			t.Fatalf("delete a system with a risk entry: %v, want a conflict", err)
		}
		if _, err := f.inv.System(f.ctx, access.All(), f.insurance.ID); err != nil {
			t.Fatalf("system gone after a refused delete: %v", err)
		}
		if err := f.store.Delete(f.ctx, access.All(), e.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.inv.Update(f.ctx, access.All(), func(tx *inventory.Tx) error { return tx.DeleteSystem(f.ctx, f.insurance.ID) }); err != nil {
			t.Fatalf("delete the system once its entry is gone: %v", err)
		}
	})
}
