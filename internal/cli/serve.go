package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/signal"
	"syscall"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/auth"
	"yeonsok/internal/config"
	"yeonsok/internal/web"
)

// housekeepingEvery is how often the tower locks unused accounts and
// forgets ended sessions.
const housekeepingEvery = time.Hour

func runServe(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("serve", "[--addr HOST:PORT] [--db PATH_OR_URL] [--tls-cert FILE --tls-key FILE]")
	addr := fs.String("addr", env.cfg.Addr, "address to listen on, e.g. 0.0.0.0:8443 for every interface (env YEONSOK_ADDR)")
	certFile := fs.String("tls-cert", env.cfg.TLSCert, "PEM certificate: serve HTTPS (env YEONSOK_TLS_CERT)")
	keyFile := fs.String("tls-key", env.cfg.TLSKey, "PEM private key of --tls-cert (env YEONSOK_TLS_KEY)")
	target := env.dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*certFile == "") != (*keyFile == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
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
	srv, err := web.New(db, env.log, accounts, web.Options{TrustedProxies: env.cfg.TrustedProxies, TrustedOrigins: trustedOrigins(env.cfg)})
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
	if password != "" {
		fmt.Fprintf(env.stdout, `First start: sign in as %q with the one-time password
    %s
It is shown only now and must be changed at the first sign-in.
`, auth.FirstAdminLogin, password)
	}
	fmt.Fprintln(env.stdout, "Stop with Ctrl+C.")
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go keepHouse(ctx, env, accounts)
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
