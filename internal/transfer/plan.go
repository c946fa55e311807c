package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strings"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
)

// entry is one row of a sheet, or a change that follows from another sheet.
type entry[T any] struct {
	row    int
	parts  []string
	label  string
	rec    *T // the record as the import leaves it
	old    *T // the stored record; nil for an add
	fields []string
	diff   []FieldDiff
	ctx    *rowCtx
}

func (e *entry[T]) action() string {
	switch {
	case e.old == nil:
		return ActionAdd
	case len(e.fields) > 0:
		return ActionChange
	}
	return ""
}

type removal[T any] struct {
	rec   *T
	label string
}

// sheetPlan is what an import does to one kind of record.
type sheetPlan[T any] struct {
	def     *sheetDef[T]
	tbl     *table // nil when the file has no such sheet
	colIdx  map[string]int
	header  []string
	entries []*entry[T]
	removed []*removal[T]
}

func (s *sheetPlan[T]) present() bool { return s.tbl != nil }

// planState is an import being planned and then applied.
type planState struct {
	w        *world
	scope    access.Scope
	inv      *inventory.Inventory
	problems []Problem

	agencies     *sheetPlan[inventory.Agency]
	facilities   *sheetPlan[inventory.Facility]
	systems      *sheetPlan[inventory.System]
	services     *sheetPlan[inventory.Service]
	dependencies *sheetPlan[inventory.Dependency]
}

// buildPlan reads the book against the inventory and works out every
// change, or the problems that stop it.
func buildPlan(inv *inventory.Inventory, scope access.Scope, b *book) *planState {
	p := &planState{
		w:            newWorld(inv),
		scope:        scope,
		inv:          inv,
		agencies:     &sheetPlan[inventory.Agency]{def: agencySheet, tbl: b.tables[SheetAgencies]},
		facilities:   &sheetPlan[inventory.Facility]{def: facilitySheet, tbl: b.tables[SheetFacilities]},
		systems:      &sheetPlan[inventory.System]{def: systemSheet, tbl: b.tables[SheetSystems]},
		services:     &sheetPlan[inventory.Service]{def: serviceSheet, tbl: b.tables[SheetServices]},
		dependencies: &sheetPlan[inventory.Dependency]{def: dependencySheet, tbl: b.tables[SheetDependencies]},
	}
	w := p.w

	// Agencies: the sheet's names become the agencies there will be.
	if identify(p, p.agencies) {
		ids := map[string]int64{}
		for _, e := range p.agencies.entries {
			ids[e.parts[0]] = e.rec.ID
			w.agencyName[e.rec.ID] = e.parts[0]
		}
		for _, r := range p.agencies.removed {
			w.agencyGone[r.label] = true
		}
		w.agencyID = ids
		fill(p, p.agencies)
		p.checkParents()
	}
	if identify(p, p.facilities) {
		ids := map[string]int64{}
		for _, e := range p.facilities.entries {
			ids[e.parts[0]] = e.rec.ID
			w.facilityName[e.rec.ID] = e.parts[0]
		}
		for _, r := range p.facilities.removed {
			w.facilityGone[r.label] = true
		}
		w.facilityID = ids
		fill(p, p.facilities)
	}
	if identify(p, p.systems) {
		ids := map[sysKey]int64{}
		for _, e := range p.systems.entries {
			k := sysKey{e.parts[0], e.parts[1]}
			ids[k] = e.rec.ID
			w.systemKey[e.rec.ID] = k
		}
		for _, r := range p.systems.removed {
			w.systemGone[w.systemKey[r.rec.ID]] = true
		}
		w.systemID = ids
		fill(p, p.systems)
		p.checkSystemFacilities()
	}
	if identify(p, p.services) {
		fill(p, p.services)
	}
	if identify(p, p.dependencies) {
		fill(p, p.dependencies)
	}
	p.checkRemovalsInUse()
	p.cascadeSystemRemovals()
	p.checkScope()
	return p
}

// readHeader maps the sheet's header row to columns, reporting unknown,
// duplicate and missing ones. It returns false when a key column is
// missing, so the rows cannot be read at all.
func readHeader[T any](p *planState, s *sheetPlan[T]) bool {
	def, tbl := s.def, s.tbl
	lookup := map[string]string{}
	for _, c := range def.columns {
		for _, name := range []string{c.Key, c.Korean, c.English} {
			lookup[fold(name)] = c.Key
		}
	}
	s.colIdx = map[string]int{}
	s.header = tbl.header
	if len(tbl.header) == 0 || slices.IndexFunc(tbl.header, func(h string) bool { return strings.TrimSpace(h) != "" }) < 0 {
		p.problems = append(p.problems, Problem{Sheet: def.name, Row: 1, Key: "transfer.no_header"})
		return false
	}
	for i, h := range tbl.header {
		if strings.TrimSpace(h) == "" {
			continue
		}
		key, ok := lookup[fold(h)]
		if !ok {
			p.problems = append(p.problems, Problem{Sheet: def.name, Row: 1, Column: columnLetter(i), Header: h,
				Key: "transfer.unknown_column", Args: []any{strings.TrimSpace(h)}})
			continue
		}
		if first, dup := s.colIdx[key]; dup {
			p.problems = append(p.problems, Problem{Sheet: def.name, Row: 1, Column: columnLetter(i), Header: h, Field: key,
				Key: "transfer.duplicate_column", Args: []any{strings.TrimSpace(h), columnLetter(first)}})
			continue
		}
		s.colIdx[key] = i
	}
	ok := true
	for _, c := range def.columns {
		if _, has := s.colIdx[c.Key]; c.Required && !has {
			p.problems = append(p.problems, Problem{Sheet: def.name, Header: c.Korean, Field: c.Key,
				Key: "transfer.missing_column", Args: []any{c.Korean + " (" + c.Key + ")"}})
			if slices.Contains(def.keyCols, c.Key) {
				ok = false
			}
		}
	}
	// A value under no header (or under a header already refused) is a
	// column the file means but we cannot read.
	reported := map[int]bool{}
	for _, r := range tbl.rows {
		for i, v := range r.cells {
			if i < len(tbl.header) && strings.TrimSpace(tbl.header[i]) != "" || reported[i] || strings.TrimSpace(v) == "" {
				continue
			}
			reported[i] = true
			p.problems = append(p.problems, Problem{Sheet: def.name, Row: r.num, Column: columnLetter(i),
				Key: "transfer.column_without_header"})
		}
	}
	return ok
}

// identify reads the key of every row and pairs it with the stored record
// of that key, or a new record with a provisional id; stored records no
// row names are removals. It returns false when the sheet is absent or
// unreadable.
func identify[T any](p *planState, s *sheetPlan[T]) bool {
	if !s.present() {
		return false
	}
	if !readHeader(p, s) {
		return false
	}
	def := s.def
	stored := map[string]*T{}
	var order []string
	for _, r := range def.list(p.inv) {
		parts, ok := def.keyOf(p.w, r)
		if !ok {
			continue
		}
		k := joinKey(parts)
		stored[k] = r
		order = append(order, k)
	}
	seen := map[string]int{}
	for _, row := range s.tbl.rows {
		cells := map[string]string{}
		blank := true
		for key, i := range s.colIdx {
			if i < len(row.cells) {
				v := normalizeText(row.cells[i])
				cells[key] = v
				blank = blank && v == ""
			}
		}
		if blank {
			continue
		}
		parts := make([]string, len(def.keyCols))
		for i, k := range def.keyCols {
			parts[i] = cells[k]
		}
		if def.rowKey != nil {
			parts = def.rowKey(parts)
		}
		missing := false
		for i, k := range def.keyCols {
			if parts[i] == "" {
				missing = true
				p.problems = append(p.problems, p.cellProblem(s, row.num, k, "invalid.required"))
			}
		}
		if missing {
			continue
		}
		k := joinKey(parts)
		label := def.label(parts)
		if first, dup := seen[k]; dup {
			p.problems = append(p.problems, p.cellProblem(s, row.num, def.keyCols[len(def.keyCols)-1], "transfer.duplicate_row", label, first))
			continue
		}
		seen[k] = row.num
		e := &entry[T]{row: row.num, parts: parts, label: label, ctx: &rowCtx{w: p.w, cells: cells}}
		if old, ok := stored[k]; ok {
			e.old = old
			e.rec = def.clone(old)
		} else {
			e.rec = def.fresh()
			def.setID(e.rec, p.w.provisional())
		}
		s.entries = append(s.entries, e)
	}
	for _, k := range order {
		if _, kept := seen[k]; !kept {
			r := stored[k]
			parts, _ := def.keyOf(p.w, r)
			s.removed = append(s.removed, &removal[T]{rec: r, label: def.label(parts)})
		}
	}
	return true
}

