// Tokenizes texts with llama.cpp through node-llama-cpp, for the oracle
// comparison in oracle_test.go. Input (stdin, JSON):
//   {"oracleDir": "...", "vocabDir": "...", "vocabs": ["qwen2", ...], "texts": ["...", ...],
//    "probe": {"qwen2": [ids to test for end-of-generation], ...}}
// Output (stdout, JSON): one entry per vocabulary with, per text, the ids
// without and with special-token parsing and the detokenized text of the
// former (without and with special tokens rendered), plus the model's
// special tokens and which ids end generation.
import {createRequire} from "node:module";
import {join} from "node:path";
import {pathToFileURL} from "node:url";

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const req = JSON.parse(Buffer.concat(chunks).toString("utf8"));

// The package lives in scripts/oracle (req.oracleDir), not beside this file.
const entry = createRequire(join(req.oracleDir, "package.json")).resolve("node-llama-cpp");
const {getLlama} = await import(pathToFileURL(entry).href);

const llama = await getLlama({gpu: false, build: "never", logLevel: "error", logger: () => {}});
const out = {};
for (const name of req.vocabs) {
  const model = await llama.loadModel({modelPath: `${req.vocabDir}/ggml-vocab-${name}.gguf`, vocabOnly: true});
  const cases = req.texts.map((text) => {
    const plain = Array.from(model.tokenize(text, false));
    const special = Array.from(model.tokenize(text, true));
    return {
      plain, special,
      detok: model.detokenize(plain, false),
      detokSpecial: model.detokenize(special, true),
    };
  });
  const t = model.tokens;
  const eog = (req.probe?.[name] ?? []).filter((id) => model.isEogToken(id));
  out[name] = {
    cases, eog,
    bos: t.bos ?? -1, eos: t.eos ?? -1, eot: t.eot ?? -1,
    addBOS: t.shouldPrependBosToken, addEOS: t.shouldAppendEosToken,
  };
  await model.dispose();
}
process.stdout.write(JSON.stringify(out));
