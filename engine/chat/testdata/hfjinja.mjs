// Renders chat templates with @huggingface/jinja (the Jinja implementation of
// transformers.js and node-llama-cpp), as an oracle for the Go interpreter.
//
// Usage: node hfjinja.mjs <oracle dir> < cases.json > results.json
// cases.json: {"now": "<ISO time>", "cases": [{"name", "template", "context"}]}
// results.json: [{"name", "output"} or {"name", "error"}], in the same order.
// strftime_now reads the clock through Date, so Date is pinned to "now"; run
// with TZ=UTC so that local time is UTC.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const oracleDir = process.argv[2];
if (!oracleDir) {
	console.error("usage: node hfjinja.mjs <oracle dir> < cases.json");
	process.exit(2);
}
const entry = join(oracleDir, "node_modules", "@huggingface", "jinja", "dist", "index.js");
const { Template } = await import(pathToFileURL(entry).href);

const input = JSON.parse(readFileSync(0, "utf8"));
const fixed = Date.parse(input.now);
const RealDate = Date;
globalThis.Date = class extends RealDate {
	constructor(...args) {
		if (args.length === 0) super(fixed);
		else super(...args);
	}
	static now() {
		return fixed;
	}
};

const results = input.cases.map(({ name, template, context }) => {
	try {
		return { name, output: new Template(template).render(context) };
	} catch (err) {
		return { name, error: String(err && err.message ? err.message : err) };
	}
});
process.stdout.write(JSON.stringify(results));
