package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"yeonsok/internal/config"
	"yeonsok/internal/web"
)

func runServe(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("serve", "[--addr HOST:PORT] [--db PATH_OR_URL]")
	addr := fs.String("addr", env.cfg.Addr, "address to listen on (env YEONSOK_ADDR); loopback only until accounts exist")
	target := env.dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := config.RequireLoopback(*addr); err != nil {
		return err
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
	srv, err := web.New(db, env.log)
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
	fmt.Fprintf(env.stdout, `연속(Yeonsok) %s is running on http://%s/ with %s database %s
No accounts exist yet (they come with the next version), so the tower listens on loopback only
and anyone on this machine may use it: open the address above in a browser — no login needed.
Stop with Ctrl+C.
`, Version, listener.Addr(), db.Dialect, db.Location)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(listener) }()
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
