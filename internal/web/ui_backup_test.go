package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/backup"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/testdb"
)

// backupFixture is the scope fixture with runs reported as jobs report
// them:
//   - 노동보험시스템 (근로복지공단, RPO 1 hour in a disaster): a full run
//     two hours ago and an incremental one an hour ago, both on disk in
//     its primary facility — so no copy survives losing it;
//   - 산재보험 EDI (근로복지공단): a full run ten days ago, and a failed
//     one three hours ago;
//   - 대표홈페이지 (한국고용정보원): everything in order — a full run with
//     its restore test, and a tape in 국정자원 대전센터;
//   - 고용24 (한국고용정보원): a full run, moved towards KT 목동.
//
// ts is an editor of 근로복지공단.
type backupFixture struct {
	*scopeFixture
	srv              *Server
	ts               *httptest.Server
	fullRun, keisRun int64
	keisMove         int64
	samples          []backup.StorageSample
}

func newBackupFixture(t *testing.T, db *database.DB) *backupFixture {
	t.Helper()
	ctx := access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, ID: 1, Name: "fixture"})
	x := &backupFixture{scopeFixture: newScopeFixture(t, inventory.NewStore(db))}
	x.ts, x.srv, _ = newServerAs(t, db, auth.AgencyEditor, x.welfare.ID)
	err := x.srv.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		sys, err := tx.System(ctx, x.insurance.ID)
		if err != nil {
			return err
		}
		sys.RPODisaster = span(60)
		return tx.UpdateSystem(ctx, sys)
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	run := func(system int64, key, kind string, ago time.Duration, result string, facility int64, medium string) backup.Run {
		size := int64(250e9)
		return backup.Run{SystemID: system, Key: key, Kind: kind, StartedAt: now.Add(-ago), EndedAt: now.Add(-ago + 20*time.Minute),
			SizeBytes: &size, Result: result, Copy: backup.Copy{FacilityID: facility, Medium: medium}}
	}
	tested := run(x.homepage.ID, "home-full", backup.KindFull, 3*time.Hour, backup.ResultSuccess, x.kt.ID, backup.MediumOnline)
	tested.RestoreTest = &backup.RestoreTest{At: now.Add(-time.Hour), Result: backup.ResultSuccess, Seconds: 600}
	runs := []backup.Run{
		run(x.insurance.ID, "ins-full", backup.KindFull, 2*time.Hour, backup.ResultSuccess, x.own.ID, backup.MediumOnline),
		run(x.insurance.ID, "ins-incr", backup.KindIncremental, time.Hour, backup.ResultSuccess, x.own.ID, backup.MediumOnline),
		run(x.edi.ID, "edi-full-old", backup.KindFull, 10*24*time.Hour, backup.ResultSuccess, x.kt.ID, backup.MediumOnline),
		run(x.edi.ID, "edi-full", backup.KindFull, 3*time.Hour, backup.ResultFailed, x.kt.ID, backup.MediumOnline),
		tested,
		run(x.homepage.ID, "home-incr", backup.KindIncremental, 90*time.Minute, backup.ResultSuccess, x.nirs.ID, backup.MediumTape),
		run(x.work24.ID, "w24-full", backup.KindFull, 2*time.Hour, backup.ResultSuccess, x.nirs.ID, backup.MediumTape),
	}
	if _, err := x.srv.backups.Report(ctx, backup.Reporter{Scope: access.All(), Name: "fixture"}, runs); err != nil {
		t.Fatal(err)
	}
	x.fullRun, x.keisRun = runs[0].ID, runs[6].ID
	move := &backup.Move{RunID: x.keisRun, Medium: backup.MediumTape, Label: "KEIS-T-7", FromFacilityID: x.nirs.ID, ToFacilityID: x.kt.ID,
		HandedBy: "정보원 담당", HandedAt: now.Add(-30 * time.Minute)}
	if err := x.srv.backups.RecordMove(ctx, access.All(), move); err != nil {
		t.Fatal(err)
	}
	x.keisMove = move.ID
	// 근로복지공단 전산실's storage: 500 GB of 1,000 a month ago, 600 now.
	x.samples = []backup.StorageSample{{At: now.AddDate(0, 0, -30), CapacityBytes: 1000e9, UsedBytes: 500e9},
		{At: now.Add(-time.Hour), CapacityBytes: 1000e9, UsedBytes: 600e9}}
	for _, s := range x.samples {
		if err := x.srv.backups.RecordStorage(ctx, access.All(), x.own.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.srv.backups.RecordStorage(ctx, access.All(), x.nirs.ID, backup.StorageSample{At: now.Add(-time.Hour),
		CapacityBytes: 5000e9, UsedBytes: 100e9}); err != nil {
		t.Fatal(err)
	}
	return x
}

// asRole is a client of the same server signed in as a new account.
func (x *backupFixture) asRole(t *testing.T, role auth.Role, agencyID int64) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(x.srv)
	t.Cleanup(ts.Close)
	signIn(t, ts, x.srv.accounts, newAccount(t, x.srv.accounts, role, agencyID, false))
	return ts
}

