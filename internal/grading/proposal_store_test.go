package grading

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/testdb"
)

// proposalFixture is two agencies with a system each: 노사누리 (grade 2) of
// the ministry and 고용24 (grade 1) of 한국고용정보원.
type proposalFixture struct {
	db                *database.DB
	store             *Store
	inv               *inventory.Store
	ministry, keis    *inventory.Agency
	nosa, work24      *inventory.System
	editor, admin     context.Context // an agency editor of the ministry's agency, the ministry admin
	keisEditor, other context.Context // an editor of 한국고용정보원; another ministry-side person
}

func newProposalFixture(t *testing.T, db *database.DB) *proposalFixture {
	t.Helper()
	f := &proposalFixture{db: db, store: NewStore(db), inv: inventory.NewStore(db),
		ministry: &inventory.Agency{Name: "고용노동부"}, keis: &inventory.Agency{Name: "한국고용정보원"}}
	ctx := context.Background()
	err := f.inv.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		for _, a := range []*inventory.Agency{f.ministry, f.keis} {
			if err := tx.CreateAgency(ctx, a); err != nil {
				return err
			}
		}
		f.nosa = &inventory.System{AgencyID: f.ministry.ID, Name: "노사누리", Grade: 2, OwnerPrimary: "김담당"}
		f.work24 = &inventory.System{AgencyID: f.keis.ID, Name: "고용24", Grade: 1}
		for _, s := range []*inventory.System{f.nosa, f.work24} {
			if err := tx.CreateSystem(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	as := func(id int64, name string) context.Context {
		return access.WithActor(ctx, access.Actor{Kind: access.ActorUser, ID: id, Name: name})
	}
	f.editor, f.admin, f.keisEditor, f.other = as(11, "editor"), as(1, "admin"), as(12, "keis.editor"), as(13, "other.editor")
	return f
}

func (f *proposalFixture) propose(t *testing.T, ctx context.Context, sys *inventory.System, to int, reason string) *ChangeProposal {
	t.Helper()
	p := &ChangeProposal{SystemID: sys.ID, ToGrade: to, Reason: reason}
	if err := f.store.Propose(ctx, access.Agency(sys.AgencyID), p); err != nil {
		t.Fatalf("propose %s → %d: %v", sys.Name, to, err)
	}
	return p
}

func (f *proposalFixture) grade(t *testing.T, sys *inventory.System) int {
	t.Helper()
	s, err := f.inv.System(context.Background(), access.All(), sys.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s.Grade
}

func (f *proposalFixture) version(t *testing.T) int64 {
	t.Helper()
	v, err := f.inv.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// entries are the audit log's entries of kind about record id, oldest first.
func (f *proposalFixture) entries(t *testing.T, kind string, id int64) []audit.Entry {
	t.Helper()
	list, err := audit.List(context.Background(), f.db, access.All(), audit.Filter{Kind: kind, RecordID: id})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

func wantCode(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	e, ok := apperror.As(err)
	if !ok || e.Code != code || e.Field != field {
		t.Fatalf("%s: got %v, want %s on %q", what, err, code, field)
	}
	if !locale.Has(e.Key) {
		t.Errorf("%s: message %q is not in the catalogue", what, e.Key)
	}
}

// Proposing records a pending proposal against the grade of the moment,
// audited; approving sets the grade through the inventory in the same
// transaction: the inventory's version moves once, the system's change and
// the approval are both in the log, and the system is free for a new
// proposal.
func TestProposeAndApprove(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newProposalFixture(t, db)
		before := f.version(t)
		p := f.propose(t, f.editor, f.nosa, 1, "  중요도에 비해 낮은 등급 — 상향 추진\r\n(1-1 등급 조정)  ")
		if p.ID == 0 || p.Status != Pending || p.FromGrade != 2 || p.ToGrade != 1 || p.SystemName != "노사누리" ||
			p.AgencyID != f.ministry.ID || p.ProposedBy.Name != "editor" || p.ProposedAt.IsZero() || !p.DecidedAt.IsZero() {
			t.Fatalf("proposed: %+v", p)
		}
		if p.Reason != "중요도에 비해 낮은 등급 — 상향 추진\n(1-1 등급 조정)" {
			t.Errorf("reason kept as %q", p.Reason)
		}
		if f.version(t) != before {
			t.Error("a proposal moved the inventory's version: it changes no inventory record")
		}
		created := f.entries(t, audit.KindGradeProposal, p.ID)
		if len(created) != 1 || created[0].Action != audit.ActionCreate || created[0].Actor.Name != "editor" ||
			created[0].AgencyID == nil || *created[0].AgencyID != f.ministry.ID || created[0].Summary != "노사누리 2→1" {
			t.Fatalf("audit of the proposal: %+v", created)
		}

		err := f.store.Propose(f.other, access.All(), &ChangeProposal{SystemID: f.nosa.ID, ToGrade: 3, Reason: "하향"})
		wantCode(t, "a second pending proposal", err, apperror.Conflict, "system_id")

		systemEntries := len(f.entries(t, audit.KindSystem, f.nosa.ID))
		approved, err := f.store.Approve(f.admin, access.All(), p.ID, "행안부 협의 완료")
		if err != nil {
			t.Fatal(err)
		}
		if approved.Status != Approved || approved.DecidedBy.Name != "admin" || approved.DecidedAt.IsZero() ||
			approved.DecisionNote != "행안부 협의 완료" {
			t.Fatalf("approved: %+v", approved)
		}
		if got := f.grade(t, f.nosa); got != 1 {
			t.Errorf("grade after approval: %d, want 1", got)
		}
		if got := f.version(t); got != before+1 {
			t.Errorf("version %d after approval, want %d", got, before+1)
		}
		sys := f.entries(t, audit.KindSystem, f.nosa.ID)
		if len(sys) != systemEntries+1 {
			t.Fatalf("system entries: %d, want %d", len(sys), systemEntries+1)
		}
		last := sys[len(sys)-1]
		var was, is inventory.System
		json.Unmarshal(last.Before, &was)
		json.Unmarshal(last.After, &is)
		if last.Action != audit.ActionUpdate || last.Actor.Name != "admin" || was.Grade != 2 || is.Grade != 1 || is.OwnerPrimary != "김담당" {
			t.Errorf("the system's change in the log: %s by %s, grade %d → %d, owner %q", last.Action, last.Actor.Name, was.Grade, is.Grade, is.OwnerPrimary)
		}
		decided := f.entries(t, audit.KindGradeProposal, p.ID)
		if len(decided) != 2 || decided[1].Action != audit.ActionApprove || last.Seq != decided[1].Seq+1 {
			t.Fatalf("audit of the approval: %+v (system entry %d)", decided, last.Seq)
		}
		var afterRec ChangeProposal
		json.Unmarshal(decided[1].After, &afterRec)
		if afterRec.Status != Approved {
			t.Errorf("the log's record after approval: %+v", afterRec)
		}

		_, err = f.store.Approve(f.admin, access.All(), p.ID, "")
		wantCode(t, "approving twice", err, apperror.Conflict, "")
		if got := f.version(t); got != before+1 {
			t.Errorf("a refused approval moved the version to %d", got)
		}
		// Decided, it no longer blocks a new proposal.
		f.propose(t, f.editor, f.nosa, 2, "재검토")
	})
}

// A proposal made against grade 2 is not approved once someone set grade 3:
// nothing changes, and it stays pending for its proposer to withdraw.
func TestApproveRefusedWhenTheGradeMoved(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newProposalFixture(t, db)
		p := f.propose(t, f.editor, f.nosa, 1, "상향")
		ctx := context.Background()
		err := f.inv.Update(ctx, access.All(), func(tx *inventory.Tx) error {
			s, err := tx.System(ctx, f.nosa.ID)
			if err != nil {
				return err
			}
			s.Grade = 3
			return tx.UpdateSystem(ctx, s)
		})
		if err != nil {
			t.Fatal(err)
		}
		before, entries := f.version(t), len(f.entries(t, audit.KindSystem, f.nosa.ID))
		_, err = f.store.Approve(f.admin, access.All(), p.ID, "")
		wantCode(t, "approving a stale proposal", err, apperror.Conflict, "")
		if e, _ := apperror.As(err); e.Key != "grades.conflict.stale" {
			t.Errorf("key %s", e.Key)
		}
		if f.grade(t, f.nosa) != 3 || f.version(t) != before || len(f.entries(t, audit.KindSystem, f.nosa.ID)) != entries {
			t.Error("a refused approval changed something")
		}
		if got, _ := f.store.Proposal(ctx, access.All(), p.ID); got.Status != Pending {
			t.Errorf("status %s after a refused approval", got.Status)
		}
		if _, err := f.store.Withdraw(f.editor, access.Agency(f.ministry.ID), p.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// A rejection says why; it changes no grade and no inventory version.
func TestRejectNeedsANote(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newProposalFixture(t, db)
		p := f.propose(t, f.keisEditor, f.work24, 2, "중요도에 비해 높은 등급 — 하향 검토")
		before := f.version(t)
		_, err := f.store.Reject(f.admin, access.All(), p.ID, " ")
		wantCode(t, "a rejection without a note", err, apperror.Invalid, "decision_note")
		if got, _ := f.store.Proposal(context.Background(), access.All(), p.ID); got.Status != Pending {
			t.Fatalf("status %s after a refused rejection", got.Status)
		}
		rejected, err := f.store.Reject(f.admin, access.All(), p.ID, "대국민 서비스: 1등급 유지")
		if err != nil {
			t.Fatal(err)
		}
		if rejected.Status != Rejected || rejected.DecisionNote != "대국민 서비스: 1등급 유지" || rejected.DecidedBy.Name != "admin" {
			t.Errorf("rejected: %+v", rejected)
		}
		if f.grade(t, f.work24) != 1 || f.version(t) != before {
			t.Error("a rejection changed the inventory")
		}
		log := f.entries(t, audit.KindGradeProposal, p.ID)
		if len(log) != 2 || log[1].Action != audit.ActionReject || *log[1].AgencyID != f.keis.ID {
			t.Errorf("audit of the rejection: %+v", log)
		}
	})
}

// Only the proposer withdraws, and only while the proposal waits.
func TestWithdraw(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newProposalFixture(t, db)
		p := f.propose(t, f.editor, f.nosa, 1, "상향")
		_, err := f.store.Withdraw(f.other, access.All(), p.ID)
		wantCode(t, "withdrawn by someone else", err, apperror.Forbidden, "")
		withdrawn, err := f.store.Withdraw(f.editor, access.Agency(f.ministry.ID), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if withdrawn.Status != Withdrawn || withdrawn.DecidedBy.Name != "editor" {
			t.Errorf("withdrawn: %+v", withdrawn)
		}
		_, err = f.store.Approve(f.admin, access.All(), p.ID, "")
		wantCode(t, "approving a withdrawn proposal", err, apperror.Conflict, "")
		if f.grade(t, f.nosa) != 2 {
			t.Error("a withdrawn proposal was applied")
		}
	})
}

// An agency sees and proposes for its own systems only; another agency's
// proposal does not exist for it, and only the ministry decides.
func TestProposalScope(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newProposalFixture(t, db)
		mine := f.propose(t, f.editor, f.nosa, 1, "상향")
		theirs := f.propose(t, f.keisEditor, f.work24, 2, "하향")
		keis := access.Agency(f.keis.ID)
		ctx := f.keisEditor

		list, err := f.store.Proposals(ctx, keis, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != theirs.ID {
			t.Errorf("한국고용정보원 lists %+v", list)
		}
		if list, _ := f.store.Proposals(ctx, keis, Filter{SystemID: f.nosa.ID}); len(list) != 0 {
			t.Errorf("한국고용정보원 lists another agency's system's proposals: %+v", list)
		}
		_, err = f.store.Proposal(ctx, keis, mine.ID)
		wantCode(t, "reading another agency's proposal", err, apperror.NotFound, "")
		_, err = f.store.Withdraw(ctx, keis, mine.ID)
		wantCode(t, "withdrawing another agency's proposal", err, apperror.NotFound, "")
		err = f.store.Propose(ctx, keis, &ChangeProposal{SystemID: f.nosa.ID, ToGrade: 3, Reason: "x"})
		wantCode(t, "proposing for another agency's system", err, apperror.Invalid, "system_id")
		err = f.store.Propose(ctx, keis, &ChangeProposal{SystemID: 999999, ToGrade: 3, Reason: "x"})
		wantCode(t, "proposing for no system", err, apperror.Invalid, "system_id")
		_, err = f.store.Approve(ctx, keis, theirs.ID, "")
		wantCode(t, "an agency approving", err, apperror.Forbidden, "")
		_, err = f.store.Reject(ctx, keis, theirs.ID, "no")
		wantCode(t, "an agency rejecting", err, apperror.Forbidden, "")
		if f.grade(t, f.work24) != 1 {
			t.Error("an agency's approval changed the grade")
		}
		// The ministry's reader of the log sees both; the agency's only its own.
		entries, err := audit.List(context.Background(), db, keis, audit.Filter{Kind: audit.KindGradeProposal})
		if err != nil || len(entries) != 1 || *entries[0].RecordID != theirs.ID {
			t.Errorf("한국고용정보원 reads entries %+v (%v)", entries, err)
		}
	})
}

// The list puts what waits for a decision first, oldest first, then the
// decided ones, newest first, and filters by status.
func TestProposalsOrderAndFilter(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newProposalFixture(t, db)
		first := f.propose(t, f.editor, f.nosa, 1, "상향")
		if _, err := f.store.Reject(f.admin, access.All(), first.ID, "보류"); err != nil {
			t.Fatal(err)
		}
		second := f.propose(t, f.editor, f.nosa, 3, "하향")
		third := f.propose(t, f.keisEditor, f.work24, 2, "하향")
		if _, err := f.store.Approve(f.admin, access.All(), third.ID, ""); err != nil {
			t.Fatal(err)
		}
		fourth := f.propose(t, f.keisEditor, f.work24, 1, "상향")
		ids := func(filter Filter) []int64 {
			list, err := f.store.Proposals(context.Background(), access.All(), filter)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, p := range list {
				out = append(out, p.ID)
			}
			return out
		}
		want := []int64{second.ID, fourth.ID, third.ID, first.ID}
		if got := ids(Filter{}); !slices.Equal(got, want) {
			t.Errorf("order %v, want %v", got, want)
		}
		if got := ids(Filter{Status: Rejected}); len(got) != 1 || got[0] != first.ID {
			t.Errorf("rejected: %v", got)
		}
		if got := ids(Filter{Status: Pending, SystemID: f.work24.ID}); !slices.Equal(got, []int64{fourth.ID}) {
			t.Errorf("pending of 고용24: %v", got)
		}
	})
}

