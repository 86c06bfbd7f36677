// oracle.mjs runs real llama.cpp (through node-llama-cpp, CPU build) on a
// GGUF file and answers a batch of requests, so Hearth's tests can compare
// their numbers with llama.cpp's without reloading the model per question.
//
// Usage: node oracle.mjs < job.json > answer.json
//
// A job is one JSON object (or an array of them, answered by an array):
//
//   {"model": "/path/model.gguf",
//    "vocabOnly": false,        // load only the tokenizer (vocabulary files)
//    "contextSize": 512,        // default 512
//    "kvCacheType": "F32",      // the K and V cache type: "F32" (default) or "F16"
//    "requests": [
//      {"op": "info"},
//      {"op": "tokenize", "text": "…", "addBos": false, "parseSpecial": false},
//      {"op": "detokenize", "ids": [1, 2], "special": false},
//      {"op": "logprobs", "prompt": "…" | "tokens": [1, 2, 3], "stepwise": false},
//      {"op": "generate", "prompt": "…" | "tokens": [1, 2, 3], "n": 32}]}
//
// Answers, one per request, in order ({"error": "…"} if one fails):
//
//   info:       {"nVocab", "bos", "eos", "addBos", "eog": [ids among the specials]}
//   tokenize:   {"ids": […]}
//   detokenize: {"text": "…"}
//   logprobs:   {"tokens": [prompt ids], "logprobs": [nVocab numbers]}: the natural
//               log of llama.cpp's softmax over the whole vocabulary after the last
//               prompt token (null where the probability underflowed to 0), and
//               "top": [[id, logprob] ×5]. With "stepwise" the prompt is fed one
//               token per evaluation (llama.cpp's decode path) instead of as
//               one batch (its prompt path).
//   generate:   {"tokens": [prompt ids], "ids": [generated], "margins": [per step:
//               log p(best) − log p(second)], "stoppedAtEog": bool, "text": "…"}
//
// A "prompt" is tokenized as `hearth logits --prompt` does: special tokens are
// not parsed, and BOS is prepended when the model's metadata asks for it.
//
// Settings that make llama.cpp's numbers comparable with a reference
// implementation: one thread, no flash attention, F32 K and V caches (F16,
// llama.cpp's default, when the job asks for it), a
// fresh sequence per request, and plain greedy decoding (temperature 0 gives
// llama.cpp's greedy sampler alone: no top-k/top-p/min-p, no repetition
// penalty, no token bias). Generation runs exactly n steps unless an
// end-of-generation token comes first; that token is included in "ids".
//
// llama.cpp chooses its CPU kernels for the machine it runs on (on an AMX
// Xeon the sapphirerapids build, whose AMX kernels take Q4_0/Q4_1/Q8_0/
// Q4_K/Q5_K/Q6_K/F16 weights); their rounding differs slightly from other
// builds', so exact agreement with a reference is a property of one machine.
//
// Errors that stop the whole job go to stderr with a non-zero exit status.
// llama.cpp's own log goes to stderr too, errors only unless ORACLE_LOG_LEVEL
// says otherwise (e.g. ORACLE_LOG_LEVEL=info shows the context settings).

import { getLlama, LlamaLogLevel } from "node-llama-cpp";

async function readStdin() {
    const chunks = [];
    for await (const chunk of process.stdin)
        chunks.push(chunk);
    return Buffer.concat(chunks).toString("utf8");
}

function logToStderr(level, message) {
    process.stderr.write(`[llama.cpp ${level}] ${message}\n`);
}

