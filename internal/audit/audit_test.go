package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/locale"
	"yeonsok/internal/testdb"
)

func id(v int64) *int64 { return &v }

// appendEntries appends n entries, each in a transaction of its own, as
// agencies 1 and 2 and the ministry in turn.
func appendEntries(t *testing.T, db *database.DB, n int) {
	t.Helper()
	ctx := access.WithActor(context.Background(), access.Actor{Kind: access.ActorUser, ID: 3, Name: "kim", Address: "10.0.0.7"})
	for i := range n {
		e := &Entry{Action: ActionUpdate, Kind: KindSystem, RecordID: id(int64(100 + i)), Summary: fmt.Sprintf("시스템 %d", i+1),
			Before: json.RawMessage(fmt.Sprintf(`{"grade":%d}`, i)), After: json.RawMessage(fmt.Sprintf(`{"grade":%d}`, i+1))}
		if i%3 != 2 {
			e.AgencyID = id(int64(i%3 + 1))
		}
		if err := db.InTx(ctx, func(tx *sql.Tx) error { return Append(ctx, tx, e) }); err != nil {
			t.Fatalf("append %d: %v", i+1, err)
		}
	}
}

// tamper changes the log as someone with direct access to the database
// would: first dropping the triggers that refuse it.
func tamper(t *testing.T, db *database.DB, statements ...string) {
	t.Helper()
	drop := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if db.Dialect == database.Postgres {
		drop = []string{`DROP TRIGGER audit_log_append_only ON audit_log`}
	}
	for _, s := range append(drop, statements...) {
		if _, err := db.Write.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func verify(t *testing.T, db *database.DB) *Report {
	t.Helper()
	rep, err := Verify(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestChainOfEntriesVerifies(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		if rep := verify(t, db); !rep.OK() || rep.Entries != 0 || rep.Head != (Head{0, Genesis}) {
			t.Fatalf("empty log: %+v", rep)
		}
		appendEntries(t, db, 5)
		rep := verify(t, db)
		if !rep.OK() || rep.Entries != 5 || rep.Head.Seq != 5 || rep.Head != rep.Last {
			t.Fatalf("report %+v", rep)
		}
		list, err := List(ctx, db, access.All(), Filter{})
		if err != nil || len(list) != 5 {
			t.Fatalf("listed %d: %v", len(list), err)
		}
		// Newest first, each linked to the one before it.
		for i, e := range list {
			if e.Seq != int64(5-i) {
				t.Fatalf("entry %d has seq %d", i, e.Seq)
			}
			if i < 4 && e.PrevHash != list[i+1].Hash {
				t.Errorf("entry %d does not link to %d", e.Seq, list[i+1].Seq)
			}
		}
		first := list[4]
		if first.PrevHash != Genesis || rep.Head.Hash != list[0].Hash {
			t.Errorf("first prev %s, head %s, last %s", first.PrevHash, rep.Head.Hash, list[0].Hash)
		}
		if first.Actor != (access.Actor{Kind: access.ActorUser, ID: 3, Name: "kim", Address: "10.0.0.7"}) {
			t.Errorf("actor from the context not kept: %+v", first.Actor)
		}
		if string(first.After) != `{"grade":1}` || *first.RecordID != 100 || *first.AgencyID != 1 || first.Summary != "시스템 1" {
			t.Errorf("fields not kept: %+v", first)
		}
		if first.At.IsZero() || time.Since(first.At) > time.Minute || first.At.Location() != time.UTC {
			t.Errorf("at = %v", first.At)
		}
	})
}

func TestTamperingIsFound(t *testing.T) {
	scenarios := []struct {
		name string
		// change returns the statements that tamper with a log of five
		// entries; it may read the log first.
		change func(t *testing.T, db *database.DB) []string
		want   Break
	}{
		{"an entry's after JSON edited", func(*testing.T, *database.DB) []string {
			return []string{`UPDATE audit_log SET after_json = '{"grade":1}' WHERE seq = 3`}
		}, Break{BreakEdited, 3, 3}},
		{"an entry given to another agency", func(*testing.T, *database.DB) []string {
			return []string{`UPDATE audit_log SET agency_id = NULL WHERE seq = 2`}
		}, Break{BreakEdited, 2, 2}},
		{"an entry edited and its hash recomputed", func(t *testing.T, db *database.DB) []string {
			r := readRow(t, db, 3)
			r.actorName = "someone else"
			return []string{fmt.Sprintf(`UPDATE audit_log SET actor_name = 'someone else', hash = '%s' WHERE seq = 3`, r.sum())}
		}, Break{BreakLink, 4, 4}},
		{"a middle entry deleted", func(*testing.T, *database.DB) []string {
			return []string{`DELETE FROM audit_log WHERE seq = 3`}
		}, Break{BreakMissing, 3, 3}},
		{"two middle entries deleted", func(*testing.T, *database.DB) []string {
			return []string{`DELETE FROM audit_log WHERE seq IN (2, 3)`}
		}, Break{BreakMissing, 2, 3}},
		{"the first entry deleted", func(*testing.T, *database.DB) []string {
			return []string{`DELETE FROM audit_log WHERE seq = 1`}
		}, Break{BreakMissing, 1, 1}},
		{"the last entry deleted", func(*testing.T, *database.DB) []string {
			return []string{`DELETE FROM audit_log WHERE seq = 5`}
		}, Break{BreakTruncated, 5, 5}},
		{"the last entry deleted and the head moved back", func(*testing.T, *database.DB) []string {
			return []string{`DELETE FROM audit_log WHERE seq = 5`, `UPDATE audit_state SET last_seq = 4`}
		}, Break{BreakHead, 4, 4}},
		{"an entry added by hand, hashed and linked", func(t *testing.T, db *database.DB) []string {
			last := readRow(t, db, 5)
			r := row{seq: 6, atText: last.atText, actorKind: "user", actorName: "x", action: "delete", kind: "system", prevHash: last.hash}
			return []string{fmt.Sprintf(`INSERT INTO audit_log (`+columns+`)
				VALUES (6, '%s', 'user', 0, 'x', '', NULL, 'delete', 'system', NULL, '', NULL, NULL, '%s', '%s')`, r.atText, r.prevHash, r.sum())}
		}, Break{BreakHead, 6, 6}},
		{"the whole log emptied", func(*testing.T, *database.DB) []string {
			return []string{`DELETE FROM audit_log`}
		}, Break{BreakTruncated, 1, 5}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *database.DB) {
				appendEntries(t, db, 5)
				tamper(t, db, s.change(t, db)...)
				rep := verify(t, db)
				if rep.OK() {
					t.Fatalf("tampering not found: %+v", rep)
				}
				if got := *rep.First(); got != s.want {
					t.Errorf("first break %+v, want %+v (all: %+v)", got, s.want, rep.Breaks)
				}
			})
		})
	}
}

