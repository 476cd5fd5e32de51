// A real GGUF model (llama architecture, SentencePiece-style vocabulary) whose greedy output is
// a script: every transformer weight is zero and the embeddings are one-hot, so the logits depend
// only on the current token, and the output matrix maps each token to the next one. Any token not
// in the script leads to the script's first piece; the last piece leads to </s>.
//
// Used by the answer-pipeline tests to make a real engine produce known text ("[1][9]" to test
// citation flagging, "</think>" to test reasoning separation) through the real load, tokenizer,
// chat template, KV cache, sampler and stop handling — no stand-in for any of them.
#pragma once

#include <string>
#include <vector>

#include "lantern/status.h"

namespace lantern::app::testing {

// `script`: normal vocabulary pieces (no spaces or newlines), generated in this order after any
// prompt, then end of text. `chat_template` becomes tokenizer.chat_template ("" for none: chatml).
// The vocabulary also has "▁" (a space) so English prompts cost about one token per character.
// Writes the model to `path`.
// `control` adds control tokens (e.g. "<|im_start|>", "<|im_end|>") to the vocabulary.
Status write_scripted_model(const std::string& path, const std::vector<std::string>& script, int n_ctx = 4096,
                            const std::string& chat_template = "", const std::vector<std::string>& control = {});

}  // namespace lantern::app::testing
