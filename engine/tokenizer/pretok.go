package tokenizer

import (
	"fmt"
	"sync"
)

// A preTokenizer is what tokenizer.ggml.pre selects for byte-level BPE
// models: the chain of splitting steps, and the tokenizer flags llama.cpp
// ties to the name.
type preTokenizer struct {
	family string // the regex family several names share
	steps  []splitStep

	ignoreMerges bool // a word that is already a token skips merging
	addBOS       bool // default for tokenizer.ggml.add_bos_token
	keepSpaces   bool // detokenizing leaves " ," " 's" … alone
	addSEP       bool
	noBOS        bool // the model has no BOS token by default
	spmStyle     bool // spaces escaped as ▁, merges over raw UTF-8 (no byte mapping)
	gemma4       bool // Gemma 4's special cases
}

// Regex families. Each is the ordered list of steps llama.cpp applies for
// the pre-tokenizers that share it.
var families = map[string]func() []splitStep{
	// The original GPT-2 pattern alone.
	"gpt2": func() []splitStep { return []splitStep{gpt2Split{}} },
	// Llama 3: contractions, letters with one leading non-letter, digits in
	// threes, punctuation runs with trailing newlines, whitespace.
	"llama3": func() []splitStep { return []splitStep{llama3Split{digits: 3}} },
	// Qwen 2: as Llama 3 but one digit per word.
	"qwen2": func() []splitStep { return []splitStep{llama3Split{digits: 1}} },
	// Qwen 3.5: as Qwen 2 with combining marks kept in letter runs.
	"qwen35": func() []splitStep { return []splitStep{llama3Split{digits: 1, marks: true}} },
	// StarCoder and friends: every digit alone, then GPT-2.
	"starcoder": func() []splitStep {
		return []splitStep{newRegexSplit(`\p{N}`), gpt2Split{}}
	},
	// Falcon: punctuation runs, GPT-2, then digits in threes.
	"falcon": func() []splitStep {
		return []splitStep{
			newRegexSplit(`[\p{P}\$\+<=>\^~\|` + "`" + `]+`),
			gpt2Split{},
			newRegexSplit(`[0-9][0-9][0-9]`),
		}
	},
	// What llama.cpp applies when a BPE model names no pre-tokenizer.
	"default": func() []splitStep {
		return []splitStep{
			newRegexSplit(`[\p{P}\$\+<=>\^~\|]+`),
			gpt2Split{},
			newRegexSplit(`\p{N}+`),
			newRegexSplit(`[0-9][0-9][0-9]`),
		}
	},
	// DeepSeek LLM: newlines, Latin/Greek/Cyrillic/… letter runs, ASCII and
	// full-width punctuation runs, trailing whitespace, CJK runs, numbers.
	"deepseek-llm": func() []splitStep {
		return []splitStep{
			newRegexSplit("[\r\n]"),
			newRegexSplit(`\s?[A-Za-z\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF}\x{1C4}-\x{293}\x{295}-\x{2AF}\x{370}-\x{373}\x{376}\x{377}\x{37B}-\x{37D}\x{37F}\x{386}\x{388}-\x{38A}\x{38C}\x{38E}-\x{3A1}\x{3A3}-\x{3F5}\x{3F7}-\x{481}\x{48A}-\x{52F}\x{531}-\x{556}\x{10A0}-\x{10C5}\x{13A0}-\x{13F5}\x{13F8}-\x{13FD}\x{1C90}-\x{1CBA}\x{1CBD}-\x{1CBF}\x{1D00}-\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A}\x{1E00}-\x{1F15}\x{1F18}-\x{1F1D}\x{1F20}-\x{1F45}\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{1F59}\x{1F5B}\x{1F5D}\x{1F5F}-\x{1F7D}\x{1F80}-\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4}\x{1FC6}-\x{1FCC}\x{1FD0}-\x{1FD3}\x{1FD6}-\x{1FDB}\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4}\x{1FF6}-\x{1FFC}\x{2102}\x{2107}\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124}\x{2126}\x{2128}\x{212A}-\x{212D}\x{212F}-\x{2134}\x{2139}\x{213C}-\x{213F}\x{2145}-\x{2149}\x{214E}\x{2183}\x{2184}\x{2C00}-\x{2C7B}\x{2C7E}-\x{2CE4}\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D}\x{A680}-\x{A69B}\x{A722}-\x{A76F}\x{A771}-\x{A787}\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\x{FB06}\x{FB13}-\x{FB17}\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{10400}-\x{1044F}\x{104B0}-\x{104D3}\x{104D8}-\x{104FB}\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2}\x{118A0}-\x{118DF}\x{1E900}-\x{1E943}]+`),
			newRegexSplit(`\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+`),
			newRegexSplit(`\s+$`),
			newRegexSplit(`[\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+`),
			newRegexSplit(`\p{N}+`),
		}
	},
	// DeepSeek Coder: newlines, letter runs, punctuation runs, CJK runs, digits.
	"deepseek-coder": func() []splitStep {
		return []splitStep{
			newRegexSplit("[\r\n]"),
			newRegexSplit(`\s?\p{L}+`),
			newRegexSplit(`\s?\p{P}+`),
			newRegexSplit(`[\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+`),
			newRegexSplit(`\p{N}`),
		}
	},
	// BLOOM: runs of anything but whitespace and a few punctuation marks.
	"bloom": func() []splitStep {
		return []splitStep{newRegexSplit(` ?[^(\s|.,!?\x{2026}\x{3002}\x{FF0C}\x{3001}\x{964}\x{6D4}\x{60C})]+`)}
	},
	// Viking: BLOOM's pattern, then every digit alone.
	"viking": func() []splitStep {
		return []splitStep{newRegexSplit(` ?[^(\s|.,!?\x{2026}\x{3002}\x{FF0C}\x{3001}\x{964}\x{6D4}\x{60C})]+`), newRegexSplit(`\p{N}`)}
	},
	// Chameleon: sentinel and image tokens, indentation, digits, single
	// punctuation marks, then GPT-2.
	"chameleon": func() []splitStep {
		return []splitStep{
			newRegexSplit(`<sentinel:[0-9]+>`),
			newRegexSplit(`(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z`),
			newRegexSplit("([\t\n]|    |  )"),
			newRegexSplit(`\p{N}`),
			newRegexSplit(`[\p{P}!-/:-@\[-` + "`" + `{-~]`),
			gpt2Split{},
		}
	},
	// SentencePiece-style BPE (Gemma 4): only newline runs are cut out.
	"newlines": func() []splitStep { return []splitStep{newlineSplit{}} },
	// Laguna: newline runs, then Qwen 2.
	"laguna": func() []splitStep { return []splitStep{newlineSplit{}, llama3Split{digits: 1}} },
}

