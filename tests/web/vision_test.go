//go:build !js

package web

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
	"github.com/hearth-ai/hearth/web/app/bytesize"
)

// visionFiles are the files the vision test serves: a text-only model, a
// vision pair (a small llama over Qwen2's real vocabulary with SmolVLM's
// image tokens, and a tiny idefics3 mmproj: 32-px tiles, so the encoder
// is quick in the browser), a picture, and three files that are not
// usable pictures.
type visionFiles struct {
	text, model, mmproj            string
	picture, corrupt, fake, huge   string
	modelSize, mmprojSize, picSize int64
}

func writeVisionFiles(t *testing.T) visionFiles {
	t.Helper()
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteVocabWithTokens(vocab, filepath.Join(testdata.VocabDir(t), "ggml-vocab-qwen2.gguf"), synth.Idefics3Tokens(2)...); err != nil {
		t.Fatal(err)
	}
	spec := synth.MMProjSpec{Projector: synth.MMProjIdefics3, Seed: 31} // 32-px tiles, 16 tokens each, 64 wide
	f := visionFiles{
		text: filepath.Join(dir, "text-only.gguf"), model: filepath.Join(dir, "vision-text.gguf"), mmproj: filepath.Join(dir, "mmproj.gguf"),
		picture: filepath.Join(dir, "sunset.png"), corrupt: filepath.Join(dir, "broken.png"),
		fake: filepath.Join(dir, "notes.png"), huge: filepath.Join(dir, "huge.png"),
	}
	textSpec := synth.Spec{Arch: synth.Llama, VocabPath: vocab, NEmbd: 64, NLayer: 2, NHead: 4, NFF: 128, NCtx: 512,
		Type: dtype.Q8_0, Seed: 32, TiedEmbeddings: true}
	if err := synth.WriteFile(f.model, textSpec); err != nil {
		t.Fatal(err)
	}
	textSpec.Seed = 33
	if err := synth.WriteFile(f.text, textSpec); err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteMMProjFile(f.mmproj, spec); err != nil {
		t.Fatal(err)
	}
	pic := picturePNG(t, 60, 30) // two tiles and the overview
	corrupt := slices.Clone(pic)
	for i := 60; i < len(corrupt)-20; i += 7 {
		corrupt[i] ^= 0x5a
	}
	for path, data := range map[string][]byte{
		f.picture: pic, f.corrupt: corrupt,
		f.fake: []byte("Shopping list: bread, milk, a new camera. This is not a picture.\n"),
		f.huge: pngHeaderClaiming(20000, 20000),
	} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range []struct {
		path string
		size *int64
	}{{f.model, &f.modelSize}, {f.mmproj, &f.mmprojSize}, {f.picture, &f.picSize}} {
		st, err := os.Stat(x.path)
		if err != nil {
			t.Fatal(err)
		}
		*x.size = st.Size()
	}
	return f
}

// picturePNG is a w×h PNG of a sunset-like gradient.
func picturePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(255 - 3*y), uint8(120 + 2*x), uint8(60 + 5*y), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngHeaderClaiming is a PNG signature and IHDR chunk (8-bit RGB) saying
// the image is w×h pixels, and nothing after.
func pngHeaderClaiming(w, h uint32) []byte {
	chunk := append([]byte("IHDR"), make([]byte, 13)...)
	binary.BigEndian.PutUint32(chunk[4:], w)
	binary.BigEndian.PutUint32(chunk[8:], h)
	chunk[12], chunk[13] = 8, 2
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// imagesState is what hearthTest.images() reports.
type imagesState struct {
	Attached []string `json:"attached"`
	Checking int      `json:"checking"`
	Error    string   `json:"error"`
	Vision   bool     `json:"vision"`
	Messages []struct {
		Role       string   `json:"role"`
		Images     []string `json:"images"`
		ImageSteps int      `json:"imageSteps"`
	} `json:"messages"`
}

func images(p *page) imagesState {
	p.t.Helper()
	return eval[imagesState](p, `hearthTest.images()`)
}

// dropImage fetches url's bytes into a File named name of MIME type typ
// and drops it on the chat, as a person dragging it from their desktop
// (dragenter, which shows the drop zone, then drop).
func dropImage(p *page, url, name, typ string) {
	p.t.Helper()
	eval[bool](p, `(async () => {
	  const bytes = await (await fetch(`+jsString(url)+`, { cache: 'no-store' })).arrayBuffer();
	  const dt = new DataTransfer();
	  dt.items.add(new File([bytes], `+jsString(name)+`, { type: `+jsString(typ)+` }));
	  const input = document.querySelector('#chat-input');
	  input.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
	  input.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
	  return true;
	})()`)
}

// waitImageSettled waits until the page has no picture being checked and
// returns its state.
func waitImageSettled(p *page, what string, done func(imagesState) bool) imagesState {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := images(p)
		if st.Checking == 0 && done(st) {
			return st
		}
		if time.Now().After(deadline) {
			p.fatalf("%s: not within 30 s: %+v", what, st)
		}
		p.sleep(20 * time.Millisecond)
	}
}

