package main

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vugu/vugu"

	"github.com/hearth-ai/hearth/models/catalog"
)

// imageEngine is an engine that takes pictures: a picture named
// "bad*.png" is refused as corrupt; each picture adds 16 positions to a
// prompt of one token per turn; a generation reports three encoder steps
// per picture and answers "ok".
type imageEngine struct {
	brokenEngine
	mu        sync.Mutex
	generated [][]Turn // the turns each GenerateTurns got
	done      chan struct{}
}

func newImageEngine() *imageEngine {
	return &imageEngine{brokenEngine: brokenEngine{errors.New("not in this test")}, done: make(chan struct{}, 4)}
}

func (e *imageEngine) ChatPrompt(turns []Turn) (Prompt, error) {
	p := Prompt{Text: "rendered", Turns: turns}
	for _, t := range turns {
		p.IDs = append(p.IDs, 1)
		for _, im := range t.Images {
			if strings.HasPrefix(im.Name, "bad") {
				return Prompt{}, &ImageError{Reason: "image-corrupt", Msg: "image 1: the PNG file is corrupt: bad data (checksum error)"}
			}
			p.Images++
		}
	}
	p.Tokens = len(p.IDs) + 16*p.Images
	if p.Images == 0 {
		p.Turns = nil
	}
	return p, nil
}

func (e *imageEngine) GenerateTurns(turns []Turn, opt GenerateOptions, onToken func(string), onImage func(ImageStep)) (GenerateResult, error) {
	e.mu.Lock()
	e.generated = append(e.generated, turns)
	e.mu.Unlock()
	for i := 1; i <= 3; i++ {
		onImage(ImageStep{Image: 1, Images: 1, Tile: i, Tiles: 3, Input: i, Inputs: 3})
	}
	onToken("ok")
	e.done <- struct{}{}
	return GenerateResult{Tokens: 1, Stop: "eog"}, nil
}

func visionApp(e Engine, vision bool) *App {
	a := NewApp(e, vugu.NewEventEnvImpl(&sync.RWMutex{}, make(chan bool, 64)))
	a.Model.Status, a.Model.Info.Context = ModelReady, 256
	if vision {
		a.Model.Info.Vision = &VisionInfo{Projector: "idefics3", ImageSize: 32, TokensPerImage: 16, Tiles: true}
	}
	return a
}

// waitApp polls cond (under the app's lock) for up to 5 s.
func waitApp(t *testing.T, a *App, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		a.Env.RLock()
		ok := cond()
		a.Env.RUnlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
	}
}

// A picture the engine accepts is attached; one it refuses is not, and
// the chat says why while the conversation stays as it was. Sent, the
// picture goes with the message, the prompt counts its positions against
// the context, and the answer records the encoder's steps.
func TestAttachAndSendPicture(t *testing.T) {
	e := newImageEngine()
	a := visionApp(e, true)
	a.Env.Lock()
	a.ShowMessage("user", "earlier")
	a.AttachImage(newAttachment("bad.png", "image/png", []byte("x")))
	a.Env.UnlockOnly()
	waitApp(t, a, "the refusal", func() bool { return a.Chat.Checking == 0 })
	if !strings.Contains(a.Chat.ImageError, "bad.png is damaged") || !strings.Contains(a.Chat.ImageError, "checksum error") ||
		strings.Contains(a.Chat.ImageError, "image 1:") || len(a.Chat.Attached) != 0 || len(a.Chat.Messages) != 1 {
		t.Fatalf("a refused picture: error %q, %d attached, %d messages", a.Chat.ImageError, len(a.Chat.Attached), len(a.Chat.Messages))
	}
	a.Env.Lock()
	a.AttachImage(newAttachment("cat.png", "image/png", []byte("png bytes")))
	a.Env.UnlockOnly()
	waitApp(t, a, "the attachment", func() bool { return len(a.Chat.Attached) == 1 })
	if a.Chat.ImageError != "" || !a.CanSend() {
		t.Fatalf("after attaching: error %q, can send %v", a.Chat.ImageError, a.CanSend())
	}
	a.Env.Lock()
	a.Send() // an empty draft: the picture alone is a message
	a.Env.UnlockOnly()
	select {
	case <-e.done:
	case <-time.After(5 * time.Second):
		t.Fatal("no generation")
	}
	waitApp(t, a, "the answer", func() bool { return !a.Chat.Generating })
	user, answer := a.Chat.Messages[1], a.Chat.Messages[2]
	if len(user.Images) != 1 || user.Images[0].Name != "cat.png" || len(a.Chat.Attached) != 0 {
		t.Fatalf("the sent message has %d pictures; %d stay in the composer", len(user.Images), len(a.Chat.Attached))
	}
	if answer.ImageSteps != 3 || answer.Text != "ok" || answer.ImageProgress() != "" {
		t.Fatalf("the answer: %d steps, text %q, progress %q", answer.ImageSteps, answer.Text, answer.ImageProgress())
	}
	turns := e.generated[0]
	if len(turns) != 2 || len(turns[1].Images) != 1 || turns[1].Content != "" {
		t.Fatalf("the generation got turns %+v", turns)
	}
	// 2 tokens and 16 for the picture: the answer may take the rest.
	if a.LastPrompt.Positions() != 18 || a.LastPrompt.Images != 1 {
		t.Fatalf("the prompt: %d positions, %d pictures", a.LastPrompt.Positions(), a.LastPrompt.Images)
	}
}

