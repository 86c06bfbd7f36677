package image

import (
	"errors"
	"fmt"
	"math"
)

// scan reads a scan header and its entropy-coded data. A baseline scan
// decodes, dequantises and transforms each block as it comes; a
// progressive scan adds its bits to the stored coefficients.
func (d *jpegDecoder) scan() error {
	p, err := d.segment()
	if err != nil {
		return err
	}
	if len(p) < 1 {
		return errors.New("jpeg: short scan header")
	}
	n := int(p[0])
	if n < 1 || n > len(d.comps) || len(p) != 4+2*n {
		return errors.New("jpeg: bad scan header")
	}
	d.order = d.order[:0]
	for i := range n {
		id, tables := p[1+2*i], p[2+2*i]
		k := -1
		for j := range d.comps {
			if d.comps[j].id == id {
				k = j
			}
		}
		if k < 0 {
			return fmt.Errorf("jpeg: the scan names component %d, not in the frame", id)
		}
		c := &d.comps[k]
		c.td, c.ta = int(tables>>4), int(tables&15)
		if c.td > 3 || c.ta > 3 {
			return errors.New("jpeg: bad Huffman table in the scan header")
		}
		d.order = append(d.order, k)
	}
	d.ss, d.se, d.ah, d.al = int(p[1+2*n]), int(p[2+2*n]), int(p[3+2*n]>>4), int(p[3+2*n]&15)
	if d.progressive {
		if d.ss > 63 || d.se > 63 || d.ss > d.se || d.ah > 13 || d.al > 13 ||
			(d.ss == 0) != (d.se == 0) || (d.ss > 0 && n != 1) {
			return errors.New("jpeg: bad progressive scan parameters")
		}
	} else {
		if d.ss != 0 || d.ah != 0 || d.al != 0 {
			return errors.New("jpeg: bad baseline scan parameters")
		}
		d.se = 63
	}
	if err := d.checkTables(); err != nil {
		return err
	}

	d.br = bitReader{data: d.data, pos: d.pos}
	d.resetScan()
	if err := d.scanData(); err != nil {
		return err
	}
	if d.br.err != nil {
		return d.br.err
	}
	// Go back to the marker that ended the data, or to the bytes after the
	// last one read, for nextMarker.
	d.pos = d.br.pos
	if d.br.marker != 0 {
		d.pos -= 2
	}
	return nil
}

// checkTables makes sure the tables the scan uses were defined.
func (d *jpegDecoder) checkTables() error {
	for _, k := range d.order {
		c := &d.comps[k]
		if !d.progressive && !d.qSet[c.tq] {
			return errors.New("jpeg: a quantisation table is missing")
		}
		needDC := d.ss == 0 && d.ah == 0
		needAC := d.se > 0
		if (needDC && !d.dc[c.td].defined) || (needAC && !d.ac[c.ta].defined) {
			return errors.New("jpeg: a Huffman table is missing")
		}
	}
	return nil
}

// resetScan starts a restart interval: an empty bit buffer, DC
// predictions at 0, no end-of-band run.
func (d *jpegDecoder) resetScan() {
	d.br.reset()
	for i := range d.comps {
		d.comps[i].dcPred = 0
	}
	d.eobRun = 0
}

// scanData walks the scan's blocks: a scan of one component covers that
// component's own blocks row by row; an interleaved scan covers each MCU's
// blocks component by component.
func (d *jpegDecoder) scanData() error {
	var blk [64]int16
	todo := d.restart
	units, perRow := d.mcuX*d.mcuY, d.mcuX
	if len(d.order) == 1 {
		c := &d.comps[d.order[0]]
		perRow = (c.x + 7) / 8
		units = perRow * ((c.y + 7) / 8)
	}
	for u := 0; u < units; u++ {
		ux, uy := u%perRow, u/perRow
		for _, k := range d.order {
			c := &d.comps[k]
			bw, bh := c.h, c.v
			if len(d.order) == 1 {
				bw, bh = 1, 1
			}
			for y := 0; y < bh; y++ {
				for x := 0; x < bw; x++ {
					bx, by := ux*bw+x, uy*bh+y
					if err := d.block(c, k, bx, by, &blk); err != nil {
						return err
					}
				}
			}
		}
		if d.restart > 0 {
			if todo--; todo == 0 && u+1 < units {
				if d.br.n < 24 {
					d.br.fill()
				}
				if m := d.br.marker; m < 0xd0 || m > 0xd7 {
					return fmt.Errorf("jpeg: expected a restart marker, found 0x%02x", m)
				}
				d.resetScan()
				todo = d.restart
			}
		}
	}
	return nil
}

// block decodes one block at (bx, by) of component c (index k).
func (d *jpegDecoder) block(c *jpegComponent, k, bx, by int, blk *[64]int16) error {
	if !d.progressive {
		if err := d.baselineBlock(c, blk); err != nil {
			return err
		}
		idctBlock(c.plane[8*by*c.w2+8*bx:], c.w2, blk)
		return nil
	}
	coef := (*[64]int16)(c.coeff[64*(by*(c.w2/8)+bx):])
	switch {
	case d.ss == 0:
		return d.dcBlock(c, coef)
	case d.ah == 0:
		return d.acFirst(c, coef)
	default:
		return d.acRefine(c, coef)
	}
}