// columnOf is the index of a header cell.
func columnOf(t *testing.T, header []string, label string) int {
	t.Helper()
	for i, h := range header {
		if h == label {
			return i
		}
	}
	t.Fatalf("no column %q in %q", label, header)
	return -1
}

// The page from reported runs: each status a word, the systems not
// compliant first, the facility-loss exposure of a system whose copies are
// all at home unbounded and over its target, the storage forecast; an
// agency sees its own systems only, the ministry every agency's with a
// filter; each table downloads.
func TestBackupPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newBackupFixture(t, db)
		status, body := get(t, x.ts, "/backups")
		if status != http.StatusOK {
			t.Fatalf("/backups: %d", status)
		}
		mustContain(t, "agency's page", body, `id="nav-backups"`, `action="/offsite-moves"`, "시스템별 준수", "RPO 노출", "백업 저장소", "소산 기록")
		mustNotShow(t, "근로복지공단's page", body, keisNames...)
		mustNotShow(t, "근로복지공단's page", body, "대표홈페이지", "KEIS-T-7")

		rows := htmlTable(t, body, "compliance")
		wantCells(t, "compliance header", rows[0], "기관", "시스템명", "등급", "전체 백업", "증분", "소산", "복구 훈련", "마지막 실행")
		if len(rows) != 3 {
			t.Fatalf("근로복지공단 has 2 systems, the table %d rows: %q", len(rows)-1, rows)
		}
		// The first cell is the agency: the rows are found by the system.
		var ins, edi []string
		for _, r := range rows[1:] {
			if r[1] == "산재보험 EDI" {
				edi = r
			}
			if r[1] == "노동보험시스템" {
				ins = r
			}
		}
		if !strings.HasPrefix(ins[3], "정상 · ") || !strings.HasPrefix(ins[4], "정상 · ") || ins[5] != "없음" || ins[6] != "없음" ||
			!strings.HasPrefix(ins[7], "성공 · ") {
			t.Errorf("노동보험시스템: %q", ins)
		}
		if edi == nil || !strings.HasPrefix(edi[3], "지연 · ") || !strings.HasPrefix(edi[4], "지연 · ") || !strings.HasPrefix(edi[7], "실패 · ") {
			t.Errorf("산재보험 EDI: %q", edi)
		}
		if !strings.Contains(body, `class="bk-late"`) || !strings.Contains(body, `class="bk-missing"`) {
			t.Error("statuses carry no class to colour them")
		}

		exposure := htmlTable(t, body, "exposure")
		var loss []string
		for _, r := range exposure[1:] {
			if r[1] == "노동보험시스템" && r[2] == "주 시설 상실" {
				loss = r
			}
		}
		wantCells(t, "노동보험시스템 losing its facility", loss, "근로복지공단", "노동보험시스템", "주 시설 상실", "무제한", "1시간", "초과")
		// EDI's copies are at home too, against its grade's minimum target.
		if got := x.cardValue(t, body, "card-breach-facility_loss"); got != "2" {
			t.Errorf("systems over the facility-loss target: %s, want 2", got)
		}
		if got := x.cardValue(t, body, "card-not-compliant"); got != "2" {
			t.Errorf("not compliant: %s", got)
		}

		storage := htmlTable(t, body, "storage")
		own := rowOf(t, storage, "근로복지공단 전산실")
		want := locale.Date(backup.ForecastOf(x.samples).FullOn)
		if want == "" || own[1] != "1,000.0" || own[2] != "600.0" || own[3] != "60.0" || own[5] != want {
			t.Errorf("storage of 근로복지공단 전산실: %q, want full on %s", own, want)
		}
		if kt := rowOf(t, storage, "KT 목동"); kt[5] != "측정 기록 없음" {
			t.Errorf("KT 목동 without samples: %q", kt)
		}

		// The export holds what the page shows, in cells.
		resp, file := getBytes(t, x.ts, "/export/backups/compliance.xlsx")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != xlsxType {
			t.Fatalf("xlsx: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		book, err := excelize.OpenReader(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		sheet := book.GetSheetList()[0]
		cells, err := book.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range cells[1:] {
			if len(r) > 5 && r[1] == "노동보험시스템" {
				found = r[5] == "없음" && strings.HasPrefix(r[3], "정상")
			}
		}
		if a1, _ := book.GetCellValue(sheet, "A1"); a1 != "기관" || !found || len(cells) != 3 {
			t.Errorf("compliance.xlsx: A1 %q, rows %q", a1, cells)
		}
		resp, file = getBytes(t, x.ts, "/export/backups/exposure.csv")
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(file), "무제한") || strings.Contains(string(file), "고용24") {
			t.Errorf("exposure.csv: %d %s", resp.StatusCode, file)
		}

		// The ministry sees every agency's systems, the compliant one
		// last, and narrows to one agency with the filter.
		ministry := x.asRole(t, auth.MinistryViewer, 0)
		_, body = get(t, ministry, "/backups")
		rows = htmlTable(t, body, "compliance")
		if len(rows) != 5 || rows[len(rows)-1][1] != "대표홈페이지" {
			t.Errorf("ministry's compliance, compliant last: %q", rows)
		}
		if home := rows[len(rows)-1]; home[5] != "정상" || home[6] != "정상" {
			t.Errorf("대표홈페이지's offsite and restore test: %q", home)
		}
		mustContain(t, "ministry's page", body, "고용24", "노동보험시스템", `id="filter-agency"`, "KEIS-T-7", "이동 중")
		if strings.Contains(body, `action="/offsite-moves"`) {
			t.Error("a ministry viewer is offered the move form")
		}
		_, body = get(t, ministry, fmt.Sprintf("/backups?agency=%d", x.keis.ID))
		if rows := htmlTable(t, body, "compliance"); len(rows) != 3 || strings.Contains(body, "노동보험시스템") {
			t.Errorf("filtered to 한국고용정보원: %q", rows)
		}
		_, file = getBytes(t, ministry, fmt.Sprintf("/export/backups/moves.csv?agency=%d", x.welfare.ID))
		if strings.Contains(string(file), "KEIS-T-7") {
			t.Errorf("moves.csv filtered to 근로복지공단 holds 한국고용정보원's move: %s", file)
		}
	})
}

