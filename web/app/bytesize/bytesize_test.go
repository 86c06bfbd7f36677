package bytesize

import "testing"

func TestDecimal(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 980: "980 B", 1000: "1.0 kB", 1500: "1.5 kB", 12_500_000: "12.5 MB", 1_200_000_000: "1.20 GB"} {
		if got := Decimal(n); got != want {
			t.Errorf("Decimal(%d) = %q, want %q", n, got, want)
		}
	}
}
