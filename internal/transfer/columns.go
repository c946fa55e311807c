package transfer

import (
	"maps"
	"slices"
	"strings"

	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

// column is one column of a sheet: its key and labels, and how a record's
// field is written to a cell (get) and read back from one (set). Export,
// import and the comparison that finds changes all go through the same
// pair, so they cannot drift apart: a field has changed when get gives a
// different text for the database record and the row.
type column[T any] struct {
	Column
	// label is the catalogue message that names the column (Korean and
	// English), with its arguments; named fills it in when a constructor
	// does not.
	label     string
	labelArgs []any
	get       func(w *world, r *T) string
	// set reads a cell (already trimmed; never called with "" for a
	// required column) into the record, reporting through c.fail.
	set func(c *rowCtx, r *T, v string)
}

// sheetDef is one sheet: its columns and how its records are listed,
// identified, copied and checked.
type sheetDef[T any] struct {
	name    string
	columns []column[T]
	// keyCols are the columns that make the natural key, in key order.
	keyCols []string
	list    func(inv *inventory.Inventory) []*T
	id      func(r *T) int64
	setID   func(r *T, id int64)
	fresh   func() *T
	clone   func(r *T) *T
	// check fills defaults the store would fill and validates the record.
	check func(r *T) inventory.Problems
	// keyOf is a stored record's key; false when it refers to a record the
	// scope does not show (then it is neither exported nor removed).
	keyOf func(w *world, r *T) ([]string, bool)
	// rowKey completes the key read from a row's key cells.
	rowKey func(parts []string) []string
	// label shows a key to people.
	label func(parts []string) string
	// fieldColumn maps a Validate field to the column it is reported on,
	// where the names differ.
	fieldColumn map[string]string
}

func (d *sheetDef[T]) column(key string) *column[T] {
	for i := range d.columns {
		if d.columns[i].Key == key {
			return &d.columns[i]
		}
	}
	return nil
}

// columnFor is the column a Validate field is reported on.
func (d *sheetDef[T]) columnFor(field string) string {
	if c, ok := d.fieldColumn[field]; ok {
		return c
	}
	if rest, ok := strings.CutPrefix(field, "redundancy."); ok {
		return "redundancy_" + rest
	}
	if rest, ok := strings.CutPrefix(field, "conditions."); ok {
		return rest
	}
	return field
}

// cells writes a record as a row of the sheet.
func (d *sheetDef[T]) cells(w *world, r *T) []string {
	row := make([]string, len(d.columns))
	for i, c := range d.columns {
		row[i] = c.get(w, r)
	}
	return row
}

func (d *sheetDef[T]) publicColumns() []Column {
	out := make([]Column, len(d.columns))
	for i, c := range d.columns {
		out[i] = c.Column
	}
	return out
}

func col[T any](key string, get func(w *world, r *T) string, set func(c *rowCtx, r *T, v string)) column[T] {
	return column[T]{Column: Column{Key: key}, get: get, set: set}
}

func required[T any](c column[T]) column[T] {
	c.Required = true
	return c
}

// labelled names a column by another catalogue message than its own
// column.<sheet>.<key>: the facility checklist and the redundancy layers
// are named as the rest of the tower names them.
func labelled[T any](c column[T], key string, args ...any) column[T] {
	c.label, c.labelArgs = key, args
	return c
}

// named gives a sheet's columns their headers from the catalogue: the
// message column.<sheet>.<key> unless the column was labelled otherwise.
// Headers are read once, at start; a key the catalogue lacks shows as
// itself, which TestColumnLabelsAreInTheCatalogue refuses.
func named[T any](sheet string, cols []column[T]) []column[T] {
	for i := range cols {
		c := &cols[i]
		if c.label == "" {
			c.label = "column." + sheet + "." + c.Key
		}
		c.Korean = locale.T(locale.Korean, c.label, c.labelArgs...)
		c.English = locale.T(locale.English, c.label, c.labelArgs...)
	}
	return cols
}

func textCol[T any](key string, field func(r *T) *string) column[T] {
	return col(key,
		func(_ *world, r *T) string { return normalizeText(*field(r)) },
		func(_ *rowCtx, r *T, v string) { *field(r) = v })
}

func boolCol[T any](key string, field func(r *T) *bool) column[T] {
	return col(key,
		func(_ *world, r *T) string { return formatBool(*field(r)) },
		func(c *rowCtx, r *T, v string) {
			b, ok := parseBool(v)
			if !ok {
				c.fail("transfer.not_boolean", v)
				return
			}
			*field(r) = b
		})
}

// codeCol is a column of code values (yes/none/unknown, nirs/self/…),
// written as the code and read as the code or one of its aliases.
func codeCol[T any](key string, field func(r *T) *string, aliases map[string]string) column[T] {
	return col(key,
		func(_ *world, r *T) string { return *field(r) },
		func(_ *rowCtx, r *T, v string) { *field(r) = parseCode(v, aliases) })
}

func durationCol[T any](key string, field func(r *T) **inventory.Minutes) column[T] {
	return col(key,
		func(_ *world, r *T) string { return formatMinutes(*field(r)) },
		func(c *rowCtx, r *T, v string) {
			if v == "" {
				*field(r) = nil
				return
			}
			m, err := inventory.ParseMinutes(v)
			if err != nil {
				c.fail("transfer.not_duration", v)
				return
			}
			*field(r) = &m
		})
}

func floatCol[T any](key string, field func(r *T) **float64) column[T] {
	return col(key,
		func(_ *world, r *T) string { return formatFloat(*field(r)) },
		func(c *rowCtx, r *T, v string) {
			if v == "" {
				*field(r) = nil
				return
			}
			f, ok := parseFloat(v)
			if !ok {
				c.fail("transfer.not_number", v)
				return
			}
			*field(r) = &f
		})
}

func intCol[T any](key string, field func(r *T) **int64) column[T] {
	return col(key,
		func(_ *world, r *T) string { return formatInt(*field(r)) },
		func(c *rowCtx, r *T, v string) {
			if v == "" {
				*field(r) = nil
				return
			}
			n, ok := parseInt(v)
			if !ok {
				c.fail("transfer.not_integer", v)
				return
			}
			*field(r) = &n
		})
}

// facilityCol is a reference to a facility by name; empty is none.
func facilityCol[T any](key string, field func(r *T) **int64) column[T] {
	return col(key,
		func(w *world, r *T) string {
			if id := *field(r); id != nil {
				return w.facilityName[*id]
			}
			return ""
		},
		func(c *rowCtx, r *T, v string) {
			if v == "" {
				*field(r) = nil
				return
			}
			if id, ok := c.facility(v); ok {
				*field(r) = &id
			}
		})
}

// agencyCol is the agency a system or service belongs to.
func agencyCol[T any](field func(r *T) *int64) column[T] {
	return required(col("agency",
		func(w *world, r *T) string { return w.agencyName[*field(r)] },
		func(c *rowCtx, r *T, v string) {
			if id, ok := c.agency(v); ok {
				*field(r) = id
			}
		}))
}

func triState(state string) string {
	if state == "" {
		return inventory.Unknown
	}
	return state
}

func joinKey(parts []string) string { return strings.Join(parts, "\x1f") }

var agencySheet = &sheetDef[inventory.Agency]{
	name:    SheetAgencies,
	keyCols: []string{"name"},
	columns: named(SheetAgencies, []column[inventory.Agency]{
		required(textCol("name", func(a *inventory.Agency) *string { return &a.Name })),
		textCol("short_name", func(a *inventory.Agency) *string { return &a.ShortName }),
		col("parent",
			func(w *world, a *inventory.Agency) string {
				if a.ParentID == nil {
					return ""
				}
				return w.agencyName[*a.ParentID]
			},
			func(c *rowCtx, a *inventory.Agency, v string) {
				if v == "" {
					// A parent the scope does not show is written as
					// empty; reading the empty cell back keeps it.
					if a.ParentID != nil {
						if _, visible := c.w.agencyName[*a.ParentID]; !visible {
							return
						}
					}
					a.ParentID = nil
					return
				}
				if id, ok := c.agency(v); ok {
					a.ParentID = &id
				}
			}),
		textCol("contact", func(a *inventory.Agency) *string { return &a.Contact }),
		boolCol("sample", func(a *inventory.Agency) *bool { return &a.Sample }),
	}),
	list:  func(inv *inventory.Inventory) []*inventory.Agency { return inv.Agencies },
	id:    func(a *inventory.Agency) int64 { return a.ID },
	setID: func(a *inventory.Agency, id int64) { a.ID = id },
	fresh: func() *inventory.Agency { return &inventory.Agency{} },
	clone: func(a *inventory.Agency) *inventory.Agency { c := *a; return &c },
	check: func(a *inventory.Agency) inventory.Problems { return a.Validate() },
	keyOf: func(w *world, a *inventory.Agency) ([]string, bool) {
		return []string{strings.TrimSpace(a.Name)}, true
	},
	label:       func(p []string) string { return p[0] },
	fieldColumn: map[string]string{"parent_id": "parent"},
}

var facilitySheet = func() *sheetDef[inventory.Facility] {
	type F = inventory.Facility
	cols := []column[F]{
		required(textCol("name", func(f *F) *string { return &f.Name })),
		required(codeCol("operator", func(f *F) *string { return &f.Operator }, operatorAliases)),
		textCol("operator_name", func(f *F) *string { return &f.OperatorName }),
		textCol("region", func(f *F) *string { return &f.Region }),
		textCol("address", func(f *F) *string { return &f.Address }),
	}
	for _, item := range inventory.ConditionItems {
		cols = append(cols, labelled(col(item,
			func(_ *world, f *F) string { return triState(f.Conditions[item]) },
			func(_ *rowCtx, f *F, v string) {
				state := parseCode(v, triAliases)
				if f.Conditions == nil {
					f.Conditions = map[string]string{}
				}
				if state == inventory.Unknown {
					delete(f.Conditions, item)
				} else {
					f.Conditions[item] = state
				}
			}), "condition."+item))
	}
	cols = append(cols,
		textCol("findings", func(f *F) *string { return &f.Findings }),
		boolCol("surveyed", func(f *F) *bool { return &f.Surveyed }),
		boolCol("sample", func(f *F) *bool { return &f.Sample }),
	)
	return &sheetDef[F]{
		name:    SheetFacilities,
		keyCols: []string{"name"},
		columns: named(SheetFacilities, cols),
		list:    func(inv *inventory.Inventory) []*F { return inv.Facilities },
		id:      func(f *F) int64 { return f.ID },
		setID:   func(f *F, id int64) { f.ID = id },
		fresh:   func() *F { return &F{Conditions: map[string]string{}} },
		clone: func(f *F) *F {
			c := *f
			c.Conditions = maps.Clone(f.Conditions)
			return &c
		},
		check: func(f *F) inventory.Problems { return f.Validate() },
		keyOf: func(w *world, f *F) ([]string, bool) {
			return []string{strings.TrimSpace(f.Name)}, true
		},
		label: func(p []string) string { return p[0] },
	}
}()

var systemSheet = func() *sheetDef[inventory.System] {
	type S = inventory.System
	cols := []column[S]{
		agencyCol(func(s *S) *int64 { return &s.AgencyID }),
		required(textCol("name", func(s *S) *string { return &s.Name })),
		col("grade",
			func(_ *world, s *S) string { return formatGrade(s.Grade) },
			func(c *rowCtx, s *S, v string) {
				g, ok := parseGrade(v)
				if !ok {
					c.fail("invalid.grade")
					return
				}
				s.Grade = g
			}),
		floatCol("score_impact", func(s *S) **float64 { return &s.ScoreImpact }),
		floatCol("score_users", func(s *S) **float64 { return &s.ScoreUsers }),
		floatCol("score_spread", func(s *S) **float64 { return &s.ScoreSpread }),
		intCol("users", func(s *S) **int64 { return &s.Users }),
		textCol("description", func(s *S) *string { return &s.Description }),
		textCol("critical_functions", func(s *S) *string { return &s.CriticalFunctions }),
		facilityCol("primary_facility", func(s *S) **int64 { return &s.PrimaryFacilityID }),
		facilityCol("dr_facility", func(s *S) **int64 { return &s.DRFacilityID }),
		codeCol("dr_performance", func(s *S) *string { return &s.DRPerformance }, drAliases),
		textCol("dr_note", func(s *S) *string { return &s.DRNote }),
	}
	for _, layer := range inventory.Layers {
		cols = append(cols, labelled(col("redundancy_"+layer,
			func(_ *world, s *S) string { return triState(s.Redundancy[layer]) },
			func(_ *rowCtx, s *S, v string) {
				if s.Redundancy == nil {
					s.Redundancy = map[string]string{}
				}
				s.Redundancy[layer] = parseCode(v, triAliases)
			}), "column.systems.redundancy", locale.Key("layer."+layer)))
	}
	cols = append(cols,
		durationCol("backup_full_every", func(s *S) **inventory.Minutes { return &s.BackupFullEvery }),
		durationCol("backup_incr_every", func(s *S) **inventory.Minutes { return &s.BackupIncrEvery }),
		codeCol("offsite_method", func(s *S) *string { return &s.OffsiteMethod }, offsiteAliases),
		durationCol("offsite_every", func(s *S) **inventory.Minutes { return &s.OffsiteEvery }),
		durationCol("rto_disaster", func(s *S) **inventory.Minutes { return &s.RTODisaster }),
		durationCol("rpo_disaster", func(s *S) **inventory.Minutes { return &s.RPODisaster }),
		durationCol("rto_failure", func(s *S) **inventory.Minutes { return &s.RTOFailure }),
		durationCol("rpo_failure", func(s *S) **inventory.Minutes { return &s.RPOFailure }),
		codeCol("manual", func(s *S) *string { return &s.Manual }, triAliases),
		textCol("manual_fallback", func(s *S) *string { return &s.ManualFallback }),
		textCol("owner_primary", func(s *S) *string { return &s.OwnerPrimary }),
		textCol("owner_secondary", func(s *S) *string { return &s.OwnerSecondary }),
		textCol("vendor", func(s *S) *string { return &s.Vendor }),
		col("endpoints",
			func(_ *world, s *S) string {
				targets := make([]string, len(s.Endpoints))
				for i, e := range s.Endpoints {
					targets[i] = strings.TrimSpace(e.Target)
				}
				return strings.Join(targets, "\n")
			},
			func(_ *rowCtx, s *S, v string) {
				s.Endpoints = nil
				for _, target := range lines(v) {
					s.Endpoints = append(s.Endpoints, inventory.Endpoint{Target: target})
				}
			}),
		boolCol("surveyed", func(s *S) *bool { return &s.Surveyed }),
		boolCol("sample", func(s *S) *bool { return &s.Sample }),
	)
	return &sheetDef[S]{
		name:    SheetSystems,
		keyCols: []string{"agency", "name"},
		columns: named(SheetSystems, cols),
		list:    func(inv *inventory.Inventory) []*S { return inv.Systems },
		id:      func(s *S) int64 { return s.ID },
		setID:   func(s *S, id int64) { s.ID = id },
		fresh:   func() *S { s := &S{}; s.Normalize(); return s },
		clone: func(s *S) *S {
			c := *s
			c.Redundancy = maps.Clone(s.Redundancy)
			c.Endpoints = slices.Clone(s.Endpoints)
			return &c
		},
		check: func(s *S) inventory.Problems { s.Normalize(); return s.Validate() },
		keyOf: func(w *world, s *S) ([]string, bool) {
			k, ok := w.systemKey[s.ID]
			return []string{k.agency, k.name}, ok
		},
		label: func(p []string) string { return p[0] + "/" + p[1] },
		fieldColumn: map[string]string{
			"agency_id": "agency", "primary_facility_id": "primary_facility", "dr_facility_id": "dr_facility",
		},
	}
}()

var serviceSheet = func() *sheetDef[inventory.Service] {
	type V = inventory.Service
	return &sheetDef[V]{
		name:    SheetServices,
		keyCols: []string{"agency", "name"},
		columns: named(SheetServices, []column[V]{
			agencyCol(func(s *V) *int64 { return &s.AgencyID }),
			required(textCol("name", func(s *V) *string { return &s.Name })),
			codeCol("audience", func(s *V) *string { return &s.Audience }, audienceAliases),
			textCol("description", func(s *V) *string { return &s.Description }),
			durationCol("mtpd", func(s *V) **inventory.Minutes { return &s.MTPD }),
			durationCol("rto", func(s *V) **inventory.Minutes { return &s.RTO }),
			durationCol("rpo", func(s *V) **inventory.Minutes { return &s.RPO }),
			textCol("manual_workaround", func(s *V) *string { return &s.ManualWorkaround }),
			col("systems",
				func(w *world, s *V) string {
					var refs []string
					for _, id := range s.SystemIDs {
						if k, ok := w.systemKey[id]; ok {
							refs = append(refs, k.String())
						}
					}
					slices.Sort(refs)
					return strings.Join(slices.Compact(refs), "\n")
				},
				func(c *rowCtx, s *V, v string) {
					// Links to systems the scope does not show stay.
					var ids []int64
					for _, id := range s.SystemIDs {
						if _, visible := c.w.systemKey[id]; !visible {
							ids = append(ids, id)
						}
					}
					for _, ref := range lines(v) {
						if id, ok := c.systemRef(ref, c.value("agency")); ok && !slices.Contains(ids, id) {
							ids = append(ids, id)
						}
					}
					s.SystemIDs = ids
				}),
			boolCol("sample", func(s *V) *bool { return &s.Sample }),
		}),
		list:  func(inv *inventory.Inventory) []*V { return inv.Services },
		id:    func(s *V) int64 { return s.ID },
		setID: func(s *V, id int64) { s.ID = id },
		fresh: func() *V { return &V{Audience: "public"} },
		clone: func(s *V) *V {
			c := *s
			c.SystemIDs = slices.Clone(s.SystemIDs)
			return &c
		},
		check: func(s *V) inventory.Problems {
			if s.Audience == "" {
				s.Audience = "public"
			}
			return s.Validate()
		},
		keyOf: func(w *world, s *V) ([]string, bool) {
			name, ok := w.agencyName[s.AgencyID]
			return []string{name, strings.TrimSpace(s.Name)}, ok
		},
		label:       func(p []string) string { return p[0] + "/" + p[1] },
		fieldColumn: map[string]string{"agency_id": "agency", "system_ids": "systems"},
	}
}()

var dependencySheet = func() *sheetDef[inventory.Dependency] {
	type D = inventory.Dependency
	side := func(id int64, w *world) sysKey { return w.systemKey[id] }
	return &sheetDef[D]{
		name:    SheetDependencies,
		keyCols: []string{"from_agency", "from_system", "to_agency", "to_system"},
		columns: named(SheetDependencies, []column[D]{
			required(col("from_agency",
				func(w *world, d *D) string { return side(d.FromSystemID, w).agency },
				func(c *rowCtx, _ *D, v string) { c.agency(v) })),
			required(col("from_system",
				func(w *world, d *D) string { return side(d.FromSystemID, w).name },
				func(c *rowCtx, d *D, v string) {
					if agency := c.value("from_agency"); c.w.agencyID[agency] != 0 {
						if id, ok := c.system(agency, v); ok {
							d.FromSystemID = id
						}
					}
				})),
			col("to_agency",
				func(w *world, d *D) string { return side(d.ToSystemID, w).agency },
				func(c *rowCtx, _ *D, v string) {
					if v != "" {
						c.agency(v)
					}
				}),
			required(col("to_system",
				func(w *world, d *D) string { return side(d.ToSystemID, w).name },
				func(c *rowCtx, d *D, v string) {
					agency := c.value("to_agency")
					if agency == "" {
						agency = c.value("from_agency")
					}
					if c.w.agencyID[agency] != 0 {
						if id, ok := c.system(agency, v); ok {
							d.ToSystemID = id
						}
					}
				})),
			codeCol("kind", func(d *D) *string { return &d.Kind }, kindAliases),
			textCol("note", func(d *D) *string { return &d.Note }),
		}),
		list:  func(inv *inventory.Inventory) []*D { return inv.Dependencies },
		id:    func(d *D) int64 { return d.ID },
		setID: func(d *D, id int64) { d.ID = id },
		fresh: func() *D { return &D{Kind: "interface"} },
		clone: func(d *D) *D { c := *d; return &c },
		check: func(d *D) inventory.Problems {
			if d.Kind == "" {
				d.Kind = "interface"
			}
			return d.Validate()
		},
		keyOf: func(w *world, d *D) ([]string, bool) {
			from, ok1 := w.systemKey[d.FromSystemID]
			to, ok2 := w.systemKey[d.ToSystemID]
			return []string{from.agency, from.name, to.agency, to.name}, ok1 && ok2
		},
		rowKey: func(p []string) []string {
			if p[2] == "" {
				p[2] = p[0]
			}
			return p
		},
		label: func(p []string) string { return p[0] + "/" + p[1] + " → " + p[2] + "/" + p[3] },
		fieldColumn: map[string]string{
			"from_system_id": "from_system", "to_system_id": "to_system",
		},
	}
}()

// columnsOf lists a sheet's columns; nil for an unknown sheet.
func columnsOf(sheet string) []Column {
	switch sheet {
	case SheetAgencies:
		return agencySheet.publicColumns()
	case SheetFacilities:
		return facilitySheet.publicColumns()
	case SheetSystems:
		return systemSheet.publicColumns()
	case SheetServices:
		return serviceSheet.publicColumns()
	case SheetDependencies:
		return dependencySheet.publicColumns()
	}
	return nil
}
