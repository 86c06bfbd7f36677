//go:build !js

package web

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// dropOnWidget fetches url's bytes into a File named name of MIME type
// typ and drags it onto the widget's conversation, as a person would from
// their desktop (dragenter, then drop). It reports whether the panel
// showed that it takes the drop.
func dropOnWidget(p *page, url, name, typ string) bool {
	p.t.Helper()
	return inWidget[bool](p, `
	  const bytes = await (await fetch(`+jsString(url)+`, { cache: 'no-store' })).arrayBuffer();
	  const dt = new DataTransfer();
	  dt.items.add(new File([bytes], `+jsString(name)+`, { type: `+jsString(typ)+` }));
	  const target = q('.messages');
	  const ev = (type) => new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true, composed: true });
	  target.dispatchEvent(ev('dragenter'));
	  const shown = q('.panel').classList.contains('dragging') && getComputedStyle(q('.drop-hint')).display !== 'none';
	  target.dispatchEvent(ev('drop'));
	  return shown && !q('.panel').classList.contains('dragging');`)
}

// widgetPictures is what the widget shows of pictures.
type widgetPictures struct {
	Attached    []string `json:"attached"`    // the composer's thumbnails (alt), loaded
	Checking    int      `json:"checking"`    // pictures still being checked
	Error       string   `json:"error"`       // the composer's alert, "" when hidden
	ErrorRole   string   `json:"errorRole"`   // the alert's role
	ButtonOn    bool     `json:"buttonOn"`    // the Picture button is enabled
	ButtonTitle string   `json:"buttonTitle"` // its title
	Sent        []string `json:"sent"`        // the conversation's thumbnails (alt), loaded
}

const widgetPicturesJS = `
  const loaded = (imgs) => [...imgs].filter((i) => i.complete && i.naturalWidth > 0).map((i) => i.alt);
  return {
    attached: loaded(sr.querySelectorAll('.attachments img')),
    checking: sr.querySelectorAll('.attachments .checking').length,
    error: q('.image-error').hidden ? '' : q('.image-error-text').textContent,
    errorRole: q('.image-error').getAttribute('role'),
    buttonOn: !q('.attach').disabled,
    buttonTitle: q('.attach').title,
    sent: loaded(sr.querySelectorAll('.messages .msg-user img')),
  };`

func pictures(p *page) widgetPictures { return inWidget[widgetPictures](p, widgetPicturesJS) }

// waitPictures polls the widget's pictures until cond holds.
func waitPictures(p *page, what string, cond func(widgetPictures) bool) widgetPictures {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := pictures(p)
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			p.fatalf("%s: not within 30 s: %+v", what, st)
		}
		p.sleep(20 * time.Millisecond)
	}
}

// askWidget types question into the widget, sends it and waits for the
// whole answer; it fails on an error answer.
func askWidget(p *page, question string, messages int) widgetState {
	p.t.Helper()
	inWidget[bool](p, `q('.chat-input').value = `+jsString(question)+`; return true;`)
	clickInWidget(p, "sending "+question, ".send")
	st := waitWidget(p, "the answer to "+question, 2*time.Minute, func(st widgetState) bool {
		return len(st.Messages) == messages && !st.Streaming && st.SendOn
	})
	if last := st.Messages[messages-1]; !strings.HasPrefix(last, "assistant: ") || len(last) <= len("assistant: ") || strings.HasPrefix(last, "assistant: Error:") {
		p.fatalf("the answer to %q: %q", question, last)
	}
	return st
}

