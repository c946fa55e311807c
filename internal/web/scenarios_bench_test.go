package web

import "testing"

// The what-if and the gap summary through HTTP, at whole-of-government size
// (benchmarkPage: 10,000 systems in 18 facilities, no dependencies). The
// pure rules are measured alone in internal/scenario; these add reading
// the inventory and writing the answer.

func BenchmarkFacilityLossJSON10000Systems(b *testing.B) {
	benchmarkPage(b, "/api/v1/scenarios/facility-loss?facility=1", nil)
}

func BenchmarkWhatIfPage10000Systems(b *testing.B) { benchmarkPage(b, "/what-if?facility=1", nil) }

func BenchmarkGapsJSON10000Systems(b *testing.B) { benchmarkPage(b, "/api/v1/gaps", nil) }

func BenchmarkGapsPage10000Systems(b *testing.B) { benchmarkPage(b, "/gaps", nil) }
