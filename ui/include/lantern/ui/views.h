// Plain view structs: everything the chat UI shows, filled in by the backend (app/).
//
// The one thing to know: these are the whole vocabulary between ui/ and the rest of lantern. The UI
// never sees an engine or kb type; app/ copies what it has into these. All text in them is
// untrusted (model output, document text, file names) and is sanitized by the UI when drawn.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lantern::ui {

// One retrieved passage, numbered as the answer cites it ("[n]").
struct SourceView {
  int n = 0;                            // citation number, 1-based
  std::string title;                    // document title (or file name)
  std::string path;                     // document path as imported
  std::string location;                 // "p. 3", "Install > Linux", or empty
  double score = 0;                     // retrieval score (higher is better)
  std::string snippet;                  // a short excerpt around the match
  std::vector<std::string> highlights;  // matched terms, highlighted in snippet and text
  std::string text;                     // the full chunk
  std::string context_before;           // text just before the chunk in its document (viewer)
  std::string context_after;            // text just after it
};

// Timings of one answer; zero when unknown (extractive answers have no token rates).
struct TurnStats {
  int64_t prompt_tokens = 0;
  int64_t generated_tokens = 0;
  double prompt_tps = 0;   // prompt processing tokens/s
  double decode_tps = 0;   // generation tokens/s
  double seconds = 0;      // wall time of the whole turn
};

enum class Role { kUser, kAssistant, kNotice };

struct MessageView {
  int64_t id = 0;       // backend's id (0 when not stored)
  Role role = Role::kUser;
  std::string text;       // the answer or question (may contain <think>...</think>)
  std::string reasoning;  // reasoning emitted separately from the answer, if any
  std::string model;      // model that answered ("" = extractive)
  std::vector<SourceView> sources;
  TurnStats stats;
};

// What the stats pane shows; filled about once a second.
struct StatsView {
  std::vector<double> cpu_per_core;  // 0..100 each
  double process_cpu = 0;            // lantern itself, 0..100*cores
  uint64_t rss_bytes = 0;
  std::string model_name;            // empty: no model loaded
  std::string model_arch;
  std::string model_quant;
  int threads = 0;
  int64_t ctx_used = 0;
  int64_t ctx_size = 0;
  double prompt_tps = 0;             // last turn
  double decode_tps = 0;
  std::string kb_name;
  int64_t kb_docs = -1;              // -1: unknown
  int64_t kb_chunks = -1;
  bool gpu_present = false;
  std::string gpu_name;              // "GPU: none" is drawn when !gpu_present
  double gpu_util = 0;               // percent
  uint64_t gpu_mem_used = 0;
  uint64_t gpu_mem_total = 0;
};

struct ModelEntry {
  std::string name;     // what /model NAME accepts
  std::string path;
  std::string origin;   // "models dir", "ollama", "path"
  uint64_t size_bytes = 0;
  std::string detail;   // arch / quant / parameters when known
  bool loaded = false;
};

struct SessionEntry {
  int64_t id = 0;
  std::string title;
  int64_t updated_ms = 0;  // Unix time in milliseconds
  int64_t n_messages = 0;
  std::string model;
  std::string kb;
};

struct SessionView {
  SessionEntry info;
  std::vector<MessageView> messages;
};

// What the header and status line show about the backend's state.
struct BackendInfo {
  std::string model;       // loaded model name; empty: extractive mode
  std::string kb;          // current knowledge base
  int64_t kb_chunks = -1;  // -1 unknown; 0 means empty (first-run offer)
  int64_t session_id = 0;
  std::string session_title;
  std::string hint;        // e.g. how to add a model; shown on the status line when idle
};

}  // namespace lantern::ui
