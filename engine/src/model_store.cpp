// Model resolution (-m) and discovery (models dir, given paths, Ollama store).
//
// The one thing to know before editing: Ollama manifests and names are untrusted input that end
// up in file paths. Name parts are checked to be plain path components and digests to be 64 hex
// digits before any path is built from them, so a manifest cannot point outside blobs/.
#include "lantern/engine/model_store.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "lantern/engine/gguf.h"
#include "lantern/engine/model_params.h"
#include "lantern/json.h"

namespace fs = std::filesystem;

namespace lantern::engine {
namespace {

constexpr const char* kDefaultRegistry = "registry.ollama.ai";
constexpr const char* kDefaultNamespace = "library";
constexpr const char* kModelMediaType = "application/vnd.ollama.image.model";
constexpr uintmax_t kMaxManifestBytes = 1 << 20;
constexpr int kMaxScanDepth = 4;  // directories below a searched folder

bool is_regular_file(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

bool ends_with_gguf(const std::string& name) {
  if (name.size() < 5) return false;
  std::string ext = name.substr(name.size() - 5);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".gguf";
}

// A single safe path component: no separators, not "." or "..", not empty.
bool plain_component(const std::string& s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos && s.find('\0') == std::string::npos;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

struct OllamaRef {
  std::string registry, ns, name, tag;
  std::string manifest_rel() const { return "manifests/" + registry + "/" + ns + "/" + name + "/" + tag; }
  std::string display() const {
    std::string n = name + ":" + tag;
    if (registry == kDefaultRegistry && ns == kDefaultNamespace) return n;
    if (registry == kDefaultRegistry) return ns + "/" + n;
    return registry + "/" + ns + "/" + n;
  }
};

// "name", "name:tag", "ns/name:tag", "host/ns/name:tag"; nullopt when it cannot be an Ollama name.
std::optional<OllamaRef> parse_ollama_spec(const std::string& spec) {
  OllamaRef ref{kDefaultRegistry, kDefaultNamespace, "", "latest"};
  std::string path = spec;
  const size_t slash = spec.rfind('/');
  const size_t colon = spec.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    ref.tag = spec.substr(colon + 1);
    path = spec.substr(0, colon);
  }
  std::vector<std::string> parts = split(path, '/');
  if (parts.size() == 1) {
    ref.name = parts[0];
  } else if (parts.size() == 2) {
    ref.ns = parts[0];
    ref.name = parts[1];
  } else if (parts.size() == 3) {
    ref.registry = parts[0];
    ref.ns = parts[1];
    ref.name = parts[2];
  } else {
    return std::nullopt;
  }
  for (const std::string* p : {&ref.registry, &ref.ns, &ref.name, &ref.tag}) {
    if (!plain_component(*p)) return std::nullopt;
  }
  return ref;
}

Result<std::string> read_small_file(const std::string& path) {
  std::error_code ec;
  uintmax_t size = fs::file_size(path, ec);
  if (ec) return Status::io_error("cannot read '" + path + "': " + ec.message());
  if (size > kMaxManifestBytes) {
    return Status::resource_limit("'" + path + "': " + std::to_string(size) + " bytes, larger than a manifest can be");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error("cannot open '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The blob path of the model layer of the manifest at `manifest_path`.
Result<std::string> blob_from_manifest(const std::string& ollama_dir, const std::string& manifest_path) {
  LT_ASSIGN_OR_RETURN(std::string text, read_small_file(manifest_path));
  auto doc = json::parse(text, 32);
  if (!doc.ok()) return Status::corruption("manifest '" + manifest_path + "': " + doc.status().message());
  const json::Value* layers = doc->is_object() ? doc->find("layers") : nullptr;
  if (layers == nullptr || !layers->is_array()) {
    return Status::corruption("manifest '" + manifest_path + "': no 'layers' array");
  }
  for (const json::Value& layer : layers->items()) {
    if (!layer.is_object() || layer.get_string("mediaType") != kModelMediaType) continue;
    const std::string digest = layer.get_string("digest");
    const std::string hex = digest.rfind("sha256:", 0) == 0 ? digest.substr(7) : "";
    const bool valid = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
                         return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                       });
    if (!valid) {
      return Status::corruption("manifest '" + manifest_path + "': model layer digest '" + digest.substr(0, 80) +
                                "' is not sha256:<64 hex digits>");
    }
    std::string blob = ollama_dir + "/blobs/sha256-" + hex;
    if (!is_regular_file(blob)) {
      return Status::not_found("manifest '" + manifest_path + "': model blob '" + blob + "' is missing");
    }
    return blob;
  }
  return Status::corruption("manifest '" + manifest_path + "': no layer of type " + kModelMediaType);
}

std::string canonical_or_self(const std::string& path) {
  std::error_code ec;
  fs::path c = fs::canonical(path, ec);
  return ec ? path : c.string();
}

// *.gguf files under `dir` (sorted, bounded depth, unreadable subfolders skipped).
std::vector<std::string> scan_gguf(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (it.depth() >= kMaxScanDepth) it.disable_recursion_pending();
    std::error_code fec;
    if (it->is_regular_file(fec) && ends_with_gguf(it->path().filename().string())) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string default_ollama_dir() {
  const char* env = std::getenv("OLLAMA_MODELS");
  if (env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return std::string(home) + "/.ollama/models";
  return "";
}

Result<std::string> resolve_model(const std::string& spec, const std::string& home) {
  return resolve_model(spec, home, default_ollama_dir());
}

Result<std::string> resolve_model(const std::string& spec, const std::string& home, const std::string& ollama_dir) {
  if (spec.empty()) return Status::invalid_argument("empty model name");
  std::vector<std::string> tried;
  std::error_code ec;
  // 1. A path.
  if (fs::is_directory(spec, ec)) return Status::invalid_argument("model '" + spec + "' is a directory, not a GGUF file");
  if (is_regular_file(spec)) return spec;
  tried.push_back("file '" + spec + "'");
  // 2. A file name in <home>/models.
  const bool plain = spec.find('/') == std::string::npos;
  if (plain && !home.empty()) {
    std::vector<std::string> candidates = {home + "/models/" + spec};
    if (!ends_with_gguf(spec)) candidates.push_back(home + "/models/" + spec + ".gguf");
    for (const std::string& candidate : candidates) {
      if (is_regular_file(candidate)) return candidate;
      tried.push_back("'" + candidate + "'");
    }
  }
  // 3. An Ollama name:tag.
  if (auto ref = parse_ollama_spec(spec)) {
    if (ollama_dir.empty()) {
      tried.push_back("Ollama '" + ref->display() + "' (no Ollama store: set OLLAMA_MODELS)");
    } else {
      const std::string manifest = ollama_dir + "/" + ref->manifest_rel();
      if (is_regular_file(manifest)) {
        auto blob = blob_from_manifest(ollama_dir, manifest);
        if (!blob.ok()) return blob.status().with_context("model '" + spec + "'");
        return blob;
      }
      tried.push_back("Ollama '" + ref->display() + "' ('" + manifest + "')");
    }
  }
  std::string msg = "model '" + spec + "' not found; tried ";
  for (size_t i = 0; i < tried.size(); ++i) msg += (i ? ", " : "") + tried[i];
  return Status::not_found(msg);
}

std::vector<ModelEntry> list_ollama_models(const std::string& ollama_dir) {
  std::vector<ModelEntry> out;
  if (ollama_dir.empty()) return out;
  const std::string root = ollama_dir + "/manifests";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    // manifests/<registry>/<namespace>/<name>/<tag>: tags are files at depth 3.
    if (it.depth() >= 3) it.disable_recursion_pending();
    std::error_code fec;
    if (it.depth() != 3 || !it->is_regular_file(fec)) continue;
    fs::path rel = fs::relative(it->path(), root, fec);
    std::vector<std::string> parts;
    for (const auto& p : rel) parts.push_back(p.string());
    if (parts.size() != 4) continue;
    OllamaRef ref{parts[0], parts[1], parts[2], parts[3]};
    ModelEntry e;
    e.name = ref.display();
    e.source = "ollama";
    auto blob = blob_from_manifest(ollama_dir, it->path().string());
    if (blob.ok()) {
      e.path = *blob;
    } else {
      e.path = it->path().string();
      e.error = blob.status();
    }
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const ModelEntry& a, const ModelEntry& b) { return a.name < b.name; });
  return out;
}

std::vector<ModelEntry> discover_models(const std::string& home, const std::vector<std::string>& paths,
                                        const std::string& ollama_dir) {
  std::vector<ModelEntry> out;
  std::set<std::string> seen;
  auto add = [&](ModelEntry e) {
    // Ollama tags sharing a blob are distinct names for it and all listed.
    if (e.error.ok() && e.source != "ollama" && !seen.insert(canonical_or_self(e.path)).second) return;
    out.push_back(std::move(e));
  };
  if (!home.empty()) {
    for (const std::string& f : scan_gguf(home + "/models")) {
      add({fs::path(f).filename().string(), f, "models", {}});
    }
  }
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const std::string& f : scan_gguf(p)) add({fs::path(f).filename().string(), f, "path", {}});
    } else if (fs::exists(p, ec)) {
      add({fs::path(p).filename().string(), p, "path", {}});
    } else {
      add({p, p, "path", Status::not_found("'" + p + "': no such file or directory")});
    }
  }
  for (ModelEntry& e : list_ollama_models(ollama_dir)) add(std::move(e));
  return out;
}

Result<ModelSummary> summarize_model(const std::string& path) {
  LT_ASSIGN_OR_RETURN(std::unique_ptr<GgufFile> f, GgufFile::open(path));
  ModelSummary s;
  s.file_bytes = f->file_size();
  LT_ASSIGN_OR_RETURN(std::string_view arch, f->get_string_or("general.architecture", ""));
  s.arch = std::string(arch);
  LT_ASSIGN_OR_RETURN(std::string_view name, f->get_string_or("general.name", ""));
  s.model_name = std::string(name);
  for (const GgufTensor& t : f->tensors()) s.n_params += t.n_elements;
  s.params = format_param_count(s.n_params);
  if (f->has("general.file_type")) {
    LT_ASSIGN_OR_RETURN(uint32_t ft, f->get_u32("general.file_type"));
    s.file_type = std::string(file_type_name(ft));
  }
  s.quant_mix = quant_mix(*f);
  if (!s.arch.empty() && f->has(s.arch + ".context_length")) {
    LT_ASSIGN_OR_RETURN(s.n_ctx_train, f->get_u32(s.arch + ".context_length"));
  }
  if (f->tensors().empty()) {
    s.problem = "no weights (vocabulary-only file)";
    return s;
  }
  auto params = read_model_params(*f);
  Status runnable = params.ok() ? check_arch_runnable(*params) : params.status();
  if (!runnable.ok()) {
    // Messages of read_model_params start with the file's path, which the listing already shows.
    const std::string prefix = "'" + path + "': ";
    s.problem = runnable.message();
    if (s.problem.rfind(prefix, 0) == 0) s.problem.erase(0, prefix.size());
  }
  return s;
}

}  // namespace lantern::engine
