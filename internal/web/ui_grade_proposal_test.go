package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/auth"
	"yeonsok/internal/database"
	"yeonsok/internal/grading"
	"yeonsok/internal/inventory"
	"yeonsok/internal/testdb"
)

func score(v float64) *float64 { return &v }

// gradeFixture is the UI fixture with scores on two systems: 산재보험 EDI
// (근로복지공단, grade 3) earns grade 2 with 87 points, 고용24 (the
// ministry, grade 1) earns grade 2 with 86.
func gradeFixture(t *testing.T, store *inventory.Store) *uiFixture {
	t.Helper()
	f := newUIFixture(t, store)
	ctx := context.Background()
	err := store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		f.edi.ScoreImpact, f.edi.ScoreUsers, f.edi.ScoreSpread = score(35), score(45), score(7)
		f.work24.ScoreImpact, f.work24.ScoreUsers, f.work24.ScoreSpread = score(35), score(45), score(6)
		if err := tx.UpdateSystem(ctx, f.edi); err != nil {
			return err
		}
		return tx.UpdateSystem(ctx, f.work24)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func systemGrade(t *testing.T, store *inventory.Store, id int64) int {
	t.Helper()
	s, err := store.System(context.Background(), access.All(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s.Grade
}

// An agency editor proposes a grade from the system's page; the form
// refuses what is wrong next to its field and a second pending proposal;
// neither the editor nor the agency admin may decide, the ministry admin
// does: a rejection needs a note, an approval sets the grade.
func TestGradeProposalFlow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ministryTS, srv, minister := newServerAs(t, db, auth.MinistryAdmin, 0)
		f := gradeFixture(t, srv.store)
		editorTS, _, editor := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
		adminTS, _, _ := newServerAs(t, db, auth.AgencyAdmin, f.welfare.ID)
		edi := systemHref(f.edi.ID)

		// The system's page offers the form; the list's mismatch offers it
		// with the grade the scores earn.
		status, page := get(t, editorTS, edi)
		if status != 200 || !strings.Contains(page, `href="`+edi+`/grade-proposals/new"`) {
			t.Fatalf("system page: %d, no link to propose", status)
		}
		mustContain(t, "system page", page, "점수 기준 등급", "2등급 (합계 87점)")
		checkAccessible(t, edi, page)
		_, list := get(t, editorTS, "/grade-proposals")
		wantCells(t, "mismatch row", rowOf(t, htmlTable(t, list, "mismatch"), "근로복지공단")[:5], "근로복지공단", "산재보험 EDI", "3등급", "87", "2등급")
		mustContain(t, "mismatch link", list, `href="`+edi+`/grade-proposals/new?to=2"`)
		mustNotShow(t, "an agency's mismatch list", list, "고용24")
		checkAccessible(t, "/grade-proposals", list)

		status, form := get(t, editorTS, edi+"/grade-proposals/new?to=2")
		if status != 200 || !strings.Contains(form, `<option value="2" selected>`) || !strings.Contains(form, "3등급 (현재 등급)") ||
			!strings.Contains(form, "2등급 (점수 기준)") {
			t.Fatalf("proposal form: %d\n%s", status, form)
		}
		checkAccessible(t, "proposal form", form)

		propose := func(to, reason string) (int, string, string) {
			return post(t, editorTS, edi+"/grade-proposals", url.Values{"to_grade": {to}, "reason": {reason}})
		}
		refused(t, srv.store, func() (int, string, string) { return propose("3", " ") }, http.StatusBadRequest,
			map[string]string{"to_grade": "이미 3등급입니다", "reason": "필수 항목입니다"})
		refused(t, srv.store, func() (int, string, string) { return propose("9", "x") }, http.StatusBadRequest,
			map[string]string{"to_grade": "1등급에서 4등급 가운데 하나"})

		before := version(t, srv.store)
		status, location, body := propose("2", "점수 합계 87점: 2등급 기준 충족")
		if status != http.StatusSeeOther || location != edi+"#t-grade-proposals" {
			t.Fatalf("propose: %d → %q\n%s", status, location, body)
		}
		if version(t, srv.store) != before {
			t.Error("a proposal changed the inventory's version")
		}
		_, page = get(t, editorTS, edi)
		row := htmlTable(t, page, "grade-proposals")[1]
		wantCells(t, "the proposal on the system page", row[:4], "3등급 → 2등급", "점수 합계 87점: 2등급 기준 충족", "심사 중", editor.Login+" (사용자)")
		mustContain(t, "system page with a pending proposal", page, "심사 중인 제안이 있어")
		if strings.Contains(page, `id="propose-grade"`) {
			t.Error("the page offers a second proposal while one waits")
		}
		_, _, body = propose("2", "다시")
		if !strings.Contains(body, "이미 심사 중인 등급 변경 제안이 있습니다") {
			t.Errorf("a second pending proposal is not refused in words:\n%s", body)
		}

		proposals, err := srv.grades.Proposals(context.Background(), access.All(), grading.Filter{})
		if err != nil || len(proposals) != 1 {
			t.Fatalf("proposals: %v %v", proposals, err)
		}
		id := proposals[0].ID
		approve := fmt.Sprintf("/grade-proposals/%d/approve", id)
		if status, _, _ := post(t, editorTS, approve, url.Values{}); status != http.StatusForbidden {
			t.Errorf("an agency editor approves: %d, want 403", status)
		}
		if status, _, _ := post(t, adminTS, approve, url.Values{}); status != http.StatusForbidden {
			t.Errorf("an agency admin approves: %d, want 403", status)
		}
		if strings.Contains(list, `action="`+approve+`"`) {
			t.Error("the list offers an agency editor the decision")
		}

		// The ministry admin sees the decision form; a rejection without a
		// note is refused next to it, with nothing changed.
		_, list = get(t, ministryTS, "/grade-proposals")
		mustContain(t, "decision form", list, `action="`+approve+`"`, fmt.Sprintf(`formaction="/grade-proposals/%d/reject"`, id),
			"근로복지공단 · 산재보험 EDI: 3등급 → 2등급")
		checkAccessible(t, "/grade-proposals as the ministry admin", list)
		status, location, body = post(t, ministryTS, fmt.Sprintf("/grade-proposals/%d/reject", id), url.Values{"decision_note": {" "}})
		if status != http.StatusBadRequest || location != "" {
			t.Fatalf("a rejection without a note: %d %q", status, location)
		}
		block := html.UnescapeString(body[strings.Index(body, fmt.Sprintf(`id="note-%d"`, id)):])
		if !strings.HasPrefix(block[strings.Index(block, "</textarea>"):], `</textarea>`+"\n"+`<div class="field-errors"`) ||
			!strings.Contains(block, "반려할 때는 결정 의견에 사유를 적어야 합니다") {
			t.Errorf("the note's error is not next to it:\n%.600s", block)
		}
		checkAccessible(t, "refused rejection", body)

		status, location, _ = post(t, ministryTS, approve, url.Values{"decision_note": {"행안부 협의 완료"}})
		if status != http.StatusSeeOther || location != "/grade-proposals?done=approved" {
			t.Fatalf("approve: %d → %q", status, location)
		}
		if got := systemGrade(t, srv.store, f.edi.ID); got != 2 {
			t.Errorf("grade after approval: %d, want 2", got)
		}
		if version(t, srv.store) != before+1 {
			t.Error("the approval did not move the inventory's version once")
		}
		_, list = get(t, ministryTS, "/grade-proposals?done=approved")
		mustContain(t, "after the approval", list, "제안을 승인했습니다")
		if strings.Contains(list, `action="`+approve+`"`) {
			t.Error("a decided proposal still offers its decision")
		}
		row = rowOf(t, htmlTable(t, list, "proposals"), "근로복지공단")
		if row[4] != "승인" || row[5] != editor.Login+" (사용자)" || row[6] == "" || row[7] != minister.Login+" (사용자)" ||
			row[8] == "" || row[9] != "행안부 협의 완료" {
			t.Errorf("the decided proposal: %q", row)
		}
		entries, err := audit.List(context.Background(), db, access.Agency(f.welfare.ID), audit.Filter{Kind: audit.KindGradeProposal, RecordID: id})
		if err != nil || len(entries) != 2 || entries[0].Action != audit.ActionApprove || entries[1].Action != audit.ActionCreate {
			t.Errorf("the agency's audit log of its proposal: %+v %v", entries, err)
		}

		// Approving twice is a conflict, said on the list.
		status, _, body = post(t, ministryTS, approve, url.Values{})
		if status != http.StatusConflict || !strings.Contains(body, "이미 결정된 제안입니다(승인)") {
			t.Errorf("approving twice: %d", status)
		}
	})
}

