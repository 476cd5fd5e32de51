// Splits text into index/query tokens: see text_tokenizer.h for the scheme.
//
// Hot path at import time (every CJK character yields two tokens): ASCII and the common 2- and
// 3-byte UTF-8 forms are decoded without utf8proc, tokens are built in one reused buffer, and a
// CJK bigram with no compatibility character is the input's own bytes (NFKC leaves it as is). Only
// non-ASCII words and compatibility CJK characters pay for utf8proc_map (which allocates).
// tests/kb/text_fast_path_test.cpp checks that these fast paths give exactly the tokens of the
// plain path (a copy of it lives there as the reference).
#include "text_tokenizer.h"

#include <utf8proc.h>

#include <cstdlib>
#include <cstring>

#include "porter_stemmer.h"

namespace lantern::kb {
namespace {

enum class CharClass { kSep, kWord, kCjk };

bool is_cjk(int32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) ||    // CJK unified ideographs
         (cp >= 0x3400 && cp <= 0x4DBF) ||    // extension A
         (cp >= 0x20000 && cp <= 0x3134F) ||  // extensions B-G and compatibility supplement
         (cp >= 0xF900 && cp <= 0xFAFF) ||    // compatibility ideographs
         (cp >= 0x2E80 && cp <= 0x2FDF) ||    // radicals, Kangxi radicals
         (cp >= 0x3005 && cp <= 0x3007) ||    // 々 〆 〇
         (cp >= 0x3040 && cp <= 0x30FF) ||    // hiragana, katakana
         (cp >= 0x31F0 && cp <= 0x31FF) ||    // katakana phonetic extensions
         (cp >= 0xFF66 && cp <= 0xFF9F) ||    // halfwidth katakana
         (cp >= 0xAC00 && cp <= 0xD7AF) ||    // Hangul syllables
         (cp >= 0x1100 && cp <= 0x11FF) ||    // Hangul jamo
         (cp >= 0x3130 && cp <= 0x318F);      // Hangul compatibility jamo
}

// CJK characters that NFKC changes (compatibility forms): everything else maps to itself.
bool cjk_needs_nfkc(int32_t cp) {
  return (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F) || (cp >= 0x2E80 && cp <= 0x2FDF) ||
         (cp >= 0xFF66 && cp <= 0xFF9F);
}

CharClass classify(int32_t cp) {
  if (cp < 0x80) {
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) return CharClass::kWord;
    return CharClass::kSep;
  }
  if (is_cjk(cp)) return CharClass::kCjk;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return CharClass::kWord;
    default:
      return CharClass::kSep;
  }
}

bool is_word_cp(int32_t cp) { return classify(cp) == CharClass::kWord; }

