package transfer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/korean"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/testdb"
	"yeonsok/internal/transfer"
)

func minutes(m inventory.Minutes) *inventory.Minutes { return &m }
func float(f float64) *float64                       { return &f }
func count(n int64) *int64                           { return &n }

// fixture is three agencies (a ministry and two bodies under it), a private
// facility they share, systems with endpoints, redundancy, durations and
// awkward text, a service across two agencies and two dependencies.
type fixture struct {
	store                      *inventory.Store
	ministry, comwel, keis     *inventory.Agency
	nhn, keisDC, nirs          *inventory.Facility
	work24, insurance, worknet *inventory.System
	slashed                    *inventory.System
	benefits                   *inventory.Service
}

func newFixture(t testing.TB, db *database.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{store: inventory.NewStore(db)}
	err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		f.ministry = &inventory.Agency{Name: "고용노동부", ShortName: "노동부", Contact: "044-202-7114"}
		if err := tx.CreateAgency(ctx, f.ministry); err != nil {
			return err
		}
		f.comwel = &inventory.Agency{Name: "근로복지공단", ShortName: "근복", ParentID: &f.ministry.ID, Contact: "+82-52-704-7114"}
		if err := tx.CreateAgency(ctx, f.comwel); err != nil {
			return err
		}
		f.keis = &inventory.Agency{Name: "한국고용정보원", ShortName: "고용정보원", ParentID: &f.ministry.ID, Sample: true}
		if err := tx.CreateAgency(ctx, f.keis); err != nil {
			return err
		}
		f.nhn = &inventory.Facility{Name: "NHN", Operator: inventory.OperatorPrivate, OperatorName: "NHN Cloud", Region: "경기",
			Conditions: map[string]string{"ups": "yes", "ups_in_server_room": "none", "windowless": "yes"},
			Findings:   "UPS 배터리실 분리\r\n발전기 2대", Surveyed: true}
		if err := tx.CreateFacility(ctx, f.nhn); err != nil {
			return err
		}
		f.keisDC = &inventory.Facility{Name: "고용정보원 데이터센터", Operator: inventory.OperatorSelf,
			Conditions: map[string]string{"ups_in_server_room": "yes"}}
		if err := tx.CreateFacility(ctx, f.keisDC); err != nil {
			return err
		}
		f.nirs = &inventory.Facility{Name: "국가정보자원관리원 대전센터", Operator: inventory.OperatorNIRS, Address: "대전광역시 유성구"}
		if err := tx.CreateFacility(ctx, f.nirs); err != nil {
			return err
		}
		f.work24 = &inventory.System{AgencyID: f.ministry.ID, Name: "고용24", Grade: 1, ScoreImpact: float(35.5), ScoreUsers: float(50), Users: count(1234567),
			Description: "고용서비스 통합 포털\r\n(워크넷·고용보험 통합)", CriticalFunctions: "실업급여 신청\n구직 등록",
			PrimaryFacilityID: &f.nhn.ID, DRFacilityID: &f.nirs.ID, DRPerformance: inventory.DRPartial, DRNote: "일부 기능만",
			Redundancy:      map[string]string{"power": "yes", "network": "yes", "db": "yes", "web": "none"},
			BackupFullEvery: minutes(10080), BackupIncrEvery: minutes(1440), OffsiteMethod: "tape_staff", OffsiteEvery: minutes(10080),
			RTODisaster: minutes(120), RPODisaster: minutes(30), RTOFailure: minutes(90), RPOFailure: minutes(0),
			Manual: "yes", ManualFallback: "수기 접수 후 사후 입력", OwnerPrimary: "김정", OwnerSecondary: "이부", Vendor: "=주식회사 예시",
			Endpoints: []inventory.Endpoint{{Target: "https://www.work24.go.kr/"}, {Target: "tcp://10.0.0.1:443"}}, Surveyed: true}
		if err := tx.CreateSystem(ctx, f.work24); err != nil {
			return err
		}
		f.insurance = &inventory.System{AgencyID: f.comwel.ID, Name: "노동보험시스템", Grade: 2, PrimaryFacilityID: &f.keisDC.ID,
			DRFacilityID: &f.nhn.ID, RTODisaster: minutes(1440), Endpoints: []inventory.Endpoint{{Target: "dns://www.comwel.or.kr"}}}
		if err := tx.CreateSystem(ctx, f.insurance); err != nil {
			return err
		}
		f.worknet = &inventory.System{AgencyID: f.keis.ID, Name: "워크넷", PrimaryFacilityID: &f.keisDC.ID, Sample: true}
		if err := tx.CreateSystem(ctx, f.worknet); err != nil {
			return err
		}
		f.slashed = &inventory.System{AgencyID: f.keis.ID, Name: "HRD-Net/직업훈련포털", Grade: 3, PrimaryFacilityID: &f.nhn.ID}
		if err := tx.CreateSystem(ctx, f.slashed); err != nil {
			return err
		}
		f.benefits = &inventory.Service{AgencyID: f.ministry.ID, Name: "실업급여 신청", Audience: "public", MTPD: minutes(240), RTO: minutes(120),
			ManualWorkaround: "수기 접수", SystemIDs: []int64{f.work24.ID, f.insurance.ID, f.slashed.ID}}
		if err := tx.CreateService(ctx, f.benefits); err != nil {
			return err
		}
		if err := tx.CreateDependency(ctx, &inventory.Dependency{FromSystemID: f.work24.ID, ToSystemID: f.insurance.ID, Kind: "database", Note: "보험 자격 조회"}); err != nil {
			return err
		}
		return tx.CreateDependency(ctx, &inventory.Dependency{FromSystemID: f.worknet.ID, ToSystemID: f.work24.ID, Kind: "auth"})
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

func (f *fixture) load(t testing.TB) *inventory.Inventory {
	t.Helper()
	inv, err := f.store.Load(context.Background(), access.All())
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func (f *fixture) exportXLSX(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := transfer.WriteXLSX(&buf, f.load(t)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (f *fixture) exportCSV(t testing.TB, sheet string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := transfer.WriteCSV(&buf, f.load(t), sheet); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (f *fixture) importFile(t testing.TB, name string, data []byte, opt transfer.Options) (*transfer.Plan, error) {
	t.Helper()
	return transfer.Import(context.Background(), f.store, access.All(), name, data, opt)
}

// unchanged fails when the inventory differs from before.
func unchanged(t *testing.T, before, after *inventory.Inventory) {
	t.Helper()
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the database changed")
	}
}

func problemsOf(t *testing.T, err error) []transfer.Problem {
	t.Helper()
	var pe *transfer.ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("want a *ProblemsError, got %v", err)
	}
	if apperror.CodeOf(err) != apperror.Invalid {
		t.Errorf("rejection code %q, want invalid", apperror.CodeOf(err))
	}
	return pe.Problems
}

func TestExportImportXLSXChangesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		before := f.load(t)
		data := f.exportXLSX(t)
		for _, dry := range []bool{true, false} {
			plan, err := f.importFile(t, "inventory.xlsx", data, transfer.Options{DryRun: dry})
			if err != nil {
				t.Fatalf("dry=%v: %v", dry, err)
			}
			if plan.Total() != 0 {
				t.Fatalf("dry=%v: round trip plans changes:\n%s", dry, plan.Summary(locale.English))
			}
			if !slices.Equal(plan.Sheets, transfer.Sheets) || plan.Applied == dry {
				t.Fatalf("dry=%v: plan %+v", dry, plan)
			}
			for _, s := range transfer.Sheets {
				if c := plan.Counts[s]; c == nil || c["add"]+c["change"]+c["remove"] != 0 {
					t.Errorf("counts of %s: %v", s, c)
				}
			}
			unchanged(t, before, f.load(t))
		}
		// The workbook holds what a person expects to read.
		wb, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if got := wb.GetSheetList(); !slices.Equal(got, transfer.Sheets) {
			t.Fatalf("sheets %v", got)
		}
		rows, _ := wb.GetRows("systems")
		if len(rows) != 5 || rows[0][0] != "기관" || rows[0][1] != "시스템명" || !slices.Contains(rows[0], "재해 시 RTO") {
			t.Fatalf("systems sheet header %v (%d rows)", rows[0], len(rows))
		}
		work24 := rows[1]
		if !slices.Contains(work24, "2h") || !slices.Contains(work24, "7d") || !slices.Contains(work24, "https://www.work24.go.kr/\ntcp://10.0.0.1:443") {
			t.Errorf("durations or endpoints not as text: %q", work24)
		}
		services, _ := wb.GetRows("services")
		if !slices.Contains(services[1], "고용노동부/고용24\n근로복지공단/노동보험시스템\n한국고용정보원/HRD-Net/직업훈련포털") {
			t.Errorf("supporting systems cell: %q", services[1])
		}
		if panes, _ := wb.GetPanes("systems"); !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("header row not frozen: %+v", panes)
		}
	})
}

func TestExportImportCSVChangesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		before := f.load(t)
		var files []transfer.File
		for _, sheet := range transfer.Sheets {
			data := f.exportCSV(t, sheet)
			if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) || !bytes.Contains(data, []byte("\r\n")) {
				t.Fatalf("%s: CSV lacks BOM or CRLF", sheet)
			}
			plan, err := f.importFile(t, transfer.CSVFileName(sheet), data, transfer.Options{})
			if err != nil {
				t.Fatalf("%s: %v", sheet, err)
			}
			if plan.Total() != 0 || !slices.Equal(plan.Sheets, []string{sheet}) {
				t.Fatalf("%s: round trip plans changes:\n%s", sheet, plan.Summary(locale.English))
			}
			files = append(files, transfer.File{Name: "/tmp/export/" + transfer.CSVFileName(sheet), Data: data})
		}
		// The formula guard is in the file and comes off again.
		if systems := f.exportCSV(t, "systems"); !bytes.Contains(systems, []byte(",'=주식회사 예시,")) {
			t.Errorf("vendor not guarded against formulas:\n%s", systems)
		}
		plan, err := transfer.ImportFiles(context.Background(), f.store, access.All(), files, transfer.Options{})
		if err != nil || plan.Total() != 0 || len(plan.Sheets) != 5 {
			t.Fatalf("all CSV files at once: %v %+v", err, plan)
		}
		unchanged(t, before, f.load(t))
	})
}

// columnOf finds a header in row 1 of a sheet and returns its letter.
func columnOf(t *testing.T, wb *excelize.File, sheet, header string) string {
	t.Helper()
	rows, err := wb.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.Index(rows[0], header)
	if i < 0 {
		t.Fatalf("no column %q in %s: %v", header, sheet, rows[0])
	}
	name, _ := excelize.ColumnNumberToName(i + 1)
	return name
}

func rowOf(t *testing.T, wb *excelize.File, sheet string, cells ...string) int {
	t.Helper()
	rows, _ := wb.GetRows(sheet)
	for i, r := range rows {
		if len(r) >= len(cells) && slices.Equal(r[:len(cells)], cells) {
			return i + 1
		}
	}
	t.Fatalf("no row %v in %s", cells, sheet)
	return 0
}

