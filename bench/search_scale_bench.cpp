// Search at scale: index-insert throughput and keyword-search latency (p50/p99) at 10k, 100k and
// 1M chunks of synthetic text made by recombining and perturbing real sentences (Cranfield in
// English, CMRC 2018 in Chinese).
//
//   search_scale_bench [--shared DIR] [--sizes 10000,100000,1000000] [--db PATH] [--queries N]
//
// Chunks are written the way the importer writes them (one transaction per 20-chunk document,
// all its chunks in one multi-row INSERT, the chunk_fts triggers doing the indexing), so "insert
// MB/s" is the cost of the store plus the tokenizer plus FTS5, without file parsing. Latency is the
// whole keyword_search() call with k=10: ranking, chunk lookup, highlights and snippets, over
// real queries (Cranfield queries and CMRC questions), measured after one warm-up pass.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "lantern/json.h"
#include "lantern/kb/search.h"
#include "search_index.h"
#include "searcher.h"

using namespace lantern;
using namespace lantern::kb;
using Clock = std::chrono::steady_clock;

// CPU seconds of this thread: on a shared machine wall time mostly measures the neighbours.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

namespace {

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "search_scale_bench: %s\n", msg.c_str());
  std::exit(1);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) die(std::string(err ? err : "?") + " in " + sql);
}

// Splits on a separator, keeping pieces of at least `min_len` bytes.
std::vector<std::string> split_sentences(const std::string& text, const std::string& sep, size_t min_len) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t e = text.find(sep, pos);
    if (e == std::string::npos) e = text.size();
    std::string s = text.substr(pos, e - pos);
    if (s.size() >= min_len) out.push_back(s + sep);
    pos = e + sep.size();
  }
  return out;
}

struct Corpus {
  std::vector<std::string> en, zh, queries;
};

