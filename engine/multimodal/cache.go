package multimodal

import (
	"container/list"
	"crypto/sha256"
)

// Encoding an image is the slow part of a prompt with images (tens of
// seconds for a SmolVLM tile in a browser), and a conversation sends its
// images again with every question. A Cache keeps what was made of an
// image so that the next prompt holding the same bytes reuses it: its
// encoders' embeddings (bounded in bytes, least recently used first out)
// and, apart, its layout (bounded in count: a few bytes each), which is
// all counting a prompt's positions needs. Embeddings depend on the
// encoder and the image's bytes alone (the preprocessing is fixed by the
// encoder's parameters), so a cached run is exactly what encoding the
// image again would give.

// DefaultCacheBytes is a Cache's default bound on embeddings: 64 MiB,
// some 450 SmolVLM-256M inputs (64 rows × 576 floats) or seven LLaVA-1.5
// images (576 rows × 4096).
const DefaultCacheBytes = 64 << 20

// DefaultCacheLayouts is a Cache's default bound on layouts.
const DefaultCacheLayouts = 1024

// Key names an image as a Cache keeps it: the SHA-256 of its file's bytes,
// the encoder that reads it (a caller's name for the loaded mmproj) and
// the pixel limit it was decoded under.
type Key struct {
	Digest    [sha256.Size]byte
	Encoder   string
	MaxPixels int
}

// KeyOf is the key of the image file data for encoder and maxPixels.
func KeyOf(data []byte, encoder string, maxPixels int) Key {
	return Key{Digest: sha256.Sum256(data), Encoder: encoder, MaxPixels: maxPixels}
}

// CacheStats is a Cache's contents and what its lookups found.
type CacheStats struct {
	Images, Bytes, MaxBytes int64 // encoded images held, their embeddings' bytes, and the bound
	Layouts                 int   // layouts held
	Hits, Misses            int64 // embedding lookups (Embeddings)
	LayoutHits, LayoutMiss  int64 // layout lookups (Layout)
}

// Cache keeps images' embeddings and layouts between prompts. It is not
// safe for concurrent use.
type Cache struct {
	maxBytes   int64
	maxLayouts int
	bytes      int64
	embd       lru[*encoding]
	layouts    lru[Layout]
	stats      CacheStats
}

// encoding is a cached image's embeddings.
type encoding struct {
	layout Layout
	runs   [][]float32
	bytes  int64
}

// NewCache is a cache of at most maxBytes of embeddings (≤ 0: none kept)
// and maxLayouts layouts (≤ 0: DefaultCacheLayouts).
func NewCache(maxBytes int64, maxLayouts int) *Cache {
	if maxLayouts <= 0 {
		maxLayouts = DefaultCacheLayouts
	}
	return &Cache{maxBytes: max(maxBytes, 0), maxLayouts: maxLayouts, embd: newLRU[*encoding](), layouts: newLRU[Layout]()}
}

// Embeddings is the image of key as an Encoded image, if the cache holds
// its embeddings (which then become the most recently used).
func (c *Cache) Embeddings(k Key) (*Image, bool) {
	e, ok := c.embd.get(k)
	if !ok {
		c.stats.Misses++
		return nil, false
	}
	c.stats.Hits++
	im, err := Encoded(e.layout, e.runs)
	if err != nil { // not reached: Put checked the runs
		c.embd.remove(k)
		c.bytes -= e.bytes
		return nil, false
	}
	return im, true
}

// PutEmbeddings keeps the embeddings runs of the image of key (as
// Prompt.ImageEmbeddings gives them; shared, not copied), dropping the
// least recently used ones to stay within the bound. It reports whether
// they were kept: not when they alone exceed the bound, or do not fit
// the layout.
func (c *Cache) PutEmbeddings(k Key, l Layout, runs [][]float32) bool {
	if len(runs) != l.Inputs() {
		return false
	}
	var n int64
	for _, r := range runs {
		if len(r) == 0 {
			return false
		}
		n += 4 * int64(len(r))
	}
	if n > c.maxBytes {
		return false
	}
	if old, ok := c.embd.remove(k); ok {
		c.bytes -= old.bytes
	}
	for c.bytes+n > c.maxBytes {
		_, old, ok := c.embd.removeOldest()
		if !ok {
			break
		}
		c.bytes -= old.bytes
	}
	c.embd.put(k, &encoding{layout: l, runs: runs, bytes: n})
	c.bytes += n
	c.PutLayout(k, l)
	return true
}

// Layout is the layout of the image of key, if the cache knows it (from
// PutLayout, or with its embeddings).
func (c *Cache) Layout(k Key) (Layout, bool) {
	if l, ok := c.layouts.get(k); ok {
		c.stats.LayoutHits++
		return l, true
	}
	if e, ok := c.embd.peek(k); ok {
		c.stats.LayoutHits++
		return e.layout, true
	}
	c.stats.LayoutMiss++
	return Layout{}, false
}

// PutLayout keeps the layout of the image of key, dropping the least
// recently used layout beyond the bound.
func (c *Cache) PutLayout(k Key, l Layout) {
	c.layouts.put(k, l)
	for c.layouts.len() > c.maxLayouts {
		c.layouts.removeOldest()
	}
}

// Stats is what the cache holds and what its lookups found.
func (c *Cache) Stats() CacheStats {
	s := c.stats
	s.Images, s.Bytes, s.MaxBytes, s.Layouts = int64(c.embd.len()), c.bytes, c.maxBytes, c.layouts.len()
	return s
}

// Clear drops everything the cache holds (its counts stay).
func (c *Cache) Clear() {
	c.embd, c.layouts, c.bytes = newLRU[*encoding](), newLRU[Layout](), 0
}

// lru is a map whose entries are ordered by use, most recent first.
type lru[V any] struct {
	order *list.List // of *lruEntry[V]
	index map[Key]*list.Element
}

type lruEntry[V any] struct {
	key Key
	val V
}

func newLRU[V any]() lru[V] {
	return lru[V]{order: list.New(), index: map[Key]*list.Element{}}
}

func (l *lru[V]) len() int { return l.order.Len() }

// get finds k and makes it the most recently used.
func (l *lru[V]) get(k Key) (V, bool) {
	e, ok := l.index[k]
	if !ok {
		var zero V
		return zero, false
	}
	l.order.MoveToFront(e)
	return e.Value.(*lruEntry[V]).val, true
}

// peek finds k without changing the order.
func (l *lru[V]) peek(k Key) (V, bool) {
	e, ok := l.index[k]
	if !ok {
		var zero V
		return zero, false
	}
	return e.Value.(*lruEntry[V]).val, true
}

// put sets k to v, the most recently used.
func (l *lru[V]) put(k Key, v V) {
	if e, ok := l.index[k]; ok {
		e.Value.(*lruEntry[V]).val = v
		l.order.MoveToFront(e)
		return
	}
	l.index[k] = l.order.PushFront(&lruEntry[V]{key: k, val: v})
}

func (l *lru[V]) remove(k Key) (V, bool) {
	e, ok := l.index[k]
	if !ok {
		var zero V
		return zero, false
	}
	delete(l.index, k)
	l.order.Remove(e)
	return e.Value.(*lruEntry[V]).val, true
}

// removeOldest removes the least recently used entry.
func (l *lru[V]) removeOldest() (Key, V, bool) {
	e := l.order.Back()
	if e == nil {
		var zero V
		return Key{}, zero, false
	}
	ent := e.Value.(*lruEntry[V])
	delete(l.index, ent.key)
	l.order.Remove(e)
	return ent.key, ent.val, true
}
