// Model::load: open the GGUF file, read hyperparameters, load and check every weight through the
// architecture's loader, then the tokenizer and chat template.
// The one thing to know: the GgufFile must outlive every Matrix (they point into its mapping);
// ModelWeights owns both, and Sessions hold the Model through a shared_ptr.
#include "lantern/engine/model.h"

#include <algorithm>
#include <cstdio>

#include "arch.h"
#include "lantern/engine/chat_template.h"
#include "lantern/engine/thread_pool.h"
#include "lantern/engine/tokenizer.h"
#include "model_weights.h"
#include "system_memory.h"
#include "weight_arena.h"
#include "weight_loader.h"

namespace lantern::engine {
namespace {

std::string file_stem(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.size() > 5 && name.ends_with(".gguf")) name.resize(name.size() - 5);
  return name;
}

// Bytes of every matrix a resident copy would hold (all 2-D tensors but a separate token
// embedding), each padded for alignment.
uint64_t product_bytes(const GgufFile& file) {
  const bool untied = file.find_tensor("output.weight") != nullptr;
  uint64_t sum = 0;
  for (const GgufTensor& t : file.tensors()) {
    if (t.n_dims < 2 || (untied && t.name == "token_embd.weight")) continue;
    sum += t.n_bytes + 64;
  }
  return sum;
}

}  // namespace

Model::Model() = default;
Model::~Model() = default;

Result<std::shared_ptr<const Model>> Model::load(const std::string& path, const LoadOptions& options) {
  auto report = [&](float f) {
    if (options.progress) options.progress(f);
  };
  report(0.0f);
  const int max_threads = max_useful_threads();
  if (options.n_threads > max_threads) {
    return Status::resource_limit("'" + path + "': " + std::to_string(options.n_threads) + " threads requested, more than " +
                                  std::to_string(max_threads) + " (4 per CPU core available, at least 8) would only slow it down");
  }
  LT_ASSIGN_OR_RETURN(auto file, GgufFile::open(path));
  // A model larger than RAM + swap would page its weights from disk for every token: refuse it now
  // rather than after minutes of loading.
  const SystemMemory mem = read_system_memory();
  if (mem.ram_total > 0 && file->file_size() > mem.ram_total + mem.swap_total) {
    return Status::resource_limit("'" + path + "': the model file is " + format_bytes(file->file_size()) +
                                  ", larger than this machine's " + format_bytes(mem.ram_total) + " of RAM + " +
                                  format_bytes(mem.swap_total) + " of swap");
  }
  auto w = std::make_unique<ModelWeights>();
  LT_ASSIGN_OR_RETURN(w->hp, read_hparams(*file, w->params));
  const ArchLoader* spec = find_arch_loader(w->hp.arch);  // read_hparams checked it exists
  const uint64_t arena_bytes = product_bytes(*file);
  std::string no_arena = options.resident_weights ? "" : "not requested";
  if (no_arena.empty()) no_arena = WeightArena::unavailable_reason(arena_bytes);
  if (no_arena.empty()) {
    auto arena = WeightArena::create(arena_bytes);
    if (arena.ok()) w->arena = std::move(arena).value();
    else no_arena = arena.status().message();
  }
  WeightLoader loader(*file, w->arena.get());
  Status st = spec->load(loader, *w);
  if (!st.ok()) return st.with_context("'" + path + "'");
  report(0.8f);
  auto tokenizer = Tokenizer::from_gguf(*file);
  if (!tokenizer.ok()) return tokenizer.status().with_context("'" + path + "'");
  w->tokenizer = std::move(tokenizer).value();
  auto tmpl = ChatTemplate::from_gguf(*file);
  if (!tmpl.ok()) return tmpl.status().with_context("'" + path + "'");
  w->chat_template = std::make_shared<const ChatTemplate>(std::move(tmpl).value());
  report(0.9f);
  file->prefetch();

  ModelInfo& info = w->info;
  info.path = path;
  info.name = !w->params.name.empty() ? w->params.name : file_stem(path);
  info.arch = w->hp.arch;
  info.quant = !w->params.file_type_name.empty() ? w->params.file_type_name : w->params.quant_mix;
  info.n_params = loader.n_params();
  info.file_bytes = file->file_size();
  info.n_ctx_train = w->hp.n_ctx_train;
  info.n_vocab = w->hp.n_vocab;
  info.n_embd = w->hp.n_embd;
  info.n_layer = w->hp.n_layer;
  info.n_head = w->hp.n_head;
  info.n_head_kv = w->hp.n_head_kv;
  info.head_dim = w->hp.head_dim;
  info.n_ff = w->hp.n_ff;
  // Below kSmallModelBytes of weights a product is too short to split: waking workers costs more
  // than the work, and on a busy machine a descheduled worker stalls every step.
  constexpr uint64_t kSmallModelBytes = 32ull << 20;
  w->n_threads = options.n_threads > 0 ? options.n_threads
                 : file->file_size() < kSmallModelBytes ? 1
                                                        : ThreadPool::default_threads();
  info.weight_memory = !w->arena         ? "file mapping (" + no_arena + ")"
                       : w->arena->packs() ? "huge pages, packed"
                                           : "huge pages";
  if (w->arena) w->arena->start(*file);
  w->file = std::move(file);

  std::shared_ptr<Model> model(new Model());
  model->weights_ = std::move(w);
  report(1.0f);
  return std::shared_ptr<const Model>(std::move(model));
}

const ModelInfo& Model::info() const { return weights_->info; }
const ModelParams& Model::params() const { return weights_->params; }
const Tokenizer& Model::tokenizer() const { return *weights_->tokenizer; }
const ChatTemplate& Model::chat_template() const { return *weights_->chat_template; }
int32_t Model::n_threads() const { return weights_->n_threads; }
Status Model::wait_resident() const { return weights_->arena ? weights_->arena->wait() : ok_status(); }

}  // namespace lantern::engine
