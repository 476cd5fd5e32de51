// How `lantern ask` shows an answer: the numbered source list after a streamed answer, and the
// --json document {answer, reasoning, sources:[{n, doc, title, page, heading, score, text}], timings}.
//
// The one thing to know: the JSON "answer" never contains reasoning; "reasoning" has it.
#pragma once

#include <string>

#include "answer.h"
#include "lantern/json.h"

namespace lantern::app {

// "Sources:\n  [1] Title, p. 3, Heading — /path (cited)\n..." (unsanitized; the caller sanitizes).
std::string format_sources(const AnswerResult& result);

json::Value answer_json(const AnswerResult& result);

}  // namespace lantern::app
