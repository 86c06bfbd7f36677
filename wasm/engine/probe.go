//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/wasm/engine/modelcheck"
)

// A model is checked from its header before anything is loaded or
// unloaded (modelcheck): a file that is not GGUF, one cut short, one of an
// architecture or tensor type the engine does not run, or one whose
// weights and KV cache do not fit the memory the engine may use is refused
// with a message that says which, while the model already loaded (if any)
// stays loaded. load runs the check itself; probe runs it alone, on a
// source that may hold only the file's first bytes (the header of a file
// still on a server).

// arenaLimitWhy is what sets the arena's ceiling, for messages.
const arenaLimitWhy = "WebAssembly's 32-bit memory, where the browser engine keeps the model, holds at most 4 GiB"

// checkModel checks f for a session of nCtx tokens (0: the model's) and
// batch tokens a pass with a KV cache of type kv, against the arena's
// ceiling and limits, with a mixture's experts paged into expertBudget
// bytes when it is > 0.
func checkModel(f *gguf.File, dev *arena.JSDevice, nCtx, batch int, kv dtype.Type, limits []modelcheck.Limit, expertBudget int64) (*modelcheck.Report, error) {
	all := append([]modelcheck.Limit{{Bytes: int64(dev.MaxPages()) * arena.PageSize, Why: arenaLimitWhy}}, limits...)
	return modelcheck.Check(f, modelcheck.Options{Context: nCtx, Batch: batch, KVElementBytes: kvElementBytes(kv), Threads: dev.Threads(), Limits: all, ExpertBudget: expertBudget})
}

// probeReport is what probe reports: what loading the model would take.
type probeReport struct {
	*modelcheck.Report
	FileBytes int64
}

// probe checks the model in the glue's source src as load would, without
// loading it, whether or not a model is loaded.
func (e *engine) probe(src uint32, opt loadOptions) (*probeReport, error) {
	fs, f, err := openModelFile(src)
	if err != nil {
		return nil, err
	}
	dev, err := arena.NewJSDevice()
	if err != nil {
		return nil, err
	}
	batch := opt.Batch
	if batch == 0 {
		batch = DefaultBatch
	}
	kv, err := kvCacheType(opt.KVType)
	if err != nil {
		return nil, err
	}
	r, err := checkModel(f, dev, opt.Context, batch, kv, opt.Limits, opt.ExpertBudget)
	if err != nil {
		return nil, err
	}
	return &probeReport{Report: r, FileBytes: fs.Size()}, nil
}

// checkOptions adds the check options of args[3] ({replace, limit,
// limitWhy, kvType, expertBudget}) to opt.
func checkOptions(args []js.Value, opt loadOptions) loadOptions {
	if len(args) < 4 || args[3].Type() != js.TypeObject {
		return opt
	}
	o := args[3]
	opt.Replace = o.Get("replace").Truthy()
	if kv := o.Get("kvType"); kv.Type() == js.TypeString {
		opt.KVType = kv.String()
	}
	if b := o.Get("expertBudget"); b.Type() == js.TypeNumber && b.Float() > 0 {
		opt.ExpertBudget = int64(b.Float())
	}
	if l := o.Get("limit"); l.Type() == js.TypeNumber && l.Float() > 0 {
		why := "the page's memory limit"
		if w := o.Get("limitWhy"); w.Type() == js.TypeString && w.String() != "" {
			why = w.String()
		}
		opt.Limits = append(opt.Limits, modelcheck.Limit{Bytes: int64(l.Float()), Why: why})
	}
	return opt
}

// loadError is a failed load, and whether a model is loaded after it (the
// one loaded before, when the new file failed its checks).
type loadError struct {
	err         error
	modelLoaded bool
}

func (e *loadError) Error() string { return e.err.Error() }
func (e *loadError) Unwrap() error { return e.err }

// addCheckDetails puts what the glue needs to know of a failed load or
// probe into its answer res: the check's reason, whether the bytes are
// bad, whether a model is still loaded, and for a mixture of experts too
// large with its experts resident the expertBudget (bytes) under which
// it would fit with them paged.
func addCheckDetails(res map[string]any, err error) {
	var ce *modelcheck.Error
	if errors.As(err, &ce) {
		res["reason"] = string(ce.Reason)
		res["badFile"] = ce.BadFile()
		if ce.ExpertBudget > 0 {
			res["expertBudget"] = float64(ce.ExpertBudget)
		}
	}
	var le *loadError
	if errors.As(err, &le) {
		res["modelLoaded"] = le.modelLoaded
	}
}

// openModelFile reads the GGUF header of the glue's source src, with its
// string arrays compact (the tokenizer shares them instead of copying),
// and explains a file that is not a loadable GGUF.
func openModelFile(src uint32) (*arena.FileSource, *gguf.File, error) {
	fs, err := arena.OpenFileSource(src)
	if err != nil {
		return nil, nil, err
	}
	f, err := gguf.ReadWith(fs, fs.Size(), gguf.Options{CompactStrings: true})
	if err != nil {
		return nil, nil, modelcheck.Explain(err, fs, fs.Size())
	}
	return fs, f, nil
}
