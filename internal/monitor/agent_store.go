package monitor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/audit"
	"yeonsok/internal/database"
	"yeonsok/internal/inventory"
)

// MaxAgentName bounds an agent's name, which is also its vantage point's.
const MaxAgentName = 100

// Agent is a vantage point at another site: `yeonsok agent` run there,
// authenticated by an API token of the agent role. It probes the checks of
// the systems its token is bound to (AgentChecks) and pushes the results
// in numbered batches (AcceptBatch).
type Agent struct {
	ID int64 `json:"id"`
	// Name is the vantage point's name in results and interruptions;
	// renaming an agent leaves the old name in the history it made.
	Name string `json:"name"`
	// Site says where it runs ("부산 백업센터").
	Site string `json:"site"`
	// AgencyID is its token's agency, 0 for a ministry-wide agent; the
	// agency's people see and manage it.
	AgencyID int64 `json:"agency_id"`
	TokenID  int64 `json:"token_id"`
	// LastSeenAt is when it last called the tower, zero if never: an agent
	// that falls silent is "agent down", never "system down".
	LastSeenAt time.Time `json:"last_seen_at,omitzero"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedBy string    `json:"updated_by"`
}

// Normalize trims the agent's name and site.
func (a *Agent) Normalize() {
	a.Name = strings.TrimSpace(a.Name)
	a.Site = strings.TrimSpace(a.Site)
}

// Validate checks the agent's own fields.
func (a *Agent) Validate() inventory.Problems {
	var p inventory.Problems
	p.Required("name", a.Name)
	p.Text("name", a.Name, MaxAgentName)
	if strings.EqualFold(a.Name, Vantage) || strings.ContainsFunc(a.Name, unicode.IsControl) {
		p.Add("name", "monitor.invalid.agent_name", Vantage)
	}
	p.Text("site", a.Site, inventory.MaxShortText)
	if a.TokenID <= 0 {
		p.Add("token_id", "invalid.required")
	}
	return p
}

const agentColumns = `a.id, a.name, a.site, a.agency_id, a.token_id, a.last_seen_at, a.created_at, a.updated_at, a.created_by, a.updated_by`

func queryAgents(ctx context.Context, q queryer, cond string, args ...any) ([]*Agent, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+agentColumns+` FROM agents a WHERE `+cond+` ORDER BY a.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("monitor: list agents: %w", err)
	}
	defer rows.Close()
	var list []*Agent
	for rows.Next() {
		var a Agent
		var agency sql.NullInt64
		var seen sql.NullString
		var created, updated string
		if err := rows.Scan(&a.ID, &a.Name, &a.Site, &agency, &a.TokenID, &seen, &created, &updated, &a.CreatedBy, &a.UpdatedBy); err != nil {
			return nil, fmt.Errorf("monitor: scan agent: %w", err)
		}
		a.AgencyID, a.LastSeenAt, a.CreatedAt, a.UpdatedAt = agency.Int64, database.ParseNullTime(seen), database.ParseTime(created), database.ParseTime(updated)
		list = append(list, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("monitor: list agents: %w", err)
	}
	return list, nil
}

// Agents lists the agents in scope by name: an agency sees its own, the
// ministry every one.
func (s *Store) Agents(ctx context.Context, scope access.Scope) ([]*Agent, error) {
	var args []any
	return queryAgents(ctx, s.db.Read, scope.Where("a.agency_id", &args), args...)
}

// Agent fetches one agent in scope.
func (s *Store) Agent(ctx context.Context, scope access.Scope, id int64) (*Agent, error) {
	return agentInScope(ctx, s.db.Read, scope, id)
}

func agentInScope(ctx context.Context, q queryer, scope access.Scope, id int64) (*Agent, error) {
	list, err := queryAgents(ctx, q, `a.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 || !scope.Allows(list[0].AgencyID) {
		return nil, apperror.New(apperror.NotFound, "", "not_found.agent")
	}
	return list[0], nil
}

// AgentByToken returns the agent an API token authenticates; the token
// has proved who it is, so no scope applies.
func (s *Store) AgentByToken(ctx context.Context, tokenID int64) (*Agent, error) {
	list, err := queryAgents(ctx, s.db.Read, `a.token_id = $1`, tokenID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, apperror.New(apperror.NotFound, "", "not_found.agent")
	}
	return list[0], nil
}

// bindToken checks that a's token may authenticate it for the writer's
// scope — an agent token, not revoked, of an agency the scope sees (the
// ministry's for a ministry-wide token), used by no other agent — and
// takes the token's agency as the agent's.
func (c *change) bindToken(ctx context.Context, scope access.Scope, a *Agent) error {
	var role string
	var agency sql.NullInt64
	var revoked sql.NullString
	err := c.tx.QueryRowContext(ctx, `SELECT role, agency_id, revoked_at FROM api_tokens WHERE id = $1`, a.TokenID).
		Scan(&role, &agency, &revoked)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (role != "agent" || revoked.Valid || !scope.Allows(agency.Int64)) {
		return apperror.New(apperror.Invalid, "token_id", "monitor.invalid.agent_token", a.TokenID)
	}
	if err != nil {
		return fmt.Errorf("monitor: read token %d: %w", a.TokenID, err)
	}
	a.AgencyID = agency.Int64
	for _, taken := range []struct{ field, query, key string }{
		{"token_id", `SELECT 1 FROM agents WHERE token_id = $1 AND id <> $2`, "monitor.conflict.agent_token"},
		{"name", `SELECT 1 FROM agents WHERE name = $1 AND id <> $2`, "monitor.conflict.agent_name"},
	} {
		value := any(a.TokenID)
		if taken.field == "name" {
			value = a.Name
		}
		var one int
		err := c.tx.QueryRowContext(ctx, taken.query, value, a.ID).Scan(&one)
		if err == nil {
			return apperror.New(apperror.Conflict, taken.field, taken.key)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("monitor: check agent %s: %w", taken.field, err)
		}
	}
	return nil
}

// nullAgency stores 0, the ministry, as NULL.
func nullAgency(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateAgent adds an agent authenticated by a.TokenID and sets its ID
// and agency (its token's).
func (s *Store) CreateAgent(ctx context.Context, scope access.Scope, a *Agent) error {
	a.ID = 0
	a.Normalize()
	if err := a.Validate().Err(); err != nil {
		return err
	}
	return s.change(ctx, func(c *change) error {
		if err := c.bindToken(ctx, scope, a); err != nil {
			return err
		}
		now := database.FormatTime(c.now)
		err := c.tx.QueryRowContext(ctx, `INSERT INTO agents (name, site, agency_id, token_id, created_at, updated_at, created_by, updated_by)
			VALUES ($1, $2, $3, $4, $5, $5, $6, $6) RETURNING id`, a.Name, a.Site, nullAgency(a.AgencyID), a.TokenID, now, c.actor).Scan(&a.ID)
		if database.IsUniqueViolation(err) {
			return apperror.New(apperror.Conflict, "name", "monitor.conflict.agent_name")
		}
		if err != nil {
			return fmt.Errorf("monitor: create agent %q: %w", a.Name, err)
		}
		after, err := agentInScope(ctx, c.tx, scope, a.ID)
		if err != nil {
			return err
		}
		*a = *after
		return c.record(ctx, audit.ActionCreate, audit.KindAgent, a.ID, agentOwner(a), a.Name, nil, a)
	})
}

// UpdateAgent saves a's name, site and token (a token replaced after a
// leak); its agency follows the token's.
func (s *Store) UpdateAgent(ctx context.Context, scope access.Scope, a *Agent) error {
	a.Normalize()
	if err := a.Validate().Err(); err != nil {
		return err
	}
	return s.change(ctx, func(c *change) error {
		before, err := agentInScope(ctx, c.tx, scope, a.ID)
		if err != nil {
			return err
		}
		if a.Name == before.Name && a.Site == before.Site && a.TokenID == before.TokenID {
			*a = *before
			return nil
		}
		if err := c.bindToken(ctx, scope, a); err != nil {
			return err
		}
		_, err = c.tx.ExecContext(ctx, `UPDATE agents SET name = $1, site = $2, agency_id = $3, token_id = $4, updated_at = $5,
			updated_by = $6 WHERE id = $7`, a.Name, a.Site, nullAgency(a.AgencyID), a.TokenID, database.FormatTime(c.now), c.actor, a.ID)
		if database.IsUniqueViolation(err) {
			return apperror.New(apperror.Conflict, "name", "monitor.conflict.agent_name")
		}
		if err != nil {
			return fmt.Errorf("monitor: update agent %d: %w", a.ID, err)
		}
		after, err := agentInScope(ctx, c.tx, scope, a.ID)
		if err != nil {
			return err
		}
		*a = *after
		// Moved to another agency with its token: the ministry's to read.
		owner := agentOwner(a)
		if before.AgencyID != a.AgencyID {
			owner = nil
		}
		return c.record(ctx, audit.ActionUpdate, audit.KindAgent, a.ID, owner, a.Name, before, after)
	})
}

// DeleteAgent removes agent id and its batch receipts; what it saw stays
// in the interruptions under its name.
func (s *Store) DeleteAgent(ctx context.Context, scope access.Scope, id int64) error {
	return s.change(ctx, func(c *change) error {
		before, err := agentInScope(ctx, c.tx, scope, id)
		if err != nil {
			return err
		}
		if _, err := c.tx.ExecContext(ctx, `DELETE FROM agents WHERE id = $1`, id); err != nil {
			return fmt.Errorf("monitor: delete agent %d: %w", id, err)
		}
		return c.record(ctx, audit.ActionDelete, audit.KindAgent, id, agentOwner(before), before.Name, before, nil)
	})
}

// agentOwner is the agency whose users read an agent's audit entries: its
// own, or the ministry only for a ministry-wide agent.
func agentOwner(a *Agent) *int64 {
	if a.AgencyID == 0 {
		return nil
	}
	id := a.AgencyID
	return &id
}

// SeeAgent records that the agent called the tower at at (fetching its
// checks, say): it is alive.
func (s *Store) SeeAgent(ctx context.Context, agentID int64, at time.Time) error {
	if _, err := s.db.Write.ExecContext(ctx, `UPDATE agents SET last_seen_at = $1 WHERE id = $2`, database.FormatTime(at), agentID); err != nil {
		return fmt.Errorf("monitor: see agent %d: %w", agentID, err)
	}
	return nil
}

// AcceptBatch takes batch seq of an agent's results exactly once: when the
// batch is new it runs fn — the batch's writes — in the transaction that
// records its receipt, and reports true; a batch accepted before (a replay
// after the agent lost the answer) runs nothing and reports false. Either
// way the agent was seen. If fn fails, nothing of the batch is kept and
// the agent may send it again.
func (s *Store) AcceptBatch(ctx context.Context, agentID, seq int64, fn func(tx *Tx) error) (bool, error) {
	if seq <= 0 {
		return false, apperror.New(apperror.Invalid, "seq", "monitor.invalid.batch_seq")
	}
	accepted := false
	err := s.Write(ctx, func(tx *Tx) error {
		now := database.FormatTime(s.Now())
		res, err := tx.tx.ExecContext(ctx, `UPDATE agents SET last_seen_at = $1 WHERE id = $2`, now, agentID)
		if err != nil {
			return fmt.Errorf("monitor: see agent %d: %w", agentID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return apperror.New(apperror.NotFound, "", "not_found.agent")
		}
		res, err = tx.tx.ExecContext(ctx, `INSERT INTO agent_batches (agent_id, batch_seq, accepted_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, agentID, seq, now)
		if err != nil {
			return fmt.Errorf("monitor: receive batch %d of agent %d: %w", seq, agentID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("monitor: receive batch %d of agent %d: %w", seq, agentID, err)
		}
		if n == 0 {
			return nil
		}
		accepted = true
		return fn(tx)
	})
	if err != nil {
		return false, err
	}
	return accepted, nil
}

// LastBatch is the highest batch seq accepted from the agent, 0 if none:
// an agent that lost its buffer numbers its next batch after it.
func (s *Store) LastBatch(ctx context.Context, agentID int64) (int64, error) {
	var seq sql.NullInt64
	if err := s.db.Read.QueryRowContext(ctx, `SELECT MAX(batch_seq) FROM agent_batches WHERE agent_id = $1`, agentID).Scan(&seq); err != nil {
		return 0, fmt.Errorf("monitor: last batch of agent %d: %w", agentID, err)
	}
	return seq.Int64, nil
}
