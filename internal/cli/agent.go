package cli

import (
	"context"
	"fmt"
	"os/signal"
	"syscall"

	"yeonsok/internal/agent"
)

func runAgent(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("agent", "--tower URL [--token TOKEN] [--buffer DIR] [--buffer-max-mb N] [--tower-ca FILE] [--drain DURATION]")
	tower := fs.String("tower", "", "the tower's address, e.g. https://yeonsok.moel.go.kr (required)")
	token := fs.String("token", "", "API token of the agent role; better given as env YEONSOK_AGENT_TOKEN or YEONSOK_AGENT_TOKEN_FILE "+
		"(a file holding it), which other users cannot read in the process list")
	bufferDir := fs.String("buffer", "./"+agent.DefaultBufferDir, "directory for the results not yet sent, the last assignments and the last batch number")
	maxMB := fs.Int("buffer-max-mb", agent.DefaultMaxBufferBytes>>20, "bound on the results buffered, in MiB; beyond it the oldest are deleted")
	caFile := fs.String("tower-ca", "", "PEM file of the CA that signed the tower's certificate, trusted besides the system's")
	drain := fs.Duration("drain", agent.DefaultDrainFor, "on stop, how long to go on sending what is buffered; the rest is sent at the next start")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *tower == "" {
		return fmt.Errorf("--tower is required: the tower's address, e.g. https://yeonsok.moel.go.kr")
	}
	if *maxMB < 1 {
		return fmt.Errorf("--buffer-max-mb %d: give at least 1", *maxMB)
	}
	if *drain <= 0 {
		return fmt.Errorf("--drain %s: give a positive duration like 5s", *drain)
	}
	if *token == "" {
		var err error
		if *token, err = agentToken(); err != nil {
			return err
		}
	}
	if *token == "" {
		return fmt.Errorf("no token: set YEONSOK_AGENT_TOKEN or YEONSOK_AGENT_TOKEN_FILE, or give --token (an API token of the agent role)")
	}
	a, err := agent.New(agent.Options{
		Tower:          *tower,
		Token:          *token,
		CAFile:         *caFile,
		BufferDir:      *bufferDir,
		MaxBufferBytes: int64(*maxMB) << 20,
		DrainFor:       *drain,
		Logger:         env.log,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "연속(Yeonsok) agent %s for %s, buffering in %s. Stop with Ctrl+C.\n", Version, *tower, *bufferDir)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err = a.Run(ctx)
	st := a.Stats()
	fmt.Fprintf(env.stdout, "agent stopped: produced=%d sent=%d buffered=%d dropped=%d\n", st.Produced, st.Sent, st.Buffered, st.Dropped)
	if st.Rejected > 0 {
		env.log.Error("the tower refused batches for good; they are kept in the buffer as *.rejected", "results", st.Rejected)
	}
	return err
}

// agentToken reads YEONSOK_AGENT_TOKEN, or the file YEONSOK_AGENT_TOKEN_FILE
// names.
func agentToken() (string, error) { return envSecret("YEONSOK_AGENT_TOKEN") }
