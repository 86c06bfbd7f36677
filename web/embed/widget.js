// The Hearth widget: a launcher button and a panel (model progress, Chat,
// "Act on this page", confirmation prompts) inside a shadow root, so the
// page's CSS cannot restyle it and its CSS (widget.css) cannot touch the
// page. Every text from the page or the model is set as text, never HTML.
import { describeAction, describeOutcome } from './describe.js';

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
    this.chatForm = el('form', { class: 'composer', onsubmit: (ev) => { ev.preventDefault(); this.sendChat(); } },
      el('label', { for: id('chat-input'), class: 'visually-hidden', text: 'Message' }), this.chatInput,
      el('div', { class: 'row' }, this.send, this.chatStop, this.clear));
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
    this.events.on('progress', (p) => this.showProgress(p));
    this.events.on('load', (m) => {
      this.progress.hidden = true;
      const arch = [m.arch, m.weightType].filter(Boolean).join(', ');
      this.setStatus(`${m.name}${arch ? ` (${arch})` : ''} is ready.`);
      this.modelPicker.hidden = true;
      this.showError('');
    });
    this.events.on('error', (err) => {
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

  addMessage(role, text) {
    const m = el('div', { class: `msg msg-${role}`, 'data-role': role },
      el('span', { class: 'visually-hidden', text: role === 'user' ? 'You: ' : `${this.options.title}: ` }),
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
    this.streamTarget.append(text);
    this.messages.scrollTop = this.messages.scrollHeight;
  }

  setChatBusy(busy) {
    this.send.disabled = busy;
    this.clear.disabled = busy;
    this.chatStop.disabled = !busy;
    this.paneChat.setAttribute('aria-busy', String(busy));
  }

  async sendChat() {
    const text = this.chatInput.value.trim();
    if (!text || this.send.disabled) return;
    this.chatInput.value = '';
    this.addMessage('user', text);
    this.history.push({ role: 'user', content: text });
    const target = this.addMessage('assistant', '');
    target.parentElement.classList.add('streaming');
    this.streamTarget = target;
    this.setChatBusy(true);
    try {
      const answer = await this.api.chat(this.history.slice(), {
        // A conversation longer than the context: the model sees the latest turns only.
        onTrim: (n) => this.showNotice(`The conversation is longer than the model's context: this answer does not see the first ${n} message${n === 1 ? '' : 's'}.`, target),
      });
      this.history.push({ role: 'assistant', content: answer });
    } catch (err) {
      target.parentElement.classList.add('msg-error');
      target.textContent = `Error: ${err.message}`;
      this.history.pop(); // the question was not answered
    } finally {
      target.parentElement.classList.remove('streaming');
      this.streamTarget = null;
      this.setChatBusy(false);
      this.chatInput.focus();
    }
  }

  clearChat() {
    this.history = [];
    this.messages.replaceChildren();
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
}
