package catalog

// Kind says what a model does for the user, and so which parts of the engine
// it needs.
type Kind string

// The kinds of model the catalog holds.
const (
	KindText   Kind = "text"   // a dense chat model
	KindVision Kind = "vision" // a chat model with an mmproj image encoder beside it
	KindMoE    Kind = "moe"    // a chat model whose feed-forward is a mixture of experts
)

// TemplateFromGGUF means the chat template is the one stored in the file's own
// tokenizer.chat_template key.
const TemplateFromGGUF = "gguf"

// Catalog is the whole of catalog.json.
type Catalog struct {
	Version int     `json:"version"` // schema version; SchemaVersion is the only one understood
	Models  []Entry `json:"models"`
}

// SchemaVersion is the catalog.json layout this package reads.
const SchemaVersion = 1

// Entry is one downloadable model: a GGUF file and, for vision models, the
// mmproj file that encodes images for it.
type Entry struct {
	ID           string  `json:"id"`                          // stable key: lower case letters, digits, '.', '_' and '-'
	Name         string  `json:"name"`                        // what the user sees
	Kind         Kind    `json:"kind"`                        // text, vision or moe
	Architecture string  `json:"architecture"`                // the file's general.architecture, e.g. "llama", "qwen2", "granitemoe"
	Parameters   string  `json:"parameters"`                  // nominal size as published, e.g. "135M", "1.5B"
	ActiveParams string  `json:"active_parameters,omitempty"` // for moe: parameters used per token, e.g. "400M"
	Quantization string  `json:"quantization"`                // the file's quantization scheme, e.g. "Q8_0", "Q4_K_M"
	URL          string  `json:"url"`                         // https://huggingface.co/<owner>/<repo>/resolve/main/<file>.gguf
	Size         uint64  `json:"size"`                        // bytes; 0 when no measured or published value was found
	SHA256       string  `json:"sha256"`                      // lower-case hex; empty when the publisher's value was not found
	Revision     string  `json:"revision,omitempty"`          // a repository commit at which the file had this size and hash
	Licence      Licence `json:"licence"`
	Notice       string  `json:"notice,omitempty"` // text the licence requires the app to show, if any
	Context      int     `json:"context_length"`   // tokens the model was trained for
	ChatTemplate string  `json:"chat_template"`    // where the chat template comes from; TemplateFromGGUF today
	MMProj       *File   `json:"mmproj,omitempty"` // the image encoder; present exactly when Kind is vision
	Source       Source  `json:"source"`           // where each fact above came from
}

// File is a second download that belongs to an entry (the mmproj of a
// vision model).
type File struct {
	URL          string `json:"url"`
	Quantization string `json:"quantization"`
	Size         uint64 `json:"size"`   // bytes; 0 when unknown
	SHA256       string `json:"sha256"` // empty when unknown
}

// Licence names the terms a model comes under.
type Licence struct {
	ID  string `json:"id"`  // an SPDX identifier, or a LicenseRef- for terms SPDX does not list
	URL string `json:"url"` // the licence text
}

// Source records, in words, where each fact of an entry came from, so that a
// reader can check it again.
type Source struct {
	File    string `json:"file"`             // why this repository and file
	Size    string `json:"size,omitempty"`   // required when Size is not 0
	SHA256  string `json:"sha256,omitempty"` // required when SHA256 is not empty
	Licence string `json:"licence"`          // where the licence was read
	Context string `json:"context_length"`   // where the context length was read
	MMProj  string `json:"mmproj,omitempty"` // required for vision entries
	Notes   string `json:"notes,omitempty"`  // anything a maintainer should know
}

// TotalSize is the number of bytes the entry downloads: the model and, for a
// vision model, its mmproj. It is 0 if any part's size is unknown.
func (e Entry) TotalSize() uint64 {
	if e.Size == 0 {
		return 0
	}
	if e.MMProj == nil {
		return e.Size
	}
	if e.MMProj.Size == 0 {
		return 0
	}
	return e.Size + e.MMProj.Size
}
