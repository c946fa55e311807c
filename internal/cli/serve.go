package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/config"
	"yeonsok/internal/database"
	"yeonsok/internal/incident"
	"yeonsok/internal/inventory"
	"yeonsok/internal/monitor"
	"yeonsok/internal/notify"
	"yeonsok/internal/oidc"
	"yeonsok/internal/web"
)

// housekeepingEvery is how often the tower locks unused accounts and
// forgets ended sessions.
const housekeepingEvery = time.Hour

// Single sign-on: how long one talk with the provider may take, and how
// long the tower waits before asking again a provider it could not read
// (a variable for the tests).
const ssoTimeout = 15 * time.Second

var ssoRetryEvery = time.Minute

func runServe(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("serve", "[--addr HOST:PORT] [--db PATH_OR_URL] [--tls-cert FILE --tls-key FILE]")
	addr := fs.String("addr", env.cfg.Addr, "address to listen on, e.g. 0.0.0.0:8443 for every interface (env YEONSOK_ADDR)")
	certFile := fs.String("tls-cert", env.cfg.TLSCert, "PEM certificate: serve HTTPS (env YEONSOK_TLS_CERT)")
	keyFile := fs.String("tls-key", env.cfg.TLSKey, "PEM private key of --tls-cert (env YEONSOK_TLS_KEY)")
	target := env.dbFlag(fs)
	flagsOnly := fs.Usage
	fs.Usage = func() {
		flagsOnly()
		fmt.Fprint(env.stdout, notifyEnvHelp)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*certFile == "") != (*keyFile == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	// Single sign-on starts without its provider, which is read in the
	// background: a provider that is down must not keep the tower (and
	// its passwords) from starting. Its settings are checked now.
	var sso *web.SSO
	var ssoCfg oidc.Config
	if env.cfg.OIDC.Issuer != "" {
		var err error
		if ssoCfg, err = ssoConfig(env.cfg.OIDC); err != nil {
			return err
		}
		sso = &web.SSO{}
	}
	db, fresh, err := env.openDB(ctx, *target)
	if err != nil {
		return err
	}
	defer db.Close()
	if fresh {
		if err := loadSampleOnFirstStart(ctx, env, db); err != nil {
			return err
		}
	}
	accounts := auth.NewStore(db, authSettings(env.cfg))
	password, err := accounts.EnsureFirstAdmin(ctx)
	if err != nil {
		return fmt.Errorf("create the first administrator: %w", err)
	}
	// An outage the monitoring declares opens (or joins) an incident.
	incidents := incident.NewStore(db)
	watcher := monitor.NewWatcher(monitor.NewStore(db), env.log, monitor.WatcherOptions{InventoryVersion: inventory.NewStore(db).Version,
		OnSystem: incidents.FollowMonitoring})
	// The citizens' status page, rebuilt in the background (below) so that
	// its requests are answered from memory.
	public, err := web.NewStatusPage(db, watcher, env.log)
	if err != nil {
		return err
	}
	srv, err := web.New(db, env.log, accounts, web.Options{TrustedProxies: env.cfg.TrustedProxies, TrustedOrigins: trustedOrigins(env.cfg),
		SSO: sso, Watcher: watcher, StatusPage: public, ReportWithin: env.cfg.ReportWithin,
		RestoreTestEvery: env.cfg.RestoreTestEvery})
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	httpServer := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	fmt.Fprintf(env.stdout, "연속(Yeonsok) %s is running on %s://%s/ with %s database %s\n", Version, scheme, listener.Addr(), db.Dialect, db.Location)
	if sso != nil {
		fmt.Fprintf(env.stdout, "Single sign-on is on, through %s\n", ssoCfg.Issuer)
	} else {
		fmt.Fprintln(env.stdout, "Single sign-on is off (set YEONSOK_OIDC_ISSUER to turn it on)")
	}
	if password != "" {
		fmt.Fprintf(env.stdout, `First start: sign in as %q with the one-time password
    %s
It is shown only now, must be changed at the first sign-in, and signs in for %d hours
(after that: yeonsok user reset-password %s).
`, auth.FirstAdminLogin, password, int(accounts.Settings().TemporaryPasswordValid.Hours()), auth.FirstAdminLogin)
	}
	fmt.Fprintln(env.stdout, "Stop with Ctrl+C.")
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go keepHouse(ctx, env, accounts)
	go watchClocks(ctx, env, incidents)
	// The notifier starts reading the timeline now, so that what Reconcile
	// records next is told too.
	notifier := newNotifier(env, db)
	if err := notifier.Prime(ctx); err != nil {
		return err
	}
	notifying := make(chan struct{})
	go func() {
		defer close(notifying)
		if err := notifier.Run(ctx); err != nil {
			env.log.Error("notifications stopped", "err", err)
		}
	}()
	// The attempts still under way are written before the database closes.
	defer func() { stop(); <-notifying }()
	go watchBackups(ctx, env, db, notifier)
	go public.Run(ctx)
	// What a crash may have lost between the interruptions and the
	// incidents, made good before the monitoring starts.
	if opened, restored, err := incidents.Reconcile(ctx); err != nil {
		env.log.Error("incidents: reconcile with the monitoring", "err", err)
	} else if opened+restored > 0 {
		env.log.Info("incidents: reconciled with the monitoring", "opened", opened, "restored", restored)
	}
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		_ = watcher.Run(ctx)
	}()
	// The last state changes and rollups are written before the database
	// closes.
	defer func() { stop(); <-watching }()
	if sso != nil {
		go connectSSO(ctx, env, ssoCfg, sso)
	}
	errc := make(chan error, 1)
	go func() {
		if *certFile != "" {
			errc <- httpServer.ServeTLS(listener, *certFile, *keyFile)
			return
		}
		errc <- httpServer.Serve(listener)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	env.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// authSettings are the account rules the configuration sets.
func authSettings(cfg config.Config) auth.Settings {
	return auth.Settings{
		LockoutDuration: cfg.LockoutDuration,
		InactiveAfter:   cfg.InactiveAfter,
		SessionIdle:     cfg.SessionIdle,
		SessionLifetime: cfg.SessionLifetime,

		TemporaryPasswordValid: cfg.TemporaryPasswordValid,
	}
}

// trustedOrigins is the public address behind a reverse proxy, as an origin.
func trustedOrigins(cfg config.Config) []string {
	if cfg.PublicURL == "" {
		return nil
	}
	u, err := url.Parse(cfg.PublicURL)
	if err != nil {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host}
}

// keepHouse locks accounts unused for too long and forgets ended sessions,
// at start and then every housekeepingEvery, until ctx ends.
func keepHouse(ctx context.Context, env *environment, accounts *auth.Store) {
	ctx = access.WithActor(ctx, access.Actor{Kind: access.ActorSystem, Name: "yeonsok"})
	ticker := time.NewTicker(housekeepingEvery)
	defer ticker.Stop()
	for {
		if n, err := accounts.LockInactive(ctx); err != nil {
			env.log.Error("lock inactive accounts", "err", err)
		} else if n > 0 {
			env.log.Info("locked inactive accounts", "count", n)
		}
		if _, err := accounts.PurgeSessions(ctx); err != nil {
			env.log.Error("purge ended sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// notifyEnvHelp is the part of `serve --help` about notifications.
const notifyEnvHelp = `
Notifications (incidents tell their call lists; see docs/incidents.md):
  YEONSOK_SMTP_ADDR       mail server host:port; empty: no email (webhooks still go)
  YEONSOK_SMTP_FROM       sender, e.g. "연속 <yeonsok@moel.go.kr>" (required with the address)
  YEONSOK_SMTP_USERNAME   AUTH PLAIN user (over TLS or to localhost only); empty: no authentication
  YEONSOK_SMTP_PASSWORD   its password (or YEONSOK_SMTP_PASSWORD_FILE)
  YEONSOK_SMTP_STARTTLS   auto (default), require or off
  YEONSOK_PUBLIC_URL      put before the incident links in messages
  YEONSOK_INCIDENT_REPORT_WITHIN
                          how soon an agency must report an outage its probes saw
                          before it is flagged unreported (default 30m)
  YEONSOK_BACKUP_RESTORE_TEST_DAYS
                          how often each system's backups must be proven by a
                          restore test, in days (default 180)
`

// newNotifier builds what tells the call lists of incidents: email through
// the configured mail server (none when YEONSOK_SMTP_ADDR is empty, and
// each email attempt then fails on the timeline, which says why) and
// signed webhooks.
func newNotifier(env *environment, db *database.DB) *incident.Notifier {
	d := &notify.Dispatcher{Webhook: &notify.Webhook{}}
	if c := env.cfg.SMTP; c.Addr != "" {
		host, port := c.HostPort()
		d.Email = &notify.SMTP{Host: host, Port: port, From: c.From, Username: c.Username, Password: c.Password, StartTLS: c.StartTLS}
		env.log.Info("notifications: email through " + c.Addr)
	} else {
		env.log.Info("notifications: email is off (set YEONSOK_SMTP_ADDR to turn it on); webhooks go")
	}
	n := incident.NewNotifier(db, incident.NewContactStore(db), d, env.log)
	n.PublicURL = env.cfg.PublicURL
	return n
}

// clocksEvery is how often the RTO clocks of open incidents are looked
// at for the stages they passed.
const clocksEvery = 30 * time.Second

// watchClocks records on their timelines the stages the RTO clocks of open
// incidents pass (50 %, 80 %, the target), every clocksEvery until ctx
// ends. The Notifier reads them from the timeline and tells the call
// lists; they are logged too.
func watchClocks(ctx context.Context, env *environment, incidents *incident.Store) {
	ticker := time.NewTicker(clocksEvery)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		warnings, err := incidents.ClockWarnings(ctx, time.Now())
		if err != nil {
			env.log.Error("incident clocks", "err", err)
			continue
		}
		for _, w := range warnings {
			env.log.Warn("RTO clock", "incident", w.IncidentID, "system", w.SystemName, "stage", w.Stage.String(),
				"elapsed", w.Elapsed.Round(time.Second), "target", w.Target, "escalate", w.Escalate)
		}
	}
}

// ssoConfig is how the tower knows the single sign-on provider: the
// settings, checked now (a mistake there stops the start), and an HTTP
// client that trusts the system's certificate authorities and, when
// CAFile names one, the ministry's own.
func ssoConfig(c config.OIDC) (oidc.Config, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return oidc.Config{}, fmt.Errorf("single sign-on: YEONSOK_OIDC_CA_FILE: %w", err)
		}
		roots, err := x509.SystemCertPool()
		if err != nil {
			roots = x509.NewCertPool()
		}
		if !roots.AppendCertsFromPEM(pem) {
			return oidc.Config{}, fmt.Errorf("single sign-on: YEONSOK_OIDC_CA_FILE %s holds no PEM certificate", c.CAFile)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	cfg := oidc.Config{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURL,
		Scopes: c.Scopes, LoginClaim: c.LoginClaim, HTTPClient: &http.Client{Transport: transport, Timeout: ssoTimeout}}
	if err := cfg.Check(); err != nil {
		return oidc.Config{}, fmt.Errorf("single sign-on: %w", err)
	}
	return cfg, nil
}

// connectSSO reads the provider's discovery document and hands the
// provider to holder, from when on single sign-on works. While the
// provider cannot be read it logs why and tries again every ssoRetryEvery,
// until ctx ends; passwords work meanwhile.
func connectSSO(ctx context.Context, env *environment, cfg oidc.Config, holder *web.SSO) {
	for {
		attempt, cancel := context.WithTimeout(ctx, ssoTimeout)
		p, err := oidc.New(attempt, cfg)
		cancel()
		if err == nil {
			holder.Set(p)
			env.log.Info("single sign-on is ready", "issuer", cfg.Issuer)
			return
		}
		if ctx.Err() != nil {
			return
		}
		env.log.Warn("single sign-on: cannot read the provider; passwords still work; trying again", "issuer", cfg.Issuer,
			"in", ssoRetryEvery, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(ssoRetryEvery):
		}
	}
}
