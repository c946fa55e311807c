package web

import (
	"cmp"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/backup"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/scenario"
)

// The backup pages (issue 7): each system's compliance with its backup
// policy, its RPO exposure in each scenario against the target, the
// facilities' backup storage and its forecast, and the offsite moves of
// the last quarter with the form that records one and its receipt. The
// agency's page and the system's page show their part of the same.

// movesDays is how far back the page lists offsite moves: a quarter is
// what an inspection of the offsite routine looks at.
const movesDays = 90

// recentRuns is how many of a system's runs its page lists: enough to see
// the routine (a week of daily runs and the full one) without a long list.
const recentRuns = 10

// Words of the backup records in the reader's language. A status is
// always a word: colour only repeats it.

func (l tr) backupStatus(status string) cell {
	return cell{Text: l.t("backup.status." + status), Class: "bk-" + status}
}
func (l tr) backupCheck(check string) string   { return l.t("backup.check." + check) }
func (l tr) backupResult(result string) string { return l.t("backup.result." + result) }
func (l tr) backupMedium(medium string) string { return l.t("backup.medium." + medium) }
func (l tr) backupKind(kind string) string     { return l.t("backup.kind." + kind) }
func (l tr) backupScenario(kind string) string { return l.t("backup.scenario." + kind) }

// age writes how old a recovery point is: minutes and hours as the other
// pages write spans, days and hours beyond two days, where minutes no
// longer matter.
func (l tr) age(d time.Duration) string {
	if d < 48*time.Hour {
		return l.duration(d)
	}
	days, hours := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour)
	if hours == 0 {
		return l.t("span.days", days)
	}
	return l.t("backup.age.days_hours", days, hours)
}

// period writes a policy's interval: "7일", "1일".
func (l tr) period(d time.Duration) string { return locale.Span(l.lang(), int64(d/time.Minute)) }

// findingCell is a check's status as a word, with when it was last done
// where that says more ("지연 · 2025. 9. 19. 02:00").
func (l tr) findingCell(f backup.Finding, withDate bool) cell {
	c := l.backupStatus(f.Status)
	if withDate && !f.Last.IsZero() {
		c.Text += " · " + locale.DateTime(f.Last)
	}
	return c
}

// findingOf is the finding of one check.
func findingOf(st *backup.SystemStatus, check string) backup.Finding {
	for _, f := range st.Findings {
		if f.Check == check {
			return f
		}
	}
	return backup.Finding{Check: check, Status: backup.StatusMissing}
}

// lastRunCell is the last run's result as a word with its start, or "없음".
func (l tr) lastRunCell(st *backup.SystemStatus) cell {
	if st.Latest.LastRun.IsZero() {
		return l.backupStatus(backup.StatusMissing)
	}
	c := textCell(l.backupResult(st.Latest.LastResult) + " · " + locale.DateTime(st.Latest.LastRun))
	c.Class = "bk-ok"
	if st.Latest.LastResult != backup.ResultSuccess {
		c.Class = "bk-failed"
	}
	return c
}

// sortForAttention puts what needs attention first: systems not
// compliant, then those with more scenarios in breach, grade 1 first, then
// by agency and name. The verdicts are counted once per system, not at
// every comparison: at 10,000 systems that was a tenth of the page's time.
func sortForAttention(statuses []*backup.SystemStatus) {
	type keyed struct {
		st                  *backup.SystemStatus
		compliant, breaches int
		grade               int
	}
	keys := make([]keyed, len(statuses))
	for i, st := range statuses {
		k := keyed{st: st, breaches: st.Breaches(), grade: st.Grade}
		if st.Compliant() {
			k.compliant = 1
		}
		if k.grade < 1 {
			k.grade = 5
		}
		keys[i] = k
	}
	slices.SortFunc(keys, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(a.compliant, b.compliant), cmp.Compare(b.breaches, a.breaches), cmp.Compare(a.grade, b.grade),
			cmp.Compare(a.st.AgencyID, b.st.AgencyID), cmp.Compare(a.st.Name, b.st.Name), cmp.Compare(a.st.SystemID, b.st.SystemID))
	})
	for i, k := range keys {
		statuses[i] = k.st
	}
}