// mulInt16 is a coefficient times its quantiser stored in 16 bits, as stb
// stores it.
func mulInt16(v int32, q uint16) int16 { return int16(v * int32(q)) }

// baselineBlock decodes one block of a sequential scan, dequantised.
func (d *jpegDecoder) baselineBlock(c *jpegComponent, blk *[64]int16) error {
	q := &d.quant[c.tq]
	t, err := d.br.decode(&d.dc[c.td])
	if err != nil {
		return fmt.Errorf("jpeg: DC: %w", err)
	}
	if t > 15 {
		return errors.New("jpeg: bad DC magnitude")
	}
	*blk = [64]int16{}
	dc := int64(c.dcPred) + int64(d.br.receiveExtend(int(t)))
	if dc*int64(q[0]) < math.MinInt16 || dc*int64(q[0]) > math.MaxInt16 {
		return errors.New("jpeg: DC coefficient out of range")
	}
	c.dcPred = int32(dc)
	blk[0] = int16(dc * int64(q[0]))
	ac := &d.ac[c.ta]
	for k := 1; k < 64; {
		rs, err := d.br.decode(ac)
		if err != nil {
			return fmt.Errorf("jpeg: AC: %w", err)
		}
		r, s := int(rs>>4), int(rs&15)
		if s == 0 {
			if r != 15 {
				break // end of block
			}
			k += 16
			continue
		}
		k += r
		if k > 63 {
			return errors.New("jpeg: AC run past the block")
		}
		z := zigzag[k]
		blk[z] = mulInt16(d.br.receiveExtend(s), q[z])
		k++
	}
	return nil
}

// dcBlock is a progressive DC scan: the first sets the DC coefficient
// (shifted by the approximation's low bit) and clears the rest; a
// refinement adds one bit.
func (d *jpegDecoder) dcBlock(c *jpegComponent, blk *[64]int16) error {
	if d.ah != 0 {
		if d.br.bit() {
			blk[0] += int16(1 << d.al)
		}
		return nil
	}
	*blk = [64]int16{}
	t, err := d.br.decode(&d.dc[c.td])
	if err != nil {
		return fmt.Errorf("jpeg: DC: %w", err)
	}
	if t > 15 {
		return errors.New("jpeg: bad DC magnitude")
	}
	dc := int64(c.dcPred) + int64(d.br.receiveExtend(int(t)))
	v := dc * (1 << d.al)
	if v < math.MinInt16 || v > math.MaxInt16 {
		return errors.New("jpeg: DC coefficient out of range")
	}
	c.dcPred = int32(dc)
	blk[0] = int16(v)
	return nil
}

// acFirst is a progressive scan's first pass over the AC band ss…se.
func (d *jpegDecoder) acFirst(c *jpegComponent, blk *[64]int16) error {
	if d.eobRun > 0 {
		d.eobRun--
		return nil
	}
	ac := &d.ac[c.ta]
	for k := d.ss; k <= d.se; {
		rs, err := d.br.decode(ac)
		if err != nil {
			return fmt.Errorf("jpeg: AC: %w", err)
		}
		r, s := int(rs>>4), int(rs&15)
		if s == 0 {
			if r < 15 {
				d.eobRun = 1<<r + int(d.br.bits(r)) - 1
				break
			}
			k += 16
			continue
		}
		k += r
		if k > 63 {
			return errors.New("jpeg: AC run past the block")
		}
		blk[zigzag[k]] = int16(d.br.receiveExtend(s) * (1 << d.al))
		k++
	}
	return nil
}

// acRefine is a progressive refinement pass over the AC band ss…se:
// coefficients already non-zero get a correction bit each; a run of r
// zero coefficients is skipped and the next zero one becomes ±2^al.
func (d *jpegDecoder) acRefine(c *jpegComponent, blk *[64]int16) error {
	bit := int16(1 << d.al)
	refine := func(p *int16) {
		if d.br.bit() && *p&bit == 0 {
			if *p > 0 {
				*p += bit
			} else {
				*p -= bit
			}
		}
	}
	k := d.ss
	if d.eobRun == 0 {
		ac := &d.ac[c.ta]
		for k <= d.se {
			rs, err := d.br.decode(ac)
			if err != nil {
				return fmt.Errorf("jpeg: AC: %w", err)
			}
			r, s := int(rs>>4), int(rs&15)
			var val int16
			switch {
			case s == 0 && r < 15:
				d.eobRun = 1<<r + int(d.br.bits(r))
			case s == 0: // r = 15: sixteen zeros, nothing set
			case s == 1:
				val = -bit
				if d.br.bit() {
					val = bit
				}
			default:
				return errors.New("jpeg: bad refinement magnitude")
			}
			if d.eobRun > 0 {
				break // the rest of the band is refined below
			}
			for k <= d.se {
				p := &blk[zigzag[k]]
				k++
				if *p != 0 {
					refine(p)
					continue
				}
				if r == 0 {
					if val != 0 {
						*p = val
					}
					break
				}
				r--
			}
		}
	}
	if d.eobRun > 0 {
		for ; k <= d.se; k++ {
			if p := &blk[zigzag[k]]; *p != 0 {
				refine(p)
			}
		}
		d.eobRun--
	}
	return nil
}
