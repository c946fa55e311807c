package inventory_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

var admin = access.Actor{Kind: access.ActorUser, ID: 42, Name: "admin", Address: "192.0.2.1"}

// wantEntry is an entry a write should append. before and after are text
// the record's JSON must hold; "" means there must be no JSON at all.
type wantEntry struct {
	action, kind  string
	record        *int64 // read after the write, when a creation has set it
	agency        *int64 // nil: the ministry only
	summary       string
	before, after string
}

// written runs write as one inventory transaction and returns the entries
// it appended, oldest first.
func written(t *testing.T, db *database.DB, store *inventory.Store, scope access.Scope, write func(ctx context.Context, tx *inventory.Tx) error) []audit.Entry {
	t.Helper()
	ctx := access.WithActor(context.Background(), admin)
	before, err := audit.Count(ctx, db, access.All(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Update(ctx, scope, func(tx *inventory.Tx) error { return write(ctx, tx) }); err != nil {
		t.Fatalf("write: %v", err)
	}
	after, err := audit.Count(ctx, db, access.All(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if after == before {
		return nil
	}
	list, err := audit.List(ctx, db, access.All(), audit.Filter{Limit: int(after - before)})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

func checkEntries(t *testing.T, got []audit.Entry, want []wantEntry) {
	t.Helper()
	if len(got) != len(want) {
		var desc []string
		for _, e := range got {
			desc = append(desc, e.Action+" "+e.Kind+" "+e.Summary)
		}
		t.Fatalf("%d entries %q, want %d", len(got), desc, len(want))
	}
	for i, w := range want {
		e := got[i]
		if e.Action != w.action || e.Kind != w.kind || e.Summary != w.summary {
			t.Errorf("entry %d is %s %s %q, want %s %s %q", i, e.Action, e.Kind, e.Summary, w.action, w.kind, w.summary)
		}
		if e.RecordID == nil || *e.RecordID != *w.record {
			t.Errorf("entry %d (%s) is about record %v, want %d", i, e.Summary, e.RecordID, *w.record)
		}
		if (e.AgencyID == nil) != (w.agency == nil) || (e.AgencyID != nil && *e.AgencyID != *w.agency) {
			t.Errorf("entry %d (%s) belongs to agency %v, want %v", i, e.Summary, ptr(e.AgencyID), ptr(w.agency))
		}
		if e.Actor != admin {
			t.Errorf("entry %d (%s) is by %+v", i, e.Summary, e.Actor)
		}
		for _, side := range []struct {
			name       string
			json, want string
			present    bool
		}{{"before", string(e.Before), w.before, e.Before != nil}, {"after", string(e.After), w.after, e.After != nil}} {
			if side.want == "" && side.present {
				t.Errorf("entry %d (%s %s) has %s %s", i, e.Action, e.Summary, side.name, side.json)
			}
			if side.want != "" && !strings.Contains(side.json, side.want) {
				t.Errorf("entry %d (%s %s): %s %s lacks %s", i, e.Action, e.Summary, side.name, side.json, side.want)
			}
		}
	}
}

func ptr(p *int64) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}

func verifyChain(t *testing.T, db *database.DB) *audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("chain broken: %+v", rep.Breaks)
	}
	return rep
}

// Every write of every kind appends one entry in its transaction, with the
// record before and after, its agency and the actor of the context.
func TestEveryChangeIsAudited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		agency := &f.agency.ID
		board := &inventory.Agency{Name: "중앙노동위원회", ParentID: &f.ministry.ID}
		kt := &inventory.Facility{Name: "KT 목동", Operator: inventory.OperatorPrivate}
		work24 := &inventory.System{AgencyID: f.agency.ID, Name: "고용24", Grade: 2, PrimaryFacilityID: &f.own.ID,
			Endpoints: []inventory.Endpoint{{Target: "https://www.work24.go.kr/"}}}
		benefit := &inventory.Service{AgencyID: f.agency.ID, Name: "실업급여 신청", SystemIDs: []int64{f.benefits.ID}}
		inside := &inventory.Dependency{FromSystemID: 0, ToSystemID: f.benefits.ID, Kind: "auth"}
		across := &inventory.Dependency{FromSystemID: f.homepage.ID, ToSystemID: f.benefits.ID, Kind: "interface"}
		figure := &inventory.DeclaredFigure{Source: "참고 3", AgencyID: agency, Metric: "systems", Value: 2}

		scenarios := []struct {
			name  string
			scope access.Scope
			write func(ctx context.Context, tx *inventory.Tx) error
			// want is called after write, when the ids it names are known.
			want func() []wantEntry
		}{
			{"create agency", access.All(), func(ctx context.Context, tx *inventory.Tx) error { return tx.CreateAgency(ctx, board) },
				func() []wantEntry {
					return []wantEntry{{"create", "agency", &board.ID, &board.ID, "중앙노동위원회", "", `"name":"중앙노동위원회"`}}
				}},
			{"update agency", access.All(), func(ctx context.Context, tx *inventory.Tx) error {
				board.Contact = "044-202-7114"
				return tx.UpdateAgency(ctx, board)
			}, func() []wantEntry {
				return []wantEntry{{"update", "agency", &board.ID, &board.ID, "중앙노동위원회", `"contact":""`, `"contact":"044-202-7114"`}}
			}},
			{"create facility", access.All(), func(ctx context.Context, tx *inventory.Tx) error { return tx.CreateFacility(ctx, kt) },
				func() []wantEntry {
					return []wantEntry{{"create", "facility", &kt.ID, nil, "KT 목동", "", `"operator":"private"`}}
				}},
			{"update facility", access.All(), func(ctx context.Context, tx *inventory.Tx) error {
				kt.Region = "서울"
				return tx.UpdateFacility(ctx, kt)
			}, func() []wantEntry {
				return []wantEntry{{"update", "facility", &kt.ID, nil, "KT 목동", `"region":""`, `"region":"서울"`}}
			}},
			{"create system as the agency", access.Agency(f.agency.ID), func(ctx context.Context, tx *inventory.Tx) error {
				return tx.CreateSystem(ctx, work24)
			}, func() []wantEntry {
				return []wantEntry{{"create", "system", &work24.ID, agency, "고용24", "", `"target":"https://www.work24.go.kr/"`}}
			}},
			{"update system", access.Agency(f.agency.ID), func(ctx context.Context, tx *inventory.Tx) error {
				work24.Grade = 1
				return tx.UpdateSystem(ctx, work24)
			}, func() []wantEntry {
				return []wantEntry{{"update", "system", &work24.ID, agency, "고용24", `"grade":2`, `"grade":1`}}
			}},
			{"create service", access.All(), func(ctx context.Context, tx *inventory.Tx) error { return tx.CreateService(ctx, benefit) },
				func() []wantEntry {
					return []wantEntry{{"create", "service", &benefit.ID, agency, "실업급여 신청", "", fmt.Sprintf(`"system_ids":[%d]`, f.benefits.ID)}}
				}},
			{"update service", access.All(), func(ctx context.Context, tx *inventory.Tx) error {
				benefit.SystemIDs = []int64{f.benefits.ID, work24.ID}
				return tx.UpdateService(ctx, benefit)
			}, func() []wantEntry {
				return []wantEntry{{"update", "service", &benefit.ID, agency, "실업급여 신청",
					fmt.Sprintf(`"system_ids":[%d]`, f.benefits.ID), fmt.Sprintf(`"system_ids":[%d,%d]`, f.benefits.ID, work24.ID)}}
			}},
			{"service linked to the ministry's system is the ministry's", access.All(), func(ctx context.Context, tx *inventory.Tx) error {
				benefit.SystemIDs = []int64{f.benefits.ID, work24.ID, f.homepage.ID}
				return tx.UpdateService(ctx, benefit)
			}, func() []wantEntry {
				return []wantEntry{{"update", "service", &benefit.ID, nil, "실업급여 신청", fmt.Sprintf(`"system_ids":[%d,%d]`, f.benefits.ID, work24.ID),
					fmt.Sprintf(`"system_ids":[%d,%d,%d]`, f.homepage.ID, f.benefits.ID, work24.ID)}}
			}},
			{"create dependency inside the agency", access.All(), func(ctx context.Context, tx *inventory.Tx) error {
				inside.FromSystemID = work24.ID
				return tx.CreateDependency(ctx, inside)
			}, func() []wantEntry {
				return []wantEntry{{"create", "dependency", &inside.ID, agency, "고용24 → 노동보험시스템", "", `"kind":"auth"`}}
			}},
			{"create dependency across agencies", access.All(), func(ctx context.Context, tx *inventory.Tx) error {
				return tx.CreateDependency(ctx, across)
			}, func() []wantEntry {
				return []wantEntry{{"create", "dependency", &across.ID, nil, "대표홈페이지 → 노동보험시스템", "", `"kind":"interface"`}}
			}},
			{"update dependency", access.All(), func(ctx context.Context, tx *inventory.Tx) error {
				inside.Note = "통합인증"
				return tx.UpdateDependency(ctx, inside)
			}, func() []wantEntry {
				return []wantEntry{{"update", "dependency", &inside.ID, agency, "고용24 → 노동보험시스템", `"note":""`, `"note":"통합인증"`}}
			}},
			{"add declared figure", access.All(), func(ctx context.Context, tx *inventory.Tx) error { return tx.AddDeclared(ctx, figure) },
				func() []wantEntry {
					return []wantEntry{{"create", "declared", &figure.ID, nil, "참고 3 · systems", "", `"value":2`}}
				}},
			{"system moved to another agency is the ministry's", access.All(), func(ctx context.Context, tx *inventory.Tx) error {
				moved := *f.homepage
				moved.AgencyID = board.ID
				return tx.UpdateSystem(ctx, &moved)
			}, func() []wantEntry {
				return []wantEntry{{"update", "system", &f.homepage.ID, nil, "대표홈페이지",
					fmt.Sprintf(`"agency_id":%d`, f.ministry.ID), fmt.Sprintf(`"agency_id":%d`, board.ID)}}
			}},
			{"delete dependency", access.All(), func(ctx context.Context, tx *inventory.Tx) error { return tx.DeleteDependency(ctx, across.ID) },
				func() []wantEntry {
					return []wantEntry{{"delete", "dependency", &across.ID, nil, "대표홈페이지 → 노동보험시스템", `"kind":"interface"`, ""}}
				}},
			{"delete service", access.All(), func(ctx context.Context, tx *inventory.Tx) error { return tx.DeleteService(ctx, benefit.ID) },
				func() []wantEntry {
					return []wantEntry{{"delete", "service", &benefit.ID, nil, "실업급여 신청", `"name":"실업급여 신청"`, ""}}
				}},
			{"delete system as the agency, with its dependency", access.Agency(f.agency.ID), func(ctx context.Context, tx *inventory.Tx) error {
				return tx.DeleteSystem(ctx, work24.ID)
			}, func() []wantEntry {
				return []wantEntry{
					{"delete", "dependency", &inside.ID, agency, "고용24 → 노동보험시스템", `"note":"통합인증"`, ""},
					{"delete", "system", &work24.ID, agency, "고용24", `"grade":1`, ""},
				}
			}},
			{"delete facility", access.All(), func(ctx context.Context, tx *inventory.Tx) error { return tx.DeleteFacility(ctx, kt.ID) },
				func() []wantEntry {
					return []wantEntry{{"delete", "facility", &kt.ID, nil, "KT 목동", `"region":"서울"`, ""}}
				}},
		}
		for _, s := range scenarios {
			t.Run(s.name, func(t *testing.T) {
				checkEntries(t, written(t, db, f.store, s.scope, s.write), s.want())
			})
		}
		rep := verifyChain(t, db)
		// The fixture's six records, then one entry per scenario and the
		// dependency that went with the system.
		if rep.Entries != 6+int64(len(scenarios))+1 {
			t.Errorf("%d entries", rep.Entries)
		}

		// The agency reads the entries of its own records only: not the
		// facilities, not the dependency on the ministry's system, not the
		// service once linked to it, not the moved system.
		ctx := context.Background()
		list, err := audit.List(ctx, db, access.Agency(f.agency.ID), audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, e := range list {
			if e.AgencyID == nil || *e.AgencyID != f.agency.ID {
				t.Errorf("agency reads entry %d (%s %s) of agency %s", e.Seq, e.Action, e.Summary, ptr(e.AgencyID))
			}
			seen = append(seen, e.Action+" "+e.Summary)
		}
		want := []string{"delete 고용24", "delete 고용24 → 노동보험시스템", "update 고용24 → 노동보험시스템", "create 고용24 → 노동보험시스템",
			"update 실업급여 신청", "create 실업급여 신청", "update 고용24", "create 고용24", "create 노동보험시스템", "create 근로복지공단"}
		if strings.Join(seen, "; ") != strings.Join(want, "; ") {
			t.Errorf("agency reads\n%q\nwant\n%q", seen, want)
		}
	})
}