// judge judges the backups of the systems of inv (the caller's scope) at
// now. The systems' latest states are read once for all of them and kept
// until a report or a receipt changes one: Judge picks those of inv's
// systems, so the scope is inv's.
func (s *Server) judge(r *http.Request, inv *inventory.Inventory, now time.Time) ([]*backup.SystemStatus, error) {
	ctx := r.Context()
	version, err := s.backups.Version(ctx)
	if err != nil {
		return nil, err
	}
	latest, err := s.latests.load("", version, func() (map[int64]*backup.Latest, error) {
		return s.backups.Latests(ctx, access.All())
	})
	if err != nil {
		return nil, err
	}
	return backup.Judge(inv, latest, s.restoreTestEvery, now), nil
}

// reportedHome are the systems of inv whose reported backup runs left no
// copy outside their primary facility (backup.SystemStatus.NoCopyOutside).
func (s *Server) reportedHome(r *http.Request, inv *inventory.Inventory) (map[int64]bool, error) {
	statuses, err := s.judge(r, inv, time.Now())
	if err != nil {
		return nil, err
	}
	systems := make(map[int64]*inventory.System, len(inv.Systems))
	for _, sys := range inv.Systems {
		systems[sys.ID] = sys
	}
	home := map[int64]bool{}
	for _, st := range statuses {
		if st.NoCopyOutside(systems[st.SystemID]) {
			home[st.SystemID] = true
		}
	}
	return home, nil
}

// measureWhatIf is the data loss measured from backup runs of each system
// the what-if of losing loss stops (backup.WhatIf): measured beats
// declared there too.
func (s *Server) measureWhatIf(r *http.Request, x *index, loss scenario.Loss) (func(*inventory.System) *scenario.Measured, error) {
	now := time.Now()
	statuses, err := s.judge(r, x.inv, now)
	if err != nil {
		return nil, err
	}
	regions, err := s.regions(r)
	if err != nil {
		return nil, err
	}
	return backup.WhatIf(statuses, regions, loss, now), nil
}

// regions are every facility's region (backup.Regions), whatever the
// caller's scope: a region is no secret, and a copy's facility decides
// whether it survives a region's loss.
func (s *Server) regions(r *http.Request) (backup.Regions, error) {
	all, err := s.store.Facilities(r.Context(), access.All())
	if err != nil {
		return nil, err
	}
	return backup.RegionsOf(all), nil
}

// snapshot is the caller's inventory as index, kept per scope until the
// inventory changes: the backup pages judge every system in scope at each
// view, and reading 10,000 systems again each time was most of a view's
// time. Shared between requests: not to be changed.
func (s *Server) snapshot(r *http.Request) (*index, error) {
	ctx, scope := r.Context(), s.scope(r)
	version, err := s.store.Version(ctx)
	if err != nil {
		return nil, err
	}
	return s.snapshots.load(scope.String(), version, func() (*index, error) {
		inv, err := s.store.Load(ctx, scope)
		if err != nil {
			return nil, err
		}
		return newIndex(inv), nil
	})
}

// backupSummary is the page's headline: systems compliant and not, and the
// systems in breach in each scenario.
type backupSummary struct {
	Systems, Compliant, NotCompliant int
	Breaches                         []scenarioCount
}

type scenarioCount struct {
	Scenario, Label string
	Systems         int
}

// backupsData is the backup page, with the move or storage form as posted
// when it failed (Values, Errors; their fields' names differ) and the
// receipt form that failed (ReceiveID).
type backupsData struct {
	Agencies                      []filterOption
	AgencyID                      int64
	Summary                       backupSummary
	Compliance, Exposure, Storage *table
	Moves                         *table
	InTransit                     []moveView
	Facilities, Media             []option
	Values                        url.Values
	Errors                        map[string][]string
	ReceiveID                     int64
	Problem, Notice               string
}

