// English suffix stripping (M. F. Porter, 1980), used by the `lantern` FTS5 tokenizer.
//
// The one thing to know: the stemmer is not idempotent (stem(stem(w)) may differ from stem(w)),
// so queries must pass the user's surface words to FTS5, which stems them once, exactly as at
// index time; never feed a stem back in.
#pragma once

#include <string>

namespace lantern::kb {

// Stems `word` in place. `word` must be lowercase ASCII letters; words of 1-2 letters are kept.
void porter_stem(std::string& word);

}  // namespace lantern::kb
