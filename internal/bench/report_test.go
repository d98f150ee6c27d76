//go:build unix

package bench

// Reporting: the ratios of one repetition, their medians, the printed
// tables and the metrics handed to b.ReportMetric.

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// benchRep is one repetition: the baseline, then the coldtss processes.
type benchRep struct {
	base   benchBaseline
	unlock benchProcs // as many `coldtss init` at once: process start and one scrypt each
	ours   benchProcs
	steps  []benchStep
	other  float64 // share of the CPUs other work on the machine took meanwhile (-1: unknown)
}

// protoSeconds is the protocol-only time: the ceremony clock (join --json
// "seconds") of the station that entered the ceremony last. It leaves out
// process start, the scrypt unlock and reading the station's secrets; every
// station ends within one poll of the others, at the confirmation step. The
// other stations' clocks also count their wait for the slower unlocks.
func (r benchRep) protoSeconds() float64 { return slices.Min(r.ours.seconds) }
func (r benchRep) protoRatio() float64   { return r.protoSeconds() / r.base.dur.Seconds() }
func (r benchRep) wallRatio() float64    { return r.ours.wall.Seconds() / r.base.dur.Seconds() }
func (r benchRep) lessUnlock() float64   { return (r.ours.wall - r.unlock.wall).Seconds() }
func (r benchRep) lessUnlockRatio() float64 {
	return r.lessUnlock() / r.base.dur.Seconds()
}
func (r benchRep) cpuLessUnlock() float64 { return (r.ours.cpu - r.unlock.cpu).Seconds() }
func (r benchRep) cpuRatio() float64      { return r.cpuLessUnlock() / r.base.cpu.Seconds() }

