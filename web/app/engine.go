package main

// Engine is what the app needs of the inference engine. Its methods block
// until the engine answers, so the app calls them from goroutines, never
// from an event handler. Callbacks run one at a time, in the order the
// engine sent them, and all of them before the method that asked returns.
type Engine interface {
	// Load loads the GGUF file at url (downloading it, or reading the
	// browser's cached copy), reporting progress on the way.
	Load(url string, onProgress func(Progress)) (ModelInfo, error)
	// Unload frees the loaded model, if any.
	Unload() error
	// ChatPrompt renders a conversation with the loaded model's own chat
	// template, ending with the header of the assistant's turn, and
	// tokenizes it.
	ChatPrompt(turns []Turn) (Prompt, error)
	// Generate continues the prompt ids, calling onToken with the text of
	// each token as it is sampled, until the model ends its turn, the
	// token budget is spent, the context is full or Stop is called.
	Generate(ids []int32, opt GenerateOptions, onToken func(text string)) (GenerateResult, error)
	// Stop asks a running generation to end after its current token; it
	// does not wait.
	Stop()
}

// Progress is one step of a load.
type Progress struct {
	// Phase is "download" (network to the browser's storage), "cached" (the
	// file is already stored) or "upload" (file into the engine's memory).
	Phase         string
	Loaded, Total int64 // bytes of this phase (Total 0: unknown)
	// File is, for a pair (a vision model and its image encoder), which
	// file the event is about: "model" or "mmproj"; "" for a single file.
	File string
}

// ModelInfo describes a loaded model.
type ModelInfo struct {
	Arch       string // architecture, e.g. "llama"
	Layers     int
	Vocab      int    // vocabulary size
	Context    int    // tokens the session holds
	WeightType string // e.g. "Q8_0"
	Threads    int    // engine threads
	Cached     bool   // the file came from the browser's storage, not the network
	Storage    string // where the file's bytes were read from: "opfs", "memory" or "blob"
	Seconds    float64
	// ExpertCache is the expert cache of a mixture of experts loaded with
	// its experts paged from the file (app_experts.go); nil when they are
	// resident.
	ExpertCache *ExpertCacheStats
	// Vision is the image encoder loaded with the model (a pair), or nil
	// for a text-only model (images.go).
	Vision *VisionInfo
}

// Turn is one message of a conversation as the chat template sees it.
type Turn struct {
	Role    string // "system", "user" or "assistant"
	Content string
	// Images go before the text in the turn (images.go).
	Images []*Attachment
}

// Prompt is a rendered, tokenized conversation.
type Prompt struct {
	IDs      []int32
	Text     string // the template's output
	Template string // where the template came from: "gguf" (the model's own) or "chatml" (a fallback)
	// With images (images.go): Tokens is every position of the prompt,
	// the images' embeddings included (IDs holds the text's tokens only);
	// Images how many there are; Turns the conversation it was rendered
	// from, which the generation takes again.
	Tokens int
	Images int
	Turns  []Turn
}

// Positions is how much of the context the prompt fills: its tokens and
// its images' embeddings.
func (p Prompt) Positions() int { return max(p.Tokens, len(p.IDs)) }

// GenerateOptions bound and shape one generation.
type GenerateOptions struct {
	MaxTokens int
	Sampling  Sampling
}

// Sampling holds the sampler settings (llama.cpp's names and meanings).
type Sampling struct {
	Temperature   float64 // 0: greedy
	TopK          int
	TopP, MinP    float64
	RepeatPenalty float64
	Seed          uint64
	// RepeatLastN is how many recent tokens the repetition penalty looks
	// at (llama.cpp's 64; -1: all of them). The engine refuses a penalty
	// with a window of 0.
	RepeatLastN int
}

// DefaultSampling is llama.cpp's default sampler chain: temperature 0.8,
// top-k 40, top-p 0.95, min-p 0.05, no repetition penalty (with a window
// of 64 tokens when one is set).
func DefaultSampling() Sampling {
	return Sampling{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1, RepeatLastN: 64}
}

// GenerateResult is how a generation ended.
type GenerateResult struct {
	Tokens         int     // tokens generated
	PromptTokens   int     // tokens of the prompt
	Stop           string  // "eog" (the model ended its turn), "length", "context" or "stopped"
	PrefillSeconds float64 // evaluating the prompt
	DecodeSeconds  float64 // generating the tokens
	// Experts is what a paged mixture of experts' expert cache did during
	// this answer (prefill and decode together); nil for other models.
	Experts *ExpertShare
}

// ExpertShare is an answer's share of the expert cache's lookups.
type ExpertShare struct {
	Hits, Misses int64
	BytesRead    int64 // expert bytes read from storage on misses
}