// cardValue reads a summary card's figure.
func (x *backupFixture) cardValue(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`">`)
	if i < 0 {
		t.Fatalf("no card %s", id)
	}
	rest := body[i+len(id)+6:]
	return rest[:strings.Index(rest, "<")]
}

// The move form: refused with every problem next to its field and nothing
// recorded; another agency's run is not found; a good move is recorded
// and shown in transit, its copy not counted until received. The receipt
// wants who received it; then the copy counts: the offsite check passes
// and losing the facility is no longer unbounded. Another agency's move
// cannot be received.
func TestBackupMoveForm(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newBackupFixture(t, db)
		moves := func() []*backup.Move {
			list, err := x.srv.backups.Moves(context.Background(), access.Agency(x.welfare.ID), time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			return list
		}
		form := url.Values{"run_id": {""}, "medium": {""}, "from_facility_id": {idValue(x.own.ID)}, "to_facility_id": {idValue(x.own.ID)},
			"handed_by": {""}, "handed_at": {"2025-13-40T25:00"}}
		status, _, body := post(t, x.ts, "/offsite-moves", form)
		if status != http.StatusBadRequest {
			t.Fatalf("bad move: %d", status)
		}
		mustContain(t, "refused move", body, `id="form-problems"`, "보내는 시설과 받는 시설이 같습니다", `id="move-run" name="run_id" type="number" min="1" value="" aria-invalid="true"`,
			`id="move-handed-by" name="handed_by" type="text" value="" aria-invalid="true"`, `value="2025-13-40T25:00" aria-invalid="true"`,
			`id="move-medium" name="medium" aria-invalid="true"`)
		if len(moves()) != 0 {
			t.Fatal("a refused move was recorded")
		}

		form = url.Values{"run_id": {idValue(x.keisRun)}, "medium": {backup.MediumTape}, "label": {"T-0926"},
			"from_facility_id": {idValue(x.own.ID)}, "to_facility_id": {idValue(x.kt.ID)}, "handed_by": {"홍길동"},
			"handed_at": {time.Now().Add(-10 * time.Minute).In(locale.KST).Format(dateTimeInput)}}
		status, _, body = post(t, x.ts, "/offsite-moves", form)
		if status != http.StatusBadRequest || !strings.Contains(body, "백업 실시 기록을 찾을 수 없습니다") || !strings.Contains(body, `value="홍길동"`) {
			t.Errorf("another agency's run: %d", status)
		}
		mustNotShow(t, "another agency's run", body, keisNames...)

		form.Set("run_id", idValue(x.fullRun))
		status, location, _ := post(t, x.ts, "/offsite-moves", form)
		if status != http.StatusSeeOther || location != "/backups?done=moved#moves" {
			t.Fatalf("good move: %d %s", status, location)
		}
		list := moves()
		if len(list) != 1 || list[0].Label != "T-0926" || list[0].HandedBy != "홍길동" || !list[0].ReceivedAt.IsZero() {
			t.Fatalf("recorded: %+v", list)
		}
		id := list[0].ID
		_, body = get(t, x.ts, "/backups?done=moved")
		mustContain(t, "after the move", body, "소산을 기록했습니다.", fmt.Sprintf(`action="/offsite-moves/%d/receive"`, id))
		row := rowOf(t, htmlTable(t, body, "moves"), fmt.Sprintf("#%d", id))
		wantCells(t, "move in transit", []string{row[2], row[4], row[5], row[6], row[8]}, "노동보험시스템", "테이프", "T-0926",
			"근로복지공단 전산실 → KT 목동", "이동 중")
		if !x.offsiteIs(t, "없음") {
			t.Error("a copy in transit counted as offsite")
		}

		path := fmt.Sprintf("/offsite-moves/%d/receive", id)
		status, _, body = post(t, x.ts, path, url.Values{"received_by": {" "}})
		if status != http.StatusBadRequest || !strings.Contains(body, fmt.Sprintf(`id="received-by-%d" name="received_by" type="text" aria-invalid="true"`, id)) {
			t.Errorf("receipt without a receiver: %d", status)
		}
		if !moves()[0].ReceivedAt.IsZero() {
			t.Fatal("a refused receipt was recorded")
		}
		status, location, _ = post(t, x.ts, path, url.Values{"received_by": {"김수령"}})
		if status != http.StatusSeeOther || location != "/backups?done=received#moves" {
			t.Fatalf("receipt: %d %s", status, location)
		}
		_, body = get(t, x.ts, "/backups")
		row = rowOf(t, htmlTable(t, body, "moves"), fmt.Sprintf("#%d", id))
		if !strings.HasPrefix(row[8], "김수령 · ") {
			t.Errorf("received: %q", row)
		}
		if !x.offsiteIs(t, "정상") {
			t.Error("the received copy does not count as offsite")
		}
		for _, r := range htmlTable(t, body, "exposure") {
			if r[1] == "노동보험시스템" && r[2] == "주 시설 상실" && (r[3] == "무제한" || r[5] != "초과") {
				t.Errorf("losing the facility after the tape arrived: %q (2 hours old, target 1 hour)", r)
			}
		}
		if status, _, body := post(t, x.ts, path, url.Values{"received_by": {"김수령"}}); status != http.StatusConflict ||
			!strings.Contains(body, "이미 수령이 기록된 소산입니다") {
			t.Errorf("received twice: %d", status)
		}

		status, _, body = post(t, x.ts, fmt.Sprintf("/offsite-moves/%d/receive", x.keisMove), url.Values{"received_by": {"김수령"}})
		if status != http.StatusNotFound {
			t.Errorf("another agency's move: %d", status)
		}
		mustNotShow(t, "another agency's move", body, keisNames...)
		theirs, err := x.srv.backups.Moves(context.Background(), access.Agency(x.keis.ID), time.Time{})
		if err != nil || len(theirs) != 1 || !theirs[0].ReceivedAt.IsZero() {
			t.Errorf("한국고용정보원's move changed: %+v %v", theirs, err)
		}

		// A reader sees the moves and no form.
		reader := x.asRole(t, auth.AgencyViewer, x.welfare.ID)
		_, body = get(t, reader, "/backups")
		if strings.Contains(body, `action="/offsite-moves`) || !strings.Contains(body, "T-0926") {
			t.Error("a reader's page: forms shown, or the move missing")
		}
	})
}

