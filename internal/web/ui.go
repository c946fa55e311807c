package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"yeonsok/internal/access"
	"yeonsok/internal/inventory"
	"yeonsok/internal/quality"
)

// exportable are the pages whose tables can be downloaded, by the name in
// /export/{page}/{table}.xlsx.
var exportable = map[string]pageBuilder{
	"home":            buildHome,
	"agencies":        buildAgencies,
	"agency":          buildAgency,
	"facilities":      buildFacilities,
	"facility":        buildFacility,
	"systems":         buildSystems,
	"system":          buildSystem,
	"services":        buildServices,
	"service":         buildService,
	"dependencies":    buildDependencies,
	"data-quality":    buildQuality,
	"grade-proposals": buildGradeProposals,
	"risks":           buildRisks,
	"what-if":         buildWhatIf,
	"gaps":            buildGaps,
	"restart-order":   buildRestartOrder,
	"concentration":   buildConcentration,
	"tasks":           buildTasks,
	"plan":            buildPlan,
	"status":          buildStatus,
	"agents":          buildAgents,
	"incidents":       buildIncidents,
	"backups":         buildBackups,
}

// switchLanguage remembers the chosen language in a cookie and goes back to
// the page it was chosen on.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request) {
	l := "ko"
	if r.FormValue("lang") == "en" {
		l = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.FormValue("back")), http.StatusSeeOther)
}

// localPath is back if it is a path on this site, otherwise "/". Browsers
// drop tabs and line breaks from a Location and read a backslash as a
// slash, so "/\t/evil.example" and "/\\evil.example" lead to another site
// just as "//evil.example" does; a path with a control character or a
// backslash is refused, as is anything with a scheme or a host.
func localPath(back string) string {
	u, err := url.Parse(back)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" ||
		!strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsRune(back, '\\') ||
		strings.ContainsFunc(back, unicode.IsControl) {
		return "/"
	}
	return back
}

// homeData is the ministry's view at a glance.
type homeData struct {
	Sum                                               *inventory.Summary
	Findings                                          int
	ByAgency, ByOperator, Grade12, Facilities, Survey *table
}

func (d *homeData) Tables() []*table {
	return []*table{d.ByAgency, d.ByOperator, d.Grade12, d.Facilities, d.Survey}
}

func buildHome(s *Server, r *http.Request, _ url.Values) (tabled, error) {
	l := tr(lang(r))
	sum, findings, err := s.homeFigures(r.Context(), s.scope(r))
	if err != nil {
		return nil, err
	}
	return &homeData{
		Sum:        sum,
		Findings:   findings,
		ByAgency:   homeByAgency(l, sum),
		ByOperator: homeByOperator(l, sum),
		Grade12:    homeGrade12(l, sum),
		Facilities: homeFacilities(l, sum),
		Survey:     homeSurvey(l, sum),
	}, nil
}

// homeFigures are the home page's summary and data-quality count. When the
// count must be made again (the first view after a change), the summary is
// made from the same read of the inventory rather than read a second time.
func (s *Server) homeFigures(ctx context.Context, scope access.Scope) (*inventory.Summary, int, error) {
	version, err := s.store.Version(ctx)
	if err != nil {
		return nil, 0, err
	}
	var sum *inventory.Summary
	n, err := s.findings.load(scope.String(), version, func() (int, error) {
		inv, err := s.store.Load(ctx, scope)
		if err != nil {
			return 0, err
		}
		sum = inventory.Summarize(inv.Agencies, inv.Facilities, inventory.Facts(inv.Systems))
		return len(quality.Check(inv)), nil
	})
	if err != nil {
		return nil, 0, err
	}
	if sum == nil { // counted before, or by another request
		sum, err = s.store.Summary(ctx, scope)
	}
	return sum, n, err
}

// homeByAgency is systems by agency and grade, with a totals row.
func homeByAgency(l tr, sum *inventory.Summary) *table {
	t := &table{ID: "by-agency", Caption: l.t("home.by_agency.caption"), Export: exportHref("home", "by-agency"),
		Columns: []column{{Label: l.t("home.col.agency")}}}
	for _, g := range inventory.GradeKeys {
		t.Columns = append(t.Columns, column{Label: l.t("grade." + g), Num: true})
	}
	t.Columns = append(t.Columns, column{Label: l.t("home.col.total"), Num: true})
	for _, a := range sum.PerAgency {
		row := []cell{headCell(linkCell(a.Name, "/agencies/"+strconv.FormatInt(a.ID, 10)))}
		for _, g := range inventory.GradeKeys {
			row = append(row, intCell(a.ByGrade[g]))
		}
		t.Rows = append(t.Rows, append(row, intCell(a.Systems)))
	}
	foot := []cell{headCell(textCell(l.t("home.row.total")))}
	for _, g := range inventory.GradeKeys {
		foot = append(foot, intCell(sum.ByGrade[g]))
	}
	t.Foot = [][]cell{append(foot, intCell(sum.Systems))}
	return t
}

