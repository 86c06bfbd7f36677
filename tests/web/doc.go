// Package web holds the end-to-end tests of the web app in headless
// Chromium: the page (web/index.html, the app built from web/app, the
// engine's worker) served as `make run` serves it, a synthetic model
// loaded by URL, a chat with streamed tokens and Stop, and model output
// that must stay text. The tests need Debian's chromium at
// /usr/bin/chromium (or $HEARTH_CHROMIUM) and fail without it.
package web
