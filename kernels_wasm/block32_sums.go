package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// block32Build is a 32-element format in one build, plain or relaxed; it
// emits the format's vec_dot, matrix–vector and tile kernels
// (block32_vecdot.go, block32_matmul.go). Only the exact integer sum of a
// weight block with an activation block depends on the build: the plain
// one widens both to i16 for i32x4.dot_i16x8_s (block32.go), the relaxed
// one uses relaxed dots (block32_relaxed.go). The loops and the float
// work around the sums are the same.
type block32Build struct {
	*block32
	relaxed *relaxedBlock32 // nil for the plain build
}

// register defines vec_dot_<name> and matmul_<name> and exports them.
func (b block32Build) register(m *Module) {
	vecDot := b.defineVecDot(m)
	m.ExportFunc(vecDot.Name(), vecDot)
	matmul := b.defineMatmul(m, vecDot)
	m.ExportFunc(matmul.Name(), matmul)
}

// newOffsetLocal allocates, in the relaxed build, a local for an
// activation block's offset term (offsetTerm); the plain build needs none
// and gets the zero Local.
func (b block32Build) newOffsetLocal(f *Func) Local {
	if b.relaxed == nil {
		return Local{}
	}
	return f.NewLocal(V128)
}

// offsetTerm sets c to the offset term of the activation block whose
// quants are at x+off, in the relaxed build of a format with an offset;
// otherwise it emits nothing.
func (b block32Build) offsetTerm(f *Func, x Local, off uint32, c Local) {
	if b.relaxed != nil && b.relaxed.offset != 0 {
		b.relaxed.offsetTerm(f, x, off, c)
	}
}

// decodeWeights readies the weight block at w+off for blockSum: as i16
// in d.w (plain) or as unsigned levels in d.lo and d.hi (relaxed).
func (b block32Build) decodeWeights(d *blockDecoder, w Local, off uint32) {
	if b.relaxed != nil {
		b.relaxed.levels(d, w, off)
		return
	}
	b.decode(d, w, off)
}

// blockSum pushes an i32x4 whose lanes add up to the integer sum of the
// decoded weight block with the activation block whose quants are at
// x+off (and, in the relaxed build, whose offset term is in c).
func (b block32Build) blockSum(d *blockDecoder, x Local, off uint32, c Local) {
	if b.relaxed != nil {
		b.relaxed.blockSum(d, x, off, c)
		return
	}
	d.blockSum(x, off)
}

// readySharedActivation emits the work on the activation block at xp that
// the matrix–vector kernel's four rows share: its bytes widened into xs
// (plain) or its offset term into c (relaxed).
func (b block32Build) readySharedActivation(f *Func, xp Local, xs [4]Local, c Local) {
	if b.relaxed == nil {
		for i, xi := range xs {
			f.Do(LocalGet(xp), V128Load8x8S(b.act.quants+8*uint32(i)).Align(0), LocalSet(xi))
		}
		return
	}
	b.offsetTerm(f, xp, b.act.quants, c)
}

// sharedActivationSum pushes as blockSum does, for the decoded weight
// block and the activation block readySharedActivation readied.
func (b block32Build) sharedActivationSum(d *blockDecoder, xp Local, xs [4]Local, c Local) {
	if b.relaxed == nil {
		d.blockSumWidened(xs)
		return
	}
	b.blockSum(d, xp, b.act.quants, c)
}

// sumEach pushes the i32x4 whose lane j is the sum of acc[j]'s lanes:
// with sumEachI32Unpacked in the relaxed build, sumEachI32 in the plain
// one (so that kernels.wasm stays as it is). p and q are scratch.
func (b block32Build) sumEach(f *Func, acc [4]Local, p, q Local) {
	if b.relaxed != nil {
		sumEachI32Unpacked(f, acc[0], acc[1], acc[2], acc[3], p, q)
		return
	}
	sumEachI32(f, acc[0], acc[1], acc[2], acc[3], p, q)
}
