package catalog

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// goodCatalog returns a fresh, deep copy of the embedded catalog.
func goodCatalog(t *testing.T) *Catalog {
	t.Helper()
	var c Catalog
	if err := json.Unmarshal(embedded, &c); err != nil {
		t.Fatalf("embedded catalog.json does not decode: %v", err)
	}
	return &c
}

func encode(t *testing.T, c *Catalog) []byte {
	t.Helper()
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatalf("encoding catalog: %v", err)
	}
	return data
}

// TestLoadOffersTheModelsTheIssueAsksFor checks the embedded catalog passes
// validation and holds each required model with the right shape.
func TestLoadOffersTheModelsTheIssueAsksFor(t *testing.T) {
	entries, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	byID := map[string]Entry{}
	for _, e := range entries {
		byID[e.ID] = e
	}
	want := []struct {
		id   string
		kind Kind
		arch string
	}{
		{"smollm2-135m-instruct-q8_0", KindText, "llama"},
		{"smollm2-360m-instruct-q8_0", KindText, "llama"},
		{"qwen2.5-0.5b-instruct-q4_k_m", KindText, "qwen2"},
		{"qwen2.5-1.5b-instruct-q4_k_m", KindText, "qwen2"},
		{"llama-3.2-1b-instruct-q4_k_m", KindText, "llama"},
		{"granite-3.1-1b-a400m-instruct-q4_k_m", KindMoE, "granitemoe"},
		{"smolvlm-256m-instruct-q8_0", KindVision, "llama"},
		{"smolvlm-500m-instruct-q8_0", KindVision, "llama"},
	}
	for _, w := range want {
		e, ok := byID[w.id]
		if !ok {
			t.Errorf("catalog has no %q", w.id)
			continue
		}
		if e.Kind != w.kind || e.Architecture != w.arch {
			t.Errorf("%s: kind %q architecture %q, want %q %q", w.id, e.Kind, e.Architecture, w.kind, w.arch)
		}
		if e.Size == 0 || e.TotalSize() == 0 {
			t.Errorf("%s: size unknown; every entry so far has a measured size", w.id)
		}
	}
	if len(entries) != len(want) {
		t.Errorf("catalog has %d entries, want %d", len(entries), len(want))
	}
	// Llama's licence obliges the app to show an attribution.
	if n := byID["llama-3.2-1b-instruct-q4_k_m"].Notice; !strings.Contains(n, "Built with Llama") {
		t.Errorf("llama entry notice %q lacks \"Built with Llama\"", n)
	}
}

func TestTotalSizeAddsTheProjector(t *testing.T) {
	e := Entry{Size: 10, MMProj: &File{Size: 5}}
	if got := e.TotalSize(); got != 15 {
		t.Errorf("TotalSize with mmproj = %d, want 15", got)
	}
	e.MMProj.Size = 0
	if got := e.TotalSize(); got != 0 {
		t.Errorf("TotalSize with unknown mmproj size = %d, want 0", got)
	}
	e = Entry{Size: 7}
	if got := e.TotalSize(); got != 7 {
		t.Errorf("TotalSize without mmproj = %d, want 7", got)
	}
}

// TestParseRoundTrip encodes the loaded entries again and expects Parse to
// give back exactly the same values: every field has a JSON name.
func TestParseRoundTrip(t *testing.T) {
	entries, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	again, err := Parse(encode(t, &Catalog{Version: SchemaVersion, Models: entries}))
	if err != nil {
		t.Fatalf("Parse of re-encoded catalog: %v", err)
	}
	if !reflect.DeepEqual(entries, again) {
		t.Errorf("round trip changed the entries")
	}
}

func TestParseRejectsMalformedDocuments(t *testing.T) {
	good := string(embedded)
	cases := []struct {
		name, doc, want string
	}{
		{"empty", "", "decoding JSON"},
		{"truncated", good[:len(good)/2], "decoding JSON"},
		{"not an object", "[]", "decoding JSON"},
		{"null", "null", "version"},
		{"trailing data", good + " {}", "continues after"},
		{"unknown top-level field", strings.Replace(good, `"version": 1,`, `"version": 1, "extra": true,`, 1), `unknown field "extra"`},
		{"misspelt entry field", strings.Replace(good, `"sha256": "48ab`, `"sha265": "48ab`, 1), `unknown field "sha265"`},
		{"negative size", strings.Replace(good, `"size": 386404992`, `"size": -1`, 1), "decoding JSON"},
		{"size as text", strings.Replace(good, `"size": 386404992`, `"size": "386404992"`, 1), "decoding JSON"},
		{"wrong version", strings.Replace(good, `"version": 1,`, `"version": 2,`, 1), "version: is 2"},
		{"no models", `{"version": 1, "models": []}`, "models: is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			entries, err := Parse([]byte(tc.doc))
			if err == nil {
				t.Fatalf("Parse accepted it")
			}
			if entries != nil {
				t.Errorf("Parse returned %d entries with its error", len(entries))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// FuzzParse feeds arbitrary bytes to Parse: it must return entries or an
// error, never panic, and whatever it accepts must validate again.
func FuzzParse(f *testing.F) {
	f.Add(embedded)
	f.Add([]byte(`{"version":1,"models":[{"id":"a","mmproj":{}}]}`))
	f.Add([]byte(`{"version":1,"models":[{"url":"https://huggingface.co/a/b/resolve/main/%2F.gguf"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Parse(data)
		if err != nil {
			if entries != nil {
				t.Fatalf("entries returned with error %v", err)
			}
			return
		}
		c := Catalog{Version: SchemaVersion, Models: entries}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted entries fail validation: %v", err)
		}
	})
}
