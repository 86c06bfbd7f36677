package main

import "github.com/vugu/vugu"

// SettingsPanel is the chat's settings: the system prompt and the
// sampling settings (temperature, top-k, top-p, min-p, repetition
// penalty, max tokens, seed), each taking effect from the next answer.
type SettingsPanel struct {
	App *App
}

func (c *SettingsPanel) setSystemPrompt(e vugu.DOMEvent) {
	c.App.SetSystemPrompt(e.PropString("target", "value"))
}

// set takes what was typed into the field id (an invalid value is shown
// with its error and not used).
func (c *SettingsPanel) set(e vugu.DOMEvent, id string) {
	_ = c.App.SetSetting(id, e.PropString("target", "value"))
}

// Invalid is a field's aria-invalid.
func (c *SettingsPanel) Invalid(f SettingField) string {
	if f.Error != "" {
		return "true"
	}
	return "false"
}