// The storage form, the ministry's alone (facilities are shared): refused
// with every problem next to its field and nothing recorded, the move
// form keeping its defaults; a good measurement in GB is recorded and the
// table shows it; an agency's editor is neither offered the form nor let
// through, and a ministry viewer is not offered it.
func TestBackupStorageForm(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newBackupFixture(t, db)
		admin := x.asRole(t, auth.MinistryAdmin, 0)
		forecasts := func() map[int64]backup.Forecast {
			got, err := x.srv.backups.Forecasts(context.Background(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		_, body := get(t, admin, "/backups")
		mustContain(t, "the ministry admin's page", body, `action="/backups/storage"`, "저장소 측정값 기록하기")

		measured := time.Now().Add(-5 * time.Minute).In(locale.KST).Format(dateTimeInput)
		form := url.Values{"storage_facility_id": {""}, "capacity_gb": {"많음"}, "used_gb": {"2,000"}, "measured_at": {measured}}
		status, _, body := post(t, admin, "/backups/storage", form)
		if status != http.StatusBadRequest {
			t.Fatalf("bad measurement: %d", status)
		}
		mustContain(t, "refused measurement", body, `id="form-problems"`, `id="storage-facility" name="storage_facility_id" aria-invalid="true"`,
			`value="많음" aria-invalid="true"`, "숫자가 아닙니다", `id="move-handed-at" name="handed_at" type="datetime-local" value="`)
		if strings.Count(body, "용량은 0보다 커야 합니다") != 0 {
			t.Error("an unreadable capacity is also told missing")
		}
		// A use left empty is missing, not 0 GB; a facility that is no
		// number is told once.
		status, _, body = post(t, admin, "/backups/storage", url.Values{"storage_facility_id": {"KT"}, "capacity_gb": {"1,500"},
			"used_gb": {" "}, "measured_at": {measured}})
		if status != http.StatusBadRequest || !strings.Contains(body, `id="storage-used" name="used_gb" type="text" inputmode="decimal" value=" " aria-invalid="true"`) {
			t.Errorf("an empty use: %d", status)
		}
		if n, m := strings.Count(body, "목록에 있는 항목을 선택하십시오"), strings.Count(body, "필수 항목입니다"); n != 1 || m != 1 {
			t.Errorf("an unreadable facility and an empty use: %d choice and %d required messages, want 1 and 1", n, m)
		}
		form = url.Values{"storage_facility_id": {idValue(x.kt.ID)}, "capacity_gb": {"1,500"}, "used_gb": {"2,000"}, "measured_at": {measured}}
		status, _, body = post(t, admin, "/backups/storage", form)
		if status != http.StatusBadRequest || !strings.Contains(body, "사용량이 용량보다 큽니다") || !strings.Contains(body, `value="2,000" aria-invalid="true"`) {
			t.Errorf("use beyond capacity: %d", status)
		}
		if _, ok := forecasts()[x.kt.ID]; ok {
			t.Fatal("a refused measurement was recorded")
		}

		form.Set("used_gb", "1,200.5")
		status, location, _ := post(t, admin, "/backups/storage", form)
		if status != http.StatusSeeOther || location != "/backups?done=storage#storage" {
			t.Fatalf("good measurement: %d %s", status, location)
		}
		if fc := forecasts()[x.kt.ID]; fc.Latest.CapacityBytes != 1500e9 || fc.Latest.UsedBytes != 1200.5e9 {
			t.Errorf("recorded: %+v", fc.Latest)
		}
		_, body = get(t, admin, "/backups?done=storage")
		mustContain(t, "after the measurement", body, "백업 저장소 측정값을 기록했습니다.")
		kt := rowOf(t, htmlTable(t, body, "storage"), "KT 목동")
		wantCells(t, "KT 목동's storage", kt[1:4], "1,500.0", "1,200.5", "80.0")

		status, _, _ = post(t, x.ts, "/backups/storage", url.Values{"storage_facility_id": {idValue(x.own.ID)}, "capacity_gb": {"1"},
			"used_gb": {"1"}, "measured_at": {measured}})
		if status != http.StatusForbidden {
			t.Errorf("an agency's editor records a shared facility's storage: %d", status)
		}
		if fc := forecasts()[x.own.ID]; fc.Latest.CapacityBytes != 1000e9 {
			t.Errorf("an agency's editor changed the storage: %+v", fc.Latest)
		}
		for name, ts := range map[string]*httptest.Server{"agency editor": x.ts, "ministry viewer": x.asRole(t, auth.MinistryViewer, 0)} {
			if _, body := get(t, ts, "/backups"); strings.Contains(body, `action="/backups/storage"`) {
				t.Errorf("the %s is offered the storage form", name)
			}
		}
	})
}

// offsiteIs reports whether 노동보험시스템's offsite check reads status.
func (x *backupFixture) offsiteIs(t *testing.T, status string) bool {
	t.Helper()
	_, body := get(t, x.ts, "/backups")
	for _, r := range htmlTable(t, body, "compliance") {
		if len(r) > 5 && r[1] == "노동보험시스템" {
			return r[5] == status
		}
	}
	t.Fatal("노동보험시스템 not in the compliance table")
	return false
}

// The agency's page lists its systems whose backups need attention, with
// the link to its backup page; the system's page shows its policy, checks,
// exposures and latest runs.
func TestBackupOnAgencyAndSystemPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newBackupFixture(t, db)
		_, body := get(t, x.ts, agencyHref(x.welfare.ID))
		mustContain(t, "agency page", body, fmt.Sprintf(`href="/backups?agency=%d"`, x.welfare.ID))
		rows := htmlTable(t, body, "backups")
		if len(rows) != 3 {
			t.Fatalf("systems needing attention: %q", rows)
		}
		ins := rowOf(t, rows, "노동보험시스템")
		if !strings.Contains(ins[2], "소산 없음") || !strings.Contains(ins[2], "복구 훈련 없음") || !strings.Contains(ins[3], "주 시설 상실") {
			t.Errorf("노동보험시스템 on the agency page: %q", ins)
		}
		if edi := rowOf(t, rows, "산재보험 EDI"); !strings.Contains(edi[2], "마지막 실행 실패") || !strings.Contains(edi[2], "전체 백업 지연") {
			t.Errorf("산재보험 EDI on the agency page: %q", edi)
		}
		mustNotShow(t, "agency page", body, keisNames...)

		// 한국고용정보원's page, for the ministry: its compliant 대표홈페이지
		// is not listed.
		ministry := x.asRole(t, auth.MinistryViewer, 0)
		_, body = get(t, ministry, agencyHref(x.keis.ID))
		if rows := htmlTable(t, body, "backups"); len(rows) != 2 || rows[1][0] != "고용24" {
			t.Errorf("한국고용정보원's systems needing attention: %q", rows)
		}

		_, body = get(t, x.ts, systemHref(x.insurance.ID))
		mustContain(t, "system page", body, `id="backup-policy"`, "<dt>전체 백업 주기</dt><dd>7일</dd>", "<dt>복구 훈련 주기</dt><dd>180일</dd>")
		checks := htmlTable(t, body, "backup-checks")
		if off := rowOf(t, checks, "소산"); off[1] != "없음" {
			t.Errorf("offsite check: %q", off)
		}
		if full := rowOf(t, checks, "전체 백업"); full[1] != "정상" || full[2] == "" || full[3] == "" {
			t.Errorf("full check: %q", full)
		}
		wantCells(t, "facility loss", rowOf(t, htmlTable(t, body, "backup-exposure"), "주 시설 상실"), "주 시설 상실", "무제한", "1시간", "초과")
		// The capability estimates take the measured exposure over the
		// records (measured beats declared); regional is measured only
		// where the primary's region is recorded, not in this fixture.
		capability := htmlTable(t, body, "capability")
		if loss := rowOf(t, capability, "주 시설 상실"); !strings.HasPrefix(loss[4], "복구 불가") || !strings.Contains(loss[5], "백업 실적(측정값, 기재값보다 우선): 이 상황에서 남는 백업 사본이 없음") {
			t.Errorf("facility loss capability: %q", loss)
		}
		if part := rowOf(t, capability, "구성요소 장애"); !strings.HasPrefix(part[4], "1시간") || !strings.Contains(part[5], "이 상황에서 남는 가장 최근 사본은 1시간") {
			t.Errorf("component capability: %q", part)
		}
		if regional := rowOf(t, capability, "광역 재난"); strings.Contains(regional[5], "백업 실적") {
			t.Errorf("regional capability measured without the primary's region: %q", regional)
		}
		runs := htmlTable(t, body, "backup-runs")
		if len(runs) != 3 || runs[1][1] != "증분" || runs[2][1] != "전체" || runs[2][3] != "성공" || runs[2][4] != "250.0" ||
			runs[2][5] != "근로복지공단 전산실 · 온라인 디스크" || runs[2][0] != fmt.Sprintf("#%d", x.fullRun) {
			t.Errorf("runs: %q", runs)
		}
		resp, file := getBytes(t, x.ts, fmt.Sprintf("/export/system/backup-runs.csv?id=%d", x.insurance.ID))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(file), "증분") {
			t.Errorf("runs.csv: %d %s", resp.StatusCode, file)
		}
		// EDI's failed run reads as failed.
		_, body = get(t, x.ts, systemHref(x.edi.ID))
		if last := rowOf(t, htmlTable(t, body, "backup-checks"), "마지막 실행"); last[1] != "실패" {
			t.Errorf("EDI's last run: %q", last)
		}
	})
}

