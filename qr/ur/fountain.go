package ur

import (
	"encoding/binary"
	"slices"
)

// This file is the "consensus stack" of BCR-2024-001: the parts of the
// fountain code that encoder and decoder must compute identically so that
// both agree which fragments are mixed into part number seqNum.

// aliasSampler draws index i with probability weights[i]/sum(weights), by
// Walker-Vose's alias method in the variant of the reference implementation
// (index lists built in reverse order). It uses IEEE-754 doubles throughout,
// operation for operation as the reference does, so that every platform
// builds the same tables.
type aliasSampler struct {
	probs   []float64
	aliases []int
}

func newAliasSampler(weights []float64) *aliasSampler {
	n := len(weights)
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	p := make([]float64, n)
	for i, w := range weights {
		p[i] = float64(w*float64(n)) / sum
	}
	small := make([]int, 0, n)
	large := make([]int, 0, n)
	for i := n - 1; i >= 0; i-- {
		if p[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	s := &aliasSampler{probs: make([]float64, n), aliases: make([]int, n)}
	for len(small) > 0 && len(large) > 0 {
		a := small[len(small)-1]
		small = small[:len(small)-1]
		g := large[len(large)-1]
		large = large[:len(large)-1]
		s.probs[a] = p[a]
		s.aliases[a] = g
		p[g] += p[a] - 1
		if p[g] < 1 {
			small = append(small, g)
		} else {
			large = append(large, g)
		}
	}
	for _, g := range large {
		s.probs[g] = 1
	}
	for _, a := range small { // only through numeric instability
		s.probs[a] = 1
	}
	return s
}

func (s *aliasSampler) next(rnd func() float64) int {
	r1 := rnd()
	r2 := rnd()
	n := len(s.probs)
	i := int(float64(float64(n) * r1))
	if i >= n { // r1 rounded to 1.0
		i = n - 1
	}
	if r2 < s.probs[i] {
		return i
	}
	return s.aliases[i]
}

// newDegreeSampler samples a part's degree minus one: degree d in 1..seqLen
// has weight 1/d.
func newDegreeSampler(seqLen int) *aliasSampler {
	w := make([]float64, seqLen)
	for i := range w {
		w[i] = 1 / float64(i+1)
	}
	return newAliasSampler(w)
}

// shuffledPrefix returns the first count items of the reference's
// Fisher-Yates shuffle of 0..n-1: repeatedly remove and emit the item at
// index rng.nextInt(0, len(remaining)-1) of the remaining list. It gives the
// same sequence without the O(n) list removals. tree, if not nil, is
// fullTree(n); it is used as scratch space and left as it was.
func shuffledPrefix(n, count int, rng *xoshiro, tree []int) []int {
	out := make([]int, 0, count)
	if count <= 64 {
		// The r-th remaining value: step over the removed values below it.
		removed := make([]int, 0, count)
		for k := 0; k < count; k++ {
			v := int(rng.nextInt(0, uint64(n-k-1)))
			for _, x := range removed {
				if x > v {
					break
				}
				v++
			}
			out = append(out, v)
			pos, _ := slices.BinarySearch(removed, v)
			removed = slices.Insert(removed, pos, v)
		}
		return out
	}
	// A Fenwick tree over "still present" flags finds the r-th remaining
	// value in O(log n).
	if tree == nil {
		tree = fullTree(n)
	}
	top := 1
	for top*2 <= n {
		top *= 2
	}
	for k := 0; k < count; k++ {
		r := int(rng.nextInt(0, uint64(n-k-1)))
		pos := 0
		for step := top; step > 0; step /= 2 {
			if next := pos + step; next <= n && tree[next] <= r {
				pos = next
				r -= tree[next]
			}
		}
		out = append(out, pos) // the (pos+1)-th flag is value pos
		for i := pos + 1; i <= n; i += i & -i {
			tree[i]--
		}
	}
	for _, v := range out { // put the tree back
		for i := v + 1; i <= n; i += i & -i {
			tree[i]++
		}
	}
	return out
}

// fullTree is the Fenwick tree of n flags all set: node i sums lowbit(i) flags.
func fullTree(n int) []int {
	t := make([]int, n+1)
	for i := 1; i <= n; i++ {
		t[i] = i & -i
	}
	return t
}

// fragmentChooser tells which fragments are mixed into part seqNum.
type fragmentChooser struct {
	seqLen   int
	checksum uint32
	degrees  *aliasSampler // built on first use: pure parts never need them
	tree     []int
}

func (c *fragmentChooser) choose(seqNum uint32) []int {
	if uint64(seqNum) <= uint64(c.seqLen) {
		return []int{int(seqNum) - 1}
	}
	if c.degrees == nil {
		c.degrees = newDegreeSampler(c.seqLen)
		c.tree = fullTree(c.seqLen)
	}
	var seed [8]byte
	binary.BigEndian.PutUint32(seed[:4], seqNum)
	binary.BigEndian.PutUint32(seed[4:], c.checksum)
	rng := newXoshiro(seed[:])
	degree := c.degrees.next(rng.nextDouble) + 1
	return shuffledPrefix(c.seqLen, degree, rng, c.tree)
}

// nominalFragmentLen is the reference's choice: the smallest number of
// fragments whose (equal, rounded up) length is at most maxLen, trying at
// most messageLen/minLen fragments.
func nominalFragmentLen(messageLen, minLen, maxLen int) int {
	maxCount := max(messageLen/minLen, 1)
	fragLen := messageLen
	for count := 1; count <= maxCount; count++ {
		fragLen = (messageLen + count - 1) / count
		if fragLen <= maxLen {
			break
		}
	}
	return fragLen
}

// partition splits message into fragments of fragLen bytes, the last padded with zeros.
func partition(message []byte, fragLen int) [][]byte {
	n := (len(message) + fragLen - 1) / fragLen
	frags := make([][]byte, n)
	for i := range frags {
		f := make([]byte, fragLen)
		copy(f, message[i*fragLen:])
		frags[i] = f
	}
	return frags
}
