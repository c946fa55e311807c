package incident

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
)

// Role is a contact's place on a call list.
type Role string

const (
	RolePrimary   Role = "primary"   // 정 담당자
	RoleSecondary Role = "secondary" // 부 담당자
	RoleHead      Role = "head"      // 기관장: told when a clock escalates
	RoleMinistry  Role = "ministry"  // 본부: the ministry's list
)

// Roles in the order lists show them.
var Roles = []Role{RolePrimary, RoleSecondary, RoleHead, RoleMinistry}

// Contact is one person (or one gateway) on a call list: a system's list
// (AgencyID and SystemID), an agency's list (AgencyID only; its head among
// them) or the ministry's list (neither, RoleMinistry). A contact is
// reached by email, by a signed webhook, or both; Phone travels in the
// webhook's data so an SMS gateway can text it.
//
// WebhookSecret is write-only: it never leaves the tower in JSON, and an
// update that leaves it empty keeps the one stored.
type Contact struct {
	ID         int64     `json:"id"`
	AgencyID   int64     `json:"agency_id,omitempty"`
	SystemID   int64     `json:"system_id,omitempty"`
	Role       Role      `json:"role"`
	Name       string    `json:"name"`
	Email      string    `json:"email"`
	Phone      string    `json:"phone"`
	WebhookURL string    `json:"webhook_url"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	WebhookSecret string `json:"-"`
	// HasSecret says whether a secret is stored, which is all a reader
	// may learn of it.
	HasSecret bool `json:"webhook_secret_set"`
}

// Ministry reports whether c is on the ministry's list.
func (c *Contact) Ministry() bool { return c.AgencyID == 0 }

// Normalize trims what people type.
func (c *Contact) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	c.Email = strings.TrimSpace(c.Email)
	c.Phone = strings.TrimSpace(c.Phone)
	c.WebhookURL = strings.TrimSpace(c.WebhookURL)
	c.WebhookSecret = strings.TrimSpace(c.WebhookSecret)
}

// Validate checks a contact's fields and that its role fits its list: a
// system's list has primary and secondary contacts, an agency's those and
// its head, the ministry's only ministry contacts.
func (c *Contact) Validate() inventory.Problems {
	var p inventory.Problems
	p.Required("name", c.Name)
	p.Text("name", c.Name, inventory.MaxName)
	p.Text("phone", c.Phone, inventory.MaxName)
	p.Text("email", c.Email, inventory.MaxShortText)
	p.Text("webhook_url", c.WebhookURL, inventory.MaxShortText)
	var allowed []Role
	switch {
	case c.SystemID != 0: // the store fills in the system's agency
		allowed = []Role{RolePrimary, RoleSecondary}
	case c.AgencyID == 0:
		allowed = []Role{RoleMinistry}
	default:
		allowed = []Role{RolePrimary, RoleSecondary, RoleHead}
	}
	if !slices.Contains(allowed, c.Role) {
		names := make([]string, len(allowed))
		for i, r := range allowed {
			names[i] = string(r)
		}
		p.OneOf("role", string(c.Role), names)
	}
	if c.Email == "" && c.WebhookURL == "" {
		p.Add("email", "contact.invalid.channel")
	}
	if c.Email != "" {
		// A bare address only: a display name is the contact's Name.
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			p.Add("email", "contact.invalid.email", c.Email)
		}
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.Add("webhook_url", "contact.invalid.webhook_url")
		} else if c.WebhookSecret == "" {
			// An unsigned webhook would let anyone who learns the URL
			// forge alerts; notify.Webhook refuses to send one.
			p.Add("webhook_secret", "contact.invalid.secret")
		}
	}
	return p
}

// ContactFilter narrows a list of contacts; zero fields do not.
type ContactFilter struct {
	AgencyID int64 // the agency's contacts, its systems' lists included
	SystemID int64 // the system's list
}

// ContactStore keeps the call lists. An agency's people manage their
// agency's list and its systems' lists; the ministry's list is managed and
// seen by ministry-wide callers only. Every change is in the audit log.
type ContactStore struct {
	db  *database.DB
	Now func() time.Time
}

// NewContactStore returns a store on db.
func NewContactStore(db *database.DB) *ContactStore {
	return &ContactStore{db: db, Now: time.Now}
}

const contactColumns = `id, COALESCE(agency_id, 0), COALESCE(system_id, 0), role, name, email, phone, webhook_url, webhook_secret,
	created_at, updated_at`

func queryContacts(ctx context.Context, q queryer, cond string, args ...any) ([]*Contact, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+contactColumns+` FROM contacts WHERE `+cond+
		` ORDER BY agency_id NULLS FIRST, system_id NULLS FIRST, role, name, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("incident: contacts: %w", err)
	}
	defer rows.Close()
	var list []*Contact
	for rows.Next() {
		var c Contact
		var created, updated string
		if err := rows.Scan(&c.ID, &c.AgencyID, &c.SystemID, &c.Role, &c.Name, &c.Email, &c.Phone, &c.WebhookURL,
			&c.WebhookSecret, &created, &updated); err != nil {
			return nil, fmt.Errorf("incident: contacts: %w", err)
		}
		c.CreatedAt, c.UpdatedAt = database.ParseTime(created), database.ParseTime(updated)
		c.HasSecret = c.WebhookSecret != ""
		list = append(list, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("incident: contacts: %w", err)
	}
	return list, nil
}

