package incident_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/testdb"
)

func TestContactValidate(t *testing.T) {
	ok := incident.Contact{AgencyID: 1, SystemID: 2, Role: incident.RolePrimary, Name: "홍길동", Email: "hong@example.go.kr"}
	scenarios := []struct {
		name  string
		edit  func(c *incident.Contact)
		field string // "" when valid
	}{
		{"a system's primary by email", func(c *incident.Contact) {}, ""},
		{"by webhook with its secret", func(c *incident.Contact) {
			c.Email, c.WebhookURL, c.WebhookSecret = "", "https://sms.example.go.kr/hook", "s3cret"
		}, ""},
		{"both ways", func(c *incident.Contact) { c.WebhookURL, c.WebhookSecret = "http://10.0.0.5/hook", "s" }, ""},
		{"name required", func(c *incident.Contact) { c.Name = " " }, "name"},
		{"no way to reach", func(c *incident.Contact) { c.Email = "" }, "email"},
		{"email syntax", func(c *incident.Contact) { c.Email = "hong at example" }, "email"},
		{"email with a display name", func(c *incident.Contact) { c.Email = "홍길동 <hong@example.go.kr>" }, "email"},
		{"webhook not http", func(c *incident.Contact) { c.WebhookURL, c.WebhookSecret = "ftp://example/hook", "s" }, "webhook_url"},
		{"webhook relative", func(c *incident.Contact) { c.WebhookURL, c.WebhookSecret = "/hook", "s" }, "webhook_url"},
		{"webhook without a secret", func(c *incident.Contact) { c.WebhookURL = "https://example/hook" }, "webhook_secret"},
		{"head on a system's list", func(c *incident.Contact) { c.Role = incident.RoleHead }, "role"},
		{"head on an agency's list", func(c *incident.Contact) { c.SystemID, c.Role = 0, incident.RoleHead }, ""},
		{"ministry role on an agency's list", func(c *incident.Contact) { c.SystemID, c.Role = 0, incident.RoleMinistry }, "role"},
		{"ministry list", func(c *incident.Contact) { c.AgencyID, c.SystemID, c.Role = 0, 0, incident.RoleMinistry }, ""},
		{"primary on the ministry list", func(c *incident.Contact) { c.AgencyID, c.SystemID = 0, 0 }, "role"},
		{"a system's list, its agency filled in by the store", func(c *incident.Contact) { c.AgencyID = 0 }, ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			c := ok
			sc.edit(&c)
			c.Normalize()
			p := c.Validate()
			if sc.field == "" {
				if len(p) > 0 {
					t.Fatalf("refused: %v", p.Err())
				}
				return
			}
			if len(p) == 0 || !slices.ContainsFunc(p, func(e *apperror.Error) bool { return e.Field == sc.field }) {
				t.Fatalf("want a problem on %q, got %v", sc.field, p)
			}
		})
	}
}

// Who is told of what: the system's list, else the agency's; escalation
// adds the heads and the ministry; a national opening the ministry.
func TestAudience(t *testing.T) {
	const agency, other = 1, 2
	c := func(id, agencyID, systemID int64, role incident.Role) *incident.Contact {
		return &incident.Contact{ID: id, AgencyID: agencyID, SystemID: systemID, Role: role}
	}
	all := []*incident.Contact{
		c(1, 0, 0, incident.RoleMinistry),
		c(2, agency, 0, incident.RolePrimary),
		c(3, agency, 0, incident.RoleSecondary),
		c(4, agency, 0, incident.RoleHead),
		c(5, agency, 10, incident.RolePrimary),
		c(6, agency, 10, incident.RoleSecondary),
		c(7, agency, 11, incident.RolePrimary),
		c(8, other, 0, incident.RolePrimary),
		c(9, other, 20, incident.RolePrimary),
	}
	scenarios := []struct {
		name               string
		systems            []int64
		escalate, ministry bool
		want               []int64
	}{
		{"the system's list", []int64{10}, false, false, []int64{5, 6}},
		{"a system without a list falls back to the agency", []int64{12}, false, false, []int64{2, 3}},
		{"no system: the agency", nil, false, false, []int64{2, 3}},
		{"several systems, one without a list", []int64{10, 11, 12}, false, false, []int64{5, 6, 7, 2, 3}},
		{"escalation adds the head and the ministry", []int64{10}, true, false, []int64{5, 6, 4, 1}},
		{"a national opening adds the ministry only", []int64{10}, false, true, []int64{5, 6, 1}},
		{"another agency's system is not ours", []int64{20}, false, false, []int64{2, 3}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			var got []int64
			for _, x := range incident.Audience(all, agency, sc.systems, sc.escalate, sc.ministry) {
				got = append(got, x.ID)
			}
			if !slices.Equal(got, sc.want) {
				t.Fatalf("got %v, want %v", got, sc.want)
			}
		})
	}
}