// promptTokens turns a request's "tokens" or "prompt" into token ids.
function promptTokens(model, nVocab, req) {
    if (Array.isArray(req.tokens)) {
        for (const t of req.tokens)
            if (!Number.isInteger(t) || t < 0 || t >= nVocab)
                throw new Error(`token ${JSON.stringify(t)} is not a token id of this model (vocabulary of ${nVocab})`);
        return req.tokens.slice();
    }
    if (typeof req.prompt !== "string")
        throw new Error(`request needs "tokens" (an array of ids) or "prompt" (a string)`);
    const ids = Array.from(model.tokenize(req.prompt, false));
    if (model.tokens.shouldPrependBosToken && model.tokens.bos != null)
        ids.unshift(model.tokens.bos);
    return ids;
}

// topEntries returns the k most probable entries of a probabilities map,
// which node-llama-cpp sorts from the most to the least probable.
function topEntries(probabilities, k) {
    const out = [];
    for (const entry of probabilities) {
        out.push(entry);
        if (out.length === k)
            break;
    }
    return out;
}

function logprobVector(probabilities, nVocab) {
    const out = new Array(nVocab).fill(null);
    for (const [token, p] of probabilities)
        out[token] = p > 0 ? Math.log(p) : null;
    return out;
}

class Oracle {
    constructor(llama, job) {
        this.llama = llama;
        this.job = job;
    }

    async open() {
        const job = this.job;
        if (typeof job.model !== "string" || job.model === "")
            throw new Error(`job needs "model", the path of a GGUF file`);
        const kvType = job.kvCacheType ?? "F32";
        if (kvType !== "F32" && kvType !== "F16")
            throw new Error(`kvCacheType ${JSON.stringify(kvType)}: want "F32" or "F16"`);
        this.model = await this.llama.loadModel({
            modelPath: job.model,
            vocabOnly: job.vocabOnly === true,
            gpuLayers: 0,
            defaultContextFlashAttention: false,
            experimentalDefaultContextKvCacheKeyType: kvType,
            experimentalDefaultContextKvCacheValueType: kvType
        });
        this.nVocab = this.vocabSize();
        if (!job.vocabOnly) {
            this.context = await this.model.createContext({
                contextSize: job.contextSize ?? 512,
                sequences: 1,
                threads: 1,
                flashAttention: false,
                experimentalKvCacheKeyType: kvType,
                experimentalKvCacheValueType: kvType,
                batchSize: job.contextSize ?? 512
            });
            this.sequence = this.context.getSequence();
        }
    }

    vocabSize() {
        // node-llama-cpp exposes the vocabulary through the file's metadata.
        const tokens = this.model.fileInfo.metadata?.tokenizer?.ggml?.tokens;
        if (!Array.isArray(tokens))
            throw new Error("the model has no tokenizer.ggml.tokens list");
        return tokens.length;
    }

    async close() {
        if (this.context != null)
            await this.context.dispose();
        await this.model.dispose();
    }

    needContext(op) {
        if (this.sequence == null)
            throw new Error(`"${op}" needs a full model; this job loaded the vocabulary only`);
    }

    async answer(req) {
        switch (req.op) {
            case "info":
                return this.info();
            case "tokenize": {
                if (typeof req.text !== "string")
                    throw new Error(`tokenize needs "text", a string`);
                const ids = Array.from(this.model.tokenize(req.text, req.parseSpecial === true));
                if (req.addBos === true && this.model.tokens.bos != null)
                    ids.unshift(this.model.tokens.bos);
                return { ids };
            }
            case "detokenize":
                if (!Array.isArray(req.ids))
                    throw new Error(`detokenize needs "ids", an array of token ids`);
                return { text: this.model.detokenize(req.ids, req.special === true) };
            case "logprobs":
                this.needContext(req.op);
                return this.logprobs(promptTokens(this.model, this.nVocab, req), req.stepwise === true);
            case "generate":
                this.needContext(req.op);
                return this.generate(promptTokens(this.model, this.nVocab, req), req.n);
            default:
                throw new Error(`unknown op ${JSON.stringify(req.op)} (want info, tokenize, detokenize, logprobs or generate)`);
        }
    }