// contactScope is the condition limiting contacts to scope: an agency
// sees its own lists, the ministry every list including its own.
func contactScope(scope access.Scope, args *[]any) string {
	if scope.IsAll() {
		return "1 = 1"
	}
	return scope.Where("agency_id", args)
}

// Contacts lists the contacts in scope that f selects, the ministry's list
// first, then by agency, system, role and name. Secrets are cleared.
func (s *ContactStore) Contacts(ctx context.Context, scope access.Scope, f ContactFilter) ([]*Contact, error) {
	var args []any
	cond := contactScope(scope, &args)
	if f.AgencyID != 0 {
		args = append(args, f.AgencyID)
		cond += fmt.Sprintf(" AND agency_id = $%d", len(args))
	}
	if f.SystemID != 0 {
		args = append(args, f.SystemID)
		cond += fmt.Sprintf(" AND system_id = $%d", len(args))
	}
	list, err := queryContacts(ctx, s.db.Read, cond, args...)
	for _, c := range list {
		c.WebhookSecret = ""
	}
	return list, err
}

// Contact reads contact id in scope, its secret cleared.
func (s *ContactStore) Contact(ctx context.Context, scope access.Scope, id int64) (*Contact, error) {
	c, err := contactInScope(ctx, s.db.Read, scope, id)
	if err != nil {
		return nil, err
	}
	c.WebhookSecret = ""
	return c, nil
}

func contactInScope(ctx context.Context, q queryer, scope access.Scope, id int64) (*Contact, error) {
	var args []any
	cond := contactScope(scope, &args)
	args = append(args, id)
	list, err := queryContacts(ctx, q, fmt.Sprintf("%s AND id = $%d", cond, len(args)), args...)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, apperror.New(apperror.NotFound, "", "not_found.contact")
	}
	return list[0], nil
}

// checkList checks that the caller may manage the list c belongs to, and
// fills in the agency of a system's list.
func checkList(ctx context.Context, tx *sql.Tx, scope access.Scope, c *Contact) error {
	if c.SystemID != 0 {
		sys, err := readSystem(ctx, tx, c.SystemID)
		if err != nil || !scope.Allows(sys.agencyID) {
			return apperror.New(apperror.NotFound, "", "not_found.system")
		}
		if c.AgencyID != 0 && c.AgencyID != sys.agencyID {
			return apperror.New(apperror.Invalid, "agency_id", "contact.invalid.agency")
		}
		c.AgencyID = sys.agencyID
		return nil
	}
	if c.AgencyID == 0 {
		if !scope.IsAll() {
			return apperror.New(apperror.Forbidden, "", "contact.forbidden.ministry")
		}
		return nil
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM agencies WHERE id = $1`, c.AgencyID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !scope.Allows(c.AgencyID)) {
		return apperror.New(apperror.NotFound, "", "not_found.agency")
	}
	if err != nil {
		return fmt.Errorf("incident: contact's agency %d: %w", c.AgencyID, err)
	}
	return nil
}

// Create adds c to the list it names, as scope may.
func (s *ContactStore) Create(ctx context.Context, scope access.Scope, c *Contact) error {
	c.Normalize()
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		// What is wrong with the contact itself first: a caller learns that
		// before whether the list is theirs to change.
		if err := c.Validate().Err(); err != nil {
			return err
		}
		if err := checkList(ctx, tx, scope, c); err != nil {
			return err
		}
		now := database.FormatTime(s.Now())
		if err := tx.QueryRowContext(ctx, `INSERT INTO contacts (agency_id, system_id, role, name, email, phone, webhook_url,
			webhook_secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
			nullID(c.AgencyID), nullID(c.SystemID), c.Role, c.Name, c.Email, c.Phone, c.WebhookURL, c.WebhookSecret, now).Scan(&c.ID); err != nil {
			return fmt.Errorf("incident: create contact %q: %w", c.Name, err)
		}
		after, err := contactInScope(ctx, tx, scope, c.ID)
		if err != nil {
			return err
		}
		after.WebhookSecret = ""
		*c = *after
		return recordContact(ctx, tx, audit.ActionCreate, c, nil, c)
	})
}

