package auth

import "testing"

// Every role against every permission. Agency 7 is the principal's own
// agency, 8 another; system 11 is bound to the push tokens, 12 is not.
func TestPermissions(t *testing.T) {
	user := func(r Role, agency int64) Principal {
		return Principal{Kind: KindUser, UserID: 1, Role: r, AgencyID: agency}
	}
	token := func(r Role, agency int64, systems ...int64) Principal {
		return Principal{Kind: KindToken, TokenID: 1, Role: r, AgencyID: agency, SystemIDs: systems}
	}
	type want struct {
		scope                     string
		read, write, approve      bool
		manage0, manage7, manage8 bool // CanManageUsers (and CanManageTokens) of the ministry, agency 7, agency 8
		push11, push12            bool
		audit0, audit7, audit8    bool
	}
	scenarios := []struct {
		name string
		p    Principal
		want want
	}{
		{"ministry admin", user(MinistryAdmin, 0),
			want{"all agencies", true, true, true, true, true, true, false, false, true, true, true}},
		{"ministry viewer", user(MinistryViewer, 0),
			want{"all agencies", true, false, false, false, false, false, false, false, false, false, false}},
		{"agency admin", user(AgencyAdmin, 7),
			want{"agency 7", true, true, false, false, true, false, false, false, false, true, false}},
		{"agency editor", user(AgencyEditor, 7),
			want{"agency 7", true, true, false, false, false, false, false, false, false, false, false}},
		{"agency viewer", user(AgencyViewer, 7),
			want{"agency 7", true, false, false, false, false, false, false, false, false, false, false}},
		{"agent token", token(Agent, 7, 11),
			want{"agency 0", false, false, false, false, false, false, true, false, false, false, false}},
		{"backup token", token(Backup, 0, 11),
			want{"agency 0", false, false, false, false, false, false, true, false, false, false, false}},
		{"alert token", token(Alert, 7, 11),
			want{"agency 0", false, false, false, false, false, false, true, false, false, false, false}},
		{"script token of the ministry", token(Script, 0),
			want{"all agencies", true, true, false, false, false, false, false, false, false, false, false}},
		{"script token of an agency", token(Script, 7),
			want{"agency 7", true, true, false, false, false, false, false, false, false, false, false}},
		{"script token cannot push even with systems", token(Script, 7, 11),
			want{"agency 7", true, true, false, false, false, false, false, false, false, false, false}},
		{"nobody", Principal{},
			want{"agency 0", false, false, false, false, false, false, false, false, false, false, false}},
		{"token with a person's role", token(MinistryAdmin, 0, 11),
			want{"agency 0", false, false, false, false, false, false, false, false, false, false, false}},
		{"person with a token's role", user(Agent, 7),
			want{"agency 0", false, false, false, false, false, false, false, false, false, false, false}},
		{"unknown role", user("root", 0),
			want{"agency 0", false, false, false, false, false, false, false, false, false, false, false}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			p := s.p
			got := want{
				scope: p.Scope().String(), read: p.CanRead(), write: p.CanWriteInventory(), approve: p.CanApprove(),
				manage0: p.CanManageUsers(0), manage7: p.CanManageUsers(7), manage8: p.CanManageUsers(8),
				push11: p.CanPushFor(11), push12: p.CanPushFor(12),
				audit0: p.CanViewAudit(0), audit7: p.CanViewAudit(7), audit8: p.CanViewAudit(8),
			}
			if got != s.want {
				t.Errorf("got  %+v\nwant %+v", got, s.want)
			}
			for _, agency := range []int64{0, 7, 8} {
				if p.CanManageTokens(agency) != p.CanManageUsers(agency) {
					t.Errorf("CanManageTokens(%d) differs from CanManageUsers", agency)
				}
			}
		})
	}
}

// A push token pushes only its own kind of result.
func TestCanPush(t *testing.T) {
	backup := Principal{Kind: KindToken, Role: Backup, SystemIDs: []int64{11}}
	if !backup.CanPush(Backup, 11) || backup.CanPush(Agent, 11) || backup.CanPush(Backup, 12) {
		t.Error("a backup token must push backup runs for its own systems only")
	}
}

// An agent token's scope sees no agency's records, ministry-wide records
// included.
func TestPushTokenScopeSeesNothing(t *testing.T) {
	scope := Principal{Kind: KindToken, Role: Agent, AgencyID: 7, SystemIDs: []int64{11}}.Scope()
	for _, agency := range []int64{1, 7, 8} {
		if scope.Allows(agency) {
			t.Errorf("agent token's scope allows agency %d", agency)
		}
	}
	if scope.IsAll() {
		t.Error("agent token's scope is all agencies")
	}
}

func TestActor(t *testing.T) {
	user := Principal{Kind: KindUser, UserID: 3, TokenID: 9, Name: "kim"}.Actor("10.0.0.1")
	token := Principal{Kind: KindToken, UserID: 3, TokenID: 9, Name: "probe"}.Actor("")
	if user.ID != 3 || user.Kind != "user" || user.Address != "10.0.0.1" || token.ID != 9 || token.Kind != "token" {
		t.Errorf("actors %+v %+v", user, token)
	}
}

// An agency admin manages its agency's editors and viewers, not its fellow
// admins, nor anything of another agency or the ministry.
func TestCanManageAccount(t *testing.T) {
	ministry := Principal{Kind: KindUser, Role: MinistryAdmin}
	agency := Principal{Kind: KindUser, Role: AgencyAdmin, AgencyID: 7}
	scenarios := []struct {
		who    Principal
		role   Role
		agency int64
		may    bool
	}{
		{ministry, AgencyAdmin, 7, true},
		{ministry, MinistryViewer, 0, true},
		{agency, AgencyEditor, 7, true},
		{agency, AgencyViewer, 7, true},
		{agency, AgencyAdmin, 7, false},
		{agency, AgencyEditor, 8, false},
		{agency, MinistryViewer, 0, false},
		{Principal{Kind: KindUser, Role: AgencyEditor, AgencyID: 7}, AgencyViewer, 7, false},
	}
	for _, s := range scenarios {
		if got := s.who.CanManageAccount(s.role, s.agency); got != s.may {
			t.Errorf("%s of %d manages %s of %d: %v, want %v", s.who.Role, s.who.AgencyID, s.role, s.agency, got, s.may)
		}
	}
}
