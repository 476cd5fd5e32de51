// Man pages (roff) import as the words a reader sees, with .SH/.SS headings.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "extract.h"
#include "lantern/kb/knowledge_base.h"
#include "test_support.h"

namespace lantern::kb {
namespace {

const char* kPage = R"(.\" a comment that must not appear
.TH LANTERN 1 "2026-11-23" "lantern 0.1.0"
.SH NAME
lantern \- offline AI workstation
.SH OPTIONS
.TP
.BI \-\-home " DIR"
Data directory, default
.BR $LANTERN_HOME ,
else \fI~/.local/share\fP\(em see \[lq]FILES\[rq].
.SS "Exit status"
.B 0
Success.
.SH
SEE ALSO
.IR sqlite3 (1)
)";

TEST(Roff, DetectedByExtensionOrContent) {
  EXPECT_EQ(detect_format("man/lantern.1", kPage).format, Format::kRoff);
  EXPECT_EQ(detect_format("page.man", kPage).format, Format::kRoff);
  EXPECT_EQ(detect_format("README", kPage).format, Format::kRoff);
  // A rotated log is not a man page.
  Detection log = detect_format("/var/log/syslog.1", "Nov 23 07:00:01 host cron[1]: job\n");
  EXPECT_TRUE(log.supported);
  EXPECT_NE(log.format, Format::kRoff);
}

TEST(Roff, ExtractsReadableTextAndHeadings) {
  auto ex = extract_roff(kPage);
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  EXPECT_EQ(ex->title, "LANTERN(1)");
  std::string all;
  std::vector<std::string> headings;
  for (const Block& b : ex->blocks) {
    all += b.text + "\n\n";
    if (b.heading_level) headings.push_back(std::to_string(b.heading_level) + ":" + b.heading);
  }
  EXPECT_EQ(headings, (std::vector<std::string>{"1:NAME", "1:OPTIONS", "2:Exit status", "1:SEE ALSO"}));
  EXPECT_NE(all.find("lantern - offline AI workstation"), std::string::npos) << all;
  EXPECT_NE(all.find("--home DIR"), std::string::npos) << all;
  EXPECT_NE(all.find("$LANTERN_HOME,"), std::string::npos) << all;
  EXPECT_NE(all.find("~/.local/share\u2014 see \u201cFILES\u201d."), std::string::npos) << all;
  EXPECT_NE(all.find("sqlite3(1)"), std::string::npos) << all;
  for (const char* markup : {".TH", ".SH", ".TP", ".B", "\\f", "\\-", "comment"}) {
    EXPECT_EQ(all.find(markup), std::string::npos) << markup << " in: " << all;
  }
}

TEST(Roff, HostileEscapesAreHarmless) {
  std::string nasty = ".SH \"unterminated\n\\f\n\\(\n\\[never closed\n\\s+\n\\\n.IP\n.BR\n\\";
  auto ex = extract_roff(nasty);
  ASSERT_TRUE(ex.ok());
}

TEST(Roff, ReimportReextractsWhenTheFormatChanges) {
  lantern::testing::TempDir tmp;
  std::string page = tmp.write("docs/lantern.1", kPage);
  auto kb = KnowledgeBase::open(tmp.path());
  ASSERT_TRUE(kb.ok()) << kb.status().message();
  ImportOptions opt;
  auto first = (*kb)->import({tmp.file("docs")}, opt);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->added, 1);
  auto again = (*kb)->import({tmp.file("docs")}, opt);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 1);
  kb->reset();
  // As an older lantern stored it: the same bytes read as plain text.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(tmp.file("lantern.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE documents SET format = 'text'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto kb2 = KnowledgeBase::open(tmp.path());
  ASSERT_TRUE(kb2.ok());
  auto third = (*kb2)->import({tmp.file("docs")}, opt);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->updated, 1);
  EXPECT_EQ(third->unchanged, 0);
}

}  // namespace
}  // namespace lantern::kb
