package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/audit"
	"yeonsok/internal/auth"
	"yeonsok/internal/backup"
	"yeonsok/internal/database"
	"yeonsok/internal/grading"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/monitor"
	"yeonsok/internal/risk"
	"yeonsok/internal/tasks"
	"yeonsok/internal/testdb"
)

// routeRules is the rule every route must have. A route the server has and
// this table lacks fails TestRouteRoleMatrix ("new route without a rule"),
// as does a rule that differs: adding a route means deciding here, in
// review, who may use it.
var routeRules = map[string]rule{
	"GET /healthz":              rulePublic,
	"GET /readyz":               rulePublic,
	"GET /static/":              rulePublic,
	"POST /lang":                rulePublic,
	"GET /public/status":        rulePublic,
	"GET /public/status.json":   rulePublic,
	"GET /login":                rulePublic,
	"POST /login":               rulePublic,
	"GET /login/sso":            rulePublic,
	"GET /login/sso/callback":   rulePublic,
	"POST /logout":              ruleSignedIn,
	"GET /account/password":     ruleSignedIn,
	"POST /account/password":    ruleSignedIn,
	"GET /{$}":                  ruleRead,
	"GET /export/{page}/{file}": ruleRead,
	"GET /data-quality":         ruleRead,
	"GET /import":               ruleRead,
	"POST /import":              ruleWrite,
	"POST /import/apply":        ruleWrite,

	"GET /agencies":                  ruleRead,
	"GET /agencies/{id}":             ruleRead,
	"GET /agencies/new":              ruleWriteAll,
	"POST /agencies":                 ruleWriteAll,
	"GET /agencies/{id}/edit":        ruleWriteAll,
	"POST /agencies/{id}":            ruleWriteAll,
	"POST /agencies/{id}/delete":     ruleWriteAll,
	"GET /facilities":                ruleRead,
	"GET /facilities/{id}":           ruleRead,
	"GET /facilities/new":            ruleWriteAll,
	"POST /facilities":               ruleWriteAll,
	"GET /facilities/{id}/edit":      ruleWriteAll,
	"POST /facilities/{id}":          ruleWriteAll,
	"POST /facilities/{id}/delete":   ruleWriteAll,
	"GET /systems":                   ruleRead,
	"GET /systems/{id}":              ruleRead,
	"GET /systems/new":               ruleWrite,
	"POST /systems":                  ruleWrite,
	"GET /systems/{id}/edit":         ruleWrite,
	"POST /systems/{id}":             ruleWrite,
	"POST /systems/{id}/delete":      ruleWrite,
	"GET /services":                  ruleRead,
	"GET /services/{id}":             ruleRead,
	"GET /services/new":              ruleWrite,
	"POST /services":                 ruleWrite,
	"GET /services/{id}/edit":        ruleWrite,
	"POST /services/{id}":            ruleWrite,
	"POST /services/{id}/delete":     ruleWrite,
	"GET /dependencies":              ruleRead,
	"GET /dependencies/new":          ruleWrite,
	"POST /dependencies":             ruleWrite,
	"GET /dependencies/{id}/edit":    ruleWrite,
	"POST /dependencies/{id}":        ruleWrite,
	"POST /dependencies/{id}/delete": ruleWrite,

	// Tasks and agency plans (issue 4).
	"GET /tasks":                                   ruleRead,
	"GET /tasks/{id}":                              ruleRead,
	"GET /tasks/new":                               ruleWrite,
	"POST /tasks":                                  ruleWrite,
	"GET /tasks/{id}/edit":                         ruleWrite,
	"POST /tasks/{id}":                             ruleWrite,
	"POST /tasks/{id}/delete":                      ruleWrite,
	"GET /agencies/{id}/plan":                      ruleRead,
	"GET /agencies/{id}/plan.xlsx":                 ruleRead,
	"POST /agencies/{id}/proposals/accept":         ruleWrite,
	"POST /agencies/{id}/proposals/dismiss":        ruleWrite,
	"POST /agencies/{id}/proposals/restore":        ruleWrite,
	"GET /api/v1/tasks":                            ruleRead,
	"GET /api/v1/tasks/{id}":                       ruleRead,
	"POST /api/v1/tasks":                           ruleWrite,
	"PUT /api/v1/tasks/{id}":                       ruleWrite,
	"DELETE /api/v1/tasks/{id}":                    ruleWrite,
	"GET /api/v1/agencies/{id}/proposals":          ruleRead,
	"POST /api/v1/agencies/{id}/proposals/accept":  ruleWrite,
	"POST /api/v1/agencies/{id}/proposals/dismiss": ruleWrite,
	"POST /api/v1/agencies/{id}/proposals/restore": ruleWrite,
	"/api/v1/tasks":                                ruleRead,
	"/api/v1/tasks/{id}":                           ruleRead,
	"/api/v1/agencies/{id}/proposals":              ruleRead,
	"/api/v1/agencies/{id}/proposals/accept":       ruleRead,
	"/api/v1/agencies/{id}/proposals/dismiss":      ruleRead,
	"/api/v1/agencies/{id}/proposals/restore":      ruleRead,

	// Monitoring pages (issue 5).
	"GET /status":                       ruleRead,
	"GET /checks/{id}/edit":             ruleWrite,
	"POST /checks/{id}":                 ruleWrite,
	"GET /systems/{id}/maintenance/new": ruleWrite,
	"POST /systems/{id}/maintenance":    ruleWrite,
	"POST /maintenance/{id}/delete":     ruleWrite,
	"GET /agents":                       ruleRead,
	"GET /agents/new":                   ruleWrite,
	"POST /agents":                      ruleWrite,
	"POST /agents/{id}/delete":          ruleWrite,

	// Incident pages (issue 6).
	"GET /incidents":                                  ruleRead,
	"POST /incidents":                                 ruleWrite,
	"GET /incidents/{id}":                             ruleRead,
	"GET /incidents/{id}/report.xlsx":                 ruleRead,
	"POST /incidents/{id}/manual":                     ruleWrite,
	"POST /incidents/{id}/batches":                    ruleWrite,
	"POST /incidents/{id}/batches/upload":             ruleWrite,
	"POST /incidents/{id}/batches/{batch_id}/entered": ruleWrite,
	"POST /incidents/{id}/data-losses":                ruleWrite,
	"POST /incidents/{id}/data-losses/{loss_id}":      ruleWrite,
	"POST /incidents/{id}/severity":                   ruleWrite,
	"POST /incidents/{id}/move":                       ruleWrite,
	"POST /incidents/{id}/notes":                      ruleWrite,
	"POST /incidents/{id}/review":                     ruleWrite,

	// Backup pages (issue 7).
	"GET /backups":                     ruleRead,
	"POST /offsite-moves":              ruleWrite,
	"POST /offsite-moves/{id}/receive": ruleWrite,
	"POST /backups/storage":            ruleWriteAll,

	// Monitoring API (issue 5).
	// Call lists (issue 6): the store decides which list a writer may touch.
	"GET /api/v1/contacts":                             ruleRead,
	"GET /api/v1/contacts/{id}":                        ruleRead,
	"POST /api/v1/contacts":                            ruleWrite,
	"PUT /api/v1/contacts/{id}":                        ruleWrite,
	"DELETE /api/v1/contacts/{id}":                     ruleWrite,
	"/api/v1/contacts":                                 ruleRead,
	"/api/v1/contacts/{id}":                            ruleRead,
	"GET /agencies/{id}/contacts/new":                  ruleWrite,
	"POST /agencies/{id}/contacts":                     ruleWrite,
	"GET /systems/{id}/contacts/new":                   ruleWrite,
	"POST /systems/{id}/contacts":                      ruleWrite,
	"POST /contacts/{id}/delete":                       ruleWrite,
	"GET /api/v1/status":                               ruleRead,
	"GET /api/v1/checks":                               ruleRead,
	"GET /api/v1/checks/{id}":                          ruleRead,
	"PUT /api/v1/checks/{id}":                          ruleWrite,
	"GET /api/v1/systems/{id}/uptime":                  ruleRead,
	"GET /api/v1/systems/{id}/interruptions":           ruleRead,
	"GET /api/v1/maintenance-windows":                  ruleRead,
	"GET /api/v1/maintenance-windows/{id}":             ruleRead,
	"POST /api/v1/maintenance-windows":                 ruleWrite,
	"PUT /api/v1/maintenance-windows/{id}":             ruleWrite,
	"DELETE /api/v1/maintenance-windows/{id}":          ruleWrite,
	"GET /api/v1/agents":                               ruleRead,
	"GET /api/v1/agents/{id}":                          ruleRead,
	"POST /api/v1/agents":                              ruleWrite,
	"PUT /api/v1/agents/{id}":                          ruleWrite,
	"DELETE /api/v1/agents/{id}":                       ruleWrite,
	"GET /api/v1/agent/checks":                         ruleAgent,
	"GET /api/v1/incidents":                            ruleRead,
	"GET /api/v1/incidents/{id}":                       ruleRead,
	"POST /api/v1/incidents":                           ruleWrite,
	"POST /api/v1/incidents/{id}/move":                 ruleWrite,
	"POST /api/v1/incidents/{id}/notes":                ruleWrite,
	"/api/v1/incidents":                                ruleRead,
	"/api/v1/incidents/{id}":                           ruleRead,
	"/api/v1/incidents/{id}/move":                      ruleRead,
	"/api/v1/incidents/{id}/notes":                     ruleRead,
	"GET /api/v1/incidents/unreported":                 ruleRead,
	"POST /api/v1/incidents/{id}/manual":               ruleWrite,
	"POST /api/v1/incidents/{id}/batches":              ruleWrite,
	"PUT /api/v1/incidents/{id}/batches/{batch_id}":    ruleWrite,
	"POST /api/v1/incidents/{id}/data-losses":          ruleWrite,
	"PUT /api/v1/incidents/{id}/data-losses/{loss_id}": ruleWrite,
	"POST /api/v1/incidents/{id}/severity":             ruleWrite,
	"POST /api/v1/incidents/{id}/review":               ruleWrite,
	"/api/v1/incidents/{id}/manual":                    ruleRead,
	"/api/v1/incidents/{id}/batches":                   ruleRead,
	"/api/v1/incidents/{id}/batches/{batch_id}":        ruleRead,
	"/api/v1/incidents/{id}/data-losses":               ruleRead,
	"/api/v1/incidents/{id}/data-losses/{loss_id}":     ruleRead,
	"/api/v1/incidents/{id}/severity":                  ruleRead,
	"/api/v1/incidents/{id}/review":                    ruleRead,
	"GET /metrics":                                     ruleRead,
	"POST /api/v1/agent/results":                       ruleAgent,
	"/api/v1/status":                                   ruleRead,
	"/api/v1/checks":                                   ruleRead,
	"/api/v1/checks/{id}":                              ruleRead,
	"/api/v1/systems/{id}/uptime":                      ruleRead,
	"/api/v1/systems/{id}/interruptions":               ruleRead,
	"/api/v1/maintenance-windows":                      ruleRead,
	"/api/v1/maintenance-windows/{id}":                 ruleRead,
	"/api/v1/agents":                                   ruleRead,
	"/api/v1/agents/{id}":                              ruleRead,
	"/api/v1/agent/checks":                             ruleAgent,
	"/api/v1/agent/results":                            ruleAgent,
	"POST /api/v1/integrations/alertmanager":           ruleAlert,
	"/api/v1/integrations/alertmanager":                ruleAlert,
	"POST /api/v1/backups":                             ruleBackup,
	"GET /api/v1/backups":                              ruleRead,
	"GET /api/v1/backups/status":                       ruleRead,
	"GET /api/v1/backups/storage":                      ruleRead,
	"POST /api/v1/backups/storage":                     ruleWriteAll,
	"GET /api/v1/offsite-moves":                        ruleRead,
	"POST /api/v1/offsite-moves":                       ruleWrite,
	"POST /api/v1/offsite-moves/{id}/receive":          ruleWrite,
	"/api/v1/backups":                                  ruleRead,
	"/api/v1/backups/status":                           ruleRead,
	"/api/v1/backups/storage":                          ruleRead,
	"/api/v1/offsite-moves":                            ruleRead,
	"/api/v1/offsite-moves/{id}/receive":               ruleRead,

	"GET /admin/users":                         ruleManageUsers,
	"GET /admin/users/new":                     ruleManageUsers,
	"POST /admin/users":                        ruleManageUsers,
	"POST /admin/users/{id}/lock":              ruleManageUsers,
	"POST /admin/users/{id}/unlock":            ruleManageUsers,
	"POST /admin/users/{id}/reset-password":    ruleManageUsers,
	"POST /admin/users/{id}/disable":           ruleManageUsers,
	"POST /admin/users/{id}/enable":            ruleManageUsers,
	"POST /admin/users/{id}/unlink-sso":        ruleManageUsers,
	"GET /admin/tokens":                        ruleManageUsers,
	"GET /admin/tokens/new":                    ruleManageUsers,
	"POST /admin/tokens":                       ruleManageUsers,
	"POST /admin/tokens/{id}/revoke":           ruleManageUsers,
	"GET /audit":                               ruleViewAudit,
	"GET /audit/{seq}":                         ruleViewAudit,
	"GET /audit/export/{file}":                 ruleViewAudit,
	"GET /admin/security-report":               ruleViewAudit,
	"GET /admin/security-report/export/{file}": ruleViewAudit,

	"GET /api/v1/summary":              ruleRead,
	"GET /api/v1/data-quality":         ruleRead,
	"POST /api/v1/import":              ruleWrite,
	"GET /api/v1/export":               ruleRead,
	"GET /api/v1/agencies":             ruleRead,
	"GET /api/v1/agencies/{id}":        ruleRead,
	"POST /api/v1/agencies":            ruleWriteAll,
	"PUT /api/v1/agencies/{id}":        ruleWriteAll,
	"DELETE /api/v1/agencies/{id}":     ruleWriteAll,
	"GET /api/v1/facilities":           ruleRead,
	"GET /api/v1/facilities/{id}":      ruleRead,
	"POST /api/v1/facilities":          ruleWriteAll,
	"PUT /api/v1/facilities/{id}":      ruleWriteAll,
	"DELETE /api/v1/facilities/{id}":   ruleWriteAll,
	"GET /api/v1/systems":              ruleRead,
	"GET /api/v1/systems/{id}":         ruleRead,
	"POST /api/v1/systems":             ruleWrite,
	"PUT /api/v1/systems/{id}":         ruleWrite,
	"DELETE /api/v1/systems/{id}":      ruleWrite,
	"GET /api/v1/services":             ruleRead,
	"GET /api/v1/services/{id}":        ruleRead,
	"POST /api/v1/services":            ruleWrite,
	"PUT /api/v1/services/{id}":        ruleWrite,
	"DELETE /api/v1/services/{id}":     ruleWrite,
	"GET /api/v1/dependencies":         ruleRead,
	"GET /api/v1/dependencies/{id}":    ruleRead,
	"POST /api/v1/dependencies":        ruleWrite,
	"PUT /api/v1/dependencies/{id}":    ruleWrite,
	"DELETE /api/v1/dependencies/{id}": ruleWrite,

	// Grade-change proposals (issue 4, grades).
	"GET /grade-proposals":                      ruleRead,
	"GET /systems/{id}/grade-proposals/new":     ruleWrite,
	"POST /systems/{id}/grade-proposals":        ruleWrite,
	"POST /grade-proposals/{id}/approve":        ruleApprove,
	"POST /grade-proposals/{id}/reject":         ruleApprove,
	"POST /grade-proposals/{id}/withdraw":       ruleWrite,
	"GET /api/v1/grade-proposals":               ruleRead,
	"GET /api/v1/grade-proposals/{id}":          ruleRead,
	"POST /api/v1/grade-proposals":              ruleWrite,
	"POST /api/v1/grade-proposals/{id}/approve": ruleApprove,
	"POST /api/v1/grade-proposals/{id}/reject":  ruleApprove,
	"/api/v1/grade-proposals":                   ruleRead,
	"/api/v1/grade-proposals/{id}":              ruleRead,
	"/api/v1/grade-proposals/{id}/approve":      ruleRead,
	"/api/v1/grade-proposals/{id}/reject":       ruleRead,
	// Risks (issue 4 ②).
	"GET /risks":                   ruleRead,
	"GET /risks/{id}":              ruleRead,
	"GET /risks/new":               ruleWrite,
	"POST /risks":                  ruleWrite,
	"GET /risks/{id}/edit":         ruleWrite,
	"POST /risks/{id}":             ruleWrite,
	"POST /risks/{id}/delete":      ruleWrite,
	"GET /api/v1/risks":            ruleRead,
	"GET /api/v1/risks/heatmap":    ruleRead,
	"GET /api/v1/risks/{id}":       ruleRead,
	"POST /api/v1/risks":           ruleWrite,
	"PUT /api/v1/risks/{id}":       ruleWrite,
	"DELETE /api/v1/risks/{id}":    ruleWrite,
	"/api/v1/risks":                ruleRead,
	"/api/v1/risks/{id}":           ruleRead,
	"POST /api/v1/risks/heatmap":   ruleRead,
	"PUT /api/v1/risks/heatmap":    ruleRead,
	"DELETE /api/v1/risks/heatmap": ruleRead,
	// Facility-loss what-if and the gap summary (issue 4, package scenario).
	"GET /what-if":                        ruleRead,
	"GET /gaps":                           ruleRead,
	"GET /api/v1/scenarios/facility-loss": ruleRead,
	"GET /api/v1/gaps":                    ruleRead,
	"/api/v1/scenarios/facility-loss":     ruleRead,
	"/api/v1/gaps":                        ruleRead,

	// Facilities (issue 4 ⑦).
	"GET /restart-order":        ruleRead,
	"GET /concentration":        ruleRead,
	"GET /api/v1/restart-order": ruleRead,
	"GET /api/v1/concentration": ruleRead,
	"GET /api/v1/mutual-dr":     ruleRead,
	"/api/v1/restart-order":     ruleRead,
	"/api/v1/concentration":     ruleRead,
	"/api/v1/mutual-dr":         ruleRead,

	// Wrong methods and unknown paths of the API.
	"/api/v1/summary":           ruleRead,
	"/api/v1/data-quality":      ruleRead,
	"/api/v1/export":            ruleRead,
	"/api/v1/import":            ruleRead,
	"/api/v1/agencies":          ruleRead,
	"/api/v1/agencies/{id}":     ruleRead,
	"/api/v1/facilities":        ruleRead,
	"/api/v1/facilities/{id}":   ruleRead,
	"/api/v1/systems":           ruleRead,
	"/api/v1/systems/{id}":      ruleRead,
	"/api/v1/services":          ruleRead,
	"/api/v1/services/{id}":     ruleRead,
	"/api/v1/dependencies":      ruleRead,
	"/api/v1/dependencies/{id}": ruleRead,
	"/api/v1/":                  rulePublic,
}