Corpus load(const std::string& shared) {
  Corpus c;
  std::istringstream in(slurp(shared + "/datasets/cranfield/beir_format/corpus.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    auto v = json::parse(line);
    if (!v.ok()) continue;
    for (auto& s : split_sentences(v->get_string("text"), " . ", 30)) c.en.push_back(std::move(s));
  }
  std::istringstream qin(slurp(shared + "/datasets/cranfield/beir_format/queries.jsonl"));
  while (std::getline(qin, line)) {
    auto v = json::parse(line);
    if (v.ok()) c.queries.push_back(v->get_string("text"));
  }
  auto squad = json::parse(slurp(shared + "/datasets/cmrc2018/cmrc2018_trial.squad.json"));
  if (!squad.ok()) die(squad.status().to_string());
  size_t nq = 0;
  for (const auto& a : squad->find("data")->items()) {
    for (const auto& p : a.find("paragraphs")->items()) {
      for (auto& s : split_sentences(p.get_string("context"), "。", 12)) c.zh.push_back(std::move(s));
      for (const auto& qa : p.find("qas")->items()) {
        if (nq++ % 4 == 0) c.queries.push_back(qa.get_string("question"));
      }
    }
  }
  return c;
}

// Makes one chunk: real sentences recombined, ~8% of English words replaced by synthetic ones
// from a Zipf-like vocabulary (so the vocabulary grows with the corpus as real text does), and
// digits perturbed in Chinese.
class Synth {
 public:
  explicit Synth(const Corpus& c) : c_(c), rng_(42) {}
  std::string chunk() {
    std::uniform_real_distribution<double> u(0, 1);
    bool zh = u(rng_) < 0.3;
    const auto& pool = zh ? c_.zh : c_.en;
    std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
    size_t target = zh ? 450 : 420;  // bytes: ~150 CJK characters or ~70 English words
    std::string out;
    while (out.size() < target) out += pool[pick(rng_)];
    if (!zh) return perturb_words(out);
    for (char& ch : out) {
      if (ch >= '0' && ch <= '9') ch = static_cast<char>('0' + rng_() % 10);
    }
    return out;
  }

 private:
  std::string perturb_words(const std::string& s) {
    std::string out;
    std::uniform_real_distribution<double> u(0, 1);
    size_t i = 0;
    while (i < s.size()) {
      size_t e = s.find(' ', i);
      if (e == std::string::npos) e = s.size();
      if (u(rng_) < 0.08) {
        // Zipf-ish: rank r with probability ~ 1/r over 200k synthetic words.
        double r = std::exp(u(rng_) * std::log(200000.0));
        char buf[32];
        std::snprintf(buf, sizeof buf, "q%lx", static_cast<unsigned long>(r) * 2654435761UL % 0xfffffff);
        out += buf;
      } else {
        out.append(s, i, e - i);
      }
      if (e < s.size()) out += ' ';
      i = e + 1;
    }
    return out;
  }
  const Corpus& c_;
  std::mt19937_64 rng_;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  std::string shared = getenv("LANTERN_SHARED") ? getenv("LANTERN_SHARED") : "../shared";
  std::vector<int64_t> sizes = {10000, 100000, 1000000};
  std::string db_path;
  size_t max_queries = 400;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--shared") shared = next();
    else if (a == "--db") db_path = next();
    else if (a == "--queries") max_queries = std::stoul(next());
    else if (a == "--sizes") {
      sizes.clear();
      std::istringstream ss(next());
      std::string tok;
      while (std::getline(ss, tok, ',')) sizes.push_back(std::stoll(tok));
    } else die("unknown argument " + a);
  }
  Corpus corpus = load(shared);
  if (corpus.queries.size() > max_queries) corpus.queries.resize(max_queries);
  std::string tmpdir;
  if (db_path.empty()) {
    char tmpl[] = "/tmp/lantern-scale-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) die("mkdtemp failed");
    tmpdir = tmpl;
    db_path = tmpdir + "/lantern.db";
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) die("open " + db_path);
  auto st = register_fts_tokenizer(db);
  if (!st.ok()) die(st.to_string());
  exec(db, R"sql(
PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS kbs(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, created_ms INTEGER);
CREATE TABLE IF NOT EXISTS documents(id INTEGER PRIMARY KEY, kb_id INTEGER NOT NULL REFERENCES kbs(id) ON DELETE CASCADE,
  path TEXT NOT NULL, title TEXT, format TEXT, size INTEGER, mtime_ms INTEGER, sha256 TEXT, imported_ms INTEGER,
  status TEXT, error TEXT, text TEXT, n_chunks INTEGER, UNIQUE(kb_id, path));
CREATE TABLE IF NOT EXISTS chunks(id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  seq INTEGER, text TEXT NOT NULL, heading TEXT, page INTEGER, start INTEGER, "end" INTEGER);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, seq);
INSERT OR IGNORE INTO kbs(id, name, created_ms) VALUES (1, 'default', 0);
)sql");
  st = create_search_schema(db);
  if (!st.ok()) die(st.to_string());

  sqlite3_stmt* doc = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO documents(kb_id, path, title, format, status, text, n_chunks) VALUES (1, ?1, ?2, 'txt', 'ok', ?3, ?4)",
                     -1, &doc, nullptr);
  // All chunks of a document in one statement: FTS5 starts a new segment per writing statement.
  const int kChunksPerDoc = 20;
  sqlite3_stmt* chunk = nullptr;
  {
    std::string sql = "INSERT INTO chunks(doc_id, seq, text, heading, page, start, \"end\") VALUES ";
    for (int i = 0; i < kChunksPerDoc; ++i) sql += std::string(i ? ", " : "") + "(?, ?, ?, '', NULL, ?, ?)";
    sqlite3_prepare_v2(db, sql.c_str(), -1, &chunk, nullptr);
  }
  Synth synth(corpus);
  int64_t have = 0, n_docs = 0;
  {
    sqlite3_stmt* c = nullptr;
    sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM chunks), (SELECT count(*) FROM documents)", -1, &c, nullptr);
    if (sqlite3_step(c) == SQLITE_ROW) {
      have = sqlite3_column_int64(c, 0);
      n_docs = sqlite3_column_int64(c, 1);
    }
    sqlite3_finalize(c);
  }
  std::printf("| chunks | insert MB/s (wall, CPU) | chunks/s | docs/s | DB MB | search p50 ms | p99 ms | max ms | CPU p50 ms | CPU p99 ms |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  for (int64_t size : sizes) {
    double text_bytes = 0;
    int64_t added_docs = 0, added_chunks = 0;
    auto t0 = Clock::now();
    double c0 = cpu_seconds();
    while (have < size) {
      std::vector<std::string> parts;
      std::string full;
      for (int i = 0; i < kChunksPerDoc && have + i < size; ++i) {
        parts.push_back(synth.chunk());
        full += parts.back();
        full += "\n\n";
      }
      exec(db, "BEGIN");
      std::string path = "/synthetic/doc" + std::to_string(n_docs) + ".txt";
      std::string title = parts[0].substr(0, std::min<size_t>(parts[0].find(' ', 30), 60));
      sqlite3_reset(doc);
      sqlite3_bind_text(doc, 1, path.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(doc, 2, title.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(doc, 3, full.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_int64(doc, 4, static_cast<int64_t>(parts.size()));
      if (sqlite3_step(doc) != SQLITE_DONE) die(sqlite3_errmsg(db));
      int64_t doc_id = sqlite3_last_insert_rowid(db);
      int64_t off = 0;
      sqlite3_reset(chunk);
      for (size_t i = 0; i < parts.size(); ++i) {
        int p = static_cast<int>(i) * 5;
        sqlite3_bind_int64(chunk, p + 1, doc_id);
        sqlite3_bind_int64(chunk, p + 2, static_cast<int64_t>(i));
        sqlite3_bind_text(chunk, p + 3, parts[i].c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_int64(chunk, p + 4, off);
        sqlite3_bind_int64(chunk, p + 5, off + static_cast<int64_t>(parts[i].size()));
        off += static_cast<int64_t>(parts[i].size()) + 2;
        text_bytes += static_cast<double>(parts[i].size());
      }
      if (parts.size() != static_cast<size_t>(kChunksPerDoc)) die("sizes must be multiples of 20 chunks");
      if (sqlite3_step(chunk) != SQLITE_DONE) die(sqlite3_errmsg(db));
      exec(db, "COMMIT");
      have += static_cast<int64_t>(parts.size());
      added_chunks += static_cast<int64_t>(parts.size());
      ++n_docs;
      ++added_docs;
      if (n_docs % 5000 == 0) {
        std::fprintf(stderr, "\r%lld chunks", static_cast<long long>(have));
        std::fflush(stderr);
      }
    }
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    double cpu_secs = cpu_seconds() - c0;
    std::fprintf(stderr, "\r");
    exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    // Latency: one warm-up pass, then the measured pass.
    std::vector<double> ms, cpu_ms;
    SearchOptions opt;
    opt.k = 10;
    for (int pass = 0; pass < 2; ++pass) {
      ms.clear();
      cpu_ms.clear();
      for (const auto& q : corpus.queries) {
        auto q0 = Clock::now();
        double qc = cpu_seconds();
        auto r = keyword_search(db, q, opt, QueryTuning{});
        if (!r.ok()) die(r.status().to_string());
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - q0).count());
        cpu_ms.push_back((cpu_seconds() - qc) * 1000);
      }
    }
    FILE* f = std::fopen(db_path.c_str(), "rb");
    double db_mb = 0;
    if (f) {
      std::fseek(f, 0, SEEK_END);
      db_mb = static_cast<double>(std::ftell(f)) / 1e6;
      std::fclose(f);
    }
    std::printf("| %lld | %.1f, %.1f (%.0f MB added) | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f |\n",
                static_cast<long long>(have), text_bytes / 1e6 / secs, text_bytes / 1e6 / cpu_secs, text_bytes / 1e6,
                static_cast<double>(added_chunks) / secs, static_cast<double>(added_docs) / secs, db_mb,
                percentile(ms, 0.5), percentile(ms, 0.99), percentile(ms, 1.0), percentile(cpu_ms, 0.5),
                percentile(cpu_ms, 0.99));
    std::fflush(stdout);
  }
  sqlite3_finalize(doc);
  sqlite3_finalize(chunk);
  sqlite3_close(db);
  if (!tmpdir.empty()) {
    std::string cleanup = "rm -rf '" + tmpdir + "'";
    if (std::system(cleanup.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", tmpdir.c_str());
  }
  return 0;
}
