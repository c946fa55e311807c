// Package smtptest runs a small SMTP server on a loopback port for tests:
// real RFC 5321 over TCP (EHLO, HELO, STARTTLS when it has a certificate,
// AUTH PLAIN when it has a user, MAIL, RCPT, DATA, RSET, NOOP, QUIT), so
// notify.SMTP and everything that sends through it are tested against the
// protocol rather than a stand-in. It keeps every message it accepts.
package smtptest

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is the server; set its options before Start.
type Server struct {
	TLS        *tls.Config // offers STARTTLS when set
	User, Pass string      // requires AUTH PLAIN when User is set
	RCPTReply  string      // answers RCPT with this line instead of 250 when set

	Host string // set by Start
	Port int    // set by Start

	mu    sync.Mutex
	mails []Mail
}

// Mail is a message the server accepted: one per DATA, with every
// recipient of its envelope.
type Mail struct {
	From     string
	To       []string
	Data     string
	TLS      bool   // sent inside STARTTLS
	AuthUser string // who authenticated, if anyone
}

// Start listens on a loopback port until the test ends.
func Start(t testing.TB, s *Server) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s.Host, s.Port = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

// Addr is host:port, as YEONSOK_SMTP_ADDR takes it.
func (s *Server) Addr() string { return fmt.Sprintf("%s:%d", s.Host, s.Port) }

// Received is every message accepted so far.
func (s *Server) Received() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// To is the messages accepted for addr.
func (s *Server) To(addr string) []Mail {
	var out []Mail
	for _, m := range s.Received() {
		for _, to := range m.To {
			if to == addr {
				out = append(out, m)
			}
		}
	}
	return out
}

// Decode reads the message's subject (RFC 2047) and its base64 plain-text
// body, as notify.SMTP writes them.
func (m Mail) Decode() (msg *mail.Message, subject, body string, err error) {
	msg, err = mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return nil, "", "", fmt.Errorf("smtptest: reading the message: %w", err)
	}
	if subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return nil, "", "", fmt.Errorf("smtptest: subject %q: %w", msg.Header.Get("Subject"), err)
	}
	if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "base64" {
		return nil, "", "", fmt.Errorf("smtptest: Content-Transfer-Encoding %q, want base64", cte)
	}
	raw, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
	if err != nil {
		return nil, "", "", fmt.Errorf("smtptest: body: %w", err)
	}
	return msg, subject, string(raw), nil
}

func (s *Server) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	tp.PrintfLine("220 test.invalid ESMTP")
	var (
		cur      Mail
		inTLS    bool
		authUser string
	)
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ext := []string{"test.invalid", "8BITMIME"}
			if s.TLS != nil && !inTLS {
				ext = append(ext, "STARTTLS")
			}
			if s.User != "" {
				ext = append(ext, "AUTH PLAIN")
			}
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				tp.PrintfLine("250%s%s", sep, e)
			}
		case "HELO":
			tp.PrintfLine("250 test.invalid")
		case "STARTTLS":
			if s.TLS == nil || inTLS {
				tp.PrintfLine("502 5.5.1 not offered")
				continue
			}
			tp.PrintfLine("220 2.0.0 ready to start TLS")
			tc := tls.Server(conn, s.TLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, tp, inTLS = tc, textproto.NewConn(tc), true
			cur, authUser = Mail{}, "" // RFC 3207: forget everything said before
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(initial)
			parts := strings.Split(string(raw), "\x00")
			if !strings.EqualFold(mech, "PLAIN") || err != nil || len(parts) != 3 || parts[1] != s.User || parts[2] != s.Pass {
				tp.PrintfLine("535 5.7.8 authentication failed")
				continue
			}
			authUser = parts[1]
			tp.PrintfLine("235 2.7.0 authenticated")
		case "MAIL":
			if s.User != "" && authUser == "" {
				tp.PrintfLine("530 5.7.0 authentication required")
				continue
			}
			cur = Mail{From: angle(arg), TLS: inTLS, AuthUser: authUser}
			tp.PrintfLine("250 2.1.0 ok")
		case "RCPT":
			if s.RCPTReply != "" {
				tp.PrintfLine("%s", s.RCPTReply)
				continue
			}
			cur.To = append(cur.To, angle(arg))
			tp.PrintfLine("250 2.1.5 ok")
		case "DATA":
			if cur.From == "" || len(cur.To) == 0 {
				tp.PrintfLine("503 5.5.1 need MAIL and RCPT first")
				continue
			}
			tp.PrintfLine("354 end with <CRLF>.<CRLF>")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data = string(data)
			s.mu.Lock()
			s.mails = append(s.mails, cur)
			s.mu.Unlock()
			cur = Mail{}
			tp.PrintfLine("250 2.0.0 queued")
		case "RSET":
			cur = Mail{}
			tp.PrintfLine("250 2.0.0 ok")
		case "NOOP":
			tp.PrintfLine("250 2.0.0 ok")
		case "QUIT":
			tp.PrintfLine("221 2.0.0 bye")
			return
		default:
			tp.PrintfLine("500 5.5.2 unknown command")
		}
	}
}

// angle returns the address between < and > in a MAIL or RCPT argument.
func angle(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}
