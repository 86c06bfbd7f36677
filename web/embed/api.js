// The Hearth API of an embedding page (window.Hearth, defined by embed.js):
// the engine worker (../engine/hearth.js) for load and chat, the action
// runtime (embed.wasm, through ./runtime.js) for observe, execute and act,
// and the widget (./widget.js) unless data-widget="off".
//
// Confirmation of a gated step (a form submit, a navigation, a destructive
// control) is asked, in this order, of: the confirm function passed to
// act/execute; else the page's Hearth.on('confirm', fn) handlers (allowed
// only if every one returns true, or a promise of true); else the widget's
// Allow / Decline prompt; else nobody, and the step is declined. It is
// never approved without an answer.
import { Hearth as Engine } from '../engine/hearth.js';
import { describeStep } from './describe.js';
import { readMessages, hasImages, mmprojArg, fileName } from './vision.js';

// Sampling options Hearth.chat and Hearth.act pass to the engine.
const SAMPLING = ['temperature', 'topK', 'topP', 'minP', 'repeatPenalty', 'repeatLastN', 'presencePenalty', 'frequencyPenalty', 'seed'];

// Chat's sampling when the caller names none: a little randomness, which
// keeps small models from looping.
const CHAT_SAMPLING = { temperature: 0.7, topP: 0.9, repeatPenalty: 1.1, repeatLastN: 64 };

// The plan loop's sampling: near-greedy; the schema makes every output valid.
const ACT_SAMPLING = { temperature: 0.2 };

// start builds the API (and the widget) for embed.js.
export async function start({ base, options, events }) {
  const api = new API(base, options, events);
  const pub = api.publicAPI();
  if (options.widget) {
    const { createWidget } = await import('./widget.js');
    api.ui = createWidget({ api: pub, events, options, base });
  }
  if (options.preload && options.model) api.ensureModel().catch(() => {}); // reported as an 'error' event
  return pub;
}

class API {
  constructor(base, options, events) {
    this.base = base;
    this.options = options;
    this.events = events;
    this.ui = null;
    this.engine = null; // the worker client, started on first use
    this.model = null; // {url | name, info} of the loaded model
    this.loading = null; // the load under way (a promise)
    this.runtime = null; // a promise of globalThis.__hearthRuntime
    this.policy = policyJSON(options.policy);
    this.running = null; // 'act' | 'execute' while one runs
    this.generating = false;
  }

  publicAPI() {
    return {
      load: (source, opts) => this.load(source, opts),
      chat: (input, opts) => this.chat(input, opts),
      act: (goal, opts) => this.act(goal, opts),
      observe: (opts) => this.observe(opts),
      execute: (actions, opts) => this.execute(actions, opts),
      setPolicy: (policy) => this.setPolicy(policy),
      stop: () => this.stop(),
      open: () => this.ui?.open(),
      close: () => this.ui?.close(),
      state: () => ({ model: this.model, loading: !!this.loading, running: this.running, generating: this.generating }),
      // For the widget only (window.Hearth does not offer it): whether the
      // loaded model can take the picture data (vision.js).
      checkImage: (data) => this.checkImage(data),
    };
  }

  engineClient() {
    this.engine ??= new Engine({ workerURL: new URL('engine/worker.js', this.base) });
    return this.engine;
  }

  // load loads a model from a URL (resolved against the page) or a File;
  // opts.mmproj (a URL, a File, or {url | blob, sha256}; for data-model,
  // data-mmproj) loads a vision model's image encoder with it, as a pair.
  async load(source, opts = {}) {
    if (!source) throw this.fail(new Error('Hearth.load needs a model URL or a File'));
    if (this.loading) throw this.fail(new Error('a model is already loading; wait for it (or reload the page)'));
    const isURL = typeof source === 'string' || source instanceof URL;
    const url = isURL ? new URL(String(source), document.baseURI).href : null;
    const name = isURL ? decodeURIComponent(new URL(url).pathname.split('/').pop() || url) : source.name || 'the file';
    const threads = opts.threads ?? this.options.threads ?? defaultThreads();
    const nCtx = opts.nCtx ?? this.options.nCtx ?? 0;
    const { onProgress, mmproj: mmOpt, ...rest } = opts;
    let mmproj;
    try {
      mmproj = mmprojArg(mmOpt !== undefined ? mmOpt : (this.options.mmproj && source === this.options.model ? this.options.mmproj : null));
    } catch (err) {
      throw this.fail(err);
    }
    const mmName = mmproj ? fileName(mmproj) : '';
    this.events.emit('progress', { phase: 'start', name, loaded: 0, total: 0, percent: 0 });
    const task = (async () => {
      const info = await this.engineClient().load(url ?? source, {
        ...rest, threads, nCtx, replace: !!this.model, ...(mmproj ? { mmproj } : {}),
        onProgress: (p) => {
          // A pair's events say which file they are about (file: 'model' | 'mmproj').
          const e = {
            phase: p.phase, name: p.file === 'mmproj' ? mmName : name, loaded: p.loaded, total: p.total, cached: !!p.cached,
            percent: p.total ? Math.round((100 * p.loaded) / p.total) : 0, ...(p.file ? { file: p.file } : {}),
          };
          this.events.emit('progress', e);
          onProgress?.(e);
        },
      });
      this.model = { name, url, info };
      this.loading = null; // loaded: the 'load' handlers see it so (state())
      this.events.emit('load', { name, url, ...info });
      return info;
    })();
    this.loading = task;
    try {
      return await task;
    } catch (err) {
      const what = `the model ${url ?? name}${err.mmproj ? ` with its image encoder ${mmproj.url ?? mmName}` : ''}`;
      throw this.fail(new Error(`could not load ${what}: ${explainLoad(err.message)}`));
    } finally {
      this.loading = null;
    }
  }

