package main

// Root is the whole page: the header over the model and chat panes.
type Root struct {
	App *App
}
