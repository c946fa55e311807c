package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/locale"
	"yeonsok/internal/monitor"
)

// The monitoring API (issue 5): the live state, the checks' settings,
// uptime and interruptions of a system, maintenance windows and agents for
// people and scripts; and the two routes agents call.

// DefaultUptimeDays is the period uptime covers when the caller names none.
const DefaultUptimeDays = 30

// period reads ?from= and ?to= (dates, KST, both days included) as the
// half-open [from, to); without them the last DefaultUptimeDays to now.
func period(q url.Values, now time.Time) (from, to time.Time, err error) {
	to, from = now, now.AddDate(0, 0, -DefaultUptimeDays)
	for _, p := range []struct {
		name string
		dst  *time.Time
		days int // the day after, for an end
	}{{"from", &from, 0}, {"to", &to, 1}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		day, err := time.ParseInLocation(time.DateOnly, v, locale.KST)
		if err != nil {
			return from, to, apperror.New(apperror.Invalid, p.name, "monitor.invalid.date", v)
		}
		*p.dst = day.AddDate(0, 0, p.days)
	}
	if !to.After(from) {
		return from, to, apperror.New(apperror.Invalid, "to", "monitor.invalid.period")
	}
	return from, to, nil
}

// queryID reads an optional positive id from ?name=; zero when absent.
func queryID(q url.Values, name string) (int64, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperror.New(apperror.Invalid, name, "api.filter.id", v)
	}
	return id, nil
}

// listStatusJSON answers the live state of every check in scope (?system=
// for one system's), as the Watcher holds it.
func (s *Server) listStatusJSON(w http.ResponseWriter, r *http.Request) {
	systemID, err := queryID(r.URL.Query(), "system")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var list []monitor.CheckStatus
	switch {
	case s.watcher == nil:
	case systemID != 0:
		list = s.watcher.SystemStatuses(s.scope(r), systemID)
	default:
		list = s.watcher.Statuses(s.scope(r), false)
	}
	writeItems(s, w, r, list)
}

// listChecksJSON lists the checks of ?system= with their settings as
// stored (inactive ones too), or without it every active check in scope as
// it runs, defaults applied.
func (s *Server) listChecksJSON(w http.ResponseWriter, r *http.Request) {
	systemID, err := queryID(r.URL.Query(), "system")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var list []monitor.Check
	if systemID != 0 {
		list, err = s.monitors.SystemChecks(r.Context(), s.scope(r), systemID)
	} else {
		list, err = s.monitors.Checks(r.Context(), s.scope(r))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, list)
}

func (s *Server) showCheckJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "check")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.monitors.Check(r.Context(), s.scope(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, c)
}

// updateCheckJSON saves a check's settings (the body is the check as GET
// answers it, changed) and has the Watcher take them up.
func (s *Server) updateCheckJSON(w http.ResponseWriter, r *http.Request) {
	var c monitor.Check
	if err := decodeUpdate(r, "check", &c, &c.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.monitors.UpdateCheck(r.Context(), s.scope(r), &c); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.reloadChecks(r.Context())
	s.writeJSON(w, r, http.StatusOK, &c)
}

// reloadChecks has the Watcher probe with the settings just saved. A
// failure is logged, not answered: the change is saved, and the Watcher's
// own sync takes it up at the latest when the inventory next moves.
func (s *Server) reloadChecks(ctx context.Context) {
	if s.watcher == nil {
		return
	}
	if err := s.watcher.Reload(ctx); err != nil {
		s.log.Error("monitoring: reload checks after a change", "err", err)
	}
}

// showSystemUptimeJSON answers a system's uptime over ?from=&to= (see
// period): availability against its grade's target, continuous service,
// interruptions, MTBF, MTTR and the share restored within its RTO.
func (s *Server) showSystemUptimeJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "system")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	from, to, err := period(r.URL.Query(), time.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.monitors.SystemUptime(r.Context(), s.scope(r), id, from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, u)
}

// listSystemInterruptionsJSON lists a system's interruptions that overlap
// ?from=&to=, latest first.
func (s *Server) listSystemInterruptionsJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "system")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	from, to, err := period(r.URL.Query(), time.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.monitors.Interruptions(r.Context(), s.scope(r), id, from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, list)
}

