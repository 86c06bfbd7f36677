package catalog

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ValidationError is one problem with one entry of a catalog.
type ValidationError struct {
	Index   int    // position in the models list; -1 for the catalog as a whole
	ID      string // the entry's id, when it has one
	Field   string // the JSON field at fault, e.g. "sha256" or "mmproj.url"
	Problem string // what is wrong, in words
}

// Error names the entry, the field and the problem.
func (e *ValidationError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("catalog: %s: %s", e.Field, e.Problem)
	}
	return fmt.Sprintf("catalog: models[%d] (id %q): %s: %s", e.Index, e.ID, e.Field, e.Problem)
}

// maxDownload is the most an entry may download: a wasm32 page cannot
// address more than 4 GiB, and the model has to fit in it.
const maxDownload = 4 << 30

// quantizations are the GGUF file types the engine reads, as publishers
// spell them in file names.
var quantizations = map[string]bool{
	"F32": true, "F16": true, "BF16": true,
	"Q4_0": true, "Q4_1": true, "Q5_0": true, "Q5_1": true, "Q8_0": true,
	"Q2_K": true, "Q3_K_S": true, "Q3_K_M": true, "Q3_K_L": true,
	"Q4_K_S": true, "Q4_K_M": true, "Q5_K_S": true, "Q5_K_M": true, "Q6_K": true,
}

// Validate checks the whole catalog and returns every problem it finds,
// joined, each a *ValidationError; nil means the catalog is usable.
func (c *Catalog) Validate() error {
	var errs []error
	whole := func(field, format string, args ...any) {
		errs = append(errs, &ValidationError{Index: -1, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if c.Version != SchemaVersion {
		whole("version", "is %d, this package reads version %d", c.Version, SchemaVersion)
	}
	if len(c.Models) == 0 {
		whole("models", "is empty")
	}
	seenID := map[string]int{}
	seenURL := map[string]int{}
	for i := range c.Models {
		e := &c.Models[i]
		errs = append(errs, e.validate(i)...)
		if e.ID != "" {
			if j, dup := seenID[e.ID]; dup {
				errs = append(errs, &ValidationError{Index: i, ID: e.ID, Field: "id", Problem: fmt.Sprintf("duplicates models[%d]", j)})
			} else {
				seenID[e.ID] = i
			}
		}
		if e.URL != "" {
			if j, dup := seenURL[e.URL]; dup {
				errs = append(errs, &ValidationError{Index: i, ID: e.ID, Field: "url", Problem: fmt.Sprintf("duplicates models[%d]", j)})
			} else {
				seenURL[e.URL] = i
			}
		}
	}
	return errors.Join(errs...)
}

// validate returns the problems of one entry, i being its position.
func (e *Entry) validate(i int) []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ValidationError{Index: i, ID: e.ID, Field: field, Problem: fmt.Sprintf(format, args...)})
	}

	if problem := checkID(e.ID); problem != "" {
		bad("id", "%s", problem)
	}
	if strings.TrimSpace(e.Name) == "" {
		bad("name", "is empty")
	}
	switch e.Kind {
	case KindText, KindVision, KindMoE:
	default:
		bad("kind", "is %q, want one of %q, %q, %q", e.Kind, KindText, KindVision, KindMoE)
	}
	if problem := checkWord(e.Architecture); problem != "" {
		bad("architecture", "%s", problem)
	}
	if strings.TrimSpace(e.Parameters) == "" {
		bad("parameters", "is empty")
	}
	if e.Kind == KindMoE && strings.TrimSpace(e.ActiveParams) == "" {
		bad("active_parameters", "is empty; a moe entry says how many parameters each token uses")
	}
	if e.Kind != KindMoE && e.ActiveParams != "" {
		bad("active_parameters", "is set on a %s entry; only moe entries have it", e.Kind)
	}

	model, err := parseHFURL(e.URL)
	if err != nil {
		bad("url", "%v", err)
	}
	if problem := checkQuantization(e.Quantization, model.Name); problem != "" {
		bad("quantization", "%s", problem)
	}
	if problem := checkSHA256(e.SHA256); problem != "" {
		bad("sha256", "%s", problem)
	}
	if problem := checkRevision(e.Revision); problem != "" {
		bad("revision", "%s", problem)
	}

	if strings.TrimSpace(e.Licence.ID) == "" {
		bad("licence.id", "is empty; every model must name its licence")
	} else if strings.ContainsAny(e.Licence.ID, " \t\n") {
		bad("licence.id", "is %q; an SPDX identifier has no spaces", e.Licence.ID)
	}
	if problem := checkHTTPS(e.Licence.URL); problem != "" {
		bad("licence.url", "%s", problem)
	}
	if e.Context <= 0 {
		bad("context_length", "is %d, want a positive number of tokens", e.Context)
	}
	if e.ChatTemplate != TemplateFromGGUF {
		bad("chat_template", "is %q, want %q (the file's own template)", e.ChatTemplate, TemplateFromGGUF)
	}

	switch {
	case e.Kind == KindVision && e.MMProj == nil:
		bad("mmproj", "is missing; a vision entry needs its image encoder")
	case e.Kind != KindVision && e.MMProj != nil:
		bad("mmproj", "is set on a %s entry; only vision entries have one", e.Kind)
	case e.MMProj != nil:
		errs = append(errs, e.validateMMProj(i, model)...)
	}

	if e.Size > maxDownload || (e.MMProj != nil && e.Size+e.MMProj.Size > maxDownload) {
		bad("size", "downloads more than 4 GiB, which a wasm32 page cannot hold")
	}
	errs = append(errs, e.validateSource(i)...)
	return errs
}