// callers are everyone who may knock: nobody, a person of every role (one
// of them owing a password change), and API tokens of every kind. Agency
// callers belong to 근로복지공단; the other agency is 한국고용정보원.
var callers = []struct {
	name       string
	role       auth.Role
	agency     bool // of 근로복지공단, rather than the ministry
	token      bool
	mustChange bool
}{
	{name: "no one"},
	{name: "ministry_admin", role: auth.MinistryAdmin},
	{name: "ministry_viewer", role: auth.MinistryViewer},
	{name: "agency_admin", role: auth.AgencyAdmin, agency: true},
	{name: "agency_editor", role: auth.AgencyEditor, agency: true},
	{name: "agency_viewer", role: auth.AgencyViewer, agency: true},
	{name: "must_change", role: auth.MinistryAdmin, mustChange: true},
	{name: "script_ministry", role: auth.Script, token: true},
	{name: "script_agency", role: auth.Script, token: true, agency: true},
	{name: "agent", role: auth.Agent, token: true, agency: true},
	{name: "backup", role: auth.Backup, token: true, agency: true},
	{name: "alert", role: auth.Alert, token: true, agency: true},
}

// ruleMatrix is who each rule lets through, one column per caller in the
// order above (Y: through, -: refused). Tokens are for the API only: on a
// page a token is no one. A person who must change the password is let
// through public and signed-in routes only.
var ruleMatrix = map[rule]string{
	//                no one  m.admin m.view a.admin a.edit a.view must  script.m script.a agent backup alert
	rulePublic:      "Y       Y       Y      Y       Y      Y      Y     Y        Y        Y     Y      Y",
	ruleSignedIn:    "-       Y       Y      Y       Y      Y      Y     -        -        -     -      -",
	ruleRead:        "-       Y       Y      Y       Y      Y      -     Y        Y        -     -      -",
	ruleWrite:       "-       Y       -      Y       Y      -      -     Y        Y        -     -      -",
	ruleWriteAll:    "-       Y       -      -       -      -      -     Y        -        -     -      -",
	ruleManageUsers: "-       Y       -      Y       -      -      -     -        -        -     -      -",
	ruleViewAudit:   "-       Y       -      Y       -      -      -     -        -        -     -      -",
	ruleApprove:     "-       Y       -      -       -      -      -     -        -        -     -      -",
	ruleAgent:       "-       -       -      -       -      -      -     -        -        Y     -      -",
	ruleAlert:       "-       Y       -      Y       Y      -      -     Y        Y        -     -      Y",
	ruleBackup:      "-       Y       -      Y       Y      -      -     Y        Y        -     Y      -",
}

