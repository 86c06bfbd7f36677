package compute

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Buffer identifies a block of memory owned by a backend. The zero Buffer
// is never allocated: a zero Tensor means "absent".
type Buffer uint32

// Tensor is a view of Rows rows of Cols elements of type Type, starting at
// row First of a backend buffer. It is a plain value: Rows and Slice make
// views without allocating. Only the backend that made it can use it.
type Tensor struct {
	buf   Buffer
	typ   dtype.Type
	first int
	rows  int
	cols  int
}

// NewTensor is for Backend implementations: it names rows×cols elements of
// typ at the start of buf.
func NewTensor(buf Buffer, typ dtype.Type, rows, cols int) Tensor {
	return Tensor{buf: buf, typ: typ, rows: rows, cols: cols}
}

// Buffer is the backend buffer the view lies in.
func (t Tensor) Buffer() Buffer { return t.buf }

// Type is the element type.
func (t Tensor) Type() dtype.Type { return t.typ }

// Rows is the number of rows in the view.
func (t Tensor) Rows() int { return t.rows }

// Cols is the number of elements in a row.
func (t Tensor) Cols() int { return t.cols }

// First is the index of the view's first row within its buffer.
func (t Tensor) First() int { return t.first }

// Valid reports whether t names a tensor (the zero Tensor does not).
func (t Tensor) Valid() bool { return t.buf != 0 }

// RowBytes is the size of one row in bytes.
func (t Tensor) RowBytes() int {
	n, _ := t.typ.RowSize(int64(t.cols))
	return int(n)
}

// Bytes is the size of the view in bytes.
func (t Tensor) Bytes() int64 { return int64(t.rows) * int64(t.RowBytes()) }

// Slice is the view of rows [from, to) of t. It panics if the range is not
// inside t, like slicing a Go slice.
func (t Tensor) Slice(from, to int) Tensor {
	if from < 0 || to < from || to > t.rows {
		panic(fmt.Sprintf("compute: Slice(%d, %d) of a tensor of %d rows", from, to, t.rows))
	}
	t.first += from
	t.rows = to - from
	return t
}

// Row is the view of row i alone.
func (t Tensor) Row(i int) Tensor { return t.Slice(i, i+1) }

func (t Tensor) String() string {
	return fmt.Sprintf("%s[%d×%d]@buf%d+%d", t.typ, t.rows, t.cols, t.buf, t.first)
}
