package database

import "time"

// TimeLayout is how times are stored as text: UTC, fixed width, so that
// text order is time order on both dialects.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Now returns the current time as stored text.
func Now() string { return time.Now().UTC().Format(TimeLayout) }