func saveWorkbook(t *testing.T, wb *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := wb.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestModifiedWorkbookPreviewsAndApplies(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		wb, err := excelize.OpenReader(bytes.NewReader(f.exportXLSX(t)))
		if err != nil {
			t.Fatal(err)
		}
		// Edit a cell: 워크넷 gets grade 2 and an RTO typed the Korean way.
		row := rowOf(t, wb, "systems", "한국고용정보원", "워크넷")
		wb.SetCellValue("systems", columnOf(t, wb, "systems", "등급")+itoa(row), 2)
		wb.SetCellValue("systems", columnOf(t, wb, "systems", "재해 시 RTO")+itoa(row), "4시간")
		// Add a row: a new system of 근로복지공단 in NHN.
		rows, _ := wb.GetRows("systems")
		next := itoa(len(rows) + 1)
		wb.SetCellValue("systems", "A"+next, "근로복지공단")
		wb.SetCellValue("systems", "B"+next, "산재보험시스템")
		wb.SetCellValue("systems", columnOf(t, wb, "systems", "등급")+next, "1등급")
		wb.SetCellValue("systems", columnOf(t, wb, "systems", "주 시설")+next, "NHN")
		wb.SetCellValue("systems", columnOf(t, wb, "systems", "점검 주소")+next, "https://total.comwel.or.kr/\ntls://total.comwel.or.kr:443")
		// Delete a row: 워크넷 no longer depends on 고용24.
		if err := wb.RemoveRow("dependencies", rowOf(t, wb, "dependencies", "한국고용정보원", "워크넷")); err != nil {
			t.Fatal(err)
		}
		data := saveWorkbook(t, wb)

		before := f.load(t)
		plan, err := f.importFile(t, "edited.xlsx", data, transfer.Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		want := []transfer.Change{
			{Sheet: "systems", Action: "change", Key: "한국고용정보원/워크넷", Row: row, Fields: []string{"grade", "rto_disaster"},
				Diff: []transfer.FieldDiff{{Field: "grade", Before: "", After: "2"}, {Field: "rto_disaster", Before: "", After: "4h"}}},
			{Sheet: "systems", Action: "add", Key: "근로복지공단/산재보험시스템", Row: len(rows) + 1},
			{Sheet: "dependencies", Action: "remove", Key: "한국고용정보원/워크넷 → 고용노동부/고용24"},
		}
		slices.SortFunc(plan.Changes, func(a, b transfer.Change) int { return strings.Compare(a.Sheet+a.Action, b.Sheet+b.Action) })
		slices.SortFunc(want, func(a, b transfer.Change) int { return strings.Compare(a.Sheet+a.Action, b.Sheet+b.Action) })
		if !reflect.DeepEqual(plan.Changes, want) {
			t.Fatalf("plan\n%+v\nwant\n%+v", plan.Changes, want)
		}
		if plan.Applied || plan.Counts["systems"]["add"] != 1 || plan.Counts["systems"]["change"] != 1 || plan.Counts["dependencies"]["remove"] != 1 {
			t.Fatalf("counts %v applied %v", plan.Counts, plan.Applied)
		}
		unchanged(t, before, f.load(t))

		// Confirming the preview: the digest must still match. Someone
		// changing a system in between makes it another plan.
		digest := plan.Digest
		ctx := context.Background()
		err = f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			s := *f.worknet
			s.Grade = 2
			return tx.UpdateSystem(ctx, &s)
		})
		if err != nil {
			t.Fatal(err)
		}
		before = f.load(t)
		_, err = f.importFile(t, "edited.xlsx", data, transfer.Options{ExpectDigest: digest})
		if p := problemsOf(t, err); len(p) != 1 || p[0].Key != "transfer.plan_changed" {
			t.Fatalf("stale digest: %+v", p)
		}
		unchanged(t, before, f.load(t))
		preview, err := f.importFile(t, "edited.xlsx", data, transfer.Options{DryRun: true})
		if err != nil || preview.Digest == digest || !slices.Equal(preview.Changes[0].Fields, []string{"rto_disaster"}) {
			t.Fatalf("second preview: %v %+v", err, preview)
		}

		plan, err = f.importFile(t, "edited.xlsx", data, transfer.Options{ExpectDigest: preview.Digest})
		if err != nil || !plan.Applied || plan.Total() != 3 || plan.Digest != preview.Digest {
			t.Fatalf("apply: %v %+v", err, plan)
		}
		after := f.load(t)
		var worknet, added *inventory.System
		for _, s := range after.Systems {
			switch s.Name {
			case "워크넷":
				worknet = s
			case "산재보험시스템":
				added = s
			}
		}
		if worknet.Grade != 2 || *worknet.RTODisaster != 240 || worknet.PrimaryFacilityID == nil || *worknet.PrimaryFacilityID != f.keisDC.ID {
			t.Errorf("changed system %+v", worknet)
		}
		if added == nil || added.AgencyID != f.comwel.ID || added.Grade != 1 || *added.PrimaryFacilityID != f.nhn.ID ||
			len(added.Endpoints) != 2 || added.Endpoints[1].Kind != "tls" {
			t.Errorf("added system %+v", added)
		}
		if len(after.Dependencies) != 1 || len(after.Systems) != 5 {
			t.Errorf("after apply: %d dependencies, %d systems", len(after.Dependencies), len(after.Systems))
		}
		// Applying the same file again changes nothing.
		if plan, err := f.importFile(t, "edited.xlsx", data, transfer.Options{}); err != nil || plan.Total() != 0 {
			t.Fatalf("second apply: %v\n%s", err, plan.Summary(locale.Korean))
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// A preview's digest covers values, not only which fields change: when a
// colleague edits the very field (or a record the file removes) after the
// preview, applying the old preview is refused and their edit stays.
func TestStaleDigestRefusedWhenAValueChanged(t *testing.T) {
	scenarios := []struct {
		name string
		// edit changes the exported workbook; colleague changes the
		// database after the preview, so that the plan names the same
		// changes with other values.
		edit      func(t *testing.T, f *fixture, wb *excelize.File)
		colleague func(f *fixture, tx *inventory.Tx) error
	}{
		{
			"the changed field gets another value",
			func(t *testing.T, f *fixture, wb *excelize.File) {
				row := rowOf(t, wb, "systems", "고용노동부", "고용24")
				wb.SetCellValue("systems", columnOf(t, wb, "systems", "재해 시 RTO")+itoa(row), "4h") // 2h → 4h
			},
			func(f *fixture, tx *inventory.Tx) error {
				s := *f.work24
				s.RTODisaster = minutes(180) // 2h → 3h
				return tx.UpdateSystem(context.Background(), &s)
			},
		},
		{
			"the removed record is edited",
			func(t *testing.T, f *fixture, wb *excelize.File) {
				if err := wb.RemoveRow("dependencies", rowOf(t, wb, "dependencies", "고용노동부", "고용24")); err != nil {
					t.Fatal(err)
				}
			},
			func(f *fixture, tx *inventory.Tx) error {
				ctx := context.Background()
				inv, err := tx.Load(ctx)
				if err != nil {
					return err
				}
				for _, d := range inv.Dependencies {
					if d.FromSystemID == f.work24.ID {
						d.Note = "보험 자격 조회 (2026년 개편)"
						return tx.UpdateDependency(ctx, d)
					}
				}
				return errors.New("no dependency of 고용24")
			},
		},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *database.DB) {
				f := newFixture(t, db)
				ctx := context.Background()
				wb, err := excelize.OpenReader(bytes.NewReader(f.exportXLSX(t)))
				if err != nil {
					t.Fatal(err)
				}
				s.edit(t, f, wb)
				data := saveWorkbook(t, wb)
				preview, err := f.importFile(t, "edited.xlsx", data, transfer.Options{DryRun: true})
				if err != nil || preview.Total() != 1 {
					t.Fatalf("preview: %v %+v", err, preview)
				}
				if err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error { return s.colleague(f, tx) }); err != nil {
					t.Fatal(err)
				}
				before := f.load(t)
				_, err = f.importFile(t, "edited.xlsx", data, transfer.Options{ExpectDigest: preview.Digest})
				if p := problemsOf(t, err); len(p) != 1 || p[0].Key != "transfer.plan_changed" {
					t.Fatalf("apply of a stale preview: %+v", p)
				}
				unchanged(t, before, f.load(t))

				// The same changes, with the colleague's values: a new
				// preview shows them and has another digest.
				again, err := f.importFile(t, "edited.xlsx", data, transfer.Options{DryRun: true})
				if err != nil || again.Total() != 1 || again.Changes[0].Key != preview.Changes[0].Key || again.Digest == preview.Digest {
					t.Fatalf("second preview: %v %+v", err, again)
				}
			})
		})
	}
}

