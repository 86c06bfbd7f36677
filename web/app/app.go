package main

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vugu/vugu"
)

// App is the state the components show and the actions they start. Its
// fields are guarded by Env's lock: event handlers run with it held, and
// the goroutines that wait for the engine take it (update) to record what
// the engine said, which also asks for a new render.
type App struct {
	Engine Engine
	Env    vugu.EventEnv
	Now    func() time.Time // the clock (time.Now unless a test sets it)

	Model ModelState
	Chat  ChatState
	// Options shape every generation; NextSeed gives each its sampler
	// seed (random unless a test fixes it).
	Options  GenerateOptions
	NextSeed func() uint64
	// LastPrompt is the prompt of the latest generation.
	LastPrompt Prompt

	renderPending atomic.Bool // a coalesced render is scheduled (renderSoon)

	// Models is the model manager's state (app_models.go).
	Models ModelsState

	// Library is the saved conversations and the one open (library.go).
	Library Library
	// Settings is the settings panel: the system prompt and the sampling
	// fields as typed (settings.go).
	Settings Settings

	// Experts is the paging of a mixture of experts' experts: the offer
	// for one too large, the setting and the loaded model's expert cache
	// (app_experts.go).
	Experts ExpertsState
}

// DefaultMaxTokens bounds one answer unless the settings say otherwise.
const DefaultMaxTokens = 1024

// NewApp returns an App with no model, talking to engine; env is the
// renderer's event environment.
func NewApp(engine Engine, env vugu.EventEnv) *App {
	return &App{
		Engine:  engine,
		Env:     env,
		Now:     time.Now,
		Options: GenerateOptions{MaxTokens: DefaultMaxTokens, Sampling: DefaultSampling()},
		// Below 2^53, so that the seed is exact as a JavaScript number.
		NextSeed: func() uint64 { return rand.Uint64N(1 << 53) },
	}
}

// ModelStatus is where the model is in its life.
type ModelStatus int

// The model statuses.
const (
	ModelNone    ModelStatus = iota // nothing loaded yet
	ModelLoading                    // a load is under way
	ModelReady                      // a model is loaded
	ModelFailed                     // the last load failed
)

// ModelState is the model pane's state.
type ModelState struct {
	URL      string // the URL field
	Status   ModelStatus
	Source   string // the URL of the model loading or loaded
	Progress LoadProgress
	Info     ModelInfo
	Error    string
}

// Name is a short name for the model: its file name.
func (m *ModelState) Name() string {
	name := m.Source
	if u, err := url.Parse(m.Source); err == nil && u.Path != "" {
		name = path.Base(u.Path)
	}
	return name
}

// ChatState is the conversation.
type ChatState struct {
	Messages   []*Message
	Draft      string // the input box
	Generating bool   // an answer is being generated
	Stopping   bool   // Stop was pressed; the answer ends after its current token
	nextID     int

	// Notice says that the conversation outgrew the model's context
	// (app_chat.go), or is "".
	Notice string
	// EditingID is the message being edited (0: none); EditDraft its text.
	EditingID int
	EditDraft string

	// Attached are the images of the message being written, ImageError
	// why the latest one was refused ("": none), Checking how many the
	// engine is still checking (images.go).
	Attached   []*Attachment
	ImageError string
	Checking   int
}

// Message is one turn shown in the chat.
type Message struct {
	ID        int // unique in the conversation, for the renderer's keys
	Role      string
	Text      string
	Streaming bool   // tokens are still coming
	Stats     string // how the answer went: tokens, speed, why it ended
	Error     string

	OutOfContext bool      // the model no longer sees this message (app_chat.go)
	Tokens       int       // tokens received so far
	Started      time.Time // when the first token came
	MemoryBytes  int64     // the engine's memory when the answer ended (0: unknown)

	// Images are the pictures of a user's message (images.go). An answer
	// whose prompt holds images is Encoding them first: ImageStep is the
	// latest encoder input done, ImageSteps how many were.
	Images     []*Attachment
	Encoding   bool
	ImageStep  ImageStep
	ImageSteps int
}

func (c *ChatState) add(role, text string) *Message {
	c.nextID++
	m := &Message{ID: c.nextID, Role: role, Text: text}
	c.Messages = append(c.Messages, m)
	return m
}

// update runs f with the lock held and asks for a render.
func (a *App) update(f func()) {
	a.Env.Lock()
	defer a.Env.UnlockRender()
	f()
}

// frame is how often streaming text is redrawn at most.
const frame = 16 * time.Millisecond

// updateSoon runs f with the lock held and asks for a render within a
// frame, one render for all the updates of that frame: tokens may come
// faster than a page can usefully redraw, and each render rebuilds the
// page.
func (a *App) updateSoon(f func()) {
	a.Env.Lock()
	f()
	a.Env.UnlockOnly()
	if a.renderPending.Swap(true) {
		return
	}
	time.AfterFunc(frame, func() {
		a.renderPending.Store(false)
		a.Env.Lock()
		a.Env.UnlockRender()
	})
}

// Busy tells whether a load or a generation is under way.
func (a *App) Busy() bool { return a.Model.Status == ModelLoading || a.Chat.Generating }

// CanLoad tells whether the Load button does something.
func (a *App) CanLoad() bool { return !a.Busy() && strings.TrimSpace(a.Model.URL) != "" }

// CanSend tells whether the Send button does something.
func (a *App) CanSend() bool {
	return a.Model.Status == ModelReady && !a.Chat.Generating && a.Chat.Checking == 0 &&
		(strings.TrimSpace(a.Chat.Draft) != "" || len(a.Chat.Attached) > 0)
}

