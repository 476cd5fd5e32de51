// Where models come from: `-m` resolution and the discovery behind `lantern models`.
//
// A model spec is, in this order: a path to a file; a file name in <home>/models (".gguf" may be
// left off); or an Ollama model "name:tag" ("name" alone means "name:latest"; "ns/name:tag" and
// "host/ns/name:tag" select another namespace or registry). An Ollama store ($OLLAMA_MODELS, else
// ~/.ollama/models) keeps JSON manifests under manifests/<registry>/<namespace>/<name>/<tag>; the
// manifest layer with mediaType application/vnd.ollama.image.model has digest "sha256:<hex>",
// stored as blobs/sha256-<hex>, which is the GGUF file itself.
//
// Errors: resolution failure is kNotFound listing everything that was tried. Discovery never
// fails as a whole: entries that cannot be used carry their own error. Pure functions of their
// arguments apart from the filesystem (the environment is read only by default_ollama_dir()).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lantern/status.h"

namespace lantern::engine {

// $OLLAMA_MODELS if set and non-empty, else $HOME/.ollama/models, else "".
std::string default_ollama_dir();

// Resolves a -m spec to the path of a GGUF file.
Result<std::string> resolve_model(const std::string& spec, const std::string& home);
Result<std::string> resolve_model(const std::string& spec, const std::string& home, const std::string& ollama_dir);

// One model found by discovery.
struct ModelEntry {
  std::string name;    // file name, or "qwen2.5:7b" for Ollama models
  std::string path;    // the GGUF file (an Ollama blob for Ollama models)
  std::string source;  // "models" (<home>/models), "path" (given on the command line), "ollama"
  Status error;        // why the entry cannot be used (missing blob, unreadable manifest...)
};

// Models of an Ollama store, sorted by name; an absent store gives an empty list.
std::vector<ModelEntry> list_ollama_models(const std::string& ollama_dir);

// GGUF files in <home>/models, in each of `paths` (a file is taken as is, a directory is searched
// for *.gguf, a missing path is an entry with an error), then the Ollama store. A file reached
// twice through the models dir or paths is listed once; every Ollama name:tag is listed.
std::vector<ModelEntry> discover_models(const std::string& home, const std::vector<std::string>& paths,
                                        const std::string& ollama_dir);

// What `lantern models` shows about one file; read from the GGUF header without loading weights
// and without requiring a supported architecture.
struct ModelSummary {
  std::string arch;            // general.architecture
  std::string model_name;      // general.name ("" if absent)
  uint64_t n_params = 0;       // elements of all tensors
  std::string params;          // "1.5B"
  std::string file_type;       // general.file_type name ("Q4_K_M"), "" if absent
  std::string quant_mix;       // "Q4_K+Q6_K"
  uint64_t file_bytes = 0;
  uint32_t n_ctx_train = 0;    // <arch>.context_length, 0 if absent
  // Why lantern cannot run this file although it reads ("architecture 'phi3' ...", "no weights
  // (vocabulary-only file)"), from read_model_params / check_arch_runnable; "" when nothing is known
  // against it.
  std::string problem;
};
Result<ModelSummary> summarize_model(const std::string& path);

}  // namespace lantern::engine