// listMaintenanceWindowsJSON lists the maintenance windows of ?system=
// (required) that overlap ?from=&to=.
func (s *Server) listMaintenanceWindowsJSON(w http.ResponseWriter, r *http.Request) {
	systemID, err := queryID(r.URL.Query(), "system")
	if err == nil && systemID == 0 {
		err = apperror.New(apperror.Invalid, "system", "invalid.required")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	from, to, err := period(r.URL.Query(), time.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.monitors.MaintenanceWindows(r.Context(), s.scope(r), systemID, from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, list)
}

func (s *Server) showMaintenanceWindowJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "maintenance_window")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	mw, err := s.monitors.MaintenanceWindow(r.Context(), s.scope(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, mw)
}

func (s *Server) createMaintenanceWindowJSON(w http.ResponseWriter, r *http.Request) {
	var mw monitor.MaintenanceWindow
	if err := decodeJSON(r, &mw); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.monitors.CreateMaintenanceWindow(r.Context(), s.scope(r), &mw); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeCreated(w, r, "maintenance-windows", mw.ID, &mw)
}

func (s *Server) updateMaintenanceWindowJSON(w http.ResponseWriter, r *http.Request) {
	var mw monitor.MaintenanceWindow
	if err := decodeUpdate(r, "maintenance_window", &mw, &mw.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.monitors.UpdateMaintenanceWindow(r.Context(), s.scope(r), &mw); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, &mw)
}

func (s *Server) deleteMaintenanceWindowJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "maintenance_window")
	if err == nil {
		err = s.monitors.DeleteMaintenanceWindow(r.Context(), s.scope(r), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listAgentsJSON(w http.ResponseWriter, r *http.Request) {
	list, err := s.monitors.Agents(r.Context(), s.scope(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, list)
}

func (s *Server) showAgentJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "agent")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.monitors.Agent(r.Context(), s.scope(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, a)
}

func (s *Server) createAgentJSON(w http.ResponseWriter, r *http.Request) {
	var a monitor.Agent
	if err := decodeJSON(r, &a); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.monitors.CreateAgent(r.Context(), s.scope(r), &a); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeCreated(w, r, "agents", a.ID, &a)
}

func (s *Server) updateAgentJSON(w http.ResponseWriter, r *http.Request) {
	var a monitor.Agent
	if err := decodeUpdate(r, "agent", &a, &a.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.monitors.UpdateAgent(r.Context(), s.scope(r), &a); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, &a)
}

func (s *Server) deleteAgentJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "agent")
	if err == nil {
		err = s.monitors.DeleteAgent(r.Context(), s.scope(r), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// agentOf is the agent the calling agent token authenticates. A token an
// administrator made for an agent that has not called yet registers it
// now, under the token's name (or "agent-<token id>" when an agent of that
// name exists): making the token was the decision, and the first call
// should not need a second one.
func (s *Server) agentOf(r *http.Request) (*monitor.Agent, error) {
	p := principalFrom(r)
	a, err := s.monitors.AgentByToken(r.Context(), p.TokenID)
	if apperror.CodeOf(err) != apperror.NotFound {
		return a, err
	}
	for _, name := range []string{p.Name, fmt.Sprintf("agent-%d", p.TokenID)} {
		a = &monitor.Agent{Name: name, TokenID: p.TokenID}
		err = s.monitors.CreateAgent(r.Context(), access.All(), a)
		if code := apperror.CodeOf(err); code != apperror.Conflict && code != apperror.Invalid {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("monitoring: agent registered on its first call", "agent", a.Name, "token", p.TokenID)
	return a, nil
}

// agentAssignment is what an agent probes, and where its batches stand.
type agentAssignment struct {
	Agent *monitor.Agent `json:"agent"`
	// LastBatchSeq is the highest batch the tower accepted from the agent:
	// an agent that lost its buffer goes on from there.
	LastBatchSeq int64           `json:"last_batch_seq"`
	Checks       []monitor.Check `json:"checks"`
}

// showAgentChecksJSON answers the calling agent's assignment: the checks
// of the systems its token is bound to, every default applied.
func (s *Server) showAgentChecksJSON(w http.ResponseWriter, r *http.Request) {
	a, err := s.agentOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := agentAssignment{Agent: a}
	if out.Checks, err = s.monitors.AgentChecks(r.Context(), a.ID); err == nil {
		out.LastBatchSeq, err = s.monitors.LastBatch(r.Context(), a.ID)
	}
	if err == nil {
		err = s.monitors.SeeAgent(r.Context(), a.ID, time.Now())
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out.Checks = nonNil(out.Checks)
	s.writeJSON(w, r, http.StatusOK, out)
}

// agentBatch is a batch of results an agent pushes.
type agentBatch struct {
	Seq     int64            `json:"seq"`
	Results []monitor.Result `json:"results"`
}

// pushAgentResultsJSON takes a batch of the calling agent's results,
// exactly once however often it is sent.
func (s *Server) pushAgentResultsJSON(w http.ResponseWriter, r *http.Request) {
	if s.watcher == nil {
		s.writeError(w, r, apperror.New(apperror.Unavailable, "", "monitor.unavailable"))
		return
	}
	var batch agentBatch
	if err := decodeJSON(r, &batch); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.agentOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.watcher.TakeBatch(r.Context(), a, batch.Seq, batch.Results)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, out)
}
