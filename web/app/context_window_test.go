package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/chat"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/tokenizer"
	"github.com/hearth-ai/hearth/internal/testdata"
)

// qwenRenderer renders conversations as the engine's chat request does
// for a Qwen2.5 model: its real chat template, then its real tokenizer.
// calls counts the renders.
func qwenRenderer(t *testing.T) (render func([]Turn) (Prompt, error), calls *int) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(testdata.TemplatesDir(t), "Qwen-Qwen2.5-7B-Instruct.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := chat.Parse(string(src))
	if err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(filepath.Join(testdata.VocabDir(t), "ggml-vocab-qwen2.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	return func(turns []Turn) (Prompt, error) {
		n++
		msgs := make([]chat.Message, len(turns))
		for i, tn := range turns {
			msgs[i] = chat.Message{Role: tn.Role, Content: tn.Content}
		}
		text, err := tmpl.Render(msgs, chat.Options{AddGenerationPrompt: true})
		if err != nil {
			return Prompt{}, err
		}
		return Prompt{IDs: tok.Encode(text, false, true), Text: text, Template: "gguf"}, nil
	}, &n
}

// conversation is a system prompt and n exchanges, then a last question.
func conversation(n int) []Turn {
	turns := []Turn{{Role: "system", Content: "You are a terse assistant who answers in one sentence."}}
	for i := range n {
		turns = append(turns,
			Turn{Role: "user", Content: fmt.Sprintf("Question %d: what is the colour of the sky on day %d of the voyage?", i, i)},
			Turn{Role: "assistant", Content: fmt.Sprintf("Answer %d: on day %d the sky was a deep and cloudless blue over the sea.", i, i)})
	}
	return append(turns, Turn{Role: "user", Content: "And what was it like at the end?"})
}

// A conversation longer than the context loses its oldest exchanges, and
// no more of them than it must: the system prompt and the latest
// messages stay, the answer keeps its room, and the prompt starts with a
// user turn.
func TestFitWindowSlides(t *testing.T) {
	render, calls := qwenRenderer(t)
	turns := conversation(30)
	full, err := render(turns)
	if err != nil {
		t.Fatal(err)
	}
	const maxTokens = 64
	ctx := len(full.IDs)/2 + maxTokens
	*calls = 0
	prompt, dropped, err := fitWindow(render, turns, ctx, maxTokens)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("full prompt %d tokens, context %d: dropped %d turns in %d renders, prompt %d tokens", len(full.IDs), ctx, dropped, *calls, len(prompt.IDs))
	if len(prompt.IDs)+maxTokens > ctx {
		t.Errorf("the prompt (%d tokens) leaves no room for %d in %d", len(prompt.IDs), maxTokens, ctx)
	}
	if dropped == 0 || dropped%2 != 0 {
		t.Fatalf("dropped %d turns; want whole exchanges", dropped)
	}
	kept := append([]Turn{turns[0]}, turns[1+dropped:]...)
	if want, _ := render(kept); want.Text != prompt.Text {
		t.Errorf("the prompt is not the system prompt and the turns after the dropped ones:\n%s", prompt.Text)
	}
	if !strings.Contains(prompt.Text, turns[0].Content) || !strings.Contains(prompt.Text, "at the end?") || strings.Contains(prompt.Text, "Question 0:") {
		t.Errorf("the prompt lost the system prompt or the last question, or kept the first:\n%s", prompt.Text)
	}
	// One exchange more would not fit: no more was dropped than needed.
	moreKept := append([]Turn{turns[0]}, turns[1+dropped-2:]...)
	if p, _ := render(moreKept); len(p.IDs)+maxTokens <= ctx {
		t.Errorf("keeping one more exchange (%d tokens) would fit in %d: too much was dropped", len(p.IDs), ctx)
	}
	// Bisection: a handful of renders for 31 possible starts.
	if *calls > 8 {
		t.Errorf("%d renders for a conversation of %d turns; want few (bisection)", *calls, len(turns))
	}
}

// A conversation that fits is rendered once and left whole; with no known
// context (0) nothing is dropped either.
func TestFitWindowFits(t *testing.T) {
	render, calls := qwenRenderer(t)
	turns := conversation(2)
	for _, ctx := range []int{4096, 0} {
		*calls = 0
		prompt, dropped, err := fitWindow(render, turns, ctx, 256)
		if err != nil || dropped != 0 || *calls != 1 {
			t.Errorf("context %d: dropped %d after %d renders, err %v; want nothing dropped, one render", ctx, dropped, *calls, err)
		}
		if full, _ := render(turns); full.Text != prompt.Text {
			t.Errorf("context %d: the prompt is not the whole conversation", ctx)
		}
	}
}

// Without a system prompt the window starts at the first user turn.
func TestFitWindowWithoutSystemPrompt(t *testing.T) {
	render, _ := qwenRenderer(t)
	turns := conversation(12)[1:]
	full, _ := render(turns)
	ctx := len(full.IDs)/2 + 32
	prompt, dropped, err := fitWindow(render, turns, ctx, 32)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := render(turns[dropped:]); dropped == 0 || turns[dropped].Role != "user" || want.Text != prompt.Text {
		t.Errorf("dropped %d turns: the window should start at a user turn and hold the rest", dropped)
	}
}

// A large max tokens setting takes at most half the context, and a last
// message that cannot fit at all is an error that says so.
func TestFitWindowLimits(t *testing.T) {
	if got := answerRoom(100, 1024); got != 50 {
		t.Errorf("answerRoom(100, 1024) = %d, want 50", got)
	}
	if got := answerRoom(4096, 100); got != 100 {
		t.Errorf("answerRoom(4096, 100) = %d, want 100", got)
	}
	render, _ := qwenRenderer(t)
	turns := conversation(3)
	turns[len(turns)-1].Content = strings.Repeat("a long question that does not end ", 40)
	last, _ := render([]Turn{turns[0], turns[len(turns)-1]})
	_, _, err := fitWindow(render, turns, len(last.IDs)-1, 16)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("context holds %d", len(last.IDs)-1)) {
		t.Errorf("a last message longer than the context: err %v", err)
	}
	// Room for a few tokens of answer: the prompt is used, shortened to the
	// last exchange.
	p, dropped, err := fitWindow(render, turns, len(last.IDs)+4, 16)
	if err != nil || dropped != len(turns)-2 || p.Text != last.Text {
		t.Errorf("with 4 tokens of room: dropped %d, err %v", dropped, err)
	}
}
