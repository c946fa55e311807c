package scenario

import (
	"reflect"
	"strings"
	"testing"

	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
	"yeonsok/internal/objectives"
)

func mins(m inventory.Minutes) *inventory.Minutes { return &m }
func id(v int64) *int64                           { return &v }

var facilities = map[int64]*inventory.Facility{
	1: {ID: 1, Name: "Daejeon main", Region: "daejeon"},
	2: {ID: 2, Name: "Daejeon annex", Region: "daejeon"},
	3: {ID: 3, Name: "Gwangju centre", Region: "gwangju"},
	4: {ID: 4, Name: "region unrecorded"},
}

func all(v string) map[string]string {
	m := map[string]string{}
	for _, l := range inventory.Layers {
		m[l] = v
	}
	return m
}

// grade1 is a grade-1 system whose backups live only in its primary facility.
func grade1() *inventory.System {
	return &inventory.System{
		Grade: 1, PrimaryFacilityID: id(1), DRPerformance: inventory.DRNone,
		Redundancy:      all(inventory.Yes),
		BackupFullEvery: mins(inventory.Hours(24 * 7)), BackupIncrEvery: mins(inventory.Hours(24)),
		OffsiteMethod: inventory.No,
		RTODisaster:   mins(inventory.Hours(2)), RPODisaster: mins(inventory.Hours(1)),
	}
}

func with(change func(*inventory.System)) *inventory.System {
	s := grade1()
	change(s)
	return s
}

func b(m inventory.Minutes) Bound { return Bound{Minutes: m} }

// atLeast is a lower bound: the copy it rests on may be lost too.
func atLeast(m inventory.Minutes) Bound { return Bound{Minutes: m, AtLeast: true} }

