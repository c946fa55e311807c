package inventory_test

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

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
			{"NaN score", func(tx *inventory.Tx) error {
				nan := math.NaN()
				return tx.CreateSystem(ctx, &inventory.System{AgencyID: f.agency.ID, Name: "x", ScoreImpact: &nan})
			}, apperror.Invalid, "score_impact"},
			{"absurd duration", func(tx *inventory.Tx) error {
				return tx.CreateSystem(ctx, &inventory.System{AgencyID: f.agency.ID, Name: "x", RPOFailure: minutes(100 * 365 * 24 * 60)})
			}, apperror.Invalid, "rpo_failure"},
			{"overlong name", func(tx *inventory.Tx) error {
				return tx.CreateFacility(ctx, &inventory.Facility{Name: strings.Repeat("시", 201), Operator: inventory.OperatorSelf})
			}, apperror.Invalid, "name"},
			{"infinite declared figure", func(tx *inventory.Tx) error {
				return tx.AddDeclared(ctx, &inventory.DeclaredFigure{Source: "참고 3", Metric: "systems", Value: math.Inf(1)})
			}, apperror.Invalid, "value"},
			{"agency parent loop", func(tx *inventory.Tx) error {
				ministry := *f.ministry
				ministry.ParentID = &f.agency.ID
				return tx.UpdateAgency(ctx, &ministry)
			}, apperror.Invalid, "parent_id"},
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

// Values beyond 32 bits round-trip on both databases.
func TestLargeValuesRoundTrip(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		users := int64(3_000_000_000)
		f.benefits.Users = &users
		f.benefits.RTODisaster = minutes(inventory.MaxMinutes)
		svc := &inventory.Service{AgencyID: f.agency.ID, Name: "산재보험 급여 신청", MTPD: minutes(inventory.MaxMinutes)}
		err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			if err := tx.UpdateSystem(ctx, f.benefits); err != nil {
				return err
			}
			return tx.CreateService(ctx, svc)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.store.System(ctx, access.All(), f.benefits.ID)
		if err != nil || *got.Users != users || *got.RTODisaster != inventory.MaxMinutes {
			t.Fatalf("read back users %v, RTO %v (err %v)", got.Users, got.RTODisaster, err)
		}
		if back, err := f.store.Service(ctx, access.All(), svc.ID); err != nil || *back.MTPD != inventory.MaxMinutes {
			t.Fatalf("service read back %+v (err %v)", back, err)
		}
		if _, err := json.Marshal(got); err != nil {
			t.Fatal(err)
		}
	})
}

// Names are stored trimmed, so that "A" and "A " cannot both exist.
func TestNamesAreTrimmed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		scenarios := []struct {
			name  string
			write func(tx *inventory.Tx) error
		}{
			{"agency", func(tx *inventory.Tx) error { return tx.CreateAgency(ctx, &inventory.Agency{Name: "고용노동부 "}) }},
			{"facility", func(tx *inventory.Tx) error {
				return tx.CreateFacility(ctx, &inventory.Facility{Name: " NHN", Operator: inventory.OperatorPrivate})
			}},
			{"system", func(tx *inventory.Tx) error {
				return tx.CreateSystem(ctx, &inventory.System{AgencyID: f.agency.ID, Name: "노동보험시스템\t"})
			}},
			{"service", func(tx *inventory.Tx) error {
				if err := tx.CreateService(ctx, &inventory.Service{AgencyID: f.agency.ID, Name: "산재보험 급여 신청"}); err != nil {
					return err
				}
				return tx.CreateService(ctx, &inventory.Service{AgencyID: f.agency.ID, Name: "산재보험 급여 신청 "})
			}},
		}
		for _, s := range scenarios {
			t.Run(s.name, func(t *testing.T) {
				err := f.store.Update(ctx, access.All(), s.write)
				if e, ok := apperror.As(err); !ok || e.Code != apperror.Conflict || e.Field != "name" {
					t.Fatalf("err = %v, want a name conflict", err)
				}
			})
		}
		a := &inventory.Agency{Name: " 한국고용정보원 ", ShortName: " 고용정보원 "}
		dep := &inventory.Dependency{FromSystemID: f.benefits.ID, ToSystemID: f.homepage.ID, Note: " 인증 "}
		err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			if err := tx.CreateAgency(ctx, a); err != nil {
				return err
			}
			return tx.CreateDependency(ctx, dep)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := f.store.Agency(ctx, access.All(), a.ID)
		gotDep, _ := f.store.Dependency(ctx, access.All(), dep.ID)
		if got.Name != "한국고용정보원" || got.ShortName != "고용정보원" || gotDep.Note != "인증" || gotDep.Kind != "interface" {
			t.Fatalf("stored %q %q, dependency %q %q", got.Name, got.ShortName, gotDep.Note, gotDep.Kind)
		}
	})
}

