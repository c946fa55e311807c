package auth

import (
	"strings"
	"testing"
	"time"

	"yeonsok/internal/apperror"
)

// cheapParams keep tests quick; stored hashes carry their own costs, so
// they verify like production ones.
var cheapParams = hashParams{time: 1, memory: 64, threads: 1, keyLen: 32, saltLen: 16}

func cheapHash(t *testing.T, password string) string {
	t.Helper()
	h, err := hashPassword(password, cheapParams)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestCheckPassword(t *testing.T) {
	recent := []string{cheapHash(t, "Spring2025!"), cheapHash(t, "summer-days-42")}
	scenarios := []struct {
		name     string
		login    string
		password string
		key      string // "" when accepted
	}{
		{"10 characters of two kinds", "kim", "abcdefgh12", ""},
		{"9 characters of two kinds", "kim", "abcdefg12", "auth.password.weak"},
		{"8 characters of three kinds", "kim", "Abcdef12", ""},
		{"7 characters of four kinds", "kim", "Abcd1!x", "auth.password.weak"},
		{"8 characters of two kinds", "kim", "abcdef12", "auth.password.weak"},
		{"20 characters of one kind", "kim", "abcdefghijabcdefghij", "auth.password.weak"},
		{"upper and lower are two kinds", "kim", "ABCDEfghij", ""},
		{"symbols are a kind", "kim", "abcdefgh!!", ""},
		{"a space is a symbol", "kim", "correct horse", ""},
		{"Korean letters count as letters", "kim", "연속성관리시스템12", ""},
		{"Korean letters add no kind of their own", "kim", "연속성관리시스템ab", "auth.password.weak"},
		{"Korean, upper case and digits are three kinds", "kim", "한글Ab12가나", ""},
		{"full-width digits are digits", "kim", "abcdefgh１２", ""},
		{"contains the login", "hong.gd", "xxHONG.GDxx12", "auth.password.contains_login"},
		{"login compared in lower case", "Hong.GD", "xxhong.gdxx12", "auth.password.contains_login"},
		{"a control character", "kim", "abcdefgh12\x00", "auth.password.control"},
		{"too long", "kim", strings.Repeat("a1", 65), "auth.password.too_long"},
		{"just long enough", "kim", strings.Repeat("a1", 64), ""},
		{"one of the recent passwords", "kim", "summer-days-42", "auth.password.reused"},
		{"close to a recent password is fine", "kim", "Spring2026!", ""},
		{"empty", "kim", "", "auth.password.weak"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			err := CheckPassword(s.login, s.password, recent)
			if s.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := apperror.As(err)
			if !ok || e.Key != s.key || e.Code != apperror.Invalid || e.Field != "password" {
				t.Fatalf("err = %#v, want %s", err, s.key)
			}
		})
	}
}

// The production hash: PHC format with salt, verifies the right password
// only, differs for the same password (salted). Its time is logged, not
// asserted: defaultParams are chosen for about 50 ms.
func TestHashAndVerify(t *testing.T) {
	start := time.Now()
	h1, err := hashPassword("Correct-Horse-1", defaultParams)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one argon2id hash (m=%d KiB, t=%d, p=%d) took %v", defaultParams.memory, defaultParams.time, defaultParams.threads, time.Since(start))
	h2, _ := hashPassword("Correct-Horse-1", defaultParams)
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=32768,t=2,p=1$") || h1 == h2 {
		t.Fatalf("hashes %q and %q: want PHC argon2id strings with different salts", h1, h2)
	}
	if !verifyPassword(h1, "Correct-Horse-1") || verifyPassword(h1, "Correct-Horse-2") || verifyPassword(h1, "") {
		t.Fatal("verify accepts the wrong password or refuses the right one")
	}
	if !verifyPassword(cheapHash(t, "x"), "x") {
		t.Fatal("a hash with other costs does not verify")
	}
}

func TestMalformedHashesMatchNothing(t *testing.T) {
	good := cheapHash(t, "pw")
	parts := strings.Split(good, "$")
	scenarios := map[string]string{
		"empty":             "",
		"bcrypt":            "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":           strings.Replace(good, "argon2id", "argon2i", 1),
		"other version":     strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":       strings.Join([]string{"", parts[1], parts[2], "m=4194304,t=1,p=1", parts[4], parts[5]}, "$"),
		"zero passes":       strings.Join([]string{"", parts[1], parts[2], "m=64,t=0,p=1", parts[4], parts[5]}, "$"),
		"bad salt encoding": strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"),
		"short key":         strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
		"missing part":      strings.Join(parts[:5], "$"),
	}
	for name, h := range scenarios {
		if verifyPassword(h, "pw") {
			t.Errorf("%s: %q matched", name, h)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p, err := GeneratePassword("admin")
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckPassword("admin", p, nil); err != nil || len(p) != 16 || seen[p] {
			t.Fatalf("generated %q: %v", p, err)
		}
		if kinds, _ := passwordKinds(p); kinds < 3 {
			t.Fatalf("generated %q has %d kinds", p, kinds)
		}
		seen[p] = true
	}
}
