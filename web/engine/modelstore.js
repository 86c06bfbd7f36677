// Hearth's model store: GGUF files downloaded once into the origin private
// file system (OPFS) and loaded from there on later visits, without the
// network. Worker-only: files are written and read through
// FileSystemSyncAccessHandle, so a download passes through memory one
// network chunk at a time, and a load copies file bytes straight into the
// arena (accessHandle.read into a view of it).
//
// Layout, in the OPFS directory "hearth-models":
//   index.json     {version: 1, models: {<url>: {file, size, date, etag?, lastModified?}}}
//   <file>.gguf    one file per model, named from a hash of its URL
// An entry may also say what the file is to the others (markPair):
//   kind: 'mmproj'  the file is a vision model's image encoder (an mmproj
//                   GGUF file), which loads only with its text model;
//   mmproj: <url>   the model loaded as a pair with the encoder at <url>.
// Both are recorded when a pair loads (worker.js) and listed by list(),
// so that the page can show a pair as one saved model and delete both.
//
// The index is the only truth: a file counts as cached once its download
// completed (every byte the server announced arrived, and was flushed) and
// its entry was written. A download cut short (Content-Length mismatch,
// network error, full storage, a worker terminated mid-way) deletes its
// file, or leaves one no entry names, which the next openModelStore
// deletes. Index updates hold a Web Lock, so pages of one origin sharing
// the store do not lose each other's entries.

import { SHA256 } from './sha256.js';

const DIR = 'hearth-models';
const INDEX = 'index.json';
const LOCK = 'hearth-models-index';

// openModelStore returns the store, or null where there is none: no OPFS
// (Node, old browsers), no sync access handles (not a worker), or storage
// refused (some private modes throw from getDirectory).
export async function openModelStore() {
  if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory) return null;
  if (typeof FileSystemFileHandle === 'undefined' || !FileSystemFileHandle.prototype.createSyncAccessHandle) return null;
  let dir;
  try {
    dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(DIR, { create: true });
  } catch (_) {
    return null;
  }
  const store = new ModelStore(dir);
  await store.removeOrphans().catch(() => { /* tidying up is not worth failing a load for */ });
  return store;
}

