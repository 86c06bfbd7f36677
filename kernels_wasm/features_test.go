package kernels

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// web/engine/features.js tells the engine worker which kernel module to
// load. Its probe module is built here; the tests check that the bytes it
// holds are these, and, under Node with and without relaxed SIMD, that it
// says "relaxed" exactly when the engine accepts the relaxed-SIMD build,
// and that it names the files wasm/buildweb writes.

const featuresJS = "../web/engine/features.js"

// featureProbe is the module of features.js: probe(a_lo, a_hi, b_lo,
// b_hi i64) i32 is 1 when i16x8.relaxed_dot_i8x16_i7x16_s of the vectors
// a and b (two i64 lanes each) equals their pair sums computed with
// SIMD128 instructions of fixed meaning (widening products, pairwise
// adds), lane for lane. The relaxed dot is done four times, each operand
// a local or a value just computed: engines have miscompiled it only for
// some register assignments (V8 11.3's baseline compiler without AVX
// overwrote a with b when the result took a's register).
func featureProbe() ([]byte, error) {
	m := NewModule()
	m.EnableRelaxedSIMD()
	f := m.Func("probe", []ValType{I64, I64, I64, I64}, I32)
	vec := func(lo, hi int) { // pushes the vector of two i64 params
		f.Do(LocalGet(f.Param(lo)), I64x2Splat, LocalGet(f.Param(hi)), I64x2ReplaceLane(1))
	}
	a, b, lo, hi, ok := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	vec(0, 1)
	f.Do(LocalSet(a))
	vec(2, 3)
	f.Do(
		LocalSet(b),
		LocalGet(a), LocalGet(b), I16x8ExtmulLowI8x16S, I32x4ExtaddPairwiseI16x8S, LocalSet(lo),
		LocalGet(a), LocalGet(b), I16x8ExtmulHighI8x16S, I32x4ExtaddPairwiseI16x8S, LocalSet(hi),
		V128Const([16]byte{0: 0xff, 1: 0xff, 2: 0xff, 3: 0xff, 4: 0xff, 5: 0xff, 6: 0xff, 7: 0xff,
			8: 0xff, 9: 0xff, 10: 0xff, 11: 0xff, 12: 0xff, 13: 0xff, 14: 0xff, 15: 0xff}), LocalSet(ok),
	)
	for _, fresh := range [][2]bool{{true, true}, {true, false}, {false, true}, {false, false}} {
		if fresh[0] {
			vec(0, 1)
		} else {
			f.Do(LocalGet(a))
		}
		if fresh[1] {
			vec(2, 3)
		} else {
			f.Do(LocalGet(b))
		}
		r := f.NewLocal(V128)
		f.Do(
			I16x8RelaxedDotI8x16I7x16S, LocalTee(r), I32x4ExtendLowI16x8S, LocalGet(lo), I32x4Eq,
			LocalGet(r), I32x4ExtendHighI16x8S, LocalGet(hi), I32x4Eq, V128And,
			LocalGet(ok), V128And, LocalSet(ok),
		)
	}
	f.Do(LocalGet(ok), I32x4AllTrue)
	m.ExportFunc("probe", f)
	return m.Encode()
}