// The page keeps what it read until something changes: a run reported and
// a system renamed after a view show at the next view, to the agency that
// viewed it and to the ministry.
func TestBackupPageFollowsChanges(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newBackupFixture(t, db)
		ministry := x.asRole(t, auth.MinistryAdmin, 0)
		ediRow := func(ts *httptest.Server, name string) []string {
			t.Helper()
			_, body := get(t, ts, "/backups")
			for _, r := range htmlTable(t, body, "compliance") {
				if r[1] == name {
					return r
				}
			}
			t.Fatalf("%s not on the page", name)
			return nil
		}
		for _, ts := range []*httptest.Server{x.ts, ministry} {
			if r := ediRow(ts, "산재보험 EDI"); !strings.HasPrefix(r[7], "실패 · ") {
				t.Fatalf("before: %q", r)
			}
		}
		ctx := access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, ID: 1, Name: "fixture"})
		now := time.Now()
		run := backup.Run{SystemID: x.edi.ID, Key: "edi-full-retry", Kind: backup.KindFull, StartedAt: now.Add(-10 * time.Minute),
			EndedAt: now.Add(-time.Minute), Result: backup.ResultSuccess, Copy: backup.Copy{FacilityID: x.kt.ID, Medium: backup.MediumOnline}}
		if _, err := x.srv.backups.Report(ctx, backup.Reporter{Scope: access.All(), Name: "fixture"}, []backup.Run{run}); err != nil {
			t.Fatal(err)
		}
		for _, ts := range []*httptest.Server{x.ts, ministry} {
			if r := ediRow(ts, "산재보험 EDI"); !strings.HasPrefix(r[3], "정상 · ") || !strings.HasPrefix(r[7], "성공 · ") {
				t.Errorf("after the full run succeeded: %q", r)
			}
		}
		err := x.srv.store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			sys, err := tx.System(ctx, x.edi.ID)
			if err != nil {
				return err
			}
			sys.Name = "산재보험 EDI 2"
			return tx.UpdateSystem(ctx, sys)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, ts := range []*httptest.Server{x.ts, ministry} {
			ediRow(ts, "산재보험 EDI 2")
		}
	})
}

