//go:build !js

package tokenizer

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

//go:generate sh -c "go run ./internal/nfdgen > nfd_table.go"

// The generated NFD table must be what internal/nfdgen prints today.
func TestNFDTableIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator (go run); skipped with -short")
	}
	want, err := exec.Command("go", "run", "./internal/nfdgen").Output()
	if err != nil {
		t.Fatalf("go run ./internal/nfdgen: %v", err)
	}
	got, err := os.ReadFile("nfd_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("nfd_table.go is stale: run go generate ./engine/tokenizer")
	}
}