// Outcomes of a request, as the matrix checks them.
const (
	outAllowed   = "allowed"   // through the guard (whatever the handler then says)
	outLogin     = "login"     // 401, or a page's redirect to the login form
	outPassword  = "password"  // the password must be changed first
	outForbidden = "forbidden" // 403
	outNotFound  = "not found" // 404: another agency's record
)

// matrixCaller is one caller with what it sends.
type matrixCaller struct {
	name                      string
	agency, token, mustChange bool
	cookie, bearer            string
	userID                    int64
	principal                 auth.Principal
	permitted                 map[rule]bool
}

// expect is the outcome a caller must meet on a route: hasRecord when the
// path names a record, other when that record is another agency's.
func (c *matrixCaller) expect(ru rule, api, hasRecord, other bool) string {
	if !c.permitted[ru] || (c.token && !api && ru != rulePublic) {
		switch {
		case c.cookie == "" && c.bearer == "", c.token && !api:
			return outLogin
		case c.mustChange:
			return outPassword
		}
		return outForbidden
	}
	if hasRecord && other && c.agency {
		return outNotFound
	}
	return outAllowed
}

// matrix is the tower set up for TestRouteRoleMatrix.
type matrix struct {
	t        *testing.T
	srv      *Server
	ts       *httptest.Server
	client   *http.Client
	store    *inventory.Store
	own, oth *inventory.Agency
	// ids of the records requests name: own (근로복지공단's) and other
	// (한국고용정보원's), by kind.
	ids     map[bool]map[string]int64
	victims int
}

