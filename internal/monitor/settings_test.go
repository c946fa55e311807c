package monitor

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

func TestWithDefaults(t *testing.T) {
	scenarios := []struct {
		name  string
		check Check
		grade int
		want  Check
	}{
		{"grade 1 HTTP", Check{Kind: KindHTTP}, 1,
			Check{Kind: KindHTTP, Interval: 30 * time.Second, Timeout: 10 * time.Second, FailuresToDown: 3, SuccessesToUp: 2, Method: "GET"}},
		{"ungraded DNS", Check{Kind: KindDNS}, 0,
			Check{Kind: KindDNS, Interval: 5 * time.Minute, Timeout: 10 * time.Second, FailuresToDown: 3, SuccessesToUp: 2, RecordType: "A"}},
		{"grade 3 TLS", Check{Kind: KindTLS}, 3,
			Check{Kind: KindTLS, Interval: 2 * time.Minute, Timeout: 10 * time.Second, FailuresToDown: 3, SuccessesToUp: 2, WarnDays: 30}},
		{"own settings stay", Check{Kind: KindTCP, Interval: 20 * time.Second, Timeout: 3 * time.Second, FailuresToDown: 1, SuccessesToUp: 5}, 1,
			Check{Kind: KindTCP, Interval: 20 * time.Second, Timeout: 3 * time.Second, FailuresToDown: 1, SuccessesToUp: 5}},
		{"the default timeout is cut to a short interval", Check{Kind: KindTCP, Interval: 5 * time.Second}, 1,
			Check{Kind: KindTCP, Interval: 5 * time.Second, Timeout: 5 * time.Second, FailuresToDown: 3, SuccessesToUp: 2}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			got := s.check.WithDefaults(s.grade)
			if got.Interval != s.want.Interval || got.Timeout != s.want.Timeout || got.FailuresToDown != s.want.FailuresToDown ||
				got.SuccessesToUp != s.want.SuccessesToUp || got.Method != s.want.Method || got.RecordType != s.want.RecordType ||
				got.WarnDays != s.want.WarnDays {
				t.Errorf("got %+v\nwant %+v", got, s.want)
			}
		})
	}
}

// selfSigned is a CA certificate in PEM, as an internal CA hands out.
func selfSigned(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// Every problem is reported by its field; settings of another kind are
// refused.
func TestValidateCheck(t *testing.T) {
	scenarios := []struct {
		name   string
		check  Check
		fields []string
	}{
		{"defaults everywhere", Check{Kind: KindHTTP}, nil},
		{"a full HTTP check", Check{Kind: KindHTTP, Interval: 10 * time.Second, Timeout: 5 * time.Second, FailuresToDown: 2,
			SuccessesToUp: 1, Method: "HEAD", Headers: map[string]string{"X-Probe": "yeonsok"}, ExpectStatus: []int{200, 204},
			BodyContains: "ok", BodyMatches: `^\{"status":"up"`, MaxLatency: 2 * time.Second, FollowRedirects: true, SkipVerify: true}, nil},
		{"an internal CA", Check{Kind: KindTLS, CACertPEM: selfSigned(t)}, nil},
		{"a DNS check", Check{Kind: KindDNS, DNSServer: "10.0.0.53:53", RecordType: "AAAA", ExpectAnswers: []string{"::1"}}, nil},
		{"a TLS check", Check{Kind: KindTLS, WarnDays: 14}, nil},
		{"intervals out of bounds", Check{Kind: KindTCP, Interval: time.Second, Timeout: 2 * time.Minute}, []string{"interval", "timeout"}},
		{"a timeout longer than the interval", Check{Kind: KindTCP, Interval: 10 * time.Second, Timeout: 20 * time.Second}, []string{"timeout"}},
		{"in a row", Check{Kind: KindTCP, FailuresToDown: -1, SuccessesToUp: 11}, []string{"failures_to_down", "successes_to_up"}},
		{"HTTP settings on a TCP check", Check{Kind: KindTCP, Method: "GET", FollowRedirects: true, Headers: map[string]string{"A": "b"}},
			[]string{"method", "headers", "follow_redirects"}},
		{"DNS settings on an HTTP check", Check{Kind: KindHTTP, RecordType: "A", WarnDays: 3}, []string{"record_type", "warn_days"}},
		{"bad HTTP settings", Check{Kind: KindHTTP, Method: "DELETE", Headers: map[string]string{"Bad Name": "x", "X-Ok": "a\nb"},
			ExpectStatus: []int{200, 700}, BodyMatches: "(", MaxLatency: time.Minute, CACertPEM: "not a certificate"},
			[]string{"method", "headers", "headers", "expect_status", "body_matches", "max_latency", "ca_cert_pem"}},
		{"bad DNS settings", Check{Kind: KindDNS, DNSServer: "10.0.0.53", RecordType: "SRV"}, []string{"dns_server", "record_type"}},
		{"bad warning days", Check{Kind: KindTLS, WarnDays: 400}, []string{"warn_days"}},
		{"unknown kind", Check{Kind: "icmp"}, []string{"kind"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			s.check.Normalize()
			problems := s.check.Validate()
			var fields []string
			for _, p := range problems {
				fields = append(fields, p.Field)
			}
			if len(fields) != len(s.fields) {
				t.Fatalf("problems in %v, want %v", fields, s.fields)
			}
			for i := range fields {
				if fields[i] != s.fields[i] {
					t.Fatalf("problems in %v, want %v", fields, s.fields)
				}
			}
		})
	}
}
