//go:build !js

package web

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// signupBody is a host page's form: its own script shows what was
// submitted, and counts the submissions.
const signupBody = `<h1>Newsletter</h1>
<form id="signup">
  <label for="email">Email</label> <input id="email" name="email" type="email">
  <label for="name">Name</label> <input id="name" name="name" type="text">
  <button type="submit">Sign up</button>
</form>
<p id="result">not submitted</p>
<script>
  window.submits = 0;
  document.getElementById('signup').addEventListener('submit', (ev) => {
    ev.preventDefault();
    window.submits++;
    document.getElementById('result').textContent = 'submitted: ' + new FormData(ev.target).get('email');
  });
</script>`

// signupPlan types an address and clicks the submit button: the click
// submits the form, so it waits for a confirmation.
const signupPlan = `[{"action":"type","target":{"label":"Email"},"text":"a@b.c"},{"action":"click","target":{"label":"Sign up"}}]`

// observed is the part of an Observation the tests read.
type observed struct {
	URL      string `json:"url"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	Elements []struct {
		Index   int    `json:"index"`
		Role    string `json:"role"`
		Name    string `json:"name"`
		Submits bool   `json:"submits"`
		Denied  bool   `json:"denied"`
	} `json:"elements"`
}

// Hearth.observe and Hearth.execute from a page of another origin: the
// observation lists the form; a type + submit plan waits for the widget's
// confirmation, and Allow submits the form while Decline (or Stop) leaves
// it unsubmitted; page handlers and a per-call confirm take precedence
// over the widget; every step is logged in the widget.
func TestEmbedObserveAndExecute(t *testing.T) {
	hearth := newHearthServer(t, nil)
	host := newHostPage(t, hostHTML("", signupBody, scriptTag(hearth.URL, nil)))
	p := openEmbed(t, host.URL+"/")

	obs := eval[observed](p, `Hearth.observe()`)
	var email, submit = -1, -1
	for _, e := range obs.Elements {
		switch {
		case e.Name == "Email" && e.Role == "textbox":
			email = e.Index
		case e.Name == "Sign up" && e.Role == "button":
			submit = e.Index
			if !e.Submits {
				p.fatalf("the submit button is not marked as submitting: %+v", e)
			}
		case strings.Contains(e.Name, "Hearth") || e.Name == "Allow" || e.Name == "Send":
			if !e.Denied {
				p.fatalf("the widget's own control %q is in the observation and not denied", e.Name)
			}
		}
	}
	if email < 0 || submit < 0 || obs.Title != "A shop" || !strings.HasPrefix(obs.URL, host.URL) || !strings.Contains(obs.Text, "Newsletter") {
		p.fatalf("Hearth.observe() gave %+v", obs)
	}

	type run struct {
		Outcomes []outcome `json:"outcomes"`
		Result   string    `json:"result"`
		Submits  int       `json:"submits"`
		Email    string    `json:"email"`
	}
	start := func(extra string) {
		eval[bool](p, `(() => {
		  document.getElementById('result').textContent = 'not submitted';
		  document.getElementById('email').value = '';
		  window.submits = 0;
		  window.pending = Hearth.execute(`+signupPlan+extra+`);
		  return true;
		})()`)
	}
	finish := func() run {
		return eval[run](p, `window.pending.then((outcomes) => ({ outcomes, result: document.getElementById('result').textContent,
		  submits: window.submits, email: document.getElementById('email').value }))`)
	}
	waitPrompt := func() widgetState {
		st := waitWidget(p, "the confirmation prompt", 30*time.Second, func(st widgetState) bool { return st.Prompt != "" })
		if !strings.Contains(st.Prompt, "Click “Sign up”") || !strings.Contains(st.Prompt, "submit") {
			p.fatalf("the prompt does not say what will happen: %q", st.Prompt)
		}
		// The type step ran; the submit waits.
		if got := eval[string](p, `document.getElementById('result').textContent + '|' + document.getElementById('email').value`); got != "not submitted|a@b.c" {
			p.fatalf("while the prompt waits the page shows %q", got)
		}
		return st
	}

	// Allow: the form is submitted with the typed address.
	start("")
	st := waitPrompt()
	if !st.Open || st.Running != "execute" {
		p.fatalf("the widget did not open on the page's plan: %+v", st)
	}
	shootPage(p, "embed-confirm")
	clickInWidget(p, "allowing the step", ".allow")
	r := finish()
	if len(r.Outcomes) != 2 || r.Outcomes[0].Status != "done" || r.Outcomes[1].Status != "done" || r.Result != "submitted: a@b.c" || r.Submits != 1 {
		p.fatalf("allowed plan: %+v", r)
	}
	st = waitWidget(p, "the steps in the log", 5*time.Second, func(st widgetState) bool { return len(st.Steps) == 2 && st.Running == "" })
	for i, raw := range st.Steps {
		if o := parseOutcome(p, raw); o.Status != "done" || o.Step != i {
			p.fatalf("logged step %d: %s", i, raw)
		}
	}
	if st.Prompt != "" {
		p.fatalf("the prompt stayed after Allow: %q", st.Prompt)
	}

	// Decline: nothing is submitted, the step says declined.
	start("")
	waitPrompt()
	clickInWidget(p, "declining the step", ".decline")
	r = finish()
	if len(r.Outcomes) != 2 || r.Outcomes[0].Status != "done" || r.Outcomes[1].Status != "declined" || r.Outcomes[1].Kind != "declined" ||
		r.Result != "not submitted" || r.Submits != 0 {
		p.fatalf("declined plan: %+v", r)
	}
	st = waitWidget(p, "the steps in the log", 5*time.Second, func(st widgetState) bool { return len(st.Steps) == 2 && st.Running == "" })
	if o := parseOutcome(p, st.Steps[1]); o.Status != "declined" {
		p.fatalf("the widget logged the declined step as %+v", o)
	}

	// Stop while the prompt waits: declined at once, nothing submitted.
	start("")
	waitPrompt()
	eval[bool](p, `Hearth.stop()`)
	r = finish()
	if r.Submits != 0 || len(r.Outcomes) != 2 || r.Outcomes[1].Status == "done" {
		p.fatalf("stopped plan: %+v", r)
	}
	waitWidget(p, "the prompt to go", 5*time.Second, func(st widgetState) bool { return st.Prompt == "" })

	// A per-call confirm decides without the widget; it gets the step's
	// description.
	eval[bool](p, `(window.asked = [], true)`)
	start(`, { confirm: (s) => { asked.push(s.description); return true; } }`)
	r = finish()
	if r.Submits != 1 || len(r.Outcomes) != 2 || r.Outcomes[1].Status != "done" {
		p.fatalf("plan with confirm → true: %+v", r)
	}
	if asked := eval[[]string](p, `asked`); len(asked) != 1 || !strings.Contains(asked[0], "Click “Sign up”") {
		p.fatalf("the confirm function was asked %q", asked)
	}

	// Hearth.on('confirm') handlers decide when there is no per-call
	// confirm: one false declines.
	eval[bool](p, `(window.offConfirm = [Hearth.on('confirm', () => true), Hearth.on('confirm', async () => false)], true)`)
	start("")
	r = finish()
	if r.Submits != 0 || r.Outcomes[1].Status != "declined" {
		p.fatalf("plan with a declining confirm handler: %+v", r)
	}
	if st := widgetNow(p); st.Prompt != "" {
		p.fatalf("the widget prompted although the page's handlers decide: %q", st.Prompt)
	}
	eval[bool](p, `(offConfirm.forEach((off) => off()), true)`)

	// Plans as JSON text work too, and a wrong target is a clear error.
	var bad []outcome
	raw := eval[string](p, `Hearth.execute('[{"action":"click","target":{"label":"Unsubscribe forever"}}]').then(JSON.stringify)`)
	if err := json.Unmarshal([]byte(raw), &bad); err != nil || len(bad) != 1 || bad[0].Status != "error" || bad[0].Kind != "not_found" || bad[0].Reason == "" {
		p.fatalf("a click on a missing target: %s", raw)
	}
	// Bad input is an error that names the problem, and the page goes on.
	if msg := eval[string](p, `Hearth.execute(42).then(() => 'ran', (e) => e.message)`); !strings.Contains(msg, "Hearth.execute needs an array of actions") {
		p.fatalf("Hearth.execute(42): %q", msg)
	}
	if msg := eval[string](p, `Hearth.execute('[{"action":"fly"}]').then(JSON.stringify, (e) => 'rejected: ' + e.message)`); !strings.Contains(msg, "fly") {
		p.fatalf("an unknown action does not name itself: %q", msg)
	}
	if msg := eval[string](p, `Hearth.execute('not json').then(JSON.stringify, (e) => 'rejected: ' + e.message)`); !strings.Contains(strings.ToLower(msg), "json") {
		p.fatalf("a plan that is not JSON: %q", msg)
	}
	// Every 'action' event was a well-formed outcome.
	var seen []json.RawMessage
	if err := json.Unmarshal([]byte(eval[string](p, `JSON.stringify(hearthSeen.action)`)), &seen); err != nil {
		p.fatalf("the action events: %v", err)
	}
	for _, o := range seen {
		parseOutcome(p, string(o))
	}
	if len(seen) < 10 {
		p.fatalf("only %d action events for six plans", len(seen))
	}
	p.noExceptions()
}

// Hearth.act with a synthetic model (random weights): the schema makes
// every proposed action valid JSON, each step shows in the widget's log as
// a well-formed outcome, and no gated step runs without a confirmation:
// the test declines every prompt, so nothing is ever submitted or deleted.
// The second page offers only gated controls (and the owner's policy
// allows only clicks), so the random model's plans do reach prompts.
func TestEmbedActRunsStepsWithConfirmation(t *testing.T) {
	model := writeEmbedModel(t)
	hearth := newHearthServer(t, map[string]string{"/models/synth.gguf": model})
	modelURL := hearth.URL + "/models/synth.gguf"

	host := newHostPage(t, hostHTML("", signupBody, scriptTag(hearth.URL, map[string]string{"model": modelURL, "max-steps": "6", "preload": "on"})))
	p := openEmbed(t, host.URL+"/")
	run := runAct(p, "Sign up for the newsletter with a@b.c", 7)
	t.Logf("form page: %d steps, %d declined, %d questions answered: %s", len(run.outcomes), run.declined, run.asked, run.logged)

	// From the widget: a goal typed in the act tab runs; one click on Stop
	// ends the plan long before its 50 steps.
	eval[map[string]any](p, `Hearth.setPolicy({ max_steps: 50 })`)
	eval[bool](p, `Hearth.open()`)
	clickInWidget(p, "choosing the act tab", "[role=tab]:nth-child(2)")
	inWidget[bool](p, `q('.goal').value = 'Sign up for the newsletter'; return true;`)
	clickInWidget(p, "running the goal", ".run")
	waitWidget(p, "the first step", time.Minute, func(st widgetState) bool {
		if st.Asks {
			inWidget[bool](p, `q('.answer-input').value = 'no'; q('.answer-send').click(); return true;`)
		} else if st.Prompt != "" {
			inWidget[bool](p, `q('.decline').click(); return true;`)
		}
		return len(st.Steps) >= 1 || st.Running == ""
	})
	clickInWidget(p, "stopping the plan", ".act-stop")
	st := waitWidget(p, "the plan to stop", 20*time.Second, func(st widgetState) bool { return st.Running == "" })
	if len(st.Steps) >= 50 || len(st.Steps) == 0 || !strings.HasPrefix(st.ActStatus, "Stopped after") {
		p.fatalf("after Stop the plan had run %d steps: %+v", len(st.Steps), st)
	}
	for _, raw := range st.Steps {
		parseOutcome(p, raw)
	}
	if n := eval[int](p, `submits`); n != 0 {
		p.fatalf("the form was submitted %d times though nothing was confirmed", n)
	}
	t.Logf("stopped after %d steps; the widget says %q: %s", len(st.Steps), st.ActStatus, st.Steps)

	gatedBody := `<h1>Account</h1>
<form id="signup"><input type="hidden" name="email" value="x@y.z"><button type="submit">Sign up</button></form>
<button type="button" data-hearth-destructive onclick="window.deleted++">Delete account</button>
<p id="result">not submitted</p>
<script>
  window.submits = 0; window.deleted = 0;
  document.getElementById('signup').addEventListener('submit', (ev) => { ev.preventDefault(); window.submits++; });
</script>`
	gated := newHostPage(t, hostHTML("", gatedBody, scriptTag(hearth.URL, map[string]string{
		"model": modelURL, "max-steps": "4", "preload": "on", "allow-actions": "click,done"})))
	p2 := openEmbed(t, gated.URL+"/")
	prompts := 0
	for seed := 1; seed <= 4 && prompts == 0; seed++ {
		run := runAct(p2, "Sign up", seed)
		prompts += run.declined
		for _, o := range run.outcomes {
			if o.Action != "click" && o.Action != "done" {
				p2.fatalf("the policy allows click and done, yet a %s step ran: %+v", o.Action, o)
			}
		}
		t.Logf("gated page, seed %d: %d steps, %d declined: %s", seed, len(run.outcomes), run.declined, run.logged)
	}
	if prompts == 0 {
		p2.fatalf("in four plans on a page of gated controls, no step asked for a confirmation")
	}
	if n := eval[int](p2, `deleted`); n != 0 {
		p2.fatalf("the destructive button ran %d times though every confirmation was declined", n)
	}
	p.noExceptions()
	p2.noExceptions()
}

// actRun is what one Hearth.act did.
type actRun struct {
	outcomes        []outcome
	declined, asked int      // prompts the test declined, questions it answered
	logged          []string // the widget's step log
}

// runAct runs Hearth.act on the page with a sampling seed, declining every
// confirmation the widget asks for (and checking that nothing was
// submitted before), answering every question, and checks what it did:
// at most data-max-steps steps, each a well-formed outcome (never an
// invalid action: the schema constrains the model), the same in the
// result, the widget's log and onStep, one declined step per declined
// prompt, and the page's form never submitted.
func runAct(p *page, goal string, seed int) actRun {
	p.t.Helper()
	eval[bool](p, `(window.actResult = null, window.actError = null, window.actSteps = [],
	  Hearth.act(`+jsString(goal)+`, { onStep: (o) => actSteps.push(o), temperature: 1, seed: `+strconv.Itoa(seed)+` })
	    .then((r) => { actResult = r; }, (e) => { actError = e.message; }), true)`)
	var run actRun
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if errText := eval[string](p, `actError || ''`); errText != "" {
			p.fatalf("Hearth.act failed: %s", errText)
		}
		if eval[bool](p, `!!actResult`) {
			break
		}
		if st := widgetNow(p); st.Prompt != "" {
			if eval[int](p, `submits`) != 0 {
				p.fatalf("the form was submitted before the prompt was answered")
			}
			if st.Asks {
				// The model asked a question (ask_user): answer it.
				inWidget[bool](p, `q('.answer-input').value = 'no'; return true;`)
				clickInWidget(p, "answering the model's question", ".answer-send")
				run.asked++
			} else {
				clickInWidget(p, "declining a gated step", ".decline")
				run.declined++
			}
			waitWidget(p, "the prompt to go", 10*time.Second, func(st widgetState) bool { return st.Prompt == "" })
		}
		if time.Now().After(deadline) {
			p.fatalf("Hearth.act did not end in 3 minutes; the widget shows %+v", widgetNow(p))
		}
		p.sleep(50 * time.Millisecond)
	}
	var res struct {
		Outcomes []json.RawMessage `json:"outcomes"`
		Steps    int               `json:"steps"`
	}
	if err := json.Unmarshal([]byte(eval[string](p, `JSON.stringify(actResult)`)), &res); err != nil {
		p.fatalf("the act result: %v", err)
	}
	maxSteps := eval[int](p, `Number(Hearth.options.policy.max_steps)`)
	if len(res.Outcomes) == 0 || len(res.Outcomes) > maxSteps {
		p.fatalf("act ran %d steps with data-max-steps=%d", len(res.Outcomes), maxSteps)
	}
	st := waitWidget(p, "the plan to end in the widget", 10*time.Second, func(st widgetState) bool { return st.Running == "" })
	if len(st.Steps) != len(res.Outcomes) {
		p.fatalf("the widget logged %d steps, act returned %d outcomes", len(st.Steps), len(res.Outcomes))
	}
	declinedSteps := 0
	for i, raw := range res.Outcomes {
		o := parseOutcome(p, string(raw))
		logged := parseOutcome(p, st.Steps[i])
		if o.Status != logged.Status || o.Step != logged.Step || o.Action != logged.Action || o.Reason != logged.Reason {
			p.fatalf("step %d: act says %s, the widget logged %s", i, raw, st.Steps[i])
		}
		// A random model may name a missing element, but its actions are
		// never malformed: the schema constraint makes them valid.
		if o.Kind == "invalid" {
			p.fatalf("step %d is an invalid action despite the schema: %s", i, raw)
		}
		if o.Status == "declined" {
			declinedSteps++
		}
		run.outcomes = append(run.outcomes, o)
	}
	if declinedSteps != run.declined {
		p.fatalf("%d steps were declined, the test declined %d prompts", declinedSteps, run.declined)
	}
	if n := eval[int](p, `submits`); n != 0 {
		p.fatalf("the form was submitted %d times though every confirmation was declined", n)
	}
	if n := eval[int](p, `actSteps.length`); n != len(res.Outcomes) {
		p.fatalf("onStep saw %d steps, act returned %d", n, len(res.Outcomes))
	}
	run.logged = st.Steps
	return run
}

// The owner's data- policy reaches the runtime: a denied selector and a
// denied action are refused with kind "denied"; with data-act="off" the
// widget has no act tab, yet the steps the page runs are still shown.
func TestEmbedPolicyFromDataOptions(t *testing.T) {
	hearth := newHearthServer(t, nil)
	host := newHostPage(t, hostHTML("", signupBody, scriptTag(hearth.URL, map[string]string{
		"deny-selector": "#name", "deny-actions": "navigate, scroll", "act": "off",
	})))
	p := openEmbed(t, host.URL+"/")
	waitFor(p, "the widget", shadowJS+`?.querySelector('.root')?.dataset.styled === 'true'`, 20*time.Second)
	if inWidget[bool](p, `return !q('[role=tab]:nth-child(2)').hidden || !q('.goal-form').hidden`) {
		p.fatalf("data-act=off still shows the act tab or its goal form")
	}
	obs := eval[observed](p, `Hearth.observe()`)
	deniedName := false
	for _, e := range obs.Elements {
		if e.Name == "Name" {
			deniedName = e.Denied
		}
	}
	if !deniedName {
		p.fatalf("data-deny-selector=#name: the Name field is not marked denied in %+v", obs.Elements)
	}
	outs := eval[[]outcome](p, `Hearth.execute([{ action: 'type', target: { label: 'Name' }, text: 'Eve' }])`)
	if len(outs) != 1 || outs[0].Status != "error" || outs[0].Kind != "denied" {
		p.fatalf("typing into a denied field: %+v", outs)
	}
	if v := eval[string](p, `document.getElementById('name').value`); v != "" {
		p.fatalf("the denied field was changed to %q", v)
	}
	outs = eval[[]outcome](p, `Hearth.execute([{ action: 'scroll', direction: 'down' }])`)
	if len(outs) != 1 || outs[0].Status != "error" || outs[0].Kind != "denied" {
		p.fatalf("a denied action (scroll): %+v", outs)
	}
	// The steps the page ran are shown, in a tab that appeared for them.
	st := waitWidget(p, "the page's steps in the widget", 5*time.Second, func(st widgetState) bool { return len(st.Steps) == 1 })
	if o := parseOutcome(p, st.Steps[0]); o.Kind != "denied" || !st.Open {
		p.fatalf("the widget shows %+v", st)
	}
	if got := inWidget[string](p, `const t = q('[role=tab]:nth-child(2)'); return t.hidden ? '' : t.textContent + '|' + t.getAttribute('aria-selected');`); got != "Page actions|true" {
		p.fatalf("with data-act=off the page's steps show in tab %q", got)
	}
	// Hearth.setPolicy replaces the data- policy.
	if got := eval[string](p, `Hearth.setPolicy({ deny_actions: ['type'] }).then(JSON.stringify)`); got != `{"deny_actions":["type"]}` {
		p.fatalf("Hearth.setPolicy answered %s", got)
	}
	outs = eval[[]outcome](p, `Hearth.execute([{ action: 'type', target: { label: 'Email' }, text: 'a@b.c' }])`)
	if len(outs) != 1 || outs[0].Kind != "denied" {
		p.fatalf("type after setPolicy({deny_actions:['type']}): %+v", outs)
	}
	// A policy the runtime cannot use is refused, naming it, and the one
	// in force stays.
	msg := eval[string](p, `Hearth.setPolicy({ deny_selector: '#(' }).then(() => 'accepted', (e) => e.message)`)
	if !strings.Contains(msg, `the action policy {"deny_selector":"#("} was refused`) {
		p.fatalf("a policy with a broken selector: %q", msg)
	}
	outs = eval[[]outcome](p, `Hearth.execute([{ action: 'type', target: { label: 'Email' }, text: 'a@b.c' }])`)
	if len(outs) != 1 || outs[0].Kind != "denied" {
		p.fatalf("after a refused policy, type is no longer denied: %+v", outs)
	}
	p.noExceptions()
}
