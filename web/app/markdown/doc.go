// Package markdown parses the subset of Markdown that chat models write
// into a tree of typed nodes: paragraphs with line breaks, ATX headings,
// bullet and numbered lists (nested by indentation), block quotes, fenced
// code blocks with their language label, thematic breaks, emphasis, strong
// emphasis, inline code, and links.
//
// It is built for showing untrusted text safely. The tree has no node for
// raw HTML: markup such as <script> is text like any other, and the
// renderer that walks the tree creates its elements from the node kinds
// alone. A link survives only when its address is an absolute http or
// https URL; anything else ([x](javascript:…), data:, relative paths)
// stays the text it was written as.
//
// Parsing takes time linear in the input: every delimiter search is
// bounded by the next candidate or resumes where the last one stopped,
// and nesting (lists and quotes, emphasis) is capped, so hostile input cannot make it
// slow or build a tree deep enough to hurt the page. A fence that is not
// closed yet ends with the input and is marked Open, so that a message
// still streaming in shows its code block in progress.
package markdown
