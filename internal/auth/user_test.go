package auth

import (
	"strings"
	"testing"
	"time"

	"yeonsok/internal/apperror"
)

func TestValidateUser(t *testing.T) {
	scenarios := []struct {
		name string
		user User
		key  string // "" when valid
	}{
		{"ministry admin without agency", User{Login: "admin", Name: "관리자", Role: MinistryAdmin}, ""},
		{"agency editor with agency", User{Login: "hong.gd", Name: "홍길동", Role: AgencyEditor, AgencyID: 3}, ""},
		{"employee number as login", User{Login: "20250926", Name: "김", Role: AgencyViewer, AgencyID: 3}, ""},
		{"e-mail as login", User{Login: "kim@moel.go.kr", Name: "김", Role: MinistryViewer}, ""},
		{"ministry role with an agency", User{Login: "admin", Name: "관리자", Role: MinistryViewer, AgencyID: 3}, "auth.agency.ministry_role"},
		{"agency role without an agency", User{Login: "hong", Name: "홍길동", Role: AgencyAdmin}, "auth.agency.required"},
		{"token role", User{Login: "probe", Name: "점검", Role: Agent, AgencyID: 3}, "invalid.one_of"},
		{"no role", User{Login: "probe", Name: "점검"}, "invalid.one_of"},
		{"login too short", User{Login: "ab", Name: "김", Role: MinistryAdmin}, "auth.login.invalid"},
		{"login too long", User{Login: strings.Repeat("a", 65), Name: "김", Role: MinistryAdmin}, "auth.login.invalid"},
		{"login with a space", User{Login: "hong gd", Name: "김", Role: MinistryAdmin}, "auth.login.invalid"},
		{"login in Korean", User{Login: "홍길동", Name: "김", Role: MinistryAdmin}, "auth.login.invalid"},
		{"login starting with a dot", User{Login: ".hong", Name: "김", Role: MinistryAdmin}, "auth.login.invalid"},
		{"no name", User{Login: "hong", Name: " ", Role: MinistryAdmin}, "invalid.required"},
		{"name with a NUL", User{Login: "hong", Name: "홍\x00", Role: MinistryAdmin}, "auth.name.invalid"},
		{"name not UTF-8", User{Login: "hong", Name: "홍\xff", Role: MinistryAdmin}, "auth.name.invalid"},
		{"name too long", User{Login: "hong", Name: strings.Repeat("가", MaxName+1), Role: MinistryAdmin}, "invalid.too_long"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			err := validateUser(&s.user)
			if s.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if e, ok := apperror.As(err); !ok || e.Key != s.key {
				t.Fatalf("err = %v, want %s", err, s.key)
			}
		})
	}
}

func TestLockedAndInactive(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	scenarios := []struct {
		name             string
		user             User
		locked, inactive bool
	}{
		{"new account", User{CreatedAt: now.Add(-day)}, false, false},
		{"created 90 days ago, never used", User{CreatedAt: now.Add(-90 * day)}, false, true},
		{"used 89 days ago", User{CreatedAt: now.Add(-400 * day), LastLoginAt: now.Add(-89 * day)}, false, false},
		{"unlocked yesterday after long disuse", User{CreatedAt: now.Add(-400 * day), LastLoginAt: now.Add(-200 * day), UnlockedAt: now.Add(-day)}, false, false},
		{"lock running", User{CreatedAt: now.Add(-day), LockedUntil: now.Add(time.Minute)}, true, false},
		{"lock run out", User{CreatedAt: now.Add(-day), LockedUntil: now}, false, false},
		{"locked for good", User{CreatedAt: now.Add(-day), LockedUntil: Forever}, true, false},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := s.user.Locked(now); got != s.locked {
				t.Errorf("Locked = %v, want %v", got, s.locked)
			}
			if got := s.user.Inactive(now, 90*day); got != s.inactive {
				t.Errorf("Inactive = %v, want %v", got, s.inactive)
			}
		})
	}
}

func TestValidateToken(t *testing.T) {
	scenarios := []struct {
		name  string
		token Token
		key   string
	}{
		{"agent with systems", Token{Name: "대전 에이전트", Role: Agent, SystemIDs: []int64{1}}, ""},
		{"script of an agency", Token{Name: "동기화", Role: Script, AgencyID: 3}, ""},
		{"script of the ministry", Token{Name: "동기화", Role: Script}, ""},
		{"backup without systems", Token{Name: "백업", Role: Backup}, "auth.token.systems_required"},
		{"script with systems", Token{Name: "동기화", Role: Script, SystemIDs: []int64{1}}, "auth.token.systems_not_for_script"},
		{"a person's role", Token{Name: "x", Role: MinistryAdmin}, "invalid.one_of"},
		{"no name", Token{Role: Script}, "invalid.required"},
		{"too many systems", Token{Name: "x", Role: Alert, SystemIDs: make([]int64, MaxTokenSystems+1)}, "invalid.too_many"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			err := validateToken(&s.token)
			if s.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if e, ok := apperror.As(err); !ok || e.Key != s.key {
				t.Fatalf("err = %v, want %s", err, s.key)
			}
		})
	}
}