// preTokenizers maps each tokenizer.ggml.pre name llama.cpp knows, and we
// support, to its family and flags.
var preTokenizers = map[string]preTokenizer{}

func init() {
	add := func(p preTokenizer, names ...string) {
		for _, n := range names {
			preTokenizers[n] = p
		}
	}
	add(preTokenizer{family: "default"}, "default")
	add(preTokenizer{family: "llama3", ignoreMerges: true, addBOS: true},
		"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano")
	add(preTokenizer{family: "llama3"}, "dbrx", "smaug-bpe")
	add(preTokenizer{family: "llama3", noBOS: true}, "glm4", "chatglm-bpe")
	add(preTokenizer{family: "deepseek-llm", keepSpaces: true}, "deepseek-llm")
	add(preTokenizer{family: "deepseek-coder", keepSpaces: true}, "deepseek-coder")
	add(preTokenizer{family: "falcon"}, "falcon")
	add(preTokenizer{family: "gpt2"},
		"mpt", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de",
		"a.x-4.0", "mellum", "modern-bert", "exaone4", "jais", "olmo")
	add(preTokenizer{family: "gpt2", addSEP: true}, "jina-v1-en", "jina-v2-code", "roberta-bpe")
	add(preTokenizer{family: "gpt2", keepSpaces: true}, "trillion", "granite-docling")
	add(preTokenizer{family: "starcoder"}, "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2")
	add(preTokenizer{family: "starcoder", keepSpaces: true}, "command-r", "smollm")
	add(preTokenizer{family: "qwen2", keepSpaces: true},
		"qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2")
	add(preTokenizer{family: "qwen2"}, "megrez", "stablelm2")
	add(preTokenizer{family: "qwen35", keepSpaces: true}, "qwen35")
	add(preTokenizer{family: "bloom"}, "bloom", "gpt3-finnish")
	add(preTokenizer{family: "bloom", keepSpaces: true}, "poro-chat")
	add(preTokenizer{family: "viking", keepSpaces: true}, "viking")
	add(preTokenizer{family: "chameleon", addBOS: true, keepSpaces: true}, "chameleon")
	add(preTokenizer{family: "newlines", spmStyle: true, gemma4: true}, "gemma4", "granite-embed-multi-311m")
	add(preTokenizer{family: "newlines", spmStyle: true, keepSpaces: true}, "sarvam-moe")
	add(preTokenizer{family: "laguna", keepSpaces: true}, "laguna")
}

// unsupportedPre are names llama.cpp knows whose patterns need look-ahead
// outside the hand-written splitters, or custom code we have not written.
var unsupportedPre = map[string]bool{
	"minicpm5": true, "deepseek-v3": true, "hunyuan-dense": true, "joyai-llm": true, "youtu": true,
	"jais-2": true, "tekken": true, "gpt-4o": true, "llama4": true, "kanana2": true, "talkie": true,
	"minimax-m2": true, "granite-embed-multi-97m": true, "tiny_aya": true, "cohere2moe": true,
	"superbpe": true, "bailingmoe": true, "bailingmoe2": true, "llada-moe": true, "seed-coder": true,
	"kimi-k2": true, "afmoe": true, "exaone-moe": true, "whitespace": true,
}

var (
	stepsMu    sync.Mutex
	stepsCache = map[string][]splitStep{}
)

// lookupPre resolves a tokenizer.ggml.pre name ("" means default).
func lookupPre(name string) (preTokenizer, error) {
	if name == "" {
		name = "default"
	}
	p, ok := preTokenizers[name]
	if !ok {
		if unsupportedPre[name] {
			return p, fmt.Errorf("tokenizer: pre-tokenizer %q is not supported yet", name)
		}
		return p, fmt.Errorf("tokenizer: unknown pre-tokenizer %q (tokenizer.ggml.pre)", name)
	}
	// Compiled steps are shared by every tokenizer of the family.
	stepsMu.Lock()
	defer stepsMu.Unlock()
	steps, ok := stepsCache[p.family]
	if !ok {
		steps = families[p.family]()
		stepsCache[p.family] = steps
	}
	p.steps = steps
	return p, nil
}
