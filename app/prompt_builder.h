// The words of a grounded prompt: the system prompt that tells the model to answer from numbered
// passages and cite them, and the user message that carries the passages and the question.
//
// Layout: [system: grounding rules + the user's own system prompt + summary of older turns]
// [earlier turns, each user message exactly as it was sent] [user: passages + question]. The one
// thing to know: passages go into the *current user message*, not the system prompt, so the
// rendered prompt of turn N is a prefix of turn N+1's and the KV cache is reused across turns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "language_model.h"
#include "passage.h"

namespace lantern::app {

// The grounding rules (English; they also govern Chinese questions: answer in the question's language).
std::string grounding_system_prompt();

// The system message: grounding rules (when `grounded`), then the user's system prompt, then a
// summary of earlier turns (when not empty).
std::string build_system_message(bool grounded, std::string_view user_system, std::string_view summary);

// The user message of a grounded turn: numbered passages, then the question. With no passages it
// says so, so the model can tell the user the knowledge base had nothing.
std::string build_user_message(const std::vector<NumberedPassage>& passages, std::string_view question);

struct HistoryMessage {
  std::string user;       // as sent (with that turn's passages), or the bare question when shortened
  std::string assistant;  // the answer, reasoning excluded
};

std::vector<ChatMessage> build_messages(const std::string& system, const std::vector<HistoryMessage>& history,
                                        const std::string& user_message);

}  // namespace lantern::app
