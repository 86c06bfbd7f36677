package catalog

import (
	"errors"
	"strings"
	"testing"
)

// entryByID returns a pointer into c so a test can break one entry.
func entryByID(t *testing.T, c *Catalog, id string) *Entry {
	t.Helper()
	for i := range c.Models {
		if c.Models[i].ID == id {
			return &c.Models[i]
		}
	}
	t.Fatalf("catalog has no entry %q", id)
	return nil
}

// validationErrors unpacks the joined error Parse returns.
func validationErrors(t *testing.T, err error) []*ValidationError {
	t.Helper()
	var out []*ValidationError
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			var v *ValidationError
			if !errors.As(e, &v) {
				t.Fatalf("joined error %v is not a *ValidationError", e)
			}
			out = append(out, v)
		}
		return out
	}
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("error %v is not a *ValidationError", err)
	}
	return []*ValidationError{v}
}

const (
	smol135 = "smollm2-135m-instruct-q8_0"
	smol360 = "smollm2-360m-instruct-q8_0"
	llama   = "llama-3.2-1b-instruct-q4_k_m"
	granite = "granite-3.1-1b-a400m-instruct-q4_k_m"
	vlm256  = "smolvlm-256m-instruct-q8_0"
	vlm500  = "smolvlm-500m-instruct-q8_0"
)

