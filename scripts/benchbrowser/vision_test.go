package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseImageSize(t *testing.T) {
	if w, h, err := parseImageSize(" 1024X768 "); err != nil || w != 1024 || h != 768 {
		t.Errorf("1024X768: %d, %d, %v", w, h, err)
	}
	for _, bad := range []string{"", "512", "512x", "x512", "0x5", "5x-1", "9000x10", "axb"} {
		if _, _, err := parseImageSize(bad); err == nil || !strings.Contains(err.Error(), "WxH") {
			t.Errorf("%q: %v, want an error asking for WxH", bad, err)
		}
	}
}

// The synthetic picture is a PNG of the asked size, the same bytes every
// time, and not a flat fill.
func TestSyntheticPNG(t *testing.T) {
	a, err := syntheticPNG(96, 64)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := syntheticPNG(96, 64)
	if !bytes.Equal(a, b) {
		t.Error("two synthetic PNGs of the same size differ")
	}
	img, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != 96 || r.Dy() != 64 {
		t.Fatalf("decoded %v, want 96x64", r)
	}
	colours := map[[3]uint32]bool{}
	for y := 0; y < 64; y += 4 {
		for x := 0; x < 96; x += 4 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r, g, b}] = true
		}
	}
	if len(colours) < 200 {
		t.Errorf("only %d distinct colours in 384 samples", len(colours))
	}
	dir := t.TempDir()
	bi, err := prepareImage("", "96x64", dir)
	if err != nil || bi.Width != 96 || bi.Height != 64 || !bi.Synthetic || bi.Bytes != int64(len(a)) || filepath.Dir(bi.Path) != dir {
		t.Errorf("prepareImage: %+v, %v", bi, err)
	}
	// A given file is described, not rewritten.
	bf, err := prepareImage(bi.Path, "", t.TempDir())
	if err != nil || bf.Format != "png" || bf.Width != 96 || bf.Synthetic {
		t.Errorf("prepareImage of a file: %+v, %v", bf, err)
	}
}

func TestVisionAnswerCheckRefusesRunsThatDidSomethingElse(t *testing.T) {
	good := visionAnswer{PromptTokens: 1150, CachedTokens: ptr(0), FirstTokenSeconds: ptr(12.0), PromptSeconds: 11,
		GeneratedTokens: 16, DecodeTokens: 15, DecodeSeconds: 0.5}
	if err := good.check(16); err != nil {
		t.Fatalf("good run: %v", err)
	}
	for _, c := range []struct {
		mutate func(*visionAnswer)
		wants  string
	}{
		{func(a *visionAnswer) { a.CachedTokens = ptr(3) }, "cached prompt tokens"},
		{func(a *visionAnswer) { a.ImagesCached = ptr(1) }, "cache of encoded images"},
		{func(a *visionAnswer) { a.GeneratedTokens = 3 }, "generated 3"},
		{func(a *visionAnswer) { a.FirstTokenSeconds = nil }, "no token was streamed"},
		{func(a *visionAnswer) { a.PromptTokens = 0 }, "prompt positions"},
		{func(a *visionAnswer) { a.DecodeSeconds = 0 }, "non-positive"},
	} {
		a := good
		c.mutate(&a)
		if err := a.check(16); err == nil || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("%v, want an error mentioning %q", err, c.wants)
		}
	}
}

// The encode time is derived the same way for every engine: the prompt's
// time less a text-only prompt as long; an engine's own figure rides along.
func TestVisionFiguresDeriveTheEncodeTime(t *testing.T) {
	a := visionAnswer{PromptTokens: 1100, FirstTokenSeconds: ptr(30.5), PromptSeconds: 30, ImageEncodeSeconds: ptr(21.5),
		ImageInputs: ptr(17), GeneratedTokens: 16, DecodeTokens: 15, DecodeSeconds: 0.6}
	f := a.figures(prefillAnswer{PromptTokens: 1100, PrefillSeconds: 8})
	if f.ImageEncodeS != 22 || f.TextPrefillS != 8 || f.PromptS != 30 || f.FirstTokenS != 30.5 || f.DecodeTokS != 25 {
		t.Errorf("figures %+v: want encode 22, text 8, prompt 30, first token 30.5, decode 25", f)
	}
	if f.ImageEncodeDirectS == nil || *f.ImageEncodeDirectS != 21.5 || *f.ImageInputs != 17 {
		t.Errorf("the engine's own encode time or inputs are lost: %+v", f)
	}
}