// Decodes one code point at text[i]; sets *len (>= 1). Invalid bytes decode as -1, length 1.
int32_t decode(std::string_view text, size_t i, size_t* len) {
  auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  // Fast paths for forms that are valid whenever their continuation bytes are: 2-byte leads
  // C2..DF, and 3-byte leads other than E0 (overlongs) and ED (surrogates). The rest goes to
  // utf8proc_iterate, whose rules these agree with.
  auto cont = [&](size_t k) { return k < text.size() && (static_cast<unsigned char>(text[k]) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF && cont(i + 1)) {
    *len = 2;
    return static_cast<int32_t>(((c & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F));
  }
  if (c >= 0xE1 && c <= 0xEF && c != 0xED && cont(i + 1) && cont(i + 2)) {
    *len = 3;
    return static_cast<int32_t>(((c & 0x0F) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3F) << 6) |
                                (static_cast<unsigned char>(text[i + 2]) & 0x3F));
  }
  utf8proc_int32_t cp = -1;
  utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                                        static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
  if (n <= 0) {
    *len = 1;
    return -1;
  }
  *len = static_cast<size_t>(n);
  return cp;
}

// NFKC + case fold + compose of a UTF-8 string; on failure the input unchanged.
std::string nfkc_casefold(std::string_view s) {
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                    static_cast<utf8proc_ssize_t>(s.size()), &out,
                                    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                                                   UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
  if (n < 0) return std::string(s);
  std::string r(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  std::free(out);
  return r;
}

void truncate_token(std::string& t) {
  if (t.size() <= kMaxTokenBytes) return;
  size_t cut = kMaxTokenBytes;
  while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80) --cut;
  t.resize(cut);
}

class Splitter {
 public:
  Splitter(std::string_view text, TokenizeMode mode, const TokenizerOptions& options, void* ctx, TokenSink sink)
      : text_(text), mode_(mode), options_(options), ctx_(ctx), sink_(sink) {}

  int run() {
    size_t i = 0;
    while (i < text_.size()) {
      size_t len = 0;
      int32_t cp = decode(text_, i, &len);
      CharClass cls = cp < 0 ? CharClass::kSep : classify(cp);
      if (cls == CharClass::kSep) {
        i += len;
        continue;
      }
      size_t run_start = i;
      size_t j = i + len;
      if (cls == CharClass::kWord) {
        while (j < text_.size()) {
          int32_t c2 = decode(text_, j, &len);
          if (c2 < 0 || classify(c2) != CharClass::kWord) break;
          j += len;
        }
        if (int rc = emit_word(run_start, j)) return rc;
      } else {
        cjk_.clear();
        cjk_.push_back({run_start, j});
        cjk_nfkc_ = cjk_needs_nfkc(cp);
        while (j < text_.size()) {
          int32_t c2 = decode(text_, j, &len);
          if (c2 < 0 || classify(c2) != CharClass::kCjk) break;
          cjk_nfkc_ = cjk_nfkc_ || cjk_needs_nfkc(c2);
          cjk_.push_back({j, j + len});
          j += len;
        }
        if (int rc = emit_cjk()) return rc;
      }
      i = j;
    }
    return 0;
  }

 private:
  struct Span {
    size_t start, end;
  };

  // Emits tok_ with tok_.text already filled.
  int emit_filled(size_t start, size_t end, bool colocated, bool cjk) {
    tok_.start = start;
    tok_.end = end;
    tok_.colocated = colocated;
    tok_.cjk = cjk;
    return sink_(ctx_, tok_);
  }

  int emit(std::string_view text, size_t start, size_t end, bool colocated, bool cjk) {
    tok_.text.assign(text.data(), text.size());
    return emit_filled(start, end, colocated, cjk);
  }

  int emit_word(size_t start, size_t end) {
    std::string_view raw = text_.substr(start, end - start);
    bool ascii = true;
    for (char c : raw) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      std::string& w = tok_.text;
      w.assign(raw.data(), raw.size());
      bool alpha = true;
      for (char& c : w) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c < 'a' || c > 'z') alpha = false;
      }
      if (alpha && options_.stem) porter_stem(w);
      truncate_token(w);
      return emit_filled(start, end, false, false);
    }
    // Non-ASCII: normalize, then split again in case NFKC produced separators ("㎏/㎡", "½").
    std::string norm = nfkc_casefold(raw);
    size_t i = 0;
    while (i < norm.size()) {
      size_t len = 0;
      int32_t cp = decode(norm, i, &len);
      if (cp < 0 || (!is_word_cp(cp) && !is_cjk(cp))) {
        i += len;
        continue;
      }
      size_t s = i;
      while (i < norm.size()) {
        cp = decode(norm, i, &len);
        if (cp < 0 || (!is_word_cp(cp) && !is_cjk(cp))) break;
        i += len;
      }
      std::string& w = tok_.text;
      w.assign(norm, s, i - s);
      bool alpha = !w.empty();
      for (char c : w) {
        if (c < 'a' || c > 'z') alpha = false;
      }
      if (alpha && options_.stem) porter_stem(w);
      truncate_token(w);
      if (int rc = emit_filled(start, end, false, false)) return rc;
    }
    return 0;
  }

  // The text of CJK character k: its own bytes, or its NFKC form for compatibility characters
  // (only when the run has any: see cjk_nfkc_).
  std::string_view cjk_char(size_t k) const {
    if (cjk_nfkc_) return chars_[k];
    const Span& s = cjk_[k];
    return text_.substr(s.start, s.end - s.start);
  }

  // A bigram of characters k and k+1: adjacent in the input, so without compatibility characters
  // the input bytes themselves.
  int emit_bigram(size_t k) {
    if (!cjk_nfkc_) return emit(text_.substr(cjk_[k].start, cjk_[k + 1].end - cjk_[k].start), cjk_[k].start,
                                cjk_[k + 1].end, false, true);
    tok_.text.assign(chars_[k]);
    tok_.text.append(chars_[k + 1]);
    return emit_filled(cjk_[k].start, cjk_[k + 1].end, false, true);
  }

  int emit_cjk() {
    size_t n = cjk_.size();
    if (cjk_nfkc_) {
      chars_.resize(n);
      for (size_t k = 0; k < n; ++k) {
        const Span& s = cjk_[k];
        std::string_view raw = text_.substr(s.start, s.end - s.start);
        size_t len = 0;
        if (cjk_needs_nfkc(decode(raw, 0, &len))) {
          chars_[k] = nfkc_casefold(raw);
        } else {
          chars_[k].assign(raw.data(), raw.size());
        }
      }
    }
    if (mode_ == TokenizeMode::kQuery && n >= 2) {
      for (size_t k = 0; k + 1 < n; ++k) {
        if (int rc = emit_bigram(k)) return rc;
      }
      return 0;
    }
    for (size_t k = 0; k < n; ++k) {
      if (k + 1 < n) {
        if (int rc = emit_bigram(k)) return rc;
        if (int rc = emit(cjk_char(k), cjk_[k].start, cjk_[k].end, true, true)) return rc;
      } else {
        if (int rc = emit(cjk_char(k), cjk_[k].start, cjk_[k].end, false, true)) return rc;
      }
    }
    return 0;
  }

  std::string_view text_;
  TokenizeMode mode_;
  const TokenizerOptions& options_;
  void* ctx_;
  TokenSink sink_;
  TextToken tok_;
  std::vector<Span> cjk_;           // byte span of each character of the current CJK run
  bool cjk_nfkc_ = false;           // the current CJK run has a character NFKC changes
  std::vector<std::string> chars_;  // its normalized characters (filled only when cjk_nfkc_)
};

}  // namespace

int tokenize_text(std::string_view text, TokenizeMode mode, const TokenizerOptions& options, void* ctx,
                  TokenSink sink) {
  return Splitter(text, mode, options, ctx, sink).run();
}

std::vector<TextToken> tokenize_to_vector(std::string_view text, TokenizeMode mode, const TokenizerOptions& options) {
  std::vector<TextToken> out;
  tokenize_text(text, mode, options, &out, [](void* ctx, const TextToken& t) {
    static_cast<std::vector<TextToken>*>(ctx)->push_back(t);
    return 0;
  });
  return out;
}

}  // namespace lantern::kb
