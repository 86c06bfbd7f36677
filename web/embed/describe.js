// Sentences for people about actions and their outcomes (the widget's
// step log and confirmation prompt, and the description field that
// confirm handlers receive). Everything here is plain text: the page's
// and the model's words are shown as text, never as HTML.

const VERBS = {
  click: 'Click', type: 'Type into', select: 'Choose in', check: 'Check', uncheck: 'Uncheck',
  press_key: 'Press a key on', scroll: 'Scroll', hover: 'Point at', wait_for: 'Wait for',
  extract: 'Read', navigate: 'Go to', ask_user: 'Ask you', done: 'Finish',
};

// targetName names an action's element: the observed element's name, else
// the label or index the action gave.
function targetName(action, element) {
  const name = element?.name || action?.target?.label;
  if (name) return `“${clip(name, 60)}”`;
  const index = element?.index ?? action?.target?.index;
  return index !== undefined && index !== null ? `element #${index}` : '';
}

function clip(s, n) {
  s = String(s).replace(/\s+/g, ' ').trim();
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

// describeAction says what an action will do: "Type “a@b.c” into “Email”".
export function describeAction(action = {}, element = null) {
  const what = targetName(action, element);
  switch (action.action) {
    case 'type':
      return `Type “${clip(action.text ?? '', 80)}”${action.append ? ' at the end of' : ' into'} ${what || 'the focused field'}`;
    case 'select':
      return `Choose “${clip(action.option ?? '', 60)}” in ${what || 'a list'}`;
    case 'press_key':
      return `Press ${action.key || 'a key'}${what ? ` on ${what}` : ''}`;
    case 'scroll':
      return `Scroll ${action.direction || 'down'}${what ? ` in ${what}` : ''}`;
    case 'wait_for':
      return action.text ? `Wait for “${clip(action.text, 60)}”` : `Wait for ${what || 'the page'}`;
    case 'navigate':
      return `Go to ${action.url || 'another page'}`;
    case 'ask_user':
      return `Ask you: ${clip(action.question ?? '', 120)}`;
    case 'done':
      return action.answer ? `Finish: ${clip(action.answer, 120)}` : 'Finish';
    case 'extract':
      return `Read ${what || 'the page'}`;
    default: {
      const verb = VERBS[action.action] || String(action.action || 'Do something');
      return what ? `${verb} ${what}` : verb;
    }
  }
}

// describeStep is the confirmation prompt's sentence for a gated step
// ({step, action, element, reason}): what will happen, and why it asks.
export function describeStep(info = {}) {
  const what = describeAction(info.action, info.element);
  return info.reason ? `${what}: ${info.reason}` : what;
}

// describeOutcome is a step log line for an outcome.
export function describeOutcome(o = {}) {
  const n = Number.isInteger(o.step) ? `${o.step + 1}. ` : '';
  const target = o.element !== undefined && o.element !== null ? ` #${o.element}` : '';
  let line = `${n}${o.action || 'step'}${target}: ${o.status || 'unknown'}`;
  if (o.kind && o.status !== 'done') line += ` (${o.kind})`;
  if (o.reason) line += ` — ${clip(o.reason, 200)}`;
  if (o.result) line += ` → ${clip(o.result, 200)}`;
  if (o.candidates?.length) line += ` [candidates: ${o.candidates.slice(0, 5).map((c) => clip(c, 40)).join(', ')}]`;
  return line;
}