// The encoder's progress as an answer shows it.
func TestImageProgressText(t *testing.T) {
	m := &Message{Streaming: true, Encoding: true}
	if got := m.ImageProgress(); got != "Reading the picture…" {
		t.Errorf("before the first step: %q", got)
	}
	m.ImageStep = ImageStep{Image: 2, Images: 2, Input: 3, Inputs: 5}
	if got, pct := m.ImageProgress(), m.ImagePercent(); got != "Reading picture 2 of 2: part 3 of 5 done" || pct != "60" {
		t.Errorf("mid-way: %q, %s%%", got, pct)
	}
	m.ImageStep.Input = 5
	if got := m.ImageProgress(); got != "" {
		t.Errorf("all encoded: %q (the answer's wait takes over)", got)
	}
}

// Without a vision model the Picture button is off and says why, and a
// dropped picture is refused with that reason.
func TestNoPicturesWithoutVision(t *testing.T) {
	a := visionApp(newImageEngine(), false)
	if a.CanAttach() || !strings.Contains(a.AttachTitle(), "text only") {
		t.Fatalf("a text-only model: can attach %v, tooltip %q", a.CanAttach(), a.AttachTitle())
	}
	a.AttachImage(newAttachment("cat.png", "image/png", []byte("x")))
	if !strings.Contains(a.Chat.ImageError, "reads text only") || !strings.Contains(a.Chat.ImageError, "cat.png") || len(a.Chat.Attached) != 0 {
		t.Fatalf("error %q, attached %d", a.Chat.ImageError, len(a.Chat.Attached))
	}
	page := renderPage(t, a)
	for _, want := range []string{`id="chat-attach"`, `accept="image/*"`, "load a vision model (one with an image encoder)", `id="chat-image-error"`, `role="alert"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if !strings.Contains(page[strings.Index(page, `id="chat-attach"`)-200:][:400], "disabled") {
		t.Error("the Picture button is not disabled")
	}
	empty := NewApp(newImageEngine(), nil)
	if empty.CanAttach() || !strings.Contains(empty.AttachTitle(), "Load a vision model") {
		t.Errorf("no model: can attach %v, tooltip %q", empty.CanAttach(), empty.AttachTitle())
	}
}

// Each refusal reason reads as a sentence naming the file.
func TestImageProblem(t *testing.T) {
	for reason, want := range map[string]string{
		"not-image":       "notes.png is not a picture this page can read (PNG, JPEG, GIF or WebP): not an image (it starts with \"hi\").",
		"image-too-large": "notes.png is too large: not an image (it starts with \"hi\").",
		"no-vision":       "This model reads text only, so notes.png was not attached",
	} {
		got := imageProblem("notes.png", &ImageError{Reason: reason, Msg: `image 1: not an image (it starts with "hi")`})
		if !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q…", reason, got, want)
		}
	}
	if got := imageProblem("x.png", errors.New("the engine is busy")); got != "Could not attach x.png: the engine is busy." {
		t.Errorf("another error: %q", got)
	}
}

// Pictures are saved with their conversation up to MaxKeptImageBytes; a
// larger one keeps its name, says it was not kept, and the model no
// longer sees it once the conversation is read back.
func TestSavedPictures(t *testing.T) {
	small := newAttachment("small.png", "image/png", []byte("tiny"))
	big := newAttachment("big.jpg", "image/jpeg", make([]byte, MaxKeptImageBytes+1))
	if small.NotKept || !big.NotKept || !strings.Contains(big.Note(), "Not kept") || small.Note() != "" {
		t.Fatalf("small %+v, big note %q", small.NotKept, big.Note())
	}
	saved := savedImages([]*Attachment{small, big})
	if string(saved[0].Data) != "tiny" || saved[1].Data != nil || saved[1].Size != MaxKeptImageBytes+1 || saved[1].Name != "big.jpg" {
		t.Fatalf("saved %+v", saved)
	}
	back := restoredImages(saved)
	m := &Message{Images: back}
	if len(sentImages(m)) != 1 || sentImages(m)[0].Name != "small.png" || !strings.Contains(back[1].Note(), "big.jpg was not kept") {
		t.Fatalf("read back: %d pictures the model sees; the big one says %q", len(sentImages(m)), back[1].Note())
	}
	// A conversation with a picture-only message is saved and opened again.
	a := visionApp(newImageEngine(), true)
	u := a.Chat.add("user", "")
	u.Images = []*Attachment{small}
	a.saveConversation()
	a.OpenConversation(a.Library.Current)
	if len(a.Chat.Messages) != 1 || len(a.Chat.Messages[0].Images) != 1 || string(a.Chat.Messages[0].Images[0].Data) != "tiny" {
		t.Fatalf("opened again: %+v", a.Chat.Messages)
	}
}

// A pair's progress events make one bar: both files' bytes in each stage
// against both sizes; a single file's events pass unchanged.
func TestPairProgress(t *testing.T) {
	pp := newPairProgress(100, 50)
	for _, c := range []struct {
		in   Progress
		want Progress
	}{
		{Progress{Phase: "download", Loaded: 40, Total: 100, File: "model"}, Progress{Phase: "download", Loaded: 40, Total: 150}},
		{Progress{Phase: "download", Loaded: 100, Total: 100, File: "model"}, Progress{Phase: "download", Loaded: 100, Total: 150}},
		{Progress{Phase: "cached", Loaded: 60, Total: 60, File: "mmproj"}, Progress{Phase: "download", Loaded: 160, Total: 160}},
		{Progress{Phase: "upload", Loaded: 30, Total: 100, File: "model"}, Progress{Phase: "upload", Loaded: 30, Total: 160}},
		{Progress{Phase: "upload", Loaded: 60, Total: 60, File: "mmproj"}, Progress{Phase: "upload", Loaded: 90, Total: 160}},
		{Progress{Phase: "upload", Loaded: 100, Total: 100, File: "model"}, Progress{Phase: "upload", Loaded: 160, Total: 160}},
	} {
		if got := pp.add(c.in); got != c.want {
			t.Errorf("%+v → %+v, want %+v", c.in, got, c.want)
		}
	}
	stored := newPairProgress(0, 0)
	if got := stored.add(Progress{Phase: "cached", Loaded: 10, Total: 10, File: "model"}); got.Phase != "cached" || got.Total != 0 || got.Loaded != 10 {
		t.Errorf("an unknown mmproj size: %+v", got)
	}
	var none *pairProgress
	if in := (Progress{Phase: "upload", Loaded: 1, Total: 2}); none.add(in) != in {
		t.Error("a single file's event changed")
	}
}

// The catalog's vision entries load as pairs: the model with its mmproj
// (address, digest, size), one progress bar over both; a catalog model's
// address typed in pairs the same way.
func TestCatalogVisionEntryLoadsAsPair(t *testing.T) {
	entries, err := catalogEntries()
	if err != nil {
		t.Fatal(err)
	}
	var vlm *catalog.Entry
	for i := range entries {
		if entries[i].MMProj != nil {
			vlm = &entries[i]
			break
		}
	}
	if vlm == nil {
		t.Fatal("the catalog has no vision entry")
	}
	f := newFakeManager()
	got := make(chan ModelSource, 2)
	f.load = func(src ModelSource) (ModelInfo, error) {
		got <- src
		return ModelInfo{Arch: "llama", Vision: &VisionInfo{Projector: "idefics3"}}, nil
	}
	a := managedApp(f)
	c := &CatalogList{App: a}
	if note := c.Note(*vlm); note != "" || !c.CanLoad(*vlm) {
		t.Fatalf("the vision entry is held back: %q", note)
	}
	a.Env.Lock()
	c.Load(*vlm)
	a.Env.UnlockOnly()
	src := <-got
	settle(t, a, f)
	if src.URL != vlm.URL || src.MMProj == nil || src.MMProj.URL != vlm.MMProj.URL || src.MMProj.Size != int64(vlm.MMProj.Size) {
		t.Fatalf("the load got %+v (mmproj %+v)", src, src.MMProj)
	}
	if !a.CanAttach() {
		t.Fatal("a loaded pair takes no pictures")
	}
	a.Env.Lock()
	a.Model.URL = vlm.URL
	a.LoadModel()
	a.Env.UnlockOnly()
	if src := <-got; src.MMProj == nil || src.MMProj.URL != vlm.MMProj.URL {
		t.Fatalf("the address typed in loaded %+v without its image encoder", src)
	}
	settle(t, a, f)
}
