package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yeonsok/internal/inventory"
	"yeonsok/internal/placement"
)

// concentrationData is where too much sits in one place: facilities that
// concentrate grade-1/2 systems or several agencies, systems whose copies
// stay in the primary facility, unredundant layers, and the mutual-DR
// pairs that could spread the load.
type concentrationData struct {
	// AllAgencies is true when the caller sees every agency: mutual DR
	// pairs two agencies, so an agency's user sees none.
	AllAgencies bool
	// MutualRules say who is suggested and how pairs are scored.
	MutualRules                               []string
	Facilities, Copies, Unredundant, MutualDR *table
}

func (d *concentrationData) Tables() []*table {
	return []*table{d.Facilities, d.Copies, d.Unredundant, d.MutualDR}
}

func buildConcentration(s *Server, r *http.Request, _ url.Values) (tabled, error) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		return nil, err
	}
	home, err := s.reportedHome(r, x.inv)
	if err != nil {
		return nil, err
	}
	return &concentrationData{
		AllAgencies: s.scope(r).IsAll(),
		MutualRules: []string{l.t("placement.mutual.rule.candidates"),
			l.t("placement.mutual.rule.region", placement.RegionPointsDiffer, placement.RegionPointsUnknown),
			l.t("placement.mutual.rule.conditions", placement.PointsPerCondition, placement.UPSFlagItems),
			l.t("placement.mutual.rule.need", placement.PointsPerNeed)},
		Facilities:  concentrationTable(l, x, placement.Concentrations(x.inv)),
		Copies:      sameFacilityTable(l, x, placement.SameFacilityCopies(x.inv, home)),
		Unredundant: unredundantTable(l, x, placement.UnredundantLayers(x.inv)),
		MutualDR:    mutualDRTable(l, x, placement.MutualDR(x.inv)),
	}, nil
}

func restartHref(facilityID int64) string {
	return "/restart-order?facility=" + strconv.FormatInt(facilityID, 10)
}

// facilityCell links a facility; "미배치" when there is none.
func (l tr) facilityCell(x *index, id int64) cell {
	f := x.facility[id]
	if f == nil {
		return textCell(l.t("value.not_placed"))
	}
	return linkCell(f.Name, facilityHref(id))
}

// region writes a facility's region, "미상" when not recorded.
func (l tr) region(region string) string {
	if region == "" {
		return l.t("value.unknown")
	}
	return region
}

func concentrationTable(l tr, x *index, list []placement.Concentration) *table {
	t := &table{ID: "facilities", Caption: l.t("placement.facilities.caption", len(list)), Export: exportHref("concentration", "facilities"),
		Columns: []column{{Label: l.t("home.col.facility")}, {Label: l.t("home.col.operator")}, {Label: l.t("facility.region")},
			{Label: l.t("home.col.systems"), Num: true}}}
	for _, g := range inventory.GradeKeys {
		t.Columns = append(t.Columns, column{Label: l.t("grade." + g), Num: true})
	}
	t.Columns = append(t.Columns, column{Label: l.t("home.col.grade12"), Num: true}, column{Label: l.t("placement.col.agency_count"), Num: true},
		column{Label: l.t("placement.col.agencies")}, column{Label: l.t("placement.col.dr_hosted"), Num: true},
		column{Label: l.t("table.actions"), Action: true})
	for _, c := range list {
		f := x.facility[c.FacilityID]
		var tags []tag
		if c.Shared() {
			tags = append(tags, l.shared())
		}
		names := make([]string, len(c.Agencies))
		for i, id := range c.Agencies {
			names[i] = x.agencyName(id)
		}
		row := []cell{headCell(linkCell(c.Name, facilityHref(c.FacilityID), tags...)), textCell(l.operator(f.Operator)), textCell(l.region(f.Region)),
			intCell(c.Systems)}
		for _, g := range inventory.GradeKeys {
			row = append(row, intCell(c.ByGrade[g]))
		}
		t.Rows = append(t.Rows, append(row, intCell(c.Grade12), intCell(len(c.Agencies)), textCell(strings.Join(names, ", ")),
			intCell(c.DRHosted), linkCell(l.t("placement.restart_link"), restartHref(c.FacilityID))))
	}
	return t
}