// LoadModel starts loading the model at the URL field's address (absolute,
// or relative to the page). Call it with the lock held.
func (a *App) LoadModel() {
	if !a.CanLoad() {
		return
	}
	src := strings.TrimSpace(a.Model.URL)
	if _, err := url.Parse(src); err != nil {
		a.Model.Status, a.Model.Error = ModelFailed, fmt.Sprintf("%q is not a URL: %v", src, err)
		return
	}
	if a.startLoad(ModelSource{URL: src, SHA256: catalogDigest(src), MMProj: catalogMMProj(src)}) { // app_models.go: checked before the loaded model goes; pair.go: a vision model's encoder
		return
	}
	hadModel := a.Model.Status == ModelReady
	a.Model.Status, a.Model.Source, a.Model.Error = ModelLoading, src, ""
	a.Model.Progress = LoadProgress{Started: a.Now(), Updated: a.Now()}
	a.Model.Info = ModelInfo{}
	go a.runLoad(src, hadModel)
}

func (a *App) runLoad(src string, unloadFirst bool) {
	if unloadFirst {
		if err := a.Engine.Unload(); err != nil {
			a.update(func() { a.Model.Status, a.Model.Error = ModelFailed, "unloading the previous model: "+err.Error() })
			return
		}
	}
	info, err := a.Engine.Load(src, func(p Progress) {
		a.update(func() { a.Model.Progress.Update(p, a.Now()) })
	})
	a.update(func() {
		if err != nil {
			a.Model.Status, a.Model.Error = ModelFailed, err.Error()
			return
		}
		a.Model.Status, a.Model.Info = ModelReady, info
		a.Model.Progress.Done = true
	})
}

// Send sends the draft as the user's message and starts the answer. Call
// it with the lock held.
func (a *App) Send() {
	if !a.CanSend() {
		return
	}
	m := a.Chat.add("user", strings.TrimSpace(a.Chat.Draft))
	a.takeAttachments(m) // images.go
	a.Chat.Draft = ""
	a.saveConversation()
	a.answer() // app_chat.go
}

// turns is the conversation as the chat template takes it: the system
// prompt (when set), then every message with text, in order.
func (a *App) turns() []Turn {
	var out []Turn
	if sp := strings.TrimSpace(a.Settings.SystemPrompt); sp != "" {
		out = append(out, Turn{Role: "system", Content: sp})
	}
	for _, m := range a.Chat.Messages {
		if m.Text != "" || len(sentImages(m)) > 0 {
			out = append(out, Turn{Role: m.Role, Content: m.Text, Images: sentImages(m)})
		}
	}
	return out
}

func (a *App) runGenerate(turns []Turn, answer *Message, opt GenerateOptions) {
	finish := func(res GenerateResult, err error) {
		a.update(func() {
			answer.Streaming = false
			a.Chat.Generating, a.Chat.Stopping = false, false
			if err != nil {
				answer.Error = err.Error()
				return
			}
			answer.Stats = answerStats(res)
			noteStoppedReading(answer, res) // images_stop.go: Stop while the pictures were read
		})
		a.afterAnswer(answer)  // app_chat.go: saved, memory recorded
		a.refreshExpertCache() // app_experts.go: the expert cache's hit rate
		a.refreshImageCache()  // vision_facts.go: the pictures the encoder keeps
	}
	prompt, opt, err := a.fitContext(turns, opt) // app_chat.go: the context window
	if err != nil {
		finish(GenerateResult{}, err)
		return
	}
	stopped := false
	a.update(func() { a.LastPrompt, stopped = prompt, a.Chat.Stopping })
	if stopped {
		finish(GenerateResult{PromptTokens: len(prompt.IDs), Stop: "stopped"}, nil)
		return
	}
	// A Stop pressed while the engine was starting may have reached it
	// before the generation began: ask again once tokens come.
	askedAgain := false
	res, err := a.generate(prompt, opt, answer, func(text string) { // images.go
		a.updateSoon(func() {
			if answer.Text == "" {
				// A first token often starts with the space that joins
				// words ("▁The"): the answer starts at its first letter.
				text = strings.TrimLeft(text, " \t\n")
			}
			answer.Text += text
			if answer.Tokens++; answer.Started.IsZero() {
				answer.Started = a.Now()
			}
			if a.Chat.Stopping && !askedAgain {
				askedAgain = true
				a.Engine.Stop()
			}
		})
	})
	finish(res, err)
}

// Stop asks the answer being generated to end. Call it with the lock held.
func (a *App) Stop() {
	if !a.Chat.Generating || a.Chat.Stopping {
		return
	}
	a.Chat.Stopping = true
	a.Engine.Stop()
}

// ShowMessage adds a finished message to the chat as if a generation had
// produced it (the test hook uses it to feed the renderer). Call it with
// the lock held.
func (a *App) ShowMessage(role, text string) { a.Chat.add(role, text) }

// answerStats describes a finished answer: "42 tokens · 31.5 tokens/s ·
// stopped".
func answerStats(r GenerateResult) string {
	s := fmt.Sprintf("%d tokens", r.Tokens)
	if r.Tokens == 1 {
		s = "1 token"
	}
	if r.DecodeSeconds > 0 && r.Tokens > 0 {
		s += fmt.Sprintf(" · %.1f tokens/s", float64(r.Tokens)/r.DecodeSeconds)
	}
	switch r.Stop {
	case "length":
		s += " · stopped at the token limit"
	case "context":
		s += " · the context is full"
	case "stopped":
		s += " · stopped"
	}
	return s + r.Experts.stats() // app_experts.go
}