// What goes with a deleted record is on record too: a system's service links
// and dependencies, an agency's declared figures.
func TestDeletionRecordsWhatGoesWithIt(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ministry := &f.ministry.ID
		service := &inventory.Service{AgencyID: f.ministry.ID, Name: "대국민 안내", SystemIDs: []int64{f.homepage.ID}}
		dep := &inventory.Dependency{FromSystemID: f.benefits.ID, ToSystemID: f.homepage.ID, Kind: "network"}
		lone := &inventory.Agency{Name: "폐지 예정 기관"}
		figure := &inventory.DeclaredFigure{Source: "참고 3", Metric: "systems", Value: 0}
		written(t, db, f.store, access.All(), func(ctx context.Context, tx *inventory.Tx) error {
			if err := tx.CreateService(ctx, service); err != nil {
				return err
			}
			if err := tx.CreateDependency(ctx, dep); err != nil {
				return err
			}
			if err := tx.CreateAgency(ctx, lone); err != nil {
				return err
			}
			figure.AgencyID = &lone.ID
			return tx.AddDeclared(ctx, figure)
		})
		got := written(t, db, f.store, access.All(), func(ctx context.Context, tx *inventory.Tx) error {
			if err := tx.DeleteSystem(ctx, f.homepage.ID); err != nil {
				return err
			}
			return tx.DeleteAgency(ctx, lone.ID)
		})
		checkEntries(t, got, []wantEntry{
			{"delete", "dependency", &dep.ID, nil, "노동보험시스템 → 대표홈페이지", `"kind":"network"`, ""},
			{"update", "service", &service.ID, ministry, "대국민 안내", fmt.Sprintf(`"system_ids":[%d]`, f.homepage.ID), `"system_ids":null`},
			{"delete", "system", &f.homepage.ID, ministry, "대표홈페이지", `"name":"대표홈페이지"`, ""},
			{"delete", "declared", &figure.ID, nil, "참고 3 · systems", `"metric":"systems"`, ""},
			{"delete", "agency", &lone.ID, &lone.ID, "폐지 예정 기관", `"name":"폐지 예정 기관"`, ""},
		})
		verifyChain(t, db)
	})
}