// Update saves c's role and ways to reach it; the list it is on does not
// change. An empty WebhookSecret keeps the stored one.
func (s *ContactStore) Update(ctx context.Context, scope access.Scope, c *Contact) error {
	c.Normalize()
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := contactInScope(ctx, tx, scope, c.ID)
		if err != nil {
			return err
		}
		c.AgencyID, c.SystemID = before.AgencyID, before.SystemID
		// Who may see the list may not necessarily change it: the ministry's.
		if err := checkList(ctx, tx, scope, c); err != nil {
			return err
		}
		if c.WebhookSecret == "" {
			c.WebhookSecret = before.WebhookSecret
		}
		if err := c.Validate().Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET role = $1, name = $2, email = $3, phone = $4, webhook_url = $5,
			webhook_secret = $6, updated_at = $7 WHERE id = $8`, c.Role, c.Name, c.Email, c.Phone, c.WebhookURL, c.WebhookSecret,
			database.FormatTime(s.Now()), c.ID); err != nil {
			return fmt.Errorf("incident: update contact %d: %w", c.ID, err)
		}
		after, err := contactInScope(ctx, tx, scope, c.ID)
		if err != nil {
			return err
		}
		before.WebhookSecret, after.WebhookSecret = "", ""
		*c = *after
		return recordContact(ctx, tx, audit.ActionUpdate, c, before, c)
	})
}

// Delete removes contact id from its list, as scope may.
func (s *ContactStore) Delete(ctx context.Context, scope access.Scope, id int64) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := contactInScope(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if err := checkList(ctx, tx, scope, before); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = $1`, id); err != nil {
			return fmt.Errorf("incident: delete contact %d: %w", id, err)
		}
		before.WebhookSecret = ""
		return recordContact(ctx, tx, audit.ActionDelete, before, before, nil)
	})
}

func jsonOf(c *Contact) ([]byte, error) {
	body, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("incident: contact %d as JSON: %w", c.ID, err)
	}
	return body, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// recordContact writes a change of a call list to the audit log, readable
// by the contact's agency (the ministry's list by the ministry only).
func recordContact(ctx context.Context, tx *sql.Tx, action string, c *Contact, before, after *Contact) error {
	e := &audit.Entry{Action: action, Kind: audit.KindContact, RecordID: &c.ID, Summary: c.Name}
	if c.AgencyID != 0 {
		agency := c.AgencyID
		e.AgencyID = &agency
	}
	var err error
	if before != nil {
		if e.Before, err = jsonOf(before); err != nil {
			return err
		}
	}
	if after != nil {
		if e.After, err = jsonOf(after); err != nil {
			return err
		}
	}
	log := audit.NewAppender(tx)
	if err := log.Append(ctx, e); err != nil {
		return err
	}
	return log.Flush(ctx)
}

// Recipients reads the contacts told of an event of agency: those Audience
// picks from the agency's lists and the ministry's, secrets included (they
// sign the webhooks).
func (s *ContactStore) Recipients(ctx context.Context, agencyID int64, systemIDs []int64, escalate, ministry bool) ([]*Contact, error) {
	list, err := queryContacts(ctx, s.db.Read, `agency_id = $1 OR agency_id IS NULL`, agencyID)
	if err != nil {
		return nil, err
	}
	return Audience(list, agencyID, systemIDs, escalate, ministry), nil
}

// Audience picks from contacts who is told of an event of agency touching
// systems:
//
//   - each system's primary and secondary contacts; a system without any
//     falls back to the agency's primary and secondary contacts (an event
//     with no system, to the agency's);
//   - escalate (Escalates: a grade-1 or -2 clock past 80 %) adds the
//     agency's head(s) and the ministry's list;
//   - ministry (a national-severity incident opening) adds the ministry's list.
//
// Each contact appears once, in that order.
func Audience(contacts []*Contact, agencyID int64, systemIDs []int64, escalate, ministry bool) []*Contact {
	var out []*Contact
	seen := map[int64]bool{}
	add := func(keep func(c *Contact) bool) {
		for _, c := range contacts {
			if keep(c) && !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	duty := func(c *Contact) bool { return c.Role == RolePrimary || c.Role == RoleSecondary }
	agencyDuty := func(c *Contact) bool { return c.AgencyID == agencyID && c.SystemID == 0 && duty(c) }
	fallback := len(systemIDs) == 0
	for _, id := range systemIDs {
		has := false
		for _, c := range contacts {
			if c.AgencyID == agencyID && c.SystemID == id && duty(c) {
				has = true
				break
			}
		}
		if !has {
			fallback = true
			continue
		}
		add(func(c *Contact) bool { return c.AgencyID == agencyID && c.SystemID == id && duty(c) })
	}
	if fallback {
		add(agencyDuty)
	}
	if escalate {
		add(func(c *Contact) bool { return c.AgencyID == agencyID && c.SystemID == 0 && c.Role == RoleHead })
	}
	if escalate || ministry {
		add(func(c *Contact) bool { return c.Ministry() && c.Role == RoleMinistry })
	}
	return out
}