// TestValidateNamesEachProblem breaks the good catalog in one way at a time
// and expects exactly one error, naming the broken field and the problem.
func TestValidateNamesEachProblem(t *testing.T) {
	cases := []struct {
		name    string
		id      string // the entry broken; "" for the catalog as a whole
		field   string
		problem string
		breakIt func(t *testing.T, c *Catalog)
	}{
		{"duplicate id", smol135, "id", "duplicates models[0]", func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol360).ID = smol135
		}},
		{"empty id", "", "id", "is empty", func(t *testing.T, c *Catalog) { entryByID(t, c, smol135).ID = "" }},
		{"upper-case id", "SmolLM2", "id", "lower-case", func(t *testing.T, c *Catalog) { entryByID(t, c, smol135).ID = "SmolLM2" }},
		{"id with a slash", "a/b", "id", "lower-case", func(t *testing.T, c *Catalog) { entryByID(t, c, smol135).ID = "a/b" }},
		{"empty name", smol135, "name", "is empty", func(t *testing.T, c *Catalog) { entryByID(t, c, smol135).Name = " " }},
		{"unknown kind", smol135, "kind", `"audio"`, func(t *testing.T, c *Catalog) { entryByID(t, c, smol135).Kind = "audio" }},
		{"bad architecture", smol135, "architecture", "lower-case", func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol135).Architecture = "Llama 3"
		}},
		{"empty parameters", smol135, "parameters", "is empty", func(t *testing.T, c *Catalog) { entryByID(t, c, smol135).Parameters = "" }},
		{"http url", smol135, "url", "https", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, smol135)
			e.URL = strings.Replace(e.URL, "https://", "http://", 1)
		}},
		{"url on another host", smol135, "url", "huggingface.co", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, smol135)
			e.URL = strings.Replace(e.URL, "huggingface.co", "hf-mirror.com", 1)
		}},
		{"blob url instead of resolve", smol135, "url", "resolve/main", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, smol135)
			e.URL = strings.Replace(e.URL, "/resolve/", "/blob/", 1)
		}},
		{"url pinned to another branch", smol135, "url", "resolve/main", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, smol135)
			e.URL = strings.Replace(e.URL, "/main/", "/9e6855bc4be717fca1ef21360a1db4b29d5c559a/", 1)
		}},
		{"url with a query", smol135, "url", "query", func(t *testing.T, c *Catalog) { entryByID(t, c, smol135).URL += "?download=true" }},
		{"url with credentials", smol135, "url", "credentials", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, smol135)
			e.URL = strings.Replace(e.URL, "https://", "https://user:pw@", 1)
		}},
		{"url to a subdirectory", smol135, "url", "form", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, smol135)
			e.URL = strings.Replace(e.URL, "/main/", "/main/sub/", 1)
		}},
		{"url not a gguf", smol135, "url", ".gguf", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, smol135)
			e.URL = strings.TrimSuffix(e.URL, ".gguf") + ".bin"
		}},
		{"duplicate url", smol360, "url", "duplicates models[0]", func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol360).URL = entryByID(t, c, smol135).URL
		}},
		{"quantization not in file name", smol135, "quantization", "does not say so", func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol135).Quantization = "Q4_K_M"
		}},
		{"unknown quantization", smol135, "quantization", "not a scheme", func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol135).Quantization = "IQ2_XS"
		}},
		{"upper-case sha256", smol135, "sha256", "64 lower-case hex", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, smol135)
			e.SHA256 = strings.ToUpper(e.SHA256)
		}},
		{"short sha256", smol135, "sha256", "64 lower-case hex", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, smol135)
			e.SHA256 = e.SHA256[:63]
		}},
		{"non-hex sha256", smol135, "sha256", "64 lower-case hex", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, smol135)
			e.SHA256 = "g" + e.SHA256[1:]
		}},
		{"short revision", smol135, "revision", "40-digit", func(t *testing.T, c *Catalog) { entryByID(t, c, smol135).Revision = "9e6855b" }},
		{"no licence", smol135, "licence.id", "must name its licence", func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol135).Licence.ID = ""
		}},
		{"licence name instead of id", smol135, "licence.id", "no spaces", func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol135).Licence.ID = "Apache License 2.0"
		}},
		{"licence url not https", smol135, "licence.url", "https", func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol135).Licence.URL = "http://www.apache.org/licenses/LICENSE-2.0"
		}},
		{"no context length", smol135, "context_length", "positive", func(t *testing.T, c *Catalog) { entryByID(t, c, smol135).Context = 0 }},
		{"foreign chat template", smol135, "chat_template", `"chatml"`, func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol135).ChatTemplate = "chatml"
		}},
		{"vision without mmproj", vlm256, "mmproj", "is missing", func(t *testing.T, c *Catalog) { entryByID(t, c, vlm256).MMProj = nil }},
		{"text with mmproj", smol135, "mmproj", "only vision entries", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, smol135)
			p := *entryByID(t, c, vlm256).MMProj
			e.MMProj = &p
			e.Source.MMProj = "borrowed"
		}},
		{"mmproj from another repository", vlm256, "mmproj.url", "is in repository", func(t *testing.T, c *Catalog) {
			*entryByID(t, c, vlm256).MMProj = *entryByID(t, c, vlm500).MMProj
		}},
		{"mmproj is the model", vlm256, "mmproj.url", "model's own url", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, vlm256)
			e.MMProj.URL = e.URL
		}},
		{"mmproj url not https", vlm256, "mmproj.url", "https", func(t *testing.T, c *Catalog) {
			e := entryByID(t, c, vlm256)
			e.MMProj.URL = strings.Replace(e.MMProj.URL, "https:", "http:", 1)
		}},
		{"mmproj quantization mislabelled", vlm256, "mmproj.quantization", "does not say so", func(t *testing.T, c *Catalog) {
			entryByID(t, c, vlm256).MMProj.Quantization = "F16"
		}},
		{"mmproj bad sha256", vlm256, "mmproj.sha256", "64 lower-case hex", func(t *testing.T, c *Catalog) {
			entryByID(t, c, vlm256).MMProj.SHA256 = "abc"
		}},
		{"moe without active parameters", granite, "active_parameters", "is empty", func(t *testing.T, c *Catalog) {
			entryByID(t, c, granite).ActiveParams = ""
		}},
		{"dense model with active parameters", llama, "active_parameters", "only moe", func(t *testing.T, c *Catalog) {
			entryByID(t, c, llama).ActiveParams = "1B"
		}},
		{"more than 4 GiB", vlm500, "size", "4 GiB", func(t *testing.T, c *Catalog) {
			entryByID(t, c, vlm500).Size = 4<<30 - 1
		}},
		{"sha256 without its source", smol135, "source.sha256", "which publisher page", func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol135).Source.SHA256 = ""
		}},
		{"size without its source", smol135, "source.size", "published or measured", func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol135).Source.Size = ""
		}},
		{"no reason for the file", smol135, "source.file", "is empty", func(t *testing.T, c *Catalog) { entryByID(t, c, smol135).Source.File = "" }},
		{"licence without its source", smol135, "source.licence", "is empty", func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol135).Source.Licence = ""
		}},
		{"context length without its source", smol135, "source.context_length", "is empty", func(t *testing.T, c *Catalog) {
			entryByID(t, c, smol135).Source.Context = ""
		}},
		{"mmproj without its source", vlm256, "source.mmproj", "is empty", func(t *testing.T, c *Catalog) {
			entryByID(t, c, vlm256).Source.MMProj = ""
		}},
		{"unknown version", "", "version", "is 3", func(t *testing.T, c *Catalog) { c.Version = 3 }},
		{"no models", "", "models", "is empty", func(t *testing.T, c *Catalog) { c.Models = nil }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := goodCatalog(t)
			tc.breakIt(t, c)
			entries, err := Parse(encode(t, c))
			if err == nil {
				t.Fatalf("Parse accepted the broken catalog")
			}
			if entries != nil {
				t.Errorf("Parse returned entries with its error")
			}
			problems := validationErrors(t, err)
			if len(problems) != 1 {
				t.Fatalf("got %d problems, want exactly 1: %v", len(problems), err)
			}
			p := problems[0]
			if p.Field != tc.field {
				t.Errorf("problem is about field %q, want %q (%v)", p.Field, tc.field, p)
			}
			if tc.id != "" && p.ID != tc.id {
				t.Errorf("problem names entry %q, want %q (%v)", p.ID, tc.id, p)
			}
			if tc.id == "" && tc.field != "id" && p.Index != -1 {
				t.Errorf("problem is about models[%d], want the catalog as a whole (%v)", p.Index, p)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.field) || !strings.Contains(msg, tc.problem) {
				t.Errorf("message %q should name field %q and say %q", msg, tc.field, tc.problem)
			}
		})
	}
}

