package access

import (
	"context"
	"testing"
)

func TestScope(t *testing.T) {
	scenarios := []struct {
		name    string
		scope   Scope
		agency  int64
		allowed bool
		where   string
		args    int
	}{
		{"ministry sees every agency", All(), 7, true, "1 = 1", 1},
		{"agency sees itself", Agency(7), 7, true, "s.agency_id = $2", 2},
		{"agency does not see another", Agency(7), 8, false, "s.agency_id = $2", 2},
		{"zero scope sees nothing", Scope{}, 7, false, "s.agency_id = $2", 2},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := s.scope.Allows(s.agency); got != s.allowed {
				t.Errorf("Allows(%d) = %v, want %v", s.agency, got, s.allowed)
			}
			args := []any{"already there"}
			if got := s.scope.Where("s.agency_id", &args); got != s.where || len(args) != s.args {
				t.Errorf("Where = %q with %d args, want %q with %d", got, len(args), s.where, s.args)
			}
		})
	}
}

func TestActorTravelsInTheContext(t *testing.T) {
	if a := ActorFrom(context.Background()); a.Kind != ActorSystem {
		t.Fatalf("no actor set: %+v, want the system", a)
	}
	ctx := WithActor(context.Background(), Actor{Kind: ActorUser, ID: 7, Name: "admin", Address: "10.0.0.5"})
	if a := ActorFrom(ctx); a.Kind != ActorUser || a.ID != 7 || a.Address != "10.0.0.5" {
		t.Fatalf("actor %+v", a)
	}
}
