// ChatTemplate: recognition of tokenizer.chat_template and built-in rendering of each format.
//
// The formats are facts about the models, taken from their published chat templates (the
// expected strings in tests/engine/chat_template_test.cpp spell each one out). The one thing to
// know before adding a format: recognition goes by marker strings, most specific first
// (<｜Assistant｜> before [INST], the R1 check for "think" before plain DeepSeek V3); add the new
// markers where they cannot shadow an existing format.
#include "lantern/engine/chat_template.h"

#include <algorithm>

#include "lantern/engine/gguf.h"

namespace lantern::engine {

namespace {

struct FormatInfo {
  ChatFormat format;
  const char* name;
  const char* end_of_turn;
  std::vector<std::string> stops;
};

const std::vector<FormatInfo>& formats() {
  static const std::vector<FormatInfo> table = {
      {ChatFormat::kChatMl, "chatml", "<|im_end|>", {"<|im_end|>", "<|endoftext|>"}},
      {ChatFormat::kLlama3, "llama3", "<|eot_id|>", {"<|eot_id|>", "<|eom_id|>", "<|end_of_text|>"}},
      {ChatFormat::kLlama2, "llama2", "</s>", {"</s>"}},
      {ChatFormat::kMistral, "mistral", "</s>", {"</s>"}},
      {ChatFormat::kPhi3, "phi3", "<|end|>", {"<|end|>", "<|endoftext|>"}},
      {ChatFormat::kGemma, "gemma", "<end_of_turn>", {"<end_of_turn>"}},
      {ChatFormat::kDeepseekLlm, "deepseek-llm", "<｜end▁of▁sentence｜>", {"<｜end▁of▁sentence｜>"}},
      {ChatFormat::kDeepseek3, "deepseek3", "<｜end▁of▁sentence｜>", {"<｜end▁of▁sentence｜>", "<｜User｜>"}},
      {ChatFormat::kDeepseekR1, "deepseek-r1", "<｜end▁of▁sentence｜>", {"<｜end▁of▁sentence｜>", "<｜User｜>"}},
  };
  return table;
}

const FormatInfo& info(ChatFormat f) {
  for (const auto& i : formats()) {
    if (i.format == f) return i;
  }
  return formats().front();
}

struct Alias {
  const char* name;
  ChatFormat format;
};

const Alias kAliases[] = {
    {"qwen", ChatFormat::kChatMl},          {"qwen2", ChatFormat::kChatMl},
    {"llama-3", ChatFormat::kLlama3},       {"llama-2", ChatFormat::kLlama2},
    {"phi-3", ChatFormat::kPhi3},           {"deepseek2", ChatFormat::kDeepseekLlm},
    {"deepseek-v2", ChatFormat::kDeepseekLlm}, {"deepseek-v3", ChatFormat::kDeepseek3},
    {"r1", ChatFormat::kDeepseekR1},
};

const char* const kQwenDefaultSystem = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

bool has(std::string_view text, std::string_view marker) { return text.find(marker) != std::string_view::npos; }

std::string trim(std::string_view s) {
  const char* ws = " \t\n\r\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

// The format a template's text is written for, or false when none matches.
bool recognise(std::string_view t, ChatFormat* out) {
  if (has(t, "<|im_start|>")) {
    *out = ChatFormat::kChatMl;
  } else if (has(t, "<｜Assistant｜>")) {
    *out = has(t, "</think>") || has(t, "<think>") ? ChatFormat::kDeepseekR1 : ChatFormat::kDeepseek3;
  } else if (has(t, "<|start_header_id|>") && has(t, "<|end_header_id|>")) {
    *out = ChatFormat::kLlama3;
  } else if (has(t, "<|assistant|>") && has(t, "<|end|>")) {
    *out = ChatFormat::kPhi3;
  } else if (has(t, "<start_of_turn>")) {
    *out = ChatFormat::kGemma;
  } else if (has(t, "[INST]")) {
    *out = has(t, "<<SYS>>") ? ChatFormat::kLlama2 : ChatFormat::kMistral;
  } else if (has(t, "User: ") && has(t, "Assistant:")) {
    *out = ChatFormat::kDeepseekLlm;
  } else {
    return false;
  }
  return true;
}

std::string join_system(const std::vector<ChatMessage>& messages) {
  std::string s;
  for (const auto& m : messages) {
    if (m.role != "system") continue;
    if (!s.empty()) s += "\n\n";
    s += m.content;
  }
  return s;
}

// DeepSeek-R1 templates keep only the final answer of earlier assistant turns.
std::string after_think(const std::string& content) {
  const size_t p = content.rfind("</think>");
  return p == std::string::npos ? content : content.substr(p + 8);
}

}  // namespace

ChatTemplate::ChatTemplate() : ChatTemplate(ChatFormat::kChatMl) {}

ChatTemplate::ChatTemplate(ChatFormat format) : format_(format) {
  const FormatInfo& i = info(format);
  name_ = i.name;
  end_of_turn_ = i.end_of_turn;
  stop_strings_ = i.stops;
  if (format == ChatFormat::kDeepseekR1) assistant_prefix_ = "<think>\n";
}

std::vector<std::string> ChatTemplate::known_names() {
  std::vector<std::string> names;
  for (const auto& i : formats()) names.emplace_back(i.name);
  return names;
}

Result<ChatTemplate> ChatTemplate::from_name(std::string_view name) {
  for (const auto& i : formats()) {
    if (name == i.name) return ChatTemplate(i.format);
  }
  for (const auto& a : kAliases) {
    if (name == a.name) return ChatTemplate(a.format);
  }
  std::string known;
  for (const auto& n : known_names()) known += (known.empty() ? "" : ", ") + n;
  return Status::invalid_argument("unknown chat template '" + std::string(name) + "' (known: " + known + ")");
}

ChatTemplate ChatTemplate::detect(std::string_view template_text) {
  ChatFormat f = ChatFormat::kChatMl;
  if (!recognise(template_text, &f)) {
    ChatTemplate t(ChatFormat::kChatMl);
    t.warning_ = template_text.empty() ? "the model has no chat template: using chatml"
                                       : "unrecognised chat template: using chatml";
    return t;
  }
  ChatTemplate t(f);
  if (f == ChatFormat::kChatMl && has(template_text, kQwenDefaultSystem)) t.default_system_ = kQwenDefaultSystem;
  return t;
}

Result<ChatTemplate> ChatTemplate::from_gguf(const GgufFile& file) {
  LT_ASSIGN_OR_RETURN(std::string_view text, file.get_string_or("tokenizer.chat_template", ""));
  if (!text.empty()) return detect(text);
  // No template: the vocabulary's marker tokens usually say which format the model was tuned on.
  if (file.has("tokenizer.ggml.tokens")) {
    LT_ASSIGN_OR_RETURN(auto tokens, file.get_string_array("tokenizer.ggml.tokens"));
    auto in_vocab = [&](std::string_view t) { return std::find(tokens.begin(), tokens.end(), t) != tokens.end(); };
    const std::pair<const char*, ChatFormat> markers[] = {
        {"<|im_start|>", ChatFormat::kChatMl},      {"<|start_header_id|>", ChatFormat::kLlama3},
        {"<｜Assistant｜>", ChatFormat::kDeepseek3}, {"<start_of_turn>", ChatFormat::kGemma},
        {"<|assistant|>", ChatFormat::kPhi3},
    };
    for (const auto& [marker, format] : markers) {
      if (in_vocab(marker)) {
        ChatTemplate t(format);
        t.warning_ = std::string("the model has no chat template: using ") + t.name_ + " (its vocabulary has " +
                     marker + ")";
        return t;
      }
    }
  }
  return detect("");
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const {
  return render(messages, add_generation_prompt, nullptr);
}

std::vector<int32_t> ChatTemplate::encode(const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages,
                                          bool add_generation_prompt) const {
  std::vector<TextSpan> contents;
  const std::string prompt = render(messages, add_generation_prompt, &contents);
  return tokenizer.encode(prompt, /*add_special=*/true, /*parse_special=*/true, contents);
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                                 std::vector<TextSpan>* contents) const {
  std::string out;
  // lit: template text (may hold special tokens); con: message content (never special).
  auto lit = [&](std::string_view s) { out.append(s); };
  auto con = [&](std::string_view s) {
    if (s.empty()) return;
    if (contents) contents->push_back({out.size(), out.size() + s.size()});
    out.append(s);
  };
  switch (format_) {
    case ChatFormat::kChatMl: {
      const bool has_system = !messages.empty() && messages.front().role == "system";
      if (!has_system && !default_system_.empty()) lit("<|im_start|>system\n" + default_system_ + "<|im_end|>\n");
      for (const auto& m : messages) {
        lit("<|im_start|>");
        con(m.role);
        lit("\n");
        con(m.content);
        lit("<|im_end|>\n");
      }
      if (add_generation_prompt) lit("<|im_start|>assistant\n");
      break;
    }
    case ChatFormat::kLlama3:
      for (const auto& m : messages) {
        lit("<|start_header_id|>");
        con(m.role);
        lit("<|end_header_id|>\n\n");
        con(trim(m.content));
        lit("<|eot_id|>");
      }
      if (add_generation_prompt) lit("<|start_header_id|>assistant<|end_header_id|>\n\n");
      break;
    case ChatFormat::kLlama2: {
      const std::string sys = join_system(messages);
      bool first = true;
      for (const auto& m : messages) {
        if (m.role == "system") continue;
        if (m.role == "assistant") {
          lit(" ");
          con(trim(m.content));
          lit(" </s>");
          continue;
        }
        lit(first ? "[INST] " : "<s>[INST] ");
        if (first && !sys.empty()) {
          lit("<<SYS>>\n");
          con(sys);
          lit("\n<</SYS>>\n\n");
        }
        con(trim(m.content));
        lit(" [/INST]");
        first = false;
      }
      break;
    }
    case ChatFormat::kMistral: {
      const std::string sys = join_system(messages);
      bool first = true;
      for (const auto& m : messages) {
        if (m.role == "system") continue;
        if (m.role == "assistant") {
          con(m.content);
          lit("</s>");
          continue;
        }
        lit("[INST] ");
        if (first && !sys.empty()) {
          con(sys);
          lit("\n\n");
        }
        con(m.content);
        lit(" [/INST]");
        first = false;
      }
      break;
    }
    case ChatFormat::kPhi3:
      for (const auto& m : messages) {
        lit("<|");
        con(m.role);
        lit("|>\n");
        con(m.content);
        lit("<|end|>\n");
      }
      if (add_generation_prompt) lit("<|assistant|>\n");
      break;
    case ChatFormat::kGemma: {
      const std::string sys = join_system(messages);
      bool first = true;
      for (const auto& m : messages) {
        if (m.role == "system") continue;
        const bool model = m.role == "assistant";
        lit(model ? "<start_of_turn>model\n" : "<start_of_turn>user\n");
        if (!model && first && !sys.empty()) {
          con(sys);
          lit("\n\n");
        }
        if (!model) first = false;
        con(trim(m.content));
        lit("<end_of_turn>\n");
      }
      if (add_generation_prompt) lit("<start_of_turn>model\n");
      break;
    }
    case ChatFormat::kDeepseekLlm:
      for (const auto& m : messages) {
        if (m.role == "system") {
          con(m.content);
          lit("\n\n");
        } else if (m.role == "assistant") {
          lit("Assistant: ");
          con(m.content);
          lit("<｜end▁of▁sentence｜>");
        } else {
          lit("User: ");
          con(m.content);
          lit("\n\n");
        }
      }
      if (add_generation_prompt) lit("Assistant:");
      break;
    case ChatFormat::kDeepseek3:
    case ChatFormat::kDeepseekR1: {
      const bool r1 = format_ == ChatFormat::kDeepseekR1;
      con(join_system(messages));
      for (const auto& m : messages) {
        if (m.role == "system") continue;
        if (m.role == "assistant") {
          lit("<｜Assistant｜>");
          con(r1 ? after_think(m.content) : m.content);
          lit("<｜end▁of▁sentence｜>");
        } else {
          lit("<｜User｜>");
          con(m.content);
        }
      }
      if (add_generation_prompt) lit(r1 ? "<｜Assistant｜><think>\n" : "<｜Assistant｜>");
      break;
    }
  }
  return out;
}

}  // namespace lantern::engine
