package web

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/locale"
	"yeonsok/internal/monitor"
)

// Charts are SVG drawn here, on the server: pages work without
// JavaScript, load nothing from outside and print as they are. Each chart
// is a pure function of its data that returns finished markup, every text
// in it escaped; colours are fill and stroke attributes rather than styles,
// which the pages' Content-Security-Policy would refuse inline.

// Colours of a day of uptime, as their CSS names in style.css say them:
// green met the target (or had no interruption), amber was interrupted but
// within the target (or the grade has none), red missed it, grey has no
// data.
const (
	dayNoData = "nodata"
	dayMet    = "met"
	dayWithin = "within"
	dayMissed = "missed"
)

var dayStates = []string{dayMet, dayWithin, dayMissed, dayNoData}

var dayColours = map[string]string{dayMet: "#1d6b32", dayWithin: "#c98a00", dayMissed: "#a4161a", dayNoData: "#b8bec4"}

// dayState is the colour of one day's uptime.
func dayState(u monitor.Uptime) string {
	switch {
	case u.Observed == 0:
		return dayNoData
	case u.Down == 0:
		return dayMet
	case u.HasTarget && !u.MeetsTarget:
		return dayMissed
	}
	return dayWithin
}

// Geometry of the uptime bars.
const (
	barWidth  = 6
	barGap    = 2
	barHeight = 34
)

// uptimeBars draws one bar a day, first being the start of the first day
// (KST), each bar coloured by dayState with a <title> of its date and
// availability, which a browser shows on hover.
func uptimeBars(l tr, first time.Time, days []monitor.Uptime) template.HTML {
	width := len(days)*(barWidth+barGap) - barGap
	counts := map[string]int{}
	var b strings.Builder
	for i, u := range days {
		state := dayState(u)
		counts[state]++
		date := locale.Date(first.AddDate(0, 0, i))
		title := l.t("monitor.bar.no_data", date)
		if state != dayNoData {
			title = l.t("monitor.bar.title", date, availability(u.Availability), u.Interruptions)
		}
		fmt.Fprintf(&b, `<rect x="%d" y="0" width="%d" height="%d" fill="%s" class="day-%s"><title>%s</title></rect>`,
			i*(barWidth+barGap), barWidth, barHeight, dayColours[state], state, template.HTMLEscapeString(title))
	}
	label := l.t("monitor.bars.label", len(days), counts[dayMet], counts[dayWithin], counts[dayMissed], counts[dayNoData])
	return template.HTML(fmt.Sprintf(`<svg class="uptime-bars" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d">%s</svg>`,
		template.HTMLEscapeString(label), max(width, 1), barHeight, max(width, 1), barHeight, b.String()))
}

// uptimeLegend names the colours of the uptime bars.
func uptimeLegend(l tr) template.HTML {
	var b strings.Builder
	b.WriteString(`<ul class="legend">`)
	for _, state := range dayStates {
		fmt.Fprintf(&b, `<li><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="%s"/></svg> %s</li>`,
			dayColours[state], template.HTMLEscapeString(l.t("monitor.day."+state)))
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String())
}

// availability writes a percentage to two decimals, cut rather than
// rounded: a day with any downtime never reads 100.00.
func availability(percent float64) string {
	return strconv.FormatFloat(math.Floor(percent*100)/100, 'f', 2, 64)
}

// latencyPoint is one hour of a check's latency: the mean and the 95th
// percentile of its successful probes, from every vantage point.
type latencyPoint struct {
	Hour      time.Time
	Mean, P95 time.Duration
}

// latencyPoints merges the rollups of each hour (one per vantage point)
// and keeps the hours that had a successful probe, in order.
func latencyPoints(rollups []monitor.Rollup) []latencyPoint {
	byHour := map[time.Time]*monitor.Rollup{}
	var hours []time.Time
	for i := range rollups {
		r := rollups[i]
		if merged := byHour[r.Hour]; merged != nil {
			merged.Merge(&r)
			continue
		}
		byHour[r.Hour] = &r
		hours = append(hours, r.Hour)
	}
	slices.SortFunc(hours, time.Time.Compare)
	var out []latencyPoint
	for _, h := range hours {
		r := byHour[h]
		if r.Probes == r.Failures {
			continue
		}
		out = append(out, latencyPoint{Hour: h, Mean: r.Mean(), P95: r.Quantile(0.95)})
	}
	return out
}

// Geometry of the latency chart: the plot area within its margins.
const (
	chartWidth  = 720
	chartHeight = 190
	plotLeft    = 58
	plotRight   = 708
	plotTop     = 22
	plotBottom  = 160
)

// Colours of the latency lines.
const (
	meanColour = "#0b4f8a"
	p95Colour  = "#a4161a"
)

