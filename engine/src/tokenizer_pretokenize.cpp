// PreTokenizer: the regex sets that split text into words before byte-level BPE, selected by
// tokenizer.ggml.pre.
//
// The regexes are facts about the models (they come from each model's tokenizer.json, in the
// form the reference GGUF runtime applies them). How a set is applied: regex 1 splits the text;
// regex 2 splits each piece of that, and so on. Within a piece, every match is a word and the
// text between matches is a word too; a piece is matched in isolation, so a lookahead such as
// `\s+(?!\S)` cannot see past the end of its piece.
// The one thing to know: PCRE2 runs with UTF + UCP, so \s, \p{L}, \p{N} are full Unicode; `$`
// means end of piece only (DOLLAR_ENDONLY); the input must be valid UTF-8 (the caller ensures
// it), which lets matching skip the UTF check.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdlib>
#include <string>

#include "tokenizer_internal.h"

namespace lantern::engine::tok {

struct PreTokenizer::Regex {
  pcre2_code* code = nullptr;
  bool jit = false;
};

namespace {

// GPT-2: contractions, optional-space letter/number/other runs, trailing whitespace.
const char* const kGpt2 = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";
// Llama 3 (tiktoken cl100k style): case-insensitive contractions, numbers in groups of three.
const char* const kLlama3 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Qwen2 (and the DeepSeek-R1 Qwen distills): as Llama 3 but single digits.
const char* const kQwen2 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

struct RegexSet {
  const char* name;
  std::vector<std::string> regexes;
};

const std::vector<RegexSet>& regex_sets() {
  static const std::vector<RegexSet> sets = {
      {"gpt-2", {kGpt2}},
      {"llama3", {kLlama3}},
      {"qwen2", {kQwen2}},
      {"deepseek-llm",
       {
           "[\r\n]",
           // Letters of the scripts deepseek-llm's tokenizer.json lists explicitly (escaped: several
           // are singletons that Unicode normalisation of the source would silently change).
           "\\s?[A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}"
           "\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}"
           "\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}"
           "\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}"
           "\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}"
           "\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}"
           "\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}"
           "\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}"
           "\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}"
           "\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}"
           "\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}"
           "\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}"
           "\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}"
           "\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}"
           "\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}"
           "\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}"
           "\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}"
           "\\x{1E900}-\\x{1E943}]+",
           "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
           "\\s+$",
           "[一-龥ࠀ-一가-퟿]+",
           "\\p{N}+",
       }},
      {"deepseek-coder",
       {
           "[\r\n]",
           "\\s?\\p{L}+",
           "\\s?\\p{P}+",
           "[一-龥ࠀ-一가-퟿]+",
           "\\p{N}",
       }},
      {"deepseek-v3",
       {
           "\\p{N}{1,3}",
           "[一-龥぀-ゟ゠-ヿ]+",
           "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| "
           "?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
       }},
      {"falcon",
       {
           "[\\p{P}\\$\\+<=>\\^~\\|`]+",
           kGpt2,
           "[0-9][0-9][0-9]",
       }},
      {"starcoder", {"\\p{N}", kGpt2}},
  };
  return sets;
}

// tokenizer.ggml.pre names -> the set above.
const char* canonical_name(const std::string& pre) {
  if (pre.empty() || pre == "default" || pre == "gpt-2" || pre == "gpt2" || pre == "mpt" || pre == "phi-2" ||
      pre == "olmo" || pre == "jais") {
    return "gpt-2";
  }
  if (pre == "llama3" || pre == "llama-v3" || pre == "llama-bpe" || pre == "falcon3" || pre == "dbrx" ||
      pre == "smaug-bpe") {
    return "llama3";
  }
  if (pre == "qwen2" || pre == "deepseek-r1-qwen" || pre == "stablelm2") return "qwen2";
  if (pre == "deepseek-llm") return "deepseek-llm";
  if (pre == "deepseek-coder") return "deepseek-coder";
  if (pre == "deepseek-v3") return "deepseek-v3";
  if (pre == "falcon") return "falcon";
  if (pre == "starcoder" || pre == "refact" || pre == "smollm" || pre == "codeshell" || pre == "command-r") {
    return "starcoder";
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<PreTokenizer> PreTokenizer::create(const std::string& pre, bool* known, std::string* canonical) {
  const char* name = canonical_name(pre);
  *known = name != nullptr;
  if (!name) name = "gpt-2";
  *canonical = name;
  const RegexSet* set = nullptr;
  for (const auto& s : regex_sets()) {
    if (std::string_view(s.name) == name) set = &s;
  }
  std::unique_ptr<PreTokenizer> p(new PreTokenizer());
  for (const auto& pattern : set->regexes) {
    int err = 0;
    PCRE2_SIZE err_off = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &err, &err_off, nullptr);
    if (!code) return nullptr;  // the patterns are constants: a failure is a bug, reported by the caller
    // LANTERN_NO_PCRE2_JIT=1 runs the interpreter: valgrind cannot follow JIT-generated code and
    // reports its reads as uninitialised (the memcheck pass in .ci/run sets it).
    static const bool no_jit = [] {
      const char* v = std::getenv("LANTERN_NO_PCRE2_JIT");
      return v != nullptr && *v != '\0' && *v != '0';
    }();
    auto* r = new Regex{code, !no_jit && pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0};
    p->regexes_.push_back(r);
  }
  return p;
}

PreTokenizer::~PreTokenizer() {
  for (Regex* r : regexes_) {
    pcre2_code_free(r->code);
    delete r;
  }
}

namespace {

// Per-call PCRE2 state: match data sized for the largest pattern and a JIT stack big enough for
// long runs (the default 32 KiB machine stack is not).
struct MatchState {
  pcre2_match_data* md = nullptr;
  pcre2_match_context* mctx = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;
  MatchState() {
    md = pcre2_match_data_create(4, nullptr);
    mctx = pcre2_match_context_create(nullptr);
    jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);
    if (mctx && jit_stack) pcre2_jit_stack_assign(mctx, nullptr, jit_stack);
  }
  ~MatchState() {
    if (jit_stack) pcre2_jit_stack_free(jit_stack);
    if (mctx) pcre2_match_context_free(mctx);
    if (md) pcre2_match_data_free(md);
  }
};

}  // namespace

std::vector<std::string_view> PreTokenizer::split(std::string_view text) const {
  std::vector<std::string_view> pieces;
  if (text.empty()) return pieces;
  pieces.push_back(text);
  MatchState st;
  std::vector<std::string_view> next;
  for (const Regex* re : regexes_) {
    next.clear();
    next.reserve(pieces.size() * 2);
    for (std::string_view piece : pieces) {
      const auto* subject = reinterpret_cast<PCRE2_SPTR>(piece.data());
      size_t pos = 0;      // where the next search starts
      size_t emitted = 0;  // end of what has been emitted so far
      while (pos < piece.size()) {
        const int rc = pcre2_match(re->code, subject, piece.size(), pos, PCRE2_NO_UTF_CHECK, st.md, st.mctx);
        if (rc < 0) break;  // no match (or a matching limit): the rest is one piece
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(st.md);
        const size_t mstart = ov[0];
        size_t mend = ov[1];
        if (mend == mstart) {
          // None of the patterns can match empty; step over one character to be safe.
          mend = mstart + utf8_seq_len(static_cast<uint8_t>(piece[mstart]));
          if (mend > piece.size()) mend = piece.size();
        }
        if (mstart > emitted) next.push_back(piece.substr(emitted, mstart - emitted));
        next.push_back(piece.substr(mstart, mend - mstart));
        emitted = mend;
        pos = mend;
      }
      if (emitted < piece.size()) next.push_back(piece.substr(emitted));
    }
    pieces.swap(next);
  }
  return pieces;
}

}  // namespace lantern::engine::tok