// End to end in Chromium: with a text-only model loaded the Picture
// button is off and says why, and a dropped picture is refused with that
// reason; a vision pair loads as the catalog's vision entries do (two
// files, one progress bar, both kept in the browser's storage); a picture dropped on the chat shows as a
// thumbnail, goes with the message, and the answer streams after the
// encoder's progress; a corrupt PNG, a text file named .png and a PNG
// whose header claims 20000×20000 pixels are each refused with a clear
// message while the conversation stays as it was; the picker and a paste
// attach pictures too, and Remove takes one off; the conversation is kept
// with its pictures across a reload. Screenshot:
// HEARTH_VISION_SCREENSHOT=docs/screenshots/vision-chat.png.
func TestVisionChat(t *testing.T) {
	f := writeVisionFiles(t)
	s := newSite(t, map[string]string{
		"/models/text-only.gguf": f.text, "/models/vision-text.gguf": f.model, "/models/mmproj.gguf": f.mmproj,
		"/pictures/sunset.png": f.picture, "/pictures/broken.png": f.corrupt, "/pictures/notes.png": f.fake, "/pictures/huge.png": f.huge,
	})
	p := newPage(t, 5*time.Minute)
	p.do("opening the page with a text-only model", chromedp.Navigate(s.URL+"/?test=1&model=/models/text-only.gguf"))
	waitModelReady(p)

	// A text-only model: the button is off and its tooltip says why; a
	// dropped picture is refused with that reason.
	if off := eval[bool](p, `document.querySelector('#chat-attach').disabled`); !off {
		p.fatalf("the Picture button is enabled with a text-only model")
	}
	title := eval[string](p, `document.querySelector('#chat-attach').title`)
	if !strings.Contains(title, "text only") || !strings.Contains(title, "vision model") {
		p.fatalf("the disabled Picture button's tooltip says %q", title)
	}
	dropImage(p, "/pictures/sunset.png", "sunset.png", "image/png")
	st := waitImageSettled(p, "the text-only model's refusal", func(st imagesState) bool { return st.Error != "" })
	if !strings.Contains(st.Error, "text only") || len(st.Attached) != 0 || len(st.Messages) != 0 {
		p.fatalf("a picture dropped with a text-only model: %+v", st)
	}

	// The pair, as the catalog loads a vision entry: one bar for both files.
	watchProgress(p)
	eval[any](p, `hearthTest.loadPair('/models/vision-text.gguf', '/models/mmproj.gguf')`)
	waitFor(p, "the pair's load to start", `!document.querySelector('#model-info') || document.querySelector('#load-progress')`, 10*time.Second)
	ld := waitModelReady(p)
	both := f.modelSize + f.mmprojSize
	if !strings.Contains(ld.Summary, "of "+bytesize.Decimal(both)) {
		p.fatalf("after loading the pair the bar says %q; want both files' %s", ld.Summary, bytesize.Decimal(both))
	}
	// Both files are kept in the browser's storage, as models are.
	waitManager(p, "the pair stored", 20*time.Second, func(st managerState) bool {
		return slices.ContainsFunc(st.Cached, func(u string) bool { return strings.HasSuffix(u, "/models/mmproj.gguf") }) &&
			slices.ContainsFunc(st.Cached, func(u string) bool { return strings.HasSuffix(u, "/models/vision-text.gguf") })
	})
	if seen := progressSeen(p); len(seen) == 0 {
		p.fatalf("the bar showed no progress while the pair loaded (phases %v)", phasesSeen(p))
	}
	if st := images(p); !st.Vision || eval[bool](p, `document.querySelector('#chat-attach').disabled`) {
		p.fatalf("the pair loaded, but the page takes no pictures: %+v", st)
	}

	// A picture dropped on the chat: a thumbnail in the composer, then in
	// the sent message; the answer streams after the encoder's progress.
	setSettings(p, map[string]string{"setting-max-tokens": "48"})
	p.do("closing the settings", chromedp.Click(chromedp.CSS("#settings-toggle")))
	dropImage(p, "/pictures/sunset.png", "sunset.png", "image/png")
	waitImageSettled(p, "the picture to be attached", func(st imagesState) bool { return len(st.Attached) == 1 })
	waitFor(p, "the composer's thumbnail", `document.querySelector('#composer-thumbs img[alt="sunset.png"]')?.complete &&
	  document.querySelector('#composer-thumbs img[alt="sunset.png"]').naturalWidth === 60`, 10*time.Second)
	sendMessage(p, "What is in this picture?")
	waitAnswerStreaming(p)
	ms := waitAnswered(p, 2)
	st = images(p)
	if !slices.Equal(st.Messages[0].Images, []string{"sunset.png"}) || len(st.Attached) != 0 {
		p.fatalf("after sending: %+v", st)
	}
	if st.Messages[1].ImageSteps != 3 {
		p.fatalf("the answer reported %d encoder steps; a 60×30 picture is two tiles and the overview", st.Messages[1].ImageSteps)
	}
	if ms[1].Tokens < 2 || ms[1].Tokens > 48 {
		p.fatalf("the answer has %d tokens", ms[1].Tokens)
	}
	waitFor(p, "the sent message's thumbnail", `document.querySelector('#messages .message-user img[alt="sunset.png"]')?.naturalWidth === 60`, 10*time.Second)
	prompt := eval[map[string]any](p, `hearthTest.lastPrompt()`)
	if !strings.Contains(fmt.Sprint(prompt["text"]), "<__media__>") {
		p.fatalf("the prompt has no picture in it: %v", prompt["text"])
	}
	waitFor(p, "the conversation saved", `hearthTest.savesPending() === 0`, 10*time.Second)
	if shot := os.Getenv("HEARTH_VISION_SCREENSHOT"); shot != "" {
		eval[bool](p, `(() => { document.querySelector('#messages').scrollTop = 0; return true; })()`)
		png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			p.fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(shot, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", shot)
	}

	// Files that are not usable pictures: each refused with its reason,
	// the conversation untouched.
	before := messages(p)
	for _, c := range []struct{ url, name, says string }{
		{"/pictures/broken.png", "broken.png", "damaged"},
		{"/pictures/notes.png", "notes.png", "not a picture"},
		{"/pictures/huge.png", "huge.png", "20000x20000"},
	} {
		dropImage(p, c.url, c.name, "image/png")
		st := waitImageSettled(p, c.name+"'s refusal", func(st imagesState) bool { return strings.Contains(st.Error, c.name) })
		shown := eval[string](p, `document.querySelector('#chat-image-error')?.textContent ?? ''`)
		if !strings.Contains(st.Error, c.says) || !strings.Contains(shown, c.name) || len(st.Attached) != 0 {
			p.fatalf("%s: the page says %q (state %+v); want it to say %q", c.name, shown, st, c.says)
		}
		if role := eval[string](p, `document.querySelector('#chat-image-error').getAttribute('role')`); role != "alert" {
			p.fatalf("the refusal's role is %q", role)
		}
		if after := messages(p); !slices.Equal(after, before) {
			p.fatalf("%s changed the conversation:\n%+v\nwas\n%+v", c.name, after, before)
		}
	}
	if st := images(p); !st.Vision {
		p.fatalf("the model is no longer loaded after the refused pictures")
	}

	// The picker and a paste attach too; Remove takes a picture off.
	p.do("choosing a picture in the picker", chromedp.SetUploadFiles("#chat-image-file", []string{f.picture}))
	waitImageSettled(p, "the picked picture", func(st imagesState) bool { return len(st.Attached) == 1 })
	eval[bool](p, `(async () => {
	  const bytes = await (await fetch('/pictures/sunset.png', { cache: 'no-store' })).arrayBuffer();
	  const dt = new DataTransfer();
	  dt.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
	  document.querySelector('#chat-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
	  return true;
	})()`)
	st = waitImageSettled(p, "the pasted picture", func(st imagesState) bool { return len(st.Attached) == 2 })
	if !slices.Equal(st.Attached, []string{"sunset.png", "pasted.png"}) {
		p.fatalf("attached %v", st.Attached)
	}
	p.do("removing the pasted picture", chromedp.Click(`button[aria-label="Remove pasted.png"]`))
	waitImageSettled(p, "the pasted picture removed", func(st imagesState) bool { return len(st.Attached) == 1 })

	// Still usable: another question about the picture answers.
	sendMessage(p, "And the colours?")
	waitAnswered(p, 4)
	p.noExceptions()

	// The conversation, pictures included, is kept: after a reload its
	// messages show their thumbnails again.
	waitFor(p, "the conversation saved", `hearthTest.savesPending() === 0`, 10*time.Second)
	p.do("reloading the page", chromedp.Navigate(s.URL+"/?test=1"))
	waitFor(p, "the saved conversation's thumbnails", `document.querySelectorAll('#messages .message-user img[alt="sunset.png"]').length === 2 &&
	  [...document.querySelectorAll('#messages .message-user img')].every((i) => i.complete && i.naturalWidth === 60)`, 20*time.Second)
	if st := images(p); len(st.Messages) != 4 || !slices.Equal(st.Messages[2].Images, []string{"sunset.png"}) {
		p.fatalf("after the reload: %+v", st)
	}
	p.noExceptions()
}
