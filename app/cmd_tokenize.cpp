// `lantern tokenize`: print the token ids of a text, as the model's own tokenizer makes them.
//
// The one thing to know: only the GGUF metadata is read (the file is memory-mapped, weights are
// never touched), so this is fast even for a 40 GB model. Pieces are raw token bytes; they go
// through ui::sanitize only when stdout is a terminal, so pipes get the exact bytes.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "command.h"
#include "lantern/engine/gguf.h"
#include "lantern/engine/model_store.h"
#include "lantern/engine/tokenizer.h"
#include "lantern/ui/sanitize.h"

namespace lantern::app {
namespace {

Result<std::string> read_input(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::from_errno("open '" + path + "'", errno);
  ss << f.rdbuf();
  if (f.bad()) return Status::io_error("read '" + path + "' failed");
  return ss.str();
}

int run_tokenize(Context& ctx) {
  const auto& args = ctx.args;
  if (!args.positional.empty()) return usage_error(ctx, "unexpected argument '" + args.positional.front() + "'");
  const auto model = args.get("model");
  if (!model) return usage_error(ctx, "-m MODEL is required");
  if (args.has("text") == args.has("file")) return usage_error(ctx, "give exactly one of --text T or -f FILE");

  std::string text;
  if (args.has("text")) {
    text = *args.get("text");
  } else {
    auto in = read_input(*args.get("file"));
    if (!in.ok()) return runtime_error(ctx, in.status());
    text = std::move(in).value();
  }

  auto path = engine::resolve_model(*model, ctx.home);
  if (!path.ok()) return runtime_error(ctx, path.status());
  auto file = engine::GgufFile::open(*path);
  if (!file.ok()) return runtime_error(ctx, file.status());
  auto tok = engine::Tokenizer::from_gguf(**file);
  if (!tok.ok()) return runtime_error(ctx, tok.status());
  const engine::Tokenizer& t = **tok;
  if (!ctx.quiet) {
    for (const auto& w : t.warnings()) std::fprintf(stderr, "lantern: tokenize: warning: %s\n", ui::sanitize(w).c_str());
  }

  const std::vector<int32_t> ids = t.encode(text, /*add_special=*/!args.has("no-bos"), args.has("special"));
  std::string out;
  if (args.has("pieces")) {
    for (int32_t id : ids) {
      const std::string piece = t.token_piece(id);
      out += std::to_string(id) + "\t" + (ctx.raw_output ? piece : ui::sanitize(piece)) + "\n";
    }
  } else {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i) out.push_back(' ');
      out += std::to_string(ids[i]);
    }
    out.push_back('\n');
  }
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
    return runtime_error(ctx, Status::from_errno("write to stdout", errno));
  }
  return kExitOk;
}

}  // namespace

extern const CommandSpec kCmdTokenize = {
    "tokenize",
    "print the token ids of a text",
    "tokenize -m MODEL (--text T | -f FILE) [--no-bos] [--special] [--pieces]",
    "Tokenizes the text with the model's own tokenizer (SentencePiece, byte-level BPE with the model's "
    "pre-tokenizer, or WordPiece, from the GGUF metadata; the weights are not loaded) and prints the ids on "
    "one line, separated by spaces. BOS/EOS are added as the model's metadata says unless --no-bos. Special "
    "tokens written in the text (<|im_start|>) are recognised only with --special. -f - reads standard input.",
    {
        {"model", 'm', "MODEL", "a GGUF path, a file name in <home>/models, or an Ollama name:tag"},
        {"text", 0, "T", "the text to tokenize"},
        {"file", 'f', "FILE", "read the text from FILE ('-' for standard input)"},
        {"no-bos", 0, "", "add no BOS/EOS tokens"},
        {"special", 0, "", "parse special tokens written in the text"},
        {"pieces", 0, "", "print one 'id<TAB>piece' line per token instead"},
    },
    run_tokenize,
};

}  // namespace lantern::app