// readRow reads entry seq as stored.
func readRow(t *testing.T, db *database.DB, seq int64) row {
	t.Helper()
	r, err := scan(db.Read.QueryRow(`SELECT `+columns+` FROM audit_log WHERE seq = $1`, seq))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The database itself refuses to change or remove an entry, whatever code
// tries.
func TestEntriesCannotBeChangedOrRemoved(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		appendEntries(t, db, 2)
		for _, s := range []string{
			`UPDATE audit_log SET summary = 'x' WHERE seq = 1`,
			`DELETE FROM audit_log WHERE seq = 2`,
		} {
			if _, err := db.Write.Exec(s); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v", s, err)
			}
		}
		if db.Dialect == database.Postgres {
			if _, err := db.Write.Exec(`TRUNCATE audit_log`); err == nil {
				t.Error("TRUNCATE allowed")
			}
		}
		if rep := verify(t, db); !rep.OK() || rep.Entries != 2 {
			t.Errorf("report %+v", rep)
		}
	})
}

// An entry appended in a transaction that rolls back leaves nothing, and the
// next entry takes its number: no gap.
func TestRolledBackAppendLeavesNoGap(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		appendEntries(t, db, 2)
		failed := errors.New("the change failed")
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			if err := Append(ctx, tx, &Entry{Action: ActionCreate, Kind: KindAgency}); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatal(err)
		}
		appendEntries(t, db, 1)
		rep := verify(t, db)
		if !rep.OK() || rep.Entries != 3 || rep.Head.Seq != 3 {
			t.Fatalf("report %+v", rep)
		}
		list, _ := List(ctx, db, access.All(), Filter{Limit: 1})
		if list[0].Actor.Name != "kim" {
			t.Errorf("the rolled-back entry is in the log: %+v", list[0])
		}
	})
}

