//go:build !js

package arena_test

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/model"
)

// A decode step (one token through the whole model) allocates nothing on
// the Go heap once the session has warmed up.
func TestDecodeStepAllocatesNothing(t *testing.T) {
	for _, typ := range []dtype.Type{dtype.Q8_0, dtype.Q4_K} {
		path := synthModel(t, "llama-"+typ.String(), smallLlama(typ))
		b := newWasm(t, 1, arena.Options{})
		m := loadModel(t, path, b)
		s, err := m.NewSession(model.SessionOptions{Context: 256})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Forward(testPrompt); err != nil {
			t.Fatal(err)
		}
		ids := []int32{3} // the caller's slice, reused
		step := func() {
			if _, err := s.Forward(ids); err != nil {
				t.Fatal(err)
			}
			ids[0] = (ids[0]*7 + 1) % 300
		}
		step()
		if n := testing.AllocsPerRun(50, step); n != 0 {
			t.Errorf("%v: a decode step allocates %v times", typ, n)
		}
	}
	for _, c := range moeModels() {
		m := loadModel(t, synthModel(t, c.name, c.spec), newWasm(t, 1, arena.Options{}))
		s, err := m.NewSession(model.SessionOptions{Context: 256})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Forward(testPrompt); err != nil {
			t.Fatal(err)
		}
		ids := []int32{3}
		step := func() {
			if _, err := s.Forward(ids); err != nil {
				t.Fatal(err)
			}
			ids[0] = (ids[0]*7 + 1) % 300
		}
		step()
		if n := testing.AllocsPerRun(50, step); n != 0 {
			t.Errorf("%s: a decode step allocates %v times", c.name, n)
		}
	}
}