// moveView is a move in transit with its receipt form.
type moveView struct {
	ID                     int64
	System, Label, Handled string
}

func (d *backupsData) Tables() []*table {
	return []*table{d.Compliance, d.Exposure, d.Storage, d.Moves}
}

// Val is a form's value of name as posted, or its default.
func (d *backupsData) Val(name string) string { return d.Values.Get(name) }

// Err are a form's problems of field name.
func (d *backupsData) Err(name string) []string { return d.Errors[name] }

// ReceiveErr are the problems of the receipt form of move id.
func (d *backupsData) ReceiveErr(id int64) []string {
	if id != d.ReceiveID {
		return nil
	}
	return d.Errors["received_by"]
}

func buildBackups(s *Server, r *http.Request, q url.Values) (tabled, error) {
	l := tr(lang(r))
	ctx, scope := r.Context(), s.scope(r)
	now := time.Now()
	x, err := s.snapshot(r)
	if err != nil {
		return nil, err
	}
	statuses, err := s.judge(r, x.inv, now)
	if err != nil {
		return nil, err
	}
	forecasts, err := s.backups.Forecasts(ctx, now)
	if err != nil {
		return nil, err
	}
	moves, err := s.backups.Moves(ctx, scope, now.AddDate(0, 0, -movesDays))
	if err != nil {
		return nil, err
	}
	d := &backupsData{}
	d.AgencyID, _ = strconv.ParseInt(q.Get("agency"), 10, 64)
	if scope.IsAll() {
		pairs := []string{"", l.t("filter.all")}
		for _, a := range x.inv.Agencies {
			pairs = append(pairs, idValue(a.ID), a.Name)
		}
		d.Agencies = filterOptions(idValue(d.AgencyID), pairs...)
	}
	shown := func(agency int64) bool { return d.AgencyID == 0 || agency == d.AgencyID }
	statuses = slices.DeleteFunc(statuses, func(st *backup.SystemStatus) bool { return !shown(st.AgencyID) })
	sortForAttention(statuses)
	query := keepQuery(q, "agency")

	d.Summary = summarize(l, statuses)
	all := exporting(r)
	d.Compliance = complianceTable(l, x, statuses, query, all)
	d.Exposure = exposureTable(l, x, statuses, query, all)
	d.Storage = storageTable(l, x, forecasts, d.AgencyID, query)
	moves = slices.DeleteFunc(moves, func(m *backup.Move) bool {
		sys := x.system[m.SystemID]
		return sys == nil || !shown(sys.AgencyID)
	})
	d.Moves = movesTable(l, x, moves, query)
	for _, m := range moves {
		if m.ReceivedAt.IsZero() {
			d.InTransit = append(d.InTransit, moveView{ID: m.ID, System: x.systemName(m.SystemID), Label: m.Label,
				Handled: l.t("backup.moves.handed", facilityName(x, m.FromFacilityID), facilityName(x, m.ToFacilityID), m.HandedBy,
					locale.DateTime(m.HandedAt))})
		}
	}
	d.Facilities = []option{{Value: "", Label: l.t("form.choose")}}
	for _, f := range x.inv.Facilities {
		d.Facilities = append(d.Facilities, option{Value: idValue(f.ID), Label: f.Name})
	}
	d.Media = []option{{Value: "", Label: l.t("form.choose")}}
	for _, m := range backup.Media {
		d.Media = append(d.Media, option{Value: m, Label: l.backupMedium(m)})
	}
	d.Values = url.Values{"handed_at": {dateTimeValue(now)}, "measured_at": {dateTimeValue(now)}}
	if done := q.Get("done"); done == "moved" || done == "received" || done == "storage" {
		d.Notice = l.t("backup.done." + done)
	}
	return d, nil
}

