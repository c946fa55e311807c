package grading

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
)

// Store keeps grade-change proposals. A proposal belongs to its system's
// agency: every read and write takes an access.Scope, and another agency's
// proposal is not found. Every change is recorded in the audit log in its
// own transaction.
//
// Approving sets the grade through the inventory's own update path
// (inventory.Store.Update and Tx.UpdateSystem), with the proposal's change
// written in that same transaction (Tx.Alongside): the grade, the
// inventory's version and both audit entries land together or not at all.
// Proposing, rejecting and withdrawing change no inventory record, so they
// run in a transaction of their own and leave the inventory's version (and
// every figure cached on it) alone.
type Store struct {
	db        *database.DB
	inventory *inventory.Store
}

// NewStore returns a store on db.
func NewStore(db *database.DB) *Store {
	return &Store{db: db, inventory: inventory.NewStore(db)}
}

// Filter narrows a listing; zero fields do not filter.
type Filter struct {
	Status   string
	SystemID int64
}

const proposalColumns = `p.id, p.system_id, s.name, s.agency_id, p.from_grade, p.to_grade, p.reason, p.status,
	p.proposed_by_kind, p.proposed_by_id, p.proposed_by_name, p.proposed_at,
	p.decided_by_kind, p.decided_by_id, p.decided_by_name, p.decided_at, p.decision_note`

func scanProposal(row interface{ Scan(...any) error }) (*ChangeProposal, error) {
	var p ChangeProposal
	var from sql.NullInt64
	var proposedAt string
	var decidedAt sql.NullString
	err := row.Scan(&p.ID, &p.SystemID, &p.SystemName, &p.AgencyID, &from, &p.ToGrade, &p.Reason, &p.Status,
		&p.ProposedBy.Kind, &p.ProposedBy.ID, &p.ProposedBy.Name, &proposedAt,
		&p.DecidedBy.Kind, &p.DecidedBy.ID, &p.DecidedBy.Name, &decidedAt, &p.DecisionNote)
	if err != nil {
		return nil, err
	}
	p.FromGrade = int(from.Int64)
	p.ProposedAt = database.ParseTime(proposedAt)
	if decidedAt.Valid {
		p.DecidedAt = database.ParseTime(decidedAt.String)
	}
	return &p, nil
}

// Proposals lists the proposals in scope that match f: those waiting for a
// decision first, oldest first as a queue is worked, then the decided ones,
// newest first.
func (s *Store) Proposals(ctx context.Context, scope access.Scope, f Filter) ([]*ChangeProposal, error) {
	var args []any
	conds := []string{scope.Where("s.agency_id", &args)}
	if f.Status != "" {
		args = append(args, f.Status)
		conds = append(conds, fmt.Sprintf("p.status = $%d", len(args)))
	}
	if f.SystemID != 0 {
		args = append(args, f.SystemID)
		conds = append(conds, fmt.Sprintf("p.system_id = $%d", len(args)))
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+proposalColumns+` FROM grade_proposals p JOIN systems s ON s.id = p.system_id
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY CASE p.status WHEN 'pending' THEN 0 ELSE 1 END, CASE p.status WHEN 'pending' THEN p.id ELSE -p.id END`, args...)
	if err != nil {
		return nil, fmt.Errorf("grading: list proposals: %w", err)
	}
	defer rows.Close()
	var list []*ChangeProposal
	for rows.Next() {
		p, err := scanProposal(rows)
		if err != nil {
			return nil, fmt.Errorf("grading: scan proposal: %w", err)
		}
		list = append(list, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("grading: list proposals: %w", err)
	}
	return list, nil
}

// Proposal fetches one proposal visible in scope.
func (s *Store) Proposal(ctx context.Context, scope access.Scope, id int64) (*ChangeProposal, error) {
	return getProposal(ctx, s.db.Read, scope, id)
}

func getProposal(ctx context.Context, q audit.Querier, scope access.Scope, id int64) (*ChangeProposal, error) {
	args := []any{id}
	p, err := scanProposal(q.QueryRowContext(ctx, `SELECT `+proposalColumns+` FROM grade_proposals p JOIN systems s ON s.id = p.system_id
		WHERE p.id = $1 AND `+scope.Where("s.agency_id", &args), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperror.New(apperror.NotFound, "", "not_found.grade_proposal")
	}
	if err != nil {
		return nil, fmt.Errorf("grading: get proposal %d: %w", id, err)
	}
	return p, nil
}

// Propose records p — its SystemID, ToGrade and Reason — as a pending
// proposal by access.ActorFrom(ctx), against the system's grade now, and
// fills in the rest. The system must be in scope; a system that already
// has a pending proposal takes no second one.
func (s *Store) Propose(ctx context.Context, scope access.Scope, p *ChangeProposal) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var agencyID int64
		var grade sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT agency_id, grade FROM systems WHERE id = $1`, p.SystemID).Scan(&agencyID, &grade)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !scope.Allows(agencyID)) {
			return apperror.New(apperror.Invalid, "system_id", "invalid.unknown_system", p.SystemID)
		}
		if err != nil {
			return fmt.Errorf("grading: look up system %d: %w", p.SystemID, err)
		}
		p.FromGrade, p.Reason = int(grade.Int64), strings.TrimSpace(strings.ReplaceAll(p.Reason, "\r\n", "\n"))
		if err := p.Check().Err(); err != nil {
			return err
		}
		var from any
		if p.FromGrade != 0 {
			from = p.FromGrade
		}
		by := access.ActorFrom(ctx)
		err = tx.QueryRowContext(ctx, `INSERT INTO grade_proposals (system_id, from_grade, to_grade, reason, status,
			proposed_by_kind, proposed_by_id, proposed_by_name, proposed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			p.SystemID, from, p.ToGrade, p.Reason, Pending, by.Kind, by.ID, by.Name, database.Now()).Scan(&p.ID)
		if database.IsUniqueViolation(err) {
			return apperror.New(apperror.Conflict, "system_id", "grades.conflict.pending")
		}
		if err != nil {
			return fmt.Errorf("grading: add proposal: %w", err)
		}
		stored, err := getProposal(ctx, tx, access.All(), p.ID)
		if err != nil {
			return err
		}
		*p = *stored
		log := audit.NewAppender(tx)
		if err := record(ctx, log, audit.ActionCreate, nil, stored); err != nil {
			return err
		}
		return log.Flush(ctx)
	})
}

