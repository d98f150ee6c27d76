//go:build unix

package bench

// CPU accounting: this process's CPU time (for the baseline), and the
// machine's load, to tell how much of a run other work took. This is why
// the benchmarks are Unix only.

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// benchLoad samples the machine's busy CPU time (Linux /proc/stat, steal
// included) and the CPU time of this process and its finished children, so
// that the CPU other work took during a measurement can be told.
type benchLoad struct {
	busy, ours time.Duration
	ok         bool
}

func benchSampleLoad() benchLoad {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	l := benchLoad{ours: time.Duration(self.Utime.Nano() + self.Stime.Nano() + kids.Utime.Nano() + kids.Stime.Nano())}
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return l
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		return l
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return l
		}
		ticks += v
	}
	l.busy, l.ok = time.Duration(ticks)*time.Second/100, true // USER_HZ
	return l
}

// benchForeign is the share of the machine's CPUs that other work took
// between two samples, or -1 if unknown.
func benchForeign(from, to benchLoad, wall time.Duration) float64 {
	if !from.ok || !to.ok {
		return -1
	}
	other := (to.busy - from.busy) - (to.ours - from.ours)
	return max(0, other.Seconds()/(wall.Seconds()*float64(runtime.NumCPU())))
}

// benchCPU is the CPU time this process has used.
func benchCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
