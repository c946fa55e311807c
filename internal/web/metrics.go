package web

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"yeonsok/internal/access"
	"yeonsok/internal/monitor"
)

// metricsPath is where Prometheus scrapes the tower, with a script token
// as its bearer: like the API it answers tokens and JSON errors.
const metricsPath = "/metrics"

// runtimeCollectors are the tower's own Go runtime and process figures,
// made once and registered with each scrape's registry.
var runtimeCollectors = []prometheus.Collector{
	collectors.NewGoCollector(),
	collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
}

// showMetrics answers /metrics in Prometheus's text format, so that an
// existing Grafana can show what the tower sees: each check in the
// caller's scope — its state as the vantage points agree, each vantage
// point's state, whether it still reports, and its latest latency — and,
// for the ministry's callers, the tower's own health (runtime, process,
// the probing engine's schedule and the Watcher's writes).
func (s *Server) showMetrics(w http.ResponseWriter, r *http.Request) {
	reg := prometheus.NewRegistry()
	scope := s.scope(r)
	if scope.IsAll() {
		reg.MustRegister(runtimeCollectors...)
	}
	if s.watcher != nil {
		reg.MustRegister(&watcherCollector{watcher: s.watcher, scope: scope})
	}
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(w, r)
}

var (
	checkLabels   = []string{"check_id", "system_id", "system", "agency_id", "grade", "kind", "target"}
	vantageLabels = append(append([]string{}, checkLabels...), "vantage")

	endpointUpDesc = prometheus.NewDesc("yeonsok_endpoint_up",
		"1 if the vantage points agree the endpoint is up, 0 if down; absent while unknown.", checkLabels, nil)
	vantageUpDesc = prometheus.NewDesc("yeonsok_endpoint_vantage_up",
		"1 if this vantage point sees the endpoint up, 0 if down; absent while it has no state.", vantageLabels, nil)
	vantageReportingDesc = prometheus.NewDesc("yeonsok_endpoint_vantage_reporting",
		"1 while the vantage point reports on the endpoint, 0 once silent (agent down).", vantageLabels, nil)
	latencyDesc = prometheus.NewDesc("yeonsok_endpoint_latency_seconds",
		"Latency of the vantage point's latest probe of the endpoint.", vantageLabels, nil)

	checksDesc   = prometheus.NewDesc("yeonsok_monitor_checks", "Checks the tower watches.", nil, nil)
	startedDesc  = prometheus.NewDesc("yeonsok_monitor_probes_started_total", "Probes the tower started.", nil, nil)
	lateDesc     = prometheus.NewDesc("yeonsok_monitor_probes_late_total", "Probes started more than a second after their due time.", nil, nil)
	inFlightDesc = prometheus.NewDesc("yeonsok_monitor_probes_in_flight", "Probes running now.", nil, nil)
	lagDesc      = prometheus.NewDesc("yeonsok_monitor_schedule_lag_p99_seconds", "99th percentile of how late probes started.", nil, nil)
	pendingDesc  = prometheus.NewDesc("yeonsok_monitor_pending_writes", "State changes not yet written to the database.", nil, nil)
	failuresDesc = prometheus.NewDesc("yeonsok_monitor_write_failures_total", "Database writes of the Watcher that failed and were retried.", nil, nil)
	isolatedDesc = prometheus.NewDesc("yeonsok_monitor_tower_isolated", "1 while the tower looks cut off and its own probes do not count.", nil, nil)
)

// watcherCollector reads the Watcher at scrape time.
type watcherCollector struct {
	watcher *monitor.Watcher
	scope   access.Scope
}

func (c *watcherCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{endpointUpDesc, vantageUpDesc, vantageReportingDesc, latencyDesc} {
		ch <- d
	}
	if c.scope.IsAll() {
		for _, d := range []*prometheus.Desc{checksDesc, startedDesc, lateDesc, inFlightDesc, lagDesc, pendingDesc, failuresDesc, isolatedDesc} {
			ch <- d
		}
	}
}

func (c *watcherCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := prometheus.GaugeValue
	for _, cs := range c.watcher.Statuses(c.scope, false) {
		labels := []string{strconv.FormatInt(cs.Check.ID, 10), strconv.FormatInt(cs.Check.SystemID, 10), cs.SystemName,
			strconv.FormatInt(cs.Check.AgencyID, 10), strconv.Itoa(cs.Grade), cs.Check.Kind, cs.Check.Target}
		if v, known := upValue(cs.Verdict.State); known {
			ch <- prometheus.MustNewConstMetric(endpointUpDesc, gauge, v, labels...)
		}
		for _, vs := range cs.Vantages {
			with := append(labels[:len(labels):len(labels)], vs.Vantage)
			if v, known := upValue(vs.State); known {
				ch <- prometheus.MustNewConstMetric(vantageUpDesc, gauge, v, with...)
			}
			ch <- prometheus.MustNewConstMetric(vantageReportingDesc, gauge, oneIf(vs.Reporting), with...)
			if vs.Latest.OK {
				ch <- prometheus.MustNewConstMetric(latencyDesc, gauge, vs.Latest.Latency.Seconds(), with...)
			}
		}
	}
	if !c.scope.IsAll() {
		return
	}
	st := c.watcher.Stats()
	counter := prometheus.CounterValue
	ch <- prometheus.MustNewConstMetric(checksDesc, gauge, float64(st.Checks))
	ch <- prometheus.MustNewConstMetric(startedDesc, counter, float64(st.Engine.Started))
	ch <- prometheus.MustNewConstMetric(lateDesc, counter, float64(st.Engine.Late))
	ch <- prometheus.MustNewConstMetric(inFlightDesc, gauge, float64(st.Engine.InFlight))
	ch <- prometheus.MustNewConstMetric(lagDesc, gauge, st.Engine.LagP99.Seconds())
	ch <- prometheus.MustNewConstMetric(pendingDesc, gauge, float64(st.Pending))
	ch <- prometheus.MustNewConstMetric(failuresDesc, counter, float64(st.Failures))
	ch <- prometheus.MustNewConstMetric(isolatedDesc, gauge, oneIf(st.Isolated))
}

func upValue(s monitor.State) (float64, bool) {
	switch s {
	case monitor.StateUp:
		return 1, true
	case monitor.StateDown:
		return 0, true
	}
	return 0, false
}

func oneIf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