// The embed snippet with data-mmproj, on a page of another origin, loads
// a vision pair (a small llama over Qwen2's vocabulary with SmolVLM's
// image tokens, a tiny idefics3 mmproj). A picture dropped on the widget
// shows as a thumbnail in the composer, goes with the question into the
// conversation, and the answer streams after the widget said it is
// reading the picture (three encoder inputs: two tiles and the overview);
// a follow-up question with the same picture attached again encodes
// nothing (the engine's cache of embeddings). A
// text file, a damaged PNG and a PNG claiming 20000×20000 pixels are each
// refused with a clear message in an alert, the conversation untouched.
// The picker and a paste attach too, Remove takes a picture off. From the
// page's own script Hearth.chat takes content parts (an ArrayBuffer, then
// a Blob of the same picture: the second encodes nothing and answers the
// same), and names a malformed part. A text-only model turns the Picture
// button off, its title saying why, and a question in a conversation
// holding pictures is refused, the conversation untouched. The engine
// worker's generate says imagesEncoded 1, then imagesCached 1 for the
// same picture (and with imageCacheBytes 0, encodes it every time).
// Nothing of the widget leaves the shadow root. Screenshot: HEARTH_EMBED_VISION_SCREENSHOT=docs/screenshots/embed-vision.png.
func TestEmbedVision(t *testing.T) {
	f := writeVisionFiles(t) // vision_test.go
	square := filepath.Join(t.TempDir(), "square.png")
	if err := os.WriteFile(square, picturePNG(t, 40, 40), 0o644); err != nil {
		t.Fatal(err)
	}
	hearth := newHearthServer(t, map[string]string{
		"/models/vision-text.gguf": f.model, "/models/mmproj.gguf": f.mmproj, "/models/text-only.gguf": f.text,
		"/pictures/sunset.png": f.picture, "/pictures/broken.png": f.corrupt, "/pictures/notes.png": f.fake,
		"/pictures/huge.png": f.huge, "/pictures/square.png": square,
	})
	pic := func(name string) string { return hearth.URL + "/pictures/" + name }
	host := newHostPage(t, hostHTML("img { border: 9px solid red !important; width: 3px !important; }", "<p>A page about sunsets.</p>",
		scriptTag(hearth.URL, map[string]string{
			"model": hearth.URL + "/models/vision-text.gguf", "mmproj": hearth.URL + "/models/mmproj.gguf",
			"title": "Photo helper", "open": "on",
		})))
	p := openEmbed(t, host.URL+"/")
	if got := eval[string](p, `location.origin`); got == hearth.URL || !strings.HasPrefix(got, "http://127.0.0.1:") {
		p.fatalf("the host page's origin %s is not another 127.0.0.1 port than Hearth's %s", got, hearth.URL)
	}
	st := waitWidget(p, "the pair to load", 2*time.Minute, func(st widgetState) bool {
		if st.Error != "" {
			p.fatalf("loading the pair failed: %s", st.Error)
		}
		return strings.Contains(st.Status, "is ready")
	})
	if st.Status != "vision-text.gguf (llama, Q8_0) is ready. It can read pictures." {
		p.fatalf("after loading the pair the widget says %q", st.Status)
	}
	if names := eval[[]string](p, `[...new Set(hearthSeen.progress.map((e) => e.name))]`); !slices.Contains(names, "mmproj.gguf") || !slices.Contains(names, "vision-text.gguf") {
		p.fatalf("the load's progress named %q; want both files", names)
	}
	if pc := pictures(p); !pc.ButtonOn || !strings.HasPrefix(pc.ButtonTitle, "Attach a picture") {
		p.fatalf("with the pair loaded the Picture button is %+v", pc)
	}
	eval[bool](p, `(() => {
	  const sr = `+shadowJS+`;
	  window.imageSteps = [];
	  Hearth.on('image', (s) => imageSteps.push(s));
	  window.progressSeen = [];
	  new MutationObserver(() => {
	    for (const e of sr.querySelectorAll('.msg-progress-text')) progressSeen.push(e.textContent);
	  }).observe(sr.querySelector('.messages'), { childList: true, characterData: true, subtree: true });
	  return true;
	})()`)

	// A picture dropped on the widget: a thumbnail, then the question with
	// it; the answer streams once the picture is read.
	if !dropOnWidget(p, pic("sunset.png"), "sunset.png", "image/png") {
		p.fatalf("dragging a picture over the panel did not show the drop hint")
	}
	waitPictures(p, "the thumbnail in the composer", func(pc widgetPictures) bool { return slices.Equal(pc.Attached, []string{"sunset.png"}) })
	if w := inWidget[int](p, `return q('.attachments img').naturalWidth;`); w != 60 {
		p.fatalf("the thumbnail is %d px wide; the picture is 60", w)
	}
	st = askWidget(p, "What is in this picture?", 2)
	if st.Messages[0] != "user: What is in this picture?" {
		p.fatalf("the question shows as %q", st.Messages[0])
	}
	pc := waitPictures(p, "the thumbnail in the sent message", func(pc widgetPictures) bool { return len(pc.Sent) == 1 })
	if pc.Sent[0] != "sunset.png" || len(pc.Attached) != 0 || pc.Error != "" || !pc.ButtonOn {
		p.fatalf("after sending: %+v", pc)
	}
	type step struct{ Image, Images, Tile, Tiles, Input, Inputs int }
	steps := eval[[]step](p, `imageSteps`)
	if len(steps) != 3 || steps[2] != (step{1, 1, 3, 3, 3, 3}) {
		p.fatalf("reading the 60×30 picture reported %+v; want two tiles and the overview", steps)
	}
	seen := eval[[]string](p, `progressSeen`)
	if !slices.Contains(seen, "Reading the picture…") || !slices.ContainsFunc(seen, func(s string) bool {
		return strings.HasPrefix(s, "Reading the picture… ") && strings.HasSuffix(s, "%")
	}) {
		p.fatalf("the widget's reading progress went %q", seen)
	}
	if inWidget[int](p, `return sr.querySelectorAll('.msg-progress').length;`) != 0 {
		p.fatalf("the reading progress is still shown after the answer")
	}

	// The follow-up, with the same picture attached again: the engine
	// kept its embeddings, so neither the picture in the conversation nor
	// the new copy is read again. (The screenshot: the first question's
	// thumbnail, the answer, the picture in the composer.)
	dropOnWidget(p, pic("sunset.png"), "sunset.png", "image/png")
	waitPictures(p, "the picture attached again", func(pc widgetPictures) bool { return len(pc.Attached) == 1 })
	inWidget[bool](p, `q('.chat-input').value = 'And its colours?'; q('.messages').scrollTop = 0; return true;`)
	if shot := os.Getenv("HEARTH_EMBED_VISION_SCREENSHOT"); shot != "" {
		png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			p.fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(shot, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", shot)
	}
	shootPage(p, "embed-vision")
	askWidget(p, "And its colours?", 4)
	if pc := waitPictures(p, "both thumbnails in the conversation", func(pc widgetPictures) bool { return len(pc.Sent) == 2 }); len(pc.Attached) != 0 {
		p.fatalf("after the follow-up: %+v", pc)
	}
	if n := eval[int](p, `imageSteps.length`); n != 3 {
		p.fatalf("the follow-up read the picture again (%d encoder steps in all)", n)
	}

	// Files that are no usable picture: refused, the conversation untouched.
	before := widgetNow(p).Messages
	for _, c := range []struct{ url, name, typ, says string }{
		{pic("notes.png"), "notes.txt", "text/plain", "notes.txt is not a picture this model can read (PNG, JPEG, GIF or WebP): not an image"},
		{pic("notes.png"), "notes.png", "image/png", "notes.png is not a picture this model can read"},
		{pic("broken.png"), "broken.png", "image/png", "broken.png is damaged and cannot be read"},
		{pic("huge.png"), "huge.png", "image/png", "20000x20000"},
	} {
		dropOnWidget(p, c.url, c.name, c.typ)
		pc := waitPictures(p, c.name+"'s refusal", func(pc widgetPictures) bool { return pc.Checking == 0 && pc.Error != "" })
		if !strings.Contains(pc.Error, c.says) || !strings.HasPrefix(pc.Error, c.name) || pc.ErrorRole != "alert" || len(pc.Attached) != 0 {
			p.fatalf("%s: the widget shows %+v; want an alert saying %q", c.name, pc, c.says)
		}
		if after := widgetNow(p); !slices.Equal(after.Messages, before) || after.Error != "" {
			p.fatalf("%s changed the conversation or the widget's error: %+v", c.name, after)
		}
		clickInWidget(p, "dismissing the refusal", ".image-error-dismiss")
	}

	// The picker and a paste attach too; Remove takes one off.
	p.do("choosing a picture in the picker", chromedp.SetUploadFiles(widgetPath(".image-file"), []string{f.picture}))
	waitPictures(p, "the picked picture", func(pc widgetPictures) bool { return len(pc.Attached) == 1 })
	inWidget[bool](p, `
	  const bytes = await (await fetch(`+jsString(pic("square.png"))+`, { cache: 'no-store' })).arrayBuffer();
	  const dt = new DataTransfer();
	  dt.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
	  q('.chat-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
	  return true;`)
	pc = waitPictures(p, "the pasted picture", func(pc widgetPictures) bool { return len(pc.Attached) == 2 })
	if !slices.Equal(pc.Attached, []string{"sunset.png", "pasted.png"}) {
		p.fatalf("attached %q", pc.Attached)
	}
	clickInWidget(p, "removing the pasted picture", `button[aria-label="Remove pasted.png"]`)
	waitPictures(p, "the pasted picture removed", func(pc widgetPictures) bool { return slices.Equal(pc.Attached, []string{"sunset.png"}) })
	clickInWidget(p, "removing the picked picture", `button[aria-label="Remove sunset.png"]`)
	waitPictures(p, "no picture left", func(pc widgetPictures) bool { return len(pc.Attached) == 0 })

	// The page's own script: content parts through Hearth.chat.
	type apiAnswer struct {
		First, Second  string
		Steps, Steps2  int
		BadPart        string
		NotImage       string
		NotImageReason string
	}
	a := eval[apiAnswer](p, `(async () => {
	  const bytes = await (await fetch(`+jsString(pic("square.png"))+`)).arrayBuffer();
	  const ask = (data) => [{ role: 'user', content: [{ type: 'image', data }, { type: 'text', text: 'What shape is this?' }] }];
	  let steps = 0, steps2 = 0;
	  const first = await Hearth.chat(ask(bytes), { maxTokens: 6, temperature: 0, onImage: () => steps++ });
	  const second = await Hearth.chat(ask(new Blob([bytes], { type: 'image/png' })), { maxTokens: 6, temperature: 0, onImage: () => steps2++ });
	  const badPart = await Hearth.chat([{ role: 'user', content: [{ type: 'image', data: 'square.png' }] }]).then(() => 'answered', (e) => e.message);
	  const notes = await (await fetch(`+jsString(pic("notes.png"))+`)).arrayBuffer();
	  const refused = await Hearth.chat(ask(notes), { maxTokens: 4 }).then(() => null, (e) => e);
	  return { first, second, steps, steps2, badPart, notImage: refused?.message ?? 'answered', notImageReason: refused?.reason ?? '' };
	})()`)
	if a.First == "" || a.Second != a.First || a.Steps < 2 || a.Steps2 != 0 {
		p.fatalf("Hearth.chat with a picture, twice: %+v; want the same answer, the second read from the cache", a)
	}
	if !strings.Contains(a.BadPart, "message 1, part 1") || !strings.Contains(a.BadPart, "an image part needs data") {
		p.fatalf("a malformed image part: %q", a.BadPart)
	}
	if a.NotImageReason != "not-image" || !strings.HasPrefix(a.NotImage, "image 1: not an image") {
		p.fatalf("a text file as a picture through Hearth.chat: %q (reason %q)", a.NotImage, a.NotImageReason)
	}
	// The widget shows the page's API errors (the malformed part), but a
	// refused picture is the page's to explain, and the widget's
	// conversation is not the page's.
	if after := widgetNow(p); after.Error != a.BadPart || !slices.Equal(after.Messages, before) {
		p.fatalf("after the page's calls the widget shows %+v", after)
	}
	clickInWidget(p, "dismissing the error", ".error-dismiss")
	// Nothing of the widget is in the page's DOM, and the page's styles
	// do not reach the widget's pictures.
	if n := eval[int](p, `document.querySelectorAll('img, input[type=file], progress').length`); n != 0 {
		p.fatalf("%d of the widget's elements are in the page's DOM", n)
	}
	if w := inWidget[string](p, `return getComputedStyle(q('.msg-image')).borderTopWidth;`); w != "0px" {
		p.fatalf("the page's img rule reached the widget (border %s)", w)
	}

	// A text-only model: the button is off and says why; a dropped picture
	// is refused with that reason.
	eval[any](p, `Hearth.load(`+jsString(hearth.URL+"/models/text-only.gguf")+`)`)
	pc = waitPictures(p, "the button off for a text-only model", func(pc widgetPictures) bool { return !pc.ButtonOn && strings.Contains(pc.ButtonTitle, "text only") })
	if !strings.Contains(pc.ButtonTitle, "vision model") {
		p.fatalf("the disabled Picture button's title says %q", pc.ButtonTitle)
	}
	dropOnWidget(p, pic("sunset.png"), "sunset.png", "image/png")
	pc = waitPictures(p, "the text-only model's refusal", func(pc widgetPictures) bool { return pc.Error != "" })
	if !strings.HasPrefix(pc.Error, "This model reads text only, so sunset.png was not attached") || len(pc.Attached) != 0 {
		p.fatalf("a picture dropped with a text-only model: %+v", pc)
	}
	// A question in the conversation that holds pictures: refused, the
	// conversation as it was, the question back in the composer.
	clickInWidget(p, "dismissing the refusal", ".image-error-dismiss")
	before = widgetNow(p).Messages
	inWidget[bool](p, `q('.chat-input').value = 'Anything else?'; return true;`)
	clickInWidget(p, "asking the text-only model", ".send")
	pc = waitPictures(p, "the conversation's refusal", func(pc widgetPictures) bool { return pc.Error != "" })
	st = waitWidget(p, "the widget to settle", 10*time.Second, func(st widgetState) bool { return st.SendOn && !st.Streaming })
	if !strings.HasPrefix(pc.Error, "This model reads text only, and the conversation holds pictures") || !slices.Equal(st.Messages, before) || st.Error != "" {
		p.fatalf("a question to a text-only model in a conversation with pictures: %+v; the widget shows %+v", pc, st)
	}
	if v := inWidget[string](p, `return q('.chat-input').value;`); v != "Anything else?" {
		p.fatalf("the refused question was not given back: the composer holds %q", v)
	}

	// The engine worker's own answer says what was encoded and what came
	// from its cache: generate twice about the same picture on a worker
	// of the page's own, then again with the cache turned off.
	type gen struct {
		IDs                     []int32
		Images, Encoded, Cached int
		ImageSeconds            float64
	}
	type gens struct{ First, Second, Off1, Off2 gen }
	g := eval[gens](p, `(async () => {
	  const base = `+jsString(hearth.URL)+`;
	  const { Hearth: Engine } = await import(base + '/engine/hearth.js');
	  const h = new Engine({ workerURL: new URL(base + '/engine/worker.js') });
	  const bytes = await (await fetch(base + '/pictures/sunset.png')).arrayBuffer();
	  const conv = [{ role: 'user', content: [{ type: 'image', data: bytes }, { type: 'text', text: 'Describe it.' }] }];
	  const run = async () => {
	    const r = await h.generate(conv, { nPredict: 8, ignoreEOS: true });
	    return { ids: r.ids, images: r.images, encoded: r.imagesEncoded, cached: r.imagesCached, imageSeconds: r.imageSeconds };
	  };
	  await h.load(base + '/models/vision-text.gguf', { mmproj: base + '/models/mmproj.gguf', nCtx: 512 });
	  const first = await run(), second = await run();
	  await h.load(base + '/models/vision-text.gguf', { mmproj: base + '/models/mmproj.gguf', nCtx: 512, replace: true, imageCacheBytes: 0 });
	  const off1 = await run(), off2 = await run();
	  h.terminate();
	  return { first, second, off1, off2 };
	})()`)
	switch {
	case g.First.Images != 1 || g.First.Encoded != 1 || g.First.Cached != 0 || len(g.First.IDs) != 8:
		p.fatalf("the worker's first generation about the picture: %+v", g.First)
	case g.Second.Encoded != 0 || g.Second.Cached != 1 || !slices.Equal(g.Second.IDs, g.First.IDs):
		p.fatalf("the worker's second generation about the picture: %+v (the first %+v)", g.Second, g.First)
	case g.Off1.Encoded != 1 || g.Off2.Encoded != 1 || g.Off2.Cached != 0 || !slices.Equal(g.Off2.IDs, g.First.IDs):
		p.fatalf("with imageCacheBytes 0: %+v then %+v", g.Off1, g.Off2)
	}
	p.noExceptions()
}