// A file with several bad rows is refused with every problem at its place,
// and nothing is written.
func TestBadRowsRejectTheWholeFile(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		wb := excelize.NewFile()
		wb.SetSheetName("Sheet1", "시스템")
		header := []any{"기관", "시스템명", "등급", "rto_disaster", "주 시설", "점검 주소", "비고란", "Users"}
		wb.SetSheetRow("시스템", "A1", &header)
		rows := [][]any{
			{"고용노동부", "고용24", 1, "2h", "NHN", "https://www.work24.go.kr/", "", 100}, // row 2: fine (a number where text is fine)
			{"노동청", "체불임금시스템", 2, "", "", "", "", ""},                               // row 3: unknown agency
			{"근로복지공단", "노동보험시스템", 7, "", "", "", "", ""},                            // row 4: grade 7
			{"근로복지공단", "노동보험시스템", 2, "", "", "", "", ""},                            // row 5: duplicate of row 4
			{"한국고용정보원", "워크넷", "", "two hours", "없는센터", "ftp://x", "", "많음"},        // row 6: RTO, facility, endpoint, users
			{2024, 2025, "", "", "", "", "", ""},                                    // row 7: numbers as names: agency unknown
		}
		for i, r := range rows {
			wb.SetSheetRow("시스템", "A"+itoa(i+2), &r)
		}
		before := f.load(t)
		_, err := f.importFile(t, "bad.xlsx", saveWorkbook(t, wb), transfer.Options{})
		problems := problemsOf(t, err)
		type place struct {
			row    int
			column string
			key    string
		}
		var got []place
		for _, p := range problems {
			if p.Sheet != "systems" {
				t.Errorf("problem on sheet %q: %+v", p.Sheet, p)
			}
			got = append(got, place{p.Row, p.Column, p.Key})
		}
		want := []place{
			{1, "G", "transfer.unknown_column"},
			{3, "A", "invalid.unknown_agency"},
			{4, "C", "invalid.grade"},
			{5, "B", "transfer.duplicate_row"},
			{6, "D", "transfer.not_duration"},
			{6, "E", "invalid.unknown_facility"},
			{6, "F", "invalid.endpoint"},
			{6, "H", "transfer.not_integer"},
			{7, "A", "invalid.unknown_agency"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("problems\n%v\nwant\n%v\n%s", got, want, err)
		}
		for _, p := range problems {
			if p.Row == 6 && p.Column == "D" && (p.Header != "rto_disaster" || p.Field != "rto_disaster") {
				t.Errorf("header/field of the RTO problem: %+v", p)
			}
		}
		msg := err.Error()
		for _, text := range []string{"시스템 시트 4행 C열(등급): 등급은 1~4", "시스템 시트 1행 G열(비고란): 알 수 없는 열입니다", "two hours", "2024"} {
			if !strings.Contains(msg, text) {
				t.Errorf("message lacks %q:\n%s", text, msg)
			}
		}
		if en := err.(*transfer.ProblemsError).Message(locale.English); !strings.Contains(en, "sheet systems, row 6, column D (rto_disaster): not a duration: 'two hours'") {
			t.Errorf("English message:\n%s", en)
		}
		unchanged(t, before, f.load(t))
	})
}