// tapeReceivedAtKT takes 노동보험시스템's full run on tape to KT 목동,
// handed over an hour ago and received now.
func (x *backupFixture) tapeReceivedAtKT(t *testing.T) {
	t.Helper()
	ctx := access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, ID: 1, Name: "fixture"})
	move := &backup.Move{RunID: x.fullRun, Medium: backup.MediumTape, FromFacilityID: x.own.ID, ToFacilityID: x.kt.ID,
		HandedBy: "홍길동", HandedAt: time.Now().Add(-time.Hour)}
	if err := x.srv.backups.RecordMove(ctx, access.All(), move); err != nil {
		t.Fatal(err)
	}
	if _, err := x.srv.backups.ReceiveMove(ctx, access.All(), move.ID, "김수령", time.Now()); err != nil {
		t.Fatal(err)
	}
}

// Measured beats declared on the concentration page: a system whose
// reported runs left no copy outside its primary facility is listed among
// the copies kept at home, whatever its records say, until a copy is
// received elsewhere; an agency sees its own systems only.
func TestConcentrationListsCopiesReportedAtHome(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newBackupFixture(t, db)
		reported := func() map[string]string {
			t.Helper()
			_, body := get(t, x.ts, "/concentration")
			mustNotShow(t, "the concentration page", body, keisNames...)
			why := map[string]string{}
			for _, row := range htmlTable(t, body, "same-facility") {
				if len(row) > 4 { // an empty table has one row saying so
					why[row[0]] = row[4]
				}
			}
			return why
		}
		why := reported()
		for _, name := range []string{"노동보험시스템", "산재보험 EDI"} {
			if !strings.Contains(why[name], "백업 실적상 주 시설 밖에 사본이 없음") {
				t.Errorf("%s, every reported copy in its primary facility: %q", name, why[name])
			}
		}

		x.tapeReceivedAtKT(t)
		why = reported()
		if _, listed := why["노동보험시스템"]; listed {
			t.Errorf("노동보험시스템 still listed after its tape arrived at KT 목동: %q", why["노동보험시스템"])
		}
		if !strings.Contains(why["산재보험 EDI"], "백업 실적상") {
			t.Errorf("산재보험 EDI dropped with another system's tape: %q", why)
		}
	})
}