  // ensureModel waits for the load under way, or starts data-model's.
  async ensureModel() {
    if (this.model) return;
    if (this.loading) { await this.loading.catch(() => {}); if (this.model) return; }
    if (!this.options.model) {
      throw this.fail(new Error('no model is loaded: set data-model on the script tag, or call Hearth.load(url or File)'));
    }
    await this.load(this.options.model);
  }

  // chat answers a text or a conversation [{role, content}] and resolves
  // to the whole answer; tokens stream to opts.onToken and 'token' events.
  // content is a text or parts [{type: 'text', text}, {type: 'image',
  // data}] (vision.js); a conversation with pictures is encoded first,
  // each encoder input reported to opts.onImage and as an 'image' event.
  async chat(input, opts = {}) {
    let messages;
    try {
      messages = readMessages(input);
    } catch (err) {
      throw this.fail(err);
    }
    const system = opts.systemPrompt ?? this.options.systemPrompt;
    if (system && !messages.some((m) => m.role === 'system')) messages = [{ role: 'system', content: system }, ...messages];
    await this.ensureModel();
    const engine = this.engineClient();
    this.generating = true;
    try {
      const nPredict = opts.maxTokens ?? opts.nPredict ?? 512;
      const { prompt, kept, dropped } = await this.fitToContext(engine, messages, nPredict);
      if (dropped > 0) opts.onTrim?.(dropped);
      // With pictures the engine takes the conversation itself (their
      // embeddings have no ids); it encodes only pictures it has not seen.
      const r = await engine.generate(hasImages(kept) ? kept : prompt.ids, {
        nPredict: Math.min(nPredict, (this.model?.info?.context ?? Infinity) - promptLength(prompt)),
        sampling: pickSampling(opts, CHAT_SAMPLING),
        onToken: (t) => {
          this.events.emit('token', { text: t.text, id: t.tokenId });
          opts.onToken?.(t.text, t);
        },
        onProgress: (p) => {
          if (p.phase !== 'image') return;
          const step = { image: p.image, images: p.images, tile: p.tile, tiles: p.tiles, input: p.input, inputs: p.inputs };
          this.events.emit('image', step);
          try { opts.onImage?.(step); } catch (err) { console.error('Hearth: onImage threw:', err); }
        },
      });
      return r.text;
    } catch (err) {
      throw this.fail(err);
    } finally {
      this.generating = false;
    }
  }

  // fitToContext renders messages with the model's template, leaving out
  // the oldest turns (never a system message, never the last message)
  // until the prompt leaves room for an answer: a sliding window over a
  // conversation longer than the model's context. It answers the prompt,
  // the messages kept and how many it left out. A picture counts with its
  // embeddings' positions (promptTokens).
  async fitToContext(engine, messages, nPredict) {
    const ctx = this.model?.info?.context ?? 0;
    const room = Math.min(nPredict, 64); // the least answer worth asking for
    let kept = messages;
    for (;;) {
      const prompt = await engine.chat(kept);
      if (!ctx || promptLength(prompt) + room <= ctx) return { prompt, kept, dropped: messages.length - kept.length };
      const oldest = kept.findIndex((m) => m.role !== 'system');
      if (oldest < 0 || oldest >= kept.length - 1) {
        throw new Error(`the message takes ${promptLength(prompt)} tokens: with room for an answer, more than the model's context of ${ctx} tokens`);
      }
      kept = [...kept.slice(0, oldest), ...kept.slice(oldest + 1)];
    }
  }