// The probe bytes in features.js are what featureProbe builds.
func TestFeatureProbeInFeaturesJS(t *testing.T) {
	want, err := featureProbe()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(featuresJS)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)const probeModule = new Uint8Array\(\[(.*?)\]\);`).FindSubmatch(src)
	var got []byte
	if m != nil {
		for _, f := range strings.FieldsFunc(string(m[1]), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
			v, err := strconv.ParseUint(f, 0, 8)
			if err != nil {
				t.Fatalf("probeModule: %q is not a byte", f)
			}
			got = append(got, byte(v))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("features.js's probeModule is not the module featureProbe builds; it should read:\n%s", jsBytes(want))
	}
}

// jsBytes formats b as features.js holds it.
func jsBytes(b []byte) string {
	var s strings.Builder
	s.WriteString("const probeModule = new Uint8Array([")
	for i, v := range b {
		if i%16 == 0 {
			s.WriteString("\n ")
		}
		fmt.Fprintf(&s, " 0x%02x,", v)
	}
	s.WriteString("\n]);")
	return s.String()
}

// featuresReport is what testdata/features_check.mjs prints.
type featuresReport struct {
	HasRelaxedSimd bool              `json:"hasRelaxedSimd"`
	Valid          map[string]bool   `json:"valid"` // WebAssembly.validate of each build
	Files          map[string]string `json:"files"` // kernelFile(shared, relaxed) for "shared,relaxed"
	Default        [2]string         `json:"default"`
}

// kernelBuilds are the four kernel files and their options.
var kernelBuilds = map[string]Options{
	"kernels.wasm": {}, "kernels_shared.wasm": {SharedMemory: true},
	"kernels_relaxed.wasm": {Relaxed: true}, "kernels_relaxed_shared.wasm": {Relaxed: true, SharedMemory: true},
}

// writeKernelBuilds writes the four builds into a temporary directory.
func writeKernelBuilds(t *testing.T) string {
	dir := t.TempDir()
	for name, o := range kernelBuilds {
		if err := os.WriteFile(filepath.Join(dir, name), buildFor(t, o), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// features runs testdata/features_check.mjs on the builds in dir, with
// Node's relaxed-SIMD flag or not and the V8 flags v8.
func features(t *testing.T, dir string, withFlag bool, v8 ...string) featuresReport {
	t.Helper()
	flags, err := nodeFlags()
	if err != nil {
		t.Fatal("node is needed to check features.js: ", err)
	}
	js, err := filepath.Abs(featuresJS)
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	if withFlag {
		args = slices.Clone(flags)
	}
	args = append(append(args, v8...), filepath.Join("testdata", "features_check.mjs"), js, dir)
	out, err := exec.Command("node", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("node %v: %v\n%s", args, err, out)
	}
	var rep featuresReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("features_check.mjs printed %q: %v", out, err)
	}
	return rep
}

func TestFeaturesUnderNode(t *testing.T) {
	flags, err := nodeFlags()
	if err != nil {
		t.Fatal("node is needed to check features.js: ", err)
	}
	dir := writeKernelBuilds(t)
	// With the flag Node 20 has relaxed SIMD; without it, not (later
	// versions have it either way).
	for _, withFlag := range []bool{true, false} {
		rep := features(t, dir, withFlag)
		for name, o := range kernelBuilds {
			valid, ok := rep.Valid[name]
			switch {
			case !ok:
				t.Errorf("flag %v: %s not validated", withFlag, name)
			case !o.Relaxed && !valid:
				t.Errorf("flag %v: Node refuses the plain build %s", withFlag, name)
			case o.Relaxed && valid != rep.HasRelaxedSimd:
				t.Errorf("flag %v: hasRelaxedSimd() = %v but WebAssembly.validate(%s) = %v", withFlag, rep.HasRelaxedSimd, name, valid)
			}
		}
		if withFlag && !rep.HasRelaxedSimd {
			t.Errorf("hasRelaxedSimd() is false with %v", flags)
		}
		if !withFlag && len(flags) > 0 && rep.HasRelaxedSimd {
			t.Errorf("hasRelaxedSimd() is true without %v", flags)
		}
		for key, want := range map[string]string{
			"false,false": "kernels.wasm", "true,false": "kernels_shared.wasm",
			"false,true": "kernels_relaxed.wasm", "true,true": "kernels_relaxed_shared.wasm",
		} {
			if got := rep.Files[key]; got != want {
				t.Errorf("kernelFile(%s) = %q, want %q", key, got, want)
			}
		}
		for i, shared := range []bool{false, true} {
			if want := rep.Files[fmt.Sprintf("%v,%v", shared, rep.HasRelaxedSimd)]; rep.Default[i] != want {
				t.Errorf("flag %v: kernelFile(%v) = %q, want %q", withFlag, shared, rep.Default[i], want)
			}
		}
	}
}

// Where hasRelaxedSimd() says yes, the relaxed build computes right: under
// V8's optimizing compiler and under its baseline compiler alone (where
// every kernel's first calls run), with AVX and without (the engine's
// other code paths), it is right or features.js refuses it. V8 11.3
// (Node 20) gets the relaxed dot wrong in its baseline compiler without
// AVX: there the kernels are wrong and the probe must say no.
func TestFeaturesGuardTheKernels(t *testing.T) {
	help, err := exec.Command("node", "--v8-options").Output()
	if err != nil {
		t.Fatal("node is needed: ", err)
	}
	dir := writeKernelBuilds(t)
	relaxed := buildFor(t, Options{Relaxed: true})
	r := newNodeRun(64, 9)
	for _, qt := range quantTypes {
		addQuantCases(t, r, qt.t, qt.name)
	}
	usable := 0
	for _, v8 := range [][]string{nil, {"--liftoff-only"}, {"--no-enable-avx"}, {"--liftoff-only", "--no-enable-avx"}} {
		known := true
		for _, fl := range v8 {
			// V8 lists its boolean flags by their positive names
			known = known && strings.Contains(string(help), strings.Replace(fl, "--no-", "--", 1)+" ")
		}
		if !known {
			t.Logf("this Node has no V8 flag among %v: not tried", v8)
			continue
		}
		rep := features(t, dir, true, v8...)
		mem, _ := r.runUnderNode(t, relaxed, Options{Relaxed: true}, v8...)
		wrong, msgs := r.diff(mem)
		t.Logf("V8 flags %v: hasRelaxedSimd() %v, %d wrong outputs of the relaxed build", v8, rep.HasRelaxedSimd, wrong)
		if rep.HasRelaxedSimd && wrong > 0 {
			t.Errorf("V8 flags %v: hasRelaxedSimd() says yes, but the relaxed build is wrong: %s", v8, strings.Join(msgs, "; "))
		}
		if rep.HasRelaxedSimd && wrong == 0 {
			usable++
		}
	}
	if usable == 0 {
		t.Error("hasRelaxedSimd() refused relaxed SIMD in every configuration")
	}
}