// Saving a record as it is changes nothing, and the log says nothing.
func TestUnchangedRecordsAreNotRecorded(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		dep := &inventory.Dependency{FromSystemID: f.homepage.ID, ToSystemID: f.benefits.ID}
		service := &inventory.Service{AgencyID: f.agency.ID, Name: "산재보험 급여 신청", SystemIDs: []int64{f.benefits.ID}}
		written(t, db, f.store, access.All(), func(ctx context.Context, tx *inventory.Tx) error {
			if err := tx.CreateDependency(ctx, dep); err != nil {
				return err
			}
			return tx.CreateService(ctx, service)
		})
		agency, _ := f.store.Agency(ctx, access.All(), f.agency.ID)
		facility, _ := f.store.Facility(ctx, access.All(), f.shared.ID)
		system, _ := f.store.System(ctx, access.All(), f.benefits.ID)
		svc, _ := f.store.Service(ctx, access.All(), service.ID)
		d, _ := f.store.Dependency(ctx, access.All(), dep.ID)
		got := written(t, db, f.store, access.All(), func(ctx context.Context, tx *inventory.Tx) error {
			return errors.Join(tx.UpdateAgency(ctx, agency), tx.UpdateFacility(ctx, facility), tx.UpdateSystem(ctx, system),
				tx.UpdateService(ctx, svc), tx.UpdateDependency(ctx, d))
		})
		if len(got) != 0 {
			t.Errorf("unchanged records recorded: %+v", got)
		}
		// Trimmed text is the same text.
		system.Name = " 노동보험시스템 "
		if got := written(t, db, f.store, access.All(), func(ctx context.Context, tx *inventory.Tx) error { return tx.UpdateSystem(ctx, system) }); len(got) != 0 {
			t.Errorf("a name that trims to itself recorded: %+v", got)
		}
		system.Description = "노동보험 징수·적용"
		if got := written(t, db, f.store, access.All(), func(ctx context.Context, tx *inventory.Tx) error { return tx.UpdateSystem(ctx, system) }); len(got) != 1 {
			t.Errorf("a real change recorded %d times", len(got))
		}
	})
}

