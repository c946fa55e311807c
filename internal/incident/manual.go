package incident

import (
	"strconv"
	"strings"
	"unicode"

	"yeonsok/internal/inventory"
)

// ManualBatch is what one office took by hand while a service ran in
// manual mode (오프라인 업무 전환): how many items — applications, reports —
// with the receipt numbers they were given, and how many of them have been
// entered back into the system since. Nothing a citizen handed in may be
// forgotten: the incident is not closed as reviewed while any is left.
type ManualBatch struct {
	Office string `json:"office"`
	Count  int    `json:"count"`
	// FirstReceipt and LastReceipt, when given, are the first and last
	// receipt numbers of the batch ("고용-2025-0001" … "고용-2025-0120"):
	// the same prefix, then a number, the range holding exactly Count.
	FirstReceipt string `json:"first_receipt,omitempty"`
	LastReceipt  string `json:"last_receipt,omitempty"`
	Entered      int    `json:"entered"`
}

// MaxBatchCount bounds one batch; more is a typing mistake, not a day's
// work of one office.
const MaxBatchCount = 1_000_000

// Normalize trims what people type.
func (b *ManualBatch) Normalize() {
	b.Office = strings.TrimSpace(b.Office)
	b.FirstReceipt = strings.TrimSpace(b.FirstReceipt)
	b.LastReceipt = strings.TrimSpace(b.LastReceipt)
}

// Validate checks a batch, every problem by its field.
func (b *ManualBatch) Validate() inventory.Problems {
	var p inventory.Problems
	p.Required("office", b.Office)
	p.Text("office", b.Office, inventory.MaxShortText)
	if b.Count < 1 || b.Count > MaxBatchCount {
		p.Add("count", "incident.invalid.count", MaxBatchCount)
	}
	if b.Entered < 0 || b.Entered > b.Count {
		p.Add("entered", "incident.invalid.entered")
	}
	switch {
	case b.FirstReceipt == "" && b.LastReceipt == "":
	case b.FirstReceipt == "" || b.LastReceipt == "":
		field := "first_receipt"
		if b.LastReceipt == "" {
			field = "last_receipt"
		}
		p.Add(field, "incident.invalid.receipt_pair")
	default:
		size, ok := ReceiptRange(b.FirstReceipt, b.LastReceipt)
		switch {
		case !ok:
			p.Add("last_receipt", "incident.invalid.receipt_range", b.FirstReceipt, b.LastReceipt)
		case size != b.Count:
			p.Add("count", "incident.invalid.receipt_count", size, b.Count)
		}
	}
	return p
}

// Outstanding is how many of the batch are still to be entered back.
func (b *ManualBatch) Outstanding() int { return b.Count - b.Entered }

// ReceiptRange is how many receipt numbers first … last spans: both must
// end in a number after the same prefix, the last no smaller than the
// first. ok is false otherwise.
func ReceiptRange(first, last string) (size int, ok bool) {
	fp, fn, ok1 := splitReceipt(first)
	lp, ln, ok2 := splitReceipt(last)
	if !ok1 || !ok2 || fp != lp || ln < fn {
		return 0, false
	}
	return int(ln-fn) + 1, true
}

// splitReceipt cuts a receipt number into its prefix and trailing number.
func splitReceipt(receipt string) (prefix string, n int64, ok bool) {
	i := strings.LastIndexFunc(receipt, func(r rune) bool { return !unicode.IsDigit(r) }) + 1
	digits := receipt[i:]
	if digits == "" || len(digits) > 15 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return receipt[:i], n, err == nil
}

// CanReview reports whether an incident may be closed as reviewed:
// nothing taken by hand is outstanding, or an admin overrides with a
// reason (say, items handed back to the citizens), which the store records.
func CanReview(outstanding int, overrideReason string) bool {
	return outstanding == 0 || strings.TrimSpace(overrideReason) != ""
}
