package web

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/auth"
	"yeonsok/internal/backup"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/scenario"
	"yeonsok/internal/testdb"
)

// A backup job reports with a token bound to its system: once however
// often it retries; a token not bound to the system, a malformed run and
// an unknown facility are refused with their reason and change nothing.
// People see each system's checks and exposures, record a tape's move and
// its receipt; the ministry alone records a facility's storage.
func TestBackupAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newScopeFixture(t, inventory.NewStore(db))
		ts, srv, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
		job := map[string]string{"Authorization": "Bearer " + newToken(t, srv, &auth.Token{Name: "야간 백업", Role: auth.Backup,
			AgencyID: f.welfare.ID, SystemIDs: []int64{f.insurance.ID}})}
		stranger := map[string]string{"Authorization": "Bearer " + newToken(t, srv, &auth.Token{Name: "다른 작업", Role: auth.Backup,
			AgencyID: f.welfare.ID, SystemIDs: []int64{f.edi.ID}})}
		start := time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339)
		end := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		run := func(key, kind string, facility int64) string {
			return fmt.Sprintf(`{"system_id":%d,"key":%q,"kind":%q,"started_at":%q,"ended_at":%q,"size_bytes":1048576,"result":"success","copy":{"facility_id":%d,"medium":"online"}}`,
				f.insurance.ID, key, kind, start, end, facility)
		}
		report := `{"runs":[` + run("full-1", "full", f.own.ID) + `,` + run("incr-1", "incremental", f.own.ID) + `]}`
		status, _, body := apiRequest(t, ts, "POST", "/api/v1/backups", report, job)
		if got := decodeAs[backup.Receipt](t, body); status != 200 || got.Accepted != 2 || got.Duplicates != 0 {
			t.Fatalf("report: %d %s", status, body)
		}
		status, _, body = apiRequest(t, ts, "POST", "/api/v1/backups", report, job)
		if got := decodeAs[backup.Receipt](t, body); status != 200 || got.Accepted != 0 || got.Duplicates != 2 {
			t.Errorf("the job retried: %d %s", status, body)
		}
		// One run alone needs no list.
		status, _, body = apiRequest(t, ts, "POST", "/api/v1/backups", run("incr-2", "incremental", f.own.ID), job)
		if got := decodeAs[backup.Receipt](t, body); status != 200 || got.Accepted != 1 {
			t.Errorf("one run: %d %s", status, body)
		}
		for name, tc := range map[string]struct {
			body   string
			header map[string]string
			field  string
		}{
			"a token not bound to the system": {run("x", "full", f.own.ID), stranger, "system_id"},
			"a malformed run":                 {`{"runs":[` + run("y", "full", f.own.ID) + `,` + run("z", "weekly", f.own.ID) + `]}`, job, "runs[1].kind"},
			"an unknown facility":             {run("w", "full", 999999), job, "copy.facility_id"},
			"not JSON":                        {`{"runs":[`, job, ""},
		} {
			status, _, body := apiRequest(t, ts, "POST", "/api/v1/backups", tc.body, tc.header)
			if e := decodeAs[apiError](t, body).Error; status != 400 || e.Field != tc.field || e.Message == "" {
				t.Errorf("%s: %d %s", name, status, body)
			}
		}
		var runs int
		db.Read.QueryRow(`SELECT COUNT(*) FROM backup_runs`).Scan(&runs)
		if runs != 3 {
			t.Errorf("%d runs stored, want 3", runs)
		}
		// The job's token reads nothing; a reader may not report.
		if status, _, _ := apiRequest(t, ts, "GET", "/api/v1/backups/status", "", job); status != 403 {
			t.Errorf("a backup token reads the status: %d", status)
		}
		reader := httptest.NewServer(srv)
		defer reader.Close()
		signIn(t, reader, srv.accounts, newAccount(t, srv.accounts, auth.AgencyViewer, f.welfare.ID, false))
		if status, _ := send(t, reader, "POST", "/api/v1/backups", run("v", "full", f.own.ID)); status != 403 {
			t.Errorf("a viewer reports: %d", status)
		}

		// The checks and exposures: all copies at home, so facility loss
		// is unbounded.
		status, body = send(t, ts, "GET", fmt.Sprintf("/api/v1/backups/status?system_id=%d", f.insurance.ID), "")
		list := decodeAs[struct{ Items []backup.SystemStatus }](t, body)
		if status != 200 || len(list.Items) != 1 {
			t.Fatalf("status: %d %s", status, body)
		}
		st := list.Items[0]
		checks := map[string]string{}
		for _, fd := range st.Findings {
			checks[fd.Check] = fd.Status
		}
		if checks["full"] != "ok" || checks["incremental"] != "ok" || checks["offsite"] != "missing" || checks["restore_test"] != "missing" {
			t.Errorf("findings %v", checks)
		}
		for _, e := range st.Exposures {
			if e.Scenario == scenario.FacilityLoss && (!e.Unbounded || !e.Breach) {
				t.Errorf("facility loss with every copy at home: %+v", e)
			}
		}
		// The tape goes to the other facility and arrives.
		status, body = send(t, ts, "GET", fmt.Sprintf("/api/v1/backups?system_id=%d", f.insurance.ID), "")
		stored := decodeAs[struct{ Items []backup.Run }](t, body)
		if status != 200 || len(stored.Items) != 3 {
			t.Fatalf("runs: %d %s", status, body)
		}
		move := fmt.Sprintf(`{"run_id":%d,"medium":"tape","label":"T-7","from_facility_id":%d,"to_facility_id":%d,"handed_by":"김철수","handed_at":%q}`,
			stored.Items[0].ID, f.own.ID, f.nirs.ID, end)
		status, body = send(t, ts, "POST", "/api/v1/offsite-moves", move)
		moved := decodeAs[backup.Move](t, body)
		if status != 201 || moved.ID == 0 {
			t.Fatalf("move: %d %s", status, body)
		}
		if status, body := send(t, ts, "POST", fmt.Sprintf("/api/v1/offsite-moves/%d/receive", moved.ID), `{"received_by":"이영희"}`); status != 200 {
			t.Fatalf("receive: %d %s", status, body)
		}
		status, body = send(t, ts, "GET", fmt.Sprintf("/api/v1/backups/status?system_id=%d", f.insurance.ID), "")
		for _, e := range decodeAs[struct{ Items []backup.SystemStatus }](t, body).Items[0].Exposures {
			if e.Scenario == scenario.FacilityLoss && (e.Unbounded || e.Age <= 0) {
				t.Errorf("facility loss with the tape received elsewhere: %+v", e)
			}
		}
		// Storage: the ministry's to record.
		sample := fmt.Sprintf(`{"facility_id":%d,"at":%q,"capacity_bytes":1000,"used_bytes":10}`, f.nirs.ID, end)
		if status, _ := send(t, ts, "POST", "/api/v1/backups/storage", sample); status != 403 {
			t.Errorf("an agency records storage: %d", status)
		}
		ministry := httptest.NewServer(srv)
		defer ministry.Close()
		signIn(t, ministry, srv.accounts, newAccount(t, srv.accounts, auth.MinistryAdmin, 0, false))
		if status, body := send(t, ministry, "POST", "/api/v1/backups/storage", sample); status != 201 {
			t.Errorf("the ministry records storage: %d %s", status, body)
		}
	})
}