// The facility-loss what-if takes the reported runs too: losing its
// facility leaves 노동보험시스템 nothing, until a tape is received at KT
// 목동 — and losing both facilities at once loses that tape as well.
func TestWhatIfMeasuresStoppedSystems(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		x := newBackupFixture(t, db)
		rpo := func(query string) (estimate, why string) {
			t.Helper()
			_, body := get(t, x.ts, "/what-if?"+query)
			mustNotShow(t, "the what-if", body, keisNames...)
			for _, r := range htmlTable(t, body, "stopped") {
				if len(r) > 8 && r[1] == "노동보험시스템" {
					return r[7], r[8]
				}
			}
			t.Fatalf("노동보험시스템 not stopped by %s", query)
			return "", ""
		}
		own := fmt.Sprintf("facility=%d", x.own.ID)
		if estimate, why := rpo(own); !strings.HasPrefix(estimate, "복구 불가") || !strings.Contains(why, "백업 실적") {
			t.Errorf("losing 근로복지공단 전산실 before any copy left it: %q — %q", estimate, why)
		}
		x.tapeReceivedAtKT(t)
		if estimate, _ := rpo(own); !strings.HasPrefix(estimate, "2시간") {
			t.Errorf("losing 근로복지공단 전산실 with the tape at KT 목동: %q, want the full run's 2 hours", estimate)
		}
		if estimate, _ := rpo(own + fmt.Sprintf("&facility=%d", x.kt.ID)); !strings.HasPrefix(estimate, "복구 불가") {
			t.Errorf("losing both facilities, the tape's too: %q", estimate)
		}
	})
}