func TestEstimate(t *testing.T) {
	scenarios := []struct {
		Name    string
		System  *inventory.System
		Kind    string
		RTO     Bound
		RPO     Bound
		Reasons []string // keys that must be among the reasons, without "scenario."
	}{
		// Component
		{"component: all redundant", grade1(), Component, b(ComponentSwitchover), b(0),
			[]string{"component.switchover", "component.data_redundant"}},
		{"component: web not redundant, storage redundant", with(func(s *inventory.System) { s.Redundancy["web"] = inventory.No }),
			Component, b(ComponentRestore), b(0), []string{"layer_none", "component.restore"}},
		{"component: db not redundant, incremental daily", with(func(s *inventory.System) { s.Redundancy["db"] = inventory.No }),
			Component, b(ComponentRestore), b(inventory.Hours(24)), []string{"backup.incr"}},
		{"component: storage not redundant, full only", with(func(s *inventory.System) {
			s.Redundancy["storage"] = inventory.No
			s.BackupIncrEvery = mins(0)
		}), Component, b(ComponentRestore), b(inventory.Hours(24 * 7)), []string{"backup.full"}},
		{"component: no backup", with(func(s *inventory.System) {
			s.Redundancy["storage"] = inventory.No
			s.BackupIncrEvery, s.BackupFullEvery = mins(0), mins(0)
		}), Component, b(ComponentRestore), unbounded, []string{"backup.none"}},
		{"component: redundancy unknown", with(func(s *inventory.System) {
			s.Redundancy = map[string]string{"web": inventory.Yes}
			s.BackupIncrEvery, s.BackupFullEvery = nil, nil
		}), Component, unknown, unknown, []string{"layer_unknown", "component.rto_unknown", "backup.unknown"}},
		{"component: none beats unknown", with(func(s *inventory.System) {
			s.Redundancy["power"] = inventory.Unknown
			s.Redundancy["was"] = inventory.No
		}), Component, b(ComponentRestore), b(0), []string{"layer_unknown", "layer_none"}},

		// Facility loss
		{"facility loss: grade 1, backups only in the primary facility", grade1(), FacilityLoss, unbounded, unbounded,
			[]string{"dr.none", "offsite.none", "no_copy_rto"}},
		{"facility loss: offsite done never (interval 0)", with(func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery = "tape_staff", mins(0)
		}), FacilityLoss, unbounded, unbounded, []string{"offsite.none"}},
		{"facility loss: similar DR elsewhere with replication meets 2 h / 1 h", with(func(s *inventory.System) {
			s.DRPerformance, s.DRFacilityID, s.OffsiteMethod = inventory.DRSimilar, id(3), "replication"
		}), FacilityLoss, b(DRSwitchover), b(ReplicationLag), []string{"dr.similar", "dr.switchover", "offsite.replication"}},
		{"facility loss: replication interval recorded", with(func(s *inventory.System) {
			s.DRPerformance, s.DRFacilityID, s.OffsiteMethod, s.OffsiteEvery = inventory.DRSimilar, id(3), "replication", mins(5)
		}), FacilityLoss, b(DRSwitchover), b(5), nil},
		{"facility loss: partial DR carries reduced service only", with(func(s *inventory.System) {
			s.DRPerformance, s.DRFacilityID, s.OffsiteMethod = inventory.DRPartial, id(3), "replication"
		}), FacilityLoss, b(RebuildElsewhere), b(ReplicationLag), []string{"dr.partial", "rebuild"}},
		{"facility loss: similar DR but no offsite method recorded", with(func(s *inventory.System) {
			s.DRPerformance, s.DRFacilityID = inventory.DRSimilar, id(3)
		}), FacilityLoss, b(DRSwitchover), unknown, []string{"offsite.none", "dr.data_unknown"}},
		{"facility loss: DR in the primary facility", with(func(s *inventory.System) {
			s.DRPerformance, s.DRFacilityID = inventory.DRSimilar, id(1)
		}), FacilityLoss, unbounded, unbounded, []string{"dr.same_facility", "no_copy_rto"}},
		{"facility loss: no DR, weekly tape by staff", with(func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery = "tape_staff", mins(inventory.Hours(24*7))
		}), FacilityLoss, b(RebuildElsewhere), b(inventory.Hours(24*7) + TapeTransit), []string{"offsite.tape", "rebuild"}},
		{"facility loss: no DR, daily cloud", with(func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery = "cloud", mins(inventory.Hours(24))
		}), FacilityLoss, b(RebuildElsewhere), b(inventory.Hours(24)), []string{"offsite.copy"}},
		{"facility loss: tape interval unknown", with(func(s *inventory.System) {
			s.OffsiteMethod = "tape_courier"
		}), FacilityLoss, unknown, unknown, []string{"offsite.every_unknown", "rto_unknown"}},
		{"facility loss: offsite method unknown", with(func(s *inventory.System) {
			s.OffsiteMethod = inventory.Unknown
		}), FacilityLoss, unknown, unknown, []string{"offsite.unknown"}},
		{"facility loss: DR performance unknown", with(func(s *inventory.System) {
			s.DRPerformance, s.DRFacilityID, s.OffsiteMethod = inventory.Unknown, id(3), "replication"
		}), FacilityLoss, unknown, b(ReplicationLag), []string{"dr.unknown"}},
		{"facility loss: DR declared, site not recorded", with(func(s *inventory.System) {
			s.DRPerformance, s.OffsiteMethod = inventory.DRSimilar, "replication"
		}), FacilityLoss, unknown, b(ReplicationLag), []string{"dr.site_unknown"}},
		{"facility loss: primary not recorded", with(func(s *inventory.System) { s.PrimaryFacilityID = nil }),
			FacilityLoss, unknown, unknown, []string{"primary_unknown"}},

		// Regional
		{"regional: similar DR in another region", with(func(s *inventory.System) {
			s.DRPerformance, s.DRFacilityID, s.OffsiteMethod = inventory.DRSimilar, id(3), "replication"
		}), Regional, b(DRSwitchover), b(ReplicationLag), []string{"regional.lost", "dr.similar"}},
		{"regional: DR in the same region is lost, replica with it", with(func(s *inventory.System) {
			s.DRPerformance, s.DRFacilityID, s.OffsiteMethod = inventory.DRSimilar, id(2), "replication"
		}), Regional, unbounded, unbounded, []string{"dr.same_region", "regional.replica_lost", "no_copy_rto"}},
		{"regional: tape copy of unrecorded location", with(func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery = "tape_staff", mins(inventory.Hours(24))
		}), Regional, atLeast(RebuildElsewhere), atLeast(inventory.Hours(24) + TapeTransit), []string{"regional.copy_location", "rebuild"}},
		{"regional: replication without DR site", with(func(s *inventory.System) {
			s.OffsiteMethod = "replication"
		}), Regional, atLeast(RebuildElsewhere), atLeast(ReplicationLag), []string{"regional.copy_location"}},
		{"regional: DR region unknown", with(func(s *inventory.System) {
			s.DRPerformance, s.DRFacilityID, s.OffsiteMethod = inventory.DRSimilar, id(4), "replication"
		}), Regional, unknown, atLeast(ReplicationLag), []string{"region_unknown", "regional.copy_location"}},
		{"regional: primary region unknown", with(func(s *inventory.System) { s.PrimaryFacilityID = id(4) }),
			Regional, unknown, unknown, []string{"region_unknown"}},
		{"regional: no offsite copy", grade1(), Regional, unbounded, unbounded, []string{"offsite.none"}},

		// Ransomware
		{"ransomware: replication only", with(func(s *inventory.System) {
			s.DRPerformance, s.DRFacilityID, s.OffsiteMethod = inventory.DRSimilar, id(3), "replication"
		}), Ransomware, unbounded, unbounded, []string{"ransomware.replication", "ransomware.dr_no_help", "ransomware.no_offline"}},
		{"ransomware: no offsite, online backups only", grade1(), Ransomware, unbounded, unbounded,
			[]string{"ransomware.online", "ransomware.no_offline"}},
		{"ransomware: weekly tape by courier", with(func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery = "tape_courier", mins(inventory.Hours(24*7))
		}), Ransomware, b(RansomwareRestore), b(inventory.Hours(24 * 7)), []string{"ransomware.tape", "ransomware.restore"}},
		{"ransomware: cloud, immutability unrecorded", with(func(s *inventory.System) {
			s.OffsiteMethod, s.OffsiteEvery = "cloud", mins(inventory.Hours(24))
		}), Ransomware, unknown, unknown, []string{"ransomware.immutable_unknown"}},
		{"ransomware: tape interval unknown", with(func(s *inventory.System) { s.OffsiteMethod = "tape_staff" }),
			Ransomware, unknown, unknown, []string{"offsite.every_unknown"}},
		{"ransomware: method unknown", with(func(s *inventory.System) { s.OffsiteMethod = "" }),
			Ransomware, unknown, unknown, []string{"offsite.unknown"}},

		{"unknown kind", grade1(), "meteor", unknown, unknown, []string{"kind_unknown"}},
	}
	for _, scenario := range scenarios {
		t.Run(scenario.Name, func(t *testing.T) {
			c := Estimate(scenario.System, facilities, scenario.Kind)
			if c.RTO != scenario.RTO {
				t.Errorf("RTO = %+v, want %+v", c.RTO, scenario.RTO)
			}
			if c.RPO != scenario.RPO {
				t.Errorf("RPO = %+v, want %+v", c.RPO, scenario.RPO)
			}
			have := map[string]bool{}
			for _, r := range c.Reasons {
				have[strings.TrimPrefix(r.Key, "scenario.")] = true
			}
			for _, key := range scenario.Reasons {
				if !have[key] {
					t.Errorf("reason %q missing from %v", key, c.Reasons)
				}
			}
			if len(c.Reasons) == 0 {
				t.Error("an estimate without reasons")
			}
			// Every reason reads in both languages, with every placeholder filled.
			for _, r := range c.Reasons {
				if !locale.Has(r.Key) {
					t.Errorf("reason key %q is not in the catalogue", r.Key)
				}
				for _, lang := range []locale.Lang{locale.Korean, locale.English} {
					if msg := r.Message(lang); strings.Contains(msg, "{") {
						t.Errorf("%s: unfilled placeholder in %q", lang, msg)
					}
				}
			}
		})
	}
}

