// Real files of each rich format, built by the test: HTML, DOCX (written with libzip), PDF
// (written by hand, with correct xref offsets); and hostile ones: deep nesting, zip bombs, DTDs,
// garbage, a PDF over its time limit. Each hostile file is a per-file error and the rest imports.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <zip.h>

#include <string>
#include <vector>

#include "chunker.h"
#include "extract.h"
#include "lantern/kb/knowledge_base.h"
#include "test_support.h"

namespace lantern::kb {
namespace {

using lantern::testing::TempDir;

std::string all_text(const Extracted& ex) {
  std::string s;
  for (const Block& b : ex.blocks) s += b.text + "\n\n";
  return s;
}

// ---- HTML ---------------------------------------------------------------------------------------

TEST(Html, HeadingsParagraphsAndDroppedElements) {
  std::string html = R"(<!DOCTYPE html><html><head><meta charset="utf-8"><title>The Page</title>
<style>body { color: red }</style><script>var secret = "SCRIPT";</script></head><body>
<nav><a href="/">NAVIGATION</a></nav><h1>Main</h1><p>First &amp; <b>bold</b> paragraph.<br>Second line.</p>
<h2>Section 二</h2><div>中文段落。</div><table><tr><td>a1</td><td>b1</td></tr></table>
<pre>keep   spacing
  here</pre></body></html>)";
  auto ex = extract_html(html, ImportLimits{});
  ASSERT_TRUE(ex.ok()) << ex.status().to_string();
  EXPECT_EQ(ex->title, "The Page");
  std::string text = all_text(*ex);
  EXPECT_EQ(text.find("SCRIPT"), std::string::npos);
  EXPECT_EQ(text.find("color"), std::string::npos);
  EXPECT_EQ(text.find("NAVIGATION"), std::string::npos);
  EXPECT_NE(text.find("First & bold paragraph.\nSecond line."), std::string::npos) << text;
  EXPECT_NE(text.find("a1 | b1"), std::string::npos) << text;
  EXPECT_NE(text.find("keep   spacing\n  here"), std::string::npos) << text;
  Assembled doc = assemble(*ex);
  auto chunks = chunk_document(doc, ChunkOptions{});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].heading_path, "Main > Section 二");
}

TEST(Html, DeclaredGbkCharsetIsConverted) {
  std::string html = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head>"
                     "<body><p>\xD6\xD0\xCE\xC4</p></body></html>";  // 中文 in GB2312
  auto ex = extract_html(html, ImportLimits{});
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ(all_text(*ex), "中文\n\n");
}

TEST(Html, DeepNestingIsAPerFileError) {
  std::string html = "<html><body>";
  for (int i = 0; i < 20000; ++i) html += "<div>";
  html += "deep";
  auto ex = extract_html(html, ImportLimits{});
  ASSERT_FALSE(ex.ok());
  EXPECT_NE(ex.status().message().find("nesting"), std::string::npos) << ex.status().message();
}

// ---- DOCX ---------------------------------------------------------------------------------------

struct ZipEntry {
  std::string name, data;
};

std::string make_zip(const std::vector<ZipEntry>& entries) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_source_keep(out);
  zip_t* za = zip_open_from_source(out, ZIP_TRUNCATE, &err);
  EXPECT_NE(za, nullptr);
  for (const ZipEntry& e : entries) {
    zip_source_t* s = zip_source_buffer(za, e.data.data(), e.data.size(), 0);
    EXPECT_GE(zip_file_add(za, e.name.c_str(), s, ZIP_FL_ENC_UTF_8), 0);
  }
  EXPECT_EQ(zip_close(za), 0);
  zip_stat_t st;
  zip_source_stat(out, &st);
  std::string bytes(st.size, '\0');
  zip_source_open(out);
  zip_source_read(out, bytes.data(), st.size);
  zip_source_close(out);
  zip_source_free(out);
  zip_error_fini(&err);
  return bytes;
}

const char* kW = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

std::string para(const std::string& style, const std::string& text) {
  std::string p = "<w:p>";
  if (!style.empty()) p += "<w:pPr><w:pStyle w:val=\"" + style + "\"/></w:pPr>";
  return p + "<w:r><w:t xml:space=\"preserve\">" + text + "</w:t></w:r></w:p>";
}

std::string document_xml(const std::string& body) {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document ") + kW + "><w:body>" +
         body + "</w:body></w:document>";
}

std::string make_docx(const std::string& body) {
  std::string styles = std::string("<?xml version=\"1.0\"?><w:styles ") + kW +
                       "><w:style w:type=\"paragraph\" w:styleId=\"Kop1\"><w:name w:val=\"heading 1\"/></w:style>"
                       "<w:style w:type=\"paragraph\" w:styleId=\"Kop2\"><w:name w:val=\"heading 2\"/></w:style>"
                       "</w:styles>";
  std::string core = "<?xml version=\"1.0\"?><cp:coreProperties "
                     "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
                     "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>Quarterly Report</dc:title>"
                     "</cp:coreProperties>";
  return make_zip({{"[Content_Types].xml", "<Types/>"},
                   {"word/document.xml", document_xml(body)},
                   {"word/styles.xml", styles},
                   {"docProps/core.xml", core}});
}

