package compute

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// GetRows dequantizes rows ids of table into dst.
func (b *Reference) GetRows(dst, table Tensor, ids []int32) {
	b.gen++
	if dst.rows != len(ids) || dst.cols != table.cols {
		panic(fmt.Sprintf("compute: GetRows: %d ids of %v into %v", len(ids), table, dst))
	}
	for _, id := range ids {
		if id < 0 || int(id) >= table.rows {
			panic(fmt.Sprintf("compute: GetRows: id %d outside %v", id, table))
		}
	}
	g := &b.get
	g.t, g.table, g.rowBytes, g.dst, g.cols, g.ids = table.typ, b.bytes(table), table.RowBytes(), b.f32(dst), dst.cols, ids
	b.pool.parallel(g, len(ids), 4)
	g.ids = nil
}

type getRowsTask struct {
	t        dtype.Type
	table    []byte
	rowBytes int
	dst      []float32
	cols     int
	ids      []int32
}

func (g *getRowsTask) run(_, lo, hi int) {
	for i := lo; i < hi; i++ {
		id := int(g.ids[i])
		src := g.table[id*g.rowBytes : (id+1)*g.rowBytes]
		if err := quant.Dequantize(g.t, src, g.dst[i*g.cols:(i+1)*g.cols]); err != nil {
			panic("compute: " + err.Error()) // shapes were checked by GetRows
		}
	}
}
