//go:build !js

package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/wasm"
)

// webDir is the repository's web/ folder.
func webDir(t *testing.T) string {
	t.Helper()
	root, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "web")
}

// shellList reads the SHELL array of web/sw.js: the files the service
// worker caches at install.
func shellList(t *testing.T, web string) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(web, "sw.js"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)const SHELL = \[(.*?)\];`).FindSubmatch(src)
	if m == nil {
		t.Fatal("web/sw.js has no `const SHELL = [...];`")
	}
	var list []string
	for _, q := range regexp.MustCompile(`'([^']*)'`).FindAllSubmatch(m[1], -1) {
		list = append(list, string(q[1]))
	}
	if len(list) == 0 {
		t.Fatal("web/sw.js's SHELL is empty")
	}
	return list
}

// The service worker's list of the app shell names everything the page
// needs to start and chat offline: the page, every script of web/engine
// (a file added there and not here would be missing offline), each build
// product, the manifest and every icon it or the page names; and nothing
// that does not exist.
func TestServiceWorkerShellIsComplete(t *testing.T) {
	web := webDir(t)
	shell := shellList(t, web)
	want := []string{"./", "manifest.webmanifest", "dist/" + wasm.AppFile}
	for _, f := range []string{wasm.EngineFile, wasm.KernelsFile, wasm.KernelsSharedFile, wasm.KernelsRelaxedFile, wasm.KernelsRelaxedSharedFile, wasm.WasmExecFile} {
		want = append(want, "engine/"+f)
	}
	scripts, err := filepath.Glob(filepath.Join(web, "engine", "*.js"))
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts in web/engine: %v", err)
	}
	for _, s := range scripts {
		want = append(want, "engine/"+filepath.Base(s))
	}
	for _, icon := range manifestOf(t, web).Icons {
		want = append(want, icon.Src)
	}
	page, err := os.ReadFile(filepath.Join(web, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`<link rel="(?:icon|apple-touch-icon|manifest)" href="([^"]+)"`).FindAllSubmatch(page, -1) {
		want = append(want, string(m[1]))
	}
	for _, w := range want {
		if !slices.Contains(shell, w) {
			t.Errorf("web/sw.js's SHELL lacks %s", w)
		}
	}
	built := map[string]bool{"dist/" + wasm.AppFile: true}
	for _, f := range []string{wasm.EngineFile, wasm.KernelsFile, wasm.KernelsSharedFile, wasm.KernelsRelaxedFile, wasm.KernelsRelaxedSharedFile, wasm.WasmExecFile} {
		built["engine/"+f] = true
	}
	for _, s := range shell {
		if s == "./" || built[s] {
			continue
		}
		if _, err := os.Stat(filepath.Join(web, filepath.FromSlash(s))); err != nil {
			t.Errorf("web/sw.js's SHELL names %s, which web/ lacks: %v", s, err)
		}
	}
	if dup := len(shell) - len(slices.Compact(slices.Sorted(slices.Values(shell)))); dup != 0 {
		t.Errorf("web/sw.js's SHELL names %d files twice", dup)
	}
}

// manifest is what the tests read of web/manifest.webmanifest.
type manifest struct {
	Name            string `json:"name"`
	ShortName       string `json:"short_name"`
	StartURL        string `json:"start_url"`
	Scope           string `json:"scope"`
	Display         string `json:"display"`
	ThemeColor      string `json:"theme_color"`
	BackgroundColor string `json:"background_color"`
	Icons           []struct {
		Src     string `json:"src"`
		Sizes   string `json:"sizes"`
		Type    string `json:"type"`
		Purpose string `json:"purpose"`
	} `json:"icons"`
}

func manifestOf(t *testing.T, web string) manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(web, "manifest.webmanifest"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("web/manifest.webmanifest: %v", err)
	}
	return m
}

// The manifest makes the app installable: names, a standalone display,
// colours, and icons that exist, of the type they claim, for any use and
// for masks, with bitmaps of the sizes installers want.
func TestManifest(t *testing.T) {
	web := webDir(t)
	m := manifestOf(t, web)
	if m.Name != "Hearth" || m.ShortName == "" || m.StartURL != "./" || m.Scope != "./" || m.Display != "standalone" {
		t.Errorf("manifest: %+v", m)
	}
	hex := regexp.MustCompile(`^#[0-9a-f]{6}$`)
	if !hex.MatchString(m.ThemeColor) || !hex.MatchString(m.BackgroundColor) {
		t.Errorf("manifest colours %q, %q: want #rrggbb", m.ThemeColor, m.BackgroundColor)
	}
	purposes := map[string]bool{}
	sizes := map[string]bool{}
	for _, icon := range m.Icons {
		purposes[icon.Purpose] = true
		sizes[icon.Sizes] = true
		b, err := os.ReadFile(filepath.Join(web, filepath.FromSlash(icon.Src)))
		if err != nil {
			t.Errorf("icon %s: %v", icon.Src, err)
			continue
		}
		switch path.Ext(icon.Src) {
		case ".svg":
			if icon.Type != "image/svg+xml" || !strings.Contains(string(b), `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">`) {
				t.Errorf("icon %s (%s) is not a square SVG", icon.Src, icon.Type)
			}
		case ".png":
			cfg, err := png.DecodeConfig(bytes.NewReader(b))
			if err != nil || icon.Type != "image/png" || icon.Sizes != fmt.Sprintf("%dx%d", cfg.Width, cfg.Height) {
				t.Errorf("icon %s (%s, %s) is a %dx%d PNG (%v)", icon.Src, icon.Type, icon.Sizes, cfg.Width, cfg.Height, err)
			}
		default:
			t.Errorf("icon %s: an unexpected type", icon.Src)
		}
	}
	for _, want := range []string{"any", "maskable"} {
		if !purposes[want] {
			t.Errorf("no icon for purpose %s", want)
		}
	}
	for _, want := range []string{"192x192", "512x512"} {
		if !sizes[want] {
			t.Errorf("no %s icon", want)
		}
	}
}
