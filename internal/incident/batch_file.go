package incident

import (
	"strconv"
	"strings"

	"yeonsok/internal/transfer"
)

// BatchSheet is what problems of a batch upload call the sheet.
const BatchSheet = "수기접수"

// batchColumns are the columns of a batch upload, each known by its
// Korean header or its key.
var batchColumns = []struct{ key, korean string }{
	{"service", "서비스"},
	{"office", "접수처"},
	{"count", "건수"},
	{"first_receipt", "첫 접수번호"},
	{"last_receipt", "끝 접수번호"},
	{"entered", "입력 완료"},
}

// BatchHeader is the header row of a batch upload, in Korean.
func BatchHeader() []string {
	h := make([]string, len(batchColumns))
	for i, c := range batchColumns {
		h[i] = c.korean
	}
	return h
}

// ParseBatches reads what offices took by hand from an uploaded CSV or
// XLSX file — one batch a row, the service by its name among those the
// incident ran by hand — or refuses the whole file with every problem by
// row and column (a *transfer.ProblemsError).
func ParseBatches(fileName string, data []byte, inc *Incident) ([]Batch, error) {
	t, err := transfer.ReadTable(fileName, BatchSheet, data)
	if err != nil {
		return nil, err
	}
	services := map[string]int64{}
	for _, s := range inc.Services {
		if s.Manual != nil {
			services[strings.TrimSpace(s.Name)] = s.ServiceID
		}
	}
	at := map[string]int{}
	for i, h := range t.Header {
		h = strings.TrimSpace(h)
		for _, c := range batchColumns {
			if strings.EqualFold(h, c.key) || h == c.korean {
				at[c.key] = i
			}
		}
	}
	var problems []transfer.Problem
	for _, c := range batchColumns[:3] {
		if _, ok := at[c.key]; !ok {
			problems = append(problems, transfer.Problem{Sheet: BatchSheet, Header: c.korean, Field: c.key, Key: "transfer.missing_column",
				Args: []any{c.korean}})
		}
	}
	if len(problems) > 0 {
		return nil, transfer.Reject(problems)
	}
	if len(t.Rows) == 0 {
		return nil, transfer.Reject([]transfer.Problem{{Sheet: BatchSheet, Key: "incident.invalid.no_batches"}})
	}
	cell := func(r transfer.TableRow, key string) string {
		i, ok := at[key]
		if !ok || i >= len(r.Cells) {
			return ""
		}
		return strings.TrimSpace(r.Cells[i])
	}
	problem := func(r transfer.TableRow, field, key string, args ...any) transfer.Problem {
		p := transfer.Problem{Sheet: BatchSheet, Row: r.Num, Field: field, Key: key, Args: args}
		if i, ok := at[field]; ok {
			p.Column, p.Header = transfer.ColumnLetter(i), strings.TrimSpace(t.Header[i])
		}
		return p
	}
	batches := make([]Batch, 0, len(t.Rows))
	for _, r := range t.Rows {
		var b Batch
		var rowProblems []transfer.Problem
		name := cell(r, "service")
		if id, ok := services[name]; ok {
			b.ServiceID = id
		} else {
			rowProblems = append(rowProblems, problem(r, "service", "incident.invalid.batch_service_name", name))
		}
		b.Office, b.FirstReceipt, b.LastReceipt = cell(r, "office"), cell(r, "first_receipt"), cell(r, "last_receipt")
		for key, n := range map[string]*int{"count": &b.Count, "entered": &b.Entered} {
			text := strings.ReplaceAll(cell(r, key), ",", "")
			if text == "" && key == "entered" {
				continue
			}
			v, err := strconv.Atoi(text)
			if err != nil {
				rowProblems = append(rowProblems, problem(r, key, "transfer.not_integer", text))
				continue
			}
			*n = v
		}
		if len(rowProblems) == 0 {
			for _, p := range b.Validate() {
				rowProblems = append(rowProblems, problem(r, p.Field, p.Key, p.Args...))
			}
		}
		problems = append(problems, rowProblems...)
		batches = append(batches, b)
	}
	if len(problems) > 0 {
		return nil, transfer.Reject(problems)
	}
	return batches, nil
}