  // checkImage asks the engine whether the loaded model can take the
  // picture data (a Blob or bytes): it resolves once the picture is
  // decoded, or rejects with the engine's reason ('no-vision', 'not-image',
  // 'image-corrupt', 'image-too-large'). Nothing is encoded or kept but
  // the picture's layout, and no 'error' event is sent: the widget says
  // what is wrong where the picture was dropped.
  async checkImage(data) {
    if (this.loading) await this.loading.catch(() => {});
    if (!this.model) throw new Error('no model is loaded');
    if (!this.model.info?.vision) throw Object.assign(new Error('this model reads no images'), { reason: 'no-vision' });
    if (this.generating || this.running) throw new Error('Hearth is busy answering; wait for it to end');
    await this.engineClient().chat([{ role: 'user', content: [{ type: 'image', data }] }]);
  }

  // runtimeReady loads embed.wasm (once) and gives it the owner's policy.
  runtimeReady() {
    if (!this.runtime) {
      this.runtime = (async () => {
        let rt;
        try {
          const { loadHearthRuntime } = await import('./runtime.js');
          rt = await loadHearthRuntime(this.base);
        } catch (err) {
          throw new Error(`the action runtime (embed.wasm) did not start: ${err.message}`);
        }
        try {
          await rt.setPolicy(this.policy);
        } catch (err) {
          throw new Error(`the site's action policy ${this.policy} was refused: ${err.message}`);
        }
        return rt;
      })();
      this.runtime.catch(() => { this.runtime = null; }); // a later call tries again
    }
    return this.runtime.catch((err) => { throw this.fail(err); });
  }

  // setPolicy replaces the owner's policy (the data- options' one).
  async setPolicy(policy) {
    const next = policyJSON(policy);
    if (this.runtime) {
      const rt = await this.runtimeReady();
      try {
        await rt.setPolicy(next);
      } catch (err) {
        throw this.fail(new Error(`the action policy ${next} was refused: ${err.message}`));
      }
    }
    this.policy = next;
    return JSON.parse(next);
  }

  async observe(opts = {}) {
    const rt = await this.runtimeReady();
    const o = {};
    if (opts.budgetTokens ?? opts.budget_tokens) o.budget_tokens = opts.budgetTokens ?? opts.budget_tokens;
    return JSON.parse(await rt.observe(JSON.stringify(o)));
  }

  // execute runs a plan written in the action set's JSON form (an array
  // of actions, or its JSON text) and resolves to each step's outcome.
  async execute(actions, opts = {}) {
    let text = actions;
    if (typeof actions !== 'string') {
      if (!Array.isArray(actions)) throw this.fail(new Error('Hearth.execute needs an array of actions (or its JSON text)'));
      text = JSON.stringify(actions);
    }
    const rt = await this.runtimeReady();
    return this.exclusive('execute', async () => {
      let plan = null;
      try { plan = JSON.parse(text); } catch (_) { /* the runtime says what is wrong with it */ }
      this.ui?.executing?.(Array.isArray(plan) ? plan : null);
      this.ui?.planStarted?.('execute', null);
      const outcomes = JSON.parse(await rt.execute(text, this.hooks(opts)));
      this.ui?.planEnded?.({ outcomes });
      return outcomes;
    });
  }

  // act runs the plan loop on a goal with the loaded model.
  async act(goal, opts = {}) {
    if (typeof goal !== 'string' || !goal.trim()) throw this.fail(new Error('Hearth.act needs a goal (a text)'));
    await this.ensureModel();
    const rt = await this.runtimeReady();
    return this.exclusive('act', async () => {
      this.ui?.planStarted?.('act', goal);
      const hooks = this.hooks(opts);
      hooks.generate = (requestJSON) => this.generateAction(requestJSON, opts);
      const result = JSON.parse(await rt.act(goal, hooks));
      this.ui?.planEnded?.(result);
      return result;
    });
  }

  // generateAction answers the plan loop's request {messages, schema,
  // maxTokens} with the model's raw text, constrained by the schema.
  async generateAction(requestJSON, opts) {
    const req = JSON.parse(requestJSON);
    const engine = this.engineClient();
    this.ui?.thinking?.(true);
    this.generating = true;
    try {
      const prompt = await engine.chat(req.messages);
      const r = await engine.generate(prompt.ids, {
        // No maxTokens: the schema bounds the answer, which ends by itself.
        ...(req.maxTokens > 0 ? { nPredict: req.maxTokens } : {}),
        sampling: pickSampling(opts, ACT_SAMPLING),
        schema: typeof req.schema === 'string' ? req.schema : JSON.stringify(req.schema),
      });
      try { this.ui?.proposed?.(JSON.parse(r.text)); } catch (_) { /* the runtime reports it */ }
      return r.text;
    } finally {
      this.generating = false;
      this.ui?.thinking?.(false);
    }
  }

