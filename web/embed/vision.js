// Pictures in the embed: the checks of Hearth.chat's content parts, the
// mmproj option of a load, and the words the widget uses for a picture
// the model cannot take. A message's content is a text, or parts
//
//   [{type: 'image', data: File | Blob | ArrayBuffer | Uint8Array}, {type: 'text', text}]
//
// which the engine worker renders with the model's chat template, the
// pictures where the template puts them (web/engine/worker.js, "Vision").

// The reasons the engine gives for a picture it refuses.
export const IMAGE_REASONS = ['no-vision', 'not-image', 'image-corrupt', 'image-too-large'];

// readMessages is Hearth.chat's input as messages [{role, content}]: a
// text is one user message; anything else must be such an array, each
// content a text or a list of parts. A mistake throws an Error naming it.
export function readMessages(input) {
  const messages = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
  if (!Array.isArray(messages)) throw new Error('Hearth.chat needs a text or an array of {role, content} messages');
  messages.forEach((m, i) => {
    if (!m || typeof m.role !== 'string' || (typeof m.content !== 'string' && !Array.isArray(m.content))) {
      throw new Error(`Hearth.chat needs a text or an array of {role, content} messages; message ${i + 1} is not one (content is a text or a list of parts)`);
    }
    if (Array.isArray(m.content)) m.content.forEach((p, j) => checkPart(p, i + 1, j + 1));
  });
  return messages;
}

// checkPart throws unless p is a text part or an image part with bytes.
function checkPart(p, i, j) {
  const where = `Hearth.chat: message ${i}, part ${j}`;
  if (p?.type === 'text') {
    if (typeof p.text !== 'string') throw new Error(`${where}: a text part needs text (a string)`);
    return;
  }
  if (p?.type === 'image') {
    if (!isBytes(p.data)) throw new Error(`${where}: an image part needs data: a File, Blob, ArrayBuffer or Uint8Array of the picture's file`);
    return;
  }
  throw new Error(`${where}: the type must be 'text' or 'image', not ${JSON.stringify(p?.type ?? null)}`);
}

function isBytes(d) {
  return d instanceof ArrayBuffer || ArrayBuffer.isView(d) || (typeof Blob !== 'undefined' && d instanceof Blob);
}

// hasImages reports whether any message holds a picture.
export function hasImages(messages) {
  return messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p?.type === 'image'));
}

// mmprojArg is a load's mmproj option as the engine client takes it, a
// URL resolved against the page (not against the engine's folder): a
// URL, a File/Blob, or {url | blob, sha256}. Empty: null.
export function mmprojArg(m) {
  if (!m) return null;
  const abs = (u) => new URL(String(u), document.baseURI).href;
  if (typeof m === 'string' || m instanceof URL) return { url: abs(m) };
  if (typeof Blob !== 'undefined' && m instanceof Blob) return { blob: m };
  if (m.url) return { url: abs(m.url), ...(m.sha256 ? { sha256: m.sha256 } : {}) };
  if (m.blob) return { blob: m.blob, ...(m.sha256 ? { sha256: m.sha256 } : {}) };
  throw new Error('the mmproj option needs a URL, a File, or {url | blob, sha256}');
}

// fileName is the name a file (mmproj) is shown by.
export function fileName(m) {
  if (m.url) return decodeURIComponent(new URL(m.url).pathname.split('/').pop() || m.url);
  return m.blob?.name || 'the image encoder';
}

// imageProblem is what the widget says when the picture name was refused
// with err (its reason, and the engine's message naming the problem).
export function imageProblem(name, err) {
  const detail = String(err?.message ?? err).replace(/^image \d+: /, '').replace(/\.$/, '');
  switch (err?.reason) {
    case 'not-image':
      return `${name} is not a picture this model can read (PNG, JPEG, GIF or WebP): ${detail}.`;
    case 'image-corrupt':
      return `${name} is damaged and cannot be read: ${detail}.`;
    case 'image-too-large':
      return `${name} is too large: ${detail}.`;
    case 'no-vision':
      return `This model reads text only, so ${name} was not attached: load a vision model (one with an image encoder, data-mmproj) to ask about pictures.`;
  }
  return `Could not attach ${name}: ${detail}.`;
}

// conversationProblem is what the widget says when the conversation's
// pictures, not one just attached, cannot be taken (the model was
// replaced by one that reads text only).
export function conversationProblem(err) {
  if (err?.reason === 'no-vision') {
    return 'This model reads text only, and the conversation holds pictures: Clear the conversation, or load a vision model (one with an image encoder, data-mmproj), to go on.';
  }
  return `A picture of the conversation cannot be read: ${String(err?.message ?? err).replace(/\.$/, '')}.`;
}

// attachTitle is the picture button's title: what it does, or why it is off.
export function attachTitle({ model, loading, busy }) {
  if (loading) return 'The model is loading; pictures can be attached once it is ready.';
  if (!model) return 'Load a vision model (one with an image encoder, data-mmproj) to ask about pictures.';
  if (!model.info?.vision) return 'This model reads text only: load a vision model (one with an image encoder, data-mmproj) to ask about pictures.';
  if (busy) return 'Wait for the answer to end to attach a picture.';
  return 'Attach a picture (or drop one on this panel, or paste one into the message).';
}

// progressText is the widget's line while pictures are read (an
// engine progress step {image, images, input, inputs}; none yet: null).
export function progressText(step) {
  if (!step) return 'Reading the picture…';
  const which = step.images > 1 ? `picture ${step.image} of ${step.images}` : 'the picture';
  return `Reading ${which}… ${Math.round((100 * step.input) / step.inputs)}%`;
}