// fill reads every cell of every identified row into its record, checks
// the record with the inventory's own rules, and lists the fields that
// differ from the stored record.
func fill[T any](p *planState, s *sheetPlan[T]) {
	def := s.def
	for _, e := range s.entries {
		c := e.ctx
		for _, column := range def.columns {
			if _, has := s.colIdx[column.Key]; !has {
				continue
			}
			c.col = column.Key
			v := c.cells[column.Key]
			if column.Required && v == "" {
				c.fail("invalid.required")
				continue
			}
			column.set(c, e.rec, v)
		}
		c.col = ""
		for _, problem := range def.check(e.rec) {
			column := def.columnFor(problem.Field)
			if c.failed(column) {
				continue
			}
			if col := def.column(column); col != nil && col.Required {
				if _, has := s.colIdx[column]; !has {
					continue // the missing column is reported once, for the sheet
				}
			}
			c.issues = append(c.issues, issue{col: column, key: problem.Key, args: problem.Args})
		}
		for _, is := range c.issues {
			p.problems = append(p.problems, p.cellProblem(s, e.row, is.col, is.key, is.args...))
		}
		if e.old != nil {
			for _, column := range def.columns {
				if before, after := column.get(p.w, e.old), column.get(p.w, e.rec); before != after {
					e.fields = append(e.fields, column.Key)
					e.diff = append(e.diff, FieldDiff{Field: column.Key, Before: before, After: after})
				}
			}
		}
	}
}

// cellProblem places a problem on a row and a column of the sheet; a column
// the file lacks is named by its Korean label.
func (p *planState) cellProblem(s interface {
	place(col string) (letter, header string)
	sheetName() string
}, row int, col, key string, args ...any) Problem {
	letter, header := s.place(col)
	return Problem{Sheet: s.sheetName(), Row: row, Column: letter, Header: header, Field: col, Key: key, Args: args}
}

func (s *sheetPlan[T]) sheetName() string { return s.def.name }

func (s *sheetPlan[T]) place(col string) (string, string) {
	if i, ok := s.colIdx[col]; ok {
		return columnLetter(i), strings.TrimSpace(s.header[i])
	}
	if c := s.def.column(col); c != nil {
		return "", c.Korean
	}
	return "", col
}

// checkParents refuses a parent that the import removes (the row keeps it
// when the sheet has no parent column) and a cycle of parents.
func (p *planState) checkParents() {
	s := p.agencies
	parent := map[int64]int64{}
	for _, e := range s.entries {
		if e.rec.ParentID == nil {
			continue
		}
		parent[e.rec.ID] = *e.rec.ParentID
		if p.w.agencyGoneID(*e.rec.ParentID) && !e.ctx.failed("parent") {
			p.problems = append(p.problems, p.cellProblem(s, e.row, "parent", "transfer.agency_removed", p.w.agencyName[*e.rec.ParentID]))
		}
	}
	for _, e := range s.entries {
		id, path := e.rec.ID, []string{e.label}
		for range len(parent) + 1 {
			next, ok := parent[id]
			if !ok {
				break
			}
			if next == e.rec.ID && len(path) > 1 {
				p.problems = append(p.problems, p.cellProblem(s, e.row, "parent", "transfer.parent_cycle", strings.Join(append(path, e.label), " → ")))
				break
			}
			if next == e.rec.ID {
				break // its own parent: Validate says so
			}
			id = next
			path = append(path, p.w.agencyName[id])
		}
	}
}