// A system's proposals go before it, each deletion audited; without that
// the database refuses to delete the system. An agency cannot delete
// another agency's system's proposals.
func TestDeleteProposalsOf(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newProposalFixture(t, db)
		first := f.propose(t, f.editor, f.nosa, 1, "상향")
		if _, err := f.store.Reject(f.admin, access.All(), first.ID, "보류"); err != nil {
			t.Fatal(err)
		}
		second := f.propose(t, f.editor, f.nosa, 3, "하향")
		theirs := f.propose(t, f.keisEditor, f.work24, 2, "하향")
		ctx := context.Background()
		err := f.inv.Update(ctx, access.All(), func(tx *inventory.Tx) error { return tx.DeleteSystem(ctx, f.nosa.ID) })
		wantCode(t, "deleting a system with proposals", err, apperror.Conflict, "")

		err = f.inv.Update(f.editor, access.Agency(f.ministry.ID), func(tx *inventory.Tx) error {
			return DeleteProposalsOf(f.editor, tx, f.work24.ID)
		})
		wantCode(t, "deleting another agency's proposals", err, apperror.NotFound, "")
		if _, err := f.store.Proposal(ctx, access.All(), theirs.ID); err != nil {
			t.Fatalf("another agency's proposal is gone: %v", err)
		}

		err = f.inv.Update(f.editor, access.Agency(f.ministry.ID), func(tx *inventory.Tx) error {
			if err := DeleteProposalsOf(f.editor, tx, f.nosa.ID); err != nil {
				return err
			}
			return tx.DeleteSystem(f.editor, f.nosa.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []*ChangeProposal{first, second} {
			log := f.entries(t, audit.KindGradeProposal, p.ID)
			last := log[len(log)-1]
			if last.Action != audit.ActionDelete || last.After != nil || last.Actor.Name != "editor" || *last.AgencyID != f.ministry.ID {
				t.Errorf("the deletion of proposal %d in the log: %+v", p.ID, last)
			}
		}
		if list, _ := f.store.Proposals(ctx, access.All(), Filter{}); len(list) != 1 || list[0].ID != theirs.ID {
			t.Errorf("proposals left: %+v", list)
		}
	})
}

// An approval and a withdrawal at once: exactly one lands, the other is
// told the proposal is decided, and the grade agrees with the one that
// landed.
func TestDecisionsAtOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := newProposalFixture(t, db)
		for round := range 5 {
			before := f.grade(t, f.nosa)
			p := f.propose(t, f.editor, f.nosa, before%4+1, "경합")
			var approveErr, withdrawErr error
			var wg sync.WaitGroup
			wg.Go(func() { _, approveErr = f.store.Approve(f.admin, access.All(), p.ID, "") })
			wg.Go(func() { _, withdrawErr = f.store.Withdraw(f.editor, access.Agency(f.ministry.ID), p.ID) })
			wg.Wait()
			if (approveErr == nil) == (withdrawErr == nil) {
				t.Fatalf("round %d: approve %v, withdraw %v: want exactly one to land", round, approveErr, withdrawErr)
			}
			for _, err := range []error{approveErr, withdrawErr} {
				if err != nil && apperror.CodeOf(err) != apperror.Conflict {
					t.Fatalf("round %d: the loser got %v, want a conflict", round, err)
				}
			}
			want := before
			if approveErr == nil {
				want = p.ToGrade
			}
			if got := f.grade(t, f.nosa); got != want {
				t.Fatalf("round %d: grade %d, want %d", round, got, want)
			}
		}
	})
}
