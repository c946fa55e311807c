// Package notify is how the tower tells people that something happened: by
// email over SMTP and by signed JSON webhooks (for SMS gateways and
// messengers).
//
// Sending is never on the incident's path. Callers hand messages to a
// Dispatcher, whose Enqueue returns at once whatever the mail server or the
// webhook receiver is doing; the dispatcher's workers deliver in the
// background, retry with backoff, and report every attempt through a
// callback so the incident timeline can record it. A channel that is down,
// slow or refusing therefore costs a line on the timeline, never a stalled
// incident.
package notify

import (
	"errors"
	"fmt"
	"net/url"
)

// Message is one notification. Subject and Body are plain text (Korean);
// Data travels only in webhooks, as JSON, for receivers that want the
// details in machine form. ID identifies the message across retries so a
// receiver can drop duplicates: it becomes the webhook's "id" and the
// email's Message-ID.
type Message struct {
	ID      string
	Subject string
	Body    string
	Data    any
}

// Channel is the way a recipient is reached.
type Channel string

const (
	ChannelEmail   Channel = "email"
	ChannelWebhook Channel = "webhook"
)

// Recipient is one place a message goes: an email address, or a webhook
// URL with the secret its requests are signed with. Exactly one of Email
// and URL is set. Name, when set, is how reports and the timeline call it
// (e.g. "고용24 정 담당자 SMS").
type Recipient struct {
	Name   string
	Email  string
	URL    string
	Secret string
}

// EmailTo is a recipient reached by email.
func EmailTo(address string) Recipient { return Recipient{Email: address} }

// WebhookTo is a recipient reached by a webhook signed with secret.
func WebhookTo(url, secret string) Recipient { return Recipient{URL: url, Secret: secret} }

// Channel says how r is reached; it is empty when r is not valid.
func (r Recipient) Channel() Channel {
	switch {
	case r.Email != "" && r.URL == "":
		return ChannelEmail
	case r.URL != "" && r.Email == "":
		return ChannelWebhook
	}
	return ""
}

// String names r for reports and logs: its Name, else its email address,
// else its webhook URL without path or query. Messenger webhook URLs often
// carry their token in the path, and the timeline is read by many people.
func (r Recipient) String() string {
	switch {
	case r.Name != "":
		return r.Name
	case r.Email != "":
		return r.Email
	}
	return redactURL(r.URL)
}

// redactURL keeps a URL's scheme and host, which say where it goes, and
// hides the rest.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(webhook URL)"
	}
	if u.Path == "" && u.RawQuery == "" {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// permanentError marks a failure that retrying cannot cure.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure that retrying cannot cure (the receiver
// refused the message, the configuration is wrong), so the dispatcher stops
// trying. Senders outside this package use it the same way.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was marked Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// errInvalidRecipient is returned for a recipient with neither or both of
// Email and URL.
var errInvalidRecipient = Permanent(fmt.Errorf("notify: recipient needs exactly one of an email address and a webhook URL"))