func TestHeaderProblems(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		csv := "name,기관명,약칭,,contact\r\n고용노동부,x,노동부,stray,\r\n근로복지공단,,근복,,\r\n한국고용정보원,,고용정보원,,\r\n"
		_, err := f.importFile(t, "agencies.csv", []byte(csv), transfer.Options{})
		problems := problemsOf(t, err)
		if len(problems) != 2 || problems[0].Key != "transfer.duplicate_column" || problems[0].Column != "B" ||
			problems[1].Key != "transfer.column_without_header" || problems[1].Column != "D" || problems[1].Row != 2 {
			t.Fatalf("problems %+v", problems)
		}
		_, err = f.importFile(t, "systems.csv", []byte("시스템명,등급\r\n고용24,1\r\n"), transfer.Options{})
		problems = problemsOf(t, err)
		if len(problems) != 1 || problems[0].Key != "transfer.missing_column" || problems[0].Field != "agency" || problems[0].Header != "기관" {
			t.Fatalf("problems %+v", problems)
		}
		// English keys and labels, in any case, with stray blanks.
		csv = " AGENCY ,System, grade ,RTO (Disaster)\r\n고용노동부,고용24,1,2h\r\n근로복지공단,노동보험시스템,2,24h\r\n한국고용정보원,워크넷,,\r\n한국고용정보원,HRD-Net/직업훈련포털,3,\r\n"
		plan, err := f.importFile(t, "systems.csv", []byte(csv), transfer.Options{DryRun: true})
		if err != nil || plan.Total() != 0 {
			t.Fatalf("English headers: %v %+v", err, plan)
		}
	})
}

func TestKoreanEncodings(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		base := string(f.exportCSV(t, "agencies")[3:])
		text := base + "똠햏연구원,똠햏,고용노동부,담당: 홍길동,N\r\n"
		cp949 := encodeCP949(t, text)
		if bytes.Contains(cp949, []byte("똠")) {
			t.Fatal("not encoded")
		}
		for _, opt := range []transfer.Options{{DryRun: true}, {DryRun: true, Encoding: "cp949"}} {
			plan, err := f.importFile(t, "기관.csv", cp949, opt)
			if err != nil {
				t.Fatalf("%+v: %v", opt, err)
			}
			if plan.Total() != 1 || plan.Changes[0].Key != "똠햏연구원" || plan.Changes[0].Action != "add" {
				t.Fatalf("%+v: plan %+v", opt, plan.Changes)
			}
		}
		_, err := f.importFile(t, "기관.csv", cp949, transfer.Options{Encoding: "utf-8"})
		if p := problemsOf(t, err); p[0].Key != "transfer.bad_encoding" {
			t.Fatalf("forced UTF-8 on CP949: %+v", p)
		}
		_, err = f.importFile(t, "기관.csv", cp949, transfer.Options{Encoding: "latin-9"})
		if p := problemsOf(t, err); p[0].Key != "transfer.unknown_encoding" {
			t.Fatalf("unknown encoding: %+v", p)
		}
		// UTF-8 without a BOM, and UTF-8 with one, read the same.
		for _, data := range [][]byte{[]byte(text), append([]byte("\xef\xbb\xbf"), text...)} {
			plan, err := f.importFile(t, "agencies.csv", data, transfer.Options{DryRun: true})
			if err != nil || plan.Total() != 1 {
				t.Fatalf("UTF-8: %v %+v", err, plan)
			}
		}
		if _, err := f.importFile(t, "agencies.csv", cp949, transfer.Options{}); err != nil {
			t.Fatal(err)
		}
		var got *inventory.Agency
		for _, a := range f.load(t).Agencies {
			if a.ShortName == "똠햏" {
				got = a
			}
		}
		if got == nil || got.Name != "똠햏연구원" || got.Contact != "담당: 홍길동" || got.ParentID == nil || *got.ParentID != f.ministry.ID {
			t.Fatalf("CP949 agency read back as %+v", got)
		}
	})
}

