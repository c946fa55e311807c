package inventory_test

import (
	"context"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

func minutes(m inventory.Minutes) *inventory.Minutes { return &m }

// fixture is two agencies sharing a private facility, each with a system.
type fixture struct {
	store              *inventory.Store
	ministry, agency   *inventory.Agency
	shared, own        *inventory.Facility
	homepage, benefits *inventory.System
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{store: inventory.NewStore(db)}
	err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		f.ministry = &inventory.Agency{Name: "고용노동부", ShortName: "노동부"}
		if err := tx.CreateAgency(ctx, f.ministry); err != nil {
			return err
		}
		f.agency = &inventory.Agency{Name: "근로복지공단", ShortName: "근복", ParentID: &f.ministry.ID}
		if err := tx.CreateAgency(ctx, f.agency); err != nil {
			return err
		}
		f.shared = &inventory.Facility{Name: "NHN", Operator: inventory.OperatorPrivate, OperatorName: "NHN",
			Conditions: map[string]string{"ups": "yes", "ups_in_server_room": "none"}}
		if err := tx.CreateFacility(ctx, f.shared); err != nil {
			return err
		}
		f.own = &inventory.Facility{Name: "근로복지공단(본부 2층)", Operator: inventory.OperatorSelf}
		if err := tx.CreateFacility(ctx, f.own); err != nil {
			return err
		}
		f.homepage = &inventory.System{AgencyID: f.ministry.ID, Name: "대표홈페이지", Grade: 2, PrimaryFacilityID: &f.shared.ID,
			RTODisaster: minutes(180), Endpoints: []inventory.Endpoint{{Target: "https://www.moel.go.kr/"}}}
		if err := tx.CreateSystem(ctx, f.homepage); err != nil {
			return err
		}
		f.benefits = &inventory.System{AgencyID: f.agency.ID, Name: "노동보험시스템", Grade: 1, PrimaryFacilityID: &f.own.ID,
			DRFacilityID: &f.shared.ID, DRPerformance: inventory.DRPartial,
			Redundancy: map[string]string{"db": "yes"}, BackupFullEvery: minutes(10080), OffsiteMethod: "tape_staff"}
		return tx.CreateSystem(ctx, f.benefits)
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

func TestSystemRoundTrip(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		got, err := f.store.System(ctx, access.All(), f.benefits.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "노동보험시스템" || got.Grade != 1 || *got.DRFacilityID != f.shared.ID || got.DRPerformance != "partial" {
			t.Fatalf("read back %+v", got)
		}
		if got.Redundancy["db"] != "yes" || got.Redundancy["web"] != "unknown" || *got.BackupFullEvery != 10080 || got.OffsiteMethod != "tape_staff" {
			t.Fatalf("redundancy/backup not kept: %v %v %s", got.Redundancy, got.BackupFullEvery, got.OffsiteMethod)
		}
		if got.RTODisaster != nil || got.Manual != "unknown" || got.CreatedAt.IsZero() {
			t.Fatalf("defaults not kept: rto=%v manual=%s created=%v", got.RTODisaster, got.Manual, got.CreatedAt)
		}
		home, err := f.store.System(ctx, access.All(), f.homepage.ID)
		if err != nil || len(home.Endpoints) != 1 || home.Endpoints[0].Kind != "http" {
			t.Fatalf("endpoints: %+v %v", home.Endpoints, err)
		}

		got.Grade = 0
		got.RTODisaster = minutes(120)
		got.Endpoints = []inventory.Endpoint{{Target: "tcp://10.0.0.1:443"}, {Target: "dns://www.comwel.or.kr"}}
		if err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.UpdateSystem(ctx, got) }); err != nil {
			t.Fatal(err)
		}
		again, _ := f.store.System(ctx, access.All(), got.ID)
		if again.Grade != 0 || *again.RTODisaster != 120 || len(again.Endpoints) != 2 || again.Endpoints[0].Kind != "tcp" {
			t.Fatalf("update not kept: grade %d rto %v endpoints %+v", again.Grade, again.RTODisaster, again.Endpoints)
		}
	})
}

func TestWritesAreValidatedAndAllOrNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		scenarios := []struct {
			name  string
			write func(tx *inventory.Tx) error
			code  string
			field string
		}{
			{"duplicate name in one agency", func(tx *inventory.Tx) error {
				return tx.CreateSystem(ctx, &inventory.System{AgencyID: f.agency.ID, Name: "노동보험시스템"})
			}, apperror.Conflict, "name"},
			{"grade out of range", func(tx *inventory.Tx) error {
				return tx.CreateSystem(ctx, &inventory.System{AgencyID: f.agency.ID, Name: "x", Grade: 5})
			}, apperror.Invalid, "grade"},
			{"unknown facility", func(tx *inventory.Tx) error {
				missing := int64(99999)
				return tx.CreateSystem(ctx, &inventory.System{AgencyID: f.agency.ID, Name: "x", PrimaryFacilityID: &missing})
			}, apperror.Invalid, "primary_facility_id"},
			{"bad endpoint", func(tx *inventory.Tx) error {
				return tx.CreateSystem(ctx, &inventory.System{AgencyID: f.agency.ID, Name: "x", Endpoints: []inventory.Endpoint{{Target: "ftp://x"}}})
			}, apperror.Invalid, "endpoints"},
			{"self dependency", func(tx *inventory.Tx) error {
				return tx.CreateDependency(ctx, &inventory.Dependency{FromSystemID: f.benefits.ID, ToSystemID: f.benefits.ID})
			}, apperror.Invalid, "to_system_id"},
			{"facility still used", func(tx *inventory.Tx) error { return tx.DeleteFacility(ctx, f.shared.ID) }, apperror.Conflict, ""},
			{"bad facility operator", func(tx *inventory.Tx) error {
				return tx.CreateFacility(ctx, &inventory.Facility{Name: "x", Operator: "cloud"})
			}, apperror.Invalid, "operator"},
		}
		for _, s := range scenarios {
			t.Run(s.name, func(t *testing.T) {
				var wrote bool
				err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
					// A valid write first: the failure must take it back.
					if err := tx.CreateAgency(ctx, &inventory.Agency{Name: "임시 기관"}); err != nil {
						return err
					}
					wrote = true
					return s.write(tx)
				})
				e, ok := apperror.As(err)
				if !wrote || !ok || e.Code != s.code || e.Field != s.field {
					t.Fatalf("err = %v (%+v), want code %s field %q", err, e, s.code, s.field)
				}
				if v, _ := f.store.Version(ctx); v != 1 {
					t.Fatalf("version %d after a failed transaction, want 1 (the fixture's)", v)
				}
				agencies, _ := f.store.Agencies(ctx, access.All())
				if len(agencies) != 2 {
					t.Fatalf("%d agencies after a failed transaction, want 2", len(agencies))
				}
			})
		}
	})
}

func TestAgencyScopeHidesOtherAgencies(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		scope := access.Agency(f.agency.ID)
		systems, err := f.store.Systems(ctx, scope, inventory.SystemFilter{})
		if err != nil || len(systems) != 1 || systems[0].ID != f.benefits.ID {
			t.Fatalf("agency sees %d systems (%v), want only its own", len(systems), err)
		}
		if _, err := f.store.System(ctx, scope, f.homepage.ID); apperror.CodeOf(err) != apperror.NotFound {
			t.Fatalf("other agency's system by id: err = %v, want not_found", err)
		}
		if _, err := f.store.Agency(ctx, scope, f.ministry.ID); apperror.CodeOf(err) != apperror.NotFound {
			t.Fatalf("other agency by id: err = %v, want not_found", err)
		}
		// The shared facility is visible (the agency's DR site is there) but
		// the facility listing of systems shows only the agency's own.
		facilities, _ := f.store.Facilities(ctx, scope)
		if len(facilities) != 2 {
			t.Fatalf("agency sees %d facilities, want its own and the shared one", len(facilities))
		}
		inShared, _ := f.store.Systems(ctx, scope, inventory.SystemFilter{FacilityID: f.shared.ID})
		if len(inShared) != 1 || inShared[0].AgencyID != f.agency.ID {
			t.Fatalf("shared facility shows %d systems to the agency, want its own one", len(inShared))
		}
		ministryOnly := access.Agency(f.ministry.ID)
		if facilities, _ := f.store.Facilities(ctx, ministryOnly); len(facilities) != 1 || facilities[0].ID != f.shared.ID {
			t.Fatalf("ministry-agency scope sees facilities %v, want only NHN", facilities)
		}

		// Writes: another agency's system is "not found"; moving a system to
		// another agency is refused; facilities are ministry-only.
		other := *f.homepage
		err = f.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.UpdateSystem(ctx, &other) })
		if apperror.CodeOf(err) != apperror.NotFound {
			t.Fatalf("update another agency's system: %v", err)
		}
		mine := *f.benefits
		mine.AgencyID = f.ministry.ID
		err = f.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.UpdateSystem(ctx, &mine) })
		if apperror.CodeOf(err) != apperror.Invalid {
			t.Fatalf("move own system to another agency: %v", err)
		}
		err = f.store.Update(ctx, scope, func(tx *inventory.Tx) error {
			return tx.CreateService(ctx, &inventory.Service{AgencyID: f.agency.ID, Name: "x", SystemIDs: []int64{f.homepage.ID}})
		})
		if e, ok := apperror.As(err); !ok || e.Code != apperror.Invalid || e.Field != "system_ids" {
			t.Fatalf("agency links another agency's system to its service: %v", err)
		}
		err = f.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.DeleteFacility(ctx, f.own.ID) })
		if apperror.CodeOf(err) != apperror.Forbidden {
			t.Fatalf("agency deletes a facility: %v", err)
		}
	})
}

