package sample

// penalties applies the repetition, frequency and presence penalties to
// logits for the tokens in window (the most recent history). counts is a
// zeroed scratch array with one slot per vocabulary entry; it is zeroed
// again on return. Ids outside the vocabulary are skipped.
//
// Each distinct token is penalised once: a positive logit is divided by
// repeat, a negative (or zero) one multiplied by it, so the penalty always
// makes the token less likely when repeat > 1; then
// count·frequency + presence is subtracted, count being its occurrences in
// the window.
func penalties(logits []float32, counts []int32, window []int32, repeat, frequency, presence float32) {
	n := int32(len(logits))
	for _, id := range window {
		if id >= 0 && id < n {
			counts[id]++
		}
	}
	for _, id := range window {
		if id < 0 || id >= n || counts[id] == 0 {
			continue
		}
		count := counts[id]
		counts[id] = 0
		l := logits[id]
		if l <= 0 {
			l *= repeat
		} else {
			l /= repeat
		}
		logits[id] = l - (float32(count)*frequency + presence)
	}
}

// penaltyWindow is the part of history the penalties look at: the last
// lastN tokens, or all of it when lastN is -1.
func penaltyWindow(history []int32, lastN int) []int32 {
	if lastN < 0 || lastN >= len(history) {
		return history
	}
	return history[len(history)-lastN:]
}