func TestBadFilesGetAClearError(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		before := f.load(t)
		garbage := make([]byte, 4096)
		for i := range garbage {
			garbage[i] = byte(i*7919 + i/13)
		}
		noSheets := excelize.NewFile()
		noSheets.SetCellValue("Sheet1", "A1", "memo")
		scenarios := []struct {
			name string
			file string
			data []byte
			opt  transfer.Options
			key  string
		}{
			{"empty", "systems.csv", nil, transfer.Options{}, "transfer.empty_file"},
			{"only a BOM", "systems.csv", []byte("\xef\xbb\xbf\r\n"), transfer.Options{}, "transfer.empty_file"},
			{"binary garbage", "systems.csv", garbage, transfer.Options{}, "transfer.not_spreadsheet"},
			{"binary garbage named xlsx", "inventory.xlsx", garbage, transfer.Options{}, "transfer.bad_xlsx"},
			{"oversized", "systems.csv", bytes.Repeat([]byte("a,b\r\n"), 100), transfer.Options{MaxSize: 100}, "transfer.too_large"},
			{"oversized by default", "systems.csv", make([]byte, transfer.MaxFileSize+1), transfer.Options{}, "transfer.too_large"},
			{"old xls", "inventory.xls", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), garbage...), transfer.Options{}, "transfer.xls_unsupported"},
			{"broken zip", "inventory.xlsx", append([]byte("PK\x03\x04"), garbage...), transfer.Options{}, "transfer.bad_xlsx"},
			{"no known sheets", "memo.xlsx", saveWorkbook(t, noSheets), transfer.Options{}, "transfer.no_known_sheets"},
			{"csv of no sheet", "data.csv", []byte("a,b\r\n1,2\r\n"), transfer.Options{}, "transfer.csv_sheet_unknown"},
			{"unknown chosen sheet", "data.csv", []byte("a,b\r\n1,2\r\n"), transfer.Options{Sheet: "budgets"}, "transfer.unknown_sheet"},
			{"unclosed quote in csv", "systems.csv", []byte("기관,시스템명\r\n\"고용노동부,고용24\r\n"), transfer.Options{}, "transfer.bad_csv_quote"},
			{"bare quote in csv", "systems.csv", []byte("기관,시스템명\r\n고용노동부,고\"용24\r\n"), transfer.Options{}, "transfer.bad_csv_quote"},
			{"damaged sheet", "inventory.xlsx", rezip(t, f.exportXLSX(t), "xl/worksheets/sheet3.xml", func(w io.Writer) {
				io.WriteString(w, `<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>기관</t></is></c></row><row r="two">`)
			}), transfer.Options{}, "transfer.bad_xlsx_sheet"},
			// A small file that unzips to more than UnzipLimit: the systems
			// sheet padded with blanks (valid XML, and deflate packs it
			// about a thousand to one).
			{"zip bomb", "inventory.xlsx", rezip(t, f.exportXLSX(t), "xl/worksheets/sheet3.xml", func(w io.Writer) {
				blanks := bytes.Repeat([]byte(" "), 1<<20)
				for range transfer.UnzipLimit>>20 + 1 {
					w.Write(blanks)
				}
			}), transfer.Options{}, "transfer.xlsx_unzips_too_large"},
		}
		for _, s := range scenarios {
			t.Run(s.name, func(t *testing.T) {
				_, err := f.importFile(t, s.file, s.data, s.opt)
				problems := problemsOf(t, err)
				if len(problems) != 1 || problems[0].Key != s.key {
					t.Fatalf("problems %+v, want %s", problems, s.key)
				}
				if msg := err.Error(); strings.Contains(msg, "transfer.") {
					t.Errorf("message shows a raw key: %s", msg)
				}
				// People read these; a Go error's text would only puzzle
				// them (and may show internals).
				for _, p := range problems {
					for _, a := range p.Args {
						if _, isErr := a.(error); isErr {
							t.Errorf("problem carries an error as argument: %+v", p)
						}
					}
				}
				for _, lang := range []locale.Lang{locale.Korean, locale.English} {
					if msg := err.(*transfer.ProblemsError).Message(lang); goErrorText.MatchString(msg) {
						t.Errorf("message shows Go error text: %s", msg)
					}
				}
			})
		}
		if s := scenarios[len(scenarios)-1]; len(s.data) > transfer.MaxFileSize/8 {
			t.Errorf("the zip bomb is %d bytes: not small", len(s.data))
		}
		if _, err := transfer.ReadAll(bytes.NewReader(make([]byte, 200)), 100); apperror.CodeOf(err) != apperror.Invalid {
			t.Errorf("ReadAll over the limit: %v", err)
		}
		unchanged(t, before, f.load(t))
	})
}

// A value a spreadsheet would run as a formula is exported as text: in
// XLSX as a string cell (never a formula), in CSV behind an apostrophe; and
// each imports back as the same value.
func TestFormulaLikeValuesStayText(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		const name = `=HYPERLINK("http://x","y")`
		err := f.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			return tx.CreateSystem(ctx, &inventory.System{AgencyID: f.ministry.ID, Name: name, Vendor: "@SUM(A1)"})
		})
		if err != nil {
			t.Fatal(err)
		}
		before := f.load(t)

		data := f.exportXLSX(t)
		wb, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		cell := columnOf(t, wb, "systems", "시스템명") + itoa(rowOf(t, wb, "systems", "고용노동부", name))
		if formula, _ := wb.GetCellFormula("systems", cell); formula != "" {
			t.Errorf("XLSX cell %s is a formula: %q", cell, formula)
		}
		if kind, _ := wb.GetCellType("systems", cell); kind != excelize.CellTypeInlineString && kind != excelize.CellTypeSharedString {
			t.Errorf("XLSX cell %s has type %v, want a string", cell, kind)
		}
		if plan, err := f.importFile(t, "inventory.xlsx", data, transfer.Options{}); err != nil || plan.Total() != 0 {
			t.Fatalf("XLSX round trip: %v %+v", err, plan)
		}

		data = f.exportCSV(t, "systems")
		records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var guarded []string
		for _, r := range records {
			if r[0] == "고용노동부" && strings.Contains(r[1], "HYPERLINK") {
				guarded = r
			}
		}
		if guarded == nil || guarded[1] != "'"+name || !slices.Contains(guarded, "'@SUM(A1)") {
			t.Errorf("CSV row not guarded: %q", guarded)
		}
		if plan, err := f.importFile(t, "systems.csv", data, transfer.Options{}); err != nil || plan.Total() != 0 {
			t.Fatalf("CSV round trip: %v %+v", err, plan)
		}
		unchanged(t, before, f.load(t))
	})
}