// A write that fails, or whose transaction rolls back for any other reason,
// leaves no entry: the entry is in the same transaction.
func TestRolledBackWritesLeaveNoEntry(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := access.WithActor(context.Background(), admin)
		later := errors.New("a later step failed")
		err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			if err := tx.CreateSystem(ctx, &inventory.System{AgencyID: f.agency.ID, Name: "고용보험시스템"}); err != nil {
				return err
			}
			if err := tx.DeleteSystem(ctx, f.homepage.ID); err != nil {
				return err
			}
			return later
		})
		if !errors.Is(err, later) {
			t.Fatal(err)
		}
		// A write refused halfway (the agency still has systems) too.
		err = f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.DeleteAgency(ctx, f.agency.ID) })
		if err == nil {
			t.Fatal("an agency with systems was deleted")
		}
		rep := verifyChain(t, db)
		if rep.Entries != 6 {
			t.Errorf("%d entries after rolled-back writes, want the fixture's 6", rep.Entries)
		}
		n, _ := audit.Count(ctx, db, access.All(), audit.Filter{ActorName: admin.Name})
		if n != 0 {
			t.Errorf("%d entries by the rolled-back actor", n)
		}
	})
}

// Inventory writers running at once (several tower instances on one
// PostgreSQL database) still write one unbroken chain.
func TestConcurrentInventoryWritesKeepOneChain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		const writers, each = 6, 5
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Go(func() {
				ctx := access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, ID: int64(w), Name: fmt.Sprintf("writer %d", w)})
				for i := range each {
					s := &inventory.System{AgencyID: f.agency.ID, Name: fmt.Sprintf("시스템 %d-%d", w, i)}
					err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
						if err := tx.CreateSystem(ctx, s); err != nil {
							return err
						}
						s.Grade = 3
						return tx.UpdateSystem(ctx, s)
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		rep := verifyChain(t, db)
		if rep.Entries != 6+2*writers*each {
			t.Errorf("%d entries, want %d", rep.Entries, 6+2*writers*each)
		}
	})
}
