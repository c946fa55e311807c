package web

import (
	"net/http"

	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
	"yeonsok/internal/statuspage"
)

// rule says who may use a route. Every route is registered with one
// (Server.handle), and guard enforces it before the handler runs, so that
// no handler decides for itself who may call it. What a caller then sees
// of the inventory is its principal's Scope, which every query takes.
type rule string

const (
	// rulePublic: anyone, signed in or not — the login page, health
	// checks, static files, the language switch, the citizens' status
	// page.
	rulePublic rule = "public"
	// ruleSignedIn: a person with a session, even one who must change the
	// password before anything else — logout and the password change.
	ruleSignedIn rule = "signed_in"
	// ruleRead: who reads the inventory in their scope — every person and
	// script tokens; not agent, backup or alert tokens.
	ruleRead rule = "read"
	// ruleWrite: who changes the inventory in their scope — admins, agency
	// editors and script tokens.
	ruleWrite rule = "write"
	// ruleWriteAll: who changes what belongs to no one agency (agencies and
	// facilities) — the ministry admin and a ministry-wide script token.
	ruleWriteAll rule = "write_all"
	// ruleManageUsers: who manages accounts and tokens — the ministry admin
	// and agency admins (their agency's only, which the handler checks
	// against the account's agency).
	ruleManageUsers rule = "manage_users"
	// ruleViewAudit: who reads the audit log and the security report — the
	// ministry admin and agency admins (their agency's entries only).
	ruleViewAudit rule = "view_audit"
	// ruleApprove: who takes the ministry's decisions — approving or
	// rejecting a grade change — the ministry admin, a person, never a
	// token (auth.Principal.CanApprove).
	ruleApprove rule = "approve"
	// ruleAgent: a monitoring agent at another site — an agent token,
	// which fetches its checks and pushes its results and does nothing
	// else (auth.Principal.IsAgent).
	ruleAgent rule = "agent"
	// ruleAlert: another monitor's alerts (Alertmanager's webhook) — an
	// alert token, for the systems it is bound to, and whoever changes the
	// inventory, for the systems of their scope (the handler checks each
	// system).
	ruleAlert rule = "alert"
	// ruleBackup: backup jobs reporting their runs — a backup token, for
	// the systems it is bound to, and whoever changes the inventory, for
	// the systems of their scope (the store checks each system).
	ruleBackup rule = "backup"
)

// allows reports whether the rule lets p through, leaving aside the
// password change a person may owe first (see permits).
func (ru rule) allows(p auth.Principal) bool {
	switch ru {
	case rulePublic:
		return true
	case ruleSignedIn:
		return p.Kind == auth.KindUser && p.UserID != 0 && p.Role.ForUsers()
	case ruleRead:
		return p.CanRead()
	case ruleWrite:
		return p.CanWriteInventory()
	case ruleWriteAll:
		return p.CanWriteInventory() && p.Scope().IsAll()
	case ruleManageUsers:
		return p.CanManageUsers(p.AgencyID)
	case ruleViewAudit:
		return p.CanViewAudit(p.AgencyID)
	case ruleApprove:
		return p.CanApprove()
	case ruleAgent:
		return p.IsAgent()
	case ruleAlert:
		return p.CanWriteInventory() || (p.Kind == auth.KindToken && p.Role == auth.Alert)
	case ruleBackup:
		return p.CanWriteInventory() || (p.Kind == auth.KindToken && p.Role == auth.Backup)
	}
	return false
}

// permits reports whether p may use a route of rule ru: a person who must
// change the password may use public and signed-in routes only.
func permits(ru rule, p auth.Principal) bool {
	if ru != rulePublic && ru != ruleSignedIn && p.MustChangePassword {
		return false
	}
	return ru.allows(p)
}

// route is one entry of the route table: a ServeMux pattern and its rule.
type route struct {
	Pattern string
	Rule    rule
}

// handle registers a route with its rule; it is the only way a route is
// added, so the table (Server.table) lists every route there is.
func (s *Server) handle(pattern string, ru rule, h http.HandlerFunc) {
	if _, dup := s.rules[pattern]; dup {
		panic("web: route registered twice: " + pattern)
	}
	s.rules[pattern] = ru
	s.table = append(s.table, route{Pattern: pattern, Rule: ru})
	s.mux.Handle(pattern, s.guard(ru, h))
}

