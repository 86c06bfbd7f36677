package oracle

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/internal/testdata"
)

// The hearth CLI is built once per test binary, into a folder TestMain
// removes.
var (
	hearthOnce sync.Once
	hearthBin  string
	hearthErr  error
	hearthDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if hearthDir != "" {
		os.RemoveAll(hearthDir)
	}
	os.Exit(code)
}

// goTool is the go command of the toolchain running the tests.
func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// hearthCLI returns the path of a freshly built hearth binary.
func hearthCLI(t testing.TB) string {
	t.Helper()
	hearthOnce.Do(func() {
		root, err := testdata.RepoRoot()
		if err != nil {
			hearthErr = err
			return
		}
		if hearthDir, err = os.MkdirTemp("", "hearth-cli-"); err != nil {
			hearthErr = err
			return
		}
		hearthBin = filepath.Join(hearthDir, "hearth")
		cmd := exec.Command(goTool(), "build", "-o", hearthBin, "./engine/cmd/hearth")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			hearthErr = fmt.Errorf("building the hearth CLI (go build ./engine/cmd/hearth): %v\n%s", err, out)
		}
	})
	if hearthErr != nil {
		t.Fatal(hearthErr)
	}
	return hearthBin
}

// hearthTimeout bounds one run of the CLI.
const hearthTimeout = 10 * time.Minute

// runHearth runs the CLI and decodes its JSON answer into out. Per the CLI's
// contract, a failure is a non-zero exit with the reason on stderr.
func runHearth(t testing.TB, out any, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hearthTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, hearthCLI(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("hearth %s: %v: %s", strings.Join(args, " "), err, tail(stderr.Bytes(), 2000))
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("hearth %s: decoding its output: %v: %s", strings.Join(args, " "), err, tail(stdout.Bytes(), 300))
	}
	return nil
}

// hearthLogits is the answer of `hearth logits`.
type hearthLogits struct {
	Tokens []int     `json:"tokens"`
	Logits []float64 `json:"logits"`
}

// hearthGenerate is the answer of `hearth generate`.
type hearthGenerate struct {
	IDs  []int  `json:"ids"`
	Text string `json:"text"`
	Stop string `json:"stop"` // "eog", "length" or "context"
}

// input gives the CLI's input flags for a prompt or a token list.
func input(prompt string, tokens []int) []string {
	if tokens == nil {
		return []string{"--prompt", prompt}
	}
	s := make([]string, len(tokens))
	for i, id := range tokens {
		s[i] = strconv.Itoa(id)
	}
	return []string{"--tokens", strings.Join(s, ",")}
}