// validateMMProj checks the image encoder of a vision entry whose model
// file is model.
func (e *Entry) validateMMProj(i int, model hfFile) []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ValidationError{Index: i, ID: e.ID, Field: "mmproj." + field, Problem: fmt.Sprintf(format, args...)})
	}
	m := e.MMProj
	proj, err := parseHFURL(m.URL)
	switch {
	case err != nil:
		bad("url", "%v", err)
	case m.URL == e.URL:
		bad("url", "is the model's own url")
	case model.Repo != "" && proj.Repo != model.Repo:
		// A projector is trained with one text model; taking it from another
		// repository is how mismatched pairs happen.
		bad("url", "is in repository %q but the model is in %q", proj.Repo, model.Repo)
	}
	if problem := checkQuantization(m.Quantization, proj.Name); problem != "" {
		bad("quantization", "%s", problem)
	}
	if problem := checkSHA256(m.SHA256); problem != "" {
		bad("sha256", "%s", problem)
	}
	return errs
}

// validateSource insists that every fact the entry states says where it
// came from.
func (e *Entry) validateSource(i int) []error {
	var errs []error
	missing := func(field, why string) {
		errs = append(errs, &ValidationError{Index: i, ID: e.ID, Field: "source." + field, Problem: "is empty; " + why})
	}
	s := e.Source
	if strings.TrimSpace(s.File) == "" {
		missing("file", "say why this repository and file")
	}
	if strings.TrimSpace(s.Licence) == "" {
		missing("licence", "say where the licence was read")
	}
	if strings.TrimSpace(s.Context) == "" {
		missing("context_length", "say where the context length was read")
	}
	if e.Size != 0 && strings.TrimSpace(s.Size) == "" {
		missing("size", "a size must say where it was published or measured")
	}
	if e.SHA256 != "" && strings.TrimSpace(s.SHA256) == "" {
		missing("sha256", "a sha256 must say which publisher page states it")
	}
	if e.MMProj != nil && strings.TrimSpace(s.MMProj) == "" {
		missing("mmproj", "say where the mmproj's facts came from")
	}
	return errs
}

// checkID allows ids that are safe as file names, URL path segments and
// storage keys.
func checkID(id string) string {
	if id == "" {
		return "is empty"
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Sprintf("is %q; use only lower-case letters, digits, '.', '_' and '-'", id)
		}
	}
	if id[0] == '.' || id[0] == '-' {
		return fmt.Sprintf("is %q; it must start with a letter or digit", id)
	}
	return ""
}

// checkWord allows a lower-case GGUF architecture name such as "qwen2moe".
func checkWord(s string) string {
	if s == "" {
		return "is empty"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return fmt.Sprintf("is %q; a GGUF architecture is lower-case letters, digits and '_'", s)
		}
	}
	return ""
}

// checkQuantization wants a scheme the engine reads, and one that the file
// name also states, so a mislabelled entry is caught.
func checkQuantization(q, fileName string) string {
	if !quantizations[q] {
		return fmt.Sprintf("is %q, not a scheme the engine reads", q)
	}
	if fileName != "" && !strings.Contains(strings.ToLower(fileName), strings.ToLower(q)) {
		return fmt.Sprintf("is %q but the file %q does not say so", q, fileName)
	}
	return ""
}

// checkSHA256 allows an empty value (the publisher's was not found) or 64
// lower-case hex digits.
func checkSHA256(s string) string {
	if s == "" {
		return ""
	}
	if len(s) != 64 || !isLowerHex(s) {
		return fmt.Sprintf("is %q; want 64 lower-case hex digits, or empty when the publisher's value is unknown", s)
	}
	return ""
}

// checkRevision allows an empty value or a 40-digit git commit id.
func checkRevision(s string) string {
	if s == "" {
		return ""
	}
	if len(s) != 40 || !isLowerHex(s) {
		return fmt.Sprintf("is %q; want a 40-digit lower-case commit id, or empty", s)
	}
	return ""
}

func isLowerHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// checkHTTPS wants an absolute https URL with a host.
func checkHTTPS(raw string) string {
	if raw == "" {
		return "is empty"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Sprintf("is not a URL: %v", err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return fmt.Sprintf("is %q; want an https URL", raw)
	}
	return ""
}
