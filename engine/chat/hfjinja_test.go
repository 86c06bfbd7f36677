//go:build !js

package chat

// The comparison with @huggingface/jinja runs node, so it runs natively
// only (not in the js/wasm test run).

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/internal/testdata"
)

type oracleResult struct {
	Name   string  `json:"name"`
	Output *string `json:"output"`
	Error  string  `json:"error"`
}

// runOracle renders every case with @huggingface/jinja in one node process.
func runOracle(t *testing.T, cases []*renderCase) []oracleResult {
	t.Helper()
	oracle := testdata.OracleDir(t)
	type wireCase struct {
		Name     string          `json:"name"`
		Template string          `json:"template"`
		Context  json.RawMessage `json:"context"`
	}
	var wire []wireCase
	for _, c := range cases {
		ctx, err := buildContext(c.msgs, c.opts, c.argsAsJSON)
		if err != nil {
			t.Fatal(err)
		}
		js, err := toJSON(ctx, defaultJSONOptions())
		if err != nil {
			t.Fatal(err)
		}
		wire = append(wire, wireCase{c.name, c.template, json.RawMessage(js)})
	}
	input, err := json.Marshal(map[string]any{"now": fixedNow.Format(time.RFC3339), "cases": wire})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join("testdata", "hfjinja.mjs"), oracle)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node hfjinja.mjs: %v\n%s", err, stderr.String())
	}
	var results []oracleResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("reading the oracle's output: %v", err)
	}
	if len(results) != len(cases) {
		t.Fatalf("oracle returned %d results for %d cases", len(results), len(cases))
	}
	return results
}

func TestRealTemplatesMatchHuggingFaceJinja(t *testing.T) {
	cases, _ := renderAll(t)
	results := runOracle(t, cases)
	identical := 0
	var differ, oracleFailed []string
	for i, c := range cases {
		res := results[i]
		if res.Name != c.name {
			t.Fatalf("oracle result %d is %q, want %q", i, res.Name, c.name)
		}
		if res.Output == nil {
			oracleFailed = append(oracleFailed, c.name+": "+res.Error)
			continue
		}
		if *res.Output == c.output {
			identical++
			continue
		}
		differ = append(differ, c.name)
		t.Errorf("%s differs from @huggingface/jinja:\n%s", c.name, firstDifference(c.output, *res.Output))
	}
	sort.Strings(differ)
	t.Logf("%d of %d renders identical to @huggingface/jinja; %d differ; @huggingface/jinja failed on %d",
		identical, len(cases), len(differ), len(oracleFailed))
	for _, f := range oracleFailed {
		t.Logf("@huggingface/jinja cannot render %s", f)
	}
	if len(differ) > 0 {
		t.Errorf("renders that differ: %s", strings.Join(differ, ", "))
	}
}

// firstDifference shows where two renders part, with some context.
func firstDifference(ours, theirs string) string {
	i := 0
	for i < len(ours) && i < len(theirs) && ours[i] == theirs[i] {
		i++
	}
	from := max(i-80, 0)
	show := func(s string) string {
		end := min(i+80, len(s))
		return strings.ReplaceAll(s[from:end], "\n", `\n`)
	}
	return "  ours:   …" + show(ours) + "…\n  theirs: …" + show(theirs) + "…"
}
