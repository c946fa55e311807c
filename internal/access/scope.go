// Package access says what a caller may see. Every query that lists or
// fetches agency-owned records takes a Scope and filters through it, so that
// agency isolation lives in one place instead of in each handler.
package access

import "fmt"

// Scope is the set of agencies a caller may see: all of them, or one.
type Scope struct {
	all      bool
	agencyID int64
}

// All is the scope of the ministry: every agency.
func All() Scope { return Scope{all: true} }

// Agency is the scope of one agency's users.
func Agency(id int64) Scope { return Scope{agencyID: id} }

// IsAll reports whether the scope covers every agency.
func (s Scope) IsAll() bool { return s.all }

// AgencyID is the one agency of an agency scope (0 for All).
func (s Scope) AgencyID() int64 { return s.agencyID }

// Allows reports whether a record of agencyID is visible.
func (s Scope) Allows(agencyID int64) bool { return s.all || s.agencyID == agencyID }

// Where returns an SQL condition limiting column (an agency id) to the scope,
// appending its argument to args; "1 = 1" when nothing is limited. Placeholders
// continue from len(*args).
func (s Scope) Where(column string, args *[]any) string {
	if s.all {
		return "1 = 1"
	}
	*args = append(*args, s.agencyID)
	return fmt.Sprintf("%s = $%d", column, len(*args))
}

// String is for logs.
func (s Scope) String() string {
	if s.all {
		return "all agencies"
	}
	return fmt.Sprintf("agency %d", s.agencyID)
}
