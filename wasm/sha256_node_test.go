//go:build !js

package wasm_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hearth-ai/hearth/internal/testdata"
)

// web/engine/sha256.js, fed in random pieces under Node, gives Go's
// crypto/sha256 digests for lengths around every padding boundary.
func TestSHA256JSMatchesGo(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed to run web/engine/sha256.js: ", err)
	}
	root, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var inputs []string
	want := map[string]string{}
	for _, n := range []int{0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 1 << 20} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		h := hex.EncodeToString(b)
		sum := sha256.Sum256(b)
		inputs = append(inputs, h)
		want[h] = hex.EncodeToString(sum[:])
	}
	script := filepath.Join(t.TempDir(), "sha.mjs")
	src := `import { SHA256 } from ` + jsString("file://"+filepath.Join(root, "web/engine/sha256.js")) + `;
import { readFileSync } from 'node:fs';
const inputs = JSON.parse(readFileSync(0, 'utf8'));
const out = {};
let seed = 7;
for (const x of inputs) {
  const data = Buffer.from(x, 'hex');
  const h = new SHA256();
  for (let i = 0; i < data.length;) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const k = Math.min(data.length - i, 1 + (seed % 300));
    h.update(new Uint8Array(data.buffer, data.byteOffset + i, k));
    i += k;
  }
  out[x] = h.hex();
}
console.log(JSON.stringify(out));
`
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(inputs)
	cmd := exec.Command(node, script)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	for _, x := range inputs {
		if got[x] != want[x] {
			t.Errorf("%d bytes: sha256.js says %s, Go says %s", len(x)/2, got[x], want[x])
		}
	}
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }
