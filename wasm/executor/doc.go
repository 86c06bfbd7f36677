// Package executor is Hearth's action executor in the browser: it reads
// the live DOM into an engine/action Observation (the page as indexed
// interactive elements plus its visible text) and performs engine/action
// Actions on it with the event sequences real pages react to. Target
// resolution, the safety policy and the plan loop live in engine/action;
// this package implements its Page over the DOM (GOOS=js only). The few
// DOM-free helpers (text collapsing, option matching, budgets) build
// everywhere so that they are tested natively.
//
// What it reads: the top document, same-origin iframes (Element.Frame is
// the frame path) and open shadow roots; only the open modal dialog while
// one is open. What it cannot do yet:
//
//   - Its events are synthetic (isTrusted is false): pages that ignore
//     untrusted events do not react, CSS :hover and :active do not apply,
//     and browser features that need a real gesture (a native <select>
//     popup, file pickers, clipboard, fullscreen, pop-up windows) do not
//     open. Keys are dispatched, not typed by the browser: Enter, Space,
//     Tab, Backspace and single characters get their default action from
//     the executor; other keys (arrows in a native control, shortcuts)
//     only reach the page's own listeners.
//   - Cross-origin iframes and closed shadow roots cannot be read; they
//     are skipped (cross-origin frames are noted in the text).
//   - Elements that are not rendered (display:none) are not listed; a
//     hidden control with a visible <label> is listed and acted on
//     through its label.
//   - Drag and drop, text selection, canvas/SVG widgets without ARIA
//     roles, file uploads and date pickers beyond typing the value.
//   - Settling waits for DOM quiet (100 ms, at most 1.5 s), not for the
//     network: a slow fetch is waited for with wait_for.
package executor
