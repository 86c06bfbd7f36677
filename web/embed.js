// Hearth on any page, with one script tag:
//
//   <script src="https://hearth.example/embed.js" data-model="https://…/model.gguf"></script>
//
// This loader is a classic script: it reads its data- options, defines
// window.Hearth at once (methods called early wait for Hearth.ready), and
// imports the rest (embed/api.js, embed/widget.js, the engine) from the
// folder it was itself loaded from, so the page may be on another origin.
// The README's "Embed Hearth on your site" lists the options and the API.
(() => {
  'use strict';
  if (window.Hearth && window.Hearth.embedded) return; // the tag twice: one Hearth
  const script = document.currentScript;
  if (!script || !script.src) {
    console.error('Hearth: embed.js must be loaded by a <script src="…/embed.js"> tag (not as a module, not inline)');
    return;
  }
  const base = new URL('.', script.src).href;

  // Options from the tag's data- attributes (README: "data- options").
  const d = script.dataset;
  const list = (s) => (s || '').split(',').map((x) => x.trim()).filter(Boolean);
  const off = (s) => /^(off|false|no|0)$/i.test((s || '').trim());
  const on = (s) => s !== undefined && !off(s);
  const int = (s, name) => {
    if (s === undefined || s === '') return undefined;
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) {
      console.error(`Hearth: data-${name}="${s}" is not a whole number; ignored`);
      return undefined;
    }
    return n;
  };
  const options = {
    model: d.model || '',
    mmproj: d.mmproj || '', // a vision model's image encoder, loaded with data-model as a pair
    preload: on(d.preload),
    title: d.title || 'Hearth',
    position: d.position === 'bottom-left' ? 'bottom-left' : 'bottom-right',
    theme: ['light', 'dark'].includes(d.theme) ? d.theme : 'auto',
    open: on(d.open),
    threads: int(d.threads, 'threads'),
    nCtx: int(d.nCtx, 'n-ctx'),
    systemPrompt: d.systemPrompt || '',
    act: !off(d.act),
    widget: !off(d.widget),
    policy: {
      allow_actions: list(d.allowActions),
      deny_actions: list(d.denyActions),
      allow_selector: d.allowSelector || '',
      deny_selector: d.denySelector || '',
      max_steps: int(d.maxSteps, 'max-steps') || 0,
    },
  };
  if (d.position && !['bottom-right', 'bottom-left'].includes(d.position)) {
    console.error(`Hearth: data-position="${d.position}" is not bottom-right or bottom-left; using bottom-right`);
  }

  // Events: Hearth.on(name, fn) → a function that removes fn.
  const listeners = new Map();
  const events = {
    on(name, fn) {
      if (typeof fn !== 'function') throw new TypeError(`Hearth.on('${name}', fn): fn is not a function`);
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name).add(fn);
      return () => listeners.get(name)?.delete(fn);
    },
    off(name, fn) { listeners.get(name)?.delete(fn); },
    handlers(name) { return [...(listeners.get(name) || [])]; },
    emit(name, value) {
      for (const fn of events.handlers(name)) {
        try { fn(value); } catch (err) { console.error(`Hearth: a '${name}' handler threw:`, err); }
      }
    },
  };

  let impl = null;
  let settle;
  const ready = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  ready.catch(() => {}); // reported below; a page that awaits it sees the error
  const later = (name) => (...args) => (impl ? impl[name](...args) : ready.then(() => impl[name](...args)));
  const Hearth = {
    embedded: true,
    ready,
    base,
    options,
    on: events.on,
    off: events.off,
    load: later('load'),
    chat: later('chat'),
    act: later('act'),
    observe: later('observe'),
    execute: later('execute'),
    setPolicy: later('setPolicy'),
    stop: (...args) => (impl ? impl.stop(...args) : Promise.resolve(false)),
    open: later('open'),
    close: later('close'),
  };
  window.Hearth = Hearth;

  import(base + 'embed/api.js')
    .then((m) => m.start({ base, options, events }))
    .then((api) => {
      impl = api;
      settle.resolve(Hearth);
    })
    .catch((err) => {
      let why = err && err.message ? err.message : String(err);
      if (/dynamically imported module|Importing a module script failed/i.test(why)) {
        why += ` (${base}embed/api.js: is the server up, and does it let other origins load it with CORS?)`;
      }
      const e = new Error(`Hearth could not start: ${why}`);
      console.error(e.message);
      events.emit('error', e);
      settle.reject(e);
    });
})();
