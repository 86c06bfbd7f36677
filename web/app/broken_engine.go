package main

// brokenEngine stands in for an engine that could not start: every call
// fails with the reason, so the page still works and says what is wrong.
type brokenEngine struct{ err error }

func (b brokenEngine) Load(string, func(Progress)) (ModelInfo, error) { return ModelInfo{}, b.err }
func (b brokenEngine) Unload() error                                  { return b.err }
func (b brokenEngine) ChatPrompt([]Turn) (Prompt, error)              { return Prompt{}, b.err }
func (b brokenEngine) Generate([]int32, GenerateOptions, func(string)) (GenerateResult, error) {
	return GenerateResult{}, b.err
}
func (b brokenEngine) Stop() {}
