package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/tasks"
)

// listTasksJSON lists the tasks in scope; ?agency=, ?term= and ?status=
// narrow the list.
func (s *Server) listTasksJSON(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f tasks.Filter
	if v := q.Get("agency"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.writeError(w, r, apperror.New(apperror.Invalid, "agency", "form.invalid_choice"))
			return
		}
		f.AgencyID = id
	}
	for _, c := range []struct {
		name    string
		allowed []string
		dst     *string
	}{{"term", tasks.Terms, &f.Term}, {"status", tasks.Statuses, &f.Status}} {
		if v := q.Get(c.name); v != "" {
			if !slices.Contains(c.allowed, v) {
				s.writeError(w, r, apperror.New(apperror.Invalid, c.name, "invalid.one_of", v, strings.Join(c.allowed, ", ")))
				return
			}
			*c.dst = v
		}
	}
	list, err := s.tasks.Tasks(r.Context(), s.scope(r), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, list)
}

func (s *Server) showTaskJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "task")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	task, err := s.tasks.Task(r.Context(), s.scope(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, task)
}

// createTaskJSON creates a task written by hand. A task from a proposal is
// made by accepting the proposal, so the body's proposal_key is not taken.
func (s *Server) createTaskJSON(w http.ResponseWriter, r *http.Request) {
	var task tasks.Task
	if err := decodeJSON(r, &task); err != nil {
		s.writeError(w, r, err)
		return
	}
	task.ID, task.ProposalKey = 0, ""
	if err := s.tasks.Create(r.Context(), s.scope(r), &task); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeCreated(w, r, "tasks", task.ID, &task)
}

// updateTaskJSON replaces the task's fields with the body; a task keeps its
// agency (agency_id may be left out), its template and its proposal.
func (s *Server) updateTaskJSON(w http.ResponseWriter, r *http.Request) {
	var task tasks.Task
	if err := decodeUpdate(r, "task", &task, &task.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.tasks.Update(r.Context(), s.scope(r), &task); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, &task)
}

func (s *Server) deleteTaskJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "task")
	if err == nil {
		err = s.tasks.Delete(r.Context(), s.scope(r), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// proposalJSON is a proposal as the API shows it, its words in the
// caller's language, with the task accepting it would create.
type proposalJSON struct {
	Key         string           `json:"key"`
	Fingerprint string           `json:"fingerprint"`
	AgencyID    int64            `json:"agency_id"`
	Source      string           `json:"source"`
	Scenario    string           `json:"scenario,omitempty"`
	Measure     string           `json:"measure,omitempty"`
	Template    string           `json:"template"`
	Term        string           `json:"term"`
	Title       string           `json:"title"`
	Criterion   string           `json:"criterion"`
	Reasons     []string         `json:"reasons"`
	SystemIDs   []int64          `json:"system_ids"`
	FacilityIDs []int64          `json:"facility_ids"`
	RiskIDs     []int64          `json:"risk_ids"`
	Suggested   *tasks.Task      `json:"suggested"`
	Dismissal   *tasks.Dismissal `json:"dismissal,omitempty"`
}

func proposalsJSON(r *http.Request, list []tasks.Proposal) []proposalJSON {
	l, now := lang(r), time.Now()
	out := make([]proposalJSON, 0, len(list))
	for _, p := range list {
		reasons := make([]string, len(p.Reasons))
		for i, reason := range p.Reasons {
			reasons[i] = reason.In(l)
		}
		out = append(out, proposalJSON{Key: p.Key, Fingerprint: p.Fingerprint, AgencyID: p.AgencyID, Source: p.Source,
			Scenario: p.Scenario, Measure: p.Measure, Template: p.Template, Term: p.Term, Title: p.Title().In(l),
			Criterion: p.Criterion.In(l), Reasons: reasons, SystemIDs: p.SystemIDs, FacilityIDs: p.FacilityIDs, RiskIDs: p.RiskIDs,
			Suggested: p.Suggest(l, now), Dismissal: p.Dismissal})
	}
	return out
}

// listProposalsJSON answers an agency's proposals: {"items": the open
// ones, "dismissed": those dismissed on their present facts}.
func (s *Server) listProposalsJSON(w http.ResponseWriter, r *http.Request) {
	ap, err := s.planOfPath(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"items": proposalsJSON(r, ap.plan.Open), "dismissed": proposalsJSON(r, ap.plan.Dismissed)})
}

// planOfPath is the plan of the agency the API path names.
func (s *Server) planOfPath(r *http.Request) (*agencyPlan, error) {
	id, err := apiPathID(r, "agency")
	if err != nil {
		return nil, err
	}
	return s.loadPlan(r, id)
}

// decisionJSON is the body of a decision on a proposal: which, on which
// facts, and for a dismissal why; accepting may send the task as edited
// (its fields replace the suggested task's but for the agency, proposal
// and template).
type decisionJSON struct {
	Key         string      `json:"key"`
	Fingerprint string      `json:"fingerprint"`
	Reason      string      `json:"reason"`
	Task        *tasks.Task `json:"task"`
}

// readDecision reads a decision's body once the agency's plan is known to
// be the caller's to see; the fingerprint is what the caller decided on,
// and required.
func (s *Server) readDecision(r *http.Request) (*agencyPlan, *decisionJSON, error) {
	ap, err := s.planOfPath(r)
	if err != nil {
		return nil, nil, err
	}
	var d decisionJSON
	if err := decodeJSON(r, &d); err != nil {
		return nil, nil, err
	}
	if d.Key == "" {
		return nil, nil, apperror.New(apperror.Invalid, "key", "invalid.required")
	}
	return ap, &d, nil
}

func (s *Server) acceptProposalJSON(w http.ResponseWriter, r *http.Request) {
	ap, d, err := s.readDecision(r)
	if err == nil && d.Fingerprint == "" {
		err = apperror.New(apperror.Invalid, "fingerprint", "invalid.required")
	}
	var task *tasks.Task
	if err == nil {
		task, err = s.accept(r, ap.plan, d.Key, d.Fingerprint, d.Task)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeCreated(w, r, "tasks", task.ID, task)
}

func (s *Server) dismissProposalJSON(w http.ResponseWriter, r *http.Request) {
	ap, d, err := s.readDecision(r)
	if err == nil && d.Fingerprint == "" {
		err = apperror.New(apperror.Invalid, "fingerprint", "invalid.required")
	}
	var dismissal *tasks.Dismissal
	if err == nil {
		dismissal, err = s.dismiss(r, ap.plan, d.Key, d.Fingerprint, d.Reason)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, dismissal)
}

func (s *Server) restoreProposalJSON(w http.ResponseWriter, r *http.Request) {
	ap, d, err := s.readDecision(r)
	if err == nil {
		err = s.tasks.Restore(r.Context(), s.scope(r), ap.agency.ID, d.Key)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
