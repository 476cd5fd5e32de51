// The tokenizer's and nfc()'s fast paths against their plain forms: the fast paths (own UTF-8
// decoding, tokens straight from the input bytes, NFC skipped for inert text) must not change a
// single token, offset or flag, or an index built before them would stop matching queries.
//
// The reference below is the tokenizer as it was before the fast paths (every character decoded
// by utf8proc, every CJK character copied into its own string); keep it as it is.
#include <gtest/gtest.h>
#include <utf8proc.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "lantern/utf8.h"
#include "normalize.h"
#include "porter_stemmer.h"
#include "text_tokenizer.h"

namespace lantern::kb {
namespace {
namespace reference {

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
        while (j < text_.size()) {
          int32_t c2 = decode(text_, j, &len);
          if (c2 < 0 || classify(c2) != CharClass::kCjk) break;
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

  int emit(std::string text, size_t start, size_t end, bool colocated, bool cjk) {
    tok_.text = std::move(text);
    tok_.start = start;
    tok_.end = end;
    tok_.colocated = colocated;
    tok_.cjk = cjk;
    return sink_(ctx_, tok_);
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
      std::string w(raw);
      bool alpha = true;
      for (char& c : w) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c < 'a' || c > 'z') alpha = false;
      }
      if (alpha && options_.stem) porter_stem(w);
      truncate_token(w);
      return emit(std::move(w), start, end, false, false);
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
      std::string w = norm.substr(s, i - s);
      bool alpha = !w.empty();
      for (char c : w) {
        if (c < 'a' || c > 'z') alpha = false;
      }
      if (alpha && options_.stem) porter_stem(w);
      truncate_token(w);
      if (int rc = emit(std::move(w), start, end, false, false)) return rc;
    }
    return 0;
  }

  std::string cjk_char(size_t k) {
    const Span& s = cjk_[k];
    std::string_view raw = text_.substr(s.start, s.end - s.start);
    size_t len = 0;
    int32_t cp = decode(raw, 0, &len);
    if (cjk_needs_nfkc(cp)) return nfkc_casefold(raw);
    return std::string(raw);
  }

  int emit_cjk() {
    size_t n = cjk_.size();
    chars_.clear();
    for (size_t k = 0; k < n; ++k) chars_.push_back(cjk_char(k));
    if (mode_ == TokenizeMode::kQuery && n >= 2) {
      for (size_t k = 0; k + 1 < n; ++k) {
        if (int rc = emit(chars_[k] + chars_[k + 1], cjk_[k].start, cjk_[k + 1].end, false, true)) return rc;
      }
      return 0;
    }
    for (size_t k = 0; k < n; ++k) {
      if (k + 1 < n) {
        if (int rc = emit(chars_[k] + chars_[k + 1], cjk_[k].start, cjk_[k + 1].end, false, true)) return rc;
        if (int rc = emit(chars_[k], cjk_[k].start, cjk_[k].end, true, true)) return rc;
      } else {
        if (int rc = emit(chars_[k], cjk_[k].start, cjk_[k].end, false, true)) return rc;
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
  std::vector<std::string> chars_;  // normalized characters of the current CJK run
};


std::vector<TextToken> tokenize(std::string_view text, TokenizeMode mode, const TokenizerOptions& options) {
  std::vector<TextToken> out;
  Splitter(text, mode, options, &out, [](void* ctx, const TextToken& t) {
    static_cast<std::vector<TextToken>*>(ctx)->push_back(t);
    return 0;
  }).run();
  return out;
}

}  // namespace reference

std::string describe(const std::vector<TextToken>& toks) {
  std::string out;
  for (const auto& t : toks) {
    out += t.text + "@" + std::to_string(t.start) + "-" + std::to_string(t.end) + (t.colocated ? "c" : "") +
           (t.cjk ? "j" : "") + " ";
  }
  return out;
}

void expect_same_tokens(const std::string& text) {
  for (TokenizeMode mode : {TokenizeMode::kDocument, TokenizeMode::kQuery}) {
    for (bool stem : {true, false}) {
      TokenizerOptions opt{stem};
      EXPECT_EQ(describe(tokenize_to_vector(text, mode, opt)), describe(reference::tokenize(text, mode, opt)))
          << "text: " << text << " mode " << static_cast<int>(mode) << " stem " << stem;
    }
  }
}

TEST(TokenizerFastPath, SameTokensAsReferenceOnMixedText) {
  const char* samples[] = {
      "知识库是本地的文档存储。它支持中文和英文混合的文本，并按段落和句子切分。",
      "The Wing-Body interference at Mach 2.5: 12 experiments (NACA TN-1234) were Running.",
      "Café naïve résumé Ångström ÉCOLE Straße ŒUVRE ﬁnancial",               // Latin with diacritics, ligature
      "e\u0301cole cafe\u0301 A\u030A n\u0303o",                                   // combining marks
      "ＡＢＣ１２３ Ｓｔｒａße ｶﾀｶﾅ ﾊﾟﾝ",                                         // full-width, half-width kana
      "北京大学 2018年 iPhone 14 Pro 价格为 ¥5999 元",                             // CJK next to Latin and digits
      "豈更車 ⺀⺁ ⼀⼁ 丽丸",                                                      // compatibility ideographs, radicals
      "ひらがな カタカナ 한국어 텍스트 ᄀᄁ ㄱㄴ",                                  // kana, Hangul, jamo
      "が か\u3099 パ ハ\u309A",                                                   // kana with voicing marks
      "㎏/㎡ ½ ① Ⅻ ㈱ ℡",                                                        // NFKC splits these
      "Ελληνικά ΚΕΦΑΛΑΙΑ русский ТЕКСТ עברית العربية हिन्दी",                    // other scripts
      "x\xff\xfey \xe4\xb8 \xed\xa0\x80 \xe0\x80\xaf \xf4\x90\x80\x80 \xc0\xaf 中\xe4",  // invalid UTF-8
      "x\xe0\x81\xa1" "bc \xc1\xa1 \xf0\x80\x81\xa1 \xed\xa0\x80\xed\xb0\x80 a\xe4\xb8\xad" "b",  // overlong 'a', surrogates
      "𠀀𠀁 𪚥 😀 emoji👍🏽 中😀文",                                               // 4-byte sequences
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "中", "中文", "", " ", "　全角空格　",
  };
  for (const char* s : samples) expect_same_tokens(s);
}

TEST(TokenizerFastPath, SameTokensAsReferenceOnRandomText) {
  // Random strings over characters from every class the tokenizer treats differently, plus raw
  // bytes that make invalid or truncated UTF-8.
  const std::vector<char32_t> pool = {
      'a', 'Z', 'e', 's', '7', ' ', '.', '-', '\n', 0xE9, 0xDF, 0x301, 0x308, 0x3A9, 0x416, 0x5D0, 0x627, 0x915,
      0x94D, 0x1100, 0x1161, 0x11A8, 0x2160, 0x2460, 0x2E80, 0x2F00, 0x3000, 0x3001, 0x3002, 0x3005, 0x3042,
      0x304B, 0x3099, 0x309A, 0x30AB, 0x30FC, 0x3131, 0x3400, 0x4E00, 0x4E2D, 0x6587, 0x9FA5, 0xAC00, 0xD55C,
      0xF900, 0xFA11, 0xFB01, 0xFF10, 0xFF21, 0xFF41, 0xFF66, 0xFF8A, 0xFF9F, 0x20000, 0x2F800, 0x1F600};
  std::mt19937 rng(20261123);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string s;
    int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) {
      unsigned r = rng() % 20;
      if (r == 0) {
        s += static_cast<char>(0x80 + rng() % 0x80);  // a stray byte
      } else {
        append_utf8(s, pool[rng() % pool.size()]);
      }
    }
    expect_same_tokens(s);
    if (HasFailure()) break;
  }
}

