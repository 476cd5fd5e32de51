// Follow-up detection and query rewriting. Cheap string work: runs before every retrieval.
#include "query_rewrite.h"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "text_terms.h"

namespace lantern::app {
namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Whole-word search in lower-cased text.
bool has_word(const std::string& text, std::string_view word) {
  size_t at = 0;
  while ((at = text.find(word, at)) != std::string::npos) {
    bool left = at == 0 || !std::isalnum(static_cast<unsigned char>(text[at - 1]));
    size_t end = at + word.size();
    bool right = end >= text.size() || !std::isalnum(static_cast<unsigned char>(text[end]));
    if (left && right) return true;
    at = end;
  }
  return false;
}

size_t content_terms(std::string_view text) {
  // Count words and CJK unigrams only (bigrams would double count).
  size_t n = 0;
  for (const auto& t : extract_terms(text)) {
    size_t pos = 0;
    char32_t c = next_code_point(t, pos);
    bool cjk_bigram = is_cjk(c) && pos < t.size();
    if (!cjk_bigram) ++n;
  }
  return n;
}

}  // namespace

// Follow-up cues only: a short question is not a follow-up for being short ("what is the lazy dog?"
// stands alone), and carrying the previous turn into its search would retrieve the previous topic.
bool looks_like_follow_up(std::string_view question) {
  std::string q = lower_ascii(question);
  // Anaphora and deixis pointing back. Bare ordinals ("the first turbojet") and "one" are not cues.
  static const char* kEnglish[] = {"it", "its", "they", "them", "their", "this", "that", "these", "those",
                                   "he", "she", "him", "his", "her", "former", "latter", "previous", "above",
                                   "same", "the first one", "the second one", "the third one", "the last one",
                                   "the other one", "the first", "the second", "the third", "the last"};
  for (const char* w : kEnglish) {
    std::string_view word(w);
    // "the first"/"the second" alone (no noun after): "and the second?", "what about the last?".
    if (word.rfind("the ", 0) == 0 && word.find(" one") == std::string_view::npos) {
      size_t at = q.find(word);
      while (at != std::string::npos) {
        size_t end = at + word.size();
        while (end < q.size() && q[end] == ' ') ++end;
        bool left = at == 0 || !std::isalnum(static_cast<unsigned char>(q[at - 1]));
        bool bare = end >= q.size() || !std::isalnum(static_cast<unsigned char>(q[end]));
        if (left && bare) return true;
        at = q.find(word, at + 1);
      }
      continue;
    }
    if (has_word(q, word)) return true;
  }
  // "there" points back ("how do I get there?") unless existential ("is there a way to ...").
  if (has_word(q, "there")) {
    std::string masked = q;
    for (const char* e : {"is there", "are there", "was there", "were there", "there is", "there are",
                          "there was", "there were", "there a", "there any"}) {
      for (size_t at = masked.find(e); at != std::string::npos; at = masked.find(e, at + 1)) {
        masked.replace(at, std::string_view(e).size(), std::string_view(e).size(), ' ');
      }
    }
    if (has_word(masked, "there")) return true;
  }
  // Connectors opening an elliptical question.
  size_t lead = q.find_first_not_of(" \t\r\n\"'");
  std::string_view head = lead == std::string::npos ? std::string_view() : std::string_view(q).substr(lead);
  for (const char* w : {"and", "but", "so", "then", "also", "what about", "how about"}) {
    std::string_view word(w);
    if (head.rfind(word, 0) == 0 &&
        (head.size() == word.size() || !std::isalnum(static_cast<unsigned char>(head[word.size()])))) {
      return true;
    }
  }
  // Chinese: compounds that contain a cue character without pointing back are masked first
  // (应该 "should", 其他 "other", 尤其 "especially", 因此 "therefore" ...).
  std::string zh(question);
  for (const char* c : {"应该", "其他", "其实", "其次", "尤其", "极其", "与其", "因此", "如此"}) {
    for (size_t at = zh.find(c); at != std::string::npos; at = zh.find(c, at)) {
      zh.replace(at, std::string_view(c).size(), " ");
    }
  }
  static const char* kChinese[] = {"它", "他", "她", "这", "那", "该", "其", "上面", "上述", "前者", "后者",
                                   "第一个", "第二个", "第三个", "最后一个", "另一个", "还有", "那么"};
  for (const char* w : kChinese) {
    if (zh.find(w) != std::string::npos) return true;
  }
  // A trailing 呢 ("价格呢？") asks about the previous subject; inside a sentence it does not.
  std::string tail = zh;
  for (bool cut = true; cut && !tail.empty();) {
    cut = false;
    for (const char* p : {"?", "!", ".", " ", "\n", "\r", "\t", "？", "！", "。", "～", "~"}) {
      std::string_view pv(p);
      if (tail.size() >= pv.size() && tail.compare(tail.size() - pv.size(), pv.size(), pv) == 0) {
        tail.resize(tail.size() - pv.size());
        cut = true;
      }
    }
  }
  if (tail.size() >= 3 && tail.compare(tail.size() - 3, 3, "呢") == 0) return true;
  for (const char* bare : {"为什么", "为啥", "怎么", "怎么做", "如何"}) {
    if (tail == bare) return true;
  }
  // Nothing but function words ("why?", "how?", "为什么？"): only the previous turn gives a subject.
  return content_terms(question) == 0;
}

