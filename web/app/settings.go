package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Settings is the settings panel's state: the system prompt, and the
// sampling fields as typed. A field's text becomes the setting (in
// App.Options) as soon as it is valid; until then the field says what is
// wrong and the previous value stays in force.
type Settings struct {
	Open         bool   // the panel is shown
	SystemPrompt string // opens every conversation when not blank
	// SeedSet fixes the sampler's seed to Seed; otherwise each answer
	// draws a new one.
	SeedSet bool
	Seed    uint64

	text   map[string]string // a field's text, as typed (absent: the value's own text)
	errors map[string]string // why a field's text is not used
}

// SettingField is one field of the settings panel.
type SettingField struct {
	ID    string // the input's element id
	Label string
	Hint  string // what the values mean
	Mode  string // the input's inputmode ("decimal", "numeric")
	Value string // the text in the field
	Error string // why the text is not used, or ""
}

// settingSpec describes a sampling setting: how it reads from and is set
// into the app.
type settingSpec struct {
	id, label, hint, mode string
	get                   func(a *App) string
	set                   func(a *App, s string) error
}

// maxSeed is the largest seed a JavaScript number holds exactly.
const maxSeed = 1<<53 - 1

var settingSpecs = []settingSpec{
	{"setting-temperature", "Temperature", "0 always picks the likeliest token; higher is more varied (0–2).", "decimal",
		func(a *App) string { return formatFloat(a.Options.Sampling.Temperature) },
		func(a *App, s string) error {
			v, err := parseFloat(s, 0, 2)
			a.Options.Sampling.Temperature = pick(err, v, a.Options.Sampling.Temperature)
			return err
		}},
	{"setting-top-k", "Top-k", "Draw from the k likeliest tokens; 0 is off.", "numeric",
		func(a *App) string { return strconv.Itoa(a.Options.Sampling.TopK) },
		func(a *App, s string) error {
			v, err := parseInt(s, 0, 1<<20)
			a.Options.Sampling.TopK = int(pick(err, v, int64(a.Options.Sampling.TopK)))
			return err
		}},
	{"setting-top-p", "Top-p", "Draw from the likeliest tokens that together have this probability; 1 is off (0–1).", "decimal",
		func(a *App) string { return formatFloat(a.Options.Sampling.TopP) },
		func(a *App, s string) error {
			v, err := parseFloat(s, 0, 1)
			a.Options.Sampling.TopP = pick(err, v, a.Options.Sampling.TopP)
			return err
		}},
	{"setting-min-p", "Min-p", "Leave out tokens less likely than this share of the likeliest; 0 is off (0–1).", "decimal",
		func(a *App) string { return formatFloat(a.Options.Sampling.MinP) },
		func(a *App, s string) error {
			v, err := parseFloat(s, 0, 1)
			a.Options.Sampling.MinP = pick(err, v, a.Options.Sampling.MinP)
			return err
		}},
	{"setting-repeat-penalty", "Repetition penalty", "Above 1 makes the last 64 tokens less likely to repeat; 1 is off (0.5–2).", "decimal",
		func(a *App) string { return formatFloat(a.Options.Sampling.RepeatPenalty) },
		func(a *App, s string) error {
			v, err := parseFloat(s, 0.5, 2)
			a.Options.Sampling.RepeatPenalty = pick(err, v, a.Options.Sampling.RepeatPenalty)
			return err
		}},
	{"setting-max-tokens", "Max tokens", "The longest answer, in tokens (1–32768); the context may end it sooner.", "numeric",
		func(a *App) string { return strconv.Itoa(a.Options.MaxTokens) },
		func(a *App, s string) error {
			v, err := parseInt(s, 1, 32768)
			a.Options.MaxTokens = int(pick(err, v, int64(a.Options.MaxTokens)))
			return err
		}},
	{"setting-seed", "Seed", "Leave empty for a new seed each answer; a number repeats the same draws.", "numeric",
		func(a *App) string {
			if !a.Settings.SeedSet {
				return ""
			}
			return strconv.FormatUint(a.Settings.Seed, 10)
		},
		func(a *App, s string) error {
			if strings.TrimSpace(s) == "" {
				a.Settings.SeedSet = false
				return nil
			}
			v, err := parseInt(s, 0, maxSeed)
			if err == nil {
				a.Settings.SeedSet, a.Settings.Seed = true, uint64(v)
			}
			return err
		}},
}

// pick is v if err is nil, else old.
func pick[T any](err error, v, old T) T {
	if err != nil {
		return old
	}
	return v
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// parseFloat reads a number in [lo, hi].
func parseFloat(s string, lo, hi float64) (float64, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%s is outside %s–%s", s, formatFloat(lo), formatFloat(hi))
	}
	return v, nil
}

