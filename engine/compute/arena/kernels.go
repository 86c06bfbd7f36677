package arena

//go:generate go test -run TestJSBindingsUpToDate -update .

import (
	"fmt"
	"strings"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// NoKernel is the handle of a kernel the module does not have.
const NoKernel Kernel = -1

// The float-operation kernels (names as kernels.wasm exports them; the
// signatures are in doc.go).
const (
	KernelAdd       = "add"
	KernelMul       = "mul"
	KernelScale     = "scale"
	KernelSiLU      = "silu"
	KernelSwiGLU    = "swiglu"
	KernelSoftmax   = "softmax"
	KernelRMSNorm   = "rmsnorm"
	KernelRope      = "rope_apply"
	KernelAttention = "attention"
	// KernelAttentionF16 is attention over an F16 key/value cache (same
	// parameters; the cache strides count halves).
	KernelAttentionF16 = "attention_f16"
	// KernelSelfAttentionPrep and KernelSelfAttention are the vision
	// encoder's flash attention (ops_encoder.go).
	KernelSelfAttentionPrep = "self_attention_prep"
	KernelSelfAttention     = "self_attention"
	// KernelLayerNorm and KernelGELU are the encoder's row operations.
	KernelLayerNorm = "layernorm"
	KernelGELU      = "gelu"
)

// weightTypes are the weight types kernels.wasm multiplies.
var weightTypes = []dtype.Type{
	dtype.F32, dtype.F16, dtype.BF16,
	dtype.Q4_0, dtype.Q4_1, dtype.Q5_0, dtype.Q5_1, dtype.Q8_0,
	dtype.Q2_K, dtype.Q3_K, dtype.Q4_K, dtype.Q5_K, dtype.Q6_K,
}

func lower(t dtype.Type) string { return strings.ToLower(t.String()) }

// MatMulKernel names the matmul kernel for weights of type t.
func MatMulKernel(t dtype.Type) string { return "matmul_" + lower(t) }

// GetRowsKernel names the kernel that decodes rows of a table of type t
// to F32, picked by int32 ids in the arena (embedding lookups).
func GetRowsKernel(t dtype.Type) string { return "get_rows_" + lower(t) }

// ConvertKernel names the kernel that converts F32 activation rows to act
// (a quant.VecDotType), or "" for F32, which needs none.
func ConvertKernel(act dtype.Type) string {
	switch act {
	case dtype.Q8_0, dtype.Q8_1, dtype.Q8_K:
		return "quantize_" + lower(act)
	case dtype.F16, dtype.BF16:
		return "convert_" + lower(act)
	}
	return ""
}

// Signature is a kernel's parameter list, in order: every parameter is
// an i32 (an arena offset, a count, a flag) except those whose indexes
// F32 lists. No kernel the backend calls returns anything.
type Signature struct {
	Name   string
	Params []string
	F32    []int
}

var (
	rowConversion   = []string{"dst", "src", "n"}
	matmulParams    = []string{"dst", "w", "x", "n", "row0", "row1", "tokens", "dst_stride"}
	attentionParams = []string{"dst", "q", "k", "v", "n", "pos0", "heads", "kv_heads",
		"dk", "dv", "k_stride", "v_stride", "scale", "scratch"}
)

// Signatures lists every kernel the backend may call, in a fixed order:
// what the JS glue must provide under the "kernels" import module
// (kernels_js.go is generated from it; doc.go).
func Signatures() []Signature {
	var s []Signature
	for _, act := range []dtype.Type{dtype.Q8_0, dtype.Q8_1, dtype.Q8_K, dtype.F16, dtype.BF16} {
		s = append(s, Signature{Name: ConvertKernel(act), Params: rowConversion})
	}
	for _, t := range weightTypes {
		s = append(s, Signature{Name: MatMulKernel(t), Params: matmulParams})
	}
	for _, t := range weightTypes {
		s = append(s, Signature{Name: GetRowsKernel(t), Params: []string{"dst", "table", "ids", "n_ids", "n"}})
	}
	return append(s,
		Signature{Name: KernelAdd, Params: []string{"dst", "a", "b", "rows", "cols", "b_rows"}},
		Signature{Name: KernelMul, Params: []string{"dst", "a", "b", "rows", "cols", "b_rows"}},
		Signature{Name: KernelScale, Params: []string{"dst", "a", "n", "s"}, F32: []int{3}},
		Signature{Name: KernelSiLU, Params: []string{"dst", "x", "rows", "cols"}},
		Signature{Name: KernelSwiGLU, Params: []string{"dst", "gate", "up", "rows", "cols"}},
		Signature{Name: KernelSoftmax, Params: []string{"dst", "x", "rows", "cols"}},
		Signature{Name: KernelRMSNorm, Params: []string{"dst", "x", "w", "rows", "cols", "group", "eps"}, F32: []int{6}},
		Signature{Name: KernelRope, Params: []string{"dst", "x", "rows", "cols", "head_dim", "n_dims", "neox", "cs"}},
		Signature{Name: KernelAttention, Params: attentionParams, F32: []int{12}},
		Signature{Name: KernelAttentionF16, Params: attentionParams, F32: []int{12}},
		Signature{Name: KernelSelfAttentionPrep, Params: []string{"kt", "vr", "k", "v", "n", "heads", "d", "row0", "row1"}},
		Signature{Name: KernelSelfAttention, Params: []string{"dst", "q", "kt", "vr", "n", "heads", "d", "row0", "row1",
			"scale", "scratch"}, F32: []int{9}},
		Signature{Name: KernelLayerNorm, Params: []string{"dst", "x", "w", "b", "rows", "cols", "eps"}, F32: []int{6}},
		Signature{Name: KernelGELU, Params: []string{"dst", "x", "n", "table", "clamp"}},
	)
}

// KernelNames lists the names of Signatures.
func KernelNames() []string {
	var names []string
	for _, s := range Signatures() {
		names = append(names, s.Name)
	}
	return names
}

// kernelSet holds the handles the backend calls.
type kernelSet struct {
	matmul  [64]Kernel // by weight type
	convert [64]Kernel // by activation type
	getRows [64]Kernel // by table type

	add, mul, scale, silu, swiglu, softmax, rmsnorm, rope, attention Kernel
	attentionF16                                                     Kernel
	selfAttentionPrep, selfAttention, layerNorm, gelu                Kernel
}

// resolve looks every kernel of Signatures up; the module must have them
// all (it is built from the same commit as the backend).
func (ks *kernelSet) resolve(dev Device) error {
	got := map[string]Kernel{}
	var missing []string
	for _, s := range Signatures() {
		if k, ok := dev.Kernel(s.Name); ok {
			got[s.Name] = k
		} else {
			missing = append(missing, s.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("arena: the kernel module lacks %d kernels the backend calls: %s (is kernels.wasm out of date?)",
			len(missing), strings.Join(missing, ", "))
	}
	for _, t := range weightTypes {
		ks.matmul[t] = got[MatMulKernel(t)]
		ks.getRows[t] = got[GetRowsKernel(t)]
		act := quant.VecDotType(t)
		if act != dtype.F32 {
			ks.convert[act] = got[ConvertKernel(act)]
		}
	}
	ks.add, ks.mul, ks.scale = got[KernelAdd], got[KernelMul], got[KernelScale]
	ks.silu, ks.swiglu, ks.softmax = got[KernelSiLU], got[KernelSwiGLU], got[KernelSoftmax]
	ks.rmsnorm, ks.rope, ks.attention = got[KernelRMSNorm], got[KernelRope], got[KernelAttention]
	ks.attentionF16 = got[KernelAttentionF16]
	ks.selfAttentionPrep, ks.selfAttention = got[KernelSelfAttentionPrep], got[KernelSelfAttention]
	ks.layerNorm, ks.gelu = got[KernelLayerNorm], got[KernelGELU]
	return nil
}