// checkSystemFacilities refuses a kept facility (the sheet has no such
// column) that the import removes.
func (p *planState) checkSystemFacilities() {
	s := p.systems
	for _, e := range s.entries {
		for col, id := range map[string]*int64{"primary_facility": e.rec.PrimaryFacilityID, "dr_facility": e.rec.DRFacilityID} {
			if id != nil && p.w.facilityGoneID(*id) && !e.ctx.failed(col) {
				p.problems = append(p.problems, p.cellProblem(s, e.row, col, "transfer.facility_removed", p.w.facilityName[*id]))
			}
		}
	}
}

// checkRemovalsInUse refuses to remove an agency or facility that stored
// records of a sheet the file does not have still use. (Rows of sheets the
// file has are checked as they are read.)
func (p *planState) checkRemovalsInUse() {
	w := p.w
	if !p.systems.present() {
		for _, s := range p.inv.Systems {
			if w.agencyGoneID(s.AgencyID) {
				p.problems = append(p.problems, Problem{Sheet: SheetAgencies, Key: "transfer.agency_used_by_system",
					Args: []any{w.agencyName[s.AgencyID], w.systemKey[s.ID].String()}})
			}
			for _, id := range []*int64{s.PrimaryFacilityID, s.DRFacilityID} {
				if id != nil && w.facilityGoneID(*id) {
					p.problems = append(p.problems, Problem{Sheet: SheetFacilities, Key: "transfer.facility_used_by_system",
						Args: []any{w.facilityName[*id], w.systemKey[s.ID].String()}})
				}
			}
		}
	}
	if !p.services.present() {
		for _, s := range p.inv.Services {
			if w.agencyGoneID(s.AgencyID) {
				p.problems = append(p.problems, Problem{Sheet: SheetAgencies, Key: "transfer.agency_used_by_service",
					Args: []any{w.agencyName[s.AgencyID], w.agencyName[s.AgencyID] + "/" + s.Name}})
			}
		}
	}
}

// cascadeSystemRemovals lists what removing a system takes with it when the
// file does not speak for it: its dependencies, and its place among a
// service's supporting systems. The store would do the same on delete; the
// plan shows it.
func (p *planState) cascadeSystemRemovals() {
	w := p.w
	if len(p.systems.removed) == 0 {
		return
	}
	if !p.dependencies.present() {
		for _, d := range p.inv.Dependencies {
			if w.systemGoneID(d.FromSystemID) || w.systemGoneID(d.ToSystemID) {
				parts, ok := dependencySheet.keyOf(w, d)
				if !ok {
					continue
				}
				p.dependencies.removed = append(p.dependencies.removed, &removal[inventory.Dependency]{rec: d, label: dependencySheet.label(parts)})
			}
		}
	}
	if !p.services.present() {
		for _, s := range p.inv.Services {
			kept := slices.DeleteFunc(slices.Clone(s.SystemIDs), w.systemGoneID)
			if len(kept) == len(s.SystemIDs) {
				continue
			}
			rec := serviceSheet.clone(s)
			rec.SystemIDs = kept
			parts, _ := serviceSheet.keyOf(w, s)
			systems := serviceSheet.column("systems")
			p.services.entries = append(p.services.entries, &entry[inventory.Service]{
				parts: parts, label: serviceSheet.label(parts), rec: rec, old: s, fields: []string{"systems"},
				diff: []FieldDiff{{Field: "systems", Before: systems.get(w, s), After: systems.get(w, rec)}},
			})
		}
	}
}

