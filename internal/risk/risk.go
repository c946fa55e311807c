// Package risk is the plan's risk analysis (②위험요인 분석, SPEC §4.2): the
// catalogue of risk kinds the plan lists, risk entries recorded per agency,
// facility and system with likelihood × impact before and after controls,
// the bands a rating falls in, and the heat map. The rules are pure
// functions; store.go holds the SQL.
//
// Rating and bands. A rating is likelihood × impact, each 1–5, so 1–25.
// The bands are:
//
//	rating   band
//	1–4      low        (e.g. 2 × 2)
//	5–9      medium     (e.g. 3 × 3)
//	10–16    high       (e.g. 2 × 5, 4 × 4)
//	20–25    critical   (4 × 5, 5 × 5)
//
// No product of two numbers 1–5 lies between 16 and 20, so the bands leave
// no gap. A risk is "high" for the tasks that treat it (High) when its
// residual rating — after the controls in place — is in the high or
// critical band and it is not closed: a risk its controls already bring
// down needs no further task.
package risk

import (
	"slices"
	"strings"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
)

// Kinds of risk, as plan 1-2 divides them.
const (
	Physical    = "physical"    // 물리적 위험요인
	Technical   = "technical"   // 기술적 위험요인
	Operational = "operational" // 운영적 위험요인
)

// Kind is one kind of the catalogue with its sub-kinds. Each kind and
// sub-kind has its name in the message catalogue (risk.kind.<key>,
// risk.subkind.<key>) and the plan's examples (risk.subkind.<key>.examples).
type Kind struct {
	Key      string
	SubKinds []string
}

// Catalogue is the plan's risk catalogue, in the plan's order. Sub-kind keys
// are unique across kinds.
var Catalogue = []Kind{
	{Physical, []string{
		"disaster",  // [재해] 화재, 지진, 침수, 낙뢰 등
		"building",  // [건물 장애] 건물 붕괴, 안전진단 E등급 판정 등으로 인한 사용 제한
		"equipment", // [시설·설비 장애] 정전, 항온·항습 장치 고장, 발전기·UPS 고장
		"intrusion", // [물리적 침해] 무단 침입, 도난, 기물 파손, 장비 노후화
	}},
	{Technical, []string{
		"tech_error", // [기술적 오류] 보안패치·업데이트 미실시, 과도한 권한 부여
		"hacking",    // [해킹] 비밀번호 유출, 인증정책 우회, 네트워크 방화벽 침입
	}},
	{Operational, []string{
		"manual_gaps",   // [매뉴얼 미흡] 일부 재해·사고만 다루거나 조치가 추상적
		"noncompliance", // [규정 미준수] 백업·소산 미실시·지연, 유지보수 시 규정 위반
		"negligence",    // [운영소홀] 형식적 모의훈련·보안교육, 로그분석·이상징후 감지 소홀
	}},
}

// Kinds lists the kind keys in the catalogue's order.
var Kinds = []string{Physical, Technical, Operational}

// KindOf is the kind a sub-kind belongs to; "" for an unknown sub-kind.
func KindOf(subKind string) string {
	for _, k := range Catalogue {
		if slices.Contains(k.SubKinds, subKind) {
			return k.Key
		}
	}
	return ""
}

// subKindsOf lists the sub-kinds of kind; nil for an unknown kind.
func subKindsOf(kind string) []string {
	for _, k := range Catalogue {
		if k.Key == kind {
			return k.SubKinds
		}
	}
	return nil
}

// subKinds lists every sub-kind in the catalogue's order.
func subKinds() []string {
	var all []string
	for _, k := range Catalogue {
		all = append(all, k.SubKinds...)
	}
	return all
}

// Statuses of an entry: identified and not yet treated, being treated,
// accepted as it is, and closed (no longer a risk).
const (
	StatusOpen       = "open"
	StatusMitigating = "mitigating"
	StatusAccepted   = "accepted"
	StatusClosed     = "closed"
)

// Statuses lists the statuses in the order a form offers them.
var Statuses = []string{StatusOpen, StatusMitigating, StatusAccepted, StatusClosed}

