package action

import "strings"

// actable checks that el is a kind of element a can act on and is in a
// state to be acted on. It returns a not_actable Decision when not.
func actable(a Action, el Element) (Decision, bool) {
	if readOnly(a.Action) {
		return Decision{}, true
	}
	if el.Disabled {
		return deny(ErrNotActable, "%s is disabled", Describe(el)), false
	}
	if el.Covered {
		return deny(ErrNotActable, "%s is covered by another element", Describe(el)), false
	}
	switch a.Action {
	case Type:
		if !isTextField(el) {
			return deny(ErrNotActable, "%s is not a text field", Describe(el)), false
		}
	case Select:
		if !isSelectable(el) {
			return deny(ErrNotActable, "%s is not a list of options", Describe(el)), false
		}
	case Check:
		if !isCheckable(el) {
			return deny(ErrNotActable, "%s is not a checkbox, radio or switch", Describe(el)), false
		}
	case Uncheck:
		if !isCheckable(el) || el.Role == "radio" || el.InputType == "radio" {
			return deny(ErrNotActable, "%s cannot be unchecked (only checkboxes and switches can)", Describe(el)), false
		}
	}
	return Decision{}, true
}

// isTextField reports whether el takes typed text.
func isTextField(el Element) bool {
	switch el.Role {
	case "textbox", "searchbox", "combobox", "spinbutton":
		return true
	}
	if el.Tag == "textarea" {
		return true
	}
	if el.Tag == "input" {
		switch strings.ToLower(el.InputType) {
		case "checkbox", "radio", "button", "submit", "reset", "image", "file", "range", "color", "hidden":
			return false
		}
		return true
	}
	return false
}

// isSelectable reports whether el offers options to select.
func isSelectable(el Element) bool {
	return el.Tag == "select" || el.Role == "listbox" || el.Role == "combobox" || len(el.Options) > 0
}

// isCheckable reports whether el has a checked state.
func isCheckable(el Element) bool {
	switch el.Role {
	case "checkbox", "radio", "switch", "menuitemcheckbox", "menuitemradio":
		return true
	}
	return el.Checked != nil
}