// Only whoever proposed withdraws, from the list or the system's page; an
// agency neither sees nor touches another agency's proposals, on pages or in
// exports.
func TestGradeProposalWithdrawAndScope(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ministryTS, srv, _ := newServerAs(t, db, auth.MinistryAdmin, 0)
		f := newScopeFixture(t, srv.store)
		proposerTS, _, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
		colleagueTS, _, _ := newServerAs(t, db, auth.AgencyEditor, f.welfare.ID)
		theirs := &grading.ChangeProposal{SystemID: f.work24.ID, ToGrade: 2, Reason: "하향 검토"}
		if err := srv.grades.Propose(context.Background(), access.All(), theirs); err != nil {
			t.Fatal(err)
		}
		edi := systemHref(f.edi.ID)
		if status, location, body := post(t, proposerTS, edi+"/grade-proposals", url.Values{"to_grade": {"2"}, "reason": {"상향"}}); status != http.StatusSeeOther {
			t.Fatalf("propose: %d %q\n%s", status, location, body)
		}
		mine, err := srv.grades.Proposals(context.Background(), access.Agency(f.welfare.ID), grading.Filter{})
		if err != nil || len(mine) != 1 {
			t.Fatalf("근로복지공단's proposals: %v %v", mine, err)
		}
		withdraw := fmt.Sprintf("/grade-proposals/%d/withdraw", mine[0].ID)

		for _, path := range []string{"/grade-proposals", edi} {
			_, page := get(t, proposerTS, path)
			mustContain(t, path+" to the proposer", page, `action="`+withdraw+`"`)
			_, page = get(t, colleagueTS, path)
			if strings.Contains(page, withdraw) {
				t.Errorf("%s offers a colleague the withdrawal", path)
			}
		}
		for name, ts := range map[string]*httptest.Server{"a colleague": colleagueTS, "the ministry admin": ministryTS} {
			if status, _, _ := post(t, ts, withdraw, url.Values{}); status != http.StatusForbidden {
				t.Errorf("%s withdraws: %d, want 403", name, status)
			}
		}
		status, location, _ := post(t, proposerTS, withdraw, url.Values{})
		if status != http.StatusSeeOther || location != "/grade-proposals?done=withdrawn" {
			t.Fatalf("withdraw: %d %q", status, location)
		}
		if p, _ := srv.grades.Proposal(context.Background(), access.All(), mine[0].ID); p.Status != grading.Withdrawn {
			t.Errorf("status %s after withdrawal", p.Status)
		}
		_, page := get(t, proposerTS, "/grade-proposals?done=withdrawn&status=withdrawn")
		mustContain(t, "after the withdrawal", page, "제안을 철회했습니다")
		if rows := htmlTable(t, page, "proposals"); len(rows) != 2 || rows[1][4] != "철회" {
			t.Errorf("withdrawn proposals: %q", rows)
		}

		// 한국고용정보원's proposal and system do not exist for 근로복지공단.
		for _, path := range []string{"/grade-proposals", "/export/grade-proposals/proposals.csv", "/export/grade-proposals/mismatch.csv"} {
			status, page := get(t, proposerTS, path)
			if status != 200 {
				t.Errorf("%s: %d", path, status)
			}
			mustNotShow(t, path+" to 근로복지공단", page, keisNames...)
		}
		keis := systemHref(f.work24.ID)
		if status, _ := get(t, proposerTS, keis+"/grade-proposals/new"); status != http.StatusNotFound {
			t.Errorf("the form for another agency's system: %d", status)
		}
		if status, _, _ := post(t, proposerTS, keis+"/grade-proposals", url.Values{"to_grade": {"3"}, "reason": {"x"}}); status != http.StatusNotFound {
			t.Errorf("proposing for another agency's system: %d", status)
		}
		if status, _, _ := post(t, proposerTS, fmt.Sprintf("/grade-proposals/%d/withdraw", theirs.ID), url.Values{}); status != http.StatusNotFound {
			t.Errorf("withdrawing another agency's proposal: %d", status)
		}
		if p, _ := srv.grades.Proposal(context.Background(), access.All(), theirs.ID); p.Status != grading.Pending {
			t.Errorf("another agency's proposal is %s", p.Status)
		}

		// Deleting the system takes its proposals with it.
		if status, location, body := post(t, proposerTS, edi+"/delete", url.Values{}); status != http.StatusSeeOther || location != "/systems" {
			t.Fatalf("delete a system with a proposal: %d %q\n%s", status, location, body)
		}
		if _, err := srv.grades.Proposal(context.Background(), access.All(), mine[0].ID); apperror.CodeOf(err) != apperror.NotFound {
			t.Errorf("the deleted system's proposal: %v", err)
		}
	})
}