func TestAgencyParentsNeverLoop(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		// 고용노동부 ← 근로복지공단 ← 지사; the loop closes two steps up.
		branch := &inventory.Agency{Name: "근로복지공단 지사", ParentID: &f.agency.ID}
		if err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.CreateAgency(ctx, branch) }); err != nil {
			t.Fatal(err)
		}
		for _, parent := range []int64{f.agency.ID, branch.ID} {
			ministry := *f.ministry
			ministry.ParentID = &parent
			err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.UpdateAgency(ctx, &ministry) })
			if e, ok := apperror.As(err); !ok || e.Field != "parent_id" || e.Key != "invalid.parent_cycle" {
				t.Fatalf("parent %d: err = %v, want invalid.parent_cycle on parent_id", parent, err)
			}
		}
		// Moving the branch under the ministry directly is no loop.
		branch.ParentID = &f.ministry.ID
		if err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.UpdateAgency(ctx, branch) }); err != nil {
			t.Fatal(err)
		}
		missing := int64(99999)
		branch.ParentID = &missing
		err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.UpdateAgency(ctx, branch) })
		if e, ok := apperror.As(err); !ok || e.Field != "parent_id" || e.Key != "invalid.unknown_agency" {
			t.Fatalf("unknown parent: err = %v", err)
		}
	})
}

// Two writers that each read and then write: the second must read what the
// first wrote, as an import plans against what it will change.
func TestConcurrentUpdatesTakeTurns(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		read := []chan struct{}{make(chan struct{}), make(chan struct{})}
		errs := make(chan error, 2)
		for i, mark := range []string{"a", "b"} {
			go func() {
				errs <- f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
					inv, err := tx.Load(ctx)
					if err != nil {
						return err
					}
					a := inv.Agencies[slices.IndexFunc(inv.Agencies, func(a *inventory.Agency) bool { return a.ID == f.agency.ID })]
					close(read[i])
					// Give the other writer the chance to read the same
					// thing; when writers take turns it cannot, until
					// this one has committed.
					select {
					case <-read[1-i]:
					case <-time.After(300 * time.Millisecond):
					}
					a.Contact += mark
					return tx.UpdateAgency(ctx, a)
				})
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		got, _ := f.store.Agency(ctx, access.All(), f.agency.ID)
		if got.Contact != "ab" && got.Contact != "ba" {
			t.Fatalf("contact %q after both writers, want both marks: a write was lost", got.Contact)
		}
	})
}