TEST(Docx, ParagraphsHeadingStylesTablesAndTitle) {
  std::string body = para("Kop1", "Overview") + para("", "The first paragraph.") + para("Kop2", "Details") +
                     "<w:p><w:r><w:t>Tab</w:t><w:tab/><w:t>separated</w:t><w:br/><w:t>broken</w:t></w:r>"
                     "<w:del><w:r><w:delText>DELETED</w:delText></w:r></w:del></w:p>" +
                     "<w:tbl><w:tr><w:tc>" + para("", "cell A") + "</w:tc><w:tc>" + para("", "cell B") +
                     "</w:tc></w:tr></w:tbl>" + para("Heading1", "Built-in style id");
  auto ex = extract_docx(make_docx(body), ImportLimits{});
  ASSERT_TRUE(ex.ok()) << ex.status().to_string();
  EXPECT_EQ(ex->title, "Quarterly Report");
  std::string text = all_text(*ex);
  EXPECT_NE(text.find("Tab separated\nbroken"), std::string::npos) << text;
  EXPECT_EQ(text.find("DELETED"), std::string::npos);
  EXPECT_NE(text.find("cell A | cell B"), std::string::npos) << text;
  Assembled doc = assemble(*ex);
  auto chunks = chunk_document(doc, ChunkOptions{});
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].heading_path, "Overview");
  EXPECT_EQ(chunks[1].heading_path, "Overview > Details");
  EXPECT_EQ(chunks[2].heading_path, "Built-in style id");
}

TEST(Docx, HostileArchivesAreRefused) {
  ImportLimits limits;
  limits.max_docx_uncompressed = 1 << 20;
  // A small zip that inflates past the cap (2 MiB of spaces compresses to a few kB).
  std::string bomb = make_zip({{"word/document.xml", document_xml(para("", std::string(2 << 20, ' ')))}});
  ASSERT_LT(bomb.size(), 100000u);
  auto r1 = extract_docx(bomb, limits);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.status().code(), StatusCode::kResourceLimit);
  EXPECT_NE(r1.status().message().find("zip bomb"), std::string::npos) << r1.status().message();

  limits.max_docx_entries = 10;
  std::vector<ZipEntry> many = {{"word/document.xml", document_xml(para("", "x"))}};
  for (int i = 0; i < 20; ++i) many.push_back({"junk/" + std::to_string(i), "x"});
  auto r2 = extract_docx(make_zip(many), limits);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find("zip entries"), std::string::npos);

  std::string laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
                       "\"&lol;&lol;&lol;&lol;\">]><w:document " + std::string(kW) + "><w:body>" +
                       para("", "&lol2;") + "</w:body></w:document>";
  auto r3 = extract_docx(make_zip({{"word/document.xml", laughs}}), ImportLimits{});
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.status().message().find("DTD"), std::string::npos);

  EXPECT_FALSE(extract_docx("PK\x03\x04 not really a zip", ImportLimits{}).ok());
  EXPECT_FALSE(extract_docx(make_zip({{"other.xml", "<a/>"}}), ImportLimits{}).ok());
  std::string deep = std::string("<?xml version=\"1.0\"?><w:document ") + kW + "><w:body>";
  for (int i = 0; i < 1000; ++i) deep += "<w:sdt>";
  auto r4 = extract_docx(make_zip({{"word/document.xml", deep}}), ImportLimits{});
  EXPECT_FALSE(r4.ok());
}

// ---- PDF ----------------------------------------------------------------------------------------

// A minimal valid PDF: Helvetica text, one content stream per page, exact xref offsets.
std::string make_pdf(const std::vector<std::vector<std::string>>& pages) {
  std::vector<std::string> objs;  // objs[i] is object i+1
  size_t n = pages.size();
  objs.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (size_t i = 0; i < n; ++i) kids += std::to_string(4 + 2 * i) + " 0 R ";
  objs.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n) + " >>");
  objs.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  for (size_t i = 0; i < n; ++i) {
    objs.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " + std::to_string(5 + 2 * i) +
                   " 0 R /Resources << /Font << /F1 3 0 R >> >> >>");
    std::string content;
    int y = 760;
    for (const std::string& line : pages[i]) {
      content += "BT /F1 11 Tf 72 " + std::to_string(y) + " Td (" + line + ") Tj ET\n";
      y -= line.empty() ? 30 : 16;
    }
    objs.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream");
  }
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objs.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objs[i] + "\nendobj\n";
  }
  size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objs.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", off);
    pdf += buf;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objs.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

