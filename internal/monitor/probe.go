package monitor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Probe probes a check once and says what it found: when it began, how
// long it took, whether the endpoint counts as up, and if not why. It
// opens a fresh connection every time, so a dead listener behind a live
// pooled connection cannot hide. It takes at most the check's timeout
// (DefaultTimeout when zero), less if ctx ends sooner. The caller fills
// in Vantage and Due.
func Probe(ctx context.Context, c Check) Result {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = time.Until(d)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	r := Result{CheckID: c.ID, Started: time.Now()}
	var err error
	switch c.Kind {
	case KindHTTP:
		r.Warning, err = probeHTTP(ctx, &c, r.Started)
	case KindTCP:
		err = probeTCP(ctx, &c)
	case KindDNS:
		err = probeDNS(ctx, &c)
	case KindTLS:
		r.Warning, err = probeTLS(ctx, &c, r.Started)
	default:
		err = failure("unknown kind " + strconv.Quote(c.Kind))
	}
	r.Latency = time.Since(r.Started)
	if err == nil && c.MaxLatency > 0 && r.Latency > c.MaxLatency {
		err = failure("slow: " + r.Latency.Round(time.Millisecond).String() + " (max " + c.MaxLatency.String() + ")")
	}
	if err != nil {
		r.Reason = reason(ctx, err, timeout)
		return r
	}
	r.OK = true
	return r
}

// failure is a probe's own finding about an answer (a wrong status, a
// missing word); its text is the reason as it stands.
type failure string

func (f failure) Error() string { return string(f) }

// reason says in a few plain words why a probe failed. Errors from the
// network arrive wrapped in layers ("Get \"http://…\": dial tcp …:
// connect: connection refused"); the officer needs the last words, or the
// common causes named.
func reason(ctx context.Context, err error, timeout time.Duration) string {
	var f failure
	if errors.As(err, &f) {
		return string(f)
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout after " + timeout.Round(time.Millisecond).String()
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		// The resolver's own timeout (resolv.conf's), not the probe's.
		if dnsErr.IsTimeout {
			return "dns: timeout"
		}
		if dnsErr.IsNotFound {
			return "no such host"
		}
		// "read udp …->…:53: read: connection refused"
		words := dnsErr.Err
		if i := strings.LastIndex(words, ": "); i >= 0 {
			words = words[i+2:]
		}
		return "dns: " + words
	}
	if r := certReason(err); r != "" {
		return r
	}
	var recErr tls.RecordHeaderError
	if errors.As(err, &recErr) {
		return "not TLS"
	}
	for {
		inner := errors.Unwrap(err)
		if inner == nil {
			return err.Error()
		}
		err = inner
	}
}

// certReason names what is wrong with a certificate, or "" when err is
// not about one.
func certReason(err error) string {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return "certificate signed by unknown authority"
	case errors.As(err, &host):
		return "certificate not valid for " + host.Host
	case errors.As(err, &invalid):
		if r := datesReason(invalid.Cert, time.Now()); r != "" {
			return r
		}
		return strings.TrimPrefix(invalid.Error(), "x509: ")
	}
	return ""
}

// datesReason says when a certificate is used outside its dates, or ""
// when it is within them.
func datesReason(cert *x509.Certificate, now time.Time) string {
	switch {
	case now.After(cert.NotAfter):
		return "certificate expired on " + cert.NotAfter.UTC().Format(time.DateOnly)
	case now.Before(cert.NotBefore):
		return "certificate not valid before " + cert.NotBefore.UTC().Format(time.DateOnly)
	}
	return ""
}

// expiryWarning warns when a certificate ends within the check's warning
// days (DefaultWarnDays when zero), or is already outside its dates (a
// check that skips verification still counts as up).
func expiryWarning(c *Check, cert *x509.Certificate, now time.Time) string {
	days := c.WarnDays
	if days <= 0 {
		days = DefaultWarnDays
	}
	if r := datesReason(cert, now); r != "" {
		return r
	}
	left := cert.NotAfter.Sub(now)
	switch n := int(left / (24 * time.Hour)); {
	case n >= days:
		return ""
	case n == 0:
		return "certificate expires within a day"
	case n == 1:
		return "certificate expires in 1 day"
	default:
		return "certificate expires in " + strconv.Itoa(n) + " days"
	}
}

// hostPort is the host:port of a tcp:// or tls:// target; a path or a
// query after it is ignored.
func hostPort(target string) string {
	_, rest, _ := strings.Cut(target, "://")
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// dialer opens every probe's connection. TCP keep-alive probes are off:
// the connection lives for one probe only.
var dialer = net.Dialer{KeepAlive: -1}

// tlsBase is the TLS configuration every probe starts from. Classical
// key exchange only: a probe's handshake protects nothing worth the CPU
// of a post-quantum one, which costs a third more per handshake (both
// ends, measured with BenchmarkProbeTLS) at 10,000 checks every 30 s.
func tlsBase() *tls.Config {
	return &tls.Config{CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}}
}

// rootsFor parses a check's CA certificates; nil (the system's roots) when
// it has none.
func rootsFor(caPEM string) (*x509.CertPool, error) {
	if strings.TrimSpace(caPEM) == "" {
		return nil, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(caPEM)) {
		return nil, errors.New("no certificate in the CA PEM")
	}
	return pool, nil
}
