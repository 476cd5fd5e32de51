// Which earlier turns of a conversation go into the next prompt.
//
// Sliding window (the default): the newest turns that fit the history budget, each as it was sent
// (with its passages) when that fits, else shortened to the bare question and answer; older turns
// fall out of the window. Summary mode: the turns that fell out are summarised by the model (the
// pipeline does that with summary_prompt()) and the summary rides in the system message.
// The one thing to know: the window is a contiguous run of the newest turns — a turn is never
// skipped while an older one is kept, or the model would see an answer to a missing question.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "language_model.h"
#include "prompt_builder.h"

namespace lantern::app {

enum class MemoryMode { kWindow, kSummary };

// One finished turn, as the conversation keeps it.
struct Turn {
  std::string question;
  std::string user_message;  // the user message as sent (passages + question); "" = question only
  std::string answer;        // reasoning excluded
  std::string reasoning;
};

struct MemoryPlan {
  std::vector<HistoryMessage> history;  // oldest first
  size_t first_kept = 0;                // index of the oldest turn in the window
  size_t shortened = 0;                 // turns given without their passages
  size_t tokens = 0;                    // cost of `history` as counted
};

// `cost(user, assistant)` is the token cost of one history exchange as rendered.
MemoryPlan plan_memory(const std::vector<Turn>& turns, size_t budget_tokens,
                       const std::function<size_t(std::string_view, std::string_view)>& cost);

// Messages asking the model to fold `turns` (and the summary so far) into a short summary.
std::vector<ChatMessage> summary_prompt(std::string_view previous_summary, const std::vector<Turn>& turns);

}  // namespace lantern::app