// facilityName names a facility the caller sees; one outside the scope
// (another agency's site a tape went to) by its number only.
func facilityName(x *index, id int64) string {
	if f := x.facility[id]; f != nil {
		return f.Name
	}
	return "#" + strconv.FormatInt(id, 10)
}

func summarize(l tr, statuses []*backup.SystemStatus) backupSummary {
	sum := backupSummary{Systems: len(statuses)}
	for _, kind := range backup.ExposureScenarios {
		sum.Breaches = append(sum.Breaches, scenarioCount{Scenario: kind, Label: l.backupScenario(kind)})
	}
	for _, st := range statuses {
		if st.Compliant() {
			sum.Compliant++
		} else {
			sum.NotCompliant++
		}
		for _, e := range st.Exposures {
			if i := slices.Index(backup.ExposureScenarios, e.Scenario); i >= 0 && e.Breach {
				sum.Breaches[i].Systems++
			}
		}
	}
	return sum
}

// complianceTable is each system's checks, each status a word; all rows
// with all (an export), else those the page shows.
func complianceTable(l tr, x *index, statuses []*backup.SystemStatus, query string, all bool) *table {
	t := &table{ID: "compliance", Caption: l.t("backup.compliance.caption", len(statuses)), Export: exportHref("backups", "compliance"),
		Query: query, PageRows: longListRows,
		Columns: []column{{Label: l.t("home.col.agency")}, {Label: l.t("system.name")}, {Label: l.t("system.grade")},
			{Label: l.backupCheck(backup.CheckFull)}, {Label: l.backupCheck(backup.CheckIncremental)},
			{Label: l.backupCheck(backup.CheckOffsite)}, {Label: l.backupCheck(backup.CheckRestoreTest)},
			{Label: l.backupCheck(backup.CheckLastRun)}}}
	for _, st := range statuses {
		t.add(all, func() []cell {
			return []cell{textCell(x.agencyName(st.AgencyID)), headCell(linkCell(st.Name, systemHref(st.SystemID))),
				textCell(l.grade(st.Grade)), nowrap(l.findingCell(findingOf(st, backup.CheckFull), true)),
				nowrap(l.findingCell(findingOf(st, backup.CheckIncremental), true)), l.findingCell(findingOf(st, backup.CheckOffsite), false),
				l.findingCell(findingOf(st, backup.CheckRestoreTest), false), nowrap(l.lastRunCell(st))}
		})
	}
	return t
}

// exposureCells are one exposure as the tables write it: the age of the
// newest copy that survives the scenario (무제한 when none does), the
// target, and the verdict.
func (l tr) exposureCells(e backup.Exposure) []cell {
	age := textCell(l.age(e.Age))
	if e.Unbounded {
		age = cell{Text: l.t("backup.exposure.unbounded"), Class: "bk-failed"}
	}
	verdict := cell{Text: l.t("backup.exposure.within"), Class: "bk-ok"}
	switch {
	case e.Target == nil:
		verdict = textCell(l.t("backup.exposure.no_target"))
	case e.Breach:
		verdict = cell{Text: l.t("backup.exposure.breach"), Class: "bk-failed"}
	}
	return []cell{age, textCell(l.span(e.Target)), verdict}
}

// exposureTable is each system's exposure in each scenario; all rows with
// all (an export), else those the page shows.
func exposureTable(l tr, x *index, statuses []*backup.SystemStatus, query string, all bool) *table {
	t := &table{ID: "exposure", Caption: l.t("backup.exposure.caption"), Export: exportHref("backups", "exposure"), Query: query,
		PageRows: longListRows,
		Columns: []column{{Label: l.t("home.col.agency")}, {Label: l.t("system.name")}, {Label: l.t("backup.col.scenario")},
			{Label: l.t("backup.col.age")}, {Label: l.t("backup.col.target")}, {Label: l.t("backup.col.verdict")}}}
	for _, st := range statuses {
		for _, e := range st.Exposures {
			t.add(all, func() []cell {
				row := []cell{textCell(x.agencyName(st.AgencyID)), headCell(linkCell(st.Name, systemHref(st.SystemID))),
					textCell(l.backupScenario(e.Scenario))}
				return append(row, l.exposureCells(e)...)
			})
		}
	}
	return t
}