func TestServicesAndDependencies(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		svc := &inventory.Service{AgencyID: f.agency.ID, Name: "산재보험 급여 신청", MTPD: minutes(480), RTO: minutes(120),
			SystemIDs: []int64{f.benefits.ID, f.homepage.ID, f.benefits.ID}}
		dep := &inventory.Dependency{FromSystemID: f.benefits.ID, ToSystemID: f.homepage.ID, Kind: "auth"}
		err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			if err := tx.CreateService(ctx, svc); err != nil {
				return err
			}
			return tx.CreateDependency(ctx, dep)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.store.Service(ctx, access.All(), svc.ID)
		if err != nil || len(got.SystemIDs) != 2 || *got.RTO != 120 || got.Audience != "public" {
			t.Fatalf("service read back %+v (%v)", got, err)
		}
		err = f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			return tx.CreateDependency(ctx, &inventory.Dependency{FromSystemID: f.benefits.ID, ToSystemID: f.homepage.ID})
		})
		if apperror.CodeOf(err) != apperror.Conflict {
			t.Fatalf("duplicate dependency: %v", err)
		}
		// Deleting a system takes its dependencies and service links with it.
		if err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.DeleteSystem(ctx, f.homepage.ID) }); err != nil {
			t.Fatal(err)
		}
		deps, _ := f.store.Dependencies(ctx, access.All())
		got, _ = f.store.Service(ctx, access.All(), svc.ID)
		if len(deps) != 0 || len(got.SystemIDs) != 1 {
			t.Fatalf("after delete: %d dependencies, service systems %v", len(deps), got.SystemIDs)
		}
		inv, err := f.store.Load(ctx, access.Agency(f.ministry.ID))
		if err != nil || len(inv.Services) != 0 || len(inv.Systems) != 0 || len(inv.Agencies) != 1 {
			t.Fatalf("ministry-agency load: %+v %v", inv, err)
		}
	})
}

func TestSummaryCountsFromRecords(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		sum, err := f.store.Summary(ctx, access.All())
		if err != nil {
			t.Fatal(err)
		}
		if sum.Systems != 2 || sum.ByGrade["1"] != 1 || sum.ByGrade["2"] != 1 || sum.ByOperator["private"] != 1 || sum.ByOperator["self"] != 1 {
			t.Fatalf("summary %+v", sum)
		}
		if sum.Grade12ByOperator["private"] != 1 || sum.FacilitiesByOperator["self"] != 1 {
			t.Fatalf("grade12/facilities by operator: %v %v", sum.Grade12ByOperator, sum.FacilitiesByOperator)
		}
		// Same counts from the full records as from the narrow query.
		inv, _ := f.store.Load(ctx, access.All())
		again := inventory.Summarize(inv.Agencies, inv.Facilities, inventory.Facts(inv.Systems))
		if again.Systems != sum.Systems || again.ByOperator["self"] != sum.ByOperator["self"] {
			t.Fatalf("Facts and the facts query disagree: %+v vs %+v", again, sum)
		}
		scoped, _ := f.store.Summary(ctx, access.Agency(f.agency.ID))
		if scoped.Systems != 1 || len(scoped.PerAgency) != 1 {
			t.Fatalf("scoped summary counts %d systems over %d agencies", scoped.Systems, len(scoped.PerAgency))
		}
	})
}
