//go:build !js

// Package wazerodev runs kernels.wasm under wazero: the arena.Device of
// native tests (and of a native "wasm" backend for the CLI). It sets things up
// as the browser does: a module named "env" owns the memory (mapped
// outside the Go heap on Linux, as a WebAssembly.Memory lies outside the
// Go program's memory in the browser), and the kernel module imports it.
// With several threads, the memory is shared and each thread has its own
// instance of the kernel module, as each Web Worker would.
package wazerodev

import (
	"context"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	kernels "github.com/hearth-ai/hearth/kernels_wasm"
	"github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Options configure a Device.
type Options struct {
	// Threads is the number of kernel instances, so the number of kernel
	// calls CallBatch runs at once (0 means 1). More than one needs a
	// shared memory, which is what the module gets then.
	Threads int
	// MaxPages caps the arena (0 means 65536 pages: 4 GiB, all of wasm32).
	// The address space is reserved up front; pages cost memory only
	// once touched.
	MaxPages uint32
	// Module is the kernel module's binary; nil means kernels.Build's
	// (unshared or shared as Threads asks).
	Module []byte
	// Without hides kernels by name, as if the module lacked them (for
	// testing the backend's slow paths).
	Without []string
}

// Device is an arena.Device over wazero.
type Device struct {
	ctx      context.Context
	rt       wazero.Runtime
	mem      api.Memory
	pages    uint32
	maxPages uint32
	inst     []*instance
	kernels  map[string]arena.Kernel
	without  map[string]bool
	params   []int // parameter count per kernel
	names    []string

	work []chan job
	done sync.WaitGroup
}

// instance is one kernel module instance (a thread's).
type instance struct {
	mod   api.Module
	fns   []api.Function // by arena.Kernel
	stack []uint64
}

type job struct {
	k arena.Kernel
	a *arena.Args
}

var (
	cache     = wazero.NewCompilationCache()
	buildOnce [2]sync.Once
	built     [2][]byte
	buildErr  [2]error
)

// module returns kernels.Build's binary, built once per process.
func module(shared bool) ([]byte, error) {
	i := 0
	if shared {
		i = 1
	}
	buildOnce[i].Do(func() { built[i], buildErr[i] = kernels.Build(kernels.Options{SharedMemory: shared}) })
	return built[i], buildErr[i]
}

// New instantiates the kernel module over a fresh, empty arena.
func New(opt Options) (*Device, error) {
	threads := max(opt.Threads, 1)
	maxPages := opt.MaxPages
	if maxPages == 0 || maxPages > 65536 {
		maxPages = 65536
	}
	shared := threads > 1
	bin := opt.Module
	if bin == nil {
		var err error
		if bin, err = module(shared); err != nil {
			return nil, fmt.Errorf("wazerodev: building the kernel module: %w", err)
		}
	}
	features := api.CoreFeaturesV2 // with SIMD
	if shared {
		features |= experimental.CoreFeaturesThreads
	}
	ctx := context.Background()
	d := &Device{ctx: ctx, maxPages: maxPages, kernels: map[string]arena.Kernel{}, without: map[string]bool{}}
	for _, name := range opt.Without {
		d.without[name] = true
	}
	d.rt = wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCoreFeatures(features).WithCompilationCache(cache))
	lim := wasm.Limits{Max: maxPages, HasMax: true, Shared: shared}
	envBin, err := kernels.MemoryModule(lim)
	if err != nil {
		d.rt.Close(ctx)
		return nil, fmt.Errorf("wazerodev: %w", err)
	}
	memCtx := ctx
	if alloc, err := newAllocator(uint64(maxPages) * arena.PageSize); err != nil {
		d.rt.Close(ctx)
		return nil, fmt.Errorf("wazerodev: reserving %d pages: %w", maxPages, err)
	} else if alloc != nil {
		memCtx = experimental.WithMemoryAllocator(ctx, alloc)
	}
	env, err := d.rt.InstantiateWithConfig(memCtx, envBin, wazero.NewModuleConfig().WithName(kernels.MemoryImportModule))
	if err != nil {
		d.rt.Close(ctx)
		return nil, fmt.Errorf("wazerodev: memory module: %w", err)
	}
	d.mem = env.Memory()
	for i := 0; i < threads; i++ {
		name := "kernels"
		if i > 0 {
			name = fmt.Sprintf("kernels%d", i)
		}
		mod, err := d.rt.InstantiateWithConfig(ctx, bin, wazero.NewModuleConfig().WithName(name))
		if err != nil {
			d.rt.Close(ctx)
			return nil, fmt.Errorf("wazerodev: kernel module: %w", err)
		}
		d.inst = append(d.inst, &instance{mod: mod, stack: make([]uint64, arena.MaxArgs)})
	}
	for i := 1; i < threads; i++ {
		ch := make(chan job, 1)
		d.work = append(d.work, ch)
		go d.worker(d.inst[i], ch)
	}
	return d, nil
}

