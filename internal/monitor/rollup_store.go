package monitor

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
)

// rowsPerStatement is how many rollups one upsert carries. PostgreSQL
// answers over the network, so a statement carries many. SQLite runs
// in-process but looks each $N up in a list as long as the statement's, so
// that a flush of 10,000 rollups took 5 s in statements of 500 rows and
// 0.09 s as one prepared row run again and again.
func rowsPerStatement(d database.Dialect) int {
	if d == database.SQLite {
		return 1
	}
	return 500
}

// rollupUpsert adds a row's counts to those stored for its key.
var rollupUpsert = func() string {
	set := []string{"probes = latency_rollups.probes + excluded.probes", "failures = latency_rollups.failures + excluded.failures",
		"sum_us = latency_rollups.sum_us + excluded.sum_us",
		// CASE rather than max(): PostgreSQL's max takes one argument.
		"max_us = CASE WHEN excluded.max_us > latency_rollups.max_us THEN excluded.max_us ELSE latency_rollups.max_us END"}
	for i := range len(LatencyBounds) + 1 {
		set = append(set, fmt.Sprintf("b%d = latency_rollups.b%[1]d + excluded.b%[1]d", i))
	}
	return ` ON CONFLICT (check_id, hour, vantage) DO UPDATE SET ` + strings.Join(set, ", ")
}()

const rollupColumns = `check_id, hour, vantage, probes, failures, sum_us, max_us, b0, b1, b2, b3, b4, b5, b6, b7`

// rollupArgs is the number of rollupColumns.
const rollupArgs = 7 + len(LatencyBounds) + 1

// AddRollups adds rollups to those stored: the engine flushes what it has
// summed in memory, and what it sums for the same check, vantage point and
// hour adds up. Rollups of the same key within the list are merged first.
func (t *Tx) AddRollups(ctx context.Context, rollups []Rollup) error {
	merged := mergeRollups(rollups)
	if len(merged) == 0 {
		return nil
	}
	insert := func(rows int) string {
		return `INSERT INTO latency_rollups (` + rollupColumns + `) VALUES ` + placeholders(rows, rollupArgs) + rollupUpsert
	}
	per := min(rowsPerStatement(t.dialect), len(merged))
	stmt, err := t.tx.PrepareContext(ctx, insert(per))
	if err != nil {
		return fmt.Errorf("monitor: add rollups: %w", err)
	}
	defer stmt.Close()
	for chunk := range slices.Chunk(merged, per) {
		args := make([]any, 0, len(chunk)*rollupArgs)
		for _, r := range chunk {
			args = append(args, r.CheckID, database.FormatTime(r.Hour), r.Vantage, r.Probes, r.Failures,
				r.LatencySum.Microseconds(), r.LatencyMax.Microseconds())
			for _, b := range r.Buckets {
				args = append(args, b)
			}
		}
		if len(chunk) == per {
			_, err = stmt.ExecContext(ctx, args...)
		} else {
			_, err = t.tx.ExecContext(ctx, insert(len(chunk)), args...)
		}
		if err != nil {
			return fmt.Errorf("monitor: add %d rollups: %w", len(chunk), err)
		}
	}
	return nil
}

// AddRollups is Tx.AddRollups in a transaction of its own. A rollup of a
// check deleted meanwhile (with its system) is dropped rather than failing
// the others.
func (s *Store) AddRollups(ctx context.Context, rollups []Rollup) error {
	err := s.Write(ctx, func(tx *Tx) error { return tx.AddRollups(ctx, rollups) })
	if !database.IsForeignKeyViolation(err) {
		return err
	}
	known := map[int64]bool{}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id FROM checks`)
	if err != nil {
		return fmt.Errorf("monitor: list checks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("monitor: list checks: %w", err)
		}
		known[id] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("monitor: list checks: %w", err)
	}
	kept := slices.DeleteFunc(slices.Clone(rollups), func(r Rollup) bool { return !known[r.CheckID] })
	return s.Write(ctx, func(tx *Tx) error { return tx.AddRollups(ctx, kept) })
}

// mergeRollups sums rollups of the same key, in the order keys first
// appear: PostgreSQL refuses to upsert one row twice in a statement.
func mergeRollups(rollups []Rollup) []Rollup {
	type key struct {
		check   int64
		hour    time.Time
		vantage string
	}
	at := make(map[key]int, len(rollups))
	out := make([]Rollup, 0, len(rollups))
	for _, r := range rollups {
		r.Hour = HourOf(r.Hour)
		k := key{r.CheckID, r.Hour, r.Vantage}
		if i, ok := at[k]; ok {
			out[i].Merge(&r)
			continue
		}
		at[k] = len(out)
		out = append(out, r)
	}
	return out
}

// Rollups lists the rollups of a check in scope whose hour starts in
// [from, to), by hour and vantage point.
func (s *Store) Rollups(ctx context.Context, scope access.Scope, checkID int64, from, to time.Time) ([]Rollup, error) {
	if _, err := checkInScope(ctx, s.db.Read, scope, checkID); err != nil {
		return nil, err
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+rollupColumns+` FROM latency_rollups
		WHERE check_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour, vantage`,
		checkID, database.FormatTime(HourOf(from)), database.FormatTime(to))
	if err != nil {
		return nil, fmt.Errorf("monitor: list rollups of check %d: %w", checkID, err)
	}
	defer rows.Close()
	var list []Rollup
	for rows.Next() {
		var r Rollup
		var hour string
		var sum, most int64
		dest := []any{&r.CheckID, &hour, &r.Vantage, &r.Probes, &r.Failures, &sum, &most}
		for i := range r.Buckets {
			dest = append(dest, &r.Buckets[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("monitor: scan rollup: %w", err)
		}
		r.Hour, r.LatencySum, r.LatencyMax = database.ParseTime(hour), time.Duration(sum)*time.Microsecond, time.Duration(most)*time.Microsecond
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("monitor: list rollups of check %d: %w", checkID, err)
	}
	return list, nil
}

// placeholders returns "($1, …, $c), ($c+1, …)" for rows of c columns.
func placeholders(rows, columns int) string {
	var b strings.Builder
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range columns {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", r*columns+c+1)
		}
		b.WriteByte(')')
	}
	return b.String()
}
