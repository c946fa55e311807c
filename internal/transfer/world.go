package transfer

import (
	"strings"

	"yeonsok/internal/inventory"
)

// sysKey is a system's natural key.
type sysKey struct{ agency, name string }

func (k sysKey) String() string { return k.agency + "/" + k.name }

// world is the naming of records during an export or an import: ids to
// names for writing and comparing, names to ids for reading references.
//
// During an import the name-to-id maps describe the inventory as it will be
// after the import: once a sheet is read, its names replace the database's,
// new rows get provisional (negative) ids, and the database records the
// sheet drops are remembered as gone, so that a reference to one reads as
// "removed" rather than "unknown".
type world struct {
	agencyName   map[int64]string
	facilityName map[int64]string
	systemKey    map[int64]sysKey

	agencyID   map[string]int64
	facilityID map[string]int64
	systemID   map[sysKey]int64

	agencyGone   map[string]bool
	facilityGone map[string]bool
	systemGone   map[sysKey]bool

	next int64
}

func newWorld(inv *inventory.Inventory) *world {
	w := &world{
		agencyName:   make(map[int64]string, len(inv.Agencies)),
		facilityName: make(map[int64]string, len(inv.Facilities)),
		systemKey:    make(map[int64]sysKey, len(inv.Systems)),
		agencyID:     make(map[string]int64, len(inv.Agencies)),
		facilityID:   make(map[string]int64, len(inv.Facilities)),
		systemID:     make(map[sysKey]int64, len(inv.Systems)),
		agencyGone:   map[string]bool{},
		facilityGone: map[string]bool{},
		systemGone:   map[sysKey]bool{},
	}
	for _, a := range inv.Agencies {
		name := strings.TrimSpace(a.Name)
		w.agencyName[a.ID] = name
		w.agencyID[name] = a.ID
	}
	for _, f := range inv.Facilities {
		name := strings.TrimSpace(f.Name)
		w.facilityName[f.ID] = name
		w.facilityID[name] = f.ID
	}
	for _, s := range inv.Systems {
		agency, ok := w.agencyName[s.AgencyID]
		if !ok {
			continue
		}
		k := sysKey{agency, strings.TrimSpace(s.Name)}
		w.systemKey[s.ID] = k
		w.systemID[k] = s.ID
	}
	return w
}

// provisional hands out an id for a record the import will create.
func (w *world) provisional() int64 {
	w.next--
	return w.next
}

// agencyGoneID reports whether id is a database agency the import removes.
func (w *world) agencyGoneID(id int64) bool {
	name, ok := w.agencyName[id]
	return ok && id > 0 && w.agencyGone[name]
}

func (w *world) facilityGoneID(id int64) bool {
	name, ok := w.facilityName[id]
	return ok && id > 0 && w.facilityGone[name]
}

func (w *world) systemGoneID(id int64) bool {
	k, ok := w.systemKey[id]
	return ok && id > 0 && w.systemGone[k]
}

// rowCtx is one row being read: its cells by column key, and the problems
// found so far, each against a column.
type rowCtx struct {
	w      *world
	cells  map[string]string
	col    string
	issues []issue
}

type issue struct {
	col  string
	key  string
	args []any
}

func (c *rowCtx) fail(key string, args ...any) {
	c.issues = append(c.issues, issue{col: c.col, key: key, args: args})
}

func (c *rowCtx) failed(col string) bool {
	for _, is := range c.issues {
		if is.col == col {
			return true
		}
	}
	return false
}

// value is another cell of the row ("" when the file lacks that column).
func (c *rowCtx) value(col string) string { return c.cells[col] }

func (c *rowCtx) agency(name string) (int64, bool) {
	if id, ok := c.w.agencyID[name]; ok {
		return id, true
	}
	if c.w.agencyGone[name] {
		c.fail("transfer.agency_removed", name)
	} else {
		c.fail("invalid.unknown_agency", name)
	}
	return 0, false
}

func (c *rowCtx) facility(name string) (int64, bool) {
	if id, ok := c.w.facilityID[name]; ok {
		return id, true
	}
	if c.w.facilityGone[name] {
		c.fail("transfer.facility_removed", name)
	} else {
		c.fail("invalid.unknown_facility", name)
	}
	return 0, false
}

// system resolves a system of a known agency.
func (c *rowCtx) system(agency, name string) (int64, bool) {
	k := sysKey{agency, name}
	if id, ok := c.w.systemID[k]; ok {
		return id, true
	}
	if c.w.systemGone[k] {
		c.fail("transfer.system_removed", k.String())
	} else {
		c.fail("invalid.unknown_system", k.String())
	}
	return 0, false
}

// systemRef resolves "기관명/시스템명", or a bare system name of
// defaultAgency. Agency and system names may hold slashes themselves, so
// every split is tried.
func (c *rowCtx) systemRef(ref, defaultAgency string) (int64, bool) {
	var gone bool
	try := func(k sysKey) (int64, bool) {
		if id, ok := c.w.systemID[k]; ok {
			return id, true
		}
		gone = gone || c.w.systemGone[k]
		return 0, false
	}
	for i := 0; i < len(ref); i++ {
		if ref[i] == '/' {
			if id, ok := try(sysKey{strings.TrimSpace(ref[:i]), strings.TrimSpace(ref[i+1:])}); ok {
				return id, true
			}
		}
	}
	if id, ok := try(sysKey{defaultAgency, ref}); ok {
		return id, true
	}
	if gone {
		c.fail("transfer.system_removed", ref)
	} else {
		c.fail("invalid.unknown_system", ref)
	}
	return 0, false
}