std::vector<std::vector<std::string>> report_pages() {
  std::vector<std::vector<std::string>> pages;
  const char* topics[] = {"apples", "bridges", "comets", "deserts"};
  for (int p = 1; p <= 4; ++p) {
    std::string t = topics[p - 1];
    pages.push_back({"ACME Corp Confidential Report", "", "This page is about " + t + " and topic " +
                     std::to_string(p * 11) + ".", "Most " + t + " are described at length in the",
                     "appendix of the report on " + t + ".", "", std::to_string(p)});
  }
  return pages;
}

TEST(Pdf, PagesTextAndBoilerplateRemoval) {
  auto ex = extract_pdf(make_pdf(report_pages()), ImportLimits{});
  ASSERT_TRUE(ex.ok()) << ex.status().to_string();
  std::string text = all_text(*ex);
  EXPECT_EQ(text.find("ACME Corp"), std::string::npos) << "repeated header removed:\n" << text;
  EXPECT_NE(text.find("This page is about comets and topic 33."), std::string::npos) << text;
  EXPECT_NE(text.find("Most comets are described at length in the appendix"), std::string::npos) << text;
  Assembled doc = assemble(*ex);
  auto chunks = chunk_document(doc, ChunkOptions{});
  ASSERT_EQ(chunks.size(), 4u);
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].page, static_cast<int64_t>(i + 1));
    std::string c = doc.text.substr(chunks[i].start, chunks[i].end - chunks[i].start);
    EXPECT_NE(c.find("topic " + std::to_string((i + 1) * 11)), std::string::npos) << c;
    EXPECT_EQ(c.back(), '.') << "bare page number removed: " << c;
  }
}

TEST(Pdf, GarbageAndTimeLimitArePerFileErrors) {
  auto bad = extract_pdf("%PDF-1.4\n garbage garbage", ImportLimits{});
  ASSERT_FALSE(bad.ok());
  ImportLimits instant;
  instant.pdf_time_limit_s = 0;
  auto slow = extract_pdf(make_pdf(report_pages()), instant);
  ASSERT_FALSE(slow.ok());
  EXPECT_NE(slow.status().message().find("took longer"), std::string::npos) << slow.status().message();
  auto blank = extract_pdf(make_pdf({{""}, {""}}), ImportLimits{});
  ASSERT_FALSE(blank.ok());
  EXPECT_NE(blank.status().message().find("no text layer"), std::string::npos) << blank.status().message();
}

// ---- all of them through the importer -----------------------------------------------------------

TEST(Formats, MixedFolderImportsWithHostileFilesFailingAlone) {
  TempDir home, docs;
  docs.write("report.pdf", make_pdf(report_pages()));
  docs.write("memo.docx", make_docx(para("Kop1", "Memo") + para("", "Memo body text.")));
  docs.write("page.html", "<html><head><title>Web</title></head><body><h1>Web page</h1><p>Body.</p></body></html>");
  docs.write("data.csv", "a,b\n1,2\n");
  docs.write("data.json", "{\"k\": \"v\"}");
  docs.write("main.cpp", "int main() {\n  return 0;\n}\n");
  docs.write("README", "Plain text without an extension.");
  std::string deep = "<html><body>";
  for (int i = 0; i < 5000; ++i) deep += "<div>";
  docs.write("deep.html", deep);
  docs.write("bomb.docx", make_zip({{"word/document.xml", document_xml(para("", std::string(16 << 20, ' ')))}}));
  auto kb = KnowledgeBase::open(home.path());
  ASSERT_TRUE(kb.ok());
  ImportOptions opt;
  opt.limits.max_docx_uncompressed = 8 << 20;
  auto r = (*kb)->import({docs.path()}, opt);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->added, 7);
  EXPECT_EQ(r->failed, 2);
  for (const FileReport& f : r->files) {
    if (f.outcome == ImportOutcome::kFailed) {
      EXPECT_TRUE(f.path.find("deep.html") != std::string::npos || f.path.find("bomb.docx") != std::string::npos)
          << f.path << ": " << f.reason;
    }
  }
  auto docs_list = (*kb)->list_documents("default");
  ASSERT_TRUE(docs_list.ok());
  std::map<std::string, std::string> formats, titles;
  for (const auto& d : *docs_list) {
    std::string name = d.path.substr(d.path.rfind('/') + 1);
    formats[name] = d.format;
    titles[name] = d.title;
  }
  EXPECT_EQ(formats["report.pdf"], "pdf");
  EXPECT_EQ(formats["memo.docx"], "docx");
  EXPECT_EQ(formats["main.cpp"], "code");
  EXPECT_EQ(formats["README"], "text");
  EXPECT_EQ(titles["memo.docx"], "Quarterly Report");
  EXPECT_EQ(titles["page.html"], "Web");
  sqlite3* db = (*kb)->handle();
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok");
  sqlite3_finalize(st);
}

}  // namespace
}  // namespace lantern::kb
