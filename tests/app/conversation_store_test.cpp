// The conversations database: sessions and messages round-trip, interrupted answers, Markdown.
#include "conversation_store.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace lantern::app {
namespace {

TEST(ConversationStore, SessionsAndMessagesRoundTripAcrossReopen) {
  testing::TempDir dir;
  std::string path = dir.file("conversations.db");
  int64_t sid;
  {
    auto store = ConversationStore::open(path);
    ASSERT_TRUE(store.ok()) << store.status().message();
    auto id = (*store)->create_session("first question", "tiny", "default", "temp=0.7", "be brief");
    ASSERT_TRUE(id.ok());
    sid = *id;
    ui::MessageView q;
    q.role = ui::Role::kUser;
    q.text = "what is lantern?";
    ASSERT_TRUE((*store)->add_message(sid, q, true).ok());
    ui::MessageView a;
    a.role = ui::Role::kAssistant;
    a.model = "tiny";
    auto aid = (*store)->add_message(sid, a, false);
    ASSERT_TRUE(aid.ok());
    a.text = "An offline workstation [1].";
    ui::SourceView s;
    s.n = 1;
    s.title = "README";
    s.path = "/docs/README.md";
    s.location = "Intro";
    s.score = 2.5;
    s.highlights = {"lantern"};
    a.sources = {s};
    a.stats.decode_tps = 10;
    ASSERT_TRUE((*store)->update_message(*aid, a, true).ok());
    // A second answer that never completed (a crash mid-stream).
    ui::MessageView q2 = q;
    q2.text = "and then?";
    ASSERT_TRUE((*store)->add_message(sid, q2, true).ok());
    ui::MessageView partial = a;
    partial.text = "Half an ans";
    partial.sources.clear();
    ASSERT_TRUE((*store)->add_message(sid, partial, false).ok());
  }
  auto store = ConversationStore::open(path);
  ASSERT_TRUE(store.ok());
  auto list = (*store)->list_sessions();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].title, "first question");
  EXPECT_EQ((*list)[0].n_messages, 4);
  auto s = (*store)->session(sid);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->system_prompt, "be brief");
  EXPECT_EQ(s->settings, "temp=0.7");
  auto msgs = (*store)->messages(sid);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 4u);
  EXPECT_EQ((*msgs)[1].text, "An offline workstation [1].");
  ASSERT_EQ((*msgs)[1].sources.size(), 1u);
  EXPECT_EQ((*msgs)[1].sources[0].path, "/docs/README.md");
  EXPECT_EQ((*msgs)[1].sources[0].highlights, std::vector<std::string>{"lantern"});
  EXPECT_DOUBLE_EQ((*msgs)[1].stats.decode_tps, 10);
  EXPECT_NE((*msgs)[3].text.find("Half an ans"), std::string::npos);
  EXPECT_NE((*msgs)[3].text.find("[interrupted]"), std::string::npos);

  ASSERT_TRUE((*store)->rename_session(sid, "renamed").ok());
  EXPECT_EQ((*(*store)->session(sid)).entry.title, "renamed");
  EXPECT_EQ((*store)->rename_session(sid + 100, "x").code(), StatusCode::kNotFound);
  EXPECT_EQ((*store)->session(sid + 100).status().code(), StatusCode::kNotFound);

  std::string md = session_markdown("renamed", *msgs);
  EXPECT_NE(md.find("# renamed"), std::string::npos);
  EXPECT_NE(md.find("## Question\n\nwhat is lantern?"), std::string::npos);
  EXPECT_NE(md.find("- [1] README, Intro (`/docs/README.md`)"), std::string::npos) << md;
}

TEST(ConversationStore, UnwritableLocationIsAnErrorNamingThePath) {
  auto store = ConversationStore::open("/nonexistent-dir/x/conversations.db");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("/nonexistent-dir/x/conversations.db"), std::string::npos);
}

}  // namespace
}  // namespace lantern::app
