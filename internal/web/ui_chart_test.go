package web

import (
	"strings"
	"testing"
	"time"

	"yeonsok/internal/locale"
	"yeonsok/internal/monitor"
)

func TestDayState(t *testing.T) {
	scenarios := []struct {
		name string
		day  monitor.Uptime
		want string
	}{
		{"nothing observed", monitor.Uptime{}, dayNoData},
		{"no interruption", monitor.Uptime{Observed: 24 * time.Hour, HasTarget: true, MeetsTarget: true}, dayMet},
		{"no interruption, no target", monitor.Uptime{Observed: 24 * time.Hour}, dayMet},
		{"interrupted within the target", monitor.Uptime{Observed: 24 * time.Hour, Down: time.Minute, HasTarget: true, MeetsTarget: true}, dayWithin},
		{"interrupted, no target to miss", monitor.Uptime{Observed: 24 * time.Hour, Down: time.Hour}, dayWithin},
		{"target missed", monitor.Uptime{Observed: 24 * time.Hour, Down: time.Hour, HasTarget: true}, dayMissed},
	}
	for _, sc := range scenarios {
		if got := dayState(sc.day); got != sc.want {
			t.Errorf("%s: %s, want %s", sc.name, got, sc.want)
		}
	}
}

func TestUptimeBars(t *testing.T) {
	first := time.Date(2025, 9, 24, 0, 0, 0, 0, locale.KST)
	day := 24 * time.Hour
	days := []monitor.Uptime{
		{},
		{Observed: day, Availability: 100, HasTarget: true, MeetsTarget: true},
		{Observed: day, Down: 30 * time.Second, Availability: 99.9653, Interruptions: 1, HasTarget: true, MeetsTarget: true},
		{Observed: day, Down: 2*time.Hour + 42*time.Minute, Availability: 88.75, Interruptions: 2, HasTarget: true},
	}
	scenarios := []struct {
		lang locale.Lang
		want []string
	}{
		{locale.Korean, []string{
			`fill="#b8bec4" class="day-nodata"><title>2025. 9. 24. · 데이터 없음</title>`,
			`fill="#1d6b32" class="day-met"><title>2025. 9. 25. · 가용률 100.00% · 중단 0회</title>`,
			// Cut, not rounded: 99.9653 is 99.96.
			`fill="#c98a00" class="day-within"><title>2025. 9. 26. · 가용률 99.96% · 중단 1회</title>`,
			`fill="#a4161a" class="day-missed"><title>2025. 9. 27. · 가용률 88.75% · 중단 2회</title>`,
			`aria-label="최근 4일 일별 가용률: 목표 충족 1일, 목표 안 중단 1일, 목표 미달 1일, 데이터 없음 1일"`,
			`viewBox="0 0 30 34"`,
		}},
		{locale.English, []string{`<title>2025. 9. 27. · uptime 88.75% · 2 interruptions</title>`}},
	}
	for _, sc := range scenarios {
		svg := string(uptimeBars(tr(sc.lang), first, days))
		if n := strings.Count(svg, "<rect "); n != len(days) {
			t.Errorf("%s: %d bars, want %d", sc.lang, n, len(days))
		}
		if !strings.HasPrefix(svg, `<svg class="uptime-bars"`) || !strings.HasSuffix(svg, "</svg>") {
			t.Errorf("%s: not one svg: %s", sc.lang, svg)
		}
		mustContain(t, string(sc.lang), svg, sc.want...)
	}
	ninety := make([]monitor.Uptime, 90)
	if n := strings.Count(string(uptimeBars(tr(locale.Korean), first, ninety)), "<rect "); n != 90 {
		t.Errorf("90 days: %d bars", n)
	}
}

func TestUptimeLegendNamesEveryColour(t *testing.T) {
	legend := string(uptimeLegend(tr(locale.Korean)))
	for _, state := range dayStates {
		mustContain(t, "legend", legend, `fill="`+dayColours[state]+`"`, locale.T(locale.Korean, "monitor.day."+state))
	}
}