func TestAppendChecksAndFills(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		add := func(e *Entry) error {
			return db.InTx(ctx, func(tx *sql.Tx) error { return Append(ctx, tx, e) })
		}
		if err := add(&Entry{Kind: KindSystem}); err == nil {
			t.Error("an entry without an action was appended")
		}
		if err := add(&Entry{Action: ActionUpdate, Kind: KindSystem, After: json.RawMessage(`{"a":`)}); err == nil {
			t.Error("an entry with broken JSON was appended")
		}
		// No actor in the context: the tower itself. Text that PostgreSQL
		// cannot store is cleaned before the hash covers it.
		e := &Entry{Action: ActionCreate, Kind: KindSystem, Summary: "a\x00b\xff"}
		if err := add(e); err != nil {
			t.Fatal(err)
		}
		if e.Actor.Kind != access.ActorSystem || e.Summary != "ab\uFFFD" || e.Seq != 1 || e.Hash == "" {
			t.Errorf("filled %+v", e)
		}
		// An actor the caller sets is kept.
		cli := access.Actor{Kind: access.ActorCLI, Name: "root"}
		e = &Entry{Action: ActionCreate, Kind: KindSystem, Actor: cli}
		if err := add(e); err != nil || e.Actor != cli {
			t.Errorf("actor %+v: %v", e.Actor, err)
		}
		if rep := verify(t, db); !rep.OK() {
			t.Errorf("report %+v", rep)
		}
	})
}

// An Appender takes the head once and writes it back once; entries it
// appends without a Flush are caught as lying beyond the head.
func TestAppenderWritesTheHeadOnFlush(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		appendEntries(t, db, 1)
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			a := NewAppender(tx)
			for i := range 3 {
				if err := a.Append(ctx, &Entry{Action: ActionCreate, Kind: KindSystem, RecordID: id(int64(i))}); err != nil {
					return err
				}
			}
			return a.Flush(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, db); !rep.OK() || rep.Head.Seq != 4 {
			t.Fatalf("report %+v", rep)
		}
		err = db.InTx(ctx, func(tx *sql.Tx) error {
			return NewAppender(tx).Append(ctx, &Entry{Action: ActionCreate, Kind: KindSystem})
		})
		if err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, db); rep.OK() || *rep.First() != (Break{BreakHead, 5, 5}) {
			t.Errorf("an entry appended without Flush: %+v", rep)
		}
	})
}

// Entries appended at once from many transactions form one chain.
func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		const writers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					e := &Entry{Action: ActionUpdate, Kind: KindService, RecordID: id(int64(w*100 + i))}
					errs <- db.InTx(ctx, func(tx *sql.Tx) error { return Append(ctx, tx, e) })
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		rep := verify(t, db)
		if !rep.OK() || rep.Entries != writers*each || rep.Head.Seq != writers*each {
			t.Fatalf("report %+v", rep)
		}
	})
}

func TestListIsScopedAndFiltered(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		appendEntries(t, db, 9) // agencies 1, 2, ministry, 1, 2, ministry, …
		other := access.WithActor(ctx, access.Actor{Kind: access.ActorCLI, Name: "lee"})
		if err := db.InTx(ctx, func(tx *sql.Tx) error {
			return Append(other, tx, &Entry{Action: ActionDelete, Kind: KindAgency, AgencyID: id(1), Summary: "기관"})
		}); err != nil {
			t.Fatal(err)
		}
		count := func(scope access.Scope, f Filter) int64 {
			t.Helper()
			n, err := Count(ctx, db, scope, f)
			if err != nil {
				t.Fatal(err)
			}
			list, err := List(ctx, db, scope, f)
			if err != nil {
				t.Fatal(err)
			}
			if f.Limit == 0 && f.Offset == 0 && int64(len(list)) != n {
				t.Errorf("%v %+v: count %d, listed %d", scope, f, n, len(list))
			}
			for _, e := range list {
				if !scope.IsAll() && (e.AgencyID == nil || *e.AgencyID != scope.AgencyID()) {
					t.Errorf("%v reads entry %d of agency %v", scope, e.Seq, e.AgencyID)
				}
			}
			return n
		}
		scenarios := []struct {
			name  string
			scope access.Scope
			f     Filter
			want  int64
		}{
			{"ministry reads everything", access.All(), Filter{}, 10},
			{"agency 1 reads its own", access.Agency(1), Filter{}, 4},
			{"agency 2 reads its own", access.Agency(2), Filter{}, 3},
			{"an agency with no entries reads none", access.Agency(9), Filter{}, 0},
			{"agency filter inside an agency scope cannot widen it", access.Agency(1), Filter{AgencyID: 2}, 0},
			{"by agency", access.All(), Filter{AgencyID: 2}, 3},
			{"by kind", access.All(), Filter{Kind: KindAgency}, 1},
			{"by action", access.All(), Filter{Action: ActionUpdate}, 9},
			{"by actor", access.All(), Filter{ActorName: "lee"}, 1},
			{"by record", access.All(), Filter{Kind: KindSystem, RecordID: 104}, 1},
			{"from now on", access.All(), Filter{From: time.Now().Add(time.Minute)}, 0},
			{"until now", access.All(), Filter{To: time.Now().Add(time.Minute)}, 10},
			{"within the last hour", access.All(), Filter{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)}, 10},
		}
		for _, s := range scenarios {
			if got := count(s.scope, s.f); got != s.want {
				t.Errorf("%s: %d entries, want %d", s.name, got, s.want)
			}
		}
		page, err := List(ctx, db, access.All(), Filter{Limit: 3, Offset: 2})
		if err != nil || len(page) != 3 || page[0].Seq != 8 || page[2].Seq != 6 {
			t.Fatalf("page: %d entries from %+v: %v", len(page), page, err)
		}
		rest, err := List(ctx, db, access.All(), Filter{Offset: 8})
		if err != nil || len(rest) != 2 || rest[1].Seq != 1 {
			t.Fatalf("offset without limit: %+v: %v", rest, err)
		}
	})
}