// Approve sets the proposed grade on the system and marks the proposal
// approved by access.ActorFrom(ctx), with note (which may be empty), in one
// transaction. Only the ministry decides. It is refused when the proposal
// is no longer pending, or when the system's grade is no longer the one it
// was made against.
func (s *Store) Approve(ctx context.Context, scope access.Scope, id int64, note string) (*ChangeProposal, error) {
	if !scope.IsAll() {
		return nil, apperror.New(apperror.Forbidden, "", "forbidden.ministry_only")
	}
	var decided *ChangeProposal
	err := s.inventory.Update(ctx, scope, func(tx *inventory.Tx) error {
		var p *ChangeProposal
		err := tx.Alongside(func(q audit.Querier, _ *audit.Appender) error {
			var err error
			p, err = getProposal(ctx, q, scope, id)
			return err
		})
		if err != nil {
			return err
		}
		if err := p.checkDecision(Approved, note); err != nil {
			return err
		}
		sys, err := tx.System(ctx, p.SystemID)
		if err != nil {
			return err
		}
		if err := p.checkStill(sys.Grade); err != nil {
			return err
		}
		// The proposal's row is taken before the system's change reaches
		// the audit log, in the order a rejection or a withdrawal takes
		// them (proposal, then log), so that on PostgreSQL two decisions
		// at once wait for each other rather than deadlock.
		err = tx.Alongside(func(q audit.Querier, log *audit.Appender) error {
			decided, err = decide(ctx, q, log, p, Approved, note)
			return err
		})
		if err != nil {
			return err
		}
		sys.Grade = p.ToGrade
		if err := tx.UpdateSystem(ctx, sys); err != nil {
			return fmt.Errorf("grading: set the grade of system %d: %w", sys.ID, err)
		}
		return nil
	})
	return decided, err
}

// Reject marks the proposal rejected by access.ActorFrom(ctx); note says
// why and is required. Only the ministry decides.
func (s *Store) Reject(ctx context.Context, scope access.Scope, id int64, note string) (*ChangeProposal, error) {
	if !scope.IsAll() {
		return nil, apperror.New(apperror.Forbidden, "", "forbidden.ministry_only")
	}
	return s.close(ctx, scope, id, Rejected, note, nil)
}

// Withdraw marks a pending proposal withdrawn; only whoever proposed it
// may.
func (s *Store) Withdraw(ctx context.Context, scope access.Scope, id int64) (*ChangeProposal, error) {
	return s.close(ctx, scope, id, Withdrawn, "", func(p *ChangeProposal) error {
		if !p.IsProposer(access.ActorFrom(ctx)) {
			return apperror.New(apperror.Forbidden, "", "grades.forbidden.not_proposer")
		}
		return nil
	})
}