// An agency sees, and may refer to, only what it owns: links and
// dependencies onto another agency's systems are the ministry's to see, and
// it may place systems only in facilities it already sees.
func TestAgencyScopeStopsAtItsOwnSystems(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ministryScope, agencyScope := access.Agency(f.ministry.ID), access.Agency(f.agency.ID)
		// The ministry's service rests on the agency's system too, and the
		// agency's system depends on the ministry's.
		svc := &inventory.Service{AgencyID: f.ministry.ID, Name: "실업급여 신청", SystemIDs: []int64{f.homepage.ID, f.benefits.ID}}
		dep := &inventory.Dependency{FromSystemID: f.benefits.ID, ToSystemID: f.homepage.ID, Kind: "auth"}
		fresh := &inventory.Facility{Name: "국가정보자원관리원 대전센터", Operator: inventory.OperatorNIRS, Address: "대전"}
		err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			if err := tx.CreateService(ctx, svc); err != nil {
				return err
			}
			if err := tx.CreateFacility(ctx, fresh); err != nil {
				return err
			}
			return tx.CreateDependency(ctx, dep)
		})
		if err != nil {
			t.Fatal(err)
		}

		t.Run("service links", func(t *testing.T) {
			list, err := f.store.Services(ctx, ministryScope)
			if err != nil || len(list) != 1 || !slices.Equal(list[0].SystemIDs, []int64{f.homepage.ID}) {
				t.Fatalf("listed %+v (%v), want the service with the ministry's own system only", list, err)
			}
			one, err := f.store.Service(ctx, ministryScope, svc.ID)
			if err != nil || !slices.Equal(one.SystemIDs, []int64{f.homepage.ID}) {
				t.Fatalf("fetched %+v (%v), want the ministry's own system only", one, err)
			}
			inv, _ := f.store.Load(ctx, ministryScope)
			if len(inv.Services) != 1 || len(inv.Services[0].SystemIDs) != 1 {
				t.Fatalf("loaded services %+v", inv.Services)
			}
			// Saving what it sees keeps the link it does not see.
			one.Description = "고용보험 수급자격 신청"
			if err := f.store.Update(ctx, ministryScope, func(tx *inventory.Tx) error { return tx.UpdateService(ctx, one) }); err != nil {
				t.Fatal(err)
			}
			all, _ := f.store.Service(ctx, access.All(), svc.ID)
			if len(all.SystemIDs) != 2 || all.Description != one.Description {
				t.Fatalf("after the agency saved it: %+v, want both systems kept", all)
			}
		})

		t.Run("dependencies", func(t *testing.T) {
			if list, _ := f.store.Dependencies(ctx, agencyScope); len(list) != 0 {
				t.Fatalf("agency sees %d dependencies onto another agency's system", len(list))
			}
			if _, err := f.store.Dependency(ctx, agencyScope, dep.ID); apperror.CodeOf(err) != apperror.NotFound {
				t.Fatalf("fetch: %v, want not_found", err)
			}
			if list, _ := f.store.Dependencies(ctx, access.All()); len(list) != 1 {
				t.Fatalf("ministry sees %d dependencies, want 1", len(list))
			}
			writes := map[string]func(tx *inventory.Tx) error{
				"update": func(tx *inventory.Tx) error {
					return tx.UpdateDependency(ctx, &inventory.Dependency{ID: dep.ID, FromSystemID: dep.FromSystemID, ToSystemID: dep.ToSystemID, Kind: "other"})
				},
				"delete": func(tx *inventory.Tx) error { return tx.DeleteDependency(ctx, dep.ID) },
			}
			for name, write := range writes {
				if err := f.store.Update(ctx, agencyScope, write); apperror.CodeOf(err) != apperror.NotFound {
					t.Fatalf("%s: %v, want not_found", name, err)
				}
			}
			// Another agency's system and no system at all read the same.
			for _, target := range []int64{f.homepage.ID, 99999} {
				err := f.store.Update(ctx, agencyScope, func(tx *inventory.Tx) error {
					return tx.CreateDependency(ctx, &inventory.Dependency{FromSystemID: f.benefits.ID, ToSystemID: target, Kind: "network"})
				})
				if e, ok := apperror.As(err); !ok || e.Field != "to_system_id" || e.Key != "invalid.unknown_system" {
					t.Fatalf("dependency onto %d: %v, want invalid.unknown_system on to_system_id", target, err)
				}
			}
		})

		t.Run("facilities", func(t *testing.T) {
			// The ministry agency sees only NHN; the agency's own server
			// room and the new NIRS centre are no facility to it.
			for _, id := range []int64{f.own.ID, fresh.ID} {
				err := f.store.Update(ctx, ministryScope, func(tx *inventory.Tx) error {
					return tx.CreateSystem(ctx, &inventory.System{AgencyID: f.ministry.ID, Name: "새 시스템", PrimaryFacilityID: &f.shared.ID, DRFacilityID: &id})
				})
				if e, ok := apperror.As(err); !ok || e.Field != "dr_facility_id" || e.Key != "invalid.unknown_facility" {
					t.Fatalf("DR in facility %d: %v, want invalid.unknown_facility on dr_facility_id", id, err)
				}
			}
			if list, _ := f.store.Facilities(ctx, ministryScope); len(list) != 1 {
				t.Fatalf("ministry agency now sees %d facilities, want 1", len(list))
			}
			// Facilities it already sees are fine; the ministry places anywhere.
			err := f.store.Update(ctx, agencyScope, func(tx *inventory.Tx) error {
				return tx.CreateSystem(ctx, &inventory.System{AgencyID: f.agency.ID, Name: "새 시스템", PrimaryFacilityID: &f.shared.ID, DRFacilityID: &f.own.ID})
			})
			if err != nil {
				t.Fatal(err)
			}
			err = f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
				return tx.CreateSystem(ctx, &inventory.System{AgencyID: f.ministry.ID, Name: "새 시스템", PrimaryFacilityID: &fresh.ID})
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	})
}
