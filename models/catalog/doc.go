// Package catalog is the list of real Hugging Face GGUF files the web app
// offers: where each file lives, how big it is, its sha256 when the publisher
// states one, its licence, and where every one of those facts came from.
//
// The list is catalog.json, embedded at build time so the app needs no network
// to know what it can download. Load parses and validates it; Parse does the
// same for any other bytes. A catalog that fails validation is never returned
// in part: the error names every entry and field that is wrong.
//
// models/CATALOG.md is the human-readable companion: a table of the entries
// and the licence terms that travel with them.
package catalog
