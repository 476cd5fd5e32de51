// Conversation memory planning and prompt assembly (pure functions).
#include <gtest/gtest.h>

#include "conversation_memory.h"
#include "passage_packer.h"
#include "prompt_builder.h"

namespace lantern::app {
namespace {

size_t bytes_cost(std::string_view u, std::string_view a) { return u.size() + a.size(); }

TEST(ConversationMemory, NewestTurnsFirstShortenedBeforeDropped) {
  std::vector<Turn> turns = {
      {"q1", "passages1 q1", "a1", ""},
      {"q2", std::string(100, 'p') + " q2", "a2", ""},
      {"q3", "passages3 q3", "a3", ""},
  };
  // Everything fits: all turns as sent, oldest first.
  auto all = plan_memory(turns, 1000, bytes_cost);
  ASSERT_EQ(all.history.size(), 3u);
  EXPECT_EQ(all.first_kept, 0u);
  EXPECT_EQ(all.history[0].user, "passages1 q1");
  EXPECT_EQ(all.history[2].assistant, "a3");
  EXPECT_EQ(all.shortened, 0u);
  // Turn 2 is too big with its passages: shortened to its question; the window stays contiguous.
  auto tight = plan_memory(turns, 40, bytes_cost);
  ASSERT_EQ(tight.history.size(), 3u);
  EXPECT_EQ(tight.history[1].user, "q2");
  EXPECT_EQ(tight.shortened, 1u);
  EXPECT_LE(tight.tokens, 40u);
  // Room for one turn only: the newest.
  auto one = plan_memory(turns, 15, bytes_cost);
  ASSERT_EQ(one.history.size(), 1u);
  EXPECT_EQ(one.first_kept, 2u);
  EXPECT_EQ(one.history[0].user, "passages3 q3");
  auto none = plan_memory(turns, 0, bytes_cost);
  EXPECT_TRUE(none.history.empty());
  EXPECT_EQ(none.first_kept, 3u);
  auto summary = summary_prompt("earlier: jets", turns);
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_NE(summary[0].content.find("Summary so far: earlier: jets"), std::string::npos);
  EXPECT_NE(summary[0].content.find("User: q3\nAssistant: a3"), std::string::npos);
}

TEST(PromptBuilder, PassagesInTheUserMessageAndSystemKeepsUserPrompt) {
  Passage p;
  p.title = "Jets";
  p.page = 3;
  p.heading = "Ramjets";
  p.doc = "/d/jets.pdf";
  std::vector<NumberedPassage> given = {{1, p, "Ramjets need speed."}};
  std::string user = build_user_message(given, "How do ramjets start?");
  EXPECT_EQ(user, "Passages:\n\n[1] Jets, p. 3, Ramjets\nRamjets need speed.\n\nQuestion: How do ramjets start?");
  EXPECT_NE(build_user_message({}, "x").find("none were found"), std::string::npos);
  std::string sys = build_system_message(true, "Be brief.", "we talked about jets");
  EXPECT_EQ(sys.find(grounding_system_prompt()), 0u);
  EXPECT_NE(sys.find("\n\nBe brief."), std::string::npos);
  EXPECT_NE(sys.find("Summary of the earlier conversation: we talked about jets"), std::string::npos);
  EXPECT_EQ(build_system_message(false, "Be brief.", ""), "Be brief.");
  auto msgs = build_messages(sys, {{"u1", "a1"}}, user);
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_EQ(msgs[0].role, "system");
  EXPECT_EQ(msgs[1].role, "user");
  EXPECT_EQ(msgs[2].role, "assistant");
  EXPECT_EQ(msgs[3].content, user);
  Passage bare;
  bare.doc = "/x/notes.md";
  EXPECT_EQ(passage_label(bare), "notes.md");
}

}  // namespace
}  // namespace lantern::app