// checkScope refuses, outside the ministry's scope, any change to agencies
// or facilities: the store lets only the ministry write them.
func (p *planState) checkScope() {
	if p.scope.IsAll() {
		return
	}
	forbid := func(sheet string, row int, label string) {
		p.problems = append(p.problems, Problem{Sheet: sheet, Row: row, Key: "transfer.ministry_only", Args: []any{label}})
	}
	for _, e := range p.agencies.entries {
		if e.action() != "" {
			forbid(SheetAgencies, e.row, e.label)
		}
	}
	for _, r := range p.agencies.removed {
		forbid(SheetAgencies, 0, r.label)
	}
	for _, e := range p.facilities.entries {
		if e.action() != "" {
			forbid(SheetFacilities, e.row, e.label)
		}
	}
	for _, r := range p.facilities.removed {
		forbid(SheetFacilities, 0, r.label)
	}
}

// public is the plan as callers see it.
func (p *planState) public(b *book) *Plan {
	plan := &Plan{Counts: map[string]map[string]int{}, IgnoredSheets: b.ignored, Changes: []Change{}}
	count := func(sheet, action string) {
		if plan.Counts[sheet] == nil {
			plan.Counts[sheet] = map[string]int{ActionAdd: 0, ActionChange: 0, ActionRemove: 0}
		}
		if action != "" {
			plan.Counts[sheet][action]++
		}
	}
	for _, sheet := range Sheets {
		if b.tables[sheet] != nil {
			plan.Sheets = append(plan.Sheets, sheet)
			count(sheet, "")
		}
	}
	// The digest covers what the preview showed and what the apply would
	// write: each change with its values (a field's before and after, an
	// added row's cells, a removed record's stored cells). A colleague
	// changing one of those values in between makes another digest, so an
	// apply of the old preview cannot overwrite their edit unseen.
	digest := sha256.New()
	add := func(c Change, values []string) {
		plan.Changes = append(plan.Changes, c)
		count(c.Sheet, c.Action)
		digestWrite(digest, c.Sheet, c.Action, c.Key)
		digestWrite(digest, c.Fields...)
		for _, d := range c.Diff {
			digestWrite(digest, d.Field, d.Before, d.After)
		}
		digestWrite(digest, values...)
	}
	publicSheet(p.w, p.agencies, add)
	publicSheet(p.w, p.facilities, add)
	publicSheet(p.w, p.systems, add)
	publicSheet(p.w, p.services, add)
	publicSheet(p.w, p.dependencies, add)
	plan.Digest = hex.EncodeToString(digest.Sum(nil)[:16])
	return plan
}

func publicSheet[T any](w *world, s *sheetPlan[T], add func(c Change, values []string)) {
	for _, e := range s.entries {
		switch a := e.action(); a {
		case ActionAdd:
			add(Change{Sheet: s.def.name, Action: a, Key: e.label, Row: e.row}, s.def.cells(w, e.rec))
		case ActionChange:
			add(Change{Sheet: s.def.name, Action: a, Key: e.label, Row: e.row, Fields: e.fields, Diff: e.diff}, nil)
		}
	}
	for _, r := range s.removed {
		add(Change{Sheet: s.def.name, Action: ActionRemove, Key: r.label}, s.def.cells(w, r.rec))
	}
}

// digestWrite adds strings to a digest, each prefixed by its length, so
// that no two lists of strings write the same bytes.
func digestWrite(h hash.Hash, parts ...string) {
	fmt.Fprintf(h, "%d;", len(parts))
	for _, s := range parts {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
}

// problemFromWrite turns a refusal of the store during apply (which the
// checks above should have caught) into a problem on the row.
func problemFromWrite[T any](s *sheetPlan[T], row int, err error) error {
	e, ok := apperror.As(err)
	if !ok {
		return err
	}
	col := s.def.columnFor(e.Field)
	letter, header := "", ""
	if e.Field != "" {
		letter, header = s.place(col)
	} else {
		col = ""
	}
	return newProblemsError([]Problem{{Sheet: s.def.name, Row: row, Column: letter, Header: header, Field: col, Key: e.Key, Args: e.Args}})
}