// Call lists in scope: an agency manages its own and its systems' lists,
// never another agency's nor the ministry's; the secret is written, never
// read back, and kept when an update leaves it empty; every change is
// audited.
func TestContactStore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		contacts := incident.NewContactStore(db)
		ctx := f.ctx

		sys := &incident.Contact{SystemID: f.insurance.ID, Role: incident.RolePrimary, Name: "홍길동", Email: "hong@welfare.example",
			Phone: "010-1234-5678", WebhookURL: "https://sms.welfare.example/hook", WebhookSecret: "s3cret"}
		if err := contacts.Create(ctx, f.welfareScope, sys); err != nil {
			t.Fatal(err)
		}
		if sys.ID == 0 || sys.AgencyID != f.welfare.ID || sys.WebhookSecret != "" || !sys.HasSecret {
			t.Fatalf("created: %+v", sys)
		}
		body, _ := json.Marshal(sys)
		if strings.Contains(string(body), "s3cret") || !strings.Contains(string(body), `"webhook_secret_set":true`) {
			t.Fatalf("JSON shows the secret or hides that one is set: %s", body)
		}
		head := &incident.Contact{AgencyID: f.welfare.ID, Role: incident.RoleHead, Name: "기관장", Email: "head@welfare.example"}
		if err := contacts.Create(ctx, f.welfareScope, head); err != nil {
			t.Fatal(err)
		}

		// Another agency's system, an agency's list of another, the ministry's list.
		if err := contacts.Create(ctx, f.keisScope, &incident.Contact{SystemID: f.insurance.ID, Role: incident.RolePrimary, Name: "x",
			Email: "x@keis.example"}); code(err) != apperror.NotFound {
			t.Fatalf("another agency's system: %v", err)
		}
		if err := contacts.Create(ctx, f.keisScope, &incident.Contact{AgencyID: f.welfare.ID, Role: incident.RolePrimary, Name: "x",
			Email: "x@keis.example"}); code(err) != apperror.NotFound {
			t.Fatalf("another agency's list: %v", err)
		}
		ministry := &incident.Contact{Role: incident.RoleMinistry, Name: "본부 상황실", Email: "desk@moel.example"}
		if err := contacts.Create(ctx, f.welfareScope, ministry); code(err) != apperror.Forbidden {
			t.Fatalf("an agency adding to the ministry's list: %v", err)
		}
		if err := contacts.Create(ctx, access.All(), ministry); err != nil {
			t.Fatal(err)
		}

		// What each sees.
		list, err := contacts.Contacts(ctx, f.welfareScope, incident.ContactFilter{})
		if err != nil || len(list) != 2 {
			t.Fatalf("welfare sees %d contacts (%v), want its 2", len(list), err)
		}
		if list, _ := contacts.Contacts(ctx, f.keisScope, incident.ContactFilter{}); len(list) != 0 {
			t.Fatalf("keis sees %d contacts of others", len(list))
		}
		if list, _ := contacts.Contacts(ctx, access.All(), incident.ContactFilter{}); len(list) != 3 || !list[0].Ministry() {
			t.Fatalf("the ministry sees %d, the ministry's list first: %+v", len(list), list)
		}
		if list, _ := contacts.Contacts(ctx, access.All(), incident.ContactFilter{SystemID: f.insurance.ID}); len(list) != 1 || list[0].ID != sys.ID {
			t.Fatalf("filter by system: %+v", list)
		}
		if list, _ := contacts.Contacts(ctx, access.All(), incident.ContactFilter{AgencyID: f.welfare.ID}); len(list) != 2 {
			t.Fatalf("filter by agency: %+v", list)
		}
		if _, err := contacts.Contact(ctx, f.welfareScope, ministry.ID); code(err) != apperror.NotFound {
			t.Fatalf("an agency reads the ministry's contact: %v", err)
		}
		if _, err := contacts.Contact(ctx, f.keisScope, sys.ID); code(err) != apperror.NotFound {
			t.Fatalf("keis reads welfare's contact: %v", err)
		}

		// An update without a secret keeps it; the list does not move.
		upd := &incident.Contact{ID: sys.ID, AgencyID: f.keis.ID, Role: incident.RoleSecondary, Name: "홍길동", Email: "hong2@welfare.example",
			WebhookURL: "https://sms.welfare.example/hook2"}
		if err := contacts.Update(ctx, f.welfareScope, upd); err != nil {
			t.Fatal(err)
		}
		if upd.AgencyID != f.welfare.ID || upd.SystemID != f.insurance.ID || upd.Role != incident.RoleSecondary || !upd.HasSecret {
			t.Fatalf("updated: %+v", upd)
		}
		got, err := contacts.Recipients(ctx, f.welfare.ID, []int64{f.insurance.ID}, false, false)
		if err != nil || len(got) != 1 || got[0].WebhookSecret != "s3cret" || got[0].Email != "hong2@welfare.example" {
			t.Fatalf("recipients after the update: %+v (%v)", got, err)
		}
		if err := contacts.Update(ctx, f.keisScope, upd); code(err) != apperror.NotFound {
			t.Fatalf("keis updates welfare's contact: %v", err)
		}
		if err := contacts.Update(ctx, f.welfareScope, &incident.Contact{ID: sys.ID, Role: incident.RolePrimary, Name: "홍길동"}); code(err) != apperror.Invalid {
			t.Fatalf("an update leaving no way to reach: %v", err)
		}

		// Escalation reaches the head and the ministry.
		got, err = contacts.Recipients(ctx, f.welfare.ID, []int64{f.insurance.ID}, true, false)
		if err != nil || len(got) != 3 || got[1].ID != head.ID || got[2].ID != ministry.ID {
			t.Fatalf("escalated recipients: %+v (%v)", got, err)
		}

		if err := contacts.Delete(ctx, f.keisScope, head.ID); code(err) != apperror.NotFound {
			t.Fatalf("keis deletes welfare's head: %v", err)
		}
		if err := contacts.Delete(ctx, f.welfareScope, head.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := contacts.Contact(ctx, access.All(), head.ID); code(err) != apperror.NotFound {
			t.Fatalf("deleted contact still there: %v", err)
		}
		entries, err := audit.List(ctx, db, access.Agency(f.welfare.ID), audit.Filter{Kind: audit.KindContact})
		if err != nil || len(entries) != 4 { // 2 created, 1 updated, 1 deleted
			t.Fatalf("audit entries of welfare's contacts: %d (%v)", len(entries), err)
		}
		for _, e := range entries {
			if strings.Contains(string(e.Before)+string(e.After), "s3cret") {
				t.Fatalf("the audit log holds the secret: %s %s", e.Before, e.After)
			}
		}
	})
}