// The encoding cannot be made to collide by moving text between fields or
// by putting an empty value in place of a missing one.
func TestCountByActor(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		kim := access.Actor{Kind: access.ActorUser, ID: 3, Name: "kim"}
		writes := []struct {
			actor        access.Actor
			address      string
			kind, action string
			agency       *int64
		}{
			{kim, "10.0.0.7", KindSystem, ActionUpdate, id(1)},
			{kim, "10.0.0.8", KindSystem, ActionUpdate, id(1)}, // elsewhere, the same person
			{kim, "10.0.0.7", KindSystem, ActionCreate, id(2)},
			{kim, "10.0.0.7", KindUser, ActionLock, id(1)},
			{access.Actor{Kind: access.ActorSystem, Name: "yeonsok"}, "", KindUser, ActionLock, id(1)},
			{access.Actor{Kind: access.ActorUser, ID: 4, Name: "lee"}, "", KindFacility, ActionUpdate, nil},
		}
		for _, w := range writes {
			actor := w.actor
			actor.Address = w.address
			e := &Entry{Actor: actor, Kind: w.kind, Action: w.action, AgencyID: w.agency}
			if err := db.InTx(ctx, func(tx *sql.Tx) error { return Append(ctx, tx, e) }); err != nil {
				t.Fatal(err)
			}
		}
		scenarios := []struct {
			name  string
			scope access.Scope
			f     Filter
			want  string
		}{
			{"the ministry", access.All(), Filter{},
				"[kim/3 system create 1 kim/3 system update 2 kim/3 user lock 1 lee/4 facility update 1 yeonsok/0 user lock 1]"},
			{"agency 1", access.Agency(1), Filter{}, "[kim/3 system update 2 kim/3 user lock 1 yeonsok/0 user lock 1]"},
			{"one kind", access.All(), Filter{Kind: KindUser}, "[kim/3 user lock 1 yeonsok/0 user lock 1]"},
			{"a period with nothing", access.All(), Filter{To: time.Now().Add(-time.Hour)}, "[]"},
		}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				list, err := CountByActor(ctx, db, sc.scope, sc.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, c := range list {
					if c.Actor.Address != "" {
						t.Errorf("count keeps an address: %+v", c)
					}
					got = append(got, fmt.Sprintf("%s/%d %s %s %d", c.Actor.Name, c.Actor.ID, c.Kind, c.Action, c.Count))
				}
				slices.Sort(got)
				if s := "[" + strings.Join(got, " ") + "]"; s != sc.want {
					t.Fatalf("counts %s, want %s", s, sc.want)
				}
			})
		}
	})
}