std::string utf8proc_nfc(std::string_view s) {
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                    static_cast<utf8proc_ssize_t>(s.size()), &out,
                                    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) return std::string(s);
  std::string r(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  std::free(out);
  return r;
}

TEST(NfcFastPath, InertCodePointsAreUnchangedByNfcInAnyContext) {
  // Starters that do compose with something: a following inert character must never join them.
  const char32_t starters[] = {'a', 'A', 'e', 'o', 'u', 0xC5, 0x3B1, 0x915, 0x304B, 0x30CF, 0x1100, 0xAC00, 0x11A8, 0x2190, 0x2203, 0x2282};
  int inert = 0;
  for (char32_t cp = 1; cp < 0x110000; ++cp) {
    if (!nfc_inert_for_testing(cp)) continue;
    ++inert;
    const utf8proc_property_t* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp));
    ASSERT_EQ(p->combining_class, 0) << "U+" << std::hex << static_cast<uint32_t>(cp);
    std::string one;
    append_utf8(one, cp);
    ASSERT_EQ(utf8proc_nfc(one), one) << "U+" << std::hex << static_cast<uint32_t>(cp);
    for (char32_t s : starters) {
      std::string two;
      append_utf8(two, s);
      two += one;
      ASSERT_EQ(utf8proc_nfc(two), two) << "U+" << std::hex << static_cast<uint32_t>(s) << " U+" << static_cast<uint32_t>(cp);
    }
  }
  EXPECT_GT(inert, 30000);  // the fast path covers the CJK ideographs
}

TEST(NfcFastPath, SameAsUtf8procOnMixedAndRandomText) {
  const char* samples[] = {"知识库是本地的文档存储。", "“引号”—…→", "\u2190\u0338", "e\u0301cole", "か\u3099", "한\u11A8", "\u1100\u1161", "Å Å",
                           "豈", "ＡＢＣ", "Straße", "plain ascii", "中文 e\u0301 中文"};
  for (const char* s : samples) EXPECT_EQ(nfc(s), utf8proc_nfc(s)) << s;
  const std::vector<char32_t> pool = {'a', 'e', ' ', 0xE9, 0x301, 0x308, 0x3099, 0x309A, 0x304B, 0x30CF, 0x302A,
                                      0x1100, 0x1161, 0x11A8, 0xAC00, 0x4E2D, 0xF900, 0x2126, 0x212B, 0xFF76};
  std::mt19937 rng(7);
  for (int iter = 0; iter < 5000; ++iter) {
    std::string s;
    int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) append_utf8(s, pool[rng() % pool.size()]);
    ASSERT_EQ(nfc(s), utf8proc_nfc(s)) << s;
  }
}

}  // namespace
}  // namespace lantern::kb
