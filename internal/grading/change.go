package grading

import (
	"strings"
	"time"
	"unicode/utf16"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

// Statuses of a grade-change proposal. A proposal waits (pending) until a
// ministry admin approves or rejects it, or its proposer withdraws it; a
// decided proposal never changes again.
const (
	Pending   = "pending"
	Approved  = "approved"
	Rejected  = "rejected"
	Withdrawn = "withdrawn"
)

// Statuses lists them in the order a filter offers them.
var Statuses = []string{Pending, Approved, Rejected, Withdrawn}

// ChangeProposal is a proposal to change one system's grade, as the plan
// proposes 노사누리 2→1 (1-1 등급 조정). It is not a scoring Proposal: people
// propose it, with a reason, and the ministry decides.
type ChangeProposal struct {
	ID       int64 `json:"id"`
	SystemID int64 `json:"system_id"`
	// SystemName and AgencyID are the system's, read with the proposal.
	SystemName string `json:"system_name"`
	AgencyID   int64  `json:"agency_id"`
	// FromGrade is the system's grade when the proposal was made (0: none
	// recorded); ToGrade is the grade proposed.
	FromGrade  int          `json:"from_grade"`
	ToGrade    int          `json:"to_grade"`
	Reason     string       `json:"reason"`
	Status     string       `json:"status"`
	ProposedBy access.Actor `json:"proposed_by"`
	ProposedAt time.Time    `json:"proposed_at"`
	// DecidedBy and DecidedAt are who approved, rejected or withdrew it,
	// and when; zero while it waits.
	DecidedBy    access.Actor `json:"decided_by,omitzero"`
	DecidedAt    time.Time    `json:"decided_at,omitzero"`
	DecisionNote string       `json:"decision_note"`
}

// maxText is the longest reason or note: one spreadsheet cell, as every
// long text of the inventory.
const maxText = inventory.MaxLongText

// Check validates a new proposal, whose FromGrade is the system's grade
// now: a grade from 1 to 4 other than the current one, and a reason.
func (p *ChangeProposal) Check() inventory.Problems {
	var problems inventory.Problems
	add := func(field, key string, args ...any) {
		problems = append(problems, apperror.New(apperror.Invalid, field, key, args...))
	}
	switch {
	case p.ToGrade < 1 || p.ToGrade > 4:
		add("to_grade", "grades.invalid.to_grade")
	case p.ToGrade == p.FromGrade:
		add("to_grade", "grades.invalid.same_grade", gradeKey(p.FromGrade))
	}
	if strings.TrimSpace(p.Reason) == "" {
		add("reason", "invalid.required")
	} else if tooLong(p.Reason) {
		add("reason", "invalid.too_long", maxText)
	}
	return problems
}

// checkDecision says whether the proposal may take status (Approved,
// Rejected or Withdrawn) with note: only a pending proposal is decided, a
// rejection says why, and no note is longer than a reason may be.
func (p *ChangeProposal) checkDecision(status, note string) error {
	if p.Status != Pending {
		return apperror.New(apperror.Conflict, "", "grades.conflict.decided", statusKey(p.Status))
	}
	switch {
	case status == Rejected && strings.TrimSpace(note) == "":
		return apperror.New(apperror.Invalid, "decision_note", "grades.invalid.note_required")
	case tooLong(note):
		return apperror.New(apperror.Invalid, "decision_note", "invalid.too_long", maxText)
	}
	return nil
}

// checkStill refuses to approve a proposal made against another grade than
// the system has now (current): someone changed the grade since, and the
// proposal must be made again against the new one.
func (p *ChangeProposal) checkStill(current int) error {
	if current != p.FromGrade {
		return apperror.New(apperror.Conflict, "", "grades.conflict.stale",
			gradeKey(p.FromGrade), gradeKey(current))
	}
	return nil
}

// IsProposer reports whether a is who proposed p — the same person, token
// or tool — and so may withdraw it.
func (p *ChangeProposal) IsProposer(a access.Actor) bool {
	by := p.ProposedBy
	return a.Kind == by.Kind && a.ID == by.ID && a.Name == by.Name
}

// tooLong counts characters as a spreadsheet does (UTF-16 units), as the
// inventory's limits do.
func tooLong(text string) bool {
	n := 0
	for _, r := range text {
		n += utf16.RuneLen(r)
	}
	return n > maxText
}

func statusKey(status string) locale.Key { return locale.Key("grades.status." + status) }

func gradeKey(grade int) locale.Key { return locale.Key("grade." + inventory.GradeKey(grade)) }
