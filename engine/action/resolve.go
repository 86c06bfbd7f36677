package action

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/agnivade/levenshtein"
)

// Failure is why a step could not be carried out: a stable Kind, a human
// Reason and, for not_found and ambiguous, the candidates the model might
// have meant ("[4] button \"Save\"").
type Failure struct {
	Kind       ErrorKind `json:"kind"`
	Reason     string    `json:"reason"`
	Candidates []string  `json:"candidates,omitempty"`
}

// Error gives the kind, the reason and the candidates in one line.
func (f *Failure) Error() string {
	if len(f.Candidates) == 0 {
		return fmt.Sprintf("%s: %s", f.Kind, f.Reason)
	}
	return fmt.Sprintf("%s: %s (%s)", f.Kind, f.Reason, strings.Join(f.Candidates, ", "))
}

// Describe names an element the way errors and candidate lists show it:
// [4] button "Save".
func Describe(el Element) string {
	return fmt.Sprintf("[%d] %s %s", el.Index, el.Role, show(oneLine(el.Name, MaxLabelLen)))
}

// Match tiers of a label, best first.
const (
	tierName  = 3 // the accessible name equals the label
	tierText  = 2 // the visible text (or placeholder) equals the label
	tierFuzzy = 1 // similar enough (see fuzzyScore)
)

// FuzzyThreshold is the least similarity (0…1) a fuzzy label match needs.
// Edit-distance similarity is 1 - distance/longer length, so 0.8 allows
// one typo in five characters and none in a four-letter word.
const FuzzyThreshold = 0.8

// fuzzyMargin: two fuzzy candidates closer than this are equally good.
const fuzzyMargin = 0.05

// Resolve finds the element t names among elems. An index must be one of
// the elements' indices. A label is compared after trimming, lower-casing
// and collapsing whitespace: an exact accessible name beats exact visible
// text (Element.Text or the placeholder), which beats a fuzzy match
// (edit-distance similarity ≥ FuzzyThreshold, or one containing the other
// as whole words). Covered elements are not label candidates. Two equally
// good candidates are ErrAmbiguous, listing them; none is ErrNotFound,
// listing the closest few. Denied and disabled elements do resolve: Decide
// then refuses them with the right kind.
func Resolve(elems []Element, t Target) (Element, *Failure) {
	if t.Index != nil {
		for _, el := range elems {
			if el.Index == *t.Index {
				return el, nil
			}
		}
		return Element{}, &Failure{Kind: ErrNotFound,
			Reason: fmt.Sprintf("no element [%d] on the page now%s", *t.Index, indexRange(elems))}
	}
	label := normalize(t.Label)
	if label == "" {
		return Element{}, &Failure{Kind: ErrInvalid, Reason: "the target names neither an index nor a label"}
	}
	type scored struct {
		el    Element
		tier  int
		score float64
	}
	var all []scored
	topTier, topScore, coveredTier := 0, 0.0, 0
	for _, el := range elems {
		if el.Covered {
			tier, _ := matchLabel(label, el)
			coveredTier = max(coveredTier, tier)
			continue
		}
		tier, score := matchLabel(label, el)
		if tier == 0 {
			continue
		}
		all = append(all, scored{el, tier, score})
		if tier > topTier || tier == topTier && score > topScore {
			topTier, topScore = tier, score
		}
	}
	// A covered element that matches better than anything in view is what
	// was meant: report it rather than act on a lesser match elsewhere.
	if coveredTier > topTier {
		return Element{}, coveredMatch(elems, label, coveredTier)
	}
	var best []scored
	for _, s := range all {
		if s.tier == topTier && s.score >= topScore-fuzzyMargin {
			best = append(best, s)
		}
	}
	switch len(best) {
	case 0:
		if coveredTier > 0 {
			return Element{}, coveredMatch(elems, label, coveredTier)
		}
		return Element{}, &Failure{Kind: ErrNotFound,
			Reason:     fmt.Sprintf("no element is labelled %q", strings.TrimSpace(t.Label)),
			Candidates: closest(elems, label, 3)}
	case 1:
		return best[0].el, nil
	}
	sort.Slice(best, func(i, j int) bool { return best[i].el.Index < best[j].el.Index })
	cands := make([]string, len(best))
	for i, s := range best {
		cands[i] = Describe(s.el)
	}
	return Element{}, &Failure{Kind: ErrAmbiguous,
		Reason:     fmt.Sprintf("%d elements match %q equally well; name one by its index", len(best), strings.TrimSpace(t.Label)),
		Candidates: cands}
}

