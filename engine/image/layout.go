package image

import "fmt"

// SegmentKind says what a Segment of an image's prompt layout is.
type SegmentKind int

const (
	// SegmentToken is one vocabulary token, named by its exact text
	// (llama.cpp looks these up by piece rather than tokenizing them).
	SegmentToken SegmentKind = iota
	// SegmentText is text to tokenize with special tokens recognised.
	SegmentText
	// SegmentTile is the embeddings of one tile (Row, Col are 1-based).
	SegmentTile
	// SegmentOverview is the embeddings of the global image.
	SegmentOverview
)

// Segment is one piece of the token sequence that stands for an image.
type Segment struct {
	Kind     SegmentKind
	Text     string // for SegmentToken and SegmentText
	Row, Col int    // for SegmentTile, 1-based
}

// Idefics3Layout is the sequence that replaces an image in an idefics3
// (SmolVLM) prompt, as llama.cpp's mtmd tokenizer builds it for
// MTMD_SLICE_TMPL_IDEFICS3 (after transformers' Idefics3Processor): each
// tile is preceded by the text "<fake_token_around_image><row_r_col_c>";
// rows are separated (not terminated) by a "\n" token; then come the tokens
// "\n\n", "<fake_token_around_image>", "<global-img>", the overview, and a
// closing "<fake_token_around_image>". Tiles appear in the order of
// Idefics3Image.Tiles.
func Idefics3Layout(rows, cols int) []Segment {
	var out []Segment
	for r := 1; r <= rows; r++ {
		for c := 1; c <= cols; c++ {
			out = append(out,
				Segment{Kind: SegmentText, Text: fmt.Sprintf("<fake_token_around_image><row_%d_col_%d>", r, c)},
				Segment{Kind: SegmentTile, Row: r, Col: c})
		}
		if r != rows {
			out = append(out, Segment{Kind: SegmentToken, Text: "\n"})
		}
	}
	return append(out,
		Segment{Kind: SegmentToken, Text: "\n\n"},
		Segment{Kind: SegmentToken, Text: "<fake_token_around_image>"},
		Segment{Kind: SegmentToken, Text: "<global-img>"},
		Segment{Kind: SegmentOverview},
		Segment{Kind: SegmentToken, Text: "<fake_token_around_image>"})
}