// The package's headline cases against the plan's grade-1 minimum.
func TestGradeOneAgainstMinimum(t *testing.T) {
	min := objectives.Minimums[1]
	similar := with(func(s *inventory.System) {
		s.DRPerformance, s.DRFacilityID, s.OffsiteMethod = inventory.DRSimilar, id(3), "replication"
	})
	c := Estimate(similar, facilities, FacilityLoss)
	if _, miss := Gap(&min.RTO, c.RTO); miss {
		t.Errorf("similar DR elsewhere should meet the grade-1 RTO of %s, got %+v", min.RTO, c.RTO)
	}
	if _, miss := Gap(&min.RPO, c.RPO); miss {
		t.Errorf("replication should meet the grade-1 RPO of %s, got %+v", min.RPO, c.RPO)
	}
	c = Estimate(grade1(), facilities, FacilityLoss)
	if _, miss := Gap(&min.RPO, c.RPO); !miss {
		t.Errorf("backups only in the primary facility should miss the grade-1 RPO, got %+v", c.RPO)
	}
}

func TestGap(t *testing.T) {
	scenarios := []struct {
		Name   string
		Target *inventory.Minutes
		Bound  Bound
		Gap    inventory.Minutes
		Misses bool
	}{
		{"met", mins(120), b(120), 0, false},
		{"better", mins(120), b(30), 0, false},
		{"short by 70 h", mins(120), b(RebuildElsewhere), RebuildElsewhere - 120, true},
		{"unbounded misses", mins(120), unbounded, 0, true},
		{"a lower bound beyond the target misses", mins(120), atLeast(RebuildElsewhere), RebuildElsewhere - 120, true},
		{"a lower bound within the target cannot tell", mins(120), atLeast(30), 0, false},
		{"unknown cannot tell", mins(120), unknown, 0, false},
		{"no target", nil, b(600), 0, false},
	}
	for _, scenario := range scenarios {
		t.Run(scenario.Name, func(t *testing.T) {
			gap, misses := Gap(scenario.Target, scenario.Bound)
			if got, want := []any{gap, misses}, []any{scenario.Gap, scenario.Misses}; !reflect.DeepEqual(got, want) {
				t.Errorf("Gap = %v, want %v", got, want)
			}
		})
	}
}

func TestKindsHaveNames(t *testing.T) {
	for _, k := range Kinds {
		if !locale.Has("scenario.kind." + k) {
			t.Errorf("scenario kind %q has no catalogue name", k)
		}
	}
}
