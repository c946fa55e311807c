package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"
	"yeonsok/internal/notify/smtptest"
)

// selfSigned returns a server config with a fresh certificate for
// 127.0.0.1 and a client config that trusts it (the "custom CA" case).
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "yeonsok test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return server, &tls.Config{RootCAs: pool}
}

// parseMail reads a received message and decodes its subject and body.
func parseMail(t *testing.T, m smtptest.Mail) (*mail.Message, string, string) {
	t.Helper()
	msg, subject, body, err := m.Decode()
	if err != nil {
		t.Fatalf("%v\n%s", err, m.Data)
	}
	return msg, subject, body
}

func TestSMTPSendsKoreanMailOverSTARTTLSWithAuth(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	srv := smtptest.Start(t, &smtptest.Server{TLS: serverTLS, User: "tower", Pass: "s3cret"})
	now := time.Date(2025, 9, 26, 9, 15, 0, 0, time.FixedZone("KST", 9*3600))
	s := &SMTP{
		Host: srv.Host, Port: srv.Port,
		From:     "연속 관제탑 <tower@moel.example>",
		Username: "tower", Password: "s3cret",
		TLS: clientTLS, Timeout: 5 * time.Second,
		Now: func() time.Time { return now },
	}
	// Long enough that the encoder must split it into several encoded-words.
	subject := "[1등급 장애] 고용24 서비스 중단 — 09:15 감지, 목표복구시간 2시간 중 50% 경과"
	body := "고용24가 09:15부터 응답하지 않습니다.\n수기 접수로 전환하십시오.\n\n.\n마지막 줄"
	msg := Message{ID: "incident-7/notice-1", Subject: subject, Body: body}
	to := []string{"담당자 <primary@agency.example>", "backup@agency.example"}
	if err := s.Send(context.Background(), msg, to); err != nil {
		t.Fatal(err)
	}

	mails := srv.Received()
	if len(mails) != 1 {
		t.Fatalf("server received %d messages, want 1", len(mails))
	}
	got := mails[0]
	if !got.TLS || got.AuthUser != "tower" {
		t.Errorf("tls = %v, auth user = %q; want the session encrypted and authenticated as tower", got.TLS, got.AuthUser)
	}
	if got.From != "tower@moel.example" {
		t.Errorf("MAIL FROM = %q", got.From)
	}
	if strings.Join(got.To, ",") != "primary@agency.example,backup@agency.example" {
		t.Errorf("RCPT TO = %q", got.To)
	}
	m, gotSubject, gotBody := parseMail(t, got)
	if gotSubject != subject {
		t.Errorf("subject = %q, want %q", gotSubject, subject)
	}
	if strings.ReplaceAll(gotBody, "\r\n", "\n") != body {
		t.Errorf("body = %q, want %q", gotBody, body)
	}
	if strings.Contains(gotBody, "\n") && !strings.Contains(gotBody, "\r\n") {
		t.Errorf("body lines end in bare LF: %q", gotBody)
	}
	from, err := m.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "연속 관제탑" || from[0].Address != "tower@moel.example" {
		t.Errorf("From = %v (%v)", from, err)
	}
	toHdr, err := m.Header.AddressList("To")
	if err != nil || len(toHdr) != 2 || toHdr[0].Name != "담당자" || toHdr[1].Address != "backup@agency.example" {
		t.Errorf("To = %v (%v)", toHdr, err)
	}
	if d, err := m.Header.Date(); err != nil || !d.Equal(now) {
		t.Errorf("Date = %v (%v), want %v", d, err, now)
	}
	for k, want := range map[string]string{"MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8"} {
		if m.Header.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, m.Header.Get(k), want)
		}
	}
	// ReadDotBytes has turned the CRLFs into LFs.
	head, _, _ := strings.Cut(got.Data, "\n\n")
	folded := 0
	for _, line := range strings.Split(head, "\n") {
		if strings.HasPrefix(line, " =?UTF-8?b?") {
			folded++
		}
		if len(line) > 90 {
			t.Errorf("header line of %d characters: %q", len(line), line)
		}
	}
	if folded == 0 {
		t.Errorf("the long subject was not folded:\n%s", head)
	}

	// A retry of the same message carries the same Message-ID.
	if err := s.Send(context.Background(), msg, []string{"backup@agency.example"}); err != nil {
		t.Fatal(err)
	}
	again, _, _ := parseMail(t, srv.Received()[1])
	id := m.Header.Get("Message-ID")
	if id == "" || again.Header.Get("Message-ID") != id || !strings.HasSuffix(id, "@moel.example>") {
		t.Errorf("Message-IDs %q and %q: want equal and in the sender's domain", id, again.Header.Get("Message-ID"))
	}
}

