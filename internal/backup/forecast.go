package backup

import "time"

// StorageSample is a facility's backup storage as measured at a moment.
type StorageSample struct {
	At            time.Time `json:"at"`
	CapacityBytes int64     `json:"capacity_bytes"`
	UsedBytes     int64     `json:"used_bytes"`
}

// Forecast is where a facility's backup storage is heading: the growth of
// its use per day over the samples (least squares), and the day it fills
// at that pace (zero when it does not grow, or too few samples say).
type Forecast struct {
	Latest       StorageSample `json:"latest"`
	GrowthPerDay float64       `json:"growth_bytes_per_day"`
	FullOn       time.Time     `json:"full_on,omitzero"`
	AlreadyFull  bool          `json:"already_full"`
	SamplesUsed  int           `json:"samples_used"`
	SpanDays     float64       `json:"span_days"`
}

// ForecastWindow is how far back the samples of a forecast reach: recent
// growth says more about next month than last year's.
const ForecastWindow = 90 * 24 * time.Hour

// ForecastOf fits the samples (in any order) of the last ForecastWindow
// before the newest one. At least two samples a day apart are needed for
// a growth; with fewer the forecast has the latest sample only.
func ForecastOf(samples []StorageSample) Forecast {
	var f Forecast
	for _, s := range samples {
		if s.At.After(f.Latest.At) {
			f.Latest = s
		}
	}
	if f.Latest.At.IsZero() {
		return f
	}
	f.AlreadyFull = f.Latest.UsedBytes >= f.Latest.CapacityBytes
	from := f.Latest.At.Add(-ForecastWindow)
	var n, sx, sy, sxx, sxy float64
	oldest := f.Latest.At
	for _, s := range samples {
		if s.At.Before(from) {
			continue
		}
		x := s.At.Sub(f.Latest.At).Hours() / 24
		y := float64(s.UsedBytes)
		n, sx, sy, sxx, sxy = n+1, sx+x, sy+y, sxx+x*x, sxy+x*y
		if s.At.Before(oldest) {
			oldest = s.At
		}
	}
	f.SamplesUsed, f.SpanDays = int(n), f.Latest.At.Sub(oldest).Hours()/24
	if n < 2 || f.SpanDays < 1 {
		return f
	}
	f.GrowthPerDay = (n*sxy - sx*sy) / (n*sxx - sx*sx)
	if f.GrowthPerDay > 0 && !f.AlreadyFull {
		// Beyond a century the day is not worth a date (nor does it fit
		// a time.Duration).
		if days := float64(f.Latest.CapacityBytes-f.Latest.UsedBytes) / f.GrowthPerDay; days < 100*365 {
			f.FullOn = f.Latest.At.Add(time.Duration(days * 24 * float64(time.Hour)))
		}
	}
	return f
}
