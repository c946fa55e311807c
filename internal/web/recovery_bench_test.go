package web

import "testing"

// The facility analyses as a reader gets them, at whole-of-government size
// (10,000 systems in 18 facilities, read from the database on each request).

func BenchmarkRestartOrderPage10000Systems(b *testing.B) {
	benchmarkPage(b, "/restart-order?facility=1", nil)
}

func BenchmarkRestartOrderJSON10000Systems(b *testing.B) {
	benchmarkPage(b, "/api/v1/restart-order?facility=1", nil)
}

func BenchmarkConcentrationPage10000Systems(b *testing.B) { benchmarkPage(b, "/concentration", nil) }
