package web

import "testing"

// The pages that list every record, at whole-of-government size.

func BenchmarkSystemsPage10000Systems(b *testing.B) { benchmarkPage(b, "/systems", nil) }

func BenchmarkDataQualityPage10000Systems(b *testing.B) { benchmarkPage(b, "/data-quality", nil) }

func BenchmarkFacilityPage10000Systems(b *testing.B) { benchmarkPage(b, "/facilities/1", nil) }
