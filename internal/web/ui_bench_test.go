package web

import "testing"

// The pages that list every record, at whole-of-government size.

func BenchmarkSystemsPage10000Systems(b *testing.B) { benchmarkPage(b, "/systems", nil) }

func BenchmarkDataQualityPage10000Systems(b *testing.B) { benchmarkPage(b, "/data-quality", nil) }

func BenchmarkFacilityPage10000Systems(b *testing.B) { benchmarkPage(b, "/facilities/1", nil) }

// The audit log's first page, with the check of the whole chain the
// ministry admin sees on it: Populate leaves some 10,000 entries.
func BenchmarkAuditPage10000Systems(b *testing.B) { benchmarkPage(b, "/audit", nil) }

// One entry, found by its number among the ministry's entries.
func BenchmarkAuditEntry10000Systems(b *testing.B) { benchmarkPage(b, "/audit/5000", nil) }

// The backup page judges every system in scope and lists them all (the
// page shows the first 500 of each long table, the export all of them).
func BenchmarkBackupsPage10000Systems(b *testing.B) { benchmarkPage(b, "/backups", nil) }

// A system's page reads the backups' latest state of the whole scope to
// judge the one system.
func BenchmarkSystemPage10000Systems(b *testing.B) { benchmarkPage(b, "/systems/5000", nil) }
