package monitor

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// probeDNS: the name resolves, through the check's server or the
// system's resolver, to records of the check's type (A when none), and
// the answers include every expected one. Extra answers are fine: a
// round-robin or a new address added beside the old must not read as an
// outage; a missing expected answer is one.
func probeDNS(ctx context.Context, c *Check) error {
	name := hostPort(c.Target)
	r := resolverFor(c.DNSServer)
	var answers []string
	switch strings.ToUpper(c.RecordType) {
	case "", "A", "AAAA":
		network := "ip4"
		if strings.EqualFold(c.RecordType, "AAAA") {
			network = "ip6"
		}
		ips, err := r.LookupIP(ctx, network, name)
		if err != nil {
			return err
		}
		for _, ip := range ips {
			answers = append(answers, ip.String())
		}
	case "CNAME":
		cname, err := r.LookupCNAME(ctx, name)
		if err != nil {
			return err
		}
		answers = append(answers, cname)
	case "MX":
		mxs, err := r.LookupMX(ctx, name)
		if err != nil {
			return err
		}
		for _, mx := range mxs {
			answers = append(answers, mx.Host)
		}
	case "TXT":
		txts, err := r.LookupTXT(ctx, name)
		if err != nil {
			return err
		}
		answers = txts
	default:
		return failure("unknown record type " + c.RecordType)
	}
	for _, want := range c.ExpectAnswers {
		if !hasAnswer(answers, want) {
			return failure("answer lacks " + want + " (got " + strings.Join(answers, ", ") + ")")
		}
	}
	return nil
}

// hasAnswer compares as DNS does: addresses by value ("2001:DB8::1" is
// "2001:db8:0::1"), names without case or the final dot.
func hasAnswer(answers []string, want string) bool {
	want = normalAnswer(want)
	for _, a := range answers {
		if normalAnswer(a) == want {
			return true
		}
	}
	return false
}

func normalAnswer(s string) string {
	s = strings.TrimSpace(s)
	if ip, err := netip.ParseAddr(s); err == nil {
		return ip.Unmap().String()
	}
	return strings.ToLower(strings.TrimSuffix(s, "."))
}

// Resolvers that ask one server, one per server the checks name.
var (
	resolversMu sync.RWMutex
	resolvers   = map[string]*net.Resolver{}
)

// resolverFor asks server, or the system's resolver when server is
// empty. Go's resolver still reads /etc/resolv.conf for its search list
// and attempts, but asks no other server.
func resolverFor(server string) *net.Resolver {
	if server == "" {
		return net.DefaultResolver
	}
	resolversMu.RLock()
	r := resolvers[server]
	resolversMu.RUnlock()
	if r != nil {
		return r
	}
	addr := dnsServerAddr(server)
	r = &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}
	resolversMu.Lock()
	resolvers[server] = r
	resolversMu.Unlock()
	return r
}

// dnsServerAddr is a DNS server's host:port, port 53 when it names none.
func dnsServerAddr(server string) string {
	if _, _, err := net.SplitHostPort(server); err != nil {
		return net.JoinHostPort(server, "53")
	}
	return server
}
