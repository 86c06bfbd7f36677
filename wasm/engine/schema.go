//go:build js && wasm

package main

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/sample/constrain"
	"github.com/hearth-ai/hearth/engine/tokenizer"
)

// schemaCache holds what constrained decoding reuses between generations:
// compiled schemas by their text, and the vocabulary's token trie (built
// at the first constrained generation of a model; the masks it caches per
// schema make later generations of the same schema cheap).
type schemaCache struct {
	compiled map[string]*constrain.Schema
	index    *constrain.Index
	indexTok *tokenizer.Tokenizer // the tokenizer index was built for
	active   *constrain.Constraint
	work     []float32 // the masked logits
}

// maxSchemas bounds the compiled schemas kept; past it the cache starts
// over (a page normally uses one or two).
const maxSchemas = 16

// begin readies the constraint of a generation: none for an empty schema.
func (c *schemaCache) begin(tok *tokenizer.Tokenizer, schema string) error {
	c.active = nil
	if schema == "" {
		return nil
	}
	s := c.compiled[schema]
	if s == nil {
		var err error
		if s, err = constrain.Compile([]byte(schema)); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
		if c.compiled == nil || len(c.compiled) >= maxSchemas {
			c.compiled = map[string]*constrain.Schema{}
			c.index = nil // its masks are keyed by the schemas dropped
		}
		c.compiled[schema] = s
	}
	if c.index == nil || c.indexTok != tok {
		c.index, c.indexTok = constrain.NewIndex(tok), tok
	}
	c.active = c.index.Constrain(s)
	return nil
}

// mask returns logits with every token the schema refuses set to -Inf,
// in a buffer of its own (the session's logits stay as computed).
func (c *schemaCache) mask(logits []float32) ([]float32, error) {
	c.work = append(c.work[:0], logits...)
	if err := c.active.Mask(c.work); err != nil {
		return nil, err
	}
	return c.work, nil
}