// Every route of the tower with every kind of caller, on both databases:
// each route's rule is the one routeRules says, each rule lets through
// exactly whom ruleMatrix says, and an agency's caller who names another
// agency's record gets 404 and nothing of it. Ids in paths are filled in
// with a record of the caller's own agency and, separately, one of
// another agency; a delete deletes a record made for it.
func TestRouteRoleMatrix(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		srv := newServer(t, db)
		ts := httptest.NewServer(srv)
		defer ts.Close()
		m := newMatrix(t, srv, ts)

		t.Run("every route has its rule", func(t *testing.T) {
			seen := map[string]bool{}
			for _, rt := range srv.table {
				seen[rt.Pattern] = true
				want, ok := routeRules[rt.Pattern]
				switch {
				case !ok:
					t.Errorf("new route without a rule: %q (%s) is not in routeRules", rt.Pattern, rt.Rule)
				case want != rt.Rule:
					t.Errorf("%q has rule %s, routeRules says %s", rt.Pattern, rt.Rule, want)
				}
				if _, ok := ruleMatrix[rt.Rule]; !ok {
					t.Errorf("%q: rule %s is not in ruleMatrix", rt.Pattern, rt.Rule)
				}
			}
			for pattern := range routeRules {
				if !seen[pattern] {
					t.Errorf("routeRules has %q, which the server does not serve", pattern)
				}
			}
		})

		cs := m.callers()
		t.Run("rules decide as the matrix says", func(t *testing.T) {
			for ru := range ruleMatrix {
				for _, c := range cs {
					if got := permits(ru, c.principal); got != c.permitted[ru] {
						t.Errorf("%s × %s: permits says %v, the matrix %v", ru, c.name, got, c.permitted[ru])
					}
				}
			}
		})

		for _, rt := range srv.table {
			t.Run(rt.Pattern, func(t *testing.T) {
				_, hasRecord := m.recordKind(rt.Pattern)
				variants := []bool{false}
				if hasRecord {
					variants = append(variants, true)
				}
				for _, c := range cs {
					for _, other := range variants {
						m.check(t, rt, c, hasRecord, other)
					}
				}
			})
		}
	})
}

