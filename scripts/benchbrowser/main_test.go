package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseFlagsLists(t *testing.T) {
	if got, err := parseThreads(" 1, 2 ,4"); err != nil || len(got) != 3 || got[2] != 4 {
		t.Errorf("parseThreads = %v, %v", got, err)
	}
	for _, bad := range []string{"", "0", "x", "1,-2", "65"} {
		if _, err := parseThreads(bad); err == nil {
			t.Errorf("parseThreads(%q) passed", bad)
		}
	}
	if got, err := parseEngines("wllama,hearth,wllama"); err != nil || strings.Join(got, " ") != "wllama hearth" {
		t.Errorf("parseEngines = %v, %v", got, err)
	}
	for _, bad := range []string{"", ",", "../x", "Wllama"} {
		if _, err := parseEngines(bad); err == nil {
			t.Errorf("parseEngines(%q) passed", bad)
		}
	}
}

func TestConfigCheckNamesTheProblem(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.gguf")
	web := filepath.Join(dir, "web")
	chromium := filepath.Join(dir, "chromium")
	for _, f := range []string{model, chromium, filepath.Join(web, "bench", "hearth.html")} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	good := config{model: model, webDir: web, chromium: chromium, engines: []string{"hearth"}, threads: []int{1},
		runs: 3, promptTokens: 128, decodeTokens: 64, nCtx: 512, simd: "auto"}
	if err := good.check(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, c := range []struct {
		mutate func(*config)
		wants  string
	}{
		{func(c *config) { c.model = "" }, "-model is required"},
		{func(c *config) { c.model = filepath.Join(dir, "none.gguf") }, "none.gguf"},
		{func(c *config) { c.model = dir }, "is a directory"},
		{func(c *config) { c.chromium = filepath.Join(dir, "nochrome") }, "apt-get install -y chromium"},
		{func(c *config) { c.engines = []string{"other"} }, "no page"},
		{func(c *config) { c.engines = []string{"wllama"} }, "no page"},
		{func(c *config) { c.runs = 0 }, "-runs"},
		{func(c *config) { c.simd = "fast" }, "-simd"},
		{func(c *config) { c.nCtx = 100 }, "do not fit"},
	} {
		cc := good
		c.mutate(&cc)
		if err := cc.check(); err == nil || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("%v, want an error mentioning %q", err, c.wants)
		}
	}
}

func TestWllamaNeedsItsPackage(t *testing.T) {
	dir := t.TempDir()
	web := filepath.Join(dir, "web")
	page := filepath.Join(web, "bench", "wllama.html")
	if err := os.MkdirAll(filepath.Dir(page), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{page, filepath.Join(dir, "m.gguf")} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := config{model: filepath.Join(dir, "m.gguf"), webDir: web, chromium: page, engines: []string{"wllama"}, threads: []int{1},
		runs: 1, promptTokens: 8, decodeTokens: 4, nCtx: 64}
	if err := c.check(); err == nil || !strings.Contains(err.Error(), "npm ci") {
		t.Errorf("%v, want an error saying to run npm ci", err)
	}
}

func TestTheRepositoryHasAPageForEachEngine(t *testing.T) {
	for _, e := range []string{"hearth", "wllama"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "web", "bench", e+".html"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `src="harness.js"`) || !strings.Contains(string(b), e+".js") {
			t.Errorf("%s.html does not load harness.js and %s.js", e, e)
		}
	}
}
