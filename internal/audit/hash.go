package audit

import (
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"
	"strconv"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
)

// hashVersion starts every hashed encoding, so that a later change to the
// encoding cannot be mistaken for this one.
const hashVersion = "yeonsok-audit-v1"

// row is an entry as stored: exactly the values the hash covers, so that
// Verify recomputes it from what it reads without a round trip through Go
// types that could change a byte.
type row struct {
	seq       int64
	atText    string
	actorKind string
	actorID   int64
	actorName string
	address   string
	agencyID  sql.NullInt64
	action    string
	kind      string
	recordID  sql.NullInt64
	summary   string
	before    sql.NullString
	after     sql.NullString
	prevHash  string
	hash      string
}

// columns lists the stored fields in the order scan reads them.
const columns = `seq, at, actor_kind, actor_id, actor_name, address, agency_id, action, kind, record_id, summary,
	before_json, after_json, prev_hash, hash`

func scan(s interface{ Scan(...any) error }) (row, error) {
	var r row
	err := s.Scan(&r.seq, &r.atText, &r.actorKind, &r.actorID, &r.actorName, &r.address, &r.agencyID,
		&r.action, &r.kind, &r.recordID, &r.summary, &r.before, &r.after, &r.prevHash, &r.hash)
	return r, err
}

// row is the stored form of e.
func (e *Entry) row() row {
	r := row{
		seq:       e.Seq,
		atText:    e.At.UTC().Format(database.TimeLayout),
		actorKind: e.Actor.Kind,
		actorID:   e.Actor.ID,
		actorName: e.Actor.Name,
		address:   e.Actor.Address,
		action:    e.Action,
		kind:      e.Kind,
		summary:   e.Summary,
		prevHash:  e.PrevHash,
		hash:      e.Hash,
	}
	if e.AgencyID != nil {
		r.agencyID = sql.NullInt64{Int64: *e.AgencyID, Valid: true}
	}
	if e.RecordID != nil {
		r.recordID = sql.NullInt64{Int64: *e.RecordID, Valid: true}
	}
	if e.Before != nil {
		r.before = sql.NullString{String: string(e.Before), Valid: true}
	}
	if e.After != nil {
		r.after = sql.NullString{String: string(e.After), Valid: true}
	}
	return r
}

// at is the stored time, which keeps microseconds.
func (r *row) at() time.Time {
	t, _ := time.Parse(database.TimeLayout, r.atText)
	return t
}

// entry is the Entry r stores.
func (r *row) entry() Entry {
	e := Entry{
		Seq:      r.seq,
		At:       r.at(),
		Actor:    access.Actor{Kind: r.actorKind, ID: r.actorID, Name: r.actorName, Address: r.address},
		Action:   r.action,
		Kind:     r.kind,
		Summary:  r.summary,
		PrevHash: r.prevHash,
		Hash:     r.hash,
	}
	if r.agencyID.Valid {
		e.AgencyID = &r.agencyID.Int64
	}
	if r.recordID.Valid {
		e.RecordID = &r.recordID.Int64
	}
	if r.before.Valid {
		e.Before = []byte(r.before.String)
	}
	if r.after.Valid {
		e.After = []byte(r.after.String)
	}
	return e
}

// sum is the SHA-256, in hex, of every field of r but its own hash, the
// previous entry's hash included. Each field is written as a presence byte
// (0 for NULL) followed, when present, by its length as 8 bytes and its
// text, so that no two different entries encode alike: values cannot run
// into each other, and NULL differs from empty text and from 0.
func (r *row) sum() string {
	h := sha256.New()
	io.WriteString(h, hashVersion)
	text(h, strconv.FormatInt(r.seq, 10))
	text(h, r.atText)
	text(h, r.actorKind)
	text(h, strconv.FormatInt(r.actorID, 10))
	text(h, r.actorName)
	text(h, r.address)
	nullInt(h, r.agencyID)
	text(h, r.action)
	text(h, r.kind)
	nullInt(h, r.recordID)
	text(h, r.summary)
	nullText(h, r.before)
	nullText(h, r.after)
	text(h, r.prevHash)
	return hex.EncodeToString(h.Sum(nil))
}

func text(h hash.Hash, s string) {
	var prefix [9]byte
	prefix[0] = 1
	binary.BigEndian.PutUint64(prefix[1:], uint64(len(s)))
	h.Write(prefix[:])
	io.WriteString(h, s)
}

func nullText(h hash.Hash, s sql.NullString) {
	if !s.Valid {
		h.Write([]byte{0})
		return
	}
	text(h, s.String)
}

func nullInt(h hash.Hash, v sql.NullInt64) {
	if !v.Valid {
		h.Write([]byte{0})
		return
	}
	text(h, strconv.FormatInt(v.Int64, 10))
}
