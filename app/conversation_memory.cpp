// Window planning walks the turns newest first and stops at the first that does not fit.
#include "conversation_memory.h"

namespace lantern::app {

MemoryPlan plan_memory(const std::vector<Turn>& turns, size_t budget_tokens,
                       const std::function<size_t(std::string_view, std::string_view)>& cost) {
  MemoryPlan plan;
  plan.first_kept = turns.size();
  std::vector<HistoryMessage> newest_first;
  for (size_t i = turns.size(); i-- > 0;) {
    const Turn& t = turns[i];
    const std::string& full = t.user_message.empty() ? t.question : t.user_message;
    size_t c = cost(full, t.answer);
    bool shortened = false;
    if (plan.tokens + c > budget_tokens && full != t.question) {
      c = cost(t.question, t.answer);
      shortened = true;
    }
    if (plan.tokens + c > budget_tokens) break;
    plan.tokens += c;
    plan.shortened += shortened;
    plan.first_kept = i;
    newest_first.push_back({shortened ? t.question : full, t.answer});
  }
  plan.history.assign(newest_first.rbegin(), newest_first.rend());
  return plan;
}

std::vector<ChatMessage> summary_prompt(std::string_view previous_summary, const std::vector<Turn>& turns) {
  std::string text =
      "Summarise this conversation in at most 120 words for your own memory. Keep names, numbers, "
      "decisions and open questions; drop pleasantries. Reply with the summary only.\n\n";
  if (!previous_summary.empty()) {
    text += "Summary so far: ";
    text += previous_summary;
    text += "\n\n";
  }
  for (const auto& t : turns) {
    text += "User: " + t.question + "\nAssistant: " + t.answer.substr(0, 1500) + "\n\n";
  }
  return {{"user", text}};
}

}  // namespace lantern::app
