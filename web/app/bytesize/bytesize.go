// Package bytesize writes byte counts as the web app shows them, so the
// app and the tests that read its pages agree on one format.
package bytesize

import "fmt"

// Decimal writes n in decimal units (1 MB = 10^6 bytes, as download speeds
// are given): "980 B", "1.5 kB", "12.5 MB", "1.20 GB".
func Decimal(n int64) string {
	switch f := float64(n); {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1e6:
		return fmt.Sprintf("%.1f kB", f/1e3)
	case n < 1e9:
		return fmt.Sprintf("%.1f MB", f/1e6)
	default:
		return fmt.Sprintf("%.2f GB", f/1e9)
	}
}
