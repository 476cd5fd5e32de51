// Retrieval evaluator: recall@1/5/10 and MRR@10 of lantern's keyword search against two plain
// FTS5 baselines (unicode61 and trigram tokenizers), on a BEIR folder or a SQuAD-format file.
//
//   retrieval_eval_bench --beir DIR | --squad FILE  [--direct] [--queries N] [--tune] [--markdown]
//
// The corpus is written out as one Markdown file per document ("# title" then the text) and
// imported into a fresh lantern database with the real importer and chunker; --direct instead
// stores each document as a single chunk (no chunking). Every system ranks chunks of the same
// documents; a ranked chunk list becomes a ranked document list by first occurrence.
// SQuAD: every question's own paragraph is its one relevant document. --tune also runs the
// query-analysis variants used to choose QueryTuning's defaults.
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "lantern/json.h"
#include "lantern/kb/knowledge_base.h"
#include "query_builder.h"
#include "search_index.h"
#include "searcher.h"
#include "text_tokenizer.h"

using namespace lantern;
using namespace lantern::kb;

namespace {

struct Doc {
  std::string id, title, text;
};
struct Query {
  std::string id, text;
};
struct Dataset {
  std::string name;
  std::vector<Doc> docs;
  std::vector<Query> queries;
  std::map<std::string, std::set<std::string>> qrels;  // query id -> relevant doc ids
};

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "retrieval_eval_bench: %s\n", msg.c_str());
  std::exit(1);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<json::Value> read_jsonl(const std::string& path) {
  std::vector<json::Value> out;
  std::istringstream in(slurp(path));
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto v = json::parse(line);
    if (!v.ok()) die(path + ":" + std::to_string(n) + ": " + v.status().to_string());
    out.push_back(std::move(v).value());
  }
  return out;
}

std::string id_string(const json::Value* v) {
  if (v == nullptr) return "";
  if (v->is_string()) return v->as_string();
  if (v->is_number()) return std::to_string(v->as_int());
  return "";
}

Dataset load_beir(const std::string& dir) {
  Dataset ds;
  ds.name = dir;
  for (const auto& v : read_jsonl(dir + "/corpus.jsonl")) {
    ds.docs.push_back({id_string(v.find("_id")), v.get_string("title"), v.get_string("text")});
  }
  std::map<std::string, std::string> qtext;
  for (const auto& v : read_jsonl(dir + "/queries.jsonl")) qtext[id_string(v.find("_id"))] = v.get_string("text");
  std::istringstream in(slurp(dir + "/qrels/test.tsv"));
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      if (line.rfind("query-id", 0) == 0) continue;
    }
    std::istringstream ls(line);
    std::string q, d, score;
    if (!std::getline(ls, q, '\t') || !std::getline(ls, d, '\t')) continue;
    std::getline(ls, score, '\t');
    if (!score.empty() && std::atoi(score.c_str()) <= 0) continue;
    ds.qrels[q].insert(d);
  }
  for (const auto& [qid, rel] : ds.qrels) {
    auto it = qtext.find(qid);
    if (it != qtext.end()) ds.queries.push_back({qid, it->second});
  }
  return ds;
}

Dataset load_squad(const std::string& path) {
  Dataset ds;
  ds.name = path;
  auto v = json::parse(slurp(path));
  if (!v.ok()) die(path + ": " + v.status().to_string());
  const json::Value* data = v->find("data");
  if (data == nullptr || !data->is_array()) die(path + ": no 'data' array");
  int n_para = 0;
  for (const auto& article : data->items()) {
    std::string title = article.get_string("title");
    const json::Value* paras = article.find("paragraphs");
    if (paras == nullptr) continue;
    for (const auto& p : paras->items()) {
      std::string doc_id = p.get_string("id", "p" + std::to_string(n_para));
      ++n_para;
      ds.docs.push_back({doc_id, title, p.get_string("context")});
      const json::Value* qas = p.find("qas");
      if (qas == nullptr) continue;
      for (const auto& qa : qas->items()) {
        std::string qid = qa.get_string("id", doc_id + "_q" + std::to_string(ds.queries.size()));
        ds.queries.push_back({qid, qa.get_string("question")});
        ds.qrels[qid].insert(doc_id);
      }
    }
  }
  return ds;
}

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) die(std::string(err ? err : "?") + " in " + sql);
}