func benchMedian(reps []benchRep, f func(benchRep) float64) float64 {
	v := make([]float64, len(reps))
	for i, r := range reps {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func benchVerdict(ratio, target float64) string {
	if ratio <= target {
		return fmt.Sprintf("target <= %.2f: met", target)
	}
	return fmt.Sprintf("target <= %.2f: NOT met", target)
}

// benchReport prints the tables and reports the metrics.
func benchReport(b *testing.B, title string, target float64, reps []benchRep) {
	stations := len(reps[0].ours.seconds)
	fmt.Printf("\n=== %s ===\n", title)
	fmt.Printf("%-6s %9s | %-16s | %-16s | %-18s | %-13s | %-30s | %s\n", "run", "tss-lib s",
		"protocol only s", "whole wall s", "whole - unlock s", "clocks s", "CPU s: tss-lib, coldtss-unlock", "other load")
	var busy []string
	for i, r := range reps {
		base, proto, wall, less := r.base.dur.Seconds(), r.protoSeconds(), r.ours.wall.Seconds(), r.lessUnlock()
		other := "?"
		if r.other >= 0 {
			other = fmt.Sprintf("%.0f%%", 100*r.other)
			if r.other > 0.05 {
				busy = append(busy, fmt.Sprintf("run %d: %s", i+1, other))
			}
		}
		fmt.Printf("%-6d %9.3f | %7.3f %7.2fx | %7.3f %7.2fx | %8.3f %8.2fx | %-13s | %6.2f %6.2f %6.2fx         | %s\n",
			i+1, base, proto, proto/base, wall, wall/base, less, less/base,
			fmt.Sprintf("%.2f..%.2f", slices.Min(r.ours.seconds), slices.Max(r.ours.seconds)),
			r.base.cpu.Seconds(), r.cpuLessUnlock(), r.cpuRatio(), other)
	}
	med := func(f func(benchRep) float64) float64 { return benchMedian(reps, f) }
	protoRatio := med(benchRep.protoRatio)
	if len(reps) > 1 {
		fmt.Printf("median ratios:   | %15.2fx | %15.2fx | %17.2fx |               | %20.2fx\n",
			protoRatio, med(benchRep.wallRatio), med(benchRep.lessUnlockRatio), med(benchRep.cpuRatio))
	}
	fmt.Printf("Time target, coldtss/tss-lib <= %.2f, applies to the protocol-only time: %.2fx, %s.\n", target, protoRatio, benchVerdict(protoRatio, target))
	fmt.Printf("  protocol only: `coldtss join --json` seconds (after the passphrase unlock) of the station that entered the\n" +
		"    ceremony last; pre-parameters are precomputed on both sides, and the stations end within one poll of each other.\n" +
		"  whole wall: starting the processes to the last exit: process start, scrypt unlock (~1 s CPU per station),\n" +
		"    reading secrets and saving results included.\n" +
		"  whole - unlock: whole wall minus the wall time of as many `coldtss init` at once (process start and one scrypt\n" +
		"    each), a cross-check of protocol only; CPU: the processes' CPU time minus the `coldtss init`s', against the\n" +
		"    baseline process's.\n" +
		"  clocks: every station's own ceremony clock; the longer ones include waiting for the others' unlock.\n" +
		"  other load: the share of the machine's CPUs that other work took during the run (Linux /proc/stat).\n")
	if len(busy) > 0 {
		fmt.Printf("  WARNING: other work ran on this machine (%s): those times are skewed; rerun on a quiet machine.\n", strings.Join(busy, ", "))
	}
	if stations > runtime.NumCPU() {
		fmt.Printf("  Caveat: %d processes on %d CPUs. While the last station still runs scrypt the others already compute their\n"+
			"  first step, so protocol only somewhat flatters coldtss here; whole - unlock and CPU do not have that bias.\n", stations, runtime.NumCPU())
	}

	last := reps[len(reps)-1].steps
	fmt.Printf("Stick timeline of run %d, ms after the first step-1 packet until each step's first/last packet was written:\n ", len(reps))
	for i, s := range last {
		fmt.Printf(" %d: %d/%d", i+1, s.first.Sub(last[0].first).Milliseconds(), s.last.Sub(last[0].first).Milliseconds())
	}
	fmt.Println()

	// Bytes, summed over the runs.
	total := len(last)
	steps := make([]benchStep, total)
	wire := make([]int, total-1)
	for _, r := range reps {
		for i, s := range r.steps {
			t := &steps[i]
			t.stick += s.stick
			t.wire += s.wire
			t.sig += s.sig
			t.echo += s.echo
			t.hpke += s.hpke
			t.coldtss += s.coldtss
			if i < total-1 {
				wire[i] += r.base.wire[i]
			}
		}
	}
	summed := ""
	if len(reps) > 1 {
		summed = fmt.Sprintf(" (sum of %d runs)", len(reps))
	}
	fmt.Printf("\nBytes per step%s: stick = every station's packet file; wire = the baseline's tss-lib wire bytes\n"+
		"(a point-to-point message counted once per recipient). Overhead: what the stick holds beyond this run's own\n"+
		"tss-lib messages (own msg: their protobuf bytes, which differ from the baseline's by a few bytes: big integers\n"+
		"of random size). tss-lib's wire bytes wrap each message with its type URL (about 70 bytes); a packet carries a\n"+
		"one-byte type number instead (counted as framing).\n", summed)
	fmt.Printf("%-10s %9s %9s %10s | %s\n", "step", "stick B", "wire B", "stick/wire", "overhead B: signature  echo  HPKE  coldtss  framing |  own msg B  stick/msg")
	var over []string
	sumStick, sumWire, worst := 0, 0, 0.0
	for i, s := range steps[:total-1] {
		r := float64(s.stick) / float64(wire[i])
		flag := ""
		if r > benchBytesTarget {
			flag = "  over"
			over = append(over, fmt.Sprintf("step %d (%.3f): %d B of tss-lib messages; %d B signatures, %d B echoes, %d B HPKE, %d B coldtss payloads, %d B framing",
				i+1, r, s.wire, s.sig, s.echo, s.hpke, s.coldtss, s.framing()))
		}
		fmt.Printf("%-10d %9d %9d %10.3f | %20d %5d %5d %8d %8d | %10d %9.3f%s\n",
			i+1, s.stick, wire[i], r, s.sig, s.echo, s.hpke, s.coldtss, s.framing(), s.wire, float64(s.stick)/float64(s.wire), flag)
		sumStick += s.stick
		sumWire += wire[i]
		worst = max(worst, r)
	}
	c := steps[total-1]
	fmt.Printf("%-10s %9d %9s %10s | %20d %5d %5d %8d %8d | (coldtss's confirmation step: no tss-lib counterpart)\n",
		fmt.Sprintf("%d confirm", total), c.stick, "-", "-", c.sig, c.echo, c.hpke, c.coldtss, c.framing())
	tr := float64(sumStick) / float64(sumWire)
	ta := float64(sumStick+c.stick) / float64(sumWire)
	fmt.Printf("%-10s %9d %9d %10.3f  <- byte target: total over the tss-lib steps, %s\n", "total", sumStick, sumWire, tr, benchVerdict(tr, benchBytesTarget))
	fmt.Printf("%-10s %9d %9d %10.3f  (with the confirmation step)\n", "all steps", sumStick+c.stick, sumWire, ta)
	if len(over) > 0 {
		fmt.Printf("Steps over %.2f: every packet has a fixed cost (a 64-byte Ed25519 signature; from step 2 one 32-byte echo digest\n"+
			"per other station; CBOR framing; 48 bytes of HPKE per sealed message) that dominates\n"+
			"small steps:\n", benchBytesTarget)
		for _, o := range over {
			fmt.Printf("  %s\n", o)
		}
	}

	var base, proto, wall float64
	for _, r := range reps {
		base += r.base.dur.Seconds()
		proto += r.protoSeconds()
		wall += r.ours.wall.Seconds()
	}
	n := float64(len(reps))
	b.ReportMetric(0, "ns/op") // meaningless here: the metrics below say it all
	b.ReportMetric(protoRatio, "proto-ratio")
	b.ReportMetric(med(benchRep.wallRatio), "wall-ratio")
	b.ReportMetric(med(benchRep.lessUnlockRatio), "wall-unlock-ratio")
	b.ReportMetric(med(benchRep.cpuRatio), "cpu-ratio")
	b.ReportMetric(tr, "stick/wire")
	b.ReportMetric(ta, "stick/wire-all")
	b.ReportMetric(worst, "max-step-stick/wire")
	b.ReportMetric(base/n, "tsslib-s")
	b.ReportMetric(proto/n, "proto-s")
	b.ReportMetric(wall/n, "wall-s")
}

// benchReportIntraStation adds to a resharing's report what tss-lib's
// parties send each other within a station: a station in both committees
// runs an old and a new party, whose messages to each other never leave
// it (on the stick or on any network between stations). The byte target
// above compares the stick with what tss-lib sends between stations; this
// compares it with all of tss-lib's wire bytes too.
func benchReportIntraStation(b *testing.B, reps []benchRep, wires []benchReshareWire) {
	var stick, between, all int
	rounds := len(wires[0].all)
	perAll, perBetween := make([]int, rounds), make([]int, rounds)
	for k, r := range reps {
		for i := range rounds {
			stick += r.steps[i].stick
			perAll[i] += wires[k].all[i]
			perBetween[i] += wires[k].between[i]
		}
	}
	for i := range rounds {
		between += perBetween[i]
		all += perAll[i]
	}
	fmt.Printf("tss-lib wire bytes per round, all / between stations (the rest: a station's old party to its own new party):")
	for i := range rounds {
		fmt.Printf(" %d: %d/%d", i+1, perAll[i], perBetween[i])
	}
	fmt.Printf("\nStick over all of tss-lib's wire bytes, those within a station included: %d / %d = %.3f (between stations only: %.3f).\n",
		stick, all, float64(stick)/float64(all), float64(stick)/float64(between))
	fmt.Printf("  Round 2's ACK from the new committee to the old (DGRound2Message2, empty) is in tss-lib's wire bytes; coldtss\n" +
		"  does not send it: every station sees each new station's step-2 broadcast, which stands for it.\n")
	b.ReportMetric(float64(stick)/float64(all), "stick/wire-tsslib-all")
}