func newMatrix(t *testing.T, srv *Server, ts *httptest.Server) *matrix {
	t.Helper()
	f := newScopeFixture(t, srv.store)
	client := *ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	m := &matrix{t: t, srv: srv, ts: ts, client: &client, store: srv.store, own: f.welfare, oth: f.keis,
		ids: map[bool]map[string]int64{
			false: {"agency": f.welfare.ID, "facility": f.own.ID, "system": f.insurance.ID, "service": f.compensation.ID, "dependency": f.welfareDep.ID},
			true:  {"agency": f.keis.ID, "facility": f.nirs.ID, "system": f.work24.ID, "service": f.benefits.ID, "dependency": f.keisDep.ID},
		}}
	// An account, a token and an audit log entry of each agency, for the
	// admin pages that name one.
	ctx := context.Background()
	for other, agency := range map[bool]*inventory.Agency{false: f.welfare, true: f.keis} {
		m.ids[other]["user"] = newAccount(t, srv.accounts, auth.AgencyViewer, agency.ID, false).ID
		tok := &auth.Token{Name: "matrix target", Role: auth.Script, AgencyID: agency.ID}
		if _, err := srv.accounts.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		m.ids[other]["token"] = tok.ID
		entries, err := audit.List(ctx, srv.db, access.Agency(agency.ID), audit.Filter{Kind: audit.KindSystem, Limit: 1})
		if err != nil || len(entries) == 0 {
			t.Fatalf("no audit entry of %s: %v", agency.Name, err)
		}
		m.ids[other]["entry"] = entries[0].Seq
		// A risk entry of each agency, the other's named for what only it has.
		m.ids[other]["risk"] = m.riskOf(agency, "matrix risk of "+agency.Name)
	}
	// A grade-change proposal on a system of each agency (grades, issue 4).
	for other, sys := range map[bool]*inventory.System{false: f.insurance, true: f.work24} {
		p := &grading.ChangeProposal{SystemID: sys.ID, ToGrade: 2, Reason: "matrix target"}
		if err := srv.grades.Propose(ctx, access.All(), p); err != nil {
			t.Fatal(err)
		}
		m.ids[other]["grade_proposal"] = p.ID
	}
	// A task of each agency (issue 4): 한국고용정보원's names its own
	// system, whose name must not reach 근로복지공단.
	for other, sys := range map[bool]*inventory.System{false: f.insurance, true: f.work24} {
		task := &tasks.Task{AgencyID: sys.AgencyID, Title: "matrix task", Term: tasks.TermShort, Due: "2025-12-31",
			Criterion: "matrix", SystemIDs: []int64{sys.ID}}
		if err := srv.tasks.Create(ctx, access.All(), task); err != nil {
			t.Fatal(err)
		}
		m.ids[other]["task"] = task.ID
	}
	// Monitoring (issue 5): a check, a maintenance window and an agent of
	// each agency.
	for other, sys := range map[bool]*inventory.System{false: f.insurance, true: f.work24} {
		m.ids[other]["check"], m.ids[other]["maintenance_window"] = m.watched(sys)
		m.ids[other]["agent"] = m.agentOf(sys, fmt.Sprintf("matrix agent %d", sys.AgencyID))
		// An incident of each agency (issue 6).
		inc, _, err := m.srv.incidents.Detect(ctx, incident.Signal{SystemID: sys.ID, Source: incident.SourceMonitor})
		if err != nil {
			t.Fatal(err)
		}
		m.ids[other]["incident"] = inc.ID
		// A contact on each agency's list (issue 6).
		m.ids[other]["contact"] = m.contactOf(sys.AgencyID, "matrix contact")
		// A backup run of each agency's system and its offsite move on
		// the way (issue 7).
		run := backup.Run{SystemID: sys.ID, Key: "matrix", Kind: backup.KindFull, StartedAt: time.Now().Add(-time.Hour),
			EndedAt: time.Now(), Result: backup.ResultSuccess, Copy: backup.Copy{FacilityID: f.own.ID, Medium: backup.MediumTape}}
		if _, err := m.srv.backups.Report(ctx, backup.Reporter{Scope: access.All()}, []backup.Run{run}); err != nil {
			t.Fatal(err)
		}
		var runID int64
		m.srv.db.Read.QueryRow(`SELECT id FROM backup_runs WHERE system_id = $1`, sys.ID).Scan(&runID)
		move := &backup.Move{RunID: runID, Medium: backup.MediumTape, FromFacilityID: f.own.ID, ToFacilityID: f.nirs.ID,
			HandedBy: "matrix", HandedAt: time.Now().Add(-time.Minute)}
		if err := m.srv.backups.RecordMove(ctx, access.All(), move); err != nil {
			t.Fatal(err)
		}
		m.ids[other]["offsite_move"] = move.ID
	}
	// A manual batch and a data-loss entry in each incident.
	for other, svc := range map[bool]*inventory.Service{false: f.compensation, true: f.benefits} {
		id := m.ids[other]["incident"]
		inc, err := m.srv.incidents.SwitchManual(ctx, access.All(), id, svc.ID, true, "")
		if err == nil {
			inc, err = m.srv.incidents.AddBatches(ctx, access.All(), id, []incident.Batch{{ServiceID: svc.ID,
				ManualBatch: incident.ManualBatch{Office: "matrix office", Count: 3}}})
		}
		if err == nil {
			inc, err = m.srv.incidents.RecordLoss(ctx, access.All(), id, &incident.DataLoss{SystemID: inc.Systems[0].SystemID,
				What: "matrix loss", From: inc.DetectedAt, To: inc.DetectedAt})
		}
		if err != nil {
			t.Fatal(err)
		}
		m.ids[other]["batch"], m.ids[other]["data_loss"] = inc.Batches[0].ID, inc.Losses[0].ID
	}
	return m
}

