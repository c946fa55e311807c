// Package sampledata loads the plan's own dataset (SPEC §5) into an empty
// inventory: the 16 agencies, 18 facilities and 212 systems of 참고 3, the
// site-survey findings of 참고 4, the written survey's figures of I-1, a few
// services and dependencies, and every figure the plan states, so that the
// data-quality report can hold the records against them. Where the plan
// gives only counts, generic systems marked Sample fill them in.
// docs/sample-data.md says where each figure comes from and what we assumed.
package sampledata

import (
	"context"
	"fmt"
	"strings"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
)

// errNotEmpty refuses to load over existing records.
var errNotEmpty = apperror.New(apperror.Conflict, "", "conflict.sample_not_empty")

// Load writes the sample dataset into an empty database: the inventory in
// one transaction (access.All() scope), then the plan's records that name
// its systems and facilities (planRecords). It returns an error and writes
// nothing when the database already holds agencies or facilities.
func Load(ctx context.Context, db *database.DB) error {
	if err := loadInventory(ctx, inventory.NewStore(db)); err != nil {
		return err
	}
	for _, load := range planRecords {
		if err := load(ctx, db); err != nil {
			return err
		}
	}
	return nil
}

// planRecords load what the plan says of the inventory's records — each
// finds the systems and facilities it needs by name, in the order listed.
var planRecords = []func(context.Context, *database.DB) error{
	loadProposals, // the plan's grade-change proposals (1-1)
	loadRisks,     // the site survey's findings (참고 4)
}

func loadInventory(ctx context.Context, store *inventory.Store) error {
	systems, err := planSystems()
	if err != nil {
		return err
	}
	return store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		existing, err := tx.Load(ctx)
		if err != nil {
			return err
		}
		if len(existing.Agencies) > 0 || len(existing.Facilities) > 0 {
			return errNotEmpty
		}
		w := &writer{tx: tx, agencies: map[string]int64{}, facilities: map[string]int64{}, systems: map[systemRef]int64{}}
		for _, step := range []func(context.Context) error{
			w.createAgencies, w.createFacilities,
			func(ctx context.Context) error { return w.createSystems(ctx, systems) },
			w.createServices, w.createDependencies, w.addDeclared,
		} {
			if err := step(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

// planSystems builds every agency's systems, strongest first, before
// anything is written, so that a rule that does not add up writes nothing.
func planSystems() (map[string][]*planned, error) {
	all := map[string][]*planned{}
	for _, a := range agencyTable {
		list, err := planAgency(a.short, a.name)
		if err != nil {
			return nil, err
		}
		if err := applySurvey(list, surveyProfiles[a.short]); err != nil {
			return nil, fmt.Errorf("%w (%s)", err, a.short)
		}
		for _, p := range list {
			describe(p)
		}
		all[a.short] = list
	}
	return all, nil
}

// writer writes the dataset through one transaction, remembering the IDs
// it was given so that later records can refer to earlier ones.
type writer struct {
	tx         *inventory.Tx
	agencies   map[string]int64
	facilities map[string]int64
	systems    map[systemRef]int64
}

func (w *writer) createAgencies(ctx context.Context) error {
	var parent *int64
	for _, row := range agencyTable {
		a := &inventory.Agency{Name: row.name, ShortName: row.short, ParentID: parent}
		if err := w.tx.CreateAgency(ctx, a); err != nil {
			return fmt.Errorf("sampledata: agency %s: %w", row.name, err)
		}
		w.agencies[row.short] = a.ID
		if parent == nil {
			parent = &a.ID
		}
	}
	return nil
}

func (w *writer) createFacilities(ctx context.Context) error {
	for _, row := range facilityTable {
		f := &inventory.Facility{Name: row.name, Operator: row.operator, OperatorName: row.operatorName,
			Region: row.region, Address: row.address, Conditions: row.conditions,
			Findings: strings.Join(row.findings, "\n"), Surveyed: row.surveyed}
		if err := w.tx.CreateFacility(ctx, f); err != nil {
			return fmt.Errorf("sampledata: facility %s: %w", row.name, err)
		}
		w.facilities[row.name] = f.ID
	}
	return nil
}

func (w *writer) createSystems(ctx context.Context, systems map[string][]*planned) error {
	for _, a := range agencyTable {
		for _, p := range systems[a.short] {
			s := p.sys
			s.AgencyID = w.agencies[p.agency]
			s.PrimaryFacilityID = w.facilityID(p.facility)
			s.DRFacilityID = w.facilityID(p.drFacility)
			if err := w.tx.CreateSystem(ctx, &s); err != nil {
				return fmt.Errorf("sampledata: system %s %s: %w", p.agency, s.Name, err)
			}
			w.systems[systemRef{p.agency, s.Name}] = s.ID
		}
	}
	return nil
}

func (w *writer) facilityID(name string) *int64 {
	if name == "" {
		return nil
	}
	id := w.facilities[name]
	return &id
}

func (w *writer) system(ref systemRef) (int64, error) {
	id, ok := w.systems[ref]
	if !ok {
		return 0, fmt.Errorf("sampledata: no system %s %s", ref.agency, ref.name)
	}
	return id, nil
}

func (w *writer) createServices(ctx context.Context) error {
	for _, row := range serviceTable {
		mtpd, rto, rpo := row.mtpd, row.rto, row.rpo
		s := &inventory.Service{AgencyID: w.agencies[row.agency], Name: row.name, Audience: row.audience,
			Description: row.description, MTPD: &mtpd, RTO: &rto, RPO: &rpo, ManualWorkaround: row.workaround, Sample: true}
		for _, ref := range row.systems {
			id, err := w.system(ref)
			if err != nil {
				return err
			}
			s.SystemIDs = append(s.SystemIDs, id)
		}
		if err := w.tx.CreateService(ctx, s); err != nil {
			return fmt.Errorf("sampledata: service %s: %w", row.name, err)
		}
	}
	return nil
}

func (w *writer) createDependencies(ctx context.Context) error {
	for _, row := range dependencyTable {
		from, err := w.system(row.from)
		if err != nil {
			return err
		}
		to, err := w.system(row.to)
		if err != nil {
			return err
		}
		if err := w.tx.CreateDependency(ctx, &inventory.Dependency{FromSystemID: from, ToSystemID: to, Kind: row.kind, Note: row.note}); err != nil {
			return fmt.Errorf("sampledata: dependency %s → %s: %w", row.from.name, row.to.name, err)
		}
	}
	return nil
}

func (w *writer) addDeclared(ctx context.Context) error {
	for _, d := range declaredFigures(w.agencies, w.facilities) {
		if err := w.tx.AddDeclared(ctx, d); err != nil {
			return fmt.Errorf("sampledata: %w", err)
		}
	}
	return nil
}