// gigabytes is a number of bytes in GB (10^9, as storage is sold), to one
// decimal, as a number the spreadsheet keeps.
func gigabytes(b float64) cell {
	v := math.Round(b/1e8) / 10
	sign, abs := "", v
	if v < 0 {
		sign, abs = "-", -v
	}
	whole, tenths, _ := strings.Cut(strconv.FormatFloat(abs, 'f', 1, 64), ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	return cell{Text: sign + thousands(n) + "." + tenths, Num: true, Value: v, Decimals: 1}
}

// storageTable is the backup storage of each facility the caller sees (of
// the chosen agency's systems, when one is chosen): capacity, use, growth
// per day and the day it fills at that pace.
func storageTable(l tr, x *index, forecasts map[int64]backup.Forecast, agencyID int64, query string) *table {
	t := &table{ID: "storage", Caption: l.t("backup.storage.caption"), Export: exportHref("backups", "storage"), Query: query,
		Columns: []column{{Label: l.t("home.col.facility")}, {Label: l.t("backup.col.capacity"), Num: true},
			{Label: l.t("backup.col.used"), Num: true}, {Label: l.t("backup.col.used_share"), Num: true},
			{Label: l.t("backup.col.growth"), Num: true}, {Label: l.t("backup.col.full_on")}, {Label: l.t("backup.col.measured")}}}
	for _, f := range x.inv.Facilities {
		if agencyID != 0 && !slices.Contains(x.agenciesAt(f.ID), agencyID) {
			continue
		}
		fc, ok := forecasts[f.ID]
		name := headCell(linkCell(f.Name, facilityHref(f.ID)))
		if !ok {
			t.Rows = append(t.Rows, []cell{name, textCell(""), textCell(""), textCell(""), textCell(""),
				textCell(l.t("backup.storage.no_samples")), textCell("")})
			continue
		}
		share := cell{Text: "", Num: true}
		if fc.Latest.CapacityBytes > 0 {
			v := math.Round(float64(fc.Latest.UsedBytes)*1000/float64(fc.Latest.CapacityBytes)) / 10
			share = cell{Text: strconv.FormatFloat(v, 'f', 1, 64), Num: true, Value: v, Decimals: 1}
		}
		full := cell{Text: l.t("backup.storage.room"), Class: "bk-ok"}
		switch {
		case fc.AlreadyFull:
			full = cell{Text: l.t("backup.storage.full"), Class: "bk-failed"}
		case !fc.FullOn.IsZero():
			full = cell{Text: locale.Date(fc.FullOn), Class: "bk-late"}
		}
		t.Rows = append(t.Rows, []cell{name, gigabytes(float64(fc.Latest.CapacityBytes)), gigabytes(float64(fc.Latest.UsedBytes)), share,
			gigabytes(fc.GrowthPerDay), full, nowrap(textCell(locale.DateTime(fc.Latest.At)))})
	}
	return t
}

// movesTable is the offsite moves, latest first, each received or still
// on its way.
func movesTable(l tr, x *index, moves []*backup.Move, query string) *table {
	t := &table{ID: "moves", Caption: l.t("backup.moves.caption", movesDays), Export: exportHref("backups", "moves"), Query: query,
		Columns: []column{{Label: "#"}, {Label: l.t("home.col.agency")}, {Label: l.t("system.name")}, {Label: l.t("backup.col.run")},
			{Label: l.t("backup.col.medium")}, {Label: l.t("backup.col.label")}, {Label: l.t("backup.col.route")},
			{Label: l.t("backup.col.handed")}, {Label: l.t("backup.col.received")}}}
	for _, m := range moves {
		sys := x.system[m.SystemID]
		received := cell{Text: l.t("backup.moves.in_transit"), Class: "bk-late"}
		if !m.ReceivedAt.IsZero() {
			received = textCell(m.ReceivedBy + " · " + locale.DateTime(m.ReceivedAt))
		}
		t.Rows = append(t.Rows, []cell{headCell(textCell("#" + strconv.FormatInt(m.ID, 10))), textCell(x.agencyName(sys.AgencyID)),
			linkCell(sys.Name, systemHref(sys.ID)), textCell("#" + strconv.FormatInt(m.RunID, 10)), textCell(l.backupMedium(m.Medium)),
			textCell(m.Label), textCell(facilityName(x, m.FromFacilityID) + " → " + facilityName(x, m.ToFacilityID)),
			textCell(m.HandedBy + " · " + locale.DateTime(m.HandedAt)), received})
	}
	return t
}

// Forms.

// recordOffsiteMove records an offsite move of a run of the caller's
// scope: handed over now or earlier (KST), received later with its
// button. Every problem is shown next to its field; nothing is recorded
// when there is one.
func (s *Server) recordOffsiteMove(w http.ResponseWriter, r *http.Request) {
	values, err := readForm(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	f := &formReader{v: values}
	m := &backup.Move{RunID: f.id("run_id"), Medium: f.text("medium"), Label: f.text("label"),
		FromFacilityID: f.id("from_facility_id"), ToFacilityID: f.id("to_facility_id"), HandedBy: f.text("handed_by")}
	m.HandedAt = readDateTime(f, "handed_at")
	// The store checks the move too, but stops at the first problem; the
	// form shows them all at once.
	problems := f.alongside(m.Validate(time.Now()), nil)
	if len(problems) == 0 {
		err := s.backups.RecordMove(r.Context(), s.scope(r), m)
		if err == nil {
			http.Redirect(w, r, "/backups?done=moved#moves", http.StatusSeeOther)
			return
		}
		e, ok := apperror.As(err)
		if !ok || e.Code == apperror.Internal {
			s.renderError(w, r, err)
			return
		}
		if e.Code == apperror.NotFound {
			// The run is a number typed in: one not found (or another
			// agency's) is a problem of that field, not a missing page.
			e = apperror.New(apperror.Invalid, "run_id", e.Key, e.Args...)
		}
		problems = append(problems, e)
	}
	s.backupsAgain(w, r, values, 0, problems)
}

// recordBackupStorage records a facility's backup storage as measured,
// in GB as the storage table shows it. Facilities are shared by agencies,
// so the rule lets only the ministry's writers here.
func (s *Server) recordBackupStorage(w http.ResponseWriter, r *http.Request) {
	values, err := readForm(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	f := &formReader{v: values}
	facility := f.id("storage_facility_id")
	sample := backup.StorageSample{At: readDateTime(f, "measured_at"), CapacityBytes: f.gigabytes("capacity_gb"), UsedBytes: f.gigabytes("used_gb")}
	if f.text("storage_facility_id") == "" {
		f.fail("storage_facility_id", "invalid.required")
	}
	problems := f.alongside(sample.Validate(time.Now()),
		map[string]string{"at": "measured_at", "capacity_bytes": "capacity_gb", "used_bytes": "used_gb"})
	if len(problems) == 0 {
		err := s.backups.RecordStorage(r.Context(), s.scope(r), facility, sample)
		if err == nil {
			http.Redirect(w, r, "/backups?done=storage#storage", http.StatusSeeOther)
			return
		}
		e, ok := apperror.As(err)
		if !ok || e.Code == apperror.Internal {
			s.renderError(w, r, err)
			return
		}
		if e.Field == "facility_id" {
			e.Field = "storage_facility_id"
		}
		problems = append(problems, e)
	}
	s.backupsAgain(w, r, values, 0, problems)
}

// receiveOffsiteMove records that a move in transit arrived now, received
// by the person the form names. The store looks the move up in the
// caller's scope before it reads the receiver, so another agency's move
// is not found even when the form cannot be read; an empty receiver
// changes nothing.
func (s *Server) receiveOffsiteMove(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, apperror.New(apperror.NotFound, "", "not_found.offsite_move"))
		return
	}
	values, formErr := readForm(r)
	by := ""
	if formErr == nil {
		by = strings.TrimSpace(values.Get("received_by"))
	}
	_, err = s.backups.ReceiveMove(r.Context(), s.scope(r), id, by, time.Now())
	e, ok := apperror.As(err)
	switch {
	case err == nil:
		http.Redirect(w, r, "/backups?done=received#moves", http.StatusSeeOther)
	case !ok || e.Code == apperror.Internal || e.Code == apperror.NotFound:
		s.renderError(w, r, err)
	case formErr != nil:
		s.renderError(w, r, formErr)
	default:
		if e.Field != "received_by" {
			e = apperror.New(e.Code, "received_by", e.Key, e.Args...)
		}
		s.backupsAgain(w, r, url.Values{}, id, []*apperror.Error{e})
	}
}

// backupsAgain shows the page again with the form that failed: the move
// form as posted (receiveID 0) or the receipt of move receiveID.
func (s *Server) backupsAgain(w http.ResponseWriter, r *http.Request, values url.Values, receiveID int64, problems []*apperror.Error) {
	data, err := buildBackups(s, r, url.Values{})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	l := tr(lang(r))
	d := data.(*backupsData)
	if receiveID == 0 {
		// The form that failed as posted; the other keeps its defaults.
		for name, v := range values {
			d.Values[name] = v
		}
	}
	d.ReceiveID, d.Errors = receiveID, map[string][]string{}
	for _, p := range problems {
		d.Errors[p.Field] = append(d.Errors[p.Field], p.Message(l.lang()))
	}
	d.Problem = l.t("form.problems", len(problems))
	if receiveID != 0 && !slices.ContainsFunc(d.InTransit, func(m moveView) bool { return m.ID == receiveID }) {
		// Received meanwhile: its form is gone from the page, so the
		// reason stands at the top.
		d.Problem = problems[0].Message(l.lang())
	}
	shown := r.Clone(r.Context())
	shown.URL.RawQuery = ""
	s.render(w, shown, statusOf(problems[0].Code), "backups", "backup.title", d)
}

// The agency's page and the system's page.

// agencyBackups lists an agency's systems whose backups need attention:
// a check not passed, or a scenario's exposure beyond its target.
func (s *Server) agencyBackups(r *http.Request, x *index, agencyID int64, query string) (*table, error) {
	l := tr(lang(r))
	statuses, err := s.judge(r, x.inv, time.Now())
	if err != nil {
		return nil, err
	}
	statuses = slices.DeleteFunc(statuses, func(st *backup.SystemStatus) bool {
		return st.AgencyID != agencyID || (st.Compliant() && st.Breaches() == 0)
	})
	sortForAttention(statuses)
	t := &table{ID: "backups", Caption: l.t("backup.agency.caption", len(statuses)), Export: exportHref("agency", "backups"), Query: query,
		Columns: []column{{Label: l.t("system.name")}, {Label: l.t("system.grade")}, {Label: l.t("backup.col.problems")},
			{Label: l.t("backup.col.breaches")}}}
	for _, st := range statuses {
		var problems, breaches []string
		for _, f := range st.Findings {
			if !f.OK() {
				problems = append(problems, l.backupCheck(f.Check)+" "+l.t("backup.status."+f.Status))
			}
		}
		for _, e := range st.Exposures {
			if e.Breach {
				breaches = append(breaches, l.backupScenario(e.Scenario))
			}
		}
		t.Rows = append(t.Rows, []cell{headCell(linkCell(st.Name, systemHref(st.SystemID))), textCell(l.grade(st.Grade)),
			{Text: strings.Join(problems, ", "), Class: "bk-failed"}, {Text: strings.Join(breaches, ", "), Class: "bk-failed"}})
	}
	return t, nil
}

// systemBackup is a system's backups as its page shows them: the policy,
// each check, each scenario's exposure and the latest runs.
type systemBackup struct {
	Policy                    []labelled
	Findings, Exposures, Runs *table
}

func (b *systemBackup) tables() []*table {
	if b == nil {
		return nil
	}
	return []*table{b.Findings, b.Exposures, b.Runs}
}

// systemBackup is the backup part of a system's page, from st, its
// backups judged.
func (s *Server) systemBackup(r *http.Request, x *index, st *backup.SystemStatus, query string) (*systemBackup, error) {
	l := tr(lang(r))
	runs, err := s.backups.Runs(r.Context(), s.scope(r), st.SystemID, time.Time{})
	if err != nil {
		return nil, err
	}
	export := func(t string) string { return exportHref("system", t) }
	b := &systemBackup{Policy: []labelled{
		{l.t("backup.policy.full"), l.period(st.Policy.FullEvery)},
		{l.t("backup.policy.incremental"), l.period(st.Policy.IncrEvery)},
		{l.t("backup.policy.offsite"), l.period(st.Policy.OffsiteEvery)},
		{l.t("backup.policy.restore_test"), l.period(st.Policy.RestoreTestEvery)},
	}}
	b.Findings = &table{ID: "backup-checks", Caption: l.t("backup.system.checks_caption"), Export: export("backup-checks"), Query: query,
		Columns: []column{{Label: l.t("backup.col.check")}, {Label: l.t("backup.col.status")}, {Label: l.t("backup.col.last")},
			{Label: l.t("backup.col.due")}}}
	for _, f := range st.Findings {
		b.Findings.Rows = append(b.Findings.Rows, []cell{headCell(textCell(l.backupCheck(f.Check))), l.backupStatus(f.Status),
			nowrap(textCell(locale.DateTime(f.Last))), nowrap(textCell(locale.DateTime(f.Due)))})
	}
	b.Exposures = &table{ID: "backup-exposure", Caption: l.t("backup.exposure.caption"), Export: export("backup-exposure"), Query: query,
		Columns: []column{{Label: l.t("backup.col.scenario")}, {Label: l.t("backup.col.age")}, {Label: l.t("backup.col.target")},
			{Label: l.t("backup.col.verdict")}}}
	for _, e := range st.Exposures {
		b.Exposures.Rows = append(b.Exposures.Rows, append([]cell{headCell(textCell(l.backupScenario(e.Scenario)))}, l.exposureCells(e)...))
	}
	b.Runs = &table{ID: "backup-runs", Caption: l.t("backup.system.runs_caption", recentRuns), Export: export("backup-runs"), Query: query,
		Columns: []column{{Label: "#"}, {Label: l.t("backup.col.kind")}, {Label: l.t("backup.col.started")}, {Label: l.t("backup.col.result")},
			{Label: l.t("backup.col.size"), Num: true}, {Label: l.t("backup.col.copy")}}}
	for _, run := range runs[:min(len(runs), recentRuns)] {
		size := cell{Num: true}
		if run.SizeBytes != nil {
			size = gigabytes(float64(*run.SizeBytes))
		}
		result := cell{Text: l.backupResult(run.Result), Class: "bk-ok"}
		if run.Result != backup.ResultSuccess {
			result.Class = "bk-failed"
		}
		b.Runs.Rows = append(b.Runs.Rows, []cell{headCell(textCell("#" + strconv.FormatInt(run.ID, 10))), textCell(l.backupKind(run.Kind)),
			nowrap(textCell(locale.DateTime(run.StartedAt))), result, size,
			textCell(facilityName(x, run.Copy.FacilityID) + " · " + l.backupMedium(run.Copy.Medium))})
	}
	return b, nil
}