// A report as large as the store takes (5,000 runs, over 1 MiB of JSON)
// is not refused for its size.
func TestBackupReportOfMostRuns(t *testing.T) {
	db := testdb.SQLite(t)
	f := newScopeFixture(t, inventory.NewStore(db))
	ts, srv, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
	job := map[string]string{"Authorization": "Bearer " + newToken(t, srv, &auth.Token{Name: "야간 백업", Role: auth.Backup,
		AgencyID: f.welfare.ID, SystemIDs: []int64{f.insurance.ID}})}
	var b strings.Builder
	b.WriteString(`{"runs":[`)
	start := time.Now().Add(-time.Duration(backup.MaxRunsPerReport+1) * time.Hour)
	for i := range backup.MaxRunsPerReport {
		if i > 0 {
			b.WriteString(",")
		}
		at := start.Add(time.Duration(i) * time.Hour).UTC()
		fmt.Fprintf(&b, `{"system_id":%d,"key":"incr-%05d","kind":"incremental","started_at":%q,"ended_at":%q,"size_bytes":1048576,"result":"success","copy":{"facility_id":%d,"medium":"online"},"note":"nightly incremental of the insurance system"}`,
			f.insurance.ID, i, at.Format(time.RFC3339), at.Add(time.Minute).Format(time.RFC3339), f.own.ID)
	}
	b.WriteString("]}")
	if b.Len() <= 1<<20 {
		t.Fatalf("the report is %d bytes, not over 1 MiB", b.Len())
	}
	status, _, body := apiRequest(t, ts, "POST", "/api/v1/backups", b.String(), job)
	if got := decodeAs[backup.Receipt](t, body); status != 200 || got.Accepted != backup.MaxRunsPerReport {
		t.Fatalf("the largest report: %d %s", status, body[:min(len(body), 300)])
	}
}