    info() {
        const t = this.model.tokens;
        const eog = [];
        for (const id of [t.eos, t.eot, t.sep, t.nl, t.bos])
            if (id != null && this.model.isEogToken(id) && !eog.includes(id))
                eog.push(id);
        return { nVocab: this.nVocab, bos: t.bos, eos: t.eos, addBos: t.shouldPrependBosToken, eog };
    }

    // evaluation returns a generator that evaluates the prompt, then yields
    // greedy picks with the full probability distribution of each step.
    async evaluation(tokens) {
        if (tokens.length === 0)
            throw new Error("the prompt is empty");
        if (tokens.length >= this.context.contextSize)
            throw new Error(`prompt of ${tokens.length} tokens does not fit the context of ${this.context.contextSize}`);
        await this.sequence.clearHistory();
        return this.sequence.evaluateWithMetadata(tokens, { probabilities: true }, {
            temperature: 0,
            yieldEogToken: true
        });
    }

    async logprobs(tokens, stepwise) {
        const it = await this.evaluation(stepwise ? tokens.slice(0, 1) : tokens);
        let { value } = await it.next();
        // Passing a token to next() makes the generator evaluate it in
        // place of its own pick.
        for (let i = 1; stepwise && i < tokens.length; i++)
            ({ value } = await it.next(tokens[i]));
        await it.return();
        if (value.probabilities.size !== this.nVocab)
            throw new Error(`llama.cpp gave ${value.probabilities.size} probabilities for a vocabulary of ${this.nVocab}`);
        const logprobs = logprobVector(value.probabilities, this.nVocab);
        const top = topEntries(value.probabilities, 5).map(([id, p]) => [id, Math.log(p)]);
        return { tokens, logprobs, top };
    }

    async generate(tokens, n) {
        if (!Number.isInteger(n) || n <= 0)
            throw new Error(`generate needs "n", a positive number of tokens`);
        if (tokens.length + n > this.context.contextSize)
            throw new Error(`${tokens.length} prompt tokens + ${n} do not fit the context of ${this.context.contextSize}`);
        const it = await this.evaluation(tokens);
        const ids = [], margins = [];
        let stoppedAtEog = false;
        for (let step = 0; step < n; step++) {
            const { value, done } = await it.next();
            if (done)
                throw new Error(`llama.cpp stopped generating after ${step} tokens`);
            const [[best, p1], second] = topEntries(value.probabilities, 2);
            if (best !== value.token)
                throw new Error(`llama.cpp picked ${value.token} at step ${step} but ${best} is the most probable: not greedy`);
            ids.push(value.token);
            margins.push(second == null ? null : Math.log(p1) - Math.log(second[1]));
            if (this.model.isEogToken(value.token)) {
                stoppedAtEog = true;
                break;
            }
        }
        await it.return();
        return { tokens, ids, margins, stoppedAtEog, text: this.model.detokenize(ids, false) };
    }
}

async function runJob(llama, job) {
    const oracle = new Oracle(llama, job);
    await oracle.open();
    try {
        const answers = [];
        for (const req of job.requests ?? []) {
            try {
                answers.push(await oracle.answer(req));
            } catch (err) {
                answers.push({ error: String(err?.message ?? err) });
            }
        }
        return { answers };
    } finally {
        await oracle.close();
    }
}

async function main() {
    const input = JSON.parse(await readStdin());
    const llama = await getLlama({
        gpu: false,
        build: "never",
        logLevel: process.env.ORACLE_LOG_LEVEL ?? LlamaLogLevel.error,
        logger: logToStderr,
        progressLogs: false
    });
    const jobs = Array.isArray(input) ? input : [input];
    const results = [];
    for (const job of jobs)
        results.push(await runJob(llama, job));
    process.stdout.write(JSON.stringify(Array.isArray(input) ? results : results[0]));
    process.stdout.write("\n");
    await llama.dispose();
}

main().catch((err) => {
    process.stderr.write(`oracle: ${err?.stack ?? err}\n`);
    process.exit(1);
});
