package compute_test

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/computetest"
)

func TestReferenceConformance(t *testing.T) {
	for _, threads := range []int{1, 3} {
		t.Run(map[int]string{1: "1thread", 3: "3threads"}[threads], func(t *testing.T) {
			computetest.Run(t, func() compute.Backend { return compute.NewReference(threads) }, computetest.Options{})
		})
	}
}