  // hooks are the runtime's hooks for one execute or act.
  hooks(opts) {
    return {
      confirm: async (infoJSON) => this.confirm(JSON.parse(infoJSON), opts.confirm),
      onStep: (outcomeJSON) => {
        const outcome = JSON.parse(outcomeJSON);
        this.events.emit('action', outcome);
        try { opts.onStep?.(outcome); } catch (err) { console.error('Hearth: onStep threw:', err); }
      },
      askUser: async (question) => {
        if (opts.askUser) return String((await opts.askUser(question)) ?? '');
        if (this.ui) return this.ui.ask(question);
        return '';
      },
    };
  }

  // confirm decides a gated step (see the top of this file).
  async confirm(info, callerConfirm) {
    const step = { ...info, description: describeStep(info) };
    try {
      if (callerConfirm) return (await callerConfirm(step)) === true;
      const handlers = this.events.handlers('confirm');
      if (handlers.length > 0) {
        const answers = await Promise.all(handlers.map((fn) => fn(step)));
        return answers.every((a) => a === true);
      }
      if (this.ui) return (await this.ui.confirm(step)) === true;
    } catch (err) {
      console.error('Hearth: a confirmation failed, so the step is declined:', err);
    }
    return false;
  }

  async exclusive(what, fn) {
    if (this.running) throw this.fail(new Error(`Hearth is already running ${this.running === 'act' ? 'a plan (act)' : 'actions (execute)'}; stop it first`));
    this.running = what;
    try {
      return await fn();
    } catch (err) {
      this.ui?.planEnded?.({ error: err.message });
      throw this.fail(err);
    } finally {
      this.running = null;
    }
  }

  // stop ends a streaming answer, a running plan (after its current step)
  // and declines a confirmation waiting in the widget.
  async stop() {
    this.ui?.cancelPrompts?.();
    const waits = [];
    if (this.engine && (this.generating || this.running)) waits.push(this.engine.stop());
    if (this.runtime && this.running) waits.push(this.runtime.then((rt) => rt.stop()));
    await Promise.allSettled(waits);
    return true;
  }

  // fail reports err as an 'error' event (once) and returns it.
  fail(err) {
    if (!err.hearthReported) {
      err.hearthReported = true;
      this.events.emit('error', err);
    }
    return err;
  }
}

// policyJSON is the owner's policy as the runtime takes it, without the
// fields left empty (an empty allow list would allow nothing).
function policyJSON(p = {}) {
  const out = {};
  const list = (v) => (Array.isArray(v) ? v : String(v ?? '').split(',')).map((x) => String(x).trim()).filter(Boolean);
  const allow = list(p.allow_actions ?? p.allowActions);
  const deny = list(p.deny_actions ?? p.denyActions);
  if (allow.length) out.allow_actions = allow;
  if (deny.length) out.deny_actions = deny;
  const allowSel = p.allow_selector ?? p.allowSelector;
  const denySel = p.deny_selector ?? p.denySelector;
  if (allowSel) out.allow_selector = String(allowSel);
  if (denySel) out.deny_selector = String(denySel);
  const max = Number(p.max_steps ?? p.maxSteps);
  if (Number.isInteger(max) && max > 0) out.max_steps = max;
  return JSON.stringify(out);
}

// promptLength is a rendered prompt's positions: its tokens, and its
// pictures' embeddings (promptTokens) when it has any.
function promptLength(prompt) {
  return prompt.promptTokens ?? prompt.ids.length;
}

function pickSampling(opts, defaults) {
  const s = {};
  for (const k of SAMPLING) if (opts[k] !== undefined) s[k] = opts[k];
  if (opts.sampling) Object.assign(s, opts.sampling);
  return Object.keys(s).length ? s : { ...defaults };
}

// defaultThreads: threads only help where the page is cross-origin
// isolated (the worker falls back to one elsewhere).
function defaultThreads() {
  if (!globalThis.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(4, Math.floor((navigator.hardwareConcurrency || 2) / 2)));
}

// explainLoad adds the likely cause to a network failure's message.
function explainLoad(message) {
  if (/Failed to fetch|NetworkError|Load failed/i.test(message)) {
    return `${message} (the server did not answer, or does not let this page's origin read the file: it needs CORS, Access-Control-Allow-Origin)`;
  }
  return message;
}
