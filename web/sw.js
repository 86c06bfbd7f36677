// Hearth's service worker: keeps the app shell (the page, the app, the
// engine and its kernels, the manifest and icons) in the Cache Storage, so
// that after one visit the page opens and chats offline with a model kept
// in OPFS.
//
// Versions: index.html registers sw.js?build=<id>, the id that wasm/buildweb
// writes into dist/build.json (a hash of the build). A new build is a new
// script URL, hence a new worker; it fills its own cache
// (hearth-shell-<id>), and once active deletes the older ones. The page
// offers a reload when a new version has taken over.
//
// Requests: the shell is served from the cache first (the network only
// for a file the cache lacks); dist/build.json goes to the network first,
// so that the page learns about a new build, with the cached copy as the
// offline answer; everything else (models above all: they live in OPFS,
// written by the engine worker) goes to the network untouched.
//
// Bodies are stored decoded, under fresh headers: the server may have sent
// a .br/.gz variant (Content-Encoding, and a Content-Length of the encoded
// bytes), and what comes out of the cache must carry the cross-origin
// isolation headers (COOP, COEP, CORP), or an offline page would lose
// crossOriginIsolated and with it the engine's threads.

const BUILD = new URL(self.location.href).searchParams.get('build') || 'dev';
const CACHE_PREFIX = 'hearth-shell-';
const CACHE = CACHE_PREFIX + BUILD;
const BUILD_INFO = 'dist/build.json';

// The app shell, relative to this script (the web root). A test
// (tests/web/shell_test.go) checks that it names every file of web/engine
// and each build product, so that nothing the page needs is left online.
const SHELL = [
  './',
  'manifest.webmanifest',
  'icons/icon.svg',
  'icons/icon-maskable.svg',
  'icons/icon-192.png',
  'icons/icon-512.png',
  'dist/app.wasm',
  'engine/hearth.js',
  'engine/worker.js',
  'engine/runtime.js',
  'engine/modelstore.js',
  'engine/sha256.js',
  'engine/features.js',
  'engine/helper.js',
  'engine/wasm_exec.js',
  'engine/engine.wasm',
  'engine/kernels.wasm',
  'engine/kernels_shared.wasm',
  'engine/kernels_relaxed.wasm',
  'engine/kernels_relaxed_shared.wasm',
];

const scope = new URL('./', self.location.href);
const shellURLs = new Set(SHELL.map((p) => new URL(p, scope).href));
shellURLs.add(new URL('index.html', scope).href);
const buildInfoURL = new URL(BUILD_INFO, scope).href;

// Folders whose other files (added after this list was written) are kept
// too, once the page has fetched them.
const shellFolders = ['dist/', 'engine/', 'icons/'].map((p) => new URL(p, scope).href);

// The headers every response from the cache carries.
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

// Content types by extension, for a response that came without one.
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png', '.css': 'text/css; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

function typeOf(url) {
  const path = new URL(url).pathname;
  if (path.endsWith('/')) return TYPES['.html'];
  const dot = path.lastIndexOf('.');
  return TYPES[dot < 0 ? '' : path.slice(dot)] ?? 'application/octet-stream';
}

// storable turns a network response into the one to keep: the decoded
// body, its type, the isolation headers, and nothing that describes the
// bytes as they travelled.
async function storable(resp, url) {
  const headers = new Headers(ISOLATION);
  headers.set('Content-Type', resp.headers.get('Content-Type') || typeOf(url));
  headers.set('X-Content-Type-Options', 'nosniff');
  const body = await resp.arrayBuffer(); // decoded by the browser
  return new Response(body, { status: 200, statusText: 'OK', headers });
}

// fetchFresh GETs url past the HTTP cache; it throws unless the answer is
// a complete 200.
async function fetchFresh(url) {
  const resp = await fetch(url, { cache: 'reload', credentials: 'same-origin' });
  if (resp.status !== 200) throw new Error(`${url}: HTTP ${resp.status}`);
  return resp;
}

async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(SHELL.map(async (path) => {
    const url = new URL(path, scope).href;
    await cache.put(url, await storable(await fetchFresh(url), url));
  }));
  // The build id is kept for offline starts; a server without one (a
  // plain web/ folder) is no reason to fail.
  try {
    await cache.put(buildInfoURL, await storable(await fetchFresh(buildInfoURL), buildInfoURL));
  } catch (_) { /* no dist/build.json */ }
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The page asks a waiting worker to take over (the reload it offers).
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skipWaiting') self.skipWaiting();
});

// shellKey is the cache key of a request for the shell, or null: a
// navigation to the app's page (any query: ?model=, ?test=) is its
// index.html; GETs of the listed files and of the shell's folders are
// themselves.
function shellKey(request) {
  if (request.method !== 'GET' || request.headers.has('Range')) return null;
  const url = new URL(request.url);
  if (url.origin !== scope.origin) return null;
  const bare = url.origin + url.pathname;
  if (request.mode === 'navigate') {
    return bare === scope.href || bare === scope.href + 'index.html' ? scope.href : null;
  }
  if (url.search !== '') return null;
  if (shellURLs.has(bare) || shellFolders.some((f) => bare.startsWith(f))) return bare;
  return null;
}

async function fromCache(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  const resp = await fetch(request);
  if (resp.status !== 200) return resp;
  const keep = await storable(resp, key);
  await cache.put(key, keep.clone());
  return keep;
}

async function buildInfo(request) {
  try {
    const resp = await fetch(request);
    if (resp.ok) return resp;
  } catch (_) { /* offline: the cached copy */ }
  const hit = await caches.match(buildInfoURL, { cacheName: CACHE, ignoreSearch: true });
  return hit ?? new Response('{}', { status: 404, headers: { ...ISOLATION, 'Content-Type': 'application/json' } });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method === 'GET' && url.origin + url.pathname === buildInfoURL) {
    event.respondWith(buildInfo(request));
    return;
  }
  const key = shellKey(request);
  if (key) event.respondWith(fromCache(key, request));
  // Anything else is not answered here: the browser fetches it as if
  // there were no service worker.
});