func TestHashCoversEveryFieldUnambiguously(t *testing.T) {
	base := Entry{Seq: 7, At: time.Date(2025, 9, 26, 11, 15, 0, 123456000, time.UTC),
		Actor: access.Actor{Kind: "user", ID: 1, Name: "ab", Address: "c"}, Action: "update", Kind: "system",
		AgencyID: id(2), RecordID: id(3), Summary: "s", Before: json.RawMessage(`{}`), After: json.RawMessage(`{"a":1}`), PrevHash: Genesis}
	sum := func(e Entry) string { r := e.row(); return r.sum() }
	seen := map[string]string{sum(base): "base"}
	variants := map[string]func(e *Entry){
		"text moved between fields": func(e *Entry) { e.Actor.Name, e.Actor.Address = "a", "bc" },
		"no agency":                 func(e *Entry) { e.AgencyID = nil },
		"agency 0":                  func(e *Entry) { e.AgencyID = id(0) },
		"no record":                 func(e *Entry) { e.RecordID = nil },
		"no before":                 func(e *Entry) { e.Before = nil },
		"empty before":              func(e *Entry) { e.Before = json.RawMessage(``) },
		"another microsecond":       func(e *Entry) { e.At = e.At.Add(time.Microsecond) },
		"another seq":               func(e *Entry) { e.Seq = 8 },
		"another previous hash":     func(e *Entry) { e.PrevHash = strings.Repeat("1", 64) },
		"another actor id":          func(e *Entry) { e.Actor.ID = 2 },
		"another kind":              func(e *Entry) { e.Kind = "service" },
		"another action":            func(e *Entry) { e.Action = "delete" },
		"another summary":           func(e *Entry) { e.Summary = "t" },
		"another after":             func(e *Entry) { e.After = json.RawMessage(`{"a":2}`) },
		"another actor kind":        func(e *Entry) { e.Actor.Kind = "cli" },
	}
	for name, change := range variants {
		e := base
		change(&e)
		h := sum(e)
		if other, dup := seen[h]; dup {
			t.Errorf("%s hashes like %s", name, other)
		}
		seen[h] = name
	}
	if sum(base) != sum(base) {
		t.Error("the hash is not deterministic")
	}
}

func TestMessagesReadInBothLanguages(t *testing.T) {
	e := Entry{Kind: KindSystem, Action: ActionUpdate, Summary: "고용24"}
	if got := e.Describe(locale.Korean); got != "시스템 고용24 수정" {
		t.Errorf("ko: %q", got)
	}
	if got := e.Describe(locale.English); got != "system 고용24 updated" {
		t.Errorf("en: %q", got)
	}
	for _, kind := range Kinds {
		if !locale.Has("audit.kind." + kind) {
			t.Errorf("kind %s has no words", kind)
		}
	}
	for _, action := range Actions {
		if !locale.Has("audit.action." + action) {
			t.Errorf("action %s has no words", action)
		}
	}
	for _, kind := range []string{access.ActorUser, access.ActorToken, access.ActorCLI, access.ActorSystem} {
		if !locale.Has("audit.actor." + kind) {
			t.Errorf("actor kind %s has no words", kind)
		}
	}
	accounts := []struct {
		entry  Entry
		ko, en string
	}{
		{Entry{Kind: KindUser, Action: ActionLock, Summary: "hong"}, "계정 hong 잠금", "account hong locked"},
		{Entry{Kind: KindUser, Action: ActionPasswordReset, Summary: "hong"}, "계정 hong 비밀번호 초기화", "account hong password reset"},
		{Entry{Kind: KindToken, Action: ActionRevoke, Summary: "백업"}, "API 토큰 백업 폐기", "API token 백업 revoked"},
	}
	for _, a := range accounts {
		if got := a.entry.Describe(locale.Korean); got != a.ko {
			t.Errorf("ko: %q, want %q", got, a.ko)
		}
		if got := a.entry.Describe(locale.English); got != a.en {
			t.Errorf("en: %q, want %q", got, a.en)
		}
	}
	for _, b := range []Break{{BreakEdited, 3, 3}, {BreakLink, 4, 4}, {BreakMissing, 3, 3}, {BreakMissing, 2, 3},
		{BreakTruncated, 5, 5}, {BreakTruncated, 1, 5}, {BreakHead, 4, 4}, {BreakHead, 6, 7}} {
		for _, lang := range []locale.Lang{locale.Korean, locale.English} {
			if msg := b.Message(lang); strings.Contains(msg, "audit.") || !strings.Contains(msg, fmt.Sprint(b.Seq)) {
				t.Errorf("%+v in %s: %q", b, lang, msg)
			}
		}
	}
	rep := &Report{Entries: 5, Head: Head{5, "abc"}}
	if msg := rep.Message(locale.English); !strings.Contains(msg, "5 audit entries") || !strings.Contains(msg, "abc") {
		t.Errorf("ok report: %q", msg)
	}
	rep.Breaks = []Break{{BreakMissing, 3, 3}}
	if msg := rep.Message(locale.Korean); !strings.Contains(msg, "3번 기록이 없습니다") {
		t.Errorf("broken report: %q", msg)
	}
}