func TestSMTPSubjectCannotAddHeaders(t *testing.T) {
	srv := smtptest.Start(t, &smtptest.Server{})
	s := &SMTP{Host: srv.Host, Port: srv.Port, From: "tower@moel.example", StartTLS: StartTLSOff, Timeout: 5 * time.Second}
	subject := "장애\r\nBcc: attacker@evil.example"
	if err := s.Send(context.Background(), Message{Subject: subject, Body: "본문"}, []string{"a@agency.example"}); err != nil {
		t.Fatal(err)
	}
	m, gotSubject, _ := parseMail(t, srv.Received()[0])
	if m.Header.Get("Bcc") != "" {
		t.Errorf("the subject added a Bcc header: %q", m.Header.Get("Bcc"))
	}
	if gotSubject != subject {
		t.Errorf("subject = %q, want %q", gotSubject, subject)
	}
}

func TestSMTPStartTLSModes(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	scenarios := []struct {
		name      string
		offered   bool
		mode      string
		wantTLS   bool
		wantError bool
	}{
		{"auto uses STARTTLS when offered", true, StartTLSAuto, true, false},
		{"empty mode is auto", true, "", true, false},
		{"auto sends in the clear when not offered", false, StartTLSAuto, false, false},
		{"require uses STARTTLS", true, StartTLSRequire, true, false},
		{"require refuses a server without STARTTLS", false, StartTLSRequire, false, true},
		{"off never encrypts", true, StartTLSOff, false, false},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			srv := &smtptest.Server{}
			if sc.offered {
				srv.TLS = serverTLS
			}
			smtptest.Start(t, srv)
			s := &SMTP{Host: srv.Host, Port: srv.Port, From: "tower@moel.example", StartTLS: sc.mode, TLS: clientTLS, Timeout: 5 * time.Second}
			err := s.Send(context.Background(), Message{Subject: "시험", Body: "본문"}, []string{"a@agency.example"})
			mails := srv.Received()
			if sc.wantError {
				if err == nil || !IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
					t.Fatalf("err = %v, want a permanent STARTTLS error", err)
				}
				if len(mails) != 0 {
					t.Fatalf("a message was sent in the clear although STARTTLS was required")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(mails) != 1 || mails[0].TLS != sc.wantTLS {
				t.Fatalf("received %d messages (%+v), want one with tls = %v", len(mails), mails, sc.wantTLS)
			}
		})
	}
}

func TestSMTPUntrustedCertificateFails(t *testing.T) {
	serverTLS, _ := selfSigned(t)
	srv := smtptest.Start(t, &smtptest.Server{TLS: serverTLS})
	// No custom CA: the system roots do not know the test certificate.
	s := &SMTP{Host: srv.Host, Port: srv.Port, From: "tower@moel.example", StartTLS: StartTLSRequire, Timeout: 5 * time.Second}
	err := s.Send(context.Background(), Message{Subject: "시험", Body: "본문"}, []string{"a@agency.example"})
	if err == nil || len(srv.Received()) != 0 {
		t.Fatalf("err = %v, received %d: want the untrusted certificate refused", err, len(srv.Received()))
	}
}

func TestSMTPErrorClasses(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()

	serverTLS, clientTLS := selfSigned(t)
	scenarios := []struct {
		name          string
		server        *smtptest.Server // nil: nothing listens
		password      string
		from, to      string
		wantPermanent bool
	}{
		{"nothing listening may pass later", nil, "", "tower@moel.example", "a@agency.example", false},
		{"mailbox unknown (550) is permanent", &smtptest.Server{RCPTReply: "550 5.1.1 no such user"}, "", "tower@moel.example", "a@agency.example", true},
		{"mailbox busy (451) may pass later", &smtptest.Server{RCPTReply: "451 4.3.0 try again"}, "", "tower@moel.example", "a@agency.example", false},
		{"wrong password (535) is permanent", &smtptest.Server{TLS: serverTLS, User: "tower", Pass: "right"}, "wrong", "tower@moel.example", "a@agency.example", true},
		{"unparsable recipient is permanent", &smtptest.Server{}, "", "tower@moel.example", "not an address", true},
		{"unparsable sender is permanent", &smtptest.Server{}, "", "", "a@agency.example", true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			s := &SMTP{Host: "127.0.0.1", Port: closedPort, From: sc.from, TLS: clientTLS, Timeout: 5 * time.Second}
			if sc.server != nil {
				smtptest.Start(t, sc.server)
				s.Port = sc.server.Port
			}
			if sc.password != "" {
				s.Username, s.Password = "tower", sc.password
			}
			err := s.Send(context.Background(), Message{Subject: "시험", Body: "본문"}, []string{sc.to})
			if err == nil {
				t.Fatal("sent; want an error")
			}
			if IsPermanent(err) != sc.wantPermanent {
				t.Fatalf("IsPermanent(%v) = %v, want %v", err, IsPermanent(err), sc.wantPermanent)
			}
			if !strings.HasPrefix(err.Error(), "notify: smtp:") {
				t.Errorf("error %q does not say where it came from", err)
			}
		})
	}
}
