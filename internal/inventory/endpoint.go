package inventory

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ParseEndpoint reads an endpoint written as a URL: http(s)://… is an HTTP
// check, tcp://host:port a TCP connect, dns://name a DNS lookup and
// tls://host:port a certificate-expiry check.
func ParseEndpoint(target string) (Endpoint, error) {
	target = strings.TrimSpace(target)
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return Endpoint{}, fmt.Errorf("endpoint %q: not a URL with a host", target)
	}
	switch u.Scheme {
	case "http", "https":
		return Endpoint{Kind: "http", Target: target}, nil
	case "tcp", "tls":
		if _, port, err := net.SplitHostPort(u.Host); err != nil || port == "" {
			return Endpoint{}, fmt.Errorf("endpoint %q: needs host:port", target)
		}
		return Endpoint{Kind: u.Scheme, Target: target}, nil
	case "dns":
		return Endpoint{Kind: "dns", Target: target}, nil
	}
	return Endpoint{}, fmt.Errorf("endpoint %q: scheme must be http, https, tcp, tls or dns", target)
}
