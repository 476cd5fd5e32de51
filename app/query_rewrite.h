// Turning a follow-up question ("and the second one?", "它是哪一年建成的？") into a standalone
// search query, from the conversation so far.
//
// Two ways: with a model loaded, the pipeline asks it (prompt from rewrite_prompt()) and keeps the
// result only if accept_model_rewrite() finds it grounded in the conversation; otherwise, or when
// that fails, heuristic_rewrite() carries the salient terms of the previous turn into the query.
// The one thing to know: a question that already stands alone is returned unchanged by the
// heuristic; search quality for first questions must never depend on this file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lantern::app {

struct PastTurn {
  std::string question;
  std::string answer;
};

// True when the question carries follow-up cues: anaphora or deixis ("it", "the second one", "there",
// "它", "第二个", "这"), a leading "and"/"what about"/"also", a trailing "呢", or no content terms at
// all ("why?", "为什么？"). Being short is not a cue: "what is the lazy dog?" stands alone. The
// model rewrite and heuristic_rewrite() both run only when this is true.
bool looks_like_follow_up(std::string_view question);

// The question plus salient terms of the most recent turns (previous question first, then up to
// `max_answer_terms` distinctive words of the previous answer). Unchanged when not a follow-up.
std::string heuristic_rewrite(std::string_view question, const std::vector<PastTurn>& history,
                              size_t max_answer_terms = 6);

// The user message asking a model to rewrite; the model's reply is the query.
std::string rewrite_prompt(std::string_view question, const std::vector<PastTurn>& history);

// The user message that asks the same inside the conversation itself (appended after the last
// answer, so the model sees the whole context and the KV cache is reused).
std::string rewrite_request(std::string_view question);

// Cleans a model's rewrite (first line, quotes and "Query:" prefixes removed) and accepts it only
// when it is short, most of its terms occur in the conversation and some occur in the question
// itself (a model inventing topics, echoing an earlier turn, or a random-weight test model is
// rejected). Returns "" when rejected.
std::string accept_model_rewrite(std::string_view reply, std::string_view question, const std::vector<PastTurn>& history);

}  // namespace lantern::app