// contactOf puts a contact on an agency's call list and returns its id.
func (m *matrix) contactOf(agencyID int64, name string) int64 {
	c := &incident.Contact{AgencyID: agencyID, Role: incident.RolePrimary, Name: name, Email: "matrix@example.go.kr"}
	if err := m.srv.contacts.Create(context.Background(), access.All(), c); err != nil {
		m.t.Fatalf("contact of agency %d: %v", agencyID, err)
	}
	return c.ID
}

// watched gives sys an endpoint, and so a check, and a maintenance window;
// it returns their ids.
func (m *matrix) watched(sys *inventory.System) (checkID, windowID int64) {
	ctx := context.Background()
	err := m.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		s, err := tx.System(ctx, sys.ID)
		if err != nil {
			return err
		}
		s.Endpoints = []inventory.Endpoint{{Target: fmt.Sprintf("https://matrix-%d.example/health", sys.ID)}}
		return tx.UpdateSystem(ctx, s)
	})
	if err != nil {
		m.t.Fatal(err)
	}
	if _, err := m.srv.monitors.SyncChecks(ctx); err != nil {
		m.t.Fatal(err)
	}
	checks, err := m.srv.monitors.SystemChecks(ctx, access.All(), sys.ID)
	if err != nil || len(checks) != 1 {
		m.t.Fatalf("checks of %s: %v (%v)", sys.Name, checks, err)
	}
	return checks[0].ID, m.windowOf(sys.ID)
}

// windowOf records a maintenance window of a system and returns its id.
func (m *matrix) windowOf(systemID int64) int64 {
	start := time.Date(2026, 1, 10, 22, 0, 0, 0, time.UTC)
	w := &monitor.MaintenanceWindow{SystemID: systemID, StartsAt: start, EndsAt: start.Add(2 * time.Hour), Note: "matrix"}
	if err := m.srv.monitors.CreateMaintenanceWindow(context.Background(), access.All(), w); err != nil {
		m.t.Fatal(err)
	}
	return w.ID
}

// agentOf records an agent of sys's agency, bound to sys, and returns its id.
func (m *matrix) agentOf(sys *inventory.System, name string) int64 {
	ctx := context.Background()
	tok := &auth.Token{Name: name, Role: auth.Agent, AgencyID: sys.AgencyID, SystemIDs: []int64{sys.ID}}
	if _, err := m.srv.accounts.CreateToken(ctx, tok); err != nil {
		m.t.Fatal(err)
	}
	a := &monitor.Agent{Name: name, TokenID: tok.ID}
	if err := m.srv.monitors.CreateAgent(ctx, access.All(), a); err != nil {
		m.t.Fatal(err)
	}
	return a.ID
}

// riskOf records a risk entry of agency and returns its id.
func (m *matrix) riskOf(agency *inventory.Agency, title string) int64 {
	e := &risk.Entry{AgencyID: agency.ID, SubKind: "equipment", Title: title, Likelihood: 3, Impact: 4}
	if err := m.srv.risks.Create(context.Background(), access.All(), e); err != nil {
		m.t.Fatalf("risk of %s: %v", agency.Name, err)
	}
	return e.ID
}