func (d *Device) worker(in *instance, ch chan job) {
	for j := range ch {
		d.call(in, j.k, j.a)
		d.done.Done()
	}
}

// Pages is the arena's size in pages.
func (d *Device) Pages() uint32 { return d.pages }

// MaxPages is the most pages the arena may have.
func (d *Device) MaxPages() uint32 { return d.maxPages }

// Grow adds delta zeroed pages.
func (d *Device) Grow(delta uint32) bool {
	if delta > d.maxPages-d.pages {
		return false
	}
	if _, ok := d.mem.Grow(delta); !ok {
		return false
	}
	d.pages += delta
	return true
}

// view is the arena's bytes [off, off+n) in place.
func (d *Device) view(off, n uint32) []byte {
	v, ok := d.mem.Read(off, n)
	if !ok {
		panic(fmt.Sprintf("wazerodev: bytes [%d, %d) are outside the arena of %d pages", off, uint64(off)+uint64(n), d.pages))
	}
	return v
}

// Write copies src into the arena at off.
func (d *Device) Write(off uint32, src []byte) { copy(d.view(off, uint32(len(src))), src) }

// Read copies arena bytes at off into dst.
func (d *Device) Read(off uint32, dst []byte) { copy(dst, d.view(off, uint32(len(dst)))) }

// Copy moves n bytes within the arena.
func (d *Device) Copy(dst, src, n uint32) { copy(d.view(dst, n), d.view(src, n)) }

// Zero clears n bytes at off.
func (d *Device) Zero(off, n uint32) { clear(d.view(off, n)) }

// Fill reads n bytes from r straight into the arena.
func (d *Device) Fill(off, n uint32, r io.Reader) (int, error) {
	return io.ReadFull(r, d.view(off, n))
}

// FillAt reads n bytes of src at pos straight into the arena.
func (d *Device) FillAt(off, n uint32, src io.ReaderAt, pos int64) (int, error) {
	got, err := src.ReadAt(d.view(off, n), pos)
	if got == int(n) {
		return got, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return got, err
}

// Kernel resolves an exported kernel of the module.
func (d *Device) Kernel(name string) (arena.Kernel, bool) {
	if k, ok := d.kernels[name]; ok {
		return k, true
	}
	if d.without[name] || d.inst[0].mod.ExportedFunction(name) == nil {
		return arena.NoKernel, false
	}
	k := arena.Kernel(len(d.names))
	for _, in := range d.inst {
		in.fns = append(in.fns, in.mod.ExportedFunction(name))
	}
	def := d.inst[0].fns[k].Definition()
	d.params = append(d.params, len(def.ParamTypes()))
	d.names = append(d.names, name)
	d.kernels[name] = k
	return k, true
}

// Call runs kernel k on the first instance.
func (d *Device) Call(k arena.Kernel, a *arena.Args) { d.call(d.inst[0], k, a) }

func (d *Device) call(in *instance, k arena.Kernel, a *arena.Args) {
	n := d.params[k]
	copy(in.stack, a[:n])
	for i := range n { // i32 parameters are their low 32 bits
		in.stack[i] &= math.MaxUint32
	}
	if err := in.fns[k].CallWithStack(d.ctx, in.stack); err != nil {
		panic(fmt.Sprintf("wazerodev: kernel %s%v: %v", d.names[k], a[:n], err))
	}
}

// Threads is the number of kernel instances.
func (d *Device) Threads() int { return len(d.inst) }

// CallBatch runs the jobs on the instances at once, the first on the
// calling goroutine.
func (d *Device) CallBatch(k arena.Kernel, jobs []arena.Args) {
	if len(jobs) > len(d.inst) {
		panic(fmt.Sprintf("wazerodev: %d jobs for %d threads", len(jobs), len(d.inst)))
	}
	if len(jobs) == 0 {
		return
	}
	d.done.Add(len(jobs) - 1)
	for i := 1; i < len(jobs); i++ {
		d.work[i-1] <- job{k, &jobs[i]}
	}
	d.call(d.inst[0], k, &jobs[0])
	d.done.Wait()
}

// Close stops the worker goroutines and frees the arena.
func (d *Device) Close() error {
	for _, ch := range d.work {
		close(ch)
	}
	d.work = nil
	return d.rt.Close(d.ctx)
}
