package tokenizer

// oracleTexts are texts beyond the suites that exercise special tokens,
// whitespace handling around them, and the detokenizer's clean-up rules.
var oracleTexts = []string{
	"<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi there!<|im_end|>\n",
	"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>",
	"<s>[INST] What's up? [/INST]</s>",
	"<|user|>\n  Hello <|end|>\n<|assistant|>  ",
	"<bos><start_of_turn>user\nhi<end_of_turn>\n<|turn>model\n<turn|>",
	"[CLS] the [MASK] sat [SEP]",
	"<|START_OF_TURN_TOKEN|><|USER_TOKEN|>hi<|END_OF_TURN_TOKEN|>",
	"<fim_prefix>def f():<fim_suffix>\n    return 1<fim_middle>",
	"<｜begin▁of▁sentence｜>User: hi<｜end▁of▁sentence｜>",
	"<|endoftext|><|endoftext|>a<|endoftext|>",
	"text with <unk> and </s> inside",
	"Hello , world . Is it ? Yes ! I 'm sure you 're right , he 's here ' ok ' .",
	"don't can't won't y'all I'll we'd",
	"  leading and trailing  ",
	"tabs\tand\nnewlines\r\nand\u00a0nbsp\u3000ideographic",
	"emoji 👩‍👩‍👧‍👦 flags 🇫🇷🇯🇵 skin 👋🏿 keycap 1️⃣",
	"combining: a\u0301 e\u0308 \u0915\u093f \u0e01\u0e34",
	"numbers 1 12 123 1234 12345 ١٢٣ ½ ⅞ Ⅻ",
	"\u2ffc\u31ef\U0002ebf0 Unicode 15.1",
	"",
	" ",
	"\n",
	"▁already▁escaped Ġbyte Ċlevel",
}
