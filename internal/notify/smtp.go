package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// STARTTLS modes for SMTP.StartTLS.
const (
	StartTLSAuto    = "auto"    // use STARTTLS when the server offers it (the default)
	StartTLSRequire = "require" // refuse to send unless the session is encrypted
	StartTLSOff     = "off"     // never encrypt (a relay on the same host)
)

// SMTP sends email through one mail server.
type SMTP struct {
	Host     string
	Port     int    // 587 when zero
	From     string // "연속 <yeonsok@example.go.kr>" or a bare address
	Username string // no authentication when empty
	Password string
	StartTLS string      // StartTLSAuto when empty
	TLS      *tls.Config // for a custom CA; ServerName defaults to Host
	Timeout  time.Duration
	// HelloName is the name given in EHLO; "localhost" when empty.
	HelloName string
	// Now gives the Date header; time.Now when nil.
	Now func() time.Time
}

// Send sends msg to every address in to, in one SMTP transaction.
//
// Errors the server answers with a 5xx code, addresses that cannot be
// parsed and a missing STARTTLS under StartTLSRequire are permanent;
// everything else (refused connections, timeouts, 4xx answers) may pass.
func (s *SMTP) Send(ctx context.Context, msg Message, to []string) error {
	if len(to) == 0 {
		return Permanent(errors.New("notify: smtp: no recipients"))
	}
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return Permanent(fmt.Errorf("notify: smtp: sender %q: %w", s.From, err))
	}
	rcpts := make([]*mail.Address, 0, len(to))
	for _, a := range to {
		addr, err := mail.ParseAddress(a)
		if err != nil {
			return Permanent(fmt.Errorf("notify: smtp: recipient %q: %w", a, err))
		}
		rcpts = append(rcpts, addr)
	}
	mode := s.StartTLS
	if mode == "" {
		mode = StartTLSAuto
	}
	if mode != StartTLSAuto && mode != StartTLSRequire && mode != StartTLSOff {
		return Permanent(fmt.Errorf("notify: smtp: unknown STARTTLS mode %q", mode))
	}
	data := s.compose(msg, from, rcpts)

	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	port := s.Port
	if port == 0 {
		port = 587
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(port))
	dialer := net.Dialer{Timeout: timeout}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("notify: smtp: dial %s: %w", addr, err)
	}
	// One deadline for the whole session: a server that stops answering
	// half-way must not hold a worker forever.
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return fmt.Errorf("notify: smtp: %w", err)
	}
	// A cancelled ctx ends the session at once rather than at the deadline.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return classifySMTP(fmt.Errorf("notify: smtp: greeting from %s: %w", addr, err))
	}
	defer c.Close()

	hello := s.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return classifySMTP(fmt.Errorf("notify: smtp: EHLO: %w", err))
	}
	offered, _ := c.Extension("STARTTLS")
	switch {
	case mode == StartTLSRequire && !offered:
		return Permanent(fmt.Errorf("notify: smtp: %s does not offer STARTTLS, which is required", addr))
	case mode != StartTLSOff && offered:
		cfg := &tls.Config{}
		if s.TLS != nil {
			cfg = s.TLS.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = s.Host
		}
		if err := c.StartTLS(cfg); err != nil {
			return classifySMTP(fmt.Errorf("notify: smtp: STARTTLS: %w", err))
		}
	}
	if s.Username != "" {
		// PlainAuth itself refuses to send the password in the clear to
		// anything but localhost.
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return classifySMTP(fmt.Errorf("notify: smtp: AUTH: %w", err))
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return classifySMTP(fmt.Errorf("notify: smtp: MAIL FROM: %w", err))
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r.Address); err != nil {
			return classifySMTP(fmt.Errorf("notify: smtp: RCPT TO %s: %w", r.Address, err))
		}
	}
	w, err := c.Data()
	if err != nil {
		return classifySMTP(fmt.Errorf("notify: smtp: DATA: %w", err))
	}
	if _, err := w.Write(data); err != nil {
		return classifySMTP(fmt.Errorf("notify: smtp: writing the message: %w", err))
	}
	if err := w.Close(); err != nil {
		return classifySMTP(fmt.Errorf("notify: smtp: end of DATA: %w", err))
	}
	// The message is accepted once DATA ends; a failed QUIT does not undo that.
	_ = c.Quit()
	return nil
}

// classifySMTP marks 5xx answers permanent: the server has said that the
// same request will fail again.
func classifySMTP(err error) error {
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		return Permanent(err)
	}
	return err
}

// compose writes the message: UTF-8 plain text, base64 encoded so the
// Korean body passes any relay unchanged, with RFC 2047 encoded headers.
func (s *SMTP) compose(msg Message, from *mail.Address, to []*mail.Address) []byte {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	names := make([]string, len(to))
	for i, a := range to {
		names[i] = a.String()
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.String())
	// One address a line: a long list must not pass SMTP's 998-character line limit.
	header("To", strings.Join(names, ",\r\n "))
	// mime encodes any control character too, so a subject cannot add headers.
	// The encoder splits a long subject into encoded-words separated by a
	// space; folding there keeps lines short (RFC 2047 asks for 76).
	subject := mime.BEncoding.Encode("UTF-8", msg.Subject)
	header("Subject", strings.ReplaceAll(subject, "?= =?", "?=\r\n =?"))
	header("Date", now().Format(time.RFC1123Z))
	header("Message-ID", messageID(msg.ID, from.Address))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")

	// text/plain is sent with CRLF line ends (RFC 2046).
	body := strings.ReplaceAll(msg.Body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\n", "\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

// messageID derives the Message-ID from the message's ID, so every retry
// of one message carries the same Message-ID and mail systems can drop the
// duplicates; the hash keeps any characters of the ID out of the header.
func messageID(id, from string) string {
	var local string
	if id != "" {
		sum := sha256.Sum256([]byte(id))
		local = hex.EncodeToString(sum[:16])
	} else {
		var r [16]byte
		rand.Read(r[:])
		local = hex.EncodeToString(r[:])
	}
	domain := "yeonsok.invalid"
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 {
		domain = from[at+1:]
	}
	return "<" + local + "@" + domain + ">"
}
