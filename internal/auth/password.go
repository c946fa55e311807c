package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math/big"
	"runtime"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"

	"yeonsok/internal/apperror"
)

// hashParams are argon2id's costs. They travel inside every stored hash, so
// hashes made with other costs keep verifying after these change.
type hashParams struct {
	time    uint32 // passes over memory
	memory  uint32 // KiB
	threads uint8
	keyLen  uint32
	saltLen int
}

// defaultParams: argon2id with 32 MiB, 2 passes, 1 lane, a 16-byte salt and
// a 32-byte hash. That is above OWASP's minimum for argon2id (19 MiB, 2
// passes, 1 lane) and takes about 45 ms on one core of the 2-core machine
// it was measured on: slow enough that a stolen table yields a few dozen
// guesses per second per core, quick enough that a login does not wait.
// One lane keeps one login on one core; hashSlots bounds how many run at
// once, so memory stays at most 32 MiB per CPU however many logins arrive.
var defaultParams = hashParams{time: 2, memory: 32 * 1024, threads: 1, keyLen: 32, saltLen: 16}

var hashSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

func argon2id(password string, salt []byte, p hashParams) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, p.keyLen)
}

// hashPassword returns the password's argon2id hash in the PHC string
// format: $argon2id$v=19$m=32768,t=2,p=1$<salt>$<hash>, base64 without
// padding.
func hashPassword(password string, p hashParams) (string, error) {
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2id(password, salt, p)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// verifyPassword reports whether password matches encoded, comparing in
// constant time. A malformed hash matches nothing.
func verifyPassword(encoded, password string) bool {
	p, salt, key, ok := parseHash(encoded)
	if !ok {
		return false
	}
	got := argon2id(password, salt, p)
	return subtle.ConstantTimeCompare(got, key) == 1
}

// parseHash reads a PHC argon2id string, refusing costs no hash of ours
// would carry, so that an altered row cannot make a login take minutes.
func parseHash(encoded string) (hashParams, []byte, []byte, bool) {
	var p hashParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, false
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &threads); err != nil {
		return p, nil, nil, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 ||
		p.time < 1 || p.time > 16 || p.memory < 8 || p.memory > 1024*1024 || threads < 1 || threads > 16 {
		return p, nil, nil, false
	}
	p.threads, p.keyLen, p.saltLen = uint8(threads), uint32(len(key)), len(salt)
	return p, salt, key, true
}

// Password rules (the policy Korean public systems use, after KISA's
// password guide).
const (
	// MinLengthTwoKinds and MinLengthThreeKinds: at least 10 characters of
	// two kinds, or 8 of three.
	MinLengthTwoKinds   = 10
	MinLengthThreeKinds = 8
	// MaxPasswordLength bounds the work one login asks of the hash.
	MaxPasswordLength = 128
)

// passwordKinds counts the kinds of character in password: upper-case
// letters, other letters (lower-case ones, and letters that have no case,
// such as Korean: they count as letters, not as a kind of their own),
// digits, and symbols (everything else, spaces included). ok is false when
// the password holds a control character.
func passwordKinds(password string) (kinds int, ok bool) {
	var upper, letter, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsControl(r):
			return 0, false
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r):
			digit = true
		default:
			symbol = true
		}
	}
	for _, has := range []bool{upper, letter, digit, symbol} {
		if has {
			kinds++
		}
	}
	return kinds, true
}

// CheckPassword applies the password policy to a new password of the
// account login: at least 10 characters of two kinds or 8 of three (kinds:
// upper-case letters, lower-case and other letters, digits, symbols), no
// more than MaxPasswordLength, not containing the login (in any case), and
// none of recent, the hashes of the account's last passwords. The error is
// an apperror with a catalogue key.
func CheckPassword(login, password string, recent []string) error {
	length := len([]rune(password))
	if length > MaxPasswordLength {
		return apperror.New(apperror.Invalid, "password", "auth.password.too_long", MaxPasswordLength)
	}
	kinds, ok := passwordKinds(password)
	if !ok {
		return apperror.New(apperror.Invalid, "password", "auth.password.control")
	}
	if !(length >= MinLengthTwoKinds && kinds >= 2) && !(length >= MinLengthThreeKinds && kinds >= 3) {
		return apperror.New(apperror.Invalid, "password", "auth.password.weak", MinLengthTwoKinds, MinLengthThreeKinds)
	}
	if login = NormalizeLogin(login); login != "" && strings.Contains(strings.ToLower(password), login) {
		return apperror.New(apperror.Invalid, "password", "auth.password.contains_login")
	}
	for _, h := range recent {
		if verifyPassword(h, password) {
			return apperror.New(apperror.Invalid, "password", "auth.password.reused")
		}
	}
	return nil
}

// passwordAlphabet leaves out characters that read alike (0 O, 1 l I).
const passwordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

// GeneratePassword returns a random 16-character password (about 93 bits)
// that meets the policy for login: for the first admin and for resets,
// given once and changed at the first login.
func GeneratePassword(login string) (string, error) {
	for {
		b := make([]byte, 16)
		for i := range b {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(passwordAlphabet))))
			if err != nil {
				return "", fmt.Errorf("auth: generate password: %w", err)
			}
			b[i] = passwordAlphabet[n.Int64()]
		}
		password := string(b)
		if kinds, _ := passwordKinds(password); kinds >= 3 && CheckPassword(login, password, nil) == nil {
			return password, nil
		}
	}
}
