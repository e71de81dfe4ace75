//go:build unix

package patch

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, so that benchmarks can
// report CPU time per operation, which other processes on a busy machine do
// not inflate the way they inflate wall-clock time.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
