package access

import "context"

// Actor kinds: who made a change, as the audit log records it.
const (
	ActorUser   = "user"   // a person signed in to the web interface
	ActorToken  = "token"  // an API token (agent, backup job, alert source, script)
	ActorCLI    = "cli"    // the yeonsok command on the tower's machine
	ActorSystem = "system" // the tower itself (first start, scheduled jobs)
)

// Actor is who makes a change and from where.
type Actor struct {
	Kind    string `json:"kind"`
	ID      int64  `json:"id,omitempty"`
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
}

type actorKey struct{}

// WithActor returns a context that carries who is acting, so that every
// write below it is recorded under that name without passing it through
// every call.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor the context carries; the tower itself when
// none was set.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Kind: ActorSystem, Name: "yeonsok"}
}