// TestValidateReportsEveryProblem breaks two entries at once and expects
// both problems in one error.
func TestValidateReportsEveryProblem(t *testing.T) {
	c := goodCatalog(t)
	entryByID(t, c, smol135).SHA256 = "nope"
	entryByID(t, c, granite).Licence.ID = ""
	_, err := Parse(encode(t, c))
	if err == nil {
		t.Fatal("Parse accepted two broken entries")
	}
	problems := validationErrors(t, err)
	if len(problems) != 2 {
		t.Fatalf("got %d problems, want 2: %v", len(problems), err)
	}
	got := map[string]string{}
	for _, p := range problems {
		got[p.ID] = p.Field
	}
	if got[smol135] != "sha256" || got[granite] != "licence.id" {
		t.Errorf("problems %v, want sha256 on %s and licence.id on %s", got, smol135, granite)
	}
}

func TestValidationErrorMessage(t *testing.T) {
	e := &ValidationError{Index: 2, ID: "x", Field: "url", Problem: "must use https"}
	if got, want := e.Error(), `catalog: models[2] (id "x"): url: must use https`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = &ValidationError{Index: -1, Field: "version", Problem: "is 2"}
	if got, want := e.Error(), "catalog: version: is 2"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParseHFURL(t *testing.T) {
	f, err := parseHFURL("https://huggingface.co/ggml-org/SmolVLM-256M-Instruct-GGUF/resolve/main/mmproj-SmolVLM-256M-Instruct-Q8_0.gguf")
	if err != nil {
		t.Fatalf("good url rejected: %v", err)
	}
	if f.Repo != "ggml-org/SmolVLM-256M-Instruct-GGUF" || f.Name != "mmproj-SmolVLM-256M-Instruct-Q8_0.gguf" {
		t.Errorf("parsed %+v", f)
	}
	bad := map[string]string{
		"":                                       "empty",
		"huggingface.co/a/b/resolve/main/c.gguf": "https",
		"https://huggingface.co:444/a/b/resolve/main/c.gguf":  "host",
		"https://HuggingFace.co/a/b/resolve/main/c.gguf":      "host",
		"https://huggingface.co/a/b/resolve/main/x%2Fc.gguf":  "form",
		"https://huggingface.co/a/../resolve/main/c.gguf":     "relative",
		"https://huggingface.co/a/b/resolve/main/c.gguf#frag": "fragment",
		"https://huggingface.co/a/b/resolve/main/c.GGUF":      ".gguf",
		"https://huggingface.co/%zz":                          "not a URL",
	}
	for raw, want := range bad {
		if _, err := parseHFURL(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseHFURL(%q) = %v, want an error mentioning %q", raw, err, want)
		}
	}
}
