package inventory

import "testing"

func TestParseMinutes(t *testing.T) {
	scenarios := []struct {
		in   string
		want Minutes
		bad  bool
	}{
		{in: "2h", want: 120},
		{in: "30m", want: 30},
		{in: "1h30m", want: 90},
		{in: "1d", want: 1440},
		{in: "2시간", want: 120},
		{in: "1시간 30분", want: 90},
		{in: "1일", want: 1440},
		{in: "1주", want: 10080},
		{in: "0.5h", want: 30},
		{in: " 8H ", want: 480},
		{in: "2", bad: true},
		{in: "two hours", bad: true},
		{in: "", bad: true},
		{in: "h", bad: true},
		{in: "3x", bad: true},
	}
	for _, s := range scenarios {
		got, err := ParseMinutes(s.in)
		if s.bad {
			if err == nil {
				t.Errorf("ParseMinutes(%q) = %d, want an error", s.in, got)
			}
			continue
		}
		if err != nil || got != s.want {
			t.Errorf("ParseMinutes(%q) = %d, %v; want %d", s.in, got, err, s.want)
		}
	}
}

func TestMinutesRoundTrip(t *testing.T) {
	for _, m := range []Minutes{0, 1, 59, 60, 90, 120, 1440, 2880, 10080, 10081} {
		back, err := ParseMinutes(m.String())
		if err != nil || back != m {
			t.Errorf("%d → %q → %d (%v)", m, m.String(), back, err)
		}
	}
	if Minutes(1440).String() != "24h" || Minutes(10080).String() != "7d" {
		t.Errorf("24h renders %q, a week %q", Minutes(1440).String(), Minutes(10080).String())
	}
}
