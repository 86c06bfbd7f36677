package main

import (
	"strings"
	"testing"
)

// The model panel's line on a pair's encoder, and on its cache of
// encoded pictures.
func TestVisionFacts(t *testing.T) {
	smol := &VisionInfo{Projector: "idefics3", ImageSize: 512, TokensPerImage: 64, Tiles: true, PreprocImageSize: 2048}
	if got := smol.Facts(); got != "Reads pictures: SigLIP encoder, 512 px, up to 17 tiles, 64 tokens per tile" {
		t.Errorf("SmolVLM: %q", got)
	}
	odd := &VisionInfo{Projector: "idefics3", ImageSize: 32, TokensPerImage: 16, Tiles: true, PreprocImageSize: 96 + 1}
	if got := odd.MaxTiles(); got != 17 { // 97 px needs 4 tiles a side
		t.Errorf("a longest edge of 97 over 32-px tiles: %d tiles, want 4×4 + the overview", got)
	}
	unknown := &VisionInfo{Projector: "idefics3", ImageSize: 512, TokensPerImage: 64, Tiles: true}
	if got := unknown.Facts(); got != "Reads pictures: SigLIP encoder, 512 px, 64 tokens per tile" {
		t.Errorf("no longest edge said: %q", got)
	}
	llava := &VisionInfo{Projector: "mlp", ImageSize: 336, TokensPerImage: 576}
	if got := llava.Facts(); got != "Reads pictures: CLIP encoder, 336 px, 576 tokens per picture" {
		t.Errorf("LLaVA: %q", got)
	}
	for _, c := range []struct {
		v    VisionInfo
		want string
	}{
		{VisionInfo{}, ""},
		{VisionInfo{CacheKnown: true, Cache: ImageCacheStats{MaxBytes: 64 << 20}}, "Empty (up to 67.1 MB)"},
		{VisionInfo{CacheKnown: true}, "Off: pictures are encoded again with every question"},
		{VisionInfo{CacheKnown: true, Cache: ImageCacheStats{Images: 1, Bytes: 1_200_000, MaxBytes: 64 << 20}}, "1 picture encoded, 1.2 MB of 67.1 MB"},
		{VisionInfo{CacheKnown: true, Cache: ImageCacheStats{Images: 3, Bytes: 3_600_000, MaxBytes: 64 << 20}}, "3 pictures encoded, 3.6 MB of 67.1 MB"},
	} {
		if got := c.v.CacheLine(); got != c.want {
			t.Errorf("cache %+v: %q, want %q", c.v.Cache, got, c.want)
		}
	}
}

// A loaded pair shows its encoder and cache in the model panel; a text
// model shows neither.
func TestModelPanelShowsVision(t *testing.T) {
	a := NewApp(newFakeManager(), nil)
	a.Model.Status, a.Model.Source = ModelReady, "http://h/models/vision-text.gguf"
	a.Model.Info = ModelInfo{Arch: "llama", Vision: &VisionInfo{Projector: "idefics3", ImageSize: 512, TokensPerImage: 64, Tiles: true, PreprocImageSize: 2048,
		CacheKnown: true, Cache: ImageCacheStats{Images: 2, Bytes: 2_400_000, MaxBytes: 64 << 20}}}
	page := renderPage(t, a)
	for _, want := range []string{`id="model-vision"`, "Reads pictures: SigLIP encoder, 512 px, up to 17 tiles, 64 tokens per tile",
		`id="model-image-cache"`, "2 pictures encoded, 2.4 MB of 67.1 MB"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	a.Model.Info.Vision = nil
	page = renderPage(t, a)
	if strings.Contains(page, `id="model-vision"`) || strings.Contains(page, `id="model-image-cache"`) {
		t.Error("a text model's panel shows vision facts")
	}
}

// An answer stopped while its pictures were read says so, and how far the
// reading got; one stopped later keeps its usual stats.
func TestStoppedWhileReading(t *testing.T) {
	m := &Message{Encoding: true, ImageStep: ImageStep{Image: 1, Images: 1, Input: 2, Inputs: 5}}
	noteStoppedReading(m, GenerateResult{Stop: "stopped"})
	if m.Stats != "Stopped while reading the picture (part 2 of 5 done)" {
		t.Errorf("stopped mid-way: %q", m.Stats)
	}
	m = &Message{Encoding: true}
	noteStoppedReading(m, GenerateResult{Stop: "stopped"})
	if m.Stats != "Stopped before reading the picture" {
		t.Errorf("stopped before the first input: %q", m.Stats)
	}
	m = &Message{Encoding: true, ImageStep: ImageStep{Image: 2, Images: 2, Input: 4, Inputs: 4}}
	noteStoppedReading(m, GenerateResult{Stop: "stopped"})
	if m.Stats != "Stopped after reading the pictures, before the answer began" {
		t.Errorf("stopped after the last input: %q", m.Stats)
	}
	m = &Message{Encoding: true, Text: "A cat", Stats: "2 tokens · stopped"}
	noteStoppedReading(m, GenerateResult{Stop: "stopped", Tokens: 2})
	if m.Stats != "2 tokens · stopped" {
		t.Errorf("stopped while answering: %q", m.Stats)
	}
}

// stoppableImageEngine reads pictures until Stop: one encoder step, then
// it waits for Stop and answers as the worker does when Stop comes
// between inputs (no tokens, "stopped").
type stoppableImageEngine struct {
	*imageEngine
	stepped chan struct{}
	stopped chan struct{}
}

func (e *stoppableImageEngine) Stop() { close(e.stopped) }

func (e *stoppableImageEngine) GenerateTurns(_ []Turn, _ GenerateOptions, _ func(string), onImage func(ImageStep)) (GenerateResult, error) {
	onImage(ImageStep{Image: 1, Images: 1, Tile: 1, Tiles: 3, Input: 1, Inputs: 3})
	close(e.stepped)
	<-e.stopped
	return GenerateResult{Stop: "stopped", PromptTokens: 50}, nil
}

// Stop while the pictures are read reaches the engine at once (not at the
// first token), and the answer ends saying where the reading stopped;
// the model stays ready and the chat can send again.
func TestStopWhileReadingPictures(t *testing.T) {
	e := &stoppableImageEngine{imageEngine: newImageEngine(), stepped: make(chan struct{}), stopped: make(chan struct{})}
	a := visionApp(e, true)
	a.Env.Lock()
	a.AttachImage(newAttachment("cat.png", "image/png", []byte("png bytes")))
	a.Env.UnlockOnly()
	waitApp(t, a, "the attachment", func() bool { return len(a.Chat.Attached) == 1 })
	do(a, a.Send)
	<-e.stepped
	waitApp(t, a, "the first step shown", func() bool { return a.Chat.Messages[1].ImageSteps == 1 })
	do(a, a.Stop)
	waitApp(t, a, "the answer's end", func() bool { return !a.Chat.Generating })
	answer := a.Chat.Messages[1]
	if answer.Stats != "Stopped while reading the picture (part 1 of 3 done)" || answer.Text != "" || answer.Streaming {
		t.Fatalf("the stopped answer: stats %q, text %q, streaming %v", answer.Stats, answer.Text, answer.Streaming)
	}
	if a.Model.Status != ModelReady || a.Chat.Stopping {
		t.Fatalf("after the stop: model %v, stopping %v", a.Model.Status, a.Chat.Stopping)
	}
}
