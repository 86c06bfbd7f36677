package kernels

import (
	"math"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The vision encoder's attention (compute.Backend.SelfAttention with
// Flash, for at least compute.FlashTileRows rows and heads of a multiple
// of 4 elements: ggml's tiled CPU flash attention, the reference's
// flashTiledRow in engine/compute/arith_encoder.go). Every row attends to
// every row, non-causal. Two kernels, each split across threads by rows:
//
// self_attention_prep(kt, vr, k, v, n, heads, d, row0, row1)
//
//	rounds the keys and values of rows [row0, row1) to halves (RoundF16):
//	the values into vr (same layout as v: rows of heads·d floats), the
//	keys into kt transposed by blocks of eight keys,
//	    kt[((h·nb + j/8)·d + i)·8 + j mod 8] = RoundF16(k[j][h·d + i]),
//	nb = ⌈n/8⌉ (SelfAttentionKeyFloats), so that eight keys' element i
//	are one 32-byte load. Lanes of keys past n are not written.
//
// self_attention(dst, q, kt, vr, n, heads, d, row0, row1, scale f32, scratch)
//
//	dst[r][h·d …] for rows r in [row0, row1) and every head h, from q
//	(rows of heads·d floats) and the prepared kt and vr, as flashTiledRow:
//	per tile of 64 keys, each score a float32 sum over i in order of
//	q[i]·k[i] (a multiply, then an add) times scale; the tile's maximum;
//	when it raises the running maximum M, the output and the running sum
//	scaled by expf(Mold − M); the tile's expf(s − M) summed in float64 and
//	added to the float32 sum; the values added in key order (a multiply,
//	then an add); at the end the output times 1/sum (0 when the sum is 0).
//	expf is libm's, correctly rounded (expf.go). scratch is
//	SelfAttentionScratchBytes(d) bytes. Nothing is written unless n,
//	heads > 0, d > 0 a multiple of 4 and row0 < row1.
//
// Query rows go four at a time: a step of the scores multiplies eight
// keys' element i (two vectors) by four queries' element i (splats), and
// a step of the value sums adds one key's eight values (two vectors),
// times four probabilities, into four rows' accumulators, so each load
// serves four rows. Each lane is one score or one output element, summed
// in the reference's order. Measured under Node 20 (one head of 1024 rows
// of 64, machine loaded): ~15 ms per head, ~6 of them the exponentials
// (expf_lanes.go); the reference's loop in native Go takes ~80 ms, the
// same loop in Go compiled to wasm (what the arena ran before) ~600 ms.
// wazero's compiler runs these loops about three times slower than V8.

// Names of the encoder attention kernels.
const (
	KernelSelfAttentionPrep = "self_attention_prep"
	KernelSelfAttention     = "self_attention"
)

// selfAttentionTile is ggml's flash-attention key tile (GGML_FA_TILE_KV in
// the tiled kernel, compute.FlashTileRows).
const selfAttentionTile = 64

// selfAttentionRows is the number of query rows a block takes.
const selfAttentionRows = 4

// SelfAttentionKeyFloats is the size of self_attention_prep's kt, in
// float32s, for n rows of heads·d elements.
func SelfAttentionKeyFloats(n, heads, d int) int { return (n + 7) / 8 * 8 * heads * d }

// SelfAttentionScratchBytes is the size of one self_attention call's
// scratch for heads of d elements: a block's queries (transposed), its
// output accumulators and one tile of its scores.
func SelfAttentionScratchBytes(d int) int {
	return 4 * selfAttentionRows * (2*d + selfAttentionTile)
}

// selfAttention holds the kernel's parameters and locals.
type selfAttention struct {
	f                                                *Func
	expf                                             *Func
	exp                                              *expfLanes
	dst, q, kt, vr, n, heads, d, row0, row1, scale   Local
	scratch                                          Local
	rowBytes, nb, h, r, qBlk, outBlk, sBlk, t0, kt0  Local // i32
	tile, cnt, cnt2, p, pk, pq, pv, ps, po, kb, head Local // i32
	tmax, mNew, ms, inv                              Local // f32
	ts                                               Local // f64
	m, sum                                           [selfAttentionRows]Local
	acc                                              [selfAttentionRows][2]Local
	kv                                               [2]Local
	sp                                               Local // v128
}

func defineSelfAttention(m *Module, expf *Func) *Func {
	f := m.Func(KernelSelfAttention, []ValType{I32, I32, I32, I32, I32, I32, I32, I32, I32, F32, I32})
	a := &selfAttention{f: f, expf: expf, exp: newExpfLanes(f, expf, 4)}
	for i, l := range []*Local{&a.dst, &a.q, &a.kt, &a.vr, &a.n, &a.heads, &a.d, &a.row0, &a.row1, &a.scale, &a.scratch} {
		*l = f.Param(i)
	}
	for _, l := range []*Local{&a.rowBytes, &a.nb, &a.h, &a.r, &a.qBlk, &a.outBlk, &a.sBlk, &a.t0, &a.kt0,
		&a.tile, &a.cnt, &a.cnt2, &a.p, &a.pk, &a.pq, &a.pv, &a.ps, &a.po, &a.kb, &a.head} {
		*l = f.NewLocal(I32)
	}
	for _, l := range []*Local{&a.tmax, &a.mNew, &a.ms, &a.inv} {
		*l = f.NewLocal(F32)
	}
	a.ts = f.NewLocal(F64)
	for i := range a.m {
		a.m[i], a.sum[i] = f.NewLocal(F32), f.NewLocal(F32)
		a.acc[i] = [2]Local{f.NewLocal(V128), f.NewLocal(V128)}
	}
	a.kv = [2]Local{f.NewLocal(V128), f.NewLocal(V128)}
	a.sp = f.NewLocal(V128)

	f.Do(
		LocalGet(a.n), I32Const(0), I32LeS,
		LocalGet(a.heads), I32Const(0), I32LeS, I32Or,
		LocalGet(a.d), I32Const(0), I32LeS, I32Or,
		LocalGet(a.d), I32Const(3), I32And, I32Or,
		LocalGet(a.row1), LocalGet(a.row0), I32LeS, I32Or,
	)
	f.If(func(Label) { f.Do(Return) })
	const R = selfAttentionRows
	f.Do(
		LocalGet(a.heads), LocalGet(a.d), I32Mul, I32Const(2), I32Shl, LocalSet(a.rowBytes),
		LocalGet(a.n), I32Const(7), I32Add, I32Const(3), I32ShrU, LocalSet(a.nb),
		// scratch: queries (d × R), outputs (R × d), scores (R × 64)
		LocalGet(a.scratch), LocalSet(a.qBlk),
		LocalGet(a.d), I32Const(2+2), I32Shl, LocalGet(a.scratch), I32Add, LocalTee(a.outBlk),
		LocalGet(a.d), I32Const(2+2), I32Shl, I32Add, LocalSet(a.sBlk),
		I32Const(0), LocalSet(a.h),
	)
	f.Loop(func(heads Label) {
		f.Do(LocalGet(a.row0), LocalSet(a.r))
		// blocks of R rows, then single rows
		f.Block(func(done Label) {
			f.Loop(func(blocks Label) {
				f.Do(LocalGet(a.row1), LocalGet(a.r), I32Sub, I32Const(R), I32LtS, BrIf(done))
				a.block(R)
				f.Do(LocalGet(a.r), I32Const(R), I32Add, LocalSet(a.r), Br(blocks))
			})
		})
		f.Block(func(done Label) {
			f.Loop(func(rows Label) {
				f.Do(LocalGet(a.r), LocalGet(a.row1), I32GeS, BrIf(done))
				a.block(1)
				f.Do(LocalGet(a.r), I32Const(1), I32Add, LocalSet(a.r), Br(rows))
			})
		})
		f.Do(LocalGet(a.h), I32Const(1), I32Add, LocalTee(a.h), LocalGet(a.heads), I32LtS, BrIf(heads))
	})
	return f
}

// block emits the attention of rows r … r+R−1 for head h.
func (a *selfAttention) block(R int) {
	f := a.f
	// the block's queries, element i of row rr at qBlk + 4·(R·i + rr)
	f.Do(
		LocalGet(a.r), LocalGet(a.rowBytes), I32Mul, LocalGet(a.h), LocalGet(a.d), I32Mul, I32Const(2), I32Shl, I32Add,
		LocalTee(a.head), LocalGet(a.q), I32Add, LocalSet(a.pq),
		LocalGet(a.qBlk), LocalSet(a.p), LocalGet(a.d), LocalSet(a.cnt),
	)
	countdown(a.f, a.cnt, func() {
		for rr := range R {
			f.Do(LocalGet(a.p), LocalGet(a.pq))
			if rr > 0 {
				f.Do(LocalGet(a.rowBytes), I32Const(int32(rr)), I32Mul, I32Add)
			}
			f.Do(F32Load(0).Align(0), F32Store(uint32(4*rr)).Align(0))
		}
		advance(f, a.p, int32(4*R))
		advance(f, a.pq, 4)
	})
	// outputs zero, maxima −∞, sums zero
	f.Do(LocalGet(a.outBlk), I32Const(0), LocalGet(a.d), I32Const(int32(4*R)), I32Mul, MemoryFill())
	for rr := range R {
		f.Do(F32Const(float32(math.Inf(-1))), LocalSet(a.m[rr]), F32Const(0), LocalSet(a.sum[rr]))
	}
	f.Do(I32Const(0), LocalSet(a.t0))
	f.Loop(func(tiles Label) {
		f.Do(
			LocalGet(a.n), LocalGet(a.t0), I32Sub, LocalTee(a.tile),
			I32Const(selfAttentionTile), LocalGet(a.tile), I32Const(selfAttentionTile), I32LtS, Select, LocalSet(a.tile),
		)
		a.scores(R)
		for rr := range R {
			a.softmaxTile(rr)
		}
		a.values(R)
		f.Do(
			LocalGet(a.t0), I32Const(selfAttentionTile), I32Add, LocalTee(a.t0),
			LocalGet(a.n), I32LtS, BrIf(tiles),
		)
	})
	// dst = out · (1/sum)
	for rr := range R {
		f.Do(
			F32Const(0), F32Const(1), LocalGet(a.sum[rr]), F32Div,
			LocalGet(a.sum[rr]), F32Const(0), F32Eq, Select, LocalSet(a.inv),
			LocalGet(a.outBlk), LocalGet(a.d), I32Const(int32(4*rr)), I32Mul, I32Add, LocalSet(a.po),
			LocalGet(a.dst), LocalGet(a.head), I32Add, LocalSet(a.pv),
		)
		if rr > 0 {
			f.Do(LocalGet(a.pv), LocalGet(a.rowBytes), I32Const(int32(rr)), I32Mul, I32Add, LocalSet(a.pv))
		}
		f.Do(LocalGet(a.inv), F32x4Splat, LocalSet(a.sp), LocalGet(a.d), I32Const(2), I32ShrU, LocalSet(a.cnt))
		countdown(f, a.cnt, func() {
			f.Do(LocalGet(a.pv), LocalGet(a.po), V128Load(0).Align(0), LocalGet(a.sp), F32x4Mul, V128Store(0).Align(0))
			advance(f, a.po, 16)
			advance(f, a.pv, 16)
		})
	}
}

// scores emits the block's scores against keys t0 … t0+tile−1 into sBlk
// (row rr's at sBlk + 256·rr), eight keys a step (the step past the tile's
// end computes lanes nobody reads).
func (a *selfAttention) scores(R int) {
	f := a.f
	f.Do(
		// kt block (h·nb + t0/8)
		LocalGet(a.h), LocalGet(a.nb), I32Mul, LocalGet(a.t0), I32Const(3), I32ShrU, I32Add,
		LocalGet(a.d), I32Mul, I32Const(5), I32Shl, LocalGet(a.kt), I32Add, LocalSet(a.kt0),
		LocalGet(a.tile), I32Const(7), I32Add, I32Const(3), I32ShrU, LocalSet(a.cnt2),
		LocalGet(a.sBlk), LocalSet(a.ps),
	)
	countdown(f, a.cnt2, func() {
		for rr := range R {
			for g := range 2 {
				f.Do(V128Const([16]byte{}), LocalSet(a.acc[rr][g]))
			}
		}
		f.Do(LocalGet(a.kt0), LocalSet(a.pk), LocalGet(a.qBlk), LocalSet(a.pq), LocalGet(a.d), LocalSet(a.cnt))
		countdown(f, a.cnt, func() {
			f.Do(
				LocalGet(a.pk), V128Load(0).Align(0), LocalSet(a.kv[0]),
				LocalGet(a.pk), V128Load(16).Align(0), LocalSet(a.kv[1]),
			)
			for rr := range R {
				f.Do(LocalGet(a.pq), V128Load32Splat(uint32(4*rr)).Align(0), LocalSet(a.sp))
				for g := range 2 {
					f.Do(LocalGet(a.acc[rr][g]), LocalGet(a.sp), LocalGet(a.kv[g]), F32x4Mul, F32x4Add, LocalSet(a.acc[rr][g]))
				}
			}
			advance(f, a.pk, 32)
			advance(f, a.pq, int32(4*R))
		})
		f.Do(LocalGet(a.scale), F32x4Splat, LocalSet(a.sp))
		for rr := range R {
			for g := range 2 {
				f.Do(LocalGet(a.ps), LocalGet(a.acc[rr][g]), LocalGet(a.sp), F32x4Mul, V128Store(uint32(4*selfAttentionTile*rr+16*g)).Align(0))
			}
		}
		f.Do(LocalGet(a.kt0), LocalGet(a.d), I32Const(5), I32Shl, I32Add, LocalSet(a.kt0))
		advance(f, a.ps, 32)
	})
}

// softmaxTile emits row rr's update for the tile: its maximum, the
// rescale when the running maximum grows, the probabilities in place of
// the scores and the running sum.
func (a *selfAttention) softmaxTile(rr int) {
	f := a.f
	sp := func() {
		f.Do(LocalGet(a.sBlk), I32Const(int32(4*selfAttentionTile*rr)), I32Add, LocalSet(a.p), LocalGet(a.tile), LocalSet(a.cnt))
	}
	sp()
	f.Do(F32Const(float32(math.Inf(-1))), LocalSet(a.tmax))
	countdown(f, a.cnt, func() {
		f.Do(LocalGet(a.tmax), LocalGet(a.p), F32Load(0).Align(0), F32Max, LocalSet(a.tmax))
		advance(f, a.p, 4)
	})
	f.Do(LocalGet(a.m[rr]), LocalGet(a.tmax), F32Max, LocalTee(a.mNew), LocalGet(a.m[rr]), F32Gt)
	f.If(func(Label) {
		f.Do(
			LocalGet(a.m[rr]), LocalGet(a.mNew), F32Sub, Call(a.expf), LocalTee(a.ms),
			LocalGet(a.sum[rr]), F32Mul, LocalSet(a.sum[rr]),
			LocalGet(a.ms), F32x4Splat, LocalSet(a.sp),
			LocalGet(a.outBlk), LocalGet(a.d), I32Const(int32(4*rr)), I32Mul, I32Add, LocalSet(a.po),
			LocalGet(a.d), I32Const(2), I32ShrU, LocalSet(a.cnt),
		)
		countdown(f, a.cnt, func() {
			f.Do(LocalGet(a.po), LocalGet(a.po), V128Load(0).Align(0), LocalGet(a.sp), F32x4Mul, V128Store(0).Align(0))
			advance(f, a.po, 16)
		})
	})
	// the probabilities, eight at a time, then two, then the odd one; their
	// float64 sum in key order
	f.Do(LocalGet(a.mNew), LocalSet(a.m[rr]), F64Const(0), LocalSet(a.ts))
	sp()
	sumNext := func(k int) {
		for i := range k {
			f.Do(LocalGet(a.ts), LocalGet(a.p), F32Load(uint32(4*i)).Align(0), F64PromoteF32, F64Add, LocalSet(a.ts))
		}
	}
	f.Do(LocalGet(a.tile), I32Const(3), I32ShrU, LocalSet(a.cnt))
	countdown(f, a.cnt, func() {
		a.exp.group(a.p, a.m[rr], 4)
		sumNext(8)
		advance(f, a.p, 32)
	})
	f.Do(LocalGet(a.tile), I32Const(7), I32And, I32Const(1), I32ShrU, LocalSet(a.cnt))
	countdown(f, a.cnt, func() {
		a.exp.group(a.p, a.m[rr], 1)
		sumNext(2)
		advance(f, a.p, 8)
	})
	f.Do(LocalGet(a.tile), I32Const(1), I32And)
	f.If(func(Label) {
		f.Do(LocalGet(a.p), LocalGet(a.p), F32Load(0).Align(0), LocalGet(a.m[rr]), F32Sub, Call(a.expf), F32Store(0).Align(0))
		sumNext(1)
	})
	f.Do(LocalGet(a.sum[rr]), F64PromoteF32, LocalGet(a.ts), F64Add, F32DemoteF64, LocalSet(a.sum[rr]))
}

// values emits the block's value sums over the tile's keys: for each
// step of eight outputs (then four), the R rows' accumulators are loaded,
// take every key's p·v in key order, and are stored back.
func (a *selfAttention) values(R int) {
	f := a.f
	f.Do(
		LocalGet(a.t0), LocalGet(a.rowBytes), I32Mul, LocalGet(a.h), LocalGet(a.d), I32Mul, I32Const(2), I32Shl, I32Add,
		LocalGet(a.vr), I32Add, LocalSet(a.pk),
		LocalGet(a.outBlk), LocalSet(a.po),
	)
	for _, vectors := range []int{2, 1} {
		if vectors == 2 {
			f.Do(LocalGet(a.d), I32Const(3), I32ShrU, LocalSet(a.cnt2))
		} else {
			f.Do(LocalGet(a.d), I32Const(2), I32ShrU, I32Const(1), I32And, LocalSet(a.cnt2))
		}
		countdown(f, a.cnt2, func() {
			for rr := range R {
				for g := range vectors {
					f.Do(LocalGet(a.po), LocalGet(a.d), I32Const(int32(4*rr)), I32Mul, I32Add, V128Load(uint32(16*g)).Align(0), LocalSet(a.acc[rr][g]))
				}
			}
			f.Do(LocalGet(a.pk), LocalSet(a.pv), LocalGet(a.sBlk), LocalSet(a.ps), LocalGet(a.tile), LocalSet(a.cnt))
			countdown(f, a.cnt, func() {
				for g := range vectors {
					f.Do(LocalGet(a.pv), V128Load(uint32(16*g)).Align(0), LocalSet(a.kv[g]))
				}
				for rr := range R {
					f.Do(LocalGet(a.ps), V128Load32Splat(uint32(4*selfAttentionTile*rr)).Align(0), LocalSet(a.sp))
					for g := range vectors {
						f.Do(LocalGet(a.acc[rr][g]), LocalGet(a.sp), LocalGet(a.kv[g]), F32x4Mul, F32x4Add, LocalSet(a.acc[rr][g]))
					}
				}
				f.Do(LocalGet(a.pv), LocalGet(a.rowBytes), I32Add, LocalSet(a.pv))
				advance(f, a.ps, 4)
			})
			for rr := range R {
				for g := range vectors {
					f.Do(LocalGet(a.po), LocalGet(a.d), I32Const(int32(4*rr)), I32Mul, I32Add, LocalGet(a.acc[rr][g]), V128Store(uint32(16*g)).Align(0))
				}
			}
			advance(f, a.po, int32(16*vectors))
			advance(f, a.pk, int32(16*vectors))
		})
	}
}

// defineSelfAttentionPrep emits self_attention_prep.
func defineSelfAttentionPrep(m *Module) *Func {
	f := m.Func(KernelSelfAttentionPrep, []ValType{I32, I32, I32, I32, I32, I32, I32, I32, I32})
	kt, vr, k, v, n, heads, d, row0, row1 := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4), f.Param(5), f.Param(6), f.Param(7), f.Param(8)
	rowBytes, nb, j, src, dstp, cnt, h, i, lane := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32),
		f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	x, abs, t := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	half := newF16(f)
	round := func() {
		halfLanes(f, x, abs, t)
		half.lanes()
	}

	f.Do(
		LocalGet(n), I32Const(0), I32LeS,
		LocalGet(heads), I32Const(0), I32LeS, I32Or,
		LocalGet(d), I32Const(0), I32LeS, I32Or,
		LocalGet(d), I32Const(3), I32And, I32Or,
		LocalGet(row1), LocalGet(row0), I32LeS, I32Or,
	)
	f.If(func(Label) { f.Do(Return) })
	f.Do(
		LocalGet(heads), LocalGet(d), I32Mul, I32Const(2), I32Shl, LocalSet(rowBytes),
		LocalGet(n), I32Const(7), I32Add, I32Const(3), I32ShrU, LocalSet(nb),
		LocalGet(row0), LocalSet(j),
	)
	f.Loop(func(rows Label) {
		// the values: the row rounded where it is
		f.Do(
			LocalGet(j), LocalGet(rowBytes), I32Mul, LocalTee(src), LocalGet(v), I32Add, LocalSet(i),
			LocalGet(src), LocalGet(vr), I32Add, LocalSet(dstp),
			LocalGet(rowBytes), I32Const(4), I32ShrU, LocalSet(cnt),
		)
		countdown(f, cnt, func() {
			f.Do(LocalGet(dstp), LocalGet(i), V128Load(0).Align(0))
			round()
			f.Do(V128Store(0).Align(0))
			advance(f, i, 16)
			advance(f, dstp, 16)
		})
		// the keys: element i of head h to block (h·nb + j/8), lane j mod 8
		f.Do(
			LocalGet(src), LocalGet(k), I32Add, LocalSet(src),
			LocalGet(j), I32Const(7), I32And, I32Const(2), I32Shl, LocalSet(lane),
			I32Const(0), LocalSet(h),
		)
		f.Loop(func(heads_ Label) {
			f.Do(
				LocalGet(h), LocalGet(nb), I32Mul, LocalGet(j), I32Const(3), I32ShrU, I32Add,
				LocalGet(d), I32Mul, I32Const(5), I32Shl, LocalGet(kt), I32Add, LocalGet(lane), I32Add, LocalSet(dstp),
				LocalGet(d), I32Const(2), I32ShrU, LocalSet(cnt),
			)
			countdown(f, cnt, func() {
				f.Do(LocalGet(src), V128Load(0).Align(0))
				round()
				f.Do(LocalSet(x))
				for l := range 4 {
					f.Do(LocalGet(dstp), LocalGet(x), V128Store32Lane(uint32(32*l), byte(l)).Align(0))
				}
				advance(f, src, 16)
				advance(f, dstp, 128)
			})
			f.Do(LocalGet(h), I32Const(1), I32Add, LocalTee(h), LocalGet(heads), I32LtS, BrIf(heads_))
		})
		f.Do(LocalGet(j), I32Const(1), I32Add, LocalTee(j), LocalGet(row1), I32LtS, BrIf(rows))
	})
	return f
}

// registerEncoderOps defines and exports the vision encoder's kernels.
func registerEncoderOps(m *Module, fn *actFuncs) {
	m.ExportFunc(KernelSelfAttentionPrep, defineSelfAttentionPrep(m))
	m.ExportFunc(KernelSelfAttention, defineSelfAttention(m, fn.expf))
	registerEncoderRows(m)
}
