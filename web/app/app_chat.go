package main

import (
	"fmt"
	"strings"
)

// The chat's actions beyond Send and Stop (app.go): regenerate the last
// answer, edit a message of the user's and send it again, fit the
// conversation into the model's context, and report the engine's memory.

// EngineMemory is the engine's memory: its two WebAssembly memories, the
// arena (weights, KV cache, activations) and the Go instance's.
type EngineMemory struct {
	ArenaBytes, GoBytes int64
	PeakBytes           int64 // their highest sum so far
}

// Total is the memory in use.
func (m EngineMemory) Total() int64 { return m.ArenaBytes + m.GoBytes }

// memoryReporter is an engine that reports its memory.
type memoryReporter interface {
	Memory() (EngineMemory, error)
}

// lastAnswer is the index of the last message if it is an answer, else -1.
func (a *App) lastAnswer() int {
	n := len(a.Chat.Messages)
	if n >= 2 && a.Chat.Messages[n-1].Role == "assistant" && a.Chat.Messages[n-2].Role == "user" {
		return n - 1
	}
	return -1
}

// CanRegenerate tells whether the last answer can be written again.
func (a *App) CanRegenerate() bool {
	return a.Model.Status == ModelReady && !a.Chat.Generating && a.Chat.EditingID == 0 && a.lastAnswer() >= 0
}

// Regenerate replaces the last answer with a new one. Call it with the
// lock held.
func (a *App) Regenerate() {
	if !a.CanRegenerate() {
		return
	}
	a.Chat.Messages = a.Chat.Messages[:a.lastAnswer()]
	a.answer()
}

// answer starts the answer to the conversation as it stands (ending with
// the user's message). Call it with the lock held.
func (a *App) answer() {
	a.CancelEdit()
	turns := a.turns()
	answer := a.Chat.add("assistant", "")
	answer.Streaming = true
	a.Chat.Generating, a.Chat.Stopping = true, false
	opt := a.Options
	opt.Sampling.Seed = a.seed()
	go a.runGenerate(turns, answer, opt)
}

// CanEdit tells whether message m can be edited now.
func (a *App) CanEdit(m *Message) bool {
	return m.Role == "user" && !a.Chat.Generating && a.Chat.EditingID == 0
}

// StartEdit opens message id for editing. Call it with the lock held.
func (a *App) StartEdit(id int) {
	for _, m := range a.Chat.Messages {
		if m.ID == id && a.CanEdit(m) {
			a.Chat.EditingID, a.Chat.EditDraft = id, m.Text
		}
	}
}

// CancelEdit closes the message being edited, unchanged.
func (a *App) CancelEdit() { a.Chat.EditingID, a.Chat.EditDraft = 0, "" }

// CanSaveEdit tells whether the edit can be sent.
func (a *App) CanSaveEdit() bool {
	return a.Model.Status == ModelReady && !a.Chat.Generating && strings.TrimSpace(a.Chat.EditDraft) != ""
}

// SaveEdit sends the edited message again: the conversation after it is
// dropped, and a new answer starts. Call it with the lock held.
func (a *App) SaveEdit() {
	if !a.CanSaveEdit() {
		return
	}
	for i, m := range a.Chat.Messages {
		if m.ID != a.Chat.EditingID {
			continue
		}
		m.Text = strings.TrimSpace(a.Chat.EditDraft)
		m.OutOfContext = false
		a.Chat.Messages = a.Chat.Messages[:i+1]
		a.CancelEdit()
		a.saveConversation()
		a.answer()
		return
	}
	a.CancelEdit() // the message is gone
}

// fitContext makes the prompt of turns fit the model's context (see
// fitWindow), marks the messages it leaves out, says so, and bounds the
// answer by the room left.
func (a *App) fitContext(turns []Turn, opt GenerateOptions) (Prompt, GenerateOptions, error) {
	a.Env.RLock()
	ctx := a.Model.Info.Context
	a.Env.RUnlock()
	prompt, dropped, err := fitWindow(a.Engine.ChatPrompt, turns, ctx, opt.MaxTokens)
	if err != nil {
		return prompt, opt, err
	}
	if ctx > 0 {
		opt.MaxTokens = max(1, min(opt.MaxTokens, ctx-prompt.Positions()))
	}
	// A template may leave out the system prompt (Phi-3's does): say so,
	// rather than let the setting seem to do nothing.
	dropsSystem := len(turns) > 0 && turns[0].Role == "system" && !strings.Contains(prompt.Text, turns[0].Content)
	a.update(func() {
		a.markWindow(dropped, ctx, prompt.Positions(), opt.MaxTokens)
		if dropsSystem {
			a.Chat.Notice = strings.TrimSpace(a.Chat.Notice + " This model's chat template leaves out the system prompt.")
		}
	})
	return prompt, opt, nil
}

// markWindow marks the first dropped messages as outside the model's view
// and sets the notice. Call it with the lock held.
func (a *App) markWindow(dropped, ctx, promptTokens, answerTokens int) {
	n := 0
	for _, m := range a.Chat.Messages {
		if m.Text == "" && len(sentImages(m)) == 0 { // the messages turns() sends
			continue
		}
		m.OutOfContext = n < dropped
		n++
	}
	a.Chat.Notice = ""
	if dropped > 0 {
		what := "its first message"
		if dropped > 1 {
			what = fmt.Sprintf("its first %d messages", dropped)
		}
		a.Chat.Notice = fmt.Sprintf("This conversation is longer than the model's context of %d tokens: the model no longer sees %s (marked below). The system prompt and the latest messages (%d tokens) are kept.", ctx, what, promptTokens)
	}
	if ctx > 0 && answerTokens < a.Options.MaxTokens && answerTokens < answerRoom(ctx, a.Options.MaxTokens) {
		if a.Chat.Notice != "" {
			a.Chat.Notice += " "
		}
		a.Chat.Notice += fmt.Sprintf("Only %d tokens of the context are left for the answer.", answerTokens)
	}
}

// afterAnswer saves the conversation and records the engine's memory in
// the answer once it has ended.
func (a *App) afterAnswer(answer *Message) {
	a.update(a.saveConversation)
	mr, ok := a.Engine.(memoryReporter)
	if !ok {
		return
	}
	if m, err := mr.Memory(); err == nil {
		a.update(func() { answer.MemoryBytes = m.Total() })
	}
}
