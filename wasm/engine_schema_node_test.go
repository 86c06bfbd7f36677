//go:build !js

package wasm_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/sample/constrain"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// nodeSchemaAction is a small action schema: the browser engine must only
// ever produce documents of it.
const nodeSchemaAction = `{"oneOf":[` +
	`{"type":"object","properties":{"action":{"const":"click"},"target":{"type":"object","properties":{"index":{"type":"integer","minimum":0,"maximum":99}},"required":["index"],"additionalProperties":false}},"required":["action","target"],"additionalProperties":false},` +
	`{"type":"object","properties":{"action":{"const":"type"},"target":{"type":"object","properties":{"label":{"type":"string","minLength":1,"maxLength":20}},"required":["label"],"additionalProperties":false},"text":{"type":"string","maxLength":30}},"required":["action","target","text"],"additionalProperties":false},` +
	`{"type":"object","properties":{"action":{"const":"done"},"answer":{"type":"string","maxLength":40}},"required":["action","answer"],"additionalProperties":false}]}`

// The browser engine's constrained generation, under Node: greedy and
// sampled (up to temperature 5, nothing truncated) outputs are complete
// documents of the schema that parse as JSON; greedy gives the ids and
// text `hearth generate --schema --temp 0` gives; a schema the engine
// cannot compile, or one that is not text, is an error that says so.
func TestEngineSchemaUnderNode(t *testing.T) {
	node, cli, dir := nodeAndCLI(t)
	assets := engineAssets(t)
	root, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	schemaPath := filepath.Join(dir, "schema.json")
	if err := os.WriteFile(schemaPath, []byte(nodeSchemaAction), 0o644); err != nil {
		t.Fatal(err)
	}
	schema, err := constrain.Compile([]byte(nodeSchemaAction))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "llama.gguf")
	spec := synth.Spec{Arch: synth.Llama, VocabPath: filepath.Join(testdata.VocabDir(t), "ggml-vocab-llama-bpe.gguf"),
		NEmbd: 128, NLayer: 1, NHead: 2, NHeadKV: 1, NFF: 256, Type: dtype.Q8_0, Seed: 9}
	if err := synth.WriteFile(path, spec); err != nil {
		t.Fatal(err)
	}
	const prompt = "Click the second button. Action:"
	samplings := `[{"temperature":0},{"temperature":0.8,"topK":40,"topP":0.95,"minP":0.05,"seed":1},` +
		`{"temperature":1.5,"seed":2},{"temperature":5,"seed":3},{"temperature":5,"seed":4}]`
	cmd := exec.Command(node, filepath.Join("testdata", "node_schema.mjs"), assets,
		filepath.Join(root, "web", "engine", "runtime.js"), path, schemaPath, samplings, prompt)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got struct {
		Runs []struct {
			IDs      []int32 `json:"ids"`
			Text     string  `json:"text"`
			Stop     string  `json:"stop"`
			Complete bool    `json:"complete"`
		} `json:"runs"`
		BadSchemaError string `json:"badSchemaError"`
		BadTypeError   string `json:"badTypeError"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	if len(got.Runs) != 5 {
		t.Fatalf("%d runs, want 5", len(got.Runs))
	}
	for i, r := range got.Runs {
		t.Logf("run %d: %d tokens, stop %s: %s", i, len(r.IDs), r.Stop, r.Text)
		st := schema.NewState()
		var v map[string]any
		if err := st.Feed([]byte(r.Text)); err != nil || !st.Complete() || json.Unmarshal([]byte(r.Text), &v) != nil {
			t.Fatalf("run %d: %q is not a complete document of the schema (%v)", i, r.Text, err)
		}
		if !r.Complete || (r.Stop != "done" && r.Stop != "eog") {
			t.Fatalf("run %d: complete %v, stop %q", i, r.Complete, r.Stop)
		}
	}
	var want struct {
		IDs  []int32 `json:"ids"`
		Text string  `json:"text"`
	}
	cliOut, err := exec.Command(cli, "generate", "-m", path, "--prompt", prompt, "--schema", schemaPath, "--temp", "0", "--ctx", "1024").Output()
	if err != nil {
		t.Fatalf("hearth generate --schema: %v", err)
	}
	if err := json.Unmarshal(cliOut, &want); err != nil {
		t.Fatalf("hearth generate printed %q: %v", cliOut, err)
	}
	if g := got.Runs[0]; !slices.Equal(g.IDs, want.IDs) || g.Text != want.Text {
		t.Fatalf("greedy: the engine made %v %q, hearth generate %v %q", g.IDs, g.Text, want.IDs, want.Text)
	}
	if !strings.Contains(got.BadSchemaError, `"format"`) || !strings.Contains(got.BadTypeError, "schema must be") {
		t.Fatalf("bad schemas: %q and %q; want errors naming the keyword and the type", got.BadSchemaError, got.BadTypeError)
	}
}
