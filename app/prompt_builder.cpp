// Prompt wording. Kept short: every token here is paid on every turn, and small models follow
// short, concrete rules better than long ones.
#include "prompt_builder.h"

#include "passage_packer.h"

namespace lantern::app {

std::string grounding_system_prompt() {
  return "You answer questions using only the numbered passages given with each question. "
         "Cite the passages you use with their numbers in square brackets, like [1] or [2][3], "
         "right after the statement they support. If the passages do not contain the answer, say "
         "that they do not, and do not make one up. Answer in the language of the question.";
}

std::string build_system_message(bool grounded, std::string_view user_system, std::string_view summary) {
  std::string s = grounded ? grounding_system_prompt() : std::string();
  if (!user_system.empty()) {
    if (!s.empty()) s += "\n\n";
    s += user_system;
  }
  if (!summary.empty()) {
    if (!s.empty()) s += "\n\n";
    s += "Summary of the earlier conversation: ";
    s += summary;
  }
  return s;
}

std::string build_user_message(const std::vector<NumberedPassage>& passages, std::string_view question) {
  std::string m;
  if (passages.empty()) {
    m = "Passages: none were found in the knowledge base for this question.\n\n";
  } else {
    m = "Passages:\n\n";
    for (const auto& p : passages) m += render_passage(p.n, p.passage, p.text);
  }
  m += "Question: ";
  m += question;
  return m;
}

std::vector<ChatMessage> build_messages(const std::string& system, const std::vector<HistoryMessage>& history,
                                        const std::string& user_message) {
  std::vector<ChatMessage> out;
  if (!system.empty()) out.push_back({"system", system});
  for (const auto& h : history) {
    out.push_back({"user", h.user});
    out.push_back({"assistant", h.assistant});
  }
  out.push_back({"user", user_message});
  return out;
}

}  // namespace lantern::app
