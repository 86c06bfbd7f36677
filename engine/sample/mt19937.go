package sample

import "math"

// mt19937 is the 32-bit Mersenne Twister (Matsumoto and Nishimura, 1998),
// the generator behind C++'s std::mt19937 and so behind llama.cpp's dist
// sampler. Its 624-word state lives inline, so copying or reseeding it does
// not allocate.
type mt19937 struct {
	state [mtN]uint32
	next  int // index of the next state word to temper; mtN means regenerate
}

const (
	mtN         = 624
	mtM         = 397
	mtMatrixA   = 0x9908b0df
	mtUpperMask = 0x80000000
	mtLowerMask = 0x7fffffff
)

// seed initialises the state from one 32-bit value, as std::mt19937(seed).
func (m *mt19937) seed(s uint32) {
	m.state[0] = s
	for i := 1; i < mtN; i++ {
		prev := m.state[i-1]
		m.state[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	m.next = mtN
}

// seedArray initialises the state from a key of several words: the
// reference init_by_array from mt19937ar.c.
func (m *mt19937) seedArray(key []uint32) {
	m.seed(19650218)
	i, j := 1, 0
	k := max(mtN, len(key))
	for ; k > 0; k-- {
		prev := m.state[i-1]
		m.state[i] = (m.state[i] ^ ((prev ^ (prev >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= mtN {
			m.state[0] = m.state[mtN-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k = mtN - 1; k > 0; k-- {
		prev := m.state[i-1]
		m.state[i] = (m.state[i] ^ ((prev ^ (prev >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= mtN {
			m.state[0] = m.state[mtN-1]
			i = 1
		}
	}
	m.state[0] = 0x80000000 // guarantees a non-zero state
	m.next = mtN
}

// seed64 seeds from a Config.Seed: values that fit in 32 bits exactly as
// std::mt19937 does (llama.cpp's seeds are 32-bit), wider values through
// init_by_array over their low and high halves.
func (m *mt19937) seed64(s uint64) {
	if s <= math.MaxUint32 {
		m.seed(uint32(s))
		return
	}
	m.seedArray([]uint32{uint32(s), uint32(s >> 32)})
}

// regenerate refills the whole state block (the "twist").
func (m *mt19937) regenerate() {
	twist := func(upper, lower, far uint32) uint32 {
		y := upper&mtUpperMask | lower&mtLowerMask
		v := far ^ y>>1
		if y&1 != 0 {
			v ^= mtMatrixA
		}
		return v
	}
	st := &m.state
	for i := 0; i < mtN; i++ {
		st[i] = twist(st[i], st[(i+1)%mtN], st[(i+mtM)%mtN])
	}
	m.next = 0
}

// uint32 returns the next tempered output.
func (m *mt19937) uint32() uint32 {
	if m.next >= mtN {
		m.regenerate()
	}
	y := m.state[m.next]
	m.next++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}

// float64 returns a uniform number in [0, 1) built the way libstdc++'s
// std::generate_canonical<double, 53> does from a 32-bit engine: two
// outputs, the first as the low word, summed in double precision and
// divided by 2^64, with a result that rounds up to 1 pulled back below it.
func (m *mt19937) float64() float64 {
	const two32 = 1 << 32
	sum := float64(m.uint32())
	sum += float64(m.uint32()) * two32
	r := sum / (two32 * two32)
	if r >= 1 {
		r = math.Nextafter(1, 0)
	}
	return r
}