// routes is every route of the tower with who may use it, in one place.
// Pages are plain links and forms: a change is a POST that redirects (303)
// on success and shows the form again, with every problem next to its
// field, on failure. The JSON API lives under /api/v1/.
func (s *Server) routes() {
	s.handle("GET /healthz", rulePublic, s.showHealth)
	s.handle("GET /readyz", rulePublic, s.showReadiness)
	s.handle("GET /static/", rulePublic, staticHandler().ServeHTTP)
	s.handle("POST /lang", rulePublic, s.switchLanguage)
	// The citizens' status page (issue 6): no sign-in, no session looked
	// up, no database read per request — the page is served from memory.
	s.handle("GET "+statuspage.Path, rulePublic, s.public.ServeHTML)
	s.handle("GET "+statuspage.JSONPath, rulePublic, s.public.ServeJSON)

	// Signing in and out, and the password.
	s.handle("GET /login", rulePublic, s.showLogin)
	s.handle("POST /login", rulePublic, s.login)
	s.handle("GET /login/sso", rulePublic, s.startSSO)
	s.handle("GET /login/sso/callback", rulePublic, s.finishSSO)
	s.handle("POST /logout", ruleSignedIn, s.logout)
	s.handle("GET /account/password", ruleSignedIn, s.showPasswordForm)
	s.handle("POST /account/password", ruleSignedIn, s.changePassword)

	// Pages.
	s.handle("GET /{$}", ruleRead, s.showPage("home", "home.title", buildHome))
	s.handle("GET /export/{page}/{file}", ruleRead, s.exportTable)
	s.handle("GET /data-quality", ruleRead, s.showPage("data_quality", "quality.title", buildQuality))
	s.handle("GET /import", ruleRead, s.showImport)
	s.handle("POST /import", ruleWrite, s.previewImport)
	s.handle("POST /import/apply", ruleWrite, s.applyImport)

	s.handle("GET /agencies", ruleRead, s.showPage("agencies", "agencies.title", buildAgencies))
	s.handle("GET /agencies/{id}", ruleRead, s.showPage("agency", "agency.title", buildAgency))
	s.handle("GET /agencies/new", ruleWriteAll, s.showNewAgency)
	s.handle("POST /agencies", ruleWriteAll, s.createAgency)
	s.handle("GET /agencies/{id}/edit", ruleWriteAll, s.showEditAgency)
	s.handle("POST /agencies/{id}", ruleWriteAll, s.updateAgency)
	s.handle("POST /agencies/{id}/delete", ruleWriteAll, s.deleteAgency)

	s.handle("GET /facilities", ruleRead, s.showPage("facilities", "facilities.title", buildFacilities))
	s.handle("GET /facilities/{id}", ruleRead, s.showPage("facility", "facility.title", buildFacility))
	s.handle("GET /facilities/new", ruleWriteAll, s.showNewFacility)
	s.handle("POST /facilities", ruleWriteAll, s.createFacility)
	s.handle("GET /facilities/{id}/edit", ruleWriteAll, s.showEditFacility)
	s.handle("POST /facilities/{id}", ruleWriteAll, s.updateFacility)
	s.handle("POST /facilities/{id}/delete", ruleWriteAll, s.deleteFacility)

	s.handle("GET /systems", ruleRead, s.showPage("systems", "systems.title", buildSystems))
	s.handle("GET /systems/{id}", ruleRead, s.showPage("system", "system.title", buildSystem))
	s.handle("GET /systems/new", ruleWrite, s.showNewSystem)
	s.handle("POST /systems", ruleWrite, s.createSystem)
	s.handle("GET /systems/{id}/edit", ruleWrite, s.showEditSystem)
	s.handle("POST /systems/{id}", ruleWrite, s.updateSystem)
	s.handle("POST /systems/{id}/delete", ruleWrite, s.deleteSystem)

	s.handle("GET /services", ruleRead, s.showPage("services", "services.title", buildServices))
	s.handle("GET /services/{id}", ruleRead, s.showPage("service", "service.title", buildService))
	s.handle("GET /services/new", ruleWrite, s.showNewService)
	s.handle("POST /services", ruleWrite, s.createService)
	s.handle("GET /services/{id}/edit", ruleWrite, s.showEditService)
	s.handle("POST /services/{id}", ruleWrite, s.updateService)
	s.handle("POST /services/{id}/delete", ruleWrite, s.deleteService)

	s.handle("GET /dependencies", ruleRead, s.showPage("dependencies", "dependencies.title", buildDependencies))
	s.handle("GET /dependencies/new", ruleWrite, s.showNewDependency)
	s.handle("POST /dependencies", ruleWrite, s.createDependency)
	s.handle("GET /dependencies/{id}/edit", ruleWrite, s.showEditDependency)
	s.handle("POST /dependencies/{id}", ruleWrite, s.updateDependency)
	s.handle("POST /dependencies/{id}/delete", ruleWrite, s.deleteDependency)

	// Grade-change proposals: who may write a system
	// proposes a grade for it; the ministry admin decides; the proposer
	// may withdraw (the store checks who proposed).
	s.handle("GET /grade-proposals", ruleRead, s.showPage("grade_proposals", "grades.title", buildGradeProposals))
	s.handle("GET /systems/{id}/grade-proposals/new", ruleWrite, s.showNewGradeProposal)
	s.handle("POST /systems/{id}/grade-proposals", ruleWrite, s.createGradeProposal)
	s.handle("POST /grade-proposals/{id}/approve", ruleApprove, s.approveGradeProposal)
	s.handle("POST /grade-proposals/{id}/reject", ruleApprove, s.rejectGradeProposal)
	s.handle("POST /grade-proposals/{id}/withdraw", ruleWrite, s.withdrawGradeProposal)
	// Tasks and each agency's plan: its gaps, the tasks they
	// propose (accepted, edited, or dismissed with a reason) and its tasks.
	// The plan of an agency outside the caller's scope does not exist.
	s.handle("GET /tasks", ruleRead, s.showPage("tasks", "tasks.title", buildTasks))
	s.handle("GET /tasks/{id}", ruleRead, s.showPage("task", "task.title", buildTask))
	s.handle("GET /tasks/new", ruleWrite, s.showNewTask)
	s.handle("POST /tasks", ruleWrite, s.createTask)
	s.handle("GET /tasks/{id}/edit", ruleWrite, s.showEditTask)
	s.handle("POST /tasks/{id}", ruleWrite, s.updateTask)
	s.handle("POST /tasks/{id}/delete", ruleWrite, s.deleteTask)
	s.handle("GET /agencies/{id}/plan", ruleRead, s.showPage("plan", "plan.title", buildPlan))
	s.handle("GET /agencies/{id}/plan.xlsx", ruleRead, s.exportPlan)
	s.handle("POST /agencies/{id}/proposals/accept", ruleWrite, s.acceptProposal)
	s.handle("POST /agencies/{id}/proposals/dismiss", ruleWrite, s.dismissProposal)
	s.handle("POST /agencies/{id}/proposals/restore", ruleWrite, s.restoreProposal)
	// Monitoring pages. The status board and the agents are read in the
	// caller's scope; a check's settings, a system's maintenance windows
	// and the agents are changed by who may write its agency's records.
	s.handle("GET /status", ruleRead, s.showPage("status", "status.title", buildStatus))
	s.handle("GET /checks/{id}/edit", ruleWrite, s.showEditCheck)
	s.handle("POST /checks/{id}", ruleWrite, s.updateCheck)
	s.handle("GET /systems/{id}/maintenance/new", ruleWrite, s.showNewMaintenance)
	s.handle("POST /systems/{id}/maintenance", ruleWrite, s.createMaintenance)
	s.handle("POST /maintenance/{id}/delete", ruleWrite, s.deleteMaintenance)
	s.handle("GET /agents", ruleRead, s.showPage("agents", "agents.title", buildAgents))
	s.handle("GET /agents/new", ruleWrite, s.showNewAgent)
	s.handle("POST /agents", ruleWrite, s.createAgent)
	s.handle("POST /agents/{id}/delete", ruleWrite, s.deleteAgent)

	// Incident pages (issue 6): the list with a person's report, and one
	// incident's page from which it is run and printed, with its report as
	// a workbook. Another agency's incident does not exist.
	s.handle("GET /incidents", ruleRead, s.showPage("incidents", "incidents.title", buildIncidents))
	s.handle("POST /incidents", ruleWrite, s.reportIncident)
	s.handle("GET /incidents/{id}", ruleRead, s.showPage("incident", "incidents.detail_title", buildIncident))
	s.handle("GET /incidents/{id}/report.xlsx", ruleRead, s.exportIncident)
	s.handle("POST /incidents/{id}/manual", ruleWrite, s.switchManual)
	s.handle("POST /incidents/{id}/batches", ruleWrite, s.addBatch)
	s.handle("POST /incidents/{id}/batches/upload", ruleWrite, s.uploadBatches)
	s.handle("POST /incidents/{id}/batches/{batch_id}/entered", ruleWrite, s.recordEntered)
	s.handle("POST /incidents/{id}/data-losses", ruleWrite, s.recordLoss)
	s.handle("POST /incidents/{id}/data-losses/{loss_id}", ruleWrite, s.recordLoss)
	s.handle("POST /incidents/{id}/severity", ruleWrite, s.setSeverity)
	s.handle("POST /incidents/{id}/move", ruleWrite, s.moveIncident)
	s.handle("POST /incidents/{id}/notes", ruleWrite, s.noteIncident)
	s.handle("POST /incidents/{id}/review", ruleWrite, s.reviewIncident)

	// Backup pages (issue 7): compliance, exposure, storage and offsite
	// moves in the caller's scope; writers record a move and its receipt.
	// Another agency's move does not exist.
	s.handle("GET /backups", ruleRead, s.showPage("backups", "backup.title", buildBackups))
	s.handle("POST /offsite-moves", ruleWrite, s.recordOffsiteMove)
	s.handle("POST /offsite-moves/{id}/receive", ruleWrite, s.receiveOffsiteMove)
	s.handle("POST /backups/storage", ruleWriteAll, s.recordBackupStorage)

	// Accounts and API tokens, the audit log and the security report.
	// The rule lets in admins; which accounts, tokens and entries each
	// sees is its scope, and before a change the handler asks
	// CanManageUsers or CanManageTokens of the record's own agency.
	s.handle("GET /admin/users", ruleManageUsers, s.showUsers)
	s.handle("GET /admin/users/new", ruleManageUsers, s.showNewUser)
	s.handle("POST /admin/users", ruleManageUsers, s.createUser)
	s.handle("POST /admin/users/{id}/lock", ruleManageUsers, s.lockUser)
	s.handle("POST /admin/users/{id}/unlock", ruleManageUsers, s.unlockUser)
	s.handle("POST /admin/users/{id}/reset-password", ruleManageUsers, s.resetUserPassword)
	s.handle("POST /admin/users/{id}/disable", ruleManageUsers, s.disableUser)
	s.handle("POST /admin/users/{id}/enable", ruleManageUsers, s.enableUser)
	s.handle("POST /admin/users/{id}/unlink-sso", ruleManageUsers, s.unlinkUserSSO)
	s.handle("GET /admin/tokens", ruleManageUsers, s.showTokens)
	s.handle("GET /admin/tokens/new", ruleManageUsers, s.showNewToken)
	s.handle("POST /admin/tokens", ruleManageUsers, s.createToken)
	s.handle("POST /admin/tokens/{id}/revoke", ruleManageUsers, s.revokeToken)

	s.handle("GET /audit", ruleViewAudit, s.showPage("audit", "admin.audit.title", buildAudit))
	s.handle("GET /audit/{seq}", ruleViewAudit, s.showAuditEntry)
	s.handle("GET /audit/export/{file}", ruleViewAudit, s.exportPage("audit", buildAuditExport))
	s.handle("GET /admin/security-report", ruleViewAudit, s.showPage("security_report", "admin.report.title", buildSecurityReport))
	s.handle("GET /admin/security-report/export/{file}", ruleViewAudit, s.exportSecurityReport)

	// The JSON API. Every route reads and writes through s.scope(r); a
	// record outside the scope does not exist.
	s.handle("GET /api/v1/summary", ruleRead, s.showSummaryJSON)
	s.handle("GET /api/v1/data-quality", ruleRead, s.listDataQualityJSON)
	s.handle("POST /api/v1/import", ruleWrite, s.importInventoryJSON)
	s.handle("GET /api/v1/export", ruleRead, s.exportInventory)

	s.handle("GET /api/v1/agencies", ruleRead, s.listAgenciesJSON)
	s.handle("GET /api/v1/agencies/{id}", ruleRead, s.showAgencyJSON)
	s.handle("POST /api/v1/agencies", ruleWriteAll, s.createAgencyJSON)
	s.handle("PUT /api/v1/agencies/{id}", ruleWriteAll, s.updateAgencyJSON)
	s.handle("DELETE /api/v1/agencies/{id}", ruleWriteAll, s.deleteAgencyJSON)

	s.handle("GET /api/v1/facilities", ruleRead, s.listFacilitiesJSON)
	s.handle("GET /api/v1/facilities/{id}", ruleRead, s.showFacilityJSON)
	s.handle("POST /api/v1/facilities", ruleWriteAll, s.createFacilityJSON)
	s.handle("PUT /api/v1/facilities/{id}", ruleWriteAll, s.updateFacilityJSON)
	s.handle("DELETE /api/v1/facilities/{id}", ruleWriteAll, s.deleteFacilityJSON)

	s.handle("GET /api/v1/systems", ruleRead, s.listSystemsJSON)
	s.handle("GET /api/v1/systems/{id}", ruleRead, s.showSystemJSON)
	s.handle("POST /api/v1/systems", ruleWrite, s.createSystemJSON)
	s.handle("PUT /api/v1/systems/{id}", ruleWrite, s.updateSystemJSON)
	s.handle("DELETE /api/v1/systems/{id}", ruleWrite, s.deleteSystemJSON)

	s.handle("GET /api/v1/services", ruleRead, s.listServicesJSON)
	s.handle("GET /api/v1/services/{id}", ruleRead, s.showServiceJSON)
	s.handle("POST /api/v1/services", ruleWrite, s.createServiceJSON)
	s.handle("PUT /api/v1/services/{id}", ruleWrite, s.updateServiceJSON)
	s.handle("DELETE /api/v1/services/{id}", ruleWrite, s.deleteServiceJSON)

	s.handle("GET /api/v1/dependencies", ruleRead, s.listDependenciesJSON)
	s.handle("GET /api/v1/dependencies/{id}", ruleRead, s.showDependencyJSON)
	s.handle("POST /api/v1/dependencies", ruleWrite, s.createDependencyJSON)
	s.handle("PUT /api/v1/dependencies/{id}", ruleWrite, s.updateDependencyJSON)
	s.handle("DELETE /api/v1/dependencies/{id}", ruleWrite, s.deleteDependencyJSON)

	// Grade-change proposals.
	s.handle("GET /api/v1/grade-proposals", ruleRead, s.listGradeProposalsJSON)
	s.handle("GET /api/v1/grade-proposals/{id}", ruleRead, s.showGradeProposalJSON)
	s.handle("POST /api/v1/grade-proposals", ruleWrite, s.createGradeProposalJSON)
	s.handle("POST /api/v1/grade-proposals/{id}/approve", ruleApprove, s.approveGradeProposalJSON)
	s.handle("POST /api/v1/grade-proposals/{id}/reject", ruleApprove, s.rejectGradeProposalJSON)
	s.handle("/api/v1/grade-proposals", ruleRead, s.refuseMethodJSON("GET, POST"))
	s.handle("/api/v1/grade-proposals/{id}", ruleRead, s.refuseMethodJSON("GET"))
	s.handle("/api/v1/grade-proposals/{id}/approve", ruleRead, s.refuseMethodJSON("POST"))
	s.handle("/api/v1/grade-proposals/{id}/reject", ruleRead, s.refuseMethodJSON("POST"))
	// Risks: entries of the plan's catalogue per agency, facility
	// and system, and the heat map. Writers change their own agency's entries.
	s.handle("GET /risks", ruleRead, s.showPage("risks", "risks.title", buildRisks))
	s.handle("GET /risks/{id}", ruleRead, s.showPage("risk", "risk.title", buildRisk))
	s.handle("GET /risks/new", ruleWrite, s.showNewRisk)
	s.handle("POST /risks", ruleWrite, s.createRisk)
	s.handle("GET /risks/{id}/edit", ruleWrite, s.showEditRisk)
	s.handle("POST /risks/{id}", ruleWrite, s.updateRisk)
	s.handle("POST /risks/{id}/delete", ruleWrite, s.deleteRisk)
	s.handle("GET /api/v1/risks", ruleRead, s.listRisksJSON)
	s.handle("GET /api/v1/risks/heatmap", ruleRead, s.showRiskHeatMapJSON)
	s.handle("GET /api/v1/risks/{id}", ruleRead, s.showRiskJSON)
	s.handle("POST /api/v1/risks", ruleWrite, s.createRiskJSON)
	s.handle("PUT /api/v1/risks/{id}", ruleWrite, s.updateRiskJSON)
	s.handle("DELETE /api/v1/risks/{id}", ruleWrite, s.deleteRiskJSON)
	s.handle("/api/v1/risks", ruleRead, s.refuseMethodJSON("GET, POST"))
	s.handle("/api/v1/risks/{id}", ruleRead, s.refuseMethodJSON("GET, PUT, DELETE"))
	// The heat map's path would otherwise reach the routes of /{id}; a
	// method-less pattern for it would clash with "GET /api/v1/risks/{id}".
	for _, method := range []string{"POST", "PUT", "DELETE"} {
		s.handle(method+" /api/v1/risks/heatmap", ruleRead, s.refuseMethodJSON("GET"))
	}
	// Facility-loss what-if and the gap summary.
	s.handle("GET /what-if", ruleRead, s.showPage("what_if", "whatif.title", buildWhatIf))
	s.handle("GET /gaps", ruleRead, s.showPage("gaps", "gaps.title", buildGaps))
	s.handle("GET /api/v1/scenarios/facility-loss", ruleRead, s.showFacilityLossJSON)
	s.handle("GET /api/v1/gaps", ruleRead, s.showGapsJSON)
	s.handle("/api/v1/scenarios/facility-loss", ruleRead, s.refuseMethodJSON("GET"))
	s.handle("/api/v1/gaps", ruleRead, s.refuseMethodJSON("GET"))

	// Facilities: cold-restart order, concentration and single
	// points of failure, mutual DR. Read-only analyses of the inventory in
	// the caller's scope.
	s.handle("GET /restart-order", ruleRead, s.showPage("restart_order", "recovery.title", buildRestartOrder))
	s.handle("GET /concentration", ruleRead, s.showPage("concentration", "placement.title", buildConcentration))
	s.handle("GET /api/v1/restart-order", ruleRead, s.showRestartOrderJSON)
	s.handle("GET /api/v1/concentration", ruleRead, s.showConcentrationJSON)
	s.handle("GET /api/v1/mutual-dr", ruleRead, s.listMutualDRJSON)
	for _, path := range []string{"/api/v1/restart-order", "/api/v1/concentration", "/api/v1/mutual-dr"} {
		s.handle(path, ruleRead, s.refuseMethodJSON("GET"))
	}

	// Tasks and proposals.
	s.handle("GET /api/v1/tasks", ruleRead, s.listTasksJSON)
	s.handle("GET /api/v1/tasks/{id}", ruleRead, s.showTaskJSON)
	s.handle("POST /api/v1/tasks", ruleWrite, s.createTaskJSON)
	s.handle("PUT /api/v1/tasks/{id}", ruleWrite, s.updateTaskJSON)
	s.handle("DELETE /api/v1/tasks/{id}", ruleWrite, s.deleteTaskJSON)
	s.handle("GET /api/v1/agencies/{id}/proposals", ruleRead, s.listProposalsJSON)
	s.handle("POST /api/v1/agencies/{id}/proposals/accept", ruleWrite, s.acceptProposalJSON)
	s.handle("POST /api/v1/agencies/{id}/proposals/dismiss", ruleWrite, s.dismissProposalJSON)
	s.handle("POST /api/v1/agencies/{id}/proposals/restore", ruleWrite, s.restoreProposalJSON)
	s.handle("/api/v1/tasks", ruleRead, s.refuseMethodJSON("GET, POST"))
	s.handle("/api/v1/tasks/{id}", ruleRead, s.refuseMethodJSON("GET, PUT, DELETE"))
	s.handle("/api/v1/agencies/{id}/proposals", ruleRead, s.refuseMethodJSON("GET"))
	for _, decision := range []string{"accept", "dismiss", "restore"} {
		s.handle("/api/v1/agencies/{id}/proposals/"+decision, ruleRead, s.refuseMethodJSON("POST"))
	}

	// Monitoring (issue 5): the live state, the checks' settings,
	// uptime and interruptions, maintenance windows and agents; the
	// Watcher takes up a check changed here at once.
	s.handle("GET /api/v1/status", ruleRead, s.listStatusJSON)
	s.handle("GET /api/v1/checks", ruleRead, s.listChecksJSON)
	s.handle("GET /api/v1/checks/{id}", ruleRead, s.showCheckJSON)
	s.handle("PUT /api/v1/checks/{id}", ruleWrite, s.updateCheckJSON)
	s.handle("GET /api/v1/systems/{id}/uptime", ruleRead, s.showSystemUptimeJSON)
	s.handle("GET /api/v1/systems/{id}/interruptions", ruleRead, s.listSystemInterruptionsJSON)
	s.handle("GET /api/v1/maintenance-windows", ruleRead, s.listMaintenanceWindowsJSON)
	s.handle("GET /api/v1/maintenance-windows/{id}", ruleRead, s.showMaintenanceWindowJSON)
	s.handle("POST /api/v1/maintenance-windows", ruleWrite, s.createMaintenanceWindowJSON)
	s.handle("PUT /api/v1/maintenance-windows/{id}", ruleWrite, s.updateMaintenanceWindowJSON)
	s.handle("DELETE /api/v1/maintenance-windows/{id}", ruleWrite, s.deleteMaintenanceWindowJSON)
	s.handle("GET /api/v1/agents", ruleRead, s.listAgentsJSON)
	s.handle("GET /api/v1/agents/{id}", ruleRead, s.showAgentJSON)
	s.handle("POST /api/v1/agents", ruleWrite, s.createAgentJSON)
	s.handle("PUT /api/v1/agents/{id}", ruleWrite, s.updateAgentJSON)
	s.handle("DELETE /api/v1/agents/{id}", ruleWrite, s.deleteAgentJSON)
	s.handle("GET "+metricsPath, ruleRead, s.showMetrics)
	// What an agent calls: its checks, and its results in numbered batches.
	s.handle("GET /api/v1/agent/checks", ruleAgent, s.showAgentChecksJSON)
	s.handle("POST /api/v1/agent/results", ruleAgent, s.pushAgentResultsJSON)
	for _, path := range []string{"/api/v1/status", "/api/v1/checks", "/api/v1/systems/{id}/uptime", "/api/v1/systems/{id}/interruptions"} {
		s.handle(path, ruleRead, s.refuseMethodJSON("GET"))
	}
	s.handle("/api/v1/checks/{id}", ruleRead, s.refuseMethodJSON("GET, PUT"))
	for _, collection := range []string{"maintenance-windows", "agents"} {
		s.handle("/api/v1/"+collection, ruleRead, s.refuseMethodJSON("GET, POST"))
		s.handle("/api/v1/"+collection+"/{id}", ruleRead, s.refuseMethodJSON("GET, PUT, DELETE"))
	}
	s.handle("/api/v1/agent/checks", ruleAgent, s.refuseMethodJSON("GET"))
	s.handle("/api/v1/agent/results", ruleAgent, s.refuseMethodJSON("POST"))

	// Incidents: open ones, one with its clocks and
	// timeline, a person's report, moves along the states, notes.
	s.handle("GET /api/v1/incidents", ruleRead, s.listOpenIncidentsJSON)
	s.handle("GET /api/v1/incidents/{id}", ruleRead, s.showIncidentJSON)
	s.handle("POST /api/v1/incidents", ruleWrite, s.reportIncidentJSON)
	s.handle("POST /api/v1/incidents/{id}/move", ruleWrite, s.moveIncidentJSON)
	s.handle("POST /api/v1/incidents/{id}/notes", ruleWrite, s.noteIncidentJSON)
	s.handle("/api/v1/incidents", ruleRead, s.refuseMethodJSON("GET, POST"))
	s.handle("/api/v1/incidents/{id}", ruleRead, s.refuseMethodJSON("GET"))
	s.handle("/api/v1/incidents/{id}/move", ruleRead, s.refuseMethodJSON("POST"))
	s.handle("/api/v1/incidents/{id}/notes", ruleRead, s.refuseMethodJSON("POST"))
	// Running it: manual mode, the offices' batches and their back-entry,
	// the data-loss ledger, severity, the review; and what nobody reported.
	s.handle("GET /api/v1/incidents/unreported", ruleRead, s.listUnreportedJSON)
	s.handle("POST /api/v1/incidents/{id}/manual", ruleWrite, s.switchManualJSON)
	s.handle("POST /api/v1/incidents/{id}/batches", ruleWrite, s.addBatchesJSON)
	s.handle("PUT /api/v1/incidents/{id}/batches/{batch_id}", ruleWrite, s.recordEnteredJSON)
	s.handle("POST /api/v1/incidents/{id}/data-losses", ruleWrite, s.recordLossJSON)
	s.handle("PUT /api/v1/incidents/{id}/data-losses/{loss_id}", ruleWrite, s.recordLossJSON)
	s.handle("POST /api/v1/incidents/{id}/severity", ruleWrite, s.setSeverityJSON)
	s.handle("POST /api/v1/incidents/{id}/review", ruleWrite, s.writeReviewJSON)
	for _, path := range []string{"manual", "batches", "data-losses", "severity", "review"} {
		s.handle("/api/v1/incidents/{id}/"+path, ruleRead, s.refuseMethodJSON("POST"))
	}
	s.handle("/api/v1/incidents/{id}/batches/{batch_id}", ruleRead, s.refuseMethodJSON("PUT"))
	s.handle("/api/v1/incidents/{id}/data-losses/{loss_id}", ruleRead, s.refuseMethodJSON("PUT"))
	// Other monitoring in: Alertmanager's webhook opens, joins and
	// restores incidents of the systems its alerts name.
	s.handle("POST /api/v1/integrations/alertmanager", ruleAlert, s.receiveAlertmanagerJSON)
	s.handle("/api/v1/integrations/alertmanager", ruleAlert, s.refuseMethodJSON("POST"))

	// Backups (issue 7): jobs report runs; people record offsite moves and
	// read each system's compliance and exposure; the ministry records
	// the shared facilities' backup storage.
	s.handle("POST /api/v1/backups", ruleBackup, s.reportBackupsJSON)
	s.handle("GET /api/v1/backups", ruleRead, s.listBackupRunsJSON)
	s.handle("GET /api/v1/backups/status", ruleRead, s.backupStatusJSON)
	s.handle("GET /api/v1/backups/storage", ruleRead, s.backupStorageJSON)
	s.handle("POST /api/v1/backups/storage", ruleWriteAll, s.recordBackupStorageJSON)
	s.handle("GET /api/v1/offsite-moves", ruleRead, s.listOffsiteMovesJSON)
	s.handle("POST /api/v1/offsite-moves", ruleWrite, s.recordOffsiteMoveJSON)
	s.handle("POST /api/v1/offsite-moves/{id}/receive", ruleWrite, s.receiveOffsiteMoveJSON)
	s.handle("/api/v1/backups", ruleRead, s.refuseMethodJSON("GET, POST"))
	s.handle("/api/v1/backups/status", ruleRead, s.refuseMethodJSON("GET"))
	s.handle("/api/v1/backups/storage", ruleRead, s.refuseMethodJSON("GET, POST"))
	s.handle("/api/v1/offsite-moves", ruleRead, s.refuseMethodJSON("GET, POST"))
	s.handle("/api/v1/offsite-moves/{id}/receive", ruleRead, s.refuseMethodJSON("POST"))
	// Call lists: an agency's writers manage their agency's and its
	// systems' lists, the ministry's list only ministry-wide writers (the
	// store decides which list a caller may touch).
	s.handle("GET /api/v1/contacts", ruleRead, s.listContactsJSON)
	s.handle("GET /api/v1/contacts/{id}", ruleRead, s.showContactJSON)
	s.handle("POST /api/v1/contacts", ruleWrite, s.createContactJSON)
	s.handle("PUT /api/v1/contacts/{id}", ruleWrite, s.updateContactJSON)
	s.handle("DELETE /api/v1/contacts/{id}", ruleWrite, s.deleteContactJSON)
	s.handle("/api/v1/contacts", ruleRead, s.refuseMethodJSON("GET, POST"))
	s.handle("/api/v1/contacts/{id}", ruleRead, s.refuseMethodJSON("GET, PUT, DELETE"))
	s.handle("GET /agencies/{id}/contacts/new", ruleWrite, s.showNewAgencyContact)
	s.handle("POST /agencies/{id}/contacts", ruleWrite, s.createAgencyContact)
	s.handle("GET /systems/{id}/contacts/new", ruleWrite, s.showNewSystemContact)
	s.handle("POST /systems/{id}/contacts", ruleWrite, s.createSystemContact)
	s.handle("POST /contacts/{id}/delete", ruleWrite, s.deleteContact)

	// Without these the mux would answer a wrong method or an unknown path
	// with plain text; an API client always gets the JSON error body. Who
	// may not read the inventory learns nothing of its routes either.
	for _, path := range []string{"/api/v1/summary", "/api/v1/data-quality", "/api/v1/export"} {
		s.handle(path, ruleRead, s.refuseMethodJSON("GET"))
	}
	s.handle("/api/v1/import", ruleRead, s.refuseMethodJSON("POST"))
	for _, collection := range []string{"agencies", "facilities", "systems", "services", "dependencies"} {
		s.handle("/api/v1/"+collection, ruleRead, s.refuseMethodJSON("GET, POST"))
		s.handle("/api/v1/"+collection+"/{id}", ruleRead, s.refuseMethodJSON("GET, PUT, DELETE"))
	}
	s.handle("/api/v1/", rulePublic, s.refuseUnknownRouteJSON)
}

// guard lets a request through to h when its caller may use a route of
// rule ru, with the caller in the request's context (principalFrom, and
// access.ActorFrom for the audit log). Otherwise it answers for h:
//
//   - nobody signed in: a page redirects to the login page (303), coming
//     back afterwards; the API answers 401;
//   - a person who must change the password first: a page redirects to the
//     password form; the API answers 403;
//   - a caller the rule does not let through: 403, as the error page or as
//     JSON.
//
// Public routes need no caller and do not look for one.
func (s *Server) guard(ru rule, h http.HandlerFunc) http.HandlerFunc {
	if ru == rulePublic {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		p, ended, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		if p.Kind != "" {
			r = r.WithContext(withPrincipal(r.Context(), p, s.clientAddress(r)))
		}
		switch {
		case p.Kind == "":
			s.askToSignIn(w, r, ended)
		case p.MustChangePassword && ru != ruleSignedIn:
			s.askToChangePassword(w, r)
		case !permits(ru, p):
			s.fail(w, r, apperror.New(apperror.Forbidden, "", "forbidden.role"))
		default:
			h(w, r)
		}
	}
}