// coveredMatch reports, as not_actable, the covered elements that match
// the label at tier: the model should clear the overlay, not look
// elsewhere.
func coveredMatch(elems []Element, label string, tier int) *Failure {
	var cands []string
	for _, el := range elems {
		if t, _ := matchLabel(label, el); el.Covered && t == tier {
			cands = append(cands, Describe(el))
		}
	}
	return &Failure{Kind: ErrNotActable,
		Reason:     "the element is covered by another element (a dialog or overlay); deal with that first",
		Candidates: cands}
}

// matchLabel grades how well el matches the normalized label.
func matchLabel(label string, el Element) (tier int, score float64) {
	name := normalize(el.Name)
	if name == label {
		return tierName, 1
	}
	texts := []string{normalize(el.Text), normalize(el.Placeholder)}
	for _, s := range texts {
		if s != "" && s == label {
			return tierText, 1
		}
	}
	score, ok := fuzzyScore(label, name)
	for _, s := range texts {
		if sc, o := fuzzyScore(label, s); sc > score {
			score, ok = sc, o
		}
	}
	if ok {
		return tierFuzzy, score
	}
	return 0, score
}

// containBase is the score of a whole-word containment match before its
// length bonus; containment counts as a fuzzy match on its own.
const containBase = 0.7

// fuzzyScore is the similarity of two normalized strings in 0…1: the
// better of edit-distance similarity and whole-word containment (0.7 plus
// up to 0.3 for how much of the longer string the shorter covers). ok
// reports whether it is good enough to be a match: similarity at least
// FuzzyThreshold, or containment of at least three characters.
func fuzzyScore(a, b string) (score float64, ok bool) {
	if a == "" || b == "" {
		return 0, false
	}
	ra, rb := []rune(a), []rune(b)
	longer := max(len(ra), len(rb))
	sim := 1 - float64(levenshtein.ComputeDistance(a, b))/float64(longer)
	short, long := a, b
	if len(ra) > len(rb) {
		short, long = b, a
	}
	// "Row 1" is not a typo of "Row 10": labels that differ in their
	// numbers never match by edit distance.
	ok = sim >= FuzzyThreshold && digits(a) == digits(b)
	if len([]rune(short)) >= 3 && strings.Contains(" "+long+" ", " "+short+" ") {
		sim = max(sim, containBase+0.3*float64(len([]rune(short)))/float64(longer))
		ok = true
	}
	return sim, ok
}

// closest lists up to n elements most similar to label, best first.
func closest(elems []Element, label string, n int) []string {
	type cand struct {
		el    Element
		score float64
	}
	var cs []cand
	for _, el := range elems {
		if el.Covered {
			continue
		}
		_, s := matchLabel(label, el)
		cs = append(cs, cand{el, s})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	var out []string
	for _, c := range cs {
		if len(out) == n || c.score <= 0 {
			break
		}
		out = append(out, Describe(c.el))
	}
	return out
}

// show quotes s for the model and for people: double quotes, with
// quotes, backslashes and control characters escaped, other text as is.
func show(s string) string {
	return strconv.Quote(s)
}

// normalize lower-cases s, trims it and collapses inner whitespace.
func normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

func indexRange(elems []Element) string {
	if len(elems) == 0 {
		return " (the page has no interactive elements)"
	}
	lo, hi := elems[0].Index, elems[0].Index
	for _, el := range elems {
		lo, hi = min(lo, el.Index), max(hi, el.Index)
	}
	return fmt.Sprintf(" (indices %d…%d)", lo, hi)
}

// digits is the string of s's decimal digits, in order.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