// homeByOperator is facilities and systems by who runs the facility, as
// the plan counts them (국정자원 17, 자체 164, 민간 31).
func homeByOperator(l tr, sum *inventory.Summary) *table {
	t := &table{ID: "by-operator", Caption: l.t("home.by_operator.caption"), Export: exportHref("home", "by-operator"),
		Columns: []column{{Label: l.t("home.col.operator")}, {Label: l.t("home.col.facilities"), Num: true},
			{Label: l.t("home.col.systems"), Num: true}, {Label: l.t("home.col.share"), Num: true}}}
	for _, op := range inventory.Operators {
		t.Rows = append(t.Rows, []cell{headCell(textCell(l.operator(op))), intCell(sum.FacilitiesByOperator[op]),
			intCell(sum.ByOperator[op]), pctCell(sum.ByOperator[op], sum.Systems)})
	}
	if sum.Unplaced > 0 {
		t.Rows = append(t.Rows, []cell{headCell(textCell(l.t("home.row.unplaced"))), textCell(""),
			intCell(sum.Unplaced), pctCell(sum.Unplaced, sum.Systems)})
	}
	t.Foot = [][]cell{{headCell(textCell(l.t("home.row.total"))), intCell(sum.Facilities), intCell(sum.Systems), pctCell(sum.Systems, sum.Systems)}}
	return t
}

// homeGrade12 is the grade-1 and grade-2 systems by operator
// (국정자원 2, 자체운영 26, 민간 위탁 2).
func homeGrade12(l tr, sum *inventory.Summary) *table {
	t := &table{ID: "grade12", Caption: l.t("home.grade12.caption"), Export: exportHref("home", "grade12"),
		Columns: []column{{Label: l.t("home.col.operator")}, {Label: l.t("home.col.grade12"), Num: true}, {Label: l.t("home.col.share"), Num: true}}}
	total := 0
	for _, op := range inventory.Operators {
		total += sum.Grade12ByOperator[op]
	}
	for _, op := range inventory.Operators {
		t.Rows = append(t.Rows, []cell{headCell(textCell(l.operator(op))), intCell(sum.Grade12ByOperator[op]), pctCell(sum.Grade12ByOperator[op], total)})
	}
	t.Foot = [][]cell{{headCell(textCell(l.t("home.row.total"))), intCell(total), pctCell(total, total)}}
	return t
}

// homeFacilities is each facility with its operator, its systems and the
// agencies that run them; a facility several agencies share is tagged.
func homeFacilities(l tr, sum *inventory.Summary) *table {
	t := &table{ID: "facilities", Caption: l.t("home.facilities.caption"), Export: exportHref("home", "facilities"),
		Columns: []column{{Label: l.t("home.col.facility")}, {Label: l.t("home.col.operator")},
			{Label: l.t("home.col.systems"), Num: true}, {Label: l.t("home.col.agencies")}}}
	total := 0
	for _, f := range sum.PerFacility {
		var tags []tag
		if f.Shared {
			tags = append(tags, l.shared())
		}
		parts := make([]string, len(f.Agencies))
		for i, a := range f.Agencies {
			parts[i] = l.t("home.agency_count", a.Name, a.Systems)
		}
		t.Rows = append(t.Rows, []cell{headCell(linkCell(f.Name, "/facilities/"+strconv.FormatInt(f.ID, 10), tags...)),
			textCell(l.operator(f.Operator)), intCell(f.Systems), textCell(strings.Join(parts, ", "))})
		total += f.Systems
	}
	t.Foot = [][]cell{{headCell(textCell(l.t("home.row.total"))), textCell(""), intCell(total), textCell("")}}
	return t
}

// homeSurvey is the written survey's figures, each as a count and a share
// of the surveyed systems, and as the plan writes them: "188개(95.4%)".
func homeSurvey(l tr, sum *inventory.Summary) *table {
	t := &table{ID: "survey", Caption: l.t("home.survey.caption"), Export: exportHref("home", "survey"),
		Columns: []column{{Label: l.t("home.col.item")}, {Label: l.t("home.col.systems"), Num: true},
			{Label: l.t("home.col.share_surveyed"), Num: true}, {Label: l.t("home.col.as_written")}}}
	sv := sum.Survey
	for _, item := range []struct {
		key string
		n   int
	}{
		{"surveyed", sv.Surveyed}, {"manual", sv.Manual}, {"redundancy", sv.Redundancy}, {"dr", sv.DR},
		{"dr_similar", sv.DRSimilar}, {"backup", sv.Backup}, {"offsite", sv.Offsite},
	} {
		head := headCell(textCell(l.t("home.survey." + item.key)))
		if item.key == "dr_similar" {
			head.Class = "sub"
		}
		pct := pctCell(item.n, sv.Surveyed)
		t.Rows = append(t.Rows, []cell{head, intCell(item.n), pct, textCell(l.t("home.survey.figure", item.n, pct.Text))})
	}
	return t
}
