// ChatTemplate: turns a conversation into the prompt text a chat model was trained on.
//
// The model's tokenizer.chat_template (a Jinja template) is not interpreted; it is recognised as
// one of the known formats by its marker strings and rendered by built-in code:
//   chatml        <|im_start|>role\n...<|im_end|>\n                 (Qwen, many others)
//   llama3        <|start_header_id|>role<|end_header_id|>\n\n...<|eot_id|>
//   llama2        [INST] <<SYS>>\n...\n<</SYS>>\n\n... [/INST] ... </s><s>[INST] ...
//   mistral       [INST] ... [/INST]...</s>[INST] ...                  (system folded into user)
//   phi3          <|system|>\n...<|end|>\n<|user|>\n...<|end|>\n<|assistant|>\n
//   gemma         <start_of_turn>user\n...<end_of_turn>\n<start_of_turn>model\n
//   deepseek-llm  S\n\nUser: ...\n\nAssistant: ...<｜end▁of▁sentence｜>   (also DeepSeek V2)
//   deepseek3     S<｜User｜>...<｜Assistant｜>...<｜end▁of▁sentence｜>      (DeepSeek V3)
//   deepseek-r1   as deepseek3, earlier answers cut after </think>, and the generation prompt
//                 opens the reasoning: <｜Assistant｜><think>\n         (R1 and its distills)
// An unrecognised template falls back to chatml and says so in warning().
//
// The one thing to know: render() leaves out the leading BOS (the tokenizer adds it, as the
// model's add_bos_token says) and writes special tokens as text, so the prompt must be tokenized
// with encode(prompt, /*add_special=*/true, /*parse_special=*/true) -- or, better, with
// ChatTemplate::encode, which does that but keeps special-token text inside message contents
// (user input, retrieved documents) as plain text, so a document cannot inject "<|im_start|>".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lantern/engine/tokenizer.h"
#include "lantern/status.h"

namespace lantern::engine {

class GgufFile;

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant" (other roles render as "user" where a
                     // format has no way to name them)
  std::string content;
};

enum class ChatFormat { kChatMl, kLlama3, kLlama2, kMistral, kPhi3, kGemma, kDeepseekLlm, kDeepseek3, kDeepseekR1 };

class ChatTemplate {
 public:
  ChatTemplate();  // chatml

  // tokenizer.chat_template of the file, recognised with detect(). A file without a template gets
  // a format guessed from its vocabulary's marker tokens, else chatml with a warning. Fails only
  // when the key holds a non-string.
  static Result<ChatTemplate> from_gguf(const GgufFile& file);
  // By name, for --template NAME: the names listed above plus aliases (qwen, qwen2, llama-3,
  // llama-2, phi-3, deepseek2, deepseek-v2, deepseek-v3, r1). Unknown: kInvalidArgument listing
  // the known names.
  static Result<ChatTemplate> from_name(std::string_view name);
  // Recognises a Jinja template's text; unknown or empty text gives chatml with a warning.
  static ChatTemplate detect(std::string_view template_text);
  static std::vector<std::string> known_names();

  // The prompt for `messages`; with add_generation_prompt it ends with the opening of an
  // assistant turn, ready for generation.
  std::string render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const;
  // render() plus where the message contents are in it (sorted byte ranges of the prompt).
  std::string render(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                     std::vector<TextSpan>* contents) const;
  // The prompt's token ids: BOS as the model says, the template's special tokens as single ids,
  // and the messages' contents as plain text even where they spell a special token.
  std::vector<int32_t> encode(const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages,
                              bool add_generation_prompt) const;

  const std::string& name() const { return name_; }
  ChatFormat format() const { return format_; }
  // Token text that closes a turn in this format ("<|im_end|>", "<|eot_id|>").
  const std::string& end_of_turn() const { return end_of_turn_; }
  // Texts at which generation should stop (the end-of-turn text among them).
  const std::vector<std::string>& stop_strings() const { return stop_strings_; }
  // Text the generation prompt already put inside the assistant's answer ("<think>\n" for
  // deepseek-r1): the model's output continues it. "" for other formats.
  const std::string& assistant_prefix() const { return assistant_prefix_; }
  // Set when the format was a fallback ("unrecognised chat template: using chatml").
  const std::string& warning() const { return warning_; }

 private:
  explicit ChatTemplate(ChatFormat format);
  ChatFormat format_;
  std::string name_;
  std::string end_of_turn_;
  std::vector<std::string> stop_strings_;
  std::string assistant_prefix_;
  std::string default_system_;  // Qwen2.5 templates add one when the conversation has none
  std::string warning_;
};

}  // namespace lantern::engine