func TestLatencyChart(t *testing.T) {
	from := time.Date(2025, 9, 25, 15, 0, 0, 0, time.UTC) // 26 Sept 00:00 KST
	hour := func(h int) time.Time { return from.Add(time.Duration(h) * time.Hour) }
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	points := []latencyPoint{
		{hour(0), ms(40), ms(90)}, {hour(1), ms(50), ms(110)}, // a run
		{hour(5), ms(60), ms(180)}, // alone between gaps
		{hour(47), ms(30), ms(60)},
		{hour(60), ms(30), ms(60)}, // after the chart's end
	}
	svg := string(latencyChart(tr(locale.Korean), `https://a.example/?q=<x>&y`, from, 48, points))
	mustContain(t, "latency chart", svg,
		// The target is escaped, the figures are of the points shown.
		`aria-label="https://a.example/?q=&lt;x&gt;&amp;y: 최근 2일 시간별 응답 시간, 평균 45 ms, p95 최고 180 ms"`,
		// The scale rounds 180 ms up to 200.
		`>200 ms</text>`, `>0 ms</text>`, `>40 ms</text>`,
		// Midnights (KST) with their dates.
		`>9. 26.</text>`, `>9. 27.</text>`,
		`>평균</text>`, `>p95</text>`)
	// The mean: a run of two hours, a lone hour drawn as a dot, and the
	// last hour; the point after the end is left out.
	mean := between(svg, `<path class="series-0" d="`, `"`)
	if strings.Count(mean, "M") != 3 || strings.Count(mean, "L") != 1 || strings.Count(mean, "h1") != 2 {
		t.Errorf("mean path %q: want 3 moves, 1 line, 2 dots", mean)
	}
	if !strings.HasPrefix(mean, "M58.0 ") || !strings.Contains(mean, "M708.0 ") {
		t.Errorf("mean path %q: the first hour at the left edge, the last at the right", mean)
	}
	if got := latencyChart(tr(locale.Korean), "x", from, 48, nil); got != "" {
		t.Errorf("no points: %q, want nothing", got)
	}
}

// between is the text of s after start, up to end.
func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	text, _, _ := strings.Cut(after, end)
	return text
}

func TestLatencyPointsMergeVantages(t *testing.T) {
	h := time.Date(2025, 9, 26, 1, 0, 0, 0, time.UTC)
	add := func(r *monitor.Rollup, ok bool, latency time.Duration) {
		r.Add(monitor.Result{OK: ok, Latency: latency})
	}
	tower := monitor.Rollup{CheckID: 1, Vantage: monitor.Vantage, Hour: h}
	add(&tower, true, 100*time.Millisecond)
	busan := monitor.Rollup{CheckID: 1, Vantage: "부산", Hour: h}
	add(&busan, true, 300*time.Millisecond)
	failed := monitor.Rollup{CheckID: 1, Vantage: monitor.Vantage, Hour: h.Add(time.Hour)}
	add(&failed, false, time.Second)
	points := latencyPoints([]monitor.Rollup{failed, busan, tower})
	if len(points) != 1 || !points[0].Hour.Equal(h) || points[0].Mean != 200*time.Millisecond {
		t.Errorf("points %+v: want one hour, mean 200ms over both vantage points, the failed hour left out", points)
	}
}

func TestNiceCeilAndAvailability(t *testing.T) {
	for v, want := range map[float64]float64{0: 1, 0.3: 0.5, 1: 1, 1.2: 2, 180: 200, 201: 500, 999: 1000, 5000: 5000} {
		if got := niceCeil(v); got != want {
			t.Errorf("niceCeil(%v) = %v, want %v", v, got, want)
		}
	}
	for v, want := range map[float64]string{100: "100.00", 99.999: "99.99", 99.92: "99.92", 0: "0.00"} {
		if got := availability(v); got != want {
			t.Errorf("availability(%v) = %s, want %s", v, got, want)
		}
	}
}