func TestVisionSummaryAndRatios(t *testing.T) {
	h := visionResult{Engine: "hearth", Threads: 1, LoadS: ptr(3.0),
		EngineInfo: map[string]any{"vision": map[string]any{"tokensPerImage": 64.0}},
		RunDetails: []visionRunFigures{
			{PromptTokens: 1100, ImageInputs: ptr(17), FirstTokenS: 40, PromptS: 39, TextPrefillS: 8, ImageEncodeS: 31, ImageEncodeDirectS: ptr(30.0), DecodeTokS: 20},
			{PromptTokens: 1100, ImageInputs: ptr(17), FirstTokenS: 30, PromptS: 29, TextPrefillS: 8, ImageEncodeS: 21, ImageEncodeDirectS: ptr(20.0), DecodeTokS: 30},
			{PromptTokens: 1100, ImageInputs: ptr(17), FirstTokenS: 35, PromptS: 34, TextPrefillS: 8, ImageEncodeS: 26, ImageEncodeDirectS: ptr(25.0), DecodeTokS: 25},
		}}
	h.summarize()
	if *h.FirstTokenS != 35 || *h.ImageEncodeS != 26 || *h.ImageEncodeDirectS != 25 || *h.DecodeTokS != 25 || *h.ImagePositions != 17*64 || *h.PromptTokens != 1100 {
		t.Fatalf("hearth's medians: %+v", h)
	}
	w := visionResult{Engine: "wllama", Threads: 1, LoadS: ptr(6.0), RunDetails: []visionRunFigures{
		{PromptTokens: 1100, FirstTokenS: 70, PromptS: 65, TextPrefillS: 13, ImageEncodeS: 52, DecodeTokS: 10},
	}}
	w.summarize()
	if w.ImageEncodeDirectS != nil || w.ImageInputs != nil || w.ImagePositions != nil {
		t.Errorf("wllama has figures it never reported: %+v", w)
	}
	h2 := visionResult{Engine: "hearth", Threads: 2, Error: "boom"}
	rs := visionRatios([]visionResult{h, w, h2}, []int{1, 2})
	if len(rs) != 2 {
		t.Fatalf("%d ratios, want 2: %+v", len(rs), rs)
	}
	if r := rs[0]; r.ImageEncode == nil || *r.ImageEncode != 0.5 || *r.FirstToken != 0.5 || *r.Decode != 2.5 || *r.Load != 0.5 || r.Missing != "" {
		t.Errorf("1 thread: %+v, want encode 0.5, first token 0.5, decode 2.5, load 0.5", r)
	}
	if r := rs[1]; r.ImageEncode != nil || !strings.Contains(r.Missing, "wllama: not run") || !strings.Contains(r.Missing, "boom") {
		t.Errorf("2 threads: %+v, want no figures and both reasons", r)
	}
	rep := visionReport{Model: "t.gguf", MMProj: "m.gguf", Image: benchImage{Name: "i.png", Width: 512, Height: 512}, Results: []visionResult{h, w, h2}, Ratios: rs}
	table := rep.table()
	for _, want := range []string{"hearth         1", "17", "26.00", "25.00", "error: boom", "image encode ×0.50"} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"image_encode_engine_s":25`) || !strings.Contains(string(b), `"image_encode":null`) {
		t.Errorf("JSON: %s", b)
	}
}

func TestServerOffersTheVisionFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{"text.gguf": []byte("text"), "mmproj.gguf": []byte("mmproj"), "pic.png": []byte("png")}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := startServer(dir, filepath.Join(dir, "text.gguf"), filepath.Join(dir, "mmproj.gguf"), filepath.Join(dir, "pic.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	for name, body := range files {
		resp, got := get(t, srv.modelURL(filepath.Join(dir, name)), nil)
		if resp.StatusCode != 200 || !bytes.Equal(got, body) || resp.Header.Get("Cross-Origin-Embedder-Policy") != "require-corp" {
			t.Errorf("%s: %d %q", name, resp.StatusCode, got)
		}
	}
	if resp, _ := get(t, srv.base+modelPath+"other.gguf", nil); resp.StatusCode != 404 {
		t.Errorf("a file not offered: %d", resp.StatusCode)
	}
}

func TestCheckVisionNamesTheProblem(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"t.gguf", "m.gguf", "i.png"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := config{model: filepath.Join(dir, "t.gguf"), mmproj: filepath.Join(dir, "m.gguf"), imageSize: "512x512", decodeTokens: 16}
	if err := good.checkVision(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, c := range []struct {
		mutate func(*config)
		wants  string
	}{
		{func(c *config) { c.mmproj = filepath.Join(dir, "none.gguf") }, "-mmproj"},
		{func(c *config) { c.mmproj = dir }, "is a directory"},
		{func(c *config) { c.image = filepath.Join(dir, "none.png") }, "-image"},
		{func(c *config) { c.imageSize = "big" }, "WxH"},
		{func(c *config) { c.mmproj = c.model }, "different base names"},
		{func(c *config) { c.decodeTokens = 1 }, "-n"},
	} {
		cc := good
		c.mutate(&cc)
		if err := cc.checkVision(); err == nil || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("%v, want an error mentioning %q", err, c.wants)
		}
	}
}
