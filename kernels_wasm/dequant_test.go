package kernels

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// dequantTypes are the weight types with dequantize_T and get_rows_T.
var dequantTypes = []dtype.Type{
	dtype.F32, dtype.F16, dtype.BF16,
	dtype.Q4_0, dtype.Q4_1, dtype.Q5_0, dtype.Q5_1, dtype.Q8_0,
	dtype.Q2_K, dtype.Q3_K, dtype.Q4_K, dtype.Q5_K, dtype.Q6_K,
}

// dequantLengths are row lengths for a type: around the 4-lane steps for
// the float types, a few blocks for the others.
func dequantLengths(typ dtype.Type) []int {
	if typ.BlockSize() == 1 {
		return []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 33, 576}
	}
	var ns []int
	for _, nb := range []int{0, 1, 2, 3, 5} {
		ns = append(ns, nb*typ.BlockSize())
	}
	return ns
}

// sameDequantized compares a kernel's floats with quant.Dequantize's:
// bit for bit, NaNs included, for the float types (their NaNs are copied
// or converted, not computed); any NaN equals any NaN otherwise.
func sameDequantized(typ dtype.Type, got, want float32) bool {
	if typ.BlockSize() == 1 {
		return math.Float32bits(got) == math.Float32bits(want)
	}
	return sameF32(got, want)
}

// dequantize_T gives quant.Dequantize's floats for every type, on
// quantized rows and on random bytes (NaN, infinite and subnormal scales
// and halves included), at any alignment, writing only its output.
func TestDequantizeMatchesQuant(t *testing.T) {
	e := newKernels(t, 4)
	for _, typ := range dequantTypes {
		kernel := DequantizeKernel(typ.String())
		for _, n := range dequantLengths(typ) {
			for trial, mis := range [][2]uint32{{0, 0}, {1, 2}, {3, 7}, {2, 13}} {
				e.reset()
				var row []byte
				if trial%2 == 0 {
					row = quantizedRow(t, e, typ, n, float64(1+trial))
				} else {
					row = rawRow(e, typ, n, false)
				}
				want := make([]float32, n)
				if err := quant.Dequantize(typ, row, want); err != nil {
					t.Fatal(err)
				}
				ps := e.place(t, row, mis[0])
				pd := e.place(t, bytes.Repeat([]byte{0xa5}, 4*n), mis[1])
				name := caseName(fmt.Sprintf("%s n %d trial %d", kernel, n, trial))
				e.callChecked(t, name, pd, 4*n, kernel, pd, ps, uint32(n))
				got := e.readF32s(pd, n)
				for i := range got {
					if !sameDequantized(typ, got[i], want[i]) {
						t.Fatalf("%v: element %d = %g (%#08x), quant.Dequantize %g (%#08x)", name, i,
							got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
					}
				}
			}
		}
	}
}

// get_rows_T is the reference backend's GetRows: the rows of the ids, in
// order, repeats included.
func TestGetRowsMatchesReference(t *testing.T) {
	e := newKernels(t, 8)
	b := refBackend(t)
	for _, typ := range dequantTypes {
		kernel := GetRowsKernel(typ.String())
		const tableRows = 7
		n := 3 * typ.BlockSize()
		if typ.BlockSize() == 1 {
			n = 37
		}
		// four quantized rows, three of random bytes
		table := makeRows(t, e, typ, 4, n, quantized, 2)
		table = append(table, rawRow(e, typ, 3*n, false)...)
		tt, err := b.Alloc(typ, tableRows, n)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Load(tt, bytes.NewReader(table)); err != nil {
			t.Fatal(err)
		}
		for trial, ids := range [][]int32{{}, {0}, {6}, {3, 3, 1}, {5, 0, 6, 2, 2, 4}} {
			td := refF32(t, b, max(1, len(ids)), n, nil)
			if len(ids) > 0 {
				b.GetRows(td, tt, ids)
			}
			want := refRead(b, td)[:len(ids)*n]
			e.reset()
			idBytes := make([]byte, 4*len(ids))
			for i, id := range ids {
				idBytes[4*i], idBytes[4*i+1], idBytes[4*i+2], idBytes[4*i+3] = byte(id), byte(id>>8), byte(id>>16), byte(id>>24)
			}
			pt := e.place(t, table, uint32(trial%3))
			pi := e.place(t, idBytes, uint32(trial%4))
			pd := e.place(t, make([]byte, 4*len(ids)*n), uint32(trial%5))
			name := caseName(fmt.Sprintf("%s ids %v", kernel, ids))
			e.callChecked(t, name, pd, 4*len(ids)*n, kernel, pd, pt, pi, uint32(len(ids)), uint32(n))
			got := e.readF32s(pd, len(ids)*n)
			for i := range got {
				if !sameDequantized(typ, got[i], want[i]) {
					t.Fatalf("%v: element %d = %g, reference %g", name, i, got[i], want[i])
				}
			}
		}
	}
}

// A length that is not a whole number of blocks, or negative, writes
// nothing; so does get_rows with no ids.
func TestDequantizeBadLengthWritesNothing(t *testing.T) {
	e := newKernels(t, 1)
	e.reset()
	p := e.place(t, make([]byte, 4096), 1)
	for _, typ := range dequantTypes {
		bad := []int32{-1, -32}
		if bs := int32(typ.BlockSize()); bs > 1 {
			bad = append(bad, 1, bs-1, bs+1, bs/2)
		}
		for _, n := range bad {
			name := caseName(fmt.Sprintf("%v n %d", typ, n))
			e.callChecked(t, name, 0, 0, DequantizeKernel(typ.String()), p, p+2048, uint32(n))
			e.callChecked(t, name, 0, 0, GetRowsKernel(typ.String()), p, p+2048, p+4, 1, uint32(n))
		}
		bs := uint32(typ.BlockSize())
		for _, nIDs := range []int32{0, -1} {
			e.callChecked(t, caseName(fmt.Sprintf("%v n_ids %d", typ, nIDs)), 0, 0, GetRowsKernel(typ.String()), p, p+2048, p+4, uint32(nIDs), bs)
		}
	}
}