func TestGuardFormula(t *testing.T) {
	scenarios := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+82-2-1234", "'+82-2-1234"},
		{"-3", "'-3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"'quoted", "''quoted"},
		{"고용24", "고용24"},
		{"a=b", "a=b"},
		{"", ""},
	}
	for _, s := range scenarios {
		if got := transfer.GuardFormula(s.in); got != s.want {
			t.Errorf("GuardFormula(%q) = %q, want %q", s.in, got, s.want)
		}
	}
}

// goErrorText matches what the errors of archive/zip, encoding/xml,
// encoding/csv, strconv and excelize say.
var goErrorText = regexp.MustCompile(`zip: |XML syntax|xml: |excelize|unzip size|quoted-field|bare " in|parse error|strconv|invalid syntax|EOF|element <`)

// rezip copies a workbook, writing the part named name anew.
func rezip(t *testing.T, data []byte, name string, write func(w io.Writer)) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, part := range zr.File {
		w, err := zw.Create(part.Name)
		if err != nil {
			t.Fatal(err)
		}
		if part.Name == name {
			found = true
			write(w)
			continue
		}
		r, err := part.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("the workbook has no part %s", name)
	}
	return buf.Bytes()
}

func TestRemovingAnAgencyInUse(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		before := f.load(t)
		wb, _ := excelize.OpenReader(bytes.NewReader(f.exportXLSX(t)))
		wb.RemoveRow("agencies", rowOf(t, wb, "agencies", "근로복지공단"))
		_, err := f.importFile(t, "inventory.xlsx", saveWorkbook(t, wb), transfer.Options{})
		problems := problemsOf(t, err)
		var got []string
		for _, p := range problems {
			got = append(got, p.Sheet+"/"+itoa(p.Row)+"/"+p.Column+"/"+p.Key)
		}
		want := []string{
			"systems/3/A/transfer.agency_removed",      // 근로복지공단/노동보험시스템
			"dependencies/2/C/transfer.agency_removed", // 고용24 → 근로복지공단/노동보험시스템
		}
		if !slices.Equal(got, want) {
			t.Fatalf("problems %v, want %v", got, want)
		}

		// The agencies sheet alone: systems stored under it still use it.
		data := f.exportCSV(t, "agencies")
		data = bytes.Replace(data, []byte("근로복지공단,근복,고용노동부,'+82-52-704-7114,N\r\n"), nil, 1)
		_, err = f.importFile(t, "agencies.csv", data, transfer.Options{})
		problems = problemsOf(t, err)
		if len(problems) != 1 || problems[0].Key != "transfer.agency_used_by_system" || problems[0].Sheet != "agencies" || problems[0].Row != 0 ||
			!strings.Contains(problems[0].Message(locale.Korean), "근로복지공단/노동보험시스템") {
			t.Fatalf("problems %+v", problems)
		}
		unchanged(t, before, f.load(t))
	})
}

func TestRemovalsCascadeAndOrder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		// The systems sheet drops 노동보험시스템: its dependency goes, and
		// the service loses it as a supporting system.
		data := f.exportCSV(t, "systems")
		lines := strings.Split(string(data), "\r\n")
		kept := slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, "근로복지공단,노동보험시스템,") })
		plan, err := f.importFile(t, "systems.csv", []byte(strings.Join(kept, "\r\n")), transfer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if plan.Counts["systems"]["remove"] != 1 || plan.Counts["dependencies"]["remove"] != 1 || plan.Counts["services"]["change"] != 1 {
			t.Fatalf("plan:\n%s", plan.Summary(locale.Korean))
		}
		after := f.load(t)
		if len(after.Systems) != 3 || len(after.Dependencies) != 1 || len(after.Services[0].SystemIDs) != 2 {
			t.Fatalf("after: %d systems, %d dependencies, service systems %v", len(after.Systems), len(after.Dependencies), after.Services[0].SystemIDs)
		}

		// A whole workbook that adds an agency with a facility, a system and
		// a dependency of its own: each refers to what the rows before add.
		wb, _ := excelize.OpenReader(bytes.NewReader(f.exportXLSX(t)))
		wb.SetSheetRow("agencies", "A5", &[]any{"한국산업인력공단", "산인공", "고용노동부"})
		wb.SetSheetRow("facilities", "A5", &[]any{"산업인력공단 전산실", "자체"})
		wb.SetSheetRow("systems", "A5", &[]any{"한국산업인력공단", "Q-Net", "2"})
		wb.SetCellValue("systems", columnOf(t, wb, "systems", "주 시설")+"5", "산업인력공단 전산실")
		wb.SetSheetRow("dependencies", "A3", &[]any{"한국산업인력공단", "Q-Net", "고용노동부", "고용24", "인증"})
		plan, err = f.importFile(t, "inventory.xlsx", saveWorkbook(t, wb), transfer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if plan.Total() != 4 {
			t.Fatalf("plan:\n%s", plan.Summary(locale.Korean))
		}
		after = f.load(t)
		var qnet *inventory.System
		for _, s := range after.Systems {
			if s.Name == "Q-Net" {
				qnet = s
			}
		}
		if qnet == nil || qnet.PrimaryFacilityID == nil || len(after.Agencies) != 4 || len(after.Facilities) != 4 || len(after.Dependencies) != 2 ||
			after.Dependencies[1].Kind != "auth" || after.Dependencies[1].FromSystemID != qnet.ID {
			t.Fatalf("after: %+v", after.Dependencies)
		}
	})
}

