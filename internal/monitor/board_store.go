package monitor

import (
	"context"
	"database/sql"
	"fmt"

	"yeonsok/internal/access"
)

// SystemCount is how many systems of one agency and grade there are, and
// how many of them have an active check: those without one are not
// monitored at all.
type SystemCount struct {
	AgencyID  int64 `json:"agency_id"`
	Grade     int   `json:"grade"` // 0: none
	Systems   int   `json:"systems"`
	Monitored int   `json:"monitored"`
}

// SystemCounts counts the systems in scope by agency and grade, in one
// narrow query: the status board needs these figures for every system, and
// loading the whole inventory for them would cost it its speed.
func (s *Store) SystemCounts(ctx context.Context, scope access.Scope) ([]SystemCount, error) {
	var args []any
	rows, err := s.db.Read.QueryContext(ctx, `SELECT s.agency_id, s.grade, COUNT(*),
		SUM(CASE WHEN EXISTS (SELECT 1 FROM checks c WHERE c.system_id = s.id AND c.active) THEN 1 ELSE 0 END)
		FROM systems s WHERE `+scope.Where("s.agency_id", &args)+` GROUP BY s.agency_id, s.grade ORDER BY s.agency_id, s.grade`, args...)
	if err != nil {
		return nil, fmt.Errorf("monitor: count systems: %w", err)
	}
	defer rows.Close()
	var list []SystemCount
	for rows.Next() {
		var c SystemCount
		var grade sql.NullInt64
		if err := rows.Scan(&c.AgencyID, &grade, &c.Systems, &c.Monitored); err != nil {
			return nil, fmt.Errorf("monitor: count systems: %w", err)
		}
		c.Grade = int(grade.Int64)
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("monitor: count systems: %w", err)
	}
	return list, nil
}
