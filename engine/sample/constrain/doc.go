// Package constrain makes a language model's sampled output follow a JSON
// schema: before each token is sampled, Mask gives every token that cannot
// continue a valid document a logit of -Inf, and after it Accept advances
// the matcher by the token's bytes. Whatever the sampler draws, at any
// temperature, the text parses as compact JSON and validates.
//
// # Schemas
//
// Compile takes a JSON schema in the subset below and turns it into a
// byte-level automaton. Properties are written in the schema document's
// order (the document is read order-preserving), with no insignificant
// whitespace, so that the language is small and every prefix has one
// reading:
//
//   - oneOf / anyOf: alternatives (anyOf is generated like oneOf; a oneOf
//     whose alternatives overlap can produce a document matching several);
//   - type: "object", "array", "string", "integer", "number", "boolean",
//     "null", or a list of them;
//   - object: properties (in document order), required, additionalProperties
//     (false or true: only the declared properties are ever written);
//   - array: items, minItems, maxItems (DefaultMaxItems when absent);
//   - string: minLength, maxLength in characters (code points), with
//     DefaultMaxLength when absent; raw UTF-8 (validated, no surrogates,
//     no overlong forms), the escapes \" \\ \/ \b \f \n \r \t and \uXXXX
//     outside the surrogate range, and no raw control characters; one
//     pattern, "^\S" (the string starts with a character that is not
//     white space; the matcher holds the first byte to printable ASCII
//     other than a backslash, or a lead byte no space shares);
//   - integer: minimum, maximum, exclusiveMinimum, exclusiveMaximum (as
//     numbers), within ±10^18; without bounds ±(2^53-1), the integers
//     JavaScript holds exactly. Written without leading zeros or "-0";
//   - number: without bounds, at most 15 integer digits, 15 fraction digits
//     and a two-digit exponent;
//   - const and enum of any JSON values, written in their compact form;
//   - annotations ($schema, $id, $comment, title, description, default,
//     examples) are ignored.
//
// Anything else ($ref, other patterns, format, multipleOf, allOf, not, …) is
// refused with an error that names it. Every string, array and number is
// bounded, so the language is finite: every path the mask allows reaches a
// complete document, and generation ends when Done reports true.
//
// # Vocabularies
//
// NewIndex builds byte tries of a vocabulary once (tokenizer.Tokenizer
// satisfies Vocab); a Constraint walks them with the matcher's state and
// prunes every branch whose bytes the state refuses. Masks are cached per
// state. A string state is keyed by how many characters may still come and
// how many must, clamped just above the longest piece of the trie: the
// pieces of up to 24 bytes (all but a few hundred) are in one trie, whose
// masks hit the cache all along a string but for its last 24 characters;
// the longer ones are in a second, small trie walked when its cache
// misses. Tokens without text (control tokens) are never allowed; the
// end-of-generation tokens are allowed exactly when the document is
// complete. Exactness assumes every single byte is some token (true for
// byte-level BPE and for SentencePiece with byte fallback); where it is
// not, Mask reports a dead end instead of a wrong mask.
//
// # Use
//
//	schema, err := constrain.Compile(schemaJSON) // once per schema
//	index := constrain.NewIndex(tok)             // once per tokenizer
//	c := index.Constrain(schema)                 // once per generation
//	for !c.Done() {
//		c.Mask(logits)                           // before sampling
//		id := sampler.Sample(logits, history)
//		c.Accept(id)                             // an EOG token ends it
//		…
//	}
//	text := c.Text()
//
// Text is the document's exact bytes, the accepted tokens' pieces in a
// row (what a tokenizer.StreamDecoder also gives). tokenizer.Decode is
// not the same for some vocabularies: it removes spaces before
// punctuation inside strings, which can change lengths and values.
package constrain