// parseInt reads a whole number in [lo, hi].
func parseInt(s string, lo, hi int64) (int64, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if _, ferr := strconv.ParseFloat(s, 64); ferr == nil {
			return 0, fmt.Errorf("%s is not a whole number", s)
		}
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%s is outside %d–%d", s, lo, hi)
	}
	return v, nil
}

// SettingFields are the sampling fields of the settings panel, with their
// text and errors.
func (a *App) SettingFields() []SettingField {
	out := make([]SettingField, len(settingSpecs))
	for i, sp := range settingSpecs {
		f := SettingField{ID: sp.id, Label: sp.label, Hint: sp.hint, Mode: sp.mode, Value: sp.get(a)}
		if t, ok := a.Settings.text[sp.id]; ok {
			f.Value = t
		}
		f.Error = a.Settings.errors[sp.id]
		out[i] = f
	}
	return out
}

// SetSetting takes the text typed into the field id. Call it with the
// lock held.
func (a *App) SetSetting(id, text string) error {
	for _, sp := range settingSpecs {
		if sp.id != id {
			continue
		}
		if a.Settings.text == nil {
			a.Settings.text, a.Settings.errors = map[string]string{}, map[string]string{}
		}
		a.Settings.text[id] = text
		if err := sp.set(a, text); err != nil {
			a.Settings.errors[id] = err.Error()
			return err
		}
		delete(a.Settings.errors, id)
		a.saveSettings()
		return nil
	}
	return fmt.Errorf("no setting %q", id)
}

// SetSystemPrompt sets the system prompt. Call it with the lock held.
func (a *App) SetSystemPrompt(s string) {
	a.Settings.SystemPrompt = s
	a.saveSettings()
}

// ResetSettings puts every setting back to its default. Call it with the
// lock held.
func (a *App) ResetSettings() {
	a.Options = GenerateOptions{MaxTokens: DefaultMaxTokens, Sampling: DefaultSampling()}
	open := a.Settings.Open
	a.Settings = Settings{Open: open}
	a.saveSettings()
}

// ToggleSettings shows or hides the settings panel.
func (a *App) ToggleSettings() { a.Settings.Open = !a.Settings.Open }

// seed is the seed of the next answer: the fixed one, or a new one.
func (a *App) seed() uint64 {
	if a.Settings.SeedSet {
		return a.Settings.Seed
	}
	return a.NextSeed()
}

// savedSettings is how the settings are stored.
type savedSettings struct {
	SystemPrompt  string  `json:"systemPrompt"`
	Temperature   float64 `json:"temperature"`
	TopK          int     `json:"topK"`
	TopP          float64 `json:"topP"`
	MinP          float64 `json:"minP"`
	RepeatPenalty float64 `json:"repeatPenalty"`
	MaxTokens     int     `json:"maxTokens"`
	Seed          *uint64 `json:"seed,omitempty"`
}

// settingsJSON is the settings as stored.
func (a *App) settingsJSON() string {
	s := a.Options.Sampling
	saved := savedSettings{
		SystemPrompt: a.Settings.SystemPrompt, Temperature: s.Temperature, TopK: s.TopK, TopP: s.TopP,
		MinP: s.MinP, RepeatPenalty: s.RepeatPenalty, MaxTokens: a.Options.MaxTokens,
	}
	if a.Settings.SeedSet {
		seed := a.Settings.Seed
		saved.Seed = &seed
	}
	b, _ := json.Marshal(saved) // plain fields: it cannot fail
	return string(b)
}

// restoreSettings applies stored settings, each value only if it is valid
// (a stored value from an older version of the page may not be).
func (a *App) restoreSettings(stored string) error {
	var saved savedSettings
	if err := json.Unmarshal([]byte(stored), &saved); err != nil {
		return fmt.Errorf("the stored settings are unreadable: %w", err)
	}
	a.Settings.SystemPrompt = saved.SystemPrompt
	values := map[string]string{
		"setting-temperature": formatFloat(saved.Temperature), "setting-top-k": strconv.Itoa(saved.TopK),
		"setting-top-p": formatFloat(saved.TopP), "setting-min-p": formatFloat(saved.MinP),
		"setting-repeat-penalty": formatFloat(saved.RepeatPenalty), "setting-max-tokens": strconv.Itoa(saved.MaxTokens),
		"setting-seed": "",
	}
	if saved.Seed != nil {
		values["setting-seed"] = strconv.FormatUint(*saved.Seed, 10)
	}
	for _, sp := range settingSpecs {
		_ = sp.set(a, values[sp.id]) // an invalid value leaves the default
	}
	return nil
}
