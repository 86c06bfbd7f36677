//go:build !js

package wazerodev

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute/arena"
)

func TestMemory(t *testing.T) {
	d, err := New(Options{MaxPages: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Pages() != 0 || d.MaxPages() != 4 {
		t.Fatalf("a new device has %d of %d pages, want 0 of 4", d.Pages(), d.MaxPages())
	}
	if !d.Grow(3) || d.Pages() != 3 {
		t.Fatalf("Grow(3): %d pages", d.Pages())
	}
	if d.Grow(2) || d.Pages() != 3 {
		t.Fatalf("growing past the maximum succeeded (%d pages)", d.Pages())
	}
	got := make([]byte, 8)
	d.Read(arena.PageSize*3-8, got)
	if !bytes.Equal(got, make([]byte, 8)) {
		t.Fatalf("fresh pages hold %v", got)
	}
	d.Write(100, []byte("0123456789"))
	d.Copy(102, 100, 6) // overlapping, forwards
	d.Read(100, got)
	if string(got) != "01012345" {
		t.Fatalf("after an overlapping Copy: %q", got)
	}
	d.Zero(101, 2)
	d.Read(100, got)
	if string(got) != "0\x00\x0012345" {
		t.Fatalf("after Zero: %q", got)
	}
	if n, err := d.Fill(200, 10, strings.NewReader("abc")); n != 3 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("Fill from a short reader: %d, %v", n, err)
	}
	if n, err := d.FillAt(200, 4, strings.NewReader("abcdef"), 4); n != 2 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("FillAt past the end of the source: %d, %v", n, err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "outside the arena") {
			t.Fatalf("Read past the arena: %v", r)
		}
	}()
	d.Read(arena.PageSize*3-4, got)
}

func TestKernels(t *testing.T) {
	d, err := New(Options{MaxPages: 1, Without: []string{"scale"}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, ok := d.Kernel("scale"); ok {
		t.Fatal("a hidden kernel resolved")
	}
	if _, ok := d.Kernel("no_such_kernel"); ok {
		t.Fatal("an unknown kernel resolved")
	}
	k, ok := d.Kernel("add")
	if !ok {
		t.Fatal("kernels.wasm has no add")
	}
	if k2, _ := d.Kernel("add"); k2 != k {
		t.Fatalf("resolving add twice gave %d and %d", k, k2)
	}
	d.Grow(1)
	// 1 + 2 = 3 as float32s: 0x3f800000 + 0x40000000 = 0x40400000.
	d.Write(64, []byte{0, 0, 0x80, 0x3f})
	d.Write(128, []byte{0, 0, 0, 0x40})
	d.Call(k, &arena.Args{0: 192, 1: 64, 2: 128, 3: 1, 4: 1, 5: 1})
	got := make([]byte, 4)
	d.Read(192, got)
	if !bytes.Equal(got, []byte{0, 0, 0x40, 0x40}) {
		t.Fatalf("add gave % x", got)
	}
}
