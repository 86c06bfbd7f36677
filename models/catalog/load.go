package catalog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

//go:embed catalog.json
var embedded []byte

// Load returns the models of the catalog built into the program, validated.
func Load() ([]Entry, error) {
	return Parse(embedded)
}

// Parse decodes a catalog.json document and validates it. Unknown fields and
// trailing data are errors, so a typo cannot silently drop a fact. On error
// no entries are returned.
func Parse(data []byte) ([]Entry, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("catalog: decoding JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("catalog: decoding JSON: data continues after the catalog object")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c.Models, nil
}
