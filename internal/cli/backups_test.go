package cli

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/backup"
	"yeonsok/internal/config"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/notify"
	"yeonsok/internal/notify/smtptest"
)

// The "done when", its second half: a system whose job stops
// reporting becomes late once its policy's period has passed, and its
// call list is told by email — once, not at every look.
func TestBackupJobStoppedIsTold(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := database.Open(ctx, filepath.Join(t.TempDir(), "yeonsok.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	home := &inventory.Facility{Name: "본부 전산실", Operator: "self"}
	away := &inventory.Facility{Name: "대전 백업센터", Operator: "nirs"}
	agency := &inventory.Agency{Name: "한국고용정보원"}
	sys := &inventory.System{Name: "고용24", PrimaryFacilityID: &home.ID}
	err = inventory.NewStore(db).Update(ctx, access.All(), func(tx *inventory.Tx) error {
		for _, f := range []*inventory.Facility{home, away} {
			if err := tx.CreateFacility(ctx, f); err != nil {
				return err
			}
		}
		if err := tx.CreateAgency(ctx, agency); err != nil {
			return err
		}
		sys.AgencyID = agency.ID
		sys.PrimaryFacilityID = &home.ID
		return tx.CreateSystem(ctx, sys)
	})
	if err != nil {
		t.Fatal(err)
	}
	contacts := incident.NewContactStore(db)
	if err := contacts.Create(ctx, access.All(), &incident.Contact{AgencyID: agency.ID, SystemID: sys.ID, Role: incident.RolePrimary,
		Name: "홍길동", Email: "hong@keis.example"}); err != nil {
		t.Fatal(err)
	}
	// A compliant system: a full with a restore test, on tape in 대전; an
	// incremental an hour ago.
	start := time.Now()
	full := backup.Run{SystemID: sys.ID, Key: "full", Kind: backup.KindFull, StartedAt: start.Add(-49 * time.Hour), EndedAt: start.Add(-48 * time.Hour),
		Result: backup.ResultSuccess, Copy: backup.Copy{FacilityID: away.ID, Medium: backup.MediumTape},
		RestoreTest: &backup.RestoreTest{At: start.Add(-24 * time.Hour), Result: backup.ResultSuccess, Seconds: 900}}
	incr := backup.Run{SystemID: sys.ID, Key: "incr", Kind: backup.KindIncremental, StartedAt: start.Add(-time.Hour), EndedAt: start.Add(-50 * time.Minute),
		Result: backup.ResultSuccess, Copy: backup.Copy{FacilityID: home.ID, Medium: backup.MediumOnline}}
	if _, err := backup.NewStore(db).Report(ctx, backup.Reporter{Scope: access.All()}, []backup.Run{full, incr}); err != nil {
		t.Fatal(err)
	}

	mail := smtptest.Start(t, &smtptest.Server{})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	notifier := incident.NewNotifier(db, contacts, &notify.Dispatcher{Email: &notify.SMTP{Host: mail.Host, Port: mail.Port,
		From: "연속 <yeonsok@moel.example>", StartTLS: notify.StartTLSOff, Timeout: 5 * time.Second}}, log)
	done := make(chan struct{})
	go func() { defer close(done); notifier.Run(ctx) }()
	defer func() { cancel(); <-done }()
	env := &environment{cfg: config.Config{}, log: log, stdout: io.Discard, stderr: io.Discard}

	if err := checkBackups(ctx, env, db, notifier, start); err != nil {
		t.Fatal(err)
	}
	// The job stops; a day and a half later the incremental is late.
	later := start.Add(36 * time.Hour)
	if err := checkBackups(ctx, env, db, notifier, later); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "the email that the backup is late", func() bool { return len(mail.To("hong@keis.example")) > 0 })
	if err := checkBackups(ctx, env, db, notifier, later.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // what a second telling would take to arrive, had there been one
	got := mail.To("hong@keis.example")
	if len(got) != 1 {
		t.Fatalf("%d emails, want the one of the first look at the late backup", len(got))
	}
	_, subject, body, err := got[0].Decode()
	if err != nil || subject != "[연속] 고용24 백업 지연 — 증분 백업 (한국고용정보원)" || !strings.Contains(body, "상태: 지연") {
		t.Errorf("the email: %q\n%s (%v)", subject, body, err)
	}
}
