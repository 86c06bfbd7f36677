package synth

import (
	"hash/fnv"
	"math"
)

// rng is a small deterministic generator (SplitMix64) with Gaussian draws by
// the Box–Muller transform. It is written out here rather than taken from
// math/rand so that a seed names the same file on every Go version.
type rng struct {
	state uint64
	spare float64
	has   bool
}

// newTensorRNG seeds a generator for one tensor from the spec's seed and the
// tensor's name, so a tensor holds the same numbers whatever its type and
// whatever other tensors the file has.
func newTensorRNG(seed uint64, name string) *rng {
	h := fnv.New64a()
	h.Write([]byte(name))
	return &rng{state: seed ^ h.Sum64()}
}

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// uniform returns a float64 in (0, 1).
func (r *rng) uniform() float64 {
	return (float64(r.next()>>11) + 0.5) / (1 << 53)
}

// normal returns a standard Gaussian draw.
func (r *rng) normal() float64 {
	if r.has {
		r.has = false
		return r.spare
	}
	u, v := r.uniform(), r.uniform()
	rad := math.Sqrt(-2 * math.Log(u))
	s, c := math.Sincos(2 * math.Pi * v)
	r.spare, r.has = rad*s, true
	return rad * c
}
