package arena

import (
	"fmt"
	"io"

	"github.com/hearth-ai/hearth/engine/compute"
)

// Load fills t with exactly t.Bytes() bytes read from r, in the file's
// layout, straight into the arena.
//
// When r is an *io.SectionReader (what gguf.File.TensorReader returns),
// the bytes are read from the source under it (Device.FillAt), so on js a
// file the JS glue opened (FileSource) streams into the arena without
// passing through the Go heap, and model.Load needs no change to use it.
// Other readers are copied by Device.Fill (natively straight into the
// arena; on js through one reused chunk buffer).
func (b *Backend) Load(t compute.Tensor, r io.Reader) error {
	b.gen++
	off, n := b.off(t), t.Bytes()
	if sr, ok := r.(*io.SectionReader); ok {
		if src, pos, ok := sectionSource(sr, n); ok {
			got, err := b.dev.FillAt(off, uint32(n), src, pos)
			sr.Seek(int64(got), io.SeekCurrent) // as if read through sr
			if err != nil {
				return fmt.Errorf("arena: loading %v: read %d of %d bytes: %w", t, got, n, err)
			}
			return nil
		}
	}
	got, err := b.dev.Fill(off, uint32(n), r)
	if err != nil {
		return fmt.Errorf("arena: loading %v: read %d of %d bytes: %w", t, got, n, err)
	}
	return nil
}

// LoadFrom fills t with t.Bytes() bytes of src starting at position pos,
// straight into the arena (see Load). A loader that knows where a tensor
// lies in its file calls it directly:
//
//	b.LoadFrom(t, file, f.DataOffset+info.Offset)
func (b *Backend) LoadFrom(t compute.Tensor, src io.ReaderAt, pos int64) error {
	b.gen++
	off, n := b.off(t), t.Bytes()
	if pos < 0 {
		return fmt.Errorf("arena: loading %v from negative position %d", t, pos)
	}
	if got, err := b.dev.FillAt(off, uint32(n), src, pos); err != nil {
		return fmt.Errorf("arena: loading %v from position %d: read %d of %d bytes: %w", t, pos, got, n, err)
	}
	return nil
}

// sectionSource finds the reader under sr (through nested sections) and
// the position in it of sr's next n bytes; ok is false when those bytes
// do not all lie inside every section (then reading sr itself gives the
// right error).
func sectionSource(sr *io.SectionReader, n int64) (src io.ReaderAt, pos int64, ok bool) {
	cur, err := sr.Seek(0, io.SeekCurrent)
	if err != nil || cur < 0 || cur+n > sr.Size() {
		return nil, 0, false
	}
	src, base, _ := sr.Outer()
	pos = base + cur
	for {
		inner, isSection := src.(*io.SectionReader)
		if !isSection {
			return src, pos, true
		}
		outer, ibase, isize := inner.Outer()
		if pos < 0 || pos+n > isize {
			return src, pos, true // inner.ReadAt gives the error
		}
		src, pos = outer, ibase+pos
	}
}
