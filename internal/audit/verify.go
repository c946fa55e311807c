package audit

import (
	"context"
	"fmt"

	"yeonsok/internal/database"
	"yeonsok/internal/locale"
)

// Ways a chain breaks.
const (
	// BreakEdited: the entry's hash does not match its content, so the
	// entry was changed after it was written.
	BreakEdited = "edited"
	// BreakMissing: the entries Seq to Through are gone from the middle of
	// the log.
	BreakMissing = "missing"
	// BreakLink: the entry's prev_hash is not the previous entry's hash, so
	// the previous entry was changed together with its hash, or replaced.
	BreakLink = "link"
	// BreakTruncated: the entries Seq to Through are gone from the end of
	// the log; the head still counts them.
	BreakTruncated = "truncated"
	// BreakHead: the head does not match the last entry: entries from Seq
	// on were added without moving the head, or the head was changed.
	BreakHead = "head"
)

// maxBreaks bounds the breaks a report lists; the first is what matters.
const maxBreaks = 100

// Break is one broken link of the chain.
type Break struct {
	Kind string `json:"kind"`
	// Seq is the entry at which the chain breaks; for missing entries, the
	// first missing one, and Through the last (Through is Seq otherwise).
	Seq     int64 `json:"seq"`
	Through int64 `json:"through"`
}

// Report is what Verify found.
type Report struct {
	// Entries is how many entries were read.
	Entries int64 `json:"entries"`
	// Head is the end of the chain audit_state records; Last is the last
	// entry found. On an unbroken log they are the same.
	Head Head `json:"head"`
	Last Head `json:"last"`
	// Breaks lists the broken links in seq order, at most 100; More says
	// there were more.
	Breaks []Break `json:"breaks"`
	More   bool    `json:"more"`
}

// OK reports whether the chain is unbroken.
func (r *Report) OK() bool { return len(r.Breaks) == 0 }

// First is the first broken link, or nil.
func (r *Report) First() *Break {
	if len(r.Breaks) == 0 {
		return nil
	}
	return &r.Breaks[0]
}

func (r *Report) add(kind string, seq, through int64) {
	if len(r.Breaks) == maxBreaks {
		r.More = true
		return
	}
	r.Breaks = append(r.Breaks, Break{Kind: kind, Seq: seq, Through: through})
}

// Verify walks the whole chain in one snapshot and reports every broken
// link: an entry whose hash does not match its content, a gap in seq, a
// prev_hash that is not the previous entry's hash, and a last entry that is
// not the head audit_state records. After a break it carries on from the
// entry it stands at, so that each break is reported once, where it is.
func Verify(ctx context.Context, db *database.DB) (*Report, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	defer tx.Rollback()
	rep := &Report{}
	if rep.Head, err = readHead(ctx, tx); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+columns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: read entries: %w", err)
	}
	defer rows.Close()
	prev := Head{Seq: 0, Hash: Genesis}
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: verify: read entry after %d: %w", prev.Seq, err)
		}
		rep.Entries++
		switch {
		case r.seq > prev.Seq+1:
			rep.add(BreakMissing, prev.Seq+1, r.seq-1)
		case r.seq <= prev.Seq, r.prevHash != prev.Hash:
			rep.add(BreakLink, r.seq, r.seq)
		}
		if r.sum() != r.hash {
			rep.add(BreakEdited, r.seq, r.seq)
		}
		prev = Head{Seq: r.seq, Hash: r.hash}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: verify: read entries: %w", err)
	}
	rep.Last = prev
	switch {
	case prev.Seq < rep.Head.Seq:
		rep.add(BreakTruncated, prev.Seq+1, rep.Head.Seq)
	case prev.Seq > rep.Head.Seq:
		rep.add(BreakHead, rep.Head.Seq+1, prev.Seq)
	case prev.Hash != rep.Head.Hash:
		rep.add(BreakHead, prev.Seq, prev.Seq)
	}
	return rep, nil
}

// Message says in lang what the break is, for the CLI and the pages.
func (b Break) Message(lang locale.Lang) string {
	if b.Through != b.Seq {
		return locale.T(lang, "audit.break."+b.Kind+"_range", b.Seq, b.Through)
	}
	return locale.T(lang, "audit.break."+b.Kind, b.Seq)
}

// Message sums the report up in lang: unbroken with its head, or the first
// break and how many there are.
func (r *Report) Message(lang locale.Lang) string {
	if r.OK() {
		return locale.T(lang, "audit.verify.ok", r.Entries, r.Head.Seq, r.Head.Hash)
	}
	count := fmt.Sprint(len(r.Breaks))
	if r.More {
		count += "+"
	}
	return locale.T(lang, "audit.verify.broken", count, r.First().Message(lang))
}

// String is for logs.
func (b Break) String() string { return b.Message(locale.English) }
