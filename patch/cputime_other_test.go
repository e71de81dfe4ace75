//go:build !unix

package patch

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