// An agency exports and imports what it sees, and may not touch agencies
// or facilities.
func TestAgencyScope(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		scope := access.Agency(f.keis.ID)
		inv, err := f.store.Load(ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := transfer.WriteXLSX(&buf, inv); err != nil {
			t.Fatal(err)
		}
		wb, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		if rows, _ := wb.GetRows("systems"); len(rows) != 3 {
			t.Fatalf("agency sees %d system rows", len(rows)-1)
		}
		if rows, _ := wb.GetRows("dependencies"); len(rows) != 1 {
			t.Fatalf("a dependency on another agency's system cannot be named, got %v", rows)
		}
		before := f.load(t)
		plan, err := transfer.Import(ctx, f.store, scope, "mine.xlsx", buf.Bytes(), transfer.Options{})
		if err != nil || plan.Total() != 0 {
			t.Fatalf("agency round trip: %v %+v", err, plan)
		}
		unchanged(t, before, f.load(t))

		wb.SetCellValue("agencies", "B2", "정보원")
		wb.SetSheetRow("systems", "A4", &[]any{"고용노동부", "몰래 추가"})
		_, err = transfer.Import(ctx, f.store, scope, "mine.xlsx", saveWorkbook(t, wb), transfer.Options{})
		problems := problemsOf(t, err)
		if len(problems) != 2 || problems[0].Key != "transfer.ministry_only" || problems[1].Key != "invalid.unknown_agency" {
			t.Fatalf("problems %+v", problems)
		}
		unchanged(t, before, f.load(t))
	})
}

func encodeCP949(t *testing.T, s string) []byte {
	t.Helper()
	b, err := korean.EUCKR.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(b)
}

func TestAgencyParents(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		head := "기관명,상위 기관\r\n고용노동부,\r\n근로복지공단,고용노동부\r\n한국고용정보원,고용노동부\r\n"
		parentOf := func() map[string]string {
			inv := f.load(t)
			names := map[int64]string{}
			for _, a := range inv.Agencies {
				names[a.ID] = a.Name
			}
			out := map[string]string{}
			for _, a := range inv.Agencies {
				if a.ParentID != nil {
					out[a.Name] = names[*a.ParentID]
				}
			}
			return out
		}
		// A parent named before it is defined.
		plan, err := f.importFile(t, "agencies.csv", []byte(head+"지청,지방청\r\n지방청,고용노동부\r\n"), transfer.Options{})
		if err != nil || plan.Counts["agencies"]["add"] != 2 {
			t.Fatalf("%v %+v", err, plan)
		}
		if p := parentOf(); p["지청"] != "지방청" || p["지방청"] != "고용노동부" {
			t.Fatalf("parents %v", p)
		}
		// A cycle is refused on each row of it.
		_, err = f.importFile(t, "agencies.csv", []byte(head+"지청,지방청\r\n지방청,지청\r\n"), transfer.Options{})
		problems := problemsOf(t, err)
		if len(problems) != 2 || problems[0].Key != "transfer.parent_cycle" || problems[0].Row != 5 || problems[1].Row != 6 || problems[0].Column != "B" {
			t.Fatalf("cycle: %+v", problems)
		}
		if _, err := f.importFile(t, "agencies.csv", []byte(head+"지청,지청\r\n지방청,\r\n"), transfer.Options{}); problemsOf(t, err)[0].Key != "invalid.self_parent" {
			t.Fatalf("self parent: %v", err)
		}
		// Removing a parent and its child together: the child goes first.
		if _, err := f.importFile(t, "agencies.csv", []byte(head+"지청,지방청\r\n지방청,고용노동부\r\n출장소,지청\r\n"), transfer.Options{}); err != nil {
			t.Fatal(err)
		}
		plan, err = f.importFile(t, "agencies.csv", []byte(head+"지방청,고용노동부\r\n"), transfer.Options{})
		if err != nil || plan.Counts["agencies"]["remove"] != 2 {
			t.Fatalf("%v %+v", err, plan)
		}
		if p := parentOf(); len(p) != 3 || p["지방청"] != "고용노동부" {
			t.Fatalf("parents %v", p)
		}
	})
}

// A service names its systems as 기관명/시스템명, a bare name meaning its own
// agency's; unknown and removed systems are refused.
func TestServiceSystemReferences(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		csv := "기관,서비스명,지원 시스템,대상,최대허용중단시간(MTPD)\r\n" +
			"고용노동부,실업급여 신청,\"고용24\n근로복지공단/노동보험시스템\n한국고용정보원/HRD-Net/직업훈련포털\",대국민,4h\r\n"
		plan, err := f.importFile(t, "services.csv", []byte(csv), transfer.Options{DryRun: true})
		if err != nil || plan.Total() != 0 {
			t.Fatalf("%v %+v", err, plan)
		}
		csv += "고용노동부,취업지원,\"고용24\n없는기관/없는시스템\n워크넷\",내부망,1시간\r\n"
		_, err = f.importFile(t, "services.csv", []byte(csv), transfer.Options{})
		problems := problemsOf(t, err)
		var got []string
		for _, p := range problems {
			got = append(got, itoa(p.Row)+p.Column+" "+p.Message(locale.English))
		}
		want := []string{
			"3C no such system: 없는기관/없는시스템",
			"3C no such system: 워크넷", // a bare name is of the service's own agency
			"3D '내부망' is not allowed (allowed: public, internal)",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("problems\n%q\nwant\n%q", got, want)
		}
		// The dependencies sheet: a system cannot depend on itself.
		_, err = f.importFile(t, "의존관계.csv", []byte("기관,시스템명,의존 대상 기관,의존 대상 시스템\r\n고용노동부,고용24,,고용24\r\n"), transfer.Options{})
		if p := problemsOf(t, err); len(p) != 1 || p[0].Key != "invalid.self_dependency" || p[0].Column != "D" {
			t.Fatalf("self dependency: %+v", p)
		}
	})
}
