package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/grading"
)

// listGradeProposalsJSON lists the proposals in scope, pending first,
// narrowed by ?status=pending|approved|rejected|withdrawn and ?system=ID.
func (s *Server) listGradeProposalsJSON(w http.ResponseWriter, r *http.Request) {
	var f grading.Filter
	q := r.URL.Query()
	if v := q.Get("status"); v != "" {
		if !slices.Contains(grading.Statuses, v) {
			s.writeError(w, r, apperror.New(apperror.Invalid, "status", "grades.api.filter_status", v))
			return
		}
		f.Status = v
	}
	if v := q.Get("system"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.writeError(w, r, apperror.New(apperror.Invalid, "system", "api.filter.id", v))
			return
		}
		f.SystemID = id
	}
	list, err := s.grades.Proposals(r.Context(), s.scope(r), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, list)
}

func (s *Server) showGradeProposalJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "grade_proposal")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.grades.Proposal(r.Context(), s.scope(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, p)
}

// gradeProposalInput is what a caller sends to propose a grade.
type gradeProposalInput struct {
	SystemID int64  `json:"system_id"`
	ToGrade  int    `json:"to_grade"`
	Reason   string `json:"reason"`
}

// createGradeProposalJSON proposes a grade for a system in the caller's
// scope: {"system_id":…, "to_grade":1-4, "reason":"…"}.
func (s *Server) createGradeProposalJSON(w http.ResponseWriter, r *http.Request) {
	var in gradeProposalInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := &grading.ChangeProposal{SystemID: in.SystemID, ToGrade: in.ToGrade, Reason: in.Reason}
	if err := s.grades.Propose(r.Context(), s.scope(r), p); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeCreated(w, r, "grade-proposals", p.ID, p)
}

// gradeDecision is a decision the store takes on a proposal: Approve,
// Reject, or Withdraw (which takes no note).
type gradeDecision func(ctx context.Context, scope access.Scope, id int64, note string) (*grading.ChangeProposal, error)

// gradeDecisionInput is the body of an approval or a rejection; a
// rejection needs its note.
type gradeDecisionInput struct {
	DecisionNote string `json:"decision_note"`
}

func (s *Server) approveGradeProposalJSON(w http.ResponseWriter, r *http.Request) {
	s.decideGradeProposalJSON(w, r, s.grades.Approve)
}

func (s *Server) rejectGradeProposalJSON(w http.ResponseWriter, r *http.Request) {
	s.decideGradeProposalJSON(w, r, s.grades.Reject)
}

// decideGradeProposalJSON takes a decision on the proposal at the path with
// the body's note, and answers the proposal as decided.
func (s *Server) decideGradeProposalJSON(w http.ResponseWriter, r *http.Request, decide gradeDecision) {
	id, err := apiPathID(r, "grade_proposal")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in gradeDecisionInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := decide(r.Context(), s.scope(r), id, in.DecisionNote)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, p)
}