std::string heuristic_rewrite(std::string_view question, const std::vector<PastTurn>& history,
                              size_t max_answer_terms) {
  std::string query(question);
  if (history.empty() || !looks_like_follow_up(question)) return query;
  const PastTurn& last = history.back();
  TermBag present = term_bag(question, {});
  bool cjk = mostly_cjk(question) || mostly_cjk(last.question);
  // The previous question stands for the topic; append it whole (search ranks by terms anyway).
  query += cjk ? "" : " ";
  query += last.question;
  for (const auto& t : extract_terms(last.question, {})) present[t]++;
  // Distinctive answer words: longest and rarest first, not already present, no citation numbers.
  std::vector<std::string> candidates;
  std::unordered_set<std::string> seen;
  // Words as written (not stemmed): they go into a search query, which has its own stemming.
  for (auto& t : extract_terms(last.answer, {})) {
    size_t pos = 0;
    char32_t c = next_code_point(t, pos);
    bool cjk_term = is_cjk(c);
    if (cjk_term && pos >= t.size()) continue;  // CJK unigram: too weak alone
    if (!cjk_term && (t.size() < 3 || std::all_of(t.begin(), t.end(), [](char ch) { return ch >= '0' && ch <= '9'; })))
      continue;
    if (present.count(t) || !seen.insert(t).second) continue;
    candidates.push_back(t);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  if (candidates.size() > max_answer_terms) candidates.resize(max_answer_terms);
  for (const auto& t : candidates) {
    query += cjk ? "" : " ";
    query += t;
  }
  return query;
}

std::string rewrite_prompt(std::string_view question, const std::vector<PastTurn>& history) {
  std::string p =
      "Rewrite the last question of this conversation as one standalone search query that names its "
      "subject explicitly. Reply with the query only, in the language of the question.\n\n";
  size_t first = history.size() > 3 ? history.size() - 3 : 0;
  for (size_t i = first; i < history.size(); ++i) {
    std::string a = history[i].answer.substr(0, 600);
    p += "User: " + history[i].question + "\nAssistant: " + a + "\n";
  }
  p += "User: " + std::string(question) + "\n\nStandalone query:";
  return p;
}

std::string rewrite_request(std::string_view question) {
  return "Before answering, rewrite my next question as one standalone search query that names its subject "
         "explicitly (no pronouns). Reply with the query only, in the language of the question.\n\nNext question: " +
         std::string(question);
}

std::string accept_model_rewrite(std::string_view reply, std::string_view question, const std::vector<PastTurn>& history) {
  std::string r(reply);
  size_t nl = r.find_first_not_of(" \n\r\t");
  if (nl == std::string::npos) return "";
  r = r.substr(nl);
  r = r.substr(0, r.find('\n'));
  for (const char* prefix : {"Standalone query:", "Query:", "query:", "查询：", "查询:"}) {
    if (r.rfind(prefix, 0) == 0) r = r.substr(std::string_view(prefix).size());
  }
  while (!r.empty() && (r.front() == ' ' || r.front() == '"' || r.front() == '\'')) r.erase(r.begin());
  while (!r.empty() && (r.back() == ' ' || r.back() == '"' || r.back() == '\'' || r.back() == '\r')) r.pop_back();
  if (r.empty() || r.size() > 400) return "";
  TermBag known = term_bag(question);
  for (const auto& t : history) {
    for (const auto& [k, n] : term_bag(t.question)) known[k] += n;
    for (const auto& [k, n] : term_bag(t.answer)) known[k] += n;
  }
  auto terms = extract_terms(r);
  if (terms.empty()) return "";
  size_t grounded = 0;
  for (const auto& t : terms) grounded += known.count(t);
  if (grounded * 3 < terms.size() * 2) return "";  // under two thirds grounded: invented
  // A rewrite of *this* question keeps some of its own words ("launched" in "how is the second one
  // launched?"); one made only of earlier words answers a different question.
  TermBag own = term_bag(question);
  if (!own.empty() && std::none_of(terms.begin(), terms.end(), [&](const std::string& t) { return own.count(t); })) {
    return "";
  }
  return r;
}

}  // namespace lantern::app