// callers makes an account (once per database: each costs a password hash)
// and a session, or a token, for every caller.
func (m *matrix) callers() []*matrixCaller {
	t, ctx := m.t, context.Background()
	var list []*matrixCaller
	for i, c := range callers {
		mc := &matrixCaller{name: c.name, agency: c.agency, token: c.token, mustChange: c.mustChange, permitted: map[rule]bool{}}
		for ru, row := range ruleMatrix {
			marks := strings.Fields(row)
			if len(marks) != len(callers) {
				t.Fatalf("ruleMatrix[%s] has %d columns for %d callers", ru, len(marks), len(callers))
			}
			mc.permitted[ru] = marks[i] == "Y"
		}
		var agencyID int64
		if c.agency {
			agencyID = m.own.ID
		}
		var err error
		switch {
		case c.token:
			tok := &auth.Token{Name: "matrix " + c.name, Role: c.role, AgencyID: agencyID}
			if c.role.Pushes() {
				tok.SystemIDs = []int64{m.ids[false]["system"]}
			}
			if mc.bearer, err = m.srv.accounts.CreateToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			mc.principal, err = m.srv.accounts.TokenPrincipal(ctx, mc.bearer)
		case c.role != "":
			u := newAccount(t, m.srv.accounts, c.role, agencyID, c.mustChange)
			mc.userID = u.ID
			m.newSession(mc)
			mc.principal, err = m.srv.accounts.SessionPrincipal(ctx, mc.cookie)
		}
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, mc)
	}
	return list
}

func (m *matrix) newSession(c *matrixCaller) {
	token, err := m.srv.accounts.NewSession(context.Background(), c.userID, "127.0.0.1", "matrix")
	if err != nil {
		m.t.Fatal(err)
	}
	c.cookie = token
}

var collectionKinds = map[string]string{
	"agencies": "agency", "facilities": "facility", "systems": "system", "services": "service", "dependencies": "dependency",
	"users": "user", "tokens": "token",
	"grade-proposals": "grade_proposal", // grades (issue 4)
	"risks":           "risk",
	"tasks":           "task", // tasks (issue 4)
	// Monitoring (issue 5).
	"checks":              "check",
	"maintenance-windows": "maintenance_window",
	"maintenance":         "maintenance_window", // POST /maintenance/{id}/delete
	"agents":              "agent",
	"incidents":           "incident",     // issue 6
	"offsite-moves":       "offsite_move", // issue 7
	"contacts":            "contact",      // issue 6
}

// recordKind is the kind of record a route's path names by id, and
// whether it names one; a route without a method answers before looking.
func (m *matrix) recordKind(pattern string) (string, bool) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || method == "" {
		return "", false
	}
	if path == "/export/{page}/{file}" {
		return "system", true
	}
	if path == "/audit/{seq}" {
		return "entry", true
	}
	if !strings.Contains(path, "{id}") {
		return "", false
	}
	parts := strings.Split(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(path, "/api/v1"), "/admin"), "/"), "/")
	kind, ok := collectionKinds[parts[0]]
	if !ok {
		m.t.Fatalf("%s: no record kind for %q; add it to collectionKinds", pattern, parts[0])
	}
	return kind, true
}

