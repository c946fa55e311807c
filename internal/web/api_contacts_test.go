package web

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

// An agency's editor keeps the call list of an own system through the
// API: the webhook secret goes in and never comes back, an update without
// it keeps it; the ministry's list and another agency's are not theirs.
func TestContactAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newScopeFixture(t, inventory.NewStore(db))
		ts, srv, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
		status, body := send(t, ts, "POST", "/api/v1/contacts", fmt.Sprintf(`{"system_id":%d,"role":"primary","name":"홍길동",
			"email":"hong@welfare.example","phone":"010-1234-5678","webhook_url":"https://sms.welfare.example/t0ken","webhook_secret":"s3cret"}`, f.insurance.ID))
		c := decodeAs[incident.Contact](t, body)
		if status != 201 || c.ID == 0 || c.AgencyID != f.welfare.ID || !c.HasSecret || strings.Contains(string(body), "s3cret") {
			t.Fatalf("create: %d %s", status, body)
		}
		path := fmt.Sprintf("/api/v1/contacts/%d", c.ID)
		status, body = send(t, ts, "PUT", path, `{"role":"secondary","name":"홍길동","email":"hong@welfare.example","webhook_url":"https://sms.welfare.example/t0ken"}`)
		if got := decodeAs[incident.Contact](t, body); status != 200 || got.Role != incident.RoleSecondary || !got.HasSecret {
			t.Fatalf("update keeping the secret: %d %s", status, body)
		}
		if list, err := srv.contacts.Recipients(t.Context(), f.welfare.ID, []int64{f.insurance.ID}, false, false); err != nil ||
			len(list) != 1 || list[0].WebhookSecret != "s3cret" {
			t.Fatalf("the secret after the update: %+v %v", list, err)
		}
		if status, body := send(t, ts, "POST", "/api/v1/contacts", `{"role":"primary","name":"x","email":"not an address"}`); status != 400 ||
			decodeAs[apiError](t, body).Error.Field != "role" {
			t.Errorf("a primary on the ministry's list: %d %s", status, body)
		}
		if status, body := send(t, ts, "POST", "/api/v1/contacts", `{"role":"ministry","name":"본부","email":"desk@moel.example"}`); status != 403 {
			t.Errorf("an agency adds to the ministry's list: %d %s", status, body)
		}
		if status, body := send(t, ts, "POST", "/api/v1/contacts", fmt.Sprintf(`{"system_id":%d,"role":"primary","name":"x","email":"x@keis.example"}`,
			f.work24.ID)); status != 404 {
			t.Errorf("another agency's system: %d %s", status, body)
		}
		status, body = send(t, ts, "GET", fmt.Sprintf("/api/v1/contacts?system_id=%d", f.insurance.ID), "")
		if status != 200 || !strings.Contains(string(body), "홍길동") || strings.Contains(string(body), "s3cret") {
			t.Errorf("list: %d %s", status, body)
		}
		if status, _ := send(t, ts, "GET", "/api/v1/contacts?agency_id=x", ""); status != 400 {
			t.Errorf("a filter that is no id: %d", status)
		}

		keis := httptest.NewServer(srv)
		defer keis.Close()
		signIn(t, keis, srv.accounts, newAccount(t, srv.accounts, auth.AgencyAdmin, f.keis.ID, false))
		if status, _ := send(t, keis, "GET", path, ""); status != 404 {
			t.Errorf("another agency reads it: %d", status)
		}
		if status, body := send(t, keis, "GET", "/api/v1/contacts", ""); status != 200 || strings.Contains(string(body), "홍길동") {
			t.Errorf("another agency's list: %d %s", status, body)
		}
		if status, _ := send(t, keis, "DELETE", path, ""); status != 404 {
			t.Errorf("another agency deletes it: %d", status)
		}
		if status, _ := send(t, ts, "DELETE", path, ""); status != 204 {
			t.Errorf("delete: %d", status)
		}
	})
}

// The call lists on the agency and system pages: added by the form (the
// secret never echoed), listed, deleted by the button.
func TestContactPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newScopeFixture(t, inventory.NewStore(db))
		ts, srv, _ := newServerAs(t, db, auth.AgencyAdmin, f.welfare.ID)
		agency := fmt.Sprintf("/agencies/%d", f.welfare.ID)
		status, page := get(t, ts, agency+"/contacts/new")
		mustContain(t, "the agency's form", page, `value="head"`, "기관장", `type="password"`)
		if status != 200 {
			t.Fatalf("form: %d", status)
		}
		// A mistake shows the form again, without the secret typed.
		status, _, page = post(t, ts, agency+"/contacts", url.Values{"role": {"head"}, "name": {"이사장"}, "email": {"head at welfare"},
			"webhook_secret": {"typed-secret"}})
		if status != 400 || strings.Contains(page, "typed-secret") || !strings.Contains(page, "이메일 주소가 올바르지 않습니다") {
			t.Fatalf("invalid email: %d\n%.2000s", status, page)
		}
		status, next, _ := post(t, ts, agency+"/contacts", url.Values{"role": {"head"}, "name": {"이사장"}, "email": {"head@welfare.example"}})
		if status != 303 || next != agency+"#contacts" {
			t.Fatalf("add: %d %s", status, next)
		}
		_, page = get(t, ts, agency)
		wantCells(t, "the agency's list", rowOf(t, htmlTable(t, page, "contacts"), "기관장"), "기관장", "이사장", "head@welfare.example", "", "", "삭제")

		if status, csv := get(t, ts, fmt.Sprintf("/export/agency/contacts.csv?id=%d", f.welfare.ID)); status != 200 ||
			!strings.Contains(csv, "이사장") || !strings.Contains(csv, "head@welfare.example") {
			t.Errorf("the list as CSV: %d %s", status, csv)
		}

		system := fmt.Sprintf("/systems/%d", f.insurance.ID)
		_, page = get(t, ts, system+"/contacts/new")
		if strings.Contains(page, `value="head"`) {
			t.Error("a system's list offers the head")
		}
		status, next, _ = post(t, ts, system+"/contacts", url.Values{"role": {"primary"}, "name": {"홍길동"}, "phone": {"010-1234-5678"},
			"webhook_url": {"https://sms.welfare.example/t0ken"}, "webhook_secret": {"s3cret"}})
		if status != 303 || next != system+"#contacts" {
			t.Fatalf("add to the system: %d %s", status, next)
		}
		_, page = get(t, ts, system)
		if strings.Contains(page, "s3cret") || strings.Contains(page, "t0ken") {
			t.Error("the system page shows the secret or the webhook's path")
		}
		wantCells(t, "the system's list", rowOf(t, htmlTable(t, page, "contacts"), "정 담당자"), "정 담당자", "홍길동", "", "010-1234-5678",
			"https://sms.welfare.example", "삭제")

		list, err := srv.contacts.Contacts(t.Context(), access.All(), incident.ContactFilter{SystemID: f.insurance.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("stored: %v %v", list, err)
		}
		status, next, _ = post(t, ts, fmt.Sprintf("/contacts/%d/delete", list[0].ID), url.Values{})
		if status != 303 || next != system+"#contacts" {
			t.Fatalf("delete: %d %s", status, next)
		}
		_, page = get(t, ts, system)
		if rows := htmlTable(t, page, "contacts"); len(rows) != 2 || rows[1][0] == "정 담당자" {
			t.Errorf("the system's list after the delete: %v", rows)
		}
	})
}
