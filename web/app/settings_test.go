package main

import (
	"errors"
	"strings"
	"testing"
)

// A valid value typed into a field becomes the setting; an invalid one
// leaves the setting as it was and says what is wrong; the seed is empty
// (a new one each answer) or a whole number.
func TestSettingsFields(t *testing.T) {
	app := NewApp(brokenEngine{errors.New("no engine")}, nil)
	for _, tc := range []struct {
		id, text, err string
	}{
		{"setting-temperature", "0", ""},
		{"setting-temperature", "2.5", "outside 0–2"},
		{"setting-temperature", "warm", `"warm" is not a number`},
		{"setting-top-k", "12", ""},
		{"setting-top-k", "1.5", "1.5 is not a whole number"},
		{"setting-top-p", "0.9", ""},
		{"setting-min-p", "-0.1", "outside 0–1"},
		{"setting-min-p", "0.1", ""},
		{"setting-repeat-penalty", "1.1", ""},
		{"setting-repeat-penalty", "NaN", "not a number"},
		{"setting-max-tokens", "3", ""},
		{"setting-max-tokens", "0", "outside 1–32768"},
		{"setting-seed", "42", ""},
		{"setting-seed", "-1", "outside"},
	} {
		err := app.SetSetting(tc.id, tc.text)
		if (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s = %q: error %v, want %q", tc.id, tc.text, err, tc.err)
		}
	}
	want := Sampling{Temperature: 0, TopK: 12, TopP: 0.9, MinP: 0.1, RepeatPenalty: 1.1, RepeatLastN: 64}
	if app.Options.Sampling != want || app.Options.MaxTokens != 3 {
		t.Errorf("the settings are %+v, max tokens %d; want %+v and 3", app.Options.Sampling, app.Options.MaxTokens, want)
	}
	if !app.Settings.SeedSet || app.Settings.Seed != 42 || app.seed() != 42 {
		t.Errorf("the seed is %v %d", app.Settings.SeedSet, app.Settings.Seed)
	}
	// The fields show what was typed, with the error of the last invalid
	// text.
	for _, f := range app.SettingFields() {
		if f.ID == "setting-seed" && (f.Value != "-1" || !strings.Contains(f.Error, "outside")) {
			t.Errorf("the seed field shows %q (%q)", f.Value, f.Error)
		}
		if f.ID == "setting-top-k" && (f.Value != "1.5" || f.Error == "") {
			t.Errorf("the top-k field shows %q (%q)", f.Value, f.Error)
		}
	}
	if err := app.SetSetting("setting-seed", " "); err != nil || app.Settings.SeedSet {
		t.Errorf("an empty seed: %v, set %v", err, app.Settings.SeedSet)
	}
	if err := app.SetSetting("setting-nothing", "1"); err == nil {
		t.Error("an unknown setting was taken")
	}
}

// The settings survive being stored: a new app given the stored text has
// the same settings; Reset brings back the defaults.
func TestSettingsRoundTrip(t *testing.T) {
	app := NewApp(brokenEngine{errors.New("no engine")}, nil)
	app.SetSystemPrompt("Be brief.")
	for id, v := range map[string]string{"setting-temperature": "0.3", "setting-top-k": "7", "setting-max-tokens": "99", "setting-seed": "9007199254740991"} {
		if err := app.SetSetting(id, v); err != nil {
			t.Fatal(err)
		}
	}
	stored := app.settingsJSON()
	other := NewApp(brokenEngine{errors.New("no engine")}, nil)
	if err := other.restoreSettings(stored); err != nil {
		t.Fatal(err)
	}
	if other.Options != app.Options || other.Settings.SystemPrompt != "Be brief." || other.Settings.Seed != 1<<53-1 || !other.Settings.SeedSet {
		t.Errorf("restored %+v %+v from %s; want %+v", other.Options, other.Settings, stored, app.Options)
	}
	if err := other.restoreSettings("{not json"); err == nil {
		t.Error("unreadable settings were taken")
	}
	other.ResetSettings()
	if other.Options != (GenerateOptions{MaxTokens: DefaultMaxTokens, Sampling: DefaultSampling()}) || other.Settings.SystemPrompt != "" {
		t.Errorf("after Reset: %+v, %q", other.Options, other.Settings.SystemPrompt)
	}
}