// request builds the request a caller sends on a route.
func (m *matrix) request(rt route, other bool) *http.Request {
	method, path, ok := strings.Cut(rt.Pattern, " ")
	if !ok {
		method, path = "PATCH", rt.Pattern // a route for any other method
	}
	kind, hasRecord := m.recordKind(rt.Pattern)
	var id int64
	if hasRecord {
		id = m.ids[other][kind]
		if method == http.MethodDelete || strings.HasSuffix(path, "/delete") {
			id = m.victim(kind, other)
		}
	}
	switch path {
	case "/{$}":
		path = "/"
	case "/static/":
		path = assetPaths["style.css"]
	case "/api/v1/":
		path = "/api/v1/no-such-thing"
	case "/export/{page}/{file}":
		path = fmt.Sprintf("/export/system/targets.csv?id=%d", id)
	case "/audit/{seq}":
		path = fmt.Sprintf("/audit/%d", id)
	case "/audit/export/{file}":
		path = "/audit/export/entries.csv"
	case "/admin/security-report/export/{file}":
		path = "/admin/security-report/export/tokens.csv"
	}
	if !hasRecord {
		id = m.ids[false]["system"] // named, but answered without a look
	}
	path = strings.ReplaceAll(path, "{id}", fmt.Sprint(id))
	path = strings.ReplaceAll(path, "{batch_id}", fmt.Sprint(m.ids[other]["batch"]))
	path = strings.ReplaceAll(path, "{loss_id}", fmt.Sprint(m.ids[other]["data_loss"]))
	var body, contentType string
	switch {
	case method == http.MethodPut && kind == "incident":
		body, contentType = "{}", "application/json" // a batch's or a data loss's change
	case method == http.MethodPut:
		body, contentType = m.recordJSON(kind, id), "application/json"
	case method == http.MethodPost && isAPIPath(path):
		body, contentType = "{}", "application/json"
	case method == http.MethodPost:
		// A form no handler can read: past the guard it is refused (or,
		// naming another agency's record, not found) and changes nothing.
		body, contentType = "%zz", "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(method, m.ts.URL+path, strings.NewReader(body))
	if err != nil {
		m.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

func isAPIPath(path string) bool { return strings.HasPrefix(path, "/api/") || path == metricsPath }

// recordJSON is a record as the API returns it, to send back unchanged.
func (m *matrix) recordJSON(kind string, id int64) string {
	ctx, all := context.Background(), access.All()
	var record any
	var err error
	switch kind {
	case "agency":
		record, err = m.store.Agency(ctx, all, id)
	case "facility":
		record, err = m.store.Facility(ctx, all, id)
	case "system":
		record, err = m.store.System(ctx, all, id)
	case "service":
		record, err = m.store.Service(ctx, all, id)
	case "dependency":
		record, err = m.store.Dependency(ctx, all, id)
	case "risk":
		record, err = m.srv.risks.Entry(ctx, all, id)
	case "task":
		record, err = m.srv.tasks.Task(ctx, all, id)
	case "check":
		record, err = m.srv.monitors.Check(ctx, all, id)
	case "maintenance_window":
		record, err = m.srv.monitors.MaintenanceWindow(ctx, all, id)
	case "agent":
		record, err = m.srv.monitors.Agent(ctx, all, id)
	case "contact":
		record, err = m.srv.contacts.Contact(ctx, all, id)
	}
	if err != nil {
		m.t.Fatalf("read %s %d: %v", kind, id, err)
	}
	body, _ := json.Marshal(record)
	return string(body)
}

// victim makes a record for a delete to delete: of the caller's own agency,
// or of the other.
func (m *matrix) victim(kind string, other bool) int64 {
	ctx := context.Background()
	agency := m.own
	if other {
		agency = m.oth
	}
	m.victims++
	name := fmt.Sprintf("victim %d", m.victims)
	if kind == "risk" {
		return m.riskOf(agency, name)
	}
	if kind == "task" {
		task := &tasks.Task{AgencyID: agency.ID, Title: name, Term: tasks.TermShort, Due: "2025-12-31", Criterion: name}
		if err := m.srv.tasks.Create(ctx, access.All(), task); err != nil {
			m.t.Fatalf("victim task: %v", err)
		}
		return task.ID
	}
	switch kind {
	case "contact":
		return m.contactOf(agency.ID, name)
	case "maintenance_window":
		return m.windowOf(m.ids[other]["system"])
	case "agent":
		sys, err := m.store.System(ctx, access.All(), m.ids[other]["system"])
		if err != nil {
			m.t.Fatal(err)
		}
		return m.agentOf(sys, name)
	}
	var id int64
	err := m.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		system := func(suffix string) (*inventory.System, error) {
			s := &inventory.System{AgencyID: agency.ID, Name: name + suffix}
			return s, tx.CreateSystem(ctx, s)
		}
		switch kind {
		case "agency":
			a := &inventory.Agency{Name: name}
			err := tx.CreateAgency(ctx, a)
			id = a.ID
			return err
		case "facility":
			f := &inventory.Facility{Name: name, Operator: inventory.OperatorSelf}
			err := tx.CreateFacility(ctx, f)
			id = f.ID
			return err
		case "system":
			s, err := system("")
			id = s.ID
			return err
		case "service":
			s := &inventory.Service{AgencyID: agency.ID, Name: name}
			err := tx.CreateService(ctx, s)
			id = s.ID
			return err
		case "dependency":
			from, err := system(" from")
			if err != nil {
				return err
			}
			to, err := system(" to")
			if err != nil {
				return err
			}
			d := &inventory.Dependency{FromSystemID: from.ID, ToSystemID: to.ID, Kind: "interface"}
			err = tx.CreateDependency(ctx, d)
			id = d.ID
			return err
		}
		return fmt.Errorf("no victim of kind %q", kind)
	})
	if err != nil {
		m.t.Fatalf("victim %s: %v", kind, err)
	}
	return id
}

// check sends one request and compares its outcome with the matrix.
func (m *matrix) check(t *testing.T, rt route, c *matrixCaller, hasRecord, other bool) {
	t.Helper()
	req := m.request(rt, other)
	api := isAPI(req)
	switch {
	case c.bearer != "":
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	case c.cookie != "":
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.cookie})
	}
	resp, err := m.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	got := outcome(api, resp, body)
	// Signing out sends the browser to the login form too: allowed when
	// the session really ended. (The caller then signs in again.)
	if rt.Pattern == "POST /logout" && c.cookie != "" && got == outLogin {
		if _, err := m.srv.accounts.SessionPrincipal(context.Background(), c.cookie); err != nil {
			got = outAllowed
			m.newSession(c)
		}
	}
	want := c.expect(rt.Rule, api, hasRecord, other)
	// A route that names no record may well answer 404 to whom it lets
	// through (an upload that is gone, an unknown API path).
	if got == outNotFound && want == outAllowed && !hasRecord {
		got = outAllowed
	}
	if got != want {
		which := ""
		switch {
		case hasRecord && other:
			which = " (another agency's record)"
		case hasRecord:
			which = " (own record)"
		}
		t.Errorf("%s %s%s as %s: %s (%d %s), want %s\n%.300s", req.Method, req.URL.RequestURI(), which, c.name, got,
			resp.StatusCode, resp.Header.Get("Location"), want, body)
	}
	if c.agency || got != outAllowed {
		names := keisNames
		if strings.HasPrefix(rt.Pattern, "GET /public/") {
			// The citizens' page shows every agency and its public
			// services to anyone, by design; nothing else of another
			// agency (systems, facilities, notes) may show there either.
			names = slices.DeleteFunc(slices.Clone(keisNames), func(n string) bool { return n == "한국고용정보원" || n == "실업급여 신청" })
		}
		mustNotShow(t, fmt.Sprintf("%s %s as %s", req.Method, req.URL.RequestURI(), c.name), string(body), names...)
	}
}

// outcome reads what became of a request.
func outcome(api bool, resp *http.Response, body []byte) string {
	location := resp.Header.Get("Location")
	var e apiError
	if api {
		json.Unmarshal(body, &e)
	}
	switch status := resp.StatusCode; {
	case api && status == http.StatusUnauthorized:
		return outLogin
	case !api && status == http.StatusSeeOther && (location == "/login" || strings.HasPrefix(location, "/login?")):
		return outLogin
	case !api && status == http.StatusSeeOther && location == "/account/password":
		return outPassword
	case api && status == http.StatusForbidden && e.Error.Code == mustChangePassword:
		return outPassword
	case status == http.StatusForbidden:
		return outForbidden
	case status == http.StatusNotFound:
		return outNotFound
	case status == http.StatusTooManyRequests:
		return "rate limited"
	}
	return outAllowed
}
