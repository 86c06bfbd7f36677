package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGenerateSchema: with --schema every output is a complete document
// of the schema, greedy or sampled, even from a model that wants to stop
// at once; a schema the compiler refuses is an error naming the keyword.
func TestGenerateSchema(t *testing.T) {
	path := testModel{}.write(t)
	eos := testModel{eosBias: 1000}.write(t)
	dir := t.TempDir()
	schemaPath := filepath.Join(dir, "schema.json")
	schema := `{"type":"object","properties":{"w":{"enum":["left","right"]},"n":{"type":"integer","minimum":0,"maximum":99},"s":{"type":"string","maxLength":5}},"required":["w","n"],"additionalProperties":false}`
	if err := os.WriteFile(schemaPath, []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	type result struct {
		IDs      []int32
		Text     string
		Stop     string
		Complete *bool
	}
	runs := [][]string{
		{"-m", path, "--tokens", "1,260", "--temp", "0"},
		{"-m", eos, "--tokens", "1,260", "--temp", "0"},
	}
	for _, seed := range []string{"1", "2", "3"} {
		runs = append(runs, []string{"-m", path, "--tokens", "1,261", "--temp", "5", "--top-k", "0", "--top-p", "1", "--min-p", "0", "--seed", seed})
	}
	for _, args := range runs {
		var res result
		ok(t, &res, append([]string{"generate", "--schema", schemaPath}, args...)...)
		var doc struct {
			W *string
			N *int
			S *string
		}
		dec := json.NewDecoder(strings.NewReader(res.Text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil || dec.More() {
			t.Fatalf("%v: text %q does not parse as the schema's object: %v", args, res.Text, err)
		}
		if doc.W == nil || (*doc.W != "left" && *doc.W != "right") || doc.N == nil || *doc.N < 0 || *doc.N > 99 ||
			(doc.S != nil && len([]rune(*doc.S)) > 5) {
			t.Fatalf("%v: %q does not validate", args, res.Text)
		}
		t.Logf("%v: %q (%s)", args[1:], res.Text, res.Stop)
		if res.Complete == nil || !*res.Complete || (res.Stop != "done" && res.Stop != "eog") {
			t.Fatalf("%v: complete %v, stop %q; want a complete document", args, res.Complete, res.Stop)
		}
		if args[1] == eos && (res.Stop != "done" || slices.Contains(res.IDs, eosID)) {
			t.Fatalf("a model that always wants EOS: stop %q, ids %v; want the whole document, no EOS, stop done", res.Stop, res.IDs)
		}
	}

	// -n cuts a document short: the answer says it is not complete.
	var short result
	ok(t, &short, "generate", "--schema", schemaPath, "-m", path, "--tokens", "1,260", "-n", "3")
	if short.Complete == nil || *short.Complete || short.Stop != "length" || len(short.IDs) != 3 {
		t.Fatalf("-n 3: %+v; want 3 tokens, stop length, complete false", short)
	}

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"type":"string","pattern":"^a"}`), 0o644)
	for _, c := range []struct{ file, want string }{
		{bad, `"pattern"`},
		{filepath.Join(dir, "missing.json"), "no such file"},
	} {
		out, errs, code := runCLI("generate", "--schema", c.file, "-m", path, "--tokens", "1")
		if code != exitError || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("--schema %s: exit %d, stdout %q, stderr %q; want an error mentioning %s", c.file, code, out, errs, c.want)
		}
	}
}