// Bands of a rating (see the package comment).
const (
	BandLow      = "low"
	BandMedium   = "medium"
	BandHigh     = "high"
	BandCritical = "critical"
)

// BandRange is a band with the ratings it holds, Min to Max.
type BandRange struct {
	Key string `json:"band"`
	Min int    `json:"min"`
	Max int    `json:"max"`
}

// Bands lists the bands from the least to the most severe.
var Bands = []BandRange{{BandLow, 1, 4}, {BandMedium, 5, 9}, {BandHigh, 10, 16}, {BandCritical, 20, Scale * Scale}}

// Band is the band of a rating; "" for a rating outside 1–25 (or one no
// product of the scales gives, 17–19).
func Band(rating int) string {
	for _, b := range Bands {
		if rating >= b.Min && rating <= b.Max {
			return b.Key
		}
	}
	return ""
}

// Scale is the top of the likelihood and impact scales (1 to Scale).
const Scale = 5

// ReviewDateLayout is how a review date is written and stored.
const ReviewDateLayout = "2006-01-02"

// Entry is one risk (위험요인) of an agency: on the agency as a whole, on a
// facility (a shared facility's entry belongs to the agency that records
// it), on one of the agency's systems, or on a system in a facility.
type Entry struct {
	ID         int64  `json:"id"`
	AgencyID   int64  `json:"agency_id"`
	FacilityID *int64 `json:"facility_id"`
	SystemID   *int64 `json:"system_id"`
	// Kind and SubKind are keys of the Catalogue; a Kind left empty is
	// taken from SubKind.
	Kind        string `json:"kind"`
	SubKind     string `json:"sub_kind"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Likelihood and Impact are 1–5, before controls.
	Likelihood int    `json:"likelihood"`
	Impact     int    `json:"impact"`
	Controls   string `json:"controls"`
	Owner      string `json:"owner"`
	// ResidualLikelihood and ResidualImpact are 1–5, with the controls in
	// place; left at 0 they are taken to equal the values before controls,
	// and they may not exceed them.
	ResidualLikelihood int    `json:"residual_likelihood"`
	ResidualImpact     int    `json:"residual_impact"`
	Status             string `json:"status"`
	// Source says where the risk was found ("참고 4 현장조사").
	Source string `json:"source"`
	// ReviewDate is when the entry is next to be reviewed, as 2006-01-02;
	// "" when none is set.
	ReviewDate string `json:"review_date"`

	// Rating, Band, ResidualRating and ResidualBand follow from the values
	// above; they are filled on every read and ignored when sent.
	Rating         int    `json:"rating"`
	Band           string `json:"band"`
	ResidualRating int    `json:"residual_rating"`
	ResidualBand   string `json:"residual_band"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// rate fills the ratings and bands from the scales.
func (e *Entry) rate() {
	e.Rating, e.ResidualRating = e.Likelihood*e.Impact, e.ResidualLikelihood*e.ResidualImpact
	e.Band, e.ResidualBand = Band(e.Rating), Band(e.ResidualRating)
}

// Normalize trims the one-line fields and fills what may be left out: the
// kind from the sub-kind, the residual values from those before controls,
// the status (open). It rates the entry.
func (e *Entry) Normalize() {
	e.Kind, e.SubKind = strings.TrimSpace(e.Kind), strings.TrimSpace(e.SubKind)
	e.Title, e.Owner = strings.TrimSpace(e.Title), strings.TrimSpace(e.Owner)
	e.Source, e.ReviewDate = strings.TrimSpace(e.Source), strings.TrimSpace(e.ReviewDate)
	e.Status = strings.TrimSpace(e.Status)
	if e.Kind == "" {
		e.Kind = KindOf(e.SubKind)
	}
	if e.ResidualLikelihood == 0 {
		e.ResidualLikelihood = e.Likelihood
	}
	if e.ResidualImpact == 0 {
		e.ResidualImpact = e.Impact
	}
	if e.Status == "" {
		e.Status = StatusOpen
	}
	e.rate()
}

// Validate checks the entry's own fields; whether its agency, facility and
// system exist and may be named by the writer is the store's to check.
func (e *Entry) Validate() inventory.Problems {
	var p inventory.Problems
	if e.AgencyID == 0 {
		p.Add("agency_id", "invalid.required")
	}
	// The sub-kind says it all (Normalize takes the kind from it); a kind
	// given as well must be the sub-kind's.
	switch subs := subKindsOf(e.Kind); {
	case e.SubKind == "":
		p.Add("sub_kind", "invalid.required")
	case e.Kind != "" && subs == nil:
		p.OneOf("kind", e.Kind, Kinds)
	case e.Kind == "":
		p.OneOf("sub_kind", e.SubKind, subKinds())
	case !slices.Contains(subs, e.SubKind):
		p.Add("sub_kind", "invalid.risk.sub_kind", e.SubKind, strings.Join(subs, ", "))
	}
	p.Required("title", e.Title)
	p.Text("title", e.Title, inventory.MaxName)
	p.Text("description", e.Description, inventory.MaxLongText)
	p.Text("controls", e.Controls, inventory.MaxLongText)
	p.Text("owner", e.Owner, inventory.MaxShortText)
	p.Text("source", e.Source, inventory.MaxShortText)
	scale(&p, "likelihood", e.Likelihood)
	scale(&p, "impact", e.Impact)
	if scale(&p, "residual_likelihood", e.ResidualLikelihood) && e.ResidualLikelihood > e.Likelihood && e.Likelihood >= 1 {
		p.Add("residual_likelihood", "invalid.risk.residual_above", e.Likelihood)
	}
	if scale(&p, "residual_impact", e.ResidualImpact) && e.ResidualImpact > e.Impact && e.Impact >= 1 {
		p.Add("residual_impact", "invalid.risk.residual_above", e.Impact)
	}
	p.OneOf("status", e.Status, Statuses)
	if e.ReviewDate != "" {
		if _, err := time.Parse(ReviewDateLayout, e.ReviewDate); err != nil {
			p.Add("review_date", "invalid.risk.date", e.ReviewDate)
		}
	}
	return p
}

// scale checks a value of the 1–5 scales; 0 is a value not given.
func scale(p *inventory.Problems, field string, v int) bool {
	switch {
	case v == 0:
		p.Add(field, "invalid.required")
	case v < 1 || v > Scale:
		p.Add(field, "invalid.risk.scale", Scale)
	default:
		return true
	}
	return false
}

// Matrix counts entries by likelihood (row) and impact (column): m[l-1][i-1]
// is the number of entries of likelihood l and impact i.
type Matrix [Scale][Scale]int

// HeatMap is the plan's heat map of a set of entries, before and after
// controls. Closed entries are no longer risks and are left out.
type HeatMap struct {
	Inherent Matrix `json:"inherent"`
	Residual Matrix `json:"residual"`
	// Counted is the number of entries in each matrix.
	Counted int `json:"counted"`
}

// HeatMapOf counts entries into the heat map; closed entries and values off
// the scales (which the store never holds) are left out.
func HeatMapOf(entries []*Entry) HeatMap {
	var h HeatMap
	on := func(v int) bool { return v >= 1 && v <= Scale }
	for _, e := range entries {
		if e.Status == StatusClosed || !on(e.Likelihood) || !on(e.Impact) || !on(e.ResidualLikelihood) || !on(e.ResidualImpact) {
			continue
		}
		h.Inherent[e.Likelihood-1][e.Impact-1]++
		h.Residual[e.ResidualLikelihood-1][e.ResidualImpact-1]++
		h.Counted++
	}
	return h
}

// High keeps the entries that call for a task: residual rating in the high
// or critical band, and not closed. The task proposals of issue 4 (④) take
// their risks from here (or from Store.HighRisks).
func High(entries []*Entry) []*Entry {
	var high []*Entry
	for _, e := range entries {
		if e.Status == StatusClosed {
			continue
		}
		if b := Band(e.ResidualLikelihood * e.ResidualImpact); b == BandHigh || b == BandCritical {
			high = append(high, e)
		}
	}
	return high
}

// notFound is the error for an entry outside the caller's scope or gone.
func notFound() error { return apperror.New(apperror.NotFound, "", "not_found.risk") }
