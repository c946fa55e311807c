package objectives

import (
	"reflect"
	"testing"

	"yeonsok/internal/inventory"
)

func m(h int64) *inventory.Minutes { v := inventory.Hours(h); return &v }

func codes(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Code+":"+v.Target)
	}
	return out
}

func TestCheck(t *testing.T) {
	scenarios := []struct {
		name      string
		system    inventory.System
		inherited Strictest
		want      []string
	}{
		{"grade 1 at the minimum", inventory.System{Grade: 1, RTODisaster: m(2), RPODisaster: m(1)}, Strictest{}, nil},
		{"grade 1 stricter than the minimum", inventory.System{Grade: 1, RTODisaster: m(1), RPODisaster: m(0)}, Strictest{}, nil},
		{"grade 2 RTO looser", inventory.System{Grade: 2, RTODisaster: m(4), RPODisaster: m(4)}, Strictest{}, []string{"target_looser_than_min:rto"}},
		// The plan's 산재보험 진료비 약제비 EDI sample: grade 1 with 8 h / 24 h.
		{"grade 1 both looser", inventory.System{Grade: 1, RTODisaster: m(8), RPODisaster: m(24)}, Strictest{},
			[]string{"target_looser_than_min:rto", "target_looser_than_min:rpo"}},
		{"grade 4 missing both", inventory.System{Grade: 4}, Strictest{}, []string{"target_missing:rto", "target_missing:rpo"}},
		{"ungraded with targets", inventory.System{RTODisaster: m(48), RPODisaster: m(48)}, Strictest{}, nil},
		{"ungraded missing", inventory.System{RPODisaster: m(8)}, Strictest{}, []string{"target_missing:rto"}},
		{"looser than its service", inventory.System{Grade: 3, RTODisaster: m(5), RPODisaster: m(8)}, Strictest{RTO: m(2), RTOService: 9},
			[]string{"target_looser_than_service:rto"}},
		{"looser than both rule and service", inventory.System{Grade: 4, RTODisaster: m(12), RPODisaster: m(24)}, Strictest{RTO: m(4), RTOService: 9},
			[]string{"target_looser_than_min:rto", "target_looser_than_service:rto"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := codes(Check(&s.system, s.inherited)); !reflect.DeepEqual(got, s.want) {
				t.Errorf("violations %v, want %v", got, s.want)
			}
		})
	}
	v := Check(&inventory.System{Grade: 2, RTODisaster: m(6), RPODisaster: m(4)}, Strictest{})
	if len(v) != 1 || v[0].Want != inventory.Hours(3) || *v[0].Have != inventory.Hours(6) {
		t.Errorf("violation %+v, want have 6 h against 3 h", v)
	}
}

// A system supporting several services inherits the strictest of each
// target, possibly from different services.
func TestInherited(t *testing.T) {
	services := []*inventory.Service{
		{ID: 1, RTO: m(4), RPO: m(1), SystemIDs: []int64{10, 11}},
		{ID: 2, RTO: m(2), RPO: m(8), SystemIDs: []int64{10}},
		{ID: 3, SystemIDs: []int64{12}},
	}
	got := Inherited(services)
	if s := got[10]; *s.RTO != inventory.Hours(2) || s.RTOService != 2 || *s.RPO != inventory.Hours(1) || s.RPOService != 1 {
		t.Errorf("system 10 inherits %+v", s)
	}
	if s := got[11]; *s.RTO != inventory.Hours(4) || s.RTOService != 1 {
		t.Errorf("system 11 inherits %+v", s)
	}
	if s := got[12]; s.RTO != nil || s.RPO != nil {
		t.Errorf("a service without targets passes none on: %+v", s)
	}
}

func TestAvailability(t *testing.T) {
	for grade, want := range map[int]float64{1: 99.92, 2: 99.90} {
		if got, ok := Availability(grade); !ok || got != want {
			t.Errorf("grade %d: %v %v", grade, got, ok)
		}
	}
	if _, ok := Availability(3); ok {
		t.Error("grade 3 has no SLA availability target")
	}
}