// latencyChart draws a check's hourly mean and 95th-percentile latency
// over hours hours from from, with a line at each KST midnight and the
// scale in milliseconds. An hour without a successful probe breaks the
// lines. No points: nothing to draw, and the page says so.
func latencyChart(l tr, target string, from time.Time, hours int, points []latencyPoint) template.HTML {
	end := from.Add(time.Duration(hours-1) * time.Hour)
	points = slices.DeleteFunc(slices.Clone(points), func(p latencyPoint) bool { return p.Hour.Before(from) || p.Hour.After(end) })
	if len(points) == 0 || hours < 2 {
		return ""
	}
	var top time.Duration
	for _, p := range points {
		top = max(top, p.P95, p.Mean)
	}
	scale := niceCeil(float64(top) / float64(time.Millisecond))
	x := func(t time.Time) float64 {
		return plotLeft + (plotRight-plotLeft)*t.Sub(from).Hours()/float64(hours-1)
	}
	y := func(d time.Duration) float64 {
		return plotBottom - (plotBottom-plotTop)*(float64(d)/float64(time.Millisecond))/scale
	}
	var b strings.Builder
	label := l.t("monitor.latency.label", target, hours/24, milliseconds(meanOf(points)), milliseconds(top))
	fmt.Fprintf(&b, `<svg class="latency" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d">`,
		template.HTMLEscapeString(label), chartWidth, chartHeight, chartWidth, chartHeight)
	// The scale: five steps of the rounded-up maximum.
	for i := 0; i <= 5; i++ {
		v := scale * float64(i) / 5
		py := plotBottom - (plotBottom-plotTop)*float64(i)/5
		fmt.Fprintf(&b, `<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#c9d1d9"/>`, plotLeft, coord(py), plotRight, coord(py))
		fmt.Fprintf(&b, `<text x="%d" y="%s" text-anchor="end" font-size="11" fill="#4a5560">%s</text>`, plotLeft-6, coord(py+4),
			template.HTMLEscapeString(l.t("monitor.ms", strconv.FormatFloat(v, 'f', -1, 64))))
	}
	// A line at each midnight (KST), with its date.
	y0, m0, d0 := from.In(locale.KST).Date()
	for day := time.Date(y0, m0, d0, 0, 0, 0, 0, locale.KST); !day.After(end); day = day.AddDate(0, 0, 1) {
		if day.Before(from) {
			continue
		}
		px := coord(x(day))
		fmt.Fprintf(&b, `<line x1="%s" y1="%d" x2="%s" y2="%d" stroke="#c9d1d9"/>`, px, plotTop, px, plotBottom)
		fmt.Fprintf(&b, `<text x="%s" y="%d" font-size="11" fill="#4a5560">%d. %d.</text>`, px, plotBottom+16, int(day.Month()), day.Day())
	}
	series := []struct {
		key, colour, dash string
		value             func(latencyPoint) time.Duration
	}{
		{"monitor.latency.mean", meanColour, "", func(p latencyPoint) time.Duration { return p.Mean }},
		{"monitor.latency.p95", p95Colour, ` stroke-dasharray="4 3"`, func(p latencyPoint) time.Duration { return p.P95 }},
	}
	for i, s := range series {
		var d strings.Builder
		for j, p := range points {
			move := j == 0 || p.Hour.Sub(points[j-1].Hour) > time.Hour
			if move {
				d.WriteString(" M")
			} else {
				d.WriteString(" L")
			}
			d.WriteString(coord(x(p.Hour)) + " " + coord(y(s.value(p))))
			// An hour alone between gaps is a dot, not an invisible line.
			if alone := move && (j == len(points)-1 || points[j+1].Hour.Sub(p.Hour) > time.Hour); alone {
				d.WriteString(" h1")
			}
		}
		fmt.Fprintf(&b, `<path class="series-%d" d="%s" fill="none" stroke="%s" stroke-width="1.5" stroke-linecap="round"%s/>`,
			i, strings.TrimSpace(d.String()), s.colour, s.dash)
		// The legend, top right.
		lx := plotRight - 170 + 90*i
		fmt.Fprintf(&b, `<line x1="%d" y1="10" x2="%d" y2="10" stroke="%s" stroke-width="2"%s/>`, lx, lx+18, s.colour, s.dash)
		fmt.Fprintf(&b, `<text x="%d" y="14" font-size="11" fill="#1b1f24">%s</text>`, lx+22, template.HTMLEscapeString(l.t(s.key)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten: a scale people
// read at a glance.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	power := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*power >= v {
			return m * power
		}
	}
	return 10 * power
}

func meanOf(points []latencyPoint) time.Duration {
	var sum time.Duration
	for _, p := range points {
		sum += p.Mean
	}
	return sum / time.Duration(len(points))
}

// milliseconds writes a latency as whole milliseconds.
func milliseconds(d time.Duration) string {
	return strconv.FormatInt(d.Round(time.Millisecond).Milliseconds(), 10)
}

// coord writes a coordinate to one decimal.
func coord(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
