// The Hearth widget: a launcher button and a panel (model progress, Chat,
// "Act on this page", confirmation prompts) inside a shadow root, so the
// page's CSS cannot restyle it and its CSS (widget.css) cannot touch the
// page. Every text from the page or the model is set as text, never HTML.
// With a vision model (data-mmproj) the chat takes pictures: dropped on
// the panel, pasted into the message, or chosen with the Picture button
// (the widget's picture methods are near the end of the class).
import { describeAction, describeOutcome } from './describe.js';
import { IMAGE_REASONS, imageProblem, conversationProblem, attachTitle, progressText } from './vision.js';

let nextID = 0;

// createWidget puts the widget on the page and returns the hooks the API
// calls: open, close, confirm(step), ask(question), cancelPrompts,
// planStarted, planEnded, thinking, proposed.
export function createWidget({ api, events, options, base }) {
  const w = new Widget(api, events, options, base);
  return w.hooks();
}

// el makes an element with attributes and children (strings become text).
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function formatBytes(n) {
  if (!(n > 0)) return '0 B';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

class Widget {
  constructor(api, events, options, base) {
    this.api = api;
    this.events = events;
    this.options = options;
    this.id = `hearth-${++nextID}`;
    this.history = []; // the chat's conversation [{role, content}]
    this.attachments = []; // pictures for the next message: {file, name, url, ready}
    this.objectURLs = []; // the sent pictures' thumbnails, freed by Clear
    this.prompts = new Set(); // open prompts: {cancel()}
    this.proposedAction = null; // the model's last proposed action (act)
    this.planActions = null; // execute's actions, to describe its steps
    this.build(base);
    this.listen();
    const mount = () => {
      document.body.append(this.host);
      if (options.open) this.open(false);
    };
    if (document.body) mount();
    else document.addEventListener('DOMContentLoaded', mount, { once: true });
  }

  hooks() {
    return {
      open: () => this.open(),
      close: () => this.close(),
      confirm: (step) => this.confirm(step),
      ask: (question) => this.ask(question),
      cancelPrompts: () => this.cancelPrompts(),
      planStarted: (what, goal) => this.planStarted(what, goal),
      planEnded: (result) => this.planEnded(result),
      thinking: (on) => this.setThinking(on),
      proposed: (action) => { this.proposedAction = action; },
      executing: (actions) => { this.planActions = actions; },
    };
  }

  build(base) {
    const o = this.options;
    this.host = document.createElement('hearth-widget');
    this.host.setAttribute('data-hearth-deny', ''); // the plan loop never acts on Hearth itself
    const root = this.host.attachShadow({ mode: 'open' });
    const css = el('link', { rel: 'stylesheet', href: new URL('embed/widget.css', base).href });
    this.root = el('div', { class: 'root', 'data-theme': o.theme, 'data-position': o.position, 'data-styled': 'false' });
    css.addEventListener('load', () => this.root.setAttribute('data-styled', 'true'));
    css.addEventListener('error', () => {
      this.root.setAttribute('data-styled', 'true');
      console.error(`Hearth: could not load ${css.href}; the widget is unstyled`);
    });
    const id = (s) => `${this.id}-${s}`;

    this.launcher = el('button', {
      type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': id('panel'),
      'aria-label': `Open ${o.title}`, onclick: () => (this.isOpen() ? this.close() : this.open()),
    }, el('span', { class: 'launcher-icon', 'aria-hidden': 'true', text: '✦' }), el('span', { class: 'launcher-text', text: o.title }));

    this.status = el('p', { class: 'status', id: id('status'), role: 'status', 'aria-live': 'polite' });
    this.progressBar = el('div', { class: 'bar' });
    this.progress = el('div', {
      class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0',
      'aria-label': 'Model download', hidden: true,
    }, this.progressBar);
    this.error = el('div', { class: 'error', role: 'alert', hidden: true });
    this.errorText = el('p', { class: 'error-text' });
    this.error.append(this.errorText, el('button', { type: 'button', class: 'error-dismiss', 'aria-label': 'Dismiss the error', text: '×', onclick: () => this.showError('') }));

    // Confirmation / question prompt (shown above the tabs, in either tab).
    this.promptTitle = el('p', { class: 'prompt-title', id: id('prompt-title') });
    this.promptText = el('p', { class: 'prompt-text', id: id('prompt-text') });
    this.promptBody = el('div', { class: 'prompt-body' });
    this.prompt = el('div', {
      class: 'prompt', role: 'alertdialog', 'aria-labelledby': id('prompt-title'), 'aria-describedby': id('prompt-text'), hidden: true,
    }, this.promptTitle, this.promptText, this.promptBody);

    // Tabs.
    this.tabChat = el('button', { type: 'button', role: 'tab', id: id('tab-chat'), class: 'tab', 'aria-controls': id('pane-chat'), 'aria-selected': 'true', text: 'Chat' });
    this.tabAct = el('button', { type: 'button', role: 'tab', id: id('tab-act'), class: 'tab', 'aria-controls': id('pane-act'), 'aria-selected': 'false', tabindex: '-1', text: o.act ? 'Act on this page' : 'Page actions', hidden: !o.act });
    this.tablist = el('div', { role: 'tablist', class: 'tabs', 'aria-label': `${o.title} modes` }, this.tabChat, this.tabAct);
    for (const t of [this.tabChat, this.tabAct]) {
      t.addEventListener('click', () => this.selectTab(t));
      t.addEventListener('keydown', (ev) => this.tabKey(ev));
    }

    // Chat pane.
    this.messages = el('div', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
    this.chatInput = el('textarea', { id: id('chat-input'), class: 'chat-input', rows: '2', placeholder: 'Ask something…' });
    this.send = el('button', { type: 'submit', class: 'send', text: 'Send' });
    this.chatStop = el('button', { type: 'button', class: 'chat-stop', disabled: true, text: 'Stop', onclick: () => this.api.stop() });
    this.clear = el('button', { type: 'button', class: 'clear', text: 'Clear', onclick: () => this.clearChat() });
    this.buildPictures(id);
    this.chatForm = el('form', { class: 'composer', onsubmit: (ev) => { ev.preventDefault(); this.sendChat(); } },
      el('label', { for: id('chat-input'), class: 'visually-hidden', text: 'Message' }), this.imageError, this.thumbs, this.chatInput,
      el('div', { class: 'row' }, this.attach, this.send, this.chatStop, this.clear), this.fileInput);
    this.chatInput.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); this.sendChat(); }
    });
    this.paneChat = el('div', { role: 'tabpanel', id: id('pane-chat'), class: 'pane pane-chat', 'aria-labelledby': id('tab-chat') },
      this.messages, this.chatForm);

    // Act pane.
    this.goal = el('input', { type: 'text', id: id('goal'), class: 'goal', placeholder: 'e.g. fill in the form with my work address', autocomplete: 'off' });
    this.run = el('button', { type: 'submit', class: 'run', text: 'Run' });
    this.actStop = el('button', { type: 'button', class: 'act-stop', disabled: true, text: 'Stop', onclick: () => this.api.stop() });
    this.goalForm = el('form', { class: 'goal-form', hidden: !o.act, onsubmit: (ev) => { ev.preventDefault(); this.runGoal(); } },
      el('label', { for: id('goal'), text: 'What should Hearth do on this page?' }), this.goal,
      el('div', { class: 'row' }, this.run, this.actStop));
    this.actStatus = el('p', { class: 'act-status', role: 'status', 'aria-live': 'polite' });
    this.steps = el('ol', { class: 'steps', role: 'log', 'aria-label': 'Steps', 'aria-live': 'polite' });
    this.answer = el('p', { class: 'answer', hidden: true });
    this.paneAct = el('div', { role: 'tabpanel', id: id('pane-act'), class: 'pane pane-act', 'aria-labelledby': id('tab-act'), hidden: true },
      this.goalForm, this.actStatus, this.steps, this.answer);

    this.title = el('h2', { class: 'title', id: id('title'), text: o.title });
    this.closeButton = el('button', { type: 'button', class: 'close', 'aria-label': `Close ${o.title}`, text: '×', onclick: () => this.close() });
    this.panel = el('section', { class: 'panel', id: id('panel'), role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': id('title'), hidden: true },
      el('header', { class: 'header' }, this.title, this.closeButton),
      this.status, this.progress, this.error, this.prompt, this.tablist, this.paneChat, this.paneAct);
    this.panel.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && !ev.defaultPrevented) { ev.preventDefault(); this.close(); }
    });
    this.modelPicker = this.buildPicker(id);
    this.listenForPictures();
    this.root.append(this.panel, this.launcher);
    root.append(css, this.root);
  }

  // buildPicker is the file chooser shown when no model is set.
  buildPicker(id) {
    const input = el('input', { type: 'file', id: id('file'), accept: '.gguf', class: 'file' });
    input.addEventListener('change', () => {
      const f = input.files?.[0];
      if (f) this.api.load(f).catch(() => {});
    });
    const picker = el('div', { class: 'picker', hidden: true },
      el('label', { for: id('file'), text: 'Choose a model file (.gguf) to start' }), input);
    this.paneChat.prepend(picker);
    return picker;
  }

  listen() {
    this.events.on('progress', (p) => { this.showProgress(p); this.updateAttach(); });
    this.events.on('load', (m) => {
      this.progress.hidden = true;
      const arch = [m.arch, m.weightType].filter(Boolean).join(', ');
      this.setStatus(`${m.name}${arch ? ` (${arch})` : ''} is ready.${m.vision ? ' It can read pictures.' : ''}`);
      this.modelPicker.hidden = true;
      this.showError('');
      this.updateAttach();
    });
    this.events.on('error', (err) => {
      this.updateAttach();
      if (IMAGE_REASONS.includes(err?.reason)) return; // shown by the composer (sendChat)
      this.progress.hidden = true;
      this.showError(err && err.message ? err.message : String(err));
      if (/could not load the model/.test(err?.message || '')) this.setStatus('No model is loaded.');
    });
    this.events.on('token', (t) => this.appendToken(t.text));
    this.events.on('action', (o) => this.logStep(o));
  }

  isOpen() { return !this.panel.hidden; }

  // open shows the panel; focus moves into it when a person opened it,
  // not when a plan did (the page's focus is part of what a plan acts on).
  open(focus = true) {
    if (!this.isOpen()) {
      this.panel.hidden = false;
      this.launcher.setAttribute('aria-expanded', 'true');
      this.launcher.setAttribute('aria-label', `Close ${this.options.title}`);
      this.root.classList.add('open');
    }
    this.firstOpen();
    if (!focus) return true;
    const act = !this.paneAct.hidden;
    (act ? (this.goalForm.hidden ? this.closeButton : this.goal) : this.chatInput).focus();
    return true;
  }

  close() {
    if (!this.isOpen()) return true;
    this.panel.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.setAttribute('aria-label', `Open ${this.options.title}`);
    this.root.classList.remove('open');
    this.launcher.focus();
    return true;
  }

  // firstOpen starts data-model's load the first time the panel opens.
  firstOpen() {
    if (this.opened) return;
    this.opened = true;
    const st = this.api.state();
    if (st.model || st.loading) return;
    if (this.options.model) this.api.load(this.options.model).catch(() => {});
    else {
      this.modelPicker.hidden = false;
      this.setStatus('No model is loaded.');
    }
  }

  selectTab(tab) {
    for (const t of [this.tabChat, this.tabAct]) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
    }
    this.paneChat.hidden = tab !== this.tabChat;
    this.paneAct.hidden = tab !== this.tabAct;
  }

  tabKey(ev) {
    const tabs = [this.tabChat, this.tabAct].filter((t) => !t.hidden);
    const i = tabs.indexOf(ev.currentTarget);
    let next = null;
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowDown') next = tabs[(i + 1) % tabs.length];
    else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowUp') next = tabs[(i - 1 + tabs.length) % tabs.length];
    else if (ev.key === 'Home') next = tabs[0];
    else if (ev.key === 'End') next = tabs[tabs.length - 1];
    if (!next) return;
    ev.preventDefault();
    this.selectTab(next);
    next.focus();
  }

  showActPane() {
    this.tabAct.hidden = false;
    this.selectTab(this.tabAct);
  }

  setStatus(text) { this.status.textContent = text; }

  showError(text) {
    this.errorText.textContent = text;
    this.error.hidden = !text;
  }

  showProgress(p) {
    if (p.phase === 'start') {
      this.showError('');
      this.setStatus(`Loading the model ${p.name}…`);
      this.progress.hidden = false;
      this.setBar(0);
      return;
    }
    const pct = p.total ? Math.min(100, Math.round((100 * p.loaded) / p.total)) : 0;
    this.progress.hidden = false;
    this.setBar(pct);
    const size = p.total ? `${formatBytes(p.loaded)} of ${formatBytes(p.total)} (${pct}%)` : formatBytes(p.loaded);
    const what = p.phase === 'download' ? 'Downloading' : p.phase === 'cached' ? 'Found in this browser’s storage:' : 'Loading into memory:';
    this.setStatus(`${what} ${p.name} — ${size}`);
  }

  setBar(pct) {
    this.progress.setAttribute('aria-valuenow', String(pct));
    this.progressBar.style.width = `${pct}%`;
  }

  // Chat.

  addMessage(role, text, pictures = []) {
    const m = el('div', { class: `msg msg-${role}`, 'data-role': role },
      el('span', { class: 'visually-hidden', text: role === 'user' ? 'You: ' : `${this.options.title}: ` }),
      pictures.length ? el('div', { class: 'msg-images' }, ...pictures.map((a) => el('img', { class: 'msg-image', src: a.url, alt: a.name }))) : null,
      el('span', { class: 'msg-text', text }));
    this.messages.append(m);
    this.messages.scrollTop = this.messages.scrollHeight;
    return m.querySelector('.msg-text');
  }

  // showNotice puts a line about the conversation before the message
  // whose text node is before.
  showNotice(text, before) {
    const n = el('div', { class: 'chat-notice', role: 'note', text });
    this.messages.insertBefore(n, before.parentElement);
  }

  appendToken(text) {
    if (!this.streamTarget) return;
    this.setImageProgress(this.streamTarget, undefined);
    this.streamTarget.append(text);
    this.messages.scrollTop = this.messages.scrollHeight;
  }

  setChatBusy(busy) {
    this.busy = busy;
    this.clear.disabled = busy;
    this.chatStop.disabled = !busy;
    this.paneChat.setAttribute('aria-busy', String(busy));
    this.updateSend();
    this.updateAttach();
  }

  async sendChat() {
    const text = this.chatInput.value.trim();
    const pictures = this.attachments.filter((a) => a.ready);
    if ((!text && pictures.length === 0) || this.send.disabled) return;
    this.chatInput.value = '';
    this.setAttachments([], pictures); // their thumbnails go with the message
    this.showImageError('');
    const asked = this.addMessage('user', text, pictures);
    const content = pictures.length ? [...pictures.map((a) => ({ type: 'image', data: a.file })), { type: 'text', text }] : text;
    this.history.push({ role: 'user', content });
    const target = this.addMessage('assistant', '');
    target.parentElement.classList.add('streaming');
    this.streamTarget = target;
    if (pictures.length) this.setImageProgress(target, null); // new pictures: read before the answer
    this.setChatBusy(true);
    try {
      const answer = await this.api.chat(this.history.slice(), {
        // A conversation longer than the context: the model sees the latest turns only.
        onTrim: (n) => this.showNotice(`The conversation is longer than the model's context: this answer does not see the first ${n} message${n === 1 ? '' : 's'}.`, target),
        onImage: (step) => this.setImageProgress(target, step),
      });
      this.history.push({ role: 'assistant', content: answer });
      this.objectURLs.push(...pictures.map((a) => a.url));
    } catch (err) {
      const names = this.pictureNames();
      this.history.pop(); // the question was not answered
      if (IMAGE_REASONS.includes(err.reason)) {
        // A picture the model cannot take: the conversation stays as it
        // was, and the question (with its pictures but the bad one) goes
        // back to the composer.
        const n = Number(/^image (\d+):/.exec(err.message)?.[1] ?? 0); // which of the conversation's pictures
        const first = names.length - pictures.length; // where this message's pictures start among them
        const keep = err.reason === 'no-vision' ? [] : pictures.filter((_, i) => first + i !== n - 1);
        for (const a of pictures) if (!keep.includes(a)) URL.revokeObjectURL(a.url);
        asked.parentElement.remove();
        target.parentElement.remove();
        this.chatInput.value = text;
        this.setAttachments(keep);
        const name = n > 0 && names[n - 1] ? names[n - 1] : pictures.length === 1 ? pictures[0].name : '';
        this.showImageError(name ? imageProblem(name, err) : conversationProblem(err));
      } else {
        target.parentElement.classList.add('msg-error');
        target.textContent = `Error: ${err.message}`;
        this.objectURLs.push(...pictures.map((a) => a.url));
      }
    } finally {
      target.parentElement?.classList.remove('streaming');
      this.setImageProgress(target, undefined);
      this.streamTarget = null;
      this.setChatBusy(false);
      this.chatInput.focus();
    }
  }

  clearChat() {
    this.history = [];
    this.messages.replaceChildren();
    for (const u of this.objectURLs) URL.revokeObjectURL(u);
    this.objectURLs = [];
    this.chatInput.focus();
  }

  // Acting.

  async runGoal() {
    const goal = this.goal.value.trim();
    if (!goal || this.run.disabled) return;
    try {
      await this.api.act(goal);
    } catch (_) { /* shown by planEnded / the error box */ }
  }

  planStarted(what, goal) {
    this.showActPane();
    if (!this.isOpen()) this.open(false);
    this.steps.replaceChildren();
    this.answer.hidden = true;
    this.proposedAction = null;
    if (what !== 'execute') this.planActions = null;
    this.run.disabled = true;
    this.actStop.disabled = false;
    this.actStatus.textContent = what === 'act' ? `Working on: ${goal}` : 'Running the page’s actions…';
    this.root.setAttribute('data-running', what);
  }

  planEnded(result = {}) {
    this.run.disabled = false;
    this.actStop.disabled = true;
    this.root.removeAttribute('data-running');
    this.setThinking(false);
    this.planActions = null;
    if (result.error) {
      this.actStatus.textContent = `Stopped by an error: ${result.error}`;
      return;
    }
    const outcomes = result.outcomes || [];
    const n = outcomes.length;
    const steps = `${n} step${n === 1 ? '' : 's'}`;
    const last = outcomes[n - 1];
    const at = last ? ` at step ${(last.step ?? n - 1) + 1}` : '';
    if (result.answer) {
      this.answer.textContent = result.answer;
      this.answer.hidden = false;
    }
    const why = {
      done: `Finished after ${steps}.`,
      stopped: `Stopped after ${steps}.`,
      declined: `Ended${at}: you declined it.`,
      denied: `Ended${at}: the site’s rules do not allow that step.`,
      max_steps: `Ended: the step limit was reached (${steps}).`,
      error: `Ended by an error${at}${last?.reason ? `: ${last.reason}` : '.'}`,
    }[result.stopped];
    if (why) this.actStatus.textContent = why;
    else if (!last) this.actStatus.textContent = 'Finished: no steps ran.';
    else if (last.status === 'done') this.actStatus.textContent = `Finished after ${steps}.`;
    else this.actStatus.textContent = `Ended${at}: ${last.status}${last.kind ? ` (${last.kind})` : ''}.`;
  }

  setThinking(on) {
    if (on) this.actStatus.textContent = 'Thinking about the next step…';
    this.root.toggleAttribute('data-thinking', !!on);
  }

  logStep(o) {
    const action = this.planActions?.[o.step] ?? this.proposedAction;
    const li = el('li', {
      class: `step step-${o.status}`, 'data-status': o.status || '', 'data-action': o.action || '', 'data-kind': o.kind || '',
    });
    if (action && action.action === o.action) li.append(el('span', { class: 'step-what', text: describeAction(action) }));
    li.append(el('span', { class: 'step-outcome', text: describeOutcome(o) }));
    li.dataset.outcome = JSON.stringify(o);
    this.steps.append(li);
    li.scrollIntoView?.({ block: 'nearest' });
    this.proposedAction = null;
    if (!this.isOpen()) this.open(false);
  }

  // Prompts.

  // showPrompt shows a prompt and resolves with what the person chose
  // (undefined when it was cancelled by Stop).
  showPrompt(title, text, body, focusEl, onCancel) {
    return new Promise((resolve) => {
      if (!this.isOpen()) this.open(false);
      this.promptTitle.textContent = title;
      this.promptText.textContent = text;
      this.promptBody.replaceChildren(...body);
      this.prompt.hidden = false;
      const entry = {
        finish: (v) => {
          this.prompts.delete(entry);
          this.prompt.hidden = true;
          this.promptBody.replaceChildren();
          resolve(v);
        },
        cancel: () => entry.finish(onCancel),
      };
      this.prompts.add(entry);
      this.currentPrompt = entry;
      focusEl?.focus();
    });
  }

  // confirm asks Allow / Decline for a gated step; resolves true on Allow.
  async confirm(step) {
    // One prompt at a time: the runtime asks for one step at a time.
    while (this.promptBusy) await this.promptBusy;
    let done;
    this.promptBusy = new Promise((r) => { done = r; });
    try {
      const allow = el('button', { type: 'button', class: 'allow', text: 'Allow' });
      const decline = el('button', { type: 'button', class: 'decline', text: 'Decline' });
      const p = this.showPrompt('Allow this step?', step.description || describeAction(step.action, step.element), [allow, decline], decline, false);
      allow.addEventListener('click', () => this.currentPrompt?.finish(true));
      decline.addEventListener('click', () => this.currentPrompt?.finish(false));
      return (await p) === true;
    } finally {
      this.promptBusy = null;
      done();
    }
  }

  // ask shows the model's question with an answer field.
  async ask(question) {
    while (this.promptBusy) await this.promptBusy;
    let done;
    this.promptBusy = new Promise((r) => { done = r; });
    try {
      const fid = `${this.id}-answer`;
      const input = el('input', { type: 'text', id: fid, class: 'answer-input' });
      const ok = el('button', { type: 'submit', class: 'answer-send', text: 'Answer' });
      const form = el('form', { class: 'answer-form', onsubmit: (ev) => { ev.preventDefault(); this.currentPrompt?.finish(input.value); } },
        el('label', { for: fid, class: 'visually-hidden', text: 'Your answer' }), input, ok);
      const v = await this.showPrompt('Hearth asks', question, [form], input, '');
      return String(v ?? '');
    } finally {
      this.promptBusy = null;
      done();
    }
  }

  cancelPrompts() {
    for (const p of [...this.prompts]) p.cancel();
  }

  // Pictures.

  // buildPictures makes the chat's picture controls: the Picture button
  // and its file input, the thumbnails of the pictures to send, the drop
  // hint and the alert that says why a picture was not attached.
  buildPictures(id) {
    this.fileInput = el('input', { type: 'file', id: id('image-file'), class: 'image-file', accept: 'image/*', multiple: true, tabindex: '-1', 'aria-hidden': 'true' });
    this.fileInput.addEventListener('change', () => {
      this.attachFiles([...(this.fileInput.files || [])]);
      this.fileInput.value = '';
    });
    this.attach = el('button', { type: 'button', class: 'attach', disabled: true, title: attachTitle({}), onclick: () => this.fileInput.click() },
      el('span', { class: 'attach-icon', 'aria-hidden': 'true' }), el('span', { text: 'Picture' }));
    this.thumbs = el('ul', { class: 'attachments', 'aria-label': 'Pictures to send', hidden: true });
    this.imageErrorText = el('p', { class: 'image-error-text' });
    this.imageError = el('div', { class: 'image-error', role: 'alert', hidden: true }, this.imageErrorText,
      el('button', { type: 'button', class: 'image-error-dismiss', 'aria-label': 'Dismiss', text: '×', onclick: () => this.showImageError('') }));
    this.dropHint = el('div', { class: 'drop-hint', 'aria-hidden': 'true', text: 'Drop the picture to attach it' });
  }

  // listenForPictures takes pictures dropped on the panel or pasted into
  // the message.
  listenForPictures() {
    const hasFiles = (ev) => [...(ev.dataTransfer?.types || [])].includes('Files');
    const over = (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      if (ev.dataTransfer) ev.dataTransfer.dropEffect = 'copy';
      this.panel.classList.add('dragging');
    };
    this.panel.append(this.dropHint);
    this.panel.addEventListener('dragenter', over);
    this.panel.addEventListener('dragover', over);
    this.panel.addEventListener('dragleave', (ev) => {
      if (!ev.relatedTarget || !this.panel.contains(ev.relatedTarget)) this.panel.classList.remove('dragging');
    });
    this.panel.addEventListener('drop', (ev) => {
      this.panel.classList.remove('dragging');
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      this.selectTab(this.tabChat);
      this.attachFiles([...ev.dataTransfer.files]);
    });
    this.chatInput.addEventListener('paste', (ev) => {
      const files = [...(ev.clipboardData?.files || [])];
      if (files.length === 0) return; // text pastes as text
      ev.preventDefault();
      this.attachFiles(files);
    });
  }

  // attachFiles checks each file with the engine and adds those the model
  // can take to the message; a refused one is named in the alert, and
  // nothing else changes.
  attachFiles(files) {
    this.showImageError('');
    const st = this.api.state();
    for (const file of files) {
      const name = file.name || 'the picture';
      if (!st.model?.info?.vision || st.loading || this.busy) {
        const noVision = st.model && !st.loading && !st.model.info?.vision;
        this.showImageError(noVision ? imageProblem(name, { reason: 'no-vision' }) : `${name} was not attached. ${attachTitle({ ...st, busy: this.busy })}`);
        continue;
      }
      const att = { file, name, url: '', ready: false };
      this.setAttachments([...this.attachments, att]);
      this.api.checkImage(file).then(() => {
        if (!this.attachments.includes(att)) return; // removed meanwhile
        att.url = URL.createObjectURL(file);
        att.ready = true;
        this.setAttachments(this.attachments);
      }, (err) => {
        this.setAttachments(this.attachments.filter((a) => a !== att));
        this.showImageError(imageProblem(name, err));
      });
    }
  }

  // setAttachments shows list as the pictures to send, freeing the
  // thumbnails of those no longer in it but those in keep (being sent).
  setAttachments(list, keep = []) {
    for (const a of this.attachments) {
      if (a.url && !list.includes(a) && !keep.includes(a)) URL.revokeObjectURL(a.url);
    }
    this.attachments = list;
    this.thumbs.replaceChildren(...list.map((a) => {
      const remove = el('button', { type: 'button', class: 'thumb-remove', 'aria-label': `Remove ${a.name}`, text: '×',
        onclick: () => { this.setAttachments(this.attachments.filter((x) => x !== a)); this.chatInput.focus(); } });
      const pic = a.ready ? el('img', { class: 'thumb-image', src: a.url, alt: a.name }) : el('span', { class: 'thumb-checking', text: 'Checking…' });
      return el('li', { class: `thumb${a.ready ? '' : ' checking'}`, 'aria-busy': String(!a.ready), title: a.name }, pic, remove);
    }));
    this.thumbs.hidden = list.length === 0;
    this.updateSend();
  }

  // pictureNames are the names of the conversation's pictures, in order.
  pictureNames() {
    const names = [];
    for (const m of this.history) {
      if (Array.isArray(m.content)) for (const p of m.content) if (p.type === 'image') names.push(p.data?.name || 'the picture');
    }
    return names;
  }

  showImageError(text) {
    this.imageErrorText.textContent = text;
    this.imageError.hidden = !text;
  }

  // updateSend enables Send unless an answer is under way or a picture is
  // still being checked.
  updateSend() {
    this.send.disabled = !!this.busy || this.attachments.some((a) => !a.ready);
  }

  // updateAttach enables the Picture button for a loaded vision model, and
  // says in its title what it does or why it is off.
  updateAttach() {
    const st = this.api.state();
    const on = !!st.model?.info?.vision && !st.loading && !this.busy;
    this.attach.disabled = !on;
    this.attach.title = attachTitle({ ...st, busy: this.busy });
  }

  // setImageProgress shows, in the answer whose text node is target, how
  // far the pictures are read (step: an engine progress step; null: not
  // started; undefined: done, the line goes).
  setImageProgress(target, step) {
    const msg = target.parentElement;
    if (!msg) return;
    let line = msg.querySelector('.msg-progress');
    if (step === undefined) { line?.remove(); return; }
    if (!line) {
      line = el('div', { class: 'msg-progress', role: 'status' }, el('span', { class: 'msg-progress-text' }),
        el('progress', { class: 'msg-progress-bar', max: '1', value: '0', 'aria-label': 'Reading the picture' }));
      msg.insertBefore(line, target);
    }
    line.querySelector('.msg-progress-text').textContent = progressText(step);
    const bar = line.querySelector('progress');
    if (step) { bar.max = step.inputs; bar.value = step.input; } else bar.removeAttribute('value'); // indeterminate until the first input is done
  }
}