func sameFacilityTable(l tr, x *index, list []placement.SameFacilityCopy) *table {
	t := &table{ID: "same-facility", PageRows: longListRows, Caption: l.t("placement.copies.caption", len(list)), Export: exportHref("concentration", "same-facility"),
		Columns: []column{{Label: l.t("system.name")}, {Label: l.t("home.col.agency")}, {Label: l.t("system.grade")},
			{Label: l.t("home.col.facility")}, {Label: l.t("placement.col.why")}, {Label: l.t("placement.col.on_loss")}}}
	for _, c := range list {
		why := make([]string, len(c.Reasons))
		for i, reason := range c.Reasons {
			why[i] = l.t("placement.reason." + reason)
		}
		loss := textCell(l.t("placement.on_loss.dr_may_hold"))
		if c.OnlyCopy {
			loss = cell{Text: l.t("placement.on_loss.nothing_left"), Tags: []tag{{Label: l.t("tag.risk"), Class: "risk"}}}
		}
		t.Rows = append(t.Rows, []cell{headCell(linkCell(c.Name, systemHref(c.SystemID))), textCell(x.agencyName(c.AgencyID)),
			textCell(l.grade(c.Grade)), l.facilityCell(x, c.FacilityID), textCell(strings.Join(why, ", ")), loss})
	}
	return t
}

func unredundantTable(l tr, x *index, list []placement.Unredundant) *table {
	t := &table{ID: "unredundant", PageRows: longListRows, Caption: l.t("placement.unredundant.caption", len(list)), Export: exportHref("concentration", "unredundant"),
		Columns: []column{{Label: l.t("system.name")}, {Label: l.t("home.col.agency")}, {Label: l.t("system.grade")},
			{Label: l.t("home.col.facility")}, {Label: l.t("placement.col.layers")}}}
	for _, u := range list {
		layers := make([]string, len(u.Layers))
		for i, layer := range u.Layers {
			layers[i] = l.t("layer." + layer)
		}
		t.Rows = append(t.Rows, []cell{headCell(linkCell(u.Name, systemHref(u.SystemID))), textCell(x.agencyName(u.AgencyID)),
			textCell(l.grade(u.Grade)), l.facilityCell(x, u.FacilityID), textCell(strings.Join(layers, ", "))})
	}
	return t
}

func mutualDRTable(l tr, x *index, pairs []placement.Pair) *table {
	t := &table{ID: "mutual-dr", Caption: l.t("placement.mutual.caption", len(pairs)), Export: exportHref("concentration", "mutual-dr"),
		Columns: []column{{Label: l.t("placement.col.rank"), Num: true}, {Label: l.t("placement.col.pair")},
			{Label: l.t("placement.col.region")}, {Label: l.t("placement.col.conditions")}, {Label: l.t("placement.col.need")},
			{Label: l.t("placement.col.elsewhere")}, {Label: l.t("placement.col.score"), Num: true}, {Label: l.t("placement.col.points")}}}
	side := func(s placement.Side) string {
		return l.t("placement.side", x.agencyName(s.AgencyID), x.facility[s.FacilityID].Name)
	}
	both := func(a, b int) string { return l.t("placement.both", a, b) }
	for i, p := range pairs {
		t.Rows = append(t.Rows, []cell{intCell(i + 1), headCell(textCell(l.t("placement.pair", side(p.A), side(p.B)))),
			textCell(l.t("placement.region."+p.Region, l.region(p.A.Region), l.region(p.B.Region))),
			textCell(both(p.A.Conditions, p.B.Conditions)), textCell(l.t("placement.need", p.A.Need, p.A.Grade12, p.B.Need, p.B.Grade12)),
			textCell(both(p.A.Elsewhere, p.B.Elsewhere)), intCell(p.Score),
			textCell(l.t("placement.points", p.RegionPoints, p.ConditionPoints, p.NeedPoints))})
	}
	return t
}
