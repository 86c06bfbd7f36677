package compute_test

import (
	"fmt"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/computetest"
)

// The reference backend gives its loops' bits in every order, on one
// thread and on three.
func TestReferenceConformance(t *testing.T) {
	for _, order := range compute.Orders {
		for _, threads := range []int{1, 3} {
			t.Run(fmt.Sprintf("%v/%dthreads", order, threads), func(t *testing.T) {
				computetest.Run(t, func() compute.Backend { return compute.NewReferenceOrder(threads, order) },
					computetest.Options{Order: order})
			})
		}
	}
}
