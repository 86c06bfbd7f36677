package catalog

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestCatalogMarkdownDescribesEveryEntry keeps models/CATALOG.md in step
// with catalog.json: every id, url, byte size, licence and hash the catalog
// states must appear on the page people read.
func TestCatalogMarkdownDescribesEveryEntry(t *testing.T) {
	page, err := os.ReadFile("../CATALOG.md")
	if err != nil {
		t.Fatalf("reading models/CATALOG.md: %v", err)
	}
	doc := string(page)
	entries, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for _, e := range entries {
		want := []string{"`" + e.ID + "`", e.URL, strconv.FormatUint(e.Size, 10), e.Licence.ID, e.Licence.URL}
		if e.SHA256 != "" {
			// The page abbreviates hashes; their first 8 digits must be there.
			want = append(want, e.SHA256[:8])
		}
		if e.MMProj != nil {
			want = append(want, e.MMProj.URL, strconv.FormatUint(e.MMProj.Size, 10))
		}
		for _, w := range want {
			if !strings.Contains(doc, w) {
				t.Errorf("CATALOG.md does not mention %q of entry %s", w, e.ID)
			}
		}
	}
}