// contentLength is the body size a response announces, or 0 when it does
// not say, or says it of an encoded body (the stream gives decoded bytes).
function contentLength(resp) {
  const enc = resp.headers.get('Content-Encoding');
  if (enc && enc !== 'identity') return 0;
  const n = Number(resp.headers.get('Content-Length'));
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

// fileSource serves an open FileSystemSyncAccessHandle as a runtime.js
// source: read() fills dst (a view of the arena, or of Go's memory for
// headers) straight from the file.
export function fileSource(handle) {
  let bounce = null; // used only if the browser refuses views of a shared buffer
  return {
    size: handle.getSize(),
    read(pos, dst, off, n) {
      if (!bounce) {
        try {
          return handle.read(dst.subarray(off, off + n), { at: pos });
        } catch (e) {
          // SharedArrayBuffer is not defined where the page is not cross-origin isolated.
          if (!(e instanceof TypeError) || typeof SharedArrayBuffer === 'undefined' || !(dst.buffer instanceof SharedArrayBuffer)) throw e;
          bounce = new Uint8Array(4 << 20);
        }
      }
      let done = 0;
      while (done < n) {
        const got = handle.read(bounce.subarray(0, Math.min(bounce.length, n - done)), { at: pos + done });
        if (got <= 0) break;
        dst.set(bounce.subarray(0, got), off + done);
        done += got;
      }
      return done;
    },
  };
}

class ModelStore {
  constructor(dir) { this.dir = dir; }

  // The index's entries by URL ({} when it is missing or unreadable).
  async readIndex() {
    try {
      const text = await (await (await this.dir.getFileHandle(INDEX)).getFile()).text();
      const idx = JSON.parse(text);
      if (idx && idx.version === 1 && idx.models && typeof idx.models === 'object') return idx.models;
    } catch (_) { /* no index yet, or a damaged one: nothing is cached */ }
    return {};
  }

  async writeIndex(models) {
    const data = new TextEncoder().encode(JSON.stringify({ version: 1, models }));
    const fh = await this.dir.getFileHandle(INDEX, { create: true });
    if (fh.createWritable) { // atomic: the old index stays until close commits the new one
      const w = await fh.createWritable();
      await w.write(data);
      await w.close();
      return;
    }
    const h = await fh.createSyncAccessHandle();
    try {
      h.truncate(0);
      h.write(data, { at: 0 });
      h.flush();
    } finally {
      h.close();
    }
  }

  // updateIndex runs change(models) under the store's lock and writes the
  // index back unless change returns false.
  async updateIndex(change) {
    const run = async () => {
      const models = await this.readIndex();
      const out = await change(models);
      if (out !== false) await this.writeIndex(models);
      return out;
    };
    return navigator.locks ? navigator.locks.request(LOCK, run) : run();
  }

  // removeOrphans deletes files no index entry names: downloads that never
  // completed. A file another page is still writing is open, and its
  // removal fails; it is left alone.
  async removeOrphans() {
    const models = await this.readIndex();
    const named = new Set(Object.values(models).map((m) => m.file));
    for await (const [name, h] of this.dir.entries()) {
      if (h.kind !== 'file' || name === INDEX || named.has(name)) continue;
      try { await this.dir.removeEntry(name); } catch (_) { /* in use */ }
    }
  }

  // list returns the cached models, oldest first.
  async list() {
    const models = await this.readIndex();
    return Object.entries(models)
      .map(([url, m]) => ({
        url, size: m.size, date: m.date, etag: m.etag ?? null, lastModified: m.lastModified ?? null,
        sha256: m.sha256 ?? null, kind: m.kind ?? 'model', mmproj: m.mmproj ?? null, // see markPair
      }))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }

  // lookup returns url's entry when its file is there with the size the
  // entry records, else null.
  async lookup(url) {
    const m = (await this.readIndex())[url];
    if (!m) return null;
    try {
      const f = await (await this.dir.getFileHandle(m.file)).getFile();
      if (f.size === m.size) return { url, ...m };
    } catch (_) { /* the file is gone */ }
    return null;
  }

  // open returns a source over a cached model's file and a close function.
  // When another page holds the file open (sync access handles are
  // exclusive), it reads a File snapshot instead (blobSource).
  async open(entry, blobSource) {
    const fh = await this.dir.getFileHandle(entry.file);
    try {
      const h = await fh.createSyncAccessHandle();
      return { source: fileSource(h), close: () => h.close() };
    } catch (e) {
      if (e.name !== 'NoModificationAllowedError') throw e;
      return { source: blobSource(await fh.getFile()), close: () => {} };
    }
  }

  // download streams resp's body (a successful response to url) into a
  // new file and, once every byte is in, records it in the index. It
  // returns the entry and the file, still open, to load from: {entry,
  // source, close}. progress(loaded, total) follows the bytes (total 0
  // when the server does not say).
  //
  // With sha256 (the publisher's digest, hex), the bytes are hashed as
  // they arrive and a file whose digest differs is deleted, not cached
  // (error.reason 'checksum'); the entry records the verified digest.
  async download(url, resp, progress, sha256) {
    const total = contentLength(resp);
    if (total && navigator.storage.estimate) {
      const { quota, usage } = await navigator.storage.estimate();
      if (quota && usage !== undefined && total > quota - usage) {
        throw storageFull(url, total, quota - usage);
      }
    }
    const file = `${await hashName(url)}-${Date.now().toString(36)}.gguf`;
    const fh = await this.dir.getFileHandle(file, { create: true });
    const h = await fh.createSyncAccessHandle();
    const hash = sha256 ? new SHA256() : null;
    let loaded = 0;
    try {
      const reader = resp.body.getReader();
      for (;;) {
        const { done, value } = await reader.read().catch((e) => { // the connection broke
          throw new Error(`downloading ${url}: the download failed after ${loaded}${total ? ` of ${total}` : ''} bytes (${e.message})`);
        });
        if (done) break;
        for (let off = 0; off < value.length;) {
          off += h.write(value.subarray(off), { at: loaded + off });
        }
        hash?.update(value);
        loaded += value.length;
        progress?.(loaded, total);
      }
      if (total && loaded !== total) {
        throw new Error(`downloading ${url}: the server announced ${total} bytes but sent ${loaded} (the download was cut short)`);
      }
      if (hash) checkDigest(url, hash.hex(), sha256, 'the downloaded file');
      h.flush();
      const entry = {
        file, size: loaded, date: new Date().toISOString(),
        ...(sha256 ? { sha256: sha256.toLowerCase() } : {}),
        ...(resp.headers.get('ETag') ? { etag: resp.headers.get('ETag') } : {}),
        ...(resp.headers.get('Last-Modified') ? { lastModified: resp.headers.get('Last-Modified') } : {}),
      };
      let replaced = null;
      await this.updateIndex((models) => {
        replaced = models[url]?.file ?? null;
        models[url] = entry;
      });
      if (replaced && replaced !== file) await this.dir.removeEntry(replaced).catch(() => {});
      return { entry: { url, ...entry }, source: fileSource(h), close: () => h.close() };
    } catch (e) {
      h.close();
      await this.dir.removeEntry(file).catch(() => {});
      if (e && e.name === 'QuotaExceededError') throw storageFull(url, total || loaded, 0);
      throw e;
    }
  }

  // verify checks a cached entry against the digest sha256 (hex): one
  // verified at download passes at once; otherwise the file is hashed
  // (about 150 MB/s) and, when it matches, the digest is recorded.
  async verify(url, entry, sha256) {
    const want = sha256.toLowerCase();
    if (entry.sha256 === want) return;
    if (!entry.sha256) {
      const file = await (await this.dir.getFileHandle(entry.file)).getFile();
      const hash = new SHA256();
      const reader = file.stream().getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        hash.update(value);
      }
      checkDigest(url, hash.hex(), want, 'the copy saved in this browser');
      await this.updateIndex((models) => { if (models[url]?.file === entry.file) models[url].sha256 = want; });
      return;
    }
    checkDigest(url, entry.sha256, want, 'the copy saved in this browser');
  }

  // markPair records that the model at modelURL loads with the image
  // encoder at mmprojURL (its entry's mmproj), and that the file at
  // mmprojURL is an image encoder (its entry's kind 'mmproj'). Either URL
  // may be null, or not cached: only the entries there are marked.
  async markPair(modelURL, mmprojURL) {
    await this.updateIndex((models) => {
      let changed = false;
      if (mmprojURL && models[mmprojURL] && models[mmprojURL].kind !== 'mmproj') {
        models[mmprojURL].kind = 'mmproj';
        changed = true;
      }
      if (modelURL && mmprojURL && models[modelURL] && models[modelURL].mmproj !== mmprojURL) {
        models[modelURL].mmproj = mmprojURL;
        changed = true;
      }
      return changed;
    });
  }

  // remove deletes url's file and entry; false when it was not cached.
  async remove(url) {
    let file = null;
    await this.updateIndex((models) => {
      if (!models[url]) return false;
      file = models[url].file;
      delete models[url];
    });
    if (!file) return false;
    try {
      await this.dir.removeEntry(file);
    } catch (e) {
      if (e.name !== 'NotFoundError') {
        // The entry is gone, so the file is an orphan that a later
        // openModelStore deletes once nothing holds it open.
        throw new Error(`deleting the cached copy of ${url}: ${e.message} (is it open in another page?)`);
      }
    }
    return true;
  }
}

// checkDigest throws when the digest got of what (a file of url) is not
// want: the bytes are not the file the publisher describes.
export function checkDigest(url, got, want, what) {
  if (got === want.toLowerCase()) return;
  const e = new Error(`${what} of ${url} is not the file its publisher describes: its SHA-256 is ${got}, where ${want.toLowerCase()} was expected`);
  e.reason = 'checksum';
  throw e;
}

// storageFull is the error of a download the origin's storage cannot hold;
// the worker then loads the model without caching it.
function storageFull(url, need, free) {
  const e = new Error(`caching ${url}: ${need} bytes do not fit the ${free} bytes of storage left`);
  e.storageFull = true;
  return e;
}

// hashName is a file name for url: the first 16 hex digits of its SHA-256.
async function hashName(url) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(url)));
  return Array.from(d.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}
