package oidc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
	"time"
)

// publicKey is one signing key of the provider's JWKS.
type publicKey struct {
	kid string
	alg string // as the JWK states it; "" when it does not
	key crypto.PublicKey
}

// jwk is what the tower reads of a JSON Web Key (RFC 7517, 7518).
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// minRSABits is the smallest RSA key accepted.
const minRSABits = 2048

// verifier checks a signature over signed with key, reporting false for a
// key of another type.
type verifier func(key crypto.PublicKey, signed, sig []byte) bool

// verifiers are the algorithms the tower accepts, by JWS name. "none",
// HS256 and the rest are absent, and so refused.
var verifiers = map[string]verifier{
	"RS256": func(key crypto.PublicKey, signed, sig []byte) bool {
		pub, ok := key.(*rsa.PublicKey)
		if !ok {
			return false
		}
		sum := sha256.Sum256(signed)
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
	},
	"ES256": func(key crypto.PublicKey, signed, sig []byte) bool {
		pub, ok := key.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P256() || len(sig) != 64 {
			return false
		}
		sum := sha256.Sum256(signed)
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		return ecdsa.Verify(pub, sum[:], r, s)
	},
}

// parseKey reads a JWK the tower can verify with; ok is false for a key of
// another kind (an encryption key, an unknown type or curve), which is
// skipped, and err says what is wrong with a key that should be usable.
func parseKey(k jwk) (publicKey, bool, error) {
	if k.Use != "" && k.Use != "sig" {
		return publicKey{}, false, nil
	}
	switch k.Kty {
	case "RSA":
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return publicKey{}, false, fmt.Errorf("RSA key %q: bad n or e", k.Kid)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if pub.N.BitLen() < minRSABits || pub.E < 3 || pub.E%2 == 0 {
			return publicKey{}, false, fmt.Errorf("RSA key %q: %d bits, exponent %d; want at least %d bits and an odd exponent", k.Kid, pub.N.BitLen(), pub.E, minRSABits)
		}
		return publicKey{kid: k.Kid, alg: k.Alg, key: pub}, true, nil
	case "EC":
		if k.Crv != "P-256" {
			return publicKey{}, false, nil
		}
		x, err1 := base64.RawURLEncoding.DecodeString(k.X)
		y, err2 := base64.RawURLEncoding.DecodeString(k.Y)
		if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
			return publicKey{}, false, fmt.Errorf("EC key %q: bad x or y", k.Kid)
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return publicKey{}, false, fmt.Errorf("EC key %q: %w", k.Kid, err)
		}
		return publicKey{kid: k.Kid, alg: k.Alg, key: pub}, true, nil
	}
	return publicKey{}, false, nil
}

// fetchKeys reads the provider's key set. Keys the tower cannot use are
// skipped; a set with none it can use is an error.
func (p *Provider) fetchKeys(ctx context.Context) ([]publicKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := p.getJSON(ctx, p.jwksURI, &set); err != nil {
		return nil, err
	}
	var keys []publicKey
	var problems []error
	for _, k := range set.Keys {
		key, ok, err := parseKey(k)
		if err != nil {
			problems = append(problems, err)
		}
		if ok {
			keys = append(keys, key)
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s holds no RS256 or ES256 signing key (%d keys; %v)", p.jwksURI, len(set.Keys), problems)
	}
	return keys, nil
}

// candidates are the keys of the set that may have signed a token with alg
// and kid: the key named kid, or, when the token names none, every key
// fit for alg.
func candidates(keys []publicKey, alg, kid string) []publicKey {
	var list []publicKey
	for _, k := range keys {
		if (kid != "" && k.kid != kid) || (k.alg != "" && k.alg != alg) {
			continue
		}
		switch k.key.(type) {
		case *rsa.PublicKey:
			if alg != "RS256" {
				continue
			}
		case *ecdsa.PublicKey:
			if alg != "ES256" {
				continue
			}
		}
		list = append(list, k)
	}
	return list
}

// keysFor returns the candidate keys for alg and kid. The key set is
// fetched at the first call and again when older than keysMaxAge; when no
// key fits, it is fetched once more (unless another call fetched it
// meanwhile), so that a key the provider has just rotated in is found. At
// most one fetch runs at a time.
func (p *Provider) keysFor(ctx context.Context, alg, kid string) ([]publicKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.Now()
	if p.fetchedAt.IsZero() || now.Sub(p.fetchedAt) > keysMaxAge || now.Before(p.fetchedAt) {
		if err := p.refreshKeys(ctx, now); err != nil {
			return nil, err
		}
		return candidates(p.keys, alg, kid), nil
	}
	if list := candidates(p.keys, alg, kid); len(list) > 0 {
		return list, nil
	}
	if err := p.refreshKeys(ctx, now); err != nil {
		return nil, err
	}
	return candidates(p.keys, alg, kid), nil
}

// refreshKeys fetches the key set; p.mu is held. A failed fetch keeps the
// keys there were.
func (p *Provider) refreshKeys(ctx context.Context, now time.Time) error {
	keys, err := p.fetchKeys(ctx)
	if err != nil {
		return unavailable("key set: %w", err)
	}
	p.keys, p.fetchedAt = keys, now
	return nil
}
