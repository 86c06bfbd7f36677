package main

// LocalModels lists the model files the server offers from this computer
// (`make run MODEL=file.gguf`, /models/local.json), each with Load.
type LocalModels struct {
	App *App

	disclosure // folded away or not
}
