package main

import "fmt"

// Stop while the pictures are read: the worker ends the encoding between
// encoder inputs (a picture, or a SmolVLM tile) and answers "stopped"
// with no tokens; the picture under way is not kept in the encoder's
// cache, and the model stays loaded for the next question.

// noteStoppedReading makes the stats of an answer stopped before its
// first token, while its pictures were being read, say so: "Stopped while
// reading the picture (part 2 of 5 done)". Call it with the lock held.
func noteStoppedReading(answer *Message, res GenerateResult) {
	if res.Stop != "stopped" || res.Tokens > 0 || !answer.Encoding || answer.Text != "" {
		return
	}
	answer.Stats = stoppedReadingText(answer.ImageStep)
}

// stoppedReadingText says how far the reading of the pictures got when
// Stop ended it.
func stoppedReadingText(st ImageStep) string {
	what := "the picture"
	if st.Images > 1 {
		what = "the pictures"
	}
	switch {
	case st.Inputs == 0:
		return "Stopped before reading " + what
	case st.Input >= st.Inputs:
		return "Stopped after reading " + what + ", before the answer began"
	}
	return fmt.Sprintf("Stopped while reading %s (part %d of %d done)", what, st.Input, st.Inputs)
}
