package monitor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"time"
)

// tlsProbeConfig lets every handshake through so that probeTLS can read
// the certificate's dates even when it would not verify, and judge it
// itself: an expired certificate is named as expired, not as a failed
// handshake, and a check that skips verification still sees its expiry.
var tlsProbeConfig = func() *tls.Config {
	cfg := tlsBase()
	cfg.InsecureSkipVerify = true
	return cfg
}()

// probeTLS: the endpoint's certificate is within its dates and, unless
// the check skips verification, chains to the check's CA (or the
// system's) for the host. It warns when the certificate ends within the
// check's warning days.
func probeTLS(ctx context.Context, c *Check, now time.Time) (warning string, err error) {
	t := trustFor(c)
	if t.err != nil {
		return "", t.err
	}
	addr := hostPort(c.Target)
	d := tls.Dialer{NetDialer: &dialer, Config: tlsProbeConfig}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return "", failure("no certificate")
	}
	leaf := certs[0]
	if r := datesReason(leaf, now); r != "" {
		return "", failure(r)
	}
	if !c.SkipVerify {
		host, _, _ := net.SplitHostPort(addr)
		opts := x509.VerifyOptions{DNSName: host, Roots: t.roots, CurrentTime: now}
		if len(certs) > 1 {
			opts.Intermediates = x509.NewCertPool()
			for _, cert := range certs[1:] {
				opts.Intermediates.AddCert(cert)
			}
		}
		if _, err := leaf.Verify(opts); err != nil {
			return "", err
		}
	}
	return expiryWarning(c, leaf, now), nil
}
