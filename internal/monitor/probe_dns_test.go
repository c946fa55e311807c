package monitor

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// dnsServer answers queries on a loopback UDP port from zone (lowercase
// names with the final dot): a name it lacks is NXDOMAIN, a name whose
// only record is a CNAME answers every type with it, and "broken." is a
// server failure. It returns the server's address.
func dnsServer(t testing.TB, zone map[string][]dnsmessage.ResourceBody) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := dnsAnswer(buf[:n], zone); resp != nil {
				pc.WriteTo(resp, addr)
			}
		}
	}()
	return pc.LocalAddr().String()
}

func dnsAnswer(query []byte, zone map[string][]dnsmessage.ResourceBody) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	msg := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired},
		Questions: []dnsmessage.Question{q},
	}
	name := strings.ToLower(q.Name.String())
	bodies, found := zone[name]
	switch {
	case name == "broken.":
		msg.Header.RCode = dnsmessage.RCodeServerFailure
	case !found:
		msg.Header.RCode = dnsmessage.RCodeNameError
	}
	for _, b := range bodies {
		typ := bodyType(b)
		if typ == q.Type || typ == dnsmessage.TypeCNAME {
			msg.Answers = append(msg.Answers, dnsmessage.Resource{
				Header: dnsmessage.ResourceHeader{Name: q.Name, Type: typ, Class: dnsmessage.ClassINET, TTL: 60},
				Body:   b,
			})
		}
	}
	resp, err := msg.Pack()
	if err != nil {
		return nil
	}
	return resp
}

func bodyType(b dnsmessage.ResourceBody) dnsmessage.Type {
	switch b.(type) {
	case *dnsmessage.AResource:
		return dnsmessage.TypeA
	case *dnsmessage.AAAAResource:
		return dnsmessage.TypeAAAA
	case *dnsmessage.CNAMEResource:
		return dnsmessage.TypeCNAME
	case *dnsmessage.MXResource:
		return dnsmessage.TypeMX
	case *dnsmessage.TXTResource:
		return dnsmessage.TypeTXT
	}
	panic("unknown record type in the test zone")
}

func TestProbeDNS(t *testing.T) {
	a := func(s string) *dnsmessage.AResource { return &dnsmessage.AResource{A: netip.MustParseAddr(s).As4()} }
	server := dnsServer(t, map[string][]dnsmessage.ResourceBody{
		"www.example.test.": {
			a("10.0.0.1"), a("10.0.0.2"),
			&dnsmessage.AAAAResource{AAAA: netip.MustParseAddr("2001:db8::1").As16()},
			&dnsmessage.MXResource{Pref: 10, MX: dnsmessage.MustNewName("mail.example.test.")},
			&dnsmessage.TXTResource{TXT: []string{"v=spf1 -all"}},
		},
		"alias.example.test.": {&dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName("www.example.test.")}},
		"broken.":             nil,
	})
	scenarios := []struct {
		name   string
		check  Check
		reason string
	}{
		{"A, any answer", Check{Target: "dns://www.example.test"}, ""},
		{"A, expected answers", Check{Target: "dns://www.example.test", ExpectAnswers: []string{"10.0.0.2", "10.0.0.1"}}, ""},
		{"A, some of the answers", Check{Target: "dns://www.example.test", ExpectAnswers: []string{"10.0.0.2"}}, ""},
		{"A, an answer missing", Check{Target: "dns://www.example.test", ExpectAnswers: []string{"10.0.0.1", "10.0.0.9"}}, "answer lacks 10.0.0.9 (got 10.0.0.1, 10.0.0.2)"},
		{"AAAA, written otherwise", Check{Target: "dns://www.example.test", RecordType: "aaaa", ExpectAnswers: []string{"2001:DB8:0::1"}}, ""},
		{"CNAME", Check{Target: "dns://alias.example.test", RecordType: "CNAME", ExpectAnswers: []string{"WWW.example.test"}}, ""},
		{"CNAME elsewhere", Check{Target: "dns://alias.example.test", RecordType: "CNAME", ExpectAnswers: []string{"old.example.test."}}, "answer lacks old.example.test. (got www.example.test.)"},
		{"MX", Check{Target: "dns://www.example.test", RecordType: "MX", ExpectAnswers: []string{"mail.example.test"}}, ""},
		{"TXT", Check{Target: "dns://www.example.test", RecordType: "TXT", ExpectAnswers: []string{"v=spf1 -all"}}, ""},
		{"no such name", Check{Target: "dns://missing.example.test"}, "no such host"},
		{"server failure", Check{Target: "dns://broken."}, "dns: server misbehaving"},
		{"unknown type", Check{Target: "dns://www.example.test", RecordType: "SRV"}, "unknown record type SRV"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			c := s.check
			c.Kind, c.DNSServer = KindDNS, server
			r := Probe(context.Background(), c)
			if r.OK != (s.reason == "") || r.Reason != s.reason {
				t.Fatalf("OK %v reason %q, want reason %q", r.OK, r.Reason, s.reason)
			}
		})
	}
}

// A DNS server that has stopped answering is a timeout, not a hang.
func TestProbeDNSSilentServer(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close() // open, reading nothing
	start := time.Now()
	r := Probe(context.Background(), Check{Kind: KindDNS, Target: "dns://www.example.test", DNSServer: pc.LocalAddr().String(), Timeout: 200 * time.Millisecond})
	if r.OK || r.Reason != "timeout after 200ms" || time.Since(start) > 2*time.Second {
		t.Errorf("OK %v reason %q after %v, want a timeout after 200ms", r.OK, r.Reason, time.Since(start))
	}
}

func TestDNSServerAddr(t *testing.T) {
	for server, want := range map[string]string{"10.0.0.53": "10.0.0.53:53", "::1": "[::1]:53", "127.0.0.1:5353": "127.0.0.1:5353", "ns.example:53": "ns.example:53"} {
		if got := dnsServerAddr(server); got != want {
			t.Errorf("dnsServerAddr(%q) = %q, want %q", server, got, want)
		}
	}
	if resolverFor("10.0.0.53") != resolverFor("10.0.0.53") {
		t.Error("a new resolver for every probe of the same server")
	}
}