// close decides a proposal without touching its system: a rejection or a
// withdrawal, after allowed (when given) has agreed.
func (s *Store) close(ctx context.Context, scope access.Scope, id int64, status, note string, allowed func(*ChangeProposal) error) (*ChangeProposal, error) {
	var decided *ChangeProposal
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		p, err := getProposal(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if allowed != nil {
			if err := allowed(p); err != nil {
				return err
			}
		}
		if err := p.checkDecision(status, note); err != nil {
			return err
		}
		log := audit.NewAppender(tx)
		if decided, err = decide(ctx, tx, log, p, status, note); err != nil {
			return err
		}
		return log.Flush(ctx)
	})
	return decided, err
}

// decide writes the decision on p, read earlier in the transaction. The
// update holds only while p is still pending, so that of two decisions
// made at once (an approval and a withdrawal) the second finds it decided.
func decide(ctx context.Context, q audit.Querier, log *audit.Appender, p *ChangeProposal, status, note string) (*ChangeProposal, error) {
	by := access.ActorFrom(ctx)
	res, err := q.ExecContext(ctx, `UPDATE grade_proposals SET status = $1, decided_by_kind = $2, decided_by_id = $3,
		decided_by_name = $4, decided_at = $5, decision_note = $6 WHERE id = $7 AND status = $8`,
		status, by.Kind, by.ID, by.Name, database.Now(), strings.TrimSpace(strings.ReplaceAll(note, "\r\n", "\n")), p.ID, Pending)
	if err != nil {
		return nil, fmt.Errorf("grading: decide proposal %d: %w", p.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("grading: decide proposal %d: %w", p.ID, err)
	}
	after, err := getProposal(ctx, q, access.All(), p.ID)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, apperror.New(apperror.Conflict, "", "grades.conflict.decided", statusKey(after.Status))
	}
	action := map[string]string{Approved: audit.ActionApprove, Rejected: audit.ActionReject, Withdrawn: audit.ActionWithdraw}[status]
	return after, record(ctx, log, action, p, after)
}

// DeleteProposalsOf removes the proposals of a system that tx is about to
// delete, each as a deletion of its own in the audit log, as the inventory
// removes a deleted system's dependencies: the system's grade history goes
// with it visibly rather than vanishing. (The database refuses to delete a
// system that still has proposals, so a path that forgets this fails
// rather than losing them.) A system outside tx's scope is not found.
func DeleteProposalsOf(ctx context.Context, tx *inventory.Tx, systemID int64) error {
	if _, err := tx.System(ctx, systemID); err != nil {
		return err
	}
	return tx.Alongside(func(q audit.Querier, log *audit.Appender) error {
		// Every row is taken first, before the log is: a withdrawal at the
		// same time takes its row, then the log, and must not hold one the
		// other needs.
		if _, err := q.ExecContext(ctx, `UPDATE grade_proposals SET id = id WHERE system_id = $1`, systemID); err != nil {
			return fmt.Errorf("grading: take the proposals of system %d: %w", systemID, err)
		}
		var gone []*ChangeProposal
		for last := int64(0); ; {
			err := q.QueryRowContext(ctx, `SELECT id FROM grade_proposals WHERE system_id = $1 AND id > $2 ORDER BY id LIMIT 1`,
				systemID, last).Scan(&last)
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			if err != nil {
				return fmt.Errorf("grading: proposals of system %d: %w", systemID, err)
			}
			p, err := getProposal(ctx, q, access.All(), last)
			if err != nil {
				return err
			}
			gone = append(gone, p)
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM grade_proposals WHERE system_id = $1`, systemID); err != nil {
			return fmt.Errorf("grading: delete the proposals of system %d: %w", systemID, err)
		}
		for _, p := range gone {
			if err := record(ctx, log, audit.ActionDelete, p, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// record appends a change of a proposal to the audit log: the proposal
// before (nil for a new one) and after (nil for a deleted one). Its
// system's agency may read the entry, which names the system and the
// change of grade.
func record(ctx context.Context, log *audit.Appender, action string, before, after *ChangeProposal) error {
	p := after
	if p == nil {
		p = before
	}
	e := &audit.Entry{Action: action, Kind: audit.KindGradeProposal, RecordID: &p.ID, AgencyID: &p.AgencyID,
		Summary: fmt.Sprintf("%s %s→%d", p.SystemName, gradeText(p.FromGrade), p.ToGrade)}
	var err error
	if before != nil {
		if e.Before, err = json.Marshal(before); err != nil {
			return fmt.Errorf("grading: proposal %d as JSON: %w", p.ID, err)
		}
	}
	if after != nil {
		if e.After, err = json.Marshal(after); err != nil {
			return fmt.Errorf("grading: proposal %d as JSON: %w", p.ID, err)
		}
	}
	return log.Append(ctx, e)
}

// gradeText is a grade in an audit summary, which is in no one language:
// "2", or "-" for none.
func gradeText(grade int) string {
	if grade == 0 {
		return "-"
	}
	return fmt.Sprint(grade)
}
