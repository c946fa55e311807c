// Package procstat reads what the monitoring benchmarks report of their
// own process: the CPU time it has used and its peak resident memory.
package procstat

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// CPU is the user and system CPU time a process has used.
type CPU struct{ User, Sys time.Duration }

// Total is user plus system time.
func (c CPU) Total() time.Duration { return c.User + c.Sys }

// Sub is the CPU used between o and c.
func (c CPU) Sub(o CPU) CPU { return CPU{c.User - o.User, c.Sys - o.Sys} }

// Self is the CPU this process has used so far, all its threads.
func Self() CPU {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return CPU{time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())}
}

// PeakRSS is the most resident memory this process has had (VmHWM), in
// bytes; zero where /proc cannot be read.
func PeakRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}
