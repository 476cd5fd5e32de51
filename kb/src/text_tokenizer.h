// The word splitter behind the `lantern` FTS5 tokenizer and the query builder.
//
// Latin (and any other alphabetic) words and digit runs become one token each, NFKC-normalized and
// case-folded with utf8proc, optionally Porter-stemmed. CJK runs (Han, kana, Hangul) become
// character bigrams: in documents every position carries the bigram starting there with the
// single character colocated under it (so 1-character queries match and phrase positions are per
// character); in queries a run of 2+ characters yields only its bigrams at consecutive positions,
// a lone character its unigram. Offsets are byte offsets into the input as given (not the
// normalized text), which is what highlight()/snippet() and our own highlighter need.
//
// The one thing to know: index and query must go through the same options, or nothing matches.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lantern::kb {

enum class TokenizeMode {
  kDocument,  // bigram + colocated unigram at each CJK position
  kQuery,     // bigrams only for CJK runs of 2+ characters
};

struct TokenizerOptions {
  bool stem = true;  // Porter-stem pure ASCII alphabetic words
};

// One emitted token. `colocated`: occupies the same position as the previous token.
struct TextToken {
  std::string text;
  size_t start = 0;  // byte offsets into the tokenized input
  size_t end = 0;
  bool colocated = false;
  bool cjk = false;  // from a CJK run (bigram or unigram)
};

// Called per token; a non-zero return stops tokenizing and is returned from tokenize_text.
using TokenSink = int (*)(void* ctx, const TextToken& token);

int tokenize_text(std::string_view text, TokenizeMode mode, const TokenizerOptions& options, void* ctx,
                  TokenSink sink);

// Convenience for tests and the query builder.
std::vector<TextToken> tokenize_to_vector(std::string_view text, TokenizeMode mode,
                                          const TokenizerOptions& options = {});

// Longest token kept, in bytes (longer words are cut at a character boundary).
constexpr size_t kMaxTokenBytes = 128;

}  // namespace lantern::kb
