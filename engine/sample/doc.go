// Package sample turns a vector of logits (one float32 per vocabulary entry)
// into the next token id, the way llama.cpp's default sampler chain does.
//
// # Stages
//
// Sample applies, in this order (llama.cpp's common_sampler default order,
// minus the stages it leaves off by default: DRY, typical-p, XTC, top-n-σ):
//
//  1. logit bias: Config.LogitBias plus SetBias/Ban, added to the logits
//     (-Inf bans a token, +Inf forces it);
//  2. penalties over the last RepeatLastN tokens of history: a repeated
//     token's logit is divided by RepeatPenalty when positive and multiplied
//     by it otherwise, then count·FrequencyPenalty + PresencePenalty is
//     subtracted (count = occurrences inside the window);
//  3. top-k: keep the K highest logits;
//  4. top-p (nucleus): keep the smallest best-first prefix whose softmax
//     mass reaches P;
//  5. min-p: keep tokens whose probability is at least MinP times the best
//     token's;
//  6. temperature: divide the surviving logits by Temperature;
//  7. draw: softmax over the survivors and pick one with a uniform number
//     from the sampler's random generator.
//
// Truncation happens before temperature, as in llama.cpp, so top-p and min-p
// see the untempered distribution. With Temperature <= 0 the sampler is
// greedy: the result is the argmax after stages 1 and 2 (top-k, top-p and
// min-p always keep the argmax, so they cannot change it) and no random
// number is drawn.
//
// # Ties and order
//
// Candidates are ordered by logit, highest first, and equal logits by token
// id, lowest first. So greedy ties go to the lowest id, and a top-k boundary
// that falls inside a run of equal logits keeps the lowest ids (llama.cpp
// leaves that case to std::partial_sort). The draw walks the candidates in
// the same order as llama.cpp: by id while no stage has sorted them, best
// first once top-k or top-p has.
//
// # Random numbers
//
// The generator is MT19937, the 32-bit Mersenne Twister of C++'s
// std::mt19937, and a uniform draw is built from two of its outputs exactly
// as libstdc++'s std::uniform_real_distribution<double> does. That is the
// generator llama.cpp's dist sampler uses, so a seed below 2^32 produces the
// same stream of uniforms as llama.cpp with that --seed, on every machine
// (the arithmetic is integer and IEEE double only). Seeds of 2^32 and above
// seed the twister with init_by_array over the seed's two 32-bit halves, so
// every uint64 seed gives its own stream. Unlike llama.cpp, seed 0xFFFFFFFF
// is an ordinary seed, not "pick one at random".
//
// # Allocation
//
// A Sampler owns scratch buffers sized to the vocabulary. They are allocated
// by Prepare or by the first Sample call; later calls with the same
// vocabulary size allocate nothing. A Sampler is not safe for concurrent use.
package sample