// The store tables of the contract with the importer, written directly (see tests/kb/kb_test_db.cpp).
void create_store(sqlite3* db) {
  exec(db, R"sql(
PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS kbs(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, created_ms INTEGER);
CREATE TABLE IF NOT EXISTS documents(id INTEGER PRIMARY KEY, kb_id INTEGER NOT NULL REFERENCES kbs(id) ON DELETE CASCADE,
  path TEXT NOT NULL, title TEXT, format TEXT, size INTEGER, mtime_ms INTEGER, sha256 TEXT, imported_ms INTEGER,
  status TEXT, error TEXT, text TEXT, n_chunks INTEGER, UNIQUE(kb_id, path));
CREATE TABLE IF NOT EXISTS chunks(id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  seq INTEGER, text TEXT NOT NULL, heading TEXT, page INTEGER, start INTEGER, "end" INTEGER);
)sql");
  auto st = create_search_schema(db);
  if (!st.ok()) die(st.to_string());
}

void load_docs(sqlite3* db, const Dataset& ds) {
  exec(db, "BEGIN; INSERT INTO kbs(id, name, created_ms) VALUES (1, 'eval', 0)");
  sqlite3_stmt* doc = nullptr;
  sqlite3_stmt* chunk = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO documents(kb_id, path, title, format, status, text, n_chunks) VALUES (1, ?1, ?2, 'txt', 'ok', ?3, 1)",
                     -1, &doc, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO chunks(doc_id, seq, text, heading, page, start, \"end\") VALUES (?1, 0, ?2, '', NULL, 0, ?3)",
                     -1, &chunk, nullptr);
  for (const auto& d : ds.docs) {
    sqlite3_reset(doc);
    sqlite3_bind_text(doc, 1, d.id.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(doc, 2, d.title.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(doc, 3, d.text.c_str(), -1, SQLITE_STATIC);
    if (sqlite3_step(doc) != SQLITE_DONE) die(std::string("insert document: ") + sqlite3_errmsg(db));
    int64_t doc_id = sqlite3_last_insert_rowid(db);
    sqlite3_reset(chunk);
    sqlite3_bind_int64(chunk, 1, doc_id);
    sqlite3_bind_text(chunk, 2, d.text.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int64(chunk, 3, static_cast<int64_t>(d.text.size()));
    if (sqlite3_step(chunk) != SQLITE_DONE) die(std::string("insert chunk: ") + sqlite3_errmsg(db));
  }
  sqlite3_finalize(doc);
  sqlite3_finalize(chunk);
  exec(db, "COMMIT");
}

// A baseline or variant index over the same chunks: fts5(title, body) with `tokenize`.
void build_table(sqlite3* db, const std::string& name, const std::string& tokenize, int columns) {
  if (columns == 3) {
    exec(db, "CREATE VIRTUAL TABLE " + name + " USING fts5(title, heading, body, tokenize=\"" + tokenize + "\")");
    exec(db, "INSERT INTO " + name + "(rowid, title, heading, body) SELECT c.id, d.title, c.heading, c.text "
             "FROM chunks c JOIN documents d ON d.id = c.doc_id");
  } else {
    exec(db, "CREATE VIRTUAL TABLE " + name + " USING fts5(title, body, tokenize=\"" + tokenize + "\")");
    exec(db, "INSERT INTO " + name + "(rowid, title, body) SELECT c.id, d.title, c.text FROM chunks c JOIN documents d ON d.id = c.doc_id");
  }
}

// Splits a query for the baselines: maximal runs of letters/digits/CJK, the way unicode61 sees words.
std::vector<std::string> plain_terms(const std::string& q) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < q.size();) {
    unsigned char c = static_cast<unsigned char>(q[i]);
    size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    std::string ch = q.substr(i, len);
    bool word = c >= 0x80 ? true : (std::isalnum(c) != 0);
    // CJK and full-width punctuation are separators too.
    if (len == 3 && (ch.rfind("\xe3\x80", 0) == 0 || ch.rfind("\xef\xbc", 0) == 0)) word = false;
    if (word) {
      cur += ch;
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
    i += len;
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::vector<std::string> utf8_chars(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

std::string or_join(const std::vector<std::string>& terms) {
  std::set<std::string> seen;
  std::string m;
  for (const auto& t : terms) {
    if (!seen.insert(t).second) continue;
    if (!m.empty()) m += " OR ";
    m += fts5_quote(t);
  }
  return m;
}

std::string unicode61_match(const std::string& q) { return or_join(plain_terms(q)); }

// trigram: each term's overlapping 3-character windows (shorter terms cannot match a trigram index).
std::string trigram_match(const std::string& q) {
  std::vector<std::string> grams;
  for (const auto& t : plain_terms(q)) {
    auto chars = utf8_chars(t);
    for (size_t i = 0; i + 3 <= chars.size(); ++i) grams.push_back(chars[i] + chars[i + 1] + chars[i + 2]);
  }
  return or_join(grams);
}

struct Metrics {
  double r1 = 0, r5 = 0, r10 = 0, mrr = 0, ms = 0;
  int n = 0;
};

struct System {
  std::string name;
  // Returns ranked chunk ids for a query.
  std::function<std::vector<int64_t>(const std::string&)> rank;
};

std::vector<int64_t> run_ranked(sqlite3* db, const std::string& sql, const std::string& match, int k) {
  std::vector<int64_t> out;
  if (match.empty()) return out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) die(sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, match.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, k);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) out.push_back(sqlite3_column_int64(st, 0));
  if (rc != SQLITE_DONE) die(std::string(sqlite3_errmsg(db)) + " for " + match);
  sqlite3_finalize(st);
  return out;
}

Metrics evaluate(const System& sys, const Dataset& ds, const std::map<int64_t, std::string>& chunk_doc, size_t max_queries) {
  Metrics m;
  size_t nq = std::min(max_queries, ds.queries.size());
  auto t0 = std::chrono::steady_clock::now();
  for (size_t qi = 0; qi < nq; ++qi) {
    const Query& q = ds.queries[qi];
    const auto& rel = ds.qrels.at(q.id);
    std::vector<std::string> docs;
    for (int64_t c : sys.rank(q.text)) {
      auto it = chunk_doc.find(c);
      if (it == chunk_doc.end()) continue;
      if (std::find(docs.begin(), docs.end(), it->second) == docs.end()) docs.push_back(it->second);
      if (docs.size() == 10) break;
    }
    int hit1 = 0, hit5 = 0, hit10 = 0;
    double rr = 0;
    for (size_t r = 0; r < docs.size(); ++r) {
      if (rel.count(docs[r]) == 0) continue;
      if (r < 1) ++hit1;
      if (r < 5) ++hit5;
      ++hit10;
      if (rr == 0) rr = 1.0 / static_cast<double>(r + 1);
    }
    double nrel = static_cast<double>(rel.size());
    m.r1 += hit1 / nrel;
    m.r5 += hit5 / nrel;
    m.r10 += hit10 / nrel;
    m.mrr += rr;
    ++m.n;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (m.n > 0) {
    m.r1 /= m.n;
    m.r5 /= m.n;
    m.r10 /= m.n;
    m.mrr /= m.n;
    m.ms = secs * 1000 / m.n;
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  std::string beir, squad;
  size_t max_queries = SIZE_MAX;
  bool tune = false, markdown = false, direct = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--beir") beir = next();
    else if (a == "--squad") squad = next();
    else if (a == "--queries") max_queries = std::stoul(next());
    else if (a == "--tune") tune = true;
    else if (a == "--direct") direct = true;
    else if (a == "--markdown") markdown = true;
    else die("unknown argument " + a + " (usage: --beir DIR | --squad FILE [--direct] [--queries N] [--tune] [--markdown])");
  }
  if (beir.empty() == squad.empty()) die("give exactly one of --beir DIR or --squad FILE");
  Dataset ds = beir.empty() ? load_squad(squad) : load_beir(beir);

  char tmpl[] = "/tmp/lantern-eval-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) die("mkdtemp failed");
  std::string db_path = std::string(tmpl) + "/lantern.db";
  sqlite3* db = nullptr;
  std::unique_ptr<KnowledgeBase> store;
  std::map<std::string, std::string> file_doc;  // imported file path -> corpus doc id
  double import_s = 0;
  if (direct) {
    if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) die("open " + db_path);
    auto st = register_fts_tokenizer(db);
    if (!st.ok()) die(st.to_string());
    create_store(db);
    auto t0 = std::chrono::steady_clock::now();
    load_docs(db, ds);
    import_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const auto& d : ds.docs) file_doc[d.id] = d.id;
  } else {
    std::string dir = std::string(tmpl) + "/corpus";
    if (::mkdir(dir.c_str(), 0700) != 0) die("mkdir " + dir);
    for (size_t i = 0; i < ds.docs.size(); ++i) {
      const Doc& d = ds.docs[i];
      std::string path = dir + "/d" + std::to_string(i) + ".md";
      std::ofstream out(path, std::ios::binary);
      if (!d.title.empty()) out << "# " << d.title << "\n\n";
      out << d.text << "\n";
      file_doc[path] = d.id;
    }
    auto kb = KnowledgeBase::open_file(db_path);
    if (!kb.ok()) die(kb.status().to_string());
    store = std::move(kb).value();
    ImportOptions opt;
    opt.kb = "default";
    auto t0 = std::chrono::steady_clock::now();
    auto report = store->import({dir}, opt);
    if (!report.ok()) die(report.status().to_string());
    import_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (report->failed > 0) die("import: " + std::to_string(report->failed) + " files failed");
    db = store->handle();
  }
  build_table(db, "base_unicode61", "unicode61", 2);
  build_table(db, "base_trigram", "trigram", 2);
  if (tune) build_table(db, "lantern_nostem", "lantern nostem", 3);

  std::map<int64_t, std::string> chunk_doc;
  {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT c.id, d.path FROM chunks c JOIN documents d ON d.id = c.doc_id", -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) {
      auto it = file_doc.find(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)));
      if (it != file_doc.end()) chunk_doc[sqlite3_column_int64(s, 0)] = it->second;
    }
    sqlite3_finalize(s);
  }
  const int kFetch = 50;  // chunks per query: enough for 10 distinct documents
  std::vector<System> systems;
  auto lantern_system = [&](std::string name, QueryTuning tuning) {
    return System{name, [db, tuning](const std::string& q) {
                    std::vector<int64_t> ids;
                    auto r = rank_chunks(db, build_query(q, tuning), kFetch, 0, tuning);
                    if (!r.ok()) die(r.status().to_string());
                    for (auto& [id, s] : *r) ids.push_back(id);
                    return ids;
                  }};
  };
  systems.push_back(lantern_system("lantern", QueryTuning{}));
  systems.push_back({"fts5 unicode61", [db](const std::string& q) {
                       return run_ranked(db, "SELECT rowid FROM base_unicode61 WHERE base_unicode61 MATCH ?1 ORDER BY rank LIMIT ?2",
                                         unicode61_match(q), kFetch);
                     }});
  systems.push_back({"fts5 trigram", [db](const std::string& q) {
                       return run_ranked(db, "SELECT rowid FROM base_trigram WHERE base_trigram MATCH ?1 ORDER BY rank LIMIT ?2",
                                         trigram_match(q), kFetch);
                     }});
  if (tune) {
    QueryTuning t;
    t.english_stopwords = false;
    systems.push_back(lantern_system("lantern, no stopwords", t));
    t = {};
    t.cjk_phrases = true;
    systems.push_back(lantern_system("lantern, + CJK phrases", t));
    t = {};
    t.cjk_unigrams = true;
    systems.push_back(lantern_system("lantern, + CJK unigrams", t));
    t = {};
    t.cjk_phrases = false;
    t.cjk_unigrams = true;
    systems.push_back(lantern_system("lantern, unigrams, no phrases", t));
    t = {};
    t.candidate_budget = int64_t{1} << 40;
    systems.push_back(lantern_system("lantern, no budget (exact)", t));
    for (double w : {1.0, 2.0, 5.0, 10.0}) {
      t = {};
      t.w_title = w;
      char name[64];
      std::snprintf(name, sizeof name, "lantern, title weight %.0f", w);
      systems.push_back(lantern_system(name, t));
    }
    for (int64_t budget : {30, 100, 300}) {
      t = {};
      t.candidate_budget = budget;
      systems.push_back(lantern_system("lantern, budget " + std::to_string(budget) + " rows", t));
    }
    QueryTuning nostem;
    nostem.tokenizer.stem = false;
    systems.push_back({"lantern, no stemming", [db, nostem](const std::string& q) {
                         QueryPlan plan = build_query(q, nostem);
                         char w[128];
                         std::snprintf(w, sizeof w, "%g, %g, %g", nostem.w_title, nostem.w_heading, nostem.w_body);
                         return run_ranked(db, std::string("SELECT rowid FROM lantern_nostem WHERE lantern_nostem MATCH ?1 ORDER BY bm25(lantern_nostem, ") +
                                               w + ") LIMIT ?2", plan.match, kFetch);
                       }});
  }
  size_t nq = std::min(max_queries, ds.queries.size());
  std::printf("dataset %s: %zu documents in %zu chunks (%s, %.2f s), %zu queries\n", ds.name.c_str(), ds.docs.size(),
              chunk_doc.size(), direct ? "one chunk per document" : "lantern import", import_s, nq);
  if (markdown) {
    std::printf("| system | recall@1 | recall@5 | recall@10 | MRR@10 | ms/query |\n|---|---|---|---|---|---|\n");
  } else {
    std::printf("%-28s %9s %9s %9s %9s %9s\n", "system", "recall@1", "recall@5", "recall@10", "MRR@10", "ms/query");
  }
  for (const auto& sys : systems) {
    Metrics m = evaluate(sys, ds, chunk_doc, max_queries);
    if (markdown) {
      std::printf("| %s | %.3f | %.3f | %.3f | %.3f | %.2f |\n", sys.name.c_str(), m.r1, m.r5, m.r10, m.mrr, m.ms);
    } else {
      std::printf("%-28s %9.3f %9.3f %9.3f %9.3f %9.2f\n", sys.name.c_str(), m.r1, m.r5, m.r10, m.mrr, m.ms);
    }
    std::fflush(stdout);
  }
  if (store) {
    store.reset();
  } else {
    sqlite3_close(db);
  }
  std::string cleanup = std::string("rm -rf '") + tmpl + "'";
  if (std::system(cleanup.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", tmpl);
  return 0;
}
